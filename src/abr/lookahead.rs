//! The lookahead rule: robust throughput prediction, a model-predictive search over the next
//! segments scored with the linear QoE, a sustainability check on up-switches and an emergency
//! abandon.

use std::collections::VecDeque;

use super::estimator::BandwidthEstimator;
use super::{Abr, AbrConfig, AbrContext, LoadProgress, Prediction, SegmentSample};

/// The lookahead rule (model-predictive control over the linear QoE).
#[derive(Debug, Clone)]
pub struct Lookahead {
    cfg: AbrConfig,
    est: BandwidthEstimator,
    /// Recent segment throughputs, bits per second (TTFB excluded).
    samples: VecDeque<f64>,
    /// Segment throughputs over the longer window of the worst-case check (`worst_window`).
    lows: VecDeque<f64>,
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
            est: BandwidthEstimator::new(cfg.estimator),
            samples: VecDeque::new(),
            lows: VecDeque::new(),
            errors: VecDeque::new(),
            last_prediction: None,
            last_switch_at: None,
            last_choice: None,
            progress: VecDeque::new(),
            cfg,
        }
    }

    /// Predicted throughput for the next segments of `segment_duration` seconds.
    pub fn predict_bps(&self, segment_duration: f64) -> f64 {
        let r = self.cfg.regime(segment_duration);
        self.predict_with(r.prediction, r.robust_error_cap)
    }

    fn predict_with(&self, mode: Prediction, error_cap: f64) -> f64 {
        match mode {
            Prediction::Ewma => self.base_with(mode),
            // Capped: one sample that straddled an outage would otherwise block every
            // up-move for `history` segments.
            Prediction::RobustEwma | Prediction::RobustHarmonic => {
                let max_err = self.errors.iter().copied().fold(0.0f64, f64::max);
                self.base_with(mode) / (1.0 + max_err.min(error_cap))
            }
        }
    }

    /// The undiscounted prediction behind `mode` (what the errors are measured against).
    fn base_with(&self, mode: Prediction) -> f64 {
        if self.samples.is_empty() || !self.est.trusted() {
            return self.est.estimate_bps();
        }
        match mode {
            Prediction::Ewma | Prediction::RobustEwma => self.est.estimate_bps(),
            Prediction::RobustHarmonic => {
                let inv: f64 = self.samples.iter().map(|s| 1.0 / s.max(1.0)).sum();
                self.samples.len() as f64 / inv
            }
        }
    }

    fn push_bounded(q: &mut VecDeque<f64>, v: f64, cap: usize) {
        q.push_back(v);
        while q.len() > cap.max(1) {
            q.pop_front();
        }
    }

    /// Whether today's buffer, less one segment, covers level `i`'s shortfall at `bps` over the
    /// next `up_cover_s` seconds (capped by what remains of a VOD).
    fn buffer_covers(&self, ctx: &AbrContext, i: usize, bps: f64) -> bool {
        let cover = self.cfg.regime(ctx.segment_duration).up_cover_s;
        if cover <= 0.0 {
            return false;
        }
        let dur = ctx.segment_duration.max(0.1);
        let view = ctx.remaining.map_or(cover, |r| (r + dur).min(cover));
        let dl = self.est.ttfb_s() + ctx.size_rate(i) * dur / bps.max(1.0);
        (view / dur) * (dl - dur).max(0.0) <= ctx.buffer - dur
    }

    /// Whether level `i`'s next segment, fetched at the worst of the regime's last
    /// `worst_window` throughputs, arrives within `worst_fit` x the buffer (true when off).
    /// Samples the last `worst_forget_after` all exceed by `worst_forget_ratio` are forgotten.
    fn survives_worst(&self, ctx: &AbrContext, i: usize) -> bool {
        let r = self.cfg.regime(ctx.segment_duration);
        let n = self.lows.len();
        let window = r.worst_window.min(n);
        if r.worst_fit <= 0.0 || window == 0 {
            return true;
        }
        let recent = match r.worst_forget_after {
            0 => window,
            k => k.min(window),
        };
        // Newest first: the last `recent` samples always count and set the floor that
        // forgets the older ones.
        let mut worst = f64::INFINITY;
        for k in 0..recent {
            worst = worst.min(self.lows.get(n - 1 - k).copied().unwrap_or(worst));
        }
        let floor = worst;
        let top = ctx.size_rate(ctx.levels.len().saturating_sub(1));
        let keep_below = if r.worst_forget_top > 0.0 && floor > r.worst_forget_top * top {
            0.0
        } else {
            r.worst_keep_below * ctx.size_rate(ctx.lowest())
        };
        for k in recent..window {
            let s = self.lows.get(n - 1 - k).copied().unwrap_or(worst);
            if s * r.worst_forget_ratio >= floor || s < keep_below {
                worst = worst.min(s);
            }
        }
        let dl = self.est.ttfb_s() + ctx.size_rate(i) * ctx.segment_duration / worst.max(1.0);
        dl <= ctx.buffer * r.worst_fit
    }

    /// Best first level by exhaustive search over `horizon` segments.
    fn search(&self, ctx: &AbrContext, pred_bps: f64) -> usize {
        let dur = ctx.segment_duration.max(0.1);
        let ttfb = self.est.ttfb_s();
        // Per allowed level: (index, bitrate in Mbps, download seconds at the prediction).
        let mut steps: Vec<(usize, f64, f64)> = Vec::new();
        for i in 0..ctx.levels.len() {
            if ctx.is_allowed(i) {
                let dl = ttfb + ctx.size_rate(i) * dur / pred_bps.max(1.0);
                steps.push((i, ctx.rate(i) / 1e6, dl));
            }
        }
        if steps.is_empty() {
            return 0;
        }
        // Never look past the end of a VOD.
        let left = ctx.remaining.map_or(usize::MAX, |r| {
            1 + (r / dur - 1e-6).ceil().max(0.0) as usize
        });
        let mut horizon = self.cfg.horizon.max(1).min(left);
        while horizon > 1
            && (steps.len() as f64).powi(horizon as i32) > self.cfg.max_evaluations as f64
        {
            horizon -= 1;
        }
        let regime = self.cfg.regime(ctx.segment_duration);
        let search = Search {
            steps: &steps,
            cfg: &self.cfg,
            dur,
            cap: ctx.buffer_goal.max(dur),
            current: ctx.current,
            // Beyond the horizon: can the buffer carry the rest at the last level?
            beyond: ctx
                .remaining
                .map_or(regime.terminal_horizon_s, |r| {
                    (r - dur * (horizon as f64 - 1.0)).min(regime.terminal_horizon_s)
                })
                .max(0.0),
        };
        let stay_view = ctx.remaining.map_or(regime.stay_horizon_s, |r| {
            (r + dur).min(regime.stay_horizon_s)
        });
        let prev = ctx.current.map(|c| ctx.rate(c) / 1e6);
        let mut best = (f64::NEG_INFINITY, ctx.lowest());
        // Highest first: of sequences that score alike, the one that takes the bitrate now
        // (the buffer is spent on content, not kept for later).
        for &(lvl, mbps, dl) in steps.iter().rev() {
            let stall = (dl - ctx.buffer).max(0.0);
            let buffer = ((ctx.buffer - dl).max(0.0) + dur).min(search.cap);
            let mut score = mbps
                - self.cfg.rebuffer_penalty * stall
                - prev.map_or(0.0, |p| self.cfg.switch_penalty * (mbps - p).abs());
            // Keeping (or taking) a level now: can today's buffer carry it for the next
            // `stay_horizon_s` at the prediction? Judged on the level fetched now, so a
            // sequence cannot dodge it by stepping down only in its last slot.
            if stay_view > 0.0 && ctx.current.is_some_and(|c| lvl >= c) {
                let deficit = (stay_view / dur) * (dl - dur).max(0.0) - ctx.buffer;
                score -= self.cfg.rebuffer_penalty * deficit.max(0.0);
            }
            score += search.best(lvl, mbps, dl, buffer, horizon - 1);
            if score > best.0 + 1e-9 {
                best = (score, lvl);
            }
        }
        best.1
    }
}

