// The player on each shape MediaConvert writes besides the TS ladder (scripts/make-sample.sh all):
// CMAF (fMP4 behind EXT-X-MAP, two audio languages), CMAF as single files read by byte ranges, and
// the Apple HLS group's alternate audio (video-only and audio-only MPEG-TS). In headless Chromium,
// through the local CloudFront with signed cookies. English is a 440 Hz tone, French 660 Hz: the
// page analyses what the element plays, so a test hears which rendition is on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cdnAndBrowser, cdnLog, control, waitInPage, withWorkerQuery,
} from './lib.mjs';

const APP = 18086;
const CDN = 19096;
const PAGE = withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/audio.html`);
const ENGLISH_HZ = 440;
const FRENCH_HZ = 660;

// `firstVideo`: path patterns of the requests that bring each level's first video bytes.
const SHAPES = [
  { shape: 'cmaf', dir: 'CMAF', firstVideo: ['*init.cmfv', '*_000000001.cmfv'] },
  { shape: 'cmaf-single-file', dir: 'CMAF-SingleFile', firstVideo: ['*.cmfv'] },
  { shape: 'apple-alt-audio', dir: 'HLS-AltAudio', firstVideo: ['*_360*_00001.ts', '*_540*_00001.ts', '*_720*_00001.ts'] },
];

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN });

const master = (dir) => `http://localhost:${CDN}/testpattern/Default/${dir}/testpattern.m3u8`;

function state(page) {
  return page.evaluate(() => {
    const v = document.getElementById('video');
    const t = window.hlsplayTest;
    return {
      time: v.currentTime,
      ended: v.ended,
      audioBytes: v.webkitAudioDecodedByteCount,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      error: v.error && v.error.message,
      waiting: [...t.waiting],
      events: t.events.map((e) => ({ ...e })),
      mimes: [...t.mimes],
      changeTypes: [...t.changeTypes],
    };
  });
}

/** The tone heard: the median of a few readings (one can straddle a switch). */
async function tone(page) {
  const readings = [];
  for (let i = 0; i < 7; i += 1) {
    readings.push(await page.evaluate(() => window.hlsplayTest.tone()));
    await sleep(100);
  }
  const heard = readings.filter((r) => r != null).sort((a, b) => a - b);
  return heard.length ? heard[Math.floor(heard.length / 2)] : null;
}

const near = (hz, want) => hz != null && Math.abs(hz - want) <= 15;
const fatal = (s) => s.events.filter((e) => e.name === 'error' && e.payload.fatal).map((e) => e.payload.message);
const named = (s, name) => s.events.filter((e) => e.name === name).map((e) => e.payload);
const waitTime = (page, t, what, ms = 30000) => waitInPage(
  page, (x) => document.getElementById('video').currentTime >= x, t, { ms, what },
);

/** Opens the test page in `page` and plays `dir`'s master with a 10 s goal (most of the 60 s
 * left unbuffered for the seeks). */
async function playOn(page, dir) {
  await page.goto(PAGE);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  await page.evaluate((u) => {
    window.player = window.makePlayer({ capLevelToPlayerSize: false, bufferGoal: 10 });
    window.player.load(u);
    return document.getElementById('video').play();
  }, master(dir));
}

