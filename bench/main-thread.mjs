// Main-thread time per segment in headless Chromium, playing one rendition of a sample shape from the
// local CloudFront, for each mode: `page` (worker: false: remux or fMP4 passthrough + the synchronous
// part of appendBuffer on the page's thread) and `worker` (the default: the engine and MediaSource in
// a Worker; the page's time is handling the Worker's messages) and `worker-page` (workerMediaSource:
// false: the engine in a Worker posting fragments to a MediaSource on the page, which appends them,
// as in browsers without MSE in Workers), and `hlsjs` (hls.js 1.7, its transmuxer in its Worker). For
// hlsplay its own time (`mainThreadCost`); for every mode the page's whole main-thread time per segment
// (Chromium's TaskDuration over the load, the element's own work included) and the long tasks (> 50 ms).
//   node bench/main-thread.mjs [rendition=720] [shape=ts|cmaf|aes|cmaf-aes] [mode=both|page|worker|worker-page|hlsjs]
// `busy` as the mode: the busy page instead (the page's thread busy 150 ms of every 200 ms for 30 s,
// an 8 s buffer goal, the master playlist) for hlsplay in a Worker, hlsplay on the page, and hls.js:
// the seconds stalled (`waiting` to `playing`) and played.
// `first-frame` as the mode: the time from `new Player()` + `load()` of the master to the element's
// `playing`, for hlsplay on the page, in a Worker (MSE there), in a Worker feeding the page's
// MediaSource, and hls.js; `rounds` (default 7) rounds, the modes taking turns, medians printed.
// On the test page the package is initialised when it opens (its `init()` starts the spare
// Worker the next `load()` takes); `page-cold` and `worker-cold` time from the package's
// `import()` and `init()` instead, on a page that has not loaded it.
//   node bench/main-thread.mjs 720 ts first-frame [rounds]
import { launchBrowser, startCdn, waitInPage } from '../tests/browser/lib.mjs';

const rendition = process.argv[2] || '720';
const shape = process.argv[3] || 'ts';
const modeArg = process.argv[4] || 'both';
const modes = {
  both: ['page', 'worker', 'worker-page', 'hlsjs'],
  busy: ['busy-worker', 'busy-page', 'busy-hlsjs'],
  'first-frame': ['first-frame'],
}[modeArg] ?? [modeArg];
if (!modes.every((m) => ['page', 'worker', 'worker-page', 'hlsjs', 'first-frame'].includes(m) || m.startsWith('busy-'))) {
  throw new Error(`unknown mode ${modeArg} (both, page, worker, worker-page, hlsjs, busy, first-frame)`);
}
const DIRS = { ts: 'HLS', cmaf: 'CMAF', aes: 'HLS-AES', 'cmaf-aes': 'CMAF-AES' };
if (!DIRS[shape]) throw new Error(`unknown shape ${shape} (${Object.keys(DIRS).join(', ')})`);
const APP = 18085;
const CDN = 19095;
const cdn = await startCdn({ appPort: APP, cdnPort: CDN });
const browser = await launchBrowser();
/** Plays the master under a busy page for 30 s; the seconds stalled and played. */
async function busyPage(mode) {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${APP}/tests/browser/pages/player.html`);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  if (mode === 'busy-hlsjs') await page.addScriptTag({ url: '/node_modules/hls.js/dist/hls.min.js' });
  const master = `http://localhost:${CDN}/testpattern/Default/${DIRS[shape]}/testpattern.m3u8`;
  await page.evaluate(([u, m]) => {
    window.player.destroy();
    const video = document.getElementById('video');
    if (m === 'busy-hlsjs') {
      const hls = new window.Hls({ maxBufferLength: 8, maxMaxBufferLength: 8, capLevelToPlayerSize: false,
        xhrSetup: (xhr) => { xhr.withCredentials = true; } });
      hls.loadSource(u);
      hls.attachMedia(video);
    } else {
      window.player = window.makePlayer({ bufferGoal: 8, capLevelToPlayerSize: false, worker: m === 'busy-worker' });
      window.player.load(u);
    }
    return video.play();
  }, [master, mode]);
  await waitInPage(page, () => document.getElementById('video').currentTime > 0.5, null, { ms: 30000, what: 'playback' });
  const result = await page.evaluate(() => new Promise((resolve) => {
    const v = document.getElementById('video');
    let stalled = 0;
    let since = null;
    v.addEventListener('waiting', () => { since ??= performance.now(); });
    v.addEventListener('playing', () => { if (since != null) stalled += performance.now() - since; since = null; });
    const t0 = performance.now();
    const from = v.currentTime;
    const busy = setInterval(() => {
      const end = performance.now() + 150;
      while (performance.now() < end) { /* the page's own work */ }
      if (performance.now() - t0 > 30000) {
        clearInterval(busy);
        if (since != null) stalled += performance.now() - since;
        resolve({ stalled: stalled / 1000, played: v.currentTime - from, wall: (performance.now() - t0) / 1000 });
      }
    }, 200);
  }));
  console.log(`${mode} ${shape}: stalled ${result.stalled.toFixed(2)} s, played ${result.played.toFixed(1)} s `
    + `in ${result.wall.toFixed(1)} s of a busy page`);
  await page.close();
}

