//! The package's public surface, declared once: config keys (TypeScript type, default, doc),
//! events and their payloads, and the shapes of levels, tracks and errors. A key or event added
//! here is accepted at runtime, typed in `hlsplay.d.ts` and listed in the README; the runtime's
//! `match` over [`ConfigKey`] and [`RetryKey`] is exhaustive, so a row without an implementation
//! does not compile.

options! {
    /// The options of `new Player(video, config)`. Durations are seconds, rates bits per
    /// second. An unknown key throws an error naming it.
    enum ConfigKey; interface PlayerConfig; ts CONFIG_TS;

    /// Seconds of media to keep buffered ahead of the playhead.
    bufferGoal: "number" = "30";
    /// The lowest the buffer goal shrinks to after the browser's QuotaExceededError.
    minBufferGoal: "number" = "10";
    /// Bytes of media the forward buffer may hold (hls.js's `maxBufferSize`): where they hold
    /// more than `bufferGoal` seconds at the current level's peak bitrate, that much is fetched
    /// ahead, which banks a mobile link's good minutes for its bad ones. `0` keeps
    /// `bufferGoal`; hls.js (and `hlsplay/hls-compat`) use 60000000.
    maxBufferSize: "number" = "0";
    /// Most seconds fetched ahead, however many `maxBufferSize` allows (hls.js's
    /// `maxMaxBufferLength`).
    maxMaxBufferLength: "number" = "600";
    /// Seconds kept behind the playhead; `null` (or `Infinity`) keeps everything.
    backBuffer: "number | null" = "30";
    /// Holes in the buffer up to this many seconds count as contiguous.
    holeTolerance: "number" = "0.1";
    /// Holes up to this many seconds ahead of a stuck playhead are jumped.
    maxGapJump: "number" = "2";
    /// Seconds without playhead progress (with data buffered) before a nudge.
    stallTimeout: "number" = "1";
    /// Nudges before a fatal `stall` error.
    maxNudges: "number" = "3";
    /// Where a live stream starts: this many target durations from the live edge.
    liveEdgeTargetDurations: "number" = "3";
    /// Seconds a level that failed is avoided.
    levelPenalty: "number" = "60";
    /// Calls `refreshCredentials` this many seconds before the credentials' known expiry.
    credentialsRefreshMargin: "number" = "60";
    /// Caps the level to the element's size times devicePixelRatio.
    capLevelToPlayerSize: "boolean" = "true";
    /// The first level; `-1` lets the ABR choose from `abrDefaultEstimate`.
    startLevel: "number" = "-1";
    /// A segment that answers 404/410: `'penalise'` fetches the same time from another level
    /// (and avoids this one for `levelPenalty`), `'skip'` jumps the hole.
    notFound: "'penalise' | 'penalize' | 'skip'" = "'penalise'";
    /// Timeouts and retries of media segments (and init segments, keys).
    segmentRetry: "RetryConfig" = "{ ttfbTimeout: 10, totalTimeout: 120, maxErrorRetries: 6, maxTimeoutRetries: 4, backoffBase: 1, backoffMax: 8, jitter: 0.25 }";
    /// Timeouts and retries of playlists.
    playlistRetry: "RetryConfig" = "{ ttfbTimeout: 10, totalTimeout: 20, maxErrorRetries: 4, maxTimeoutRetries: 2, backoffBase: 1, backoffMax: 8, jitter: 0.25 }";
    /// The ABR's bandwidth estimate (bits/s) before anything was measured.
    abrDefaultEstimate: "number" = "500000";
    /// Half-life (seconds of download) of the estimate's fast average.
    abrFastHalfLife: "number" = "2";
    /// Half-life (seconds of download) of the estimate's slow average.
    abrSlowHalfLife: "number" = "5";
    /// Seconds at least between two switches up.
    abrMinUpSwitchInterval: "number" = "0";
    /// Abandons a segment for a lower level when it would arrive after the buffer runs dry.
    abrAbandon: "boolean" = "true";
    /// Remuxes and appends segments as their bytes arrive: the first frame shows after the
    /// first GOP, not the whole segment.
    progressive: "boolean" = "true";
    /// Carries the master URL's CloudFront signed-URL query (`Policy`, `Signature`,
    /// `Key-Pair-Id`, `Expires`) onto child URIs of the same origin.
    propagateSignedQuery: "boolean" = "true";
    /// The `credentials` mode of every `fetch`: `'include'` sends CloudFront's signed cookies.
    credentials: "'include' | 'same-origin' | 'omit'" = "'include'";
    /// Called (once, de-duplicated) when the CDN refuses a request, and ahead of a known
    /// expiry; resolve once fresh cookies are set, with `{ expires }` (Unix seconds) when known.
    /// The refused requests are retried afterwards. Without it a refusal is fatal.
    refreshCredentials: "() => { expires?: number } | void | Promise<{ expires?: number } | void>" = "undefined";
    /// The audio language to choose first (`'fr'`, `'fr-CA'`), matched against the renditions'
    /// LANGUAGE in two- or three-letter form; then `navigator.language`, then the rendition
    /// marked DEFAULT=YES, then the first.
    audioLanguage: "string" = "navigator.language";
    /// The subtitle language shown from the start (`'fr'`); without it, a DEFAULT=YES,
    /// AUTOSELECT=YES track in `navigator.language`, else subtitles start off. FORCED tracks
    /// show whatever this says.
    subtitleLanguage: "string" = "undefined";
    /// Prints the engine's decisions (level choices with their reason, retries, credential
    /// refreshes, key fetches; URLs redacted): `true` to `console.debug`, or to this function.
    debug: "boolean | ((message: string) => void)" = "false";
    /// Runs the engine, loading, remux and decryption in a module Worker; when the Worker
    /// cannot start, the player runs on the page's thread and says why in a non-fatal `error`
    /// of kind `worker`.
    worker: "boolean" = "true";
    /// With `worker`: MSE in the Worker where the browser allows
    /// (`MediaSource.canConstructInDedicatedWorker`); `false` keeps the MediaSource on the page
    /// and posts fragments to it (what browsers without MSE in Workers always do).
    workerMediaSource: "boolean" = "true";
}

