#!/usr/bin/env bash
# Every test: formatting, lints, unit/golden/integration tests, and the fidelity check
# against the reference mjml implementation (npm mjml).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
ensure_system_packages
ensure_node_packages
ensure_python_packages
ensure_tauri_driver
cd "$ROOT"
echo "== build the UI (wasm + editor bundle) — the app embeds ui/dist"
bash scripts/build-ui.sh
echo "== cargo fmt --check"
cargo fmt --all --check
(cd ui && cargo fmt --check)
echo "== cargo clippy"
cargo clippy -q --workspace --all-targets -- -D warnings
(cd ui && cargo clippy -q --release --target wasm32-unknown-unknown -- -D warnings)
echo "== ui unit tests (host)"
(cd ui && cargo test -q)
echo "== cargo test (the e2e tests in tests/e2e drive the app built here; the sync ones also start node_modules' aws-ses-v2-local)"
cargo build -q -p letterpress-app
cargo test --workspace
echo "== fidelity: letterpress vs npm mjml"
cargo build -q -p letterpress-cli
node scripts/fidelity.mjs "$CARGO_TARGET_DIR/debug/letterpress"
