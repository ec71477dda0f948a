//! One loaded stream: the engine, its MediaSource, requests and timer, and the loop that drives
//! the engine as `crate::engine` prescribes (and as the simulator does): feed one input, drain
//! `poll_output()` until `Timeout`/`None` performing each output, and only then feed what arrived
//! meanwhile (a fetch that could not start, an MSE call that threw), each followed by its own
//! drain. JS callbacks (app events, `refreshCredentials`) are returned as [`Deferred`] and run by
//! the caller once the player's state is released.
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{HtmlVideoElement, RequestCredentials};

use super::config::PlayerConfig;
use super::dom::{now_seconds, Listener, Timer};
use super::fetch::{self, FetchEvent, FetchSpec, InFlight};
use super::media_events::{self, media_state};
use super::mse::{MseEvent, MseSink};
use super::player::Link;
use super::text_tracks::TextTracks;
use crate::engine::{Decision, Engine, Event, Input, Output, RequestId, RequestKind, TrackId};
use crate::playlist::ByteRange;
use crate::remux::Remuxer;

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
    mse: MseSink,
    /// Requests under way; `true` marks a media segment.
    requests: Vec<(RequestId, bool, InFlight)>,
    /// The engine's next deadline (engine clock) and the `setTimeout` armed for it.
    timer: Option<(f64, Timer)>,
    /// Inputs that arrived while draining, fed once the drain is over.
    inputs: VecDeque<Input>,
    video: HtmlVideoElement,
    link: Link,
    credentials: RequestCredentials,
    progressive: bool,
    /// The subtitle tracks as the element's `TextTrack`s.
    text: TextTracks,
    _listeners: Vec<Listener>,
}

impl Session {
    /// A new engine, a MediaSource attached to `video`, and the element's listeners.
    pub fn new(
        video: &HtmlVideoElement,
        config: &PlayerConfig,
        link: Link,
    ) -> Result<Self, JsValue> {
        let engine = Engine::new(
            config.engine.clone(),
            Remuxer::new(crate::remux::OutputShape::SplitTracks),
            config.abr(),
        );
        let on_mse = link.clone();
        let notify: Rc<dyn Fn(MseEvent)> = Rc::new(move |event| on_mse_event(&on_mse, event));
        let mse = MseSink::attach(video, notify)?;
        Ok(Session {
            engine,
            mse,
            requests: Vec::new(),
            timer: None,
            inputs: VecDeque::new(),
            video: video.clone(),
            credentials: config.credentials,
            progressive: config.engine.progressive,
            text: TextTracks::default(),
            _listeners: media_events::listen(video, &link)?,
            link,
        })
    }

    /// Feeds `input`, then whatever the outputs produced, each after a complete drain.
    pub fn feed(&mut self, input: Input) -> Vec<Deferred> {
        let mut deferred = Vec::new();
        self.inputs.push_back(input);
        self.feed_queued(&mut deferred);
        deferred
    }

    /// The engine's timer fired: the media element's state, then the timeout.
    pub fn timeout(&mut self) -> Vec<Deferred> {
        self.timer = None;
        let mut deferred = self.feed(media_state(&self.video));
        self.engine.handle_timeout(now_seconds());
        self.drain(&mut deferred);
        self.feed_queued(&mut deferred);
        deferred
    }

    pub fn video(&self) -> &HtmlVideoElement {
        &self.video
    }

    /// The kind of a track's SourceBuffer (`video`/`audio`), for event payloads.
    pub fn track_kind(&self, track: TrackId) -> &'static str {
        self.mse.kind(track).map_or("video", |k| k.as_str())
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
            Output::SetDuration(seconds) => {
                self.mse.set_duration(seconds);
                None
            }
            Output::AddSourceBuffer { track, kind, mime } => {
                self.mse.add_source_buffer(track, kind, &mime)
            }
            Output::Append { track, data } => self.mse.append(track, &data),
            Output::Remove { track, start, end } => self.mse.remove(track, start, end),
            Output::ChangeType { track, mime } => self.mse.change_type(track, &mime),
            Output::ResetParser { track } => {
                self.mse.reset_parser(track);
                None
            }
            Output::SetPosition(seconds) => {
                self.video.set_current_time(seconds);
                None
            }
            Output::EndOfStream => {
                self.mse.end_of_stream();
                None
            }
            Output::RefreshCredentials => {
                // The engine asks once per need; every ask reaches the app.
                deferred.push(Deferred::Refresh);
                None
            }
            Output::Event(event) => {
                if let Event::SubtitleTracksUpdated { subtitle_tracks } = &event {
                    self.text.update(&self.video, subtitle_tracks);
                }
                deferred.push(Deferred::Emit(event));
                None
            }
            Output::Debug(decision) => {
                deferred.push(Deferred::Log(decision));
                None
            }
            Output::AddCues { track, cues } => {
                self.text.add(track, cues);
                None
            }
            Output::RemoveCues { track, ids } => {
                self.text.remove(track, &ids);
                None
            }
            Output::ShowSubtitleTrack(track) => {
                self.text.show(track);
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

fn on_mse_event(link: &Link, event: MseEvent) {
    link.with(|session, _| match event {
        MseEvent::Open => {
            // The element is laid out by now: its size caps the level.
            session
                .inputs
                .push_back(media_events::element_size(&session.video));
            session.feed(Input::SourceOpen)
        }
        MseEvent::UpdateEnd(track) => match session.mse.on_update_end(track) {
            Some(input) => session.feed(input),
            None => Vec::new(),
        },
        MseEvent::Error(track) => {
            session.mse.on_error(track);
            Vec::new()
        }
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
