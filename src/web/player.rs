//! The `Player` JS class, the facade over one [`Session`] per `load()`: it holds the config, the
//! app's event handlers and the current session, and runs JS callbacks (app event handlers,
//! `refreshCredentials`) only after the player's state is released, so a handler may call back
//! into the player. Driving the engine is `session.rs`'s, the element's listeners
//! `media_events.rs`'s. With `worker: true` the session runs in a Worker (`remote.rs` here,
//! `worker.rs` there) and the getters answer from the state it sends.
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlVideoElement;

use super::config::{Logger, PlayerConfig};
use super::dom::now_seconds;
use super::events::{event_name, event_payload};
use super::mse;
use super::remote::{Job, Remote};
use super::session::{state, Deferred, Session};
use crate::api::EventName;
use crate::engine::{Decision, Input};

/// An HLS player bound to one `<video>` element.
#[wasm_bindgen]
pub struct Player {
    inner: Rc<RefCell<Inner>>,
}

pub struct Inner {
    video: HtmlVideoElement,
    config: PlayerConfig,
    /// (event, callback, once) in subscription order: a Vec is smaller in wasm than a map.
    handlers: Vec<(EventName, Function, bool)>,
    /// Incremented by every `load` and `destroy`: callbacks of an older session are ignored.
    session: u32,
    playback: Option<Playback>,
    /// The app's config as the Worker gets it (`wire::config_for_worker`).
    worker_config: Object,
    weak: Weak<RefCell<Inner>>,
    /// A strong self-reference while a stream is loaded, so a page that keeps no reference to the
    /// Player (a module-level `const`, which V8 may collect) does not stop playing when the JS
    /// wrapper is garbage-collected. `destroy()` breaks the cycle.
    keep_alive: Option<Rc<RefCell<Inner>>>,
    main_thread: MainThreadCost,
}

/// Where the loaded stream's session runs.
enum Playback {
    Here(Box<Session>),
    Worker(Remote),
}

