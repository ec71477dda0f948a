//! Adaptive bitrate: the bandwidth estimator and the level-choice rules.

mod baselines;
mod config;
pub mod estimator;
mod lookahead;
mod published;
mod rule;
#[cfg(test)]
mod test_support;

pub use baselines::{HlsJsConfig, HlsJsRule, ThroughputRule};
pub use config::{AbrConfig, Prediction, SegmentRegime};
pub use estimator::{BandwidthEstimator, EstimatorConfig, Ewma};
pub use lookahead::Lookahead;
pub use published::{BolaRule, RobustMpc};
pub use rule::{Abr, AbrContext, AbrKind, AbrLevel, LoadProgress, SegmentSample};
