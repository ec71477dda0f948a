//! The sans-IO player engine.
//!
//! [`Engine`] is a state machine: it never reads a clock, touches the network or the DOM. The
//! caller (the browser layer, the simulator, a test) reports what happened with
//! [`Engine::handle_input`] / [`Engine::handle_timeout`] and performs what the engine asks for.
//!
//! ## Driving contract
//! 1. Call `handle_input(now, input)` for every input, `handle_timeout(now)` when a timer fires.
//!    `now` is seconds on one monotonic clock; credential expiries use the same clock.
//! 2. After every call, drain [`Engine::poll_output`] until it returns [`Output::Timeout`] (sleep
//!    until that time or the next input) or `None` (nothing scheduled: wait for an input).
//!    Inputs that arrive while draining are fed after the drain, never in the middle of it.
//! 3. Answer every `Fetch` with `Progress`* then `Loaded` or `LoadFailed` (same `req`) — with
//!    `progressive`, a segment's body bytes as `Chunk`s (each before its `Progress`) and then an
//!    empty `Loaded` — every
//!    `AddSourceBuffer` (only if it fails) with `AddSourceBufferFailed`, every
//!    `Append` with `AppendDone`/`AppendFailed`, every `Remove` with `RemoveDone`/`RemoveFailed`, every
//!    `RefreshCredentials` with `CredentialsRefreshed`/`CredentialsRefreshFailed`, and report the
//!    media element's state (`Input::Media`) on its `timeupdate`/`seeking`/`waiting` events, and
//!    `SourceOpen` when the MediaSource opens: SourceBuffers, appends and the duration wait for it.
//!
//! ## Timeline
//! Times are on the playlist timeline (sum of EXTINF from the first segment the engine saw; live
//! reloads are anchored by media sequence number). The remuxer is told each segment's start
//! ([`SegmentInfo::start`]) and must place its output there, so a level switch lines up by time
//! without flushing what is buffered.
//!
//! ## Files
//! One concern each, named as hls.js names its controllers: `levels` (the variants and their
//! playlists), `timeline` (anchoring, pure), `level_choice` (ABR, cap, abandon, switches),
//! `stream` + `scheduler` (the fetch cursor, the next segment, end of stream), `fetch_history`
//! (segments fetched before: not ABR samples), `progressive`
//! (segments remuxed as bytes arrive), `requests` + `failure` (loading, retries), `credentials`
//! (the refresh on a CDN refusal), `buffer` (SourceBuffer queues, eviction, quota), `playhead`
//! (gaps, stalls, seeks), `timers` (what wakes the engine next).

mod audio_tracks;
mod auth;
mod buffer;
mod codec_change;
mod credentials;
mod decisions;
mod decryption;
mod domains;
mod failure;
mod fetch_history;
mod fixed;
mod fragments;
mod init_segments;
mod keys;
mod language;
mod level_choice;
mod level_switch;
mod levels;
mod loader;
pub mod media;
mod parse;
mod playhead;
mod progressive;
mod ranges;
mod requests;
mod scheduler;
mod small_map;
mod sort;
mod stream;
mod subtitles;
mod then_one;
mod timeline;
mod timers;
mod transmux;
mod types;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::abr::Abr;

pub use auth::{judge_refusal, redact_url, AuthState, CdnErrorCode, Refusal, RefusalVerdict};
pub use buffer::{fetch_goal, BufferOp, Track};
pub use decisions::Decision;
pub use loader::{FailureClass, Request, RequestId, RequestKind, RequestState, RetryPolicy, Rng};
pub use media::{
    OutputShape, RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer, TrackKind, TrackOutput,
};
pub use parse::{parse_playlist, resolve};
pub use ranges::Ranges;
pub use timers::Timer;
pub use types::{
    AudioTrackInfo, EngineConfig, ErrorCause, ErrorKind, Event, Input, LevelInfo, NotFoundPolicy,
    Output, PlayerError, SourceBufferOp, StreamKind, SubtitleKind, SubtitleTrackInfo, SwitchReason,
    TrackId,
};

use audio_tracks::AudioTracks;
use buffer::Buffer;
use domains::Domains;
use init_segments::InitCache;
use keys::Keys;
use level_choice::Switching;
use levels::{Level, LevelPlaylist, Manifest};
use playhead::Playhead;
use requests::Requests;
use stream::Stream;
use subtitles::Subtitles;
use then_one::ThenOne;

