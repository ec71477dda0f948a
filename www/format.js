// Pure helpers of the demo page (no DOM), so node can test them: units, names, error sentences.

export const fmtBps = (bps) => (bps == null || !Number.isFinite(bps) || bps <= 0 ? '–'
  : bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mbps` : `${Math.round(bps / 1e3)} kbps`);

export const fmtBytes = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${Math.round(b / 1e3)} kB` : `${b} B`);

export function fmtTime(s) {
  if (!Number.isFinite(s) || s < 0) s = 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(Math.floor(s % 60)).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "720p · 3.41 Mbps" from a level of `manifestParsed` (average bitrate when the playlist has one). */
export function levelName(l) {
  if (!l) return '–';
  const res = l.height ? `${l.height}p` : `level ${l.index}`;
  return `${res} · ${fmtBps(l.averageBitrate || l.bitrate)}`;
}

// CloudFront's refusal codes, in words a viewer (or a developer at 2 a.m.) understands.
export const CLOUDFRONT_CODES = {
  MissingKey: 'missing signed cookies',
  AccessDenied: 'signed cookies refused: expired, or not valid for this URL',
  InvalidKey: 'signed with a key the CDN does not trust',
  MalformedSignature: 'the signature cookie is malformed',
  MalformedPolicy: 'the policy cookie is malformed',
  InvalidObjectState: 'the video is archived (Glacier) and cannot be played until restored',
};

/** Removes "(https://…)" from a message: the banner shows the URL on its own line. */
export const stripUrls = (text) => text.replace(/\s*\((?:https?|blob):[^)]*\)/g, '');

/** The one sentence the error banner leads with, for an `error` event's payload. */
export function describeError(e) {
  const text = `${e.details || ''} ${e.message || ''}`;
  const code = Object.keys(CLOUDFRONT_CODES).find((c) => new RegExp(`\\b${c}\\b`).test(text));
  if (code) return `${CLOUDFRONT_CODES[code]} (${code})`;
  const msg = stripUrls(e.message || '');
  return msg || `${e.kind}${e.details ? `: ${e.details}` : ''}`;
}

/**
 * Seconds buffered ahead of `t` in `buffered` (a TimeRanges), 0 when `t` is in no range. Playback can
 * sit a little before the first range starts (B-frame delay), hence the tolerance.
 */
export function forwardBuffer(buffered, t, tolerance = 0.2) {
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) - tolerance <= t && t <= buffered.end(i)) return buffered.end(i) - t;
  }
  return 0;
}
