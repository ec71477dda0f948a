#!/usr/bin/env node
// The race: hlsplay against hls.js in the same headless Chromium, through the same local CloudFront
// (devcdn, signed cookies) and the same 120 s MediaConvert-shaped ladder, under the same throttle
// schedules applied by the CDN on one shared link. hls.js runs twice, on its default config and with
// `progressive: true` (its fastest start). Runs take turns (the player going first rotates per repeat),
// each in a fresh browser context with the CDN state reset; medians over the repeats are printed
// as a Markdown table and written into docs/benchmarks.md (section between the race markers).
//
//   node bench/race.mjs [--duration S] [--schedules a,b] [--repeats N] [--no-write] [--shape ts|cmaf|aes]
//
// The `norway` schedule replays a real 3G trace of the Pensieve paper, read from
// ../shared/peer-data/pensieve/traces-norway/ (beside the repository); without it that schedule is left out.
//
// `--shape cmaf` races on the CMAF shape of the same content (fMP4, separate audio renditions) and
// writes its own section of docs/benchmarks.md.
//
// Needs the package (`bash scripts/build-pkg.sh` → pkg/) and devcdn (`cargo build -p devcdn`);
// makes the 120 s sample in sample-long/ if it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ROOT, control, launchBrowser, startCdn, waitInPage,
} from '../tests/browser/lib.mjs';

const APP = 18471;
const CDN = 19471;
const SAMPLE = 'sample-long';
/** Each sample shape's directory under Default/ (scripts/make-sample.sh). */
const SHAPE_DIRS = { ts: 'HLS', cmaf: 'CMAF', aes: 'HLS-AES' };
let HLS_DIR = `${SAMPLE}/testpattern/Default/HLS`;
/** The players of a run: the race page's `player` and `progressive` parameters, and the table's name.
 * hlsplay's `progressive` is the command line's (`--no-progressive`); each hls.js run states its own. */
const PLAYERS = {
  hlsplay: { page: 'hlsplay', label: 'hlsplay' },
  hlsjs: { page: 'hlsjs', progressive: false, label: 'hls.js 1.7.4' },
  'hlsjs-progressive': { page: 'hlsjs', progressive: true, label: 'hls.js 1.7.4 `progressive: true`' },
};
const TTFB_MS = 30; // every response waits this long for its head, on every schedule
const MARKOV_SEED = 20260125;
/** The real trace: Pensieve's Norway 3G set (time in s, Mbps per line), replayed from `from` seconds. */
const NORWAY = {
  dir: resolve(ROOT, '../shared/peer-data/pensieve/traces-norway'),
  file: 'norway_ferry_15',
  from: 60,
};

/** Options the runs read (set from the arguments in main). */
const OPTS = { progressive: true, shape: 'ts' };

// --- arguments -----------------------------------------------------------------------------------------
function parseArgs(argv) {
  const opts = { duration: null, schedules: null, repeats: 2, write: true, render: null, progressive: true, shape: 'ts' };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      const v = argv[i + 1];
      if (v === undefined) throw new Error(`${a} needs a value`);
      i += 1;
      return v;
    };
    if (a === '--duration') opts.duration = Number(value());
    else if (a === '--schedules') opts.schedules = value().split(',').filter(Boolean);
    else if (a === '--repeats') opts.repeats = Number(value());
    else if (a === '--no-write') opts.write = false;
    else if (a === '--no-progressive') opts.progressive = false; // hlsplay appends whole segments only
    else if (a === '--render') opts.render = value();
    else if (a === '--shape') opts.shape = value();
    else if (a === '--help' || a === '-h') {
      console.log('node bench/race.mjs [--duration S] [--schedules steady5,steady1.5,steps,markov,norway] [--repeats N] [--no-write] [--no-progressive] [--shape ts|cmaf|aes]\n'
        + 'node bench/race.mjs --render bench/race-results.json   # rewrite the docs section from saved runs');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (opts.duration !== null && !(opts.duration >= 10)) throw new Error('--duration must be at least 10 seconds');
  if (!(Number.isInteger(opts.repeats) && opts.repeats >= 1)) throw new Error('--repeats must be a positive integer');
  if (!SHAPE_DIRS[opts.shape]) throw new Error(`--shape must be one of ${Object.keys(SHAPE_DIRS).join(', ')}`);
  return opts;
}

