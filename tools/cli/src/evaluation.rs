//! The evaluation side of `hlsplay simulate`: named trace sets and ladders (the Pensieve peer
//! data, the ladder fixtures), the fixed tuning/evaluation split, the decision-cost measurement,
//! and the one-row-per-(set, ladder) Markdown table `scripts/benchmarks.sh` collects.
//!
//! The split: in each set's sorted file-name order, files 0, 2, 4... are the tuning half and
//! files 1, 3, 5... the evaluation half. It depends on names only, so it never moves when a rule
//! changes, and alternate files spread every family (Norway bus/car/tram...) over both halves.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hlsplay::abr::{Abr, AbrConfig, AbrContext, AbrLevel, Lookahead, SegmentSample};

/// Where the Pensieve data lives, relative to the repository root (the peers' shared data,
/// not in the repository).
pub const PEER_PENSIEVE: &str = "../shared/peer-data/pensieve";

/// Which half of a set to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    All,
    Tune,
    Eval,
}

impl Half {
    pub fn parse(v: &str) -> Option<Half> {
        match v {
            "all" => Some(Half::All),
            "tune" | "tuning" => Some(Half::Tune),
            "eval" | "evaluation" => Some(Half::Eval),
            _ => None,
        }
    }

    /// Whether the file at `index` (sorted name order within its set) is in this half.
    pub fn keeps(self, index: usize) -> bool {
        match self {
            Half::All => true,
            Half::Tune => index.is_multiple_of(2),
            Half::Eval => !index.is_multiple_of(2),
        }
    }
}

/// `--traces`: a named set (`norway`, `fcc`: the Pensieve traces) or a file or directory.
pub fn trace_path(arg: &str) -> Result<PathBuf, String> {
    let dir = match arg {
        "norway" | "pensieve-norway" => format!("{PEER_PENSIEVE}/traces-norway"),
        "fcc" | "pensieve-fcc" => format!("{PEER_PENSIEVE}/traces-fcc"),
        _ => return Ok(PathBuf::from(arg)),
    };
    let p = PathBuf::from(&dir);
    if p.is_dir() {
        Ok(p)
    } else {
        Err(format!(
            "trace set `{arg}`: {dir} not found (the Pensieve traces are peer data outside the \
             repository; run from the repository root with ../shared/peer-data present)"
        ))
    }
}

/// `--ladder`: a named fixture (`pensieve`, `vod-aws-1080p`), `mediaconvert` (the built-in
/// sample job ladder, `None`), or a master playlist path.
pub fn ladder_path(arg: &str) -> Option<PathBuf> {
    match arg {
        "mediaconvert" => None,
        "pensieve" | "vod-aws-1080p" => Some(
            Path::new("tests/fixtures/ladders")
                .join(arg)
                .join("master.m3u8"),
        ),
        _ => Some(PathBuf::from(arg)),
    }
}

/// The rules of the table, in its column order.
pub const TABLE_ABRS: [&str; 5] = ["ours", "hlsjs", "throughput", "bola", "robustmpc"];

/// One trace's scores: its index in the set, the optimum, (rule, QoE).
#[derive(Debug, Clone, Default)]
pub struct TraceScores {
    pub index: usize,
    pub name: String,
    pub optimum: f64,
    pub qoe: Vec<(&'static str, f64)>,
}

impl TraceScores {
    fn get(&self, abr: &str) -> Option<f64> {
        self.qoe.iter().find(|q| q.0 == abr).map(|q| q.1)
    }

