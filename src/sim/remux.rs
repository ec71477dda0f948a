//! A remuxer for the simulator: segment bytes carry a tiny header (duration); the output is a
//! fragment of the same length whose header records its media range, so the simulated
//! SourceBuffer knows what got buffered.

use crate::engine::{
    RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer, TrackKind, TrackOutput,
};

const SEGMENT_MAGIC: &[u8; 4] = b"SIMS";
const DATA_MAGIC: &[u8; 4] = b"SIMD";
const INIT_MAGIC: &[u8; 4] = b"SIMI";

/// Segment bytes of `size` (at least 12) for a segment of `duration` seconds.
pub fn segment_bytes(size: u64, duration: f64) -> Vec<u8> {
    let mut v = vec![0u8; (size as usize).max(12)];
    put(&mut v, 0, SEGMENT_MAGIC);
    put(&mut v, 4, &duration.to_le_bytes());
    v
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = buf.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn f64_at(b: &[u8], at: usize) -> Option<f64> {
    let s: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(f64::from_le_bytes(s))
}

/// What an appended buffer holds: `None` for an init segment, else the media range.
pub fn appended_range(data: &[u8]) -> Result<Option<(f64, f64)>, String> {
    match data.get(..4) {
        Some(m) if m == INIT_MAGIC => Ok(None),
        Some(m) if m == DATA_MAGIC => match (f64_at(data, 4), f64_at(data, 12)) {
            (Some(s), Some(e)) => Ok(Some((s, e))),
            _ => Err("short fragment".into()),
        },
        _ => Err("not a simulator fragment".into()),
    }
}

#[derive(Debug, Default, Clone)]
pub struct SimRemuxer {
    init_sent: bool,
    pub pushes: u64,
    pub resets: u64,
    pub last_info: Option<SegmentInfo>,
    pub discontinuities: u64,
    pub rendition_switches: u64,
    pub non_contiguous: u64,
}

impl SegmentRemuxer for SimRemuxer {
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        if data.get(..4) != Some(SEGMENT_MAGIC.as_slice()) {
            return Err(RemuxFailure(
                "not a simulator segment (no SIMS header)".into(),
            ));
        }
        let duration = f64_at(data, 4).ok_or_else(|| RemuxFailure("short segment".into()))?;
        self.pushes += 1;
        self.discontinuities += u64::from(info.discontinuity);
        self.rendition_switches += u64::from(info.rendition_switch);
        self.non_contiguous += u64::from(info.non_contiguous);
        self.last_info = Some(*info);
        let mut out = vec![0u8; data.len().max(20)];
        put(&mut out, 0, DATA_MAGIC);
        put(&mut out, 4, &info.start.to_le_bytes());
        put(&mut out, 12, &(info.start + duration).to_le_bytes());
        let init = (!self.init_sent).then(|| INIT_MAGIC.to_vec());
        self.init_sent = true;
        Ok(RemuxOutput {
            tracks: vec![TrackOutput {
                kind: TrackKind::Combined,
                codecs: "avc1.4d401e,mp4a.40.2".into(),
                mime: "video/mp4; codecs=\"avc1.4d401e,mp4a.40.2\"".into(),
                init,
                data: out,
            }],
            start: info.start,
            end: info.start + duration,
            warnings: Vec::new(),
        })
    }

    fn reset(&mut self) {
        self.init_sent = false;
        self.resets += 1;
    }
}
