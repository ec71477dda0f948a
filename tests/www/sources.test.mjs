// node --test tests/www — the demo's sample menu (the shapes of scripts/make-sample.sh), audio and captions menus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SAMPLE_SOURCES, audioMenu, audioTrackLabel, faultTarget, initialSource, keyPattern, sampleSource, sampleUrl, segmentPattern,
  sourceOf, subtitleIndex, subtitleMenu, subtitleTrackLabel,
} from '../../www/sources.js';

const CDN = 'http://localhost:9090';

test('the shapes of make-sample.sh, at the paths it writes', () => {
  assert.deepEqual(SAMPLE_SOURCES.map((s) => s.id),
    ['ts', 'cmaf', 'cmaf-single-file', 'apple-alt-audio', 'aes', 'aes-rotation', 'cmaf-aes', 'webvtt', 'webvtt-match-video', 'cc608', 'cmaf-cc608']);
  assert.equal(sampleUrl(CDN, sampleSource('ts')), 'http://localhost:9090/testpattern/Default/HLS/testpattern.m3u8');
  assert.equal(sampleSource('cmaf').path, '/testpattern/Default/CMAF/testpattern.m3u8');
  assert.equal(sampleSource('cmaf-single-file').path, '/testpattern/Default/CMAF-SingleFile/testpattern.m3u8');
  assert.equal(sampleSource('apple-alt-audio').path, '/testpattern/Default/HLS-AltAudio/testpattern.m3u8');
  assert.equal(sampleSource('aes').path, '/testpattern/Default/HLS-AES/testpattern.m3u8');
  assert.equal(sampleSource('aes-rotation').path, '/testpattern/Default/HLS-AES-Rotation/testpattern.m3u8');
  assert.equal(sampleSource('cmaf-aes').path, '/testpattern/Default/CMAF-AES/testpattern.m3u8');
  assert.equal(sampleSource('webvtt').path, '/testpattern/Default/HLS-WebVTT/testpattern.m3u8');
  assert.equal(sampleSource('webvtt-match-video').path, '/testpattern/Default/HLS-WebVTT-MatchVideo/testpattern.m3u8');
  assert.equal(sampleSource('cc608').path, '/testpattern/Default/HLS-608/testpattern.m3u8');
  assert.equal(sampleSource('cmaf-cc608').path, '/testpattern/Default/CMAF-608/testpattern.m3u8');
  // The caption shapes' segments are the ladder's MPEG-TS (the .vtt files are not faulted).
  assert.equal(segmentPattern('webvtt'), '*.ts');
  assert.equal(segmentPattern('webvtt-match-video'), '*.ts');
  assert.equal(segmentPattern('cc608'), '*.ts');
  assert.equal(segmentPattern('cmaf-cc608'), '*_?????????.cmf?');
  // The aliases make-sample.sh accepts.
  assert.equal(sampleSource('cmaf-byterange').id, 'cmaf-single-file');
  assert.equal(sampleSource('apple').id, 'apple-alt-audio');
  assert.equal(sampleSource('dash'), null);
});

test('faults aim at each shape\'s media segments', () => {
  assert.equal(segmentPattern('ts'), '*.ts');
  assert.equal(segmentPattern('apple-alt-audio'), '*.ts');
  assert.equal(segmentPattern('cmaf'), '*_?????????.cmf?');
  assert.equal(segmentPattern('cmaf-single-file'), '*.cmf?');
  assert.equal(segmentPattern('custom'), '*.ts');
  assert.equal(segmentPattern('aes'), '*.ts');
  assert.equal(segmentPattern('aes-rotation'), '*.ts');
  assert.equal(segmentPattern('cmaf-aes'), '*_?????????.cmf?');
});

test('key faults aim at the encrypted shapes\' key files, and at nothing for the others', () => {
  for (const id of ['aes', 'aes-rotation', 'cmaf-aes']) {
    assert.equal(keyPattern(id), '*.key', id);
    assert.deepEqual(faultTarget(id, 'key:403'), { kind: '403', path: '*.key', what: 'key' }, id);
    assert.deepEqual(faultTarget(id, 'key:corrupt'), { kind: 'corrupt', path: '*.key', what: 'key' }, id);
  }
  for (const id of ['ts', 'cmaf', 'cmaf-single-file', 'apple-alt-audio', 'custom']) {
    assert.equal(keyPattern(id), null, id);
    assert.equal(faultTarget(id, 'key:403'), null, id);
  }
  // Segment faults keep following the shape, encrypted or not.
  assert.deepEqual(faultTarget('cmaf-aes', '503'), { kind: '503', path: '*_?????????.cmf?', what: 'segment' });
  assert.deepEqual(faultTarget('custom', 'stall'), { kind: 'stall', path: '*.ts', what: 'segment' });
});

test('a URL is a sample only on this CDN', () => {
  assert.equal(sourceOf(`${CDN}/testpattern/Default/CMAF/testpattern.m3u8`, CDN), 'cmaf');
  assert.equal(sourceOf('http://localhost:9191/testpattern/Default/CMAF/testpattern.m3u8', CDN), 'custom');
  assert.equal(sourceOf('https://cdn.example.com/x/Default/HLS/x.m3u8', CDN), 'custom');
});

