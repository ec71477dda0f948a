//! Failed requests: retries and backoff, timeouts, 404s, giving up; error reporting.

use super::*;

#[test]
fn cdn_down_bounded_retries_then_one_fatal_error() {
    let cfg = SimConfig {
        faults: vec![fault(
            30.0,
            f64::INFINITY,
            FaultKind::Status(503, None),
            "",
            None,
        )],
        ..recorded()
    };
    let r = run(&fast(), 600.0, cfg);
    assert_eq!(fatal_count(&r), 1, "{:?}", r.errors);
    let fatal = r.fatal().unwrap();
    assert_eq!(fatal.kind, ErrorKind::Http);
    assert_eq!(fatal.cause, ErrorCause::Http { status: 503 });
    // 1 attempt + max_error_retries for the failing URL, then nothing more.
    let failing_url = fatal.url.clone().unwrap();
    let n = fetches(&r).iter().filter(|f| f.url == failing_url).count() as u32;
    assert_eq!(n, 1 + RetryPolicy::segments().max_error_retries);
    assert!(r.end_time < 200.0, "stopped at {}", r.end_time);
}

#[test]
fn transient_5xx_is_retried_with_backoff() {
    let cfg = SimConfig {
        faults: vec![fault(
            30.0,
            f64::INFINITY,
            FaultKind::Status(500, None),
            ".ts",
            Some(2),
        )],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    let nonfatal = r
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Http && !e.fatal)
        .count();
    assert_eq!(nonfatal, 2);
    // Retry delays: ~1 s then ~2 s (+-25% jitter).
    let fetches = segment_fetches(&r);
    let first_fail = fetches.iter().position(|f| f.at >= 30.0).unwrap();
    // The same URL each time: a retry, not the next segment.
    assert_eq!(fetches[first_fail].url, fetches[first_fail + 1].url);
    assert_eq!(fetches[first_fail].url, fetches[first_fail + 2].url);
    let d1 = fetches[first_fail + 1].at - fetches[first_fail].at;
    let d2 = fetches[first_fail + 2].at - fetches[first_fail + 1].at;
    assert!((0.75..=1.45).contains(&d1), "{d1}");
    assert!((1.5..=2.7).contains(&d2), "{d2}");
}

#[test]
fn stalled_requests_time_out_and_give_up() {
    let cfg = SimConfig {
        faults: vec![fault(30.0, f64::INFINITY, FaultKind::Stall, ".ts", None)],
        ..recorded()
    };
    let r = run(&fast(), 600.0, cfg);
    assert_eq!(fatal_count(&r), 1);
    assert_eq!(r.fatal().unwrap().kind, ErrorKind::Timeout);
    let n = r
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Timeout)
        .count() as u32;
    assert_eq!(n, 1 + RetryPolicy::segments().max_timeout_retries);
}

#[test]
fn stalled_body_at_startup_times_out_in_seconds_and_recovers() {
    // Bug: a response that sent headers and 100 KB of body, then went silent, was only given up
    // at the 120 s total timeout; with an empty buffer the player hung that long.
    let cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::StallBody(100_000),
            "/0.ts",
            Some(1),
        )],
        ..recorded()
    };
    let r = run(&Trace::constant("4mbps", 4.0, 10_000.0), 60.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    let stalled: Vec<&PlayerError> = r
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Timeout)
        .collect();
    assert_eq!(stalled.len(), 1, "{:?}", r.errors);
    let idle_timeout = ErrorCause::Timeout {
        first_byte: false,
        idle: true,
    };
    assert_eq!(stalled[0].cause, idle_timeout, "{:?}", stalled[0]);
    // Idle timeout (5 s) after the last byte, then the retry: playback starts within seconds.
    let startup = r.startup_s.unwrap();
    assert!(startup < 12.0, "started at {startup}");
    assert!(r.segment_levels[0].is_some());
}

