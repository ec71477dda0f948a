//! The main stream's segments fetched whole in this session. One fetched again (a seek back past
//! the back buffer, an audio switch back to the variants' muxed audio) may come from the
//! browser's HTTP cache a millisecond after it was asked for: the ABR must not take that for the
//! link, or it climbs on every cached segment and falls back on the next real fetch.

/// Segments remembered at most (a VOD of 10 s segments watched for almost three hours at one
/// level), so a long live session does not grow it without bound.
const MAX_REMEMBERED: usize = 1024;

#[derive(Debug, Default)]
pub(super) struct FetchHistory {
    /// (level, media sequence number), oldest first.
    segments: Vec<(usize, u64)>,
}

impl FetchHistory {
    /// Records segment `sequence` of `level` as fetched whole; whether it had been before.
    pub fn fetched_again(&mut self, level: usize, sequence: u64) -> bool {
        let key = (level, sequence);
        if self.segments.contains(&key) {
            return true;
        }
        if self.segments.len() >= MAX_REMEMBERED {
            self.segments.remove(0);
        }
        self.segments.push(key);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_fetched_again_only_at_the_same_level_and_the_record_stays_bounded() {
        let mut h = FetchHistory::default();
        assert!(!h.fetched_again(0, 5));
        assert!(h.fetched_again(0, 5));
        assert!(!h.fetched_again(1, 5), "another level is another URL");
        for s in 0..MAX_REMEMBERED as u64 {
            h.fetched_again(2, 100 + s);
        }
        assert_eq!(h.segments.len(), MAX_REMEMBERED);
        assert!(!h.fetched_again(0, 5), "the oldest was forgotten");
    }
}
