//! The playhead: seeks, gaps, stalls.

use super::*;

#[test]
fn seek_to_95_while_fetching_30() {
    // Slow enough that a fetch is in flight at 5 s.
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
    let after: Vec<&(f64, String)> = fetches.iter().filter(|f| f.0 >= 9.0).collect();
    assert!(
        after[0].1.ends_with("/9.ts"),
        "first fetch after the seek: {:?}",
        after[0]
    );
    assert!(r.final_position >= 199.0);
    assert_eq!(r.rebuffer_count, 0);
}

#[test]
fn seek_aborts_the_request_in_flight() {
    let mut e = hand_engine();
    let outs = start_vod(&mut e, 0.0);
    let req = outs
        .iter()
        .find_map(|o| match o {
            Output::Fetch {
                req,
                kind: RequestKind::Segment { .. },
                ..
            } => Some(*req),
            _ => None,
        })
        .unwrap();
    e.handle_input(1.0, Input::Seek { position: 95.0 });
    let outs = drain(&mut e);
    assert!(outs.contains(&Output::Abort { req }));
    assert!(
        outs.iter()
            .any(|o| matches!(o, Output::Fetch { url, .. } if url.ends_with("/seg9.ts"))),
        "{outs:?}"
    );
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
    let mut urls: Vec<&String> = fetches.iter().map(|f| &f.1).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), fetches.len());
}

#[test]
fn seek_past_the_end_loads_the_last_segment_and_ends() {
    let cfg = SimConfig {
        seeks: vec![(5.0, 1000.0)],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert!(segment_fetches(&r).iter().any(|f| f.1.ends_with("/11.ts")));
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
        let n = fetches
            .iter()
            .filter(|f| f.1.ends_with(&format!("/{idx}.ts")))
            .count();
        assert_eq!(n, 1, "segment {idx} fetched {n} times");
    }
    // The evicted start was fetched again.
    assert_eq!(fetches.iter().filter(|f| f.1.ends_with("/2.ts")).count(), 2);
}

#[test]
fn small_gap_is_jumped() {
    let mut e = hand_engine();
    play_one_segment(&mut e);
    e.handle_input(
        5.0,
        Input::Media {
            position: 10.0,
            paused: false,
            buffered: vec![(0.0, 10.0), (10.8, 20.0)],
        },
    );
    let outs = drain(&mut e);
    assert!(outs.contains(&Output::SetPosition(10.8)), "{outs:?}");
}

#[test]
fn stalled_playhead_is_nudged_then_fatal() {
    let mut e = hand_engine();
    play_one_segment(&mut e);
    let mut nudges = Vec::new();
    let mut fatal = false;
    for i in 0..40 {
        let t = 5.0 + i as f64 * 0.5;
        e.handle_input(
            t,
            Input::Media {
                position: 3.0,
                paused: false,
                buffered: vec![(0.0, 10.0)],
            },
        );
        e.handle_timeout(t);
        for o in drain(&mut e) {
            match o {
                Output::SetPosition(p) => nudges.push(p),
                Output::Event(Event::Error(err)) if err.fatal => {
                    assert_eq!(err.kind, ErrorKind::Stall);
                    fatal = true;
                }
                _ => {}
            }
        }
    }
    assert_eq!(nudges.len(), 3, "{nudges:?}");
    assert!(fatal);
}
