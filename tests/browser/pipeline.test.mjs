// The seed's pipeline on one machine (tools/pipeline): `aws s3 cp` (the AWS CLI from PyPI, in
// target/awscli-venv: scripts/lib.sh need_awscli) uploads an mp4 under input/ of the local S3
// endpoint, the trigger runs the seed's job (tests/fixtures/jobs/vod-sample.json) in the MediaConvert
// emulator, GET /jobs on the app side follows it to COMPLETE, the CDN refuses the master without
// cookies and the player plays it with them in Chromium; 61 days on devcdn's clock, the lifecycle
// rule has moved it to Glacier and the player says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  KEYS, ROOT, control, launchBrowser, startProcess, waitForPorts, waitInPage, withWorkerQuery,
} from './lib.mjs';

const APP = 18091;
const CDN = 19101;
const S3 = 9101;
const DATA = 'target/pipeline-browser-s3';
const AWS = process.env.AWS_CLI || resolve(ROOT, 'target/awscli-venv/bin/aws');
const ENDPOINT = `http://localhost:${S3}`;
const AWS_ENV = {
  ...process.env, AWS_ACCESS_KEY_ID: 'hlsplay', AWS_SECRET_ACCESS_KEY: 'hlsplay-dev-secret',
  AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};
const MASTER = `http://localhost:${CDN}/upload/Default/HLS/upload.m3u8`;

let pipeline;
let browser;

function aws(...args) {
  return execFileSync(AWS, [...args, '--endpoint-url', ENDPOINT], { env: AWS_ENV, encoding: 'utf8' });
}

async function jobs() {
  const r = await fetch(`http://localhost:${APP}/jobs`);
  assert.equal(r.status, 200);
  return r.json();
}

before(async () => {
  assert.ok(existsSync(AWS), `the AWS CLI is not at ${AWS}: source scripts/lib.sh and run need_awscli`);
  rmSync(resolve(ROOT, DATA), { recursive: true, force: true });
  mkdirSync(resolve(ROOT, 'target/pipeline-browser-src'), { recursive: true });
  // 12 s: two segments per rendition (10 s + 2 s).
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=12',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12', '-c:v', 'libx264', '-preset', 'ultrafast',
    '-c:a', 'aac', '-shortest', 'target/pipeline-browser-src/upload.mp4'], { cwd: ROOT });
  pipeline = startProcess(resolve(ROOT, 'target/debug/pipeline'), [
    '--data', DATA, '--s3-port', String(S3), '--',
    '--port', String(CDN), '--key', `K1=${KEYS}/test-public.pem`, '--app-port', String(APP), '--app-root', '.',
    '--sign-key', `${KEYS}/test-private.pem`, '--key-pair-id', 'K1', '--allow-origin', `http://localhost:${APP}`,
    '--cache-control', 'no-store', '--quiet',
  ]);
  await waitForPorts([APP, CDN, S3]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  pipeline?.kill();
});

test('aws s3 cp uploads under input/ and aws s3 ls lists the bucket and the object', () => {
  const out = aws('s3', 'cp', 'target/pipeline-browser-src/upload.mp4', 's3://vod/input/upload.mp4');
  assert.match(out, /upload: .*upload\.mp4 to s3:\/\/vod\/input\/upload\.mp4/);
  assert.match(aws('s3', 'ls'), /\svod$/m);
  assert.match(aws('s3', 'ls', 's3://vod/input/'), /\supload\.mp4$/m);
});

test('the upload starts the job; GET /jobs follows it to COMPLETE with its outputs', async () => {
  const percents = [];
  const deadline = Date.now() + 240000;
  let job;
  for (;;) {
    job = (await jobs()).find((j) => j.input === 's3://vod/input/upload.mp4');
    if (job) percents.push(job.percent);
    if (job && (job.status === 'COMPLETE' || job.status === 'ERROR')) break;
    assert.ok(Date.now() < deadline, `job not done: ${JSON.stringify(job)}; ${pipeline.stderrText()}`);
    await sleep(250);
  }
  assert.equal(job.status, 'COMPLETE', JSON.stringify(job));
  assert.equal(job.percent, 100);
  assert.match(job.id, /^\d+-[0-9a-f]{6}$/);
  assert.deepEqual(job.outputs, [
    'upload/Default/HLS/upload.m3u8', 'upload/Default/MP4/upload.mp4', 'upload/Default/Thumbnails/upload.0000000.jpg',
  ]);
  // The output is in the bucket: the S3 API lists it.
  assert.match(aws('s3', 'ls', 's3://vod/upload/Default/HLS/'), /\supload_360\d{8}T\d{6}_00001\.ts$/m);
});

