// hlsplay/hls-compat in headless Chromium: hls.js's README example with only the import changed
// plays the sample through the local CloudFront; the constants are hls.js's own; events, their
// payloads, errors, the config mapping, level switches, stop/start, recovery and destroy behave as
// an hls.js app expects.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ROOT, cdnAndBrowser, cdnLog, control, CDN_RESET, MSE_SOURCE, sampleMaster, waitInPage, withWorkerQuery,
} from './lib.mjs';

const APP = 18088;
const CDN = 19098;
const PAGE = `http://localhost:${APP}/tests/browser/pages/hls-compat.html`;

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN });

/** A page with signed cookies for the CDN (host-only cookies of localhost: every port). */
async function openPage(url = PAGE) {
  const page = await env.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://localhost:${APP}/auth/cookies`);
  await page.goto(withWorkerQuery(url));
  return { page, pageErrors };
}

async function openCompat() {
  const opened = await openPage();
  await waitInPage(opened.page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  return opened;
}

function events(page, name) {
  return page.evaluate((n) => window.hlsplayTest.events.filter((e) => e.event === n), name);
}

const video = () => document.getElementById('video');

describe('hlsplay/hls-compat', () => {
  test('the npm tarball exports hlsplay/hls-compat and hlsplay/element, with types; both import server-side', () => {
    const work = join(ROOT, 'target/compat-pack');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'app'), { recursive: true });
    execFileSync('npm', ['pack', '--pack-destination', work, join(ROOT, 'pkg')], { stdio: 'ignore' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    writeFileSync(join(work, 'app/package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // The tarball has no dependencies: no network.
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)],
      { cwd: join(work, 'app'), stdio: 'ignore' });
    const installed = join(work, 'app/node_modules/hlsplay');
    const { exports } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    assert.deepEqual(exports['./hls-compat'], { types: './hls-compat.d.ts', default: './hls-compat.js' });
    assert.deepEqual(exports['./element'], { types: './hlsplay-video.d.ts', default: './hlsplay-video.js' });
    for (const target of Object.values(exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))) {
      assert.ok(existsSync(join(installed, target)), `${target} (an export) is in the tarball`);
    }
    // Resolved through package.json `exports` and imported under node (no DOM: an SSR build).
    const script = `
      const compat = await import('hlsplay/hls-compat');
      const element = await import('hlsplay/element');
      console.log(JSON.stringify({
        compat: import.meta.resolve('hlsplay/hls-compat'), element: import.meta.resolve('hlsplay/element'),
        supported: compat.default.isSupported(), parsed: compat.Hls.Events.MANIFEST_PARSED,
        elementClass: typeof element.default === 'function' && element.default === element.HlsplayVideo,
      }));`;
    const out = JSON.parse(execFileSync('node', ['--input-type=module', '-e', script], { cwd: join(work, 'app') }));
    assert.match(out.compat, /node_modules\/hlsplay\/hls-compat\.js$/);
    assert.match(out.element, /node_modules\/hlsplay\/hlsplay-video\.js$/);
    assert.equal(out.supported, false, 'no MediaSource under node');
    assert.equal(out.parsed, 'hlsManifestParsed');
    assert.equal(out.elementClass, true);
  });

  test("hls.js's README example, import changed, plays the sample", async () => {
    const { page, pageErrors } = await openPage(
      `http://localhost:${APP}/tests/browser/pages/hls-compat-readme.html?src=${encodeURIComponent(sampleMaster(CDN))}`);
    // Nothing here calls play(): the example's MANIFEST_PARSED listener does.
    await waitInPage(page, () => document.getElementById('video').currentTime > 3, null,
      { ms: 30000, what: 'the README example to play 3 s' });
    const state = await page.evaluate(() => {
      const v = document.getElementById('video');
      const src = v.srcObject ? `srcObject ${v.srcObject.constructor.name}` : v.src;
      return { paused: v.paused, error: v.error, src, frames: v.getVideoPlaybackQuality().totalVideoFrames };
    });
    assert.equal(state.paused, false);
    assert.equal(state.error, null);
    // Through MSE, not the element playing the m3u8: a Worker's MediaSourceHandle by default, a
    // page's MediaSource's object URL otherwise.
    assert.match(state.src, MSE_SOURCE);
    assert.ok(state.frames > 60, `frames decoded: ${state.frames}`);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test("Events, ErrorTypes and ErrorDetails are hls.js's, name for name and value for value", async () => {
    const { page } = await openCompat();
    const diff = await page.evaluate(() => {
      const out = [];
      for (const table of ['Events', 'ErrorTypes', 'ErrorDetails']) {
        const ours = window.Hls[table];
        const theirs = window.HlsJs[table];
        for (const [k, v] of Object.entries(theirs)) if (ours[k] !== v) out.push(`${table}.${k}: ${ours[k]} != ${v}`);
        for (const k of Object.keys(ours)) if (!(k in theirs)) out.push(`${table}.${k}: not in hls.js`);
      }
      return { out, count: Object.keys(window.Hls.Events).length, parsed: window.Hls.Events.MANIFEST_PARSED,
        named: window.NamedHls === window.Hls };
    });
    assert.deepEqual(diff.out, []);
    assert.ok(diff.count > 60, `${diff.count} events`);
    assert.equal(diff.parsed, 'hlsManifestParsed');
    assert.equal(diff.named, true, 'the default export is the named `Hls`');
    await page.close();
  });

  test('Hls.isSupported() is synchronous and answers before the wasm is fetched', async () => {
    const { page } = await openCompat();
    const before = await page.evaluate(() => window.supportedBeforeInit);
    assert.deepEqual(before, { supported: true, wasmFetched: false });
    assert.equal(await page.evaluate(() => window.HlsJs.isSupported()), true, 'hls.js agrees');
    await page.close();
  });

  test('attachMedia before loadSource: events in order with hls.js payloads, (event, data) listeners', async () => {
    const { page, pageErrors } = await openCompat();
    const master = sampleMaster(CDN);
    await page.evaluate((src) => {
      window.hls = window.makeHls({ capLevelToPlayerSize: false });
      window.hls.attachMedia(document.getElementById('video'));
      window.hls.loadSource(src);
      document.getElementById('video').play();
    }, master);
    await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.event === 'hlsLevelSwitched')
      && document.getElementById('video').currentTime > 1, null, { ms: 30000, what: 'a level switched and playback' });
    const all = await page.evaluate(() => window.hlsplayTest.events);
    const order = [...new Set(all.map((e) => e.event))];
    const at = (name) => order.indexOf(name);
    for (const name of ['hlsMediaAttaching', 'hlsMediaAttached', 'hlsManifestLoading', 'hlsManifestLoaded',
      'hlsManifestParsed', 'hlsLevelSwitching', 'hlsFragLoaded', 'hlsBufferAppended', 'hlsLevelSwitched']) {
      assert.ok(at(name) >= 0, `${name} fired: ${order.join(' ')}`);
    }
    assert.ok(at('hlsMediaAttaching') < at('hlsMediaAttached'));
    assert.ok(at('hlsMediaAttached') < at('hlsManifestLoading'));
    assert.ok(at('hlsManifestLoading') < at('hlsManifestParsed'));
    assert.ok(at('hlsManifestParsed') < at('hlsLevelSwitched'));
    assert.ok(all.every((e) => e.thisIsHls), 'listeners are called with the Hls as `this`');
    assert.ok(all.every((e) => typeof e.data === 'object'), 'every listener got (event, data)');

    const [loading] = await events(page, 'hlsManifestLoading');
    assert.equal(loading.data.url, master);
    const [parsed] = await events(page, 'hlsManifestParsed');
    assert.equal(parsed.data.levels.length, 3);
    assert.equal(parsed.data.firstLevel, 0);
    // The levels are the master's variants: BANDWIDTH, RESOLUTION and CODECS as the sample's master
    // (the seed's job, run by the job emulator) writes them.
    const variants = readFileSync(join(ROOT, 'sample/testpattern/Default/HLS/testpattern.m3u8'), 'utf8')
      .split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:')).map((l) => ({
        bandwidth: Number(/[:,]BANDWIDTH=(\d+)/.exec(l)[1]),
        size: /RESOLUTION=(\d+)x(\d+)/.exec(l).slice(1).map(Number),
        codecs: /CODECS="([^"]*)"/.exec(l)[1].split(','),
      }));
    assert.equal(variants.length, 3);
    assert.deepEqual(parsed.data.levels.map((l) => [l.bitrate, l.width, l.height]),
      variants.map((v) => [v.bandwidth, ...v.size]));
    // The seed's CodecSpecification RFC_4281 writes the legacy `avc1.77.30`, which the player
    // normalises for MSE as it parses the master (`avc1.4d001e`, constraint flags 0).
    const mse = (c) => c.replace(/^avc1\.(\d+)\.(\d+)$/, (_, p, l) =>
      `avc1.${Number(p).toString(16).padStart(2, '0')}00${Number(l).toString(16).padStart(2, '0')}`);
    assert.deepEqual(parsed.data.levels.map((l) => [l.videoCodec, l.audioCodec]),
      variants.map((v) => v.codecs.map(mse)));
    const [switching] = await events(page, 'hlsLevelSwitching');
    assert.equal(typeof switching.data.level, 'number');
    assert.equal(switching.data.height, parsed.data.levels[switching.data.level].height, 'the level fields with `level`');
    const [switched] = await events(page, 'hlsLevelSwitched');
    assert.equal(switched.data.level, switching.data.level);
    const [frag] = await events(page, 'hlsFragLoaded');
    const [buffered] = await events(page, 'hlsFragBuffered');
    assert.deepEqual([buffered.data.frag.sn, buffered.data.frag.level, buffered.data.id, buffered.data.stats.loaded],
      [frag.data.frag.sn, frag.data.frag.level, 'main', frag.data.stats.loaded], 'FRAG_BUFFERED: the first fragment, its stats');
    assert.equal(frag.data.frag.type, 'main');
    assert.equal(typeof frag.data.frag.sn, 'number');
    assert.ok(frag.data.stats.loaded > 10000, `bytes: ${frag.data.stats.loaded}`);
    // LEVEL_LOADED: the level's playlist, its duration the sum of its EXTINFs.
    const [levelLoaded] = await events(page, 'hlsLevelLoaded');
    assert.equal(levelLoaded.data.level, switching.data.level);
    const rung = parsed.data.levels[switching.data.level].height;
    const extinfs = readFileSync(join(ROOT, `sample/testpattern/Default/HLS/testpattern_${rung}.m3u8`), 'utf8')
      .split('\n').filter((l) => l.startsWith('#EXTINF:')).map((l) => parseFloat(l.slice(8)));
    const details = levelLoaded.data.details;
    assert.deepEqual([details.live, details.type, details.endSN - details.startSN + 1], [false, 'VOD', extinfs.length]);
    assert.ok(Math.abs(details.totalduration - extinfs.reduce((a, b) => a + b, 0)) < 0.01, `totalduration ${details.totalduration}`);
    // FRAG_CHANGED: the playhead in the first segment.
    const [changed] = await events(page, 'hlsFragChanged');
    assert.deepEqual([changed.data.frag.type, changed.data.frag.sn, changed.data.frag.level],
      ['main', details.startSN, switching.data.level]);
    assert.ok(changed.data.frag.start < 0.5, `the first segment starts at 0: ${changed.data.frag.start}`);
    // LEVEL_SWITCHED as hls.js fires it: right after the FRAG_CHANGED that put the level on screen.
    const onScreen = await page.evaluate(() => window.hlsplayTest.events.map((e) => e.event)
      .filter((e) => e === 'hlsFragChanged' || e === 'hlsLevelSwitched').slice(0, 2));
    assert.deepEqual(onScreen, ['hlsFragChanged', 'hlsLevelSwitched']);

    const props = await page.evaluate(() => {
      const h = window.hls;
      return { levels: h.levels.length, current: h.currentLevel, next: h.nextLevel, load: h.loadLevel,
        auto: h.autoLevelEnabled, bw: h.bandwidthEstimate, audioTracks: h.audioTracks, audioTrack: h.audioTrack,
        subtitleTracks: h.subtitleTracks, subtitleTrack: h.subtitleTrack, url: h.url,
        live: [h.liveSyncPosition, h.latency],
        media: h.media === document.getElementById('video'),
        playing: window.hlsplayTest.events.filter((e) => e.event === 'hlsFragChanged').at(-1)?.data.frag.level };
    });
    assert.equal(props.levels, 3);
    assert.equal(props.current, props.playing, 'currentLevel is the level of the segment playing (FRAG_CHANGED)');
    assert.ok(props.next >= 0 && props.load === props.next, `nextLevel ${props.next}, loadLevel ${props.load}`);
    assert.equal(props.auto, true);
    assert.ok(props.bw > 0, `bandwidthEstimate ${props.bw}`);
    assert.deepEqual([props.audioTracks, props.audioTrack], [[], -1], 'the sample has muxed audio only');
    assert.ok(Array.isArray(props.subtitleTracks) && props.subtitleTrack === -1);
    assert.equal(props.url, master);
    assert.deepEqual(props.live, [null, 0], 'a VOD: no liveSyncPosition, no latency');
    assert.equal(props.media, true);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('once() fires once, off() removes one listener or all of an event', async () => {
    const { page } = await openCompat();
    const counts = await page.evaluate(() => {
      const hls = new window.Hls();
      const c = { once: 0, kept: 0, removed: 0, all: 0 };
      const removed = () => { c.removed += 1; };
      hls.once('custom', () => { c.once += 1; });
      hls.on('custom', () => { c.kept += 1; });
      hls.on('custom', removed);
      hls.off('custom', removed);
      hls.on('other', () => { c.all += 1; });
      hls.trigger('custom', {});
      hls.trigger('custom', {});
      hls.off('other');
      hls.trigger('other', {});
      return c;
    });
    assert.deepEqual(counts, { once: 1, kept: 2, removed: 0, all: 0 });
    await page.close();
  });

  test("config: hls.js's buffer by default, 60 MB at the level's bitrate up to maxMaxBufferLength", async () => {
    const { page } = await openCompat();
    const goal = async (config) => {
      await page.evaluate(([src, config]) => {
        window.hls?.destroy();
        window.hls = window.makeHls(config);
        window.hls.loadSource(src);
        window.hls.attachMedia(document.getElementById('video'));
      }, [sampleMaster(CDN), config]);
      await waitInPage(page, () => window.hls.player?.currentLevel >= 0, null, { what: 'a level chosen' });
      return page.evaluate(() => ({
        goal: window.hls.player.bufferGoal,
        bitrate: window.hls.levels[window.hls.player.currentLevel]?.bitrate,
      }));
    };
    // hls.js's defaults: 60 MB hold 160-480 s of a 1-3 Mbps level, capped at 600 s.
    const deep = await goal({});
    const expected = Math.min(Math.max(60e6 * 8 / deep.bitrate, 30), 600);
    assert.ok(Math.abs(deep.goal - expected) < 1, `goal ${deep.goal} s, expected ${expected} s at ${deep.bitrate} bits/s`);
    assert.ok(deep.goal > 30, `${deep.goal}`);
    const capped = await goal({ maxMaxBufferLength: 45 });
    assert.equal(capped.goal, 45, 'maxMaxBufferLength caps it');
    await page.close();
  });

  test('config: mapped keys reach Player, the unmapped ones are named in one warning', async () => {
    const { page } = await openCompat();
    await page.evaluate((src) => {
      window.hls = window.makeHls({
        maxBufferLength: 8, maxBufferSize: 0, backBufferLength: 20, enableWorker: false, lowLatencyMode: false,
        xhrSetup: () => {}, startLevel: 0, capLevelToPlayerSize: false, abrEwmaDefaultEstimate: 900000,
      });
      window.hls.loadSource(src);
      window.hls.attachMedia(document.getElementById('video'));
    }, sampleMaster(CDN));
    await waitInPage(page, () => window.hls.player && window.hls.levels.length === 3, null, { what: 'the manifest' });
    const seen = await page.evaluate(() => ({
      goal: window.hls.player.bufferGoal, warnings: window.hlsplayTest.warnings,
      workerActive: window.hls.player.workerActive,
      first: window.hlsplayTest.events.find((e) => e.event === 'hlsLevelSwitching')?.data.level,
    }));
    assert.equal(seen.goal, 8, 'maxBufferLength -> bufferGoal (maxBufferSize 0: no deeper goal by bytes)');
    assert.equal(seen.first, 0, 'startLevel');
    assert.equal(seen.workerActive, false, 'enableWorker -> worker (the default is true)');
    const compat = seen.warnings.filter((w) => w.includes('hls-compat'));
    assert.equal(compat.length, 1, `one warning: ${JSON.stringify(seen.warnings)}`);
    assert.match(compat[0], /lowLatencyMode/);
    assert.match(compat[0], /xhrSetup/);
    assert.match(compat[0], /credentials/, 'the note that signed cookies need no xhrSetup');
    assert.doesNotMatch(compat[0], /maxBufferLength|backBufferLength|enableWorker|startLevel|capLevelToPlayerSize|abrEwma/);
    await page.close();
  });

  test('errors: hls.js type, details, fatal and response, fatal and not', async () => {
    const { page } = await openCompat();
    await control(CDN, CDN_RESET);
    // A master that is not there: fatal manifestLoadError, 404.
    const missing = `http://localhost:${CDN}/testpattern/Default/HLS/nothing.m3u8`;
    await page.evaluate((src) => {
      window.hls = window.makeHls();
      window.hls.loadSource(src);
      window.hls.attachMedia(document.getElementById('video'));
    }, missing);
    await waitInPage(page, () => window.hlsplayTest.events.some((e) => e.event === 'hlsError' && e.data.fatal), null,
      { ms: 30000, what: 'a fatal error' });
    const fatal = (await events(page, 'hlsError')).find((e) => e.data.fatal).data;
    assert.equal(fatal.type, 'networkError');
    assert.equal(fatal.details, 'manifestLoadError');
    assert.equal(fatal.fatal, true);
    assert.equal(fatal.response.code, 404);
    assert.match(fatal.url, /nothing\.m3u8/);
    assert.equal(typeof fatal.reason, 'string');
    assert.ok(fatal.hlsplayError && fatal.hlsplayError.kind === 'not_found', JSON.stringify(fatal.hlsplayError));

    // A segment refused once with 503: a non-fatal fragLoadError, and playback goes on.
    await page.evaluate(() => { window.hls.destroy(); window.hlsplayTest.events.length = 0; });
    await control(CDN, { fault: { path: '*.ts', kind: '503', count: 1 } });
    await page.evaluate((src) => {
      window.hls = window.makeHls();
      window.hls.attachMedia(document.getElementById('video'));
      window.hls.loadSource(src);
      document.getElementById('video').play();
    }, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 1
      && window.hlsplayTest.events.some((e) => e.event === 'hlsError'), null, { ms: 30000, what: 'the 503 reported and playback' });
    const errors = (await events(page, 'hlsError')).map((e) => e.data);
    const frag = errors.find((e) => e.response?.code === 503);
    assert.ok(frag, JSON.stringify(errors));
    assert.equal(frag.type, 'networkError');
    assert.equal(frag.details, 'fragLoadError');
    assert.equal(frag.fatal, false);
    assert.deepEqual(errors.filter((e) => e.fatal), []);
    await control(CDN, CDN_RESET);
    await page.close();
  });

  test('autoLevelCapping set before attachMedia bounds the ABR; maxAutoLevel reports it', async () => {
    const { page, pageErrors } = await openCompat();
    await page.evaluate((src) => {
      window.hls = window.makeHls({ capLevelToPlayerSize: false });
      window.hls.autoLevelCapping = 1;
      window.hls.loadSource(src);
      window.hls.attachMedia(document.getElementById('video'));
      document.getElementById('video').play();
    }, sampleMaster(CDN));
    await waitInPage(page, () => window.hlsplayTest.events.filter((e) => e.event === 'hlsFragLoaded').length >= 3,
      null, { ms: 30000, what: 'three fragments' });
    const levels = (await events(page, 'hlsFragLoaded')).map((e) => e.data.frag.level);
    assert.ok(levels.every((l) => l <= 1) && levels.includes(1), `levels under the cap: ${levels}`);
    assert.deepEqual(await page.evaluate(() => [window.hls.autoLevelCapping, window.hls.maxAutoLevel]), [1, 1]);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('currentLevel = n switches now (the buffer ahead replaced); -1 returns to automatic', async () => {
    const { page } = await openCompat();
    await page.evaluate((src) => {
      window.hls = window.makeHls({ capLevelToPlayerSize: false, startLevel: 2, maxBufferLength: 30 });
      window.hls.loadSource(src);
      window.hls.attachMedia(document.getElementById('video'));
      document.getElementById('video').play();
    }, sampleMaster(CDN));
    // Playing level 2 with well over 10 s buffered ahead: a switch at the next load would show
    // level 0 only after that buffer has played.
    await waitInPage(page, () => {
      const v = document.getElementById('video');
      const b = v.buffered;
      return window.hls.currentLevel === 2 && v.videoHeight === 720 && b.length && b.end(b.length - 1) - v.currentTime > 12;
    }, null, { ms: 30000, what: 'level 2 playing with 12 s ahead' });
    const t0 = await page.evaluate(() => {
      const t = document.getElementById('video').currentTime;
      window.hlsplayTest.events.length = 0;
      window.hls.currentLevel = 0;
      return t;
    });
    assert.equal(await page.evaluate(() => window.hls.autoLevelEnabled), false);
    // currentLevel follows the playhead (FRAG_CHANGED, from the element's state a tick later).
    await waitInPage(page, () => document.getElementById('video').videoHeight === 360
      && !document.getElementById('video').paused && window.hls.currentLevel === 0, null,
    { ms: 10000, what: 'level 0 on screen' });
    const after = await page.evaluate(() => ({
      time: document.getElementById('video').currentTime, current: window.hls.currentLevel,
      switched: window.hlsplayTest.events.filter((e) => e.event === 'hlsLevelSwitched').map((e) => e.data.level),
      reparsed: window.hlsplayTest.events.some((e) => e.event === 'hlsManifestParsed'),
    }));
    assert.ok(after.time - t0 < 8, `on screen after ${(after.time - t0).toFixed(1)} s of media, not after the buffer`);
    assert.ok(after.time >= t0 - 0.5, `the playhead stays: ${t0} -> ${after.time}`);
    assert.deepEqual(after.switched, [0]);
    assert.equal(after.current, 0);
    assert.equal(after.reparsed, false, 'no second MANIFEST_PARSED');
    await page.evaluate(() => { window.hls.currentLevel = -1; });
    assert.equal(await page.evaluate(() => window.hls.autoLevelEnabled), true);
    // nextLevel: from the next segment on, the buffer kept.
    const kept = await page.evaluate(() => {
      const v = document.getElementById('video');
      window.hls.nextLevel = 1;
      return v.buffered.end(v.buffered.length - 1);
    });
    await new Promise((r) => setTimeout(r, 500));
    const bufferedEnd = await page.evaluate(() => { const b = document.getElementById('video').buffered; return b.end(b.length - 1); });
    assert.ok(bufferedEnd >= kept, `nextLevel keeps the buffer: ${kept} -> ${bufferedEnd}`);
    assert.equal(await page.evaluate(() => window.hls.autoLevelEnabled), false);
    await page.close();
  });

  test('stopLoad() stops requests while the buffer plays on, startLoad() resumes; recoverMediaError() keeps the position', async () => {
    const { page } = await openCompat();
    await page.evaluate((src) => {
      window.hls = window.makeHls();
      window.hls.loadSource(src);
      window.hls.attachMedia(document.getElementById('video'));
      document.getElementById('video').play();
    }, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 3, null, { ms: 30000, what: 'playback' });
    const stoppedAt = await page.evaluate(() => {
      const t = document.getElementById('video').currentTime;
      window.hls.stopLoad();
      return t;
    });
    await new Promise((r) => setTimeout(r, 500));
    const since = (await cdnLog(CDN)).at(-1)?.seq ?? 0;
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual((await cdnLog(CDN, since)).map((e) => e.path).filter((p) => !p.startsWith('/__devcdn')), [], 'no request after stopLoad()');
    // As in hls.js, the stream and its buffer stay: the picture plays on from what is buffered.
    const whileStopped = await page.evaluate(() => document.getElementById('video').currentTime);
    assert.ok(whileStopped > stoppedAt + 1.5, `played on while stopped: ${stoppedAt} -> ${whileStopped}`);
    await page.evaluate(() => window.hls.startLoad());
    await waitInPage(page, (t) => document.getElementById('video').currentTime > t + 1, whileStopped,
      { ms: 20000, what: 'playback after startLoad()' });
    const loading = await events(page, 'hlsManifestLoading');
    assert.equal(loading.length, 1, 'startLoad() resumes the same stream, no reload');

    const before = await page.evaluate(() => {
      const t = document.getElementById('video').currentTime;
      window.hls.recoverMediaError();
      return t;
    });
    await waitInPage(page, (t) => document.getElementById('video').currentTime > t + 1, before,
      { ms: 20000, what: 'playback after recoverMediaError()' });
    const fatal = (await events(page, 'hlsError')).filter((e) => e.data.fatal);
    assert.deepEqual(fatal, []);
    await page.close();
  });

  test('destroy(): DESTROYING and MEDIA_DETACHED, then no events and no requests', async () => {
    const { page } = await openCompat();
    await page.evaluate((src) => {
      window.hls = window.makeHls();
      window.hls.loadSource(src);
      window.hls.attachMedia(document.getElementById('video'));
      document.getElementById('video').play();
    }, sampleMaster(CDN));
    await waitInPage(page, () => document.getElementById('video').currentTime > 1, null, { ms: 30000, what: 'playback' });
    const tail = await page.evaluate(() => {
      const n = window.hlsplayTest.events.length;
      window.hls.destroy();
      return window.hlsplayTest.events.slice(n).map((e) => e.event);
    });
    assert.deepEqual(tail, ['hlsDestroying', 'hlsMediaDetaching', 'hlsMediaDetached']);
    // The log has a request when its answer ends: an aborted one may still come in.
    await new Promise((r) => setTimeout(r, 500));
    const since = (await cdnLog(CDN)).at(-1)?.seq ?? 0;
    const count = await page.evaluate(() => window.hlsplayTest.events.length);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await page.evaluate(() => window.hlsplayTest.events.length), count, 'no event after destroy()');
    assert.deepEqual((await cdnLog(CDN, since)).map((e) => e.path).filter((p) => !p.startsWith('/__devcdn')), [], 'no request after destroy()');
    assert.equal(await page.evaluate(() => window.hls.player), null);
    await page.close();
  });
});
