#!/bin/sh
# Build the wasm package into pkg/ (the lead's package script may supersede this).
set -eu
cd "$(dirname "$0")/.."
cargo build --lib --release --target wasm32-unknown-unknown
wasm-bindgen --target web --out-dir pkg target/wasm32-unknown-unknown/release/hlsplay.wasm
npx wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int pkg/hlsplay_bg.wasm -o pkg/hlsplay_bg.wasm
