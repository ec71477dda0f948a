//! `Transmuxer` for JavaScript: MPEG-TS segments in, fragmented MP4 (both tracks in one fMP4)
//! out. Consecutive pushes are treated as consecutive segments of one rendition.
use crate::remux::{self, OutputShape, SegmentInfo};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Transmuxer {
    inner: remux::Transmuxer,
    next_start: f64,
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("cannot build the result object"))
}

#[wasm_bindgen]
impl Transmuxer {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Transmuxer {
        Transmuxer {
            inner: remux::Transmuxer::new(OutputShape::Combined),
            next_start: 0.0,
        }
    }

    /// Remux one whole TS segment. Returns `{ init?, data, codecs, startTime, endTime,
    /// warnings }`; throws an `Error` with the reason on input it cannot remux.
    pub fn push(&mut self, segment: &[u8]) -> Result<JsValue, JsError> {
        let info = SegmentInfo {
            start: self.next_start,
            ..SegmentInfo::default()
        };
        let out = self
            .inner
            .push(segment, &info)
            .map_err(|e| JsError::new(&e.to_string()))?;
        self.next_start = out.end;
        let obj = Object::new();
        if let Some(track) = out.tracks.first() {
            if let Some(init) = &track.init {
                set(&obj, "init", &Uint8Array::from(init.as_slice()).into())?;
            }
            set(
                &obj,
                "data",
                &Uint8Array::from(track.data.as_slice()).into(),
            )?;
            set(&obj, "codecs", &JsValue::from_str(&track.codecs))?;
        }
        set(&obj, "startTime", &JsValue::from_f64(out.start))?;
        set(&obj, "endTime", &JsValue::from_f64(out.end))?;
        let warnings: Array = out
            .warnings
            .iter()
            .map(|w| JsValue::from_str(&w.to_string()))
            .collect();
        set(&obj, "warnings", &warnings.into())?;
        Ok(obj.into())
    }

    /// Forget all state (a new stream).
    pub fn reset(&mut self) {
        self.inner.reset();
        self.next_start = 0.0;
    }
}

impl Default for Transmuxer {
    fn default() -> Self {
        Self::new()
    }
}
