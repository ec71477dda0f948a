//! Bandwidth estimation: two exponentially weighted moving averages (fast and slow half-lives)
//! over throughput samples, each weighted by its transfer time, plus a separate average of the
//! time to first byte, which is kept out of the throughput samples (a slow first byte is latency,
//! not bandwidth).

use super::rule::SegmentSample;

/// An EWMA whose samples carry a weight (seconds): `alpha = 0.5^(1/half_life)`, so a sample
/// that lasted `half_life` seconds counts as much as everything before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ewma {
    /// ln(alpha): `alpha^w` is computed as `exp(w * ln_alpha)`, so the wasm needs `exp` only, not
    /// `pow` (~2 KB).
    ln_alpha: f64,
    estimate: f64,
    total_weight: f64,
}

impl Ewma {
    pub fn new(half_life: f64) -> Self {
        let half_life = if half_life > 0.0 { half_life } else { 1.0 };
        Ewma {
            ln_alpha: -std::f64::consts::LN_2 / half_life,
            estimate: 0.0,
            total_weight: 0.0,
        }
    }

    pub fn sample(&mut self, weight: f64, value: f64) {
        if !(weight > 0.0 && value.is_finite()) {
            return;
        }
        let adj = (weight * self.ln_alpha).exp();
        self.estimate = value * (1.0 - adj) + adj * self.estimate;
        self.total_weight += weight;
    }

    /// The estimate with the bias of starting from zero removed; `None` before any sample.
    pub fn get(&self) -> Option<f64> {
        if self.total_weight <= 0.0 {
            return None;
        }
        let zero_factor = 1.0 - (self.total_weight * self.ln_alpha).exp();
        (zero_factor > 0.0).then(|| self.estimate / zero_factor)
    }

    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }
}

/// Estimator parameters. The defaults are this project's; `hlsjs()` gives hls.js's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimatorConfig {
    /// Fast EWMA half-life, seconds of transfer time.
    pub fast_half_life: f64,
    /// Slow EWMA half-life, seconds of transfer time.
    pub slow_half_life: f64,
    /// Bits per second assumed before enough has been measured.
    pub default_estimate_bps: f64,
    /// The default estimate is used until this many bytes have been sampled.
    pub min_total_bytes: u64,
    /// Samples smaller than this are ignored (too short to measure a rate; likely cached).
    pub min_sample_bytes: u64,
    /// Transfer times below this are clamped up to it (a cache hit is not infinite bandwidth).
    pub min_transfer_s: f64,
    /// Half-life of the time-to-first-byte EWMA, in samples' seconds.
    pub ttfb_half_life: f64,
    /// Time to first byte assumed before any sample, seconds.
    pub default_ttfb_s: f64,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        EstimatorConfig {
            fast_half_life: 2.0,
            slow_half_life: 5.0,
            default_estimate_bps: 500_000.0,
            min_total_bytes: 64_000,
            min_sample_bytes: 16_000,
            min_transfer_s: 0.005,
            ttfb_half_life: 3.0,
            default_ttfb_s: 0.1,
        }
    }
}

impl EstimatorConfig {
    /// hls.js 1.7 defaults: 3 s / 9 s, 500 kbps default, no small-sample filter, 50 ms floor.
    pub fn hlsjs() -> Self {
        EstimatorConfig {
            fast_half_life: 3.0,
            slow_half_life: 9.0,
            default_estimate_bps: 500_000.0,
            min_total_bytes: 0,
            min_sample_bytes: 0,
            min_transfer_s: 0.05,
            ttfb_half_life: 3.0,
            default_ttfb_s: 0.1,
        }
    }
}

/// Throughput and latency estimate.
#[derive(Debug, Clone)]
pub struct BandwidthEstimator {
    cfg: EstimatorConfig,
    fast: Ewma,
    slow: Ewma,
    ttfb: Ewma,
    bytes_sampled: u64,
}

impl BandwidthEstimator {
    pub fn new(cfg: EstimatorConfig) -> Self {
        BandwidthEstimator {
            fast: Ewma::new(cfg.fast_half_life),
            slow: Ewma::new(cfg.slow_half_life),
            ttfb: Ewma::new(cfg.ttfb_half_life),
            bytes_sampled: 0,
            cfg,
        }
    }

