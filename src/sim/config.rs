//! What one simulation is told: the rule, the engine's settings, the CDN's faults, signed-cookie
//! expiry, a live stream's window, the user's and the app's actions, the browser's abilities.

use super::forecast::Forecast;
use super::optimum::QoeWeights;
use crate::abr::AbrKind;
use crate::engine::{EngineConfig, Input};

/// What a fault does to matching requests.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer with this status (and body) at the first byte.
    Status(u16, Option<String>),
    /// Never answer.
    Stall,
    /// Answer 200 and send this many body bytes, then go silent (never finish).
    StallBody(u64),
    /// Answer from the browser's HTTP cache: the whole body within a millisecond, off the link.
    Cached,
}

/// A fault applied to requests sent in `[from, until)` whose URL contains `url_contains`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub from: f64,
    pub until: f64,
    pub kind: FaultKind,
    pub url_contains: String,
    /// Apply to at most this many requests.
    pub max_count: Option<u32>,
}

/// Signed cookies in the simulation: the CDN refuses (403 AccessDenied) requests sent at or after
/// `expires_at`; the app refreshes after `refresh_delay`, extending to `now + lifetime`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthModel {
    pub expires_at: f64,
    pub refresh_delay: f64,
    pub lifetime: f64,
    pub refresh_fails: bool,
    /// Whether the app tells the engine the new expiry (enables proactive refresh).
    pub report_expiry: bool,
    /// Body of the refusal.
    pub refusal_body: Option<String>,
}

/// A live stream: segments appear in real time; the playlist holds the last `window` segments
/// (`None`: EVENT, all of them); ENDLIST once the whole content is out, if `ends`.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveModel {
    pub window: Option<usize>,
    pub ends: bool,
    /// Seconds of content already out when the player starts.
    pub start_offset: f64,
}

/// One simulation's settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub abr: AbrKind,
    pub engine: EngineConfig,
    /// TTFB when the trace gives none, seconds.
    pub default_ttfb: f64,
    pub progress_interval: f64,
    pub media_report_interval: f64,
    /// Seconds buffered ahead before playback starts or resumes.
    pub start_threshold: f64,
    /// Stop after this much virtual time.
    pub max_time: f64,
    pub faults: Vec<Fault>,
    pub auth: Option<AuthModel>,
    /// (at, to): user seeks.
    pub seeks: Vec<(f64, f64)>,
    /// (at, input): what the app does (`SetLevel`, `SetAudioTrack`...).
    pub app_inputs: Vec<(f64, Input)>,
    /// The browser has `SourceBuffer.changeType` (else it fails).
    pub change_type_supported: bool,
    /// The remuxer passes `mdat` bodies on as they arrive (the fMP4 passthrough): a segment
    /// given up after its first early output leaves the SourceBuffer mid-fragment.
    pub mid_fragments: bool,
    pub element: Option<(f64, f64, f64)>,
    pub live: Option<LiveModel>,
    /// SourceBuffer quota in seconds of media (`None`: unlimited).
    pub quota_seconds: Option<f64>,
    /// Serve a media playlist directly instead of a master.
    pub media_playlist_only: bool,
    /// Keep every event (tests); off for benchmarks.
    pub record: bool,
    /// Stop as soon as playback ends.
    pub stop_at_end: bool,
    /// Report the media element's state before every input, as the web layer does.
    pub media_with_every_input: bool,
    /// Hand segment bodies to the engine as they arrive (`Input::Chunk` with every progress,
    /// then an empty `Loaded`), as the web layer does with `progressive`.
    pub stream_segments: bool,
    /// The browser's HTTP cache: a segment URL fetched whole before in the run is answered from
    /// it (`Response::Cached`), as a cacheable CDN response is on a seek back or a refetch.
    pub browser_cache: bool,
    /// Replace the rule by the perfect-forecast bound ([`ForecastMpc`]).
    pub forecast: Option<Forecast>,
    pub weights: QoeWeights,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            abr: AbrKind::Ours,
            engine: EngineConfig::default(),
            default_ttfb: 0.08,
            progress_interval: 0.1,
            media_report_interval: 0.25,
            start_threshold: 0.5,
            max_time: 7200.0,
            faults: Vec::new(),
            auth: None,
            seeks: Vec::new(),
            app_inputs: Vec::new(),
            change_type_supported: true,
            mid_fragments: false,
            element: None,
            live: None,
            quota_seconds: None,
            media_playlist_only: false,
            record: false,
            stop_at_end: true,
            media_with_every_input: false,
            stream_segments: false,
            browser_cache: false,
            forecast: None,
            weights: QoeWeights::default(),
        }
    }
}
