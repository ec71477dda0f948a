//! The trace-driven simulator (native only): drives an [`Engine`] with a virtual clock that
//! jumps to the next event, a shared-link network model fed by a throughput trace, a CDN with
//! injectable faults and signed-cookie expiry, an app that refreshes credentials, and a
//! playback model (plays once started, stalls when the buffer runs dry). It scores each run
//! with the linear QoE and compares it with the offline optimum.

mod cdn;
mod config;
pub mod forecast;
pub mod ladder;
pub mod mse;
pub mod network;
pub mod optimum;
pub mod remux;
pub mod trace;

use std::collections::{BTreeMap, VecDeque};

use crate::abr::AbrKind;
use crate::engine::{
    Engine, EngineStats, Event, Input, Output, PlayerError, RequestId, RequestKind, TrackId,
};

pub use config::{AuthModel, Fault, FaultKind, LiveModel, SimConfig};
pub use forecast::{Forecast, ForecastMpc};
pub use ladder::Ladder;
pub use network::{NetEvent, Network, Response};
pub use optimum::{optimal_qoe, optimum, Optimum, QoeWeights};
pub use remux::SimRemuxer;
pub use trace::Trace;

/// The CDN base of simulated URLs.
pub const BASE: &str = "https://cdn.sim/v/";

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    pub startup_s: Option<f64>,
    /// Stalled time after startup (seek waits excluded).
    pub rebuffer_s: f64,
    pub rebuffer_count: u32,
    /// Time spent waiting after seeks.
    pub seek_wait_s: f64,
    pub switches: u32,
    pub avg_bitrate_mbps: f64,
    pub qoe: f64,
    /// Level of each segment that was loaded, by index.
    pub segment_levels: Vec<Option<usize>>,
    /// (time, event) when recording.
    pub events: Vec<(f64, Event)>,
    /// (time, kind, url) of every fetch when recording.
    pub fetches: Vec<(f64, RequestKind, String)>,
    pub refresh_requests: u32,
    pub errors: Vec<PlayerError>,
    pub ended: bool,
    pub end_time: f64,
    /// Element-wise maximum of the engine's holdings over the run.
    pub max_stats: Option<EngineStats>,
    pub final_position: f64,
    pub set_positions: Vec<(f64, f64)>,
    /// `EndOfStream` outputs.
    pub end_of_streams: u32,
    pub peak_concurrency: usize,
    /// What the remuxer was told (pushes, discontinuities, rendition switches...).
    pub remuxer: SimRemuxer,
    /// MSE rules the engine broke (SourceBuffer before `sourceopen`, an op while updating...).
    pub mse_violations: Vec<String>,
    /// (time, track, start, end) of every `Remove` when recording.
    pub removes: Vec<(f64, TrackId, f64, f64)>,
    /// SourceBuffers added: kind and MIME type.
    pub source_buffers: Vec<(crate::engine::TrackKind, String)>,
    /// Every `SetDuration`.
    pub durations: Vec<f64>,
    /// Every `changeType`: SourceBuffer and new MIME type.
    pub codec_changes: Vec<(TrackId, String)>,
    /// Every parser reset (`abort()`), by SourceBuffer.
    pub parser_resets: Vec<TrackId>,
}

impl RunResult {
    pub fn fatal(&self) -> Option<&PlayerError> {
        self.errors.iter().find(|e| e.fatal)
    }
}

struct Playback {
    position: f64,
    started: bool,
    playing: bool,
    ended: bool,
    eos: bool,
    seeking: bool,
    buffered: crate::engine::Ranges,
    content_end: f64,
}

impl Playback {
    fn ahead(&self) -> f64 {
        self.buffered.ahead(self.position, 0.0)
    }
}

/// Run one simulation.
pub fn run(trace: &Trace, ladder: &Ladder, cfg: &SimConfig) -> RunResult {
    Sim::new(trace, ladder, cfg).run()
}

struct Sim<'a> {
    trace: &'a Trace,
    ladder: &'a Ladder,
    cfg: &'a SimConfig,
    engine: Engine<SimRemuxer>,
    now: f64,
    net: Network,
    play: Playback,
    inputs: VecDeque<Input>,
    deadline: Option<f64>,
    app: Vec<(f64, Input)>,
    next_report: f64,
    seeks: VecDeque<(f64, f64)>,
    fault_counts: Vec<u32>,
    /// Segment URLs fetched whole so far (`SimConfig::browser_cache`).
    cached: std::collections::HashSet<String>,
    cookie_expires: Option<f64>,
    seg_levels: BTreeMap<u64, usize>,
    /// Streamed segment requests: URL and bytes handed over so far.
    streams: BTreeMap<RequestId, (String, u64)>,
    mse: mse::MseModel,
    res: RunResult,
}

