//! The playhead: seeks, gaps, stalls.

use super::*;

#[test]
fn seek_to_95_while_fetching_10_fetches_90_next() {
    // Slow enough that a fetch is in flight at the seek: segment 1 (10..20 s), sent at ~3.9 s.
    let trace = Trace::constant("3mbps", 3.0, 10_000.0);
    let cfg = SimConfig {
        seeks: vec![(9.0, 95.0)],
        ..recorded()
    };
    let r = run(&trace, 200.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    // The first segment after the seek is flagged non-contiguous for the remuxer.
    assert_eq!(r.remuxer.non_contiguous, 1);
    let fetches = segment_fetches(&r);
    let before = fetches.iter().rfind(|f| f.at < 9.0).unwrap();
    assert_eq!(before.index(), Some(1), "{before:?}");
    // It had not arrived at the seek, and it is dropped: segment 1 is never loaded.
    assert!(
        !events(&r, |e| matches!(
            e,
            Event::SegmentLoaded { sequence: 1, .. }
        ))
        .any(|_| true),
        "{:?}",
        r.segment_levels
    );
    assert_eq!(r.segment_levels[1], None);
    // The segment holding 95 s is fetched at once.
    let after = fetches.iter().find(|f| f.at >= 9.0).unwrap();
    assert!(
        after.url.ends_with("/9.ts") && after.at == 9.0,
        "first fetch after the seek: {after:?}"
    );
    assert!(r.final_position >= 199.0);
    assert_eq!(r.rebuffer_count, 0);
}

#[test]
fn seek_aborts_the_request_in_flight() {
    let mut h = Harness::new();
    h.load_vod();
    let first = h.fetch_of(RequestKind::is_segment);
    h.advance_to(1.0);
    let outs = h.seek(95.0);
    assert!(outs.contains(&Output::Abort { req: first }), "{outs:?}");
    // The segment that holds 95 s is fetched instead, and nothing else is open.
    let seg9 = h.fetch_of_url("/seg9.ts");
    assert_eq!(h.open_fetches().len(), 1, "{:?}", h.open_fetches());
    assert_eq!(h.open_fetches()[0].req, seg9);
}

#[test]
fn seek_into_buffered_range_keeps_fetching_forward() {
    let cfg = SimConfig {
        seeks: vec![(20.0, 12.0)],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended);
    // No segment fetched twice: the seek landed in buffered data.
    let fetches = segment_fetches(&r);
    let mut urls: Vec<&String> = fetches.iter().map(|f| &f.url).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), fetches.len());
    // Fetching goes on from where it was before the seek.
    let last_before = fetches
        .iter()
        .filter(|f| f.at < 20.0)
        .map(|f| f.index())
        .max();
    let first_after = fetches.iter().find(|f| f.at >= 20.0).map(Fetched::index);
    assert!(first_after > last_before, "{fetches:?}");
    assert_eq!(r.remuxer.non_contiguous, 0);
}

#[test]
fn seek_past_the_end_loads_the_last_segment_and_ends() {
    let cfg = SimConfig {
        seeks: vec![(5.0, 1000.0)],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    // The first fetch after the seek is the last segment (the element clamps to the duration).
    let fetches = segment_fetches(&r);
    let after = fetches
        .iter()
        .find(|f| f.at >= 5.0)
        .expect("a fetch after the seek");
    assert!(after.url.ends_with("/11.ts"), "{after:?}");
    assert_eq!(events(&r, |e| matches!(e, Event::Ended)).count(), 1);
}

#[test]
fn seek_back_does_not_refetch_what_is_still_buffered() {
    // Regression: after a seek back into an evicted range the engine refetched every segment up
    // to the end of the buffer it still held.
    let cfg = SimConfig {
        seeks: vec![(100.0, 20.0)],
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    let fetches = segment_fetches(&r);
    for idx in 8..12 {
        let n = fetches.iter().filter(|f| f.index() == Some(idx)).count();
        assert_eq!(n, 1, "segment {idx} fetched {n} times");
    }
    // The evicted start was fetched again.
    assert_eq!(fetches.iter().filter(|f| f.index() == Some(2)).count(), 2);
}

#[test]
fn small_gap_is_jumped() {
    let mut h = Harness::new();
    h.play_one_segment();
    h.advance_to(5.0);
    let outs = h.media_with(10.0, &[(0.0, 10.0), (10.8, 20.0)]);
    assert!(outs.contains(&Output::SetPosition(10.8)), "{outs:?}");
    assert!(
        outs.contains(&Output::Event(Event::GapJumped {
            from: 10.0,
            to: 10.8
        })),
        "{outs:?}"
    );
    // A hole bigger than max_gap_jump (2 s) is not jumped: it was not left on purpose.
    let mut h = Harness::new();
    h.play_one_segment();
    h.advance_to(5.0);
    let outs = h.media_with(10.0, &[(0.0, 10.0), (12.5, 20.0)]);
    assert!(
        !outs.iter().any(|o| matches!(o, Output::SetPosition(_))),
        "{outs:?}"
    );
}

/// Regression: the Apple alternate-audio shape's first video segment once came out from 3 s on
/// (its first keyframe dropped); the 3 s start hole was too big to jump and no request would
/// fill it, so playback waited forever at 0 without an error.
#[test]
fn a_hole_no_request_will_fill_is_jumped_whatever_its_size() {
    let mut h = Harness::new();
    h.play_one_segment();
    h.advance_to(2.0);
    let outs = h.media_with(0.0, &[(3.02, 10.0)]);
    assert!(outs.contains(&Output::SetPosition(3.02)), "{outs:?}");
    assert!(
        outs.contains(&Output::Event(Event::GapJumped {
            from: 0.0,
            to: 3.02
        })),
        "{outs:?}"
    );
}

#[test]
fn stalled_playhead_is_nudged_then_fatal() {
    let mut h = Harness::new();
    h.play_one_segment();
    let mut nudges = Vec::new();
    let mut fatal = Vec::new();
    for i in 0..40 {
        // The element reports the same time whatever it is told: it is stuck at 3 s.
        let t = 5.0 + f64::from(i) * 0.5;
        h.advance_to(t);
        let mut outs = h.media_with(3.0, &[(0.0, 10.0)]);
        outs.extend(h.timeout_at(t));
        for o in outs {
            match o {
                Output::SetPosition(p) => nudges.push(p),
                Output::Event(Event::Error(err)) if err.fatal => fatal.push(err),
                _ => {}
            }
        }
    }
    // Each nudge one step further (0.1 s, 0.2 s, 0.3 s past the stuck time), then one fatal
    // stall error and nothing more.
    let expected = [3.1, 3.2, 3.3];
    assert_eq!(nudges.len(), expected.len(), "{nudges:?}");
    for (n, e) in nudges.iter().zip(expected) {
        assert!((n - e).abs() < 1e-9, "{nudges:?}");
    }
    assert_eq!(fatal.len(), 1, "{fatal:?}");
    assert_eq!(fatal[0].kind, ErrorKind::Stall);
    assert!(h.engine.is_failed());
}
