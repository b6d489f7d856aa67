#!/usr/bin/env bash
#! Installs whatever Scale Lab needs and is missing, at pinned versions.
#!
#! Usage: scripts/setup.sh serve   # Rust wasm target, Trunk, wasm-bindgen CLI, wasm-split-cli, npm tools
#!        scripts/setup.sh test    # the same but Trunk (the tests' release build is
#!                                 # scripts/build-release.mjs), + Debian's chromium and chromium-driver
#!        scripts/setup.sh mutants # cargo-mutants only (`make mutants`, scripts/mutants.sh)
#!
#! Every step first checks whether the right version is already there, so a
#! second run costs seconds. Nothing is fetched from outside the package
#! registries (crates.io, npm, Debian) and the Rust dist server: Trunk runs
#! offline (see Trunk.toml) and uses the binaries installed here.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pin in Cargo.toml and Trunk.toml
WASM_SPLIT_VERSION=0.2.4       # wasm_split_cli_support; >= 0.2.3 for wasm-bindgen 0.2.128+
CARGO_MUTANTS_VERSION=27.1.0   # mutation testing (`make mutants`); not needed by serve or test

purpose=${1:-test}
cd "$(dirname "$0")/.."
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# cargo-mutants for `make mutants` (scripts/mutants.sh): about a minute, once.
# It needs nothing else set up here (the mutated builds are native).
if [ "$purpose" = mutants ]; then
  if [ "$(cargo mutants --version 2>/dev/null || true)" != "cargo-mutants $CARGO_MUTANTS_VERSION" ]; then
    say "cargo install cargo-mutants $CARGO_MUTANTS_VERSION (about a minute, once)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-mutants --version "$CARGO_MUTANTS_VERSION" --locked --force
  fi
  exit 0
fi

# Rust components and the wasm target (rustup reaches the Rust dist server only).
installed_components=$(rustup component list --installed 2>/dev/null || true)
for comp in rustfmt clippy; do
  if ! grep -q "^$comp" <<<"$installed_components"; then say "rustup component add $comp"; rustup component add "$comp"; fi
done
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Build tools need not be as fast as possible: their own release profiles ask
# for fat LTO and one codegen unit (Trunk's does), a long single-core link.
# Parallel codegen without LTO builds them several times faster.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

# Trunk (for `make serve` only): 0.22 needs a newer rustc than this
# machine's, so 0.21.14 is pinned. The tests build without it.
if [ "$purpose" = serve ] && [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen CLI (+ wasm-bindgen-test-runner). Its --locked build fails, so no --locked.
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-split-cli: cuts the release wasm at the families' split points
# (scripts/build-release.mjs). About 1.5 minutes, once.
if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION (a few minutes, once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --force
fi

unset CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS

# npm tools, pinned by package-lock.json: binaryen 132 (wasm-opt) and playwright-core.
# Debian's binaryen (wasm-opt 108) builds a wasm that dies at load, so it is never used.
# A stamp (a copy of the lockfile that was installed) makes the check exact.
if ! cmp -s package-lock.json node_modules/.scalelab-installed-lock.json 2>/dev/null; then
  say "npm ci (binaryen, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.scalelab-installed-lock.json
fi

if [ "$purpose" = test ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "apt-get install chromium chromium-driver"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

# Crates for offline Trunk builds.
cargo fetch --quiet
say "set-up complete"
