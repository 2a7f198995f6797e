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
# wasm-bindgen's command line must match the wasm-bindgen locked in ui/Cargo.lock; it is built
# from tools/wasm-bindgen, whose Cargo.lock pins every dependency.
want=$(grep -A1 '^name = "wasm-bindgen"$' ui/Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
pinned=$(sed -n 's/^wasm-bindgen-cli = "=\(.*\)"/\1/p' tools/wasm-bindgen/Cargo.toml)
if [ "$want" != "$pinned" ]; then
  echo "ui/Cargo.lock has wasm-bindgen $want but tools/wasm-bindgen pins wasm-bindgen-cli $pinned:" \
    "change both together (then run cargo update in tools/wasm-bindgen)" >&2
  exit 1
fi
cargo build -q --locked --release --manifest-path tools/wasm-bindgen/Cargo.toml
wasm_bindgen="$CARGO_TARGET_DIR/release/wasm-bindgen"
(cd ui && cargo build -q --release --target wasm32-unknown-unknown)
mkdir -p ui/dist
"$wasm_bindgen" --target web --no-typescript --out-dir ui/dist --out-name letterpress_ui \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/letterpress-ui.wasm"
cp ui/index.html ui/boot.js ui/style.css ui/dist/
npm run -s build:editor
