//! The baselines the lookahead rule is measured against: hls.js 1.7's default rule and the
//! plain throughput rule.

use super::estimator::{BandwidthEstimator, EstimatorConfig};
use super::{Abr, AbrContext, LoadProgress, SegmentSample};

/// hls.js 1.7's default numbers (players.md).
#[derive(Debug, Clone, PartialEq)]
pub struct HlsJsConfig {
    pub estimator: EstimatorConfig,
    /// `abrBandWidthFactor`: staying or going down.
    pub bw_factor: f64,
    /// `abrBandWidthUpFactor`: going up.
    pub bw_up_factor: f64,
    /// `maxStarvationDelay`, seconds.
    pub max_starvation_delay: f64,
}

impl Default for HlsJsConfig {
    fn default() -> Self {
        HlsJsConfig {
            estimator: EstimatorConfig::hlsjs(),
            bw_factor: 0.95,
            bw_up_factor: 0.7,
            max_starvation_delay: 4.0,
        }
    }
}

/// hls.js's rule: highest level whose bitrate fits under the factored estimate and whose fetch
/// time fits in the buffer (a second pass tolerates a little starvation); no switch interval.
#[derive(Debug, Clone)]
pub struct HlsJsRule {
    cfg: HlsJsConfig,
    est: BandwidthEstimator,
}

impl HlsJsRule {
    pub fn new(cfg: HlsJsConfig) -> Self {
        HlsJsRule {
            est: BandwidthEstimator::new(cfg.estimator),
            cfg,
        }
    }

    fn find_best(&self, ctx: &AbrContext, bw: f64, max_fetch: f64) -> Option<usize> {
        let ttfb = self.est.ttfb_s();
        ctx.allowed_desc().find(|&i| {
            let up = ctx.current.map_or(true, |c| i > c);
            let adjusted = bw
                * if up {
                    self.cfg.bw_up_factor
                } else {
                    self.cfg.bw_factor
                };
            let level = ctx.levels.get(i);
            let bitrate = if ctx.buffer >= 2.0 * ctx.segment_duration {
                level.map_or(0.0, |l| l.size_rate())
            } else {
                ctx.rate(i)
            };
            let fetch = ttfb + bitrate * ctx.segment_duration / adjusted.max(1.0);
            adjusted > bitrate && fetch < max_fetch
        })
    }
}

impl Abr for HlsJsRule {
    fn name(&self) -> &'static str {
        "hlsjs"
    }

    fn on_sample(&mut self, s: &SegmentSample) {
        self.est.sample_segment(s);
    }

    fn on_partial(&mut self, bytes: u64, transfer_s: f64) {
        self.est.sample(bytes, transfer_s);
    }

    fn choose(&mut self, ctx: &AbrContext) -> usize {
        let bw = self.est.estimate_bps();
        let starvation = ctx.buffer.max(0.0);
        if let Some(i) = self.find_best(ctx, bw, starvation) {
            return i;
        }
        let extra = ctx.segment_duration.min(self.cfg.max_starvation_delay);
        self.find_best(ctx, bw, starvation + extra)
            .unwrap_or_else(|| ctx.lowest())
    }

    fn abandon(&mut self, ctx: &AbrContext, p: &LoadProgress) -> Option<usize> {
        let ttfb = p.ttfb_s?;
        if p.elapsed <= ttfb.max(p.duration / 2.0) {
            return None;
        }
        let streaming = (p.elapsed - ttfb).max(0.001);
        let load_rate = (p.loaded as f64 / streaming).max(1.0); // bytes per second
        let starvation = ctx.buffer.max(0.0);
        let remaining = (p.expected - p.loaded as f64).max(0.0) / load_rate;
        if remaining <= starvation {
            return None;
        }
        let ttfb_est = self.est.ttfb_s();
        let next_delay = |i: usize| ttfb_est + p.duration * ctx.rate(i) / (8.0 * 0.8 * load_rate);
        let min = ctx.lowest();
        let mut level = p.level;
        let mut delay = f64::INFINITY;
        while level > min {
            level -= 1;
            if !ctx.is_allowed(level) {
                continue;
            }
            delay = next_delay(level);
            if delay < starvation {
                break;
            }
        }
        (level < p.level && delay < remaining).then_some(level)
    }

    fn estimate_bps(&self) -> f64 {
        self.est.estimate_bps()
    }

    fn ttfb_s(&self) -> f64 {
        self.est.ttfb_s()
    }
}

/// The plain throughput rule: highest level under `safety` x estimate. No buffer, no abandon.
#[derive(Debug, Clone)]
pub struct ThroughputRule {
    safety: f64,
    est: BandwidthEstimator,
}

impl ThroughputRule {
    pub fn new(safety: f64, estimator: EstimatorConfig) -> Self {
        ThroughputRule {
            safety,
            est: BandwidthEstimator::new(estimator),
        }
    }
}

impl Abr for ThroughputRule {
    fn name(&self) -> &'static str {
        "throughput"
    }

    fn on_sample(&mut self, s: &SegmentSample) {
        self.est.sample_segment(s);
    }

    fn on_partial(&mut self, bytes: u64, transfer_s: f64) {
        self.est.sample(bytes, transfer_s);
    }

    fn choose(&mut self, ctx: &AbrContext) -> usize {
        let bw = self.est.estimate_bps() * self.safety;
        ctx.allowed_desc()
            .find(|&i| ctx.rate(i) <= bw)
            .unwrap_or_else(|| ctx.lowest())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abr::test_support::{ctx, feed, ladder};

    #[test]
    fn hlsjs_starts_low_and_needs_headroom_to_go_up() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = HlsJsRule::new(HlsJsConfig::default());
        assert_eq!(r.choose(&ctx(&levels, &allowed, None, 0.0)), 0);
        feed(&mut r, 4.0, 3);
        // 0.7 x 4 Mbps = 2.8 Mbps < 3.096: hls.js cannot reach the top level on a 4 Mbps link.
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(1), 25.0)), 1);
    }
}
