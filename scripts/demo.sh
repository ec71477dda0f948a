#!/usr/bin/env bash
# The demo: builds the npm package, generates the MediaConvert-shaped sample stream and prints its
# parsed master playlist.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_rust_wasm
need_debian_packages
need_npm_packages
cd "$ROOT"

bash scripts/build-pkg.sh
bash scripts/make-sample.sh
master=$(ls sample/*/Default/HLS/*.m3u8 | grep -v '_[0-9]*\.m3u8$' | head -n 1)
log "parsed master playlist: $master"
cargo run --quiet --release -p hlsplay-cli -- playlist "$master"
