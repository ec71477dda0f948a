// Main-thread time per segment (remux or fMP4 passthrough + the synchronous part of appendBuffer) in
// headless Chromium, playing one rendition of a sample shape from the local CloudFront.
//   node bench/main-thread.mjs [rendition=720] [shape=ts|cmaf|aes|cmaf-aes]
import { launchBrowser, startCdn, waitInPage } from '../tests/browser/lib.mjs';

const rendition = process.argv[2] || '720';
const shape = process.argv[3] || 'ts';
const DIRS = { ts: 'HLS', cmaf: 'CMAF', aes: 'HLS-AES', 'cmaf-aes': 'CMAF-AES' };
if (!DIRS[shape]) throw new Error(`unknown shape ${shape} (${Object.keys(DIRS).join(', ')})`);
const APP = 18085;
const CDN = 19095;
const cdn = await startCdn({ appPort: APP, cdnPort: CDN });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${APP}/tests/browser/pages/player.html`);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  const src = `http://localhost:${CDN}/testpattern/Default/${DIRS[shape]}/testpattern_${rendition}.m3u8`;
  const segments = await page.evaluate(async (u) => {
    window.player.destroy();
    window.player = window.makePlayer({ bufferGoal: 600 });
    window.player.load(u);
    const text = await (await fetch(u, { credentials: 'include' })).text();
    return text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  }, src);
  await waitInPage(page, (n) => window.player.mainThreadCost.count >= n, segments,
    { ms: 60000, what: `${segments} segments` });
  const cost = await page.evaluate(() => window.player.mainThreadCost);
  const bytes = await page.evaluate(() => window.hlsplayTest.events
    .filter((e) => e.name === 'segmentLoaded').reduce((a, e) => a + e.payload.bytes, 0));
  console.log(`${shape} ${rendition}p: ${cost.count} segments, ${(bytes / cost.count / 1e6).toFixed(2)} MB each, `
    + `main thread ${(cost.totalMs / cost.count).toFixed(2)} ms per segment (max ${cost.maxMs.toFixed(2)} ms)`);
} finally {
  await browser.close();
  cdn.kill();
}
