// The hlsplay demo page: plays a master playlist (by default the sample behind the local CloudFront,
// after the app minted signed cookies), shows what the player decides and why, and drives devcdn's
// faults so anyone can watch the player recover. Plain ES modules; the package is imported as built.

import { Chart } from './chart.js';
import { probeThumbnails } from './thumbs.js';
import { DevCdn } from './cdn.js';
import { describeError, fmtBps, fmtBytes, fmtTime, forwardBuffer as bufferAhead, levelName, stripUrls } from './format.js';
import {
  SAMPLE_SOURCES, audioMenu, audioTrackLabel, faultTarget, initialSource, keyPattern, sampleSource, sampleUrl, sourceOf,
  subtitleIndex, subtitleMenu, subtitleTrackLabel,
} from './sources.js';

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);

const EVENT_NAMES = [
  'manifestParsed', 'levelSwitching', 'levelSwitched', 'segmentLoaded', 'bandwidthEstimate',
  'bufferAppended', 'error', 'credentialsRefresh', 'gapJumped', 'stallNudged', 'liveEnded', 'ended',
  'audioTracksUpdated', 'audioTrackSwitching', 'audioTrackSwitched',
  'subtitleTracksUpdated', 'subtitleTrackSwitch', 'levelLoaded', 'fragChanged',
];
// Events too frequent for the on-page event list (still recorded in hlsplayDemo.events).
const QUIET_EVENTS = new Set(['bufferAppended', 'bandwidthEstimate', 'levelLoaded', 'fragChanged']);
// Bounds so a long session does not grow memory without limit.
const MAX_EVENTS = 5000;
const MAX_LOG_LINES = 80;

// What the tests read: every player event, every error, how often the player asked for cookies.
const demo = (window.hlsplayDemo = {
  events: [],
  errors: [],
  refreshCount: 0,
  mintCount: 0,
  cookieExpires: null,
  ready: false, // the page finished setting up (the player exists, or the failure is shown)
  thumbnails: null, // { first } once probed
  devcdn: false,
  source: null, // the sample playing (an id of sources.js), or 'custom'
  unsupportedEvents: [], // events this build of the package does not know (an older pkg/)
});

// ---- configuration from the URL ------------------------------------------------------------------

function cdnOrigin() {
  const host = location.hostname || 'localhost';
  const proto = location.protocol === 'https:' ? 'https:' : 'http:';
  const c = params.get('cdn');
  if (!c) return `${proto}//${host}:9090`;
  if (/^\d+$/.test(c)) return `${proto}//${host}:${c}`;
  try {
    return new URL(c).origin;
  } catch {
    return `${proto}//${host}:9090`;
  }
}

const CDN = cdnOrigin();

function playerConfig() {
  const config = {};
  if (params.has('config')) {
    try {
      Object.assign(config, JSON.parse(params.get('config')));
    } catch (e) {
      showNotice(`?config is not JSON (${e.message}); ignored`);
    }
  }
  if (params.has('startLevel')) config.startLevel = Number(params.get('startLevel'));
  if (params.has('bufferGoal')) config.bufferGoal = Number(params.get('bufferGoal'));
  if (params.has('audioLanguage')) config.audioLanguage = params.get('audioLanguage');
  if (params.has('subtitleLanguage')) config.subtitleLanguage = params.get('subtitleLanguage');
  // To compare the modes: the player on the page's thread, or its Worker feeding the page's MediaSource.
  if (params.get('worker') === '0') config.worker = false;
  if (params.get('workerMediaSource') === '0') config.workerMediaSource = false;
  return config;
}

// ---- banners and logs ----------------------------------------------------------------------------

function showError(title, detail) {
  const el = $('#error');
  el.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = title;
  el.append(strong);
  if (detail) {
    const small = document.createElement('span');
    small.className = 'detail';
    small.textContent = detail;
    el.append(small);
  }
  el.hidden = false;
}

function clearError() {
  $('#error').hidden = true;
  $('#error').replaceChildren();
}

function showNotice(text) {
  const el = $('#notice');
  el.textContent = text;
  el.hidden = !text;
}

function appendLog(list, text, cls) {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  list.prepend(li);
  while (list.children.length > MAX_LOG_LINES) list.lastElementChild.remove();
}

