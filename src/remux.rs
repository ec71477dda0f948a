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

/// Which track a SourceBuffer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackKind {
    Video,
    Audio,
    Combined,
}

impl TrackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TrackKind::Video => "video",
            TrackKind::Audio => "audio",
            TrackKind::Combined => "combined",
        }
    }
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

/// Timeline state saved when a segment starts, for [`Transmuxer::abort_segment`].
#[derive(Debug, Clone, Copy, Default)]
struct Timeline {
    offset: Option<i64>,
    reference: Option<i64>,
    video_next: Option<i64>,
    video_duration: u32,
    audio_next: Option<i64>,
    need_key: bool,
}

/// Where leading video frames stand: before the timeline start, before the first keyframe (at
/// a decoder start), or kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    #[default]
    Negative,
    Lead,
    Keep,
}

/// Progress through the segment being pushed: every per-segment decision, carried between
/// chunks so that a chunked push places each frame exactly as a whole push does.
#[derive(Debug, Default)]
struct Seg {
    active: bool,
    info: SegmentInfo,
    saved: Timeline,
    received: usize,
    start_ref: Option<i64>,
    contiguous: bool,
    /// Contiguous and the same rendition: holes toward the previous segment are filled.
    fill_between: bool,
    start_90k: i64,
    need_key: bool,
    warnings: Vec<RemuxWarning>,
    /// The segment's timestamp mapping, once the first frame of every track is known.
    offset: Option<i64>,
    v_ref: Option<i64>,
    /// Audio unwrap reference; `None` until known (it may come from the first video DTS).
    a_ref: Option<Option<i64>>,
    video_next_start: Option<i64>,
    v_done: usize,
    last: Option<(i64, i64)>,
    v_phase: Phase,
    v_untimed: usize,
    v_negative: usize,
    v_lead: usize,
    prev_dts: Option<i64>,
    nudged: usize,
    sps_duration: bool,
    joined: bool,
    last_duration: Option<u32>,
    audio_config: Option<AudioConfig>,
    a_done: usize,
    expected: Option<i64>,
    /// Output time of the first pending audio sample.
    a_first: Option<i64>,
    dropping: bool,
    dropped: u32,
    a_negative: usize,
    a_untimed: usize,
    fill_left: i64,
    at_start: bool,
    silent: Option<Vec<u8>>,
    emitted: bool,
    end: f64,
}

