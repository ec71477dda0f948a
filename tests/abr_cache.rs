//! A page reloaded after the first minutes were watched at the lowest level: those segments come
//! from the browser's HTTP cache, a millisecond each, and say nothing about the slow link behind
//! them. The rule may climb on them, but must not stall when the next segment is a real fetch.
#![cfg(not(target_arch = "wasm32"))] // the simulator is native only

use hlsplay::sim::{self, Fault, FaultKind, Ladder, RunResult, SimConfig, Trace};

#[path = "common/ladders.rs"]
mod ladders;

/// `ladder` over a constant `mbps` link, its first `cached` lowest-level segments cached.
fn reload(ladder: &Ladder, mbps: f64, cached: usize) -> RunResult {
    let faults = (0..cached)
        .map(|i| Fault {
            from: 0.0,
            until: f64::INFINITY,
            kind: FaultKind::Cached,
            url_contains: format!("/l0/{i}.ts"),
            max_count: None,
        })
        .collect();
    let cfg = SimConfig {
        faults,
        ..SimConfig::default()
    };
    sim::run(&Trace::constant("slow", mbps, 10_000.0), ladder, &cfg)
}

fn assert_plays_through(r: &RunResult, what: &str) {
    assert!(r.fatal().is_none(), "{what}: {:?}", r.fatal());
    assert!(r.ended, "{what}: did not end");
    assert_eq!(r.rebuffer_count, 0, "{what}: stalled {} s", r.rebuffer_s);
    assert!(
        r.startup_s.is_some_and(|s| s < 0.5),
        "{what}: the first segment is a cache hit, startup {:?}",
        r.startup_s
    );
}

#[test]
fn cached_segments_over_a_slow_link_do_not_stall_10_s_segments() {
    // 1.5 Mbps carries the lowest level (1.1 Mbps) only.
    let ladder = Ladder::mediaconvert(300.0, 3);
    for cached in [3, 8, 20] {
        let r = reload(&ladder, 1.5, cached);
        assert_plays_through(&r, &format!("{cached} cached"));
    }
}

#[test]
fn cached_segments_over_a_slow_link_do_not_stall_3_s_segments() {
    // The "Video on Demand on AWS" 1080p ladder; 1.2 Mbps carries the lowest (0.5 Mbps) only.
    let ladder = ladders::ladder_fixture("vod-aws-1080p");
    for cached in [3, 8, 20] {
        let r = reload(&ladder, 1.2, cached);
        assert_plays_through(&r, &format!("{cached} cached"));
    }
}

#[test]
fn a_seek_back_answered_from_the_browser_cache_is_not_taken_for_the_link() {
    // 1.5 Mbps carries the lowest level only; at 150 s the viewer seeks back to 10 s, past the
    // 30 s back buffer: the segments from there were fetched before, and the browser's cache
    // answers them in a millisecond. Taken for the link, they lifted the rule to the top level
    // and back, ten switches in the minute after the seek.
    let cfg = SimConfig {
        browser_cache: true,
        seeks: vec![(150.0, 10.0)],
        record: true,
        ..SimConfig::default()
    };
    let r = sim::run(
        &Trace::constant("slow", 1.5, 10_000.0),
        &Ladder::mediaconvert(300.0, 3),
        &cfg,
    );
    assert!(r.fatal().is_none(), "{:?}", r.fatal());
    assert_eq!(r.rebuffer_count, 0, "stalled {} s", r.rebuffer_s);
    let after: Vec<&str> = r
        .fetches
        .iter()
        .filter(|(t, _, url)| *t >= 150.0 && url.ends_with(".ts"))
        .map(|(_, _, url)| url.as_str())
        .collect();
    assert!(after.len() > 10, "{after:?}");
    assert!(
        after.iter().all(|url| url.contains("/l0/")),
        "the lowest level only: {after:?}"
    );
    assert_eq!(r.switches, 0);
}
