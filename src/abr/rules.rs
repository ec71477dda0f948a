//! Level choice. Three rules behind one trait so the engine and the simulator run them alike:
//! [`Lookahead`] (this project's: robust throughput prediction, a model-predictive search over
//! the next segments scored with the linear QoE, a sustainability check on up-switches and an
//! emergency abandon), [`HlsJsRule`] (hls.js 1.7's default rule rebuilt from its documented
//! numbers, the baseline to beat) and [`ThroughputRule`] (highest level under a safety factor).

use std::collections::VecDeque;

use super::estimator::{BandwidthEstimator, EstimatorConfig};

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
    fn is_allowed(&self, i: usize) -> bool {
        self.allowed.get(i).copied().unwrap_or(false) && i < self.levels.len()
    }
    fn allowed_desc(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.levels.len()).rev().filter(|&i| self.is_allowed(i))
    }
    /// The lowest allowed level, or 0 when none is allowed.
    pub fn lowest(&self) -> usize {
        (0..self.levels.len())
            .find(|&i| self.is_allowed(i))
            .unwrap_or(0)
    }
    fn rate(&self, i: usize) -> f64 {
        self.levels.get(i).map_or(0.0, |l| l.bitrate)
    }
    fn size_rate(&self, i: usize) -> f64 {
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
}

impl AbrKind {
    pub fn name(self) -> &'static str {
        match self {
            AbrKind::Ours => "ours",
            AbrKind::HlsJs => "hlsjs",
            AbrKind::Throughput => "throughput",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ours" => Some(AbrKind::Ours),
            "hlsjs" | "hls.js" => Some(AbrKind::HlsJs),
            "throughput" => Some(AbrKind::Throughput),
            _ => None,
        }
    }

    /// Build the rule; `cfg` configures [`Lookahead`] (the baselines use their own fixed numbers).
    pub fn build(self, cfg: &AbrConfig) -> Box<dyn Abr> {
        match self {
            AbrKind::Ours => Box::new(Lookahead::new(cfg.clone())),
            AbrKind::HlsJs => Box::new(HlsJsRule::new(HlsJsConfig::default())),
            AbrKind::Throughput => Box::new(ThroughputRule::new(0.9, cfg.estimator.clone())),
        }
    }
}

/// Parameters of this project's rule.
#[derive(Debug, Clone, PartialEq)]
pub struct AbrConfig {
    pub estimator: EstimatorConfig,
    /// Segments looked ahead by the search.
    pub horizon: usize,
    /// Upper bound on sequences scored per decision; the horizon shrinks to respect it.
    pub max_evaluations: usize,
    /// Recent throughput samples and prediction errors kept (the robust-EWMA's error window).
    pub history: usize,
    /// QoE weights, per second of rebuffering and per Mbps of switch.
    pub rebuffer_penalty: f64,
    pub switch_penalty: f64,
    /// Prediction used to judge up-moves (sustainability and the re-search); `None`: the same.
    pub up_prediction: Option<Prediction>,
    /// How the throughput of the next segments is predicted. The EWMA (2 s / 5 s half-lives,
    /// as Shaka) scored best over the committed traces; RobustMPC's harmonic mean switched less
    /// but reacted to drops too slowly with 10 s segments (tried and removed: the tuning record
    /// in docs/design-engine.md).
    pub prediction: Prediction,
    /// An up-switch must be sustainable: predicted throughput x this >= the level's rate
    /// (`0` disables the check; the terminal term below usually does the job better).
    pub up_safety: f64,
    /// After the searched segments, the buffer must carry this many more seconds of content
    /// (capped by what remains of a VOD) at the last level, or the shortfall is scored as
    /// rebuffering: a long-horizon view that keeps the search from spending the buffer on
    /// levels the link cannot keep.
    pub terminal_horizon_s: f64,
    /// The same long view, shorter, for sequences that stay or go down: keeping a level the
    /// link no longer carries is paid for before the buffer is gone (`0` = off).
    pub stay_horizon_s: f64,
    /// No abandon while the link is dead (see `abandon_dead_link_bps`) or when the last
    /// progress step alone would finish the download in time (the link came back).
    pub abandon_patient: bool,
    /// No up-switch to a level below the one the link carries just because the buffer is
    /// still too short for the latter (see `choose`).
    pub no_partial_up: bool,
    /// Window of the "latest" rate used by `abandon_patient`, seconds.
    pub abandon_latest_s: f64,
    /// With `abandon_patient`: below this rate (bits/s) since the last check the link is taken
    /// as dead and no abandon is made.
    pub abandon_dead_link_bps: f64,
    /// Largest relative error the robust-EWMA prediction discounts by.
    pub robust_error_cap: f64,
    /// An up-switch waits while the last sample exceeds the prediction by more than this
    /// fraction: the estimate is still rising (or the sample is a spike), and waiting one
    /// segment turns two steps up into one (`0` = off).
    pub up_settle: f64,
    /// An up-switch must also be chosen by the search with the prediction scaled by this
    /// (hysteresis against noise: up slowly, down at once).
    pub up_confidence: f64,
    /// Guard after the search: the chosen level's fetch time, at the smaller of the prediction
    /// and the last sample, must fit in this fraction of the buffer (else step down; `0` = off).
    pub fetch_guard: f64,
    /// Seconds after a switch during which no up-switch is made (hysteresis).
    pub min_up_switch_interval: f64,
    /// Allow the emergency abandon of a segment that would arrive after the buffer runs dry.
    pub abandon: bool,
    /// Abandon only if the lower level arrives in less than this fraction of the time the rest
    /// of the current segment needs.
    pub abandon_gain: f64,
    /// Window of the recent download rate used by the abandon rule, seconds.
    pub abandon_window_s: f64,
    /// A download is judged only after this many seconds of transfer.
    pub abandon_min_transfer_s: f64,
}

