//! The Media Source Extensions sink: one `MediaSource` attached to the media element and one
//! `SourceBuffer` per engine track. It performs one engine output at a time and says how it went;
//! it keeps no queue, no end-of-stream state and no deferred duration: the engine sends one
//! `Append`/`Remove` per SourceBuffer at a time, waits for its answer, and sends
//! `AddSourceBuffer`, appends and `SetDuration` only when MSE allows them.
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    DomException, HtmlMediaElement, MediaSource, MediaSourceReadyState, SourceBuffer, Url,
};

use super::dom::Listener;
use crate::engine::{Input, TrackId, TrackKind};

#[wasm_bindgen]
extern "C" {
    /// A `SourceBuffer` seen through the one method used with another signature than web-sys's.
    #[wasm_bindgen(js_name = SourceBuffer)]
    type BorrowingSourceBuffer;

    /// `appendBuffer` with the bytes borrowed: wasm-bindgen hands JS a view of wasm memory, and
    /// the browser copies it once into the SourceBuffer's input buffer, synchronously. (web-sys's
    /// `append_buffer_with_u8_array` wants `&mut [u8]`, which the engine's shared `Rc<Vec<u8>>`
    /// gives only through a copy.)
    #[wasm_bindgen(catch, method, js_name = appendBuffer)]
    fn append_bytes(this: &BorrowingSourceBuffer, data: &[u8]) -> Result<(), JsValue>;
    /// `appendBuffer` of an `ArrayBuffer` a Worker posted (`workerMediaSource: false`).
    #[wasm_bindgen(catch, method, js_name = appendBuffer)]
    fn append_posted(this: &BorrowingSourceBuffer, data: &JsValue) -> Result<(), JsValue>;
}

/// What the MediaSource and its SourceBuffers report, from browser events.
pub enum MseEvent {
    /// `sourceopen`: SourceBuffers can be added, the duration set.
    Open,
    /// `updateend`: the append or remove under way on the track is over.
    UpdateEnd(TrackId),
    /// `error`: the append under way failed (its `updateend` follows).
    Error(TrackId),
}

#[derive(Clone, Copy)]
enum OpKind {
    Append,
    Remove,
}

struct SourceTrack {
    id: TrackId,
    kind: TrackKind,
    buffer: SourceBuffer,
    /// The operation under way, answered at its `updateend`.
    current: Option<OpKind>,
    /// `error` fired during the current operation.
    failed: bool,
    _listeners: [Listener; 2],
}

pub struct MseSink {
    /// The element and the object URL it plays, on the page; `None` in a Worker, where the
    /// page attached the MediaSource's handle and detaches it.
    media: Option<(HtmlMediaElement, String)>,
    source: MediaSource,
    tracks: Vec<SourceTrack>,
    notify: Rc<dyn Fn(MseEvent)>,
    _open: Listener,
}

impl MseSink {
    /// Creates a MediaSource (`ManagedMediaSource` where only that exists) and attaches it.
    pub fn attach(media: &HtmlMediaElement, notify: Rc<dyn Fn(MseEvent)>) -> Result<Self, JsValue> {
        let (source, managed) = new_media_source()?;
        if managed {
            // ManagedMediaSource only opens when remote playback is off (or an AirPlay source exists).
            let _ = Reflect::set(media, &"disableRemotePlayback".into(), &JsValue::TRUE);
        }
        let on_open = notify.clone();
        let open = Listener::new(&source, "sourceopen", move |_| on_open(MseEvent::Open))?;
        let object_url = Url::create_object_url_with_source(&source)?;
        media.set_src(&object_url);
        Ok(MseSink {
            media: Some((media.clone(), object_url)),
            source,
            tracks: Vec::new(),
            notify,
            _open: open,
        })
    }

    /// In a dedicated Worker: a MediaSource and its `handle`, which the page sets as the
    /// element's `srcObject` (`sourceopen` fires here once it has).
    pub fn in_worker(notify: Rc<dyn Fn(MseEvent)>) -> Result<(Self, JsValue), JsValue> {
        let source = MediaSource::new()?;
        let handle = Reflect::get(&source, &"handle".into())?;
        let on_open = notify.clone();
        let open = Listener::new(&source, "sourceopen", move |_| on_open(MseEvent::Open))?;
        let sink = MseSink {
            media: None,
            source,
            tracks: Vec::new(),
            notify,
            _open: open,
        };
        Ok((sink, handle))
    }

