#!/usr/bin/env bash
# Benchmarks (they measure; tests never assert timings): criterion for the engine, npm mjml
# warm vs Letterpress on the same MJML, and a build of a generated 200 × 10 × 2 project.
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
ensure_node_packages
cd "$ROOT"
cargo build --release -q -p letterpress-cli
bin="$CARGO_TARGET_DIR/release/letterpress"
echo "== criterion: engine render"
cargo bench -q -p letterpress-engine
echo "== npm mjml (warm) vs letterpress, same MJML"
node scripts/bench-mjml.mjs "$bin"
echo "== build: 200 templates × 10 locales × 2 fixtures"
"$bin" bench build
