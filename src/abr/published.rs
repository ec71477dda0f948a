//! Two published rules, rebuilt as their papers give them so the lookahead rule is measured
//! against the literature and not only against hls.js: BOLA-BASIC (buffer only) and RobustMPC
//! (throughput prediction with an error discount, exhaustive lookahead). Simulator baselines:
//! the player never builds them.

use std::collections::VecDeque;

use super::estimator::{BandwidthEstimator, EstimatorConfig};
use super::{Abr, AbrContext, LoadProgress, SegmentSample};

/// BOLA-BASIC (Spiteri, Urgaonkar, Sitaraman, "BOLA: Near-Optimal Bitrate Adaptation for Online
/// Videos", INFOCOM 2016). For the next segment it picks the level `m` maximising
/// `(V (v_m + gamma p) - Q) / S_m`, with `Q` the buffer in segments, `S_m` the segment size,
/// `v_m = ln(S_m / S_1)` the utility. The paper bounds the buffer by `V (v_M + gamma p) + 1`
/// segments, so `V` comes from the buffer target: `V = (Q_max - 1) / (v_M + gamma p)` with
/// `Q_max` the buffer goal in segments; `gamma p` is the paper's 5.
#[derive(Debug, Clone)]
pub struct BolaRule {
    gamma_p: f64,
    /// Throughput is not used to choose: only for the engine's estimate events and the TTFB.
    est: BandwidthEstimator,
}

impl BolaRule {
    pub fn new(estimator: EstimatorConfig) -> Self {
        BolaRule {
            gamma_p: 5.0,
            est: BandwidthEstimator::new(estimator),
        }
    }

    /// The objective of each allowed level (index, score), for the tests.
    fn scores(&self, ctx: &AbrContext) -> Vec<(usize, f64)> {
        let p = ctx.segment_duration.max(0.1);
        let s1 = ctx.size_rate(ctx.lowest()).max(1.0);
        let utility = |i: usize| (ctx.size_rate(i).max(s1) / s1).ln();
        let v_max = ctx.allowed_desc().map(utility).fold(0.0, f64::max);
        let q_max = ctx.buffer_goal / p;
        // A goal under two segments leaves no room to adapt: V stays positive.
        let v = (q_max - 1.0).max(0.5) / (v_max + self.gamma_p);
        let q = ctx.buffer.max(0.0) / p;
        ctx.allowed_desc()
            .map(|i| {
                let size = ctx.size_rate(i).max(1.0) * p;
                (i, (v * (utility(i) + self.gamma_p) - q) / size)
            })
            .collect()
    }
}

impl Abr for BolaRule {
    fn name(&self) -> &'static str {
        "bola"
    }

    fn on_sample(&mut self, s: &SegmentSample) {
        self.est.sample_segment(s);
    }

    fn on_partial(&mut self, bytes: u64, transfer_s: f64) {
        self.est.sample(bytes, transfer_s);
    }

    fn choose(&mut self, ctx: &AbrContext) -> usize {
        // When every score is negative (buffer above the target) BOLA would wait; the engine
        // already waits below its goal, so the argmax (the least negative: the top) is taken.
        self.scores(ctx)
            .into_iter()
            .fold(None, |best: Option<(usize, f64)>, (i, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((i, s)),
            })
            .map_or_else(|| ctx.lowest(), |(i, _)| i)
    }

    fn abandon(&mut self, _ctx: &AbrContext, _p: &LoadProgress) -> Option<usize> {
        None
    }

    fn estimate_bps(&self) -> f64 {
        self.est.estimate_bps()
    }

    fn ttfb_s(&self) -> f64 {
        self.est.ttfb_s()
    }
}

