//! The `Player` JS class, the facade over one [`Session`] per `load()`: it holds the config, the
//! app's event handlers and the current session, and runs JS callbacks (app event handlers,
//! `refreshCredentials`) only after the player's state is released, so a handler may call back
//! into the player. Driving the engine is `session.rs`'s, the element's listeners
//! `media_events.rs`'s.
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
use super::session::{Deferred, Session};
use crate::api::EventName;
use crate::engine::{Decision, Event, Input};

/// An HLS player bound to one `<video>` element.
#[wasm_bindgen]
pub struct Player {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    video: HtmlVideoElement,
    config: PlayerConfig,
    /// (event, callback, once) in subscription order: a Vec is smaller in wasm than a map.
    handlers: Vec<(EventName, Function, bool)>,
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
}

/// How a browser callback reaches its session: the player, weakly (the page may drop it), and
/// the `load()` the callback belongs to.
#[derive(Clone)]
pub struct Link {
    weak: Weak<RefCell<Inner>>,
    session: u32,
}

impl Link {
    /// Runs `f` on the session if the player still exists and this is still its current
    /// session, then what `f` deferred, with the player's state released.
    pub fn with(&self, f: impl FnOnce(&mut Session, &mut MainThreadCost) -> Vec<Deferred>) {
        let Some(rc) = self.weak.upgrade() else {
            return;
        };
        let deferred = {
            let Ok(mut inner) = rc.try_borrow_mut() else {
                return;
            };
            let inner = &mut *inner;
            if inner.session != self.session {
                return;
            }
            let Some(session) = inner.playback.as_mut() else {
                return;
            };
            f(session, &mut inner.main_thread)
        };
        run_deferred(&rc, deferred);
    }

    fn feed(&self, input: Input) {
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
            let link = Link {
                weak: inner.weak.clone(),
                session: inner.session,
            };
            let mut session = Session::new(&inner.video, &inner.config, link)?;
            // A level pinned before this load (`currentLevel = n`) is the start level and stays.
            let mut deferred = session.feed(Input::SetLevel(inner.config.manual_level));
            deferred.extend(session.feed(Input::Load {
                url: url.to_string(),
            }));
            inner.playback = Some(session);
            inner.keep_alive = Some(self.inner.clone());
            deferred
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

    /// The variant streams, lowest bitrate first.
    #[wasm_bindgen(getter, unchecked_return_type = "Level[]")]
    pub fn levels(&self) -> Array {
        let inner = self.inner.borrow();
        let levels = inner
            .playback
            .as_ref()
            .map(|s| s.engine.levels())
            .unwrap_or_default();
        super::events::level_list(&levels)
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
            match inner.playback.as_mut() {
                Some(session) => session.feed(input),
                None => Vec::new(),
            }
        };
        run_deferred(&self.inner, deferred);
    }

    /// The audio tracks of the level in use (hls.js's `audioTracks`).
    #[wasm_bindgen(getter, js_name = audioTracks, unchecked_return_type = "AudioTrack[]")]
    pub fn audio_tracks(&self) -> Array {
        let inner = self.inner.borrow();
        let tracks = inner.playback.as_ref().map(|s| s.engine.audio_tracks());
        super::events::audio_track_list(&tracks.unwrap_or_default())
    }

    /// The index in `audioTracks` of the track playing, or -1 when there is none.
    #[wasm_bindgen(getter, js_name = audioTrack)]
    pub fn audio_track(&self) -> i32 {
        let inner = self.inner.borrow();
        let track = inner.playback.as_ref().and_then(|s| s.engine.audio_track());
        track.map_or(-1, |t| t as i32)
    }

