//! A bound for online rules, not a rule a player could run: model-predictive control over the
//! next `horizon` segments with a perfect forecast (each download's time read off the trace
//! itself, each segment's exact size off the ladder), scored with the simulator's linear QoE,
//! every level sequence tried. The gap between it and the offline optimum is what planning
//! beyond the horizon is worth; the gap between a real rule and it, what forecasting the link
//! is worth. `lag_s` makes the forecast late: the link's trajectory from `lag_s` seconds ago,
//! replayed as the future (exact in shape, late in time, as a causal estimator is at best).
//! `flat`: only the link's mean over the next segment's duration is known, held for the whole
//! horizon: the quantity a throughput-predicting rule estimates, predicted without error.

use super::ladder::Ladder;
use super::optimum::QoeWeights;
use super::trace::Trace;
use crate::abr::{Abr, AbrContext, LoadProgress, SegmentSample};

/// The forecast bound's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// Segments planned ahead (every level sequence is scored: levels^horizon).
    pub horizon: usize,
    /// How late the forecast is, seconds (0: the link's future itself).
    pub lag_s: f64,
    /// Only the mean over the next segment's duration, held flat over the horizon.
    pub flat: bool,
}

pub struct ForecastMpc {
    trace: Trace,
    ladder: Ladder,
    default_ttfb: f64,
    forecast: Forecast,
    weights: QoeWeights,
    now: f64,
    /// The flat forecast's rate for the current decision, bytes per second.
    flat_rate: f64,
}

/// Where a plan stands after some of its downloads.
#[derive(Clone, Copy)]
struct Plan {
    time: f64,
    buffer: f64,
    level: Option<usize>,
    value: f64,
}

impl ForecastMpc {
    pub fn new(
        trace: &Trace,
        ladder: &Ladder,
        default_ttfb: f64,
        forecast: Forecast,
        weights: QoeWeights,
    ) -> Self {
        ForecastMpc {
            trace: trace.clone(),
            ladder: ladder.clone(),
            default_ttfb,
            forecast,
            weights,
            now: 0.0,
            flat_rate: 0.0,
        }
    }

    /// The index of the next segment: the one followed by `remaining` seconds of content.
    fn next_segment(&self, remaining: Option<f64>) -> usize {
        let Some(mut left) = remaining else { return 0 };
        let mut k = self.ladder.durations.len();
        while k > 0 && left > 1e-3 {
            k -= 1;
            left -= self.ladder.durations.get(k).copied().unwrap_or(0.0);
        }
        k.saturating_sub(1)
    }

    /// Seconds from a request at `t` to the last byte of `bytes`, as the forecast sees it.
    fn download_s(&self, t: f64, bytes: u64) -> f64 {
        let seen = (t - self.forecast.lag_s).max(0.0);
        let ttfb = self.trace.ttfb(seen).unwrap_or(self.default_ttfb);
        if self.forecast.flat {
            return ttfb + bytes as f64 / self.flat_rate.max(1.0);
        }
        ttfb + self.trace.transfer_time(seen + ttfb, bytes as f64)
    }

    /// The best value reachable from `p` over segments `k..end`, and the level it takes for `k`.
    fn best(&self, allowed: &[bool], goal: f64, p: Plan, k: usize, end: usize) -> (f64, usize) {
        let Some(&dur) = self.ladder.durations.get(k).filter(|_| k < end) else {
            return (p.value, 0);
        };
        let mut best = (f64::NEG_INFINITY, 0);
        for l in (0..self.ladder.levels.len()).filter(|&l| allowed.get(l) == Some(&true)) {
            // The engine waits for the buffer to fall to its goal before the next request.
            let wait = (p.buffer - goal).max(0.0);
            let (t, b) = (p.time + wait, p.buffer - wait);
            let d = self.download_s(t, self.ladder.bytes(l, k));
            let m = self.ladder.mbps(l);
            let switch = p.level.map_or(0.0, |pl| (m - self.ladder.mbps(pl)).abs());
            let next = Plan {
                time: t + d,
                buffer: (b - d).max(0.0) + dur,
                level: Some(l),
                value: p.value + m
                    - self.weights.rebuffer * (d - b).max(0.0)
                    - self.weights.switch * switch,
            };
            let (v, _) = self.best(allowed, goal, next, k + 1, end);
            if v > best.0 {
                best = (v, l);
            }
        }
        best
    }
}

