// Remux throughput of hlsplay (wasm) and mux.js 7.1 side by side, same process, same 720p TS
// segments. Build the package with the benchmark API first, then run:
//   HLSPLAY_FEATURES=bench-api bash scripts/build-pkg.sh && node bench/remux-vs-muxjs.mjs
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const muxjs = require('mux.js');
const { default: init, Transmuxer } = await import(path.join(root, 'pkg/hlsplay.js'));
await init({ module_or_path: fs.readFileSync(path.join(root, 'pkg/hlsplay_bg.wasm')) });
if (!Transmuxer) {
  console.error('pkg/ has no Transmuxer: build it with HLSPLAY_FEATURES=bench-api bash scripts/build-pkg.sh');
  process.exit(2);
}

execFileSync(path.join(root, 'scripts/bench-segments.sh'), { stdio: 'inherit' });
const segments = [0, 1, 2].map((i) => new Uint8Array(fs.readFileSync(path.join(root, `bench/segments/seg_${i}.ts`))));
const total = segments.reduce((n, s) => n + s.length, 0);

function runOurs() {
  const t = new Transmuxer();
  let out = 0;
  for (const s of segments) {
    const r = t.push(s);
    out += r.data.length + (r.init ? r.init.length : 0);
  }
  t.free();
  return out;
}

function runMuxjs() {
  const t = new muxjs.mp4.Transmuxer();
  let out = 0;
  t.on('data', (seg) => { out += seg.data.length + (seg.initSegment ? seg.initSegment.length : 0); });
  for (const s of segments) {
    t.push(s);
    t.flush();
  }
  return out;
}

// Interleaved rounds (ours, theirs, ours, ...) and the best round of each: the machine is shared,
// so a load spike hits both sides instead of skewing the ratio.
function time(fn) {
  const t0 = process.hrtime.bigint();
  const bytes = fn();
  return [Number(process.hrtime.bigint() - t0) / 1e9, bytes];
}
for (let i = 0; i < 5; i++) { runOurs(); runMuxjs(); } // warm-up (JIT, wasm tier-up)
const rounds = Number(process.env.ROUNDS || 30);
let best = { ours: Infinity, theirs: Infinity };
let outBytes = { ours: 0, theirs: 0 };
for (let i = 0; i < rounds; i++) {
  const [a, ao] = time(runOurs);
  const [b, bo] = time(runMuxjs);
  best.ours = Math.min(best.ours, a);
  best.theirs = Math.min(best.theirs, b);
  outBytes = { ours: ao, theirs: bo };
}
const report = (name, secs, out) =>
  console.log(`${name.padEnd(14)} ${(total / secs / 1e6).toFixed(0).padStart(6)} MB/s  (best of ${rounds}: ${(secs * 1e3).toFixed(2)} ms for ${total} bytes in 3 segments, ${out} bytes out)`);
report('hlsplay wasm', best.ours, outBytes.ours);
report('mux.js 7.1', best.theirs, outBytes.theirs);
console.log(`ratio hlsplay / mux.js: ${(best.theirs / best.ours).toFixed(2)}x`);
