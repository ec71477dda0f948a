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
    assert_eq!(r.end_of_streams, 1);
}

#[test]
fn buffer_goal_bounds_what_is_fetched_ahead() {
    let r = run(&fast(), 600.0, recorded());
    assert!(r.ended);
    assert_eq!(r.rebuffer_count, 0);
    // On a fast link the engine stays ~30 s ahead: each fetch happens when the playhead is within
    // goal of the fetched segment's start (no stall, so the playhead is the time since startup).
    let ahead = fetched_ahead(&r);
    assert!(ahead.iter().all(|&a| a < 30.0 + 1e-6), "{ahead:?}");
    // And it does fill the goal: some fetch is for a segment 20 s or more ahead.
    assert!(furthest(&ahead) >= 20.0, "{ahead:?}");
}

/// How far ahead of the playhead each segment fetch of a run reached, seconds (10 s segments).
fn fetched_ahead(r: &RunResult) -> Vec<f64> {
    segment_fetches(r)
        .iter()
        .map(|f| f.index().unwrap() as f64 * 10.0 - (f.at - r.startup_s.unwrap_or(0.0)).max(0.0))
        .collect()
}

fn furthest(ahead: &[f64]) -> f64 {
    ahead.iter().copied().fold(0.0, f64::max)
}

/// Held at level 0 (1,096,000 bits/s peak) with the buffer bounded by bytes.
fn deep_buffer(max_buffer_size: u64, max_buffer_length: f64) -> SimConfig {
    let mut cfg = recorded();
    cfg.engine.max_buffer_size = max_buffer_size;
    cfg.engine.max_buffer_length = max_buffer_length;
    cfg.app_inputs = vec![(0.0, Input::SetLevelCap(Some(0)))];
    cfg
}

fn deep_buffer_run(max_buffer_size: u64, max_buffer_length: f64) -> RunResult {
    run(
        &fast(),
        600.0,
        deep_buffer(max_buffer_size, max_buffer_length),
    )
}

#[test]
fn max_buffer_size_fetches_ahead_what_the_bytes_hold_at_the_level_peak_bitrate() {
    // 20 MB at 1,096,000 bits/s hold 146 s (hls.js's maxBufferSize / bitrate).
    let r = deep_buffer_run(20_000_000, 600.0);
    assert!(r.ended);
    assert_eq!(r.rebuffer_count, 0);
    let ahead = fetched_ahead(&r);
    assert!((136.0..146.0).contains(&furthest(&ahead)), "{ahead:?}");
}

#[test]
fn max_max_buffer_length_caps_the_goal_the_bytes_allow() {
    let r = deep_buffer_run(20_000_000, 100.0);
    assert!(r.ended);
    let ahead = fetched_ahead(&r);
    assert!((90.0..100.0).contains(&furthest(&ahead)), "{ahead:?}");
}

