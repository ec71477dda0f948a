//! The `Player` JS class: drives the sans-IO [`Engine`] with `fetch`, MSE, the media element's
//! events and one timer. After every input it drains the engine's outputs until `Timeout(at)`, then
//! sleeps until `at` or the next input (the contract in `crate::engine`).
//!
//! Re-entrancy: JS callbacks (app event handlers, `refreshCredentials`) are called only after the
//! player's state is released, so a handler may call back into the player.
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlMediaElement, HtmlVideoElement};

use super::config::PlayerConfig;
use super::dom::{now_seconds, Listener, Timer};
use super::events::{event_name, event_payload, EVENT_NAMES};
use super::fetch::{self, FetchEvent, FetchSpec, InFlight};
use super::mse::{self, MseEvent, MseSink, Op, OpFailure, OpKind};
use crate::engine::{Engine, Event, Input, Output, RequestId, RequestKind, TrackId};
use crate::remux::Transmuxer;

type PlayerEngine = Engine<Transmuxer>;

/// An HLS player bound to one `<video>` element.
#[wasm_bindgen]
pub struct Player {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    video: HtmlVideoElement,
    config: PlayerConfig,
    /// (event name, callback) in subscription order: a Vec is smaller in wasm than a map.
    handlers: Vec<(&'static str, Function)>,
    /// Incremented by every `load` and `destroy`: callbacks of an older session are ignored.
    session: u32,
    playback: Option<Session>,
    weak: Weak<RefCell<Inner>>,
    /// A strong self-reference while a stream is loaded, so a page that keeps no reference to the
    /// Player (a module-level `const`, which V8 may collect) does not stop playing when the JS
    /// wrapper is garbage-collected. `destroy()` breaks the cycle.
    keep_alive: Option<Rc<RefCell<Inner>>>,
    main_thread: MainThreadCost,
}

/// Main-thread time spent on loaded segments (remux + appendBuffer), milliseconds. A segment
/// streamed in chunks costs the sum of its chunks and its end.
#[derive(Default, Clone, Copy)]
struct MainThreadCost {
    count: u32,
    total_ms: f64,
    max_ms: f64,
    current_ms: f64,
}

impl MainThreadCost {
    fn record(&mut self, ms: f64, segment_done: bool) {
        self.total_ms += ms;
        self.current_ms += ms;
        if segment_done {
            self.count += 1;
            self.max_ms = self.max_ms.max(self.current_ms);
            self.current_ms = 0.0;
        }
    }
}

/// Everything one `load()` created; dropping it aborts, unregisters and frees all of it.
struct Session {
    engine: PlayerEngine,
    mse: Option<MseSink>,
    /// Engine track -> SourceBuffer index, and the track's kind for events.
    tracks: Vec<(TrackId, usize, &'static str)>,
    /// SourceBuffers asked for before the MediaSource opened, and the ops sent to them meanwhile.
    pending_tracks: Vec<(TrackId, String)>,
    pending_ops: Vec<(TrackId, Op)>,
    /// Requests under way; `true` marks a media segment.
    requests: Vec<(RequestId, bool, InFlight)>,
    timer: Option<Timer>,
    refreshing: bool,
    _listeners: Vec<Listener>,
}

/// What to do once the state is released.
enum Deferred {
    Emit(Event),
    Refresh,
}

#[wasm_bindgen]
impl Player {
    /// `new Player(video, config?)`; unknown config keys are rejected with an error naming them.
    #[wasm_bindgen(constructor)]
    pub fn new(video: HtmlVideoElement, config: Option<Object>) -> Result<Player, JsValue> {
        let config = PlayerConfig::from_js(config.as_ref())?;
        let inner = Rc::new_cyclic(|weak| {
            RefCell::new(Inner {
                video,
                config,
                handlers: Vec::new(),
                session: 0,
                playback: None,
                weak: weak.clone(),
                keep_alive: None,
                main_thread: MainThreadCost::default(),
            })
        });
        Ok(Player { inner })
    }

    /// Whether this browser can play through hlsplay's pipeline (MSE or ManagedMediaSource with
    /// H.264 in fMP4).
    #[wasm_bindgen(js_name = isSupported)]
    pub fn is_supported() -> bool {
        mse::is_supported()
    }