// ---- cookies (the app side) ----------------------------------------------------------------------

// The app origin (the one serving this page) mints CloudFront cookies for the CDN's host.
async function mintCookies() {
  const r = await fetch('/auth/cookies', { credentials: 'include', cache: 'no-store' });
  if (!r.ok) throw new Error(`/auth/cookies answered ${r.status}`);
  const body = await r.json();
  if (!Number.isFinite(body.expires)) throw new Error('/auth/cookies: no "expires" in the answer');
  demo.mintCount++;
  demo.cookieExpires = body.expires;
  return { expires: body.expires };
}

async function refreshCredentials() {
  demo.refreshCount++;
  $('#stat-refresh').textContent = String(demo.refreshCount);
  const grant = await mintCookies();
  appendLog($('#events'), `${clock()} cookies refreshed, valid until ${new Date(grant.expires * 1000).toLocaleTimeString()}`, 'good');
  return grant;
}

// ---- state of the current session ----------------------------------------------------------------

const video = $('#video');
const chart = new Chart($('#chart'));
let player = null;
let Player = null;
let session = null; // per-load state, replaced on every load()
let t0 = performance.now();
const clock = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

function newSession(src) {
  return {
    src,
    levels: [],
    playing: -1, // level of the last levelSwitched
    lastSegment: null,
    errors: 0,
    retried: 0,
    gaps: 0,
    nudges: 0,
    lastError: null,
    thumbs: null,
    audioTracks: [], // the last audioTracksUpdated
    audioSwitching: null, // the track being switched to, until audioTrackSwitched
    subtitleTracks: [], // the last subtitleTracksUpdated
  };
}

function record(name, payload) {
  const entry = { name, t: performance.now(), ...(payload && typeof payload === 'object' ? payload : {}) };
  demo.events.push(entry);
  if (demo.events.length > MAX_EVENTS) demo.events.splice(0, demo.events.length - MAX_EVENTS);
  return entry;
}

function onEvent(name, p) {
  record(name, p);
  const s = session;
  switch (name) {
    case 'manifestParsed':
      s.levels = p.levels || [];
      renderLevels();
      break;
    case 'levelSwitching':
      appendLog($('#events'), `${clock()} switching ${p.from == null ? 'start' : levelName(s.levels[p.from])} → ${levelName(s.levels[p.to])} (${p.reason})`);
      renderLevels();
      break;
    case 'levelSwitched':
      s.playing = p.level;
      renderLevels();
      break;
    case 'segmentLoaded':
      s.lastSegment = p;
      appendLog($('#events'), `${clock()} segment ${p.sequence} of ${levelName(s.levels[p.level])}: ${fmtBytes(p.bytes)} in ${Math.round(p.loadMs)} ms (${fmtBps(p.throughputBps)})`);
      break;
    case 'error': {
      demo.errors.push(p);
      if (demo.errors.length > MAX_EVENTS) demo.errors.shift();
      s.errors++;
      if (!p.fatal) s.retried++;
      s.lastError = p;
      const text = describeError(p);
      appendLog($('#events'), `${clock()} ${p.fatal ? 'FATAL ' : ''}${p.kind} error: ${text}${p.fatal ? '' : ' — retrying'}`, p.fatal ? 'bad' : 'warn');
      if (p.fatal) {
        // The title is the short sentence; the detail is the player's own message (when it says
        // more than the title, e.g. the CloudFront code's raw text) and the URL.
        const stripped = stripUrls(p.message || '');
        const msg = stripped !== text ? stripped : '';
        showError(text, [msg, p.url || ''].filter(Boolean).join(' — '));
        if (p.status === 404 && s.src === s.sampleUrl) {
          showNotice('This sample shape is not on the CDN: make every shape with `bash scripts/make-sample.sh all`.');
        }
      }
      break;
    }
    case 'credentialsRefresh':
      appendLog($('#events'), `${clock()} player asks for fresh cookies (${p.reactive ? 'after a refusal' : 'before expiry'})`);
      break;
    case 'gapJumped':
      s.gaps++;
      appendLog($('#events'), `${clock()} jumped a gap ${p.from.toFixed(2)} → ${p.to.toFixed(2)}`, 'warn');
      break;
    case 'stallNudged':
      s.nudges++;
      appendLog($('#events'), `${clock()} stalled; nudged to ${p.to.toFixed(2)}`, 'warn');
      break;
    case 'liveEnded':
      appendLog($('#events'), `${clock()} the live stream ended`);
      break;
    case 'ended':
      appendLog($('#events'), `${clock()} ended: every segment is buffered (endOfStream)`);
      break;
    case 'audioTracksUpdated':
      s.audioTracks = Array.isArray(p.audioTracks) ? p.audioTracks : [];
      appendLog($('#events'), `${clock()} audio tracks: ${s.audioTracks.length ? s.audioTracks.map(audioTrackLabel).join(', ') : 'none (audio in the video)'}`);
      renderAudio();
      break;
    case 'audioTrackSwitching':
      s.audioSwitching = p.id;
      appendLog($('#events'), `${clock()} switching audio to ${audioTrackLabel(s.audioTracks[p.id])}`);
      renderAudio();
      break;
    case 'audioTrackSwitched':
      s.audioSwitching = null;
      appendLog($('#events'), `${clock()} audio: ${audioTrackLabel(s.audioTracks[p.id])}`, 'good');
      renderAudio();
      break;
    case 'subtitleTracksUpdated':
      s.subtitleTracks = Array.isArray(p.subtitleTracks) ? p.subtitleTracks : [];
      appendLog($('#events'), `${clock()} caption tracks: ${s.subtitleTracks.length ? s.subtitleTracks.map(subtitleTrackLabel).join(', ') : 'none'}`);
      renderCaptions();
      break;
    case 'subtitleTrackSwitch':
      appendLog($('#events'), `${clock()} captions: ${subtitleTrackLabel(playerSubtitleTracks()[subtitleIndex(playerSubtitleTracks(), p.id)])}`, 'good');
      renderCaptions();
      break;
    default:
      if (!QUIET_EVENTS.has(name)) appendLog($('#events'), `${clock()} ${name}`);
  }
}