thread_local! {
    /// `(module, what) => Worker` (`remote::prepare_worker`), given by the package's entry
    /// (`hlsplay.js`) once the wasm is initialised; the Worker's URL must be written there for
    /// bundlers to find it.
    static SPAWN: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called by the package's `hlsplay.js` after `init()`: the spare Worker gets the Module now, so
/// the first `load()` finds it ready even when `new Player()` comes just before it.
#[wasm_bindgen(js_name = __setWorkerFactory, skip_typescript)]
pub fn set_worker_factory(spawn: Function) {
    super::remote::prepare_worker(&spawn, mse::is_supported());
    SPAWN.with(|s| *s.borrow_mut() = Some(spawn));
}

/// Main-thread time spent on loaded segments (remux + appendBuffer), milliseconds. A segment
/// streamed in chunks costs the sum of its chunks and its end.
#[derive(Default, Clone, Copy)]
pub struct MainThreadCost {
    count: u32,
    total_ms: f64,
    max_ms: f64,
    current_ms: f64,
}

impl MainThreadCost {
    pub fn record(&mut self, ms: f64, segment_done: bool) {
        self.total_ms += ms;
        self.current_ms += ms;
        if segment_done {
            self.count += 1;
            self.max_ms = self.max_ms.max(self.current_ms);
            self.current_ms = 0.0;
        }
    }

    pub fn count(&self) -> u32 {
        self.count
    }
}

/// How a browser callback reaches its session: on the page, the player, weakly (the page may
/// drop it), and the `load()` the callback belongs to; in a Worker, the Worker's host.
#[derive(Clone)]
pub enum Link {
    Page {
        weak: Weak<RefCell<Inner>>,
        session: u32,
    },
    Worker(Weak<RefCell<super::worker::Host>>),
}

/// A callback's work on its session.
pub type SessionFn<'a> = dyn FnOnce(&mut Session, &mut MainThreadCost) -> Vec<Deferred> + 'a;

impl Link {
    /// Runs `f` on the session if the player still exists and this is still its current
    /// session, then what `f` deferred, with the player's state released.
    pub fn with(&self, f: impl FnOnce(&mut Session, &mut MainThreadCost) -> Vec<Deferred>) {
        // One body for every callback, not one per closure and per side (page, Worker).
        self.with_boxed(Box::new(f));
    }

    fn with_boxed(&self, f: Box<SessionFn<'_>>) {
        let (weak, session) = match self {
            Link::Page { weak, session } => (weak, *session),
            Link::Worker(host) => return super::worker::with(host, f),
        };
        let Some(rc) = weak.upgrade() else {
            return;
        };
        let deferred = {
            let Ok(mut inner) = rc.try_borrow_mut() else {
                return;
            };
            let inner = &mut *inner;
            if inner.session != session {
                return;
            }
            match inner.playback.as_mut() {
                Some(Playback::Here(session)) => f(session, &mut inner.main_thread),
                Some(Playback::Worker(remote)) => {
                    // Only inputs reach a Worker's session from the page (`feed`).
                    let _ = remote;
                    return;
                }
                None => return,
            }
        };
        run_deferred(&rc, deferred);
    }

    /// Feeds an input to the session, wherever it runs.
    pub fn feed(&self, input: Input) {
        if let Link::Page { weak, session } = self {
            let Some(rc) = weak.upgrade() else {
                return;
            };
            let sent = rc.try_borrow().is_ok_and(|inner| match &inner.playback {
                Some(Playback::Worker(remote)) if inner.session == *session => {
                    remote.send(&input);
                    true
                }
                _ => false,
            });
            if sent {
                return;
            }
        }
        self.with(|session, _| session.feed(input));
    }
}

#[wasm_bindgen]
impl Player {
    /// `new Player(video, config?)`; unknown config keys are rejected with an error naming them.
    #[wasm_bindgen(constructor)]
    pub fn new(
        video: HtmlVideoElement,
        #[wasm_bindgen(unchecked_optional_param_type = "PlayerConfig")] config: Option<Object>,
    ) -> Result<Player, JsValue> {
        let worker_config = super::wire::config_for_worker(config.as_ref());
        let config = PlayerConfig::from_js(config.as_ref())?;
        if mse::is_supported() {
            if let Some(spawn) = SPAWN.with(|s| s.borrow().clone()) {
                super::remote::prepare_worker(&spawn, config.worker);
            }
        }
        let inner = Rc::new_cyclic(|weak| {
            RefCell::new(Inner {
                video,
                config,
                handlers: Vec::new(),
                session: 0,
                playback: None,
                worker_config,
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
        let (deferred, warning) = {
            let mut inner = self.inner.borrow_mut();
            inner.playback = None;
            inner.session = inner.session.wrapping_add(1);
            if !mse::is_supported() {
                return inner.load_native(url);
            }
            inner.keep_alive = Some(self.inner.clone());
            let warning = match inner.config.worker {
                true => match inner.start_worker(url) {
                    Ok(()) => return Ok(()),
                    Err(why) => Some(why),
                },
                false => None,
            };
            (inner.start_here(url)?, warning)
        };
        if let Some(reason) = warning {
            emit(&self.inner, EventName::error, &|_| {
                super::events::worker_warning(&reason)
            });
        }
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

    /// Stops loading (hls.js's `stopLoad()`): the segments in flight are aborted and nothing
    /// more is fetched, live playlist reloads included; what is buffered plays on.
    #[wasm_bindgen(js_name = stopLoad)]
    pub fn stop_load(&self) {
        let deferred = self.inner.borrow_mut().feed(Input::StopLoad);
        run_deferred(&self.inner, deferred);
    }

    /// Resumes loading after `stopLoad()` (hls.js's `startLoad(startPosition)`): from where the
    /// buffer ends, or from `position` seconds when given (a negative one is ignored).
    #[wasm_bindgen(js_name = startLoad)]
    pub fn start_load(&self, position: Option<f64>) {
        let position = position.filter(|p| *p >= 0.0);
        let deferred = self.inner.borrow_mut().feed(Input::StartLoad { position });
        run_deferred(&self.inner, deferred);
    }

    /// The variant streams, lowest bitrate first.
    #[wasm_bindgen(getter, unchecked_return_type = "Level[]")]
    pub fn levels(&self) -> Array {
        self.list(state::LEVELS)
    }

    /// The level segments are loaded from, or -1 before one is chosen.
    #[wasm_bindgen(getter, js_name = currentLevel)]
    pub fn current_level(&self) -> i32 {
        self.index(state::CURRENT_LEVEL)
    }

    /// Switches to a level now, as hls.js does: what is buffered ahead of the playhead (but a
    /// second) is replaced by that level; -1 returns to automatic choice (the buffer kept).
    #[wasm_bindgen(setter, js_name = currentLevel)]
    pub fn set_current_level(&self, level: i32) {
        self.force_level(level, true);
    }

    /// The level segments are loaded from (as `currentLevel`'s getter), or -1.
    #[wasm_bindgen(getter, js_name = loadLevel)]
    pub fn load_level(&self) -> i32 {
        self.current_level()
    }

    /// Forces a level from the next segment on, the buffer kept (hls.js's `loadLevel`); -1
    /// returns to automatic choice.
    #[wasm_bindgen(setter, js_name = loadLevel)]
    pub fn set_load_level(&self, level: i32) {
        self.force_level(level, false);
    }

    fn force_level(&self, level: i32, now: bool) {
        let deferred = {
            let mut inner = self.inner.borrow_mut();
            inner.config.manual_level = usize::try_from(level).ok();
            let input = match inner.config.manual_level {
                Some(l) if now => Input::SwitchLevelNow(l),
                choice => Input::SetLevel(choice),
            };
            inner.feed(input)
        };
        run_deferred(&self.inner, deferred);
    }

    /// The audio tracks of the level in use (hls.js's `audioTracks`).
    #[wasm_bindgen(getter, js_name = audioTracks, unchecked_return_type = "AudioTrack[]")]
    pub fn audio_tracks(&self) -> Array {
        self.list(state::AUDIO_TRACKS)
    }

    /// The index in `audioTracks` of the track playing, or -1 when there is none.
    #[wasm_bindgen(getter, js_name = audioTrack)]
    pub fn audio_track(&self) -> i32 {
        self.index(state::AUDIO_TRACK)
    }

    /// Plays `audioTracks[id]`: the audio ahead of the playhead is replaced, video goes on.
    #[wasm_bindgen(setter, js_name = audioTrack)]
    pub fn set_audio_track(&self, id: i32) {
        let Ok(id) = usize::try_from(id) else {
            return;
        };
        let deferred = self.inner.borrow_mut().feed(Input::SetAudioTrack(id));
        run_deferred(&self.inner, deferred);
    }

    /// The subtitle and caption tracks: `[{ id, name, lang, groupId, default, forced,
    /// autoselect, kind }]` (hls.js's `subtitleTracks`; `kind` is `subtitles` or `captions`).
    #[wasm_bindgen(getter, js_name = subtitleTracks, unchecked_return_type = "SubtitleTrack[]")]
    pub fn subtitle_tracks(&self) -> Array {
        self.list(state::SUBTITLE_TRACKS)
    }

    /// The index in `subtitleTracks` of the track chosen, or -1 when subtitles are off.
    #[wasm_bindgen(getter, js_name = subtitleTrack)]
    pub fn subtitle_track(&self) -> i32 {
        self.index(state::SUBTITLE_TRACK)
    }

    /// Shows `subtitleTracks[id]`; -1 turns subtitles off (FORCED ones still show).
    #[wasm_bindgen(setter, js_name = subtitleTrack)]
    pub fn set_subtitle_track(&self, id: i32) {
        let input = Input::SetSubtitleTrack(usize::try_from(id).ok());
        let deferred = self.inner.borrow_mut().feed(input);
        run_deferred(&self.inner, deferred);
    }

    /// The highest level automatic choice may pick (hls.js's `autoLevelCapping`), or -1 for no
    /// cap (the default). Kept across `load()`; a forced `currentLevel` is not capped.
    #[wasm_bindgen(getter, js_name = autoLevelCapping)]
    pub fn auto_level_capping(&self) -> i32 {
        self.inner
            .borrow()
            .config
            .level_cap
            .map_or(-1, |c| c as i32)
    }

    /// Caps automatic choice at `levels[level]` from the next segment on, the buffer kept; -1
    /// lifts the cap.
    #[wasm_bindgen(setter, js_name = autoLevelCapping)]
    pub fn set_auto_level_capping(&self, level: i32) {
        let deferred = {
            let mut inner = self.inner.borrow_mut();
            inner.config.level_cap = usize::try_from(level).ok();
            let input = Input::SetLevelCap(inner.config.level_cap);
            inner.feed(input)
        };
        run_deferred(&self.inner, deferred);
    }

    /// The highest level automatic choice may pick now (hls.js's `maxAutoLevel`): the lower of
    /// `autoLevelCapping` and the cap to the element's size; -1 before the levels are known.
    #[wasm_bindgen(getter, js_name = maxAutoLevel)]
    pub fn max_auto_level(&self) -> i32 {
        self.index(state::MAX_AUTO_LEVEL)
    }

    /// Where live playback is kept (hls.js's `liveSyncPosition`): `liveEdgeTargetDurations`
    /// target durations behind the live edge; seek there to return to live. `null` for a VOD.
    /// With a Worker, as of its last message (each media event, each playlist reload).
    #[wasm_bindgen(getter, js_name = liveSyncPosition, unchecked_return_type = "number | null")]
    pub fn live_sync_position(&self) -> JsValue {
        let position = self.state(state::LIVE_SYNC_POSITION).as_f64();
        position.map_or(JsValue::NULL, JsValue::from)
    }

    /// Seconds the playhead is behind the live edge (hls.js's `latency`); 0 for a VOD.
    #[wasm_bindgen(getter)]
    pub fn latency(&self) -> f64 {
        self.state(state::LATENCY).as_f64().unwrap_or(0.0)
    }

    /// Whether the ABR chooses the level (`currentLevel` / `loadLevel` were not forced).
    #[wasm_bindgen(getter, js_name = autoLevelEnabled)]
    pub fn auto_level_enabled(&self) -> bool {
        self.inner.borrow().config.manual_level.is_none()
    }

    /// Bits per second, the ABR's current estimate.
    #[wasm_bindgen(getter, js_name = bandwidthEstimate)]
    pub fn bandwidth_estimate(&self) -> f64 {
        self.state(state::BANDWIDTH_ESTIMATE)
            .as_f64()
            .unwrap_or(0.0)
    }

    /// Seconds the player tries to keep buffered ahead: `bufferGoal`, or what `maxBufferSize`
    /// bytes hold at the current level's bitrate, at most `maxMaxBufferLength` (lowered after
    /// QuotaExceededError).
    #[wasm_bindgen(getter, js_name = bufferGoal)]
    pub fn buffer_goal(&self) -> f64 {
        let goal = self.state(state::BUFFER_GOAL).as_f64();
        goal.unwrap_or(self.inner.borrow().config.engine.buffer_goal)
    }

    /// A performance stat: main-thread time spent on loaded data (remux and the synchronous
    /// part of `appendBuffer`; with a Worker, handling its messages) since the player was
    /// created.
    #[wasm_bindgen(getter, js_name = mainThreadCost, unchecked_return_type = "MainThreadCost")]
    pub fn main_thread_cost(&self) -> Object {
        let cost = self.inner.borrow().main_thread;
        super::events::main_thread_cost_object(cost.count, cost.total_ms, cost.max_ms)
    }

    /// Whether a Worker runs the engine of the loaded stream.
    #[wasm_bindgen(getter, js_name = workerActive)]
    pub fn worker_active(&self) -> bool {
        matches!(self.inner.borrow().playback, Some(Playback::Worker(_)))
    }

    // `on`/`once`/`off` are typed over the `PlayerEvents` map in the table's TypeScript.

    /// Subscribes to an event; an unknown name throws.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, event: &str, callback: Function) -> Result<(), JsValue> {
        self.subscribe(event, callback, false)
    }

    /// Subscribes to the next time an event fires.
    #[wasm_bindgen(skip_typescript)]
    pub fn once(&self, event: &str, callback: Function) -> Result<(), JsValue> {
        self.subscribe(event, callback, true)
    }

    /// Unsubscribes one callback, or every callback of the event when none is given.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, event: &str, callback: Option<Function>) -> Result<(), JsValue> {
        let name = known_event(event)?;
        let mut inner = self.inner.borrow_mut();
        inner
            .handlers
            .retain(|(n, g, _)| *n != name || callback.as_ref().is_some_and(|f| !Object::is(g, f)));
        Ok(())
    }
}

impl Player {
    fn subscribe(&self, event: &str, callback: Function, once: bool) -> Result<(), JsValue> {
        let name = known_event(event)?;
        self.inner
            .borrow_mut()
            .handlers
            .push((name, callback, once));
        Ok(())
    }
}

impl Player {
    /// A getter's value (`session::state`): from the session on this thread, or as the
    /// Worker last sent it (with an event, when it changes); `undefined` before a load.
    fn state(&self, field: u32) -> JsValue {
        match self.inner.borrow().playback.as_ref() {
            Some(Playback::Here(s)) => s.state(field),
            Some(Playback::Worker(r)) => r.state.get(field),
            None => JsValue::UNDEFINED,
        }
    }

    /// A getter's list, empty before the first (or the Worker's first answer).
    fn list(&self, field: u32) -> Array {
        self.state(field).dyn_into().unwrap_or_default()
    }

    /// A getter's index, -1 for none.
    fn index(&self, field: u32) -> i32 {
        self.state(field).as_f64().map_or(-1, |i| i as i32)
    }
}

fn known_event(event: &str) -> Result<EventName, JsValue> {
    EventName::from_name(event).ok_or_else(|| {
        js_sys::Error::new(&format!(
            "hlsplay: unknown event `{event}` (known: {})",
            crate::api::known(EventName::NAMES)
        ))
        .into()
    })
}

impl Inner {
    fn link(&self) -> Link {
        Link::Page {
            weak: self.weak.clone(),
            session: self.session,
        }
    }

    /// Feeds an input to the session, wherever it runs; what it deferred.
    fn feed(&mut self, input: Input) -> Vec<Deferred> {
        match self.playback.as_mut() {
            Some(Playback::Here(session)) => session.feed(input),
            Some(Playback::Worker(remote)) => {
                remote.send(&input);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// Loads `url` in a session on this thread.
    fn start_here(&mut self, url: &str) -> Result<Vec<Deferred>, JsValue> {
        let mut session = Session::new(&self.video, &self.config, self.link())?;
        // A level pinned before this load (`currentLevel = n`) is the start level and stays.
        let mut deferred = session.feed(Input::SetLevel(self.config.manual_level));
        deferred.extend(session.feed(Input::SetLevelCap(self.config.level_cap)));
        deferred.extend(session.feed(Input::Load {
            url: url.to_string(),
        }));
        self.playback = Some(Playback::Here(Box::new(session)));
        Ok(deferred)
    }

    /// Loads `url` in a Worker; why not, when it cannot start here and now (a Worker that
    /// fails later falls back in `fall_back`).
    fn start_worker(&mut self, url: &str) -> Result<(), String> {
        let spawn = SPAWN.with(|s| s.borrow().clone()).ok_or(
            "the Worker entry was not set up (the wasm was initialised other than by the package's init())",
        )?;
        // MSE in the Worker where the browser can construct it there (and the app lets it);
        // elsewhere the Worker posts its fragments to a MediaSource on this page.
        let global = js_sys::global();
        let in_worker = self.config.worker_media_source
            && Reflect::get(&global, &"MediaSource".into())
                .and_then(|m| Reflect::get(&m, &"canConstructInDedicatedWorker".into()))
                .is_ok_and(|v| v.is_truthy());
        let _ = Reflect::set(
            &self.worker_config,
            &"workerMediaSource".into(),
            &in_worker.into(),
        );
        let (on_message, on_error, on_mse) = (self.link(), self.link(), self.link());
        let mut remote = Remote::start(
            &spawn,
            &self.worker_config,
            &self.video,
            Rc::new(move |ops| worker_ops(&on_message, &ops)),
            move |reason| fall_back(&on_error, reason),
            Rc::new(move |event| page_mse_event(&on_mse, event)),
        )
        .map_err(|e| super::dom::error_message(&e, "the Worker could not be created"))?;
        remote.send(&Input::SetLevel(self.config.manual_level));
        remote.send(&Input::SetLevelCap(self.config.level_cap));
        remote.send(&Input::Load {
            url: url.to_string(),
        });
        remote.tick();
        remote.url = url.to_string();
        self.playback = Some(Playback::Worker(remote));
        Ok(())
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
}

/// Runs what a session deferred, with the player's state released.
fn run_deferred(rc: &Rc<RefCell<Inner>>, deferred: Vec<Deferred>) {
    for item in deferred {
        match item {
            Deferred::Emit(event) => emit(rc, event_name(&event), &|inner| {
                let session = match inner.playback.as_ref() {
                    Some(Playback::Here(session)) => Some(session),
                    _ => None,
                };
                event_payload(&event, &|track| {
                    session.map_or("video", |s| s.track_kind(track))
                })
            }),
            Deferred::Refresh => refresh_credentials(rc),
            Deferred::Log(decision) => log(rc, &decision),
        }
    }
}

/// A batch of ops from the session's Worker: performed, then the app's callbacks run.
fn worker_ops(link: &Link, ops: &JsValue) {
    let Link::Page { weak, session } = link else {
        return;
    };
    let Some(rc) = weak.upgrade() else {
        return;
    };
    let jobs = {
        let Ok(mut inner) = rc.try_borrow_mut() else {
            return;
        };
        let inner = &mut *inner;
        let Some(Playback::Worker(remote)) = inner
            .playback
            .as_mut()
            .filter(|_| inner.session == *session)
        else {
            return;
        };
        let started = now_seconds();
        let before = remote.count;
        let jobs = remote.perform(ops);
        let cost = &mut inner.main_thread;
        cost.record((now_seconds() - started) * 1000.0, remote.count > before);
        for _ in before.saturating_add(1)..remote.count {
            cost.record(0.0, true);
        }
        jobs
    };
    for job in jobs {
        match job {
            Job::Emit(name, payload) => {
                if let Some(name) = EventName::from_name(&name) {
                    emit(&rc, name, &|_| payload.clone());
                }
            }
            Job::Refresh => refresh_credentials(&rc),
            Job::Log(line) => log_line(&rc, line),
            Job::Fail(reason) => fall_back(link, reason),
        }
    }
}

/// The page's MediaSource (fed by a Worker) reported `event`; the page's time on it counts.
fn page_mse_event(link: &Link, event: mse::MseEvent) {
    let Link::Page { weak, session } = link else {
        return;
    };
    let Some(rc) = weak.upgrade() else {
        return;
    };
    let Ok(mut inner) = rc.try_borrow_mut() else {
        return;
    };
    let inner = &mut *inner;
    if inner.session != *session {
        return;
    }
    if let Some(Playback::Worker(remote)) = inner.playback.as_mut() {
        let started = now_seconds();
        remote.on_mse_event(event);
        let ms = (now_seconds() - started) * 1000.0;
        inner.main_thread.record(ms, false);
    }
}

/// The Worker could not run the player: the stream is loaded again on this thread, and the
/// app told why (after the callback under way has returned: it belongs to the Worker).
fn fall_back(link: &Link, reason: String) {
    let link = link.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Link::Page { weak, session } = &link else {
            return;
        };
        let Some(rc) = weak.upgrade() else {
            return;
        };
        let deferred = {
            let mut inner = rc.borrow_mut();
            if inner.session != *session {
                return;
            }
            let url = match inner.playback.take() {
                Some(Playback::Worker(remote)) => remote.url.clone(),
                other => {
                    inner.playback = other;
                    return;
                }
            };
            inner.start_here(&url).unwrap_or_default()
        };
        emit(&rc, EventName::error, &|_| {
            super::events::worker_warning(&reason)
        });
        run_deferred(&rc, deferred);
    });
}

/// A decision for the app's `debug` log: to `console.debug`, or to the app's function.
fn log(rc: &Rc<RefCell<Inner>>, decision: &Decision) {
    log_line(rc, decision.to_string());
}

fn log_line(rc: &Rc<RefCell<Inner>>, line: String) {
    let target = match &rc.borrow().config.debug {
        Some(Logger::Function(f)) => Some(f.clone()),
        Some(Logger::Console) => None,
        None => return,
    };
    match target {
        Some(f) => {
            if let Err(error) = f.call1(&JsValue::NULL, &line.into()) {
                web_sys::console::error_2(&"hlsplay: the `debug` logger threw".into(), &error);
            }
        }
        None => web_sys::console::debug_1(&format!("hlsplay: {line}").into()),
    }
}

/// Calls the event's handlers with the payload `payload` makes (only when there are some).
/// `&dyn`: one copy of this function for its callers.
fn emit(rc: &Rc<RefCell<Inner>>, name: EventName, payload: &dyn Fn(&Inner) -> JsValue) {
    let (handlers, payload) = {
        let mut inner = rc.borrow_mut();
        // The event's handlers, in subscription order; `once` handlers are called this time only.
        let mut handlers = Vec::new();
        inner.handlers.retain(|(n, f, once)| {
            if *n == name {
                handlers.push(f.clone());
                return !*once;
            }
            true
        });
        if handlers.is_empty() {
            return;
        }
        (handlers, payload(&inner))
    };
    for handler in handlers {
        // An app handler that throws must not stop the player.
        if let Err(error) = handler.call1(&JsValue::NULL, &payload) {
            web_sys::console::error_2(
                &format!("hlsplay: `{}` handler threw", name.as_str()).into(),
                &error,
            );
        }
    }
}

/// Calls the app's `refreshCredentials()` and reports the outcome to the engine. Called for
/// every `Output::RefreshCredentials`: the engine asks once per need.
fn refresh_credentials(rc: &Rc<RefCell<Inner>>) {
    let (callback, link) = {
        let inner = rc.borrow();
        (inner.config.refresh_credentials.clone(), inner.link())
    };
    let Some(callback) = callback else {
        let reason = "no refreshCredentials callback was configured".to_string();
        link.feed(Input::CredentialsRefreshFailed { reason });
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
        link.feed(input);
    });
}

/// `{ expires }` from the app is a Unix time in seconds (as CloudFront policies write it); the
/// engine's clock is the page's monotonic clock.
fn expires_on_engine_clock(value: &JsValue) -> Option<f64> {
    let expires = Reflect::get(value, &"expires".into()).ok()?.as_f64()?;
    let unix_now = js_sys::Date::now() / 1000.0;
    Some(now_seconds() + (expires - unix_now))
}
