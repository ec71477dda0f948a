//! Engine events as JS: camelCase names (as hls.js users expect) and plain-object payloads.
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::engine::{AudioTrackInfo, Event, LevelInfo, SubtitleTrackInfo, SwitchReason, TrackId};

pub const EVENT_NAMES: &[&str] = &[
    "manifestParsed",
    "levelSwitching",
    "levelSwitched",
    "segmentLoaded",
    "bandwidthEstimate",
    "bufferAppended",
    "error",
    "credentialsRefresh",
    "gapJumped",
    "stallNudged",
    "audioTracksUpdated",
    "audioTrackSwitching",
    "audioTrackSwitched",
    "subtitleTracksUpdated",
    "subtitleTrackSwitch",
    "liveEnded",
    "ended",
];

pub fn event_name(event: &Event) -> &'static str {
    match event {
        Event::ManifestParsed { .. } => "manifestParsed",
        Event::LevelSwitching { .. } => "levelSwitching",
        Event::LevelSwitched { .. } => "levelSwitched",
        Event::SegmentLoaded { .. } => "segmentLoaded",
        Event::BandwidthEstimate { .. } => "bandwidthEstimate",
        Event::BufferAppended { .. } => "bufferAppended",
        Event::Error(_) => "error",
        Event::CredentialsRefreshNeeded { .. } => "credentialsRefresh",
        Event::GapJumped { .. } => "gapJumped",
        Event::StallNudged { .. } => "stallNudged",
        Event::AudioTracksUpdated { .. } => "audioTracksUpdated",
        Event::AudioTrackSwitching { .. } => "audioTrackSwitching",
        Event::AudioTrackSwitched { .. } => "audioTrackSwitched",
        Event::SubtitleTracksUpdated { .. } => "subtitleTracksUpdated",
        Event::SubtitleTrackSwitch { .. } => "subtitleTrackSwitch",
        Event::LiveEnded => "liveEnded",
        Event::Ended => "ended",
    }
}

/// Builds `{ key: value, … }`.
fn object(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(key), value);
    }
    o
}

fn opt<T: Into<JsValue>>(v: Option<T>) -> JsValue {
    v.map_or(JsValue::NULL, Into::into)
}

pub fn level_object(index: usize, level: &LevelInfo) -> Object {
    object(&[
        ("index", (index as u32).into()),
        ("bitrate", (level.bandwidth as f64).into()),
        (
            "averageBitrate",
            opt(level.average_bandwidth.map(|b| b as f64)),
        ),
        ("width", opt(level.width)),
        ("height", opt(level.height)),
        ("codecs", opt(level.codecs.clone())),
    ])
}

/// hls.js's audio track fields: `{ id, name, lang, groupId, default, autoselect, channels }`.
pub fn audio_track_object(t: &AudioTrackInfo) -> Object {
    object(&[
        ("id", (t.id as u32).into()),
        ("name", t.name.clone().into()),
        ("lang", opt(t.lang.clone())),
        ("groupId", t.group_id.clone().into()),
        ("default", t.default.into()),
        ("autoselect", t.autoselect.into()),
        ("channels", opt(t.channels.clone())),
    ])
}

pub fn audio_track_list(tracks: &[AudioTrackInfo]) -> Array {
    tracks
        .iter()
        .map(|t| JsValue::from(audio_track_object(t)))
        .collect()
}

/// hls.js's subtitle track fields: `{ id, name, lang, groupId, default, forced, autoselect,
/// kind }`.
pub fn subtitle_track_list(tracks: &[SubtitleTrackInfo]) -> Array {
    let object_of = |t: &SubtitleTrackInfo| {
        object(&[
            ("id", (t.id as u32).into()),
            ("name", t.name.clone().into()),
            ("lang", opt(t.lang.clone())),
            ("groupId", t.group_id.clone().into()),
            ("default", t.default.into()),
            ("forced", t.forced.into()),
            ("autoselect", t.autoselect.into()),
            ("kind", t.kind.as_str().into()),
        ])
    };
    // A loop, not `collect()`: another `Extend` instance for one list costs 0.5 KB raw.
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

fn reason(r: SwitchReason) -> &'static str {
    match r {
        SwitchReason::Start => "start",
        SwitchReason::Abr => "abr",
        SwitchReason::Manual => "manual",
        SwitchReason::Abandon => "abandon",
        SwitchReason::Penalty => "penalty",
    }
}

pub fn event_payload(event: &Event, track_kind: impl Fn(TrackId) -> &'static str) -> JsValue {
    let o = match event {
        Event::ManifestParsed { levels } => {
            let list: Array = levels
                .iter()
                .enumerate()
                .map(|(i, l)| JsValue::from(level_object(i, l)))
                .collect();
            object(&[("levels", list.into())])
        }
        Event::LevelSwitching {
            from,
            to,
            reason: why,
        } => object(&[
            ("from", opt(from.map(|l| l as u32))),
            ("to", (*to as u32).into()),
            ("reason", reason(*why).into()),
        ]),
        Event::LevelSwitched { level } => object(&[("level", (*level as u32).into())]),
        Event::SegmentLoaded {
            level,
            sequence,
            bytes,
            ttfb_s,
            load_s,
            start,
            duration,
        } => object(&[
            ("level", (*level as u32).into()),
            ("sequence", (*sequence as f64).into()),
            ("bytes", (*bytes as f64).into()),
            ("ttfbMs", (ttfb_s * 1000.0).into()),
            ("loadMs", (load_s * 1000.0).into()),
            (
                "throughputBps",
                (*bytes as f64 * 8.0 / (load_s - ttfb_s).max(1e-3)).into(),
            ),
            ("start", (*start).into()),
            ("duration", (*duration).into()),
        ]),
        Event::BandwidthEstimate { bps } => object(&[("bps", (*bps).into())]),
        Event::BufferAppended { track, start, end } => object(&[
            ("track", track_kind(*track).into()),
            ("start", (*start).into()),
            ("end", (*end).into()),
        ]),
        Event::Error(e) => object(&[
            ("kind", e.kind.as_str().into()),
            ("details", e.details.clone().into()),
            ("fatal", e.fatal.into()),
            ("url", opt(e.url.clone())),
            ("message", e.to_string().into()),
            ("status", opt(e.cause.status())),
            ("cdnCode", opt(e.cause.cdn_code())),
            ("line", opt(e.cause.line().map(|l| l as u32))),
        ]),
        Event::CredentialsRefreshNeeded { reactive } => object(&[("reactive", (*reactive).into())]),
        Event::GapJumped { from, to } => object(&[("from", (*from).into()), ("to", (*to).into())]),
        Event::StallNudged { to } => object(&[("to", (*to).into())]),
        Event::AudioTracksUpdated { audio_tracks } => {
            object(&[("audioTracks", audio_track_list(audio_tracks).into())])
        }
        Event::AudioTrackSwitching { id } | Event::AudioTrackSwitched { id } => {
            object(&[("id", (*id as u32).into())])
        }
        Event::SubtitleTracksUpdated { subtitle_tracks } => object(&[(
            "subtitleTracks",
            subtitle_track_list(subtitle_tracks).into(),
        )]),
        Event::SubtitleTrackSwitch { id } => object(&[("id", track_index(*id).into())]),
        Event::LiveEnded | Event::Ended => Object::new(),
    };
    o.into()
}
