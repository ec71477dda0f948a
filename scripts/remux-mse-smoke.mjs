// Manual smoke check: our fMP4 (JS Transmuxer from pkg/) plays through MSE in headless Chromium.
// Needs pkg/ (scripts/build-pkg.sh). Exit 1 on failure. Usage: node scripts/remux-mse-smoke.mjs
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(import.meta.url)('playwright-core');
const page = `<!doctype html><video id=v muted></video><script type=module>
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
  for (const name of ['run_0.ts', 'run_1.ts', 'run_2.ts']) {
    const out = t.push(new Uint8Array(await (await fetch('/tests/fixtures/ts/' + name)).arrayBuffer()));
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
  await new Promise(r => v.addEventListener('ended', r, { once: true }));
  return { mime, ranges, currentTime: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames };
})().catch(e => ({ error: String(e) }));
</script>`;
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  if (req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(page); }
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
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const r = await tab.evaluate(() => window.result);
  console.log(JSON.stringify(r));
  const ok = !r.error && r.ranges.length === 1 && r.frames === 90 && r.currentTime > 3;
  if (!ok) { console.error('remux MSE smoke check FAILED'); process.exitCode = 1; }
} finally {
  await browser.close();
  server.close();
}
