// Manual smoke check: our fMP4 (JS Transmuxer from pkg/) plays through MSE in headless Chromium.
// Needs pkg/ built with the JS Transmuxer (HLSPLAY_FEATURES=bench-api bash scripts/build-pkg.sh).
// Exit 1 on failure.
//   node scripts/remux-mse-smoke.mjs                      the fixture run (3 segments, 90 frames)
//   node scripts/remux-mse-smoke.mjs a.ts b.ts [--frames N]  any segments in order; checks N frames
//                                                          decoded when given, else prints the count
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const framesAt = args.indexOf('--frames');
const wantFrames = framesAt >= 0 ? Number(args[framesAt + 1]) : (args.length ? null : 90);
const files = args.filter((a, i) => i !== framesAt && i !== framesAt + 1 && framesAt !== i - 1 || framesAt < 0)
  .filter((a) => a !== '--frames');
const given = files.map((f) => path.resolve(f));
const segmentUrls = given.length ? given.map((_, i) => `/__segment/${i}`)
  : ['run_0.ts', 'run_1.ts', 'run_2.ts'].map((n) => `/tests/fixtures/ts/${n}`);
const { chromium } = createRequire(import.meta.url)('playwright-core');
const page = `<!doctype html><video id=v muted></video><script type=module>
const SEGMENTS = ${JSON.stringify(segmentUrls)};
import init, { Transmuxer } from '/pkg/hlsplay.js';
window.result = (async () => {
  await init();
  const v = document.getElementById('v');
  const ms = new MediaSource();
  v.src = URL.createObjectURL(ms);
  await new Promise(r => ms.addEventListener('sourceopen', r, { once: true }));
  const t = new Transmuxer();
  let sb, mime;
  const ranges = [];
  for (const url of SEGMENTS) {
    const out = t.push(new Uint8Array(await (await fetch(url)).arrayBuffer()));
    if (!sb) { mime = 'video/mp4; codecs="' + out.codecs + '"'; sb = ms.addSourceBuffer(mime); }
    for (const part of [out.init, out.data]) {
      if (!part) continue;
      sb.appendBuffer(part);
      await new Promise((r, j) => { sb.addEventListener('updateend', r, { once: true }); sb.addEventListener('error', j, { once: true }); });
    }
  }
  for (let i = 0; i < sb.buffered.length; i++) ranges.push([sb.buffered.start(i), sb.buffered.end(i)]);
  ms.endOfStream();
  await v.play();
  // Bounded: output that stalls must be reported, not hang the check.
  const ended = await Promise.race([
    new Promise(r => v.addEventListener('ended', () => r(true), { once: true })),
    new Promise(r => setTimeout(() => r(false), 15000)),
  ]);
  return { mime, ranges, ended, currentTime: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames,
    error: v.error ? v.error.message : undefined };
})().catch(e => ({ error: String(e) }));
</script>`;
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  if (req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(page); }
  const segment = /^\/__segment\/(\d+)$/.exec(req.url);
  if (segment && given[Number(segment[1])]) { res.writeHead(200); return res.end(fs.readFileSync(given[Number(segment[1])])); }
  const file = path.join(root, path.normalize(req.url).replace(/^(\.\.[/\\])+/, ''));
  if (!file.startsWith(root) || !fs.existsSync(file)) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  res.end(fs.readFileSync(file));
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
});
try {
  const tab = await browser.newPage();
  tab.on('crash', () => console.error('the page crashed'));
  tab.on('console', (m) => console.error('console:', m.text()));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const r = await tab.evaluate(() => window.result);
  console.log(JSON.stringify(r));
  const ok = !r.error && r.ended && r.ranges.length === 1 && (wantFrames === null || r.frames === wantFrames);
  if (!ok) { console.error('remux MSE smoke check FAILED'); process.exitCode = 1; }
} finally {
  await browser.close();
  server.close();
}
