// node --test tests/www — the demo page's error sentences and units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, fmtBps, fmtBytes, fmtTime, forwardBuffer, levelName } from '../../www/format.js';

test('a fatal auth error names the CloudFront code in words', () => {
  const e = {
    kind: 'auth', fatal: true, details: 'CDN refused the request after a credentials refresh (HTTP 403, MissingKey)',
    message: 'auth: CDN refused the request after a credentials refresh (HTTP 403, MissingKey) (http://x/a.m3u8)',
  };
  assert.equal(describeError(e), 'missing signed cookies (MissingKey)');
  assert.equal(describeError({ kind: 'auth', details: 'AccessDenied', message: '' }),
    'signed cookies refused: expired, or not valid for this URL (AccessDenied)');
  assert.match(describeError({ kind: 'auth', details: 'InvalidObjectState: archived', message: '' }), /Glacier.*\(InvalidObjectState\)$/);
});

test('other errors keep the player message, without the URL', () => {
  assert.equal(describeError({ kind: 'not_found', details: 'x', message: 'not_found: HTTP 404 (https://cdn/a.ts)' }), 'not_found: HTTP 404');
  assert.equal(describeError({ kind: 'stall', details: 'no data', message: '' }), 'stall: no data');
  // A code name inside another word is not a CloudFront code.
  assert.equal(describeError({ kind: 'parse', details: '', message: 'parse: NotMissingKeyed' }), 'parse: NotMissingKeyed');
});

test('units', () => {
  assert.equal(fmtBps(3_410_000), '3.41 Mbps');
  assert.equal(fmtBps(500_000), '500 kbps');
  assert.equal(fmtBps(0), '–');
  assert.equal(fmtBps(NaN), '–');
  assert.equal(fmtBytes(2_720_000), '2.72 MB');
  assert.equal(fmtBytes(54_000), '54 kB');
  assert.equal(fmtBytes(110), '110 B');
  assert.equal(fmtTime(0), '0:00');
  assert.equal(fmtTime(59.9), '0:59');
  assert.equal(fmtTime(3725), '1:02:05');
  assert.equal(fmtTime(Infinity), '0:00');
  assert.equal(levelName({ index: 2, height: 720, bitrate: 4e6, averageBitrate: 3.41e6 }), '720p · 3.41 Mbps');
  assert.equal(levelName({ index: 0, height: null, bitrate: 1e6, averageBitrate: null }), 'level 0 · 1.00 Mbps');
});

test('forward buffer counts only the range holding the playhead', () => {
  const ranges = (...r) => ({ length: r.length, start: (i) => r[i][0], end: (i) => r[i][1] });
  const b = ranges([0.067, 30], [40, 60]);
  assert.equal(forwardBuffer(b, 10), 20);
  assert.equal(forwardBuffer(b, 0), 30 - 0, 'the playhead just before the first range (B-frame delay) counts');
  assert.equal(forwardBuffer(b, 35), 0, 'in a hole: nothing ahead');
  assert.equal(forwardBuffer(b, 50), 10);
  assert.equal(forwardBuffer(ranges(), 5), 0);
});
