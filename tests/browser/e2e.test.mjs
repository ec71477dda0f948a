// End to end: the real demo page (www/, staged like scripts/demo.sh does) in headless Chromium, playing
// the sample through the local CloudFront with the signed cookies its app side mints. Every assertion
// is on what the browser did (media element, MSE, DOM) or what the CDN saw (its request log).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import {
  cdnAndBrowser, CDN_RESET, MSE_SOURCE, ROOT, cdnLog, control, stageDemoRoot, videoState, waitInPage,
  withWorkerQuery,
} from './lib.mjs';

const APP = 18083;
const CDN = 19093;
const ARTIFACTS = resolve(ROOT, 'target/test-artifacts');
// Ten-second segments: a rebuffer longer than one segment means the player lost a whole fetch.
const SEGMENT_MS = 10000;

const ROOT_DIR = 'target/e2e-root';
const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN, appRoot: ROOT_DIR }, { prepare: () => stageDemoRoot(ROOT_DIR) });

// Runs before the page's scripts: records every SourceBuffer MIME type and every rebuffer (a
// `waiting` after playback started, until the next `playing`). Media events do not bubble, so the
// listeners capture at the document.
function recorder() {
  const mimes = [];
  let source = null;
  const original = MediaSource.prototype.addSourceBuffer;
  MediaSource.prototype.addSourceBuffer = function addSourceBuffer(mime) {
    mimes.push(mime);
    source = this;
    return original.call(this, mime);
  };
  // A Worker's MediaSource (`worker: true`, the default): the same recording inside it, first,
  // reporting back in messages the player ignores.
  let workerState = null;
  const inWorker = `
    const report = (kind, value) => self.postMessage({ e2eMse: [kind, value] });
    const add = MediaSource.prototype.addSourceBuffer;
    MediaSource.prototype.addSourceBuffer = function (mime) {
      report('mime', mime);
      if (!this.e2eWatched) {
        this.e2eWatched = true;
        for (const e of ['sourceopen', 'sourceended', 'sourceclose']) {
          this.addEventListener(e, () => report('state', this.readyState));
        }
        report('state', this.readyState);
      }
      return add.call(this, mime);
    };`;
  const blob = (text) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  const recordModule = blob(inWorker);
  window.Worker = class extends window.Worker {
    constructor(url, options) {
      const script = new URL(url, location.href).href;
      super(blob(`import ${JSON.stringify(recordModule)};\nimport ${JSON.stringify(script)};\n`), options);
      this.addEventListener('message', (e) => {
        const [kind, value] = e.data?.e2eMse ?? [];
        if (kind === 'mime') mimes.push(value);
        if (kind === 'state') workerState = value;
      });
    }
  };
  const stalls = [];
  let started = false;
  let seeking = false;
  let waiting = null;
  const video = (e) => e.target instanceof HTMLMediaElement && e.target;
  document.addEventListener('playing', (e) => {
    if (!video(e)) return;
    if (waiting) stalls.push({ at: waiting.at, ms: performance.now() - waiting.since });
    waiting = null;
    started = true;
  }, true);
  document.addEventListener('seeking', (e) => { if (video(e)) seeking = true; }, true);
  document.addEventListener('seeked', (e) => { if (video(e)) seeking = false; }, true);
  document.addEventListener('waiting', (e) => {
    const v = video(e);
    // Waiting for a seek's data is not a rebuffer.
    if (!v || !started || seeking || waiting) return;
    waiting = { at: v.currentTime, since: performance.now() };
  }, true);
  window.e2e = {
    mimes,
    stalls,
    /** The MediaSource's readyState (`open`, `ended`, `closed`), null before the first SourceBuffer. */
    mediaSourceState: () => (source ? source.readyState : workerState),
    /** Every rebuffer so far, the one still going included. */
    allStalls: () => (waiting ? [...stalls, { at: waiting.at, ms: performance.now() - waiting.since, open: true }] : stalls),
  };
}

/** A fresh page (own cookie jar) on the demo with `query` (a query string without `?`), the CDN back
 * to its start state. */
