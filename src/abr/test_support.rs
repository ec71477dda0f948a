//! Shared fixtures of the rules' unit tests: a three-level ladder, a context, a link.

use super::{Abr, AbrContext, AbrLevel, SegmentSample};

pub(super) fn ladder() -> Vec<AbrLevel> {
    [1.096e6, 2.096e6, 3.096e6]
        .iter()
        .map(|&b| AbrLevel {
            bitrate: b,
            avg_bitrate: None,
        })
        .collect()
}

pub(super) fn ctx<'a>(
    levels: &'a [AbrLevel],
    allowed: &'a [bool],
    cur: Option<usize>,
    buffer: f64,
) -> AbrContext<'a> {
    AbrContext {
        now: 100.0,
        levels,
        allowed,
        current: cur,
        buffer,
        buffer_goal: 30.0,
        segment_duration: 10.0,
        remaining: Some(300.0),
    }
}

pub(super) fn feed(abr: &mut dyn Abr, mbps: f64, n: usize) {
    for _ in 0..n {
        let bytes = (mbps * 1e6 / 8.0 * 4.0) as u64; // 4 s of transfer
        abr.on_sample(&SegmentSample {
            level: 0,
            bytes,
            ttfb_s: 0.1,
            load_s: 4.1,
            duration: 10.0,
        });
    }
}
