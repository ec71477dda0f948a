//! The offline optimum: the best linear QoE any player could reach on a trace, knowing the
//! future. Dynamic programming over (segment, level, buffer discretised to `BIN` seconds); among
//! paths that meet in a state the best-scoring one is kept with its exact clock and buffer. The
//! network model is the simulator's (TTFB, then the trace's rate, one download at a time), the
//! buffer goal the engine's (the next download starts when the buffer is below the goal), and
//! the first download counts as startup rebuffering, as in the simulator's QoE.

use std::collections::HashMap;

use super::ladder::Ladder;
use super::trace::Trace;

/// Buffer discretisation, seconds.
pub const BIN: f64 = 0.1;

/// QoE weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QoeWeights {
    pub rebuffer: f64,
    pub switch: f64,
}

impl Default for QoeWeights {
    fn default() -> Self {
        QoeWeights {
            rebuffer: 4.3,
            switch: 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct State {
    value: f64,
    time: f64,
    buffer: f64,
    /// This state's entry in the `steps` arena: its level and the state it came from.
    step: usize,
}

/// The optimum of one trace: its QoE and the level of each segment on the way there.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimum {
    pub qoe: f64,
    pub levels: Vec<usize>,
}

/// The optimal QoE for `ladder` over `trace` with the buffer goal `goal(level)` after a
/// segment of `level`, and default TTFB.
pub fn optimal_qoe(
    trace: &Trace,
    ladder: &Ladder,
    goal: &dyn Fn(usize) -> f64,
    default_ttfb: f64,
    w: QoeWeights,
) -> f64 {
    optimum(trace, ladder, goal, default_ttfb, w).qoe
}

/// [`optimal_qoe`] with the levels that reach it (what an analysis compares a rule's with).
pub fn optimum(
    trace: &Trace,
    ladder: &Ladder,
    goal: &dyn Fn(usize) -> f64,
    default_ttfb: f64,
    w: QoeWeights,
) -> Optimum {
    let n_levels = ladder.levels.len();
    // (level, index of the previous step): every state ever kept, so the best path can be
    // walked back without each state carrying its own copy.
    let mut steps: Vec<(usize, usize)> = Vec::new();
    let dl = |t: f64, bytes: u64| {
        let ttfb = trace.ttfb(t).unwrap_or(default_ttfb);
        ttfb + trace.transfer_time(t + ttfb, bytes as f64)
    };
    // states[level] : bin -> best state
    let mut states: Vec<HashMap<i64, State>> = vec![HashMap::new(); n_levels];
    let Some(&d0) = ladder.durations.first() else {
        return Optimum {
            qoe: 0.0,
            levels: Vec::new(),
        };
    };
    for (l, slot) in states.iter_mut().enumerate() {
        let d = dl(0.0, ladder.bytes(l, 0));
        steps.push((l, usize::MAX));
        let s = State {
            value: ladder.mbps(l) - w.rebuffer * d,
            time: d,
            buffer: d0,
            step: steps.len() - 1,
        };
        slot.insert((d0 / BIN).round() as i64, s);
    }
    for (k, &dur) in ladder.durations.iter().enumerate().skip(1) {
        let mut next: Vec<HashMap<i64, State>> = vec![HashMap::new(); n_levels];
        for (l, from) in states.iter().enumerate() {
            let goal = goal(l);
            for s in from.values() {
                let (mut t, mut b) = (s.time, s.buffer);
                if b > goal {
                    t += b - goal;
                    b = goal;
                }
                for (l2, slot) in next.iter_mut().enumerate() {
                    let d = dl(t, ladder.bytes(l2, k));
                    let stall = (d - b).max(0.0);
                    let b2 = (b - d).max(0.0) + dur;
                    let value = s.value + ladder.mbps(l2)
                        - w.rebuffer * stall
                        - w.switch * (ladder.mbps(l2) - ladder.mbps(l)).abs();
                    let cand = State {
                        value,
                        time: t + d,
                        buffer: b2,
                        step: usize::MAX,
                    };
                    let bin = (b2 / BIN).round() as i64;
                    let e = slot.entry(bin).or_insert(cand);
                    if e.step == usize::MAX
                        || cand.value > e.value
                        || (cand.value == e.value && cand.time < e.time)
                    {
                        *e = State {
                            step: steps.len(),
                            ..cand
                        };
                        steps.push((l2, s.step));
                    }
                }
            }
        }
        states = next;
    }
    let best = states
        .iter()
        .flat_map(|m| m.values())
        .fold(None::<&State>, |b, s| match b {
            Some(b) if b.value >= s.value => Some(b),
            _ => Some(s),
        });
    let Some(best) = best else {
        return Optimum {
            qoe: f64::NEG_INFINITY,
            levels: Vec::new(),
        };
    };
    let mut levels = Vec::with_capacity(ladder.durations.len());
    let mut at = best.step;
    while let Some(&(level, prev)) = steps.get(at) {
        levels.push(level);
        at = prev;
    }
    levels.reverse();
    Optimum {
        qoe: best.value,
        levels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_link_gets_top_level_everywhere() {
        let ladder = Ladder::mediaconvert(100.0, 3);
        let trace = Trace::constant("fast", 100.0, 1000.0);
        let q = optimal_qoe(&trace, &ladder, &|_| 30.0, 0.0, QoeWeights::default());
        // 10 segments at 3.096, minus the startup of the first.
        assert!(q > 29.0 && q < 30.96, "{q}"); // startup of a top-level first segment costs ~1.3
    }

    #[test]
    fn slow_link_prefers_low_level() {
        let ladder = Ladder::mediaconvert(100.0, 3);
        let trace = Trace::constant("slow", 1.5, 1000.0);
        let q = optimal_qoe(&trace, &ladder, &|_| 30.0, 0.05, QoeWeights::default());
        let all_low = 10.0 * 1.096 - 4.3 * (1.096 * 10.0 / 1.5);
        assert!(q >= all_low - 0.5, "{q} vs {all_low}");
    }

    /// The QoE of playing `levels`, replayed with the optimum's own network and buffer model.
    fn replay(trace: &Trace, ladder: &Ladder, goal: f64, ttfb: f64, levels: &[usize]) -> f64 {
        let w = QoeWeights::default();
        let (mut t, mut b, mut q, mut prev) = (0.0, 0.0, 0.0, None::<f64>);
        for (k, (&l, &dur)) in levels.iter().zip(&ladder.durations).enumerate() {
            if b > goal {
                t += b - goal;
                b = goal;
            }
            let d = ttfb + trace.transfer_time(t + ttfb, ladder.bytes(l, k) as f64);
            // The first download is start-up, all of it counted as rebuffering.
            let stall = if k == 0 { d } else { (d - b).max(0.0) };
            let m = ladder.mbps(l);
            q += m - w.rebuffer * stall - prev.map_or(0.0, |p| w.switch * (m - p).abs());
            b = (b - d).max(0.0) + dur;
            t += d;
            prev = Some(m);
        }
        q
    }

    #[test]
    fn the_optimums_levels_score_its_qoe() {
        let ladder = Ladder::mediaconvert(200.0, 3);
        // 2.5 Mbps with a 20 s fall to 0.6: a path through several levels, so a level put
        // on the wrong segment changes the replayed score.
        let text = "0 2.5\n40 0.6\n60 2.5\n";
        let trace = Trace::parse("fall", text).unwrap();
        let o = optimum(&trace, &ladder, &|_| 30.0, 0.05, QoeWeights::default());
        assert_eq!(o.levels.len(), ladder.durations.len());
        assert!(o.levels.windows(2).any(|p| p[0] != p[1]), "{:?}", o.levels);
        let q = replay(&trace, &ladder, 30.0, 0.05, &o.levels);
        assert!((q - o.qoe).abs() < 1e-6, "replayed {q}, optimum {}", o.qoe);
        assert_eq!(
            optimal_qoe(&trace, &ladder, &|_| 30.0, 0.05, QoeWeights::default()),
            o.qoe
        );
    }
}
