// The pipeline panel's pure parts (www/upload.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cdnOrigin, jobText, playableOutputs } from '../../www/upload.js';

const loc = { hostname: 'localhost', protocol: 'http:' };

test('the CDN origin follows ?cdn= as demo.js does', () => {
  assert.equal(cdnOrigin(loc, new URLSearchParams('')), 'http://localhost:9090');
  assert.equal(cdnOrigin(loc, new URLSearchParams('cdn=19101')), 'http://localhost:19101');
  assert.equal(cdnOrigin(loc, new URLSearchParams('cdn=http://cdn.example.com/x')), 'http://cdn.example.com');
});

test('job lines name the input, the status and the percent or the reason', () => {
  const job = { id: '1-000001', input: 's3://vod/input/clip.mp4', status: 'PROGRESSING', percent: 42, outputs: [] };
  assert.equal(jobText(job), 'clip.mp4 — PROGRESSING 42%');
  assert.equal(jobText({ ...job, status: 'COMPLETE', percent: 100 }), 'clip.mp4 — COMPLETE');
  assert.equal(jobText({ ...job, status: 'ERROR', error: 'clip.mp4: Invalid data found when processing input' }),
    'clip.mp4 — ERROR: clip.mp4: Invalid data found when processing input');
});

test('only HLS masters are offered to play, as CDN URLs', () => {
  const job = { outputs: ['clip/Default/HLS/clip.m3u8', 'clip/Default/MP4/clip.mp4', 'clip/Default/Thumbnails/clip.0000000.jpg'] };
  assert.deepEqual(playableOutputs(job, 'http://localhost:9090'), ['http://localhost:9090/clip/Default/HLS/clip.m3u8']);
});
