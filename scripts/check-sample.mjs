#!/usr/bin/env node
// Checks the sample shapes of scripts/make-sample.sh against two independent oracles:
//  1. ffprobe/ffmpeg: every media playlist of the shape opens, decodes to the end without an error and
//     holds what it should (video-only / audio-only renditions where the audio is separate, AAC 48 kHz
//     stereo), and each audio rendition's tone is measured (zero crossings of the decoded PCM). An
//     encrypted shape also: its key tags are MediaConvert's static-key form, node's crypto decrypts
//     every file with the key and IV the playlist gives to the clear shape's bytes exactly, and
//     ffmpeg decodes the same frames (framemd5) from it as from the clear shape;
//  2. hls.js in headless Chromium, through the local CloudFront (devcdn, signed cookies minted by its
//     app side): loads the master, plays at least PLAY_S seconds, lists the audio tracks hls.js sees,
//     switches to the other track, plays on, and measures the tone the element plays before and after
//     (Web Audio analyser on the media element).
//
//   node scripts/check-sample.mjs [shape ...|all] [--root DIR] [--base NAME] [--json] [--no-browser]
//
// Shapes: ts, cmaf, cmaf-single-file, apple-alt-audio, aes, aes-rotation, cmaf-aes (default, or
// `all`: every shape that was made, the others skipped with a message). Needs the sample
// (`bash scripts/make-sample.sh all`), devcdn (`cargo build -p devcdn`) and node_modules (`npm ci`);
// `--no-browser` runs oracle 1 alone (no devcdn, no Chromium).
// Fixed ports (APP 18495, CDN 19495): run it under `flock /tmp/hlsplay-browser.lock` beside other
// browser jobs. Exits non-zero when a check fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { attrs, checkEncryptedRendition } from './check-sample-aes.mjs';

const ROOT = resolve(import.meta.dirname, '..');
// The browser harness (playwright-core), loaded only when oracle 2 runs: --no-browser needs no npm ci.
let lib = null;

const APP = 18495;
const CDN = 19495;
const PLAY_S = 5; // played before the switch (and again after it)
const SHAPES = {
  ts: { dir: 'HLS', separateAudio: false },
  cmaf: { dir: 'CMAF', separateAudio: true },
  'cmaf-single-file': { dir: 'CMAF-SingleFile', separateAudio: true },
  'apple-alt-audio': { dir: 'HLS-AltAudio', separateAudio: true },
  // AES-128 copies of a clear shape (`clear`): the same file names, the same bytes once decrypted.
  aes: { dir: 'HLS-AES', separateAudio: false, clear: 'ts', keys: 1 },
  'aes-rotation': { dir: 'HLS-AES-Rotation', separateAudio: false, clear: 'ts', keys: 3 },
  'cmaf-aes': { dir: 'CMAF-AES', separateAudio: true, clear: 'cmaf', keys: 1 },
};
// The tones make-sample.sh gives the generated source: the muxed audio and English 440 Hz, French 660 Hz.
const TONES = { muxed: 440, eng: 440, fra: 660 };
const TONE_TOLERANCE_HZ = 25;

function parseArgs(argv) {
  const opts = { shapes: [], root: 'sample', base: 'testpattern', json: false, browser: true, named: true };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--root') opts.root = argv[++i];
    else if (a === '--base') opts.base = argv[++i];
    else if (a === '--json') opts.json = true;
    else if (a === '--no-browser') opts.browser = false;
    else if (a === '--help' || a === '-h') {
      console.log(`node scripts/check-sample.mjs [${Object.keys(SHAPES).join('|')}|all ...] [--root DIR] [--base NAME] [--json] [--no-browser]`);
      process.exit(0);
    } else if (a === 'all') {
      opts.shapes.push(...Object.keys(SHAPES));
      opts.named = false;
    }
    else if (a === 'cmaf-byterange') opts.shapes.push('cmaf-single-file');
    else if (a === 'apple') opts.shapes.push('apple-alt-audio');
    else if (SHAPES[a]) opts.shapes.push(a);
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (opts.shapes.length === 0) {
    opts.shapes = Object.keys(SHAPES);
    opts.named = false;
  }
  opts.shapes = [...new Set(opts.shapes)];
  return opts;
}