test('?src wins over ?source; an unknown ?source falls back to the first sample and is named', () => {
  const q = (s) => new URLSearchParams(s);
  assert.deepEqual(initialSource(q(''), CDN), { src: `${CDN}/testpattern/Default/HLS/testpattern.m3u8`, source: 'ts', unknown: null });
  assert.deepEqual(initialSource(q('source=apple'), CDN),
    { src: `${CDN}/testpattern/Default/HLS-AltAudio/testpattern.m3u8`, source: 'apple-alt-audio', unknown: null });
  assert.deepEqual(initialSource(q('source=cmaf&src=https://a.example/m.m3u8'), CDN),
    { src: 'https://a.example/m.m3u8', source: 'custom', unknown: null });
  assert.equal(initialSource(q('source=nope'), CDN).source, 'ts');
  assert.equal(initialSource(q('source=nope'), CDN).unknown, 'nope');
});

// Entries as the player gives them (hls.js's audioTracks fields).
const tracks = [
  { id: 0, name: 'English', lang: 'eng', groupId: 'program_audio_0', default: true, autoselect: true, channels: null },
  { id: 1, name: 'Français', lang: 'fra', groupId: 'program_audio_0', default: false, autoselect: true, channels: '2' },
];

test('audio track labels: NAME, then the language and channels when they add something', () => {
  assert.equal(audioTrackLabel(tracks[0]), 'English (eng)');
  assert.equal(audioTrackLabel(tracks[1]), 'Français (fra, 2 ch)');
  assert.equal(audioTrackLabel({ id: 3, name: '', lang: 'de', channels: null }), 'de');
  assert.equal(audioTrackLabel({ id: 3, name: '', lang: null, channels: '6' }), 'track 3 (6 ch)');
  assert.equal(audioTrackLabel(undefined), '–');
});

test('the audio menu: one entry per track, the playing one selected; none says why', () => {
  assert.deepEqual(audioMenu(tracks, 1), [
    { value: '0', label: 'English (eng) · default', selected: false },
    { value: '1', label: 'Français (fra, 2 ch)', selected: true },
  ]);
  assert.equal(audioMenu(tracks, -1).filter((e) => e.selected).length, 0);
  for (const none of [[], undefined, null]) {
    const menu = audioMenu(none, -1);
    assert.equal(menu.length, 1);
    assert.equal(menu[0].disabled, true);
    assert.match(menu[0].label, /in the video/);
  }
});

// Entries as the player gives them (hls.js's subtitleTracks fields): the webvtt sample's two
// renditions, and the cc608 sample's CLOSED-CAPTIONS one.
const subs = [
  { id: 0, name: 'English', lang: 'eng', groupId: 'subs', default: true, forced: false, autoselect: true, kind: 'subtitles' },
  { id: 1, name: 'Español', lang: 'spa', groupId: 'subs', default: false, forced: true, autoselect: true, kind: 'subtitles' },
];
const cc = [{ id: 0, name: 'English', lang: 'eng', groupId: 'cc', default: false, forced: false, autoselect: false, kind: 'captions' }];

test('caption track labels: NAME, the language, and CC / forced / default', () => {
  assert.equal(subtitleTrackLabel(subs[0]), 'English (eng) · default');
  assert.equal(subtitleTrackLabel(subs[1]), 'Español (spa) · forced');
  assert.equal(subtitleTrackLabel(cc[0]), 'English (eng) · CC');
  assert.equal(subtitleTrackLabel({ id: 2, name: 'CC1', lang: null, kind: 'captions' }), 'CC1 · CC');
  assert.equal(subtitleTrackLabel({ id: 4, name: '', lang: '' }), 'track 4');
  assert.equal(subtitleTrackLabel(undefined), 'off');
});

test('the captions menu: Off, then one entry per track, the showing one selected', () => {
  assert.deepEqual(subtitleMenu(subs, 1), [
    { value: '-1', label: 'Off', selected: false },
    { value: '0', label: 'English (eng) · default', selected: false },
    { value: '1', label: 'Español (spa) · forced', selected: true },
  ]);
  // Off (-1), or an index the list does not have, selects Off.
  for (const off of [-1, 2, undefined, 0.5]) {
    const menu = subtitleMenu(subs, off);
    assert.deepEqual(menu.filter((e) => e.selected).map((e) => e.value), ['-1'], String(off));
  }
  assert.deepEqual(subtitleMenu(cc, 0).map((e) => [e.value, e.selected]), [['-1', false], ['0', true]]);
});

test('no tracks, or a package without the captions API, says "no captions"', () => {
  for (const none of [[], undefined, null, {}]) {
    assert.deepEqual(subtitleMenu(none, -1), [{ value: '', label: 'no captions', selected: true, disabled: true }]);
  }
});

test('a subtitleTrackSwitch id names a track of the list, or none', () => {
  assert.equal(subtitleIndex(subs, 1), 1);
  assert.equal(subtitleIndex(subs, 0), 0);
  assert.equal(subtitleIndex(subs, -1), -1);
  assert.equal(subtitleIndex(subs, 7), -1);
  assert.equal(subtitleIndex(undefined, 0), -1);
  // ids are looked up, not taken as indexes.
  assert.equal(subtitleIndex([{ id: 5 }, { id: 3 }], 3), 1);
});
