//! The media element's listeners and what they report: `Input::Media` (playhead, paused,
//! `buffered`) on `timeupdate` (every 250 ms while playing), `waiting`, `playing`, `pause`,
//! `progress` and `ended`; `Input::Seek` on `seeking`; `Input::ElementSize` when the video or the
//! window is resized; `Input::MediaError` on `error`. The media state is read only here and when the engine's timer fires, never
//! per fetched chunk.
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{HtmlMediaElement, HtmlVideoElement};

use super::dom::Listener;
use super::wire::ranges;
use crate::engine::Input;

const MEDIA_EVENTS: [&str; 9] = [
    "error",
    "timeupdate",
    "seeking",
    "waiting",
    "resize",
    "ended",
    "playing",
    "pause",
    "progress",
];

/// Listens to the element's events (and the window's `resize`), each reported to `report` as
/// the input it makes. `Rc<dyn Fn>`: one copy of the listeners for the page's and the Worker's
/// player.
pub fn listen(
    video: &HtmlVideoElement,
    report: Rc<dyn Fn(Input)>,
) -> Result<Vec<Listener>, JsValue> {
    let media: &HtmlMediaElement = video;
    let mut listeners = Vec::with_capacity(MEDIA_EVENTS.len() + 1);
    for kind in MEDIA_EVENTS {
        let (video, report) = (video.clone(), report.clone());
        listeners.push(Listener::new(media, kind, move |_| {
            report(input_for(&video, kind))
        })?);
    }
    // The video's `resize` fires when the picture's size changes; the page's layout changes
    // (and so the element's CSS size, for the level cap) show as the window's `resize`.
    let video = video.clone();
    listeners.push(Listener::new(
        super::dom::window()?.as_ref(),
        "resize",
        move |_| report(element_size(&video)),
    )?);
    Ok(listeners)
}

fn input_for(video: &HtmlVideoElement, kind: &str) -> Input {
    match kind {
        "seeking" => Input::Seek {
            position: video.current_time(),
        },
        "resize" => element_size(video),
        "error" => match video.error() {
            Some(e) => Input::MediaError {
                code: e.code(),
                message: e.message(),
            },
            None => media_state(video),
        },
        _ => media_state(video),
    }
}

/// The element's playhead, paused flag and buffered ranges.
pub fn media_state(video: &HtmlVideoElement) -> Input {
    let buffered = video.buffered();
    Input::Media {
        position: video.current_time(),
        paused: video.paused(),
        buffered: ranges(buffered.length(), &|i| {
            Some((buffered.start(i).ok()?, buffered.end(i).ok()?))
        }),
    }
}

/// The element's CSS size and the devicePixelRatio, for the level cap.
pub fn element_size(video: &HtmlVideoElement) -> Input {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    Input::ElementSize {
        width: f64::from(video.client_width()),
        height: f64::from(video.client_height()),
        device_pixel_ratio: dpr,
    }
}
