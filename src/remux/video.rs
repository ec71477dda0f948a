//! H.264 access units on the output timeline: placement (drops before the timeline start and
//! before the first IDR at a decoder start, DTS kept strictly increasing), then the `trun`
//! samples of one fragment.
use std::ops::Range;

use super::output::Span;
use super::{RemuxError, RemuxWarning, Seg, Transmuxer};
use crate::fmp4::{Sample, FLAGS_NON_SYNC, FLAGS_SYNC};
use crate::ts::h264::{H264Es, SpsInfo};

/// Frame duration (90 kHz) until the SPS's VUI timing or the stream tells otherwise.
pub(super) const DEFAULT_FRAME_90K: u32 = 3_000;

/// The parameter sets the last video init segment (`avcC`) was written from.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct VideoConfig {
    sps: Vec<u8>,
    pps: Vec<Vec<u8>>,
    info: SpsInfo,
}

/// The SPS/PPS in force in the elementary stream, borrowed (no copy per push).
#[derive(Debug, Clone, Copy)]
pub(super) struct ParameterSets<'a> {
    pub(super) sps: &'a [u8],
    pub(super) pps: &'a [Vec<u8>],
    pub(super) info: &'a SpsInfo,
}

impl<'a> ParameterSets<'a> {
    /// The SPS/PPS in force, once both are known.
    pub(super) fn of(es: &'a H264Es) -> Option<Self> {
        let info = es.sps_info.as_ref()?;
        if es.pps.is_empty() {
            return None;
        }
        Some(ParameterSets {
            sps: &es.sps,
            pps: &es.pps,
            info,
        })
    }

    /// The same parameter sets as `written`.
    pub(super) fn written_as(self, written: Option<&VideoConfig>) -> bool {
        written.is_some_and(|w| w.sps == self.sps && w.pps == self.pps && w.info == *self.info)
    }

    /// An owned copy, to remember what an init segment was written from.
    pub(super) fn to_config(self) -> VideoConfig {
        VideoConfig {
            sps: self.sps.to_vec(),
            pps: self.pps.to_vec(),
            info: self.info.clone(),
        }
    }
}

/// One video access unit placed on the output timeline.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placed {
    pub(super) dts: i64,
    pts: i64,
    offset: u32,
    size: u32,
    key: bool,
}

/// Where leading video frames stand: before the timeline start, before the first keyframe (at
/// a decoder start), or kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Phase {
    #[default]
    Negative,
    Lead,
    Keep,
}

/// The video `traf` of one fragment: its `tfdt` and the `mdat` bytes of its samples (a range
/// of the elementary stream's data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct VideoRun {
    pub(super) tfdt: u64,
    pub(super) bytes: Range<usize>,
}

impl Transmuxer {
    /// Place the access units not placed yet (into `placed`, the frames not emitted yet): drop,
    /// nudge, map by `offset`.
    pub(super) fn place_access_units(&mut self, seg: &mut Seg, offset: i64) {
        while let (Some(f), Some(&(dts, pts))) = (
            self.demux.video.frames.get(seg.v_done),
            self.v_ts.get(seg.v_done),
        ) {
            seg.v_done += 1;
            let (dts, pts) = match (dts, pts, seg.last) {
                (Some(d), Some(p), _) => (d, p),
                (None, Some(p), _) | (Some(p), None, _) => (p, p),
                (None, None, Some((ld, lp))) => {
                    let d = ld + i64::from(self.video_duration);
                    (d, d + (lp - ld))
                }
                (None, None, None) => {
                    seg.v_untimed += 1;
                    continue;
                }
            };
            seg.last = Some((dts, pts));
            let mut p = Placed {
                dts: dts + offset,
                pts: pts + offset,
                offset: f.offset,
                size: f.size,
                key: f.key,
            };
            // Drop frames shown before the timeline start and, at a decoder start, before a
            // keyframe. Judged on presentation: under a mapping another stream set (alternate
            // audio), a keyframe can decode before 0 and show after it.
            if seg.v_phase == Phase::Negative {
                if p.pts < 0 {
                    seg.v_negative += 1;
                    continue;
                }
                seg.v_phase = if seg.need_key {
                    Phase::Lead
                } else {
                    Phase::Keep
                };
            }
            self.collect_captions(seg, seg.v_done - 1, p.pts);
            if seg.v_phase == Phase::Lead {
                if !p.key {
                    seg.v_lead += 1;
                    continue;
                }
                seg.v_phase = Phase::Keep;
            }
            // A decode time never below 0 (tfdt is unsigned; the trun's signed composition
            // offsets keep the presentation times), and strictly increasing.
            p.dts = p.dts.max(0);
            if let Some(pd) = seg.prev_dts {
                if p.dts <= pd {
                    p.dts = pd + 1;
                    seg.nudged += 1;
                }
            }
            seg.prev_dts = Some(p.dts);
            self.placed.push(p);
        }
    }

