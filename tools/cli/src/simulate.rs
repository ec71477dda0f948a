//! `hlsplay simulate`: run the engine over network traces with each ABR rule and print one JSON
//! object per (trace, rule), a summary line, and optionally a Markdown table per trace family.
//!
//! Content: the MediaConvert ladder (1.0/2.0/3.0 Mbps + 96 kbps audio, 10 s segments) as a
//! 600 s VOD, whatever the trace length (traces wrap around when a session outlasts them), or
//! the ladder of `--ladder <master.m3u8>`. The evaluation options (named sets and ladders, the
//! tuning/evaluation split, the table row, the decision cost) are in `evaluation.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hlsplay::abr::AbrKind;
use hlsplay::sim::{self, family, Forecast, Ladder, Scored, SimConfig, Trace};
use serde_json::json;

use crate::evaluation::{self, Half, TraceScores};

pub const USAGE: &str = "  simulate --traces <file-or-dir|norway|fcc> [--abr ours|hlsjs|throughput|bola|robustmpc|all|every|a,b]\n           [--ladder <master.m3u8>|pensieve|vod-aws-1080p|mediaconvert] [--half all|tune|eval]\n           [--duration <s>] [--seed <n>] [--markdown] [--table-row <label>]\n           [--forecast <horizon>[:<lag_s>][:flat]]   score ABR rules on network traces (and the perfect-forecast bound)\n  simulate --decision-cost   microseconds per decision of the current rule on a 6-rung ladder (native)\n";

struct Args {
    traces: PathBuf,
    abrs: Vec<AbrKind>,
    ladder: Option<PathBuf>,
    duration: f64,
    seed: u64,
    markdown: bool,
    sets: Vec<String>,
    half: Half,
    table_row: Option<String>,
    decision_cost: bool,
    forecast: Option<Forecast>,
}

/// `--abr`: one rule, `all` (the three of the regression baseline), `every` (the table's five)
/// or a comma-separated list.
fn parse_abrs(v: &str) -> Result<Vec<AbrKind>, String> {
    match v {
        "all" => Ok(vec![AbrKind::Ours, AbrKind::HlsJs, AbrKind::Throughput]),
        "every" => evaluation::TABLE_ABRS
            .iter()
            .map(|n| AbrKind::parse(n).ok_or_else(|| format!("unknown rule `{n}`")))
            .collect(),
        _ => v
            .split(',')
            .map(|n| AbrKind::parse(n).ok_or_else(|| format!("unknown --abr `{n}`")))
            .collect(),
    }
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut traces = None;
    let mut abrs = vec![AbrKind::Ours];
    let mut ladder = None;
    let mut duration = 600.0;
    let mut seed = 1;
    let mut markdown = false;
    let mut sets = Vec::new();
    let mut half = Half::All;
    let mut table_row = None;
    let mut decision_cost = false;
    let mut forecast = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--traces" => traces = Some(value("--traces")?),
            "--abr" => {
                abrs = parse_abrs(&value("--abr")?)?;
            }
            "--ladder" => ladder = evaluation::ladder_path(&value("--ladder")?),
            "--half" => {
                let v = value("--half")?;
                half = Half::parse(&v).ok_or_else(|| format!("--half `{v}`: all|tune|eval"))?;
            }
            "--table-row" => table_row = Some(value("--table-row")?),
            "--decision-cost" => decision_cost = true,
            "--forecast" => forecast = Some(parse_forecast(&value("--forecast")?)?),
            "--duration" => {
                duration = value("--duration")?
                    .parse()
                    .map_err(|_| "bad --duration".to_string())?
            }
            "--seed" => {
                seed = value("--seed")?
                    .parse()
                    .map_err(|_| "bad --seed".to_string())?
            }
            "--markdown" => markdown = true,
            "--set" => sets.push(value("--set")?),
            other => return Err(format!("simulate: unknown argument `{other}`")),
        }
    }
    let traces = match (traces, decision_cost) {
        (Some(t), _) => evaluation::trace_path(&t)?,
        (None, true) => PathBuf::new(),
        (None, false) => return Err("simulate: --traces is required".into()),
    };
    Ok(Args {
        traces,
        abrs,
        ladder,
        duration,
        seed,
        markdown,
        sets,
        half,
        table_row,
        decision_cost,
        forecast,
    })
}