impl Default for AbrConfig {
    fn default() -> Self {
        AbrConfig {
            estimator: EstimatorConfig::default(),
            horizon: 5,
            max_evaluations: 20_000,
            history: 5,
            rebuffer_penalty: 4.3,
            switch_penalty: 1.0,
            prediction: Prediction::Ewma,
            up_prediction: Some(Prediction::RobustEwma),
            up_safety: 1.0,
            terminal_horizon_s: 300.0,
            stay_horizon_s: 60.0,
            abandon_patient: true,
            no_partial_up: true,
            abandon_latest_s: 0.5,
            abandon_dead_link_bps: 0.0,
            robust_error_cap: 0.3,
            up_settle: 0.2,
            up_confidence: 0.9,
            fetch_guard: 0.8,
            min_up_switch_interval: 0.0,
            abandon: true,
            abandon_min_transfer_s: 0.5,
            abandon_window_s: 2.0,
            abandon_gain: 0.7,
        }
    }
}

/// Throughput prediction for the lookahead rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prediction {
    /// The EWMA estimate (min of fast and slow).
    Ewma,
    /// The EWMA estimate over (1 + largest recent relative error): RobustMPC's discount on
    /// the faster-reacting average.
    RobustEwma,
}

impl Prediction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ewma" => Some(Prediction::Ewma),
            "robust-ewma" => Some(Prediction::RobustEwma),
            _ => None,
        }
    }
}

/// The lookahead rule (model-predictive control over the linear QoE).
#[derive(Debug, Clone)]
pub struct Lookahead {
    cfg: AbrConfig,
    est: BandwidthEstimator,
    /// Recent segment throughputs, bits per second (TTFB excluded).
    samples: VecDeque<f64>,
    /// Recent relative prediction errors.
    errors: VecDeque<f64>,
    last_prediction: Option<f64>,
    last_switch_at: Option<f64>,
    last_choice: Option<usize>,
    /// (elapsed, loaded, level) of the download in progress, last few seconds.
    progress: VecDeque<(f64, u64, usize)>,
}

impl Lookahead {
    pub fn new(cfg: AbrConfig) -> Self {
        Lookahead {
            est: BandwidthEstimator::new(cfg.estimator.clone()),
            samples: VecDeque::new(),
            errors: VecDeque::new(),
            last_prediction: None,
            last_switch_at: None,
            last_choice: None,
            progress: VecDeque::new(),
            cfg,
        }
    }

    /// Predicted throughput for the next segments (`prediction`; the EWMA by default).
    pub fn predict_bps(&self) -> f64 {
        self.predict_with(self.cfg.prediction)
    }

