//! A request failed: classify it (CDN refusal, not found, retryable), then refresh credentials,
//! skip or penalise, step down, retry after a backoff, or give up with one fatal error.

use super::auth::{judge_refusal, redact_url, CdnErrorCode, RefusalVerdict};
use super::decisions::Decision;
use super::fixed;
use super::loader::{FailureClass, RequestId, RequestKind, RequestState};
use super::types::{ErrorCause, NotFoundPolicy, StreamKind, SwitchReason};
use super::{Engine, SegmentRemuxer};

/// A segment timeout steps down only with less than this many seconds buffered ahead.
const STEP_DOWN_ON_TIMEOUT_BELOW_S: f64 = 15.0;

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn on_failure(&mut self, id: RequestId, class: FailureClass, body: Option<&str>) {
        self.drop_stream_of(id);
        let Some(r) = self.requests.get(id) else {
            return;
        };
        let kind = r.kind;
        let url = r.url.clone();
        let auth_retried = r.auth_retried;
        // A refusal from the CDN: refresh credentials once, then retry the same URL.
        if let Some(status) = refusal_status(class) {
            match judge_refusal(status, body, auth_retried) {
                RefusalVerdict::Refresh => {
                    self.hold_for_credentials(id, status, body, &url);
                    return;
                }
                RefusalVerdict::Fatal(msg) => {
                    let code = body.and_then(CdnErrorCode::from_body);
                    let cause = ErrorCause::Refused { status, code };
                    self.error(cause, msg, true, Some(&url));
                    return;
                }
                RefusalVerdict::Network => {}
            }
        }
        if let FailureClass::Http(404 | 410) = class {
            match kind {
                RequestKind::SubtitlePlaylist { .. }
                | RequestKind::SubtitleSegment { .. }
                | RequestKind::SubtitleInit { .. } => {
                    self.subtitle_given_up(id, cause_of(class), describe(class, 0.0));
                    return;
                }
                RequestKind::Segment { level, .. } => {
                    self.requests.remove(id);
                    self.fetch_not_found(level, class, &url);
                    return;
                }
                RequestKind::AudioSegment { .. } => {
                    self.requests.remove(id);
                    self.skip_not_found(StreamKind::Audio, class, &url);
                    return;
                }
                RequestKind::LevelPlaylist { level } => {
                    self.requests.remove(id);
                    if let Some(l) = self.levels.get_mut(level) {
                        l.media.req = None;
                    }
                    let details = "media playlist not found".into();
                    self.level_failed(level, details, &url, cause_of(class));
                    return;
                }
                // No other rendition carries this audio (or this init segment): give up with a
                // fatal error, below.
                RequestKind::AudioPlaylist { .. }
                | RequestKind::InitSegment { .. }
                | RequestKind::Key
                | RequestKind::Manifest => {}
            }
        }
        let policy = self.policy(kind).clone();
        let delay = self
            .requests
            .get_mut(id)
            .and_then(|r| r.retry_delay(class, &policy, &mut self.rng));
        let what = describe(class, policy.idle_timeout);
        if delay.is_some() && self.step_down_after(id, class, &what, &url) {
            return;
        }
        if delay.is_none() && kind.is_subtitle() {
            self.subtitle_given_up(id, cause_of(class), what);
            return;
        }
        self.retry_or_fail(id, delay, cause_of(class), &what, &url);
    }

    /// A segment whose body timed out while the buffer runs low: the link is worse than the
    /// level needs, so the retry comes from a lower level at once (as an abandon) when there is
    /// one. With a healthy buffer a short outage is ridden out at the same level: stepping down
    /// and back up would cost two switches for nothing. `true` when it stepped down.
    fn step_down_after(
        &mut self,
        id: RequestId,
        class: FailureClass,
        what: &str,
        url: &str,
    ) -> bool {
        let body_timeout = matches!(class, FailureClass::Timeout { ttfb: false, .. });
        let fetch_level = self
            .main
            .fetch
            .as_ref()
            .filter(|f| f.id == id)
            .map(|f| f.level);
        let low_buffer = self.forward_buffer() < STEP_DOWN_ON_TIMEOUT_BELOW_S;
        let Some(level) = fetch_level.filter(|_| body_timeout) else {
            return false;
        };
        if self.switching.manual.is_some() || !low_buffer {
            return false;
        }
        let allowed = self.allowed();
        let choice = self.choose_level();
        let Some(lower) = (0..level)
            .rev()
            .find(|&l| l <= choice && allowed.get(l).copied().unwrap_or(false))
        else {
            return false;
        };
        let details = format!("{what}; retrying from level {lower}");
        self.error(cause_of(class), details, false, Some(url));
        self.requests.remove(id);
        self.main.fetch = None;
        self.switching.forced_next = Some(lower);
        self.switch_to(lower, SwitchReason::Abandon);
        true
    }

    /// Retry after `delay`, or one fatal error when the retries are spent.
    fn retry_or_fail(
        &mut self,
        id: RequestId,
        delay: Option<f64>,
        cause: ErrorCause,
        what: &str,
        url: &str,
    ) {
        match delay {
            Some(d) => {
                let at = self.now + d;
                if let Some(r) = self.requests.get_mut(id) {
                    r.state = RequestState::RetryAt(at);
                }
                let details = format!("{what}; retry in {} s", fixed::Fixed(d, 2));
                if self.debugging() {
                    let attempt = self
                        .requests
                        .get(id)
                        .map_or(0, |r| r.error_retries + r.timeout_retries);
                    self.decided(Decision::Retry {
                        what: what.to_string(),
                        attempt,
                        delay_s: d,
                        url: redact_url(url),
                    });
                }
                self.error(cause, details, false, Some(url));
            }
            None => {
                let tries = self
                    .requests
                    .get(id)
                    .map_or(0, |r| r.error_retries + r.timeout_retries);
                let details = format!("{what}; giving up after {tries} retries");
                self.error(cause, details, true, Some(url));
            }
        }
    }

    /// A main segment answered 404/410: fetch the same time from another level, or skip it.
    fn fetch_not_found(&mut self, level: usize, class: FailureClass, url: &str) {
        if self.main.fetch.is_none() {
            return;
        }
        let other = self.cfg.not_found == NotFoundPolicy::PenaliseLevel
            && self.penalise(level)
            && self.allowed().iter().any(|&a| a);
        if other {
            self.main.fetch = None;
            let details = "segment not found; level penalised".into();
            self.error(cause_of(class), details, false, Some(url));
            // Fetch the same time from another level.
            return;
        }
        self.skip_not_found(StreamKind::Main, class, url);
    }

    /// Skip a missing segment: the hole it leaves is jumped.
    fn skip_not_found(&mut self, kind: StreamKind, class: FailureClass, url: &str) {
        let Some(fetch) = self.stream_mut(kind).and_then(|s| s.fetch.take()) else {
            return;
        };
        let details = "segment not found; skipped".into();
        self.error(cause_of(class), details, false, Some(url));
        self.playhead.skipped(fetch.seg.start, fetch.seg.end());
        if let Some(st) = self.stream_mut(kind) {
            st.jump_to(fetch.seg.end());
        }
    }
}

