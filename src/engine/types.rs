//! The engine's vocabulary: inputs, outputs, events, configuration.

use std::rc::Rc;

use crate::abr::AbrConfig;
use crate::playlist::ByteRange;

use super::auth::CdnErrorCode;
use super::decisions::Decision;
use super::loader::{RequestId, RequestKind, RetryPolicy};
use super::media::{RemuxFailure, TrackKind};
use crate::captions::{CueId, StoredCue};
use crate::playlist::PlaylistError;

/// One of the engine's media streams: each has its own playlist, fetch cursor, requests,
/// retries and remuxer. The main stream (video, or video with muxed audio) drives the ABR; the
/// others follow its timeline and buffer goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    Main,
    /// An alternate audio rendition (EXT-X-MEDIA TYPE=AUDIO with a URI).
    Audio,
}

/// A SourceBuffer, by the order the engine asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrackId(pub usize);

/// Everything the outside world tells the engine. Times are on the engine's clock (seconds).
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Start playing this URL (a master playlist, or a media playlist directly).
    Load {
        url: String,
    },
    /// Bytes arrived for a request (cumulative count; `total` from Content-Length when known).
    Progress {
        req: RequestId,
        loaded: u64,
        total: Option<u64>,
    },
    /// Body bytes of a segment request as they arrive, in order, each byte once (with
    /// [`EngineConfig::progressive`]). The `Loaded` that follows may then carry no data (bytes
    /// beyond those sent as chunks are taken from it).
    Chunk {
        req: RequestId,
        data: Vec<u8>,
    },
    /// A request finished with a 2xx and this body.
    Loaded {
        req: RequestId,
        data: Vec<u8>,
    },
    /// A request failed. `status` 0 means no HTTP response reached the page (network error,
    /// CORS, or a CDN refusal without CORS headers). `body` is the error body's text, if read.
    LoadFailed {
        req: RequestId,
        status: u16,
        body: Option<String>,
    },
    AppendDone {
        track: TrackId,
    },
    AppendFailed {
        track: TrackId,
        quota_exceeded: bool,
    },
    RemoveDone {
        track: TrackId,
    },
    /// `remove()` threw or the SourceBuffer fired `error` during it: the range stays buffered.
    RemoveFailed {
        track: TrackId,
    },
    /// The MediaSource fired `sourceopen`: SourceBuffers can be added, the duration set.
    SourceOpen,
    /// The media element fired `error`: its `MediaError` code (1 aborted, 2 network, 3 decode,
    /// 4 source not supported) and the browser's message. The element plays nothing more.
    MediaError {
        code: u16,
        message: String,
    },
    /// `changeType(mime)` threw or does not exist (`reason` says which).
    ChangeTypeFailed {
        track: TrackId,
        reason: String,
    },
    /// `addSourceBuffer(mime)` threw (the browser cannot play these codecs).
    AddSourceBufferFailed {
        track: TrackId,
        reason: String,
    },
    /// The media element's state: playhead, paused, and `buffered` (sorted ranges, seconds).
    Media {
        position: f64,
        paused: bool,
        buffered: Vec<(f64, f64)>,
    },
    /// The user seeked the media element to `position`.
    Seek {
        position: f64,
    },
    /// Force a level (`Some`) or return to automatic choice (`None`), from the next segment.
    SetLevel(Option<usize>),
    /// Force a level now: what the main stream buffered ahead of the playhead (less a guard
    /// second) is removed and loaded again from the new level (hls.js's `currentLevel = n`).
    SwitchLevelNow(usize),
    /// The highest level automatic choice may pick (hls.js's `autoLevelCapping`), or `None`
    /// for no cap; from the next decision on, the buffer kept. A forced level is not capped.
    SetLevelCap(Option<usize>),
    /// Play audio track `id` of [`crate::engine::Engine::audio_tracks`].
    SetAudioTrack(usize),
    /// Show subtitle track `id` of [`crate::engine::Engine::subtitle_tracks`] (`None`: off;
    /// a FORCED track in the audio's language is still shown).
    SetSubtitleTrack(Option<usize>),
    /// The element's CSS size and devicePixelRatio, for capping the level.
    ElementSize {
        width: f64,
        height: f64,
        device_pixel_ratio: f64,
    },
    /// The app refreshed the signed cookies; `expires` (engine clock) when it knows it.
    CredentialsRefreshed {
        expires: Option<f64>,
    },
    CredentialsRefreshFailed {
        reason: String,
    },
    /// hls.js's `stopLoad()`: segment fetches in flight are aborted and none start (nor live
    /// reloads) until [`Input::StartLoad`]; what is buffered plays on.
    StopLoad,
    /// hls.js's `startLoad(startPosition)`: fetching resumes, from `position` when given (the
    /// playhead is moved there).
    StartLoad {
        position: Option<f64>,
    },
}

