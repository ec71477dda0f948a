//! Subtitle times onto the player's timeline. A WebVTT segment's cue times are tied to the
//! MPEG-2 90 kHz clock by `X-TIMESTAMP-MAP=MPEGTS:<ts>,LOCAL:<cue time>` (RFC 8216 §3.5), and
//! without it cue time 0 is MPEG-TS time 0 (the same section). The video's remuxer maps that
//! clock onto the timeline with one offset per discontinuity domain; the 33-bit MPEGTS value is
//! unwrapped the way the remuxer unwraps (to the value nearest a reference), the reference being
//! the media time the segment's playlist position says it should have.
use crate::ts::TS_MASK;

/// One MPEG-TS clock period (2^33 ticks of 90 kHz, about 26.5 hours).
const PERIOD: i64 = 1 << 33;

/// `X-TIMESTAMP-MAP` (RFC 8216 §3.5): cue time `local_ms` is the 90 kHz timestamp `mpegts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimestampMap {
    /// 90 kHz MPEG-2 timestamp (33 bits; higher bits are dropped when placing).
    pub mpegts: u64,
    /// The cue time it stands for, in milliseconds.
    pub local_ms: u64,
}

/// How the video's media time lands on the player's timeline around one subtitle segment:
/// what the remuxer gives for the segment's discontinuity domain. A discontinuity is a new
/// mapping: pass the one of the segment's own domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelineMapping {
    /// Seconds added to (unwrapped) media time on output: the remuxer's `offset()` for the
    /// domain (the offset the engine shares between its streams).
    pub offset: f64,
    /// The subtitle segment's start on the playlist timeline, in seconds: MPEGTS is unwrapped
    /// to the media time nearest `segment_start - offset`.
    pub segment_start: f64,
}

impl TimelineMapping {
    /// The timeline time, in seconds, of cue time `local` (seconds) under `map`.
    pub fn place(&self, map: Option<TimestampMap>, local: f64) -> f64 {
        let map = map.unwrap_or_default();
        let reference = to_90k(self.segment_start - self.offset);
        let anchor = unwrap_near(map.mpegts, reference);
        anchor as f64 / 90_000.0 + self.offset + (local - map.local_ms as f64 / 1000.0)
    }
}

/// Seconds to 90 kHz ticks; `as` saturates, so NaN and huge values cannot panic.
fn to_90k(seconds: f64) -> i64 {
    (seconds * 90_000.0).round() as i64
}

/// The 33-bit timestamp `raw` unwrapped to the value nearest `reference` (both 90 kHz).
fn unwrap_near(raw: u64, reference: i64) -> i64 {
    let raw = (raw & TS_MASK) as i64;
    let base = reference.saturating_sub(reference.rem_euclid(PERIOD));
    let v = base.saturating_add(raw);
    if v.saturating_sub(reference) > PERIOD / 2 {
        v.saturating_sub(PERIOD)
    } else if reference.saturating_sub(v) > PERIOD / 2 {
        v.saturating_add(PERIOD)
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRAP: u64 = 1 << 33;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn map_ties_local_time_to_the_video_mapping() {
        // MediaConvert: MPEGTS is the video's first PTS (10 s), LOCAL 0; the remuxer put that
        // PTS at timeline 0.
        let mapping = TimelineMapping {
            offset: -10.0,
            segment_start: 0.0,
        };
        let map = TimestampMap {
            mpegts: 900_000,
            local_ms: 0,
        };
        assert!(close(mapping.place(Some(map), 5.5), 5.5));
        // LOCAL not zero: cue time LOCAL is the MPEGTS instant.
        let map = TimestampMap {
            mpegts: 900_000,
            local_ms: 3_000,
        };
        assert!(close(mapping.place(Some(map), 5.5), 2.5));
    }

    #[test]
    fn without_map_cue_times_are_mpegts_times() {
        let mapping = TimelineMapping {
            offset: -10.0,
            segment_start: 0.0,
        };
        assert!(close(mapping.place(None, 12.0), 2.0));
    }

    #[test]
    fn rollover_before_and_after_the_wrap() {
        // Video's first timestamp 10 s before the 33-bit wrap, placed at 0.
        let first = WRAP - 900_000;
        let offset = -(first as f64) / 90_000.0;
        let before = TimelineMapping {
            offset,
            segment_start: 0.0,
        };
        let map = TimestampMap {
            mpegts: first,
            local_ms: 0,
        };
        assert!(close(before.place(Some(map), 1.0), 1.0));
        // The segment 20 s later: its MPEGTS wrapped to 10 s.
        let after = TimelineMapping {
            offset,
            segment_start: 20.0,
        };
        let map = TimestampMap {
            mpegts: 900_000,
            local_ms: 0,
        };
        assert!(close(after.place(Some(map), 0.5), 20.5));
        // A segment just before the wrap, mapped from a reference already past it.
        let map = TimestampMap {
            mpegts: WRAP - 90_000,
            local_ms: 0,
        };
        let late = TimelineMapping {
            offset,
            segment_start: 10.5,
        };
        assert!(close(late.place(Some(map), 0.0), 9.0));
    }

    #[test]
    fn discontinuity_takes_the_new_domains_mapping() {
        // Domain 0: PTS 10 s at 0. Domain 1 (after an ad): PTS restarts at 0, placed at 60 s.
        let first = TimelineMapping {
            offset: -10.0,
            segment_start: 30.0,
        };
        let second = TimelineMapping {
            offset: 60.0,
            segment_start: 60.0,
        };
        let map0 = TimestampMap {
            mpegts: 900_000 + 30 * 90_000,
            local_ms: 30_000,
        };
        let map1 = TimestampMap {
            mpegts: 0,
            local_ms: 0,
        };
        assert!(close(first.place(Some(map0), 31.0), 31.0));
        assert!(close(second.place(Some(map1), 1.0), 61.0));
    }

    #[test]
    fn mpegts_above_33_bits_is_masked_and_extremes_do_not_panic() {
        let mapping = TimelineMapping {
            offset: 0.0,
            segment_start: 0.0,
        };
        let map = TimestampMap {
            mpegts: WRAP + 90_000,
            local_ms: 0,
        };
        assert!(close(mapping.place(Some(map), 0.0), 1.0));
        let wild = TimelineMapping {
            offset: f64::NAN,
            segment_start: f64::MAX,
        };
        let _ = wild.place(Some(map), f64::MAX);
        assert_eq!(unwrap_near(u64::MAX, i64::MAX), i64::MAX);
        let _ = unwrap_near(0, i64::MIN);
    }
}
