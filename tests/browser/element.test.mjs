// <hlsplay-video> (hlsplay/element) in headless Chromium: an m3u8 `src` plays through Player, the
// HTMLVideoElement API works on the host and media events fire there, a new src loads the new
// stream, and removing the element destroys its player.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdnAndBrowser, cdnLog, IN_WORKER, MSE_SOURCE, sampleMaster, waitInPage, withWorkerQuery } from './lib.mjs';

const APP = 18089;
const CDN = 19099;
const PAGE = withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/element.html`);

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN });

async function openPage() {
  const page = await env.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Signed cookies for the CDN (host-only cookies of localhost: every port).
  await page.goto(`http://localhost:${APP}/auth/cookies`);
  await page.goto(PAGE);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  return { page, pageErrors };
}

const host = () => document.querySelector('hlsplay-video');

describe('<hlsplay-video>', () => {
  test('plays its src; the video API and media events are on the host', async () => {
    const { page, pageErrors } = await openPage();
    await page.evaluate((src) => window.makeElement(src).play(), sampleMaster(CDN));
    await waitInPage(page, () => document.querySelector('hlsplay-video').currentTime > 3, null,
      { ms: 30000, what: 'the element to play 3 s' });
    const state = await page.evaluate(() => {
      const el = document.querySelector('hlsplay-video');
      const inner = el.shadowRoot.querySelector('video');
      return {
        paused: el.paused, duration: el.duration, muted: el.muted, readyState: el.readyState,
        buffered: el.buffered.length, videoWidth: el.videoWidth, mediaIsInner: el.media === inner,
        innerSrc: inner.srcObject ? `srcObject ${inner.srcObject.constructor.name}` : inner.src,
        levels: el.player && el.player.levels.length, tag: el instanceof HTMLElement,
        workerActive: el.player && el.player.workerActive,
        quality: el.getVideoPlaybackQuality().totalVideoFrames, canPlay: el.canPlayType('video/mp4'),
        src: el.src, attr: el.getAttribute('src'), innerMuted: inner.muted,
      };
    });
    assert.equal(state.paused, false);
    assert.ok(state.duration > 50, `duration ${state.duration}`);
    assert.equal(state.muted, true, 'the muted attribute reaches the video');
    assert.equal(state.innerMuted, true);
    assert.ok(state.readyState >= 3);
    assert.ok(state.buffered >= 1);
    assert.ok(state.videoWidth > 0);
    // Through MSE, the mode's: a Worker's MediaSourceHandle by default, a page's MediaSource's object URL otherwise.
    assert.match(state.innerSrc, MSE_SOURCE, 'the m3u8 plays through MSE');
    assert.equal(state.mediaIsInner, true);
    assert.equal(state.levels, 3, 'the player getter is the Player');
    assert.equal(state.workerActive, IN_WORKER, 'the `config` property reaches the Player');
    assert.equal(state.tag, true);
    assert.ok(state.quality > 30);
    assert.equal(state.canPlay, 'maybe');
    assert.equal(state.src, sampleMaster(CDN));
    assert.equal(state.attr, sampleMaster(CDN));
    const types = await page.evaluate(() => window.hlsplayTest.events.filter((e) => e.target).map((e) => e.type));
    for (const type of ['loadstart', 'loadedmetadata', 'durationchange', 'canplay', 'play', 'playing', 'timeupdate']) {
      assert.ok(types.includes(type), `${type} on the host: ${[...new Set(types)].join(' ')}`);
    }
    // Written through: volume, pause, seek.
    await page.evaluate(() => { const el = document.querySelector('hlsplay-video'); el.volume = 0.5; el.pause(); el.currentTime = 20; });
    await waitInPage(page, () => {
      const el = document.querySelector('hlsplay-video');
      return el.paused && !el.seeking && Math.abs(el.currentTime - 20) < 0.5 && el.readyState >= 2;
    }, null, { ms: 15000, what: 'pause and seek through the host' });
    const after = await page.evaluate(() => ({
      volume: document.querySelector('hlsplay-video').media.volume,
      types: window.hlsplayTest.events.map((e) => e.type),
    }));
    assert.equal(after.volume, 0.5);
    for (const type of ['volumechange', 'pause', 'seeking', 'seeked']) assert.ok(after.types.includes(type), type);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('a new src loads the new stream', async () => {
    const { page } = await openPage();
    await page.evaluate((src) => window.makeElement(src).play(), sampleMaster(CDN));
    await waitInPage(page, () => document.querySelector('hlsplay-video').currentTime > 1, null, { ms: 30000, what: 'playback' });
    const second = `http://localhost:${CDN}/testpattern/Default/HLS/testpattern_540.m3u8`;
    await page.evaluate((src) => {
      window.hlsplayTest.events.length = 0;
      document.querySelector('hlsplay-video').src = src;
      document.querySelector('hlsplay-video').play().catch(() => {});
    }, second);
    // A media playlist played directly is one level; the 540p picture.
    await waitInPage(page, () => {
      const el = document.querySelector('hlsplay-video');
      return el.player?.levels.length === 1 && el.videoHeight === 540 && el.currentTime > 1 && !el.paused;
    }, null, { ms: 30000, what: 'the second stream to play' });
    const types = await page.evaluate(() => window.hlsplayTest.events.map((e) => e.type));
    assert.ok(types.includes('emptied') && types.includes('loadstart'), `a new load on the host: ${[...new Set(types)].join(' ')}`);
    const log = await cdnLog(CDN);
    assert.ok(log.some((e) => e.path.endsWith('testpattern_540.m3u8')));
    await page.close();
  });

  test('removing the element destroys its player: no request, no src', async () => {
    const { page } = await openPage();
    await page.evaluate((src) => window.makeElement(src).play(), sampleMaster(CDN));
    await waitInPage(page, () => document.querySelector('hlsplay-video').currentTime > 1, null, { ms: 30000, what: 'playback' });
    await page.evaluate(() => {
      window.removed = document.querySelector('hlsplay-video');
      window.removed.remove();
    });
    // The log has a request when its answer ends: an aborted one may still come in.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    const since = (await cdnLog(CDN)).at(-1)?.seq ?? 0;
    const state = await page.evaluate(() => ({
      player: window.removed.player, innerSrc: window.removed.media.getAttribute('src'),
    }));
    assert.equal(state.player, null);
    assert.equal(state.innerSrc, null);
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual((await cdnLog(CDN, since)).map((e) => e.path).filter((p) => !p.startsWith('/__devcdn')), [], 'no request after removal');
    // Put back: it loads again.
    await page.evaluate(() => { document.body.append(window.removed); window.removed.play().catch(() => {}); });
    await waitInPage(page, () => window.removed.player && window.removed.currentTime > 1, null,
      { ms: 30000, what: 'playback after the element is put back' });
    // Moved (removed and inserted in the same task): the same player goes on.
    const same = await page.evaluate(() => {
      const p = window.removed.player;
      const div = document.createElement('div');
      document.body.append(div);
      div.append(window.removed);
      return new Promise((r) => setTimeout(() => r(window.removed.player === p), 100));
    });
    assert.equal(same, true);
    // Removing the src attribute stops too.
    await page.evaluate(() => window.removed.removeAttribute('src'));
    assert.equal(await page.evaluate(() => window.removed.player), null);
    await page.close();
  });

  test('<track> children reach the video; the element is defined once under its name', async () => {
    const { page } = await openPage();
    const seen = await page.evaluate(async () => {
      const el = document.createElement('hlsplay-video');
      const track = document.createElement('track');
      Object.assign(track, { kind: 'captions', srclang: 'en', label: 'English' });
      el.append(track);
      document.body.append(el);
      await new Promise((r) => setTimeout(r, 50));
      const { default: C, HlsplayVideo } = await import('/pkg/hlsplay-video.js');
      return {
        tracks: el.textTracks.length, label: el.textTracks[0]?.label,
        defined: customElements.get('hlsplay-video') === C && C === HlsplayVideo,
      };
    });
    assert.deepEqual(seen, { tracks: 1, label: 'English', defined: true });
    await page.close();
  });
});
