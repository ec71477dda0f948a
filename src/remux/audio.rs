//! Audio frames (AAC from ADTS, MPEG audio) on the output timeline, in units of audio samples:
//! frames within 100 ms of where the previous one ended are laid back to back, larger gaps get
//! silent frames, overlaps are dropped.
use super::output::Span;
use super::{RemuxWarning, Seg, Transmuxer};
use crate::fmp4::{Sample, FLAGS_SYNC};
use crate::ts::audio::{silent_frame, AudioCodec, AudioConfig};

/// Audio frames this close to where the previous frame ended are laid back to back.
const AUDIO_CONTIGUOUS_90K: i64 = 9_000;
/// Most silence inserted per segment (5 s); longer gaps are left or shifted.
const MAX_AUDIO_FILL_90K: i64 = 5 * 90_000;

impl Transmuxer {
    /// Place the audio frames not placed yet into the pending samples (`audio_samples`, their
    /// bytes in `audio_ranges`). Returns the segment's audio configuration.
    pub(super) fn place_audio_frames(&mut self, seg: &mut Seg, offset: i64) -> Option<AudioConfig> {
        let audio_config = seg.audio_config.or(self.demux.audio.config);
        let (Some(cfg), false) = (audio_config, self.demux.audio.frames.is_empty()) else {
            return audio_config;
        };
        let rate = i64::from(cfg.sample_rate.max(1));
        let spf = i64::from(cfg.samples_per_frame.max(1));
        let to_samples = |t90: i64| (t90 * rate + 45_000).div_euclid(90_000);
        let tolerance = to_samples(AUDIO_CONTIGUOUS_90K);
        if seg.audio_config.is_none() {
            seg.audio_config = Some(cfg);
            // Silence budget per segment, so output stays bounded by the input.
            seg.fill_left = to_samples(MAX_AUDIO_FILL_90K);
            seg.silent = silent_frame(&cfg, self.mpeg_header());
        }
        while let (Some(f), Some(ts)) = (
            self.demux.audio.frames.get(seg.a_done).copied(),
            self.a_ts.get(seg.a_done).copied(),
        ) {
            seg.a_done += 1;
            let t = match (ts, seg.expected) {
                (Some(t), _) => to_samples(t + offset),
                (None, Some(e)) => e,
                // No timestamp yet to place it by.
                (None, None) => {
                    seg.a_untimed += 1;
                    continue;
                }
            };
            let place = match seg.expected {
                None => t,
                Some(e) => match self.place_after(seg, t, e, rate, spf, tolerance) {
                    Some(place) => place,
                    None => continue,
                },
            };
            if place < 0 {
                seg.a_negative += 1;
                continue;
            }
            seg.at_start = false;
            if seg.a_first.is_none() {
                seg.a_first = Some(place);
            }
            self.audio_samples.push(Sample {
                duration: spf as u32,
                size: f.size,
                flags: FLAGS_SYNC,
                cto: 0,
            });
            let (b, e) = (f.offset as usize, f.offset as usize + f.size as usize);
            match self.audio_ranges.last_mut() {
                Some((_, end, false)) if *end == b => *end = e,
                _ => self.audio_ranges.push((b, e, false)),
            }
            seg.expected = Some(place + spf);
        }
        audio_config
    }

    /// Where a frame timed at `t` goes when the previous one ended at `e` (both in audio samples
    /// at `rate`, `spf` per frame): back to back within `tolerance`, after silent frames across a
    /// gap, or where it is. `None`: an overlap, dropped.
    fn place_after(
        &mut self,
        seg: &mut Seg,
        t: i64,
        e: i64,
        rate: i64,
        spf: i64,
        tolerance: i64,
    ) -> Option<i64> {
        let d = t - e;
        // An overlap beyond the tolerance is dropped down to half a frame.
        if d < -tolerance || (seg.dropping && d < -spf / 2) {
            seg.dropping = true;
            seg.dropped += 1;
            return None;
        }
        seg.dropping = false;
        let place = if d.abs() <= tolerance {
            e
        } else if seg.at_start && !seg.fill_between {
            // New position after a switch: the fragment starts where it is.
            t
        } else if let (Some(s), true) = (&seg.silent, d <= seg.fill_left) {
            let n = ((d + spf / 2) / spf) as u32;
            seg.fill_left -= d;
            if seg.a_first.is_none() {
                seg.a_first = Some(e);
            }
            for _ in 0..n {
                self.audio_samples.push(Sample {
                    duration: spf as u32,
                    size: s.len() as u32,
                    flags: FLAGS_SYNC,
                    cto: 0,
                });
                self.audio_ranges.push((0, s.len(), true));
            }
            seg.warnings.push(RemuxWarning::AudioGapFilled {
                ms: d * 1000 / rate,
                frames: n,
            });
            e + i64::from(n) * spf
        } else if seg.at_start {
            seg.warnings.push(RemuxWarning::AudioGapNotFilled {
                ms: d * 1000 / rate,
            });
            t
        } else {
            seg.warnings.push(RemuxWarning::AudioGapNotFilled {
                ms: d * 1000 / rate,
            });
            e
        };
        Some(place)
    }

    /// The audio `traf` of this fragment: its `tfdt` (in audio samples) when samples are
    /// pending; their span goes into `span` and the stream's audio end moves.
    pub(super) fn audio_run(
        &mut self,
        seg: &mut Seg,
        audio_config: Option<AudioConfig>,
        span: &mut Span,
    ) -> Option<u64> {
        let mut tfdt = None;
        if let (Some(cfg), Some(first), Some(end)) = (audio_config, seg.a_first, seg.expected) {
            let rate = f64::from(cfg.sample_rate.max(1));
            tfdt = Some(first as u64);
            self.audio_next = Some(end);
            span.start = span.start.min(first as f64 / rate);
            span.end = span.end.max(end as f64 / rate);
        }
        seg.a_first = None;
        tfdt
    }

    /// The 4-byte header of the last MPEG audio frame, the model for silent frames; `None` for
    /// AAC.
    fn mpeg_header(&self) -> Option<[u8; 4]> {
        let es = &self.demux.audio;
        if !matches!(es.config.map(|c| c.codec), Some(AudioCodec::Mpeg { .. })) {
            return None;
        }
        // The last frame: its header matches the configuration in force at the segment end.
        let f = es.frames.last()?;
        let h = es.data.get(f.offset as usize..f.offset as usize + 4)?;
        h.try_into().ok()
    }
}
