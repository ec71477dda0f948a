//! Live reloads: the reloaded media playlist placed on the previous one's timeline.

use super::error::{PlaylistError, PlaylistErrorKind};
use super::model::MediaPlaylist;

/// The result of [`merge_live`](super::merge_live).
#[derive(Debug, Clone, PartialEq)]
pub struct MergeOutcome {
    /// The reloaded playlist, its segments' `start` continued from the previous playlist's timeline.
    pub playlist: MediaPlaylist,
    /// Anything differs from the previous playlist. `false` means the reload interval should be
    /// halved (RFC 8216 §6.3.4).
    pub changed: bool,
    /// Segments after the previous playlist's last one.
    pub added: usize,
    /// Segments of the previous playlist that slid out of the window.
    pub removed: usize,
    /// Segments present in both playlists. 0 with a non-empty previous playlist means the windows
    /// do not overlap: `start` then continues from the previous end (plus `skipped`).
    pub overlapping: usize,
    /// Media sequence numbers missed between the previous last segment and the reload's first
    /// (the windows do not overlap). Non-zero means segments were lost; their duration is estimated
    /// as the target duration each to keep `start` moving forward.
    pub skipped: u64,
}

fn end_sequence(p: &MediaPlaylist) -> u64 {
    p.media_sequence.saturating_add(p.segments.len() as u64)
}

/// Puts back the segments an EXT-X-SKIP left out of `reloaded` (a delta update), taken by
/// sequence number from `previous`, which must hold every one of them.
fn rebuild_skipped(
    previous: &MediaPlaylist,
    reloaded: &mut MediaPlaylist,
) -> Result<(), PlaylistError> {
    let Some(skip) = reloaded.skip else {
        return Ok(());
    };
    let offset = skip.first_sequence.checked_sub(previous.media_sequence);
    let from = offset.and_then(|o| usize::try_from(o).ok());
    let count = usize::try_from(skip.count).ok();
    let taken = match (from, count) {
        (Some(from), Some(count)) if previous.skip.is_none() => previous
            .segments
            .get(from..from.saturating_add(count))
            .filter(|s| s.len() == count),
        _ => None,
    };
    let Some(taken) = taken else {
        let last = skip
            .first_sequence
            .saturating_add(skip.count)
            .saturating_sub(1);
        let held = match (
            previous.skip,
            previous.segments.first(),
            previous.segments.last(),
        ) {
            (Some(_), _, _) => "is itself an unmerged delta update".to_string(),
            (None, Some(a), Some(b)) => format!("holds {}..={}", a.sequence, b.sequence),
            (None, _, _) => "holds no segments".to_string(),
        };
        return Err(PlaylistError::new(
            skip.line,
            PlaylistErrorKind::Unsupported(format!(
                "EXT-X-SKIP left out segments {}..={last}, but the previous playlist {held}: the delta update cannot be rebuilt (reload without _HLS_skip)",
                skip.first_sequence
            )),
        ));
    };
    let index = skip.index.min(reloaded.segments.len());
    let tail = reloaded.segments.split_off(index);
    reloaded.segments.extend_from_slice(taken);
    reloaded.segments.extend(tail);
    // The reload's DISCONTINUITY-SEQUENCE is that of its first segment, skipped or not, and
    // the skipped ones may hold discontinuities: number everything again from the top.
    let mut number = reloaded.discontinuity_sequence;
    for segment in &mut reloaded.segments {
        if segment.discontinuity {
            number = number.saturating_add(1);
        }
        segment.discontinuity_sequence = number;
    }
    reloaded.skip = None;
    Ok(())
}

pub(crate) fn merge_live(
    previous: &MediaPlaylist,
    mut reloaded: MediaPlaylist,
) -> Result<MergeOutcome, PlaylistError> {
    rebuild_skipped(previous, &mut reloaded)?;
    let (prev_first, prev_end) = (previous.media_sequence, end_sequence(previous));
    let (new_first, new_end) = (reloaded.media_sequence, end_sequence(&reloaded));
    if new_first < prev_first || new_end < prev_end {
        return Err(PlaylistError::new(
            0,
            PlaylistErrorKind::ReloadWentBackwards {
                previous: prev_first,
                previous_last: prev_end.saturating_sub(1),
                reloaded: new_first,
                reloaded_last: new_end.saturating_sub(1),
            },
        ));
    }
    let mut skipped = 0;
    let first_start = match previous.segments.last() {
        None => reloaded.segments.first().map_or(0.0, |s| s.start),
        Some(last) => {
            let overlap = usize::try_from(new_first - prev_first)
                .ok()
                .and_then(|i| previous.segments.get(i));
            match overlap {
                Some(segment) => segment.start,
                None => {
                    skipped = new_first - prev_end;
                    last.start + last.duration + skipped as f64 * previous.target_duration as f64
                }
            }
        }
    };
    let mut start = first_start;
    for segment in &mut reloaded.segments {
        segment.start = start;
        start += segment.duration;
    }
    let overlapping = usize::try_from(prev_end.saturating_sub(new_first))
        .unwrap_or(usize::MAX)
        .min(previous.segments.len())
        .min(reloaded.segments.len());
    let changed = reloaded != *previous;
    Ok(MergeOutcome {
        changed,
        added: reloaded.segments.len().saturating_sub(overlapping),
        removed: usize::try_from(new_first - prev_first)
            .unwrap_or(usize::MAX)
            .min(previous.segments.len()),
        overlapping,
        skipped,
        playlist: reloaded,
    })
}
