// Shared by the browser tests: Debian's Chromium driven by playwright-core, and the local CDN.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Headless Chromium with the flags this closed network needs (no background connections). */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'hlsplay-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required', `--user-data-dir=${profile}`,
    ],
  });
  browser.on('disconnected', () => rmSync(profile, { recursive: true, force: true }));
  return browser;
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
