#!/usr/bin/env bash
#! Mutation testing of one source file with cargo-mutants (pinned in
#! scripts/setup.sh): each mutant breaks the file's code in one small way
#! (a function returns a default, `<` becomes `<=`, a `+` a `-`, a match
#! arm goes), and the tests that cover the file run against it. A mutant
#! no test fails on ("missed") is a test to write, or an equivalent mutant
#! (one that cannot change behaviour) to explain. See ARCHITECTURE.md,
#! "Testing", and docs/mutants.md for the figures so far.
#!
#! Usage: scripts/mutants.sh FILE [cargo-mutants options]
#!        make mutants FILE=src/families/web_tier/load_balancer.rs [ARGS="--shard 1/2"]
#!        TESTS="--lib --test cache" scripts/mutants.sh FILE   # other test targets
#!
#! Each file runs only the test targets that cover it (the table below),
#! and builds only those: every mutant is a rebuild plus those tests, so a
#! target nobody needs costs its build and run once per mutant. A file not
#! in the table builds and runs the whole native suite (correct, but over
#! 100 s a mutant): add its line. Results go to
#! target/mutants/<file>/mutants.out (caught.txt, missed.txt, unviable.txt,
#! timeout.txt, outcomes.json, one log per mutant); the last lines printed
#! are the file's row of the table and its missed mutants. `ARGS=--iterate`
#! tests again only what the previous run of the file did not catch (after
#! a new test, say). Not part of `make test` or CI: a file takes from 10
#! minutes to a few hours on 2 cores.
set -euo pipefail

# The test targets that cover each file. Slow whole-suite targets
# (determinism, golden, checkpoints) only where the file's behaviour is
# theirs to check, and `--lib` (a second build of the whole crate) only for
# files whose unit tests are in the crate (engine.rs and checkpoint.rs have
# none: a --lib build doubled their minute-long mutants).
tests_for() {
  case "$1" in
    src/families/web_tier/load_balancer.rs) echo "--test load_balancer --test timeline --test validation --test tiers" ;;
    src/families/web_tier/server.rs) echo "--test tiers --test load_balancer --test theory --test timeline --test validation" ;;
    src/families/web_tier/station.rs) echo "--test station --test theory --test tiers --test load_balancer --test cache" ;;
    src/families/web_tier/client.rs) echo "--test theory --test load_balancer --test timeline --test validation --test sharding --test golden" ;;
    src/families/storage/cache_store.rs) echo "--lib --test cache" ;;
    src/families/storage/cache.rs) echo "--test cache --test tiers" ;;
    src/families/storage/database.rs) echo "--test tiers" ;;
    src/share.rs) echo "--lib --test golden" ;;
    src/sim/engine.rs | src/sim/node.rs) echo "--test theory --test load_balancer --test timeline --test tiers --test checkpoints --test rabbitmq --test kafka --test live_actions" ;;
    src/sim/queue.rs) echo "--lib --test theory --test timeline" ;;
    src/sim/checkpoint.rs) echo "--test checkpoints" ;;
    src/sim/series.rs) echo "--lib --test checkpoints --test determinism" ;;
    src/sim/wire.rs) echo "--lib --test kafka --test rabbitmq" ;;
    src/sim/metrics.rs) echo "--lib --test theory --test load_balancer --test tiers --test cache --test golden --test kafka --test rabbitmq" ;;
    src/families/replication/replicated_db.rs) echo "--test replication --test election --test lessons" ;;
    src/families/replication/ensemble.rs | src/families/replication/election.rs) echo "--lib --test election --test lessons" ;;
    *) echo "" ;;
  esac
}

main() {
  source "$(dirname "$0")/env.sh"
  cd "$ROOT"
  local file=${1:?usage: scripts/mutants.sh FILE [cargo-mutants options]}
  shift
  [ -f "$file" ] || { echo "no such file: $file" >&2; exit 2; }

  local tests=${TESTS:-$(tests_for "$file")}
  if [ -z "$tests" ]; then
    echo "note: $file has no line in scripts/mutants.sh's table; building and running the whole native suite per mutant" >&2
  fi
  # As cargo arguments, so that the build of each mutant (`cargo test
  # --no-run`) makes only these targets too, not every test binary.
  local selection=()
  local arg
  for arg in $tests; do
    if [ "$arg" = --test ]; then continue; fi
    case "$arg" in
      --*) selection+=("--cargo-arg=$arg") ;;
      *) selection+=("--cargo-arg=--test=$arg") ;;
    esac
  done

  bash scripts/setup.sh mutants >/dev/null
  # No debug info in the mutants' builds: less to write and link per
  # mutant, and a failing test still prints its message.
  export CARGO_PROFILE_DEV_DEBUG=false

  local slug out started status seconds
  slug=$(echo "$file" | sed 's#^src/##; s#\.rs$##; s#/#-#g')
  out="target/mutants/$slug"
  mkdir -p "$out"
  started=$(date +%s)
  set +e
  # -j 1: every mutant is a build, and this machine has 2 cores. The test
  # timeout is 5 times the unmutated run's, and at least 90 s: on a shared
  # machine a slow moment is not a hang.
  cargo mutants --file "$file" --jobs 1 --output "$out" --no-shuffle --minimum-test-timeout 90 \
    "${selection[@]}" "$@"
  status=$?
  set -e
  seconds=$(($(date +%s) - started))
  report "$file" "$out/mutants.out" "$seconds"
  # cargo-mutants exits 2 when some mutants were missed, 3 on timeouts: a
  # result to read, not a failure of this script.
  case $status in 0 | 2 | 3) exit 0 ;; *) exit "$status" ;; esac
}

# The file's row: tried, caught, missed, unviable, timed out, wall time, and
# caught as a share of the viable mutants (those that built: caught, missed
# or timed out; a timeout counts as not caught here).
report() {
  local file=$1 res=$2 seconds=$3
  [ -d "$res" ] || return 0
  lines() { if [ -f "$res/$1.txt" ]; then grep -c . "$res/$1.txt" || true; else echo 0; fi; }
  local caught missed unviable timeout viable pct
  caught=$(lines caught) missed=$(lines missed) unviable=$(lines unviable) timeout=$(lines timeout)
  viable=$((caught + missed + timeout))
  pct=$(awk -v c="$caught" -v v="$viable" 'BEGIN { if (v) printf "%.1f", 100 * c / v; else print "-" }')
  echo "| file | tried | caught | missed | unviable | timed out | wall | caught % of viable |"
  echo "| $file | $((viable + unviable)) | $caught | $missed | $unviable | $timeout | $((seconds / 60)) min $((seconds % 60)) s | $pct |"
  if [ -s "$res/missed.txt" ]; then
    echo "missed (each needs a test, or a reason it cannot change behaviour):"
    cat "$res/missed.txt"
  fi
}

# Parsed whole before it runs: editing this file during a run (hours long)
# cannot change the run.
main "$@"