// --- schedules: devcdn trace text, `<time_s> <mbps> <ttfb_ms>` per line ---------------------------------
/** A small seeded PRNG (mulberry32), so the Markov trace is the same on every run and machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Markov chain over 0.5-6 Mbps states, one state per 5 s: stay, or step one or two states away. */
function markovTrace(duration) {
  const states = [0.5, 1, 1.5, 2.5, 4, 6];
  const rand = prng(MARKOV_SEED);
  let s = 3;
  const steps = [];
  for (let t = 0; t < duration; t += 5) {
    steps.push([t, states[s]]);
    const r = rand();
    const move = r < 0.3 ? 0 : r < 0.55 ? -1 : r < 0.8 ? 1 : r < 0.9 ? -2 : 2;
    s = Math.min(states.length - 1, Math.max(0, s + move));
  }
  return steps;
}

/** The Norway trace as a schedule: its lines from `NORWAY.from` seconds on, times counted from there.
 * Pensieve's format is `<time_s> <Mbps>` per line, each rate holding until the next line's time; the
 * schedule adds the race's TTFB (traceText). Null when the peer data is not beside the repository. */
function norwaySteps() {
  const path = resolve(NORWAY.dir, NORWAY.file);
  if (!existsSync(path)) return null;
  const points = [];
  readFileSync(path, 'utf8').split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (!line) return;
    const [t, mbps, extra] = line.split(/\s+/).map(Number);
    if (!(t >= 0 && mbps >= 0) || extra !== undefined) throw new Error(`${path}: line ${n + 1}: not \`<time_s> <Mbps>\`: ${line}`);
    if (points.length && t <= points[points.length - 1][0]) throw new Error(`${path}: line ${n + 1}: time does not increase`);
    points.push([t, mbps]);
  });
  const at = points.findLastIndex(([t]) => t <= NORWAY.from);
  if (at < 0 || at === points.length - 1) throw new Error(`${path}: no lines after ${NORWAY.from} s`);
  const round = (x) => Math.round(x * 1000) / 1000;
  return [[0, points[at][1]], ...points.slice(at + 1).map(([t, mbps]) => [round(t - NORWAY.from), mbps])];
}

/** Wall seconds per run: steady links settle quickly; the varying ones need time for the played level
 * to follow the network (10 s segments, 30 s of buffer). The Norway replay from 60 s decays from
 * ~2.5 Mbps at 30 s to 0.6-0.9 Mbps at 50-90 s, below the lowest rung, and recovers at 100 s.
 * `--duration` sets one length for all. */
const DEFAULT_SECONDS = { steady5: 35, 'steady1.5': 35, steps: 60, markov: 90, norway: 100 };

/** Every schedule by name; `saved` seconds and steps come from a results file (render), and the
 * Norway schedule is left out when its trace is absent. */
function schedules(duration, saved = {}, savedSteps = {}) {
  const seconds = (name) => saved[name] ?? duration ?? DEFAULT_SECONDS[name];
  const third = Math.round(seconds('steps') / 3);
  const norway = savedSteps.norway ?? norwaySteps();
  return {
    steady5: { label: 'steady 5 Mbps', varying: false, seconds: seconds('steady5'), steps: [[0, 5]] },
    'steady1.5': { label: 'steady 1.5 Mbps', varying: false, seconds: seconds('steady1.5'), steps: [[0, 1.5]] },
    steps: {
      label: `4→1→4 Mbps (${third} s each)`,
      varying: true,
      seconds: seconds('steps'),
      steps: [[0, 4], [third, 1], [2 * third, 4], [3 * third, 4]],
    },
    markov: {
      label: `Markov 0.5–6 Mbps, 5 s dwell (seed ${MARKOV_SEED})`,
      varying: true,
      seconds: seconds('markov'),
      steps: markovTrace(seconds('markov')),
    },
    ...(norway ? {
      norway: {
        label: `Norway 3G trace ${NORWAY.file} from ${NORWAY.from} s`,
        varying: true,
        seconds: seconds('norway'),
        steps: norway,
      },
    } : {}),
  };
}