options! {
    /// Timeouts and retries of one kind of request (`segmentRetry`, `playlistRetry`). Keys left
    /// out keep their default.
    enum RetryKey; interface RetryConfig; ts RETRY_TS;

    /// Seconds to wait for the first byte.
    ttfbTimeout: "number" = "10";
    /// Seconds for the whole body (segments 120, playlists 20).
    totalTimeout: "number" = "120";
    /// Retries after an HTTP or network error (segments 6, playlists 4).
    maxErrorRetries: "number" = "6";
    /// Retries after a timeout (segments 4, playlists 2).
    maxTimeoutRetries: "number" = "4";
    /// Seconds before the first retry; doubled for each next one.
    backoffBase: "number" = "1";
    /// The longest wait between retries, seconds.
    backoffMax: "number" = "8";
    /// Random spread of each wait, as a fraction of it (at most 1).
    jitter: "number" = "0.25";
}

shapes! {
    ts SHAPES_TS;

    /// A variant stream (`player.levels`, `manifestParsed`).
    Level {
        /// Its position in `player.levels`.
        index: "number",
        /// BANDWIDTH, bits/s.
        bitrate: "number",
        /// AVERAGE-BANDWIDTH, bits/s.
        averageBitrate: "number | null",
        width: "number | null",
        height: "number | null",
        /// CODECS, as the playlist writes it.
        codecs: "string | null",
    }

    /// An audio rendition of the level in use (`player.audioTracks`): hls.js's fields.
    AudioTrack {
        /// Its position in `player.audioTracks`.
        id: "number",
        name: "string",
        /// LANGUAGE.
        lang: "string | null",
        /// GROUP-ID.
        groupId: "string",
        default: "boolean",
        autoselect: "boolean",
        /// CHANNELS (`'2'`, `'6'`).
        channels: "string | null",
    }

    /// A subtitle or caption rendition (EXT-X-MEDIA TYPE=SUBTITLES or CLOSED-CAPTIONS).
    SubtitleTrack {
        /// Its position in the list of subtitle tracks.
        id: "number",
        name: "string",
        /// LANGUAGE.
        lang: "string | null",
        /// GROUP-ID.
        groupId: "string",
        default: "boolean",
        forced: "boolean",
        autoselect: "boolean",
        kind: "'subtitles' | 'captions'",
    }

    /// The payload of `error`. URLs have their signatures redacted.
    PlayerError {
        /// The category: `'key'` a key not 16 bytes long (32 for AES-256), `'decrypt'` a segment that does not decrypt with its key, `'worker'` (not fatal) the Worker could not run the player, which runs on the page's thread.
        kind: "'network' | 'timeout' | 'http' | 'auth' | 'not_found' | 'parse' | 'remux' | 'buffer' | 'stall' | 'limit' | 'key' | 'decrypt' | 'worker'",
        /// What happened, in words.
        details: "string",
        /// Playback stopped: `load()` again to retry.
        fatal: "boolean",
        url: "string | null",
        /// `kind: details (url)`.
        message: "string",
        /// The HTTP status (0: no response reached the page).
        status: "number | null",
        /// CloudFront's `<Error><Code>`, such as `'MissingKey'`.
        cdnCode: "string | null",
        /// The playlist line (1-based; 0 for the whole file).
        line: "number | null",
    }

    /// `player.mainThreadCost`, a performance stat: main-thread time spent on loaded segments
    /// (remux and the synchronous part of `appendBuffer`) since the player was created.
    MainThreadCost {
        /// Segments loaded.
        count: "number",
        totalMs: "number",
        /// The most one segment cost.
        maxMs: "number",
    }
}