// ---- quality menu --------------------------------------------------------------------------------

function renderLevels() {
  const box = $('#levels');
  const levels = session ? session.levels : [];
  const auto = player ? player.autoLevelEnabled : true;
  const current = currentLevel();
  const want = [{ index: -1 }, ...levels];
  if (box.children.length !== want.length) {
    box.replaceChildren(...want.map((l) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.level = String(l.index);
      b.addEventListener('click', () => selectLevel(l.index));
      return b;
    }));
  }
  for (const b of box.children) {
    const i = Number(b.dataset.level);
    const l = levels[i];
    // Selected: the user's choice (Auto, or the forced level); current: the level playing.
    const selected = i === -1 ? auto : !auto && player && i === player.currentLevel;
    b.classList.toggle('selected', selected);
    b.setAttribute('aria-pressed', String(selected));
    b.classList.toggle('current', i === current);
    if (i === -1) {
      b.textContent = auto && current >= 0 && levels[current] ? `Auto (${levels[current].height || current}p)` : 'Auto';
      b.title = 'Let the player choose by measured bandwidth';
    } else {
      b.replaceChildren();
      const main = document.createElement('span');
      main.textContent = l.height ? `${l.height}p` : `Level ${i}`;
      const sub = document.createElement('small');
      const res = l.width && l.height ? `${l.width}×${l.height} · ` : '';
      sub.textContent = `${res}${fmtBps(l.averageBitrate || l.bitrate)}`;
      b.append(main, sub);
      b.title = `${l.codecs || ''} peak ${fmtBps(l.bitrate)}`;
    }
  }
  const lvl = levels[current];
  $('#level').textContent = lvl
    ? `${levelName(lvl)}${lvl.width ? ` (${lvl.width}×${lvl.height})` : ''} · ${auto ? 'auto' : 'manual'}`
    : '–';
}

// The level shown as current: the one playing (levelSwitched), else the one being loaded.
function currentLevel() {
  if (!player || !session) return -1;
  if (session.playing >= 0) return session.playing;
  return player.currentLevel;
}

function selectLevel(index) {
  if (!player) return;
  player.currentLevel = index;
  appendLog($('#events'), `${clock()} quality: ${index < 0 ? 'auto' : levelName(session.levels[index])} (user)`);
  renderLevels();
}

