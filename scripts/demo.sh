#!/usr/bin/env bash
# The demo: builds the npm package, makes the MediaConvert-shaped sample streams (every shape of
# make-sample.sh: TS ladder, CMAF, CMAF single file, Apple HLS with alternate audio, their AES-128
# copies), starts the local CloudFront (devcdn, every shape and key behind signed cookies) with its
# app side serving the demo page, and prints the page's URL; the page's source menu picks the shape.
# Ctrl-C stops everything it started. Ports: PORT (app and page, 8080), CDN_PORT (CDN, 9090).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_rust_wasm
need_debian_packages
need_npm_packages
cd "$ROOT"

PORT=${PORT:-8080}
CDN_PORT=${CDN_PORT:-9090}

# A package that builds but misses a CI gate (the size budget) still makes a demo: go on, loudly.
if ! bash scripts/build-pkg.sh; then
  [[ -f pkg/hlsplay.js && -f pkg/hlsplay_bg.wasm ]] || exit 1
  log "WARNING: the package was built but failed its checks (above); the demo goes on with it"
fi
bash scripts/make-sample.sh all
log "building devcdn (the local CloudFront)"
cargo build --release -p devcdn

# The app side serves one directory: www/ at / and pkg/ at /pkg/ (see scripts/stage-demo.sh).
stage=target/demo-root
bash scripts/stage-demo.sh "$stage"

for port in "$PORT" "$CDN_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use (set PORT / CDN_PORT to others)" >&2
    exit 1
  fi
done

# TEST-ONLY keys (tools/devcdn/testdata/README.md). no-store: every request reaches the CDN, so its
# throttle and faults act at once instead of the browser answering from its cache.
K=tools/devcdn/testdata
quiet=(--quiet)
[[ -n "${DEMO_VERBOSE:-}" ]] && quiet=()
log "starting devcdn: CDN on :$CDN_PORT, app and page on :$PORT"
target/release/devcdn --root sample --port "$CDN_PORT" --key "K1=$K/test-public.pem" \
  --app-port "$PORT" --app-root "$stage" --sign-key "$K/test-private.pem" --key-pair-id K1 \
  --allow-origin "http://localhost:$PORT" --allow-origin "http://127.0.0.1:$PORT" \
  --cache-control no-store "${quiet[@]}" &
cdn_pid=$!
trap 'kill "$cdn_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

for _ in $(seq 100); do
  curl -sf "http://localhost:$CDN_PORT/__devcdn/status" >/dev/null && break
  kill -0 "$cdn_pid" 2>/dev/null || { echo "demo: devcdn did not start" >&2; exit 1; }
  sleep 0.1
done

url="http://localhost:$PORT/"
query=
[[ "$CDN_PORT" == 9090 ]] || query="cdn=$CDN_PORT&"
for shape in ts cmaf cmaf-single-file apple-alt-audio aes aes-rotation cmaf-aes; do
  log "  $shape: $url?${query}source=$shape"
done
[[ -z "$query" ]] || url+="?${query%&}"
log "demo ready: open $url   (Ctrl-C stops; DEMO_VERBOSE=1 logs every request)"
wait "$cdn_pid"
