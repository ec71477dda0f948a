//! Adaptive bitrate: the bandwidth estimator and the level-choice rules.

pub mod estimator;
pub mod rules;

pub use estimator::{BandwidthEstimator, EstimatorConfig, Ewma};
pub use rules::{
    Abr, AbrConfig, AbrContext, AbrKind, AbrLevel, HlsJsConfig, HlsJsRule, LoadProgress, Lookahead,
    Prediction, SegmentSample, ThroughputRule,
};
