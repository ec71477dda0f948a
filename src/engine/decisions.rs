//! The engine's decisions as lines for the app's debug log (`debug` config): which level and
//! why, which request is retried and when, why credentials are refreshed, which key is fetched.
//! Made only with `EngineConfig::debug`; URLs are redacted when the record is made.

use std::fmt;

use super::auth::redact_url;
use super::fixed::Fixed;
use super::types::{Output, SwitchReason};
use super::{Engine, SegmentRemuxer};

/// One decision, with what it was made from.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// The level changed.
    Level {
        from: Option<usize>,
        to: usize,
        reason: SwitchReason,
        /// The ABR's estimate and the buffer ahead when it chose.
        estimate_bps: f64,
        buffer_s: f64,
        /// The level's playlist.
        url: String,
    },
    /// A request failed (`what`) and is sent again after `delay_s`.
    Retry {
        what: String,
        attempt: u32,
        delay_s: f64,
        url: String,
    },
    /// Fresh credentials are asked from the app: after the CDN refused `refused`, or ahead of
    /// their known expiry.
    CredentialsRefresh { refused: Option<String> },
    /// A decryption key is fetched.
    KeyFetch { url: String },
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Level {
                from,
                to,
                reason,
                estimate_bps,
                buffer_s,
                url,
            } => {
                f.write_str("level ")?;
                if let Some(from) = from {
                    write!(f, "{from} -> ")?;
                }
                write!(
                    f,
                    "{to} ({}; estimate {} Mbit/s, buffer {} s) {url}",
                    reason.as_str(),
                    Fixed(estimate_bps / 1e6, 2),
                    Fixed(*buffer_s, 1)
                )
            }
            Decision::Retry {
                what,
                attempt,
                delay_s,
                url,
            } => write!(
                f,
                "retry {attempt} in {} s ({what}) {url}",
                Fixed(*delay_s, 2)
            ),
            Decision::CredentialsRefresh { refused: Some(url) } => {
                write!(f, "credentials refresh: the CDN refused {url}")
            }
            Decision::CredentialsRefresh { refused: None } => {
                f.write_str("credentials refresh: ahead of their expiry")
            }
            Decision::KeyFetch { url } => write!(f, "key fetch {url}"),
        }
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    /// Whether the app asked for decisions: a call site builds its [`Decision`] only then.
    pub(super) fn debugging(&self) -> bool {
        self.cfg.debug
    }

    /// Records a decision (call only when [`Self::debugging`]). Not generic over a closure
    /// that builds it: one copy of this in the wasm.
    pub(super) fn decided(&mut self, decision: Decision) {
        self.out.push_back(Output::Debug(decision));
    }

    /// The level choice just made.
    pub(super) fn decided_level(&mut self, from: Option<usize>, to: usize, reason: SwitchReason) {
        if !self.debugging() {
            return;
        }
        let url = self
            .levels
            .get(to)
            .map_or(String::new(), |l| redact_url(&l.media.uri));
        self.decided(Decision::Level {
            from,
            to,
            reason,
            estimate_bps: self.abr.estimate_bps(),
            buffer_s: self.forward_buffer(),
            url,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_line_names_both_levels_the_reason_and_what_it_was_chosen_from() {
        let d = Decision::Level {
            from: Some(0),
            to: 2,
            reason: SwitchReason::Abr,
            estimate_bps: 5_250_000.0,
            buffer_s: 12.34,
            url: "https://cdn.example/720p.m3u8".into(),
        };
        assert_eq!(
            d.to_string(),
            "level 0 -> 2 (abr; estimate 5.25 Mbit/s, buffer 12.3 s) https://cdn.example/720p.m3u8"
        );
    }

    #[test]
    fn the_first_level_has_no_from_and_a_refresh_says_why() {
        let d = Decision::Level {
            from: None,
            to: 1,
            reason: SwitchReason::Start,
            estimate_bps: 500_000.0,
            buffer_s: 0.0,
            url: "u".into(),
        };
        assert_eq!(
            d.to_string(),
            "level 1 (start; estimate 0.50 Mbit/s, buffer 0.0 s) u"
        );
        let ahead = Decision::CredentialsRefresh { refused: None };
        assert_eq!(
            ahead.to_string(),
            "credentials refresh: ahead of their expiry"
        );
    }
}
