//! The engine's view of the transmuxer: the types the remuxer hands back and the small trait the
//! engine drives. The names mirror `crate::remux` so the real `Transmuxer` plugs in with a
//! one-line `impl SegmentRemuxer for Transmuxer`.

/// Shape of the remuxer's output: one SourceBuffer with both tracks, or one per track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputShape {
    Combined,
    SplitTracks,
}

/// What the engine tells the remuxer about a segment it pushes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentInfo {
    /// Start of the segment on the playlist timeline, seconds.
    pub start: f64,
    /// EXT-X-DISCONTINUITY precedes the segment: timestamps restart.
    pub discontinuity: bool,
    /// The segment comes from another rendition than the previous one.
    pub rendition_switch: bool,
    /// The segment does not follow the previous one (seek, skipped segment).
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

/// One track's bytes out of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackOutput {
    pub kind: TrackKind,
    /// RFC 6381 codec string(s), e.g. `avc1.4d401e,mp4a.40.2`.
    pub codecs: String,
    /// The MSE type, e.g. `video/mp4; codecs="avc1.4d401e,mp4a.40.2"`.
    pub mime: String,
    /// A new initialisation segment, present on the first output and whenever it changed.
    pub init: Option<Vec<u8>>,
    /// moof+mdat fragment(s).
    pub data: Vec<u8>,
}

/// What the remuxer produced from one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct RemuxOutput {
    pub tracks: Vec<TrackOutput>,
    /// Presentation start of the output, seconds.
    pub start: f64,
    /// Presentation end of the output, seconds.
    pub end: f64,
    pub warnings: Vec<String>,
}

/// A remux failure, reduced to what the engine needs: a message for the error event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RemuxFailure(pub String);

/// The remuxer as the engine drives it.
pub trait SegmentRemuxer {
    /// Remux one whole segment.
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure>;
    /// Forget all timeline state (after a seek to an unbuffered range or a fatal error).
    fn reset(&mut self);
    /// Bytes of a segment as they arrive; the first call starts the segment with `info`.
    /// Returns what is complete so far, if anything.
    fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxFailure>;
    /// End of the segment started by `push_chunk`: the rest.
    fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure>;
    /// Forget a partially pushed segment; the timeline is as before it.
    fn abort_segment(&mut self);
}