for (const { shape, dir } of SHAPES) {
  describe(`${shape} sample`, () => {
    let page;
    const pageErrors = [];

    before(async () => {
      page = await env.browser.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await playOn(page, dir);
    });

    after(() => page?.close());

    test('plays 10 s through video/mp4 and audio/mp4 SourceBuffers with the English audio decoded', async () => {
      await waitTime(page, 2, 'playback to 2 s');
      const early = await state(page);
      await waitTime(page, 10, 'playback to 10 s');
      const s = await state(page);
      assert.deepEqual(fatal(s), []);
      assert.equal(s.error, null);
      assert.deepEqual(pageErrors, []);
      assert.equal(s.mimes.length, 2, s.mimes.join(' | '));
      assert.ok(s.mimes.some((m) => /^video\/mp4; codecs="avc1\.[0-9a-f]{6}"$/.test(m)), s.mimes.join(' | '));
      assert.ok(s.mimes.some((m) => /^audio\/mp4; codecs="mp4a\.40\.2"$/.test(m)), s.mimes.join(' | '));
      assert.ok(s.audioBytes > early.audioBytes, `audio decoded: ${early.audioBytes} -> ${s.audioBytes}`);
      assert.ok(s.frames > early.frames + 200, `frames decoded: ${early.frames} -> ${s.frames}`);
      const [tracks] = named(s, 'audioTracksUpdated');
      assert.deepEqual(tracks.audioTracks.map((t) => [t.id, t.name, t.default]),
        [[0, 'English', true], [1, 'Français', false]]);
      assert.equal(await page.evaluate(() => window.player.audioTrack), 0);
      const heard = await tone(page);
      assert.ok(near(heard, ENGLISH_HZ), `heard ${heard} Hz, expected ${ENGLISH_HZ}`);
    });

    test('switches to French mid-playback without stalling the video', async () => {
      const before = await state(page);
      await page.evaluate(() => { window.player.audioTrack = 1; });
      await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.name === 'audioTrackSwitched'),
        null, { ms: 10000, what: 'audioTrackSwitched' });
      await waitTime(page, before.time + 5, 'playback 5 s past the switch');
      const s = await state(page);
      assert.deepEqual(named(s, 'audioTrackSwitching'), [{ id: 1 }]);
      assert.deepEqual(named(s, 'audioTrackSwitched'), [{ id: 1 }]);
      assert.equal(await page.evaluate(() => window.player.audioTrack), 1);
      assert.deepEqual(s.waiting.filter((t) => t > before.time), [], 'no stall after the switch');
      assert.deepEqual(fatal(s), []);
      const heard = await tone(page);
      assert.ok(near(heard, FRENCH_HZ), `heard ${heard} Hz after the switch, expected ${FRENCH_HZ}`);
    });

    test('seeks into an unbuffered region and plays on from there', async () => {
      const buffered = await page.evaluate(() => {
        const b = document.getElementById('video').buffered;
        return b.length ? b.end(b.length - 1) : 0;
      });
      const target = 45;
      assert.ok(buffered < target, `45 s is not buffered yet (buffered to ${buffered})`);
      await page.evaluate((t) => { document.getElementById('video').currentTime = t; }, target);
      await waitTime(page, target + 2, 'playback 2 s past the seek target', 20000);
      const s = await state(page);
      assert.deepEqual(fatal(s), []);
      const heard = await tone(page);
      assert.ok(near(heard, FRENCH_HZ), `heard ${heard} Hz after the seek, the French track still on`);
    });

    test('ends once', async () => {
      await page.evaluate(() => { document.getElementById('video').currentTime = 55; });
      await waitInPage(page, () => document.getElementById('video').ended, null, { ms: 20000, what: 'the end' });
      await sleep(1000);
      const s = await state(page);
      assert.equal(named(s, 'ended').length, 1);
      assert.deepEqual(fatal(s), []);
      assert.ok(s.time > 59, `ended at ${s.time}`);
    });
  });
}