    /// Plays `audioTracks[id]`: the audio ahead of the playhead is replaced, video goes on.
    #[wasm_bindgen(setter, js_name = audioTrack)]
    pub fn set_audio_track(&self, id: i32) {
        let Ok(id) = usize::try_from(id) else {
            return;
        };
        let deferred = match self.inner.borrow_mut().playback.as_mut() {
            Some(session) => session.feed(Input::SetAudioTrack(id)),
            None => Vec::new(),
        };
        run_deferred(&self.inner, deferred);
    }

    /// The subtitle and caption tracks: `[{ id, name, lang, groupId, default, forced,
    /// autoselect, kind }]` (hls.js's `subtitleTracks`; `kind` is `subtitles` or `captions`).
    #[wasm_bindgen(getter, js_name = subtitleTracks, unchecked_return_type = "SubtitleTrack[]")]
    pub fn subtitle_tracks(&self) -> Array {
        let inner = self.inner.borrow();
        let tracks = inner.playback.as_ref().map(|s| s.engine.subtitle_tracks());
        super::events::subtitle_track_list(&tracks.unwrap_or_default())
    }

    /// The index in `subtitleTracks` of the track chosen, or -1 when subtitles are off.
    #[wasm_bindgen(getter, js_name = subtitleTrack)]
    pub fn subtitle_track(&self) -> i32 {
        let inner = self.inner.borrow();
        let track = inner
            .playback
            .as_ref()
            .and_then(|s| s.engine.subtitle_track());
        super::events::track_index(track)
    }

    /// Shows `subtitleTracks[id]`; -1 turns subtitles off (FORCED ones still show).
    #[wasm_bindgen(setter, js_name = subtitleTrack)]
    pub fn set_subtitle_track(&self, id: i32) {
        let input = Input::SetSubtitleTrack(usize::try_from(id).ok());
        let deferred = match self.inner.borrow_mut().playback.as_mut() {
            Some(session) => session.feed(input),
            None => Vec::new(),
        };
        run_deferred(&self.inner, deferred);
    }

    /// Whether the ABR chooses the level (`currentLevel` / `loadLevel` were not forced).
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

    /// A performance stat: main-thread time spent on loaded data (remux and the synchronous
    /// part of `appendBuffer`) since the player was created.
    #[wasm_bindgen(getter, js_name = mainThreadCost, unchecked_return_type = "MainThreadCost")]
    pub fn main_thread_cost(&self) -> Object {
        let cost = self.inner.borrow().main_thread;
        super::events::main_thread_cost_object(cost.count, cost.total_ms, cost.max_ms)
    }

    /// Whether a Worker runs the engine. Never yet: the engine runs on the page's thread.
    #[wasm_bindgen(getter, js_name = workerActive)]
    pub fn worker_active(&self) -> bool {
        false
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
            Deferred::Emit(event) => emit(rc, &event),
            Deferred::Refresh => refresh_credentials(rc),
            Deferred::Log(decision) => log(rc, &decision),
        }
    }
}

/// A decision for the app's `debug` log: to `console.debug`, or to the app's function.
fn log(rc: &Rc<RefCell<Inner>>, decision: &Decision) {
    let target = match &rc.borrow().config.debug {
        Some(Logger::Function(f)) => Some(f.clone()),
        Some(Logger::Console) => None,
        None => return,
    };
    let line = decision.to_string();
    match target {
        Some(f) => {
            if let Err(error) = f.call1(&JsValue::NULL, &line.into()) {
                web_sys::console::error_2(&"hlsplay: the `debug` logger threw".into(), &error);
            }
        }
        None => web_sys::console::debug_1(&format!("hlsplay: {line}").into()),
    }
}

fn emit(rc: &Rc<RefCell<Inner>>, event: &Event) {
    let name = event_name(event);
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
        let session = inner.playback.as_ref();
        let kinds = |track| session.map_or("video", |s| s.track_kind(track));
        (handlers, event_payload(event, kinds))
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
        let link = Link {
            weak: Rc::downgrade(rc),
            session: inner.session,
        };
        (inner.config.refresh_credentials.clone(), link)
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
