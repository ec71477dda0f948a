// The browser player in headless Chromium, playing the MediaConvert-shaped sample through the local
// CloudFront with signed cookies. Every assertion is on what the browser really did.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cdnAndBrowser, IN_WORKER, sampleMaster, videoState, waitInPage, withWorkerQuery,
} from './lib.mjs';

const APP = 18081;
const CDN = 19091;
const PAGE = withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/player.html`);

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN });

async function openPlayer(config = {}) {
  const page = await env.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(PAGE);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  await page.evaluate((c) => { window.player.destroy(); window.player = window.makePlayer(c); }, config);
  return { page, pageErrors };
}

function events(page, name) {
  return page.evaluate((n) => window.hlsplayTest.events.filter((e) => e.name === n).map((e) => e.payload), name);
}

async function play(page, url) {
  await page.evaluate((u) => { window.player.load(u); return document.getElementById('video').play(); }, url);
}

describe('browser player', () => {
  test('plays through MSE: time advances 5 s, frames decoded, no error', async () => {
    const { page, pageErrors } = await openPlayer();
    await play(page, sampleMaster(CDN));
    const start = await videoState(page);
    await waitInPage(page, (t) => document.getElementById('video').currentTime >= t + 5, start.time,
      { ms: 30000, what: 'currentTime to advance by 5 s' });
    const end = await videoState(page);
    assert.ok(end.frames > start.frames + 60, `frames decoded: ${start.frames} -> ${end.frames}`);
    assert.equal(end.error, null);
    // fragBuffered: once per segment, after its segmentLoaded, where the playhead plays.
    const log = await page.evaluate(() => window.hlsplayTest.events
      .filter((e) => e.name === 'segmentLoaded' || e.name === 'fragBuffered')
      .map((e) => `${e.name}:${e.payload.level}:${e.payload.sequence}`));
    const buffered = log.filter((e) => e.startsWith('fragBuffered'));
    assert.ok(buffered.length >= 1 && new Set(buffered).size === buffered.length, log.join(' '));
    for (const b of buffered) {
      assert.ok(log.indexOf(b.replace('fragBuffered', 'segmentLoaded')) < log.indexOf(b), log.join(' '));
    }
    assert.deepEqual(await events(page, 'error'), []);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('feeds our fMP4: every SourceBuffer is video/mp4 or audio/mp4', async () => {
    const { page } = await openPlayer();
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 1, null, { what: 'playback' });
    const mimes = await page.evaluate(() => window.hlsplayTest.mimes);
    assert.ok(mimes.length >= 1, 'at least one SourceBuffer');
    for (const mime of mimes) assert.match(mime, /^(video|audio)\/mp4; codecs="[^"]+"$/);
    assert.ok(mimes.some((m) => m.startsWith('video/mp4; codecs="avc1.')), mimes.join(' | '));
    // A MediaSource object URL on the page's thread, a Worker's MediaSourceHandle otherwise.
    const src = await page.evaluate(() => {
      const v = document.getElementById('video');
      return v.srcObject ? `srcObject ${v.srcObject.constructor.name}` : v.src;
    });
    assert.match(src, /^(blob:|srcObject MediaSourceHandle$)/, 'the element plays a MediaSource, not the playlist natively');
    await page.close();
  });

  test('switches down when the network is throttled, and back up', async () => {
    const { page } = await openPlayer({ capLevelToPlayerSize: false, bufferGoal: 12, backBuffer: 10 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => window.player.currentLevel === 2, null,
      { ms: 30000, what: 'the top level on an unthrottled link' });
    // 1.6 Mbps: the 2.3 and 3.4 Mbps levels cannot be sustained.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 20, downloadThroughput: 1.6e6 / 8, uploadThroughput: 1e6,
    });
    await waitInPage(page, () => window.player.currentLevel === 0, null,
      { ms: 45000, what: 'a switch down to level 0' });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    await waitInPage(page, () => window.player.currentLevel > 0, null,
      { ms: 45000, what: 'a switch back up' });
    const switches = await events(page, 'levelSwitching');
    assert.ok(switches.some((s) => s.reason !== 'start' && s.to < s.from), JSON.stringify(switches));
    assert.deepEqual((await events(page, 'error')).filter((e) => e.fatal), []);
    await page.close();
  });

  test('autoLevelCapping bounds the ABR on a fast link until lifted; maxAutoLevel follows it', async () => {
    const { page, pageErrors } = await openPlayer({ capLevelToPlayerSize: false, bufferGoal: 20 });
    assert.equal(await page.evaluate(() => window.player.maxAutoLevel), -1, 'no levels yet');
    // Set before load(): the ABR, which climbs to level 2 on this link, stops at 1.
    await page.evaluate(() => { window.player.autoLevelCapping = 1; });
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => window.hlsplayTest.events.filter((e) => e.name === 'segmentLoaded').length >= 3,
      null, { ms: 30000, what: 'three segments' });
    const capped = (await events(page, 'segmentLoaded')).map((s) => s.level);
    assert.ok(capped.every((l) => l <= 1) && capped.includes(1), `levels under the cap: ${capped}`);
    assert.deepEqual(await page.evaluate(() => [window.player.autoLevelCapping, window.player.maxAutoLevel]), [1, 1]);
    // Lifted: up to the top level, the buffer kept.
    await page.evaluate(() => { window.player.autoLevelCapping = -1; });
    await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.name === 'segmentLoaded' && e.payload.level === 2),
      null, { ms: 30000, what: 'a level-2 segment once the cap is lifted' });
    assert.deepEqual(await page.evaluate(() => [window.player.autoLevelCapping, window.player.maxAutoLevel]), [-1, 2]);
    assert.deepEqual(await events(page, 'error'), []);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  // A live stream made of the sample's level playlists: a sliding window of four 10 s segments
  // that moves on one segment every 10 s of wall time (ENDLIST and the VOD type removed).
  test('live: liveSyncPosition and latency follow the live edge', async () => {
    const { page, pageErrors } = await openPlayer({ capLevelToPlayerSize: false });
    const t0 = Date.now();
    await page.route(/testpattern_\d+\.m3u8$/, async (route) => {
      const vod = await (await route.fetch()).text();
      const lines = vod.split('\n');
      const segments = [];
      lines.forEach((l, i) => { if (l.startsWith('#EXTINF')) segments.push([l, lines[i + 1]]); });
      const first = Math.min(Math.floor((Date.now() - t0) / 10000), segments.length - 4);
      const window = segments.slice(first, first + 4).flat();
      const body = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:10',
        `#EXT-X-MEDIA-SEQUENCE:${1 + first}`, ...window, ''].join('\n');
      await route.fulfill({ status: 200, contentType: 'application/vnd.apple.mpegurl', body });
    });
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 1, null,
      { ms: 30000, what: 'live playback' });
    const [loaded] = await events(page, 'levelLoaded');
    assert.equal(loaded.live, true);
    const read = () => page.evaluate(() => ({
      sync: window.player.liveSyncPosition, latency: window.player.latency,
      time: document.getElementById('video').currentTime,
    }));
    // The edge (40 s of playlist, plus the time since it was loaded) less three target durations.
    const a = await read();
    assert.equal(typeof a.sync, 'number');
    assert.ok(a.sync >= 10 && a.sync <= 30, `liveSyncPosition ${a.sync}`);
    assert.ok(Math.abs(a.latency - (a.sync + 30 - a.time)) < 0.75, JSON.stringify(a));
    await new Promise((r) => setTimeout(r, 3000));
    const b = await read();
    assert.ok(b.sync > a.sync + 2, `the edge moves on: ${a.sync} -> ${b.sync}`);
    assert.deepEqual((await events(page, 'error')).filter((e) => e.fatal), []);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('a VOD has no liveSyncPosition and no latency', async () => {
    const { page } = await openPlayer();
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 0.5, null, { what: 'playback' });
    assert.deepEqual(await page.evaluate(() => [window.player.liveSyncPosition, window.player.latency]), [null, 0]);
    await page.close();
  });

  test('seeks into an unbuffered region and resumes', async () => {
    const { page } = await openPlayer({ bufferGoal: 10 });
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 0.5, null, { what: 'playback' });
    const before = await videoState(page);
    assert.ok(before.buffered.every(([, end]) => end < 44), `45 s not buffered yet: ${JSON.stringify(before.buffered)}`);
    await page.evaluate(() => { document.getElementById('video').currentTime = 45; });
    await waitInPage(page, () => {
      const v = document.getElementById('video');
      return !v.seeking && v.currentTime > 45.5;
    }, null, { ms: 8000, what: 'playback to resume after the seek' });
    assert.deepEqual((await events(page, 'error')).filter((e) => e.fatal), []);
    await page.close();
  });

  test('destroy() then load() of another stream plays, with no duplicate events', async () => {
    const { page } = await openPlayer();
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 0.5, null, { what: 'playback' });
    const second = `http://localhost:${CDN}/testpattern/Default/HLS/testpattern_540.m3u8`;
    await page.evaluate((u) => {
      window.player.destroy();
      window.hlsplayTest.events.length = 0;
      window.player.load(u);
      return document.getElementById('video').play();
    }, second);
    await waitInPage(page, () => document.getElementById('video').currentTime > 2, null,
      { ms: 20000, what: 'the second stream to play' });
    const parsed = await events(page, 'manifestParsed');
    assert.equal(parsed.length, 1, 'one manifestParsed for the second load');
    assert.equal(parsed[0].levels.length, 1, 'a media playlist played directly is one level');
    const loaded = await events(page, 'segmentLoaded');
    const keys = loaded.map((s) => `${s.level}:${s.sequence}`);
    assert.equal(new Set(keys).size, keys.length, `no segment reported twice: ${keys.join(' ')}`);
    await page.close();
  });

  test('stopLoad() fetches nothing while the buffer plays on; startLoad() resumes after it', async () => {
    // A 12 s goal over 10 s segments: two segments at the start, the third due at 8 s.
    const { page, pageErrors } = await openPlayer({ bufferGoal: 12, minBufferGoal: 10 });
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => window.hlsplayTest.events.filter((e) => e.name === 'segmentLoaded').length >= 2,
      null, { ms: 20000, what: 'two segments' });
    await page.evaluate(() => window.player.stopLoad());
    const stopped = (await events(page, 'segmentLoaded')).length;
    const starts = (await events(page, 'segmentLoaded')).map((s) => s.start);
    const buffered = Math.max(...starts) + 10;
    await waitInPage(page, () => document.getElementById('video').currentTime >= 9.5, null,
      { ms: 30000, what: 'playback past the point where the third segment is due' });
    assert.equal((await events(page, 'segmentLoaded')).length, stopped, 'no segment loaded while stopped');
    await page.evaluate(() => window.player.startLoad());
    await waitInPage(page, (n) => window.hlsplayTest.events.filter((e) => e.name === 'segmentLoaded').length > n,
      stopped, { ms: 20000, what: 'a segment loaded after startLoad()' });
    const next = (await events(page, 'segmentLoaded')).at(-1);
    assert.ok(Math.abs(next.start - buffered) < 0.5, `resumed where the buffer ended (${buffered} s): ${next.start} s`);
    await waitInPage(page, (t) => document.getElementById('video').currentTime > t + 1, buffered,
      { ms: 30000, what: 'playback past the buffer held when stopped' });
    assert.deepEqual(await events(page, 'error'), []);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  // Regression: the element waited at the end and never ended. EndOfStream was sent once every
  // segment was appended; the back-buffer eviction after it called remove(), which reopens an
  // ended MediaSource, and the end was never signalled again.
  test('plays to the end: the element ends, one ended event', async () => {
    const { page } = await openPlayer({ backBuffer: 10 });
    await play(page, sampleMaster(CDN));
    await page.evaluate(() => { document.getElementById('video').playbackRate = 4; });
    await waitInPage(page, () => document.getElementById('video').ended, null,
      { ms: 45000, what: 'the element to end' });
    assert.equal((await events(page, 'ended')).length, 1);
    assert.deepEqual((await events(page, 'error')).filter((e) => e.fatal), []);
    await page.close();
  });

  // Regression: a module-level `const player` is collectable by V8; when the JS wrapper was
  // garbage-collected its finaliser destroyed the player and playback stopped.
  test('a player the page keeps no reference to goes on playing after garbage collection', async () => {
    const { page } = await openPlayer();
    await page.evaluate((u) => {
      window.player.destroy();
      window.player = null;
      window.makePlayer().load(u);
      return document.getElementById('video').play();
    }, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 0.5, null, { what: 'playback' });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await new Promise((r) => setTimeout(r, 500));
    await cdp.send('HeapProfiler.collectGarbage');
    const before = await videoState(page);
    await waitInPage(page, (t) => document.getElementById('video').currentTime > t + 2, before.time,
      { ms: 15000, what: 'playback to go on after garbage collection' });
    await page.close();
  });

  // The MSE calls the engine's answers come from: a refused addSourceBuffer, a throwing remove, a
  // QuotaExceededError. Each is reported to the engine, none is thrown into the page. The faults
  // are the page's MediaSource's (`worker: false`): a Worker's is out of the page's reach.
  test('addSourceBuffer refused: one fatal buffer error with the browser\'s message', async () => {
    const { page, pageErrors } = await openPlayer({ worker: false });
    await page.evaluate(() => {
      MediaSource.prototype.addSourceBuffer = () => {
        throw new DOMException('test refuses these codecs', 'NotSupportedError');
      };
    });
    // Not `play()`: its promise never settles when nothing can be buffered.
    await page.evaluate((u) => { window.player.load(u); document.getElementById('video').play().catch(() => {}); },
      sampleMaster(CDN));
    await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.name === 'error'), null,
      { what: 'an error event' });
    await new Promise((r) => setTimeout(r, 500));
    const errors = await events(page, 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].fatal, true);
    assert.equal(errors[0].kind, 'buffer');
    assert.match(errors[0].details, /addSourceBuffer\('video\/mp4; codecs=.*'\) failed: test refuses these codecs/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('remove() throws: non-fatal buffer errors, eviction given up, the element still ends', async () => {
    const { page, pageErrors } = await openPlayer({ backBuffer: 1, worker: false });
    await page.evaluate(() => {
      SourceBuffer.prototype.remove = () => { throw new DOMException('test refuses remove', 'InvalidStateError'); };
    });
    await play(page, sampleMaster(CDN));
    await page.evaluate(() => { document.getElementById('video').playbackRate = 4; });
    await waitInPage(page, () => document.getElementById('video').ended, null,
      { ms: 45000, what: 'the element to end' });
    const errors = await events(page, 'error');
    assert.deepEqual(errors.filter((e) => e.fatal), []);
    assert.ok(errors.some((e) => /SourceBuffer.remove failed/.test(e.details)), JSON.stringify(errors));
    // Three failures per SourceBuffer (video, audio), then no more eviction.
    const removes = errors.filter((e) => /SourceBuffer.remove failed/.test(e.details));
    assert.ok(removes.length <= 6, `remove failures reported: ${removes.length}`);
    assert.equal((await events(page, 'ended')).length, 1);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('appendBuffer QuotaExceededError: reported as quota, retried, playback goes on', async () => {
    const { page, pageErrors } = await openPlayer({ worker: false });
    await page.evaluate(() => {
      const append = SourceBuffer.prototype.appendBuffer;
      let calls = 0;
      SourceBuffer.prototype.appendBuffer = function (data) {
        calls += 1;
        if (calls === 3) throw new DOMException('test: the buffer is full', 'QuotaExceededError');
        return append.call(this, data);
      };
    });
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 3, null,
      { ms: 30000, what: 'playback past 3 s' });
    const errors = await events(page, 'error');
    assert.deepEqual(errors.filter((e) => e.fatal), []);
    assert.ok(errors.some((e) => /QuotaExceededError; evicting and retrying/.test(e.details)), JSON.stringify(errors));
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('debug: the logger gets the level choices with their reason; once() fires once', async () => {
    const { page, pageErrors } = await openPlayer();
    await page.evaluate(() => {
      window.player.destroy();
      window.debugLines = [];
      window.onceCalls = 0;
      window.player = window.makePlayer({ capLevelToPlayerSize: false, debug: (m) => window.debugLines.push(m) });
      window.player.once('levelSwitched', () => { window.onceCalls += 1; });
    });
    await play(page, sampleMaster(CDN));
    await waitInPage(page, () => window.hlsplayTest.events.filter((e) => e.name === 'levelSwitched').length >= 2,
      null, { ms: 30000, what: 'two level switches (the start, then up)' });
    const lines = await page.evaluate(() => window.debugLines);
    const levels = lines.filter((l) => l.startsWith('level '));
    assert.match(levels[0] ?? '', /^level \d+ \(start; estimate [\d.]+ Mbit\/s, buffer [\d.]+ s\) http:\/\/localhost:\d+\/.+\.m3u8/,
      lines.join('\n'));
    assert.ok(levels.some((l) => /^level \d+ -> \d+ \(abr;/.test(l)), lines.join('\n'));
    assert.equal(await page.evaluate(() => window.onceCalls), 1);
    // The log comes from the Worker's engine by default (HLSPLAY_WORKER=0: this thread's).
    assert.equal(await page.evaluate(() => window.player.workerActive), IN_WORKER);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('unknown config keys are rejected with the key named', async () => {
    const page = await env.browser.newPage();
    await page.goto(PAGE);
    await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
    const message = await page.evaluate(() => {
      try { window.makePlayer({ bufferGoall: 10 }); return 'no error'; } catch (e) { return e.message; }
    });
    assert.match(message, /unknown key `bufferGoall`/);
    await page.close();
  });

  test('config values of the wrong type are rejected naming the key and the value', async () => {
    const page = await env.browser.newPage();
    await page.goto(PAGE);
    await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
    const messages = await page.evaluate(() => [{ bufferGoal: 'ten' }, { bufferGoal: function tenSeconds() {} },
      { bufferGoal: Symbol('ten') }].map((c) => {
      try { window.makePlayer(c); return 'no error'; } catch (e) { return e.message; }
    }));
    assert.match(messages[0], /`bufferGoal` must be .*, got "ten"/);
    assert.match(messages[1], /`bufferGoal` must be .*, got function tenSeconds/);
    assert.match(messages[2], /`bufferGoal` must be .*, got symbol/);
    const debug = await page.evaluate(() => {
      try { window.makePlayer({ debug: 'verbose' }); return 'no error'; } catch (e) { return e.message; }
    });
    assert.match(debug, /`debug` must be true, false or a function, got "verbose"/);
    await page.close();
  });
});
