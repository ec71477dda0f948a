//! The immediate level switch (hls.js's `currentLevel = n`).

use super::*;

#[test]
fn an_immediate_switch_replaces_the_buffer_ahead_with_the_new_level() {
    let mut h = Harness::new();
    h.load_vod();
    // The ABR climbs to level 1 and buffers well ahead.
    h.play(40.0);
    let before = h.segment_fetches();
    assert_eq!(
        before.last().and_then(|f| f.segment_level()),
        Some(1),
        "{before:?}"
    );
    let position = h.position;
    let ahead = h.buffered.ahead(position, 0.1);
    assert!(ahead > 15.0, "buffered ahead: {ahead}");

    h.input(Input::SwitchLevelNow(0));
    // What was ahead of the playhead, less the guard second, is removed...
    let removed = h.removals();
    assert!(!removed.is_empty(), "nothing removed");
    for r in &removed {
        assert!(
            (r.start - (position + 1.0)).abs() < 1e-6,
            "{r:?} (playhead {position})"
        );
        assert!(r.end >= position + ahead - 1e-6, "{r:?}");
    }
    // ...and loaded again from level 0, from the segment at the playhead.
    let next = h.segment_fetches()[before.len()..].to_vec();
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].segment_level(), Some(0));
    assert_eq!(
        next[0].sequence(),
        Some((position / 10.0) as u64),
        "{next:?}"
    );
    assert!(h.events().any(|(_, e)| *e
        == Event::LevelSwitching {
            from: Some(1),
            to: 0,
            reason: SwitchReason::Manual
        }));

    // Playback goes on without a stall (the playhead moves every second), on level 0 to the end.
    let mut t = h.now;
    while !h.ended && t < 400.0 {
        let was = h.position;
        t += 1.0;
        h.play(t);
        assert!(
            h.ended || h.position > was + 0.5,
            "stalled at {was} (t = {t})"
        );
    }
    assert!(h.ended, "did not end");
    let after = h.segment_fetches()[before.len()..].to_vec();
    assert!(
        after.iter().all(|f| f.segment_level() == Some(0)),
        "{after:?}"
    );
}

#[test]
fn an_immediate_switch_before_the_levels_are_known_only_pins_the_level() {
    let mut h = Harness::new();
    h.input(Input::SwitchLevelNow(1));
    h.load_vod();
    h.play(60.0);
    let levels: Vec<_> = h
        .segment_fetches()
        .iter()
        .map(|f| f.segment_level())
        .collect();
    assert!(levels.iter().all(|&l| l == Some(1)), "{levels:?}");
    // Nothing removed ahead of the playhead (the back buffer's trims are behind it).
    let ahead: Vec<_> = h
        .removals()
        .into_iter()
        .filter(|r| r.end > r.position)
        .collect();
    assert!(ahead.is_empty(), "{ahead:?}");
}