async function openDemo(query = '') {
  await control(CDN, CDN_RESET);
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript(recorder);
  // The page's default CDN is the demo's port; ours is another unless the query names one.
  const cdnParam = /(^|&)cdn=/.test(query) ? '' : `cdn=${CDN}&`;
  await page.goto(withWorkerQuery(`http://localhost:${APP}/?${cdnParam}${query}`));
  await waitInPage(page, () => window.hlsplayDemo?.ready, null, { what: 'the demo page to set up' });
  return { page, pageErrors };
}

/** The page's `?config=` for Player options. */
const config = (options) => `config=${encodeURIComponent(JSON.stringify(options))}`;

const demoState = (page) => page.evaluate(() => {
  const d = window.hlsplayDemo;
  return {
    refreshCount: d.refreshCount,
    mintCount: d.mintCount,
    errors: d.errors.map((e) => ({ kind: e.kind, fatal: e.fatal, message: e.message, status: e.status, cdnCode: e.cdnCode, line: e.line })),
    switches: d.events.filter((e) => e.name === 'levelSwitching').map(({ from, to, reason, t }) => ({ from, to, reason, t })),
    banner: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
  };
});

const fatalErrors = async (page) => (await demoState(page)).errors.filter((e) => e.fatal);

/** Waits for currentTime >= `seconds`; on timeout says where playback stood and what the player said. */
async function waitForTime(page, seconds, ms = 30000) {
  try {
    await waitInPage(page, (t) => document.getElementById('video').currentTime >= t, seconds,
      { ms, what: `currentTime >= ${seconds}` });
  } catch (e) {
    const v = await videoState(page);
    const s = await demoState(page);
    const rebuffers = await stalls(page);
    throw new Error(`${e.message}: currentTime ${v.time.toFixed(2)}, buffered ${JSON.stringify(v.buffered)}, `
      + `rebuffers ${JSON.stringify(rebuffers)}, errors ${JSON.stringify(s.errors)}`);
  }
}

const waitForBanner = (page, ms = 20000) => waitInPage(page,
  () => !document.getElementById('error').hidden && document.getElementById('error').textContent, null,
  { ms, what: 'the #error banner' });

const stalls = (page) => page.evaluate(() => window.e2e.allStalls());

const isMaster = (e) => e.path.endsWith('/testpattern.m3u8');
/** Where the sample segment a CDN log path names starts (`…_00002.ts`: media sequence 2, 10-20 s). */
const segmentStart = (path) => (Number(path.match(/_(\d+)\.ts$/)[1]) - 1) * (SEGMENT_MS / 1000);
const isSegment = (e) => e.path.endsWith('.ts');

