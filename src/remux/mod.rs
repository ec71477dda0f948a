//! MPEG-TS segments -> fragmented MP4 for Media Source Extensions, with one continuous output
//! timeline across the segments of a stream. Packed audio segments (ID3 tag + raw ADTS/MPEG
//! audio, `packed_audio`) are recognised by their first bytes and take the same path from the
//! audio framer on.
//!
//! Timeline: raw 33-bit 90 kHz timestamps are unwrapped against the last timestamp seen (so
//! rollover inside and between segments is invisible), then shifted by one mapping offset. The
//! mapping is set by the first segment and after each discontinuity: the segment's earliest
//! timestamp (min of audio PTS and video DTS) lands on `SegmentInfo::start`. Between contiguous
//! segments, holes and overlaps smaller than a frame are closed (video: the first sample is
//! moved; audio: frames within 100 ms are laid back to back, larger gaps get silent frames,
//! overlaps are dropped).
//!
//! One push runs four steps ([`Transmuxer`]'s `advance_seg`): `timeline` (unwrap and map the
//! timestamps), `video` (place H.264 access units, build the `trun`), `audio` (place AAC/MPEG
//! audio frames, fill gaps), `output` (init segments and `moof` + `mdat`).
mod audio;
mod captions;
mod fmp4_captions;
mod output;
mod packed_audio;
mod passthrough;
mod remuxer;
mod timeline;
mod video;

pub use captions::CcData;
pub use passthrough::Passthrough;
pub use remuxer::Remuxer;

use crate::error::ErrorCategory;
use crate::fmp4::Sample;
use crate::ts::audio::AudioConfig;
use crate::ts::{DemuxWarning, Demuxer, TsError};
use output::Span;
pub use packed_audio::{PackedError, PackedWarning};
use timeline::Timeline;
use video::{Phase, Placed, VideoConfig, DEFAULT_FRAME_90K};

#[cfg(test)]
mod tests;

/// Larger segments are refused (sample offsets are 32-bit; HLS segments are a few MB).
pub const MAX_SEGMENT_BYTES: usize = 256 << 20;

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
    /// A SAMPLE-AES segment (RFC 8216 §5.2): the transmuxer decrypts the H.264 and AAC samples
    /// with this key and IV.
    pub sample_aes: Option<crate::crypto::SampleAesKey>,
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
    /// CEA-608 byte pairs from the video's SEI (TS access units or fMP4 samples), in display
    /// order on the output timeline (empty for a stream without captions).
    pub captions: Vec<CcData>,
}