/// Everything the engine asks the outside world to do.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// `fetch(url, {credentials: 'include'})`, with `Range` when `range` is set. A retry reuses `req`.
    Fetch {
        req: RequestId,
        kind: RequestKind,
        url: String,
        range: Option<ByteRange>,
    },
    /// Abort a request; nothing more will be accepted for it.
    Abort {
        req: RequestId,
    },
    /// Set the MediaSource duration, seconds (only while it is open and no SourceBuffer is
    /// updating, as MSE requires).
    SetDuration(f64),
    /// Add a SourceBuffer for `mime` (only once the MediaSource is open, `Input::SourceOpen`).
    AddSourceBuffer {
        track: TrackId,
        kind: TrackKind,
        mime: String,
    },
    /// Append to a SourceBuffer; answer `AppendDone` or `AppendFailed`.
    Append {
        track: TrackId,
        data: Rc<Vec<u8>>,
    },
    /// Remove a range; answer `RemoveDone`.
    Remove {
        track: TrackId,
        start: f64,
        end: f64,
    },
    /// `SourceBuffer.changeType(mime)` (synchronous, the SourceBuffer is idle): the next
    /// append is an init segment of another codec. Answer only when it fails
    /// (`ChangeTypeFailed`).
    ChangeType {
        track: TrackId,
        mime: String,
    },
    /// `SourceBuffer.abort()` (synchronous, the SourceBuffer is idle): the part of a fragment
    /// it was given is dropped and the next append starts a new box. No answer.
    ResetParser {
        track: TrackId,
    },
    /// Move the playhead (live start, gap jump, stall nudge).
    SetPosition(f64),
    EndOfStream,
    /// Ask the app to refresh its CDN credentials (signed cookies); answer with
    /// `CredentialsRefreshed` or `CredentialsRefreshFailed`.
    RefreshCredentials,
    Event(Event),
    /// A decision to show in the app's debug log (only with [`EngineConfig::debug`]). No answer.
    Debug(Decision),
    /// Add these cues to subtitle track `track`'s `TextTrack` (`subtitleTracks[track]`).
    AddCues {
        track: usize,
        cues: Vec<StoredCue>,
    },
    /// Remove these cues (added by `AddCues`) from subtitle track `track`'s `TextTrack`.
    RemoveCues {
        track: usize,
        ids: Vec<CueId>,
    },
    /// Show the cues of this subtitle track (`TextTrack.mode = 'showing'`), the others not.
    ShowSubtitleTrack(Option<usize>),
    /// Nothing more to do now: call `handle_timeout` at this time unless an input comes first.
    Timeout(f64),
}

/// A level as announced to the app.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelInfo {
    pub bandwidth: u64,
    pub average_bandwidth: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub codecs: Option<String>,
}

/// An audio rendition as announced to the app (hls.js's `audioTracks` entries).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioTrackInfo {
    /// Its position in the list (`audioTracks[id]`).
    pub id: usize,
    pub group_id: String,
    pub name: String,
    pub lang: Option<String>,
    pub default: bool,
    pub autoselect: bool,
    pub channels: Option<String>,
    /// Has its own media playlist (else the audio is muxed into the variants).
    pub has_playlist: bool,
}

/// What a subtitle track carries, as `TextTrack.kind` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubtitleKind {
    /// EXT-X-MEDIA TYPE=SUBTITLES (WebVTT, or IMSC1 in fMP4).
    Subtitles,
    /// CEA-608 carried in the video (TYPE=CLOSED-CAPTIONS, or found without one).
    Captions,
}

impl SubtitleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubtitleKind::Subtitles => "subtitles",
            SubtitleKind::Captions => "captions",
        }
    }
}

/// A subtitle or caption track as announced to the app (hls.js's `subtitleTracks` entries).
#[derive(Debug, Clone, PartialEq)]
pub struct SubtitleTrackInfo {
    /// Its position in the list (`subtitleTracks[id]`); a track keeps its id.
    pub id: usize,
    pub name: String,
    pub lang: Option<String>,
    pub group_id: String,
    pub default: bool,
    pub forced: bool,
    pub autoselect: bool,
    pub kind: SubtitleKind,
}

