//! MPEG-TS segments -> fragmented MP4 for Media Source Extensions, with one continuous output
//! timeline across the segments of a stream.
//!
//! Timeline: raw 33-bit 90 kHz timestamps are unwrapped against the last timestamp seen (so
//! rollover inside and between segments is invisible), then shifted by one mapping offset. The
//! mapping is set by the first segment and after each discontinuity: the segment's earliest
//! timestamp (min of audio PTS and video DTS) lands on `SegmentInfo::start`. Between contiguous
//! segments, holes and overlaps smaller than a frame are closed (video: the first sample is
//! moved; audio: frames within 100 ms are laid back to back, larger gaps get silent frames,
//! overlaps are dropped).
use crate::fmp4::{
    self, Sample, SampleEntry, TrackFragment, TrackInit, FLAGS_NON_SYNC, FLAGS_SYNC,
};
use crate::ts::audio::{silent_frame, AudioCodec, AudioConfig};
use crate::ts::h264::SpsInfo;
use crate::ts::{DemuxWarning, Demuxer, TsError, TS_MASK};

/// Larger segments are refused (sample offsets are 32-bit; HLS segments are a few MB).
pub const MAX_SEGMENT_BYTES: usize = 256 << 20;
const VIDEO_TIMESCALE: u32 = 90_000;
const VIDEO_TRACK_ID: u32 = 1;
const AUDIO_TRACK_ID: u32 = 2;
/// Audio frames this close to where the previous frame ended are laid back to back.
const AUDIO_CONTIGUOUS_90K: i64 = 9_000;
/// Most silence inserted per segment (5 s); longer gaps are left or shifted.
const MAX_AUDIO_FILL_90K: i64 = 5 * 90_000;
/// A contiguous segment whose timestamps are this far from where the previous one ended has
/// an unsignalled discontinuity: it is placed right after the previous one.
const MAX_JUMP_90K: i64 = 10 * 90_000;
const DEFAULT_FRAME_90K: u32 = 3_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputShape {
    /// Both tracks in one fMP4 (one SourceBuffer).
    Combined,
    /// One fMP4 per track (separate audio and video SourceBuffers).
    SplitTracks,
}