/// The status to judge as a possible CDN refusal (403, or status 0).
fn refusal_status(class: FailureClass) -> Option<u16> {
    match class {
        FailureClass::Http(403) => Some(403),
        FailureClass::Network => Some(0),
        _ => None,
    }
}

/// The typed cause of a failure that is not a CDN refusal.
fn cause_of(class: FailureClass) -> ErrorCause {
    match class {
        FailureClass::Network => ErrorCause::Network,
        FailureClass::Timeout { ttfb, idle } => ErrorCause::Timeout {
            first_byte: ttfb,
            idle,
        },
        FailureClass::Http(status) => ErrorCause::Http { status },
    }
}

/// What happened, for the error event.
fn describe(class: FailureClass, idle_timeout: f64) -> String {
    match class {
        FailureClass::Network => {
            "network error (status 0: no response, or a CDN refusal without CORS headers)"
                .to_string()
        }
        FailureClass::Timeout { ttfb: true, .. } => "no first byte in time".to_string(),
        FailureClass::Timeout { idle: true, .. } => format!(
            "download stalled: no data for {} s",
            fixed::Fixed(idle_timeout, 0)
        ),
        FailureClass::Timeout { .. } => "download too slow".to_string(),
        FailureClass::Http(s) => format!("HTTP {s}"),
    }
}
