//! RAII wrappers: dropping a [`Listener`] removes the event listener and frees its closure; dropping
//! a [`Timer`] clears the timeout. Everything the player registers with the browser goes through
//! these, so dropping the player leaves nothing behind.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

// The global scope's own functions, the same in a page and in a Worker (where `window` is not).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, delay_ms: i32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval(callback: &js_sys::Function, period_ms: i32) -> i32;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval(id: i32);
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    /// `fetch(request)` of the global scope.
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch_request(request: &web_sys::Request) -> js_sys::Promise;
}

/// An event listener that is removed when dropped.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        callback: impl FnMut(Event) + 'static,
    ) -> Result<Self, JsValue> {
        let closure = Closure::<dyn FnMut(Event)>::new(callback);
        target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())?;
        Ok(Listener {
            target: target.clone(),
            kind,
            closure,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// A `setTimeout` that is cleared when dropped.
pub struct Timer {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn new(delay_ms: f64, callback: impl FnMut() + 'static) -> Result<Self, JsValue> {
        let closure = Closure::<dyn FnMut()>::new(callback);
        let delay = delay_ms.clamp(0.0, i32::MAX as f64) as i32;
        let id = set_timeout(closure.as_ref().unchecked_ref(), delay);
        Ok(Timer {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}

/// A `setInterval` that is cleared when dropped.
pub struct Interval {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Interval {
    pub fn new(period_ms: i32, callback: impl FnMut() + 'static) -> Self {
        let closure = Closure::<dyn FnMut()>::new(callback);
        let id = set_interval(closure.as_ref().unchecked_ref(), period_ms);
        Interval {
            id,
            _closure: closure,
        }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        clear_interval(self.id);
    }
}

pub fn window() -> Result<web_sys::Window, JsValue> {
    web_sys::window().ok_or_else(|| JsValue::from_str("hlsplay: no window (not running in a page)"))
}

/// Seconds on this thread's monotonic clock (a Worker's starts at the Worker's creation).
pub fn now_seconds() -> f64 {
    performance_now() / 1000.0
}

/// The message of a thrown JS value (an `Error`, a `DOMException` or a string), else `fallback`.
pub fn error_message(error: &JsValue, fallback: &str) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| {
            error
                .dyn_ref::<web_sys::DomException>()
                .map(|e| e.message())
        })
        .or_else(|| error.as_string())
        .unwrap_or_else(|| fallback.to_string())
}