/// Counts of everything the engine holds, for boundedness checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineStats {
    pub requests: usize,
    pub outputs_queued: usize,
    pub segments_held: usize,
    pub buffered_ranges: usize,
    pub queued_buffer_ops: usize,
}

/// The player engine, generic over the remuxer.
pub struct Engine<R: SegmentRemuxer> {
    cfg: EngineConfig,
    abr: Box<dyn Abr>,
    rng: Rng,
    now: f64,
    out: VecDeque<Output>,
    failed: bool,
    manifest: Manifest,
    levels: Vec<Level>,
    switching: Switching,
    requests: Requests,
    /// The main stream: video, or video with muxed audio; drives the ABR.
    main: Stream<R>,
    audio: AudioTracks,
    /// The audio stream, while an audio track with its own playlist is selected.
    alt_audio: Option<Stream<R>>,
    /// Subtitle and caption tracks, the one shown and its fetch cursor.
    subtitles: Subtitles,
    /// EXT-X-MAP init segments already loaded.
    inits: InitCache,
    keys: Keys,
    /// The timeline mapping of each discontinuity domain, shared by the streams.
    domains: Domains,
    playhead: Playhead,
    buffer: Buffer,
    auth: AuthState,
    /// `StopLoad` was the last of StopLoad / StartLoad: nothing new is fetched.
    load_stopped: bool,
    /// The main stream's segments in the buffer, for `FragChanged`.
    frags: fragments::Fragments,
    fetched: fetch_history::FetchHistory,
}

impl<R: SegmentRemuxer> Engine<R> {
    /// An engine with this project's ABR rule configured by `cfg.abr`.
    pub fn with_default_abr(cfg: EngineConfig, remux: R) -> Self {
        // This project's rule, built directly: `AbrKind::build` would keep the baselines in the
        // package.
        let abr = Box::new(crate::abr::Lookahead::new(cfg.abr));
        Self::new(cfg, remux, abr)
    }

    /// An engine with any ABR rule (the simulator runs the baselines through this).
    pub fn new(cfg: EngineConfig, remux: R, abr: Box<dyn Abr>) -> Self {
        Engine {
            rng: Rng::new(cfg.seed),
            buffer: Buffer::new(cfg.buffer_goal, cfg.max_buffer_length),
            cfg,
            abr,
            now: 0.0,
            out: VecDeque::new(),
            failed: false,
            manifest: Manifest::default(),
            levels: Vec::new(),
            switching: Switching::default(),
            requests: Requests::default(),
            main: Stream::new(remux),
            audio: AudioTracks::default(),
            alt_audio: None,
            subtitles: Subtitles::default(),
            inits: InitCache::default(),
            keys: Keys::default(),
            domains: Domains::default(),
            playhead: Playhead::default(),
            auth: AuthState::default(),
            load_stopped: false,
            frags: fragments::Fragments::default(),
            fetched: fetch_history::FetchHistory::default(),
        }
    }

    // ----- public surface -------------------------------------------------------------------

