//! The buffer: back-buffer eviction, QuotaExceededError.

use std::rc::Rc;

use super::*;

#[test]
fn back_buffer_is_evicted() {
    // By hand: the simulator does not record removes. A 200 s VOD played to 150 s.
    let back = EngineConfig::default().back_buffer.unwrap();
    let mut h = Harness::new();
    h.load_vod();
    h.play(150.0);
    assert!(h.position > 149.0, "playback stuck at {}", h.position);
    let removals = h.removals();
    assert!(!removals.is_empty(), "no Remove in a 150 s play");
    for rm in &removals {
        // Only what is more than the back buffer behind the playhead, from the start.
        assert_eq!(rm.start, 0.0, "{rm:?}");
        assert!(rm.end <= rm.position - back + 1e-9, "{rm:?}");
        // In chunks (10 s hysteresis), not a sliver every report.
        assert!(rm.end > 10.0, "{rm:?}");
    }
    assert!(h.pending_removes().is_empty());
    // The buffered start moved up with the playhead: nothing more than the back buffer (and
    // the hysteresis) behind it is held, and the playhead's own range is kept.
    let start = h.buffered.start().unwrap();
    assert!(
        start >= h.position - back - 10.0 - 1e-9,
        "buffered {:?} at {}",
        h.buffered,
        h.position
    );
    assert!(
        h.buffered.end_from(h.position, 0.1).is_some(),
        "{:?}",
        h.buffered
    );
    // Without a back buffer nothing is removed.
    let mut h = Harness::with_config(EngineConfig {
        back_buffer: None,
        ..EngineConfig::default()
    });
    h.load_vod();
    h.play(150.0);
    assert!(h.removals().is_empty(), "{:?}", h.removals());
    assert_eq!(h.buffered.start(), Some(0.0));
}

#[test]
fn back_buffer_eviction_removes_behind_the_playhead() {
    let mut h = Harness::new();
    h.play_one_segment();
    h.advance_to(100.0);
    let outs = h.media_with(80.0, &[(0.0, 110.0)]);
    let removes: Vec<&Output> = outs
        .iter()
        .filter(|o| matches!(o, Output::Remove { .. }))
        .collect();
    assert_eq!(
        removes,
        [&Output::Remove {
            track: TrackId(0),
            start: 0.0,
            end: 50.0
        }]
    );
}

#[test]
fn quota_exceeded_evicts_retries_and_shrinks_goal() {
    // Through the simulator: a 45 s quota is hit over and over (goal 30 s + back buffer 30 s),
    // and playback goes on to the end.
    let cfg = SimConfig {
        quota_seconds: Some(45.0),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    assert_eq!(r.rebuffer_count, 0);
    assert!(r
        .errors
        .iter()
        .any(|e| e.kind == ErrorKind::Buffer && !e.fatal && e.details.contains("evicting")));

    // By hand, each step. Fill the buffer to the goal (0..30 s) with the playhead at 0.
    let mut h = Harness::new();
    h.load_vod();
    h.fill();
    assert_eq!(h.buffered.as_slice(), [(0.0, 30.0)]);
    assert_eq!(h.engine.buffer_goal(), 30.0);
    // At 15 s the next segment (30..40 s) is fetched; its append hits the quota.
    h.advance_to(16.0);
    h.media_at(15.0);
    let seg = h.fetch_of(RequestKind::is_segment);
    h.serve(seg);
    let failed = Rc::clone(&h.pending_appends()[0].data);
    let outs = h.fail_appends(true);
    // 1. Evicts what is behind the playhead (up to a second before it), goal unchanged.
    let removes: Vec<&Output> = outs
        .iter()
        .filter(|o| matches!(o, Output::Remove { .. }))
        .collect();
    assert_eq!(
        removes,
        [&Output::Remove {
            track: TrackId(0),
            start: 0.0,
            end: 14.0
        }],
        "{outs:?}"
    );
    assert!(!outs.iter().any(|o| matches!(o, Output::Append { .. })));
    assert_eq!(h.engine.buffer_goal(), 30.0);
    // 2. Retries the same append once the remove is done.
    let outs = h.ack_removes();
    assert_eq!(h.buffered.as_slice(), [(14.0, 30.0)]);
    let retried = h.pending_appends();
    assert_eq!(retried.len(), 1, "{outs:?}");
    assert!(Rc::ptr_eq(&retried[0].data, &failed));
    // 3. The quota again, with nothing left behind the playhead: the goal is halved, and the
    //    append waits a second.
    let outs = h.fail_appends(true);
    assert!(
        !outs
            .iter()
            .any(|o| matches!(o, Output::Remove { .. } | Output::Append { .. })),
        "{outs:?}"
    );
    assert_eq!(h.engine.buffer_goal(), 15.0);
    let blocked_at = h.now;
    let outs = h.fire_timers_until(blocked_at + 0.9);
    assert!(
        !outs.iter().any(|o| matches!(o, Output::Append { .. })),
        "{outs:?}"
    );
    let outs = h.fire_timers_until(blocked_at + 1.0);
    assert!(
        outs.iter()
            .any(|o| matches!(o, Output::Append { data, .. } if Rc::ptr_eq(data, &failed))),
        "{outs:?}"
    );
    h.ack_appends();
    assert_eq!(h.buffered.as_slice(), [(14.0, 40.0)]);
    // Both failures were reported, neither fatal.
    let quota_errors: Vec<&PlayerError> = h
        .events()
        .filter_map(|(_, e)| match e {
            Event::Error(err) if err.kind == ErrorKind::Buffer => Some(err),
            _ => None,
        })
        .collect();
    assert_eq!(quota_errors.len(), 2, "{quota_errors:?}");
    assert!(quota_errors.iter().all(|e| !e.fatal));
    assert!(
        quota_errors[1].details.contains("goal 15 s"),
        "{quota_errors:?}"
    );
    // 4. The shrunken goal bounds what is fetched. The fetch sent while the goal was 30 s
    //    (40..50 s) completes; then nothing is fetched with the playhead at 34 s (16 s ahead,
    //    where a 30 s goal would fetch), and the next segment is once it is at 36 s.
    let in_flight = h.fetch_of(RequestKind::is_segment);
    h.serve(in_flight);
    h.ack_appends();
    assert_eq!(h.buffered.as_slice(), [(14.0, 50.0)]);
    h.media_at(34.0);
    assert_eq!(h.find_fetch(RequestKind::is_segment), None);
    h.media_at(36.0);
    let next = h.find_fetch(RequestKind::is_segment).expect("next fetch");
    assert!(next.url.ends_with("/seg5.ts"), "{next:?}");
}

#[test]
fn a_source_buffer_that_cannot_hold_one_segment_is_a_fatal_quota_error() {
    // 5 s of quota against 10 s segments: nothing to evict, the goal at its floor, every retry
    // fails; the error in a row after `max_quota_failures` is fatal and says so.
    let cfg = SimConfig {
        quota_seconds: Some(5.0),
        ..recorded()
    };
    let r = run(&fast(), 60.0, cfg);
    let fatal: Vec<_> = r.errors.iter().filter(|e| e.fatal).collect();
    assert_eq!(fatal.len(), 1, "{:?}", r.errors);
    assert_eq!(fatal[0].kind, ErrorKind::Buffer);
    assert!(
        fatal[0].details.contains("6 times in a row"),
        "{}",
        fatal[0].details
    );
}
