//! The messages between the page and the player's Worker (structured-cloneable arrays, no
//! serializer in the wasm). The page sends the engine inputs it observes as `[tag, …]`; the
//! Worker sends batches of ops `[[op, …], …]` for what only the page can do (the element, its
//! `TextTrack`s, the app's callbacks). Both ends are this file, so the two cannot disagree.
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::dom::now_seconds;
use super::mse::MseSink;
use crate::captions::{Cue, CueId, StoredCue};
use crate::engine::{Input, Output, SubtitleKind, SubtitleTrackInfo, TrackId, TrackKind};

/// Worker → page ops (the first item of each op array; `FAILED` is also `hlsplay-worker.js`'s).
pub mod op {
    /// `[HANDLE, MediaSourceHandle]`: attach it as the element's `srcObject`.
    pub const HANDLE: u32 = 0;
    /// `[FAILED, reason]`: the Worker cannot run the player.
    pub const FAILED: u32 = 1;
    /// `[EVENT, name, payload]`: an event for the app.
    pub const EVENT: u32 = 2;
    /// `[REFRESH]`: call the app's `refreshCredentials`.
    pub const REFRESH: u32 = 3;
    /// `[LOG, line]`: a line of the `debug` log.
    pub const LOG: u32 = 4;
    /// `[POSITION, seconds]`: set the element's `currentTime`.
    pub const POSITION: u32 = 5;
    /// `[TRACKS, subtitleTracks]`: the list, as the `subtitleTracksUpdated` payload has it.
    pub const TRACKS: u32 = 6;
    /// `[ADD_CUES, track, [[id, start, end, text, line|null], …]]`: cues to add.
    pub const ADD_CUES: u32 = 7;
    /// `[REMOVE_CUES, track, [id, …]]`: cues to remove.
    pub const REMOVE_CUES: u32 = 8;
    /// `[SHOW, track|-1]`: the subtitle track shown.
    pub const SHOW: u32 = 9;
    /// `[STATE, [value, …]]`: what the getters answer, in `session::state` order.
    pub const STATE: u32 = 10;
    /// `[COUNT, count]`: segments loaded so far (`mainThreadCost.count`).
    pub const COUNT: u32 = 11;
    /// `workerMediaSource: false` (or a browser without MSE in Workers): the MediaSource is the
    /// page's, and the engine's MSE outputs are ops performed there (`perform_mse`).
    /// `[ATTACH]`: attach a MediaSource to the element.
    pub const ATTACH: u32 = 12;
    /// `[DURATION, seconds]`
    pub const DURATION: u32 = 13;
    /// `[ADD_BUFFER, track, mime]`
    pub const ADD_BUFFER: u32 = 14;
    /// `[APPEND, track, ArrayBuffer]` (the buffer transferred, not copied)
    pub const APPEND: u32 = 15;
    /// `[REMOVE, track, start, end]`
    pub const REMOVE: u32 = 16;
    /// `[CHANGE_TYPE, track, mime]`
    pub const CHANGE_TYPE: u32 = 17;
    /// `[RESET_PARSER, track]`
    pub const RESET_PARSER: u32 = 18;
    /// `[END_OF_STREAM]`
    pub const END_OF_STREAM: u32 = 19;
    /// `[LIVE, liveSyncPosition, latency]`: the live getters, which move with the clock, after
    /// every batch of a live stream (the element's state arrives every 250 ms).
    pub const LIVE: u32 = 20;
}

/// The JS lists here are built by push loops, not `collect()`: each `FromIterator` instance
/// (with its iterator adapters) costs 0.5 KB raw of wasm.
pub fn array(items: &[JsValue]) -> Array {
    let list = Array::new();
    for item in items {
        list.push(item);
    }
    list
}

fn index(value: &JsValue) -> Option<usize> {
    value.as_f64().filter(|v| *v >= 0.0).map(|v| v as usize)
}

fn opt_index(value: Option<usize>) -> JsValue {
    value.map_or(-1.0, |v| v as f64).into()
}

/// The page's last message to a Worker: end the session (its requests aborted) and close.
pub fn stop() -> Array {
    array(&[11.into()])
}

