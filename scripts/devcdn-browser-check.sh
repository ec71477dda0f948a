#!/usr/bin/env bash
# devcdn-browser-check.sh — real Chromium against devcdn: signed cookies minted on the app port are
# sent to the CDN port (same site, other port), CloudFront's 403 is readable with CORS and becomes
# status 0 without it, expiry through the control endpoint, refresh by minting again.
# Needs: cargo, chromium, node, and the sample (scripts/make-sample.sh). Ports: CDN_PORT/APP_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
CDN_PORT=${CDN_PORT:-19391}
APP_PORT=${APP_PORT:-18391}
MASTER=testpattern/Default/HLS/testpattern.m3u8
[[ -f "sample/$MASTER" ]] || scripts/make-sample.sh
cargo build -q -p devcdn
K=tools/devcdn/testdata
profile=$(mktemp -d)
target/debug/devcdn --root sample --port "$CDN_PORT" --key "K1=$K/test-public.pem" \
  --app-port "$APP_PORT" --app-root tools/devcdn/browser-check \
  --sign-key "$K/test-private.pem" --key-pair-id K1 \
  --allow-origin "http://localhost:$APP_PORT" --quiet 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$profile"' EXIT
for _ in $(seq 50); do curl -sf "http://localhost:$CDN_PORT/__devcdn/status" >/dev/null && break; sleep 0.1; done

dom=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --virtual-time-budget=15000 \
  --dump-dom "http://localhost:$APP_PORT/?cdn=$CDN_PORT&path=$MASTER" 2>/dev/null)

RESULT=$(grep -o 'RESULT {.*}' <<<"$dom" | head -1) node - <<'JS'
const raw = process.env.RESULT || '';
if (!raw) { console.error('browser-check: no RESULT in the page'); process.exit(1); }
const r = JSON.parse(raw.slice(7).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
const checks = [
  ['no cookies: readable 403', r.withoutCookies.status === 403],
  ['app minted an expiry', Number.isInteger(r.minted.expires)],
  ['cookies sent across ports: 200', r.withCookies.status === 200 && r.withCookies.head.startsWith('#EXTM3U')],
  ['second request is an edge Hit', r.again.xcache === 'Hit from cloudfront'],
  ['Range: 206 of 7 bytes', r.range.status === 206 && r.range.len === 7],
  ['no preflight for object requests (Range is safelisted)', r.objectPreflights === 0],
  ['clock moved: 403 AccessDenied readable', r.expired.status === 403],
  ['no CORS on errors: status 0', r.expiredNoCors.status === 0],
  ['refreshed cookies: 200', r.refreshed.status === 200],
];
let failed = 0;
for (const [name, ok] of checks) { console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`); if (!ok) failed++; }
if (failed) { console.error(JSON.stringify(r, null, 1)); process.exit(1); }
JS
