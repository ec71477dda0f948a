//! Loading, scheduling, appending and the end of the stream.

use super::*;

#[test]
fn vod_plays_to_the_end_and_signals_end_of_stream() {
    let r = run(&fast(), 120.0, recorded());
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    assert_eq!(r.rebuffer_count, 0);
    assert!(r.segment_levels.iter().all(Option::is_some));
    // Every segment fetched exactly once.
    assert_eq!(segment_fetches(&r).len(), 12);
    assert_eq!(
        events(
            &r,
            |e| matches!(e, Event::ManifestParsed { levels } if levels.len() == 3)
        )
        .count(),
        1
    );
    assert_eq!(events(&r, |e| matches!(e, Event::Ended)).count(), 1);
}

#[test]
fn buffer_goal_bounds_what_is_fetched_ahead() {
    let r = run(&fast(), 600.0, recorded());
    // On a fast link the engine stays ~30 s ahead: each fetch happens when the playhead is within
    // goal of the fetched segment's start.
    for (t, url) in segment_fetches(&r) {
        let idx: f64 = url
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".ts")
            .parse()
            .unwrap();
        let playhead = (t - r.startup_s.unwrap_or(0.0)).max(0.0);
        assert!(
            idx * 10.0 - playhead < 30.0 + 1e-6,
            "segment {idx} fetched at {t}"
        );
    }
    assert!(r.ended);
}

#[test]
fn media_playlist_url_directly() {
    let cfg = SimConfig {
        media_playlist_only: true,
        ..recorded()
    };
    let r = run(&fast(), 60.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert!(r.fetches.iter().all(|f| !f.2.ends_with("master.m3u8")));
}

#[test]
fn discontinuity_is_handed_to_the_remuxer() {
    let mut e = hand_engine();
    e.handle_input(
        0.0,
        Input::Load {
            url: "https://c/v/l0.m3u8".into(),
        },
    );
    let _ = drain(&mut e);
    let pl = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:10,\nb.ts\n#EXT-X-ENDLIST\n";
    e.handle_input(
        0.1,
        Input::Loaded {
            req: RequestId(1),
            data: pl.as_bytes().to_vec(),
        },
    );
    let mut outs = drain(&mut e);
    let mut pushed = 0;
    for _ in 0..10 {
        let fetch = outs.iter().find_map(|o| match o {
            Output::Fetch {
                req,
                kind: RequestKind::Segment { .. },
                ..
            } => Some(*req),
            _ => None,
        });
        let mut next = Vec::new();
        for o in &outs {
            if let Output::Append { track, .. } = o {
                e.handle_input(1.0, Input::AppendDone { track: *track });
                next.extend(drain(&mut e));
            }
        }
        if let Some(req) = fetch {
            e.handle_input(
                1.0,
                Input::Loaded {
                    req,
                    data: sim::remux::segment_bytes(1000, 10.0),
                },
            );
            pushed += 1;
            next.extend(drain(&mut e));
        }
        outs = next;
    }
    assert_eq!(pushed, 2);
    assert_eq!(e.remuxer().discontinuities, 1);
    assert_eq!(e.remuxer().pushes, 2);
    assert_eq!(e.remuxer().rendition_switches, 0);
    assert_eq!(e.remuxer().non_contiguous, 0);
}

/// Runs on after playback ended, so a late second end would be seen.
fn run_past_the_end(trace: &Trace, secs: f64, mut cfg: SimConfig) -> RunResult {
    cfg.stop_at_end = false;
    cfg.max_time = secs + 60.0;
    run(trace, secs, cfg)
}

fn assert_one_end(r: &RunResult) {
    assert!(r.ended, "did not end: {:?}", r.errors);
    assert_eq!(fatal_count(r), 0, "{:?}", r.errors);
    assert_eq!(r.end_of_streams, 1, "{:?}", r.errors);
    assert_eq!(events(r, |e| matches!(e, Event::Ended)).count(), 1);
}

#[test]
fn back_buffer_eviction_after_end_of_stream_does_not_reopen_the_source() {
    // Bug: seen in the demo, "waited at 60.02 s and never ended". Everything was appended and
    // EndOfStream sent early on a fast link; the back-buffer eviction then called remove(),
    // which reopens an ended MediaSource (as appendBuffer does), and EndOfStream was never sent
    // again: the element waited at the end of the buffer. (The simulator models the reopen.)
    let r = run_past_the_end(&fast(), 120.0, recorded());
    assert_one_end(&r);
    assert!(r.final_position >= 119.9, "{}", r.final_position);
}

#[test]
fn last_segment_404_skipped_ends_once() {
    // Bug: seen in the demo after 404 injection, `ended` twice or never.
    let mut cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::Status(404, None),
            "/5.ts",
            None,
        )],
        ..recorded()
    };
    let r = run_past_the_end(&fast(), 60.0, cfg.clone());
    // Every level penalised in turn, then skipped.
    assert!(r.segment_levels[5].is_none());
    assert_one_end(&r);
    cfg.engine.not_found = NotFoundPolicy::Skip;
    let r = run_past_the_end(&fast(), 60.0, cfg);
    assert!(r.segment_levels[5].is_none());
    assert_one_end(&r);
}

#[test]
fn last_segment_503_then_success_ends_once() {
    let cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::Status(503, None),
            "/5.ts",
            Some(1),
        )],
        ..recorded()
    };
    let r = run_past_the_end(&fast(), 60.0, cfg);
    assert!(r.segment_levels[5].is_some());
    assert_one_end(&r);
}

#[test]
fn seek_to_58_of_60_ends_once() {
    let cfg = SimConfig {
        seeks: vec![(5.0, 58.0)],
        ..recorded()
    };
    let r = run_past_the_end(&fast(), 60.0, cfg);
    assert_one_end(&r);
    assert!(r.final_position >= 59.9, "{}", r.final_position);
}

#[test]
fn seek_within_buffer_after_the_end_does_not_end_again() {
    // Everything is buffered and the end signalled; seeking back inside the buffer appends
    // nothing, so there is no second end.
    let cfg = SimConfig {
        seeks: vec![(20.0, 30.0)],
        ..recorded()
    };
    let r = run_past_the_end(&fast(), 40.0, cfg);
    assert_one_end(&r);
}

#[test]
fn skipped_middle_segment_gap_jump_ends_once() {
    // The gap jump sets currentTime, which the browser reports back as a seek.
    let mut cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::Status(404, None),
            "/4.ts",
            None,
        )],
        ..recorded()
    };
    cfg.engine.not_found = NotFoundPolicy::Skip;
    let r = run_past_the_end(&fast(), 60.0, cfg);
    assert!(r.segment_levels[4].is_none());
    assert_one_end(&r);
}