// ---- the master playlist, read just enough to know what to check -------------------------------------

function readMaster(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const variants = [];
  const audio = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#EXT-X-STREAM-INF:')) variants.push({ ...attrs(line), uri: lines[i + 1].trim() });
    if (line.startsWith('#EXT-X-MEDIA:') && /TYPE=AUDIO/.test(line)) audio.push(attrs(line));
  });
  return { variants, audio };
}

// ---- oracle 1: ffprobe / ffmpeg ---------------------------------------------------------------------------

const FF = ['-v', 'error', '-allowed_extensions', 'ALL'];

function probeStreams(playlist) {
  const out = execFileSync('ffprobe', [...FF, '-show_entries', 'stream=codec_type,codec_name,sample_rate,channels,width,height',
    '-show_entries', 'format=duration', '-of', 'json', playlist], { encoding: 'utf8' });
  return JSON.parse(out);
}

const decoded = new Map();
/** Decodes the whole rendition: ffmpeg's error output (empty when clean), the number of frames of all
 * streams and a digest of their framemd5 lines. Kept per playlist: an encrypted shape compares its
 * frames with its clear shape's. */
function decode(playlist) {
  if (!decoded.has(playlist)) {
    const r = spawnSync('ffmpeg', ['-hide_banner', ...FF, '-i', playlist, '-map', '0', '-f', 'framemd5', '-'],
      { encoding: 'utf8', maxBuffer: 1 << 26 });
    const frames = r.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
    decoded.set(playlist, {
      errors: `${r.status === 0 ? '' : `exit ${r.status} `}${r.stderr.trim()}`,
      frames: frames.length,
      digest: createHash('sha256').update(frames.join('\n')).digest('hex'),
    });
  }
  return decoded.get(playlist);
}

/** The tone of 2 s of audio from `at` s, from zero crossings of the decoded mono PCM. Decoded from the
 * start (the hls demuxer does not seek in fMP4 renditions), the first `at` s dropped. */
function toneOf(playlist, at = 5) {
  const all = execFileSync('ffmpeg', [...FF, '-i', playlist, '-map', '0:a:0', '-t', String(at + 2), '-ac', '1',
    '-ar', '48000', '-f', 's16le', '-'], { maxBuffer: 1 << 24 });
  const pcm = all.subarray(at * 48000 * 2);
  let crossings = 0;
  for (let i = 2; i + 1 < pcm.length; i += 2) {
    if ((pcm.readInt16LE(i - 2) < 0) !== (pcm.readInt16LE(i) < 0)) crossings += 1;
  }
  const seconds = pcm.length / 2 / 48000;
  return seconds > 0 ? Math.round(crossings / 2 / seconds) : null;
}

function checkFiles(shape, dir, master, failures) {
  const { separateAudio, clear } = SHAPES[shape];
  const clearDir = clear && resolve(dir, '..', SHAPES[clear].dir);
  const keys = new Set();
  const renditions = [
    ...master.variants.map((v) => ({ kind: 'video', uri: v.uri, name: v.RESOLUTION })),
    ...master.audio.map((a) => ({ kind: 'audio', uri: a.URI, name: `${a.NAME} (${a.LANGUAGE})`, lang: a.LANGUAGE })),
  ];
  const report = [];
  for (const r of renditions) {
    const playlist = resolve(dir, r.uri);
    const probe = probeStreams(playlist);
    const types = probe.streams.map((s) => s.codec_type).sort().join('+');
    const want = r.kind === 'audio' ? 'audio' : separateAudio ? 'video' : 'audio+video';
    if (types !== want) failures.push(`${shape} ${r.uri}: streams ${types}, expected ${want}`);
    for (const s of probe.streams.filter((x) => x.codec_type === 'audio')) {
      if (s.codec_name !== 'aac' || s.sample_rate !== '48000' || s.channels !== 2) {
        failures.push(`${shape} ${r.uri}: audio ${s.codec_name} ${s.sample_rate} Hz ${s.channels} ch`);
      }
    }
    const { errors, frames, digest } = decode(playlist);
    if (errors) failures.push(`${shape} ${r.uri}: decode errors: ${errors.slice(0, 300)}`);
    let decrypted = null;
    if (clear) {
      const enc = checkEncryptedRendition(shape, dir, clearDir, r.uri, failures);
      enc.keys.forEach((k) => keys.add(k));
      decrypted = enc.decrypted;
      const want = decode(resolve(clearDir, r.uri));
      if (frames === 0 || frames !== want.frames || digest !== want.digest) {
        failures.push(`${shape} ${r.uri}: ffmpeg decodes ${frames} frames${digest !== want.digest ? ' (other pictures or sound)' : ''}, `
          + `the clear ${clear} shape ${want.frames}`);
      }
    }
    const duration = Number(probe.format.duration);
    let tone = null;
    if (types.includes('audio')) {
      tone = toneOf(playlist);
      const want = TONES[r.lang || 'muxed'];
      if (want && Math.abs(tone - want) > TONE_TOLERANCE_HZ) failures.push(`${shape} ${r.uri}: tone ${tone} Hz, expected ${want}`);
    }
    report.push({ uri: r.uri, streams: types, duration: Number(duration.toFixed(2)), tone, decodes: !errors, frames, decrypted });
  }
  if (clear && keys.size !== SHAPES[shape].keys) failures.push(`${shape}: ${keys.size} key files used, expected ${SHAPES[shape].keys}`);
  return report;
}

