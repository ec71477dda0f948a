// The npm package as customers get it: `npm pack` of pkg/, installed into a minimal Vite app,
// bundled, and played in Chromium through the local CloudFront.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  IN_WORKER, ROOT, launchBrowser, sampleMaster, startCdn, waitInPage, withWorkerQuery,
} from './lib.mjs';

const APP = 18082;
const CDN = 19092;
const WORK = join(ROOT, 'target/vite-app');

let cdn;
let browser;

before(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  execFileSync('npm', ['pack', '--pack-destination', WORK, join(ROOT, 'pkg')], { stdio: 'ignore' });
  const tarball = readdirSync(WORK).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack made a tarball');
  cpSync(join(ROOT, 'tests/browser/vite-app'), join(WORK, 'app'), { recursive: true });
  writeFileSync(join(WORK, 'app/package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // The tarball has no dependencies, so this needs no network.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(WORK, tarball)],
    { cwd: join(WORK, 'app'), stdio: 'ignore' });
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--base', './', '--logLevel', 'error'],
    { cwd: join(WORK, 'app'), stdio: 'inherit' });
  cdn = await startCdn({ appPort: APP, cdnPort: CDN });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  cdn?.kill();
});

test('the npm tarball, bundled by Vite, plays', async () => {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const url = `http://localhost:${APP}/target/vite-app/app/dist/index.html?src=${encodeURIComponent(sampleMaster(CDN))}`;
  await page.goto(withWorkerQuery(url));
  await waitInPage(page, () => document.getElementById('video').currentTime > 3, null,
    { ms: 30000, what: 'the bundled player to play 3 s' });
  const state = await page.evaluate(() => ({
    errors: window.bundled.errors,
    supported: window.bundled.supported,
    workerActive: window.bundled.player.workerActive,
    frames: document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames,
  }));
  assert.equal(state.supported, true);
  // By default the Worker Vite bundled runs the session (HLSPLAY_WORKER=0: the page's thread).
  assert.equal(state.workerActive, IN_WORKER);
  assert.deepEqual(state.errors, []);
  assert.ok(state.frames > 30, `frames decoded: ${state.frames}`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});
