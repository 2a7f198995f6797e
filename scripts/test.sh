#!/usr/bin/env bash
# Every test: formatting, lints, unit/golden/integration tests, and the fidelity check
# against the reference mjml implementation (npm mjml).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
ensure_node_packages
cd "$ROOT"
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
echo "== fidelity: letterpress vs npm mjml"
cargo build -q -p letterpress-cli
node scripts/fidelity.mjs "$CARGO_TARGET_DIR/debug/letterpress"