/** Milliseconds from `new Player()` (or `new Hls()`) + load to the element's `playing`, on a fresh page. */
async function firstFrame(mode) {
  const page = await browser.newPage();
  const cold = mode.endsWith('-cold');
  if (cold) {
    // The CDN's cookies, then a page of the same origin with only the element.
    await page.goto(`http://localhost:${APP}/auth/cookies`);
    await page.setContent('<video id="video" muted playsinline width="640" height="360"></video>');
  } else {
    await page.goto(`http://localhost:${APP}/tests/browser/pages/player.html`);
    await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  }
  if (mode === 'hlsjs') await page.addScriptTag({ url: '/node_modules/hls.js/dist/hls.min.js' });
  const master = `http://localhost:${CDN}/testpattern/Default/${DIRS[shape]}/testpattern.m3u8`;
  const ms = await page.evaluate(([u, m]) => new Promise((resolve, reject) => {
    const video = document.getElementById('video');
    video.addEventListener('playing', () => resolve(performance.now() - t0), { once: true });
    setTimeout(() => reject(new Error(`${m}: no playing within 20 s: readyState ${video.readyState}, `
      + `buffered ${video.buffered.length ? video.buffered.end(0) : 0} s, paused ${video.paused}`)), 20000);
    const t0 = performance.now();
    if (m === 'hlsjs') {
      const hls = new window.Hls({ xhrSetup: (xhr) => { xhr.withCredentials = true; } });
      hls.loadSource(u);
      hls.attachMedia(video);
      video.play().catch(() => {});
    } else if (m.endsWith('-cold')) {
      import('/pkg/hlsplay.js').then(async ({ default: init, Player }) => {
        await init();
        new Player(video, { worker: m === 'worker-cold' }).load(u);
        video.play().catch(() => {});
      }, reject);
    } else {
      window.player.destroy();
      window.player = window.makePlayer({ worker: m !== 'page', workerMediaSource: m !== 'worker-page' });
      window.player.load(u);
      video.play().catch(() => {});
    }
  }), [master, mode]);
  await page.close();
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

try {
  if (modeArg === 'first-frame') {
    const rounds = Number(process.argv[5] || 7);
    const kinds = ['page', 'worker', 'worker-page', 'hlsjs', 'page-cold', 'worker-cold'];
    const times = Object.fromEntries(kinds.map((k) => [k, []]));
    for (let round = 0; round < rounds; round += 1) {
      // Who goes first rotates, so a warming machine favours no one.
      for (let i = 0; i < kinds.length; i += 1) {
        const kind = kinds[(i + round) % kinds.length];
        times[kind].push(await firstFrame(kind));
      }
    }
    for (const kind of kinds) {
      const base = median(times[kind.endsWith('-cold') ? 'page-cold' : 'page']);
      console.log(`first frame ${shape} ${kind}: median ${median(times[kind]).toFixed(0)} ms over ${rounds} rounds `
        + `(${(median(times[kind]) / base).toFixed(2)}x hlsplay on the page${kind.endsWith('-cold') ? ', from import()' : ''}; `
        + `${times[kind].map((t) => t.toFixed(0)).join(', ')})`);
    }
    modes.length = 0;
  }
  for (const mode of modes) {
    if (mode.startsWith('busy-')) {
      await busyPage(mode);
      continue;
    }
    const page = await browser.newPage();
    await page.goto(`http://localhost:${APP}/tests/browser/pages/player.html`);
    await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
    if (mode === 'hlsjs') await page.addScriptTag({ url: '/node_modules/hls.js/dist/hls.min.js' });
    // The page's whole main-thread time (Chromium's TaskDuration), the same for every player.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics
      .find((m) => m.name === 'TaskDuration').value;
    const src = `http://localhost:${CDN}/testpattern/Default/${DIRS[shape]}/testpattern_${rendition}.m3u8`;
    const tasksBefore = await taskSeconds();
    const segments = await page.evaluate(async ([u, m]) => {
      window.longTasks = [];
      new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
        .observe({ type: 'longtask' });
      window.player.destroy();
      window.hlsplayTest.events.length = 0;
      window.buffered = 0;
      if (m === 'hlsjs') {
        const hls = new window.Hls({ maxBufferLength: 600, maxMaxBufferLength: 600,
          xhrSetup: (xhr) => { xhr.withCredentials = true; } });
        hls.on(window.Hls.Events.FRAG_BUFFERED, () => { window.buffered += 1; });
        hls.loadSource(u);
        hls.attachMedia(document.getElementById('video'));
      } else {
        window.player = window.makePlayer({ bufferGoal: 600, worker: m !== 'page', workerMediaSource: m === 'worker' });
        window.player.load(u);
      }
      const text = await (await fetch(u, { credentials: 'include' })).text();
      return text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    }, [src, mode]);
    await waitInPage(page, (n) => (window.Hls ? window.buffered : window.player.mainThreadCost.count) >= n, segments,
      { ms: 60000, what: `${segments} segments` });
    const tasksMs = (await taskSeconds() - tasksBefore) * 1000;
    const { longTasks } = await page.evaluate(() => ({ longTasks: window.longTasks }));
    const page_ = `page's main thread ${(tasksMs / segments).toFixed(2)} ms per segment in all (Chromium TaskDuration), `
      + `long tasks > 50 ms: ${longTasks.length}${longTasks.length ? ` (${longTasks.map((d) => d.toFixed(0)).join(', ')} ms)` : ''}`;
    if (mode === 'hlsjs') {
      console.log(`hlsjs ${shape} ${rendition}p: ${segments} segments, ${page_}`);
      await page.close();
      continue;
    }
    const { cost, active } = await page.evaluate(() => ({
      cost: window.player.mainThreadCost, active: window.player.workerActive,
    }));
    if (active !== (mode !== 'page')) throw new Error(`mode ${mode}: workerActive is ${active}`);
    const bytes = await page.evaluate(() => window.hlsplayTest.events
      .filter((e) => e.name === 'segmentLoaded').reduce((a, e) => a + e.payload.bytes, 0));
    console.log(`${mode} ${shape} ${rendition}p: ${cost.count} segments, ${(bytes / cost.count / 1e6).toFixed(2)} MB each, `
      + `hlsplay's own main-thread time ${(cost.totalMs / cost.count).toFixed(2)} ms per segment (max ${cost.maxMs.toFixed(2)} ms); ${page_}`);
    await page.close();
  }
} finally {
  await browser.close();
  cdn.kill();
}