/** Waits until the CDN has answered `count` segment requests with an injected fault; returns them. */
async function waitForFault(count, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const faulted = (await cdnLog(CDN)).filter((e) => isSegment(e) && e.fault);
    if (faulted.length >= count) return faulted;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${count} faulted segment requests`);
    await sleep(200);
  }
}

/** Moves the mouse over the seek bar at `fraction` of its width. */
async function hoverSeekbar(page, fraction) {
  const bar = await page.locator('#seekbar').boundingBox();
  assert.ok(bar, 'the seek bar is laid out');
  const x = bar.x + bar.width * fraction;
  const y = bar.y + bar.height / 2;
  await page.mouse.move(x, y);
  return { x, y };
}

/** Waits until the preview over the seek bar shows a decoded JPEG; returns its URL and size. */
function waitForThumbnail(page) {
  return waitInPage(page, () => {
    const img = document.getElementById('thumb');
    const preview = img.closest('.preview');
    const box = img.getBoundingClientRect();
    const shown = !preview.hidden && !preview.classList.contains('no-image') && box.width > 0 && box.height > 0;
    return shown && img.complete && img.naturalWidth > 0
      && { src: img.currentSrc, width: img.naturalWidth, height: img.naturalHeight };
  }, null, { ms: 10000, what: 'a loaded thumbnail over the seek bar' });
}

describe('demo page end to end (signed cookies, local CloudFront)', () => {
  test('plays through signed cookies: time advances, frames decoded, SourceBuffers are mp4; screenshot', async () => {
    const { page, pageErrors } = await openDemo('autoplay=1');
    try {
      await waitForTime(page, 5);
      const v = await videoState(page);
      assert.ok(v.frames > 100, `frames decoded: ${v.frames}`);
      assert.equal(v.error, null);
      const mimes = await page.evaluate(() => window.e2e.mimes);
      assert.ok(mimes.length >= 1, 'at least one SourceBuffer');
      for (const mime of mimes) assert.match(mime, /^(video|audio)\/mp4; codecs="[^"]+"$/);
      assert.ok(mimes.some((m) => m.startsWith('video/mp4; codecs="avc1.')), mimes.join(' | '));
      // The mode's MediaSource: a Worker's MediaSourceHandle by default, the page's object URL
      // with `?worker=0` / `?workerMediaSource=0`.
      const src = await page.evaluate(() => {
        const v = document.getElementById('video');
        return v.srcObject ? `srcObject ${v.srcObject.constructor.name}` : v.src;
      });
      assert.match(src, MSE_SOURCE);

      const s = await demoState(page);
      assert.equal(s.mintCount, 1, 'the page minted cookies once');
      assert.equal(s.refreshCount, 0, 'no refresh needed');
      assert.deepEqual(s.errors, []);
      assert.equal(s.banner, null);
      // The CDN served the segments because of the cookies (not a signed URL, not public).
      const segments = (await cdnLog(CDN)).filter(isSegment);
      assert.ok(segments.length >= 1, 'segments requested');
      for (const e of segments) {
        assert.equal(e.status, 200, JSON.stringify(e));
        assert.equal(e.auth, 'cookies', JSON.stringify(e));
        assert.equal(e.signed_url, false);
      }
      assert.notEqual(await page.locator('#level').textContent(), '–', 'the stats show the level');
      assert.notEqual(await page.locator('#stat-bw').textContent(), '–', 'the stats show the estimate');

      await hoverSeekbar(page, 0.4);
      await waitForThumbnail(page);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'demo.png'), fullPage: true });
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('no cookies: "missing signed cookies (MissingKey)" in #error, no retry storm', async () => {
    const { page, pageErrors } = await openDemo('cookies=0&autoplay=1');
    try {
      await waitForBanner(page);
      // Give a retry loop time to show itself before counting.
      await sleep(2000);
      const log = await cdnLog(CDN);
      const masters = log.filter(isMaster);
      assert.ok(masters.length >= 1 && masters.length <= 3, `master playlist requests: ${masters.length}`);
      for (const e of masters) assert.equal(e.status, 403, JSON.stringify(e));
      assert.equal(log.filter(isSegment).length, 0, 'no segment requested');
      const s = await demoState(page);
      assert.equal(s.mintCount, 0, '?cookies=0 mints nothing');
      assert.equal(s.errors.filter((e) => e.fatal).length, 1, JSON.stringify(s.errors));
      // The typed cause reaches the page: status and CloudFront's code as fields, no line.
      const fatal = s.errors.find((e) => e.fatal);
      assert.equal(fatal.status, 403, JSON.stringify(fatal));
      assert.equal(fatal.cdnCode, 'MissingKey', JSON.stringify(fatal));
      assert.equal(fatal.line, null, JSON.stringify(fatal));
      assert.match(s.banner, /missing signed cookies \(MissingKey\)/, `banner: ${s.banner}`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('cookies not sent to the CDN host (cross-site): one refresh, then MissingKey in #error', async () => {
    // Cookies are minted for localhost; the stream is asked from 127.0.0.1, which never gets them.
    const { page, pageErrors } = await openDemo(`cdn=${encodeURIComponent(`http://127.0.0.1:${CDN}`)}&autoplay=1`);
    try {
      await waitForBanner(page);
      await sleep(2000);
      const masters = (await cdnLog(CDN)).filter(isMaster);
      assert.ok(masters.length >= 1 && masters.length <= 3, `master playlist requests: ${masters.length}`);
      for (const e of masters) assert.equal(e.auth, 'MissingKey', JSON.stringify(e));
      const s = await demoState(page);
      assert.equal(s.refreshCount, 1, 'one refresh, then the player gives up');
      assert.match(s.banner, /missing signed cookies \(MissingKey\)/, `banner: ${s.banner}`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('cookies expire mid-playback: one refresh, playback goes on without a long rebuffer', async () => {
    const { page, pageErrors } = await openDemo('autoplay=1&bufferGoal=8');
    try {
      await waitForTime(page, 1);
      const bufferedEnd = await page.evaluate(() => document.getElementById('video').buffered.end(0));
      // The cookies live 600 s: an hour later the CDN (and the app) clock is past their expiry.
      await control(CDN, { advance: 3600 });
      // Everything beyond `bufferedEnd` was fetched after the expiry: play a second into it.
      await waitForTime(page, bufferedEnd + 1, 30000);
      // The first request after the expiry (a segment, or a level playlist after a switch) is refused
      // as CloudFront refuses a stale cookie; segments are served again after the refresh.
      const log = (await cdnLog(CDN)).filter((e) => !e.path.startsWith('/__devcdn/'));
      const first = log.findIndex((e) => e.status === 403);
      assert.ok(first >= 0, 'the CDN refused the expired cookies');
      const refused = log.filter((e) => e.status === 403);
      assert.ok(refused.every((e) => e.auth === 'AccessDenied' && e.reason === 'Expired'), JSON.stringify(refused));
      const served = log.slice(first).filter((e) => isSegment(e) && e.status === 200);
      assert.ok(served.length >= 1, 'segments served after the refresh');
      const s = await demoState(page);
      assert.equal(s.refreshCount, 1, 'the refresh callback ran once');
      assert.equal(s.mintCount, 2, 'first mint + one refresh');
      assert.deepEqual(s.errors.filter((e) => e.fatal), []);
      assert.equal(s.banner, null);
      const long = (await stalls(page)).filter((x) => x.ms > SEGMENT_MS);
      assert.deepEqual(long, [], 'no rebuffer longer than one segment');
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('a 403 without CORS headers: the player refreshes, retries, then shows the CORS message', async () => {
    // Short segment retries so the player gives up within the test.
    const retry = { segmentRetry: { maxErrorRetries: 2, backoffBase: 0.5, backoffMax: 1 } };
    const { page, pageErrors } = await openDemo(`autoplay=1&bufferGoal=8&${config(retry)}`);
    try {
      await waitForTime(page, 0.5);
      await control(CDN, { cors_on_errors: false, fault: { path: '*.ts', kind: '403', count: 50 } });
      const banner = await waitForBanner(page, 30000);
      assert.match(banner, /CDN refusal without CORS headers/, `banner: ${banner}`);
      const s = await demoState(page);
      assert.equal(s.refreshCount, 1, 'status 0 may hide an expiry: one refresh first');
      const refused = (await cdnLog(CDN)).filter((e) => isSegment(e) && e.fault);
      // First try, the try after the refresh, two retries: bounded, no storm.
      assert.ok(refused.length >= 2 && refused.length <= 6, `refused segment requests: ${refused.length}`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('throttled: switches down without a stall; unthrottled: switches back up', async () => {
    const { page, pageErrors } = await openDemo(`autoplay=1&bufferGoal=12&${config({ capLevelToPlayerSize: false })}`);
    try {
      await waitInPage(page, () => window.player.currentLevel === 2 && document.getElementById('video').currentTime > 0.2,
        null, { ms: 20000, what: 'the top level, playing, on an unlimited link' });
      // One shared link of 1.8 Mbps: 540p (2.3 Mbps) and 720p (3.4 Mbps) cannot be sustained.
      await control(CDN, { rate_kbps: 1800, shared_link: true });
      const throttledAt = await page.evaluate(() => performance.now());
      const down = await waitInPage(page, (t) => window.hlsplayDemo.events
        .find((e) => e.name === 'levelSwitching' && e.t > t && e.from != null && e.to < e.from), throttledAt,
      { ms: 30000, what: 'a switch down' });
      const downLevel = down.to;
      // A segment of the lower level fetched through the throttled link (the start level may be the
      // same level: only segments after the switch count).
      const slow = await waitInPage(page, ([l, t]) => window.hlsplayDemo.events
        .find((e) => e.name === 'segmentLoaded' && e.level === l && e.t > t), [downLevel, down.t],
      { ms: 30000, what: 'a segment of the lower level' });
      // 1.8 Mbps really paced it (a 10 s 360p segment is ~1.5 MB: ~6 s).
      assert.ok(slow.throughputBps < 2.5e6, `throttled segment at ${slow.throughputBps} bit/s`);
      assert.deepEqual(await stalls(page), [], 'no rebuffer while switching down');

      await control(CDN, { rate_kbps: 0, shared_link: false });
      const freedAt = await page.evaluate(() => performance.now());
      const up = await waitInPage(page, (t) => window.hlsplayDemo.events
        .find((e) => e.name === 'levelSwitching' && e.t > t && e.from != null && e.to > e.from), freedAt,
      { ms: 40000, what: 'a switch back up' });
      assert.ok(up.to > downLevel);
      assert.deepEqual(await fatalErrors(page), []);
      assert.deepEqual(await stalls(page), [], 'no rebuffer at all');
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('a 503 then a 404 on the next segment: retried, then fetched elsewhere; playback goes on', async () => {
    const { page, pageErrors } = await openDemo(`autoplay=1&bufferGoal=8&${config({ capLevelToPlayerSize: false })}`);
    try {
      await waitForTime(page, 0.5);
      // Faults apply in order: the next segment request gets the 503, its retry the 404.
      await control(CDN, { fault: { path: '*.ts', kind: '503', count: 1 } });
      await control(CDN, { fault: { path: '*.ts', kind: '404', count: 1 } });
      await waitInPage(page, () => window.hlsplayDemo.errors.length >= 2, null, { ms: 20000, what: 'two errors' });
      const faulted = await waitForFault(2);
      assert.deepEqual(faulted.map((e) => e.status), [503, 404]);
      assert.equal(faulted[0].path, faulted[1].path, 'the retry asked for the same segment');
      // Play a second into the faulted segment's time.
      await waitForTime(page, segmentStart(faulted[0].path) + 1, 30000);
      const s = await demoState(page);
      assert.deepEqual(s.errors.filter((e) => e.fatal), []);
      assert.ok(s.errors.some((e) => /HTTP 503; retry in/.test(e.message)), JSON.stringify(s.errors));
      assert.ok(s.errors.some((e) => /segment not found; (level penalised|skipped)/.test(e.message)), JSON.stringify(s.errors));
      assert.equal(s.banner, null);
      const long = (await stalls(page)).filter((x) => x.ms > SEGMENT_MS);
      assert.deepEqual(long, [], 'no rebuffer longer than one segment');
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  // Auto level: the abandon rule may rescue the fetch by switching down. Level pinned to the lowest:
  // nothing to switch to, so the loader itself must notice the silence.
  for (const pinned of [false, true]) {
    test(`a segment body that stalls mid-way (${pinned ? 'lowest level pinned' : 'auto level'}): the player gives up on it and goes on`, async () => {
      const { page, pageErrors } = await openDemo(`autoplay=1&bufferGoal=8&${config({ capLevelToPlayerSize: false })}`);
      try {
        await waitForTime(page, 0.5);
        if (pinned) await page.locator('#levels button[data-level="0"]').click();
        // Headers and 64 KiB of body, then silence (for up to 10 minutes).
        await control(CDN, { fault: { path: '*.ts', kind: 'stall', after_bytes: 65536, count: 1 } });
        const stalled = await waitForFault(1);
        assert.equal(stalled.length, 1, 'the stall fault hit one segment request');
        // Play a second into the stalled segment's time (10-20 s), losing at most a segment's time:
        // an 11 s run, plus a 10 s rebuffer, plus slack.
        await waitForTime(page, segmentStart(stalled[0].path) + 1, 26000);
        assert.deepEqual(await fatalErrors(page), []);
        const long = (await stalls(page)).filter((x) => x.ms > SEGMENT_MS);
        assert.deepEqual(long, [], 'no rebuffer longer than one segment');
        assert.deepEqual(pageErrors, []);
      } finally {
        await page.close();
      }
    });
  }

  // Default buffer goal (30 s) and back buffer (30 s): after a seek to 40 s everything to the end is
  // buffered at once (endOfStream), then the back buffer (the first segments) is evicted while the
  // last 20 s play. Played at twice the speed to keep the test short.
  test('plays to the end with the back buffer evicted after endOfStream: the element fires ended', async () => {
    const { page, pageErrors } = await openDemo('autoplay=1');
    try {
      await waitForTime(page, 0.5);
      await page.evaluate(() => {
        const v = document.getElementById('video');
        window.e2e.ended = false;
        v.addEventListener('ended', () => { window.e2e.ended = true; });
        v.currentTime = 40;
        v.playbackRate = 2;
      });
      await waitInPage(page, () => window.e2e.ended, null, { ms: 20000, what: 'the ended event' })
        .catch(async (e) => {
          const v = await videoState(page);
          const [duration, ms] = await page.evaluate(() => [document.getElementById('video').duration, window.e2e.mediaSourceState()]);
          throw new Error(`${e.message}; currentTime ${v.time} of ${duration}, paused ${v.paused}, `
            + `buffered ${JSON.stringify(v.buffered)}, MediaSource ${ms}`);
        });
      const v = await videoState(page);
      assert.ok(v.time > 59, `ended at ${v.time}`);
      assert.equal(await page.evaluate(() => window.e2e.mediaSourceState()), 'ended');
      assert.ok(await page.evaluate(() => window.hlsplayDemo.events.some((e) => e.name === 'ended')),
        'the player reported every segment buffered (endOfStream)');
      // Back into the evicted part: the stream is not over any more; it plays again.
      await page.evaluate(() => {
        const v = document.getElementById('video');
        v.playbackRate = 1;
        v.currentTime = 15;
        return v.play();
      });
      await waitInPage(page, () => {
        const v = document.getElementById('video');
        return !v.seeking && !v.ended && v.currentTime > 16;
      }, null, { ms: 10000, what: 'playback again after a seek back from the end' });
      assert.deepEqual(await fatalErrors(page), []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  // The shapes of `make-sample.sh all`. Only what the master playlist decides is asserted here (levels,
  // audio tracks, the page's menus): playing the fMP4 shapes waits for fMP4 support in the player.
  test('source menu: the sample shapes; picking one loads its master and plays it, the audio menu lists and switches its languages', async () => {
    const { page, pageErrors } = await openDemo('autoplay=1&bufferGoal=10');
    try {
      const options = await page.evaluate(() => [...document.querySelectorAll('#source option')].map((o) => o.value));
      // The AES-128 shapes are listed; playing them is the encrypted-HLS tests' business.
      assert.deepEqual(options,
        ['ts', 'cmaf', 'cmaf-single-file', 'apple-alt-audio', 'aes', 'aes-rotation', 'cmaf-aes', 'webvtt', 'webvtt-match-video', 'cc608', 'cmaf-cc608', 'custom']);
      assert.equal(await page.locator('#source').inputValue(), 'ts');
      const shapes = [
        { id: 'cmaf', dir: 'CMAF', group: 'program_audio_0' },
        { id: 'cmaf-single-file', dir: 'CMAF-SingleFile', group: 'program_audio_0' },
        { id: 'apple-alt-audio', dir: 'HLS-AltAudio', group: 'program_audio' },
        // The caption shapes: the ladder with its audio muxed (their captions menu is the captions tests').
        { id: 'webvtt', dir: 'HLS-WebVTT', group: null },
        { id: 'webvtt-match-video', dir: 'HLS-WebVTT-MatchVideo', group: null },
        { id: 'cc608', dir: 'HLS-608', group: null },
        { id: 'cmaf-cc608', dir: 'CMAF-608', group: 'program_audio_0' },
        { id: 'ts', dir: 'HLS', group: null },
      ];
      let from = 0;
      for (const shape of shapes) {
        const master = `/testpattern/Default/${shape.dir}/testpattern.m3u8`;
        from = await page.evaluate(() => window.hlsplayDemo.events.length);
        await page.selectOption('#source', shape.id);
        // The new player's manifestParsed: the ladder of the ts sample, whatever the packaging.
        const parsed = await waitInPage(page, (i) => window.hlsplayDemo.events.slice(i).find((e) => e.name === 'manifestParsed'),
          from, { what: `manifestParsed after picking ${shape.id}` });
        assert.deepEqual(parsed.levels.map((l) => l.height), [360, 540, 720], shape.id);
        assert.equal(await page.evaluate(() => window.hlsplayDemo.source), shape.id);
        assert.equal(await page.locator('#src').inputValue(), `http://localhost:${CDN}${master}`);
        assert.equal(new URL(page.url()).searchParams.get('source'), shape.id);
        const served = (await cdnLog(CDN)).filter((e) => e.path === master);
        assert.ok(served.some((e) => e.status === 200 && e.auth === 'cookies'), `${master} served: ${JSON.stringify(served)}`);
        if (shape.group) {
          // Two languages, as the player's audioTracks (hls.js's fields) and as the menu shows them.
          const updated = await waitInPage(page, (i) => window.hlsplayDemo.events.slice(i).find((e) => e.name === 'audioTracksUpdated'),
            from, { what: `audioTracksUpdated for ${shape.id}` });
          assert.deepEqual(updated.audioTracks.map((t) => [t.id, t.name, t.lang, t.groupId, t.default]),
            [[0, 'English', 'eng', shape.group, true], [1, 'Français', 'fra', shape.group, false]], shape.id);
          const menu = await waitInPage(page, () => {
            const select = document.getElementById('audio-track');
            const labels = [...select.options].map((o) => o.textContent);
            return !select.disabled && labels.length === 2 && labels;
          }, null, { what: `the audio menu of ${shape.id}` });
          assert.match(menu[0], /^English \(eng\)/);
          assert.match(menu[1], /^Français \(fra\)/);
          // It plays, and the menu switches the language.
          await waitInPage(page, () => document.getElementById('video').currentTime > 2, null,
            { ms: 20000, what: `${shape.id} to play` });
          const before = await page.evaluate(() => window.hlsplayDemo.events.length);
          await page.selectOption('#audio-track', '1');
          const switched = await waitInPage(page, (i) => window.hlsplayDemo.events.slice(i)
            .find((e) => e.name === 'audioTrackSwitched'), before, { ms: 15000, what: `the French audio of ${shape.id}` });
          assert.equal(switched.id, 1, shape.id);
        } else {
          await waitInPage(page, () => document.getElementById('audio-track').disabled
            && document.getElementById('audio-track').options.length === 1, null, { what: 'the audio menu of the muxed ladder' });
        }
        if (shape.id === 'ts') {
          // No subtitle rendition and no 608 in the video: the captions menu says so.
          await waitInPage(page, () => {
            const select = document.getElementById('cc-track');
            return select.disabled && [...select.options].map((o) => o.textContent).join() === 'no captions';
          }, null, { what: 'the captions menu of the ts ladder' });
        }
      }
      // Back on the TS ladder after the others: a fresh player that plays, whatever the others did.
      await waitInPage(page, () => document.getElementById('video').currentTime > 2, null, { ms: 20000, what: 'the ts sample to play again' });
      const fatal = await page.evaluate((i) => window.hlsplayDemo.events.slice(i).filter((e) => e.name === 'error' && e.fatal)
        .map((e) => e.message), from);
      assert.deepEqual(fatal, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  // The captions menu over the Player's subtitle API: the WebVTT sample's two languages and the 608
  // sample's CC1, Off, a switch by the menu and the TextTrack it shows.
  test('captions menu: Off and each subtitle track; picking one shows its TextTrack, Off hides it', async () => {
    const { page, pageErrors } = await openDemo('source=webvtt&autoplay=1&bufferGoal=10');
    try {
      const labels = () => page.evaluate(() => [...document.getElementById('cc-track').options].map((o) => o.textContent));
      await waitInPage(page, () => document.getElementById('cc-track').options.length === 3, null, { what: 'the WebVTT tracks in the menu' });
      assert.deepEqual(await labels(), ['Off', 'English (eng) · default', 'Español (spa)']);
      // The default (English) shows: the menu follows player.subtitleTrack.
      await waitInPage(page, () => document.getElementById('cc-track').value === '0', null, { what: 'English selected' });
      const showing = () => page.evaluate(() => Array.from(document.getElementById('video').textTracks)
        .filter((t) => t.mode === 'showing').map((t) => t.label));
      assert.deepEqual(await showing(), ['English']);
      // The menu switches to Spanish: the player's event, its TextTrack showing, the menu on it.
      const before = await page.evaluate(() => window.hlsplayDemo.events.length);
      await page.selectOption('#cc-track', '1');
      const switched = await waitInPage(page, (i) => window.hlsplayDemo.events.slice(i).find((e) => e.name === 'subtitleTrackSwitch'),
        before, { what: 'subtitleTrackSwitch to Spanish' });
      assert.equal(switched.id, 1);
      await waitInPage(page, () => Array.from(document.getElementById('video').textTracks)
        .some((t) => t.mode === 'showing' && t.label === 'Español'), null, { what: 'the Spanish TextTrack showing' });
      assert.equal(await page.locator('#cc-track').inputValue(), '1');
      assert.equal(await page.locator('#stat-cc').textContent(), 'Español (spa)');
      // Off: nothing showing, the player's subtitleTrack -1.
      await page.selectOption('#cc-track', '-1');
      await waitInPage(page, () => window.player.subtitleTrack === -1, null, { what: 'subtitleTrack -1' });
      assert.deepEqual(await showing(), []);
      assert.equal(await page.locator('#cc-track').inputValue(), '-1');

      // The 608 sample: its CLOSED-CAPTIONS rendition as a captions track.
      await page.selectOption('#source', 'cc608');
      await waitInPage(page, () => [...document.getElementById('cc-track').options].some((o) => /· CC/.test(o.textContent)),
        null, { what: 'the CC1 track in the menu' });
      assert.deepEqual((await labels()).slice(1).map((l) => l.replace(/ · default$/, '')), ['English (eng) · CC']);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('seek with the seek bar; hovering it shows the thumbnail for that time', async () => {
    const { page, pageErrors } = await openDemo('autoplay=1&bufferGoal=10');
    try {
      await waitForTime(page, 0.5);
      await waitInPage(page, () => window.hlsplayDemo.thumbnails, null, { what: 'the thumbnail probe' });
      // About 56% of 60 s: the JPEG of the 30-35 s interval (one every 5 s, counter from 0).
      const at = await hoverSeekbar(page, 0.56);
      const thumb = await waitForThumbnail(page);
      const shown = await page.locator('#seekbar .preview-time').textContent();
      const [, minutes, seconds] = shown.match(/^(\d+):(\d\d)$/).map(Number);
      const hovered = minutes * 60 + seconds;
      assert.ok(hovered >= 30 && hovered < 35, `preview time ${shown}`);
      assert.match(thumb.src, /\/Default\/Thumbnails\/testpattern\.0000006\.jpg$/);
      assert.ok(thumb.width >= 64 && thumb.height >= 36, `thumbnail ${thumb.width}x${thumb.height}`);

      const buffered = (await videoState(page)).buffered;
      assert.ok(buffered.every(([, end]) => end < hovered), `${shown} not buffered yet: ${JSON.stringify(buffered)}`);
      await page.mouse.click(at.x, at.y);
      await waitInPage(page, (t) => {
        const v = document.getElementById('video');
        return !v.seeking && v.currentTime > t + 0.5;
      }, hovered, { ms: 10000, what: `playback to resume after the seek to ${shown}` });
      assert.deepEqual(await fatalErrors(page), []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
