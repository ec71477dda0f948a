//! Engine events as JS: camelCase names (as hls.js users expect) and plain-object payloads. The
//! names and every payload's field names come from `crate::api`'s table (which also types them in
//! `hlsplay.d.ts`); the values here are filled in the table's field order.
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::{fields, payload, EventName, Fields};
use crate::engine::{AudioTrackInfo, Event, LevelInfo, PlayerError, SubtitleTrackInfo, TrackId};

pub fn event_name(event: &Event) -> EventName {
    match event {
        Event::ManifestParsed { .. } => EventName::manifestParsed,
        Event::LevelSwitching { .. } => EventName::levelSwitching,
        Event::LevelSwitched { .. } => EventName::levelSwitched,
        Event::SegmentLoaded { .. } => EventName::segmentLoaded,
        Event::BandwidthEstimate { .. } => EventName::bandwidthEstimate,
        Event::BufferAppended { .. } => EventName::bufferAppended,
        Event::Error(_) => EventName::error,
        Event::CredentialsRefreshNeeded { .. } => EventName::credentialsRefresh,
        Event::GapJumped { .. } => EventName::gapJumped,
        Event::StallNudged { .. } => EventName::stallNudged,
        Event::AudioTracksUpdated { .. } => EventName::audioTracksUpdated,
        Event::AudioTrackSwitching { .. } => EventName::audioTrackSwitching,
        Event::AudioTrackSwitched { .. } => EventName::audioTrackSwitched,
        Event::SubtitleTracksUpdated { .. } => EventName::subtitleTracksUpdated,
        Event::SubtitleTrackSwitch { .. } => EventName::subtitleTrackSwitch,
        Event::LiveEnded => EventName::liveEnded,
        Event::Ended => EventName::ended,
        Event::LevelLoaded { .. } => EventName::levelLoaded,
        Event::FragChanged { .. } => EventName::fragChanged,
        Event::FragBuffered { .. } => EventName::fragBuffered,
    }
}

/// `{ name: value, … }`: one name per value, the count checked by the types.
fn object<const N: usize>(names: Fields<N>, values: [JsValue; N]) -> Object {
    fill(names.0, &values)
}

/// The work of [`object`], not generic: one copy in the wasm for every payload length.
fn fill(names: &str, values: &[JsValue]) -> Object {
    let o = Object::new();
    for (key, value) in names.split(',').zip(values) {
        let _ = Reflect::set(&o, &JsValue::from_str(key), value);
    }
    o
}

fn opt<T: Into<JsValue>>(v: Option<T>) -> JsValue {
    v.map_or(JsValue::NULL, Into::into)
}

pub fn level_object(index: usize, level: &LevelInfo) -> Object {
    object(
        fields::Level,
        [
            (index as u32).into(),
            (level.bandwidth as f64).into(),
            opt(level.average_bandwidth.map(|b| b as f64)),
            opt(level.width),
            opt(level.height),
            opt(level.codecs.clone()),
        ],
    )
}

/// Lists by push loops, not `collect()` (see `wire::array`).
pub fn level_list(levels: &[LevelInfo]) -> Array {
    let list = Array::new();
    for (i, l) in levels.iter().enumerate() {
        list.push(&level_object(i, l));
    }
    list
}

pub fn audio_track_object(t: &AudioTrackInfo) -> Object {
    object(
        fields::AudioTrack,
        [
            (t.id as u32).into(),
            t.name.clone().into(),
            opt(t.lang.clone()),
            t.group_id.clone().into(),
            t.default.into(),
            t.autoselect.into(),
            opt(t.channels.clone()),
        ],
    )
}

pub fn audio_track_list(tracks: &[AudioTrackInfo]) -> Array {
    let list = Array::new();
    for t in tracks {
        list.push(&audio_track_object(t));
    }
    list
}

/// hls.js's subtitle track fields (the table's `SubtitleTrack`).
pub fn subtitle_track_list(tracks: &[SubtitleTrackInfo]) -> Array {
    let object_of = |t: &SubtitleTrackInfo| {
        object(
            fields::SubtitleTrack,
            [
                (t.id as u32).into(),
                t.name.clone().into(),
                opt(t.lang.clone()),
                t.group_id.clone().into(),
                t.default.into(),
                t.forced.into(),
                t.autoselect.into(),
                t.kind.as_str().into(),
            ],
        )
    };
    let list = Array::new();
    for t in tracks {
        list.push(&object_of(t));
    }
    list
}

/// A subtitle track index for JS: -1 for none (off), as hls.js.
pub fn track_index(id: Option<usize>) -> i32 {
    id.map_or(-1, |i| i as i32)
}