/// The depth-first search behind [`Lookahead::search`]: each prefix of a level sequence is
/// scored once (about a quarter of the work of scoring every sequence whole).
struct Search<'a> {
    /// (level, Mbps, download seconds) per allowed level.
    steps: &'a [(usize, f64, f64)],
    cfg: &'a AbrConfig,
    dur: f64,
    cap: f64,
    current: Option<usize>,
    beyond: f64,
}

impl Search<'_> {
    /// Best score of the `depth` segments after one of `level` (`mbps`, fetched in `dl`
    /// seconds) that left `buffer` seconds.
    fn best(&self, level: usize, mbps: f64, dl: f64, buffer: f64, depth: usize) -> f64 {
        if depth == 0 {
            // Hysteresis: the long view gates going up; staying or going down is judged on
            // the searched segments alone (else the rule dips down and up again as the
            // buffer drains).
            let going_up = self.current.map_or(true, |c| level > c);
            if going_up && self.beyond > 0.0 {
                let deficit = (self.beyond / self.dur) * (dl - self.dur).max(0.0) - buffer;
                return -self.cfg.rebuffer_penalty * deficit.max(0.0);
            }
            return 0.0;
        }
        let mut best = f64::NEG_INFINITY;
        for &(lvl, m, d) in self.steps {
            let stall = (d - buffer).max(0.0);
            let next = ((buffer - d).max(0.0) + self.dur).min(self.cap);
            let score =
                m - self.cfg.rebuffer_penalty * stall - self.cfg.switch_penalty * (m - mbps).abs()
                    + self.best(lvl, m, d, next, depth - 1);
            best = best.max(score);
        }
        best
    }
}