    /// Feed one input at time `now`, then drain [`Self::poll_output`].
    pub fn handle_input(&mut self, now: f64, input: Input) {
        self.now = now.max(self.now);
        if self.failed {
            return;
        }
        match input {
            Input::Load { url } => self.on_load(url),
            Input::Progress { req, loaded, total } => self.on_progress(req, loaded, total),
            Input::Chunk { req, data } => self.on_chunk(req, data),
            Input::Loaded { req, data } => self.on_loaded(req, data),
            Input::LoadFailed { req, status, body } => {
                let class = if status == 0 {
                    FailureClass::Network
                } else {
                    FailureClass::Http(status)
                };
                self.on_failure(req, class, body.as_deref());
            }
            Input::AppendDone { track } => self.on_append_done(track),
            Input::RemoveDone { track } => self.on_remove_done(track),
            Input::RemoveFailed { track } => self.on_remove_failed(track),
            Input::SourceOpen => self.buffer.source_open = true,
            Input::MediaError { code, message } => {
                let name = match code {
                    1 => "MEDIA_ERR_ABORTED",
                    2 => "MEDIA_ERR_NETWORK",
                    3 => "MEDIA_ERR_DECODE",
                    4 => "MEDIA_ERR_SRC_NOT_SUPPORTED",
                    _ => "MediaError",
                };
                let details = format!("the media element failed ({name}, code {code}): {message}");
                self.error(ErrorCause::MediaElement { code }, details, true, None);
            }
            Input::ChangeTypeFailed { track, reason } => self.on_change_type_failed(track, reason),
            Input::AddSourceBufferFailed { track, reason } => {
                self.on_add_source_buffer_failed(track, reason)
            }
            Input::AppendFailed {
                track,
                quota_exceeded,
            } => self.on_append_failed(track, quota_exceeded),
            Input::Media {
                position,
                paused,
                buffered,
            } => self.on_media(position, paused, buffered),
            Input::Seek { position } => self.on_seek(position),
            Input::SetLevel(level) => {
                // Kept as given: the levels may not be known yet; clamped where used.
                self.switching.manual = level;
            }
            Input::SetLevelCap(cap) => self.switching.app_cap = cap,
            Input::SwitchLevelNow(level) => self.switch_level_now(level),
            Input::SetAudioTrack(id) => self.set_audio_track(id),
            Input::SetSubtitleTrack(id) => self.set_subtitle_track(id),
            Input::ElementSize {
                width,
                height,
                device_pixel_ratio,
            } => self.on_element_size(width, height, device_pixel_ratio),
            Input::CredentialsRefreshed { expires } => self.on_credentials_refreshed(expires),
            Input::CredentialsRefreshFailed { reason } => self.on_credentials_failed(reason),
            Input::StopLoad => self.stop_load(),
            Input::StartLoad { position } => self.start_load(position),
        }
        self.step();
    }

    /// A timer set by [`Output::Timeout`] fired.
    pub fn handle_timeout(&mut self, now: f64) {
        self.now = now.max(self.now);
        if self.failed {
            return;
        }
        self.check_timers();
        self.step();
    }