/** A schedule for the docs: every step, or 10 s means when there are too many to read. */
function describeSteps(steps, seconds) {
  if (steps.length <= 24) return `\`${steps.map(([t, m]) => `${t}s:${m}`).join(' ')}\``;
  const means = [];
  for (let from = 0; from < seconds; from += 10) {
    let bits = 0;
    for (let i = 0; i < steps.length; i += 1) {
      const start = Math.max(from, steps[i][0]);
      const end = Math.min(from + 10, i + 1 < steps.length ? steps[i + 1][0] : Infinity);
      if (end > start) bits += (end - start) * steps[i][1];
    }
    means.push((bits / 10).toFixed(1));
  }
  return `${steps.length} steps (the whole schedule in the results file); Mbps per 10 s of the run: ${means.join(' ')}`;
}

/** Seconds until `bits` have crossed a link following `steps` ([t, Mbps], looped every `period`), from `from`. */
function transferSeconds(steps, period, bits, from) {
  let t = from;
  let left = bits;
  for (let guard = 0; guard < 100000 && left > 0; guard += 1) {
    const phase = t % period;
    const i = steps.findLastIndex(([at]) => at <= phase);
    const mbps = steps[Math.max(0, i)][1];
    const next = i + 1 < steps.length ? steps[i + 1][0] : period;
    const span = Math.max(1e-3, next - phase);
    const can = mbps * 1e6 * span;
    if (can >= left) return t + left / (mbps * 1e6) - from;
    left -= can;
    t += span;
  }
  return t - from;
}

/** The first-frame floor of a player that appends whole segments: master, media playlist and first
 * segment heads (one TTFB each), then the first segment of the lowest level, in full, on the schedule. */
function wholeSegmentFloor(schedule) {
  const media = readFileSync(resolve(ROOT, HLS_DIR, 'testpattern_360.m3u8'), 'utf8');
  const first = media.split('\n').find((l) => l && !l.startsWith('#'));
  const bytes = statSync(resolve(ROOT, HLS_DIR, first)).size;
  const heads = 3 * TTFB_MS / 1000;
  const period = schedule.steps.length > 1 ? schedule.steps[schedule.steps.length - 1][0] : 1e9;
  return { bytes, seconds: heads + transferSeconds(schedule.steps, period, bytes * 8, heads) };
}

const traceText = (steps) => steps.map(([t, mbps]) => `${t} ${mbps} ${TTFB_MS}`).join('\n');

// --- the ladder, from the master playlist on disk ------------------------------------------------------
/** height -> AVERAGE-BANDWIDTH (bits/s): how a played level is valued, the same for both players. */
function ladder() {
  const master = readFileSync(resolve(ROOT, HLS_DIR, 'testpattern.m3u8'), 'utf8');
  const byHeight = new Map();
  for (const line of master.split('\n')) {
    const avg = /AVERAGE-BANDWIDTH=(\d+)/.exec(line);
    const res = /RESOLUTION=\d+x(\d+)/.exec(line);
    if (avg && res) byHeight.set(Number(res[1]), Number(avg[1]));
  }
  if (byHeight.size === 0) throw new Error(`no variants with AVERAGE-BANDWIDTH and RESOLUTION in ${HLS_DIR}`);
  return byHeight;
}

// --- one run -------------------------------------------------------------------------------------------
/** Samples the V8 heap of every worker of the page (hls.js transmuxes in one; performance.memory in
 * the page does not see it), through a non-flat CDP auto-attach. */