impl Abr for Lookahead {
    fn name(&self) -> &'static str {
        "ours"
    }

    fn on_sample(&mut self, s: &SegmentSample) {
        if !self.est.sample_segment(s) {
            return;
        }
        let transfer = s.transfer_s();
        let tput = s.bytes as f64 * 8.0 / transfer.max(self.cfg.estimator.min_transfer_s);
        if let Some(p) = self.last_prediction {
            Self::push_bounded(
                &mut self.errors,
                ((p - tput) / tput).abs(),
                self.cfg.history,
            );
        }
        Self::push_bounded(&mut self.samples, tput, self.cfg.history);
        let window = self.cfg.short.worst_window.max(self.cfg.long.worst_window);
        Self::push_bounded(&mut self.lows, tput, window);
    }

    fn on_partial(&mut self, bytes: u64, transfer_s: f64) {
        if self.est.sample(bytes, transfer_s) && transfer_s > 0.0 {
            let tput = bytes as f64 * 8.0 / transfer_s;
            Self::push_bounded(&mut self.samples, tput, self.cfg.history);
        }
    }

    fn choose(&mut self, ctx: &AbrContext) -> usize {
        let regime = *self.cfg.regime(ctx.segment_duration);
        let pred = self.predict_bps(ctx.segment_duration);
        // Errors are measured only against real predictions, not the default estimate.
        self.last_prediction = self
            .est
            .trusted()
            .then(|| self.base_with(regime.prediction));
        let mut choice = self.search(ctx, pred);
        let up_pred = regime
            .up_prediction
            .map_or(pred, |m| self.predict_with(m, regime.robust_error_cap));
        if let Some(cur) = ctx.current.filter(|&c| ctx.is_allowed(c)) {
            if choice > cur && regime.up_confidence < 1.0 {
                choice = choice
                    .min(self.search(ctx, up_pred * regime.up_confidence))
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
                            && (i == cur || self.survives_worst(ctx, i))
                            && (self.cfg.up_safety <= 0.0
                                || ctx.size_rate(i) <= up_pred * self.cfg.up_safety
                                || self.buffer_covers(ctx, i, up_pred))
                    })
                    .unwrap_or(cur);
                // Waiting pays only if the last sample would carry a level above the one chosen.
                let rising = regime.up_settle > 0.0
                    && self.samples.back().is_some_and(|&last| {
                        last > pred * (1.0 + regime.up_settle)
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
        if regime.max_over_prediction > 0.0 {
            let most = pred * regime.max_over_prediction;
            choice = (ctx.lowest()..=choice)
                .rev()
                .find(|&i| ctx.is_allowed(i) && ctx.size_rate(i) <= most)
                .unwrap_or(ctx.lowest());
        }
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
            if fetch(i) < ctx.buffer * self.cfg.abandon_fit {
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

#[cfg(test)]
mod tests;