/// Unwrap a 33-bit timestamp to the value nearest the reference (which follows it).
fn unwrap_ts(reference: &mut Option<i64>, raw: u64) -> i64 {
    let raw = (raw & TS_MASK) as i64;
    let v = match *reference {
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
    *reference = Some(v);
    v
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
    /// The segment being pushed.
    seg: Seg,
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
            seg: Seg::default(),
            v_ts: Vec::new(),
            a_ts: Vec::new(),
        }
    }

    /// The output shape it was made with.
    pub fn shape(&self) -> OutputShape {
        self.shape
    }

    /// Forget all state (a new stream). A seek is not a reset: see [`SegmentInfo`].
    pub fn reset(&mut self) {
        *self = Self::new(self.shape);
    }

    /// Timeline state a segment may change (restored by [`Self::abort_segment`]).
    fn timeline(&self) -> Timeline {
        Timeline {
            offset: self.offset,
            reference: self.reference,
            video_next: self.video_next,
            video_duration: self.video_duration,
            audio_next: self.audio_next,
            need_key: self.need_key,
        }
    }

    /// One whole TS segment of the current rendition. Same output as [`Self::push_chunk`] with
    /// every byte followed by [`Self::finish_segment`] when the chunks emitted nothing.
    pub fn push(&mut self, segment: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        self.abort_segment();
        if segment.len() > MAX_SEGMENT_BYTES {
            return Err(RemuxError::TooLarge {
                len: segment.len(),
                max: MAX_SEGMENT_BYTES,
            });
        }
        self.begin(info);
        self.seg.received = segment.len();
        self.demux.push(segment);
        self.finish_segment(info)
    }

    /// Bytes of the current segment as they arrive (any split). Returns a fragment (and an init
    /// segment the first time or on a change) with every frame complete so far, or `None` when
    /// not one more video frame (audio-only: audio frame) is ready. The first push of a segment
    /// starts it with `info`; end it with [`Self::finish_segment`] or [`Self::abort_segment`].
    pub fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxError> {
        if !self.seg.active {
            self.begin(info);
        }
        self.seg.received = self.seg.received.saturating_add(data.len());
        if self.seg.received > MAX_SEGMENT_BYTES {
            return Err(RemuxError::TooLarge {
                len: self.seg.received,
                max: MAX_SEGMENT_BYTES,
            });
        }
        self.demux.push(data);
        self.advance(false)
    }

    /// End of the current segment: the frames not emitted yet. After chunks that emitted
    /// everything (audio only), `tracks` is empty.
    pub fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        if !self.seg.active {
            self.begin(info);
        }
        let out = self.finish_inner();
        self.seg.active = false;
        out
    }

    /// Forget a partially pushed segment (failed or abandoned download): the timeline is put
    /// back as it was before the segment, so a retry or another rendition starts clean. What
    /// was already emitted stays written (the next init segment is still sent only on a change).
    pub fn abort_segment(&mut self) {
        if !self.seg.active {
            return;
        }
        let t = self.seg.saved;
        self.offset = t.offset;
        self.reference = t.reference;
        self.video_next = t.video_next;
        self.video_duration = t.video_duration;
        self.audio_next = t.audio_next;
        self.need_key = t.need_key;
        self.seg.active = false;
        self.demux.begin_segment();
        self.placed.clear();
        self.audio_samples.clear();
        self.audio_ranges.clear();
    }

    fn begin(&mut self, info: &SegmentInfo) {
        let saved = self.timeline();
        let contiguous = !(info.discontinuity || info.non_contiguous) && self.offset.is_some();
        if info.discontinuity || info.non_contiguous || info.rendition_switch {
            self.need_key = true;
        }
        if !contiguous {
            self.video_next = None;
            self.audio_next = None;
        }
        let mut warnings = std::mem::take(&mut self.seg.warnings);
        warnings.clear();
        self.seg = Seg {
            active: true,
            info: *info,
            saved,
            start_ref: self.reference,
            contiguous,
            fill_between: contiguous && !info.rendition_switch,
            start_90k: (info.start.max(0.0) * 90_000.0).round() as i64,
            warnings,
            v_ref: self.reference,
            need_key: self.need_key,
            at_start: true,
            ..Seg::default()
        };
        self.demux.begin_segment();
        self.v_ts.clear();
        self.a_ts.clear();
        self.placed.clear();
        self.audio_samples.clear();
        self.audio_ranges.clear();
    }

    fn finish_inner(&mut self) -> Result<RemuxOutput, RemuxError> {
        let demuxed = self.demux.finish_segment();
        let mut warnings: Vec<RemuxWarning> = self
            .demux
            .warnings
            .take()
            .into_iter()
            .map(RemuxWarning::Demux)
            .collect();
        demuxed?;
        let len = self.seg.received;
        if self.demux.video.frames.is_empty() && self.demux.audio.frames.is_empty() {
            return Err(RemuxError::NoFrames { len });
        }
        if self.demux.has_video() && self.demux.video.frames.is_empty() {
            warnings.push(RemuxWarning::TrackWithoutFrames { kind: "video" });
        }
        if self.demux.has_audio() && self.demux.audio.frames.is_empty() {
            warnings.push(RemuxWarning::TrackWithoutFrames { kind: "audio" });
        }
        let mut out = self.advance(true)?.ok_or(RemuxError::NoFrames { len })?;
        warnings.append(&mut out.warnings);
        out.warnings = warnings;
        Ok(out)
    }

    fn advance(&mut self, fin: bool) -> Result<Option<RemuxOutput>, RemuxError> {
        let mut seg = std::mem::take(&mut self.seg);
        let out = self.advance_seg(&mut seg, fin);
        self.seg = seg;
        out
    }

    /// Unwrap, map, place and emit what the demuxer holds beyond the previous call. Every step
    /// runs frame by frame in stream order, so the chunking never changes the timeline.
    fn advance_seg(&mut self, seg: &mut Seg, fin: bool) -> Result<Option<RemuxOutput>, RemuxError> {
        // Unwrap every timestamp in stream order: video from the reference, audio from the
        // reference or else the first video DTS.
        for f in self
            .demux
            .video
            .frames
            .get(self.v_ts.len()..)
            .unwrap_or(&[])
        {
            let dts = f.dts.map(|d| unwrap_ts(&mut seg.v_ref, d));
            let pts = f.pts.map(|p| unwrap_ts(&mut seg.v_ref, p));
            self.v_ts.push((dts, pts));
        }
        let first_video = self.v_ts.iter().find_map(|t| t.0);
        if seg.a_ref.is_none()
            && (fin
                || seg.start_ref.is_some()
                || first_video.is_some()
                || (self.demux.has_audio() && !self.demux.has_video()))
        {
            seg.a_ref = Some(seg.start_ref.or(first_video));
        }
        if let Some(r) = seg.a_ref.as_mut() {
            for f in self
                .demux
                .audio
                .frames
                .get(self.a_ts.len()..)
                .unwrap_or(&[])
            {
                self.a_ts.push(f.pts.map(|p| unwrap_ts(r, p)));
            }
        }
        if fin {
            self.reference = match (seg.v_ref, seg.a_ref.flatten()) {
                (Some(v), Some(a)) => Some(v.max(a)),
                (v, a) => a.or(v),
            };
        }
        let info = seg.info;
        let offset = match seg.offset {
            Some(o) => o,
            None => {
                let first_audio = self.a_ts.iter().find_map(|t| *t);
                // The mapping needs the first frame of every track (min of both).
                let ready = (first_video.is_some() || first_audio.is_some())
                    && (first_video.is_some() || !self.demux.has_video())
                    && (first_audio.is_some() || !self.demux.has_audio());
                if !(fin || ready) {
                    return Ok(None);
                }
                let Some(first) = [first_video, first_audio].into_iter().flatten().min() else {
                    return Err(RemuxError::NoFrames { len: seg.received });
                };
                let offset = match self.offset {
                    Some(o) if !info.discontinuity => match self.expected_next_90k() {
                        Some(e)
                            if seg.contiguous
                                && !info.rendition_switch
                                && (first + o - e).abs() > MAX_JUMP_90K =>
                        {
                            seg.warnings.push(RemuxWarning::TimestampJump {
                                ms: (first + o - e) / 90,
                            });
                            self.video_next = None;
                            self.audio_next = None;
                            e - first
                        }
                        _ => o,
                    },
                    _ => seg.start_90k - first,
                };
                self.offset = Some(offset);
                seg.offset = Some(offset);
                // A new audio configuration (sample rate) restarts the audio timeline in its
                // own units.
                if self.audio_written.is_some() && self.demux.audio.config != self.audio_written {
                    self.audio_next = None;
                }
                seg.video_next_start = self.video_next;
                seg.expected = self.audio_next;
                offset
            }
        };

        // ---- video: place, drop, nudge (into `placed`, the frames not emitted yet) ----
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
            // Drop frames before the timeline start and, at a decoder start, before a keyframe.
            if seg.v_phase == Phase::Negative {
                if p.dts < 0 {
                    seg.v_negative += 1;
                    continue;
                }
                seg.v_phase = if seg.need_key {
                    Phase::Lead
                } else {
                    Phase::Keep
                };
            }
            if seg.v_phase == Phase::Lead {
                if !p.key {
                    seg.v_lead += 1;
                    continue;
                }
                seg.v_phase = Phase::Keep;
            }
            // DTS strictly increasing.
            if let Some(pd) = seg.prev_dts {
                if p.dts <= pd {
                    p.dts = pd + 1;
                    seg.nudged += 1;
                }
            }
            seg.prev_dts = Some(p.dts);
            self.placed.push(p);
        }
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

        // ---- audio: place into the pending samples ----
        let audio_config = seg.audio_config.or(self.demux.audio.config);
        if let (Some(cfg), false) = (audio_config, self.demux.audio.frames.is_empty()) {
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
                self.demux.audio.frames.get(seg.a_done),
                self.a_ts.get(seg.a_done),
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
                    Some(e) => {
                        let d = t - e;
                        // An overlap beyond the tolerance is dropped down to half a frame.
                        if d < -tolerance || (seg.dropping && d < -spf / 2) {
                            seg.dropping = true;
                            seg.dropped += 1;
                            continue;
                        }
                        seg.dropping = false;
                        if d.abs() <= tolerance {
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
                        }
                    }
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
        }

        // ---- what to emit ----
        // Until the segment ends the last video frame waits for the next one's DTS (its
        // duration); the first also needs the second (continuity toward the previous segment).
        let emit_v = if fin {
            self.placed.len()
        } else {
            self.placed.len().saturating_sub(1)
        };
        let has_video_track = self.demux.has_video();
        if !fin && emit_v == 0 && (has_video_track || self.audio_samples.is_empty()) {
            return Ok(None);
        }
        if fin {
            let w = &mut seg.warnings;
            let mut push = |n: usize, f: fn(usize) -> RemuxWarning| {
                if n > 0 {
                    w.push(f(n));
                }
            };
            push(seg.v_untimed, |count| RemuxWarning::UntimedFramesDropped {
                count,
            });
            push(seg.v_negative, |count| RemuxWarning::NegativeTimeDropped {
                count,
            });
            push(seg.v_lead, |count| RemuxWarning::LeadingFramesDropped {
                count,
            });
            push(seg.nudged, |count| RemuxWarning::NonMonotonicDts { count });
            push(seg.dropped as usize, |n| {
                RemuxWarning::AudioOverlapDropped { frames: n as u32 }
            });
            push(seg.a_negative, |count| RemuxWarning::NegativeTimeDropped {
                count,
            });
            push(seg.a_untimed, |count| RemuxWarning::UntimedFramesDropped {
                count,
            });
        }
        let mut out_start = f64::INFINITY;
        let mut out_end = f64::NEG_INFINITY;

        // ---- video samples ----
        let mut video_frag: Option<(u64, usize, usize)> = None; // (tfdt, first data byte, end)
        self.samples.clear();
        if emit_v > 0 {
            if self.current_video_config().is_none() {
                return Err(RemuxError::MissingParameterSets);
            }
            self.need_key = false;
            if !seg.joined {
                seg.joined = true;
                // Close a hole/overlap of less than a frame toward the previous segment.
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
                out_start = out_start.min(p.pts as f64 / 90_000.0);
                out_end = out_end.max((p.pts + i64::from(duration)) as f64 / 90_000.0);
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
                video_frag = Some((first.dts.max(0) as u64, begin, end));
            }
            self.placed.drain(..emit_v);
        }

        // ---- audio samples ----
        let mut audio_frag: Option<u64> = None;
        if let (Some(cfg), Some(first), Some(end)) = (audio_config, seg.a_first, seg.expected) {
            let rate = f64::from(cfg.sample_rate.max(1));
            audio_frag = Some(first as u64);
            self.audio_next = Some(end);
            out_start = out_start.min(first as f64 / rate);
            out_end = out_end.max(end as f64 / rate);
        }
        seg.a_first = None;

        // ---- output ----
        let warnings = std::mem::take(&mut seg.warnings);
        let video_cfg = self.current_video_config();
        // A SourceBuffer cannot gain a track later, and MSE refuses new SourceBuffers once one
        // has media: while the stream has video frames but no decodable start yet (no SPS/PPS +
        // keyframe), nothing is written at all.
        if self.video_written.is_none()
            && self.audio_written.is_none()
            && video_frag.is_none()
            && !self.demux.video.frames.is_empty()
        {
            let mut warnings = warnings;
            warnings.push(RemuxWarning::WaitingForVideoStart);
            self.video_next = None;
            self.audio_next = None;
            self.audio_samples.clear();
            self.audio_ranges.clear();
            let at = seg.start_90k as f64 / 90_000.0;
            return Ok(Some(RemuxOutput {
                tracks: Vec::new(),
                start: at,
                end: at,
                warnings,
            }));
        }
        // Everything was emitted by the chunks already: no empty fragment.
        if seg.emitted && video_frag.is_none() && audio_frag.is_none() {
            self.audio_samples.clear();
            self.audio_ranges.clear();
            let at = seg.end;
            return Ok(Some(RemuxOutput {
                tracks: Vec::new(),
                start: at,
                end: at,
                warnings,
            }));
        }
        seg.emitted = true;
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
                    seg.silent
                        .as_deref()
                        .and_then(|s| s.get(b..e))
                        .unwrap_or(&[])
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
                    tracks.push(split_track(
                        TrackKind::Video,
                        video_init.filter(|_| video_changed),
                        video_fragment,
                        video_codec,
                        sequence,
                    ));
                }
                if has_audio {
                    tracks.push(split_track(
                        TrackKind::Audio,
                        audio_init.filter(|_| audio_changed),
                        audio_fragment,
                        audio_codec,
                        sequence,
                    ));
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
            out_start = seg.start_90k as f64 / 90_000.0;
            out_end = out_start;
        }
        self.audio_samples.clear();
        self.audio_ranges.clear();
        seg.end = out_end;
        Ok(Some(RemuxOutput {
            tracks,
            start: out_start,
            end: out_end,
            warnings,
        }))
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

/// One track's SourceBuffer output in the SplitTracks shape: a new init segment when `init` is
/// given, the fragment (empty when the track has no samples in this segment), codecs and MIME type.
fn split_track(
    kind: TrackKind,
    init: Option<TrackInit<'_>>,
    fragment: Option<TrackFragment<'_>>,
    codec: Option<String>,
    sequence: u32,
) -> TrackOutput {
    let init = init.map(|track| {
        let mut out = Vec::with_capacity(1024);
        fmp4::write_init(&mut out, std::slice::from_ref(&track));
        out
    });
    let mut data = Vec::new();
    if let Some(fragment) = fragment {
        let frags = std::slice::from_ref(&fragment);
        data.reserve_exact(fmp4::fragment_size(frags));
        fmp4::write_fragment(&mut data, sequence, frags);
    }
    let codecs = codec.unwrap_or_default();
    let media = if kind == TrackKind::Audio {
        "audio"
    } else {
        "video"
    };
    let mime = format!("{media}/mp4; codecs=\"{codecs}\"");
    TrackOutput {
        kind,
        codecs,
        mime,
        init,
        data,
    }
}
