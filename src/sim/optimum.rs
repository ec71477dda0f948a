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
    let n_levels = ladder.levels.len();
    let dl = |t: f64, bytes: u64| {
        let ttfb = trace.ttfb(t).unwrap_or(default_ttfb);
        ttfb + trace.transfer_time(t + ttfb, bytes as f64)
    };
    // states[level] : bin -> best state
    let mut states: Vec<HashMap<i64, State>> = vec![HashMap::new(); n_levels];
    let Some(&d0) = ladder.durations.first() else {
        return 0.0;
    };
    for (l, slot) in states.iter_mut().enumerate() {
        let d = dl(0.0, ladder.bytes(l, 0));
        let s = State {
            value: ladder.mbps(l) - w.rebuffer * d,
            time: d,
            buffer: d0,
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
                    };
                    let bin = (b2 / BIN).round() as i64;
                    let e = slot.entry(bin).or_insert(cand);
                    if cand.value > e.value || (cand.value == e.value && cand.time < e.time) {
                        *e = cand;
                    }
                }
            }
        }
        states = next;
    }
    states
        .iter()
        .flat_map(|m| m.values())
        .map(|s| s.value)
        .fold(f64::NEG_INFINITY, f64::max)
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
}