// ---- oracle 2: hls.js in Chromium, through devcdn -----------------------------------------------------------

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>sample check (hls.js)</title>
<video id="video" playsinline width="640" height="360"></video>
<script src="hls.min.js"></script>
<script>
// Plays ?src with hls.js after minting the CDN cookies; window.check holds what happened.
const video = document.getElementById('video');
const check = window.check = { errors: [], fatal: null, switched: [], switching: [], tracksUpdated: 0, ready: false };
let analyser = null;
check.tone = () => {
  if (!analyser) return null;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  return bins[best] > -90 ? Math.round(best * analyser.context.sampleRate / analyser.fftSize) : null;
};
check.tracks = () => check.hls.audioTracks.map((t) => ({ id: t.id, name: t.name, lang: t.lang ?? null,
  groupId: t.groupId, default: t.default, autoselect: t.autoselect, channels: t.channels ?? null }));
(async () => {
  await fetch('/auth/cookies', { credentials: 'include' });
  const ctx = new AudioContext();
  analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  ctx.createMediaElementSource(video).connect(analyser);
  analyser.connect(ctx.destination);
  const hls = check.hls = new Hls({ xhrSetup: (xhr) => { xhr.withCredentials = true; }, capLevelToPlayerSize: false });
  hls.on(Hls.Events.ERROR, (_, d) => { check.errors.push(d.details); if (d.fatal) check.fatal = d.details; });
  hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, () => { check.tracksUpdated += 1; });
  hls.on(Hls.Events.AUDIO_TRACK_SWITCHING, (_, d) => check.switching.push(d.id));
  hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_, d) => check.switched.push({ id: d.id, at: video.currentTime }));
  hls.loadSource(new URLSearchParams(location.search).get('src'));
  hls.attachMedia(video);
  await ctx.resume();
  await video.play().catch((e) => check.errors.push('play: ' + e.message));
  check.ready = true;
})().catch((e) => { check.fatal = String(e); check.ready = true; });
</script>
`;

function stagePage() {
  const dir = resolve(ROOT, 'target/check-sample-root');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'index.html'), PAGE);
  copyFileSync(resolve(ROOT, 'node_modules/hls.js/dist/hls.min.js'), resolve(dir, 'hls.min.js'));
  return dir;
}

async function until(page, fn, arg, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    const fatal = await page.evaluate(() => window.check?.fatal);
    if (fatal) throw new Error(`hls.js fatal error while waiting for ${what}: ${fatal}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

const currentTime = (page) => page.evaluate(() => document.getElementById('video').currentTime);

/** Median of a few readings of the page's analyser (one reading can catch a switch mid-way). */
async function tone(page) {
  const readings = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(await page.evaluate(() => window.check.tone()));
    await sleep(100);
  }
  const got = readings.filter((x) => x != null).sort((a, b) => a - b);
  return got.length ? got[Math.floor(got.length / 2)] : null;
}

