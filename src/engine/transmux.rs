//! The real transmuxer behind the engine's [`SegmentRemuxer`] trait: a field-by-field move of the
//! output (no byte is copied) and warnings turned into text for events.
use super::media::{
    RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer, TrackKind, TrackOutput,
};
use crate::remux;

impl SegmentRemuxer for remux::Transmuxer {
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Transmuxer::push(self, data, &convert(info))
            .map_err(|e| RemuxFailure(e.to_string()))?;
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
        let out = remux::Transmuxer::push_chunk(self, data, &convert(info))
            .map_err(|e| RemuxFailure(e.to_string()))?;
        Ok(out.map(output))
    }

    fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let out = remux::Transmuxer::finish_segment(self, &convert(info))
            .map_err(|e| RemuxFailure(e.to_string()))?;
        Ok(output(out))
    }

    fn abort_segment(&mut self) {
        remux::Transmuxer::abort_segment(self);
    }
}

fn convert(info: &SegmentInfo) -> remux::SegmentInfo {
    remux::SegmentInfo {
        start: info.start,
        discontinuity: info.discontinuity,
        rendition_switch: info.rendition_switch,
        non_contiguous: info.non_contiguous,
    }
}

fn output(out: remux::RemuxOutput) -> RemuxOutput {
    RemuxOutput {
        tracks: out
            .tracks
            .into_iter()
            .map(|t| TrackOutput {
                kind: match t.kind {
                    remux::TrackKind::Video => TrackKind::Video,
                    remux::TrackKind::Audio => TrackKind::Audio,
                    remux::TrackKind::Combined => TrackKind::Combined,
                },
                codecs: t.codecs,
                mime: t.mime,
                init: t.init,
                data: t.data,
            })
            .collect(),
        start: out.start,
        end: out.end,
        warnings: out.warnings.iter().map(ToString::to_string).collect(),
    }
}
