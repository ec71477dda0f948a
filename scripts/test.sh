#!/usr/bin/env bash
# Runs every check CI runs: formatting, clippy (native and wasm32), native tests, the wasm package
# build with its import and size checks, the wasm tests under node and in headless Chromium, and
# the browser tests that play the sample stream through the local CloudFront.
# Installs what it needs first (see scripts/lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_rust_wasm
need_debian_packages
need_npm_packages
need_awscli
cd "$ROOT"

log "cargo fmt --check"
cargo fmt --all -- --check

log "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

log "clippy (wasm32)"
cargo clippy -p hlsplay --target wasm32-unknown-unknown --all-targets -- -D warnings

log "native tests"
cargo test --workspace

log "demo page unit tests (node)"
node --test tests/www/

bash scripts/build-pkg.sh

log "TypeScript: a strict app compiled against the package's types (tests/types)"
node_modules/.bin/tsc -p tests/types

log "wasm tests under node"
cargo test -p hlsplay --target wasm32-unknown-unknown --tests

log "wasm tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 cargo test -p hlsplay --target wasm32-unknown-unknown --tests

log "sample stream (MediaConvert-shaped ladder, generated once)"
bash scripts/make-sample.sh all

log "browser tests (playwright-core + Debian Chromium, through the local CloudFront)"
cargo build -p devcdn -p pipeline
# A hung test fails after 5 minutes instead of holding CI. The lock: the browser test files use
# fixed ports, so a single file run by hand on the same machine (under the same lock) must wait.
flock /tmp/hlsplay-browser.lock node --test --test-concurrency=1 --test-timeout=300000 tests/browser/
# The default runs the player in a Worker with MSE in it. Then every file once more with the
# player on the page's thread (worker: false), but worker.test.mjs, which covers every mode itself;
# and the files that play the most stream shapes through the player (player, captions) with the
# Worker posting fragments to the page's MediaSource (the mode of browsers without MSE in Workers)
# (docs/design-worker.md).
in_thread=()
for file in tests/browser/*.test.mjs; do
  [ "$file" = tests/browser/worker.test.mjs ] || in_thread+=("$file")
done
HLSPLAY_WORKER=0 flock /tmp/hlsplay-browser.lock node --test --test-concurrency=1 --test-timeout=300000 \
  "${in_thread[@]}"
HLSPLAY_WORKER=page flock /tmp/hlsplay-browser.lock node --test --test-concurrency=1 --test-timeout=300000 \
  tests/browser/player.test.mjs tests/browser/captions.test.mjs

if [ -d fuzz ]; then
  log "fuzz targets build"
  (cd fuzz && cargo check --quiet --locked)
fi

log "all checks passed"
