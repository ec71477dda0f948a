//! The page's side of `worker: true`: the Worker that runs the session (see `worker.rs`), the
//! element's listeners reporting its state to it, and what the Worker's ops ask of the page:
//! the `srcObject`, `currentTime`, the `TextTrack`s, and the app's events and callbacks (run by
//! `player.rs` with the player's state released). The getters answer from the last snapshot.
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlVideoElement;

use super::dom::{Interval, Listener, Timer};
use super::media_events::{self, element_size, media_state};
use super::mse::{MseEvent, MseSink};
use super::session::state;
use super::text_tracks::TextTracks;
use super::wire::{self, op};
use crate::engine::Input;

#[wasm_bindgen]
extern "C" {
    /// A `Worker`, through the three members used.
    #[wasm_bindgen(js_name = Worker)]
    #[derive(Clone)]
    pub type WorkerHandle;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post(this: &WorkerHandle, message: &JsValue);
    #[wasm_bindgen(method)]
    fn terminate(this: &WorkerHandle);
}

/// The package's `spawn(module, what)` (`hlsplay.js`) keeps one Worker ready ahead of `load()`,
/// started as the package is imported: `init()` and each `new Player()` with `worker: true` keep
/// it (`what` 0) and post it this page's Module, which it instantiates at once, so a Worker's
/// start (a thread and its scripts, 40 ms and more) is off the first frame's path. `load()`
/// takes it (1), or a new one; one whose script failed meanwhile carries why (`failed`). Where
/// MSE is missing, or for a Player made with `worker: false`, it is ended (2).
pub fn prepare_worker(spawn: &js_sys::Function, wanted: bool) {
    let what = if wanted { 0 } else { 2 };
    let _ = spawn.call2(&JsValue::NULL, &wasm_bindgen::module(), &what.into());
}

fn take_worker(spawn: &js_sys::Function) -> Result<WorkerHandle, JsValue> {
    let worker: WorkerHandle = spawn
        .call2(&JsValue::NULL, &wasm_bindgen::module(), &1.into())?
        .unchecked_into();
    match Reflect::get(&worker, &"failed".into())?.as_string() {
        Some(why) => {
            worker.terminate();
            Err(why.into())
        }
        None => Ok(worker),
    }
}

