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
//! 3. Answer every `Fetch` with `Progress`* then `Loaded` or `LoadFailed` (same `req`) — with
//!    `progressive`, a segment's body bytes as `Chunk`s (each before its `Progress`) and then an
//!    empty `Loaded` — every
//!    `Append` with `AppendDone`/`AppendFailed`, every `Remove` with `RemoveDone`, every
//!    `RefreshCredentials` with `CredentialsRefreshed`/`CredentialsRefreshFailed`, and report the
//!    media element's state (`Input::Media`) on its `timeupdate`/`seeking`/`waiting` events.
//!
//! ## Timeline
//! Times are on the playlist timeline (sum of EXTINF from the first segment the engine saw; live
//! reloads are anchored by media sequence number). The remuxer is told each segment's start
//! ([`SegmentInfo::start`]) and must place its output there, so a level switch lines up by time
//! without flushing what is buffered.

mod auth;
mod buffer;
mod fixed;
mod loader;
pub mod media;
mod parse;
mod small_map;
mod sort;
mod transmux;
mod types;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::rc::Rc;

use crate::abr::{Abr, AbrContext, AbrLevel, LoadProgress, SegmentSample};
use crate::playlist::{ByteRange, MediaPlaylist, Playlist};

pub use auth::{judge_refusal, redact_url, AuthState, CdnErrorCode, Refusal, RefusalVerdict};
pub use buffer::{BufferOp, Ranges, Track};
pub use loader::{FailureClass, Request, RequestId, RequestKind, RequestState, RetryPolicy, Rng};
pub use media::{
    OutputShape, RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer, TrackKind, TrackOutput,
};
pub use parse::{parse_playlist, resolve};
pub use types::{
    EngineConfig, ErrorKind, Event, Input, LevelInfo, NotFoundPolicy, Output, PlayerError,
    SwitchReason, TrackId,
};

/// Segments closer than this to a boundary belong to the next segment (float noise).
const EDGE: f64 = 0.05;

#[derive(Debug, Clone, PartialEq)]
struct Seg {
    sequence: u64,
    start: f64,
    duration: f64,
    uri: String,
    byte_range: Option<ByteRange>,
    discontinuity: bool,
    gap: bool,
}

impl Seg {
    fn end(&self) -> f64 {
        self.start + self.duration
    }
}

#[derive(Debug, Clone)]
struct LevelPlaylist {
    segments: VecDeque<Seg>,
    target_duration: f64,
    live: bool,
    /// Loaded recently enough to fetch from (live playlists go stale when not reloaded).
    fresh: bool,
}

impl LevelPlaylist {
    fn end(&self) -> f64 {
        self.segments.back().map_or(0.0, Seg::end)
    }
    fn find(&self, t: f64) -> Option<&Seg> {
        self.segments.iter().find(|s| s.end() > t + EDGE)
    }
    fn start_of(&self, sequence: u64) -> Option<f64> {
        self.segments
            .iter()
            .find(|s| s.sequence == sequence)
            .map(|s| s.start)
    }
}

#[derive(Debug, Clone)]
struct Level {
    uri: String,
    bandwidth: u64,
    average_bandwidth: Option<u64>,
    width: Option<u32>,
    height: Option<u32>,
    codecs: Option<String>,
    playlist: Option<LevelPlaylist>,
    playlist_req: Option<RequestId>,
    reload_at: Option<f64>,
    penalised_until: f64,
}

/// The segment being fetched.
#[derive(Debug, Clone)]
struct SegmentFetch {
    id: RequestId,
    level: usize,
    seg: Seg,
    last_abandon_check: f64,
}

/// A segment timeout steps down only with less than this many seconds buffered ahead.
const STEP_DOWN_ON_TIMEOUT_BELOW_S: f64 = 15.0;

/// A segment pushed to the remuxer as its bytes arrive.
#[derive(Debug, Clone)]
struct Streaming {
    id: RequestId,
    info: SegmentInfo,
    /// Body bytes received as chunks.
    bytes: u64,
    /// A remux failure mid-segment: reported when the download ends, the rest is ignored.
    failed: Option<RemuxFailure>,
    /// Engine state taken by the first chunk, restored when the segment is given up.
    prev_level: Option<usize>,
    prev_non_contiguous: bool,
}

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
    remux: R,
    abr: Box<dyn Abr>,
    rng: Rng,
    now: f64,
    out: VecDeque<Output>,
    failed: bool,
    manifest_url: Option<String>,
    manifest_req: Option<RequestId>,
    levels: Vec<Level>,
    current: Option<usize>,
    forced_next: Option<usize>,
    /// A switch decided while the new level's playlist loads: announced when it takes effect
    /// (the first fetch from that level), replaced if the next decision differs.
    pending_switch: Option<(usize, SwitchReason)>,
    manual: Option<usize>,
    last_pushed_level: Option<usize>,
    streaming: Option<Streaming>,
    last_appended_level: Option<usize>,
    next_id: u64,
    requests: small_map::SmallMap<RequestId, Request>,
    fetch: Option<SegmentFetch>,
    /// Playlist time of the next segment to fetch.
    next_time: f64,
    next_non_contiguous: bool,
    timeline_set: bool,
    position: f64,
    paused: bool,
    buffered: Ranges,
    tracks: Vec<Track>,
    auth: AuthState,
    /// `EndOfStream` was sent and nothing appended since (an append reopens the MediaSource).
    eos_sent: bool,
    /// Positions the engine set itself: the element reports them back as seeks.
    own_seeks: VecDeque<f64>,
    live_ended_sent: bool,
    goal: f64,
    element: Option<(f64, f64)>,
    stall_pos: f64,
    stall_since: Option<f64>,
    nudges: u32,
    remux_errors: u32,
    duration_sent: bool,
    quota_blocked_until: Option<f64>,
    /// Ranges left out on purpose (missing segments skipped): jumped whatever their size.
    skipped: VecDeque<(f64, f64)>,
}

impl<R: SegmentRemuxer> Engine<R> {
    /// An engine with this project's ABR rule configured by `cfg.abr`.
    pub fn with_default_abr(cfg: EngineConfig, remux: R) -> Self {
        let abr = crate::abr::AbrKind::Ours.build(&cfg.abr);
        Self::new(cfg, remux, abr)
    }

