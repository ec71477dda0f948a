//! The engine's view of the transmuxer: the small trait the engine drives (the real `Transmuxer`
//! in `transmux.rs`, a synthetic one in the simulator) and the output it hands back.

// The transmuxer's own vocabulary; the engine adds only what it needs on top (text warnings).
pub use crate::remux::{OutputShape, SegmentInfo, TrackKind, TrackOutput};

use crate::error::ErrorCategory;

/// What the remuxer produced from one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct RemuxOutput {
    pub tracks: Vec<TrackOutput>,
    /// Presentation start of the output, seconds.
    pub start: f64,
    /// Presentation end of the output, seconds.
    pub end: f64,
    pub warnings: Vec<String>,
    /// CEA-608 byte pairs from the video, in display order on the timeline.
    pub captions: Vec<crate::remux::CcData>,
}

/// A remux failure, reduced to what the engine needs: its category and a message for the error
/// event (displayed as the message alone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RemuxFailure {
    pub category: ErrorCategory,
    pub message: String,
}

impl RemuxFailure {
    pub fn new(category: ErrorCategory, message: impl Into<String>) -> Self {
        Self {
            category,
            message: message.into(),
        }
    }
}

/// The remuxer as the engine drives it.
pub trait SegmentRemuxer {
    /// The init segment (EXT-X-MAP) of the fMP4 segments pushed next: called before the first
    /// of them and again whenever the map changes or after `reset`. Its tracks are announced
    /// (with the bytes to append) in the next output.
    fn push_init(&mut self, init: &[u8]) -> Result<(), RemuxFailure>;
    /// Remux one whole segment.
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure>;
    /// Seconds the remuxer adds to media timestamps, once its first segment set the mapping.
    fn timeline_offset(&self) -> Option<f64>;
    /// The next mapping point (first segment, after `reset`, a discontinuity) uses `offset`
    /// instead of placing the segment itself: streams of one discontinuity domain share one
    /// mapping, so audio renditions stay in sync with the video.
    fn impose_timeline_offset(&mut self, offset: f64);
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
    /// The bytes output so far end inside a fragment (an `mdat` passed on as it arrives): the
    /// SourceBuffer's parser must be reset before the segment is given up.
    fn mid_fragment(&self) -> bool {
        false
    }
    /// A new remuxer with the same settings and no state, for another media stream.
    fn fresh(&self) -> Self
    where
        Self: Sized;
}
