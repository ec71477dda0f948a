// Subtitles and captions as the element's own TextTracks: the WebVTT sample (two languages,
// MediaConvert naming, one 60 s subtitle segment per language), the CEA-608 samples (CC1 in the
// H.264: MPEG-TS with a CLOSED-CAPTIONS rendition; CMAF, whose master says nothing of them) and a
// FORCED track (a master made here over the WebVTT sample's files). Cues must be there with their text at their time; switching tracks, turning
// them off and the forced track's showing with subtitles off are checked on the real element.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  cdnAndBrowser, ROOT, waitInPage, withWorkerQuery,
} from './lib.mjs';

const APP = 18090;
const CDN = 19100;
const PAGE = withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/player.html`);
const SAMPLES = resolve(ROOT, 'sample/testpattern/Default');
const WEBVTT = resolve(SAMPLES, 'HLS-WebVTT');
const CC608 = resolve(SAMPLES, 'HLS-608');
const CMAF608 = resolve(SAMPLES, 'CMAF-608');
/** The captions `scripts/make-sample.sh` writes into the 608 samples' video (CC1 pop-on). */
const CC608_SCRIPT = resolve(ROOT, 'scripts/captions/cc608.vtt');
const FORCED = resolve(SAMPLES, 'Captions-Forced');
const url = (shape) => `http://localhost:${CDN}/testpattern/Default/${shape}/testpattern.m3u8`;

/** The WebVTT sample's master with its English rendition marked FORCED (subtitles then start off). */
function makeForced() {
  for (const [dir, how] of [[WEBVTT, 'webvtt'], [CC608, 'cc608'], [CMAF608, 'cmaf-cc608']]) {
    if (!existsSync(resolve(dir, 'testpattern.m3u8'))) {
      throw new Error(`${dir} is missing: run scripts/make-sample.sh ${how}`);
    }
  }
  mkdirSync(FORCED, { recursive: true });
  const master = readFileSync(resolve(WEBVTT, 'testpattern.m3u8'), 'utf8')
    .replace(/NAME="English",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO/, 'NAME="English forced",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES')
    .replace(/URI="([^"]+)"/g, 'URI="../HLS-WebVTT/$1"')
    .replace(/^(testpattern_\d+\.m3u8)$/gm, '../HLS-WebVTT/$1');
  assert.match(master, /FORCED=YES/, 'the English rendition marked forced');
  writeFileSync(resolve(FORCED, 'testpattern.m3u8'), master);
}

/** The cues of a WebVTT file: [{ start, end, text }] (the sample's own cue blocks). */
function vttCues(file) {
  const time = (t) => t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  const blocks = readFileSync(file, 'utf8').replace(/\r/g, '').split(/\n\n+/);
  return blocks.flatMap((block) => {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) return [];
    const [start, end] = lines[at].split('-->').map((s) => time(s.trim().split(' ')[0]));
    return [{ start, end, text: lines.slice(at + 1).join('\n').trimEnd() }];
  });
}

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN }, { prepare: makeForced });

/** A fresh page whose player loads `src` with `config`, recording the subtitle events. */
async function open(src, config = {}) {
  const page = await env.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(PAGE);
  await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
  await page.evaluate(([u, c]) => {
    window.subtitleEvents = [];
    window.player = window.makePlayer({ capLevelToPlayerSize: false, ...c });
    for (const name of ['subtitleTracksUpdated', 'subtitleTrackSwitch']) {
      window.player.on(name, (payload) => window.subtitleEvents.push({ name, payload }));
    }
    window.player.load(u);
    document.getElementById('video').play().catch(() => {});
  }, [src, config]);
  return { page, pageErrors };
}

/** Every TextTrack of the element: kind, label, language, mode and (unless disabled) its cues. */
function textTracks(page) {
  return page.evaluate(() => Array.from(document.getElementById('video').textTracks, (t) => ({
    kind: t.kind,
    label: t.label,
    language: t.language,
    mode: t.mode,
    cues: t.cues ? Array.from(t.cues, (c) => ({ start: c.startTime, end: c.endTime, text: c.text })) : null,
  })));
}

/** Waits until TextTrack `index` shows at least `n` cues. */
function cuesShown(page, index, n, what) {
  return waitInPage(page, ([i, k]) => {
    const t = document.getElementById('video').textTracks[i];
    return t && t.mode === 'showing' && t.cues && t.cues.length >= k;
  }, [index, n], { ms: 30000, what });
}