    /// One transfer: `bytes` moved in `transfer_s` seconds after the first byte.
    /// Returns whether the sample was used.
    pub fn sample(&mut self, bytes: u64, transfer_s: f64) -> bool {
        if bytes < self.cfg.min_sample_bytes || !transfer_s.is_finite() || transfer_s < 0.0 {
            return false;
        }
        let secs = transfer_s.max(self.cfg.min_transfer_s);
        let bps = bytes as f64 * 8.0 / secs;
        self.fast.sample(secs, bps);
        self.slow.sample(secs, bps);
        self.bytes_sampled = self.bytes_sampled.saturating_add(bytes);
        true
    }

    /// A whole segment: its TTFB, and its bytes over the transfer time after the first byte.
    /// `false` when the transfer was too small to count (see [`Self::sample`]).
    pub fn sample_segment(&mut self, s: &SegmentSample) -> bool {
        self.sample_ttfb(s.ttfb_s);
        self.sample(s.bytes, s.transfer_s())
    }

    /// One time-to-first-byte measurement, seconds.
    pub fn sample_ttfb(&mut self, ttfb_s: f64) {
        if ttfb_s.is_finite() && ttfb_s >= 0.0 {
            // Weighted by the latency itself, floored so near-zero values still count.
            self.ttfb.sample(ttfb_s.max(0.05), ttfb_s);
        }
    }

    /// Whether enough has been measured to trust the estimate over the default.
    pub fn trusted(&self) -> bool {
        self.fast.total_weight() > 0.0 && self.bytes_sampled >= self.cfg.min_total_bytes
    }

    /// Bits per second: the smaller of the two averages (quick to fall, slow to rise).
    pub fn estimate_bps(&self) -> f64 {
        if !self.trusted() {
            return self.cfg.default_estimate_bps;
        }
        match (self.fast.get(), self.slow.get()) {
            (Some(f), Some(s)) => f.min(s),
            _ => self.cfg.default_estimate_bps,
        }
    }

    /// Expected time to first byte, seconds.
    pub fn ttfb_s(&self) -> f64 {
        self.ttfb.get().unwrap_or(self.cfg.default_ttfb_s)
    }

    pub fn config(&self) -> &EstimatorConfig {
        &self.cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ewma_without_zero_bias() {
        let mut e = Ewma::new(3.0);
        e.sample(1.0, 1000.0);
        // One sample: the bias-corrected estimate is the sample itself.
        assert!((e.get().unwrap() - 1000.0).abs() < 1e-9);
        e.sample(3.0, 2000.0);
        // Each sample's weight decays with the transfer time that followed it.
        let a: f64 = 0.5f64.powf(1.0 / 3.0);
        let raw = 2000.0 * (1.0 - a.powi(3)) + a.powi(3) * 1000.0 * (1.0 - a);
        let expected = raw / (1.0 - a.powi(4));
        assert!((e.get().unwrap() - expected).abs() < 1e-6);
        assert!(expected > 1500.0 && expected < 2000.0);
    }

    #[test]
    fn estimate_is_min_of_fast_and_slow() {
        let mut b = BandwidthEstimator::new(EstimatorConfig::default());
        assert_eq!(b.estimate_bps(), 500_000.0);
        b.sample(1_000_000, 2.0); // 4 Mbps
        assert!((b.estimate_bps() - 4e6).abs() < 1.0);
        b.sample(250_000, 2.0); // 1 Mbps: the fast average falls further
        let est = b.estimate_bps();
        assert!(est < 2.6e6 && est > 1e6, "{est}");
    }

    #[test]
    fn small_samples_ignored() {
        let mut b = BandwidthEstimator::new(EstimatorConfig::default());
        assert!(!b.sample(1000, 0.0001));
        assert!(!b.trusted());
        assert_eq!(b.estimate_bps(), 500_000.0);
    }

    #[test]
    fn ttfb_tracked_separately() {
        let mut b = BandwidthEstimator::new(EstimatorConfig::default());
        assert_eq!(b.ttfb_s(), 0.1);
        b.sample_ttfb(0.6);
        assert!((b.ttfb_s() - 0.6).abs() < 1e-9);
    }
}