// Which stream's first segment maps the timeline is a race; under load the audio can win. Held
// back at the CDN, the video comes second: its first keyframe decodes a B-frame delay before the
// audio's first sample and shows after it, and must still be kept (it was dropped with its whole
// 3 s GOP on the Apple shape: playback then waited on a start gap).
describe('the audio rendition maps the timeline first', () => {
  for (const { shape, dir, firstVideo } of SHAPES) {
    test(`${shape}: the video is placed on the audio's mapping from its first keyframe on, and plays`, async () => {
      const page = await env.browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      try {
        for (const path of firstVideo) await control(CDN, { fault: { path, kind: 'delay', ms: 1500, count: 3 } });
        await playOn(page, dir);
        await waitTime(page, 2, 'playback to 2 s', 20000);
        const s = await state(page);
        const appended = named(s, 'bufferAppended');
        assert.equal(appended[0]?.track, 'audio', `the audio came first: ${JSON.stringify(appended.slice(0, 3))}`);
        const video = appended.filter((a) => a.track === 'video');
        const start = Math.min(...video.map((a) => a.start));
        assert.ok(start < 0.1, `the video starts at ${start} s, not with the first segment's keyframe`);
        assert.deepEqual(fatal(s), []);
        assert.deepEqual(pageErrors, []);
      } finally {
        await control(CDN, { clear_faults: true });
        await page.close();
      }
    });
  }
});

// The fMP4 passthrough appends a fragment's mdat body as it arrives. A segment given up in the
// middle of one leaves the SourceBuffer's parser inside that box: unless it is reset (abort()),
// the next segment's bytes are read as the rest of the old mdat and playback breaks.
test('cmaf: a video segment that stalls inside a fragment is given up, the parser reset, and playback goes on', async () => {
  const page = await env.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    // Past the first moof of segment 2 (10-20 s), inside its first mdat.
    await control(CDN, { fault: { path: '*_000000002.cmfv', kind: 'stall', after_bytes: 200000, count: 1 } });
    await playOn(page, 'CMAF');
    await waitTime(page, 22, 'playback past the stalled segment (10-20 s)', 45000);
    const s = await state(page);
    assert.deepEqual(fatal(s), []);
    assert.equal(s.error, null);
    assert.deepEqual(pageErrors, []);
    const stalled = (await cdnLog(CDN)).filter((e) => e.fault && e.fault.startsWith('stall'));
    assert.equal(stalled.length, 1, 'the stall fault hit one segment request');
  } finally {
    await control(CDN, { clear_faults: true });
    await page.close();
  }
});

// A peer player stalls for good when the audio is switched once the whole VOD is buffered: the
// MediaSource has ended, and the flush and the new rendition's appends must reopen it and the
// end be signalled again. Here the 60 s sample fits a 120 s goal and ends within seconds.
for (const { shape, dir } of SHAPES.filter((s) => s.shape !== 'cmaf-single-file')) {
  test(`${shape}: an audio switch after the whole VOD is buffered plays the new language to the end`, async () => {
    const page = await env.browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await page.goto(PAGE);
      await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
      await page.evaluate((u) => {
        window.player = window.makePlayer({ capLevelToPlayerSize: false, bufferGoal: 120, maxMaxBufferLength: 120 });
        window.player.load(u);
        return document.getElementById('video').play();
      }, master(dir));
      await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.name === 'ended'), null,
        { ms: 30000, what: 'the whole VOD buffered (ended)' });
      const before = await state(page);
      assert.ok(before.time < 50, `the switch comes before the end (at ${before.time} s)`);
      await page.evaluate(() => { window.player.audioTrack = 1; });
      await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.name === 'audioTrackSwitched'),
        null, { ms: 10000, what: 'audioTrackSwitched' });
      await waitTime(page, before.time + 3, 'playback 3 s past the switch');
      const heard = await tone(page);
      assert.ok(near(heard, FRENCH_HZ), `heard ${heard} Hz after the switch, expected ${FRENCH_HZ}`);
      await page.evaluate(() => { document.getElementById('video').currentTime = 55; });
      await waitInPage(page, () => document.getElementById('video').ended, null, { ms: 20000, what: 'the end' });
      const s = await state(page);
      assert.deepEqual(fatal(s), []);
      assert.equal(s.error, null);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(s.waiting.filter((t) => t > before.time && t < 55), [], 'no stall after the switch');
      // Signalled once with all of the English in, and again with all of the French.
      assert.equal(named(s, 'ended').length, 2);
      assert.ok(s.time > 59, `ended at ${s.time}`);
    } finally {
      await page.close();
    }
  });
}
