#!/usr/bin/env bash
# Builds the npm package into pkg/: the wasm32 release build, wasm-bindgen --target web, wasm-opt -Oz
# (npm's binaryen: Debian's older wasm-opt breaks wasm-bindgen modules), package.json from pkg.json.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_rust_wasm
need_npm_packages
cd "$ROOT"

log "building the wasm package"
# Always the worktree's own target/: the steps below read the wasm from there, and a
# CARGO_TARGET_DIR left set for native tests would build elsewhere and package a stale wasm.
unset CARGO_TARGET_DIR
# HLSPLAY_FEATURES=bench-api adds the JS Transmuxer the remux benchmarks use (not the package).
cargo build --lib --profile wasm --target wasm32-unknown-unknown ${HLSPLAY_FEATURES:+--features "$HLSPLAY_FEATURES"}
rm -rf pkg
# --keep-debug: the function names, for wasm-opt's --reorder-functions-by-name below (stripped there).
wasm-bindgen --target web --keep-debug --out-dir pkg target/wasm32-unknown-unknown/wasm/hlsplay.wasm
# The glue's import and closure names without wasm-bindgen's hashes, in the wasm and the JS.
node scripts/short-import-names.mjs
# The function names wasm-opt orders the code by (below): trait methods by trait, copies of a
# generic in the compiler's order (-0.4 KB gz).
node scripts/function-order-names.mjs
# Minified glue (-2.4 KB gz); names the page sees (exports, the wasm's import keys) are unchanged and
# the documentation stays in hlsplay.d.ts.
node_modules/.bin/esbuild pkg/hlsplay.js --minify --format=esm --log-level=warning --allow-overwrite \
  --outfile=pkg/hlsplay.js
# Flatten + re-reloop before the -Oz runs (-1.1 KB gz, and -0.3 KB more than after a first -Oz) and
# dropping the producers/target-features sections. (--merge-similar-functions, -0.3 KB gz when
# single-caller functions were all inlined, costs 68 B with -ocimfs 20 below.)
# Functions in name order (each module's code together, so gzip finds its repeats within its
# window), then the names dropped: -0.65 KB gz.
# -ocimfs 20: a function with one caller is inlined into it only when small (binaryen inlines
# every such function by default). Kept apart, each stays next to its module's other functions in
# that name order instead of inside a distant caller, where gzip finds no repeats: -4.9 KB gz for
# +8 KB raw. -aimfs 4: functions of up to 4 instructions (default 2) inlined everywhere: -136 B gz.
node_modules/.bin/wasm-opt -ocimfs 20 -aimfs 4 --flatten --rereloop -Oz -Oz \
  --reorder-functions-by-name --strip-debug --strip-producers --strip-target-features \
  --low-memory-unused --zero-filled-memory --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/hlsplay_bg.wasm -o pkg/hlsplay_bg.wasm
# The glue becomes hlsplay_glue.js under the package's entry hlsplay.js (js/hlsplay.js), which
# names the Worker script (js/hlsplay-worker.js, which imports the glue, not the entry: a bundler
# would otherwise see the Worker create itself). docs/design-worker.md.
mv pkg/hlsplay.js pkg/hlsplay_glue.js
for entry in hlsplay hlsplay-worker; do
  node_modules/.bin/esbuild "js/$entry.js" --minify --format=esm --log-level=warning --outfile="pkg/$entry.js"
done
# The hand-written entries (hlsplay/hls-compat, hlsplay/element), minified; they import ./hlsplay.js.
for entry in hls-compat hlsplay-video; do
  node_modules/.bin/esbuild "js/$entry.js" --minify --format=esm --log-level=warning --outfile="pkg/$entry.js"
  cp "js/$entry.d.ts" pkg/
done
node scripts/make-package-json.mjs
cp docs/npm-README.md pkg/README.md
node scripts/check-wasm.mjs