/// `--forecast <horizon>[:<lag_s>][:flat]`: the perfect-forecast bound (`sim::ForecastMpc`).
fn parse_forecast(v: &str) -> Result<Forecast, String> {
    let bad = || format!("--forecast `{v}`: <horizon>[:<lag_s>][:flat], e.g. 5, 5:10, 5:0:flat");
    let (v, flat) = v.strip_suffix(":flat").map_or((v, false), |v| (v, true));
    let (h, lag) = v.split_once(':').unwrap_or((v, "0"));
    let horizon: usize = h.parse().map_err(|_| bad())?;
    let lag_s: f64 = lag.parse().map_err(|_| bad())?;
    if !(1..=8).contains(&horizon) || !lag_s.is_finite() || lag_s < 0.0 {
        return Err(bad());
    }
    Ok(Forecast {
        horizon,
        lag_s,
        flat,
    })
}

fn load_traces(path: &Path) -> Result<Vec<Trace>, String> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            let name = f.file_name().map_or_else(
                || f.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            Trace::parse(&name, &text)
        })
        .collect()
}

fn load_ladder(path: &Path, duration: f64) -> Result<Ladder, String> {
    let master = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = "https://ladder.local/";
    let local = |url: &str| dir.join(url.strip_prefix(base).unwrap_or(url));
    let read = |url: &str| std::fs::read(local(url)).ok();
    let size_of = |url: &str| std::fs::metadata(local(url)).ok().map(|m| m.len());
    Ladder::from_master(
        &format!("{base}master.m3u8"),
        &master,
        duration,
        &read,
        &size_of,
    )
}

/// One character per segment: its level in base 36, `-` for none.
fn level_string(levels: impl Iterator<Item = Option<usize>>) -> String {
    levels
        .map(|l| {
            l.map_or('-', |l| {
                char::from_digit((l % 36) as u32, 36).unwrap_or('?')
            })
        })
        .collect()
}