// ---- audio-language menu -------------------------------------------------------------------------

/** `select`'s options from menu entries ({value, label, disabled}), rebuilt only when they changed. */
function setOptions(select, entries) {
  const key = JSON.stringify(entries.map((e) => [e.value, e.label]));
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  select.replaceChildren(...entries.map((e) => {
    const o = document.createElement('option');
    o.value = e.value;
    o.textContent = e.label;
    o.disabled = !!e.disabled;
    return o;
  }));
}

// The player's audio API (player.audioTracks / audioTrack, hls.js's names); an older package has none.
const playerAudioTracks = () => (player && Array.isArray(player.audioTracks) ? player.audioTracks : session ? session.audioTracks : []);
const playerAudioTrack = () => (player && Number.isInteger(player.audioTrack) ? player.audioTrack : -1);

function renderAudio() {
  const select = $('#audio-track');
  const tracks = playerAudioTracks();
  const current = playerAudioTrack();
  const entries = audioMenu(tracks, current);
  setOptions(select, entries);
  select.disabled = tracks.length < 2;
  const shown = session && session.audioSwitching != null ? session.audioSwitching : current;
  if (shown >= 0 && shown < tracks.length) select.value = String(shown);
  $('#stat-audio').textContent = tracks.length === 0 ? 'in the video'
    : `${audioTrackLabel(tracks[current])}${session && session.audioSwitching != null ? ' (switching…)' : ''}`;
}

$('#audio-track').addEventListener('change', (e) => {
  if (!player || e.target.value === '') return;
  const index = Number(e.target.value);
  appendLog($('#events'), `${clock()} audio: ${audioTrackLabel(playerAudioTracks()[index])} (user)`);
  player.audioTrack = index;
  renderAudio();
});

// ---- captions menu ---------------------------------------------------------------------------------

// The player's captions API (player.subtitleTracks / subtitleTrack, hls.js's names); an older package
// has none, and the menu then says "no captions".
const playerSubtitleTracks = () => (player && Array.isArray(player.subtitleTracks) ? player.subtitleTracks : session ? session.subtitleTracks : []);
const playerSubtitleTrack = () => (player && Number.isInteger(player.subtitleTrack) ? player.subtitleTrack : -1);

function renderCaptions() {
  const select = $('#cc-track');
  const tracks = playerSubtitleTracks();
  const current = playerSubtitleTrack();
  const entries = subtitleMenu(tracks, current);
  setOptions(select, entries);
  select.disabled = tracks.length === 0;
  const chosen = entries.find((e) => e.selected);
  if (chosen) select.value = chosen.value;
  $('#stat-cc').textContent = tracks.length === 0 ? 'none' : subtitleTrackLabel(tracks[current]);
}

$('#cc-track').addEventListener('change', (e) => {
  if (!player || e.target.value === '' || !('subtitleTrack' in player)) return;
  const index = Number(e.target.value);
  appendLog($('#events'), `${clock()} captions: ${subtitleTrackLabel(playerSubtitleTracks()[index])} (user)`);
  player.subtitleTrack = index;
  renderCaptions();
});

// ---- stats and chart -----------------------------------------------------------------------------

const forwardBuffer = () => bufferAhead(video.buffered, video.currentTime);

function updateStats() {
  if (!session) return;
  const s = session;
  $('#stat-bw').textContent = player ? fmtBps(player.bandwidthEstimate) : '–';
  const goal = player ? player.bufferGoal : 30;
  $('#stat-buffer').textContent = `${forwardBuffer().toFixed(1)} s (goal ${Math.round(goal)} s)`;
  const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
  $('#stat-dropped').textContent = q ? `${q.droppedVideoFrames} of ${q.totalVideoFrames}` : 'n/a';
  const seg = s.lastSegment;
  $('#stat-segment').textContent = seg
    ? `${fmtBytes(seg.bytes)} · ${Math.round(seg.loadMs)} ms (TTFB ${Math.round(seg.ttfbMs)}) · ${fmtBps(seg.throughputBps)}`
    : '–';
  $('#stat-errors').textContent = `${s.errors} / ${s.retried}`;
  $('#stat-refresh').textContent = String(demo.refreshCount);
  $('#stat-gaps').textContent = `${s.gaps} / ${s.nudges}`;
  renderAudio();
  renderCaptions();
  const le = $('#stat-last-error');
  le.textContent = s.lastError ? `${s.lastError.fatal ? 'fatal: ' : ''}${describeError(s.lastError)}` : 'none';
  le.classList.toggle('bad', !!s.lastError);
  renderLevels();
}

