//! Discontinuity domains: one timeline mapping per EXT-X-DISCONTINUITY-SEQUENCE, set by the
//! first stream that maps a segment of it and imposed on the others. Left alone, each stream's
//! remuxer would place its own first timestamp on the playlist start, and an audio rendition's
//! first timestamp differs from the video's by up to a few frames: lip sync off by as much.

use std::collections::VecDeque;

use super::timeline::Seg;
use super::types::StreamKind;
use super::{Engine, SegmentRemuxer};

/// Domains remembered (a seek back can revisit an older one).
const KEPT: usize = 16;

/// The mapping of each domain a stream has placed, oldest first.
#[derive(Debug, Default)]
pub(super) struct Domains {
    offsets: VecDeque<(u64, f64)>,
}

impl<R: SegmentRemuxer> Engine<R> {
    /// The mapping another stream set for `seg`'s domain, if any.
    pub(super) fn shared_offset(&self, seg: &Seg) -> Option<f64> {
        let domain = seg.discontinuity_sequence;
        let offsets = &self.domains.offsets;
        offsets.iter().find(|(d, _)| *d == domain).map(|(_, o)| *o)
    }

    /// After a push: the first mapping of a domain becomes the one the other streams take.
    pub(super) fn record_offset(&mut self, kind: StreamKind) {
        let Some(st) = self.stream(kind) else {
            return;
        };
        let (Some(domain), Some(offset)) = (st.mapped_domain, st.remux.timeline_offset()) else {
            return;
        };
        let offsets = &mut self.domains.offsets;
        if offsets.iter().any(|(d, _)| *d == domain) {
            return;
        }
        if offsets.len() >= KEPT {
            offsets.pop_front();
        }
        offsets.push_back((domain, offset));
    }
}