#[test]
fn a_quota_error_halves_the_deep_goal_not_the_seconds_goal() {
    // 146 s by the bytes, against a SourceBuffer that holds 100 s: the goal goes down to 73 s
    // (half the deep goal; halving `bufferGoal` alone would leave 146 s) and playback goes on.
    let cfg = SimConfig {
        quota_seconds: Some(100.0),
        ..deep_buffer(20_000_000, 600.0)
    };
    let r = run(&fast(), 600.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    assert_eq!(r.rebuffer_count, 0);
    let halved = r
        .errors
        .iter()
        .position(|e| e.details.contains("goal 73 s"))
        .unwrap_or_else(|| panic!("{:?}", r.errors));
    assert!(r.errors[..halved].iter().all(|e| !e.fatal));
    let last_fetches = &fetched_ahead(&r)[40..];
    assert!(last_fetches.iter().all(|&a| a < 73.0), "{last_fetches:?}");
}

#[test]
fn media_playlist_url_directly() {
    let cfg = SimConfig {
        media_playlist_only: true,
        ..recorded()
    };
    let r = run(&fast(), 60.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    let fetches = fetches(&r);
    assert!(fetches.iter().all(|f| !f.url.ends_with("master.m3u8")));
    // The URL given is the manifest, and its one level is played.
    assert_eq!(fetches[0].kind, RequestKind::Manifest);
    assert!(fetches[0].url.ends_with("/l0.m3u8"), "{}", fetches[0].url);
    assert!(r.segment_levels.iter().all(|l| *l == Some(0)));
    // Regression: the playlist given directly was fetched a second time as level 0's playlist
    // (and, live, that extra request held off every reload).
    let playlist_loads = fetches
        .iter()
        .filter(|f| matches!(f.kind, RequestKind::LevelPlaylist { .. }))
        .count();
    assert_eq!(playlist_loads, 0);
}

#[test]
fn discontinuity_is_handed_to_the_remuxer() {
    let mut h = Harness::new();
    h.load("https://c/v/l0.m3u8");
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    let pl = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:10,\nb.ts\n#EXT-X-ENDLIST\n";
    h.advance_to(0.1);
    h.answer(manifest, pl);
    h.advance_to(1.0);
    let mut pushed = Vec::new();
    while let Some(seg) = h.find_fetch(RequestKind::is_segment) {
        pushed.push(seg.url.clone());
        h.answer(seg.req, sim::remux::segment_bytes(1000, 10.0));
        h.ack_appends();
        assert!(pushed.len() <= 2, "{pushed:?}");
    }
    assert_eq!(pushed, ["https://c/v/a.ts", "https://c/v/b.ts"]);
    let remux = h.engine.remuxer();
    assert_eq!(remux.discontinuities, 1);
    assert_eq!(remux.last_info.map(|i| i.discontinuity), Some(true));
    assert_eq!(remux.pushes, 2);
    assert_eq!(remux.rendition_switches, 0);
    assert_eq!(remux.non_contiguous, 0);
}

#[test]
fn a_seek_across_a_discontinuity_is_a_mapping_point_for_the_remuxer() {
    // Regression: after a seek into the next discontinuity domain, the first segment pushed
    // there carries no EXT-X-DISCONTINUITY of its own; the remuxer kept the old domain's
    // mapping and placed it by the wrong timestamps.
    let mut h = Harness::new();
    h.load("https://c/v/l0.m3u8");
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    let pl = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n#EXTINF:10,\nb.ts\n\
        #EXT-X-DISCONTINUITY\n#EXTINF:10,\nc.ts\n#EXTINF:10,\nd.ts\n#EXT-X-ENDLIST\n";
    h.answer(manifest, pl);
    let first = h.fetch_of(RequestKind::is_media_segment);
    h.answer(first, sim::remux::segment_bytes(1000, 10.0));
    h.ack_appends();
    h.seek(35.0);
    let seg = h
        .find_fetch(RequestKind::is_media_segment)
        .expect("a fetch after the seek");
    assert_eq!(seg.url, "https://c/v/d.ts");
    h.answer(seg.req, sim::remux::segment_bytes(1000, 10.0));
    let info = h.engine.remuxer().last_info.expect("pushed");
    assert!(info.discontinuity, "{info:?}");
    assert!(info.non_contiguous, "{info:?}");
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
    // By hand (the simulator does not record removes): a 60 s VOD is all buffered and ended by
    // 21 s; played on to 60 s, the back buffer (30 s) would evict up to 30 s, but nothing is
    // removed after EndOfStream.
    let mut h = Harness::new();
    h.content.segments = 6;
    h.load_vod();
    h.play(70.0);
    assert!(h.ended, "no EndOfStream");
    assert!(h.position >= 60.0, "{}", h.position);
    let eos: Vec<&harness::Logged> = h
        .log
        .iter()
        .filter(|l| l.output == Output::EndOfStream)
        .collect();
    assert_eq!(eos.len(), 1, "{eos:?}");
    assert!(eos[0].position < 40.0, "{eos:?}");
    assert_eq!(h.removals(), [], "removed after the end");
    assert_eq!(h.buffered.as_slice(), [(0.0, 60.0)]);
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
    let after_seek: Vec<Fetched> = fetches(&r).into_iter().filter(|f| f.at >= 20.0).collect();
    assert!(after_seek.is_empty(), "{after_seek:?}");
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
    // The 10 s hole left by segment 4 (40..50 s) was jumped.
    let jumps: Vec<(f64, f64)> = events(&r, |e| matches!(e, Event::GapJumped { .. }))
        .map(|(_, e)| match e {
            Event::GapJumped { from, to } => (*from, *to),
            _ => unreachable!(),
        })
        .collect();
    assert!(
        jumps
            .iter()
            .any(|&(from, to)| (39.9..=40.1).contains(&from) && (to - 50.0).abs() < 1e-6),
        "{jumps:?}"
    );
    assert_one_end(&r);
}

#[test]
fn a_quota_error_never_lifts_the_goal_above_max_max_buffer_length() {
    // The app's cap (8 s) is below `min_buffer_goal` (10 s): halving must not raise it to the
    // floor (the deep goal by bytes would then reach 10 s).
    let cfg = SimConfig {
        quota_seconds: Some(12.0),
        ..deep_buffer(20_000_000, 8.0)
    };
    let r = run(&fast(), 120.0, cfg);
    let quota: Vec<&str> = r
        .errors
        .iter()
        .filter(|e| e.details.contains("QuotaExceededError"))
        .map(|e| e.details.as_str())
        .collect();
    assert!(!quota.is_empty(), "the quota is hit");
    assert!(quota.iter().all(|d| d.contains("goal 8 s")), "{quota:?}");
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
}
