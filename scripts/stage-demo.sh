#!/usr/bin/env bash
# Stages the demo page for devcdn's app side: DIR (default target/demo-root) gets www/ at / and the
# built package at /pkg/. devcdn serves one directory and refuses symlinks that leave it, so the files
# are hard links (an editor that writes in place shows edits on reload), else copies.
# Used by scripts/demo.sh and by the browser tests (tests/browser/lib.mjs stageDemoRoot).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stage=${1:-target/demo-root}
[[ -f pkg/hlsplay.js && -f pkg/hlsplay_bg.wasm ]] || {
  echo "stage-demo: pkg/ is not built (run scripts/build-pkg.sh)" >&2
  exit 1
}
rm -rf "$stage"
mkdir -p "$stage"
cp -Rl www/. "$stage/" 2>/dev/null || cp -R www/. "$stage/"
cp -Rl pkg "$stage/pkg" 2>/dev/null || cp -R pkg "$stage/pkg"
