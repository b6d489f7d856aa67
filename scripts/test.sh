#!/usr/bin/env bash
#! Installs what is missing, then runs every check in order and stops at the
#! first failure: format, lints (native + wasm32), native tests, browser tests
#! (wasm-bindgen-test in headless Chromium), then end-to-end tests (Playwright)
#! against the release build served on 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
started=$(date +%s)
# Each step's header says how long the run has taken so far (where the
# minutes go on a fresh machine).
step() { printf '\n\033[1m==> %s\033[0m (at %d s)\n' "$*" "$(( $(date +%s) - started ))"; }

bash scripts/setup.sh test

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native)"
cargo clippy --all-targets -- -D warnings

step "cargo clippy (wasm32, web feature)"
cargo clippy --target wasm32-unknown-unknown --features web --all-targets -- -D warnings

step "native tests (cargo test)"
cargo test

step "browser tests (wasm-bindgen-test in headless Chromium)"
# chromedriver leaves tens of MB in TMPDIR per run: keep it inside target/.
mkdir -p target/tmp
TMPDIR="$ROOT/target/tmp" cargo test --target wasm32-unknown-unknown --features web --test web

step "release build (scripts/build-release.mjs: cargo, wasm-split, wasm-bindgen, wasm-opt)"
node scripts/build-release.mjs

step "download budget (first load and family chunks, gzip -9)"
node scripts/bundle-budget.mjs

step "optimised CLI (for the wasm/native benchmark figure)"
cargo build --release --bin scalelab

step "end-to-end tests (Playwright, node --test)"
# They compare the wasm engine with the CLI that `cargo test` built
# (target/debug/scalelab): same results, so no optimised build is needed.
node --test --test-reporter=spec tests/e2e/

echo
echo "all checks passed in $(( $(date +%s) - started )) s"