    /// `addSourceBuffer(mime)`; the input to feed if it threw.
    pub fn add_source_buffer(&mut self, id: TrackId, kind: TrackKind, mime: &str) -> Option<Input> {
        match self.new_track(id, kind, mime) {
            Ok(track) => {
                self.tracks.push(track);
                None
            }
            Err(error) => Some(Input::AddSourceBufferFailed {
                track: id,
                reason: message(&error),
            }),
        }
    }

    fn new_track(&self, id: TrackId, kind: TrackKind, mime: &str) -> Result<SourceTrack, JsValue> {
        let buffer = self.source.add_source_buffer(mime)?;
        let on_end = self.notify.clone();
        let end = Listener::new(&buffer, "updateend", move |_| {
            on_end(MseEvent::UpdateEnd(id))
        })?;
        let on_error = self.notify.clone();
        let error = Listener::new(&buffer, "error", move |_| on_error(MseEvent::Error(id)))?;
        Ok(SourceTrack {
            id,
            kind,
            buffer,
            current: None,
            failed: false,
            _listeners: [end, error],
        })
    }

    /// `appendBuffer(data)`; the input to feed if it threw (a `QuotaExceededError` is reported
    /// as such: the engine evicts and sends the append again).
    pub fn append(&mut self, track: TrackId, data: &[u8]) -> Option<Input> {
        self.append_with(track, |b| b.append_bytes(data))
    }

    /// `appendBuffer(buffer)` of a fragment a Worker posted; as `append`.
    pub fn append_posted(&mut self, track: TrackId, buffer: &JsValue) -> Option<Input> {
        self.append_with(track, |b| b.append_posted(buffer))
    }

    fn append_with(
        &mut self,
        track: TrackId,
        append: impl FnOnce(&BorrowingSourceBuffer) -> Result<(), JsValue>,
    ) -> Option<Input> {
        let result = match self.track_mut(track) {
            Some(t) => append(t.buffer.unchecked_ref()).map(|()| t.start(OpKind::Append)),
            None => Err(JsValue::from_str("no SourceBuffer for this track")),
        };
        let error = result.err()?;
        let quota_exceeded = error
            .dyn_ref::<DomException>()
            .is_some_and(|e| e.name() == "QuotaExceededError");
        if !quota_exceeded {
            let text = format!("hlsplay: appendBuffer: {}", message(&error));
            web_sys::console::error_1(&text.into());
        }
        Some(Input::AppendFailed {
            track,
            quota_exceeded,
        })
    }

    /// `changeType(mime)` (synchronous); the input to feed if it threw or does not exist.
    pub fn change_type(&mut self, track: TrackId, mime: &str) -> Option<Input> {
        let t = self.track_mut(track)?;
        let method = Reflect::get(&t.buffer, &JsValue::from_str("changeType")).ok();
        let result = match method.and_then(|m| m.dyn_into::<js_sys::Function>().ok()) {
            Some(f) => f.call1(&t.buffer, &JsValue::from_str(mime)).map(|_| ()),
            None => Err(JsValue::from_str(
                "SourceBuffer.changeType is not supported by this browser",
            )),
        };
        let reason = message(&result.err()?);
        Some(Input::ChangeTypeFailed { track, reason })
    }

    /// `abort()`: the part of a fragment given is dropped. It throws only when the MediaSource
    /// is not open, where no append follows anyway: logged.
    pub fn reset_parser(&mut self, track: TrackId) {
        if let Some(Err(e)) = self.track_mut(track).map(|t| t.buffer.abort()) {
            let text = format!("hlsplay: SourceBuffer.abort: {}", message(&e));
            web_sys::console::warn_1(&text.into());
        }
    }

    /// `remove(start, end)`; the input to feed if it threw (the range stays buffered).
    pub fn remove(&mut self, track: TrackId, start: f64, end: f64) -> Option<Input> {
        let result = match self.track_mut(track) {
            Some(t) => t
                .buffer
                .remove(start, end)
                .map(|()| t.start(OpKind::Remove)),
            None => Err(JsValue::from_str("no SourceBuffer for this track")),
        };
        let error = result.err()?;
        let text = format!("hlsplay: remove: {}", message(&error));
        web_sys::console::warn_1(&text.into());
        Some(Input::RemoveFailed { track })
    }