    fn predict_with(&self, mode: Prediction) -> f64 {
        if self.samples.is_empty() || !self.est.trusted() {
            return self.est.estimate_bps();
        }
        let ewma = self.est.estimate_bps();
        match mode {
            Prediction::Ewma => ewma,
            Prediction::RobustEwma => {
                // Capped: one sample that straddled an outage would otherwise block every
                // up-move for `history` segments.
                let max_err = self.errors.iter().copied().fold(0.0f64, f64::max);
                ewma / (1.0 + max_err.min(self.cfg.robust_error_cap))
            }
        }
    }

    fn push_bounded(q: &mut VecDeque<f64>, v: f64, cap: usize) {
        q.push_back(v);
        while q.len() > cap.max(1) {
            q.pop_front();
        }
    }

    /// Best first level by exhaustive search over `horizon` segments.
    fn search(&self, ctx: &AbrContext, pred_bps: f64) -> usize {
        let cands: Vec<usize> = (0..ctx.levels.len())
            .filter(|&i| ctx.is_allowed(i))
            .collect();
        if cands.is_empty() {
            return 0;
        }
        let dur = ctx.segment_duration.max(0.1);
        // Never look past the end of a VOD.
        let left = ctx.remaining.map_or(usize::MAX, |r| {
            1 + (r / dur - 1e-6).ceil().max(0.0) as usize
        });
        let mut horizon = self.cfg.horizon.max(1).min(left);
        while horizon > 1
            && (cands.len() as f64).powi(horizon as i32) > self.cfg.max_evaluations as f64
        {
            horizon -= 1;
        }
        let ttfb = self.est.ttfb_s();
        let prev_rate = ctx.current.map(|c| ctx.rate(c));
        let mut best = (f64::NEG_INFINITY, ctx.lowest());
        let mut seq = vec![0usize; horizon];
        let total = cands.len().pow(horizon as u32);
        for code in 0..total {
            let mut c = code;
            for slot in seq.iter_mut() {
                *slot = c % cands.len();
                c /= cands.len();
            }
            let mut buffer = ctx.buffer;
            let mut prev = prev_rate;
            let mut score = 0.0;
            let mut last_dl = 0.0;
            let cap = ctx.buffer_goal.max(dur);
            for &k in &seq {
                let lvl = cands.get(k).copied().unwrap_or(0);
                let rate = ctx.rate(lvl);
                let dl = ttfb + ctx.size_rate(lvl) * dur / pred_bps.max(1.0);
                let stall = (dl - buffer).max(0.0);
                last_dl = dl;
                buffer = ((buffer - dl).max(0.0) + dur).min(cap);
                score += rate / 1e6 - self.cfg.rebuffer_penalty * stall;
                if let Some(p) = prev {
                    score -= self.cfg.switch_penalty * (rate - p).abs() / 1e6;
                }
                prev = Some(rate);
            }
            // Beyond the horizon: can the buffer carry the rest at the last level?
            let beyond = ctx
                .remaining
                .map_or(self.cfg.terminal_horizon_s, |r| {
                    (r - dur * (horizon as f64 - 1.0)).min(self.cfg.terminal_horizon_s)
                })
                .max(0.0);
            // Hysteresis: the long view gates going up; staying or going down is judged on the
            // searched segments alone (else the rule dips down and up again as the buffer drains).
            let last = seq.last().and_then(|&k| cands.get(k)).copied().unwrap_or(0);
            let going_up = ctx.current.map_or(true, |c| last > c);
            let view = if going_up { beyond } else { 0.0 };
            if view > 0.0 {
                let deficit = (view / dur) * (last_dl - dur).max(0.0) - buffer;
                score -= self.cfg.rebuffer_penalty * deficit.max(0.0);
            }
            // Keeping (or taking) a level now: can today's buffer carry it for the next
            // `stay_horizon_s` at the prediction? Judged on the level fetched now, so a
            // sequence cannot dodge it by stepping down only in its last slot.
            if let (Some(&f), true) = (seq.first(), self.cfg.stay_horizon_s > 0.0) {
                let lvl = cands.get(f).copied().unwrap_or(0);
                if ctx.current.is_some_and(|c| lvl >= c) {
                    let view = ctx.remaining.map_or(self.cfg.stay_horizon_s, |r| {
                        (r + dur).min(self.cfg.stay_horizon_s)
                    });
                    let dl = ttfb + ctx.size_rate(lvl) * dur / pred_bps.max(1.0);
                    let deficit = (view / dur) * (dl - dur).max(0.0) - ctx.buffer;
                    score -= self.cfg.rebuffer_penalty * deficit.max(0.0);
                }
            }
            let first = seq
                .first()
                .and_then(|&k| cands.get(k))
                .copied()
                .unwrap_or(0);
            if score > best.0 + 1e-9 {
                best = (score, first);
            }
        }
        best.1
    }
}