    /// Starts playing a master (or media) playlist URL; a second call replaces the first stream.
    pub fn load(&self, url: &str) -> Result<(), JsValue> {
        let deferred = {
            let mut inner = self.inner.borrow_mut();
            inner.playback = None;
            inner.session = inner.session.wrapping_add(1);
            if !mse::is_supported() {
                return inner.load_native(url);
            }
            let session = inner.start_session()?;
            inner.playback = Some(session);
            inner.keep_alive = Some(self.inner.clone());
            inner.input(Input::Load {
                url: url.to_string(),
            })
        };
        run_deferred(&self.inner, deferred);
        Ok(())
    }

    /// Stops everything: requests aborted, listeners removed, the MediaSource detached and its
    /// object URL revoked. The player can `load()` again afterwards.
    pub fn destroy(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.playback = None;
        inner.session = inner.session.wrapping_add(1);
        let keep_alive = inner.keep_alive.take();
        drop(inner);
        drop(keep_alive);
    }

    /// `[{ index, bitrate, averageBitrate, width, height, codecs }]`.
    #[wasm_bindgen(getter)]
    pub fn levels(&self) -> Array {
        let inner = self.inner.borrow();
        let levels = inner
            .playback
            .as_ref()
            .map(|s| s.engine.levels())
            .unwrap_or_default();
        levels
            .iter()
            .enumerate()
            .map(|(index, level)| JsValue::from(super::events::level_object(index, level)))
            .collect()
    }

    /// The level segments are loaded from, or -1 before one is chosen.
    #[wasm_bindgen(getter, js_name = currentLevel)]
    pub fn current_level(&self) -> i32 {
        let inner = self.inner.borrow();
        inner
            .playback
            .as_ref()
            .and_then(|s| s.engine.current_level())
            .map_or(-1, |l| l as i32)
    }

    /// Forces a level; -1 returns to automatic choice.
    #[wasm_bindgen(setter, js_name = currentLevel)]
    pub fn set_current_level(&self, level: i32) {
        let deferred = {
            let mut inner = self.inner.borrow_mut();
            inner.config.manual_level = usize::try_from(level).ok();
            let choice = inner.config.manual_level;
            inner.input(Input::SetLevel(choice))
        };
        run_deferred(&self.inner, deferred);
    }

    /// Whether the ABR chooses the level (`currentLevel` was not forced).
    #[wasm_bindgen(getter, js_name = autoLevelEnabled)]
    pub fn auto_level_enabled(&self) -> bool {
        self.inner.borrow().config.manual_level.is_none()
    }

    /// Bits per second, the ABR's current estimate.
    #[wasm_bindgen(getter, js_name = bandwidthEstimate)]
    pub fn bandwidth_estimate(&self) -> f64 {
        let inner = self.inner.borrow();
        inner
            .playback
            .as_ref()
            .map_or(0.0, |s| s.engine.bandwidth_estimate())
    }

    /// Seconds the player tries to keep buffered ahead (lowered after QuotaExceededError).
    #[wasm_bindgen(getter, js_name = bufferGoal)]
    pub fn buffer_goal(&self) -> f64 {
        let inner = self.inner.borrow();
        inner
            .playback
            .as_ref()
            .map_or(inner.config.engine.buffer_goal, |s| s.engine.buffer_goal())
    }

    /// `{ count, totalMs, maxMs }`: main-thread time spent on loaded data (remux and the
    /// synchronous part of `appendBuffer`) since the player was created.
    #[wasm_bindgen(getter, js_name = mainThreadCost)]
    pub fn main_thread_cost(&self) -> Object {
        let cost = self.inner.borrow().main_thread;
        let o = Object::new();
        let _ = Reflect::set(&o, &"count".into(), &cost.count.into());
        let _ = Reflect::set(&o, &"totalMs".into(), &cost.total_ms.into());
        let _ = Reflect::set(&o, &"maxMs".into(), &cost.max_ms.into());
        o
    }

    /// Subscribes to an event (`manifestParsed`, `levelSwitching`, `levelSwitched`, `segmentLoaded`,
    /// `bandwidthEstimate`, `bufferAppended`, `error`, `credentialsRefresh`, `gapJumped`,
    /// `stallNudged`, `liveEnded`, `ended`).
    pub fn on(&self, event: &str, callback: Function) -> Result<(), JsValue> {
        let name = known_event(event)?;
        self.inner.borrow_mut().handlers.push((name, callback));
        Ok(())
    }