    /// The engine's input for what this MediaSource reported, if any: wherever the engine
    /// runs (here, or in the Worker feeding the page's MediaSource).
    pub fn answer(&mut self, event: MseEvent) -> Option<Input> {
        match event {
            MseEvent::Open => Some(Input::SourceOpen),
            MseEvent::UpdateEnd(track) => self.on_update_end(track),
            MseEvent::Error(track) => {
                self.on_error(track);
                None
            }
        }
    }

    /// The answer to the operation that ended on `track` (at its `updateend`).
    fn on_update_end(&mut self, track: TrackId) -> Option<Input> {
        let t = self.track_mut(track)?;
        let op = t.current.take()?;
        let failed = std::mem::take(&mut t.failed);
        Some(match (op, failed) {
            (OpKind::Append, false) => Input::AppendDone { track },
            (OpKind::Append, true) => Input::AppendFailed {
                track,
                quota_exceeded: false,
            },
            (OpKind::Remove, false) => Input::RemoveDone { track },
            (OpKind::Remove, true) => Input::RemoveFailed { track },
        })
    }

    /// The SourceBuffer fired `error`: the operation under way failed. Answered at the
    /// `updateend` that follows, so that the next operation is not started before it.
    fn on_error(&mut self, track: TrackId) {
        if let Some(t) = self.track_mut(track) {
            t.failed = t.current.is_some();
        }
    }

    /// `mediaSource.duration = seconds`. The engine sends it only while the MediaSource is open
    /// and no SourceBuffer updates; should the browser throw anyway, it is logged, not thrown.
    pub fn set_duration(&self, seconds: f64) {
        if let Err(error) = Reflect::set(&self.source, &"duration".into(), &seconds.into()) {
            warn("duration", &error);
        }
    }

    /// `endOfStream()`; a throw (the MediaSource is not open) is logged, not thrown.
    pub fn end_of_stream(&self) {
        if let Err(error) = self.source.end_of_stream() {
            warn("endOfStream", &error);
        }
    }

    /// The kind of a track's SourceBuffer, for event payloads.
    pub fn kind(&self, track: TrackId) -> Option<TrackKind> {
        self.tracks.iter().find(|t| t.id == track).map(|t| t.kind)
    }

    fn track_mut(&mut self, track: TrackId) -> Option<&mut SourceTrack> {
        self.tracks.iter_mut().find(|t| t.id == track)
    }
}

impl SourceTrack {
    fn start(&mut self, op: OpKind) {
        self.current = Some(op);
        self.failed = false;
    }
}

impl Drop for MseSink {
    fn drop(&mut self) {
        if self.source.ready_state() == MediaSourceReadyState::Open {
            for track in &self.tracks {
                let _ = track.buffer.abort();
            }
        }
        if let Some((media, object_url)) = &self.media {
            let _ = Url::revoke_object_url(object_url);
            media.remove_attribute("src").ok();
            media.load();
        }
    }
}

fn new_media_source() -> Result<(MediaSource, bool), JsValue> {
    let global = js_sys::global();
    if Reflect::get(&global, &"MediaSource".into())?.is_function() {
        return Ok((MediaSource::new()?, false));
    }
    let managed = Reflect::get(&global, &"ManagedMediaSource".into())?;
    let constructor: js_sys::Function = managed.dyn_into().map_err(|_| {
        JsValue::from_str("hlsplay: neither MediaSource nor ManagedMediaSource exists")
    })?;
    let source = Reflect::construct(&constructor, &js_sys::Array::new())?;
    Ok((source.unchecked_into(), true))
}

/// Whether this browser has MSE (or ManagedMediaSource) and accepts H.264 in fMP4.
pub fn is_supported() -> bool {
    let global = js_sys::global();
    for name in ["MediaSource", "ManagedMediaSource"] {
        let Ok(ctor) = Reflect::get(&global, &name.into()) else {
            continue;
        };
        let Ok(is_type_supported) = Reflect::get(&ctor, &"isTypeSupported".into()) else {
            continue;
        };
        let Ok(f) = is_type_supported.dyn_into::<js_sys::Function>() else {
            continue;
        };
        let mime = JsValue::from_str("video/mp4; codecs=\"avc1.42E01E,mp4a.40.2\"");
        if f.call1(&ctor, &mime)
            .map(|v| v.is_truthy())
            .unwrap_or(false)
        {
            return true;
        }
    }
    false
}

fn warn(operation: &str, error: &JsValue) {
    let text = format!("hlsplay: {operation}: {}", message(error));
    web_sys::console::warn_1(&text.into());
}

fn message(error: &JsValue) -> String {
    super::dom::error_message(error, "SourceBuffer operation failed")
}
