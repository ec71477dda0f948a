// hlsplay/hls-compat: hls.js's API (class, constants, config keys, events and their payloads) over
// hlsplay's Player, so an hls.js app changes its import and nothing else. What differs is listed in
// the package README ("Migrating from hls.js").
import init, { Player } from './hlsplay.js';

const words = (text) => text.trim().split(/\s+/);
const capital = (w) => w[0].toUpperCase() + w.slice(1);
/** `MEDIA_ATTACHING` -> `mediaAttaching` (or `MediaAttaching`). */
const camel = (name, upperFirst) =>
  name.toLowerCase().split('_').map((w, i) => (i || upperFirst ? capital(w) : w)).join('');
const table = (names, value) => Object.freeze(Object.fromEntries(words(names).map((n) => [n, value(n)])));

// hls.js's names; the values follow its spelling rule (`hls` + PascalCase), checked against
// hls.js itself by tests/browser/compat.test.mjs.
export const Events = table(`MEDIA_ATTACHING MEDIA_ATTACHED MEDIA_DETACHING MEDIA_DETACHED MEDIA_ENDED
  STALL_RESOLVED BUFFER_RESET BUFFER_CODECS BUFFER_CREATED BUFFER_APPENDING BUFFER_APPENDED BUFFER_EOS
  BUFFERED_TO_END BUFFER_FLUSHING BUFFER_FLUSHED MANIFEST_LOADING MANIFEST_LOADED MANIFEST_PARSED
  LEVEL_SWITCHING LEVEL_SWITCHED LEVEL_LOADING LEVEL_LOADED LEVEL_UPDATED LEVEL_PTS_UPDATED LEVELS_UPDATED
  AUDIO_TRACKS_UPDATED AUDIO_TRACK_SWITCHING AUDIO_TRACK_SWITCHED AUDIO_TRACK_LOADING AUDIO_TRACK_LOADED
  AUDIO_TRACK_UPDATED SUBTITLE_TRACKS_UPDATED SUBTITLE_TRACKS_CLEARED SUBTITLE_TRACK_SWITCH
  SUBTITLE_TRACK_LOADING SUBTITLE_TRACK_LOADED SUBTITLE_TRACK_UPDATED SUBTITLE_FRAG_PROCESSED CUES_PARSED
  NON_NATIVE_TEXT_TRACKS_FOUND INIT_PTS_FOUND FRAG_LOADING FRAG_LOAD_EMERGENCY_ABORTED FRAG_LOADED
  FRAG_DECRYPTED FRAG_PARSING_INIT_SEGMENT FRAG_PARSING_USERDATA FRAG_PARSING_METADATA FRAG_PARSED
  FRAG_BUFFERED FRAG_CHANGED FPS_DROP FPS_DROP_LEVEL_CAPPING MAX_AUTO_LEVEL_UPDATED ERROR DESTROYING
  KEY_LOADING KEY_LOADED LIVE_BACK_BUFFER_REACHED BACK_BUFFER_REACHED STEERING_MANIFEST_LOADED
  ASSET_LIST_LOADING ASSET_LIST_LOADED INTERSTITIALS_UPDATED INTERSTITIALS_BUFFERED_TO_BOUNDARY
  INTERSTITIAL_ASSET_PLAYER_CREATED INTERSTITIAL_STARTED INTERSTITIAL_ASSET_STARTED INTERSTITIAL_ASSET_ENDED
  INTERSTITIAL_ASSET_ERROR INTERSTITIAL_ENDED INTERSTITIALS_PRIMARY_RESUMED PLAYOUT_LIMIT_REACHED EVENT_CUE_ENTER`,
(n) => 'hls' + camel(n, true));

export const ErrorTypes = table('NETWORK_ERROR MEDIA_ERROR KEY_SYSTEM_ERROR MUX_ERROR OTHER_ERROR', camel);