    /// Unsubscribes one callback, or every callback of the event when none is given.
    pub fn off(&self, event: &str, callback: Option<Function>) -> Result<(), JsValue> {
        let name = known_event(event)?;
        let mut inner = self.inner.borrow_mut();
        inner
            .handlers
            .retain(|(n, g)| *n != name || callback.as_ref().is_some_and(|f| !Object::is(g, f)));
        Ok(())
    }
}

fn known_event(event: &str) -> Result<&'static str, JsValue> {
    EVENT_NAMES
        .iter()
        .copied()
        .find(|n| *n == event)
        .ok_or_else(|| {
            js_sys::Error::new(&format!(
                "hlsplay: unknown event `{event}` (known: {})",
                EVENT_NAMES.join(", ")
            ))
            .into()
        })
}

impl Inner {
    fn start_session(&mut self) -> Result<Session, JsValue> {
        let engine = Engine::new(
            self.config.engine.clone(),
            Transmuxer::new(crate::remux::OutputShape::SplitTracks),
            self.config.abr(),
        );
        let media: &HtmlMediaElement = &self.video;
        let session = self.session;
        let weak = self.weak.clone();
        let notify: Rc<dyn Fn(MseEvent)> = Rc::new(move |event| on_mse(&weak, session, event));
        let mse = MseSink::attach(media, notify)?;
        let mut listeners = Vec::new();
        for kind in [
            "timeupdate",
            "seeking",
            "waiting",
            "resize",
            "ended",
            "playing",
            "pause",
            "progress",
        ] {
            let weak = self.weak.clone();
            listeners.push(Listener::new(media, kind, move |_| {
                on_media_event(&weak, session, kind)
            })?);
        }
        // The video's `resize` fires when the picture's size changes; the page's layout changes
        // (and so the element's CSS size, for the level cap) show as the window's `resize`.
        let weak = self.weak.clone();
        listeners.push(Listener::new(
            super::dom::window()?.as_ref(),
            "resize",
            move |_| on_media_event(&weak, session, "resize"),
        )?);
        Ok(Session {
            engine,
            mse: Some(mse),
            tracks: Vec::new(),
            pending_tracks: Vec::new(),
            pending_ops: Vec::new(),
            requests: Vec::new(),
            timer: None,
            refreshing: false,
            _listeners: listeners,
        })
    }

    /// Where MSE is missing but the element plays HLS itself (iOS Safari): hand it the URL. Never
    /// chosen because `canPlayType` says "maybe" where MSE exists (Chromium says so too).
    fn load_native(&mut self, url: &str) -> Result<(), JsValue> {
        let answer = self.video.can_play_type("application/vnd.apple.mpegurl");
        if answer.is_empty() {
            return Err(js_sys::Error::new(
                "hlsplay: this browser has neither Media Source Extensions nor native HLS",
            )
            .into());
        }
        self.video.set_src(url);
        Ok(())
    }

    /// Feeds one input (with fresh media state first) and performs the outputs.
    fn input(&mut self, input: Input) -> Vec<Deferred> {
        let now = now_seconds();
        let media = self.media_state();
        let Some(session) = self.playback.as_mut() else {
            return Vec::new();
        };
        if let Some(media) = media {
            session.engine.handle_input(now, media);
        }
        // The engine forgets its endOfStream on a seek; so does the sink.
        if let (Input::Seek { .. }, Some(mse)) = (&input, session.mse.as_mut()) {
            mse.forget_end();
        }
        session.engine.handle_input(now, input);
        self.drain()
    }

    fn media_state(&self) -> Option<Input> {
        self.playback.as_ref()?;
        let buffered = self.video.buffered();
        let ranges = (0..buffered.length())
            .filter_map(|i| Some((buffered.start(i).ok()?, buffered.end(i).ok()?)))
            .collect();
        Some(Input::Media {
            position: self.video.current_time(),
            paused: self.video.paused(),
            buffered: ranges,
        })
    }

    fn element_size(&self) -> Input {
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        Input::ElementSize {
            width: f64::from(self.video.client_width()),
            height: f64::from(self.video.client_height()),
            device_pixel_ratio: dpr,
        }
    }