#[test]
fn stalled_body_mid_stream_steps_down_and_feeds_the_abr() {
    // A body that goes silent while a level above the lowest loads and the buffer is short (a
    // 10 s goal): the retry comes from a lower level at once, and the estimate learns from what
    // arrived. (The abandon rule also
    // catches a silent body when it predicts a stall; it is off here to test the timeout alone.)
    let mut cfg = SimConfig {
        faults: vec![fault(
            20.0,
            f64::INFINITY,
            FaultKind::StallBody(200_000),
            "l2/",
            Some(1),
        )],
        ..recorded()
    };
    cfg.engine.abr.abandon = false;
    cfg.engine.buffer_goal = 10.0;
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    let stalled = r
        .errors
        .iter()
        .find(|e| e.kind == ErrorKind::Timeout)
        .unwrap_or_else(|| panic!("{:?} {:?}", r.errors, r.segment_levels));
    // 200 KB in ~5 s is ~0.3 Mbps: the estimate learnt it, and the retry is the lowest level.
    assert!(
        stalled.details.contains("retrying from level 0"),
        "{stalled:?}"
    );
    assert!(events(&r, |e| matches!(
        e,
        Event::LevelSwitching {
            from: Some(2),
            to: 0,
            reason: SwitchReason::Abandon
        }
    ))
    .next()
    .is_some());
    // The stalled level-2 segment is refetched from level 0.
    assert!(
        r.segment_levels.windows(2).any(|w| w == [Some(2), Some(0)]),
        "{:?}",
        r.segment_levels
    );
}

#[test]
fn stalled_body_with_a_healthy_buffer_is_retried_at_the_same_level() {
    // Regression: every stalled body stepped down, so a 7-11 s outage with 30 s buffered cost a
    // switch down and one back up. With a healthy buffer the same level is retried.
    let mut cfg = SimConfig {
        faults: vec![fault(
            20.0,
            f64::INFINITY,
            FaultKind::StallBody(200_000),
            "l2/",
            Some(1),
        )],
        ..recorded()
    };
    cfg.engine.abr.abandon = false;
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    let stalled = r
        .errors
        .iter()
        .find(|e| e.kind == ErrorKind::Timeout)
        .unwrap_or_else(|| panic!("{:?} {:?}", r.errors, r.segment_levels));
    assert!(stalled.details.contains("retry in"), "{stalled:?}");
    // The stalled level-2 segment is retried, and loaded, at level 2.
    let stalled_url = stalled.url.clone().unwrap();
    let tries: Vec<Fetched> = fetches(&r)
        .into_iter()
        .filter(|f| f.url == stalled_url)
        .collect();
    assert_eq!(tries.len(), 2, "{tries:?}");
    assert_eq!(tries[0].level(), Some(2));
    let index = tries[0].index().unwrap() as usize;
    assert_eq!(r.segment_levels[index], Some(2), "{:?}", r.segment_levels);
    assert!(
        events(&r, |e| matches!(
            e,
            Event::LevelSwitching {
                reason: SwitchReason::Abandon,
                ..
            }
        ))
        .next()
        .is_none(),
        "{:?}",
        r.segment_levels
    );
    assert_eq!(r.rebuffer_count, 0, "{:?}", r.errors);
}

#[test]
fn missing_segment_penalises_the_level_and_refetches_the_same_time() {
    let cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::Status(404, None),
            "l2/3.ts",
            None,
        )],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    let fetches = segment_fetches(&r);
    let missing = fetches
        .iter()
        .position(|f| f.url.ends_with("l2/3.ts"))
        .expect("l2/3.ts was requested");
    let not_found_at = fetches[missing].at;
    // The same time (segment 3) is fetched next, from another level, and loaded from it.
    let next = &fetches[missing + 1];
    assert_eq!(next.index(), Some(3), "{next:?}");
    assert_ne!(next.level(), Some(2), "{next:?}");
    assert_eq!(r.segment_levels[3], next.level());
    // Level 2 is penalised: not fetched from for the penalty (60 s), and reported so.
    let penalty = EngineConfig::default().level_penalty_s;
    assert!(
        !fetches[missing + 1..]
            .iter()
            .any(|f| f.level() == Some(2) && f.at < not_found_at + penalty),
        "{fetches:?}"
    );
    assert!(r.errors.iter().any(|e| e.kind == ErrorKind::NotFound
        && !e.fatal
        && e.details.contains("level penalised")));
}