/// Why the level changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchReason {
    Start,
    Abr,
    Manual,
    /// A segment was abandoned because it would have arrived too late.
    Abandon,
    /// The level failed and was penalised.
    Penalty,
}

impl SwitchReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SwitchReason::Start => "start",
            SwitchReason::Abr => "abr",
            SwitchReason::Manual => "manual",
            SwitchReason::Abandon => "abandon",
            SwitchReason::Penalty => "penalty",
        }
    }
}

/// Categories of player errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Network,
    Timeout,
    Http,
    /// CDN refusal: signed cookies missing, expired or invalid; archived objects.
    Auth,
    NotFound,
    Parse,
    Remux,
    Buffer,
    Stall,
    /// A response larger than the engine accepts (memory stays bounded).
    Limit,
    /// A decryption key that cannot be used (not the length its method needs).
    Key,
    /// A segment that does not decrypt with its key.
    Decrypt,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Http => "http",
            ErrorKind::Auth => "auth",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Parse => "parse",
            ErrorKind::Remux => "remux",
            ErrorKind::Buffer => "buffer",
            ErrorKind::Stall => "stall",
            ErrorKind::Limit => "limit",
            ErrorKind::Key => "key",
            ErrorKind::Decrypt => "decrypt",
        }
    }
}

/// Which SourceBuffer operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceBufferOp {
    /// `addSourceBuffer` refused the codecs.
    Add,
    /// `appendBuffer` refused the data (a decode error).
    Append,
    /// `appendBuffer` hit QuotaExceededError.
    Quota,
    Remove,
    /// `changeType` failed or is missing.
    ChangeType,
}

/// The typed cause behind an error event, with its position (the URL is on [`PlayerError`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorCause {
    /// A playlist did not parse (its 1-based `line` inside, 0 for the whole file).
    Playlist(PlaylistError),
    /// The remuxer refused a segment (its category inside).
    Remux(RemuxFailure),
    /// The remuxer repaired something in a segment and said what.
    RemuxWarning,
    /// An HTTP status that is not a CDN refusal (404, 410, 5xx...).
    Http { status: u16 },
    /// The CDN refused the request (403, or status 0 before a refresh), with CloudFront's
    /// `<Error><Code>` when the body had one.
    Refused {
        status: u16,
        code: Option<CdnErrorCode>,
    },
    /// The app's `refreshCredentials` failed.
    CredentialsRefresh,
    /// No HTTP response (status 0): network down, CORS, or a refusal without CORS headers.
    Network,
    /// No first byte in time, no byte for the idle timeout, or the whole body too slow.
    Timeout { first_byte: bool, idle: bool },
    /// A response body larger than the engine accepts.
    Limit { size: u64, limit: u64 },
    /// A SourceBuffer operation failed.
    SourceBuffer { track: TrackId, op: SourceBufferOp },
    /// The playhead did not move with data buffered.
    Stall { position: f64 },
    /// The media element failed (its `MediaError` code).
    MediaElement { code: u16 },
    /// A key response of `len` bytes, not the 16 (32 for AES-256) its method needs.
    Key { len: usize },
    /// The segment with this media sequence number did not decrypt (bad padding, or no
    /// media after decryption).
    Decrypt { sequence: u64 },
    /// A subtitle cue (or a whole subtitle segment) left out: never fatal. `line` is 1-based
    /// in the segment's text (0: the whole segment).
    Subtitle { line: usize },
}

impl ErrorCause {
    /// The category the app sees as `kind`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ErrorCause::Playlist(_) | ErrorCause::Subtitle { .. } => ErrorKind::Parse,
            ErrorCause::Remux(_) | ErrorCause::RemuxWarning => ErrorKind::Remux,
            ErrorCause::Http { status: 404 | 410 } => ErrorKind::NotFound,
            ErrorCause::Http { .. } => ErrorKind::Http,
            ErrorCause::Refused { .. } | ErrorCause::CredentialsRefresh => ErrorKind::Auth,
            ErrorCause::Network => ErrorKind::Network,
            ErrorCause::Timeout { .. } => ErrorKind::Timeout,
            ErrorCause::Limit { .. } => ErrorKind::Limit,
            ErrorCause::SourceBuffer { .. } | ErrorCause::MediaElement { .. } => ErrorKind::Buffer,
            ErrorCause::Stall { .. } => ErrorKind::Stall,
            ErrorCause::Key { .. } => ErrorKind::Key,
            ErrorCause::Decrypt { .. } => ErrorKind::Decrypt,
        }
    }

    /// The HTTP status, when the cause is a response (0: none reached the page).
    pub fn status(&self) -> Option<u16> {
        match self {
            ErrorCause::Http { status } | ErrorCause::Refused { status, .. } => Some(*status),
            ErrorCause::Network => Some(0),
            _ => None,
        }
    }

    /// CloudFront's `<Error><Code>`, when the CDN sent one.
    pub fn cdn_code(&self) -> Option<&str> {
        match self {
            ErrorCause::Refused { code: Some(c), .. } => Some(c.as_str()),
            _ => None,
        }
    }

    /// The playlist line (1-based; 0 for the whole file), for playlist errors.
    pub fn line(&self) -> Option<usize> {
        match self {
            ErrorCause::Playlist(e) => Some(e.line),
            ErrorCause::Subtitle { line } => Some(*line),
            _ => None,
        }
    }
}