function sampleChart() {
  if (!session || !player) return;
  const lvl = session.levels[player.currentLevel];
  chart.bufferGoal = player.bufferGoal;
  chart.topBitrate = Math.max(0, ...session.levels.map((l) => l.bitrate || 0));
  chart.push({
    t: (performance.now() - t0) / 1000,
    bw: player.bandwidthEstimate,
    bitrate: lvl ? lvl.averageBitrate || lvl.bitrate : null,
    buffer: forwardBuffer(),
  });
}

// ---- custom controls and the seek bar with thumbnails ---------------------------------------------

// Inline SVG: icon fonts and emoji are missing on some systems (headless Chromium among them).
const svg = (d) => `<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="${d}"/></svg>`;
const ICONS = {
  play: svg('M8 5v14l11-7z'),
  pause: svg('M6 5h4v14H6zm8 0h4v14h-4z'),
  volume: svg('M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z'),
  muted: svg('M3 9v6h4l5 5V4L7 9H3zm18.4.4-1.4-1.4-2.6 2.6-2.6-2.6-1.4 1.4 2.6 2.6-2.6 2.6 1.4 1.4 2.6-2.6 2.6 2.6 1.4-1.4-2.6-2.6z'),
  fullscreen: svg('M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z'),
};
function setIcon(button, name, label) {
  if (button.dataset.icon === name) return;
  button.dataset.icon = name;
  button.innerHTML = ICONS[name];
  button.setAttribute('aria-label', label);
  button.title = label;
}
setIcon($('#fullscreen'), 'fullscreen', 'Full screen');
$('#big-play button').innerHTML = ICONS.play;

const seekbar = $('#seekbar');
const preview = seekbar.querySelector('.preview');
const thumb = $('#thumb');
let dragging = false;

function duration() {
  return Number.isFinite(video.duration) ? video.duration : 0;
}

function timeAt(clientX) {
  const r = seekbar.getBoundingClientRect();
  const f = Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
  return { f, t: f * duration() };
}

function renderSeekbar() {
  const d = duration();
  const f = d > 0 ? video.currentTime / d : 0;
  seekbar.querySelector('.played').style.width = `${f * 100}%`;
  seekbar.querySelector('.handle').style.left = `${f * 100}%`;
  const box = seekbar.querySelector('.buffered');
  const b = video.buffered;
  const parts = [];
  for (let i = 0; i < b.length && d > 0; i++) {
    const el = document.createElement('div');
    el.style.left = `${(b.start(i) / d) * 100}%`;
    el.style.width = `${((b.end(i) - b.start(i)) / d) * 100}%`;
    parts.push(el);
  }
  box.replaceChildren(...parts);
  seekbar.setAttribute('aria-valuemax', String(Math.round(d)));
  seekbar.setAttribute('aria-valuenow', String(Math.round(video.currentTime)));
  seekbar.setAttribute('aria-valuetext', `${fmtTime(video.currentTime)} of ${fmtTime(d)}`);
  $('#time').textContent = video.duration === Infinity ? `${fmtTime(video.currentTime)} · LIVE` : `${fmtTime(video.currentTime)} / ${fmtTime(d)}`;
  setIcon($('#play'), video.paused ? 'play' : 'pause', video.paused ? 'Play' : 'Pause');
  const silent = video.muted || video.volume === 0;
  setIcon($('#mute'), silent ? 'muted' : 'volume', silent ? 'Unmute' : 'Mute');
}