#[test]
fn missing_segment_skipped_by_policy() {
    let mut cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::Status(404, None),
            "/3.ts",
            None,
        )],
        ..recorded()
    };
    cfg.engine.not_found = NotFoundPolicy::Skip;
    let r = run(&fast(), 120.0, cfg);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    assert!(r.segment_levels[3].is_none());
    // The 10 s hole is bigger than the small-gap rule allows, but the engine made it on purpose
    // and jumps it.
    assert!(r.segment_levels[4..].iter().all(Option::is_some));
    assert!(r.ended);
    assert!(r
        .set_positions
        .iter()
        .any(|&(_, to)| (to - 40.0).abs() < 1e-6));
}

#[test]
fn missing_level_playlist_penalises_the_level() {
    let cfg = SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::Status(404, None),
            "l2.m3u8",
            None,
        )],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0);
    assert!(!r.segment_levels.contains(&Some(2)));
    assert!(r
        .errors
        .iter()
        .any(|e| e.kind == ErrorKind::NotFound && !e.fatal));
}

#[test]
fn cdn_unreachable_refreshes_once_then_bounded_network_retries() {
    let cfg = SimConfig {
        faults: vec![fault(
            30.0,
            f64::INFINITY,
            FaultKind::Status(0, None),
            "",
            None,
        )],
        ..recorded()
    };
    let r = run(&fast(), 600.0, cfg);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(fatal_count(&r), 1, "{:?}", r.errors);
    let f = r.fatal().unwrap();
    assert_eq!(f.kind, ErrorKind::Network);
    assert!(f.details.contains("status 0"), "{}", f.details);
    let url = f.url.clone().unwrap();
    // First try, one retry after the refresh, then the bounded network retries.
    let n = fetches(&r).iter().filter(|f| f.url == url).count() as u32;
    assert_eq!(n, 2 + RetryPolicy::segments().max_error_retries);
}

#[test]
fn error_urls_are_redacted() {
    let mut h = Harness::new();
    h.load("https://cdn.example.com/v/m.m3u8?Policy=eyJhbGc&Signature=abc~~&Key-Pair-Id=K2ABC");
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.advance_to(0.1);
    let outs = h.fail(manifest, 404, None);
    let url = outs
        .iter()
        .find_map(|o| match o {
            Output::Event(Event::Error(err)) => err.url.clone(),
            _ => None,
        })
        .unwrap();
    assert!(
        !url.contains("abc~~") && !url.contains("eyJhbGc") && !url.contains("K2ABC"),
        "{url}"
    );
    assert!(url.contains("Signature=REDACTED"));
}

/// The element itself can fail after an append was accepted (a decode error): once it has, it
/// plays nothing more, so the player says so with one fatal error naming the MediaError, and
/// fetches nothing further.
#[test]
fn a_media_element_error_is_one_fatal_buffer_error_naming_it() {
    let mut h = Harness::new();
    h.play_one_segment();
    let outs = h.input(Input::MediaError {
        code: 3,
        message: "PIPELINE_ERROR_DECODE".into(),
    });
    let errors: Vec<_> = outs
        .iter()
        .filter_map(|o| match o {
            Output::Event(Event::Error(e)) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{outs:?}");
    assert!(errors[0].fatal);
    assert_eq!(errors[0].kind, ErrorKind::Buffer);
    assert_eq!(
        errors[0].details,
        "the media element failed (MEDIA_ERR_DECODE, code 3): PIPELINE_ERROR_DECODE"
    );
    assert!(h.engine.is_failed());
    h.advance_to(30.0);
    assert!(!h.drive().iter().any(|o| matches!(o, Output::Fetch { .. })));
}