/** Every cue of `expected` among `cues`: same text, times within `tolerance` seconds. */
function assertCues(cues, expected, tolerance) {
  for (const want of expected) {
    const got = cues.find((c) => c.text === want.text);
    assert.ok(got, `no cue "${want.text}" among ${JSON.stringify(cues.map((c) => c.text))}`);
    assert.ok(Math.abs(got.start - want.start) <= tolerance && Math.abs(got.end - want.end) <= tolerance,
      `"${want.text}": ${got.start}-${got.end}, expected ${want.start}-${want.end}`);
  }
}

/** Waits until the TextTracks' modes are `modes` (a choice made on the page reaches a Worker's
 * engine and comes back as the modes after a round trip), then returns them. */
async function modesBecome(page, modes) {
  await waitInPage(page, (want) => JSON.stringify(Array.from(document.getElementById('video').textTracks,
    (t) => t.mode)) === JSON.stringify(want), modes, { ms: 5000, what: `modes ${modes.join(', ')}` })
    .catch(() => {});
  return (await textTracks(page)).map((t) => t.mode);
}

/** Seeks the element to `t`, waits for `seeked`, and returns the text of the active cues of track `index`. */
async function activeAt(page, index, t) {
  await page.evaluate((to) => new Promise((done) => {
    const v = document.getElementById('video');
    v.pause();
    v.addEventListener('seeked', done, { once: true });
    v.currentTime = to;
  }), t);
  return waitInPage(page, (i) => {
    const active = document.getElementById('video').textTracks[i].activeCues;
    return active && active.length > 0 && Array.from(active, (c) => c.text);
  }, index, { what: `an active cue at ${t} s` });
}