// camelCase, `TimeOut` for the load timeouts, and hls.js's three irregular spellings.
const IRREGULAR = {
  SUBTITLE_LOAD_ERROR: 'subtitleTrackLoadError', INTERNAL_ABORTED: 'aborted',
  ASSET_LIST_LOAD_TIMEOUT: 'assetListLoadTimeout',
};
export const ErrorDetails = table(`KEY_SYSTEM_NO_KEYS KEY_SYSTEM_NO_ACCESS KEY_SYSTEM_NO_SESSION
  KEY_SYSTEM_NO_CONFIGURED_LICENSE KEY_SYSTEM_LICENSE_REQUEST_FAILED KEY_SYSTEM_SERVER_CERTIFICATE_REQUEST_FAILED
  KEY_SYSTEM_SERVER_CERTIFICATE_UPDATE_FAILED KEY_SYSTEM_SESSION_UPDATE_FAILED
  KEY_SYSTEM_STATUS_OUTPUT_RESTRICTED KEY_SYSTEM_STATUS_INTERNAL_ERROR KEY_SYSTEM_DESTROY_MEDIA_KEYS_ERROR
  KEY_SYSTEM_DESTROY_CLOSE_SESSION_ERROR KEY_SYSTEM_DESTROY_REMOVE_SESSION_ERROR MANIFEST_LOAD_ERROR
  MANIFEST_LOAD_TIMEOUT MANIFEST_PARSING_ERROR MANIFEST_INCOMPATIBLE_CODECS_ERROR LEVEL_EMPTY_ERROR
  PLAYLIST_UNCHANGED_ERROR LEVEL_LOAD_ERROR LEVEL_LOAD_TIMEOUT LEVEL_PARSING_ERROR LEVEL_SWITCH_ERROR
  AUDIO_TRACK_LOAD_ERROR AUDIO_TRACK_LOAD_TIMEOUT SUBTITLE_LOAD_ERROR SUBTITLE_TRACK_LOAD_TIMEOUT
  FRAG_LOAD_ERROR FRAG_LOAD_TIMEOUT FRAG_DECRYPT_ERROR FRAG_PARSING_ERROR FRAG_GAP REMUX_ALLOC_ERROR
  KEY_LOAD_ERROR KEY_LOAD_TIMEOUT BUFFER_ADD_CODEC_ERROR BUFFER_INCOMPATIBLE_CODECS_ERROR
  BUFFER_APPEND_ERROR BUFFER_APPENDING_ERROR BUFFER_APPEND_NO_PROGRESS BUFFER_STALLED_ERROR
  BUFFER_FULL_ERROR BUFFER_SEEK_OVER_HOLE BUFFER_NUDGE_ON_STALL ASSET_LIST_LOAD_ERROR
  ASSET_LIST_LOAD_TIMEOUT ASSET_LIST_PARSING_ERROR INTERSTITIAL_ASSET_ITEM_ERROR INTERNAL_EXCEPTION
  INTERNAL_ABORTED ATTACH_MEDIA_ERROR MEDIA_SOURCE_REQUIRES_RESET UNKNOWN`,
(n) => IRREGULAR[n] || camel(n).replace(/Timeout$/, 'TimeOut'));

