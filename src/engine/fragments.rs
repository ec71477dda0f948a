//! The main stream's segments in the buffer (hls.js's fragment tracker, as far as
//! `FRAG_CHANGED` and `FRAG_BUFFERED` need it): each segment's output range as it is queued, the
//! one last reported at the playhead, and those fetched whole whose appends are not all done
//! yet. A segment fetched again (a level switched at once, a seek back) replaces what it
//! overlaps; what lies far behind the playhead is forgotten, so the list stays as short as the
//! buffer.

/// A segment's media in the buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Frag {
    pub level: usize,
    pub sequence: u64,
    pub start: f64,
    pub end: f64,
}

/// Entries kept at most (a 30 s buffer of 2 s segments is 15; the back buffer adds as many).
const MAX_FRAGS: usize = 64;

#[derive(Debug, Default)]
pub(super) struct Fragments {
    /// In time order, not overlapping.
    frags: Vec<Frag>,
    /// (level, sequence) of the segment last reported at the playhead.
    playing: Option<(usize, u64)>,
    /// (level, sequence) of segments fetched and remuxed whole, waiting for their appends.
    appending: Vec<(usize, u64)>,
}

impl Fragments {
    /// Output of segment `sequence` of `level` over `start..end` was queued (a segment
    /// passed on progressively arrives in several parts: they extend one entry).
    pub fn add(&mut self, level: usize, sequence: u64, start: f64, end: f64) {
        if !(start.is_finite() && end.is_finite() && end > start) {
            return;
        }
        let mut f = Frag {
            level,
            sequence,
            start,
            end,
        };
        let same = |g: &Frag| g.level == level && g.sequence == sequence;
        // Earlier parts of this segment widen it; what else it mostly overlaps, it replaces.
        // Neighbours overlap a little (audio and video end apart, B-frames): they are kept.
        for g in self.frags.iter().filter(|g| same(g)) {
            f.start = f.start.min(g.start);
            f.end = f.end.max(g.end);
        }
        let replaced = |g: &Frag| {
            let overlap = g.end.min(f.end) - g.start.max(f.start);
            overlap > 0.5 * (g.end - g.start).min(f.end - f.start)
        };
        self.frags.retain(|g| !same(g) && !replaced(g));
        let at = self.frags.partition_point(|g| g.start < f.start);
        self.frags.insert(at, f);
        if self.frags.len() > MAX_FRAGS {
            self.frags.remove(0);
        }
    }

    /// Segment `sequence` of `level` was fetched and remuxed whole: it is buffered once no
    /// append of it is pending ([`Self::take_buffered`]).
    pub fn completed(&mut self, level: usize, sequence: u64) {
        if !self.appending.contains(&(level, sequence)) {
            self.appending.push((level, sequence));
        }
        // Appends stall only on a fatal error; a handful waiting is already unusual.
        if self.appending.len() > 8 {
            self.appending.remove(0);
        }
    }

    /// The first completed segment none of whose appends `pending(level, sequence)` any more
    /// (it is taken off the list; one replaced meanwhile is dropped unreported).
    pub fn take_buffered(&mut self, pending: &dyn Fn(usize, u64) -> bool) -> Option<Frag> {
        loop {
            let at = self.appending.iter().position(|&(l, s)| !pending(l, s))?;
            let (level, sequence) = self.appending.remove(at);
            let frag = self
                .frags
                .iter()
                .find(|f| f.level == level && f.sequence == sequence);
            if frag.is_some() {
                return frag.copied();
            }
        }
    }

    /// The segment at `position` when it is not the one last reported (it becomes so).
    pub fn entered(&mut self, position: f64) -> Option<Frag> {
        let f = *self
            .frags
            .iter()
            .find(|f| f.start <= position && position < f.end)?;
        let key = Some((f.level, f.sequence));
        if self.playing == key {
            return None;
        }
        self.playing = key;
        // What ended a minute before the playhead is behind any back buffer.
        let behind = self.frags.partition_point(|g| g.end < position - 60.0);
        self.frags.drain(..behind);
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_playhead_entering_a_segment_reports_it_once() {
        let mut t = Fragments::default();
        t.add(0, 1, 0.0, 10.0);
        t.add(0, 2, 10.0, 20.0);
        assert_eq!(t.entered(0.5).map(|f| f.sequence), Some(1));
        assert_eq!(t.entered(5.0), None, "same segment");
        assert_eq!(t.entered(10.0).map(|f| f.sequence), Some(2));
        assert_eq!(t.entered(25.0), None, "nothing buffered there");
    }

    #[test]
    fn parts_of_one_segment_extend_it_and_a_refetch_replaces_what_it_overlaps() {
        let mut t = Fragments::default();
        t.add(0, 1, 0.0, 4.0);
        t.add(0, 1, 4.0, 10.0);
        t.add(0, 2, 10.0, 20.0);
        assert_eq!(t.frags.len(), 2);
        assert_eq!(t.frags[0].end, 10.0);
        // Level 1's segment 2 replaces level 0's.
        t.add(1, 2, 10.0, 20.0);
        assert_eq!(t.frags.len(), 2);
        assert_eq!(t.entered(12.0).map(|f| (f.level, f.sequence)), Some((1, 2)));
        // Bad ranges are ignored.
        t.add(0, 9, 30.0, 30.0);
        t.add(0, 9, f64::NAN, 40.0);
        assert_eq!(t.frags.len(), 2);
    }

    #[test]
    fn a_completed_segment_is_buffered_once_its_appends_are_done() {
        let mut t = Fragments::default();
        t.add(0, 1, 0.0, 10.0);
        t.add(0, 2, 10.0, 20.0);
        t.completed(0, 1);
        t.completed(0, 2);
        t.completed(0, 2);
        // Segment 1's appends are still pending; segment 2's are done.
        let done = t.take_buffered(&|_, sequence| sequence == 1);
        assert_eq!(done.map(|f| f.sequence), Some(2));
        assert_eq!(t.take_buffered(&|_, sequence| sequence == 1), None);
        assert_eq!(t.take_buffered(&|_, _| true), None);
        assert_eq!(t.take_buffered(&|_, _| false).map(|f| f.sequence), Some(1));
        assert_eq!(t.take_buffered(&|_, _| false), None, "each reported once");
        // A segment with no media queued (nothing in the tracker) is dropped unreported.
        t.completed(3, 9);
        assert_eq!(t.take_buffered(&|_, _| false), None);
    }

    /// The browser's segments overlap their neighbours by a frame or two (each track's range
    /// ends apart): every new segment removed the one before, so the playhead, always behind
    /// the newest, was never in a known segment and no FragChanged came.
    #[test]
    fn neighbours_overlapping_by_a_frame_are_both_kept() {
        let mut t = Fragments::default();
        t.add(0, 1, 0.045, 10.07);
        t.add(0, 2, 9.96, 20.07);
        t.add(0, 3, 19.96, 30.07);
        assert_eq!(t.frags.len(), 3);
        assert_eq!(t.entered(5.0).map(|f| f.sequence), Some(1));
        assert_eq!(t.entered(15.0).map(|f| f.sequence), Some(2));
    }

    #[test]
    fn the_list_is_bounded() {
        let mut t = Fragments::default();
        for i in 0..200u64 {
            t.add(0, i, i as f64 * 2.0, i as f64 * 2.0 + 2.0);
        }
        assert_eq!(t.frags.len(), MAX_FRAGS);
        t.entered(399.0);
        assert!(t.frags.first().is_some_and(|f| f.end >= 399.0 - 60.0));
    }
}
