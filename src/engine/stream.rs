//! A media stream: one fetch cursor over one playlist at a time, its requests in flight and
//! its own remuxer.

use std::rc::Rc;

use crate::playlist::Map;

use super::init_segments::InitFetch;
use super::loader::{Request, RequestId};
use super::media::{SegmentInfo, SegmentRemuxer};
use super::progressive::Streaming;
use super::timeline::Seg;
use super::types::StreamKind;

/// The segment being fetched.
#[derive(Debug, Clone)]
pub(super) struct SegmentFetch {
    pub(super) id: RequestId,
    pub(super) level: usize,
    pub(super) seg: Seg,
    /// The segment's init segment (EXT-X-MAP), loaded before the segment was requested.
    pub(super) init: Option<Rc<Vec<u8>>>,
    pub(super) last_abandon_check: f64,
}

/// A segment body that arrived before its key: taken as it arrived once the key is in.
#[derive(Debug, Clone)]
pub(super) struct ParkedBody {
    pub(super) request: Request,
    pub(super) level: usize,
    pub(super) sequence: u64,
    pub(super) data: Vec<u8>,
    pub(super) arrived_at: f64,
}

/// One stream's cursor and remuxer.
pub(super) struct Stream<R> {
    pub(super) kind: StreamKind,
    pub(super) remux: R,
    pub(super) fetch: Option<SegmentFetch>,
    /// The segment pushed to the remuxer as its bytes arrive, if any.
    pub(super) streaming: Option<Streaming>,
    /// The fetched segment's body, complete before its key arrived.
    pub(super) parked: Option<ParkedBody>,
    /// Level of the last segment pushed to the remuxer (a change is a rendition switch).
    pub(super) last_pushed_level: Option<usize>,
    /// Playlist time of the next segment to fetch.
    pub(super) next_time: f64,
    /// The next segment does not follow the last one pushed (seek, skip, failure).
    pub(super) next_non_contiguous: bool,
    /// Consecutive remux failures.
    pub(super) remux_errors: u32,
    /// The init segment being loaded for the next segment.
    pub(super) init_fetch: Option<InitFetch>,
    /// The EXT-X-MAP last given to the remuxer.
    pub(super) pushed_map: Option<Rc<Map>>,
    /// The discontinuity sequence of the last segment pushed: the remuxer's mapping is for it.
    pub(super) mapped_domain: Option<u64>,
}

impl<R: SegmentRemuxer> Stream<R> {
    pub(super) fn new(remux: R) -> Self {
        Stream {
            kind: StreamKind::Main,
            remux,
            fetch: None,
            streaming: None,
            parked: None,
            last_pushed_level: None,
            next_time: 0.0,
            next_non_contiguous: false,
            remux_errors: 0,
            init_fetch: None,
            pushed_map: None,
            mapped_domain: None,
        }
    }

    /// Continue at `t`, which does not follow what was pushed last (seek, skip, live window).
    pub(super) fn jump_to(&mut self, t: f64) {
        self.next_time = t;
        self.next_non_contiguous = true;
    }

    /// What the remuxer is told about the next segment it gets. A segment of another
    /// discontinuity domain than the last one pushed (a discontinuity, or a seek across one) is
    /// a mapping point: it takes `shared`, the mapping another stream set for its domain.
    pub(super) fn segment_info(
        &mut self,
        seg: &Seg,
        level: usize,
        shared: Option<f64>,
    ) -> SegmentInfo {
        let domain = seg.discontinuity_sequence;
        let new_domain = self.mapped_domain != Some(domain);
        if let Some(offset) = shared.filter(|_| new_domain) {
            self.remux.impose_timeline_offset(offset);
        }
        let crossed = new_domain && self.mapped_domain.is_some();
        self.mapped_domain = Some(domain);
        let info = SegmentInfo {
            start: seg.start,
            discontinuity: seg.discontinuity || crossed,
            rendition_switch: self.last_pushed_level.is_some_and(|l| l != level),
            non_contiguous: std::mem::take(&mut self.next_non_contiguous),
            sample_aes: None,
        };
        self.last_pushed_level = Some(level);
        info
    }
}