// hls.js config key -> hlsplay's key (`/1000`: hls.js gives milliseconds, hlsplay seconds).
// Keys not here go to Player as they are: hlsplay's own keys (`refreshCredentials`, ...) and the
// hls.js keys of the same name and meaning (`startLevel`, `capLevelToPlayerSize`, `progressive`,
// `debug`, `maxBufferSize`, `maxMaxBufferLength`); what Player does not know is ignored and listed in one console warning.
const RENAMED = {
  maxBufferLength: 'bufferGoal', backBufferLength: 'backBuffer', maxBufferHole: 'holeTolerance',
  nudgeMaxRetry: 'maxNudges', liveSyncDurationCount: 'liveEdgeTargetDurations',
  abrEwmaDefaultEstimate: 'abrDefaultEstimate', abrEwmaFastVoD: 'abrFastHalfLife',
  abrEwmaSlowVoD: 'abrSlowHalfLife', enableWorker: 'worker',
  fragLoadingTimeOut: 'segmentRetry.totalTimeout/1000', fragLoadingMaxRetry: 'segmentRetry.maxErrorRetries',
  fragLoadingRetryDelay: 'segmentRetry.backoffBase/1000', fragLoadingMaxRetryTimeout: 'segmentRetry.backoffMax/1000',
  levelLoadingTimeOut: 'playlistRetry.totalTimeout/1000', levelLoadingMaxRetry: 'playlistRetry.maxErrorRetries',
  levelLoadingRetryDelay: 'playlistRetry.backoffBase/1000', levelLoadingMaxRetryTimeout: 'playlistRetry.backoffMax/1000',
};
// Handled here, not by Player.
const OWN = ['autoStartLoad', 'startPosition'];
const REQUEST_HOOKS = ['xhrSetup', 'fetchSetup'];

/** hls.js's config -> [Player's config, the hls.js keys it has no equivalent for]. */
function playerConfig(config) {
  const out = {};
  const ignored = [];
  for (const [key, value] of Object.entries(config)) {
    if (OWN.includes(key) || value === undefined) continue;
    if (REQUEST_HOOKS.includes(key)) { ignored.push(key); continue; }
    const [path, divisor] = (RENAMED[key] || key).split('/');
    const [outer, inner] = path.split('.');
    const v = divisor && typeof value === 'number' ? value / divisor : value;
    if (inner) (out[outer] ||= {})[inner] = v;
    else out[outer] = v;
  }
  return [out, ignored];
}

/** init()'s promise once asked for (one for every Hls), and whether it has resolved. */
let wasm;
let ready = false;

const MIME = 'video/mp4; codecs="avc1.42E01E,mp4a.40.2"';
const mediaSource = () => globalThis.ManagedMediaSource || globalThis.MediaSource;

/** `'avc1.4d401f,mp4a.40.2'` -> its video and audio codecs, as hls.js's levels split them. */
function splitCodecs(codecs) {
  const list = (codecs || '').split(',');
  const video = list.filter((c) => /^(avc|hvc|hev|av01|vp0?9|dv[ah])/.test(c)).join(',');
  const audio = list.filter((c) => /^(mp4a|ac-3|ec-3|opus|flac|mp3)/.test(c)).join(',');
  return { videoCodec: video || undefined, audioCodec: audio || undefined };
}

/** Player's level -> hls.js's field names (Player's own fields kept). */
const hlsLevel = (l) => ({ ...l, id: l.index, maxBitrate: l.bitrate, ...splitCodecs(l.codecs) });