/// Where a segment sits in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SegmentInfo {
    /// Playlist start time of this segment in seconds (sum of earlier EXTINF). Used to place the
    /// first segment and every segment after a discontinuity: output time = that segment's first
    /// timestamp mapped to `start`. Otherwise the existing mapping (from the first segment) is
    /// kept, so renditions of a MediaConvert ladder, which share timestamps, line up after a
    /// switch.
    pub start: f64,
    pub discontinuity: bool,
    /// This segment is from a different rendition than the previous push (expect a new
    /// SPS/init; do not treat the time jump as a hole to fill).
    pub rendition_switch: bool,
    /// This segment does not follow the previous push (after a seek): keep the mapping but do
    /// not stretch/fill toward the previous segment's end.
    pub non_contiguous: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    Video,
    Audio,
    Combined,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackOutput {
    pub kind: TrackKind,
    /// e.g. `avc1.4d401f` or `avc1.4d401f,mp4a.40.2`.
    pub codecs: String,
    /// e.g. `video/mp4; codecs="avc1.4d401f"`.
    pub mime: String,
    /// A new init segment, when the track set or a codec configuration changed.
    pub init: Option<Vec<u8>>,
    /// One `moof` + `mdat` (empty when this track has no samples in the segment).
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemuxOutput {
    /// Combined: one entry; SplitTracks: one per track (video first). Empty only while the
    /// stream waits for its first video keyframe (`WaitingForVideoStart`).
    pub tracks: Vec<TrackOutput>,
    /// Seconds on the output timeline: earliest presentation time and latest end.
    pub start: f64,
    pub end: f64,
    pub warnings: Vec<RemuxWarning>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemuxError {
    #[error(transparent)]
    Ts(#[from] TsError),
    #[error("limit: segment of {len} bytes is larger than {max} bytes")]
    TooLarge { len: usize, max: usize },
    #[error("malformed: no audio or video frames in the segment ({len} bytes)")]
    NoFrames { len: usize },
    #[error("malformed: H.264 stream has no usable SPS/PPS")]
    MissingParameterSets,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RemuxWarning {
    #[error(transparent)]
    Demux(#[from] DemuxWarning),
    #[error("segment does not start with a keyframe: {count} leading video frames dropped")]
    LeadingFramesDropped { count: usize },
    #[error("{count} frames without timestamps before the first timed one dropped")]
    UntimedFramesDropped { count: usize },
    #[error("video DTS not increasing at {count} frames: nudged forward")]
    NonMonotonicDts { count: usize },
    #[error("video gap of {ms} ms before this segment (left as is)")]
    VideoGap { ms: i64 },
    #[error("video overlap of {ms} ms with the previous segment (left as is)")]
    VideoOverlap { ms: i64 },
    #[error("audio gap of {ms} ms filled with {frames} silent frames")]
    AudioGapFilled { ms: i64, frames: u32 },
    #[error("audio gap of {ms} ms not filled")]
    AudioGapNotFilled { ms: i64 },
    #[error("{frames} overlapping audio frames dropped")]
    AudioOverlapDropped { frames: u32 },
    #[error("timestamps jumped {ms} ms without a discontinuity tag: segment placed after the previous one")]
    TimestampJump { ms: i64 },
    #[error("{count} frames before the start of the timeline dropped")]
    NegativeTimeDropped { count: usize },
    #[error("no video keyframe with SPS/PPS yet: nothing written for this segment")]
    WaitingForVideoStart,
    #[error("the program lists a {kind} stream that has no frames in this segment")]
    TrackWithoutFrames { kind: &'static str },
}

#[derive(Debug, Clone, PartialEq)]
struct VideoConfig {
    sps: Vec<u8>,
    pps: Vec<Vec<u8>>,
    info: SpsInfo,
}

/// One video access unit placed on the output timeline.
#[derive(Debug, Clone, Copy)]
struct Placed {
    dts: i64,
    pts: i64,
    offset: u32,
    size: u32,
    key: bool,
}

/// TS -> fMP4 transmuxer for the segments of one stream (see the module docs).
#[derive(Debug)]
pub struct Transmuxer {
    shape: OutputShape,
    demux: Demuxer,
    sequence: u32,
    /// Output 90 kHz time = unwrapped timestamp + offset.
    offset: Option<i64>,
    /// Last unwrapped timestamp, the reference for rollover correction.
    reference: Option<i64>,
    /// Output DTS (90 kHz) where the next video sample belongs.
    video_next: Option<i64>,
    video_duration: u32,
    /// Output time in audio samples where the next audio frame belongs.
    audio_next: Option<i64>,
    /// A decoder (re)start: video must begin with a keyframe.
    need_key: bool,
    video_written: Option<VideoConfig>,
    audio_written: Option<AudioConfig>,
    combined_tracks: (bool, bool),
    placed: Vec<Placed>,
    samples: Vec<Sample>,
    audio_samples: Vec<Sample>,
    audio_ranges: Vec<(usize, usize, bool)>,
    silence: Vec<u8>,
    v_ts: Vec<(Option<i64>, Option<i64>)>,
    a_ts: Vec<Option<i64>>,
}

impl Transmuxer {
    pub fn new(shape: OutputShape) -> Self {
        Self {
            shape,
            demux: Demuxer::new(),
            sequence: 0,
            offset: None,
            reference: None,
            video_next: None,
            video_duration: DEFAULT_FRAME_90K,
            audio_next: None,
            need_key: true,
            video_written: None,
            audio_written: None,
            combined_tracks: (false, false),
            placed: Vec::new(),
            samples: Vec::new(),
            audio_samples: Vec::new(),
            audio_ranges: Vec::new(),
            silence: Vec::new(),
            v_ts: Vec::new(),
            a_ts: Vec::new(),
        }
    }

    /// Forget all state (a new stream). A seek is not a reset: see [`SegmentInfo`].
    pub fn reset(&mut self) {
        *self = Self::new(self.shape);
    }

    /// Unwrap a 33-bit timestamp to the value nearest the reference.
    fn unwrap(&mut self, raw: u64) -> i64 {
        let raw = (raw & TS_MASK) as i64;
        let v = match self.reference {
            None => raw,
            Some(r) => {
                let period = 1i64 << 33;
                let base = r - r.rem_euclid(period);
                let mut v = base + raw;
                if v - r > period / 2 {
                    v -= period;
                } else if r - v > period / 2 {
                    v += period;
                }
                v
            }
        };
        self.reference = Some(v);
        v
    }

    /// One whole TS segment of the current rendition.
    pub fn push(&mut self, segment: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        if segment.len() > MAX_SEGMENT_BYTES {
            return Err(RemuxError::TooLarge {
                len: segment.len(),
                max: MAX_SEGMENT_BYTES,
            });
        }
        self.demux.begin_segment();
        self.demux.push(segment);
        let demuxed = self.demux.finish_segment();
        let mut warnings: Vec<RemuxWarning> = self
            .demux
            .warnings
            .take()
            .into_iter()
            .map(RemuxWarning::Demux)
            .collect();
        demuxed?;
        if self.demux.video.frames.is_empty() && self.demux.audio.frames.is_empty() {
            return Err(RemuxError::NoFrames { len: segment.len() });
        }
        if self.demux.has_video() && self.demux.video.frames.is_empty() {
            warnings.push(RemuxWarning::TrackWithoutFrames { kind: "video" });
        }
        if self.demux.has_audio() && self.demux.audio.frames.is_empty() {
            warnings.push(RemuxWarning::TrackWithoutFrames { kind: "audio" });
        }

        let contiguous = !(info.discontinuity || info.non_contiguous) && self.offset.is_some();
        if info.discontinuity || info.non_contiguous || info.rendition_switch {
            self.need_key = true;
        }
        if !contiguous {
            self.video_next = None;
            self.audio_next = None;
        }

        // Unwrap every timestamp in stream order: video then audio, each from the reference.
        let start_ref = self.reference;
        // Scratch buffers keep their capacity across segments.
        let mut v_ts = std::mem::take(&mut self.v_ts);
        v_ts.clear();
        for i in 0..self.demux.video.frames.len() {
            let Some(f) = self.demux.video.frames.get(i).copied() else {
                break;
            };
            let dts = f.dts.map(|d| self.unwrap(d));
            let pts = f.pts.map(|p| self.unwrap(p));
            v_ts.push((dts, pts));
        }
        let video_end_ref = self.reference;
        self.reference = start_ref.or(v_ts.iter().find_map(|t| t.0));
        let mut a_ts = std::mem::take(&mut self.a_ts);
        a_ts.clear();
        for i in 0..self.demux.audio.frames.len() {
            let Some(f) = self.demux.audio.frames.get(i).copied() else {
                break;
            };
            a_ts.push(f.pts.map(|p| self.unwrap(p)));
        }
        if let (Some(v), Some(a)) = (video_end_ref, self.reference) {
            self.reference = Some(v.max(a));
        } else if self.reference.is_none() {
            self.reference = video_end_ref;
        }

        let first_video = v_ts.iter().find_map(|t| t.0);
        let first_audio = a_ts.iter().find_map(|t| *t);
        let Some(first) = [first_video, first_audio].into_iter().flatten().min() else {
            return Err(RemuxError::NoFrames { len: segment.len() });
        };
        let start_90k = (info.start.max(0.0) * 90_000.0).round() as i64;
        let offset = match self.offset {
            Some(o) if !info.discontinuity => {
                let expected = self.expected_next_90k();
                match expected {
                    Some(e)
                        if contiguous
                            && !info.rendition_switch
                            && (first + o - e).abs() > MAX_JUMP_90K =>
                    {
                        warnings.push(RemuxWarning::TimestampJump {
                            ms: (first + o - e) / 90,
                        });
                        self.video_next = None;
                        self.audio_next = None;
                        e - first
                    }
                    _ => o,
                }
            }
            _ => start_90k - first,
        };
        self.offset = Some(offset);

        let fill_between = contiguous && !info.rendition_switch;
        // A new audio configuration (sample rate) restarts the audio timeline in its own units.
        if self.audio_written.is_some() && self.demux.audio.config != self.audio_written {
            self.audio_next = None;
        }
        let mut out_start = f64::INFINITY;
        let mut out_end = f64::NEG_INFINITY;

        // ---- video ----
        let mut video_frag: Option<(u64, usize, usize)> = None; // (tfdt, first data byte, end)
        self.samples.clear();
        self.placed.clear();
        if !self.demux.video.frames.is_empty() {
            let mut untimed = 0usize;
            let mut last: Option<(i64, i64)> = None;
            for (f, (dts, pts)) in self.demux.video.frames.iter().zip(&v_ts) {
                let (dts, pts) = match (dts, pts, last) {
                    (Some(d), Some(p), _) => (*d, *p),
                    (None, Some(p), _) | (Some(p), None, _) => (*p, *p),
                    (None, None, Some((ld, lp))) => {
                        let d = ld + i64::from(self.video_duration);
                        (d, d + (lp - ld))
                    }
                    (None, None, None) => {
                        untimed += 1;
                        continue;
                    }
                };
                last = Some((dts, pts));
                self.placed.push(Placed {
                    dts: dts + offset,
                    pts: pts + offset,
                    offset: f.offset,
                    size: f.size,
                    key: f.key,
                });
            }
            if untimed > 0 {
                warnings.push(RemuxWarning::UntimedFramesDropped { count: untimed });
            }
            // Drop frames before the timeline start and, at a decoder start, before a keyframe.
            let negative = self.placed.iter().take_while(|p| p.dts < 0).count();
            if negative > 0 {
                warnings.push(RemuxWarning::NegativeTimeDropped { count: negative });
            }
            let mut skip = negative;
            if self.need_key {
                let lead = self.placed.iter().skip(skip).take_while(|p| !p.key).count();
                if lead > 0 {
                    warnings.push(RemuxWarning::LeadingFramesDropped { count: lead });
                }
                skip += lead;
            }
            self.placed.drain(..skip.min(self.placed.len()));
            let config = self.current_video_config();
            if !self.placed.is_empty() && config.is_none() {
                return Err(RemuxError::MissingParameterSets);
            }
            if let Some(cfg) = &config {
                if let Some(d) = cfg.info.frame_duration_90k {
                    if self.video_next.is_none() {
                        self.video_duration = d;
                    }
                }
            }
            if !self.placed.is_empty() {
                self.need_key = false;
                // DTS strictly increasing.
                let mut nudged = 0usize;
                let mut prev: Option<i64> = None;
                for p in self.placed.iter_mut() {
                    if let Some(pd) = prev {
                        if p.dts <= pd {
                            p.dts = pd + 1;
                            nudged += 1;
                        }
                    }
                    prev = Some(p.dts);
                }
                if nudged > 0 {
                    warnings.push(RemuxWarning::NonMonotonicDts { count: nudged });
                }
                // Close a hole/overlap of less than a frame toward the previous segment.
                if let (Some(next), Some(first)) = (self.video_next, self.placed.first_mut()) {
                    let delta = first.dts - next;
                    let frame = i64::from(self.video_duration.max(1));
                    let second = self.placed.get(1).map(|p| p.dts);
                    if delta.abs() < frame && second.map_or(true, |s| s > next) {
                        if let Some(first) = self.placed.first_mut() {
                            first.dts = next;
                        }
                    } else if delta >= frame {
                        warnings.push(RemuxWarning::VideoGap { ms: delta / 90 });
                    } else if delta <= -frame {
                        warnings.push(RemuxWarning::VideoOverlap { ms: -delta / 90 });
                    }
                }
                let n = self.placed.len();
                for i in 0..n {
                    let (Some(p), next) = (self.placed.get(i).copied(), self.placed.get(i + 1))
                    else {
                        break;
                    };
                    let duration = match next {
                        Some(q) => (q.dts - p.dts).clamp(1, i64::from(u32::MAX)) as u32,
                        // The last frame lasts as long as the one before it.
                        None => self
                            .samples
                            .last()
                            .map_or(self.video_duration, |s| s.duration),
                    };
                    let cto =
                        (p.pts - p.dts).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
                    self.samples.push(Sample {
                        duration,
                        size: p.size,
                        flags: if p.key { FLAGS_SYNC } else { FLAGS_NON_SYNC },
                        cto,
                    });
                    out_start = out_start.min(p.pts as f64 / 90_000.0);
                    out_end = out_end.max((p.pts + i64::from(duration)) as f64 / 90_000.0);
                }
                if let (Some(first), Some(last), Some(last_s)) =
                    (self.placed.first(), self.placed.last(), self.samples.last())
                {
                    self.video_next = Some(last.dts + i64::from(last_s.duration));
                    self.video_duration = last_s.duration;
                    let begin = first.offset as usize;
                    let end = last.offset as usize + last.size as usize;
                    video_frag = Some((first.dts.max(0) as u64, begin, end));
                }
            }
        }

        // ---- audio ----
        let mut audio_frag: Option<u64> = None;
        self.audio_samples.clear();
        self.audio_ranges.clear();
        let audio_config = self.demux.audio.config;
        if let (Some(cfg), false) = (audio_config, self.demux.audio.frames.is_empty()) {
            let rate = i64::from(cfg.sample_rate.max(1));
            let spf = i64::from(cfg.samples_per_frame.max(1));
            let to_samples = |t90: i64| (t90 * rate + 45_000).div_euclid(90_000);
            let tolerance = to_samples(AUDIO_CONTIGUOUS_90K);
            // Silence budget per segment, so output stays bounded by the input.
            let mut fill_left = to_samples(MAX_AUDIO_FILL_90K);
            let mut expected = self.audio_next;
            let mut first_time: Option<i64> = None;
            let mut dropped = 0u32;
            let mut dropping = false;
            let mut negative = 0usize;
            let mut untimed = 0usize;
            let silent = silent_frame(&cfg, self.mpeg_header());
            let mut at_segment_start = true;
            for (f, ts) in self.demux.audio.frames.iter().zip(&a_ts) {
                let t = match (ts, expected) {
                    (Some(t), _) => to_samples(t + offset),
                    (None, Some(e)) => e,
                    // No timestamp yet to place it by.
                    (None, None) => {
                        untimed += 1;
                        continue;
                    }
                };
                let place = match expected {
                    None => t,
                    Some(e) => {
                        let d = t - e;
                        // An overlap beyond the tolerance is dropped down to half a frame.
                        if d < -tolerance || (dropping && d < -spf / 2) {
                            dropping = true;
                            dropped += 1;
                            continue;
                        }
                        dropping = false;
                        if d.abs() <= tolerance {
                            e
                        } else if at_segment_start && !fill_between {
                            // New position after a switch: the fragment starts where it is.
                            t
                        } else if let (Some(s), true) = (&silent, d <= fill_left) {
                            let n = ((d + spf / 2) / spf) as u32;
                            fill_left -= d;
                            if first_time.is_none() {
                                first_time = Some(e);
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
                            warnings.push(RemuxWarning::AudioGapFilled {
                                ms: d * 1000 / rate,
                                frames: n,
                            });
                            e + i64::from(n) * spf
                        } else if at_segment_start {
                            warnings.push(RemuxWarning::AudioGapNotFilled {
                                ms: d * 1000 / rate,
                            });
                            t
                        } else {
                            warnings.push(RemuxWarning::AudioGapNotFilled {
                                ms: d * 1000 / rate,
                            });
                            e
                        }
                    }
                };
                if place < 0 {
                    negative += 1;
                    continue;
                }
                at_segment_start = false;
                if first_time.is_none() {
                    first_time = Some(place);
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
                expected = Some(place + spf);
            }
            if dropped > 0 {
                warnings.push(RemuxWarning::AudioOverlapDropped { frames: dropped });
            }
            if negative > 0 {
                warnings.push(RemuxWarning::NegativeTimeDropped { count: negative });
            }
            if untimed > 0 {
                warnings.push(RemuxWarning::UntimedFramesDropped { count: untimed });
            }
            if let Some(s) = silent {
                self.silence = s;
            }
            if let (Some(first), Some(end)) = (first_time, expected) {
                audio_frag = Some(first as u64);
                self.audio_next = Some(end);
                out_start = out_start.min(first as f64 / rate as f64);
                out_end = out_end.max(end as f64 / rate as f64);
            }
        }

        // ---- output ----
        let video_cfg = self.current_video_config();
        // A SourceBuffer cannot gain a track later, and MSE refuses new SourceBuffers once one
        // has media: while the stream has video frames but no decodable start yet (no SPS/PPS +
        // keyframe), nothing is written at all.
        if self.video_written.is_none()
            && self.audio_written.is_none()
            && video_frag.is_none()
            && !self.demux.video.frames.is_empty()
        {
            warnings.push(RemuxWarning::WaitingForVideoStart);
            self.video_next = None;
            self.audio_next = None;
            self.v_ts = v_ts;
            self.a_ts = a_ts;
            let at = start_90k as f64 / 90_000.0;
            return Ok(RemuxOutput {
                tracks: Vec::new(),
                start: at,
                end: at,
                warnings,
            });
        }
        let has_video = video_cfg.is_some();
        let has_audio = audio_config.is_some();
        let v_data: [&[u8]; 1] = [video_frag
            .and_then(|(_, b, e)| self.demux.video.data.get(b..e))
            .unwrap_or(&[])];
        let a_pieces: Vec<&[u8]> = self
            .audio_ranges
            .iter()
            .map(|&(b, e, silent)| {
                if silent {
                    self.silence.get(b..e).unwrap_or(&[])
                } else {
                    self.demux.audio.data.get(b..e).unwrap_or(&[])
                }
            })
            .collect();
        let video_fragment = video_frag.map(|(tfdt, _, _)| TrackFragment {
            track_id: VIDEO_TRACK_ID,
            base_decode_time: tfdt,
            samples: &self.samples,
            data: &v_data,
        });
        let audio_fragment = audio_frag.map(|tfdt| TrackFragment {
            track_id: AUDIO_TRACK_ID,
            base_decode_time: tfdt,
            samples: &self.audio_samples,
            data: &a_pieces,
        });
        let video_codec = video_cfg.as_ref().map(|c| c.info.codec_string());
        let audio_codec = audio_config.map(|c| c.codec_string());
        let video_changed = has_video && video_cfg != self.video_written;
        let audio_changed = has_audio && audio_config != self.audio_written;
        let video_init = video_cfg.as_ref().map(|c| TrackInit {
            track_id: VIDEO_TRACK_ID,
            timescale: VIDEO_TIMESCALE,
            entry: SampleEntry::Avc {
                sps: &c.sps,
                pps: &c.pps,
                info: &c.info,
            },
        });
        let audio_cfg_ref = audio_config.as_ref();
        let audio_init = audio_cfg_ref.map(|c| TrackInit {
            track_id: AUDIO_TRACK_ID,
            timescale: c.sample_rate,
            entry: SampleEntry::Audio { config: c },
        });
        let mut tracks = Vec::with_capacity(2);
        let mut sequence = self.sequence;
        match self.shape {
            OutputShape::Combined => {
                let set = (has_video, has_audio);
                let init = if video_changed || audio_changed || set != self.combined_tracks {
                    let mut inits = Vec::with_capacity(2);
                    if has_video {
                        inits.extend(video_init);
                    }
                    if has_audio {
                        inits.extend(audio_init);
                    }
                    let mut out = Vec::with_capacity(1024);
                    fmp4::write_init(&mut out, &inits);
                    Some(out)
                } else {
                    None
                };
                let frags: Vec<TrackFragment<'_>> =
                    video_fragment.into_iter().chain(audio_fragment).collect();
                let mut data = Vec::with_capacity(fmp4::fragment_size(&frags));
                sequence = sequence.wrapping_add(1);
                fmp4::write_fragment(&mut data, sequence, &frags);
                // Joined by hand: `[String]::join` would be a second join instantiation in the wasm.
                let mut codecs = String::new();
                for c in [video_codec.filter(|_| has_video), audio_codec]
                    .into_iter()
                    .flatten()
                {
                    if !codecs.is_empty() {
                        codecs.push(',');
                    }
                    codecs.push_str(&c);
                }
                let mime = format!(
                    "{}/mp4; codecs=\"{}\"",
                    if has_video { "video" } else { "audio" },
                    codecs
                );
                tracks.push(TrackOutput {
                    kind: TrackKind::Combined,
                    codecs,
                    mime,
                    init,
                    data,
                });
                self.combined_tracks = set;
            }
            OutputShape::SplitTracks => {
                sequence = sequence.wrapping_add(1);
                if has_video {
                    let init = video_changed.then(|| {
                        let mut out = Vec::with_capacity(1024);
                        fmp4::write_init(&mut out, &video_init.into_iter().collect::<Vec<_>>());
                        out
                    });
                    let frags: Vec<TrackFragment<'_>> = video_fragment.into_iter().collect();
                    let mut data = Vec::new();
                    if !frags.is_empty() {
                        data.reserve_exact(fmp4::fragment_size(&frags));
                        fmp4::write_fragment(&mut data, sequence, &frags);
                    }
                    let codecs = video_codec.unwrap_or_default();
                    let mime = format!("video/mp4; codecs=\"{codecs}\"");
                    tracks.push(TrackOutput {
                        kind: TrackKind::Video,
                        codecs,
                        mime,
                        init,
                        data,
                    });
                }
                if has_audio {
                    let init = audio_changed.then(|| {
                        let mut out = Vec::with_capacity(512);
                        fmp4::write_init(&mut out, &audio_init.into_iter().collect::<Vec<_>>());
                        out
                    });
                    let frags: Vec<TrackFragment<'_>> = audio_fragment.into_iter().collect();
                    let mut data = Vec::new();
                    if !frags.is_empty() {
                        data.reserve_exact(fmp4::fragment_size(&frags));
                        fmp4::write_fragment(&mut data, sequence, &frags);
                    }
                    let codecs = audio_codec.unwrap_or_default();
                    let mime = format!("audio/mp4; codecs=\"{codecs}\"");
                    tracks.push(TrackOutput {
                        kind: TrackKind::Audio,
                        codecs,
                        mime,
                        init,
                        data,
                    });
                }
            }
        }
        self.sequence = sequence;
        if has_video {
            self.video_written = video_cfg;
        }
        if has_audio {
            self.audio_written = audio_config;
        }
        if !out_start.is_finite() {
            out_start = start_90k as f64 / 90_000.0;
            out_end = out_start;
        }
        self.v_ts = v_ts;
        self.a_ts = a_ts;
        Ok(RemuxOutput {
            tracks,
            start: out_start,
            end: out_end,
            warnings,
        })
    }

    fn expected_next_90k(&self) -> Option<i64> {
        let audio = self
            .audio_next
            .zip(self.audio_written)
            .map(|(n, c)| n * 90_000 / i64::from(c.sample_rate.max(1)));
        match (self.video_next, audio) {
            (Some(v), Some(a)) => Some(v.min(a)),
            (v, a) => v.or(a),
        }
    }

    fn current_video_config(&self) -> Option<VideoConfig> {
        let es = &self.demux.video;
        let info = es.sps_info.clone()?;
        if es.pps.is_empty() {
            return None;
        }
        Some(VideoConfig {
            sps: es.sps.clone(),
            pps: es.pps.clone(),
            info,
        })
    }

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