async function checkHlsJs(browser, shape, url, failures) {
  await lib.control(CDN, lib.CDN_RESET);
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await page.goto(`http://localhost:${APP}/?src=${encodeURIComponent(url)}`);
    await until(page, () => window.check?.ready, null, 20000, 'the page');
    await until(page, (s) => document.getElementById('video').currentTime >= s, PLAY_S, 30000, `${PLAY_S} s played`);
    const tracks = await page.evaluate(() => window.check.tracks());
    const before = await page.evaluate(() => window.check.hls.audioTrack);
    const toneBefore = await tone(page);
    const levels = await page.evaluate(() => window.check.hls.levels.length);
    const result = { shape, levels, tracks, audioTrack: before, toneBefore, switch: null };
    if (tracks.length >= 2) {
      const to = tracks.findIndex((t, i) => i !== before);
      const at = await currentTime(page);
      await page.evaluate((i) => { window.check.hls.audioTrack = i; }, to);
      await until(page, (i) => window.check.switched.some((s) => s.id === i), to, 20000, `AUDIO_TRACK_SWITCHED to ${to}`);
      await until(page, (t) => document.getElementById('video').currentTime >= t, at + PLAY_S, 30000, `${PLAY_S} s more after the switch`);
      const toneAfter = await tone(page);
      result.switch = { from: before, to, switchedAt: at, now: await page.evaluate(() => window.check.hls.audioTrack), toneAfter };
      if (result.switch.now !== to) failures.push(`${shape}: hls.js audioTrack is ${result.switch.now} after switching to ${to}`);
      const want = TONES[tracks[to].lang];
      if (toneAfter != null && want && Math.abs(toneAfter - want) > TONE_TOLERANCE_HZ) {
        failures.push(`${shape}: after the switch to ${tracks[to].name} the element plays ${toneAfter} Hz, expected ${want}`);
      }
    } else if (SHAPES[shape].separateAudio) {
      failures.push(`${shape}: hls.js sees ${tracks.length} audio tracks, expected 2`);
    }
    const wantBefore = TONES[tracks[before]?.lang ?? 'muxed'];
    if (toneBefore != null && wantBefore && Math.abs(toneBefore - wantBefore) > TONE_TOLERANCE_HZ) {
      failures.push(`${shape}: the element plays ${toneBefore} Hz, expected ${wantBefore}`);
    }
    result.played = Number((await currentTime(page)).toFixed(2));
    // What the CDN served: every media request with signed cookies; byte ranges for single files.
    const media = (await lib.cdnLog(CDN)).filter((e) => !e.path.startsWith('/__devcdn/') && !e.path.endsWith('.m3u8'));
    result.requests = { media: media.length, ranged: media.filter((e) => e.status === 206).length,
      refused: media.filter((e) => e.status >= 400).length, auth: [...new Set(media.map((e) => e.auth))],
      keys: media.filter((e) => e.path.endsWith('.key')).length };
    if (SHAPES[shape].clear && result.requests.keys === 0) failures.push(`${shape}: hls.js played without requesting a key`);
    if (result.requests.refused || result.requests.auth.some((a) => a !== 'cookies')) {
      failures.push(`${shape}: CDN answers ${JSON.stringify(result.requests)}`);
    }
    if (shape === 'cmaf-single-file' && result.requests.ranged !== result.requests.media) {
      failures.push(`${shape}: ${result.requests.media - result.requests.ranged} of ${result.requests.media} media requests were not byte ranges`);
    }
    result.errors = await page.evaluate(() => window.check.errors);
    result.fatal = await page.evaluate(() => window.check.fatal);
    if (result.fatal) failures.push(`${shape}: hls.js fatal error ${result.fatal}`);
    if (pageErrors.length) failures.push(`${shape}: page errors ${pageErrors.join('; ')}`);
    return result;
  } catch (e) {
    failures.push(`${shape}: ${e.message}`);
    return { shape, error: e.message };
  } finally {
    await page.close();
  }
}