const EPS: f64 = 1e-9;
/// How long a browser takes to answer from its HTTP cache.
const CACHE_HIT_S: f64 = 0.001;

impl<'a> Sim<'a> {
    fn new(trace: &'a Trace, ladder: &'a Ladder, cfg: &'a SimConfig) -> Self {
        let mut ecfg = cfg.engine.clone();
        ecfg.abr = cfg.engine.abr;
        let abr: Box<dyn crate::abr::Abr> = match cfg.forecast {
            Some(f) => Box::new(ForecastMpc::new(
                trace,
                ladder,
                cfg.default_ttfb,
                f,
                cfg.weights,
            )),
            None => cfg.abr.build(&ecfg.abr),
        };
        let mut seeks: Vec<(f64, f64)> = cfg.seeks.clone();
        seeks.sort_by(|a, b| a.0.total_cmp(&b.0));
        Sim {
            trace,
            ladder,
            cfg,
            engine: Engine::new(ecfg, SimRemuxer::with_mid_fragments(cfg.mid_fragments), abr),
            now: 0.0,
            net: Network::new(cfg.progress_interval),
            play: Playback {
                position: 0.0,
                started: false,
                playing: false,
                ended: false,
                eos: false,
                seeking: false,
                buffered: Default::default(),
                content_end: ladder.duration(),
            },
            inputs: VecDeque::new(),
            deadline: None,
            app: cfg.app_inputs.clone(),
            next_report: 0.0,
            seeks: seeks.into(),
            fault_counts: vec![0; cfg.faults.len()],
            cached: Default::default(),
            cookie_expires: cfg.auth.as_ref().map(|a| a.expires_at),
            seg_levels: BTreeMap::new(),
            streams: BTreeMap::new(),
            mse: mse::MseModel::default(),
            res: RunResult::default(),
        }
    }

    fn run(mut self) -> RunResult {
        if let Some((w, h, dpr)) = self.cfg.element {
            self.engine.handle_input(
                0.0,
                Input::ElementSize {
                    width: w,
                    height: h,
                    device_pixel_ratio: dpr,
                },
            );
        }
        let url = if self.cfg.media_playlist_only {
            format!("{BASE}l0.m3u8")
        } else {
            format!("{BASE}master.m3u8")
        };
        self.engine.handle_input(0.0, Input::Load { url });
        self.drain();
        // The MediaSource attached at load opens a moment later.
        self.inputs.push_back(Input::SourceOpen);
        loop {
            while let Some(i) = self.inputs.pop_front() {
                if self.cfg.media_with_every_input && !matches!(i, Input::Media { .. }) {
                    self.engine.handle_input(self.now, self.media_input());
                }
                self.mse.on_input(&i);
                self.engine.handle_input(self.now, i);
                self.drain();
            }
            self.update_playback();
            if self.engine.is_failed()
                || (self.cfg.stop_at_end && self.play.ended)
                || self.now >= self.cfg.max_time
            {
                break;
            }
            let next = self.next_time();
            if !next.is_finite() {
                break;
            }
            let to = next.max(self.now).min(self.cfg.max_time);
            self.advance(to);
            self.now = to;
            self.fire();
        }
        self.finish()
    }

    fn next_time(&self) -> f64 {
        let mut t = self.net.next_event(self.now, self.trace);
        t = t.min(self.trace.next_change(self.now));
        if let Some(d) = self.deadline {
            t = t.min(d);
        }
        if self.play.playing {
            t = t.min(self.now + self.play.ahead().max(0.0));
        }
        t = t.min(self.next_report);
        for (at, _) in &self.app {
            t = t.min(*at);
        }
        if let Some((at, _)) = self.seeks.front() {
            t = t.min(*at);
        }
        t
    }

    fn advance(&mut self, to: f64) {
        let dt = to - self.now;
        self.net.advance(self.now, to, self.trace);
        if dt <= 0.0 {
            return;
        }
        if self.play.playing {
            let ahead = self.play.ahead();
            self.play.position += dt.min(ahead);
        } else if self.play.started && !self.play.ended {
            if self.play.seeking {
                self.res.seek_wait_s += dt;
            } else {
                self.res.rebuffer_s += dt;
            }
        }
    }