    /// An engine with any ABR rule (the simulator runs the baselines through this).
    pub fn new(cfg: EngineConfig, remux: R, abr: Box<dyn Abr>) -> Self {
        Engine {
            rng: Rng::new(cfg.seed),
            goal: cfg.buffer_goal,
            cfg,
            remux,
            abr,
            now: 0.0,
            out: VecDeque::new(),
            failed: false,
            manifest_url: None,
            manifest_req: None,
            levels: Vec::new(),
            current: None,
            forced_next: None,
            pending_switch: None,
            manual: None,
            last_pushed_level: None,
            streaming: None,
            last_appended_level: None,
            next_id: 1,
            requests: small_map::SmallMap::new(),
            fetch: None,
            next_time: 0.0,
            next_non_contiguous: false,
            timeline_set: false,
            position: 0.0,
            paused: false,
            buffered: Ranges::default(),
            tracks: Vec::new(),
            auth: AuthState::default(),
            eos_sent: false,
            own_seeks: VecDeque::new(),
            live_ended_sent: false,
            element: None,
            stall_pos: f64::NAN,
            stall_since: None,
            nudges: 0,
            remux_errors: 0,
            duration_sent: false,
            quota_blocked_until: None,
            skipped: VecDeque::new(),
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
                self.manual = level;
            }
            Input::ElementSize {
                width,
                height,
                device_pixel_ratio,
            } => {
                let dpr = if device_pixel_ratio > 0.0 {
                    device_pixel_ratio
                } else {
                    1.0
                };
                self.element = (width > 0.0 && height > 0.0).then_some((width * dpr, height * dpr));
            }
            Input::CredentialsRefreshed { expires } => self.on_credentials_refreshed(expires),
            Input::CredentialsRefreshFailed { reason } => self.on_credentials_failed(reason),
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
        if self.failed {
            return None;
        }
        let mut at: Option<f64> = None;
        let mut consider = |t: f64| {
            at = Some(at.map_or(t, |a: f64| a.min(t)));
        };
        for r in self.requests.values() {
            let policy = self.policy(r.kind);
            match r.state {
                RequestState::RetryAt(t) if self.auth.holding => {
                    let _ = t; // held: resent when credentials are back
                }
                _ => {
                    if let Some(d) = r.deadline(policy) {
                        consider(d);
                    }
                }
            }
        }
        if !self.auth.holding {
            for l in &self.levels {
                if let (Some(t), None) = (l.reload_at, l.playlist_req) {
                    consider(t);
                }
            }
        }
        if let Some(f) = &self.fetch {
            consider(f.last_abandon_check + self.cfg.abandon_check_interval);
        }
        if let Some(t) = self.auth.proactive_at(self.cfg.credentials_refresh_margin) {
            consider(t);
        }
        if let Some(t) = self.quota_blocked_until {
            consider(t);
        }
        if let Some(s) = self.stall_since {
            consider(s + self.cfg.stall_timeout);
        }
        at.map(|t| t.max(self.now))
    }

    /// The level segments are fetched from.
    pub fn current_level(&self) -> Option<usize> {
        self.current
    }

    pub fn levels(&self) -> Vec<LevelInfo> {
        self.levels.iter().map(level_info).collect()
    }

    pub fn buffer_goal(&self) -> f64 {
        self.goal
    }

    pub fn bandwidth_estimate(&self) -> f64 {
        self.abr.estimate_bps()
    }

    pub fn is_failed(&self) -> bool {
        self.failed
    }

    pub fn remuxer(&self) -> &R {
        &self.remux
    }

    pub fn stats(&self) -> EngineStats {
        EngineStats {
            requests: self.requests.len(),
            outputs_queued: self.out.len(),
            segments_held: self
                .levels
                .iter()
                .filter_map(|l| l.playlist.as_ref())
                .map(|p| p.segments.len())
                .sum(),
            buffered_ranges: self.buffered.as_slice().len(),
            queued_buffer_ops: self.tracks.iter().map(|t| t.queue.len()).sum(),
        }
    }

    // ----- internals: requests --------------------------------------------------------------

    fn policy(&self, kind: RequestKind) -> &RetryPolicy {
        if kind.is_segment() {
            &self.cfg.segment_retry
        } else {
            &self.cfg.playlist_retry
        }
    }

    fn event(&mut self, e: Event) {
        self.out.push_back(Output::Event(e));
    }

    fn error(&mut self, kind: ErrorKind, details: String, fatal: bool, url: Option<&str>) {
        self.event(Event::Error(PlayerError {
            kind,
            details,
            fatal,
            url: url.map(redact_url),
        }));
        if fatal {
            self.fail();
        }
    }

    /// Stop everything: abort requests, no more timers.
    fn fail(&mut self) {
        self.failed = true;
        let ids: Vec<RequestId> = self.requests.keys().copied().collect();
        for id in ids {
            self.out.push_back(Output::Abort { req: id });
        }
        self.requests.clear();
        self.fetch = None;
    }

