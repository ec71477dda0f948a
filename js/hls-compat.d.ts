// hlsplay/hls-compat: hls.js's API over hlsplay's Player. Differences from hls.js: the package
// README, "Migrating from hls.js".
import type { Player } from './hlsplay.js';

type Table<K extends string> = { readonly [key in K]: string };

/** hls.js's event names and values (`Events.MANIFEST_PARSED === 'hlsManifestParsed'`). The ones
 * this class fires: MEDIA_ATTACHING, MEDIA_ATTACHED, MEDIA_DETACHING, MEDIA_DETACHED,
 * MANIFEST_LOADING, MANIFEST_LOADED, MANIFEST_PARSED, LEVEL_SWITCHING, LEVEL_SWITCHED, LEVEL_LOADED,
 * FRAG_LOADED, FRAG_BUFFERED, FRAG_CHANGED, BUFFER_APPENDED, BUFFER_EOS, AUDIO_TRACKS_UPDATED, AUDIO_TRACK_SWITCHING, AUDIO_TRACK_SWITCHED,
 * SUBTITLE_TRACKS_UPDATED and SUBTITLE_TRACK_SWITCH (when Player has subtitles), ERROR, DESTROYING. */
export declare const Events: {
  readonly MEDIA_ATTACHING: 'hlsMediaAttaching';
  readonly MEDIA_ATTACHED: 'hlsMediaAttached';
  readonly MEDIA_DETACHING: 'hlsMediaDetaching';
  readonly MEDIA_DETACHED: 'hlsMediaDetached';
  readonly MANIFEST_LOADING: 'hlsManifestLoading';
  readonly MANIFEST_LOADED: 'hlsManifestLoaded';
  readonly MANIFEST_PARSED: 'hlsManifestParsed';
  readonly LEVEL_SWITCHING: 'hlsLevelSwitching';
  readonly LEVEL_SWITCHED: 'hlsLevelSwitched';
  readonly LEVEL_LOADED: 'hlsLevelLoaded';
  readonly FRAG_LOADED: 'hlsFragLoaded';
  readonly FRAG_BUFFERED: 'hlsFragBuffered';
  readonly FRAG_CHANGED: 'hlsFragChanged';
  readonly BUFFER_APPENDED: 'hlsBufferAppended';
  readonly BUFFER_EOS: 'hlsBufferEos';
  readonly AUDIO_TRACKS_UPDATED: 'hlsAudioTracksUpdated';
  readonly AUDIO_TRACK_SWITCHING: 'hlsAudioTrackSwitching';
  readonly AUDIO_TRACK_SWITCHED: 'hlsAudioTrackSwitched';
  readonly SUBTITLE_TRACKS_UPDATED: 'hlsSubtitleTracksUpdated';
  readonly SUBTITLE_TRACK_SWITCH: 'hlsSubtitleTrackSwitch';
  readonly ERROR: 'hlsError';
  readonly DESTROYING: 'hlsDestroying';
} & Table<string>;

/** hls.js's error types: `networkError`, `mediaError`, `keySystemError`, `muxError`, `otherError`. */
export declare const ErrorTypes: {
  readonly NETWORK_ERROR: 'networkError';
  readonly MEDIA_ERROR: 'mediaError';
  readonly KEY_SYSTEM_ERROR: 'keySystemError';
  readonly MUX_ERROR: 'muxError';
  readonly OTHER_ERROR: 'otherError';
};

/** hls.js's error details (`ErrorDetails.FRAG_LOAD_ERROR === 'fragLoadError'`, ...). */
export declare const ErrorDetails: Table<string>;

/** A level as hls.js names its fields, plus Player's own (`index`, `codecs`). */
export interface HlsLevel {
  id: number;
  index: number;
  bitrate: number;
  maxBitrate: number;
  averageBitrate: number | null;
  width: number | null;
  height: number | null;
  codecs: string | null;
  videoCodec?: string;
  audioCodec?: string;
}

export interface HlsAudioTrack {
  id: number;
  name: string;
  lang: string | null;
  groupId: string;
  default: boolean;
  autoselect: boolean;
  channels: string | null;
}

