// The sample streams the demo offers (scripts/make-sample.sh, one per MediaConvert output shape), the
// audio-language and captions menus' labels, and the page's query parameters for them. Pure: tested by
// node.

/**
 * The shapes of `scripts/make-sample.sh all`, as the local CloudFront serves them under its root.
 * `segments`: the devcdn path pattern of their media segments, for the CDN panel's faults (CMAF: the
 * numbered `.cmfv`/`.cmfa` segments; single files: every byte range of a rendition's file). `keys`:
 * the pattern of the AES-128 shapes' key files (beside the playlists, behind the same cookies).
 */
export const SAMPLE_SOURCES = [
  { id: 'ts', label: 'TS ladder (muxed audio)', path: '/testpattern/Default/HLS/testpattern.m3u8', segments: '*.ts' },
  { id: 'cmaf', label: 'CMAF (fMP4, 2 audio languages)', path: '/testpattern/Default/CMAF/testpattern.m3u8', segments: '*_?????????.cmf?' },
  { id: 'cmaf-single-file', label: 'CMAF single file (byte ranges)', path: '/testpattern/Default/CMAF-SingleFile/testpattern.m3u8', segments: '*.cmf?' },
  { id: 'apple-alt-audio', label: 'Apple HLS, alternate audio (TS)', path: '/testpattern/Default/HLS-AltAudio/testpattern.m3u8', segments: '*.ts' },
  { id: 'aes', label: 'TS ladder, AES-128 (static key)', path: '/testpattern/Default/HLS-AES/testpattern.m3u8', segments: '*.ts', keys: '*.key' },
  { id: 'aes-rotation', label: 'TS ladder, AES-128 (key rotation)', path: '/testpattern/Default/HLS-AES-Rotation/testpattern.m3u8', segments: '*.ts', keys: '*.key' },
  { id: 'cmaf-aes', label: 'CMAF, AES-128 (whole segments)', path: '/testpattern/Default/CMAF-AES/testpattern.m3u8', segments: '*_?????????.cmf?', keys: '*.key' },
  { id: 'webvtt', label: 'TS ladder, WebVTT subtitles (2 languages)', path: '/testpattern/Default/HLS-WebVTT/testpattern.m3u8', segments: '*.ts' },
  { id: 'webvtt-match-video', label: 'TS ladder, WebVTT subtitles cut with the video', path: '/testpattern/Default/HLS-WebVTT-MatchVideo/testpattern.m3u8', segments: '*.ts' },
  { id: 'cc608', label: 'TS ladder, CEA-608 captions in the video', path: '/testpattern/Default/HLS-608/testpattern.m3u8', segments: '*.ts' },
  { id: 'cmaf-cc608', label: 'CMAF, CEA-608 captions in the video', path: '/testpattern/Default/CMAF-608/testpattern.m3u8', segments: '*_?????????.cmf?' },
];

/** The fault pattern for the segments of `source` (an id, or 'custom': MPEG-TS assumed). */
export const segmentPattern = (source) => (sampleSource(source) || SAMPLE_SOURCES[0]).segments;

/** The fault pattern for the key files of `source`, or null: clear, or a custom URL (its keys may be
 * named anything, or live on another host). */
export const keyPattern = (source) => sampleSource(source)?.keys ?? null;

/**
 * What the CDN panel's fault menu arms for `value` while `source` plays: `403`, `stall`... aim at the
 * next segment, `key:403`, `key:corrupt`... at the next key request. Returns `{ kind, path, what }`,
 * or null for a key fault on a source without keys.
 */
export function faultTarget(source, value) {
  const [target, kind] = value.startsWith('key:') ? ['key', value.slice(4)] : ['segment', value];
  const path = target === 'key' ? keyPattern(source) : segmentPattern(source);
  return path ? { kind, path, what: target } : null;
}

// The names make-sample.sh also accepts.
const ALIASES = { 'cmaf-byterange': 'cmaf-single-file', apple: 'apple-alt-audio' };