    /// Performs the engine's outputs until it asks to sleep.
    fn drain(&mut self) -> Vec<Deferred> {
        let mut deferred = Vec::new();
        let session_id = self.session;
        let credentials = self.config.credentials;
        let progressive = self.config.engine.progressive;
        let weak = self.weak.clone();
        let Some(session) = self.playback.as_mut() else {
            return deferred;
        };
        while let Some(output) = session.engine.poll_output() {
            match output {
                Output::Timeout(at) => {
                    let delay_ms = (at - now_seconds()) * 1000.0;
                    let weak = weak.clone();
                    session.timer = Timer::new(delay_ms, move || on_timer(&weak, session_id)).ok();
                    break;
                }
                Output::Fetch {
                    req,
                    kind,
                    url,
                    range,
                } => {
                    let segment = matches!(kind, RequestKind::Segment { .. });
                    let spec = FetchSpec {
                        url,
                        range: range.map(|r| (r.offset, r.offset + r.length.saturating_sub(1))),
                        credentials,
                        stream: segment && progressive,
                    };
                    let weak = weak.clone();
                    match fetch::start(spec, move |event| on_fetch(&weak, session_id, req, event)) {
                        Ok(in_flight) => {
                            session.requests.push((req, segment, in_flight));
                        }
                        Err(_) => session.engine.handle_input(
                            now_seconds(),
                            Input::LoadFailed {
                                req,
                                status: 0,
                                body: None,
                            },
                        ),
                    }
                }
                Output::Abort { req } => session.requests.retain(|(r, ..)| *r != req),
                Output::SetDuration(seconds) => {
                    if let Some(mse) = &mut session.mse {
                        mse.set_duration(seconds);
                    }
                }
                Output::AddSourceBuffer { track, mime } => {
                    session.pending_tracks.push((track, mime));
                    session.add_pending_tracks();
                }
                Output::Append { track, data } => {
                    let bytes = Rc::try_unwrap(data).unwrap_or_else(|shared| (*shared).clone());
                    session.buffer_op(track, Op::Append(bytes));
                }
                Output::Remove { track, start, end } => {
                    session.buffer_op(track, Op::Remove { start, end })
                }
                Output::SetPosition(seconds) => self.video.set_current_time(seconds),
                Output::EndOfStream => {
                    if let Some(mse) = &mut session.mse {
                        mse.end_of_stream();
                    }
                }
                Output::RefreshCredentials => {
                    if !session.refreshing {
                        session.refreshing = true;
                        deferred.push(Deferred::Refresh);
                    }
                }
                Output::Event(event) => deferred.push(Deferred::Emit(event)),
            }
        }
        let failures = session.pump();
        for input in failures {
            session.engine.handle_input(now_seconds(), input);
        }
        if !session.engine_idle() {
            // Failures fed back above may have produced outputs.
            deferred.extend(self.drain());
        }
        deferred
    }
}

impl Session {
    fn add_pending_tracks(&mut self) {
        let Some(mse) = self.mse.as_mut() else { return };
        if !mse.is_open() {
            return;
        }
        for (track, mime) in std::mem::take(&mut self.pending_tracks) {
            let kind = if mime.starts_with("audio/") {
                "audio"
            } else {
                "video"
            };
            match mse.add_track(&mime) {
                Ok(index) => {
                    self.tracks.push((track, index, kind));
                    // Ops that arrived before the MediaSource opened, in order.
                    let (ready, waiting) = std::mem::take(&mut self.pending_ops)
                        .into_iter()
                        .partition(|(t, _)| *t == track);
                    self.pending_ops = waiting;
                    for (_, op) in ready {
                        mse.enqueue(index, op);
                    }
                }
                Err(_) => self.engine.handle_input(
                    now_seconds(),
                    Input::AppendFailed {
                        track,
                        quota_exceeded: false,
                    },
                ),
            }
        }
    }

    fn buffer_op(&mut self, track: TrackId, op: Op) {
        let index = self
            .tracks
            .iter()
            .find(|(t, ..)| *t == track)
            .map(|(_, i, _)| *i);
        let pending = self.pending_tracks.iter().any(|(t, _)| *t == track);
        match (index, self.mse.as_mut()) {
            (Some(index), Some(mse)) => mse.enqueue(index, op),
            // The SourceBuffer is asked for but the MediaSource is not open yet: hold the op.
            (None, Some(_)) if pending => self.pending_ops.push((track, op)),
            _ => self.engine.handle_input(
                now_seconds(),
                Input::AppendFailed {
                    track,
                    quota_exceeded: false,
                },
            ),
        }
    }

    /// Starts queued SourceBuffer ops; returns the inputs for the ones that could not start.
    fn pump(&mut self) -> Vec<Input> {
        let Some(mse) = self.mse.as_mut() else {
            return Vec::new();
        };
        let mut inputs = Vec::new();
        for (index, failure) in mse.pump() {
            let Some(track) = self.track_of(index) else {
                continue;
            };
            inputs.push(match failure {
                OpFailure::Quota => Input::AppendFailed {
                    track,
                    quota_exceeded: true,
                },
                OpFailure::Append(message) => {
                    web_sys::console::error_1(&format!("hlsplay: appendBuffer: {message}").into());
                    Input::AppendFailed {
                        track,
                        quota_exceeded: false,
                    }
                }
                // Eviction is best effort: a range that could not go stays buffered.
                OpFailure::Remove(message) => {
                    web_sys::console::warn_1(&format!("hlsplay: remove: {message}").into());
                    Input::RemoveDone { track }
                }
            });
        }
        inputs
    }