/// What a Worker's `error` event says (a script that did not load or threw at its start).
fn script_error(event: &web_sys::Event) -> String {
    Reflect::get(event, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the Worker script did not start".to_string())
}

/// What the app's callbacks need, from one batch of the Worker's ops.
pub enum Job {
    Emit(String, JsValue),
    Refresh,
    Log(String),
    /// The Worker cannot run the player: run it on the page instead.
    Fail(String),
}

pub struct Remote {
    worker: WorkerHandle,
    video: HtmlVideoElement,
    pub url: String,
    text: TextTracks,
    /// What the getters read (`session::state` order), as the Worker last sent it.
    pub state: Array,
    /// Segments loaded, as the Worker counts them.
    pub count: u32,
    /// The Worker's MediaSource is the element's `srcObject`.
    attached: bool,
    /// The page's MediaSource, fed with the fragments the Worker posts (`op::ATTACH`), and what
    /// it reports, for the Worker (`Player`'s `page_mse_event`).
    mse: Option<MseSink>,
    on_mse: Rc<dyn Fn(MseEvent)>,
    /// Batches of ops held back until the element may take a source (see `perform`), how many
    /// times they were, and the message handler that performs them later.
    held: Vec<JsValue>,
    waits: u8,
    replay: Rc<dyn Fn(JsValue)>,
    _later: Option<Timer>,
    _listeners: Vec<Listener>,
    /// The element's state every 250 ms (the Worker's engine cannot read it when its timer fires).
    _tick: Option<Interval>,
}

impl Remote {
    /// Runs the session in a Worker from `spawn` (see [`take_worker`]) on the app's config;
    /// `on_message` gets each batch of ops.
    pub fn start(
        spawn: &js_sys::Function,
        config: &Object,
        video: &HtmlVideoElement,
        on_message: Rc<dyn Fn(JsValue)>,
        on_error: impl Fn(String) + 'static,
        on_mse: Rc<dyn Fn(MseEvent)>,
    ) -> Result<Self, JsValue> {
        let worker = take_worker(spawn)?;
        let target: &web_sys::EventTarget = worker.unchecked_ref();
        let replay = on_message.clone();
        let message = Listener::new(target, "message", move |e| {
            on_message(Reflect::get(&e, &"data".into()).unwrap_or_default())
        })?;
        let error = Listener::new(target, "error", move |e| on_error(script_error(&e)))?;
        worker.post(config);
        let mut remote = Remote {
            worker,
            video: video.clone(),
            url: String::new(),
            text: TextTracks::default(),
            state: Array::new(),
            count: 0,
            attached: false,
            mse: None,
            on_mse,
            held: Vec::new(),
            waits: 0,
            replay,
            _later: None,
            _listeners: vec![message, error],
            _tick: None,
        };
        let port = remote.port();
        remote._listeners.extend(media_events::listen(
            video,
            Rc::new(move |input| port(&input)),
        )?);
        remote.send(&element_size(video));
        Ok(remote)
    }

    /// A function that posts an input to the Worker (for the element's listeners).
    fn port(&self) -> impl Fn(&Input) + Clone + 'static {
        let worker = self.worker.clone();
        move |input| {
            if let Some(message) = wire::encode(input) {
                worker.post(&message);
            }
        }
    }

    pub fn send(&self, input: &Input) {
        (self.port())(input);
    }

    /// Starts the 250 ms report of the element's state.
    pub fn tick(&mut self) {
        let port = self.port();
        let video = self.video.clone();
        self._tick = Some(Interval::new(250, move || port(&media_state(&video))));
    }

    /// The page's MediaSource reported `event`: its answer goes to the Worker's engine.
    pub fn on_mse_event(&mut self, event: MseEvent) {
        if let Some(input) = self.mse.as_mut().and_then(|mse| mse.answer(event)) {
            self.send(&input);
        }
    }

    /// Performs a batch of ops (`undefined`: the batches held); what needs the app's callbacks
    /// is returned.
    pub fn perform(&mut self, ops: &JsValue) -> Vec<Job> {
        if !ops.is_undefined() {
            self.held.push(ops.clone());
        }
        // A `play()` in the task that called `load()` starts the element's resource selection,
        // which ends in a later task; a source set before then aborts it and rejects that
        // `play()` (AbortError, the element paused). A Worker ready ahead can answer first: its
        // ops wait for the element, a few tasks at most.
        let selecting = self.video.network_state() == web_sys::HtmlMediaElement::NETWORK_NO_SOURCE;
        if selecting && !self.attached && self.mse.is_none() && self.waits < 5 {
            self.waits += 1;
            let replay = self.replay.clone();
            self._later = Timer::new(0.0, move || replay(JsValue::UNDEFINED)).ok();
            return Vec::new();
        }
        let mut jobs = Vec::new();
        for batch in std::mem::take(&mut self.held) {
            self.perform_batch(&batch, &mut jobs);
        }
        jobs
    }

    fn perform_batch(&mut self, ops: &JsValue, jobs: &mut Vec<Job>) {
        let Some(ops) = ops.dyn_ref::<Array>() else {
            return;
        };
        for item in ops.iter() {
            let Ok(item) = item.dyn_into::<Array>() else {
                continue;
            };
            let arg = |i| item.get(i);
            let int = |i| arg(i).as_f64().unwrap_or(-1.0) as i32;
            match arg(0).as_f64().map(|code| code as u32) {
                Some(op::HANDLE) => {
                    let _ = Reflect::set(&self.video, &"srcObject".into(), &arg(1));
                    self.attached = true;
                }
                Some(op::FAILED) => jobs.push(Job::Fail(arg(1).as_string().unwrap_or_default())),
                Some(op::EVENT) => {
                    jobs.push(Job::Emit(arg(1).as_string().unwrap_or_default(), arg(2)))
                }
                Some(op::REFRESH) => jobs.push(Job::Refresh),
                Some(op::LOG) => jobs.push(Job::Log(arg(1).as_string().unwrap_or_default())),
                Some(op::POSITION) => self.video.set_current_time(arg(1).as_f64().unwrap_or(0.0)),
                Some(op::TRACKS) => {
                    let tracks = wire::subtitle_tracks_from_js(&arg(1));
                    self.text.update(&self.video, &tracks);
                }
                Some(op::ADD_CUES) => self.text.add(int(1) as usize, wire::cues_from_js(&arg(2))),
                Some(op::REMOVE_CUES) => self
                    .text
                    .remove(int(1) as usize, &wire::cue_ids_from_js(&arg(2))),
                Some(op::SHOW) => self.text.show(usize::try_from(int(1)).ok()),
                Some(op::STATE) => self.state = arg(1).dyn_into().unwrap_or_default(),
                Some(op::COUNT) => self.count = int(1).max(0) as u32,
                Some(op::LIVE) => {
                    self.state.set(state::LIVE_SYNC_POSITION, arg(1));
                    self.state.set(state::LATENCY, arg(2));
                }
                Some(op::ATTACH) => match MseSink::attach(&self.video, self.on_mse.clone()) {
                    Ok(mse) => self.mse = Some(mse),
                    Err(e) => jobs.push(Job::Fail(super::dom::error_message(
                        &e,
                        "the page's MediaSource could not be attached",
                    ))),
                },
                Some(_) => {
                    let input = self.mse.as_mut().and_then(|m| wire::perform_mse(m, &item));
                    if let Some(input) = input {
                        self.send(&input);
                    }
                }
                None => {}
            }
        }
    }
}

/// Ends the Worker (its requests and MediaSource with it) and detaches the element. An element
/// never attached is left alone: reloading it would reject the page's pending `play()`, which
/// the fallback to this thread then fulfils.
impl Drop for Remote {
    fn drop(&mut self) {
        // The Worker aborts its requests and closes itself; should it be busy past a second,
        // it is terminated.
        self.worker.post(&wire::stop());
        let worker = self.worker.clone();
        let end = Closure::once_into_js(move || worker.terminate());
        let _ = super::dom::set_timeout(end.unchecked_ref(), 1000);
        if !self.attached {
            return;
        }
        let _ = Reflect::set(&self.video, &"srcObject".into(), &JsValue::NULL);
        self.video.remove_attribute("src").ok();
        self.video.load();
    }
}