    /// Ours below the hls.js rule by more than 5 % of this trace's optimum (|optimum|: on
    /// links below the lowest rung the optimum is negative and the margin stays positive).
    pub fn worse_than_hlsjs(&self) -> bool {
        match (self.get("ours"), self.get("hlsjs")) {
            (Some(o), Some(h)) => h - o > 0.05 * self.optimum.abs(),
            _ => false,
        }
    }
}

/// The table's header (two lines).
pub fn table_header() -> String {
    "| set, ladder | part | traces (feasible) | ours | hls.js rule | throughput | BOLA | RobustMPC | optimum | feasible: % of optimum, ours / hls.js / tput / BOLA / RMPC | feasible: ours / hls.js QoE | ours worse than hls.js by > 5 % of opt |\n\
     |---|---|---|---|---|---|---|---|---|---|---|---|"
        .to_string()
}

/// Two rows (the evaluation half, then the whole set) for `label`. QoE columns are means per
/// trace over all traces; % of optimum (total QoE over total optimum) and the ratio to hls.js
/// are over the feasible traces (optimum > 0), as `simulate`'s summary line gives them: where
/// the lowest rung does not fit the link every rule stalls for minutes and ratios mean nothing.
/// A rule that was not run shows `-`.
pub fn table_rows(label: &str, scores: &[TraceScores]) -> String {
    let mut out = String::new();
    for (part, half) in [("evaluation half", Half::Eval), ("whole", Half::All)] {
        let kept: Vec<&TraceScores> = scores.iter().filter(|s| half.keeps(s.index)).collect();
        let n = kept.len().max(1) as f64;
        let ran = |abr: &str| kept.iter().any(|s| s.get(abr).is_some());
        let total = |abr: &str| kept.iter().filter_map(|s| s.get(abr)).sum::<f64>();
        let opt: f64 = kept.iter().map(|s| s.optimum).sum();
        let feasible: Vec<&&TraceScores> = kept.iter().filter(|s| s.optimum > 0.0).collect();
        let f_total = |abr: &str| feasible.iter().filter_map(|s| s.get(abr)).sum::<f64>();
        let f_opt: f64 = feasible.iter().map(|s| s.optimum).sum();
        let pct = |abr: &str| match (ran(abr), f_opt > 0.0) {
            (false, _) => "-".to_string(),
            (true, true) => format!("{:.1}", 100.0 * f_total(abr) / f_opt),
            (true, false) => "n/a".to_string(),
        };
        let mean = |abr: &str| {
            if ran(abr) {
                format!("{:.2}", total(abr) / n)
            } else {
                "-".to_string()
            }
        };
        let ratio = {
            let h = f_total("hlsjs");
            if h > 0.0 && f_total("ours") > 0.0 {
                format!("{:.2}x", f_total("ours") / h)
            } else {
                "n/a (QoE < 0)".to_string()
            }
        };
        let worse: Vec<&str> = kept
            .iter()
            .filter(|s| s.worse_than_hlsjs())
            .map(|s| s.name.as_str())
            .collect();
        let worse_text = match worse.len() {
            0 => "0".to_string(),
            k if k <= 4 => format!("{k} ({})", worse.join(", ")),
            k => format!(
                "{k} ({}, ...)",
                worse.get(..3).unwrap_or_default().join(", ")
            ),
        };
        out.push_str(&format!(
            "| {label} | {part} | {} ({}) | {} | {} | {} | {} | {} | {:.2} | {} | {ratio} | {worse_text} |\n",
            kept.len(),
            feasible.len(),
            mean("ours"),
            mean("hlsjs"),
            mean("throughput"),
            mean("bola"),
            mean("robustmpc"),
            opt / n,
            TABLE_ABRS.map(pct).join(" / "),
        ));
    }
    out
}

/// Microseconds per `choose` of the current rule on a 6-rung ladder (the Pensieve video's),
/// natively: mean over `n` decisions at varied buffers, after a few samples so the search runs
/// with a settled estimate.
pub fn decision_cost_us(n: usize) -> f64 {
    let levels: Vec<AbrLevel> = [300e3, 750e3, 1200e3, 1850e3, 2850e3, 4300e3]
        .iter()
        .map(|&b| AbrLevel {
            bitrate: b,
            avg_bitrate: None,
        })
        .collect();
    let allowed = [true; 6];
    let mut rule = Lookahead::new(AbrConfig::default());
    for k in 0..8u64 {
        rule.on_sample(&SegmentSample {
            level: 3,
            bytes: 900_000 + 20_000 * k,
            ttfb_s: 0.08,
            load_s: 2.5,
            duration: 4.0,
        });
    }
    let start = Instant::now();
    let mut sink = 0usize;
    for i in 0..n {
        let ctx = AbrContext {
            now: 100.0 + i as f64,
            levels: &levels,
            allowed: &allowed,
            current: Some(i % 6),
            buffer: (i % 30) as f64,
            buffer_goal: 30.0,
            segment_duration: 4.0,
            remaining: Some(120.0),
        };
        sink = sink.wrapping_add(rule.choose(&ctx));
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    // Keep the loop's result alive so it is not optimised away.
    std::hint::black_box(sink);
    us
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternate_files_split_the_set() {
        let eval: Vec<usize> = (0..7).filter(|&i| Half::Eval.keeps(i)).collect();
        let tune: Vec<usize> = (0..7).filter(|&i| Half::Tune.keeps(i)).collect();
        assert_eq!(eval, [1, 3, 5]);
        assert_eq!(tune, [0, 2, 4, 6]);
        assert!((0..7).all(|i| Half::All.keeps(i)));
        assert_eq!(Half::parse("eval"), Some(Half::Eval));
        assert_eq!(Half::parse("x"), None);
    }

    #[test]
    fn worse_than_hlsjs_is_judged_on_the_optimum() {
        let s = |ours: f64, hlsjs: f64, optimum: f64| TraceScores {
            index: 0,
            name: "t".into(),
            optimum,
            qoe: vec![("ours", ours), ("hlsjs", hlsjs)],
        };
        assert!(!s(95.0, 100.0, 200.0).worse_than_hlsjs()); // 5 < 10
        assert!(s(85.0, 100.0, 200.0).worse_than_hlsjs()); // 15 > 10
        assert!(s(-120.0, -100.0, -50.0).worse_than_hlsjs());
    }

    #[test]
    fn rows_cover_both_parts() {
        let scores: Vec<TraceScores> = (0..4)
            .map(|i| TraceScores {
                index: i,
                name: format!("t{i}"),
                optimum: 10.0,
                qoe: TABLE_ABRS.iter().map(|&a| (a, 5.0)).collect(),
            })
            .collect();
        let rows = table_rows("x", &scores);
        assert_eq!(rows.lines().count(), 2);
        assert!(
            rows.contains("| x | evaluation half | 2 (2) | 5.00 |"),
            "{rows}"
        );
        assert!(rows.contains("| x | whole | 4 (4) |"), "{rows}");
        assert!(rows.contains("50.0 / 50.0 / 50.0 / 50.0 / 50.0"), "{rows}");
    }

    #[test]
    fn missing_peer_data_is_named() {
        // Not run from the repository root with peer data: the error says where it looked.
        if Path::new(PEER_PENSIEVE).is_dir() {
            return;
        }
        let e = trace_path("norway").unwrap_err();
        assert!(
            e.contains("traces-norway") && e.contains("peer data"),
            "{e}"
        );
    }
}