/// A segment that cannot be remuxed. [`RemuxError::category`] tells the kind of failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemuxError {
    #[error(transparent)]
    Ts(#[from] TsError),
    #[error("limit: segment of {len} bytes is larger than {max} bytes")]
    TooLarge { len: usize, max: usize },
    #[error("malformed: no audio or video frames in the segment ({len} bytes)")]
    NoFrames { len: usize },
    #[error("malformed: H.264 stream has no usable SPS/PPS")]
    MissingParameterSets,
    /// An fMP4 box that cannot be read or moved (names the box and its byte offset).
    #[error(transparent)]
    Fmp4(#[from] crate::fmp4::BoxError),
    #[error("malformed: fMP4 segment with no init segment (EXT-X-MAP)")]
    NoInit,
    #[error("malformed: no moof + mdat in the fMP4 segment ({len} bytes)")]
    NoFragments { len: usize },
    #[error("unsupported: the init segment (EXT-X-MAP) has no audio or video track")]
    NoMediaTracks,
    #[error(transparent)]
    Packed(#[from] PackedError),
    /// SAMPLE-AES fMP4 is the `cbcs` common-encryption scheme: only the browser's EME
    /// decrypts it.
    #[error("unsupported: SAMPLE-AES fMP4 segments (cbcs common encryption needs EME)")]
    SampleAesFmp4,
}

impl RemuxError {
    /// What kind of failure this is (the word its message starts with).
    pub fn category(&self) -> ErrorCategory {
        match self {
            RemuxError::Ts(e) => e.category(),
            RemuxError::Packed(e) => e.category(),
            RemuxError::TooLarge { .. } => ErrorCategory::Limit,
            RemuxError::Fmp4(e) => e.category,
            RemuxError::NoMediaTracks | RemuxError::SampleAesFmp4 => ErrorCategory::Unsupported,
            RemuxError::NoFrames { .. }
            | RemuxError::MissingParameterSets
            | RemuxError::NoInit
            | RemuxError::NoFragments { .. } => ErrorCategory::Malformed,
        }
    }
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
    #[error("fMP4 segment does not start with a sync sample on video track {track_id}")]
    SegmentStartsWithoutSyncSample { track_id: u32 },
    #[error(transparent)]
    Packed(#[from] PackedWarning),
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
    /// Entries of the video's `cc_frames` visited.
    cc_done: usize,
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

/// TS -> fMP4 transmuxer for the segments of one stream (see the module docs).
#[derive(Debug)]
pub struct Transmuxer {
    shape: OutputShape,
    demux: Demuxer,
    /// TS or packed audio, and the packed audio parser.
    packed: packed_audio::Packed,
    sequence: u32,
    /// Output 90 kHz time = unwrapped timestamp + offset.
    offset: Option<i64>,
    /// The offset the next mapping point takes instead of its own (`impose_offset`).
    imposed: Option<i64>,
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
    /// Caption pairs placed but not released yet (sorted by presentation time).
    captions: Vec<captions::PendingCc>,
}

impl Transmuxer {
    pub fn new(shape: OutputShape) -> Self {
        Self {
            shape,
            demux: Demuxer::new(),
            packed: packed_audio::Packed::default(),
            sequence: 0,
            offset: None,
            imposed: None,
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
            captions: Vec::new(),
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

    /// Seconds added to the media timestamps on output, once the first segment set it.
    pub fn offset(&self) -> Option<f64> {
        self.offset.map(|o| o as f64 / 90_000.0)
    }

    /// The next mapping point (the first segment, or one after `reset` or with
    /// `discontinuity`) takes `offset` seconds instead of its own placement: how the engine
    /// keeps an audio rendition on the main stream's timeline (shared 90 kHz clock).
    pub fn impose_offset(&mut self, offset: f64) {
        if offset.is_finite() {
            self.imposed = Some((offset * 90_000.0).round() as i64);
        }
    }

    /// One whole segment (MPEG-TS or packed audio) of the current rendition. Same output as
    /// [`Self::push_chunk`] with every byte followed by [`Self::finish_segment`] when the chunks
    /// emitted nothing.
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
        if let Err(e) = self.feed(segment) {
            self.abort_segment();
            return Err(e);
        }
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
        self.feed(data)?;
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
        self.restore(self.seg.saved);
        self.seg.active = false;
        self.demux.begin_segment();
        self.placed.clear();
        self.audio_samples.clear();
        self.audio_ranges.clear();
        self.captions.clear();
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
        self.demux.set_sample_aes(info.sample_aes.as_ref());
        self.packed.begin_segment();
        self.v_ts.clear();
        self.a_ts.clear();
        self.captions.clear();
        self.placed.clear();
        self.audio_samples.clear();
        self.audio_ranges.clear();
    }

    fn finish_inner(&mut self) -> Result<RemuxOutput, RemuxError> {
        let demuxed = self.finish_input();
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
        let first_video = self.unwrap_timestamps(seg, fin);
        let Some(offset) = self.map_timeline(seg, fin, first_video)? else {
            return Ok(None);
        };
        self.place_access_units(seg, offset);
        self.adopt_sps_frame_duration(seg);
        let audio_config = self.place_audio_frames(seg, offset);

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
            seg.push_drop_warnings();
        }
        let mut span = Span::new();
        let decoded_up_to = emit_v
            .checked_sub(1)
            .and_then(|i| self.placed.get(i))
            .map(|p| p.dts);
        let video_run = self.video_run(seg, emit_v, &mut span)?;
        let audio_tfdt = self.audio_run(seg, audio_config, &mut span);
        let mut out = self.write_output(seg, video_run, audio_tfdt, audio_config, span);
        out.captions = self.release_captions(fin, decoded_up_to);
        Ok(Some(out))
    }
}

impl Seg {
    /// At the segment end: one warning per kind of frame dropped on the way.
    fn push_drop_warnings(&mut self) {
        let w = &mut self.warnings;
        let mut push = |n: usize, f: fn(usize) -> RemuxWarning| {
            if n > 0 {
                w.push(f(n));
            }
        };
        push(self.v_untimed, |count| RemuxWarning::UntimedFramesDropped {
            count,
        });
        push(self.v_negative, |count| RemuxWarning::NegativeTimeDropped {
            count,
        });
        push(self.v_lead, |count| RemuxWarning::LeadingFramesDropped {
            count,
        });
        push(self.nudged, |count| RemuxWarning::NonMonotonicDts { count });
        push(self.dropped as usize, |n| {
            RemuxWarning::AudioOverlapDropped { frames: n as u32 }
        });
        push(self.a_negative, |count| RemuxWarning::NegativeTimeDropped {
            count,
        });
        push(self.a_untimed, |count| RemuxWarning::UntimedFramesDropped {
            count,
        });
    }
}