    fn track_of(&self, index: usize) -> Option<TrackId> {
        self.tracks
            .iter()
            .find(|(_, i, _)| *i == index)
            .map(|(t, ..)| *t)
    }

    fn engine_idle(&mut self) -> bool {
        self.engine.stats().outputs_queued == 0
    }
}

/// Runs what `drain` deferred, with the player's state released.
fn run_deferred(rc: &Rc<RefCell<Inner>>, deferred: Vec<Deferred>) {
    for item in deferred {
        match item {
            Deferred::Emit(event) => emit(rc, &event),
            Deferred::Refresh => refresh_credentials(rc),
        }
    }
}

fn emit(rc: &Rc<RefCell<Inner>>, event: &Event) {
    let name = event_name(event);
    let (handlers, payload) = {
        let inner = rc.borrow();
        let handlers: Vec<Function> = inner
            .handlers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, f)| f.clone())
            .collect();
        if handlers.is_empty() {
            return;
        }
        let kinds = |track: TrackId| {
            inner
                .playback
                .as_ref()
                .and_then(|s| s.tracks.iter().find(|(t, ..)| *t == track))
                .map_or("video", |(.., kind)| *kind)
        };
        (handlers, event_payload(event, kinds))
    };
    for handler in handlers {
        // An app handler that throws must not stop the player.
        if let Err(error) = handler.call1(&JsValue::NULL, &payload) {
            web_sys::console::error_2(&format!("hlsplay: `{name}` handler threw").into(), &error);
        }
    }
}

/// Calls the app's `refreshCredentials()` once and reports the outcome to the engine.
fn refresh_credentials(rc: &Rc<RefCell<Inner>>) {
    let (callback, session_id) = {
        let inner = rc.borrow();
        (inner.config.refresh_credentials.clone(), inner.session)
    };
    let weak = Rc::downgrade(rc);
    let Some(callback) = callback else {
        // Answered at once: the next refusal must be able to ask again.
        if let Ok(mut inner) = rc.try_borrow_mut() {
            if let Some(session) = inner.playback.as_mut() {
                session.refreshing = false;
            }
        }
        let reason = "no refreshCredentials callback was configured".to_string();
        deliver(
            &weak,
            session_id,
            Input::CredentialsRefreshFailed { reason },
        );
        return;
    };
    let result = callback.call0(&JsValue::NULL);
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match result {
            Ok(value) => JsFuture::from(Promise::resolve(&value)).await,
            Err(error) => Err(error),
        };
        let input = match outcome {
            Ok(value) => Input::CredentialsRefreshed {
                expires: expires_on_engine_clock(&value),
            },
            Err(error) => Input::CredentialsRefreshFailed {
                reason: super::dom::error_message(&error, "refreshCredentials rejected"),
            },
        };
        if let Some(rc) = weak.upgrade() {
            if let Some(session) = rc.borrow_mut().playback.as_mut() {
                session.refreshing = false;
            }
        }
        deliver(&weak, session_id, input);
    });
}

/// `{ expires }` from the app is a Unix time in seconds (as CloudFront policies write it); the
/// engine's clock is the page's monotonic clock.
fn expires_on_engine_clock(value: &JsValue) -> Option<f64> {
    let expires = Reflect::get(value, &"expires".into()).ok()?.as_f64()?;
    let unix_now = js_sys::Date::now() / 1000.0;
    Some(now_seconds() + (expires - unix_now))
}

/// Feeds an input from a callback, if its session is still the current one.
fn deliver(weak: &Weak<RefCell<Inner>>, session: u32, input: Input) {
    deliver_timed(weak, session, input, false);
}

/// [`deliver`], recording the main-thread time when `segment` (remux + append).
fn deliver_timed(weak: &Weak<RefCell<Inner>>, session: u32, input: Input, segment: bool) {
    with_current(weak, session, |inner| {
        let done = matches!(input, Input::Loaded { .. });
        let started = now_seconds();
        let deferred = inner.input(input);
        if segment {
            // Remux and the synchronous part of appendBuffer: the main-thread cost per segment.
            inner
                .main_thread
                .record((now_seconds() - started) * 1000.0, done);
        }
        deferred
    });
}