function showPreview(clientX) {
  const d = duration();
  if (d <= 0) return;
  const { f, t } = timeAt(clientX);
  preview.querySelector('.preview-time').textContent = fmtTime(t);
  const thumbs = session && session.thumbs;
  preview.classList.toggle('no-image', !thumbs);
  if (thumbs) {
    const url = thumbs.url(t);
    if (thumb.dataset.url !== url) {
      thumb.dataset.url = url;
      thumb.src = url;
    }
  }
  preview.hidden = false;
  // Keep the preview inside the bar's width.
  const bar = seekbar.clientWidth;
  const half = preview.offsetWidth / 2;
  preview.style.left = `${Math.min(bar - half, Math.max(half, f * bar))}px`;
}

function seekTo(t) {
  if (duration() > 0) video.currentTime = Math.min(duration(), Math.max(0, t));
}

seekbar.addEventListener('pointermove', (e) => {
  showPreview(e.clientX);
  if (dragging) seekTo(timeAt(e.clientX).t);
});
seekbar.addEventListener('pointerleave', () => { if (!dragging) preview.hidden = true; });
seekbar.addEventListener('pointerdown', (e) => {
  dragging = true;
  seekbar.setPointerCapture(e.pointerId);
  seekTo(timeAt(e.clientX).t);
  showPreview(e.clientX);
});
const endDrag = () => { dragging = false; preview.hidden = true; };
seekbar.addEventListener('pointerup', endDrag);
seekbar.addEventListener('pointercancel', endDrag);
seekbar.addEventListener('keydown', (e) => {
  const step = { ArrowLeft: -5, ArrowRight: 5, PageDown: -30, PageUp: 30 }[e.key];
  if (step) { seekTo(video.currentTime + step); e.preventDefault(); }
  if (e.key === 'Home') { seekTo(0); e.preventDefault(); }
  if (e.key === 'End') { seekTo(duration() - 0.1); e.preventDefault(); }
});
thumb.addEventListener('error', () => preview.classList.add('no-image'));
thumb.addEventListener('load', () => preview.classList.remove('no-image'));

function togglePlay() {
  if (video.paused) video.play().catch((e) => showNotice(`play() refused: ${e.message}`));
  else video.pause();
}
$('#play').addEventListener('click', togglePlay);
$('#big-play button').addEventListener('click', () => { $('#big-play').hidden = true; togglePlay(); });
video.addEventListener('click', togglePlay);
video.addEventListener('play', () => { $('#big-play').hidden = true; });
$('#mute').addEventListener('click', () => { video.muted = !video.muted; renderSeekbar(); });
$('#fullscreen').addEventListener('click', () => {
  const box = $('.video-box');
  if (document.fullscreenElement) document.exitFullscreen();
  else if (box.requestFullscreen) box.requestFullscreen();
  else if (video.webkitEnterFullscreen) video.webkitEnterFullscreen(); // iPhone
});
for (const ev of ['timeupdate', 'progress', 'durationchange', 'play', 'pause', 'volumechange', 'seeking']) {
  video.addEventListener(ev, renderSeekbar);
}
video.addEventListener('error', () => {
  const err = video.error;
  if (err) showError(`the media element failed (code ${err.code})`, err.message || '');
});

// ---- the local CloudFront panel -------------------------------------------------------------------

let cdn = null;
let cdnTimer = null;

async function setupCdnPanel(src) {
  clearInterval(cdnTimer);
  let origin;
  try {
    origin = new URL(src, location.href).origin;
  } catch {
    origin = CDN;
  }
  const candidate = new DevCdn(origin);
  const status = await candidate.status();
  demo.devcdn = !!status;
  $('#cdn-panel').hidden = !status;
  $('#clear-cookies').hidden = !haveApp;
  if (!status) { cdn = null; return; }
  cdn = candidate;
  $('#throttle').value = String(status.rate_kbps || 0);
  renderCdnStatus(status);
  // Only new entries from now on: the log may hold thousands from earlier sessions.
  const old = await cdn.newLogEntries();
  for (const e of old.filter(isMedia).slice(-10)) logCdn(e);
  cdnTimer = setInterval(pollCdn, 1000);
}

function renderCdnStatus(s) {
  const faults = (s.faults || []).map((f) => `${faultName(f.kind)} ×${f.remaining} on ${f.path}`);
  const skew = s.clock_offset ? ` · clock ${s.clock_offset > 0 ? '+' : ''}${s.clock_offset}s` : '';
  const exp = demo.cookieExpires ? ` · cookies ${demo.cookieExpires > s.now ? `valid ${demo.cookieExpires - s.now}s` : 'expired'}` : '';
  $('#cdn-status').textContent = `rate ${s.rate_kbps ? `${s.rate_kbps / 1000} Mbps` : 'unlimited'}${skew}${exp}${faults.length ? ` · armed: ${faults.join(', ')}` : ''}`;
}

