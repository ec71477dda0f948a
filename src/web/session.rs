//! One loaded stream: the engine, its MediaSource, requests and timer, and the loop that drives
//! the engine as `crate::engine` prescribes (and as the simulator does): feed one input, drain
//! `poll_output()` until `Timeout`/`None` performing each output, and only then feed what arrived
//! meanwhile (a fetch that could not start, an MSE call that threw), each followed by its own
//! drain. JS callbacks (app events, `refreshCredentials`) are returned as [`Deferred`] and run by
//! the caller once the player's state is released.
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlVideoElement, RequestCredentials};

use super::config::PlayerConfig;
use super::dom::{now_seconds, Listener, Timer};
use super::fetch::{self, FetchEvent, FetchSpec, InFlight};
use super::media_events::{self, media_state};
use super::mse::{MseEvent, MseSink};
use super::player::Link;
use super::text_tracks::TextTracks;
use super::wire::{self, op};
use crate::engine::{Decision, Engine, Event, Input, Output, RequestId, RequestKind, TrackId};
use crate::playlist::ByteRange;
use crate::remux::Remuxer;
use crate::remux::TrackKind;

pub type PlayerEngine = Engine<Remuxer>;

/// What to do once the player's state is released.
pub enum Deferred {
    Emit(Event),
    Refresh,
    /// A line for the app's `debug` log.
    Log(Decision),
}

/// Everything one `load()` created; dropping it aborts, unregisters and frees all of it.
pub struct Session {
    pub engine: PlayerEngine,
    mse: Media,
    /// Requests under way; `true` marks a media segment.
    requests: Vec<(RequestId, bool, InFlight)>,
    /// The engine's next deadline (engine clock) and the `setTimeout` armed for it.
    timer: Option<(f64, Timer)>,
    /// Inputs that arrived while draining, fed once the drain is over.
    inputs: VecDeque<Input>,
    surface: Surface,
    link: Link,
    credentials: RequestCredentials,
    progressive: bool,
}

/// The `Player`'s getters, as `Session::state` fields (and their order in a Worker's `STATE` op).
pub mod state {
    pub const LEVELS: u32 = 0;
    pub const CURRENT_LEVEL: u32 = 1;
    pub const AUDIO_TRACKS: u32 = 2;
    pub const AUDIO_TRACK: u32 = 3;
    pub const SUBTITLE_TRACKS: u32 = 4;
    pub const SUBTITLE_TRACK: u32 = 5;
    pub const BANDWIDTH_ESTIMATE: u32 = 6;
    pub const BUFFER_GOAL: u32 = 7;
    pub const MAX_AUTO_LEVEL: u32 = 8;
    pub const LIVE_SYNC_POSITION: u32 = 9;
    pub const LATENCY: u32 = 10;
    pub const COUNT: u32 = 11;
}

/// Where the MediaSource is.
enum Media {
    /// Here: on the page, or in a Worker that can construct one (its handle on the element).
    Here(MseSink),
    /// On the page, this session being in a Worker (`workerMediaSource: false`, or no MSE in
    /// Workers): the MSE outputs are ops for the page (`wire::mse_op`), which answers with the
    /// inputs its `MseSink` gives. The SourceBuffers' kinds are kept for event payloads.
    Page(Vec<(TrackId, TrackKind)>),
}

/// Where the element is.
enum Surface {
    /// On the page: the element, its listeners, and the subtitle tracks as its `TextTrack`s.
    Page {
        video: HtmlVideoElement,
        text: TextTracks,
        _listeners: Vec<Listener>,
    },
    /// In a Worker: what only the page can do, as ops for it (`wire::op`), posted after the
    /// drain; the page reports the element's state as inputs.
    Worker { ops: Array, transfer: Array },
}

impl Session {
    /// A new engine, a MediaSource attached to `video`, and the element's listeners.
    pub fn new(
        video: &HtmlVideoElement,
        config: &PlayerConfig,
        link: Link,
    ) -> Result<Self, JsValue> {
        let mse = MseSink::attach(video, mse_notify(&link))?;
        let feed = link.clone();
        let surface = Surface::Page {
            video: video.clone(),
            text: TextTracks::default(),
            _listeners: media_events::listen(video, Rc::new(move |input| feed.feed(input)))?,
        };
        Ok(Session::with_parts(config, link, Media::Here(mse), surface))
    }