impl Abr for ForecastMpc {
    fn name(&self) -> &'static str {
        "forecast"
    }
    fn on_sample(&mut self, _: &SegmentSample) {}
    fn on_partial(&mut self, _: u64, _: f64) {}
    fn choose(&mut self, ctx: &AbrContext) -> usize {
        self.now = ctx.now;
        let k = self.next_segment(ctx.remaining);
        let seen = (ctx.now - self.forecast.lag_s).max(0.0);
        self.flat_rate = self.trace.mean_bytes_per_s(seen, ctx.segment_duration);
        let start = Plan {
            time: ctx.now,
            buffer: ctx.buffer,
            level: ctx.current,
            value: 0.0,
        };
        let end = k + self.forecast.horizon.max(1);
        match self.best(ctx.allowed, ctx.buffer_goal, start, k, end) {
            (v, l) if v > f64::NEG_INFINITY => l,
            _ => ctx.lowest(),
        }
    }
    fn abandon(&mut self, _: &AbrContext, _: &LoadProgress) -> Option<usize> {
        None
    }
    fn estimate_bps(&self) -> f64 {
        self.trace.bytes_per_s(self.now) * 8.0
    }
    fn ttfb_s(&self) -> f64 {
        self.trace.ttfb(self.now).unwrap_or(self.default_ttfb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{optimum_for, run, SimConfig};

    /// The link's own future, 5 segments ahead.
    const EXACT: Forecast = Forecast {
        horizon: 5,
        lag_s: 0.0,
        flat: false,
    };

    fn qoe(trace: &Trace, ladder: &Ladder, forecast: Forecast) -> (f64, f64) {
        let cfg = SimConfig {
            forecast: Some(forecast),
            ..SimConfig::default()
        };
        let r = run(trace, ladder, &cfg);
        (r.qoe, r.rebuffer_s)
    }

    #[test]
    fn the_next_segment_is_read_from_the_content_left() {
        let ladder = Ladder::mediaconvert(60.0, 1);
        let trace = Trace::constant("c", 2.0, 100.0);
        let m = ForecastMpc::new(&trace, &ladder, 0.08, EXACT, QoeWeights::default());
        assert_eq!(ladder.durations.len(), 6);
        assert_eq!(m.next_segment(Some(50.0)), 0);
        assert_eq!(m.next_segment(Some(20.0)), 3);
        assert_eq!(m.next_segment(Some(0.0)), 5);
    }

    /// A fall the forecast sees coming is met a segment early, on time; the same forecast
    /// 30 s late sees it only after it came, and plays worse.
    #[test]
    fn a_timely_forecast_steps_down_before_a_fall_and_a_late_one_does_not() {
        let ladder = Ladder::mediaconvert(200.0, 3);
        let trace = Trace::parse("fall", "0 3.5\n60 0.9\n100 3.5\n").unwrap();
        let optimum = optimum_for(&trace, &ladder, &SimConfig::default()).qoe;
        let (on_time, on_time_stall) = qoe(&trace, &ladder, EXACT);
        let late_by_30_s = Forecast {
            lag_s: 30.0,
            ..EXACT
        };
        let (late, _) = qoe(&trace, &ladder, late_by_30_s);
        assert!(on_time >= 0.9 * optimum, "{on_time} vs optimum {optimum}");
        assert!(on_time_stall < 3.0, "stalled {on_time_stall} s");
        assert!(late < on_time - 1.0, "late {late}, on time {on_time}");
    }

    /// Held flat, the next segment's mean is the whole truth of a constant link, and misses
    /// a fall beyond the next segment.
    #[test]
    fn a_flat_forecast_is_exact_on_a_constant_link_only() {
        let ladder = Ladder::mediaconvert(200.0, 3);
        let flat = Forecast {
            flat: true,
            ..EXACT
        };
        let steady = Trace::constant("steady", 2.5, 400.0);
        assert_eq!(qoe(&steady, &ladder, flat), qoe(&steady, &ladder, EXACT));
        let fall = Trace::parse("fall", "0 3.5\n60 0.9\n100 3.5\n").unwrap();
        let (flat_qoe, _) = qoe(&fall, &ladder, flat);
        let (exact_qoe, _) = qoe(&fall, &ladder, EXACT);
        assert!(
            flat_qoe < exact_qoe - 1.0,
            "flat {flat_qoe}, exact {exact_qoe}"
        );
    }
}
