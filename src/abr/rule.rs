//! Level choice. Three rules behind one trait so the engine and the simulator run them alike:
//! [`Lookahead`] (this project's: robust throughput prediction, a model-predictive search over
//! the next segments scored with the linear QoE, a sustainability check on up-switches and an
//! emergency abandon), [`HlsJsRule`] (hls.js 1.7's default rule rebuilt from its documented
//! numbers, the baseline to beat), [`ThroughputRule`] (highest level under a safety factor),
//! and two published rules for the simulator's table: [`BolaRule`] and [`RobustMpc`].
//! This file: the trait and what a rule sees.

use super::{AbrConfig, BolaRule, HlsJsConfig, HlsJsRule, Lookahead, RobustMpc, ThroughputRule};

/// A level as the ABR sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbrLevel {
    /// Peak bits per second (BANDWIDTH).
    pub bitrate: f64,
    /// AVERAGE-BANDWIDTH, when the playlist has it.
    pub avg_bitrate: Option<f64>,
}

impl AbrLevel {
    /// The rate that best predicts segment sizes.
    pub fn size_rate(&self) -> f64 {
        self.avg_bitrate.unwrap_or(self.bitrate)
    }
}

/// Everything a rule may look at when choosing.
#[derive(Debug, Clone, Copy)]
pub struct AbrContext<'a> {
    pub now: f64,
    /// Levels in ascending bitrate order.
    pub levels: &'a [AbrLevel],
    /// `false` for levels capped (element size) or penalised (errors). Same length as `levels`.
    pub allowed: &'a [bool],
    /// Level of the segment last fetched.
    pub current: Option<usize>,
    /// Seconds buffered ahead of the playhead.
    pub buffer: f64,
    pub buffer_goal: f64,
    /// Duration of the next segment, seconds.
    pub segment_duration: f64,
    /// Seconds of content after the next segment (VOD); `None` for live.
    pub remaining: Option<f64>,
}

impl AbrContext<'_> {
    pub(super) fn is_allowed(&self, i: usize) -> bool {
        self.allowed.get(i).copied().unwrap_or(false) && i < self.levels.len()
    }
    pub(super) fn allowed_desc(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.levels.len()).rev().filter(|&i| self.is_allowed(i))
    }
    /// The lowest allowed level, or 0 when none is allowed.
    pub fn lowest(&self) -> usize {
        (0..self.levels.len())
            .find(|&i| self.is_allowed(i))
            .unwrap_or(0)
    }
    pub(super) fn rate(&self, i: usize) -> f64 {
        self.levels.get(i).map_or(0.0, |l| l.bitrate)
    }
    pub(super) fn size_rate(&self, i: usize) -> f64 {
        self.levels.get(i).map_or(0.0, |l| l.size_rate())
    }
}

/// One finished segment download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentSample {
    pub level: usize,
    pub bytes: u64,
    /// Request to first byte, seconds.
    pub ttfb_s: f64,
    /// Request to last byte, seconds.
    pub load_s: f64,
    /// Media duration of the segment, seconds.
    pub duration: f64,
}

impl SegmentSample {
    /// First byte to last byte, seconds: the time the bytes took on the link.
    pub fn transfer_s(&self) -> f64 {
        (self.load_s - self.ttfb_s).max(0.0)
    }
}

/// A segment download in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadProgress {
    pub level: usize,
    pub loaded: u64,
    /// Expected total bytes (Content-Length, or bitrate x duration).
    pub expected: f64,
    /// Seconds since the request was sent.
    pub elapsed: f64,
    /// Seconds to first byte, once known.
    pub ttfb_s: Option<f64>,
    pub duration: f64,
}

/// An adaptive-bitrate rule.
pub trait Abr {
    fn name(&self) -> &'static str;
    /// A segment finished downloading.
    fn on_sample(&mut self, sample: &SegmentSample);
    /// A partial download (abandoned or failed) still measured the link.
    fn on_partial(&mut self, bytes: u64, transfer_s: f64);
    /// The level for the next segment.
    fn choose(&mut self, ctx: &AbrContext) -> usize;
    /// While a segment loads: a lower level to switch to if this one will arrive too late.
    fn abandon(&mut self, ctx: &AbrContext, progress: &LoadProgress) -> Option<usize>;
    /// Current bandwidth estimate, bits per second.
    fn estimate_bps(&self) -> f64;
    /// Expected time to first byte, seconds.
    fn ttfb_s(&self) -> f64;
}

/// Which rule to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbrKind {
    Ours,
    HlsJs,
    Throughput,
    Bola,
    RobustMpc,
}

impl AbrKind {
    pub fn name(self) -> &'static str {
        match self {
            AbrKind::Ours => "ours",
            AbrKind::HlsJs => "hlsjs",
            AbrKind::Throughput => "throughput",
            AbrKind::Bola => "bola",
            AbrKind::RobustMpc => "robustmpc",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ours" => Some(AbrKind::Ours),
            "hlsjs" | "hls.js" => Some(AbrKind::HlsJs),
            "throughput" => Some(AbrKind::Throughput),
            "bola" => Some(AbrKind::Bola),
            "robustmpc" | "robust-mpc" => Some(AbrKind::RobustMpc),
            _ => None,
        }
    }

    /// Build the rule; `cfg` configures [`Lookahead`] (the baselines use their own fixed numbers).
    pub fn build(self, cfg: &AbrConfig) -> Box<dyn Abr> {
        match self {
            AbrKind::Ours => Box::new(Lookahead::new(*cfg)),
            AbrKind::HlsJs => Box::new(HlsJsRule::new(HlsJsConfig::default())),
            AbrKind::Throughput => Box::new(ThroughputRule::new(0.9, cfg.estimator)),
            AbrKind::Bola => Box::new(BolaRule::new(cfg.estimator)),
            // The QoE's own weights (Pensieve's linear QoE: 4.3 per stalled second, 1 per Mbps).
            AbrKind::RobustMpc => Box::new(RobustMpc::new(4.3, 1.0, cfg.estimator)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abr::test_support::{ctx, feed, ladder};

    #[test]
    fn capped_levels_are_never_chosen() {
        let levels = ladder();
        let allowed = [true, true, false];
        for kind in [
            AbrKind::Ours,
            AbrKind::HlsJs,
            AbrKind::Throughput,
            AbrKind::Bola,
            AbrKind::RobustMpc,
        ] {
            let mut r = kind.build(&AbrConfig::default());
            feed(r.as_mut(), 20.0, 5);
            assert_eq!(
                r.choose(&ctx(&levels, &allowed, Some(1), 30.0)),
                1,
                "{}",
                kind.name()
            );
        }
    }
}