    /// A session in a dedicated Worker, and its first op for the page: the MediaSource's
    /// handle to attach (`[HANDLE, handle]`, the handle to transfer), or `[ATTACH]` where the
    /// MediaSource is the page's.
    pub fn in_worker(config: &PlayerConfig, link: Link) -> Result<(Self, Array, Array), JsValue> {
        let (mse, first, transfer) = if config.worker_media_source {
            let (mse, handle) = MseSink::in_worker(mse_notify(&link))?;
            let first = wire::array(&[op::HANDLE.into(), handle.clone()]);
            (Media::Here(mse), first, wire::array(&[handle]))
        } else {
            let first = wire::array(&[op::ATTACH.into()]);
            (Media::Page(Vec::new()), first, Array::new())
        };
        let surface = Surface::Worker {
            ops: Array::new(),
            transfer: Array::new(),
        };
        Ok((
            Session::with_parts(config, link, mse, surface),
            first,
            transfer,
        ))
    }

    fn with_parts(config: &PlayerConfig, link: Link, mse: Media, surface: Surface) -> Self {
        let engine = Engine::new(
            config.engine.clone(),
            Remuxer::new(crate::remux::OutputShape::SplitTracks),
            config.abr(),
        );
        Session {
            engine,
            mse,
            requests: Vec::new(),
            timer: None,
            inputs: VecDeque::new(),
            surface,
            credentials: config.credentials,
            progressive: config.engine.progressive,
            link,
        }
    }

    /// The ops gathered for the page since the last call (a Worker's session), and the buffers
    /// to transfer with them.
    pub fn take_ops(&mut self) -> (Array, Array) {
        match &mut self.surface {
            Surface::Worker { ops, transfer } => (
                std::mem::replace(ops, Array::new()),
                std::mem::replace(transfer, Array::new()),
            ),
            Surface::Page { .. } => (Array::new(), Array::new()),
        }
    }

    fn post(&self, items: &[JsValue]) {
        if let Surface::Worker { ops, .. } = &self.surface {
            ops.push(&wire::array(items));
        }
    }

    /// Feeds `input`, then whatever the outputs produced, each after a complete drain.
    pub fn feed(&mut self, input: Input) -> Vec<Deferred> {
        let mut deferred = Vec::new();
        self.inputs.push_back(input);
        self.feed_queued(&mut deferred);
        deferred
    }

    /// The engine's timer fired: the media element's state (on the page; a Worker has the
    /// page's last report), then the timeout.
    pub fn timeout(&mut self) -> Vec<Deferred> {
        self.timer = None;
        let mut deferred = match &self.surface {
            Surface::Page { video, .. } => self.feed(media_state(video)),
            Surface::Worker { .. } => Vec::new(),
        };
        self.engine.handle_timeout(now_seconds());
        self.drain(&mut deferred);
        self.feed_queued(&mut deferred);
        deferred
    }

