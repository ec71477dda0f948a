//! The playlist timeline: where a (re)loaded media playlist sits on the engine's time line.
//! Pure functions over segment lists, so the anchoring rules are tested on their own.

use std::collections::VecDeque;

use crate::playlist::MediaSegment;

/// Segments closer than this to a boundary belong to the next segment (float noise).
pub(super) const EDGE: f64 = 0.05;

/// A media segment placed on the engine's timeline.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Seg {
    pub(super) sequence: u64,
    pub(super) start: f64,
    pub(super) duration: f64,
    pub(super) uri: String,
    pub(super) byte_range: Option<crate::playlist::ByteRange>,
    /// EXT-X-MAP in force (fMP4 segments): shared by the segments that use it.
    pub(super) map: Option<std::rc::Rc<crate::playlist::Map>>,
    pub(super) discontinuity: bool,
    /// EXT-X-DISCONTINUITY-SEQUENCE of the segment: its timestamp domain.
    pub(super) discontinuity_sequence: u64,
    pub(super) gap: bool,
    /// EXT-X-KEY in force: the segment is encrypted.
    pub(super) key: Option<super::keys::SegKey>,
}

impl Seg {
    pub(super) fn end(&self) -> f64 {
        self.start + self.duration
    }
}

/// Start of the segment with this media sequence number, if the list holds it.
pub(super) fn start_of(segments: &VecDeque<Seg>, sequence: u64) -> Option<f64> {
    segments
        .iter()
        .find(|s| s.sequence == sequence)
        .map(|s| s.start)
}

/// The first segment that ends after `t` (the one holding `t`).
pub(super) fn find(segments: &VecDeque<Seg>, t: f64) -> Option<&Seg> {
    segments.iter().find(|s| s.end() > t + EDGE)
}

/// Offset to add to a new playlist's segment starts (which count from its first segment).
///
/// Anchored by media sequence number: on the same list's previous version, else on any other
/// known list (`others`, in order). With no overlap, the new list continues after `previous`'s
/// last segment, counting a target duration per missing sequence number; with nothing known, 0.
pub(super) fn anchor_offset<'a>(
    new: &[MediaSegment],
    target_duration: f64,
    previous: Option<&VecDeque<Seg>>,
    others: impl IntoIterator<Item = &'a VecDeque<Seg>>,
) -> f64 {
    let anchor = |known: &VecDeque<Seg>| -> Option<f64> {
        new.iter()
            .find_map(|s| start_of(known, s.sequence).map(|t| t - s.start))
    };
    let mut offset = previous.and_then(anchor);
    if offset.is_none() {
        offset = others.into_iter().find_map(anchor);
    }
    if offset.is_none() {
        // No overlap with what we know: continue after our last segment, if any.
        if let (Some(prev), Some(first)) = (previous, new.first()) {
            if let Some(last) = prev.back() {
                let missing = first.sequence.saturating_sub(last.sequence + 1) as f64;
                offset = Some(last.end() + missing * target_duration - first.start);
            }
        }
    }
    offset.unwrap_or(0.0)
}

/// Where live playback starts: the segment holding `edge_distance` seconds before the end.
pub(super) fn live_start(segments: &VecDeque<Seg>, edge_distance: f64) -> f64 {
    let end = segments.back().map_or(0.0, Seg::end);
    let first = segments.front().map_or(0.0, |s| s.start);
    find(segments, (end - edge_distance).max(first)).map_or(0.0, |s| s.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(first_seq: u64, start: f64, n: usize, d: f64) -> VecDeque<Seg> {
        (0..n)
            .map(|i| Seg {
                sequence: first_seq + i as u64,
                start: start + i as f64 * d,
                duration: d,
                uri: format!("{}.ts", first_seq + i as u64),
                byte_range: None,
                map: None,
                discontinuity: false,
                discontinuity_sequence: 0,
                gap: false,
                key: None,
            })
            .collect()
    }

    fn media(first_seq: u64, n: usize, d: f64) -> Vec<MediaSegment> {
        (0..n)
            .map(|i| MediaSegment {
                sequence: first_seq + i as u64,
                start: i as f64 * d,
                duration: d,
                uri: format!("{}.ts", first_seq + i as u64),
                ..MediaSegment::default()
            })
            .collect()
    }

    #[test]
    fn reload_is_anchored_on_the_previous_list_by_sequence() {
        // The window slid by 2 segments: segment 12 starts where it did before (20 s).
        let prev = segs(10, 0.0, 5, 10.0);
        let off = anchor_offset(&media(12, 5, 10.0), 10.0, Some(&prev), []);
        assert_eq!(off, 20.0);
    }

    #[test]
    fn another_levels_list_anchors_a_first_load() {
        let other = segs(100, 500.0, 3, 6.0);
        let off = anchor_offset(&media(101, 3, 6.0), 6.0, None, [&other]);
        assert_eq!(off, 506.0);
    }

    #[test]
    fn no_overlap_continues_after_the_last_known_segment() {
        // 13 and 14 were missed: two target durations after the end of 12.
        let prev = segs(10, 0.0, 3, 10.0);
        let off = anchor_offset(&media(15, 3, 10.0), 10.0, Some(&prev), []);
        assert_eq!(off, 30.0 + 2.0 * 10.0);
    }

    #[test]
    fn nothing_known_starts_at_zero() {
        assert_eq!(anchor_offset(&media(7, 3, 4.0), 4.0, None, []), 0.0);
    }

    #[test]
    fn live_start_is_the_segment_three_targets_from_the_edge() {
        let s = segs(0, 100.0, 10, 6.0); // 100..160
        assert_eq!(live_start(&s, 18.0), 142.0);
        // A window shorter than the distance starts at its first segment.
        assert_eq!(live_start(&segs(0, 100.0, 2, 6.0), 18.0), 100.0);
        assert_eq!(live_start(&VecDeque::new(), 18.0), 0.0);
    }
}