test('the CDN refuses the master without cookies', async () => {
  const r = await fetch(MASTER);
  assert.equal(r.status, 403);
  assert.equal(r.headers.get('server'), 'CloudFront');
  assert.match(await r.text(), /<Code>MissingKey<\/Code>/);
});

test('with the app\'s cookies the player plays the job\'s output in Chromium', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/player.html?src=${encodeURIComponent(MASTER)}`));
    await waitInPage(page, () => document.getElementById('video').currentTime >= 3, null,
      { ms: 60000, what: 'playback to 3 s' });
    const s = await page.evaluate(() => ({
      error: document.getElementById('video').error,
      levels: window.hlsplayTest.events.filter((e) => e.name === 'manifestParsed').map((e) => e.payload),
      fatal: window.hlsplayTest.events.filter((e) => e.name === 'error' && e.payload.fatal),
    }));
    assert.equal(s.error, null);
    assert.deepEqual(s.fatal, []);
    assert.equal(s.levels.length, 1, JSON.stringify(s.levels).slice(0, 500));
  } finally {
    await page.close();
  }
});

test('the demo page uploads a file through a presigned PUT, lists the job and plays its output', async () => {
  const page = await browser.newPage();
  try {
    // The demo page as the app side serves it from the repository root (pkg/ at /pkg/).
    await page.goto(withWorkerQuery(`http://localhost:${APP}/www/index.html?cdn=${CDN}`));
    await waitInPage(page, () => !document.getElementById('pipeline-panel').hidden, null, { what: 'the upload panel' });
    await page.setInputFiles('#upload-file', {
      name: 'page clip.mp4', mimeType: 'video/mp4',
      buffer: (await import('node:fs')).readFileSync(resolve(ROOT, 'target/pipeline-browser-src/upload.mp4')),
    });
    await waitInPage(page, () => /uploaded to s3:\/\/vod\/input\/page_clip\.mp4/.test(document.getElementById('upload-status').textContent),
      null, { ms: 30000, what: 'the upload' });
    await waitInPage(page, () => [...document.querySelectorAll('#jobs li')].some((li) => /page_clip\.mp4 — COMPLETE/.test(li.textContent)),
      null, { ms: 240000, what: 'the job in the list' });
    await page.click('#jobs li.good button');
    await waitInPage(page, () => document.getElementById('video').currentTime >= 2 || (document.getElementById('video').play(), false),
      null, { ms: 60000, what: 'playback of the job output' });
    assert.equal(await page.evaluate(() => new URL(location.href).searchParams.get('src')),
      `http://localhost:${CDN}/page_clip/Default/HLS/page_clip.m3u8`);
  } finally {
    await page.close();
  }
});

test('61 days on the CDN\'s clock the lifecycle rule has the output in Glacier: 403 InvalidObjectState, and the player says so', async () => {
  await control(CDN, { clock_offset: 61 * 86400 });
  const page = await browser.newPage();
  try {
    await page.goto(withWorkerQuery(`http://localhost:${APP}/tests/browser/pages/player.html?src=${encodeURIComponent(MASTER)}`));
    const fatal = await waitInPage(page, () => window.hlsplayTest.events.find((e) => e.name === 'error' && e.payload.fatal),
      null, { ms: 30000, what: 'a fatal error' });
    assert.match(JSON.stringify(fatal.payload), /InvalidObjectState/);
    assert.match(JSON.stringify(fatal.payload), /archived/i);
  } finally {
    await page.close();
    await control(CDN, { clock_offset: 0 });
  }
});