/** A fragment of the main stream, as the FRAG_* events give it. */
export interface HlsFrag { type: 'main'; level: number; sn: number; start: number; duration: number; end: number }

export interface HlsFragStats { loaded: number; total: number; loading: { start: number; first: number; end: number } }

/** The ERROR event's data. */
export interface HlsErrorData {
  type: string;
  details: string;
  fatal: boolean;
  error: Error;
  reason?: string;
  url?: string;
  /** The HTTP status (0: no response) and CloudFront's error code, when a response caused it. */
  response?: { code: number; text: string };
  /** Player's own error payload (`kind`, `status`, `cdnCode`, `line`, ...). */
  hlsplayError?: object;
}

export interface HlsEventData {
  hlsMediaAttaching: { media: HTMLMediaElement };
  hlsMediaAttached: { media: HTMLMediaElement };
  hlsMediaDetaching: { media: HTMLMediaElement };
  hlsMediaDetached: { media: HTMLMediaElement };
  hlsManifestLoading: { url: string };
  hlsManifestLoaded: { levels: HlsLevel[]; audioTracks: HlsAudioTrack[]; subtitles: object[]; url: string };
  hlsManifestParsed: {
    levels: HlsLevel[]; audioTracks: HlsAudioTrack[]; subtitleTracks: object[]; firstLevel: number;
    video: boolean; audio: boolean; altAudio: boolean;
  };
  hlsLevelSwitching: HlsLevel & { level: number; reason: string };
  hlsLevelSwitched: { level: number };
  hlsLevelLoaded: {
    level: number; id: 0;
    details: {
      live: boolean; type: 'VOD' | null; totalduration: number; targetduration: number; startSN: number; endSN: number;
    };
    stats: null; networkDetails: null; deliveryDirectives: null;
  };
  hlsFragLoaded: { frag: HlsFrag; part: null; stats: HlsFragStats; networkDetails: null };
  /** Every append of the fragment is done; `stats` as its FRAG_LOADED had them (null if unknown). */
  hlsFragBuffered: { frag: HlsFrag; part: null; stats: HlsFragStats | null; id: 'main' };
  /** The playhead entered the fragment. */
  hlsFragChanged: { frag: HlsFrag };
  hlsBufferAppended: { type: 'video' | 'audio'; parent: 'main'; start: number; end: number };
  hlsBufferEos: {};
  hlsAudioTracksUpdated: { audioTracks: HlsAudioTrack[] };
  hlsAudioTrackSwitching: HlsAudioTrack;
  hlsAudioTrackSwitched: { id: number };
  hlsError: HlsErrorData;
  hlsDestroying: {};
}

export type HlsListener<E extends string> =
  (event: E, data: E extends keyof HlsEventData ? HlsEventData[E] : any) => void;

/** hls.js config keys. Mapped to Player's: maxBufferLength, backBufferLength, maxBufferHole,
 * nudgeMaxRetry, liveSyncDurationCount, abrEwmaDefaultEstimate, abrEwmaFastVoD, abrEwmaSlowVoD,
 * enableWorker (Player's `worker`), fragLoadingTimeOut, fragLoadingMaxRetry, fragLoadingRetryDelay, fragLoadingMaxRetryTimeout,
 * levelLoading… (the same four); startLevel, capLevelToPlayerSize, maxBufferSize, maxMaxBufferLength and Player's own keys
 * (`refreshCredentials`, `credentials`, ...) pass through; autoStartLoad and startPosition are
 * handled here. Every other key is ignored, listed in one console warning (xhrSetup and
 * fetchSetup too: requests are fetch() with `credentials`). */
