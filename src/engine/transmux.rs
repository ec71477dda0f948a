//! The real transmuxer behind the engine's [`SegmentRemuxer`] trait: the output moves through (no
//! byte is copied) with its warnings turned into text for events.
use super::media::{RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer};
use crate::remux;

impl SegmentRemuxer for remux::Transmuxer {
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Transmuxer::push(self, data, info).map_err(failure)?;
        Ok(output(out))
    }

    fn push_init(&mut self, _init: &[u8]) -> Result<(), RemuxFailure> {
        Err(RemuxFailure::new(
            crate::error::ErrorCategory::Unsupported,
            "unsupported: fMP4 segments (EXT-X-MAP)",
        ))
    }

    fn reset(&mut self) {
        remux::Transmuxer::reset(self);
    }

    fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxFailure> {
        let out = remux::Transmuxer::push_chunk(self, data, info).map_err(failure)?;
        Ok(out.map(output))
    }

    fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Transmuxer::finish_segment(self, info).map_err(failure)?;
        Ok(output(out))
    }

    fn abort_segment(&mut self) {
        remux::Transmuxer::abort_segment(self);
    }

    fn fresh(&self) -> Self {
        remux::Transmuxer::new(self.shape())
    }
}

/// The typed error reduced to its category and text.
fn failure(e: remux::RemuxError) -> RemuxFailure {
    RemuxFailure::new(e.category(), e.to_string())
}

fn output(out: remux::RemuxOutput) -> RemuxOutput {
    RemuxOutput {
        tracks: out.tracks,
        start: out.start,
        end: out.end,
        warnings: out.warnings.iter().map(ToString::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCategory;
    use crate::remux::OutputShape;

    #[test]
    fn a_failure_keeps_its_category_and_displays_the_transmuxer_message() {
        let mut mux = remux::Transmuxer::new(OutputShape::Combined);
        let info = SegmentInfo::default();
        let whole = SegmentRemuxer::push(&mut mux, &[0u8; 4000], &info).unwrap_err();
        SegmentRemuxer::push_chunk(&mut mux, &[0u8; 4000], &info).unwrap();
        let chunked = SegmentRemuxer::finish_segment(&mut mux, &info).unwrap_err();
        for e in [whole, chunked] {
            assert_eq!(e.category, ErrorCategory::Malformed);
            assert_eq!(
                e.to_string(),
                "malformed: no MPEG-TS sync (0x47 every 188 bytes) in 4000 bytes"
            );
            assert_eq!(e.message, e.to_string());
        }
    }
}
