// Shared by the browser tests: Debian's Chromium driven by playwright-core, and the local CDN.
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Headless Chromium with the flags this closed network needs (no background connections);
 * playwright gives it a fresh profile of its own. */
export async function launchBrowser({ args = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required', ...args,
    ],
  });
}

async function portOpen(port) {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

/** Waits until every port accepts connections, or throws after `ms`. */
export async function waitForPorts(ports, ms = 20000) {
  const deadline = Date.now() + ms;
  for (const port of ports) {
    while (!(await portOpen(port))) {
      if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${ms} ms`);
      await sleep(50);
    }
  }
}

/** Starts a process and returns it; it is killed when the test process exits. */
export function startProcess(command, args, { quiet = true } = {}) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20000); });
  child.stderrText = () => stderr;
  process.on('exit', () => child.kill('SIGKILL'));
  return child;
}

/**
 * The test pages' query for HLSPLAY_WORKER: `0` → `?worker=0` (the player on the page's thread);
 * `page` → `?workerMediaSource=0` (the engine in a Worker posting fragments to a MediaSource on
 * the page); unset → the default (MSE in the Worker, in Chromium).
 */
export const WORKER_QUERY = { 0: '?worker=0', page: '?workerMediaSource=0' }[process.env.HLSPLAY_WORKER] ?? '';

/** A player page's URL with WORKER_QUERY added (after its own query, if it has one). Every test
 * page and the demo read `worker=0` / `workerMediaSource=0`. */
export function withWorkerQuery(url) {
  if (!WORKER_QUERY) return url;
  const [base, hash] = url.split('#');
  const joined = `${base}${base.includes('?') ? '&' : '?'}${WORKER_QUERY.slice(1)}`;
  return hash === undefined ? joined : `${joined}#${hash}`;
}

/** Whether this run's session is in a Worker (all but HLSPLAY_WORKER=0). */
export const IN_WORKER = WORKER_QUERY !== '?worker=0';

/** The element's source in this run, as `srcObject <class>` or its `src`: a Worker's
 * MediaSourceHandle by default (Chromium), the page's MediaSource object URL with HLSPLAY_WORKER=0
 * or `page`. */
export const MSE_SOURCE = WORKER_QUERY ? /^blob:/ : /^srcObject MediaSourceHandle$/;

export const KEYS = 'tools/devcdn/testdata';

/**
 * Starts the local CloudFront (CDN on `cdnPort` serving `root`, app side on `appPort` serving `appRoot`:
 * by default the repository root, so `/pkg/` and `/tests/browser/pages/` are reachable) and waits
 * until both answer.
 */
export async function startCdn({ appPort, cdnPort, appRoot = '.', root = 'sample', extra = [] }) {
  const binary = resolve(ROOT, 'target/debug/devcdn');
  const child = startProcess(binary, [
    '--root', root, '--port', String(cdnPort), '--key', `K1=${KEYS}/test-public.pem`,
    '--app-port', String(appPort), '--app-root', appRoot, '--sign-key', `${KEYS}/test-private.pem`,
    '--key-pair-id', 'K1', '--allow-origin', `http://localhost:${appPort}`, '--cache-control', 'no-store',
    '--quiet', ...extra,
  ]);
  await waitForPorts([appPort, cdnPort]);
  return child;
}

/**
 * The local CDN (`startCdn`'s options) and Chromium, started before a test file's tests (after
 * `prepare`, if given) and stopped after them: `env.browser` once started.
 */
export function cdnAndBrowser(options, { prepare } = {}) {
  const env = { cdn: null, browser: null };
  before(async () => {
    prepare?.();
    env.cdn = await startCdn(options);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    env.cdn?.kill();
  });
  return env;
}

/**
 * Stages the real demo page (www/ at /, pkg/ at /pkg/) in `dir` with the script the demo uses, and
 * returns `dir` for startCdn's `appRoot`. Each test file uses its own dir: a running demo keeps its own.
 */
export function stageDemoRoot(dir = 'target/e2e-root') {
  execFileSync('bash', ['scripts/stage-demo.sh', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

/** Every control field back to the start state: real clock, unlimited, no faults, CORS on errors,
 * an empty request log and edge cache. */
export const CDN_RESET = {
  reset: true, clear_faults: true, clock_offset: 0, rate_kbps: 0, shared_link: false, ttfb_ms: 0,
  trace: '', cors_on_errors: true,
};

/** The CDN's request log (entries after `since`; see tools/devcdn/README.md for the fields). */
export async function cdnLog(cdnPort, since = 0) {
  const response = await fetch(`http://localhost:${cdnPort}/__devcdn/log?since=${since}`);
  if (!response.ok) throw new Error(`devcdn log: ${response.status}`);
  return response.json();
}

/** POSTs a control change to the local CDN (see tools/devcdn/README.md). */
export async function control(cdnPort, body) {
  const response = await fetch(`http://localhost:${cdnPort}/__devcdn/control`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`devcdn control ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The master playlist of the generated sample, as the CDN serves it. */
export function sampleMaster(cdnPort) {
  return `http://localhost:${cdnPort}/testpattern/Default/HLS/testpattern.m3u8`;
}

/** Polls `fn` in the page until it returns a truthy value, or throws with `what` after `ms`. */
export async function waitInPage(page, fn, arg, { ms = 20000, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; the page then: ${JSON.stringify(await pageSnapshot(page))}`);
    }
    await sleep(200);
  }
}

/** What a timed-out wait reports: the element's state and the page's last player events, when it records them. */
function pageSnapshot(page) {
  return page.evaluate(() => {
    const v = document.querySelector('video');
    const ranges = (r) => Array.from({ length: r.length }, (_, i) => [+r.start(i).toFixed(2), +r.end(i).toFixed(2)]);
    const events = (window.hlsplayDemo || window.hlsplayTest || {}).events || [];
    return {
      video: v && { time: v.currentTime, readyState: v.readyState, paused: v.paused, error: v.error && v.error.message,
        buffered: ranges(v.buffered) },
      lastEvents: events.slice(-25).map((e) => JSON.stringify(e).slice(0, 300)),
    };
  }).catch((e) => `unavailable: ${e.message}`);
}

/** The media element's state, for assertions. */
export function videoState(page) {
  return page.evaluate(() => {
    const v = document.getElementById('video');
    const q = v.getVideoPlaybackQuality();
    return {
      time: v.currentTime, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames, paused: v.paused,
      error: v.error && v.error.message,
      buffered: Array.from({ length: v.buffered.length }, (_, i) => [v.buffered.start(i), v.buffered.end(i)]),
    };
  });
}