events! {
    ts EVENTS_TS;
    fields: {
        /// The master playlist was parsed: the levels.
        manifestParsed { levels: "Level[]" }
        /// A new level was chosen; its segments follow.
        levelSwitching {
            /// The level before (`null` at the start).
            from: "number | null",
            to: "number",
            reason: "'start' | 'abr' | 'manual' | 'abandon' | 'penalty'",
        }
        /// The first segment of `level` is in the buffer.
        levelSwitched { level: "number" }
        /// A level's media playlist was loaded (each live reload too): hls.js's `LEVEL_LOADED`.
        levelLoaded {
            level: "number",
            live: "boolean",
            /// Seconds: the sum of the segments' durations.
            totalDuration: "number",
            targetDuration: "number",
            /// The first and last segments' media sequence numbers (`null`: no segments).
            startSN: "number | null",
            endSN: "number | null",
        }
        /// The playhead entered another segment of the main stream: hls.js's `FRAG_CHANGED`.
        fragChanged {
            level: "number",
            sequence: "number",
            /// Seconds, where the segment's media is buffered.
            start: "number",
            duration: "number",
        }
        /// Every append of a main-stream segment is done: hls.js's `FRAG_BUFFERED`.
        fragBuffered {
            level: "number",
            sequence: "number",
            /// Seconds, where the segment's media is buffered.
            start: "number",
            duration: "number",
        }
        /// A media segment arrived.
        segmentLoaded {
            level: "number",
            /// Its media sequence number.
            sequence: "number",
            bytes: "number",
            /// Time to the first byte.
            ttfbMs: "number",
            /// Time to the last byte.
            loadMs: "number",
            /// Bits per second over the body's transfer.
            throughputBps: "number",
            /// Seconds, on the playlist's timeline.
            start: "number",
            duration: "number",
        }
        /// The ABR's estimate changed.
        bandwidthEstimate { bps: "number" }
        /// Media reached a SourceBuffer.
        bufferAppended {
            track: "'video' | 'audio' | 'combined'",
            start: "number",
            end: "number",
        }
        /// The player asks the app's `refreshCredentials` (`reactive`: after a CDN refusal,
        /// requests held; else ahead of a known expiry).
        credentialsRefresh { reactive: "boolean" }
        /// A hole in the buffer was jumped.
        gapJumped { from: "number", to: "number" }
        /// The playhead was stuck with data buffered and was moved on.
        stallNudged { to: "number" }
        /// The audio tracks of the level in use (at the start, and when a switch changes the
        /// AUDIO group).
        audioTracksUpdated { audioTracks: "AudioTrack[]" }
        /// A new audio track was chosen.
        audioTrackSwitching { id: "number" }
        /// The chosen audio track's first data is in the buffer.
        audioTrackSwitched { id: "number" }
        /// The subtitle tracks of the stream.
        subtitleTracksUpdated { subtitleTracks: "SubtitleTrack[]" }
        /// A subtitle track was chosen (`-1`: none).
        subtitleTrackSwitch { id: "number" }
        /// A live stream ended (EXT-X-ENDLIST): it plays as a VOD from now on.
        liveEnded {}
        /// Every segment is buffered and the end of the stream is signalled (MediaSource
        /// `endOfStream()`); playback reaches the end later, when the element fires its own `ended`.
        ended {}
    }
    typed: {
        /// Something went wrong; `fatal` says whether playback stopped.
        error: "PlayerError";
    }
}

/// The parts of the `Player` class the table types: `on`/`off`/`once` over [`EVENTS_TS`]'s map
/// (merged into wasm-bindgen's `class Player` declaration).
pub const PLAYER_TS: &str = r#"
/** An event name `player.on()` accepts. */
export type PlayerEventName = keyof PlayerEvents;

export interface Player {
  /** Subscribes `callback` to `event`; an unknown name throws. */
  on<K extends keyof PlayerEvents>(event: K, callback: (payload: PlayerEvents[K]) => void): void;
  /** Like `on`, for the next time `event` fires only. */
  once<K extends keyof PlayerEvents>(event: K, callback: (payload: PlayerEvents[K]) => void): void;
  /** Unsubscribes `callback`, or every callback of `event` when none is given. */
  off<K extends keyof PlayerEvents>(event: K, callback?: (payload: PlayerEvents[K]) => void): void;
}
"#;
