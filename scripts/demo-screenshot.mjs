// node scripts/demo-screenshot.mjs [URL] [OUTDIR] — loads the demo page in headless Chromium at a
// desktop (1280x800) and a phone (375x740) size, lets it play a while, hovers the seek bar so the
// thumbnail preview shows, and writes full-page PNGs plus a summary of what the page recorded.
// Needs the demo running (scripts/demo.sh). SETTLE_MS: how long to let it play (default 8000).
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const url = process.argv[2] || 'http://localhost:8080/?autoplay=1';
const outDir = process.argv[3] || 'target/demo-screenshots';
const settle = Number(process.env.SETTLE_MS || 8000);
mkdirSync(outDir, { recursive: true });

const profile = mkdtempSync(join(tmpdir(), 'hlsplay-shot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
});
let failed = false;
try {
  for (const [name, width, height] of [['desktop', 1280, 800], ['phone', 375, 740]]) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}] console error: ${m.text()}`); });
    page.on('pageerror', (e) => { failed = true; console.log(`[${name}] page error: ${e.message}`); });
    await page.goto(url);
    await page.waitForFunction(() => window.hlsplayDemo && window.hlsplayDemo.ready, null, { timeout: 20000 });
    await page.waitForTimeout(settle);
    // Hover 40% along the seek bar: the thumbnail preview appears.
    const bar = await page.locator('#seekbar').boundingBox();
    if (bar) {
      await page.mouse.move(bar.x + bar.width * 0.4, bar.y + bar.height / 2);
      await page.waitForTimeout(800);
    }
    const file = join(outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const summary = await page.evaluate(() => {
      const d = window.hlsplayDemo;
      const v = document.querySelector('#video');
      const count = {};
      for (const e of d.events) count[e.name] = (count[e.name] || 0) + 1;
      return {
        currentTime: v.currentTime, paused: v.paused, readyState: v.readyState,
        size: `${v.videoWidth}x${v.videoHeight}`, events: count, refreshCount: d.refreshCount,
        errors: d.errors.map((e) => `${e.fatal ? 'fatal ' : ''}${e.kind}/${e.details}: ${e.message}`).slice(-5),
        errorBanner: document.querySelector('#error').hidden ? null : document.querySelector('#error').textContent,
        thumbnails: d.thumbnails, thumb: document.querySelector('#thumb').getAttribute('src'),
        devcdn: d.devcdn, scrollWidth: document.documentElement.scrollWidth,
      };
    });
    console.log(`[${name}] ${file}\n${JSON.stringify(summary, null, 1)}`);
    if (summary.scrollWidth > width) { failed = true; console.log(`[${name}] page is wider than the viewport`); }
    await page.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