/// An error event. URLs are redacted (no signatures).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {details}{}", kind.as_str(), url.as_ref().map(|u| format!(" ({u})")).unwrap_or_default())]
pub struct PlayerError {
    pub kind: ErrorKind,
    pub details: String,
    pub fatal: bool,
    pub url: Option<String>,
    /// What exactly went wrong, typed (match on it rather than on `details`).
    pub cause: ErrorCause,
}

/// What happened, for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    ManifestParsed {
        levels: Vec<LevelInfo>,
    },
    LevelSwitching {
        from: Option<usize>,
        to: usize,
        reason: SwitchReason,
    },
    /// The first segment of `level` is in the buffer.
    LevelSwitched {
        level: usize,
    },
    SegmentLoaded {
        level: usize,
        sequence: u64,
        bytes: u64,
        ttfb_s: f64,
        load_s: f64,
        start: f64,
        duration: f64,
    },
    BandwidthEstimate {
        bps: f64,
    },
    BufferAppended {
        track: TrackId,
        start: f64,
        end: f64,
    },
    Error(PlayerError),
    /// The engine asked for a credentials refresh (`reactive`: after a refusal, requests held).
    CredentialsRefreshNeeded {
        reactive: bool,
    },
    GapJumped {
        from: f64,
        to: f64,
    },
    StallNudged {
        to: f64,
    },
    /// The audio tracks the level in use offers (at the start, and when a level switch
    /// changes the AUDIO group).
    AudioTracksUpdated {
        audio_tracks: Vec<AudioTrackInfo>,
    },
    /// A new audio track was chosen (by the app, or to keep the language in a new group).
    AudioTrackSwitching {
        id: usize,
    },
    /// The chosen audio track's first data is in the buffer.
    AudioTrackSwitched {
        id: usize,
    },
    /// The subtitle and caption tracks (at the start, and when CEA-608 data is found in a
    /// stream that declared none: a `captions` track "CC1").
    SubtitleTracksUpdated {
        subtitle_tracks: Vec<SubtitleTrackInfo>,
    },
    /// The app's subtitle track changed (`None`: off), or the first choice was made.
    SubtitleTrackSwitch {
        id: Option<usize>,
    },
    /// A live playlist ended (ENDLIST): VOD behaviour from now on.
    LiveEnded,
    Ended,
    /// A level's media playlist was loaded (each live reload too): hls.js's `LEVEL_LOADED`.
    LevelLoaded {
        level: usize,
        live: bool,
        /// Seconds: the sum of the segments' durations.
        total_duration: f64,
        target_duration: f64,
        /// Media sequence numbers of the first and last segments (`None`: no segments).
        first_sequence: Option<u64>,
        last_sequence: Option<u64>,
    },
    /// The playhead entered another segment of the main stream: hls.js's `FRAG_CHANGED`.
    FragChanged {
        level: usize,
        sequence: u64,
        /// Seconds on the output timeline, as buffered.
        start: f64,
        duration: f64,
    },
    /// Every append of a main-stream segment is done: hls.js's `FRAG_BUFFERED`.
    FragBuffered {
        level: usize,
        sequence: u64,
        /// Seconds on the output timeline, as buffered.
        start: f64,
        duration: f64,
    },
}

/// What to do with a segment that answers 404/410.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFoundPolicy {
    /// Skip the segment (the hole is jumped); a non-fatal error event.
    Skip,
    /// Penalise the level and fetch the same time from another level; skip if none is left.
    PenaliseLevel,
}