/// RobustMPC (Yin, Jindal, Sekar, Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive
/// Video Streaming over HTTP", SIGCOMM 2015), as Pensieve's evaluation runs it: throughput
/// predicted as the harmonic mean of the last 5 segment throughputs divided by
/// `1 + max relative error` of the last 5 predictions; every level sequence over the next 5
/// segments is scored with the linear QoE (bitrate - rebuffer penalty x stall - |bitrate change|)
/// and the first level of the best one is taken. No abandonment.
#[derive(Debug, Clone)]
pub struct RobustMpc {
    samples: VecDeque<f64>,
    errors: VecDeque<f64>,
    /// The undiscounted prediction made at the last decision, judged by the next sample.
    pending: Option<f64>,
    horizon: usize,
    rebuffer_penalty: f64,
    switch_penalty: f64,
    est: BandwidthEstimator,
}

/// Samples and errors remembered (the paper's 5).
const MPC_WINDOW: usize = 5;

impl RobustMpc {
    pub fn new(rebuffer_penalty: f64, switch_penalty: f64, estimator: EstimatorConfig) -> Self {
        RobustMpc {
            samples: VecDeque::new(),
            errors: VecDeque::new(),
            pending: None,
            horizon: 5,
            rebuffer_penalty,
            switch_penalty,
            est: BandwidthEstimator::new(estimator),
        }
    }

    fn harmonic_mean(&self) -> Option<f64> {
        let inv: f64 = self.samples.iter().map(|s| 1.0 / s.max(1.0)).sum();
        (!self.samples.is_empty()).then(|| self.samples.len() as f64 / inv)
    }

    /// The discounted prediction, bits per second; `None` before any sample.
    pub fn prediction_bps(&self) -> Option<f64> {
        let max_err = self.errors.iter().copied().fold(0.0, f64::max);
        self.harmonic_mean().map(|h| h / (1.0 + max_err))
    }

