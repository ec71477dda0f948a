// node --test tests/www — the demo page's thumbnail naming (MediaConvert frame-capture output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeThumbnails, thumbnailPattern, thumbnailUrl } from '../../www/thumbs.js';

test('thumbnail names sit beside the HLS folder with a 7-digit counter', () => {
  const p = thumbnailPattern('https://cdn.example.com/video/clip/Default/HLS/clip.m3u8');
  assert.equal(thumbnailUrl(p, 0), 'https://cdn.example.com/video/clip/Default/Thumbnails/clip.0000000.jpg');
  assert.equal(thumbnailUrl(p, 123), 'https://cdn.example.com/video/clip/Default/Thumbnails/clip.0000123.jpg');
});

test('the other output groups of the job (CMAF, a second HLS group) share the thumbnails', () => {
  for (const dir of ['CMAF', 'CMAF-SingleFile', 'HLS-AltAudio']) {
    const p = thumbnailPattern(`https://cdn.example.com/video/clip/Default/${dir}/clip.m3u8`);
    assert.equal(thumbnailUrl(p, 2), 'https://cdn.example.com/video/clip/Default/Thumbnails/clip.0000002.jpg', dir);
  }
  assert.equal(thumbnailPattern('https://cdn.example.com/video/clip/Default/DASH/clip.m3u8'), null);
});

test('a signed URL query goes along to the thumbnails', () => {
  const p = thumbnailPattern('https://cdn.example.com/v/Default/HLS/a.m3u8?Policy=P&Signature=S&Key-Pair-Id=K');
  assert.equal(thumbnailUrl(p, 1), 'https://cdn.example.com/v/Default/Thumbnails/a.0000001.jpg?Policy=P&Signature=S&Key-Pair-Id=K');
});

test('playlists not in an HLS folder have no thumbnails', () => {
  assert.equal(thumbnailPattern('https://cdn.example.com/video/clip.m3u8'), null);
  assert.equal(thumbnailPattern('https://cdn.example.com/Default/HLS/clip.mpd'), null);
  assert.equal(thumbnailPattern('not a url'), null);
});

function fakeFetch(existing) {
  const asked = [];
  const f = async (url, init) => {
    asked.push([url, init.method, init.credentials]);
    return { ok: existing.some((e) => url.endsWith(e)) };
  };
  return { f, asked };
}

test('the first counter is probed: 0, else 1, else no thumbnails', async (t) => {
  const master = 'http://localhost:9090/s/Default/HLS/s.m3u8';
  const saved = globalThis.fetch;
  t.after(() => { globalThis.fetch = saved; });

  let fake = fakeFetch(['s.0000000.jpg', 's.0000001.jpg']);
  globalThis.fetch = fake.f;
  let th = await probeThumbnails(master);
  assert.equal(th.first, 0);
  assert.ok(fake.asked.every(([, method, creds]) => method === 'HEAD' && creds === 'include'), 'probes are HEAD with cookies');

  fake = fakeFetch(['s.0000001.jpg']);
  globalThis.fetch = fake.f;
  th = await probeThumbnails(master);
  assert.equal(th.first, 1);
  // One image per 5 s, counted from the first number.
  assert.equal(th.index(0), 1);
  assert.equal(th.index(4.99), 1);
  assert.equal(th.index(5), 2);
  assert.equal(th.url(12), 'http://localhost:9090/s/Default/Thumbnails/s.0000003.jpg');

  globalThis.fetch = fakeFetch([]).f;
  assert.equal(await probeThumbnails(master), null);

  globalThis.fetch = async () => { throw new TypeError('Failed to fetch'); };
  assert.equal(await probeThumbnails(master), null, 'a network failure means no thumbnails, not an exception');
});