    fn update_playback(&mut self) {
        let p = &mut self.play;
        if p.ended {
            return;
        }
        let ahead = p.ahead();
        let at_end = p.eos && p.position >= p.content_end - 0.05;
        if at_end && ahead <= EPS {
            // Seeked to (or played up to) the end of an ended stream.
            p.ended = true;
            p.playing = false;
            self.res.ended = true;
            return;
        }
        if p.playing {
            if ahead <= EPS {
                if at_end || (p.eos && p.buffered.next_start_after(p.position).is_none()) {
                    p.ended = true;
                    p.playing = false;
                    self.res.ended = true;
                } else {
                    p.playing = false;
                    self.res.rebuffer_count += 1;
                }
            }
            return;
        }
        let ready = ahead >= self.cfg.start_threshold || (p.eos && ahead > EPS);
        if ready {
            if !p.started {
                p.started = true;
                self.res.startup_s = Some(self.now);
            }
            p.playing = true;
            p.seeking = false;
        }
    }

    fn fire(&mut self) {
        let now = self.now;
        for ev in self.net.collect(now) {
            match ev {
                NetEvent::Progress { id, loaded, total } => {
                    self.stream_to(id, loaded, total);
                    self.inputs.push_back(Input::Progress {
                        req: id,
                        loaded,
                        total: Some(total),
                    })
                }
                NetEvent::Done { id, url, size } => {
                    if self.cfg.browser_cache {
                        self.cached.insert(url.clone());
                    }
                    let data = if self.streams.contains_key(&id) {
                        self.stream_to(id, size, size);
                        self.streams.remove(&id);
                        Vec::new()
                    } else {
                        self.body(&url, size)
                    };
                    self.inputs.push_back(Input::Loaded { req: id, data });
                }
                NetEvent::Failed { id, status, body } => {
                    self.streams.remove(&id);
                    self.inputs.push_back(Input::LoadFailed {
                        req: id,
                        status,
                        body,
                    })
                }
            }
        }
        let mut i = 0;
        while i < self.app.len() {
            if self.app.get(i).is_some_and(|a| a.0 <= now + EPS) {
                let (_, input) = self.app.remove(i);
                self.inputs.push_back(input);
            } else {
                i += 1;
            }
        }
        while self.seeks.front().is_some_and(|s| s.0 <= now + EPS) {
            if let Some((_, to)) = self.seeks.pop_front() {
                self.play.position = to.min(self.play.content_end);
                self.play.playing = false;
                self.play.seeking = true;
                self.play.ended = false;
                self.inputs.push_back(Input::Seek { position: to });
                self.inputs.push_back(self.media_input());
            }
        }
        if self.next_report <= now + EPS {
            self.next_report = now + self.cfg.media_report_interval;
            self.update_playback();
            self.inputs.push_back(self.media_input());
        }
        if self.deadline.is_some_and(|d| d <= now + EPS) {
            self.deadline = None;
            self.engine.handle_timeout(now);
            self.drain();
        }
    }

    fn media_input(&self) -> Input {
        Input::Media {
            position: self.play.position,
            paused: false,
            buffered: self.play.buffered.as_slice().to_vec(),
        }
    }

    /// A streamed request's bytes up to `loaded`, as one chunk.
    fn stream_to(&mut self, id: RequestId, loaded: u64, total: u64) {
        let Some((url, sent)) = self.streams.get(&id).cloned() else {
            return;
        };
        if loaded <= sent {
            return;
        }
        let body = self.body(&url, total);
        let data = body
            .get(sent as usize..(loaded as usize).min(body.len()))
            .unwrap_or(&[])
            .to_vec();
        self.streams.insert(id, (url, loaded));
        self.inputs.push_back(Input::Chunk { req: id, data });
    }

