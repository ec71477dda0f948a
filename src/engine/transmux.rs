//! The real remuxer behind the engine's [`SegmentRemuxer`] trait: [`remux::Remuxer`] (TS
//! transmuxer or fMP4 passthrough per segment); the output moves through (no byte is copied)
//! with its warnings turned into text for events.
use super::media::{RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer};
use crate::remux;

impl SegmentRemuxer for remux::Remuxer {
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Remuxer::push(self, data, info).map_err(failure)?;
        Ok(output(out))
    }

    fn push_init(&mut self, init: &[u8]) -> Result<(), RemuxFailure> {
        remux::Remuxer::push_init(self, init).map_err(failure)
    }

    fn timeline_offset(&self) -> Option<f64> {
        remux::Remuxer::offset(self)
    }

    fn impose_timeline_offset(&mut self, offset: f64) {
        remux::Remuxer::impose_offset(self, offset);
    }

    fn reset(&mut self) {
        remux::Remuxer::reset(self);
    }

    fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxFailure> {
        let out = remux::Remuxer::push_chunk(self, data, info).map_err(failure)?;
        Ok(out.map(output))
    }

    fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Remuxer::finish_segment(self, info).map_err(failure)?;
        Ok(output(out))
    }

    fn abort_segment(&mut self) {
        remux::Remuxer::abort_segment(self);
    }

    fn mid_fragment(&self) -> bool {
        remux::Remuxer::mid_fragment(self)
    }

    fn fresh(&self) -> Self {
        remux::Remuxer::new(self.shape())
    }
}

/// The typed error reduced to its category and text.
fn failure(e: remux::RemuxError) -> RemuxFailure {
    RemuxFailure::new(e.category(), e.to_string())
}

fn output(out: remux::RemuxOutput) -> RemuxOutput {
    let mut warnings = Vec::with_capacity(out.warnings.len());
    for w in &out.warnings {
        warnings.push(w.to_string());
    }
    RemuxOutput {
        tracks: out.tracks,
        start: out.start,
        end: out.end,
        warnings,
        captions: out.captions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCategory;
    use crate::remux::OutputShape;

    #[test]
    fn a_failure_keeps_its_category_and_displays_the_transmuxer_message() {
        let mut mux = remux::Remuxer::new(OutputShape::Combined);
        let info = SegmentInfo::default();
        let mut ts = vec![0u8; 4000];
        ts[0] = 0x47;
        let whole = SegmentRemuxer::push(&mut mux, &ts, &info).unwrap_err();
        SegmentRemuxer::push_chunk(&mut mux, &ts, &info).unwrap();
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

    #[test]
    fn an_fmp4_segment_before_any_init_fails_naming_the_missing_map() {
        let mut mux = remux::Remuxer::new(OutputShape::SplitTracks);
        let info = SegmentInfo::default();
        let styp = [
            0, 0, 0, 16, b's', b't', b'y', b'p', b'c', b'm', b'f', b'2', 0, 0, 0, 0,
        ];
        let e = SegmentRemuxer::push(&mut mux, &styp, &info).unwrap_err();
        assert_eq!(e.category, ErrorCategory::Malformed);
        assert_eq!(
            e.message,
            "malformed: fMP4 segment with no init segment (EXT-X-MAP)"
        );
        let e = SegmentRemuxer::push_init(&mut mux, &styp).unwrap_err();
        assert_eq!(
            e.message,
            "malformed: at byte 0: no moov box in the init segment (16 bytes)"
        );
        assert_eq!(
            SegmentRemuxer::fresh(&mux).shape(),
            OutputShape::SplitTracks
        );
    }
}