pub fn is_stop(message: &JsValue) -> bool {
    message
        .dyn_ref::<Array>()
        .is_some_and(|a| a.get(0).as_f64() == Some(11.0))
}

/// The page's side: an input as a message, or `None` for the inputs only the Worker makes.
pub fn encode(input: &Input) -> Option<Array> {
    let items: Vec<JsValue> = match input {
        Input::Load { url } => vec![0.into(), url.into()],
        Input::SetLevel(level) => vec![1.into(), opt_index(*level)],
        Input::SwitchLevelNow(level) => vec![2.into(), (*level as f64).into()],
        Input::SetAudioTrack(id) => vec![3.into(), (*id as f64).into()],
        Input::SetSubtitleTrack(id) => vec![4.into(), opt_index(*id)],
        Input::Media {
            position,
            paused,
            buffered,
        } => {
            let ranges = Array::new();
            for (start, end) in buffered {
                ranges.push(&(*start).into());
                ranges.push(&(*end).into());
            }
            vec![
                5.into(),
                (*position).into(),
                (*paused).into(),
                ranges.into(),
            ]
        }
        Input::Seek { position } => vec![6.into(), (*position).into()],
        Input::ElementSize {
            width,
            height,
            device_pixel_ratio,
        } => vec![
            7.into(),
            (*width).into(),
            (*height).into(),
            (*device_pixel_ratio).into(),
        ],
        Input::MediaError { code, message } => vec![8.into(), (*code).into(), message.into()],
        // The two threads' clocks differ: the expiry travels as seconds from now.
        Input::CredentialsRefreshed { expires } => vec![
            9.into(),
            expires.map_or(JsValue::NULL, |e| (e - now_seconds()).into()),
        ],
        Input::CredentialsRefreshFailed { reason } => vec![10.into(), reason.into()],
        // 11 is `stop`. The page's MediaSource (`op::ATTACH`) answers with these.
        Input::SourceOpen => vec![12.into()],
        Input::AppendDone { track } => vec![13.into(), track.0.into()],
        Input::AppendFailed {
            track,
            quota_exceeded,
        } => vec![14.into(), track.0.into(), (*quota_exceeded).into()],
        Input::RemoveDone { track } => vec![15.into(), track.0.into()],
        Input::RemoveFailed { track } => vec![16.into(), track.0.into()],
        Input::AddSourceBufferFailed { track, reason } => {
            vec![17.into(), track.0.into(), reason.into()]
        }
        Input::ChangeTypeFailed { track, reason } => {
            vec![18.into(), track.0.into(), reason.into()]
        }
        Input::StopLoad => vec![19.into()],
        Input::StartLoad { position } => {
            vec![20.into(), position.map_or(JsValue::NULL, JsValue::from)]
        }
        Input::SetLevelCap(cap) => vec![21.into(), opt_index(*cap)],
        _ => return None,
    };
    Some(array(&items))
}