/// Engine parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// Seconds to keep buffered ahead of the playhead.
    pub buffer_goal: f64,
    /// Lowest goal a QuotaExceededError can shrink it to.
    pub min_buffer_goal: f64,
    /// Bytes the forward buffer may hold (hls.js's `maxBufferSize`): when they hold more than
    /// `buffer_goal` seconds at the level's peak bitrate, that much is fetched ahead. A deeper
    /// buffer banks a mobile link's good minutes for its bad ones. `0`: `buffer_goal` only.
    pub max_buffer_size: u64,
    /// Most seconds fetched ahead, whatever the bytes allow (hls.js's `maxMaxBufferLength`).
    pub max_buffer_length: f64,
    /// Seconds kept behind the playhead (`None`: never evict).
    pub back_buffer: Option<f64>,
    /// Holes up to this many seconds count as contiguous.
    pub hole_tolerance: f64,
    /// Holes up to this many seconds ahead of a stuck playhead are jumped.
    pub max_gap_jump: f64,
    /// Seconds without playhead progress (with data buffered) before a nudge.
    pub stall_timeout: f64,
    pub nudge_step: f64,
    /// Nudges before a fatal stall error.
    pub max_nudges: u32,
    /// Live start distance from the live edge, in target durations.
    pub live_edge_target_durations: f64,
    pub segment_retry: RetryPolicy,
    pub playlist_retry: RetryPolicy,
    pub not_found: NotFoundPolicy,
    /// Seconds a failed level is avoided.
    pub level_penalty_s: f64,
    /// Refresh credentials this many seconds before their known expiry.
    pub credentials_refresh_margin: f64,
    /// Cap the level to the element's size x devicePixelRatio.
    pub cap_to_element: bool,
    /// Start level; `None`: the ABR decides from its default estimate.
    pub start_level: Option<usize>,
    /// Seed of the retry jitter.
    pub seed: u64,
    /// While a segment loads, check the abandon rule at least this often (seconds).
    pub abandon_check_interval: f64,
    /// Consecutive remux failures before a fatal error.
    pub max_remux_errors: u32,
    /// Consecutive quota failures on one SourceBuffer before a fatal error.
    pub max_quota_failures: u32,
    /// Remux and append media segments as their bytes arrive (`Input::Chunk`), not only once
    /// whole: the first frame shows after the first GOP, not the whole segment.
    pub progressive: bool,
    /// Carry the master URL's CloudFront signed-URL query (`Policy`, `Signature`, `Key-Pair-Id`,
    /// `Expires`, `Hash-Algorithm`) onto child URIs of the same origin (signed-URL mode).
    pub propagate_signed_query: bool,
    /// Largest segment body accepted, bytes (a larger one is aborted with a `limit` error).
    pub max_segment_bytes: u64,
    /// Largest playlist body accepted, bytes.
    pub max_playlist_bytes: u64,
    /// Audio languages to choose first, best first (RFC 5646 tags or ISO 639-2 codes):
    /// the app's `audioLanguage`, then the browser's language.
    pub preferred_audio_languages: Vec<String>,
    /// Report decisions as [`Output::Debug`] (the app's `debug` config).
    pub debug: bool,
    /// Subtitles shown from the start: the first (non-forced) track in this language (the
    /// app's `subtitleLanguage`). `None`: see `subtitle_default_languages`.
    pub subtitle_language: Option<String>,
    /// Without `subtitle_language`: a DEFAULT=YES, AUTOSELECT=YES track in one of these
    /// languages (the browser's) is shown from the start; else subtitles start off.
    pub subtitle_default_languages: Vec<String>,
    pub abr: AbrConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            buffer_goal: 30.0,
            min_buffer_goal: 10.0,
            max_buffer_size: 0,
            max_buffer_length: 600.0,
            back_buffer: Some(30.0),
            hole_tolerance: 0.1,
            max_gap_jump: 2.0,
            stall_timeout: 1.0,
            nudge_step: 0.1,
            max_nudges: 3,
            live_edge_target_durations: 3.0,
            segment_retry: RetryPolicy::segments(),
            playlist_retry: RetryPolicy::playlists(),
            not_found: NotFoundPolicy::PenaliseLevel,
            level_penalty_s: 60.0,
            credentials_refresh_margin: 60.0,
            cap_to_element: true,
            start_level: None,
            seed: 0x5eed,
            abandon_check_interval: 0.5,
            max_remux_errors: 3,
            max_quota_failures: 5,
            progressive: true,
            propagate_signed_query: true,
            max_segment_bytes: crate::remux::MAX_SEGMENT_BYTES as u64,
            max_playlist_bytes: 16 << 20,
            preferred_audio_languages: Vec::new(),
            debug: false,
            subtitle_language: None,
            subtitle_default_languages: Vec::new(),
            abr: AbrConfig::default(),
        }
    }
}