export interface HlsConfig {
  autoStartLoad?: boolean;
  startPosition?: number;
  startLevel?: number;
  capLevelToPlayerSize?: boolean;
  maxBufferLength?: number;
  /** Bytes buffered ahead at the level's peak bitrate when they hold more than maxBufferLength; default 60000000 (hls.js's). */
  maxBufferSize?: number;
  /** Most seconds buffered ahead; default 600 (hls.js's). */
  maxMaxBufferLength?: number;
  backBufferLength?: number;
  maxBufferHole?: number;
  nudgeMaxRetry?: number;
  liveSyncDurationCount?: number;
  abrEwmaDefaultEstimate?: number;
  abrEwmaFastVoD?: number;
  abrEwmaSlowVoD?: number;
  /** Player's `worker`: the session (loading, remux, MSE where the browser allows) in a Worker; default true. */
  enableWorker?: boolean;
  fragLoadingTimeOut?: number;
  fragLoadingMaxRetry?: number;
  fragLoadingRetryDelay?: number;
  fragLoadingMaxRetryTimeout?: number;
  levelLoadingTimeOut?: number;
  levelLoadingMaxRetry?: number;
  levelLoadingRetryDelay?: number;
  levelLoadingMaxRetryTimeout?: number;
  /** Ignored: requests are fetch() with `credentials` ('include' by default). */
  xhrSetup?: unknown;
  /** Ignored, as xhrSetup. */
  fetchSetup?: unknown;
  [key: string]: unknown;
}

/** hls.js's `Hls` over hlsplay's Player. The wasm is initialised inside. */
export default class Hls {
  /** MSE (or ManagedMediaSource) with H.264/AAC in fMP4; synchronous, safe before loading. */
  static isSupported(): boolean;
  static isMSESupported(): boolean;
  static readonly Events: typeof Events;
  static readonly ErrorTypes: typeof ErrorTypes;
  static readonly ErrorDetails: typeof ErrorDetails;

  constructor(config?: HlsConfig);
  readonly config: HlsConfig;
  readonly media: HTMLMediaElement | null;
  readonly url: string | null;
  /** The Player underneath, once the media is attached and the wasm initialised. */
  readonly player: Player | null;

  on<E extends string>(event: E, listener: HlsListener<E>, context?: unknown): void;
  once<E extends string>(event: E, listener: HlsListener<E>, context?: unknown): void;
  off<E extends string>(event: E, listener?: HlsListener<E>): void;
  removeAllListeners(event?: string): void;
  listeners(event: string): Function[];
  trigger(event: string, data: object): boolean;

  attachMedia(media: HTMLVideoElement): void;
  detachMedia(): void;
  loadSource(url: string): void;
  /** Starts loading (after `autoStartLoad: false`), or resumes it after stopLoad(); `startPosition` ≥ 0 seeks there. */
  startLoad(startPosition?: number): void;
  /** Stops loading: the segments in flight are aborted, nothing more is fetched; what is buffered plays on. */
  stopLoad(): void;
  /** Reloads the stream in a new MediaSource where it was (after a fatal media error). */
  recoverMediaError(): void;
  /** No-op (kept for hls.js apps that call it). */
  swapAudioCodec(): void;
  destroy(): void;

  readonly levels: HlsLevel[];
  /** The level playing, -1 before one. Set: switch now (the buffer is replaced), -1 for automatic. */
  currentLevel: number;
  /** The level being loaded. Set: switch from the next segment on, -1 for automatic. */
  nextLevel: number;
  loadLevel: number;
  /** The highest level automatic choice may pick; -1 (the default) for no cap. A level set by
   * hand is not capped. */
  autoLevelCapping: number;
  /** The lower of `autoLevelCapping` and the cap to the player's size; -1 before the levels. */
  readonly maxAutoLevel: number;
  readonly manualLevel: number;
  readonly autoLevelEnabled: boolean;
  readonly firstLevel: number;
  startLevel: number;
  readonly audioTracks: HlsAudioTrack[];
  audioTrack: number;
  /** Player's subtitle tracks when it has them, else []. */
  readonly subtitleTracks: object[];
  subtitleTrack: number;
  /** Bits per second (NaN before the media is attached). */
  readonly bandwidthEstimate: number;
  /** Live: where playback is kept behind the edge (seek there to return to live); null for a VOD. */
  readonly liveSyncPosition: number | null;
  /** Live: seconds behind the live edge; 0 for a VOD. */
  readonly latency: number;
}

export { Hls };