/// The Worker's side: a message from the page as an input; `None` for anything else.
pub fn decode(message: &JsValue) -> Option<Input> {
    let a: &Array = message.dyn_ref()?;
    let num = |i: u32| a.get(i).as_f64();
    let text = |i: u32| a.get(i).as_string();
    let track = || index(&a.get(1)).map(TrackId);
    Some(match num(0)? as u32 {
        0 => Input::Load { url: text(1)? },
        1 => Input::SetLevel(index(&a.get(1))),
        2 => Input::SwitchLevelNow(index(&a.get(1))?),
        3 => Input::SetAudioTrack(index(&a.get(1))?),
        4 => Input::SetSubtitleTrack(index(&a.get(1))),
        5 => {
            let flat: Array = a.get(3).dyn_into().ok()?;
            Input::Media {
                position: num(1)?,
                paused: a.get(2).as_bool()?,
                buffered: ranges(flat.length() / 2, &|i| {
                    Some((flat.get(2 * i).as_f64()?, flat.get(2 * i + 1).as_f64()?))
                }),
            }
        }
        6 => Input::Seek { position: num(1)? },
        7 => Input::ElementSize {
            width: num(1)?,
            height: num(2)?,
            device_pixel_ratio: num(3)?,
        },
        8 => Input::MediaError {
            code: num(1)? as u16,
            message: text(2).unwrap_or_default(),
        },
        9 => Input::CredentialsRefreshed {
            expires: num(1).map(|e| now_seconds() + e),
        },
        10 => Input::CredentialsRefreshFailed {
            reason: text(1).unwrap_or_default(),
        },
        12 => Input::SourceOpen,
        13 => Input::AppendDone { track: track()? },
        14 => Input::AppendFailed {
            track: track()?,
            quota_exceeded: a.get(2).is_truthy(),
        },
        15 => Input::RemoveDone { track: track()? },
        16 => Input::RemoveFailed { track: track()? },
        17 => Input::AddSourceBufferFailed {
            track: track()?,
            reason: text(2).unwrap_or_default(),
        },
        18 => Input::ChangeTypeFailed {
            track: track()?,
            reason: text(2).unwrap_or_default(),
        },
        19 => Input::StopLoad,
        20 => Input::StartLoad { position: num(1) },
        21 => Input::SetLevelCap(index(&a.get(1))),
        _ => return None,
    })
}

/// The Worker's side of a page's MediaSource: an MSE output as an op, and the buffer to
/// transfer with it (the fragment, copied once out of wasm memory).
pub fn mse_op(output: &Output) -> (Array, Option<JsValue>) {
    let track = |t: &TrackId| JsValue::from(t.0);
    let (items, transfer) = match output {
        Output::SetDuration(seconds) => (vec![op::DURATION.into(), (*seconds).into()], None),
        Output::AddSourceBuffer { track: t, mime, .. } => (
            vec![op::ADD_BUFFER.into(), track(t), mime.as_str().into()],
            None,
        ),
        Output::Append { track: t, data } => {
            let buffer = js_sys::Uint8Array::from(data.as_slice()).buffer();
            (
                vec![op::APPEND.into(), track(t), buffer.clone().into()],
                Some(buffer.into()),
            )
        }
        Output::Remove {
            track: t,
            start,
            end,
        } => (
            vec![op::REMOVE.into(), track(t), (*start).into(), (*end).into()],
            None,
        ),
        Output::ChangeType { track: t, mime } => (
            vec![op::CHANGE_TYPE.into(), track(t), mime.as_str().into()],
            None,
        ),
        Output::ResetParser { track: t } => (vec![op::RESET_PARSER.into(), track(t)], None),
        Output::EndOfStream => (vec![op::END_OF_STREAM.into()], None),
        // Not a MediaSource output (`Session::perform` sends only those): an empty op, skipped.
        _ => (Vec::new(), None),
    };
    (array(&items), transfer)
}

/// The page's side: an MSE op performed on its MediaSource; the input for the Worker's engine
/// if it failed at once (the others come at `updateend`).
pub fn perform_mse(mse: &mut MseSink, item: &Array) -> Option<Input> {
    let track = TrackId(index(&item.get(1)).unwrap_or(usize::MAX));
    let num = |i| item.get(i).as_f64().unwrap_or(0.0);
    let text = |i| item.get(i).as_string().unwrap_or_default();
    match item.get(0).as_f64()? as u32 {
        op::DURATION => mse.set_duration(num(1)),
        // The kind is the Worker's (its event payloads); this one is not read.
        op::ADD_BUFFER => return mse.add_source_buffer(track, TrackKind::Video, &text(2)),
        op::APPEND => return mse.append_posted(track, &item.get(2)),
        op::REMOVE => return mse.remove(track, num(2), num(3)),
        op::CHANGE_TYPE => return mse.change_type(track, &text(2)),
        op::RESET_PARSER => mse.reset_parser(track),
        op::END_OF_STREAM => mse.end_of_stream(),
        _ => {}
    }
    None
}

