//! The parameters of this project's rule ([`Lookahead`](super::Lookahead)).

use super::estimator::EstimatorConfig;

/// Parameters of this project's rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbrConfig {
    pub estimator: EstimatorConfig,
    /// Segments looked ahead by the search.
    pub horizon: usize,
    /// Upper bound on sequences scored per decision; the horizon shrinks to respect it.
    pub max_evaluations: usize,
    /// Recent throughput samples and prediction errors kept (the robust predictions' window).
    pub history: usize,
    /// QoE weights, per second of rebuffering and per Mbps of switch.
    pub rebuffer_penalty: f64,
    pub switch_penalty: f64,
    /// Segments shorter than this are judged with `short`, the others with `long`.
    pub long_segment_s: f64,
    /// Short segments (3-4 s, fine ladders): RobustMPC's prediction and search, up-moves
    /// sustainable or covered by the buffer. Won on the real traces' tuning halves with the
    /// Pensieve and AWS ladders (the tuning record in docs/design-engine.md).
    pub short: SegmentRegime,
    /// Long segments (10 s): a wrong up-move commits to a long download; the EWMA and the
    /// long views scored best there (the MediaConvert ladder, synthetic and real traces).
    pub long: SegmentRegime,
    /// An up-switch must be sustainable: predicted throughput x this >= the level's rate, or
    /// the buffer covers it (`up_cover_s`). `0` disables the check.
    pub up_safety: f64,
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
    /// The level an abandon switches to is the highest whose segment, at the rate the
    /// download was just measured at, arrives within this fraction of the buffer: the link
    /// has just fallen, and the segments after it must still be fetched at that rate.
    pub abandon_fit: f64,
    /// Window of the recent download rate used by the abandon rule, seconds.
    pub abandon_window_s: f64,
    /// A download is judged only after this many seconds of transfer.
    pub abandon_min_transfer_s: f64,
}

/// The parameters that differ with the segment length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentRegime {
    /// How the throughput of the next segments is predicted.
    pub prediction: Prediction,
    /// Prediction used to judge up-moves (sustainability and the re-search); `None`: the same.
    pub up_prediction: Option<Prediction>,
    /// Largest relative error the robust predictions discount by.
    pub robust_error_cap: f64,
    /// After the searched segments, the buffer must carry this many more seconds of content
    /// (capped by what remains of a VOD) at the last level, or the shortfall is scored as
    /// rebuffering: a long-horizon view that keeps the search from spending the buffer on
    /// levels the link cannot keep (`0` = off).
    pub terminal_horizon_s: f64,
    /// The same long view, shorter, for sequences that stay or go down: keeping a level the
    /// link no longer carries is paid for before the buffer is gone (`0` = off).
    pub stay_horizon_s: f64,
    /// An up-switch must also be chosen by the search with the up prediction scaled by this
    /// (hysteresis against noise: up slowly, down at once; `1` = off).
    pub up_confidence: f64,
    /// An up-switch waits while the last sample exceeds the prediction by more than this
    /// fraction: the estimate is still rising (or the sample is a spike), and waiting one
    /// segment turns two steps up into one (`0` = off).
    pub up_settle: f64,
    /// An up-move the up prediction does not sustain is still made when the buffer less one
    /// segment covers the level's shortfall over this many seconds (`0` = off).
    pub up_cover_s: f64,
    /// The search may keep a level the link no longer carries, spending the buffer to save a
    /// switch; never one whose rate is more than this x the prediction: on the real 3G traces
    /// a link that fell that far kept falling, and the buffer was gone when it did (`0` = off).
    pub max_over_prediction: f64,
    /// An up-move must survive the worst of the last `worst_window` segment throughputs: its
    /// segment, fetched at that rate, arrives within `worst_fit` x today's buffer (`0` = off).
    /// A link that fell below the lowest rung minutes ago can fall there again, and a 10 s
    /// segment of a higher level then stalls where the level kept would not.
    pub worst_window: usize,
    pub worst_fit: f64,
    /// The worst case forgets a fall the link has left behind: a sample of the window stops
    /// counting once each of the last `worst_forget_after` samples is more than
    /// `worst_forget_ratio` x it (`0` = never). A throttle that ended must not hold the lowest
    /// level for the whole window; a burst shorter than `worst_forget_after` segments must not
    /// erase the fall before it.
    pub worst_forget_after: usize,
    pub worst_forget_ratio: f64,
    /// A sample below this x the lowest level's rate (a fall the lowest rung itself stalls on,
    /// the one that predicts the next fall on mobile links) is never forgotten within the
    /// window (`0`: every sample may be).
    pub worst_keep_below: f64,
    /// ... unless the last `worst_forget_after` samples all exceed this x the top level's rate:
    /// a link that carries the whole ladder with that margin is not the mobile link that fell
    /// (a throttle that ended; `0`: never).
    pub worst_forget_top: f64,
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
            long_segment_s: 6.0,
            short: SegmentRegime {
                prediction: Prediction::RobustHarmonic,
                up_prediction: None,
                // RobustMPC's discount, uncapped: on the real traces the cap cost more in
                // stalls than it won in up-moves.
                robust_error_cap: f64::INFINITY,
                terminal_horizon_s: 30.0,
                stay_horizon_s: 0.0,
                up_confidence: 1.0,
                up_settle: 0.0,
                up_cover_s: 30.0,
                max_over_prediction: 2.5,
                worst_window: 0,
                worst_fit: 0.0,
                worst_forget_after: 0,
                worst_forget_ratio: 0.0,
                worst_keep_below: 0.0,
                worst_forget_top: 0.0,
            },
            long: SegmentRegime {
                prediction: Prediction::Ewma,
                up_prediction: Some(Prediction::RobustEwma),
                robust_error_cap: 0.3,
                terminal_horizon_s: 300.0,
                stay_horizon_s: 60.0,
                up_confidence: 0.9,
                up_settle: 0.2,
                up_cover_s: 0.0,
                max_over_prediction: 0.0,
                worst_window: 10,
                worst_fit: 1.0,
                worst_forget_after: 2,
                worst_forget_ratio: 2.0,
                worst_keep_below: 0.8,
                worst_forget_top: 2.0,
            },
            up_safety: 1.0,
            abandon_patient: true,
            no_partial_up: true,
            abandon_latest_s: 0.5,
            abandon_dead_link_bps: 0.0,
            fetch_guard: 0.8,
            min_up_switch_interval: 0.0,
            abandon: true,
            abandon_min_transfer_s: 0.5,
            abandon_window_s: 2.0,
            abandon_gain: 0.7,
            abandon_fit: 0.5,
        }
    }
}

impl AbrConfig {
    /// The regime for segments of `segment_duration` seconds.
    pub fn regime(&self, segment_duration: f64) -> &SegmentRegime {
        if segment_duration < self.long_segment_s {
            &self.short
        } else {
            &self.long
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
    /// RobustMPC's: the harmonic mean of the last `history` samples over (1 + largest recent
    /// relative error).
    RobustHarmonic,
}

impl Prediction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ewma" => Some(Prediction::Ewma),
            "robust-ewma" => Some(Prediction::RobustEwma),
            "robust-harmonic" => Some(Prediction::RobustHarmonic),
            _ => None,
        }
    }
}