    /// What a getter of the `Player` returns (`state::*`), and the Worker sends the page.
    pub fn state(&self, field: u32) -> JsValue {
        let e = &self.engine;
        let index = |i: Option<usize>| super::events::track_index(i).into();
        match field {
            state::LEVELS => super::events::level_list(&e.levels()).into(),
            state::CURRENT_LEVEL => index(e.current_level()),
            state::AUDIO_TRACKS => super::events::audio_track_list(&e.audio_tracks()).into(),
            state::AUDIO_TRACK => index(e.audio_track()),
            state::SUBTITLE_TRACKS => {
                super::events::subtitle_track_list(&e.subtitle_tracks()).into()
            }
            state::SUBTITLE_TRACK => index(e.subtitle_track()),
            state::BANDWIDTH_ESTIMATE => e.bandwidth_estimate().into(),
            state::MAX_AUTO_LEVEL => index(e.max_auto_level()),
            state::LIVE_SYNC_POSITION => e.live_sync_position(now_seconds()).into(),
            state::LATENCY => e.latency(now_seconds()).unwrap_or(0.0).into(),
            state::BUFFER_GOAL => e.buffer_goal().into(),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Performs an MSE output: on the MediaSource here, or as an op for the page's.
    fn media(&mut self, output: Output) -> Option<Input> {
        let mse = match &mut self.mse {
            Media::Here(mse) => mse,
            Media::Page(kinds) => {
                if let Output::AddSourceBuffer { track, kind, .. } = &output {
                    kinds.push((*track, *kind));
                }
                let (op, buffer) = wire::mse_op(&output);
                if let Surface::Worker { ops, transfer } = &self.surface {
                    ops.push(&op);
                    if let Some(buffer) = buffer {
                        transfer.push(&buffer);
                    }
                }
                return None;
            }
        };
        match output {
            Output::SetDuration(seconds) => mse.set_duration(seconds),
            Output::AddSourceBuffer { track, kind, mime } => {
                return mse.add_source_buffer(track, kind, &mime)
            }
            Output::Append { track, data } => return mse.append(track, &data),
            Output::Remove { track, start, end } => return mse.remove(track, start, end),
            Output::ChangeType { track, mime } => return mse.change_type(track, &mime),
            Output::ResetParser { track } => mse.reset_parser(track),
            Output::EndOfStream => mse.end_of_stream(),
            // The other outputs are not the MediaSource's: `perform` sends only these here.
            _ => {}
        }
        None
    }

    /// The kind of a track's SourceBuffer (`video`/`audio`), for event payloads.
    pub fn track_kind(&self, track: TrackId) -> &'static str {
        let kind = match &self.mse {
            Media::Here(mse) => mse.kind(track),
            Media::Page(kinds) => kinds.iter().find(|(t, _)| *t == track).map(|(_, k)| *k),
        };
        kind.map_or("video", |k| k.as_str())
    }

    fn feed_queued(&mut self, deferred: &mut Vec<Deferred>) {
        while let Some(input) = self.inputs.pop_front() {
            self.engine.handle_input(now_seconds(), input);
            self.drain(deferred);
        }
    }

    /// Performs the engine's outputs until it asks to sleep. Never feeds the engine: inputs
    /// produced here are queued.
    fn drain(&mut self, deferred: &mut Vec<Deferred>) {
        while let Some(output) = self.engine.poll_output() {
            if let Output::Timeout(at) = output {
                // Most inputs (every progressive chunk) leave the deadline as it was: keep its
                // timeout rather than clear it and arm a new one.
                if self.timer.as_ref().map_or(true, |(armed, _)| *armed != at) {
                    let link = self.link.clone();
                    let delay_ms = (at - now_seconds()) * 1000.0;
                    let timer = Timer::new(delay_ms, move || on_timer(&link)).ok();
                    self.timer = timer.map(|t| (at, t));
                }
                return;
            }
            self.perform(output, deferred);
        }
        // Nothing scheduled: only an input wakes the engine.
        self.timer = None;
    }

    fn perform(&mut self, output: Output, deferred: &mut Vec<Deferred>) {
        let failure = match output {
            Output::Fetch {
                req,
                kind,
                url,
                range,
            } => self.fetch(req, kind, url, range),
            Output::Abort { req } => {
                // Dropping the request aborts it and silences its callbacks.
                self.finished(req);
                None
            }
            Output::SetDuration(_)
            | Output::AddSourceBuffer { .. }
            | Output::Append { .. }
            | Output::Remove { .. }
            | Output::ChangeType { .. }
            | Output::ResetParser { .. }
            | Output::EndOfStream => self.media(output),
            Output::SetPosition(seconds) => {
                match &self.surface {
                    Surface::Page { video, .. } => video.set_current_time(seconds),
                    Surface::Worker { .. } => self.post(&[op::POSITION.into(), seconds.into()]),
                }
                None
            }
            Output::RefreshCredentials => {
                // The engine asks once per need; every ask reaches the app.
                deferred.push(Deferred::Refresh);
                None
            }
            Output::Event(event) => {
                if let Event::SubtitleTracksUpdated { subtitle_tracks } = &event {
                    match &mut self.surface {
                        Surface::Page { video, text, .. } => text.update(video, subtitle_tracks),
                        Surface::Worker { ops, .. } => {
                            let list = super::events::subtitle_track_list(subtitle_tracks);
                            ops.push(&wire::array(&[op::TRACKS.into(), list.into()]));
                        }
                    }
                }
                deferred.push(Deferred::Emit(event));
                None
            }
            Output::Debug(decision) => {
                deferred.push(Deferred::Log(decision));
                None
            }
            Output::AddCues { track, cues } => {
                match &mut self.surface {
                    Surface::Page { text, .. } => text.add(track, cues),
                    Surface::Worker { .. } => {
                        let list = wire::cues_to_js(&cues);
                        self.post(&[op::ADD_CUES.into(), (track as f64).into(), list.into()]);
                    }
                }
                None
            }
            Output::RemoveCues { track, ids } => {
                match &mut self.surface {
                    Surface::Page { text, .. } => text.remove(track, &ids),
                    Surface::Worker { .. } => {
                        let list = wire::cue_ids_to_js(&ids);
                        self.post(&[op::REMOVE_CUES.into(), (track as f64).into(), list.into()]);
                    }
                }
                None
            }
            Output::ShowSubtitleTrack(track) => {
                match &mut self.surface {
                    Surface::Page { text, .. } => text.show(track),
                    Surface::Worker { .. } => {
                        let shown = super::events::track_index(track);
                        self.post(&[op::SHOW.into(), shown.into()]);
                    }
                }
                None
            }
            Output::Timeout(_) => None,
        };
        // Not `extend`: VecDeque's iterator extend is 0.3 KB raw of wasm for one optional input.
        if let Some(input) = failure {
            self.inputs.push_back(input);
        }
    }

    /// Starts a request; the input to feed if it could not start.
    fn fetch(
        &mut self,
        req: RequestId,
        kind: RequestKind,
        url: String,
        range: Option<ByteRange>,
    ) -> Option<Input> {
        let segment = kind.is_media_segment();
        let spec = FetchSpec {
            url,
            range: range.map(|r| (r.offset, r.offset + r.length.saturating_sub(1))),
            credentials: self.credentials,
            stream: segment && self.progressive,
        };
        let link = self.link.clone();
        match fetch::start(spec, move |event| on_fetch(&link, req, event)) {
            Ok(in_flight) => {
                self.requests.push((req, segment, in_flight));
                None
            }
            Err(_) => Some(Input::LoadFailed {
                req,
                status: 0,
                body: None,
            }),
        }
    }

    /// Forgets a request (dropping one that is still running aborts it); whether it was a
    /// media segment.
    fn finished(&mut self, req: RequestId) -> bool {
        let Some(at) = self.requests.iter().position(|(r, ..)| *r == req) else {
            return false;
        };
        // Dropping a finished request's controller aborts nothing.
        self.requests.swap_remove(at).1
    }
}

fn on_timer(link: &Link) {
    link.with(|session, _| session.timeout());
}

fn mse_notify(link: &Link) -> Rc<dyn Fn(MseEvent)> {
    let link = link.clone();
    Rc::new(move |event| on_mse_event(&link, event))
}

fn on_mse_event(link: &Link, event: MseEvent) {
    link.with(|session, _| {
        if let (MseEvent::Open, Surface::Page { video, .. }) = (&event, &session.surface) {
            // The element is laid out by now: its size caps the level. (A Worker's page sent
            // the size before the load, and sends it again on every resize.)
            session.inputs.push_back(media_events::element_size(video));
        }
        let input = match &mut session.mse {
            Media::Here(mse) => mse.answer(event),
            Media::Page(_) => None,
        };
        input.map_or_else(Vec::new, |input| session.feed(input))
    });
}

fn on_fetch(link: &Link, req: RequestId, event: FetchEvent) {
    link.with(|session, cost| {
        let input = match event {
            FetchEvent::Headers { total } => Input::Progress {
                req,
                loaded: 0,
                total,
            },
            FetchEvent::Progress { loaded, total } => Input::Progress { req, loaded, total },
            FetchEvent::Chunk {
                data,
                loaded,
                total,
            } => {
                // The bytes first (remuxed and appended), then the progress (ABR, timeouts).
                let started = now_seconds();
                let mut deferred = session.feed(Input::Chunk { req, data });
                cost.record((now_seconds() - started) * 1000.0, false);
                deferred.extend(session.feed(Input::Progress { req, loaded, total }));
                return deferred;
            }
            FetchEvent::Complete { status, body } if (200..300).contains(&status) => {
                let segment = session.finished(req);
                let started = now_seconds();
                let deferred = session.feed(Input::Loaded { req, data: body });
                if segment {
                    // Remux and the synchronous part of appendBuffer: the main-thread cost.
                    cost.record((now_seconds() - started) * 1000.0, true);
                }
                return deferred;
            }
            FetchEvent::Complete { status, body } => {
                session.finished(req);
                Input::LoadFailed {
                    req,
                    status,
                    body: Some(ascii_text(body)),
                }
            }
            FetchEvent::NetworkError => {
                session.finished(req);
                Input::LoadFailed {
                    req,
                    status: 0,
                    body: None,
                }
            }
        };
        session.feed(input)
    });
}

/// An error body, only read for the CDN's ASCII error code. Not from_utf8_lossy (~1 KB of wasm):
/// a body that is not UTF-8 keeps its ASCII and gets `?` for every other byte.
fn ascii_text(body: Vec<u8>) -> String {
    String::from_utf8(body).unwrap_or_else(|e| {
        let ascii = e
            .into_bytes()
            .into_iter()
            .map(|b| if b.is_ascii() { b } else { b'?' });
        String::from_utf8(ascii.collect()).unwrap_or_default()
    })
}
