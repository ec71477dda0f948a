//! The real transmuxer behind the engine's [`SegmentRemuxer`] trait: the output moves through (no
//! byte is copied) with its warnings turned into text for events.
use super::media::{RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer};
use crate::remux;

impl SegmentRemuxer for remux::Transmuxer {
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out =
            remux::Transmuxer::push(self, data, info).map_err(|e| RemuxFailure(e.to_string()))?;
        Ok(output(out))
    }

    fn reset(&mut self) {
        remux::Transmuxer::reset(self);
    }

    fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxFailure> {
        let out = remux::Transmuxer::push_chunk(self, data, info)
            .map_err(|e| RemuxFailure(e.to_string()))?;
        Ok(out.map(output))
    }

    fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Transmuxer::finish_segment(self, info)
            .map_err(|e| RemuxFailure(e.to_string()))?;
        Ok(output(out))
    }

    fn abort_segment(&mut self) {
        remux::Transmuxer::abort_segment(self);
    }

    fn fresh(&self) -> Self {
        remux::Transmuxer::new(self.shape())
    }
}

fn output(out: remux::RemuxOutput) -> RemuxOutput {
    RemuxOutput {
        tracks: out.tracks,
        start: out.start,
        end: out.end,
        warnings: out.warnings.iter().map(ToString::to_string).collect(),
    }
}
