//! The loader: `fetch` with the configured credentials mode (CloudFront signed cookies need
//! `include`), one `AbortController` per request, and the body read as a stream so the engine sees
//! the time to first byte and the bytes so far (for the ABR's abandon rule); a segment body can be
//! handed over chunk by chunk (`FetchSpec::stream`) to be remuxed and appended while it arrives.
//! No custom headers (no CORS preflight, which would carry no cookies); a byte range is one
//! CORS-safelisted `Range` header.
use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, ReadableStreamDefaultReader, Request, RequestCredentials, RequestInit,
    Response,
};

/// Error bodies are read only this far: enough for CloudFront's XML, bounded whatever a server sends.
const MAX_ERROR_BODY: usize = 4096;
/// Preallocation is trusted from Content-Length only up to this.
const MAX_PREALLOCATE: usize = 64 << 20;

pub struct FetchSpec {
    pub url: String,
    /// Inclusive first and last byte.
    pub range: Option<(u64, u64)>,
    pub credentials: RequestCredentials,
    /// Hand a 2xx body over chunk by chunk (`Chunk`) instead of collecting it: `Complete` then
    /// carries an empty body, and no second copy of the whole body is kept.
    pub stream: bool,
}

pub enum FetchEvent {
    /// Response headers arrived; `total` from Content-Length when the server sent it.
    Headers { total: Option<u64> },
    /// Body bytes received so far, and the expected total when known.
    Progress { loaded: u64, total: Option<u64> },
    /// A streamed body's next bytes (`loaded` counts them too).
    Chunk {
        data: Vec<u8>,
        loaded: u64,
        total: Option<u64>,
    },
    /// The whole body (for an error status, its first few KB).
    Complete { status: u16, body: Vec<u8> },
    /// `fetch` rejected: offline, DNS, or a response the browser hid from the page (a CDN refusal
    /// without CORS headers arrives like this, as status 0).
    NetworkError,
}

/// A request under way; dropping it aborts the request and silences its callbacks.
pub struct InFlight {
    controller: AbortController,
    cancelled: Rc<Cell<bool>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.cancelled.set(true);
        self.controller.abort();
    }
}

pub fn start(spec: FetchSpec, sink: impl Fn(FetchEvent) + 'static) -> Result<InFlight, JsValue> {
    let controller = AbortController::new()?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_credentials(spec.credentials);
    init.set_signal(Some(&controller.signal()));
    let request = Request::new_with_str_and_init(&spec.url, &init)?;
    if let Some((first, last)) = spec.range {
        request
            .headers()
            .set("Range", &format!("bytes={first}-{last}"))?;
    }
    let cancelled = Rc::new(Cell::new(false));
    let flag = cancelled.clone();
    let stream = spec.stream;
    let promise = super::dom::fetch_request(&request);
    wasm_bindgen_futures::spawn_local(async move {
        let event = match run(promise, &flag, &sink, stream).await {
            Ok(Some(done)) => done,
            Ok(None) => return,
            Err(_) => FetchEvent::NetworkError,
        };
        if !flag.get() {
            sink(event);
        }
    });
    Ok(InFlight {
        controller,
        cancelled,
    })
}

/// Only a successful body is streamed (error bodies are read whole, bounded).
fn spec_stream(response: &Response, status: u16, stream: bool) -> bool {
    stream && response.ok() && (200..300).contains(&status)
}

/// Reads the response; `Ok(None)` when cancelled part-way.
async fn run(
    promise: js_sys::Promise,
    cancelled: &Cell<bool>,
    sink: &impl Fn(FetchEvent),
    stream: bool,
) -> Result<Option<FetchEvent>, JsValue> {
    let response: Response = JsFuture::from(promise).await?.dyn_into()?;
    if cancelled.get() {
        return Ok(None);
    }
    let status = response.status();
    let is_error = status >= 400;
    let limit = if is_error { MAX_ERROR_BODY } else { usize::MAX };
    // Content-Length is the encoded size; it is only a hint here (size estimate, preallocation).
    let total = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|_| !is_error);
    sink(FetchEvent::Headers { total });
    let capacity = usize::try_from(total.unwrap_or(0))
        .unwrap_or(0)
        .min(MAX_PREALLOCATE);
    let stream_body = spec_stream(&response, status, stream);
    let mut body = Vec::with_capacity(if stream_body { 0 } else { capacity });
    let mut loaded = 0u64;
    let Some(stream) = response.body() else {
        return Ok(Some(FetchEvent::Complete { status, body }));
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().dyn_into()?;
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if cancelled.get() {
            return Ok(None);
        }
        if Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
        if stream_body {
            loaded += u64::from(value.length());
            sink(FetchEvent::Chunk {
                data: value.to_vec(),
                loaded,
                total,
            });
            continue;
        }
        let start = body.len();
        let take = (value.length() as usize).min(limit - start);
        body.resize(start + take, 0);
        if let Some(dest) = body.get_mut(start..) {
            value.subarray(0, take as u32).copy_to(dest);
        }
        if body.len() >= limit {
            let _ = reader.cancel();
            break;
        }
        if !is_error {
            sink(FetchEvent::Progress {
                loaded: body.len() as u64,
                total,
            });
        }
    }
    Ok(Some(FetchEvent::Complete { status, body }))
}