/// Runs `f` on the player if it still exists and `session` is still the current one, then what
/// `f` deferred (JS callbacks) with the state released.
fn with_current(
    weak: &Weak<RefCell<Inner>>,
    session: u32,
    f: impl FnOnce(&mut Inner) -> Vec<Deferred>,
) {
    let Some(rc) = weak.upgrade() else { return };
    let deferred = {
        let Ok(mut inner) = rc.try_borrow_mut() else {
            return;
        };
        if inner.session != session {
            return;
        }
        f(&mut inner)
    };
    run_deferred(&rc, deferred);
}

fn on_fetch(weak: &Weak<RefCell<Inner>>, session: u32, req: RequestId, event: FetchEvent) {
    let mut segment = false;
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
            deliver_timed(weak, session, Input::Chunk { req, data }, true);
            Input::Progress { req, loaded, total }
        }
        FetchEvent::Complete { status, body } if (200..300).contains(&status) => {
            segment = forget_request(weak, req);
            Input::Loaded { req, data: body }
        }
        FetchEvent::Complete { status, body } => {
            forget_request(weak, req);
            // Only read for the CDN's ASCII error code. Not from_utf8_lossy (~1 KB of wasm): a body
            // that is not UTF-8 keeps its ASCII and gets `?` for every other byte.
            let text = String::from_utf8(body).unwrap_or_else(|e| {
                let ascii = e
                    .into_bytes()
                    .into_iter()
                    .map(|b| if b.is_ascii() { b } else { b'?' });
                String::from_utf8(ascii.collect()).unwrap_or_default()
            });
            Input::LoadFailed {
                req,
                status,
                body: Some(text),
            }
        }
        FetchEvent::NetworkError => {
            forget_request(weak, req);
            Input::LoadFailed {
                req,
                status: 0,
                body: None,
            }
        }
    };
    deliver_timed(weak, session, input, segment);
}

fn forget_request(weak: &Weak<RefCell<Inner>>, req: RequestId) -> bool {
    let Some(rc) = weak.upgrade() else {
        return false;
    };
    let Ok(mut inner) = rc.try_borrow_mut() else {
        return false;
    };
    let Some(session) = inner.playback.as_mut() else {
        return false;
    };
    let Some(at) = session.requests.iter().position(|(r, ..)| *r == req) else {
        return false;
    };
    // Dropping a finished request's controller aborts nothing.
    session.requests.swap_remove(at).1
}

fn on_mse(weak: &Weak<RefCell<Inner>>, session_id: u32, event: MseEvent) {
    with_current(weak, session_id, |inner| {
        let size = inner.element_size();
        let Some(session) = inner.playback.as_mut() else {
            return Vec::new();
        };
        let input = match event {
            MseEvent::Open => {
                session.add_pending_tracks();
                size
            }
            MseEvent::Done { track: index } => {
                let kind = session.mse.as_mut().and_then(|m| m.finish(index));
                let Some(track) = session.track_of(index) else {
                    return Vec::new();
                };
                match kind {
                    Some(OpKind::Remove) => Input::RemoveDone { track },
                    _ => Input::AppendDone { track },
                }
            }
            MseEvent::Error { track: index } => {
                let Some(track) = session.track_of(index) else {
                    return Vec::new();
                };
                Input::AppendFailed {
                    track,
                    quota_exceeded: false,
                }
            }
        };
        inner.input(input)
    });
}

fn on_media_event(weak: &Weak<RefCell<Inner>>, session_id: u32, kind: &'static str) {
    let Some(rc) = weak.upgrade() else { return };
    let input = {
        let Ok(inner) = rc.try_borrow() else { return };
        match kind {
            "seeking" => Input::Seek {
                position: inner.video.current_time(),
            },
            "resize" => inner.element_size(),
            _ => match inner.media_state() {
                Some(state) => state,
                None => return,
            },
        }
    };
    deliver(weak, session_id, input);
}

fn on_timer(weak: &Weak<RefCell<Inner>>, session_id: u32) {
    with_current(weak, session_id, |inner| {
        let media = inner.media_state();
        let Some(session) = inner.playback.as_mut() else {
            return Vec::new();
        };
        session.timer = None;
        let now = now_seconds();
        if let Some(media) = media {
            session.engine.handle_input(now, media);
        }
        session.engine.handle_timeout(now);
        inner.drain()
    });
}
