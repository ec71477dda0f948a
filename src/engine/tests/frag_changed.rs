//! hls.js's `LEVEL_LOADED`, `FRAG_CHANGED` and `FRAG_BUFFERED`: a level's playlist loaded
//! (each live reload too), the playhead entering each segment of the main stream, once, in
//! order, and each segment wholly appended.

use super::harness::live_playlist;
use super::*;

fn frags_changed(h: &Harness) -> Vec<(usize, u64, f64, f64)> {
    h.events()
        .filter_map(|(_, e)| match *e {
            Event::FragChanged {
                level,
                sequence,
                start,
                duration,
            } => Some((level, sequence, start, duration)),
            _ => None,
        })
        .collect()
}

#[test]
fn each_segment_the_playhead_enters_is_reported_once_in_order() {
    let mut h = Harness::new();
    h.load_vod();
    h.play(65.0);
    let got = frags_changed(&h);
    let sequences: Vec<u64> = got.iter().map(|f| f.1).collect();
    assert_eq!(sequences, [0, 1, 2, 3, 4, 5, 6], "{got:?}");
    for (i, &(_, _, start, duration)) in got.iter().enumerate() {
        assert!((start - 10.0 * i as f64).abs() < 0.1, "{got:?}");
        assert!((duration - 10.0).abs() < 0.1, "{got:?}");
    }
    // A seek back re-enters a segment: it is reported again.
    h.seek(5.0);
    h.play(66.0);
    assert_eq!(frags_changed(&h).last().map(|f| f.1), Some(0));
}

#[test]
fn a_vod_levels_playlist_is_reported_loaded_with_its_duration_and_numbers() {
    let mut h = Harness::new();
    h.load_vod();
    let loaded: Vec<Event> = h
        .events()
        .filter(|(_, e)| matches!(e, Event::LevelLoaded { .. }))
        .map(|(_, e)| e.clone())
        .collect();
    assert_eq!(
        loaded,
        [Event::LevelLoaded {
            level: 0,
            live: false,
            total_duration: 200.0,
            target_duration: 10.0,
            first_sequence: Some(0),
            last_sequence: Some(19),
        }]
    );
}

#[test]
fn a_live_levels_playlist_is_reported_at_each_reload() {
    let mut h = Harness::new();
    h.load_with(&live_playlist(0, 6));
    h.fire_timers_until(12.0);
    let reload = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.answer(reload, live_playlist(1, 6));
    let loaded: Vec<(bool, Option<u64>, Option<u64>)> = h
        .events()
        .filter_map(|(_, e)| match *e {
            Event::LevelLoaded {
                live,
                first_sequence,
                last_sequence,
                ..
            } => Some((live, first_sequence, last_sequence)),
            _ => None,
        })
        .collect();
    assert_eq!(loaded, [(true, Some(0), Some(5)), (true, Some(1), Some(6))]);
}

fn frags_buffered(h: &Harness) -> Vec<(u64, f64, f64)> {
    h.events()
        .filter_map(|(_, e)| match *e {
            Event::FragBuffered {
                sequence,
                start,
                duration,
                ..
            } => Some((sequence, start, duration)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_segment_is_reported_buffered_once_its_appends_are_acknowledged() {
    let mut h = Harness::new();
    h.load_vod();
    h.advance_to(1.0);
    let seg = h.fetch_of(RequestKind::is_segment);
    h.serve(seg);
    assert!(!h.appends.is_empty(), "the segment's appends are out");
    assert_eq!(frags_buffered(&h), [], "not before its appends are done");
    h.ack_appends();
    assert_eq!(frags_buffered(&h), [(0, 0.0, 10.0)]);
}

#[test]
fn every_segment_of_a_vod_is_reported_buffered_once_in_order() {
    let mut h = Harness::new();
    h.load_vod();
    h.play(220.0);
    assert!(h.ended, "did not end");
    let got = frags_buffered(&h);
    let sequences: Vec<u64> = got.iter().map(|f| f.0).collect();
    assert_eq!(sequences, (0..20).collect::<Vec<u64>>(), "{got:?}");
    for &(sequence, start, duration) in &got {
        assert!((start - 10.0 * sequence as f64).abs() < 0.1, "{got:?}");
        assert!((duration - 10.0).abs() < 0.1, "{got:?}");
    }
}