    fn drain(&mut self) {
        while let Some(o) = self.engine.poll_output() {
            match o {
                Output::Timeout(at) => {
                    self.deadline = Some(at);
                    break;
                }
                Output::Fetch { req, kind, url, .. } => {
                    if self.cfg.record {
                        self.res.fetches.push((self.now, kind, url.clone()));
                    }
                    self.streams.remove(&req);
                    let segment = Self::parse_segment_url(&url).is_some()
                        || Self::parse_audio_url(&url).is_some();
                    if self.cfg.stream_segments && segment {
                        self.streams.insert(req, (url.clone(), 0));
                    }
                    let response = self.response(&url);
                    let ttfb = match response {
                        Response::Cached { .. } => CACHE_HIT_S,
                        _ => self.trace.ttfb(self.now).unwrap_or(self.cfg.default_ttfb),
                    };
                    self.net.start(req, url, response, self.now, ttfb);
                }
                Output::Abort { req } => {
                    self.streams.remove(&req);
                    self.net.cancel(req);
                }
                Output::SetDuration(d) => self.mse.set_duration(d),
                Output::AddSourceBuffer { track, kind, mime } => {
                    self.mse.add_source_buffer(track, kind, &mime)
                }
                Output::Append { track, data } => {
                    self.mse.start_op(track, "appendBuffer");
                    self.append(track, &data)
                }
                Output::ResetParser { track } => self.mse.reset_parser(track),
                Output::ChangeType { track, mime } => {
                    self.mse.change_type(track, &mime);
                    if !self.cfg.change_type_supported {
                        let reason = "SourceBuffer.changeType is not supported".to_string();
                        self.inputs
                            .push_back(Input::ChangeTypeFailed { track, reason });
                    }
                }
                Output::Remove { track, start, end } => {
                    if self.cfg.record {
                        self.res.removes.push((self.now, track, start, end));
                    }
                    self.mse.start_op(track, "remove");
                    // remove() on an ended MediaSource reopens it, as appendBuffer() does.
                    self.play.eos = false;
                    if let Some(b) = self.mse.buffer_mut(track) {
                        b.buffered.remove(start, end);
                    }
                    self.play.buffered = self.mse.buffered();
                    self.inputs.push_back(Input::RemoveDone { track });
                }
                Output::SetPosition(t) => {
                    self.res.set_positions.push((self.now, t));
                    self.play.position = t.max(0.0);
                    // Setting currentTime fires `seeking`, which the web layer reports.
                    self.inputs.push_back(Input::Seek { position: t });
                }
                Output::EndOfStream => {
                    self.res.end_of_streams += 1;
                    self.play.eos = true;
                }
                // The app's debug log: nothing to perform.
                Output::Debug(_) => {}
                Output::RefreshCredentials => {
                    self.res.refresh_requests += 1;
                    if let Some(a) = &self.cfg.auth {
                        let at = self.now + a.refresh_delay;
                        let input = if a.refresh_fails {
                            Input::CredentialsRefreshFailed {
                                reason: "backend said no".into(),
                            }
                        } else {
                            let exp = at + a.lifetime;
                            self.cookie_expires = Some(exp);
                            Input::CredentialsRefreshed {
                                expires: a.report_expiry.then_some(exp),
                            }
                        };
                        self.app.push((at, input));
                    } else {
                        self.app
                            .push((self.now, Input::CredentialsRefreshed { expires: None }));
                    }
                }
                Output::Event(e) => self.on_event(e),
                // No text tracks in the simulator.
                Output::AddCues { .. }
                | Output::RemoveCues { .. }
                | Output::ShowSubtitleTrack(_) => {}
            }
        }
        let s = self.engine.stats();
        let m = self.res.max_stats.get_or_insert(s);
        m.requests = m.requests.max(s.requests);
        m.outputs_queued = m.outputs_queued.max(s.outputs_queued);
        m.segments_held = m.segments_held.max(s.segments_held);
        m.buffered_ranges = m.buffered_ranges.max(s.buffered_ranges);
        m.queued_buffer_ops = m.queued_buffer_ops.max(s.queued_buffer_ops);
    }

    fn append(&mut self, track: TrackId, data: &[u8]) {
        // appendBuffer on an ended MediaSource reopens it: the end must be signalled again.
        self.play.eos = false;
        match remux::appended_range(data) {
            Ok(None) => self.inputs.push_back(Input::AppendDone { track }),
            Ok(Some((s, e))) => {
                let held: f64 = self
                    .play
                    .buffered
                    .as_slice()
                    .iter()
                    .map(|r| r.1 - r.0)
                    .sum();
                if self.cfg.quota_seconds.is_some_and(|q| held + (e - s) > q) {
                    self.inputs.push_back(Input::AppendFailed {
                        track,
                        quota_exceeded: true,
                    });
                } else {
                    if let Some(b) = self.mse.buffer_mut(track) {
                        b.buffered.add(s, e);
                    }
                    self.play.buffered = self.mse.buffered();
                    self.inputs.push_back(Input::AppendDone { track });
                }
            }
            Err(_) => self.inputs.push_back(Input::AppendFailed {
                track,
                quota_exceeded: false,
            }),
        }
    }

