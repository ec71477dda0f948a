// Seek-bar previews from MediaConvert's frame-capture output. MediaConvert writes the job's outputs
// side by side: `<prefix>/Default/HLS/<base>.m3u8` (or a CMAF group's `CMAF/`, or another HLS group's
// `HLS-AltAudio/`: any folder named HLS… or CMAF…) and `<prefix>/Default/Thumbnails/<base>.NNNNNNN.jpg`,
// one JPEG every INTERVAL seconds with a 7-digit counter. The first counter value depends on the job
// (0 from our sample, 1 in some jobs), so it is probed once rather than assumed.

export const INTERVAL = 5;

/** The thumbnail URL pattern for a master playlist URL, or null when it is not MediaConvert-shaped. */
export function thumbnailPattern(masterUrl) {
  let u;
  try {
    u = new URL(masterUrl, globalThis.location ? globalThis.location.href : undefined);
  } catch {
    return null;
  }
  const m = u.pathname.match(/^(.*\/)(?:HLS|CMAF)[^/]*\/([^/]+)\.m3u8$/);
  if (!m) return null;
  const [, dir, base] = m;
  // A signed URL's query (Policy/Signature/Key-Pair-Id) goes along: it is the same origin.
  return { prefix: `${u.origin}${dir}Thumbnails/${base}.`, query: u.search };
}

export function thumbnailUrl(pattern, index) {
  return `${pattern.prefix}${String(index).padStart(7, '0')}.jpg${pattern.query}`;
}

/**
 * Finds the first counter value (0 or 1) by asking for both; resolves to
 * `{ pattern, first, url(time) }`, or null when neither exists (no thumbnails for this stream).
 */
export async function probeThumbnails(masterUrl) {
  const pattern = thumbnailPattern(masterUrl);
  if (!pattern) return null;
  const exists = async (index) => {
    try {
      const r = await fetch(thumbnailUrl(pattern, index), { method: 'HEAD', credentials: 'include', cache: 'no-store' });
      return r.ok;
    } catch {
      return false;
    }
  };
  const [zero, one] = await Promise.all([exists(0), exists(1)]);
  const first = zero ? 0 : one ? 1 : null;
  if (first == null) return null;
  return {
    pattern,
    first,
    index: (time) => first + Math.max(0, Math.floor(time / INTERVAL)),
    url(time) {
      return thumbnailUrl(pattern, this.index(time));
    },
  };
}