// devcdn serialises a fault kind as {"status": 503} or {"stall": {"after_bytes": N}}.
function faultName(kind) {
  if (kind && typeof kind === 'object') return kind.status != null ? String(kind.status) : Object.keys(kind)[0] || '?';
  return String(kind);
}

// The page's own control and status polling is not interesting in the request log.
const isMedia = (e) => typeof e.path === 'string' && !e.path.startsWith('/__devcdn/');

function logCdn(e) {
  const name = e.path.split('/').pop();
  const what = e.status >= 400 ? `${e.status}${e.reason ? ` ${e.reason}` : e.auth && e.auth !== 'ok' ? ` ${e.auth}` : ''}` : String(e.status);
  const cls = e.status >= 400 || e.fault ? 'bad' : '';
  appendLog($('#cdn-log'), `${e.method} ${name} → ${what}${e.fault ? ` (fault ${e.fault})` : ''}${e.bytes ? ` ${fmtBytes(e.bytes)}` : ''}`, cls);
}

async function pollCdn() {
  if (!cdn) return;
  try {
    const [s, entries] = await Promise.all([cdn.status(), cdn.newLogEntries()]);
    if (s) renderCdnStatus(s);
    for (const e of entries.filter(isMedia).slice(-MAX_LOG_LINES)) logCdn(e);
  } catch {
    // devcdn went away; the next poll tries again.
  }
}

async function cdnAction(label, fn) {
  if (!cdn) return;
  try {
    const s = await fn();
    appendLog($('#events'), `${clock()} CDN: ${label}`, 'cdn');
    if (s && typeof s.now === 'number') renderCdnStatus(s);
  } catch (e) {
    showNotice(`CDN control failed: ${e.message}`);
  }
}

$('#throttle').addEventListener('change', (e) => {
  const kbps = Number(e.target.value);
  cdnAction(kbps ? `network throttled to ${kbps / 1000} Mbps` : 'network unlimited', () => cdn.throttle(kbps));
});
$('#fault').addEventListener('change', async (e) => {
  const target = e.target.value && faultTarget(demo.source, e.target.value);
  e.target.value = '';
  if (!target) return;
  await cdnAction(`the next ${target.what} fails: ${target.kind}`, () => cdn.fault(target.kind, target.path));
});

// Key faults only where the source has key files (the AES-128 samples).
function renderFaultMenu() {
  const keys = keyPattern(demo.source) !== null;
  for (const o of $('#fault').querySelectorAll('option[value^="key:"]')) o.disabled = !keys;
}
$('#expire').addEventListener('click', () => {
  cdnAction('clock moved past the cookie expiry', async () => {
    const expires = demo.cookieExpires ?? (await cdn.status()).now + 600;
    return cdn.expireAt(expires);
  });
});
// The app forgets the cookies (GET /auth/clear): the next request is refused with MissingKey and the
// player asks for fresh ones.
$('#clear-cookies').addEventListener('click', async () => {
  try {
    const r = await fetch('/auth/clear', { credentials: 'include', cache: 'no-store' });
    if (!r.ok) throw new Error(`/auth/clear answered ${r.status}`);
    appendLog($('#events'), `${clock()} app: cookies dropped`, 'cdn');
  } catch (e) {
    showNotice(`could not drop the cookies: ${e.message}`);
  }
});
$('#cdn-reset').addEventListener('click', () => {
  $('#throttle').value = '0';
  cdnAction('reset (unlimited, no faults, real clock)', () => cdn.reset());
});

// ---- source menu: the sample shapes on the local CDN ----------------------------------------------

function renderSources() {
  const select = $('#source');
  select.replaceChildren(...[...SAMPLE_SOURCES, { id: 'custom', label: 'Other URL…' }].map((s) => {
    const o = document.createElement('option');
    o.value = s.id;
    o.textContent = s.label;
    return o;
  }));
}
renderSources();