    fn on_event(&mut self, e: Event) {
        match &e {
            Event::SegmentLoaded {
                level, sequence, ..
            } => {
                self.seg_levels.insert(*sequence, *level);
                // Bounded for long live runs: only the first hours of segments are scored.
                while self.seg_levels.len() > 100_000 {
                    self.seg_levels.pop_first();
                }
            }
            Event::Error(err) if self.res.errors.len() < 1000 => {
                self.res.errors.push(err.clone());
            }
            _ => {}
        }
        if self.cfg.record {
            self.res.events.push((self.now, e));
        }
    }

    fn finish(mut self) -> RunResult {
        let n = self.ladder.durations.len();
        let mut levels = vec![None; n];
        for (&seq, &l) in &self.seg_levels {
            if let Some(slot) = levels.get_mut(seq as usize) {
                *slot = Some(l);
            }
        }
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut switch_cost = 0.0;
        let mut switches = 0;
        let mut prev: Option<usize> = None;
        for l in levels.iter().flatten() {
            let br = self.ladder.mbps(*l);
            sum += br;
            count += 1;
            if let Some(p) = prev {
                if p != *l {
                    switches += 1;
                    switch_cost += (br - self.ladder.mbps(p)).abs();
                }
            }
            prev = Some(*l);
        }
        let w = self.cfg.weights;
        let startup = self.res.startup_s.unwrap_or(self.now);
        self.res.qoe = sum - w.rebuffer * (self.res.rebuffer_s + startup) - w.switch * switch_cost;
        self.res.avg_bitrate_mbps = if count > 0 { sum / count as f64 } else { 0.0 };
        self.res.switches = switches;
        self.res.segment_levels = levels;
        self.res.end_time = self.now;
        self.res.final_position = self.play.position;
        self.res.peak_concurrency = self.net.peak_concurrency;
        self.res.remuxer = self.engine.remuxer().clone();
        self.res.mse_violations = std::mem::take(&mut self.mse.violations);
        self.res.durations = std::mem::take(&mut self.mse.durations);
        self.res.codec_changes = std::mem::take(&mut self.mse.codec_changes);
        self.res.parser_resets = std::mem::take(&mut self.mse.parser_resets);
        self.res.source_buffers = self
            .mse
            .buffers
            .iter()
            .map(|(_, b)| (b.kind, b.mime.clone()))
            .collect();
        self.res
    }
}

/// A run and its ceiling, as the CLI prints it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub trace: String,
    pub abr: AbrKind,
    pub result: RunResult,
    pub optimal_qoe: f64,
}

/// Run `abr` over `trace` with the given ladder and score it against the optimum.
pub fn score(
    trace: &Trace,
    ladder: &Ladder,
    abr: AbrKind,
    base: &SimConfig,
    optimum: f64,
) -> Scored {
    let cfg = SimConfig {
        abr,
        ..base.clone()
    };
    Scored {
        trace: trace.name.clone(),
        abr,
        result: run(trace, ladder, &cfg),
        optimal_qoe: optimum,
    }
}

/// The optimum for a trace with the simulator's settings.
pub fn optimum_for(trace: &Trace, ladder: &Ladder, base: &SimConfig) -> Optimum {
    let e = &base.engine;
    let goal = |level: usize| {
        let peak = ladder.levels.get(level).map_or(0, |l| l.bandwidth);
        crate::engine::fetch_goal(e.buffer_goal, e.max_buffer_length, e.max_buffer_size, peak)
    };
    optimum(trace, ladder, &goal, base.default_ttfb, base.weights)
}

/// The family of a trace file name: everything before the last `-<digits>` or `-<n>mbps`.
pub fn family(name: &str) -> String {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.strip_suffix(".txt").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((head, tail)) if tail.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            head.to_string()
        }
        _ => stem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family("tests/traces/markov-4g-07.txt"), "markov-4g");
        assert_eq!(family("stable-2mbps.txt"), "stable");
        assert_eq!(family("outage-3s-01.txt"), "outage-3s");
    }

    #[test]
    fn plays_a_vod_to_the_end_on_a_fast_link() {
        let ladder = Ladder::mediaconvert(120.0, 1);
        let trace = Trace::constant("fast", 20.0, 1000.0);
        let r = run(&trace, &ladder, &SimConfig::default());
        assert!(r.ended, "{r:?}");
        assert_eq!(r.rebuffer_count, 0);
        assert!(r.segment_levels.iter().all(|l| l.is_some()));
        assert!(r.fatal().is_none());
    }
}
