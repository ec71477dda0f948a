// Encrypted HLS in headless Chromium through the local CloudFront with signed cookies: the
// AES-128 shapes of scripts/make-sample.sh (MediaConvert's static key with the IV from the media
// sequence number, keys rotated every two segments, CMAF with encrypted init segments). Keys sit
// behind the same cookies as the segments: a refused key is refreshed like a segment, and a
// wrong key ends in one fatal `decrypt` error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdnAndBrowser, cdnLog, control, waitInPage, withWorkerQuery } from './lib.mjs';

const APP = 18087;
const CDN = 19097;
const PAGE = withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/audio.html`);

// `until`: where playback must get; the rotation's second key starts at its third segment (20 s).
const SHAPES = [
  { shape: 'aes', dir: 'HLS-AES', keys: 1, until: 10 },
  { shape: 'aes-rotation', dir: 'HLS-AES-Rotation', keys: 2, until: 25 },
  { shape: 'cmaf-aes', dir: 'CMAF-AES', keys: 1, until: 10 },
];

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN });

const master = (dir) => `http://localhost:${CDN}/testpattern/Default/${dir}/testpattern.m3u8`;

function state(page) {
  return page.evaluate(() => {
    const v = document.getElementById('video');
    return {
      time: v.currentTime,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      error: v.error && v.error.message,
      refreshes: window.refreshes,
      events: window.hlsplayTest.events.map((e) => ({ ...e })),
    };
  });
}

const errors = (s) => s.events.filter((e) => e.name === 'error').map((e) => e.payload);
const fatal = (s) => errors(s).filter((e) => e.fatal).map((e) => e.message);
const waitTime = (page, t, what, ms = 30000) => waitInPage(
  page, (x) => document.getElementById('video').currentTime >= x, t, { ms, what },
);

/** Opens the test page and plays `dir`'s master; the app's refresh fetches new cookies and counts. */
async function playOn(page, dir) {
  await page.goto(PAGE);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  await page.evaluate((u) => {
    window.refreshes = 0;
    window.player = window.makePlayer({
      capLevelToPlayerSize: false,
      bufferGoal: 10,
      refreshCredentials: async () => {
        window.refreshes += 1;
        await fetch('/auth/cookies', { credentials: 'include' });
      },
    });
    window.player.load(u);
    // Not awaited: with a wrong key no frame ever comes and play() would never settle.
    document.getElementById('video').play().catch(() => {});
  }, master(dir));
}

/** The key requests the CDN saw after log entry `since`. */
async function keyRequests(since) {
  return (await cdnLog(CDN, since)).filter((e) => e.path.endsWith('.key'));
}

/** The CDN log's last sequence number: what a test sees from here on. */
async function logMark() {
  const log = await cdnLog(CDN, 0);
  return log.length ? log[log.length - 1].seq : 0;
}

for (const { shape, dir, keys, until } of SHAPES) {
  describe(`${shape} sample`, () => {
    test(`plays ${until} s with each key fetched once behind the cookies`, async () => {
      const page = await env.browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      try {
        const since = await logMark();
        await playOn(page, dir);
        await waitTime(page, until, `playback to ${until} s`);
        const s = await state(page);
        assert.deepEqual(fatal(s), []);
        assert.deepEqual(errors(s).filter((e) => e.kind === 'decrypt'), []);
        assert.equal(s.error, null);
        assert.deepEqual(pageErrors, []);
        assert.ok(s.frames > 200, `frames decoded: ${s.frames}`);
        const requested = await keyRequests(since);
        const byPath = new Map();
        for (const r of requested) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
        assert.ok(byPath.size >= keys, `keys requested: ${JSON.stringify([...byPath])}`);
        for (const [path, n] of byPath) assert.equal(n, 1, `${path} fetched ${n} times`);
        assert.ok(requested.every((r) => r.status === 200), JSON.stringify(requested));
      } finally {
        await page.close();
      }
    });
  });
}

test('aes: a key refused by the CDN is refreshed once and playback continues', async () => {
  const page = await env.browser.newPage();
  try {
    await control(CDN, { fault: { path: '*.key', kind: '403', count: 1 } });
    const since = await logMark();
    await playOn(page, 'HLS-AES');
    await waitTime(page, 6, 'playback to 6 s');
    const s = await state(page);
    assert.equal(s.refreshes, 1);
    assert.deepEqual(fatal(s), []);
    const requested = await keyRequests(since);
    assert.deepEqual(requested.map((r) => r.status), [403, 200]);
    assert.equal(requested[0].path, requested[1].path, 'the same key URL is retried');
  } finally {
    await control(CDN, { clear_faults: true });
    await page.close();
  }
});

test('aes: a wrong key ends in one fatal decrypt error naming the segment, after one refetch', async () => {
  const page = await env.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await control(CDN, { fault: { path: '*.key', kind: 'corrupt', count: 100 } });
    await playOn(page, 'HLS-AES');
    await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.name === 'error' && e.payload.fatal),
      null, { ms: 20000, what: 'a fatal error' });
    const s = await state(page);
    const decrypt = errors(s).filter((e) => e.kind === 'decrypt');
    assert.equal(decrypt.length, 2, JSON.stringify(decrypt));
    assert.deepEqual(decrypt.map((e) => e.fatal), [false, true]);
    for (const e of decrypt) {
      assert.match(e.details, /segment \d+ does not decrypt with the key/);
      assert.match(e.url, /\.ts/);
    }
    assert.deepEqual(fatal(s).length, 1);
    assert.ok(s.frames === 0, `nothing decoded: ${s.frames} frames`);
    assert.deepEqual(pageErrors, []);
  } finally {
    await control(CDN, { clear_faults: true });
    await page.close();
  }
});