pub fn main_thread_cost_object(count: u32, total_ms: f64, max_ms: f64) -> Object {
    object(
        fields::MainThreadCost,
        [count.into(), total_ms.into(), max_ms.into()],
    )
}

/// The non-fatal `error` saying why `worker: true` runs the player on the page's thread.
pub fn worker_warning(reason: &str) -> JsValue {
    let message = format!("worker: the player runs on the page's thread: {reason}");
    let null = JsValue::NULL;
    let values = [
        "worker".into(),
        "workerUnavailable".into(),
        false.into(),
        null.clone(),
        message.into(),
        null.clone(),
        null.clone(),
        null,
    ];
    object(fields::PlayerError, values).into()
}

fn error_object(e: &PlayerError) -> Object {
    object(
        fields::PlayerError,
        [
            e.kind.as_str().into(),
            e.details.clone().into(),
            e.fatal.into(),
            opt(e.url.clone()),
            e.to_string().into(),
            opt(e.cause.status()),
            opt(e.cause.cdn_code()),
            opt(e.cause.line().map(|l| l as u32)),
        ],
    )
}

pub fn event_payload(event: &Event, track_kind: &dyn Fn(TrackId) -> &'static str) -> JsValue {
    let o = match event {
        Event::ManifestParsed { levels } => {
            object(payload::manifestParsed, [level_list(levels).into()])
        }
        Event::LevelSwitching { from, to, reason } => object(
            payload::levelSwitching,
            [
                opt(from.map(|l| l as u32)),
                (*to as u32).into(),
                reason.as_str().into(),
            ],
        ),
        Event::LevelSwitched { level } => object(payload::levelSwitched, [(*level as u32).into()]),
        Event::SegmentLoaded {
            level,
            sequence,
            bytes,
            ttfb_s,
            load_s,
            start,
            duration,
        } => object(
            payload::segmentLoaded,
            [
                (*level as u32).into(),
                (*sequence as f64).into(),
                (*bytes as f64).into(),
                (ttfb_s * 1000.0).into(),
                (load_s * 1000.0).into(),
                (*bytes as f64 * 8.0 / (load_s - ttfb_s).max(1e-3)).into(),
                (*start).into(),
                (*duration).into(),
            ],
        ),
        Event::BandwidthEstimate { bps } => object(payload::bandwidthEstimate, [(*bps).into()]),
        Event::BufferAppended { track, start, end } => object(
            payload::bufferAppended,
            [track_kind(*track).into(), (*start).into(), (*end).into()],
        ),
        Event::Error(e) => error_object(e),
        Event::CredentialsRefreshNeeded { reactive } => {
            object(payload::credentialsRefresh, [(*reactive).into()])
        }
        Event::GapJumped { from, to } => object(payload::gapJumped, [(*from).into(), (*to).into()]),
        Event::StallNudged { to } => object(payload::stallNudged, [(*to).into()]),
        Event::AudioTracksUpdated { audio_tracks } => object(
            payload::audioTracksUpdated,
            [audio_track_list(audio_tracks).into()],
        ),
        Event::AudioTrackSwitching { id } => {
            object(payload::audioTrackSwitching, [(*id as u32).into()])
        }
        Event::AudioTrackSwitched { id } => {
            object(payload::audioTrackSwitched, [(*id as u32).into()])
        }
        Event::SubtitleTracksUpdated { subtitle_tracks } => object(
            payload::subtitleTracksUpdated,
            [subtitle_track_list(subtitle_tracks).into()],
        ),
        Event::SubtitleTrackSwitch { id } => {
            object(payload::subtitleTrackSwitch, [track_index(*id).into()])
        }
        Event::LiveEnded => object(payload::liveEnded, []),
        Event::Ended => object(payload::ended, []),
        Event::LevelLoaded {
            level,
            live,
            total_duration,
            target_duration,
            first_sequence,
            last_sequence,
        } => object(
            payload::levelLoaded,
            [
                (*level as u32).into(),
                (*live).into(),
                (*total_duration).into(),
                (*target_duration).into(),
                first_sequence.map_or(JsValue::NULL, |n| (n as f64).into()),
                last_sequence.map_or(JsValue::NULL, |n| (n as f64).into()),
            ],
        ),
        Event::FragChanged {
            level,
            sequence,
            start,
            duration,
        }
        | Event::FragBuffered {
            level,
            sequence,
            start,
            duration,
        } => object(
            match event {
                Event::FragChanged { .. } => payload::fragChanged,
                _ => payload::fragBuffered,
            },
            [
                (*level as u32).into(),
                (*sequence as f64).into(),
                (*start).into(),
                (*duration).into(),
            ],
        ),
    };
    o.into()
}
