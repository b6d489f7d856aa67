#!/usr/bin/env bash
#! Installs what is missing, then serves the app on http://127.0.0.1:8080
#! (release build; rebuilds when sources change).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh serve
echo "==> serving Scale Lab on http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --release --address 127.0.0.1 --port 8080
