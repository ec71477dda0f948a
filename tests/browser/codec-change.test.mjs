// A level switch that changes the audio codec: the low rung's audio group is Opus, the others'
// AAC-LC (ladders that mix audio codecs across rungs, as the "Video on Demand on AWS" templates mix
// HE-AAC and AAC-LC). The audio SourceBuffer must be switched with changeType() and the sound go on.
// The fixture is made here from the CMAF sample: its video renditions, its English AAC rendition, and
// the same English audio re-encoded to Opus by ffmpeg as fMP4 HLS. (Opus, not MP3: Chromium's MSE
// takes no MPEG audio in MP4, and Debian's ffmpeg has no HE-AAC encoder.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { cdnAndBrowser, control, ROOT, waitInPage, withWorkerQuery } from './lib.mjs';

const APP = 18087;
const CDN = 19097;
const PAGE = withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/audio.html`);
const SOURCE = resolve(ROOT, 'sample/testpattern/Default/CMAF');
const FIXTURE = resolve(ROOT, 'sample/testpattern/Default/CodecChange');

const MASTER = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="opus",LANGUAGE="eng",NAME="English",AUTOSELECT=YES,DEFAULT=YES,URI="eng_opus.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="eng",NAME="English",AUTOSELECT=YES,DEFAULT=YES,URI="../CMAF/testpattern_eng.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1205600,CODECS="avc1.4d401e,opus",RESOLUTION=640x360,AUDIO="opus"
../CMAF/testpattern_360.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2305600,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=960x540,AUDIO="aac"
../CMAF/testpattern_540.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3405600,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aac"
../CMAF/testpattern_720.m3u8
`;

/** The English rendition (init + fragments, one fMP4 when joined) re-encoded to Opus fMP4 HLS. */
function makeFixture() {
  mkdirSync(FIXTURE, { recursive: true });
  const playlist = readFileSync(resolve(SOURCE, 'testpattern_eng.m3u8'), 'utf8');
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)[1];
  const files = [init, ...playlist.split('\n').filter((l) => l && !l.startsWith('#'))];
  const joined = resolve(FIXTURE, 'eng_aac.mp4');
  writeFileSync(joined, Buffer.concat(files.map((f) => readFileSync(resolve(SOURCE, f)))));
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', joined, '-c:a', 'libopus',
    '-b:a', '96k', '-f', 'hls', '-hls_time', '10', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'eng_opus_init.mp4', '-hls_segment_filename', resolve(FIXTURE, 'eng_opus_%d.m4s'),
    resolve(FIXTURE, 'eng_opus.m3u8')], { cwd: FIXTURE });
  writeFileSync(resolve(FIXTURE, 'testpattern.m3u8'), MASTER);
}

const env = cdnAndBrowser({ appPort: APP, cdnPort: CDN }, { prepare: makeFixture });

describe('audio codec change across levels', () => {
  test('Opus on the low rung, AAC above: changeType() on the audio SourceBuffer and the sound goes on', async () => {
    const page = await env.browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(PAGE);
    await waitInPage(page, () => window.hlsplayTest?.ready, null, { what: 'the test page' });
    // The Opus playlist held back: a level pinned before load() must still be the one played
    // (it was lost at load(), and the ABR moved to AAC before any Opus was fetched).
    await control(CDN, { fault: { path: '*eng_opus.m3u8', kind: 'delay', ms: 1500, count: 1 } });
    await page.evaluate((u) => {
      window.player = window.makePlayer({ capLevelToPlayerSize: false, startLevel: 0 });
      window.player.currentLevel = 0;
      window.player.load(u);
      document.getElementById('video').play().catch(() => {});
    }, `http://localhost:${CDN}/testpattern/Default/CodecChange/testpattern.m3u8`);
    const video = () => page.evaluate(() => {
      const v = document.getElementById('video');
      return { time: v.currentTime, audioBytes: v.webkitAudioDecodedByteCount };
    });
    await waitInPage(page, () => document.getElementById('video').currentTime >= 4, null,
      { ms: 30000, what: 'playback on the Opus rung' });
    const opus = await page.evaluate(() => [...window.hlsplayTest.mimes]);
    assert.ok(opus.includes('audio/mp4; codecs="opus"'), opus.join(' | '));
    const pinned = await page.evaluate(() => ({
      level: window.player.currentLevel,
      switches: window.hlsplayTest.events.filter((e) => e.name === 'levelSwitching').map((e) => e.payload),
    }));
    assert.equal(pinned.level, 0);
    assert.deepEqual(pinned.switches, [{ from: null, to: 0, reason: 'start' }], 'pinned before load(): no ABR switch');
    const heardOpus = await page.evaluate(() => window.hlsplayTest.tone());
    assert.ok(Math.abs(heardOpus - 440) <= 15, `Opus rung: heard ${heardOpus} Hz`);

    await page.evaluate(() => { window.player.currentLevel = 2; });
    await waitInPage(page, () => window.hlsplayTest.changeTypes.length > 0, null,
      { ms: 30000, what: 'changeType on the audio SourceBuffer' });
    const at = await video();
    await waitInPage(page, (t) => document.getElementById('video').currentTime >= t, at.time + 12,
      { ms: 40000, what: 'playback 12 s past the codec change' });
    const end = await video();
    const s = await page.evaluate(() => ({
      changeTypes: [...window.hlsplayTest.changeTypes],
      errors: window.hlsplayTest.events.filter((e) => e.name === 'error').map((e) => e.payload.message),
      level: window.player.currentLevel,
      audio: window.player.audioTracks.map((t) => [t.groupId, t.lang]),
    }));
    assert.deepEqual(s.changeTypes, ['audio/mp4; codecs="mp4a.40.2"']);
    assert.deepEqual(s.errors, []);
    assert.deepEqual(pageErrors, []);
    assert.equal(s.level, 2);
    assert.deepEqual(s.audio, [['aac', 'eng']], 'the language kept in the new group');
    assert.ok(end.audioBytes > at.audioBytes, `audio decoded after the change: ${at.audioBytes} -> ${end.audioBytes}`);
    const heardAac = await page.evaluate(() => window.hlsplayTest.tone());
    assert.ok(Math.abs(heardAac - 440) <= 15, `AAC rung: heard ${heardAac} Hz`);
    await page.close();
  });
});
