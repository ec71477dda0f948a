//! The Media Source Extensions sink: one `MediaSource` attached to the media element, one
//! `SourceBuffer` per track, and one operation queue per SourceBuffer because `appendBuffer` and
//! `remove` are asynchronous (a second call while `updating` throws).
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    DomException, HtmlMediaElement, MediaSource, MediaSourceReadyState, SourceBuffer, Url,
};

use super::dom::Listener;

/// What the sink reports back to the player, from browser events.
pub enum MseEvent {
    /// The MediaSource is open: SourceBuffers can be added.
    Open,
    /// The append or remove under way on `track` finished (see [`MseSink::finish`]).
    Done { track: usize },
    /// The SourceBuffer fired `error` (the browser rejected the data).
    Error { track: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Append,
    Remove,
}

pub enum Op {
    Append(Vec<u8>),
    Remove { start: f64, end: f64 },
}

/// Why an operation could not start.
pub enum OpFailure {
    /// `QuotaExceededError`: the buffer is full; the op is dropped (the engine resends it).
    Quota,
    /// The browser refused the data.
    Append(String),
    /// A range could not be removed (it stays buffered; nothing is lost).
    Remove(String),
}

struct Track {
    buffer: SourceBuffer,
    queue: VecDeque<Op>,
    current: Option<OpKind>,
    _listeners: [Listener; 2],
}

pub struct MseSink {
    media: HtmlMediaElement,
    source: MediaSource,
    object_url: String,
    tracks: Vec<Track>,
    notify: Rc<dyn Fn(MseEvent)>,
    /// The engine declared the end of the stream and has not seen a seek since. Sticky because a
    /// `remove()` (back-buffer eviction) or `appendBuffer()` on an ended MediaSource reopens it
    /// (MSE spec), and an open MediaSource never lets the element fire `ended`.
    ended: bool,
    /// A duration to set once the MediaSource is open and no SourceBuffer is updating.
    duration: Option<f64>,
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
            media: media.clone(),
            source,
            object_url,
            tracks: Vec::new(),
            notify,
            ended: false,
            duration: None,
            _open: open,
        })
    }

    pub fn is_open(&self) -> bool {
        self.source.ready_state() == MediaSourceReadyState::Open
    }

    /// Adds a SourceBuffer for `mime` (`video/mp4; codecs="…"`); returns its track index.
    pub fn add_track(&mut self, mime: &str) -> Result<usize, JsValue> {
        let buffer = self.source.add_source_buffer(mime)?;
        let track = self.tracks.len();
        let on_done = self.notify.clone();
        let done = Listener::new(&buffer, "updateend", move |_| {
            on_done(MseEvent::Done { track })
        })?;
        let on_error = self.notify.clone();
        let error = Listener::new(&buffer, "error", move |_| {
            on_error(MseEvent::Error { track })
        })?;
        self.tracks.push(Track {
            buffer,
            queue: VecDeque::new(),
            current: None,
            _listeners: [done, error],
        });
        Ok(track)
    }

    pub fn enqueue(&mut self, track: usize, op: Op) {
        if let Some(t) = self.tracks.get_mut(track) {
            t.queue.push_back(op);
        }
    }

    /// Marks the op on `track` finished (from `updateend`) and returns which kind it was.
    pub fn finish(&mut self, track: usize) -> Option<OpKind> {
        self.tracks.get_mut(track).and_then(|t| t.current.take())
    }

    /// Starts the next queued op on every idle track. A failure leaves the op at the queue's head.
    pub fn pump(&mut self) -> Vec<(usize, OpFailure)> {
        let mut failures = Vec::new();
        for (index, track) in self.tracks.iter_mut().enumerate() {
            if track.current.is_some() || track.buffer.updating() {
                continue;
            }
            let Some(mut op) = track.queue.pop_front() else {
                continue;
            };
            let result = match &mut op {
                Op::Append(bytes) => track
                    .buffer
                    .append_buffer_with_u8_array(bytes)
                    .map(|_| OpKind::Append),
                Op::Remove { start, end } => {
                    track.buffer.remove(*start, *end).map(|_| OpKind::Remove)
                }
            };
            match result {
                Ok(kind) => track.current = Some(kind),
                Err(error) => {
                    let quota = error
                        .dyn_ref::<DomException>()
                        .is_some_and(|e| e.name() == "QuotaExceededError");
                    // The engine keeps the op and sends it again after evicting.
                    let failure = match op {
                        Op::Append(_) if quota => OpFailure::Quota,
                        Op::Append(_) => OpFailure::Append(message(&error)),
                        Op::Remove { .. } => OpFailure::Remove(message(&error)),
                    };
                    failures.push((index, failure));
                }
            }
        }
        self.apply_duration();
        // (Again) after the queues drain: also after an eviction that reopened the MediaSource.
        if self.ended && self.idle() && self.is_open() {
            let _ = self.source.end_of_stream();
        }
        failures
    }

    /// Nothing queued and nothing under way on any track.
    pub fn idle(&self) -> bool {
        self.tracks
            .iter()
            .all(|t| t.current.is_none() && t.queue.is_empty() && !t.buffer.updating())
    }

    /// Calls `endOfStream()` once every queue has drained, and again whenever a later operation
    /// reopened the MediaSource, until [`MseSink::forget_end`].
    pub fn end_of_stream(&mut self) {
        self.ended = true;
        let _ = self.pump();
    }

    /// A seek: the engine may fetch again and will declare the end again when it is buffered.
    pub fn forget_end(&mut self) {
        self.ended = false;
    }

    /// Sets the duration now if possible, else as soon as it is (before `sourceopen`, or while
    /// a SourceBuffer updates, setting it would be lost or throw).
    pub fn set_duration(&mut self, seconds: f64) {
        self.duration = Some(seconds);
        self.apply_duration();
    }

    fn apply_duration(&mut self) {
        let Some(seconds) = self.duration else { return };
        if self.is_open() && self.tracks.iter().all(|t| !t.buffer.updating()) {
            self.duration = None;
            self.source.set_duration(seconds);
        }
    }
}

impl Drop for MseSink {
    fn drop(&mut self) {
        if self.is_open() {
            for track in &self.tracks {
                let _ = track.buffer.abort();
            }
        }
        let _ = Url::revoke_object_url(&self.object_url);
        self.media.remove_attribute("src").ok();
        self.media.load();
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

fn message(error: &JsValue) -> String {
    super::dom::error_message(error, "SourceBuffer operation failed")
}