    /// Once per segment, with the first frames and a complete SPS/PPS: the VUI frame duration
    /// becomes the default sample duration (unless the stream continues a previous segment).
    pub(super) fn adopt_sps_frame_duration(&mut self, seg: &mut Seg) {
        if !seg.sps_duration && !self.demux.video.frames.is_empty() {
            if let (Some(info), false) =
                (&self.demux.video.sps_info, self.demux.video.pps.is_empty())
            {
                seg.sps_duration = true;
                if let (Some(d), None) = (info.frame_duration_90k, seg.video_next_start) {
                    self.video_duration = d;
                }
            }
        }
    }

    /// The `trun` samples of the first `emit_v` placed access units (into `samples`, their
    /// span into `span`), which leave `placed`. `None` when there are none.
    pub(super) fn video_run(
        &mut self,
        seg: &mut Seg,
        emit_v: usize,
        span: &mut Span,
    ) -> Result<Option<VideoRun>, RemuxError> {
        let mut run = None;
        self.samples.clear();
        if emit_v == 0 {
            return Ok(run);
        }
        if ParameterSets::of(&self.demux.video).is_none() {
            return Err(RemuxError::MissingParameterSets);
        }
        self.need_key = false;
        if !seg.joined {
            seg.joined = true;
            self.join_previous_segment(seg);
        }
        for i in 0..emit_v {
            let (Some(p), next) = (self.placed.get(i).copied(), self.placed.get(i + 1)) else {
                break;
            };
            let duration = match next {
                Some(q) => (q.dts - p.dts).clamp(1, i64::from(u32::MAX)) as u32,
                // The last frame lasts as long as the one before it.
                None => seg.last_duration.unwrap_or(self.video_duration),
            };
            seg.last_duration = Some(duration);
            let cto = (p.pts - p.dts).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
            self.samples.push(Sample {
                duration,
                size: p.size,
                flags: if p.key { FLAGS_SYNC } else { FLAGS_NON_SYNC },
                cto,
            });
            span.start = span.start.min(p.pts as f64 / 90_000.0);
            span.end = span
                .end
                .max((p.pts + i64::from(duration)) as f64 / 90_000.0);
        }
        if let (Some(first), Some(last), Some(last_s)) = (
            self.placed.first(),
            self.placed.get(emit_v - 1),
            self.samples.last(),
        ) {
            self.video_next = Some(last.dts + i64::from(last_s.duration));
            self.video_duration = last_s.duration;
            let begin = first.offset as usize;
            let end = last.offset as usize + last.size as usize;
            run = Some(VideoRun {
                tfdt: first.dts.max(0) as u64,
                bytes: begin..end,
            });
        }
        self.placed.drain(..emit_v);
        Ok(run)
    }

    /// Close a hole/overlap of less than a frame toward the previous segment (the first
    /// sample's DTS moves); larger ones are left and reported.
    fn join_previous_segment(&mut self, seg: &mut Seg) {
        if let (Some(next), Some(first)) = (self.video_next, self.placed.first()) {
            let delta = first.dts - next;
            let frame = i64::from(self.video_duration.max(1));
            let second = self.placed.get(1).map(|p| p.dts);
            if delta.abs() < frame && second.map_or(true, |s| s > next) {
                if let Some(first) = self.placed.first_mut() {
                    first.dts = next;
                }
            } else if delta >= frame {
                seg.warnings.push(RemuxWarning::VideoGap { ms: delta / 90 });
            } else if delta <= -frame {
                seg.warnings
                    .push(RemuxWarning::VideoOverlap { ms: -delta / 90 });
            }
        }
    }
}
