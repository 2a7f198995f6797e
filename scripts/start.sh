#!/usr/bin/env bash
# Runs Letterpress on the bundled sample project: checks every template × locale × fixture
# and builds them all into dist/ (open dist/<template>/<locale>/<fixture>.html in a browser).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
cd "$ROOT"
cargo build --release -q -p letterpress-cli
bin="$CARGO_TARGET_DIR/release/letterpress"
"$bin" check
"$bin" build --out dist
echo "open dist/ — e.g. dist/receipt/de/default.html"