$('#source').addEventListener('change', (e) => {
  const picked = sampleSource(e.target.value);
  if (!picked) {
    $('#src').focus();
    $('#src').select();
    return;
  }
  const url = new URL(location.href);
  url.searchParams.delete('src');
  url.searchParams.set('source', picked.id);
  history.pushState(null, '', url);
  load(sampleUrl(CDN, picked));
});

// ---- loading ----------------------------------------------------------------------------------

let haveApp = false;

async function load(src) {
  clearError();
  showNotice('');
  if (player) {
    player.destroy();
    player = null;
  }
  session = newSession(src);
  const source = sourceOf(src, CDN);
  session.sampleUrl = source === 'custom' ? null : src;
  demo.source = source;
  $('#source').value = source;
  renderFaultMenu();
  t0 = performance.now();
  chart.clear();
  $('#events').replaceChildren();
  $('#cdn-log').replaceChildren();
  $('#src').value = src;
  renderLevels();
  renderAudio();
  renderCaptions();

  const config = playerConfig();
  if (haveApp) config.refreshCredentials = refreshCredentials;
  try {
    player = new Player(video, config);
  } catch (e) {
    showError('the player refused its configuration', String(e && e.message ? e.message : e));
    return;
  }
  window.player = player;
  for (const name of EVENT_NAMES) {
    try {
      player.on(name, (p) => onEvent(name, p));
    } catch {
      // An older package without this event (the audio ones came with alternate audio, the
      // subtitle ones with captions).
      if (!demo.unsupportedEvents.includes(name)) demo.unsupportedEvents.push(name);
    }
  }
  appendLog($('#events'), `${clock()} load ${src}`);
  player.load(src);
  // The sample is one minute long: ?loop=1 keeps it going while you play with the CDN controls.
  video.loop = params.get('loop') === '1';
  if (params.get('autoplay') === '1') {
    video.muted = true;
    video.play().catch((e) => showNotice(`autoplay refused: ${e.message}`));
  } else {
    $('#big-play').hidden = false;
  }
  renderSeekbar();

  setupCdnPanel(src);
  probeThumbnails(src).then((t) => {
    if (session && session.src === src) {
      session.thumbs = t;
      demo.thumbnails = t ? { first: t.first, prefix: t.pattern.prefix } : null;
    }
  });
}

$('#source-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const src = $('#src').value.trim();
  if (!src) return;
  const url = new URL(location.href);
  url.searchParams.set('src', src);
  url.searchParams.delete('source');
  history.pushState(null, '', url);
  load(src);
});

async function main() {
  const { src, unknown } = initialSource(params, CDN);
  $('#src').value = src;
  let mod;
  try {
    mod = await import('/pkg/hlsplay.js');
    await mod.default();
  } catch (e) {
    showError('the hlsplay package did not load', `${e.message} — build it with scripts/build-pkg.sh (pkg/ is served at /pkg/)`);
    demo.ready = true;
    return;
  }
  Player = mod.Player;
  if (!Player) {
    showError('this build of hlsplay has no Player', 'rebuild the package from a branch with the player (scripts/build-pkg.sh)');
    demo.ready = true;
    return;
  }
  if (!Player.isSupported()) {
    showNotice('Media Source Extensions are not available: the player falls back to the browser\'s own HLS if it has one.');
  }
  // Cookies first: the CDN refuses everything without them. A page served without the app endpoint
  // (a static server, a real CloudFront with its own auth) just plays without.
  // ?cookies=0 skips the app entirely (no cookies, no refresh): what a viewer the app never signed
  // in sees, i.e. the CDN's MissingKey refusal.
  if (params.get('cookies') === '0') {
    showNotice('?cookies=0: no signed cookies minted and no refresh; the CDN should refuse');
  } else {
    try {
      await mintCookies();
      haveApp = true;
    } catch (e) {
      showNotice(`no signed cookies from this origin's /auth/cookies (${e.message}); playing without`);
    }
  }
  await load(src);
  if (unknown) showNotice(`?source=${unknown} is not a sample (${SAMPLE_SOURCES.map((x) => x.id).join(', ')}); playing the first`);
  setInterval(updateStats, 250);
  setInterval(sampleChart, 500);
  demo.ready = true;
}

main();
