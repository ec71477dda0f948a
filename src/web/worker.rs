//! The Worker's side of `worker: true`: one [`Session`] (engine, fetch, remux, decryption,
//! MediaSource) in a dedicated module Worker started by `hlsplay-worker.js`. The page's inputs
//! arrive as messages (`wire::decode`); after each drain, what only the page can do (events,
//! the element, `TextTrack`s, `refreshCredentials`) goes back as one batch of ops, with the
//! state the `Player`'s getters answer from whenever an event goes with it.
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::config::PlayerConfig;
use super::dom::Listener;
use super::events::{event_name, event_payload};
use super::player::{Link, MainThreadCost, SessionFn};
use super::session::{state, Deferred, Session};
use super::wire::{self, op};

#[wasm_bindgen]
extern "C" {
    /// The Worker's global `postMessage`.
    #[wasm_bindgen(js_name = postMessage)]
    fn post_message(message: &JsValue);
    #[wasm_bindgen(js_name = postMessage)]
    fn post_message_transfer(message: &JsValue, transfer: &Array);
    /// The Worker's global `close()`: it ends once the current task is over.
    #[wasm_bindgen(js_name = close)]
    fn close_worker();
}

/// The Worker's one session and its segment count (the Worker's own time is not the page's).
pub struct Host {
    session: Option<Session>,
    cost: MainThreadCost,
    posted_count: u32,
}

/// Called by `hlsplay-worker.js` once the wasm is instantiated, with the app's config (as
/// `wire::config_for_worker` made it) and the messages that arrived meanwhile.
#[wasm_bindgen(js_name = workerMain, skip_typescript)]
pub fn worker_main(config: Option<Object>, early: Array) {
    if let Err(error) = start(config, &early) {
        let reason = super::dom::error_message(&error, "the Worker could not start the player");
        let ops = wire::array(&[wire::array(&[op::FAILED.into(), reason.into()]).into()]);
        post_message(&ops);
    }
}

fn start(config: Option<Object>, early: &Array) -> Result<(), JsValue> {
    let config = PlayerConfig::from_js(config.as_ref())?;
    let host = Rc::new(RefCell::new(Host {
        session: None,
        cost: MainThreadCost::default(),
        posted_count: 0,
    }));
    let link = Link::Worker(Rc::downgrade(&host));
    let (session, first, transfer) = Session::in_worker(&config, link.clone())?;
    host.borrow_mut().session = Some(session);
    post_message_transfer(&wire::array(&[first.into()]), &transfer);
    let on_message = link.clone();
    let listener = Listener::new(js_sys::global().unchecked_ref(), "message", move |e| {
        let data = js_sys::Reflect::get(&e, &"data".into()).unwrap_or_default();
        receive(&on_message, &data);
    })?;
    for message in early.iter() {
        receive(&link, &message);
    }
    // The Worker lives as long as the page keeps it (`terminate()` ends everything at once).
    std::mem::forget(listener);
    std::mem::forget(host);
    Ok(())
}

fn receive(link: &Link, message: &JsValue) {
    if wire::is_stop(message) {
        // Dropping the session aborts its requests now; `terminate()` alone may leave a response
        // being read until the Worker's thread is torn down.
        if let Link::Worker(host) = link {
            if let Some(host) = host.upgrade() {
                host.borrow_mut().session = None;
            }
        }
        close_worker();
        return;
    }
    if let Some(input) = wire::decode(message) {
        link.with(|session, _| session.feed(input));
    }
}

/// [`Link::with`] for a Worker's session: `f`, then one message with everything for the page.
pub fn with(host: &Weak<RefCell<Host>>, f: Box<SessionFn<'_>>) {
    let Some(rc) = host.upgrade() else {
        return;
    };
    let Ok(mut host) = rc.try_borrow_mut() else {
        return;
    };
    let host = &mut *host;
    let Some(session) = host.session.as_mut() else {
        return;
    };
    let deferred = f(session, &mut host.cost);
    let (ops, transfer) = session.take_ops();
    let push = |items: &[JsValue]| {
        ops.push(&wire::array(items));
    };
    if deferred.iter().any(|d| matches!(d, Deferred::Emit(_))) {
        push(&[op::STATE.into(), snapshot(session).into()]);
    }
    let live = session.state(state::LIVE_SYNC_POSITION);
    if live.as_f64().is_some() {
        push(&[op::LIVE.into(), live, session.state(state::LATENCY)]);
    }
    if host.cost.count() != host.posted_count {
        host.posted_count = host.cost.count();
        push(&[op::COUNT.into(), host.posted_count.into()]);
    }
    for item in deferred {
        match item {
            Deferred::Emit(event) => {
                let payload = event_payload(&event, &|t| session.track_kind(t));
                push(&[
                    op::EVENT.into(),
                    event_name(&event).as_str().into(),
                    payload,
                ]);
            }
            Deferred::Refresh => push(&[op::REFRESH.into()]),
            Deferred::Log(decision) => push(&[op::LOG.into(), decision.to_string().into()]),
        }
    }
    if ops.length() > 0 {
        post_message_transfer(&ops, &transfer);
    }
}

/// What the getters read, in `state::*` order.
fn snapshot(session: &Session) -> Array {
    let list = Array::new();
    for field in 0..state::COUNT {
        list.push(&session.state(field));
    }
    list
}