    /// The next thing to do; see the module docs for the contract.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        if let Some(o) = self.out.pop_front() {
            return Some(o);
        }
        self.poll_timeout().map(Output::Timeout)
    }

    /// The next deadline, if any.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.next_timer().map(|(at, _)| at)
    }

    /// The level segments are fetched from.
    pub fn current_level(&self) -> Option<usize> {
        self.switching.current
    }

    pub fn levels(&self) -> Vec<LevelInfo> {
        let mut list = Vec::with_capacity(self.levels.len());
        for l in &self.levels {
            list.push(l.info());
        }
        list
    }

    /// The audio tracks of the level in use (its AUDIO group's EXT-X-MEDIA TYPE=AUDIO
    /// renditions, in playlist order): hls.js's `audioTracks`.
    pub fn audio_tracks(&self) -> Vec<AudioTrackInfo> {
        self.audio_track_list()
    }

    /// The position in [`Self::audio_tracks`] of the track in use.
    pub fn audio_track(&self) -> Option<usize> {
        self.audio_track_id()
    }

    /// The subtitle and caption tracks: hls.js's `subtitleTracks`.
    pub fn subtitle_tracks(&self) -> Vec<SubtitleTrackInfo> {
        self.subtitle_track_list()
    }

    /// The subtitle track the app chose (`None`: off): hls.js's `subtitleTrack`.
    pub fn subtitle_track(&self) -> Option<usize> {
        self.selected_subtitle_track()
    }

    /// Seconds fetched ahead of the playhead: the buffer goal, or what `max_buffer_size` bytes
    /// hold at the current level's peak bitrate when that is longer (hls.js's
    /// `getMaxBufferLength`), at most `max_buffer_length`.
    pub fn buffer_goal(&self) -> f64 {
        let level = self.switching.current.and_then(|c| self.levels.get(c));
        let peak = level.map_or(0, |l| l.bandwidth);
        buffer::fetch_goal(
            self.buffer.goal,
            self.buffer.max_goal,
            self.cfg.max_buffer_size,
            peak,
        )
    }

    /// The live edge at `now` (the engine's clock; a getter is read between inputs): the
    /// level playlist's end, moved on by the time since a load last found new segments
    /// (hls.js's `edge + age`); `None` for a VOD or before its playlist.
    fn live_edge(&self, now: f64) -> Option<(f64, &LevelPlaylist)> {
        let p = self.current_playlist().filter(|p| p.live)?;
        Some((p.end() + (now - p.advanced_at).max(0.0), p))
    }

    /// Where live playback is kept (hls.js's `liveSyncPosition`): `liveEdgeTargetDurations`
    /// target durations behind the live edge, within the playlist's segments and at least one
    /// target duration before their end; `None` for a VOD.
    pub fn live_sync_position(&self, now: f64) -> Option<f64> {
        let (edge, p) = self.live_edge(now)?;
        let first = p.segments.front()?.start;
        let sync = edge - self.cfg.live_edge_target_durations * p.target_duration;
        Some(sync.min(p.end() - p.target_duration).max(first))
    }

    /// Seconds the playhead is behind the live edge (hls.js's `latency`); `None` for a VOD.
    pub fn latency(&self, now: f64) -> Option<f64> {
        let (edge, _) = self.live_edge(now)?;
        Some((edge - self.playhead.position).max(0.0))
    }

    pub fn bandwidth_estimate(&self) -> f64 {
        self.abr.estimate_bps()
    }

    pub fn is_failed(&self) -> bool {
        self.failed
    }

    pub fn remuxer(&self) -> &R {
        &self.main.remux
    }

    pub fn stats(&self) -> EngineStats {
        EngineStats {
            requests: self.requests.len(),
            outputs_queued: self.out.len(),
            segments_held: self
                .levels
                .iter()
                .map(|l| &l.media)
                .chain(self.audio.tracks.iter().filter_map(|t| t.media.as_ref()))
                .filter_map(|m| m.playlist.as_ref())
                .map(|p| p.segments.len())
                .sum(),
            buffered_ranges: self.buffer.buffered.as_slice().len(),
            queued_buffer_ops: self.buffer.tracks.iter().map(|t| t.queue.len()).sum(),
        }
    }

    // ----- shared helpers -------------------------------------------------------------------

    fn step(&mut self) {
        if self.failed {
            return;
        }
        self.pump_tracks();
        self.evict();
        self.evict_cues();
        self.schedule();
        self.end_of_stream();
    }

    fn event(&mut self, e: Event) {
        self.out.push_back(Output::Event(e));
    }

    fn error(&mut self, cause: ErrorCause, details: String, fatal: bool, url: Option<&str>) {
        self.event(Event::Error(PlayerError {
            kind: cause.kind(),
            details,
            fatal,
            url: url.map(redact_url),
            cause,
        }));
        if fatal {
            self.fail();
        }
    }

    /// Stop everything: abort requests, no more timers.
    fn fail(&mut self) {
        self.failed = true;
        for id in self.requests.ids() {
            self.out.push_back(Output::Abort { req: id });
        }
        self.requests.clear();
        for s in self.streams_mut() {
            s.fetch = None;
        }
    }

    fn stream(&self, kind: StreamKind) -> Option<&Stream<R>> {
        match kind {
            StreamKind::Main => Some(&self.main),
            StreamKind::Audio => self.alt_audio.as_ref(),
        }
    }

    fn stream_mut(&mut self, kind: StreamKind) -> Option<&mut Stream<R>> {
        match kind {
            StreamKind::Main => Some(&mut self.main),
            StreamKind::Audio => self.alt_audio.as_mut(),
        }
    }

    /// The main stream, then the alternate audio stream when there is one.
    fn streams(&self) -> ThenOne<std::option::IntoIter<&Stream<R>>> {
        ThenOne(Some(&self.main).into_iter(), self.alt_audio.as_ref())
    }

    /// The stream whose segment in flight is request `id`.
    fn stream_fetching(&self, id: RequestId) -> Option<&Stream<R>> {
        self.streams()
            .find(|s| s.fetch.as_ref().is_some_and(|f| f.id == id))
    }

    /// The kinds of the streams `keep` accepts (a list, so the caller may then change them).
    fn stream_kinds(&self, keep: &dyn Fn(&Stream<R>) -> bool) -> Vec<StreamKind> {
        let mut kinds = Vec::new();
        for s in self.streams() {
            if keep(s) {
                kinds.push(s.kind);
            }
        }
        kinds
    }

    fn streams_mut(&mut self) -> ThenOne<std::option::IntoIter<&mut Stream<R>>> {
        ThenOne(Some(&mut self.main).into_iter(), self.alt_audio.as_mut())
    }
}