/// A run's line; `optimal_levels`: the levels the optimum played, for comparison.
fn line(rule: &str, s: &Scored, optimal_levels: &[usize]) -> serde_json::Value {
    let r = &s.result;
    json!({
        "trace": s.trace,
        "abr": rule,
        "qoe": round(r.qoe),
        "optimal_qoe": round(s.optimal_qoe),
        "pct_of_optimum": round(pct(r.qoe, s.optimal_qoe)),
        "avg_bitrate_mbps": round(r.avg_bitrate_mbps),
        "rebuffer_s": round(r.rebuffer_s),
        "rebuffer_count": r.rebuffer_count,
        "switches": r.switches,
        "startup_s": r.startup_s.map(round),
        "fatal": r.fatal().map(|e| e.to_string()),
        "levels": level_string(r.segment_levels.iter().copied()),
        "optimal_levels": level_string(optimal_levels.iter().map(|&l| Some(l))),
    })
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn pct(v: f64, of: f64) -> f64 {
    if of.abs() < 1e-9 {
        0.0
    } else {
        100.0 * v / of
    }
}

#[derive(Default, Clone, Copy)]
struct Sum {
    n: f64,
    qoe: f64,
    opt: f64,
    bitrate: f64,
    rebuffer: f64,
    rebuffer_count: f64,
    switches: f64,
    startup: f64,
}

impl Sum {
    fn add(&mut self, s: &Scored) {
        let r = &s.result;
        self.n += 1.0;
        self.qoe += r.qoe;
        self.opt += s.optimal_qoe;
        self.bitrate += r.avg_bitrate_mbps;
        self.rebuffer += r.rebuffer_s;
        self.rebuffer_count += f64::from(r.rebuffer_count);
        self.switches += f64::from(r.switches);
        self.startup += r.startup_s.unwrap_or(0.0);
    }
    fn mean(&self, v: f64) -> f64 {
        if self.n > 0.0 {
            v / self.n
        } else {
            0.0
        }
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let a = parse_args(args)?;
    if a.decision_cost {
        let us = evaluation::decision_cost_us(20_000);
        println!(
            "{}",
            json!({"decision_cost_us": round(us), "rule": "ours", "rungs": 6, "target": "native"})
        );
        return Ok(());
    }
    let traces: Vec<(usize, Trace)> = load_traces(&a.traces)?
        .into_iter()
        .enumerate()
        .filter(|(i, _)| a.half.keeps(*i))
        .collect();
    let ladder = match &a.ladder {
        Some(p) => load_ladder(p, a.duration)?,
        None => Ladder::mediaconvert(a.duration, a.seed),
    };
    let mut base = SimConfig {
        max_time: a.duration * 6.0 + 600.0,
        ..SimConfig::default()
    };
    for kv in &a.sets {
        apply_set(&mut base, kv)?;
    }
    let mut sums: BTreeMap<&'static str, Sum> = BTreeMap::new();
    // Traces where the lowest rung fits the link (optimum QoE > 0): ratios are meaningful there.
    let mut feasible: BTreeMap<&'static str, Sum> = BTreeMap::new();
    // family -> abr -> sum
    let mut fams: BTreeMap<String, BTreeMap<&'static str, Sum>> = BTreeMap::new();
    let mut stable_violations: Vec<String> = Vec::new();
    let mut table: Vec<TraceScores> = Vec::new();
    for (index, t) in &traces {
        let optimum = sim::optimum_for(t, &ladder, &base);
        let opt = optimum.qoe;
        let mut row = TraceScores {
            index: *index,
            name: t.name.clone(),
            optimum: opt,
            qoe: Vec::new(),
        };
        // The rules, then the forecast bound (run in the engine in place of a rule).
        let forecast = a.forecast.map(|f| {
            let cfg = SimConfig {
                forecast: Some(f),
                ..base.clone()
            };
            ("forecast", sim::score(t, &ladder, AbrKind::Ours, &cfg, opt))
        });
        let runs = a
            .abrs
            .iter()
            .map(|&abr| (abr.name(), sim::score(t, &ladder, abr, &base, opt)));
        for (name, s) in runs.chain(forecast) {
            println!("{}", line(name, &s, &optimum.levels));
            row.qoe.push((name, s.result.qoe));
            sums.entry(name).or_default().add(&s);
            if opt > 0.0 {
                feasible.entry(name).or_default().add(&s);
            }
            fams.entry(family(&t.name))
                .or_default()
                .entry(name)
                .or_default()
                .add(&s);
            if name == "ours" && family(&t.name) == "stable" {
                let late = late_switches(&s, &ladder, 30.0);
                let lowest_fits = t.mean_mbps() > ladder.mbps(0) * 1.1;
                if lowest_fits && (s.result.rebuffer_s > 0.0 || late > 1) {
                    stable_violations.push(t.name.clone());
                }
            }
        }
        table.push(row);
    }
    let mut summary = serde_json::Map::new();
    summary.insert("summary".into(), json!(true));
    summary.insert("traces".into(), json!(traces.len()));
    for (name, s) in &sums {
        summary.insert((*name).into(), stats(s));
    }
    let feasible_n = feasible.values().map(|s| s.n as u64).max().unwrap_or(0);
    let mut f = serde_json::Map::new();
    f.insert("traces".into(), json!(feasible_n));
    for (name, s) in &feasible {
        f.insert((*name).into(), stats(s));
    }
    summary.insert("feasible".into(), serde_json::Value::Object(f));
    for (label, set) in [
        ("ours_vs_hlsjs", &sums),
        ("ours_vs_hlsjs_feasible", &feasible),
    ] {
        if let (Some(o), Some(h)) = (set.get("ours"), set.get("hlsjs")) {
            summary.insert(label.into(), compare(o, h));
        }
    }
    if a.abrs.contains(&AbrKind::Ours) {
        summary.insert("stable_trace_violations".into(), json!(stable_violations));
    }
    println!("{}", serde_json::Value::Object(summary));
    if a.markdown {
        print_markdown(&fams, &sums, &feasible);
    }
    if let Some(label) = &a.table_row {
        println!("{}", evaluation::table_header());
        print!("{}", evaluation::table_rows(label, &table));
    }
    Ok(())
}

/// `--set key=value`: tune the rule's and the engine's parameters from the command line.
fn apply_set(base: &mut SimConfig, kv: &str) -> Result<(), String> {
    let (k, v) = kv
        .split_once('=')
        .ok_or_else(|| format!("--set {kv}: expected key=value"))?;
    let num = || {
        v.parse::<f64>()
            .map_err(|_| format!("--set {kv}: not a number"))
    };
    let abr = &mut base.engine.abr;
    match k {
        "horizon" => abr.horizon = num()? as usize,
        "history" => abr.history = num()? as usize,
        "up_safety" => abr.up_safety = num()?,
        "buffer_goal" => base.engine.buffer_goal = num()?,
        "max_buffer_size" => base.engine.max_buffer_size = num()? as u64,
        "max_buffer_length" => base.engine.max_buffer_length = num()?,
        "long_segment_s" => abr.long_segment_s = num()?,
        "abandon_patient" => abr.abandon_patient = v == "true",
        "no_partial_up" => abr.no_partial_up = v == "true",
        "abandon_latest_s" => abr.abandon_latest_s = num()?,
        "abandon_dead_link_bps" => abr.abandon_dead_link_bps = num()?,
        "min_up_switch_interval" => abr.min_up_switch_interval = num()?,
        "abandon" => abr.abandon = v == "true",
        "switch_penalty" => abr.switch_penalty = num()?,
        "rebuffer_penalty" => abr.rebuffer_penalty = num()?,
        "fetch_guard" => abr.fetch_guard = num()?,
        "abandon_window_s" => abr.abandon_window_s = num()?,
        "abandon_gain" => abr.abandon_gain = num()?,
        "abandon_fit" => abr.abandon_fit = num()?,
        "abandon_min_transfer_s" => abr.abandon_min_transfer_s = num()?,
        "default_estimate_bps" => abr.estimator.default_estimate_bps = num()?,
        "fast_half_life" => abr.estimator.fast_half_life = num()?,
        "slow_half_life" => abr.estimator.slow_half_life = num()?,
        _ => {
            // `short.<key>` / `long.<key>`: one regime's parameter.
            let (which, key) = k
                .split_once('.')
                .ok_or_else(|| format!("--set: unknown key `{k}`"))?;
            let regime = match which {
                "short" => &mut abr.short,
                "long" => &mut abr.long,
                _ => return Err(format!("--set: unknown key `{k}`")),
            };
            let prediction = || {
                hlsplay::abr::Prediction::parse(v)
                    .ok_or_else(|| format!("--set {kv}: ewma|robust-ewma|robust-harmonic"))
            };
            match key {
                "terminal_horizon_s" => regime.terminal_horizon_s = num()?,
                "stay_horizon_s" => regime.stay_horizon_s = num()?,
                "robust_error_cap" => regime.robust_error_cap = num()?,
                "up_settle" => regime.up_settle = num()?,
                "up_confidence" => regime.up_confidence = num()?,
                "up_cover_s" => regime.up_cover_s = num()?,
                "max_over_prediction" => regime.max_over_prediction = num()?,
                "worst_window" => regime.worst_window = num()? as usize,
                "worst_fit" => regime.worst_fit = num()?,
                "worst_forget_after" => regime.worst_forget_after = num()? as usize,
                "worst_forget_ratio" => regime.worst_forget_ratio = num()?,
                "worst_keep_below" => regime.worst_keep_below = num()?,
                "worst_forget_top" => regime.worst_forget_top = num()?,
                "prediction" => regime.prediction = prediction()?,
                "up_prediction" => regime.up_prediction = Some(prediction()?),
                _ => return Err(format!("--set: unknown key `{k}`")),
            }
        }
    }
    Ok(())
}

fn stats(s: &Sum) -> serde_json::Value {
    json!({
        "mean_qoe": round(s.mean(s.qoe)),
        "mean_optimal_qoe": round(s.mean(s.opt)),
        "pct_of_optimum": round(pct(s.qoe, s.opt)),
        "mean_avg_bitrate_mbps": round(s.mean(s.bitrate)),
        "total_rebuffer_s": round(s.rebuffer),
        "mean_rebuffer_s": round(s.mean(s.rebuffer)),
        "mean_rebuffer_count": round(s.mean(s.rebuffer_count)),
        "total_switches": s.switches,
        "mean_switches": round(s.mean(s.switches)),
        "mean_startup_s": round(s.mean(s.startup)),
    })
}

/// Ratios ours / hls.js. With negative QoE (links below the lowest rung) the QoE ratio is not
/// meaningful, so the difference is given too.
fn compare(o: &Sum, h: &Sum) -> serde_json::Value {
    let ratio = |a: f64, b: f64| if b.abs() > 1e-9 { round(a / b) } else { 0.0 };
    json!({
        "qoe_ratio": ratio(o.qoe, h.qoe),
        "mean_qoe_gain": round(o.mean(o.qoe) - h.mean(h.qoe)),
        "rebuffer_ratio": ratio(o.rebuffer, h.rebuffer),
        "switches_ratio": ratio(o.switches, h.switches),
    })
}

/// Switches among segments that start after `after` seconds of media.
fn late_switches(s: &Scored, ladder: &Ladder, after: f64) -> usize {
    let mut t = 0.0;
    let mut prev = None;
    let mut n = 0;
    for (l, d) in s.result.segment_levels.iter().zip(&ladder.durations) {
        if let Some(l) = l {
            if t >= after && prev.is_some_and(|p| p != *l) {
                n += 1;
            }
            prev = Some(*l);
        }
        t += d;
    }
    n
}

fn print_markdown(
    fams: &BTreeMap<String, BTreeMap<&'static str, Sum>>,
    sums: &BTreeMap<&'static str, Sum>,
    feasible: &BTreeMap<&'static str, Sum>,
) {
    println!();
    println!("| family | traces | QoE ours | QoE hls.js | QoE throughput | QoE optimum | ours % of optimum | rebuffer s ours / hls.js / tput | switches ours / hls.js / tput | bitrate Mbps ours / hls.js / tput |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let row = |name: &str, m: &BTreeMap<&'static str, Sum>| {
        let g = |abr: &str| m.get(abr).copied().unwrap_or_default();
        let (o, h, t) = (g("ours"), g("hlsjs"), g("throughput"));
        println!(
            "| {name} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} | {:.2} / {:.2} / {:.2} |",
            o.n.max(h.n) as u64,
            o.mean(o.qoe),
            h.mean(h.qoe),
            t.mean(t.qoe),
            o.mean(o.opt).max(h.mean(h.opt)),
            if o.opt > 0.0 {
                format!("{:.1}%", pct(o.qoe, o.opt))
            } else {
                "n/a (optimum < 0)".to_string()
            },
            o.mean(o.rebuffer),
            h.mean(h.rebuffer),
            t.mean(t.rebuffer),
            o.mean(o.switches),
            h.mean(h.switches),
            t.mean(t.switches),
            o.mean(o.bitrate),
            h.mean(h.bitrate),
            t.mean(t.bitrate),
        );
    };
    for (f, m) in fams {
        row(f, m);
    }
    row("**all**", sums);
    row("**feasible** (optimum > 0)", feasible);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_and_json_line() {
        let args: Vec<String> = [
            "--traces",
            "x",
            "--abr",
            "all",
            "--set",
            "horizon=3",
            "--markdown",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let a = parse_args(&args).unwrap();
        assert_eq!(a.abrs.len(), 3);
        assert!(a.markdown);
        let mut base = SimConfig::default();
        apply_set(&mut base, "horizon=3").unwrap();
        assert_eq!(base.engine.abr.horizon, 3);
        assert!(apply_set(&mut base, "nope=1").is_err());
        assert!(parse_args(&["--abr".to_string(), "bogus".to_string()]).is_err());
        let f = |v: &str| parse_forecast(v);
        let fc = |horizon, lag_s, flat| {
            Ok(Forecast {
                horizon,
                lag_s,
                flat,
            })
        };
        assert_eq!(f("5:10"), fc(5, 10.0, false));
        assert_eq!(f("3"), fc(3, 0.0, false));
        assert_eq!(f("5:0:flat"), fc(5, 0.0, true));
        for bad in ["0", "9", "5:-1", "x", "5:y", "flat"] {
            assert!(f(bad).is_err(), "{bad}");
        }

        let ladder = Ladder::mediaconvert(60.0, 1);
        let trace = Trace::constant("stable-4mbps.txt", 4.0, 100.0);
        let opt = sim::optimum_for(&trace, &ladder, &base);
        let s = sim::score(&trace, &ladder, AbrKind::HlsJs, &base, opt.qoe);
        let v = line(s.abr.name(), &s, &opt.levels);
        for key in [
            "trace",
            "abr",
            "qoe",
            "optimal_qoe",
            "avg_bitrate_mbps",
            "rebuffer_s",
            "rebuffer_count",
            "switches",
            "startup_s",
            "levels",
            "optimal_levels",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        // A 4 Mbps link carries the top rung (3.1 Mbps) from the second segment on.
        assert_eq!(v["optimal_levels"].as_str().map(str::len), Some(6));
        assert_eq!(v["abr"], "hlsjs");
        assert_eq!(v["levels"].as_str().unwrap().len(), 6);
    }
}