async function workerHeapProbe(context, page) {
  const cdp = await context.newCDPSession(page);
  const sessions = new Set();
  const pending = new Map();
  let id = 0;
  cdp.on('Target.attachedToTarget', (e) => { if (e.targetInfo.type === 'worker') sessions.add(e.sessionId); });
  cdp.on('Target.detachedFromTarget', (e) => sessions.delete(e.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    const done = pending.get(m.id);
    if (done) { pending.delete(m.id); done(m.result?.usedSize ?? 0); }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  return async () => {
    let total = 0;
    for (const sessionId of sessions) {
      id += 1;
      const answer = new Promise((done) => pending.set(id, done));
      await cdp.send('Target.sendMessageToTarget', {
        sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
      }).catch(() => {});
      total += await Promise.race([answer, sleep(1000).then(() => 0)]);
    }
    return total;
  };
}

async function runOnce(browser, player, schedule, duration) {
  const context = await browser.newContext({ viewport: { width: 1300, height: 760 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const workerHeap = await workerHeapProbe(context, page);
  const src = `http://localhost:${CDN}/testpattern/Default/${SHAPE_DIRS[OPTS.shape]}/testpattern.m3u8`;
  const { page: which, progressive = OPTS.progressive } = PLAYERS[player];
  await page.goto(`http://localhost:${APP}/bench/race.html?player=${which}&progressive=${progressive ? 1 : 0}&src=${encodeURIComponent(src)}`);
  await waitInPage(page, () => window.race?.ready, null, { what: 'the race page' });
  // The schedule's clock starts here, just before load(): both players see it from the same point.
  await control(CDN, { reset: true, shared_link: true, trace_text: traceText(schedule.steps) });
  await page.evaluate(() => window.race.start());
  const started = Date.now();
  let peakWorkerHeap = 0;
  while (Date.now() - started < duration * 1000) {
    await sleep(500);
    peakWorkerHeap = Math.max(peakWorkerHeap, await workerHeap());
    const state = await page.evaluate(() => ({ fatal: window.race.result.fatal, ended: window.race.result.ended }));
    if (state.fatal || state.ended) break;
  }
  const r = await page.evaluate(() => window.race.finish());
  await context.close();
  r.peakWorkerHeap = peakWorkerHeap;
  r.pageErrors = pageErrors;
  r.wallSeconds = (Date.now() - started) / 1000;
  return r;
}

/** The numbers of one run, from what the page recorded. */
function metrics(r, byHeight) {
  let played = 0;
  let weighted = 0;
  let unknown = 0;
  let switches = 0;
  let previous = null;
  for (const s of r.samples) {
    if (s.played) {
      const bps = byHeight.get(s.height);
      if (bps === undefined) unknown += s.played;
      else { played += s.played; weighted += s.played * bps; }
      if (s.height !== null) {
        if (previous !== null && s.height !== previous) switches += 1;
        previous = s.height;
      }
    }
  }
  return {
    ttffMs: r.firstFrameMs ?? r.playingMs,
    rebufferS: r.rebuffers.reduce((a, b) => a + b, 0) / 1000,
    rebuffers: r.rebuffers.length,
    bitrateKbps: played > 0 ? weighted / played / 1000 : null,
    unknownLevelS: unknown,
    switches,
    dropped: r.dropped,
    frames: r.frames,
    heapMB: (r.peakHeap + r.peakWorkerHeap) / 1e6,
    wasmMB: r.peakWasm / 1e6,
    playedS: r.currentTime,
    fatal: r.fatal,
    errors: r.errors.length,
  };
}

const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

function summarise(runs) {
  const keys = Object.keys(runs[0]).filter((k) => typeof runs[0][k] === 'number' || runs[0][k] === null);
  const out = {};
  for (const k of keys) out[k] = median(runs.map((r) => r[k]));
  out.fatal = runs.map((r) => r.fatal).filter(Boolean);
  return out;
}

// --- the table -----------------------------------------------------------------------------------------
const fmt = (x, digits = 1) => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
/** Milliseconds as seconds for the table; none (a run that never showed a frame) stays n/a. */
const fmtSeconds = (ms) => fmt(ms === null || ms === undefined ? null : ms / 1000, 2);

const ratio = (a, b) => (a !== null && b ? `${(a / b).toFixed(2)}×` : 'n/a');

/** hlsplay's medians against one peer's, on the targets; the verdict and its line for the table.
 * Rebuffer and bitrate are judged at the table's precision (10 ms, 1 kbps), so equal-looking numbers
 * (the same level played throughout) pass. */
function against(ours, theirs, varying) {
  const ttffOk = ours.ttffMs !== null && theirs.ttffMs !== null && ours.ttffMs <= 0.9 * theirs.ttffMs;
  const rebufferOk = Math.round(ours.rebufferS * 100) <= Math.round(theirs.rebufferS * 100);
  const checks = [`first frame ≤ 0.9×: ${ttffOk ? '✓' : '✗'} (${ratio(ours.ttffMs, theirs.ttffMs)})`, `rebuffer ≤: ${rebufferOk ? '✓' : '✗'}`];
  let bitrateOk = null;
  if (varying) {
    bitrateOk = ours.bitrateKbps !== null && theirs.bitrateKbps !== null && Math.round(ours.bitrateKbps) >= Math.round(theirs.bitrateKbps);
    checks.push(`bitrate ≥: ${bitrateOk ? '✓' : '✗'} (${ratio(ours.bitrateKbps, theirs.bitrateKbps)})`);
  }
  return { ttffOk, rebufferOk, bitrateOk, line: checks.join(', ') };
}

function table(results, order, scheds) {
  const lines = [
    '| schedule | player | first frame s | rebuffer s (count) | avg played bitrate kbps | switches | dropped frames | peak JS heap MB | wasm memory MB | hlsplay against this run |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const verdicts = [];
  for (const name of order) {
    const ours = results[name].hlsplay;
    // Saved runs from before hls.js ran twice have no `hlsjs-progressive`: their rows are left out.
    for (const player of Object.keys(PLAYERS).filter((p) => results[name][p])) {
      const m = results[name][player];
      let targets = '';
      if (player !== 'hlsplay') {
        const v = against(ours, m, scheds[name].varying);
        verdicts.push({ schedule: name, peer: player, ttffOk: v.ttffOk, rebufferOk: v.rebufferOk, bitrateOk: v.bitrateOk });
        targets = v.line;
      }
      const fatal = m.fatal.length ? ` **fatal: ${m.fatal.join('; ')}**` : '';
      lines.push(`| ${scheds[name].label} | ${PLAYERS[player].label} | ${fmtSeconds(m.ttffMs)} | ${fmt(m.rebufferS, 2)} (${fmt(m.rebuffers, 1)}) | ${fmt(m.bitrateKbps, 0)} | ${fmt(m.switches, 1)} | ${fmt(m.dropped, 0)} | ${fmt(m.heapMB, 1)} | ${fmt(m.wasmMB, 1)} | ${targets}${fatal} |`);
    }
  }
  return { markdown: lines.join('\n'), verdicts };
}

function writeDoc(section, shape) {
  const path = resolve(ROOT, 'docs/benchmarks.md');
  const tag = shape === 'ts' ? 'race' : `race-${shape}`;
  const begin = `<!-- ${tag}:begin -->`;
  const end = `<!-- ${tag}:end -->`;
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const block = `${begin}\n${section}\n${end}`;
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  const next = a >= 0 && b > a
    ? doc.slice(0, a) + block + doc.slice(b + end.length)
    : `${doc.replace(/\n*$/, '\n\n')}${block}\n`;
  writeFileSync(path, next);
}

// --- main ----------------------------------------------------------------------------------------------
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  OPTS.progressive = opts.progressive;
  OPTS.shape = opts.shape;
  HLS_DIR = `${SAMPLE}/testpattern/Default/${SHAPE_DIRS[opts.shape]}`;
  if (opts.render) {
    const section = render(JSON.parse(readFileSync(opts.render, 'utf8')));
    console.log(section);
    if (opts.write) writeDoc(section, opts.shape);
    return;
  }
  for (const [file, how] of [['pkg/hlsplay.js', 'bash scripts/build-pkg.sh'], ['target/debug/devcdn', 'cargo build -p devcdn'],
    ['node_modules/hls.js/dist/hls.min.js', 'npm ci']]) {
    if (!existsSync(resolve(ROOT, file))) throw new Error(`${file} is missing: run \`${how}\` first`);
  }
  const made = spawnSync('scripts/make-sample.sh', [opts.shape, '', SAMPLE], {
    cwd: ROOT, stdio: 'inherit', env: { ...process.env, SAMPLE_DURATION: '120' },
  });
  if (made.status !== 0) throw new Error('scripts/make-sample.sh failed');
  const byHeight = ladder();
  const scheds = schedules(opts.duration);
  const order = opts.schedules ?? Object.keys(scheds);
  if (!scheds.norway) {
    const missing = `the norway schedule needs ${resolve(NORWAY.dir, NORWAY.file)} (Pensieve's Norway traces, peer data)`;
    if (order.includes('norway')) throw new Error(missing);
    console.log(`left out: ${missing}`);
  }
  for (const name of order) if (!scheds[name]) throw new Error(`unknown schedule ${name} (known: ${Object.keys(scheds).join(', ')})`);
  const players = Object.keys(PLAYERS);

  // Someone else's devcdn on these ports would serve our pages and ignore our schedules.
  for (const port of [APP, CDN]) {
    const taken = await fetch(`http://localhost:${port}/`).then(() => true, () => false);
    if (taken) throw new Error(`port ${port} is already in use (another race running?)`);
  }
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const loadBefore = loadavg()[0];
  const cdn = await startCdn({ appPort: APP, cdnPort: CDN, root: SAMPLE });
  const browser = await launchBrowser({ args: ['--enable-precise-memory-info'] });
  const raw = {};
  const results = {};
  try {
    for (const name of order) {
      raw[name] = Object.fromEntries(players.map((p) => [p, []]));
      for (let rep = 0; rep < opts.repeats; rep += 1) {
        // Rotate who goes first so a slow-down of the machine does not always hit the same player.
        const first = rep % players.length;
        const turn = [...players.slice(first), ...players.slice(0, first)];
        for (const player of turn) {
          const r = await runOnce(browser, player, scheds[name], scheds[name].seconds);
          const m = metrics(r, byHeight);
          raw[name][player].push({ metrics: m, wallSeconds: r.wallSeconds, rebuffersMs: r.rebuffers, errors: r.errors, pageErrors: r.pageErrors,
            segments: r.segments.map((s) => `${s.level}@${s.start.toFixed(1)}`).join(' ') });
          console.log(`${name} ${player} #${rep + 1}: first frame ${fmtSeconds(m.ttffMs)} s, rebuffer ${fmt(m.rebufferS, 2)} s (${m.rebuffers}), `
            + `${fmt(m.bitrateKbps, 0)} kbps, ${m.switches} switches, ${m.dropped}/${m.frames} dropped, heap ${fmt(m.heapMB)} MB, `
            + `wasm ${fmt(m.wasmMB)} MB, played ${fmt(m.playedS)} s${m.fatal ? `, FATAL ${m.fatal}` : ''}${m.errors ? `, ${m.errors} errors` : ''}`);
        }
      }
      results[name] = Object.fromEntries(players.map((p) => [p, summarise(raw[name][p].map((x) => x.metrics))]));
    }
  } finally {
    await browser.close();
    cdn.kill();
  }

  const saved = {
    command: `node bench/race.mjs${opts.duration ? ` --duration ${opts.duration}` : ''} --repeats ${opts.repeats}${opts.schedules ? ` --schedules ${order.join(',')}` : ''}${opts.shape === 'ts' ? '' : ` --shape ${opts.shape}`}`,
    shape: opts.shape,
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    repeats: opts.repeats,
    commit,
    cores: cpus().length,
    load: [loadBefore, loadavg()[0]],
    order,
    seconds: Object.fromEntries(order.map((n) => [n, scheds[n].seconds])),
    steps: Object.fromEntries(order.map((n) => [n, scheds[n].steps])),
    results,
    verdicts: table(results, order, scheds).verdicts,
    raw,
  };
  const section = render(saved);
  console.log(`\n${section}\n`);
  if (opts.write) {
    const results = opts.shape === 'ts' ? 'bench/race-results.json' : `bench/race-results-${opts.shape}.json`;
    writeFileSync(resolve(ROOT, results), `${JSON.stringify(saved, null, 1)}\n`);
    writeDoc(section, opts.shape);
    console.log(`wrote docs/benchmarks.md (race section for ${opts.shape}) and ${results}`);
  }
}

/** The docs section, from saved runs (so the text can be improved without running the race again). */
function render(saved) {
  const { results } = saved;
  const order = saved.order ?? Object.keys(results);
  const repeats = saved.repeats ?? saved.raw[order[0]].hlsplay.length;
  const scheds = schedules(null, saved.seconds ?? {}, saved.steps ?? {});
  const { markdown } = table(results, order, scheds);
  const traces = order.map((n) => `- **${scheds[n].label}**, ${scheds[n].seconds} s per run: ${describeSteps(scheds[n].steps, scheds[n].seconds)}`).join('\n');
  const floors = order.map((n) => {
    const f = wholeSegmentFloor(scheds[n]);
    const progressive = results[n]['hlsjs-progressive'];
    return `- ${scheds[n].label}: floor ${f.seconds.toFixed(2)} s, hlsplay ${fmtSeconds(results[n].hlsplay.ttffMs)} s`
      + `${progressive ? `, hls.js \`progressive: true\` ${fmtSeconds(progressive.ttffMs)} s` : ''}`;
  });
  const floorBytes = wholeSegmentFloor(scheds[order[0]]).bytes;
  // The hand-written notes on a shape's runs travel with its table: bench/race-findings.md for ts,
  // bench/race-findings-<shape>.md for the others (none: no notes).
  const shape = saved.shape ?? 'ts';
  const findingsPath = resolve(ROOT, shape === 'ts' ? 'bench/race-findings.md' : `bench/race-findings-${shape}.md`);
  const findings = existsSync(findingsPath) ? `\n${readFileSync(findingsPath, 'utf8').trim()}\n` : '';
  const load = saved.load ? `load average ${saved.load[0].toFixed(1)} at the start and ${saved.load[1].toFixed(1)} at the end` : 'load average not recorded';
  const title = saved.shape && saved.shape !== 'ts' ? ` (${saved.shape} sample)` : '';
  return `## The race: hlsplay against hls.js in Chromium${title}

Generated by \`${saved.command}\` on ${saved.date} UTC${saved.commit ? ` (package built from ${saved.commit})` : ''}; do not edit the table by hand.
Medians over ${repeats} runs per schedule and player, the players taking turns (who goes first rotates).
The last column compares hlsplay with the run of that row, on the targets below.
Machine: ${saved.cores ?? cpus().length} cores, ${load}
(other work shares the machine: dropped frames and first-frame times carry that noise).

${markdown}

hls.js 1.7 by default (\`progressive: false\`) transmuxes and appends a segment only once it has fully
arrived, so its first frame cannot come before the whole first segment. With \`progressive: true\` it
loads with \`fetch\` and hands the body to its transmuxer in chunks as they arrive. hlsplay remuxes and
appends fragments as the bytes arrive (\`progressive: true\`, its default; \`Input::Chunk\`), so its first
frame follows the first GOP. The whole-segment floor, from the schedule alone (three response heads,
then the ${floorBytes}-byte first 360p segment on the link):
${floors.join('\n')}

\`--no-progressive\` runs hlsplay with whole segments for comparison.
${findings}
Schedules (Mbps from each time on; ${TTFB_MS} ms TTFB on every response; devcdn paces one link shared by
all of a player's requests, and loops a schedule that ends before the run; the schedule's clock starts
just before \`load()\`):
${traces}
${order.includes('norway') ? `
The Norway schedule is a real 3G/HSDPA throughput trace from the Pensieve paper's test set (SIGCOMM 2017;
\`${NORWAY.file}\` in \`../shared/peer-data/pensieve/traces-norway/\`, one \`<time_s> <Mbps>\` line per ~1 s
interval, each rate holding until the next line), replayed by devcdn from second ${NORWAY.from} of the trace on
(lines rebased to 0, the ${TTFB_MS} ms TTFB added, sent as \`trace_text\`). This trace because, in the
simulator on this ladder (\`hlsplay simulate --traces <dir with it> --ladder mediaconvert --abr all\`),
it is a slow decay (about 2.5 Mbps falling to 0.6 Mbps over a minute, then back to 1.5) where the
engine stayed too high and stalled 4 times (12.6 s) while the hls.js rule did not stall; from second
${NORWAY.from} the decay falls in the run after the players have had 30 s to fill their buffers. The
part replayed (${Math.round(scheds.norway.steps[scheds.norway.steps.length - 1][0])} s) is longer than a run, so it does not loop.
` : ''}
How it is measured (\`bench/race.html\`, one player per fresh browser context, CDN state reset, the
wall time per run given with each schedule, the 120 s sample of \`SAMPLE_DURATION=120 scripts/make-sample.sh '' sample-long\` with the
360p/540p/720p ladder at 1.2/2.3/3.4 Mbps AVERAGE-BANDWIDTH, in a 1280x720 CSS px \`<video>\`, muted autoplay):
- players: hlsplay from \`pkg/\` and hls.js 1.7.4 (\`hls.min.js\` from npm), each with its defaults except
  \`capLevelToPlayerSize: false\` for both (hls.js also gets \`xhrSetup\` / \`fetchSetup\` sending the signed
  cookies); hls.js runs a second time with \`progressive: true\`, its fastest start (FetchLoader,
  chunks to the transmuxer as they arrive). Defaults differ in one way that matters: hlsplay keeps 30 s ahead; hls.js's
  \`maxBufferLength\` is 30 s but it keeps loading while the buffer is under \`maxBufferSize\` (60 MB), i.e.
  the whole 120 s stream on this ladder.
- **first frame**: from the \`load()\` call (the package is already instantiated, hls.js already parsed) to
  the first \`requestVideoFrameCallback\`.
- **rebuffer**: every \`waiting\` after the first frame until \`playing\` (or the playhead moving again);
  one still open at the end counts up to the end.
- **avg played bitrate**: every 250 ms, the media seconds played since the last sample are credited to the
  AVERAGE-BANDWIDTH of the level of the segment under the playhead (the last segment loaded that covers
  \`currentTime\`: hlsplay's \`segmentLoaded\`, hls.js's \`FRAG_BUFFERED\`); **switches** count changes of that
  played level.
- **dropped frames**: \`getVideoPlaybackQuality()\` at the end (headless Chromium, software decoding on a
  shared 2-core machine: indicative).
- **peak JS heap**: peak \`performance.memory.usedJSHeapSize\` of the page (\`--enable-precise-memory-info\`,
  every 250 ms) plus the peak V8 heap of the page's workers (CDP \`Runtime.getHeapUsage\` every 500 ms;
  hls.js transmuxes in a worker). ArrayBuffer contents (segments, SourceBuffer data) are outside both.
- **wasm memory**: peak \`byteLength\` of the package's \`WebAssembly.Memory\` (\`init()\` returns it; it never
  shrinks); hls.js has none.
- **targets** (on the medians, hlsplay against each hls.js run of the same schedule; ratios are
  hlsplay / hls.js): first frame ≤ 0.9× hls.js; rebuffer time ≤ hls.js on every schedule; average
  played bitrate ≥ hls.js on the varying schedules (steps, Markov, Norway).`;
}

main().catch((e) => { console.error(e); process.exit(1); });
