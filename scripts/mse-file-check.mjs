// Plays one fragmented MP4 file (init + fragments, e.g. from `hlsplay remux IN.ts -o OUT.mp4` or
// ffmpeg's `-movflags frag_keyframe+empty_moov`) through MSE in headless Chromium and prints what
// the element did: buffered ranges, frames decoded, the media error. Tells a remux problem from
// content the browser cannot decode: feed it our output and another muxer's.
//   node scripts/mse-file-check.mjs FILE.mp4 [codecs=avc1.640028]
import http from 'node:http';
import fs from 'node:fs';
import { launchBrowser } from '../tests/browser/lib.mjs';

const [file, codecs = 'avc1.640028'] = process.argv.slice(2);
if (!file) throw new Error('usage: node scripts/mse-file-check.mjs FILE.mp4 [codecs]');
const page = `<!doctype html><video id=v muted></video><script type=module>
window.result = (async () => {
  const v = document.getElementById('v');
  const ms = new MediaSource();
  v.src = URL.createObjectURL(ms);
  await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
  const sb = ms.addSourceBuffer('video/mp4; codecs="${codecs}"');
  sb.appendBuffer(new Uint8Array(await (await fetch('/file')).arrayBuffer()));
  await new Promise((r, j) => { sb.addEventListener('updateend', r, { once: true }); sb.addEventListener('error', j, { once: true }); });
  const ranges = Array.from({ length: sb.buffered.length }, (_, i) => [sb.buffered.start(i), sb.buffered.end(i)]);
  ms.endOfStream();
  if (ranges.length) v.currentTime = ranges[0][0];
  v.play().catch(() => {});
  const ended = await Promise.race([
    new Promise((r) => v.addEventListener('ended', () => r(true), { once: true })),
    new Promise((r) => setTimeout(() => r(false), 8000)),
  ]);
  return { ranges, ended, time: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames,
    error: v.error ? v.error.message : null };
})().catch((e) => ({ error: String(e) }));
</script>`;
const server = http.createServer((req, res) => {
  res.writeHead(200, req.url === '/' ? { 'content-type': 'text/html' } : {});
  res.end(req.url === '/' ? page : fs.readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await launchBrowser();
try {
  const tab = await browser.newPage();
  tab.on('crash', () => console.error('the page crashed'));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  console.log(JSON.stringify(await tab.evaluate(() => window.result)));
} finally {
  await browser.close();
  server.close();
}