    fn new_request(
        &mut self,
        kind: RequestKind,
        url: String,
        range: Option<ByteRange>,
    ) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.requests.insert(id, Request::new(id, kind, url, range));
        self.send(id);
        id
    }

    fn send(&mut self, id: RequestId) {
        if self.requests.get(&id).is_some_and(|r| r.kind.is_segment()) {
            // A (re)sent segment request starts its body over.
            self.drop_stream();
        }
        let now = self.now;
        let Some(r) = self.requests.get_mut(&id) else {
            return;
        };
        r.state = RequestState::InFlight;
        r.sent_at = now;
        r.reset_progress();
        let out = Output::Fetch {
            req: id,
            kind: r.kind,
            url: r.url.clone(),
            range: r.range,
        };
        self.out.push_back(out);
    }

    fn abort(&mut self, id: RequestId) {
        if self.streaming.as_ref().is_some_and(|s| s.id == id) {
            self.drop_stream();
        }
        if let Some(r) = self.requests.remove(&id) {
            if let Some(fb) = r.first_byte_at {
                self.abr.on_partial(r.loaded, self.now - fb);
            }
            self.out.push_back(Output::Abort { req: id });
        }
        if self.fetch.as_ref().is_some_and(|f| f.id == id) {
            self.fetch = None;
        }
        for l in &mut self.levels {
            if l.playlist_req == Some(id) {
                l.playlist_req = None;
            }
        }
    }

    fn on_load(&mut self, url: String) {
        if self.manifest_url.is_some() {
            return;
        }
        self.manifest_url = Some(url.clone());
        self.manifest_req = Some(self.new_request(RequestKind::Manifest, url, None));
    }

    fn on_progress(&mut self, id: RequestId, loaded: u64, total: Option<u64>) {
        let now = self.now;
        let Some(r) = self.requests.get_mut(&id) else {
            return;
        };
        if r.state != RequestState::InFlight {
            return;
        }
        if r.first_byte_at.is_none() {
            r.first_byte_at = Some(now);
        }
        if r.last_progress_at.is_none() || loaded > r.loaded {
            r.last_progress_at = Some(now);
        }
        r.loaded = r.loaded.max(loaded);
        r.total = total.or(r.total);
        if r.kind.is_segment() {
            self.check_abandon();
        }
    }

    fn on_loaded(&mut self, id: RequestId, data: Vec<u8>) {
        let Some(r) = self.requests.remove(&id) else {
            return; // aborted or unknown: stale
        };
        match r.kind {
            RequestKind::Manifest => {
                self.manifest_req = None;
                self.on_manifest(&r, &data);
            }
            RequestKind::LevelPlaylist { level } => {
                if let Some(l) = self.levels.get_mut(level) {
                    l.playlist_req = None;
                }
                match parse_playlist(&data, &r.url, self.cfg.propagate_signed_query) {
                    Ok(Playlist::Media(p)) => self.install_playlist(level, p),
                    Ok(Playlist::Master(_)) => self.error(
                        ErrorKind::Parse,
                        "expected a media playlist, got a master playlist".into(),
                        true,
                        Some(&r.url),
                    ),
                    Err(e) => self.error(ErrorKind::Parse, e, true, Some(&r.url)),
                }
            }
            RequestKind::Segment { level, sequence } => self.on_segment(r, level, sequence, data),
        }
    }

    fn on_manifest(&mut self, r: &Request, data: &[u8]) {
        match parse_playlist(data, &r.url, self.cfg.propagate_signed_query) {
            Ok(Playlist::Master(m)) => {
                let mut variants = m.variants;
                sort::sort_stable_by(&mut variants, |a, b| a.bandwidth < b.bandwidth);
                self.levels = variants
                    .into_iter()
                    .map(|v| Level {
                        uri: v.uri,
                        bandwidth: v.bandwidth,
                        average_bandwidth: v.average_bandwidth,
                        width: v.resolution.map(|r| r.width),
                        height: v.resolution.map(|r| r.height),
                        codecs: v.codecs,
                        playlist: None,
                        playlist_req: None,
                        reload_at: None,
                        penalised_until: f64::NEG_INFINITY,
                    })
                    .collect();
                let levels = self.levels();
                self.event(Event::ManifestParsed { levels });
                let wanted = self.manual.or(self.cfg.start_level);
                let start = match wanted.filter(|&l| l < self.levels.len()) {
                    Some(l) => l,
                    None => self.choose_level(),
                };
                self.switch_to(start, SwitchReason::Start);
            }
            Ok(Playlist::Media(p)) => {
                // A media playlist given directly: one level, already loaded.
                self.levels = vec![Level {
                    uri: r.url.clone(),
                    bandwidth: 0,
                    average_bandwidth: None,
                    width: None,
                    height: None,
                    codecs: None,
                    playlist: None,
                    playlist_req: None,
                    reload_at: None,
                    penalised_until: f64::NEG_INFINITY,
                }];
                let levels = self.levels();
                self.event(Event::ManifestParsed { levels });
                self.switch_to(0, SwitchReason::Start);
                self.install_playlist(0, p);
            }
            Err(e) => self.error(ErrorKind::Parse, e, true, Some(&r.url)),
        }
    }

    /// Install a (re)loaded media playlist, anchoring its timeline by media sequence number.
    fn install_playlist(&mut self, level: usize, p: MediaPlaylist) {
        let now = self.now;
        let Some(l) = self.levels.get(level) else {
            return;
        };
        let old_last = l
            .playlist
            .as_ref()
            .and_then(|o| o.segments.back().map(|s| s.sequence));
        // Anchor: this level's previous playlist, else any other level's.
        let anchor = |other: &LevelPlaylist| -> Option<f64> {
            p.segments
                .iter()
                .find_map(|s| other.start_of(s.sequence).map(|t| t - s.start))
        };
        let mut offset = l.playlist.as_ref().and_then(anchor);
        if offset.is_none() {
            offset = self
                .levels
                .iter()
                .filter_map(|o| o.playlist.as_ref())
                .find_map(anchor);
        }
        if offset.is_none() {
            // No overlap with what we know: continue after our last segment, if any.
            if let (Some(prev), Some(first)) = (l.playlist.as_ref(), p.segments.first()) {
                if let Some(last) = prev.segments.back() {
                    let missing = first.sequence.saturating_sub(last.sequence + 1) as f64;
                    offset = Some(last.end() + missing * p.target_duration as f64 - first.start);
                }
            }
        }
        let offset = offset.unwrap_or(0.0);
        let segments: VecDeque<Seg> = p
            .segments
            .iter()
            .map(|s| Seg {
                sequence: s.sequence,
                start: s.start + offset,
                duration: s.duration,
                uri: s.uri.clone(),
                byte_range: s.byte_range,
                discontinuity: s.discontinuity,
                gap: s.gap,
            })
            .collect();
        let new_last = segments.back().map(|s| s.sequence);
        let live = p.is_live();
        let td = (p.target_duration as f64).max(1.0);
        let changed = new_last != old_last;
        let was_live = l.playlist.as_ref().is_some_and(|o| o.live);
        let lp = LevelPlaylist {
            segments,
            target_duration: td,
            live,
            fresh: true,
        };
        let first_timeline = !self.timeline_set && !lp.segments.is_empty();
        let total = lp.end();
        let live_start = live.then(|| {
            let edge = lp.end() - self.cfg.live_edge_target_durations * td;
            lp.find(edge.max(lp.segments.front().map_or(0.0, |s| s.start)))
                .map_or(0.0, |s| s.start)
        });
        // Only the level in use (or about to be) is kept fresh: a playlist that arrives for a
        // switch that was replaced meanwhile is not reloaded.
        let wanted =
            self.current == Some(level) || self.pending_switch.is_some_and(|(l, _)| l == level);
        if let Some(l) = self.levels.get_mut(level) {
            l.playlist = Some(lp);
            l.reload_at = live.then_some(now + if changed { td } else { td / 2.0 });
        }
        if !wanted {
            self.mark_stale_if_live(level);
        }
        if was_live && !live && !self.live_ended_sent {
            self.live_ended_sent = true;
            self.event(Event::LiveEnded);
        }
        if first_timeline {
            self.timeline_set = true;
            if let Some(t) = live_start {
                self.next_time = t;
                self.position = t;
                self.set_position(t);
            } else {
                self.next_time = self.next_time.max(0.0);
            }
        }
        if !live && !self.duration_sent {
            self.duration_sent = true;
            self.out.push_back(Output::SetDuration(total));
        }
    }

    fn on_segment(&mut self, r: Request, level: usize, sequence: u64, data: Vec<u8>) {
        // Only the fetch this answers: a stale answer must not drop the current fetch.
        if self.fetch.as_ref().map(|f| f.id) != Some(r.id) {
            return;
        }
        let Some(fetch) = self.fetch.take() else {
            return;
        };
        let load_s = (self.now - r.sent_at).max(0.0);
        let ttfb_s = match r.first_byte_at {
            Some(fb) => (fb - r.sent_at).max(0.0),
            None => self.abr.ttfb_s().min(load_s * 0.5),
        };
        // Streamed: the chunks had the body; a body given again is only read past them.
        if self.streaming.as_ref().is_some_and(|s| s.id != r.id) {
            self.drop_stream();
        }
        if let Some(s) = self.streaming.as_ref() {
            let seen = usize::try_from(s.bytes).unwrap_or(usize::MAX);
            if let Some(rest) = data.get(seen..).filter(|d| !d.is_empty()) {
                self.push_chunk(r.id, level, rest, &r.url);
            }
        }
        let streamed = self.streaming.take();
        let bytes = streamed
            .as_ref()
            .map_or(0, |s| s.bytes)
            .max(data.len() as u64);
        self.abr.on_sample(&SegmentSample {
            level,
            bytes,
            ttfb_s,
            load_s,
            duration: fetch.seg.duration,
        });
        self.event(Event::SegmentLoaded {
            level,
            sequence,
            bytes,
            ttfb_s,
            load_s,
            start: fetch.seg.start,
            duration: fetch.seg.duration,
        });
        let bps = self.abr.estimate_bps();
        self.event(Event::BandwidthEstimate { bps });
        self.next_time = fetch.seg.end();
        let result = match streamed {
            Some(s) => match s.failed {
                Some(e) => Err(e),
                None => self.remux.finish_segment(&s.info),
            },
            None => {
                let info = self.segment_info(&fetch.seg, level);
                self.remux.push(&data, &info)
            }
        };
        match result {
            Ok(out) => {
                self.remux_errors = 0;
                self.queue_output(out, level, &r.url);
            }
            Err(e) => {
                self.remux_errors += 1;
                let fatal = self.remux_errors >= self.cfg.max_remux_errors;
                self.next_non_contiguous = true;
                self.error(ErrorKind::Remux, e.message, fatal, Some(&r.url));
            }
        }
    }

    fn segment_info(&mut self, seg: &Seg, level: usize) -> SegmentInfo {
        let info = SegmentInfo {
            start: seg.start,
            discontinuity: seg.discontinuity,
            rendition_switch: self.last_pushed_level.is_some_and(|l| l != level),
            non_contiguous: std::mem::take(&mut self.next_non_contiguous),
        };
        self.last_pushed_level = Some(level);
        info
    }

    /// Queue the appends of a remux output.
    fn queue_output(&mut self, out: RemuxOutput, level: usize, url: &str) {
        if !out.tracks.is_empty() {
            // Appending reopens an ended MediaSource: the end is signalled again.
            self.eos_sent = false;
        }
        for w in out.warnings {
            self.error(ErrorKind::Remux, w, false, Some(url));
        }
        for t in out.tracks {
            let track = self.ensure_track(t.kind, &t.mime);
            if let Some(tr) = self.tracks.get_mut(track.0) {
                if let Some(init) = t.init {
                    tr.queue.push_back(BufferOp::Append {
                        data: Rc::new(init),
                        range: None,
                        level,
                    });
                }
                if !t.data.is_empty() {
                    tr.queue.push_back(BufferOp::Append {
                        data: Rc::new(t.data),
                        range: Some((out.start, out.end)),
                        level,
                    });
                }
            }
        }
    }

    /// Segment bytes as they arrive: remuxed and appended fragment by fragment.
    fn on_chunk(&mut self, id: RequestId, data: Vec<u8>) {
        if !self.cfg.progressive {
            return;
        }
        let Some(r) = self.requests.get(&id) else {
            return;
        };
        if r.state != RequestState::InFlight || !r.kind.is_segment() {
            return;
        }
        let url = r.url.clone();
        let Some(level) = self.fetch.as_ref().filter(|f| f.id == id).map(|f| f.level) else {
            return;
        };
        self.push_chunk(id, level, &data, &url);
    }

    fn push_chunk(&mut self, id: RequestId, level: usize, data: &[u8], url: &str) {
        if self.streaming.as_ref().is_some_and(|s| s.id != id) {
            self.drop_stream();
        }
        if self.streaming.is_none() {
            let Some(seg) = self.fetch.as_ref().map(|f| f.seg.clone()) else {
                return;
            };
            let (prev_level, prev_non_contiguous) =
                (self.last_pushed_level, self.next_non_contiguous);
            let info = self.segment_info(&seg, level);
            self.streaming = Some(Streaming {
                id,
                info,
                bytes: 0,
                failed: None,
                prev_level,
                prev_non_contiguous,
            });
        }
        let Some(s) = self.streaming.as_mut() else {
            return;
        };
        s.bytes += data.len() as u64;
        if s.failed.is_some() {
            return;
        }
        let info = s.info;
        match self.remux.push_chunk(data, &info) {
            Ok(Some(out)) => self.queue_output(out, level, url),
            Ok(None) => {}
            Err(e) => {
                self.remux.abort_segment();
                if let Some(s) = self.streaming.as_mut() {
                    s.failed = Some(e);
                }
            }
        }
    }

    /// Give up the streamed segment (failed, aborted, abandoned, retried): the remuxer forgets
    /// it and the next push is decided as if it had never started. Appended fragments stay:
    /// the retry's frames replace them in the SourceBuffer.
    fn drop_stream(&mut self) {
        if let Some(s) = self.streaming.take() {
            self.remux.abort_segment();
            self.last_pushed_level = s.prev_level;
            self.next_non_contiguous |= s.prev_non_contiguous;
        }
    }

    fn ensure_track(&mut self, kind: TrackKind, mime: &str) -> TrackId {
        if let Some(i) = self.tracks.iter().position(|t| t.kind == kind) {
            return TrackId(i);
        }
        let id = TrackId(self.tracks.len());
        self.tracks.push(Track::new(kind, mime.to_string()));
        self.out.push_back(Output::AddSourceBuffer {
            track: id,
            mime: mime.to_string(),
        });
        id
    }

    fn on_failure(&mut self, id: RequestId, class: FailureClass, body: Option<&str>) {
        if self.streaming.as_ref().is_some_and(|s| s.id == id) {
            self.drop_stream();
        }
        let Some(r) = self.requests.get(&id) else {
            return;
        };
        let kind = r.kind;
        let url = r.url.clone();
        // A refusal from the CDN: refresh credentials once, then retry the same URL.
        if matches!(class, FailureClass::Http(403) | FailureClass::Network) {
            let status = match class {
                FailureClass::Http(s) => s,
                _ => 0,
            };
            match judge_refusal(status, body, r.auth_retried) {
                RefusalVerdict::Refresh => {
                    if let Some(r) = self.requests.get_mut(&id) {
                        r.state = RequestState::WaitingCredentials;
                    }
                    // The first refusal explains a refresh that fails.
                    if self.auth.refusal.is_none() {
                        self.auth.refusal = Some(Refusal::new(status, body, &url));
                    }
                    self.auth.holding = true;
                    if !self.auth.refreshing {
                        self.auth.refreshing = true;
                        self.out.push_back(Output::RefreshCredentials);
                        self.event(Event::CredentialsRefreshNeeded { reactive: true });
                    }
                    return;
                }
                RefusalVerdict::Fatal(msg) => {
                    self.error(ErrorKind::Auth, msg, true, Some(&url));
                    return;
                }
                RefusalVerdict::Network => {}
            }
        }
        if let (FailureClass::Http(404 | 410), RequestKind::Segment { level, .. }) = (class, kind) {
            self.requests.remove(&id);
            self.fetch_not_found(level, &url);
            return;
        }
        if let (FailureClass::Http(404 | 410), RequestKind::LevelPlaylist { level }) = (class, kind)
        {
            self.requests.remove(&id);
            if let Some(l) = self.levels.get_mut(level) {
                l.playlist_req = None;
            }
            self.level_failed(
                level,
                "media playlist not found".into(),
                &url,
                ErrorKind::NotFound,
            );
            return;
        }
        let policy = self.policy(kind).clone();
        let delay = self
            .requests
            .get_mut(&id)
            .and_then(|r| r.retry_delay(class, &policy, &mut self.rng));
        let (ekind, what) = match class {
            FailureClass::Network => (
                ErrorKind::Network,
                "network error (status 0: no response, or a CDN refusal without CORS headers)"
                    .to_string(),
            ),
            FailureClass::Timeout { ttfb: true, .. } => {
                (ErrorKind::Timeout, "no first byte in time".to_string())
            }
            FailureClass::Timeout { idle: true, .. } => (
                ErrorKind::Timeout,
                format!(
                    "download stalled: no data for {} s",
                    fixed::Fixed(self.policy(kind).idle_timeout, 0)
                ),
            ),
            FailureClass::Timeout { .. } => (ErrorKind::Timeout, "download too slow".to_string()),
            FailureClass::Http(s) => (
                if s == 404 || s == 410 {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Http
                },
                format!("HTTP {s}"),
            ),
        };
        // A segment whose body timed out while the buffer runs low: the link is worse than the
        // level needs, so the retry comes from a lower level at once (as an abandon) when there is
        // one. With a healthy buffer a short outage is ridden out at the same level: stepping down
        // and back up would cost two switches for nothing.
        let fetch_level = self.fetch.as_ref().filter(|f| f.id == id).map(|f| f.level);
        let low_buffer = self.forward_buffer() < STEP_DOWN_ON_TIMEOUT_BELOW_S;
        let step_down = match (delay, class, fetch_level) {
            (Some(_), FailureClass::Timeout { ttfb: false, .. }, Some(level))
                if self.manual.is_none() && low_buffer =>
            {
                let allowed = self.allowed();
                let choice = self.choose_level();
                (0..level)
                    .rev()
                    .find(|&l| l <= choice && allowed.get(l).copied().unwrap_or(false))
            }
            _ => None,
        };
        if let Some(lower) = step_down {
            self.error(
                ekind,
                format!("{what}; retrying from level {lower}"),
                false,
                Some(&url),
            );
            self.requests.remove(&id);
            self.fetch = None;
            self.forced_next = Some(lower);
            self.switch_to(lower, SwitchReason::Abandon);
            return;
        }
        match delay {
            Some(d) => {
                let at = self.now + d;
                if let Some(r) = self.requests.get_mut(&id) {
                    r.state = RequestState::RetryAt(at);
                }
                self.error(
                    ekind,
                    format!("{what}; retry in {} s", fixed::Fixed(d, 2)),
                    false,
                    Some(&url),
                );
            }
            None => {
                let tries = self
                    .requests
                    .get(&id)
                    .map_or(0, |r| r.error_retries + r.timeout_retries);
                self.error(
                    ekind,
                    format!("{what}; giving up after {tries} retries"),
                    true,
                    Some(&url),
                );
            }
        }
    }

    fn fetch_not_found(&mut self, level: usize, url: &str) {
        let Some(fetch) = self.fetch.take() else {
            return;
        };
        let other = self.cfg.not_found == NotFoundPolicy::PenaliseLevel
            && self.penalise(level)
            && self.allowed().iter().any(|&a| a);
        if other {
            self.error(
                ErrorKind::NotFound,
                "segment not found; level penalised".into(),
                false,
                Some(url),
            );
            // Fetch the same time from another level.
            return;
        }
        self.error(
            ErrorKind::NotFound,
            "segment not found; skipped".into(),
            false,
            Some(url),
        );
        self.skipped.push_back((fetch.seg.start, fetch.seg.end()));
        while self.skipped.len() > 16 {
            self.skipped.pop_front();
        }
        self.next_time = fetch.seg.end();
        self.next_non_contiguous = true;
    }

    /// Avoid `level` for a while; `false` when it was the only level.
    fn penalise(&mut self, level: usize) -> bool {
        if self.levels.len() <= 1 {
            return false;
        }
        let until = self.now + self.cfg.level_penalty_s;
        if let Some(l) = self.levels.get_mut(level) {
            l.penalised_until = until;
        }
        true
    }

    fn level_failed(&mut self, level: usize, details: String, url: &str, kind: ErrorKind) {
        if self.penalise(level) && self.allowed().iter().any(|&a| a) {
            self.error(
                kind,
                format!("{details}; level {level} penalised"),
                false,
                Some(url),
            );
            if self.current == Some(level) {
                let next = self.choose_level();
                self.switch_to(next, SwitchReason::Penalty);
            }
        } else {
            self.error(kind, details, true, Some(url));
        }
    }

    fn on_credentials_refreshed(&mut self, expires: Option<f64>) {
        self.auth.refreshing = false;
        self.auth.holding = false;
        self.auth.refusal = None;
        if expires.is_some() {
            self.auth.expires = expires;
            self.auth.proactive_sent = false;
        }
        let waiting: Vec<RequestId> = self
            .requests
            .values()
            .filter(|r| r.state == RequestState::WaitingCredentials)
            .map(|r| r.id)
            .collect();
        for id in waiting {
            if let Some(r) = self.requests.get_mut(&id) {
                r.auth_retried = true;
            }
            self.send(id);
        }
    }

    fn on_credentials_failed(&mut self, reason: String) {
        let reactive = self.auth.holding;
        self.auth.refreshing = false;
        self.auth.holding = false;
        // After a refusal, the refusal is the news (its code tells the app what is wrong); the
        // refresh failing is why it could not be fixed.
        match self.auth.refusal.take().filter(|_| reactive) {
            Some(refusal) => {
                let details = format!(
                    "{}; refreshing credentials failed: {reason}",
                    refusal.describe()
                );
                self.event(Event::Error(PlayerError {
                    kind: ErrorKind::Auth,
                    details,
                    fatal: true,
                    url: Some(refusal.url),
                }));
                self.fail();
            }
            None => self.error(
                ErrorKind::Auth,
                format!("credentials refresh failed: {reason}"),
                reactive,
                None,
            ),
        }
    }

    // ----- internals: timers ----------------------------------------------------------------

    fn check_timers(&mut self) {
        let now = self.now;
        let due: Vec<(RequestId, RequestState, bool, bool)> = self
            .requests
            .values()
            .filter_map(|r| {
                let policy = self.policy(r.kind);
                let d = r.deadline(policy)?;
                (d <= now).then_some((
                    r.id,
                    r.state,
                    r.first_byte_at.is_none(),
                    r.idle_expired(policy, now),
                ))
            })
            .collect();
        for (id, state, no_first_byte, idle) in due {
            match state {
                RequestState::InFlight => {
                    self.out.push_back(Output::Abort { req: id });
                    // What arrived still measured the link (silence included).
                    if let Some(r) = self.requests.get(&id).filter(|r| r.kind.is_segment()) {
                        if let Some(fb) = r.first_byte_at {
                            self.abr.on_partial(r.loaded, now - fb);
                        }
                    }
                    self.on_failure(
                        id,
                        FailureClass::Timeout {
                            ttfb: no_first_byte,
                            idle,
                        },
                        None,
                    );
                    if self.failed {
                        return;
                    }
                }
                RequestState::RetryAt(_) if !self.auth.holding => self.send(id),
                _ => {}
            }
        }
        if !self.auth.holding {
            let reloads: Vec<usize> = self
                .levels
                .iter()
                .enumerate()
                .filter(|(_, l)| l.playlist_req.is_none() && l.reload_at.is_some_and(|t| t <= now))
                .map(|(i, _)| i)
                .collect();
            for i in reloads {
                self.load_playlist(i);
            }
        }
        if let Some(t) = self.auth.proactive_at(self.cfg.credentials_refresh_margin) {
            if t <= now {
                self.auth.refreshing = true;
                self.auth.proactive_sent = true;
                self.out.push_back(Output::RefreshCredentials);
                self.event(Event::CredentialsRefreshNeeded { reactive: false });
            }
        }
        if self.quota_blocked_until.is_some_and(|t| t <= now) {
            self.quota_blocked_until = None;
        }
        if self.fetch.is_some() {
            self.check_abandon();
        }
        self.check_stall();
    }

    fn load_playlist(&mut self, level: usize) {
        let Some(l) = self.levels.get_mut(level) else {
            return;
        };
        l.reload_at = None;
        if l.playlist_req.is_some() {
            return;
        }
        let uri = l.uri.clone();
        let id = self.new_request(RequestKind::LevelPlaylist { level }, uri, None);
        if let Some(l) = self.levels.get_mut(level) {
            l.playlist_req = Some(id);
        }
    }

    // ----- internals: ABR -------------------------------------------------------------------

    fn abr_levels(&self) -> Vec<AbrLevel> {
        self.levels
            .iter()
            .map(|l| AbrLevel {
                bitrate: l.bandwidth as f64,
                avg_bitrate: l.average_bandwidth.map(|b| b as f64),
            })
            .collect()
    }

    fn allowed(&self) -> Vec<bool> {
        let cap = self.cap_index();
        self.levels
            .iter()
            .enumerate()
            .map(|(i, l)| l.penalised_until <= self.now && cap.map_or(true, |c| i <= c))
            .collect()
    }

    /// Highest level worth showing in the element: the first whose picture covers it.
    fn cap_index(&self) -> Option<usize> {
        if !self.cfg.cap_to_element {
            return None;
        }
        let (w, h) = self.element?;
        let covering = self.levels.iter().position(|l| match (l.width, l.height) {
            (Some(lw), Some(lh)) => f64::from(lw) >= w || f64::from(lh) >= h,
            _ => true,
        });
        Some(covering.unwrap_or(self.levels.len().saturating_sub(1)))
    }

    /// Seconds buffered ahead of the playhead, counting appends still queued (a segment just
    /// loaded is as good as buffered for the next decision).
    fn forward_buffer(&self) -> f64 {
        let tol = self.cfg.hole_tolerance;
        let pending = self
            .tracks
            .iter()
            .flat_map(|t| t.queue.iter().chain(t.in_progress.iter()));
        let mut ranges: Option<Ranges> = None;
        for op in pending {
            if let BufferOp::Append {
                range: Some((s, e)),
                ..
            } = op
            {
                ranges
                    .get_or_insert_with(|| self.buffered.clone())
                    .add(*s, *e);
            }
        }
        ranges
            .as_ref()
            .unwrap_or(&self.buffered)
            .ahead(self.position, tol)
    }

    fn next_duration(&self) -> f64 {
        self.current
            .and_then(|c| self.levels.get(c))
            .and_then(|l| l.playlist.as_ref())
            .and_then(|p| {
                p.find(self.next_time)
                    .map(|s| s.duration)
                    .or(Some(p.target_duration))
            })
            .unwrap_or(10.0)
    }

    /// Content after the next segment, for a VOD.
    fn remaining_content(&self) -> Option<f64> {
        let p = self
            .current
            .and_then(|c| self.levels.get(c))?
            .playlist
            .as_ref()?;
        (!p.live).then(|| (p.end() - self.next_time - self.next_duration()).max(0.0))
    }

    fn choose_level(&mut self) -> usize {
        let levels = self.abr_levels();
        let allowed = self.allowed();
        let ctx = AbrContext {
            now: self.now,
            levels: &levels,
            allowed: &allowed,
            current: self.current,
            buffer: self.forward_buffer(),
            buffer_goal: self.goal,
            segment_duration: self.next_duration(),
            remaining: self.remaining_content(),
        };
        self.abr
            .choose(&ctx)
            .min(self.levels.len().saturating_sub(1))
    }

    fn check_abandon(&mut self) {
        let Some(f) = &self.fetch else {
            return;
        };
        let (id, level, duration) = (f.id, f.level, f.seg.duration);
        if let Some(f) = self.fetch.as_mut() {
            f.last_abandon_check = self.now;
        }
        if self.manual.is_some() {
            return;
        }
        let Some(r) = self.requests.get(&id) else {
            return;
        };
        if r.state != RequestState::InFlight {
            return;
        }
        let levels = self.abr_levels();
        let allowed = self.allowed();
        let expected = r
            .total
            .map(|t| t as f64)
            .unwrap_or_else(|| levels.get(level).map_or(0.0, |l| l.size_rate()) * duration / 8.0);
        let progress = LoadProgress {
            level,
            loaded: r.loaded,
            expected,
            elapsed: self.now - r.sent_at,
            ttfb_s: r.first_byte_at.map(|f| f - r.sent_at),
            duration,
        };
        let ctx = AbrContext {
            now: self.now,
            levels: &levels,
            allowed: &allowed,
            current: self.current,
            buffer: self.forward_buffer(),
            buffer_goal: self.goal,
            segment_duration: duration,
            remaining: self.remaining_content(),
        };
        if let Some(lower) = self.abr.abandon(&ctx, &progress).filter(|&l| l < level) {
            self.abort(id);
            self.forced_next = Some(lower);
            self.switch_to(lower, SwitchReason::Abandon);
        }
    }

    /// Switch to `level`: at once when its playlist is ready (or at the start), else once it
    /// is (the switch is pending until then, and a later decision replaces it).
    fn switch_to(&mut self, level: usize, reason: SwitchReason) {
        let ready = self.current.is_none()
            || self
                .levels
                .get(level)
                .and_then(|l| l.playlist.as_ref())
                .is_some_and(|p| p.fresh);
        if let Some((old, _)) = self.pending_switch.filter(|&(l, _)| l != level) {
            self.pending_switch = None;
            self.mark_stale_if_live(old);
        }
        if self.current == Some(level) {
            // Back to the level in use before a pending switch took effect: nothing to announce.
            self.pending_switch = None;
        } else if !ready {
            self.pending_switch = Some((level, reason));
        } else {
            self.pending_switch = None;
            let from = self.current;
            if let Some(old) = from.and_then(|f| self.levels.get_mut(f)) {
                // A live playlist not reloaded goes stale.
                if let Some(p) = old.playlist.as_mut().filter(|p| p.live) {
                    p.fresh = false;
                    old.reload_at = None;
                }
            }
            self.current = Some(level);
            self.event(Event::LevelSwitching {
                from,
                to: level,
                reason,
            });
        }
        let needs = self.levels.get(level).is_some_and(|l| {
            l.playlist.as_ref().map_or(true, |p| !p.fresh) && l.playlist_req.is_none()
        });
        if needs && !self.auth.holding {
            self.load_playlist(level);
        }
    }

    /// A live level no longer wanted is not reloaded; its playlist goes stale.
    fn mark_stale_if_live(&mut self, level: usize) {
        if let Some(l) = self.levels.get_mut(level) {
            if let Some(p) = l.playlist.as_mut().filter(|p| p.live) {
                p.fresh = false;
                l.reload_at = None;
            }
        }
    }

    // ----- internals: scheduling ------------------------------------------------------------

    fn step(&mut self) {
        if self.failed {
            return;
        }
        self.pump_tracks();
        self.evict();
        self.schedule();
        self.end_of_stream();
    }

    fn schedule(&mut self) {
        if self.failed || self.auth.holding || self.fetch.is_some() || self.levels.is_empty() {
            return;
        }
        if !self.timeline_set {
            return;
        }
        // Back-pressure: do not fetch while appends pile up.
        if self
            .tracks
            .iter()
            .map(Track::pending_appends)
            .sum::<usize>()
            > 1
        {
            return;
        }
        if self.next_time - self.position >= self.goal {
            return;
        }
        // Nothing left to fetch in a VOD: no decision, no switch for a segment that does not exist.
        let at_end = self
            .current
            .and_then(|c| self.levels.get(c))
            .and_then(|l| l.playlist.as_ref())
            .is_some_and(|p| p.fresh && !p.live && p.find(self.next_time).is_none());
        if at_end {
            return;
        }
        // One decision per segment: the level is announced when its first fetch goes out, so
        // deciding again while its playlist loads replaces the pending switch.
        let (level, reason) = if let Some(l) = self.forced_next.filter(|&l| l < self.levels.len()) {
            (l, SwitchReason::Abandon)
        } else if let Some(m) = self.manual.filter(|&m| m < self.levels.len()) {
            (m, SwitchReason::Manual)
        } else {
            (self.choose_level(), SwitchReason::Abr)
        };
        let reason = match self.pending_switch {
            Some((l, r)) if l == level => r,
            _ => reason,
        };
        self.switch_to(level, reason);
        if self.current != Some(level) {
            return; // the new level's playlist is loading
        }
        let Some(lv) = self.levels.get(level) else {
            return;
        };
        let Some(p) = lv.playlist.as_ref().filter(|p| p.fresh) else {
            if lv.playlist_req.is_none() {
                self.load_playlist(level);
            }
            return;
        };
        // Fell behind a live window: jump to its start.
        if let Some(first) = p.segments.front() {
            if self.next_time + EDGE < first.start {
                let t = first.start;
                self.next_time = t;
                self.next_non_contiguous = true;
                if self.position < t {
                    self.position = t;
                    // As `set_position` (`p` borrows the levels).
                    self.own_seeks.push_back(t);
                    while self.own_seeks.len() > 4 {
                        self.own_seeks.pop_front();
                    }
                    self.out.push_back(Output::SetPosition(t));
                }
            }
        }
        // Already buffered from here on (after a seek back): continue after that run.
        if let Some(e) = self
            .buffered
            .end_from(self.next_time, self.cfg.hole_tolerance)
        {
            if e > self.next_time + 1.0 {
                self.next_time = e;
                self.next_non_contiguous = true;
                if self.next_time - self.position >= self.goal {
                    return;
                }
            }
        }
        let mut t = self.next_time;
        let seg = loop {
            let Some(s) = p.find(t) else {
                return; // at the end (VOD) or waiting for a reload (live)
            };
            if s.gap {
                t = s.end();
                continue;
            }
            break s.clone();
        };
        if t != self.next_time {
            self.next_time = t;
            self.next_non_contiguous = true;
        }
        self.forced_next = None;
        let id = self.new_request(
            RequestKind::Segment {
                level,
                sequence: seg.sequence,
            },
            seg.uri.clone(),
            seg.byte_range,
        );
        self.fetch = Some(SegmentFetch {
            id,
            level,
            seg,
            last_abandon_check: self.now,
        });
    }

    fn end_of_stream(&mut self) {
        if self.eos_sent || self.fetch.is_some() {
            return;
        }
        let Some(p) = self
            .current
            .and_then(|c| self.levels.get(c))
            .and_then(|l| l.playlist.as_ref())
        else {
            return;
        };
        if p.live || p.segments.is_empty() || self.next_time + EDGE < p.end() {
            return;
        }
        if self.tracks.is_empty() || !self.tracks.iter().all(Track::idle) {
            return;
        }
        self.eos_sent = true;
        self.out.push_back(Output::EndOfStream);
        self.event(Event::Ended);
    }

    // ----- internals: buffer ----------------------------------------------------------------

    fn pump_tracks(&mut self) {
        if self.quota_blocked_until.is_some() {
            return;
        }
        for (i, t) in self.tracks.iter_mut().enumerate() {
            if t.in_progress.is_some() {
                continue;
            }
            let Some(op) = t.queue.pop_front() else {
                continue;
            };
            let track = TrackId(i);
            match &op {
                BufferOp::Append { data, .. } => self.out.push_back(Output::Append {
                    track,
                    data: Rc::clone(data),
                }),
                BufferOp::Remove { start, end } => self.out.push_back(Output::Remove {
                    track,
                    start: *start,
                    end: *end,
                }),
            }
            t.in_progress = Some(op);
        }
    }

    fn on_append_done(&mut self, track: TrackId) {
        let Some(t) = self.tracks.get_mut(track.0) else {
            return;
        };
        let Some(op) = t.in_progress.take() else {
            return;
        };
        t.quota_failures = 0;
        if let BufferOp::Append {
            range: Some((s, e)),
            level,
            ..
        } = op
        {
            self.buffered.add(s, e);
            self.event(Event::BufferAppended {
                track,
                start: s,
                end: e,
            });
            if self.last_appended_level != Some(level) {
                self.last_appended_level = Some(level);
                self.event(Event::LevelSwitched { level });
            }
        }
    }

    fn on_remove_done(&mut self, track: TrackId) {
        if let Some(t) = self.tracks.get_mut(track.0) {
            if matches!(t.in_progress, Some(BufferOp::Remove { .. })) {
                t.in_progress = None;
            }
        }
    }

    fn on_append_failed(&mut self, track: TrackId, quota: bool) {
        let position = self.position;
        let min_goal = self.cfg.min_buffer_goal;
        let max_failures = self.cfg.max_quota_failures;
        let Some(t) = self.tracks.get_mut(track.0) else {
            return;
        };
        let Some(op) = t.in_progress.take() else {
            return;
        };
        if !quota {
            self.error(
                ErrorKind::Buffer,
                "appendBuffer failed (decode error)".into(),
                true,
                None,
            );
            return;
        }
        t.quota_failures += 1;
        let failures = t.quota_failures;
        t.queue.push_front(op);
        // Evict what is behind the playhead first; with nothing left, shrink the goal.
        let cutoff = position - 1.0;
        let evictable = self.buffered.start().is_some_and(|s| s < cutoff - 0.5);
        if evictable {
            if let Some(t) = self.tracks.get_mut(track.0) {
                t.queue.push_front(BufferOp::Remove {
                    start: 0.0,
                    end: cutoff,
                });
            }
            self.buffered.remove(0.0, cutoff);
        } else {
            self.goal = (self.goal * 0.5).max(min_goal);
            self.quota_blocked_until = Some(self.now + 1.0);
        }
        if failures > max_failures {
            self.error(
                ErrorKind::Buffer,
                format!(
                    "QuotaExceededError {failures} times in a row; buffer goal {} s",
                    fixed::Fixed(self.goal, 0)
                ),
                true,
                None,
            );
        } else {
            self.error(
                ErrorKind::Buffer,
                format!(
                    "QuotaExceededError; evicting and retrying (goal {} s)",
                    fixed::Fixed(self.goal, 0)
                ),
                false,
                None,
            );
        }
    }

    fn evict(&mut self) {
        let Some(back) = self.cfg.back_buffer else {
            return;
        };
        // After EndOfStream nothing more is appended, so there is nothing to make room for, and
        // remove() would reopen the ended MediaSource: the element would wait at the end of the
        // buffer instead of ending. (A seek back that refetches appends, which re-arms both.)
        if self.eos_sent {
            return;
        }
        let cutoff = self.position - back;
        // Hysteresis: remove in chunks of at least 10 s, not on every tick.
        if !self.buffered.start().is_some_and(|s| s < cutoff - 10.0) {
            return;
        }
        for t in &mut self.tracks {
            let pending = t
                .queue
                .iter()
                .chain(t.in_progress.iter())
                .any(|op| matches!(op, BufferOp::Remove { .. }));
            if !pending {
                t.queue.push_back(BufferOp::Remove {
                    start: 0.0,
                    end: cutoff,
                });
            }
        }
        self.buffered.remove(0.0, cutoff);
        self.pump_tracks();
    }

    // ----- internals: playback --------------------------------------------------------------

    fn on_media(&mut self, position: f64, paused: bool, buffered: Vec<(f64, f64)>) {
        if position.is_finite() {
            self.position = position.max(0.0);
        }
        self.paused = paused;
        self.buffered = Ranges::from_vec(buffered);
        self.check_gap();
        self.check_stall();
    }

    fn check_gap(&mut self) {
        if self
            .buffered
            .end_from(self.position, self.cfg.hole_tolerance)
            .is_some()
        {
            return;
        }
        let Some(next) = self.buffered.next_start_after(self.position) else {
            return;
        };
        let tol = self.cfg.hole_tolerance;
        let skipped = self
            .skipped
            .iter()
            .any(|&(s, e)| s <= self.position + tol && e >= next - tol);
        if next - self.position <= self.cfg.max_gap_jump || skipped {
            let from = self.position;
            self.position = next;
            self.set_position(next);
            self.event(Event::GapJumped { from, to: next });
        }
    }

    fn check_stall(&mut self) {
        let with_data = self.forward_buffer() > 0.5;
        // Only forward motion is progress: an element that ignores a nudge reports the old time.
        let progressed = self.stall_pos.is_nan() || self.position > self.stall_pos + 0.01;
        if self.paused || !with_data || progressed {
            if progressed {
                self.nudges = 0;
            }
            self.stall_pos = self.position;
            self.stall_since = (!self.paused && with_data).then_some(self.now);
            return;
        }
        let Some(since) = self.stall_since else {
            self.stall_since = Some(self.now);
            return;
        };
        if self.now - since < self.cfg.stall_timeout {
            return;
        }
        self.nudges += 1;
        if self.nudges > self.cfg.max_nudges {
            let details = format!(
                "playhead stuck at {} s with data buffered",
                fixed::Fixed(self.position, 2)
            );
            self.error(ErrorKind::Stall, details, true, None);
            return;
        }
        let to = self.position + self.cfg.nudge_step * f64::from(self.nudges);
        self.position = to;
        self.stall_pos = to;
        self.stall_since = Some(self.now);
        self.set_position(to);
        self.event(Event::StallNudged { to });
    }

    /// Move the playhead; the `seeking` this causes comes back as a `Seek` and is recognised.
    fn set_position(&mut self, t: f64) {
        self.own_seeks.push_back(t);
        while self.own_seeks.len() > 4 {
            self.own_seeks.pop_front();
        }
        self.out.push_back(Output::SetPosition(t));
    }

    fn on_seek(&mut self, target: f64) {
        let target = if target.is_finite() {
            target.max(0.0)
        } else {
            0.0
        };
        // The echo of our own SetPosition (gap jump, nudge, live start): not a user seek. The
        // element may round currentTime a little.
        if let Some(i) = self
            .own_seeks
            .iter()
            .position(|&t| (t - target).abs() < 0.01)
        {
            self.own_seeks.drain(..=i);
            self.position = target;
            return;
        }
        self.own_seeks.clear();
        self.position = target;
        self.stall_since = None;
        self.nudges = 0;
        let tol = self.cfg.hole_tolerance;
        // Past the end of a VOD: load the last segment (the element clamps to the duration).
        let end = self
            .current
            .and_then(|c| self.levels.get(c))
            .and_then(|l| l.playlist.as_ref())
            .filter(|p| !p.live)
            .map(LevelPlaylist::end);
        let target = match end {
            Some(e) if target >= e => (e - EDGE * 2.0).max(0.0),
            _ => target,
        };
        let resume_at = self.buffered.end_from(target, tol).unwrap_or(target);
        let in_flight_fits = self
            .fetch
            .as_ref()
            .is_some_and(|f| f.seg.start <= resume_at + tol && f.seg.end() > resume_at + EDGE);
        if in_flight_fits {
            return;
        }
        if let Some(id) = self.fetch.as_ref().map(|f| f.id) {
            self.abort(id);
        }
        if (resume_at - self.next_time).abs() > EDGE {
            self.next_non_contiguous = true;
        }
        self.next_time = resume_at;
    }
}

fn level_info(l: &Level) -> LevelInfo {
    LevelInfo {
        bandwidth: l.bandwidth,
        average_bandwidth: l.average_bandwidth,
        width: l.width,
        height: l.height,
        codecs: l.codecs.clone(),
    }
}
