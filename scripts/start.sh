#!/usr/bin/env bash
# Opens the Letterpress desktop app on a copy of the bundled sample project (made once in the
# user's data folder: nothing done in the app touches this repository).
# Installs what a fresh machine lacks (WebKitGTK packages, the wasm target, npm packages).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
ensure_system_packages
ensure_node_packages
cd "$ROOT"
bash scripts/build-ui.sh
cargo build -q -p letterpress-app
exec "$CARGO_TARGET_DIR/debug/letterpress-app" --sample