/** The sample with this id (or alias), or null. */
export function sampleSource(id) {
  const want = ALIASES[id] || id;
  return SAMPLE_SOURCES.find((s) => s.id === want) || null;
}

/** The master playlist URL of a sample on the CDN at `cdn` (an origin such as http://localhost:9090). */
export const sampleUrl = (cdn, source) => `${cdn}${source.path}`;

/** The id of the sample `src` plays from `cdn`, or 'custom' for any other URL. */
export function sourceOf(src, cdn) {
  const hit = SAMPLE_SOURCES.find((s) => sampleUrl(cdn, s) === src);
  return hit ? hit.id : 'custom';
}

/**
 * What to play for the page's query: `?src=URL` wins, then `?source=NAME` (a sample), then the first
 * sample. Returns `{ src, source, unknown }`, `unknown` naming a `?source=` that is not a sample.
 */
export function initialSource(params, cdn) {
  const src = params.get('src');
  if (src) return { src, source: sourceOf(src, cdn), unknown: null };
  const name = params.get('source');
  const picked = name ? sampleSource(name) : null;
  const source = picked || SAMPLE_SOURCES[0];
  return { src: sampleUrl(cdn, source), source: source.id, unknown: name && !picked ? name : null };
}

/** One line of the audio menu for an entry of `player.audioTracks`: "Français (fra, 2 ch)". */
export function audioTrackLabel(t) {
  if (!t) return '–';
  const name = t.name || t.lang || `track ${t.id}`;
  const extra = [t.lang && t.lang !== name ? t.lang : null, t.channels ? `${t.channels} ch` : null].filter(Boolean);
  return extra.length ? `${name} (${extra.join(', ')})` : name;
}

/**
 * The audio menu for `player.audioTracks` and `player.audioTrack`: `[{ value, label, selected }]`,
 * one entry per track; a single disabled entry saying why there is no choice when there are none.
 */
export function audioMenu(tracks, current) {
  if (!Array.isArray(tracks) || tracks.length === 0) {
    return [{ value: '', label: 'in the video (no alternate audio)', selected: true, disabled: true }];
  }
  return tracks.map((t, i) => ({
    value: String(i),
    label: `${audioTrackLabel(t)}${t.default ? ' · default' : ''}`,
    selected: i === current,
  }));
}

/** One line of the captions menu for an entry of `player.subtitleTracks`: "Español (spa) · forced". */
export function subtitleTrackLabel(t) {
  if (!t) return 'off';
  const name = t.name || t.lang || `track ${t.id}`;
  const lang = t.lang && t.lang !== name ? ` (${t.lang})` : '';
  const notes = [t.kind === 'captions' ? 'CC' : null, t.forced ? 'forced' : null, t.default ? 'default' : null].filter(Boolean);
  return `${name}${lang}${notes.length ? ` · ${notes.join(' · ')}` : ''}`;
}

/**
 * The index in `tracks` of the track a `subtitleTrackSwitch` names by `id`, or -1 (off, or a track the
 * list does not have).
 */
export function subtitleIndex(tracks, id) {
  if (!Array.isArray(tracks) || !Number.isInteger(id) || id < 0) return -1;
  return tracks.findIndex((t) => t && t.id === id);
}

/**
 * The captions menu for `player.subtitleTracks` and `player.subtitleTrack` (-1: off): `[{ value, label,
 * selected }]`, "Off" then one entry per track, values the indexes `player.subtitleTrack` takes; a single
 * disabled entry saying so when there are no tracks (or the package has no captions API).
 */
export function subtitleMenu(tracks, current) {
  if (!Array.isArray(tracks) || tracks.length === 0) {
    return [{ value: '', label: 'no captions', selected: true, disabled: true }];
  }
  const on = Number.isInteger(current) && current >= 0 && current < tracks.length;
  return [
    { value: '-1', label: 'Off', selected: !on },
    ...tracks.map((t, i) => ({ value: String(i), label: subtitleTrackLabel(t), selected: on && i === current })),
  ];
}