    /// Best QoE over every level sequence of `depth` more segments from `level` with `buffer`.
    fn search(&self, ctx: &AbrContext, bw: f64, level: usize, buffer: f64, depth: usize) -> f64 {
        if depth == 0 {
            return 0.0;
        }
        let d = ctx.segment_duration.max(0.1);
        ctx.allowed_desc()
            .map(|i| {
                let download = ctx.size_rate(i) * d / bw;
                let stall = (download - buffer).max(0.0);
                let next_buffer = (buffer - download).max(0.0) + d;
                let mbps = ctx.rate(i) / 1e6;
                let step = mbps
                    - self.rebuffer_penalty * stall
                    - self.switch_penalty * (mbps - ctx.rate(level) / 1e6).abs();
                step + self.search(ctx, bw, i, next_buffer, depth - 1)
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

impl Abr for RobustMpc {
    fn name(&self) -> &'static str {
        "robustmpc"
    }

    fn on_sample(&mut self, s: &SegmentSample) {
        self.est.sample_segment(s);
        // Whole download time, first byte included, as the paper's C_k = d_k(R_k) / time.
        let bps = s.bytes as f64 * 8.0 / s.load_s.max(0.001);
        if let Some(pred) = self.pending.take() {
            self.errors.push_back((pred - bps).abs() / bps.max(1.0));
            if self.errors.len() > MPC_WINDOW {
                self.errors.pop_front();
            }
        }
        self.samples.push_back(bps);
        if self.samples.len() > MPC_WINDOW {
            self.samples.pop_front();
        }
    }

    fn on_partial(&mut self, bytes: u64, transfer_s: f64) {
        self.est.sample(bytes, transfer_s);
    }

    fn choose(&mut self, ctx: &AbrContext) -> usize {
        let (Some(h), Some(bw)) = (self.harmonic_mean(), self.prediction_bps()) else {
            return ctx.lowest();
        };
        self.pending = Some(h);
        let d = ctx.segment_duration.max(0.1);
        let left = ctx
            .remaining
            .map_or(self.horizon, |r| (r / d).ceil() as usize + 1);
        let depth = self.horizon.min(left).max(1);
        let from = ctx.current.unwrap_or_else(|| ctx.lowest());
        let mut best = (ctx.lowest(), f64::NEG_INFINITY);
        for i in ctx.allowed_desc() {
            let download = ctx.size_rate(i) * d / bw;
            let stall = (download - ctx.buffer.max(0.0)).max(0.0);
            let next_buffer = (ctx.buffer.max(0.0) - download).max(0.0) + d;
            let mbps = ctx.rate(i) / 1e6;
            let q = mbps
                - self.rebuffer_penalty * stall
                - self.switch_penalty * (mbps - ctx.rate(from) / 1e6).abs()
                + self.search(ctx, bw, i, next_buffer, depth - 1);
            if q > best.1 {
                best = (i, q);
            }
        }
        best.0
    }

    fn abandon(&mut self, _ctx: &AbrContext, _p: &LoadProgress) -> Option<usize> {
        None
    }

    fn estimate_bps(&self) -> f64 {
        self.prediction_bps()
            .unwrap_or_else(|| self.est.estimate_bps())
    }

    fn ttfb_s(&self) -> f64 {
        self.est.ttfb_s()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abr::test_support::{ctx, feed, ladder};

    #[test]
    fn bola_goes_higher_with_a_deeper_buffer() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = BolaRule::new(EstimatorConfig::default());
        // Throughput plays no part: the same link, only the buffer differs.
        feed(&mut r, 2.5, 3);
        let picks: Vec<usize> = [0.0, 12.0, 18.0, 25.0]
            .iter()
            .map(|&b| r.choose(&ctx(&levels, &allowed, Some(1), b)))
            .collect();
        assert_eq!(picks.first(), Some(&0));
        assert_eq!(picks.last(), Some(&2));
        assert!(picks.windows(2).all(|w| w[0] <= w[1]), "{picks:?}");
    }

    #[test]
    fn bola_v_comes_from_the_buffer_target() {
        // At the buffer target minus one segment the top level's numerator is zero:
        // V (v_M + gamma p) = Q_max - 1.
        let levels = ladder();
        let allowed = [true; 3];
        let r = BolaRule::new(EstimatorConfig::default());
        let c = ctx(&levels, &allowed, Some(1), 20.0); // goal 30 s, 10 s segments
        let top = r.scores(&c).into_iter().find(|s| s.0 == 2).map(|s| s.1);
        assert!(top.is_some_and(|s| s.abs() < 1e-12), "{top:?}");
    }

    #[test]
    fn robust_mpc_discount_shrinks_after_an_error() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = RobustMpc::new(4.3, 1.0, EstimatorConfig::default());
        feed(&mut r, 4.0, 5);
        // No prediction was judged yet: the estimate is the harmonic mean itself.
        let before = r.prediction_bps().unwrap();
        assert!((before - 4.0e6 * 4.0 / 4.1).abs() < 1.0, "{before}");
        r.choose(&ctx(&levels, &allowed, Some(1), 20.0));
        feed(&mut r, 1.0, 1); // the link fell: the prediction erred by ~290 %
        let h = r.harmonic_mean().unwrap();
        let after = r.prediction_bps().unwrap();
        assert!(after < h / 3.0, "{after} vs harmonic mean {h}");
    }

    #[test]
    fn robust_mpc_harmonic_mean_is_pulled_by_the_slow_sample() {
        let mut r = RobustMpc::new(4.3, 1.0, EstimatorConfig::default());
        feed(&mut r, 8.0, 4);
        feed(&mut r, 1.0, 1);
        let h = r.harmonic_mean().unwrap();
        let arith = (4.0 * 8.0 + 1.0) / 5.0 * 1e6 * 4.0 / 4.1;
        // 5 / (4/8 + 1/1) = 3.3 Mbps against an arithmetic mean of 6.6.
        assert!(h < arith * 0.55, "{h} vs {arith}");
    }

    #[test]
    fn robust_mpc_steps_down_on_a_slow_link_with_a_thin_buffer() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = RobustMpc::new(4.3, 1.0, EstimatorConfig::default());
        feed(&mut r, 1.5, 5);
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(2), 3.0)), 0);
        let mut fast = RobustMpc::new(4.3, 1.0, EstimatorConfig::default());
        feed(&mut fast, 20.0, 5);
        assert_eq!(fast.choose(&ctx(&levels, &allowed, Some(2), 3.0)), 2);
    }
}