async function runHlsJs(opts, results, failures) {
  lib = await import('../tests/browser/lib.mjs');
  for (const port of [APP, CDN]) {
    if (await fetch(`http://localhost:${port}/`).then(() => true, () => false)) throw new Error(`port ${port} is already in use`);
  }
  const cdn = await lib.startCdn({ appPort: APP, cdnPort: CDN, root: opts.root, appRoot: stagePage() });
  const browser = await lib.launchBrowser();
  try {
    for (const shape of opts.shapes) {
      const url = `http://localhost:${CDN}${results[shape].master}`;
      results[shape].hlsjs = await checkHlsJs(browser, shape, url, failures);
    }
  } finally {
    await browser.close();
    cdn.kill();
  }
}

// ---- main ---------------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const needs = opts.browser ? [['target/debug/devcdn', 'cargo build -p devcdn'], ['node_modules/hls.js/dist/hls.min.js', 'npm ci']] : [];
  for (const [file, how] of needs) {
    if (!existsSync(resolve(ROOT, file))) throw new Error(`${file} is missing: run \`${how}\` first`);
  }
  const failures = [];
  const results = {};
  const masterOf = (shape) => resolve(ROOT, opts.root, opts.base, 'Default', SHAPES[shape].dir, `${opts.base}.m3u8`);
  // A shape asked for by name must be there; of every shape, the ones made.
  opts.shapes = opts.shapes.filter((shape) => {
    const made = [shape, SHAPES[shape].clear].filter(Boolean).every((s) => existsSync(masterOf(s)));
    if (made) return true;
    const how = `run \`bash scripts/make-sample.sh ${shape}\` first`;
    if (opts.named) throw new Error(`${masterOf(shape)} (or the clear shape it is made from) is missing: ${how}`);
    console.log(`check-sample: skipping ${shape}: not made (${how})`);
    return false;
  });
  if (opts.shapes.length === 0) throw new Error('no shape to check: run `bash scripts/make-sample.sh all` first');
  for (const shape of opts.shapes) {
    const path = masterOf(shape);
    const master = readMaster(path);
    results[shape] = { master: `/${opts.base}/Default/${SHAPES[shape].dir}/${opts.base}.m3u8`, files: checkFiles(shape, dirname(path), master, failures) };
  }
  if (opts.browser) await runHlsJs(opts, results, failures);

  if (opts.json) console.log(JSON.stringify(results, null, 2));
  else {
    for (const [shape, r] of Object.entries(results)) {
      console.log(`\n${shape}: ${r.master}`);
      for (const f of r.files) {
        console.log(`  ffprobe ${f.uri}: ${f.streams}, ${f.duration} s${f.tone != null ? `, tone ${f.tone} Hz` : ''}`
          + `${f.decodes ? `, decodes ${f.frames} frames` : ', DECODE ERRORS'}${f.decrypted != null ? `, ${f.decrypted} files decrypt to the clear bytes` : ''}`);
      }
      const h = r.hlsjs;
      if (!h) continue;
      if (h.error) { console.log(`  hls.js: ${h.error}`); continue; }
      const names = h.tracks.map((t) => `${t.id}:${t.name}/${t.lang}/${t.groupId}${t.default ? '/default' : ''}`).join(', ') || 'none';
      console.log(`  hls.js: ${h.levels} levels, audio tracks [${names}], track ${h.audioTrack}, tone ${h.toneBefore ?? 'n/a'} Hz`);
      if (h.switch) {
        console.log(`  hls.js: switch ${h.switch.from} -> ${h.switch.to} at ${h.switch.switchedAt.toFixed(2)} s: audioTrack ${h.switch.now}, tone ${h.switch.toneAfter ?? 'n/a'} Hz`);
      }
      console.log(`  hls.js: played to ${h.played} s, errors [${h.errors.join(', ')}]${h.fatal ? `, FATAL ${h.fatal}` : ''}; `
        + `CDN: ${h.requests.media} media requests (${h.requests.ranged} byte ranges, 206; ${h.requests.keys} keys), auth ${h.requests.auth.join('/')}`);
    }
  }
  if (failures.length) {
    console.error(`\ncheck-sample: ${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('\ncheck-sample: all checks passed');
}

main().catch((e) => { console.error(`check-sample: ${e.message}`); process.exit(1); });
