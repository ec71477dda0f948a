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
        // No track while waiting for the first video keyframe: empty data, empty codecs.
        let track = out.tracks.first();
        if let Some(init) = track.and_then(|t| t.init.as_ref()) {
            set(&obj, "init", &Uint8Array::from(init.as_slice()).into())?;
        }
        let data = track.map_or(&[][..], |t| t.data.as_slice());
        set(&obj, "data", &Uint8Array::from(data).into())?;
        let codecs = track.map_or("", |t| t.codecs.as_str());
        set(&obj, "codecs", &JsValue::from_str(codecs))?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn get(obj: &JsValue, key: &str) -> JsValue {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap()
    }

    #[wasm_bindgen_test]
    fn push_returns_init_data_codecs_and_times() {
        let mut t = Transmuxer::new();
        let out = t
            .push(include_bytes!("../../tests/fixtures/ts/run_0.ts"))
            .unwrap();
        assert!(get(&out, "init").is_instance_of::<Uint8Array>());
        let data: Uint8Array = get(&out, "data").into();
        assert!(data.length() > 1000);
        assert_eq!(
            get(&out, "codecs").as_string().unwrap(),
            "avc1.4d400d,mp4a.40.2"
        );
        // Playlist time 0 is the earliest DTS; the first picture shows one B-frame delay later.
        let start = get(&out, "startTime").as_f64().unwrap();
        assert!((0.0..0.1).contains(&start), "{start}");
        let end = get(&out, "endTime").as_f64().unwrap();
        assert!(end > 0.9 && end < 1.2, "{end}");
        let next = t
            .push(include_bytes!("../../tests/fixtures/ts/run_1.ts"))
            .unwrap();
        assert!(
            get(&next, "init").is_undefined(),
            "same config: no new init"
        );
        assert!((get(&next, "startTime").as_f64().unwrap() - end).abs() < 0.1);
    }

    #[wasm_bindgen_test]
    fn bad_input_is_an_error_with_the_reason() {
        let mut t = Transmuxer::new();
        let Err(e) = t.push(&[0u8; 1000]) else {
            panic!("expected an error")
        };
        let e: JsValue = e.into();
        let message = Reflect::get(&e, &JsValue::from_str("message"))
            .unwrap()
            .as_string()
            .unwrap();
        assert!(message.contains("no MPEG-TS sync"), "{message}");
    }
}