impl Abr for Lookahead {
    fn name(&self) -> &'static str {
        "ours"
    }

    fn on_sample(&mut self, s: &SegmentSample) {
        let transfer = (s.load_s - s.ttfb_s).max(0.0);
        self.est.sample_ttfb(s.ttfb_s);
        if !self.est.sample(s.bytes, transfer) {
            return;
        }
        let tput = s.bytes as f64 * 8.0 / transfer.max(self.cfg.estimator.min_transfer_s);
        if let Some(p) = self.last_prediction {
            Self::push_bounded(
                &mut self.errors,
                ((p - tput) / tput).abs(),
                self.cfg.history,
            );
        }
        Self::push_bounded(&mut self.samples, tput, self.cfg.history);
    }

    fn on_partial(&mut self, bytes: u64, transfer_s: f64) {
        if self.est.sample(bytes, transfer_s) && transfer_s > 0.0 {
            let tput = bytes as f64 * 8.0 / transfer_s;
            Self::push_bounded(&mut self.samples, tput, self.cfg.history);
        }
    }

    fn choose(&mut self, ctx: &AbrContext) -> usize {
        let pred = self.predict_bps();
        // Errors are measured only against real predictions, not the default estimate.
        self.last_prediction = self.est.trusted().then_some(pred);
        let mut choice = self.search(ctx, pred);
        let up_pred = self
            .cfg
            .up_prediction
            .map_or(pred, |m| self.predict_with(m));
        if let Some(cur) = ctx.current.filter(|&c| ctx.is_allowed(c)) {
            if choice > cur && self.cfg.up_confidence < 1.0 {
                choice = choice
                    .min(self.search(ctx, up_pred * self.cfg.up_confidence))
                    .max(cur);
            }
            if choice > cur {
                // Up only to a level the link can sustain, and not right after a switch.
                let recent = self
                    .last_switch_at
                    .is_some_and(|t| ctx.now - t < self.cfg.min_up_switch_interval);
                let sustainable = (cur..=choice)
                    .rev()
                    .find(|&i| {
                        ctx.is_allowed(i)
                            && (self.cfg.up_safety <= 0.0
                                || ctx.size_rate(i) <= up_pred * self.cfg.up_safety)
                    })
                    .unwrap_or(cur);
                // Waiting pays only if the last sample would carry a level above the one chosen.
                let rising = self.cfg.up_settle > 0.0
                    && self.samples.back().is_some_and(|&last| {
                        last > pred * (1.0 + self.cfg.up_settle)
                            && (sustainable + 1..ctx.levels.len()).any(|i| {
                                ctx.is_allowed(i)
                                    && ctx.size_rate(i)
                                        <= last * (up_pred / pred.max(1.0)) * self.cfg.up_safety
                            })
                    });
                choice = if recent || rising {
                    cur
                } else {
                    sustainable.max(cur)
                };
            }
        }
        let wanted = choice;
        if self.cfg.fetch_guard > 0.0 {
            let bw = self
                .samples
                .back()
                .map_or(pred, |&last| last.min(pred))
                .max(1.0);
            let ttfb = self.est.ttfb_s();
            let lowest = ctx.lowest();
            while choice > lowest
                && (ttfb + ctx.size_rate(choice) * ctx.segment_duration / bw)
                    > ctx.buffer * self.cfg.fetch_guard
            {
                choice -= 1;
                while choice > lowest && !ctx.is_allowed(choice) {
                    choice -= 1;
                }
            }
        }
        // The buffer, not the link, held the move up to an intermediate level (a start-up
        // ramp): wait at the current level until the buffer allows the level the link
        // carries, one switch instead of two.
        if let Some(cur) = ctx.current.filter(|_| self.cfg.no_partial_up) {
            if choice > cur && choice < wanted && ctx.is_allowed(cur) {
                choice = cur;
            }
        }
        if self.last_choice.is_some_and(|c| c != choice) {
            self.last_switch_at = Some(ctx.now);
        }
        self.last_choice = Some(choice);
        choice
    }

    fn abandon(&mut self, ctx: &AbrContext, p: &LoadProgress) -> Option<usize> {
        if !self.cfg.abandon {
            return None;
        }
        let ttfb = p.ttfb_s?;
        let transfer = p.elapsed - ttfb;
        if transfer < self.cfg.abandon_min_transfer_s || p.loaded < 16_000 {
            return None;
        }
        // Progress points of this download (a new download restarts the list).
        let restart = self.progress.back().map_or(true, |&(e, l, lvl)| {
            e > p.elapsed || l > p.loaded || lvl != p.level
        });
        if restart {
            self.progress.clear();
        }
        self.progress.push_back((p.elapsed, p.loaded, p.level));
        while self
            .progress
            .front()
            .is_some_and(|&(e, _, _)| p.elapsed - e > self.cfg.abandon_window_s)
            && self.progress.len() > 2
        {
            self.progress.pop_front();
        }
        let average = p.loaded as f64 * 8.0 / transfer;
        // The recent rate catches a drop that the whole-download average still hides.
        let recent = match self.progress.front() {
            Some(&(e, l, _)) if p.elapsed - e >= 0.5 => {
                (p.loaded - l.min(p.loaded)) as f64 * 8.0 / (p.elapsed - e)
            }
            _ => average,
        };
        let rate = average.min(recent).max(1.0);
        let remaining = (p.expected - p.loaded as f64).max(0.0) * 8.0 / rate;
        // A dead link (an outage) stalls every level alike: abandoning would only throw away
        // what has arrived and cost two switches; judge again when bytes flow.
        // The link just came back (the last progress step alone would finish in time): the
        // window still remembers the outage, the future does not.
        // Rate over the last `abandon_latest_s` of progress.
        let latest = {
            let mut it = self.progress.iter().rev();
            match (
                it.next(),
                it.find(|&&(e, _, _)| e <= p.elapsed - self.cfg.abandon_latest_s),
            ) {
                (Some(&(e1, l1, _)), Some(&(e0, l0, _))) => {
                    (l1.saturating_sub(l0)) as f64 * 8.0 / (e1 - e0)
                }
                // One point only: the link's current rate is not measured yet (after an
                // outage, the first bytes arrive with only the outage in the average).
                _ => 0.0,
            }
        };
        let recovered =
            latest > 0.0 && (p.expected - p.loaded as f64).max(0.0) * 8.0 / latest <= ctx.buffer;
        // No byte since the last check: the link is dead for the moment (an outage), which
        // stalls every level alike; abandoning would throw away what has arrived and cost two
        // switches. Judge again when bytes flow (and not on the outage they remember).
        let dead = latest <= self.cfg.abandon_dead_link_bps;
        if remaining <= ctx.buffer || (self.cfg.abandon_patient && (dead || recovered)) {
            return None;
        }
        let ttfb_est = self.est.ttfb_s();
        let fetch = |i: usize| ttfb_est + ctx.size_rate(i) * p.duration / rate;
        let lower = (0..p.level).rev().filter(|&i| ctx.is_allowed(i));
        let mut pick = None;
        for i in lower {
            pick = Some(i);
            if fetch(i) < ctx.buffer {
                break;
            }
        }
        let i = pick?;
        // Worth it only if the lower level clearly arrives sooner than the rest of this one.
        (fetch(i) < remaining * self.cfg.abandon_gain).then_some(i)
    }

    fn estimate_bps(&self) -> f64 {
        self.est.estimate_bps()
    }

    fn ttfb_s(&self) -> f64 {
        self.est.ttfb_s()
    }
}

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
            est: BandwidthEstimator::new(cfg.estimator.clone()),
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
        self.est.sample_ttfb(s.ttfb_s);
        self.est.sample(s.bytes, (s.load_s - s.ttfb_s).max(0.0));
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
        self.est.sample_ttfb(s.ttfb_s);
        self.est.sample(s.bytes, (s.load_s - s.ttfb_s).max(0.0));
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

    fn ladder() -> Vec<AbrLevel> {
        [1.096e6, 2.096e6, 3.096e6]
            .iter()
            .map(|&b| AbrLevel {
                bitrate: b,
                avg_bitrate: None,
            })
            .collect()
    }

    fn ctx<'a>(
        levels: &'a [AbrLevel],
        allowed: &'a [bool],
        cur: Option<usize>,
        buffer: f64,
    ) -> AbrContext<'a> {
        AbrContext {
            now: 100.0,
            levels,
            allowed,
            current: cur,
            buffer,
            buffer_goal: 30.0,
            segment_duration: 10.0,
            remaining: Some(300.0),
        }
    }

    fn feed(abr: &mut dyn Abr, mbps: f64, n: usize) {
        for _ in 0..n {
            let bytes = (mbps * 1e6 / 8.0 * 4.0) as u64; // 4 s of transfer
            abr.on_sample(&SegmentSample {
                level: 0,
                bytes,
                ttfb_s: 0.1,
                load_s: 4.1,
                duration: 10.0,
            });
        }
    }

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

    #[test]
    fn ours_reaches_a_sustainable_top_level() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = Lookahead::new(AbrConfig::default());
        assert_eq!(r.choose(&ctx(&levels, &allowed, None, 0.0)), 0);
        feed(&mut r, 4.0, 3);
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(1), 25.0)), 2);
    }

    #[test]
    fn ours_does_not_go_up_to_an_unsustainable_level() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = Lookahead::new(AbrConfig::default());
        feed(&mut r, 2.0, 5);
        // A greedy search would spend the buffer on level 1; the link cannot keep it for the
        // next 300 s of content, and 10 s of buffer cannot cover the shortfall.
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(0), 10.0)), 0);
    }

    #[test]
    fn capped_levels_are_never_chosen() {
        let levels = ladder();
        let allowed = [true, true, false];
        for kind in [AbrKind::Ours, AbrKind::HlsJs, AbrKind::Throughput] {
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

    #[test]
    fn abandon_when_segment_would_arrive_too_late() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = Lookahead::new(AbrConfig::default());
        feed(&mut r, 3.0, 3);
        // Level 2 (3.87 MB) at 0.3 Mbps with 5 s of buffer: far too late.
        let p = LoadProgress {
            level: 2,
            loaded: 40_000,
            expected: 3.096e6 * 10.0 / 8.0,
            elapsed: 1.2,
            ttfb_s: Some(0.1),
            duration: 10.0,
        };
        // The first progress point alone does not measure the link's current rate.
        let first = LoadProgress {
            loaded: 22_500,
            elapsed: 0.7,
            ..p
        };
        assert_eq!(
            r.abandon(&ctx(&levels, &allowed, Some(2), 5.0), &first),
            None
        );
        assert_eq!(
            r.abandon(&ctx(&levels, &allowed, Some(2), 5.0), &p),
            Some(0)
        );
        // The same progress with a big buffer: keep going.
        let p2 = LoadProgress {
            loaded: 3_800_000,
            ..p
        };
        assert_eq!(r.abandon(&ctx(&levels, &allowed, Some(2), 30.0), &p2), None);
    }

    #[test]
    fn abandon_sees_a_collapse_the_average_hides() {
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = Lookahead::new(AbrConfig::default());
        feed(&mut r, 4.0, 3);
        let expected = 3.096e6 * 10.0 / 8.0;
        let at = |elapsed: f64, loaded: u64| LoadProgress {
            level: 2,
            loaded,
            expected,
            elapsed,
            ttfb_s: Some(0.1),
            duration: 10.0,
        };
        let c = ctx(&levels, &allowed, Some(2), 20.0);
        // 0.5 MB in the first second, then 20 kB in 1.4 s: the average (1.7 Mbps) would finish
        // in time, the recent rate (0.11 Mbps) would not.
        assert_eq!(r.abandon(&c, &at(1.1, 500_000)), None);
        let late = r.abandon(&c, &at(2.5, 520_000));
        assert_eq!(late, Some(0), "the recent rate must count");
        // Judged on the average alone, the same download is kept.
        let mut avg_only = Lookahead::new(AbrConfig {
            abandon_window_s: 0.0,
            ..AbrConfig::default()
        });
        feed(&mut avg_only, 4.0, 3);
        assert_eq!(avg_only.abandon(&c, &at(2.5, 520_000)), None);
    }

    fn at(elapsed: f64, loaded: u64) -> LoadProgress {
        LoadProgress {
            level: 2,
            loaded,
            expected: 3.096e6 * 10.0 / 8.0,
            elapsed,
            ttfb_s: Some(0.1),
            duration: 10.0,
        }
    }

    #[test]
    fn no_abandon_during_an_outage_or_just_after_it() {
        // Regression: a 3 s outage at the start of a level-2 download used to abandon it as
        // the first bytes arrived (the average remembered only the outage), costing two
        // switches (2-0-2) with 27 s buffered.
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = Lookahead::new(AbrConfig::default());
        feed(&mut r, 6.0, 3);
        let c = ctx(&levels, &allowed, Some(2), 12.0);
        // 200 kB in the first second, then nothing for 3 s (checks every 0.5 s).
        assert_eq!(r.abandon(&c, &at(1.1, 200_000)), None);
        for i in 0..6 {
            let e = 1.6 + 0.5 * f64::from(i);
            assert_eq!(r.abandon(&c, &at(e, 200_000)), None, "dead link at {e}");
        }
        // The link is back at 6 Mbps: the rest (3.7 MB) arrives in 5 s, within the buffer.
        assert_eq!(r.abandon(&c, &at(4.6, 575_000)), None);
        // Without patience the same download is abandoned.
        let mut eager = Lookahead::new(AbrConfig {
            abandon_patient: false,
            ..AbrConfig::default()
        });
        feed(&mut eager, 6.0, 3);
        let mut got = None;
        for i in 0..8 {
            let e = 1.1 + 0.5 * f64::from(i);
            got = got.or(eager.abandon(&c, &at(e, 200_000)));
        }
        assert!(got.is_some(), "the eager rule abandons on a dead link");
    }

    #[test]
    fn keeping_a_level_the_link_no_longer_carries_is_paid_before_the_buffer_is_gone() {
        // Regression (markov-3g-04): at 1.43 Mbps with 25 s buffered the search kept level 1
        // (2.1 Mbps) by planning its step down in the last slot of the horizon, drained the
        // buffer, and stalled 28 s when the link fell further.
        let levels = ladder();
        let allowed = [true; 3];
        let mut r = Lookahead::new(AbrConfig::default());
        feed(&mut r, 1.43, 6);
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(1), 25.0)), 0);
        let mut no_view = Lookahead::new(AbrConfig {
            stay_horizon_s: 0.0,
            ..AbrConfig::default()
        });
        feed(&mut no_view, 1.43, 6);
        assert_eq!(no_view.choose(&ctx(&levels, &allowed, Some(1), 25.0)), 1);
    }

    #[test]
    fn up_switch_waits_while_the_estimate_is_still_rising() {
        let levels = ladder();
        let allowed = [true; 3];
        let jump = |abr: &mut Lookahead| {
            feed(abr, 1.5, 6);
            // One short 8 Mbps sample: the estimate (2.3 Mbps) now affords level 1, the sample
            // itself level 2.
            abr.on_sample(&SegmentSample {
                level: 0,
                bytes: 1_000_000,
                ttfb_s: 0.1,
                load_s: 1.1,
                duration: 10.0,
            });
        };
        let mut r = Lookahead::new(AbrConfig::default());
        jump(&mut r);
        // Waiting one segment turns two steps up (0-1-2) into one.
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(0), 30.0)), 0);
        feed(&mut r, 8.0, 2);
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(0), 30.0)), 2);
        let mut eager = Lookahead::new(AbrConfig {
            up_settle: 0.0,
            ..AbrConfig::default()
        });
        jump(&mut eager);
        assert_eq!(eager.choose(&ctx(&levels, &allowed, Some(0), 30.0)), 1);
    }

    #[test]
    fn no_up_switch_to_a_level_only_the_short_buffer_imposes() {
        // The link carries level 2 (estimate ~3.8 Mbps) but the last sample was 3 Mbps, at
        // which 13 s of buffer cannot cover a level-2 fetch yet (fetch guard): going to level 1
        // now and to 2 later is two switches where waiting is one.
        let levels = ladder();
        let allowed = [true; 3];
        let link = |abr: &mut Lookahead| {
            feed(abr, 4.0, 6);
            feed(abr, 3.0, 1);
        };
        let mut r = Lookahead::new(AbrConfig::default());
        link(&mut r);
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(0), 13.0)), 0);
        assert_eq!(r.choose(&ctx(&levels, &allowed, Some(0), 16.0)), 2);
        let mut partial = Lookahead::new(AbrConfig {
            no_partial_up: false,
            ..AbrConfig::default()
        });
        link(&mut partial);
        assert_eq!(partial.choose(&ctx(&levels, &allowed, Some(0), 13.0)), 1);
    }
}
