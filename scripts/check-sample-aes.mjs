// The encrypted shapes of scripts/make-sample.sh (aes, aes-rotation, cmaf-aes) against the clear
// shapes they were made from: key tags in MediaConvert's static-key form, and every file decrypted by
// node's crypto (not openssl, which encrypted them) with the key and IV its playlist gives, byte for
// byte the clear shape's file. Used by check-sample.mjs. Messages name key files, never key bytes.
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The attributes of a tag's attribute list, quotes removed. */
export function attrs(line) {
  const out = {};
  for (const m of line.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out[m[1]] = m[2].replace(/^"|"$/g, '');
  return out;
}

/**
 * The key tags of a media playlist and every file it names (init segments first where they appear),
 * each with the key tag in effect (`null`: clear) and its media sequence number (`null` for an init).
 */
export function mediaFiles(text) {
  const out = { tags: [], files: [] };
  let sequence = 0;
  let index = 0;
  let key = null;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) sequence = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length));
    else if (line.startsWith('#EXT-X-KEY:')) {
      key = attrs(line.slice('#EXT-X-KEY:'.length));
      if (key.METHOD === 'NONE') key = null;
      out.tags.push(line);
    } else if (line.startsWith('#EXT-X-MAP:')) out.files.push({ uri: attrs(line.slice('#EXT-X-MAP:'.length)).URI, key, sequence: null });
    else if (line && !line.startsWith('#')) {
      out.files.push({ uri: line, key, sequence: sequence + index });
      index += 1;
    }
  }
  return out;
}

/**
 * The IV of a file (RFC 8216 section 5.2): the tag's IV, else the media sequence number as a
 * 16-byte big-endian integer. `null` for an init segment without an IV (section 4.3.2.5 requires one).
 */
export function ivOf(file) {
  const iv = file.key?.IV;
  if (iv) return Buffer.from(iv.replace(/^0x/i, ''), 'hex');
  if (file.sequence == null) return null;
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(BigInt(file.sequence), 8);
  return out;
}

/** What make-sample.sh writes for a static key; `uri` must be relative (on the CDN, behind the cookies). */
function checkTag(line, where, failures) {
  const a = attrs(line.slice('#EXT-X-KEY:'.length));
  const want = { METHOD: 'AES-128', KEYFORMAT: 'identity', KEYFORMATVERSIONS: '1' };
  for (const [name, value] of Object.entries(want)) {
    if (a[name] !== value) failures.push(`${where}: ${name}=${a[name] ?? '(none)'} in the key tag, expected ${value}`);
  }
  if (!a.URI || /^[a-z][a-z0-9+.-]*:|^\//i.test(a.URI)) failures.push(`${where}: key URI ${a.URI ?? '(none)'} is not a relative URL`);
  if (a.IV !== undefined && !/^0x[0-9a-f]{32}$/i.test(a.IV)) failures.push(`${where}: IV ${a.IV} is not 0x and 32 hex digits`);
}

/**
 * Checks one encrypted rendition (`uri`, relative to `dir`) against the clear one of the same name in
 * `clearDir`. Returns the key URIs it uses and the number of files decrypted.
 */
export function checkEncryptedRendition(shape, dir, clearDir, uri, failures) {
  const where = `${shape} ${uri}`;
  const media = mediaFiles(readFileSync(resolve(dir, uri), 'utf8'));
  if (media.tags.length === 0) failures.push(`${where}: no EXT-X-KEY tag`);
  for (const tag of media.tags) checkTag(tag, where, failures);
  const keys = new Set();
  let decrypted = 0;
  for (const file of media.files) {
    if (!file.key) {
      failures.push(`${where}: ${file.uri} is not under a key tag`);
      continue;
    }
    keys.add(file.key.URI);
    const key = readFileSync(resolve(dir, file.key.URI));
    if (key.length !== 16) {
      failures.push(`${where}: key file ${file.key.URI} holds ${key.length} bytes, expected 16`);
      continue;
    }
    const iv = ivOf(file);
    if (!iv) {
      failures.push(`${where}: init segment ${file.uri} is encrypted but its key tag has no IV`);
      continue;
    }
    let clear;
    try {
      const d = createDecipheriv('aes-128-cbc', key, iv);
      clear = Buffer.concat([d.update(readFileSync(resolve(dir, file.uri))), d.final()]);
    } catch (e) {
      failures.push(`${where}: ${file.uri} does not decrypt with ${file.key.URI}: ${e.message}`);
      continue;
    }
    if (!clear.equals(readFileSync(resolve(clearDir, file.uri)))) {
      failures.push(`${where}: ${file.uri} decrypted with ${file.key.URI} differs from the clear shape's file`);
      continue;
    }
    decrypted += 1;
  }
  return { keys, decrypted };
}
