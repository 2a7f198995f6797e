#!/usr/bin/env bash
# Builds the desktop UI into ui/dist: the Leptos app compiled to wasm (cargo + wasm-bindgen,
# no trunk), the static files, and the CodeMirror editor bundle (npm + esbuild).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
ensure_node_packages
cd "$ROOT"
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown
# wasm-bindgen-cli must match the wasm-bindgen version locked in ui/Cargo.lock.
want=$(grep -A1 '^name = "wasm-bindgen"$' ui/Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  cargo install -q wasm-bindgen-cli --version "$want"
fi
(cd ui && cargo build -q --release --target wasm32-unknown-unknown)
mkdir -p ui/dist
wasm-bindgen --target web --no-typescript --out-dir ui/dist --out-name letterpress_ui \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/letterpress-ui.wasm"
cp ui/index.html ui/boot.js ui/style.css ui/dist/
npm run -s build:editor