describe('subtitles and captions', () => {
  test('WebVTT: two languages as TextTracks, the browser-language default showing its cues at their times', async () => {
    const { page, pageErrors } = await open(url('HLS-WebVTT'));
    await cuesShown(page, 0, 12, 'the English cues');
    const tracks = await page.evaluate(() => window.player.subtitleTracks);
    assert.deepEqual(tracks, [
      { id: 0, name: 'English', lang: 'eng', groupId: 'subs', default: true, forced: false, autoselect: true, kind: 'subtitles' },
      { id: 1, name: 'Español', lang: 'spa', groupId: 'subs', default: false, forced: false, autoselect: true, kind: 'subtitles' },
    ]);
    assert.equal(await page.evaluate(() => window.player.subtitleTrack), 0);
    const events = await page.evaluate(() => window.subtitleEvents);
    assert.deepEqual(events.map((e) => e.name), ['subtitleTracksUpdated', 'subtitleTrackSwitch']);
    assert.deepEqual(events[0].payload.subtitleTracks, tracks);
    assert.deepEqual(events[1].payload, { id: 0 });
    const [en, es] = await textTracks(page);
    assert.deepEqual([en.kind, en.label, en.language, en.mode], ['subtitles', 'English', 'eng', 'showing']);
    assert.deepEqual([es.kind, es.label, es.language, es.mode], ['subtitles', 'Español', 'spa', 'disabled']);
    // The segment's cue times are program time (X-TIMESTAMP-MAP ties them to the video's first PTS).
    const expected = vttCues(resolve(WEBVTT, 'testpattern_subs_eng_00001.vtt'));
    assert.equal(en.cues.length, expected.length, 'each cue once');
    assertCues(en.cues, expected, 0.1);
    assert.deepEqual(await activeAt(page, 0, 7), ['English subtitle two']);
    assert.deepEqual(await activeAt(page, 0, 12), ['English subtitle three\non two lines']);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('WebVTT: switching to Spanish, then off; subtitleLanguage picks the first track', async () => {
    const { page, pageErrors } = await open(url('HLS-WebVTT'));
    await cuesShown(page, 0, 1, 'the English cues');
    await page.evaluate(() => { window.player.subtitleTrack = 1; });
    await cuesShown(page, 1, 12, 'the Spanish cues');
    const [en, es] = await textTracks(page);
    assert.deepEqual([en.mode, es.mode], ['disabled', 'showing']);
    assertCues(es.cues, vttCues(resolve(WEBVTT, 'testpattern_subs_spa_00001.vtt')), 0.1);
    assert.deepEqual(await activeAt(page, 1, 2), ['Subtítulo español uno']);
    await page.evaluate(() => { window.player.subtitleTrack = -1; });
    assert.deepEqual(await modesBecome(page, ['disabled', 'disabled']), ['disabled', 'disabled']);
    assert.equal(await page.evaluate(() => window.player.subtitleTrack), -1);
    const switches = await page.evaluate(() => window.subtitleEvents.filter((e) => e.name === 'subtitleTrackSwitch'));
    assert.deepEqual(switches.map((e) => e.payload.id), [0, 1, -1]);
    await page.close();

    const second = await open(url('HLS-WebVTT'), { subtitleLanguage: 'es' });
    await cuesShown(second.page, 1, 12, 'the Spanish cues, chosen by subtitleLanguage');
    assert.equal(await second.page.evaluate(() => window.player.subtitleTrack), 1);
    assert.deepEqual([...pageErrors, ...second.pageErrors], []);
    await second.page.close();
  });

  test('CEA-608: the CLOSED-CAPTIONS rendition is a captions TextTrack with the captions decoded from the video', async () => {
    const { page, pageErrors } = await open(url('HLS-608'));
    await waitInPage(page, () => window.player.subtitleTracks.length > 0, null, { what: 'the captions track' });
    assert.deepEqual(await page.evaluate(() => window.player.subtitleTracks), [
      { id: 0, name: 'English', lang: 'eng', groupId: 'cc', default: false, forced: false, autoselect: false, kind: 'captions' },
    ]);
    // Not DEFAULT: off until chosen.
    assert.equal(await page.evaluate(() => window.player.subtitleTrack), -1);
    await page.evaluate(() => { window.player.subtitleTrack = 0; });
    await cuesShown(page, 0, 4, 'the 608 captions');
    const [cc] = await textTracks(page);
    assert.deepEqual([cc.kind, cc.label, cc.language], ['captions', 'English', 'eng']);
    // The captions the sample's 608 encoder wrote (scripts/captions/cc608.vtt), within a frame or two.
    assertCues(cc.cues, [
      { start: 1, end: 3, text: 'Caption one' },
      { start: 4, end: 6, text: 'Caption two' },
      { start: 7, end: 9, text: 'Caption three\non two lines' },
    ], 0.1);
    assert.deepEqual(await activeAt(page, 0, 5), ['Caption two']);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  // MediaConvert's CMAF group writes no CLOSED-CAPTIONS (CmafGroupSettings has no caption language
  // setting): the 608 in the fMP4 video samples is found while the video is remuxed, and becomes a
  // "CC1" captions track then, as for any stream with captions it did not declare.
  test('CEA-608 in CMAF: the captions in the fMP4 video samples become a captions TextTrack "CC1" with the captions decoded', async () => {
    const master = readFileSync(resolve(CMAF608, 'testpattern.m3u8'), 'utf8');
    assert.doesNotMatch(master, /CLOSED-CAPTIONS/, 'the sample\'s master declares no captions');
    const { page, pageErrors } = await open(url('CMAF-608'));
    await waitInPage(page, () => window.player.subtitleTracks.length > 0, null,
      { ms: 30000, what: 'the captions track found in the fMP4 video' });
    assert.deepEqual(await page.evaluate(() => window.player.subtitleTracks), [
      { id: 0, name: 'CC1', lang: null, groupId: '', default: false, forced: false, autoselect: false, kind: 'captions' },
    ]);
    const updated = await page.evaluate(() => window.subtitleEvents.filter((e) => e.name === 'subtitleTracksUpdated'));
    assert.deepEqual(updated.at(-1).payload.subtitleTracks.map((t) => t.name), ['CC1']);
    // Not DEFAULT: off until chosen.
    assert.equal(await page.evaluate(() => window.player.subtitleTrack), -1);
    await page.evaluate(() => { window.player.subtitleTrack = 0; });
    await cuesShown(page, 0, 4, 'the 608 captions');
    const [cc] = await textTracks(page);
    assert.deepEqual([cc.kind, cc.label], ['captions', 'CC1']);
    // The captions the sample's 608 encoder wrote (scripts/captions/cc608.vtt), within a frame or two.
    assertCues(cc.cues, vttCues(CC608_SCRIPT).slice(0, 3), 0.1);
    assert.deepEqual(await activeAt(page, 0, 5), ['Caption two']);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('FORCED: shown with subtitles off, replaced by a chosen track, back when off again', async () => {
    const { page, pageErrors } = await open(url('Captions-Forced'));
    await cuesShown(page, 0, 12, 'the forced track\'s cues');
    assert.equal(await page.evaluate(() => window.player.subtitleTrack), -1);
    const [forced, es] = await textTracks(page);
    assert.deepEqual([forced.label, forced.mode, es.mode], ['English forced', 'showing', 'disabled']);
    assert.equal(await page.evaluate(() => window.player.subtitleTracks[0].forced), true);
    await page.evaluate(() => { window.player.subtitleTrack = 1; });
    await cuesShown(page, 1, 1, 'the Spanish cues');
    await page.evaluate(() => { window.player.subtitleTrack = -1; });
    assert.deepEqual(await modesBecome(page, ['showing', 'disabled']), ['showing', 'disabled']);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });
});