const pathOf = (url) => (url || '').split(/[?#]/)[0];

/** Player's error payload -> hls.js's `{ type, details, fatal, error, reason, url, response }`. */
function hlsError(e, manifestUrl) {
  const { NETWORK_ERROR: NET, MEDIA_ERROR: MEDIA, OTHER_ERROR: OTHER } = ErrorTypes;
  const D = ErrorDetails;
  const playlist = /\.m3u8?$/i.test(pathOf(e.url)) || e.line != null;
  const what = pathOf(e.url) === pathOf(manifestUrl) ? 'MANIFEST' : playlist ? 'LEVEL' : 'FRAG';
  let type = NET;
  let details;
  switch (e.kind) {
    case 'parse': details = D[`${what === 'FRAG' ? 'LEVEL' : what}_PARSING_ERROR`]; break;
    case 'timeout': details = D[`${what}_LOAD_TIMEOUT`]; break;
    case 'key': details = D.KEY_LOAD_ERROR; break;
    case 'network': case 'http': case 'auth': case 'not_found': case 'limit':
      details = D[`${what}_LOAD_ERROR`]; break;
    case 'decrypt': type = MEDIA; details = D.FRAG_DECRYPT_ERROR; break;
    case 'remux': type = MEDIA; details = D.FRAG_PARSING_ERROR; break;
    case 'stall': type = MEDIA; details = D.BUFFER_STALLED_ERROR; break;
    case 'buffer':
      type = MEDIA;
      details = /addSourceBuffer/.test(e.details) ? D.BUFFER_ADD_CODEC_ERROR
        : /Quota/.test(e.details) ? D.BUFFER_FULL_ERROR
          : /cannot switch/.test(e.details) ? D.BUFFER_INCOMPATIBLE_CODECS_ERROR : D.BUFFER_APPEND_ERROR;
      break;
    default: type = OTHER; details = D.UNKNOWN;
  }
  const response = e.status == null ? undefined : { code: e.status, text: e.cdnCode || '' };
  return {
    type, details, fatal: e.fatal, error: new Error(e.message), reason: e.message, url: e.url ?? undefined,
    response, hlsplayError: e,
  };
}

/** hls.js's `frag` of a Player segment payload (`level`, `sequence`, `start`, `duration`). */
function hlsFrag(p) {
  return { type: 'main', level: p.level, sn: p.sequence, start: p.start, duration: p.duration, end: p.start + p.duration };
}

// Player event -> (hls.js event, payload builder). `this` is the Hls.
const BRIDGE = {
  manifestParsed(p) {
    // A reload of the same stream (recoverMediaError, an immediate switch) is not a new manifest.
    if (this._reloading) { this._reloading = false; return; }
    const levels = p.levels.map(hlsLevel);
    const audioTracks = this.audioTracks;
    const subtitleTracks = this.subtitleTracks;
    this.trigger(Events.MANIFEST_LOADED, { levels, audioTracks, subtitles: subtitleTracks, url: this.url });
    this.trigger(Events.MANIFEST_PARSED, {
      levels, audioTracks, subtitleTracks, firstLevel: 0, video: true,
      audio: levels.some((l) => l.audioCodec), altAudio: audioTracks.length > 0,
    });
  },
  levelSwitching(p) { this.trigger(Events.LEVEL_SWITCHING, { ...this.levels[p.to], level: p.to, reason: p.reason }); },
  segmentLoaded(p) {
    const stats = { loaded: p.bytes, total: p.bytes, loading: { start: 0, first: p.ttfbMs, end: p.loadMs } };
    // Kept for its FRAG_BUFFERED (a few: appends finish in order, soon after the load).
    this._stats.set(`${p.level}:${p.sequence}`, stats);
    if (this._stats.size > 8) this._stats.delete(this._stats.keys().next().value);
    this.trigger(Events.FRAG_LOADED, { frag: hlsFrag(p), part: null, stats, networkDetails: null });
  },
  fragBuffered(p) {
    const key = `${p.level}:${p.sequence}`;
    const stats = this._stats.get(key) ?? null;
    this._stats.delete(key);
    this.trigger(Events.FRAG_BUFFERED, { frag: hlsFrag(p), part: null, stats, id: 'main' });
  },
  bufferAppended(p) { this.trigger(Events.BUFFER_APPENDED, { type: p.track, parent: 'main', start: p.start, end: p.end }); },
  levelLoaded(p) {
    const details = {
      live: p.live, type: p.live ? null : 'VOD', totalduration: p.totalDuration, targetduration: p.targetDuration,
      startSN: p.startSN ?? 0, endSN: p.endSN ?? 0,
    };
    this.trigger(Events.LEVEL_LOADED, { level: p.level, id: 0, details, stats: null, networkDetails: null, deliveryDirectives: null });
  },
  fragChanged(p) {
    const before = this._playing;
    this._playing = p.level;
    this.trigger(Events.FRAG_CHANGED, { frag: hlsFrag(p) });
    // As in hls.js, LEVEL_SWITCHED is the level on screen changing (the playhead entering its
    // segment), not its first segment reaching the buffer (the Player's levelSwitched).
    if (p.level !== before) this.trigger(Events.LEVEL_SWITCHED, { level: p.level });
  },
  error(p) { this.trigger(Events.ERROR, hlsError(p, this.url)); },
  gapJumped(p) {
    this.trigger(Events.ERROR, { type: ErrorTypes.MEDIA_ERROR, details: ErrorDetails.BUFFER_SEEK_OVER_HOLE, fatal: false, ...p });
  },
  stallNudged(p) {
    this.trigger(Events.ERROR, { type: ErrorTypes.MEDIA_ERROR, details: ErrorDetails.BUFFER_NUDGE_ON_STALL, fatal: false, ...p });
  },
  audioTracksUpdated(p) { this.trigger(Events.AUDIO_TRACKS_UPDATED, p); },
  audioTrackSwitching(p) { this.trigger(Events.AUDIO_TRACK_SWITCHING, { ...this.audioTracks[p.id], id: p.id }); },
  audioTrackSwitched(p) { this.trigger(Events.AUDIO_TRACK_SWITCHED, p); },
  ended() { this.trigger(Events.BUFFER_EOS, {}); },
  // Subscribed only when Player has them (subtitles).
  subtitleTracksUpdated(p) { this.trigger(Events.SUBTITLE_TRACKS_UPDATED, p); },
  subtitleTrackSwitch(p) { this.trigger(Events.SUBTITLE_TRACK_SWITCH, p); },
};

/** hls.js's `Hls` over hlsplay's Player. */
export default class Hls {
  /** Whether this browser has MSE (or ManagedMediaSource) with H.264/AAC in fMP4; synchronous,
   * safe before anything is loaded. */
  static isSupported() {
    const ms = mediaSource();
    return !!ms && typeof ms.isTypeSupported === 'function' && ms.isTypeSupported(MIME);
  }

  static isMSESupported() { return !!mediaSource(); }

  static get Events() { return Events; }
  static get ErrorTypes() { return ErrorTypes; }
  static get ErrorDetails() { return ErrorDetails; }

  constructor(config = {}) {
    // hls.js's buffer: 60 MB ahead at the level's bitrate, at most 600 s (Player's own default
    // is bufferGoal alone).
    this.config = { autoStartLoad: true, startPosition: -1, maxBufferSize: 60e6, maxMaxBufferLength: 600, ...config };
    this.media = null;
    this.url = null;
    this.player = null;
    this._listeners = new Map();
    this._playing = -1;
    this._manual = undefined;
    this._cap = -1;
    this._stats = new Map();
    this._loading = false;
    this._ready = (wasm ||= init().then(() => { ready = true; }));
  }

  on(event, listener, context) { this._add(event, listener, context, false); }
  once(event, listener, context) { this._add(event, listener, context, true); }

  off(event, listener) {
    const list = this._listeners.get(event);
    if (!list) return;
    if (!listener) this._listeners.delete(event);
    else this._listeners.set(event, list.filter((l) => l.fn !== listener));
  }

  removeAllListeners(event) {
    if (event) this._listeners.delete(event);
    else this._listeners.clear();
  }

  listeners(event) { return (this._listeners.get(event) || []).map((l) => l.fn); }

  _add(event, fn, context, once) {
    const list = this._listeners.get(event) || [];
    list.push({ fn, context, once });
    this._listeners.set(event, list);
  }

  /** Calls the listeners of `event` with `(event, data)`, as hls.js does; returns whether any. */
  trigger(event, data) {
    const list = this._listeners.get(event);
    if (!list || !list.length) return false;
    this._listeners.set(event, list.filter((l) => !l.once));
    for (const l of list) {
      try {
        l.fn.call(l.context ?? this, event, data);
      } catch (error) {
        console.error(`hlsplay/hls-compat: a ${event} listener threw`, error);
      }
    }
    return true;
  }

  emit(event, name, data) { return this.trigger(event, data); }

  attachMedia(media) {
    if (this.media && this.media !== media) this.detachMedia();
    this.media = media;
    this.trigger(Events.MEDIA_ATTACHING, { media });
    const attach = () => {
      if (this.media !== media || this.player) return;
      if (!this._createPlayer()) return;
      this.trigger(Events.MEDIA_ATTACHED, { media });
      if (this.url && this.config.autoStartLoad) this._load(this.config.startPosition);
    };
    // At once when the wasm is in: the element has its source before the app's next play().
    if (ready) attach();
    else this._ready.then(attach, (error) => this._fatal(error));
  }

  detachMedia() {
    if (!this.media) return;
    const media = this.media;
    this.trigger(Events.MEDIA_DETACHING, { media });
    this._stop();
    this.player?.free();
    this.player = null;
    this.media = null;
    this.trigger(Events.MEDIA_DETACHED, { media });
  }

  loadSource(url) {
    this.url = new URL(url, document.baseURI).href;
    this._playing = -1;
    if (this.player && this.config.autoStartLoad) this._load(this.config.startPosition);
  }

  /** Starts loading, or resumes it after stopLoad(); `startPosition` ≥ 0 seeks there. */
  startLoad(startPosition = -1) {
    if (!this.player || !this.url) {
      this.config.autoStartLoad = true;
      if (startPosition >= 0) this.config.startPosition = startPosition;
      return;
    }
    if (!this._loading) {
      this._load(startPosition >= 0 ? startPosition : this.config.startPosition);
    } else if (this._stopped) {
      this._stopped = false;
      this.player.startLoad(startPosition >= 0 ? startPosition : undefined);
    } else if (startPosition >= 0) {
      this.media.currentTime = startPosition;
    }
  }

  /** Stops loading (the segments in flight are aborted); what is buffered plays on. */
  stopLoad() {
    if (!this._loading || this._stopped) return;
    this._stopped = true;
    this.player.stopLoad();
  }

  /** A new MediaSource for the same stream, resumed where it was (hls.js: after a fatal media error). */
  recoverMediaError() {
    if (!this.player || !this.url) return;
    const playing = !this.media.paused;
    this._load(this.media.currentTime, playing, true);
  }

  swapAudioCodec() {}

  destroy() {
    this.trigger(Events.DESTROYING, {});
    this.detachMedia();
    this.url = null;
    this._listeners.clear();
  }

  get levels() { return (this.player?.levels || []).map(hlsLevel); }

  /** The level playing (hls.js: of the fragment at the playhead), -1 before one. */
  get currentLevel() { return this._playing; }
  /** Switches now: the buffer ahead of the playhead is replaced by the new level; -1 for automatic. */
  set currentLevel(level) { this._setLevel(level, true); }

  /** The level being loaded. */
  get nextLevel() { return this.player ? this.player.currentLevel : -1; }
  /** Switches from the next segment on, the buffer kept; -1 for automatic. */
  set nextLevel(level) { this._setLevel(level, false); }
  get loadLevel() { return this.nextLevel; }
  set loadLevel(level) { this._setLevel(level, false); }

  /** The highest level automatic choice may pick; -1 (the default) for no cap. Kept across loads. */
  get autoLevelCapping() { return this._cap; }
  set autoLevelCapping(level) {
    this._cap = level >= 0 ? level : -1;
    if (this.player) this.player.autoLevelCapping = this._cap;
  }
  /** The lower of autoLevelCapping and the cap to the player's size; -1 before the levels. */
  get maxAutoLevel() { return this.player ? this.player.maxAutoLevel : -1; }

  get manualLevel() { return this._manual ?? -1; }
  get autoLevelEnabled() { return this.player ? this.player.autoLevelEnabled : this._manual === undefined; }
  get firstLevel() { return 0; }
  get startLevel() { return this.config.startLevel ?? -1; }
  set startLevel(level) { this.config.startLevel = level; }

  get audioTracks() { return this.player?.audioTracks || []; }
  get audioTrack() { return this.player ? this.player.audioTrack : -1; }
  set audioTrack(id) { if (this.player) this.player.audioTrack = id; }

  // Subtitles: what Player offers, when it does.
  get subtitleTracks() { return this.player?.subtitleTracks || []; }
  get subtitleTrack() { return this.player?.subtitleTrack ?? -1; }
  set subtitleTrack(id) { if (this.player && 'subtitleTrack' in this.player) this.player.subtitleTrack = id; }

  get bandwidthEstimate() { return this.player ? this.player.bandwidthEstimate : NaN; }

  /** Live: where playback is kept behind the edge (seek there to return to live); null for a VOD. */
  get liveSyncPosition() { return this.player ? this.player.liveSyncPosition : null; }
  /** Live: seconds behind the live edge; 0 for a VOD. */
  get latency() { return this.player ? this.player.latency : 0; }

  _setLevel(level, now) {
    this._manual = level >= 0 ? level : undefined;
    if (!this.player) return;
    // Player's currentLevel switches now (the buffer ahead replaced), its loadLevel from the
    // next segment on.
    if (now) this.player.currentLevel = level;
    else this.player.loadLevel = level;
  }

  /** Player for the attached media, with the mapped config (keys Player rejects as unknown dropped). */
  _createPlayer() {
    const [config, ignored] = playerConfig(this.config);
    for (;;) {
      try {
        this.player = new Player(this.media, config);
        break;
      } catch (error) {
        const key = /unknown key `([^`.]+)`/.exec(error?.message)?.[1];
        if (!key || !(key in config)) return this._fatal(error);
        const original = Object.keys(RENAMED).find((k) => RENAMED[k].split(/[./]/)[0] === key) || key;
        ignored.push(original);
        delete config[key];
      }
    }
    if (ignored.length) {
      const hooks = ignored.some((k) => REQUEST_HOOKS.includes(k))
        ? ' (requests are fetch() with credentials: "include"; signed cookies need no xhrSetup/fetchSetup)' : '';
      console.warn(`hlsplay/hls-compat: hls.js config keys with no equivalent, ignored: ${ignored.join(', ')}${hooks}`);
    }
    for (const name of Object.keys(BRIDGE)) {
      try {
        this.player.on(name, (payload) => BRIDGE[name].call(this, payload));
      } catch {
        // An event this build of Player does not have (subtitles).
      }
    }
    if (this._manual !== undefined) this.player.loadLevel = this._manual;
    if (this._cap >= 0) this.player.autoLevelCapping = this._cap;
    return true;
  }

  /** Loads the source; at `position` ≥ 0 once the media has metadata, playing if `play`;
   * `reload`: the same stream again, its manifest events not repeated. */
  _load(position, play, reload) {
    this._loading = true;
    this._stopped = false;
    this._playing = -1;
    this._reloading = !!reload;
    if (!reload) this.trigger(Events.MANIFEST_LOADING, { url: this.url });
    try {
      this.player.load(this.url);
    } catch (error) {
      this._fatal(error);
      return;
    }
    if (position >= 0 || play) {
      const media = this.media;
      media.addEventListener('loadedmetadata', () => {
        if (position >= 0) media.currentTime = position;
        if (play) media.play().catch(() => {});
      }, { once: true });
    }
  }

  _stop() {
    this._loading = false;
    this.player?.destroy();
  }

  _fatal(error) {
    this.trigger(Events.ERROR, {
      type: ErrorTypes.OTHER_ERROR, details: ErrorDetails.INTERNAL_EXCEPTION, fatal: true, error,
      reason: error?.message,
    });
    return false;
  }
}

export { Hls };
