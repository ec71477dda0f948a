//! The real-trace evaluation's plumbing (issue 15): the ladder fixtures load as the simulator
//! reads them, every rule of the table plays them through, and the Pensieve traces (peer data
//! outside the repository) parse. Properties only, never the scores the benchmarks report.
#![cfg(not(target_arch = "wasm32"))] // the simulator is native only
#![allow(clippy::unwrap_used)] // a test crate: a missing fixture should fail loudly
use std::path::PathBuf;

use hlsplay::abr::AbrKind;
use hlsplay::sim::{self, SimConfig, Trace};

#[path = "common/ladders.rs"]
mod ladders;
use ladders::ladder_fixture as ladder;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Pensieve traces of `set`, or `None` (with a message) when the peer data is absent.
fn pensieve(set: &str) -> Option<Vec<Trace>> {
    let dir = root().join("../shared/peer-data/pensieve").join(set);
    if !dir.is_dir() {
        eprintln!(
            "skipped: {} not found (Pensieve traces are peer data)",
            dir.display()
        );
        return None;
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    Some(
        files
            .iter()
            .map(|f| {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                Trace::parse(&name, &std::fs::read_to_string(f).unwrap()).unwrap()
            })
            .collect(),
    )
}

#[test]
fn ladder_fixtures_have_their_shapes() {
    let p = ladder("pensieve");
    let kbps: Vec<u64> = p.levels.iter().map(|l| l.bandwidth / 1000).collect();
    assert_eq!(kbps, [300, 750, 1200, 1850, 2850, 4300]);
    assert_eq!(p.durations, vec![4.0; 49]);
    // Real sizes: they vary from segment to segment (a nominal ladder's would not).
    let top = &p.levels.last().unwrap().segment_bytes;
    assert!(top.iter().min() < top.iter().max());

    let a = ladder("vod-aws-1080p");
    let kbps: Vec<u64> = a.levels.iter().map(|l| l.bandwidth / 1000).collect();
    assert_eq!(kbps, [496, 1596, 3596, 6096, 8596]);
    assert_eq!(a.durations, vec![3.0; 200]);
    assert_eq!(a.bytes(4, 0), 8_596_000 * 3 / 8);
}

#[test]
fn every_rule_plays_the_pensieve_video_to_the_end() {
    let ladder = ladder("pensieve");
    let base = SimConfig {
        max_time: 4000.0,
        ..SimConfig::default()
    };
    let trace = Trace::constant("steady-3mbps", 3.0, 400.0);
    let opt = sim::optimum_for(&trace, &ladder, &base).qoe;
    for abr in [
        AbrKind::Ours,
        AbrKind::HlsJs,
        AbrKind::Throughput,
        AbrKind::Bola,
        AbrKind::RobustMpc,
    ] {
        let s = sim::score(&trace, &ladder, abr, &base, opt);
        let r = &s.result;
        assert!(r.fatal().is_none(), "{}: {:?}", abr.name(), r.fatal());
        assert!(r.ended, "{}", abr.name());
        assert_eq!(r.segment_levels.len(), 49, "{}", abr.name());
        assert!(
            r.segment_levels.iter().all(Option::is_some),
            "{}",
            abr.name()
        );
        // The optimum bounds every rule (within its 0.1 s buffer bins).
        assert!(r.qoe <= opt + 1.0, "{}: {} > {opt}", abr.name(), r.qoe);
    }
}

#[test]
fn pensieve_traces_parse_when_present() {
    for (set, at_least) in [("traces-norway", 100), ("traces-fcc", 50)] {
        let Some(traces) = pensieve(set) else {
            continue;
        };
        assert!(traces.len() >= at_least, "{set}: {}", traces.len());
        assert!(traces
            .iter()
            .all(|t| t.period() > 0.0 && t.mean_mbps() >= 0.0));
    }
}

#[test]
fn a_real_trace_runs_under_every_rule_when_present() {
    let Some(traces) = pensieve("traces-norway") else {
        return;
    };
    let ladder = ladder("pensieve");
    let base = SimConfig {
        max_time: 4000.0,
        ..SimConfig::default()
    };
    // The first trace of the evaluation half (alternate files: index 1).
    let trace = traces.get(1).unwrap();
    let opt = sim::optimum_for(trace, &ladder, &base).qoe;
    for abr in [AbrKind::Ours, AbrKind::Bola, AbrKind::RobustMpc] {
        let r = sim::score(trace, &ladder, abr, &base, opt).result;
        assert!(
            r.fatal().is_none() && r.ended,
            "{}: {}",
            abr.name(),
            trace.name
        );
        assert!(r.qoe <= opt + 1.0, "{}: {} > {opt}", abr.name(), r.qoe);
    }
}
