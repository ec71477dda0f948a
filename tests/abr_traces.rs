//! Qualitative ABR properties over the committed traces (deterministic simulation results, not
//! timings): this project's rule beats the hls.js rule rebuilt in the same engine, and on
//! stable links it neither stalls nor wavers.
#![cfg(not(target_arch = "wasm32"))] // the simulator is native only
#![allow(clippy::unwrap_used)] // a test crate: a missing trace file should fail loudly
use std::path::Path;

use hlsplay::abr::AbrKind;
use hlsplay::sim::{self, family, Ladder, SimConfig, Trace};

fn traces() -> Vec<Trace> {
    traces_in("tests/traces")
}

/// `tests/traces-heldout/`: the same families from another seed (`gen_traces.py ... 7`), never
/// used to choose the defaults' numbers, only to check that the targets hold off the tuning set.
fn traces_in(dir: &str) -> Vec<Trace> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            Trace::parse(&name, &std::fs::read_to_string(f).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn at_least_fifty_traces_in_every_family() {
    let t = traces();
    assert!(t.len() >= 50, "{}", t.len());
    for fam in [
        "stable",
        "step-down",
        "step-up",
        "ramp-up",
        "ramp-down",
        "markov-3g",
        "markov-4g",
        "drop",
        "outage",
        "latency",
    ] {
        assert!(t.iter().any(|t| family(&t.name) == fam), "no {fam} trace");
    }
}

struct Totals {
    n: usize,
    ours_qoe: f64,
    hls_qoe: f64,
    optimum: f64,
    ours_rebuffer: f64,
    hls_rebuffer: f64,
    ours_switches: u32,
    hls_switches: u32,
}

/// Ours and hls.js over the traces whose optimum is positive.
fn feasible_totals(traces: Vec<Trace>) -> Totals {
    let ladder = Ladder::mediaconvert(600.0, 1);
    let cfg = SimConfig::default();
    let mut t = Totals {
        n: 0,
        ours_qoe: 0.0,
        hls_qoe: 0.0,
        optimum: 0.0,
        ours_rebuffer: 0.0,
        hls_rebuffer: 0.0,
        ours_switches: 0,
        hls_switches: 0,
    };
    for tr in traces {
        let optimum = sim::optimum_for(&tr, &ladder, &cfg).qoe;
        let o = sim::score(&tr, &ladder, AbrKind::Ours, &cfg, optimum).result;
        let h = sim::score(&tr, &ladder, AbrKind::HlsJs, &cfg, optimum).result;
        // The offline optimum is a ceiling: no online rule may beat it.
        assert!(
            o.qoe <= optimum + 1e-6 && h.qoe <= optimum + 1e-6,
            "{}: {} / {} > {optimum}",
            tr.name,
            o.qoe,
            h.qoe
        );
        // Where even the lowest rung does not fit the link every player stalls for minutes and
        // QoE ratios mean nothing; those traces are compared in docs/benchmarks.md instead.
        if optimum <= 0.0 {
            continue;
        }
        t.n += 1;
        t.optimum += optimum;
        t.ours_qoe += o.qoe;
        t.hls_qoe += h.qoe;
        t.ours_rebuffer += o.rebuffer_s;
        t.hls_rebuffer += h.rebuffer_s;
        t.ours_switches += o.switches;
        t.hls_switches += h.switches;
    }
    t
}

/// The targets that are met (docs/design-engine.md, ABR tuning record): QoE >= 1.10 x
/// hls.js and >= 85% of the optimum, no more switches than hls.js. Rebuffering is asserted only
/// not to exceed hls.js's by more than 5%: the target of half of hls.js's is not met (on the
/// held-out set it is below what always playing the lowest rung achieves).
fn assert_targets(t: &Totals, set: &str) {
    assert!(t.n >= 30, "{set}: {}", t.n);
    assert!(
        t.ours_qoe >= 1.10 * t.hls_qoe,
        "{set}: QoE ours {:.1} vs hls.js {:.1}",
        t.ours_qoe,
        t.hls_qoe
    );
    assert!(
        t.ours_qoe >= 0.85 * t.optimum,
        "{set}: QoE ours {:.1} vs optimum {:.1}",
        t.ours_qoe,
        t.optimum
    );
    assert!(
        t.ours_switches <= t.hls_switches,
        "{set}: switches ours {} vs hls.js {}",
        t.ours_switches,
        t.hls_switches
    );
    assert!(
        t.ours_rebuffer <= 1.05 * t.hls_rebuffer,
        "{set}: rebuffer ours {:.1} s vs hls.js {:.1} s",
        t.ours_rebuffer,
        t.hls_rebuffer
    );
}

#[test]
fn ours_beats_hlsjs_over_the_committed_traces() {
    assert_targets(&feasible_totals(traces()), "tests/traces");
}

#[test]
fn ours_beats_hlsjs_over_the_held_out_traces() {
    let t = traces_in("tests/traces-heldout");
    assert!(t.len() >= 50, "{}", t.len());
    assert_targets(&feasible_totals(t), "tests/traces-heldout");
}

#[test]
fn stable_links_no_rebuffer_and_at_most_one_late_switch() {
    let ladder = Ladder::mediaconvert(600.0, 1);
    let all = traces()
        .into_iter()
        .chain(traces_in("tests/traces-heldout"));
    for t in all.filter(|t| family(&t.name) == "stable") {
        // The lowest rung needs 1.1 Mbps: below that no player avoids stalling.
        if t.mean_mbps() < ladder.mbps(0) * 1.1 {
            continue;
        }
        let r = sim::run(&t, &ladder, &SimConfig::default());
        assert_eq!(r.rebuffer_s, 0.0, "{}", t.name);
        let mut late = 0;
        let mut prev = None;
        for (i, l) in r.segment_levels.iter().enumerate() {
            if i >= 3 && prev.is_some() && prev != *l {
                late += 1;
            }
            prev = *l;
        }
        assert!(late <= 1, "{}: {:?}", t.name, r.segment_levels);
    }
}