/// Cues as an op's list (`ADD_CUES`).
pub fn cues_to_js(cues: &[StoredCue]) -> Array {
    let list = Array::new();
    for c in cues {
        let line = c.cue.line.map_or(JsValue::NULL, JsValue::from);
        let items = [
            (c.id.0 as f64).into(),
            c.cue.start.into(),
            c.cue.end.into(),
            c.cue.text.as_str().into(),
            line,
        ];
        list.push(&array(&items));
    }
    list
}

/// Buffered ranges read one at a time, the unreadable ones skipped: one loop for the element's
/// `TimeRanges` and the Worker's message (a `collect` each was a copy of std's code apiece).
pub fn ranges(n: u32, at: &dyn Fn(u32) -> Option<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut v = Vec::new();
    for i in 0..n {
        if let Some(r) = at(i) {
            v.push(r);
        }
    }
    v
}

pub fn cues_from_js(list: &JsValue) -> Vec<StoredCue> {
    let Some(list) = list.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let read = |c: JsValue| {
        let c: Array = c.dyn_into().ok()?;
        Some(StoredCue {
            id: CueId(c.get(0).as_f64()? as u64),
            cue: Cue {
                start: c.get(1).as_f64()?,
                end: c.get(2).as_f64()?,
                text: c.get(3).as_string()?,
                line: c.get(4).as_f64().map(|l| l as i32),
            },
        })
    };
    let mut cues = Vec::new();
    for c in list.iter() {
        cues.extend(read(c));
    }
    cues
}

pub fn cue_ids_to_js(ids: &[CueId]) -> Array {
    let list = Array::new();
    for id in ids {
        list.push(&(id.0 as f64).into());
    }
    list
}

pub fn cue_ids_from_js(list: &JsValue) -> Vec<CueId> {
    let Some(list) = list.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for v in list.iter() {
        ids.extend(v.as_f64().map(|id| CueId(id as u64)));
    }
    ids
}

/// The `subtitleTracks` list (as the getter and event give it) back into what `TextTracks`
/// reads: the name, language and kind.
pub fn subtitle_tracks_from_js(list: &JsValue) -> Vec<SubtitleTrackInfo> {
    let Some(list) = list.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let field = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).ok();
    let mut tracks = Vec::new();
    for (id, t) in list.iter().enumerate() {
        tracks.push(SubtitleTrackInfo {
            id,
            name: field(&t, "name")
                .and_then(|v| v.as_string())
                .unwrap_or_default(),
            lang: field(&t, "lang").and_then(|v| v.as_string()),
            group_id: String::new(),
            default: false,
            forced: false,
            autoselect: false,
            kind: match field(&t, "kind").and_then(|v| v.as_string()).as_deref() {
                Some("captions") => SubtitleKind::Captions,
                _ => SubtitleKind::Subtitles,
            },
        });
    }
    tracks
}

/// The app's config as the Worker gets it: functions cannot cross, and are the page's anyway
/// (`refreshCredentials` is called there); a `debug` function becomes `true` so the Worker's
/// engine logs, and its lines come back to the function.
pub fn config_for_worker(config: Option<&Object>) -> Object {
    let copy = Object::new();
    if let Some(config) = config {
        for key in Object::keys(config).iter() {
            let Ok(value) = Reflect::get(config, &key) else {
                continue;
            };
            let value = match value.is_function() {
                true if key.as_string().as_deref() == Some("debug") => JsValue::TRUE,
                true => continue,
                false => value,
            };
            let _ = Reflect::set(&copy, &key, &value);
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_media_report_crosses_the_wire_with_its_buffered_ranges() {
        let report = Input::Media {
            position: 3.5,
            paused: false,
            buffered: vec![(0.0, 4.0), (10.0, 12.5)],
        };
        let message = encode(&report).map(JsValue::from);
        assert_eq!(message.as_ref().and_then(decode), Some(report));
        // A flat list cut short loses its unpaired start, not the whole report.
        let cut = Array::of4(
            &5.into(),
            &1.0.into(),
            &true.into(),
            &array(&[0.0.into(), 2.0.into(), 5.0.into()]),
        );
        assert_eq!(
            decode(&cut),
            Some(Input::Media {
                position: 1.0,
                paused: true,
                buffered: vec![(0.0, 2.0)],
            })
        );
    }
}
