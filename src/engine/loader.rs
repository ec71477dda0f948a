//! Requests: identifiers, what each is for, timeouts, and the retry schedule (exponential backoff
//! with jitter from a seeded generator, so runs are reproducible).

use crate::playlist::ByteRange;

use super::types::StreamKind;

/// Identifies one request for its whole life, retries included (a retry reuses the id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a request fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// The playlist the player was given (master, or a media playlist used directly).
    Manifest,
    /// The media playlist of a level.
    LevelPlaylist { level: usize },
    /// A media segment of a level.
    Segment { level: usize, sequence: u64 },
    /// The media playlist of an audio track (EXT-X-MEDIA TYPE=AUDIO with a URI).
    AudioPlaylist { track: usize },
    /// A media segment of an audio track.
    AudioSegment { track: usize, sequence: u64 },
    /// The media playlist of a subtitle track (EXT-X-MEDIA TYPE=SUBTITLES).
    SubtitlePlaylist { track: usize },
    /// A segment of a subtitle track (WebVTT, or IMSC1 in fMP4).
    SubtitleSegment { track: usize, sequence: u64 },
    /// The init segment (EXT-X-MAP) of a subtitle track's fMP4 segments.
    SubtitleInit { track: usize },
    /// The init segment (EXT-X-MAP) of the next fMP4 segment of a stream.
    InitSegment { stream: StreamKind },
    /// A decryption key (EXT-X-KEY URI); small, so it has the playlists' timeouts.
    Key,
}

impl RequestKind {
    pub fn is_segment(&self) -> bool {
        matches!(
            self,
            RequestKind::Segment { .. }
                | RequestKind::AudioSegment { .. }
                | RequestKind::InitSegment { .. }
                | RequestKind::SubtitleSegment { .. }
                | RequestKind::SubtitleInit { .. }
        )
    }

    /// A request of the subtitle stream (its failures never stop playback).
    pub fn is_subtitle(&self) -> bool {
        matches!(
            self,
            RequestKind::SubtitlePlaylist { .. }
                | RequestKind::SubtitleSegment { .. }
                | RequestKind::SubtitleInit { .. }
        )
    }

    /// A media segment (its body can be pushed to a remuxer as it arrives).
    pub fn is_media_segment(&self) -> bool {
        matches!(
            self,
            RequestKind::Segment { .. } | RequestKind::AudioSegment { .. }
        )
    }
}

/// Timeouts and retries for one class of request.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Seconds from request to first byte.
    pub ttfb_timeout: f64,
    /// Seconds from request to last byte.
    pub total_timeout: f64,
    /// Seconds without a new byte, once the body has started: a response that sent headers
    /// and some body then went silent is a timeout long before `total_timeout`.
    pub idle_timeout: f64,
    /// Retries after network errors and 5xx.
    pub max_error_retries: u32,
    /// Retries after timeouts.
    pub max_timeout_retries: u32,
    /// First backoff, seconds; doubles each retry.
    pub backoff_base: f64,
    /// Backoff ceiling, seconds.
    pub backoff_max: f64,
    /// Jitter: the delay is scaled by a uniform factor in `[1 - jitter, 1 + jitter]`.
    pub jitter: f64,
}

impl RetryPolicy {
    /// Segments: as hls.js's fragment policy, but the total bound scales with the segment.
    pub fn segments() -> Self {
        RetryPolicy {
            ttfb_timeout: 10.0,
            total_timeout: 120.0,
            // As Shaka's stallTimeout: a live connection delivers a chunk well within 5 s even
            // at the lowest rung's rate; silence that long is a dead transfer.
            idle_timeout: 5.0,
            max_error_retries: 6,
            max_timeout_retries: 4,
            backoff_base: 1.0,
            backoff_max: 8.0,
            jitter: 0.25,
        }
    }

    /// Playlists: small, so shorter timeouts.
    pub fn playlists() -> Self {
        RetryPolicy {
            ttfb_timeout: 10.0,
            total_timeout: 20.0,
            idle_timeout: 5.0,
            max_error_retries: 4,
            max_timeout_retries: 2,
            backoff_base: 1.0,
            backoff_max: 8.0,
            jitter: 0.25,
        }
    }

    /// Delay before retry number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32, rng: &mut Rng) -> f64 {
        let exp = self.backoff_base * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let base = exp.min(self.backoff_max);
        let j = self.jitter.clamp(0.0, 1.0);
        base * (1.0 - j + 2.0 * j * rng.next_f64())
    }
}

/// Why a request failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// Status 0: no response (network down, CORS, or a refused request without CORS headers).
    Network,
    /// No first byte (`ttfb`), no new byte for `idle_timeout` (`idle`), or no last byte in time.
    Timeout {
        ttfb: bool,
        idle: bool,
    },
    Http(u16),
}

/// splitmix64: tiny, seeded, good enough for jitter.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RequestState {
    /// Sent; waiting for bytes.
    InFlight,
    /// Failed; sent again at `at`.
    RetryAt(f64),
    /// Refused by the CDN; waiting for the app to refresh credentials.
    WaitingCredentials,
}

/// One logical request.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    pub kind: RequestKind,
    pub url: String,
    pub range: Option<ByteRange>,
    pub state: RequestState,
    /// Time the current attempt was sent.
    pub sent_at: f64,
    pub first_byte_at: Option<f64>,
    /// Time of the last `Progress` that brought new bytes.
    pub last_progress_at: Option<f64>,
    pub loaded: u64,
    pub total: Option<u64>,
    pub error_retries: u32,
    pub timeout_retries: u32,
    /// Already retried once after a credentials refresh.
    pub auth_retried: bool,
}

impl Request {
    pub fn new(id: RequestId, kind: RequestKind, url: String, range: Option<ByteRange>) -> Self {
        Request {
            id,
            kind,
            url,
            range,
            state: RequestState::InFlight,
            sent_at: 0.0,
            first_byte_at: None,
            last_progress_at: None,
            loaded: 0,
            total: None,
            error_retries: 0,
            timeout_retries: 0,
            auth_retried: false,
        }
    }

    /// The deadline of the current attempt, if in flight.
    pub fn deadline(&self, policy: &RetryPolicy) -> Option<f64> {
        match self.state {
            RequestState::InFlight => Some(match self.first_byte_at {
                None => {
                    (self.sent_at + policy.ttfb_timeout).min(self.sent_at + policy.total_timeout)
                }
                Some(fb) => {
                    let idle = self.last_progress_at.unwrap_or(fb) + policy.idle_timeout;
                    (self.sent_at + policy.total_timeout).min(idle)
                }
            }),
            RequestState::RetryAt(at) => Some(at),
            RequestState::WaitingCredentials => None,
        }
    }

    /// Decide whether to retry after `failure`; updates the counters. `None`: give up.
    pub fn retry_delay(
        &mut self,
        failure: FailureClass,
        policy: &RetryPolicy,
        rng: &mut Rng,
    ) -> Option<f64> {
        let retryable = match failure {
            FailureClass::Network => true,
            FailureClass::Timeout { .. } => true,
            FailureClass::Http(s) => s >= 500 || s == 408 || s == 429,
        };
        if !retryable {
            return None;
        }
        let attempt = match failure {
            FailureClass::Timeout { .. } => {
                self.timeout_retries += 1;
                if self.timeout_retries > policy.max_timeout_retries {
                    return None;
                }
                self.timeout_retries
            }
            _ => {
                self.error_retries += 1;
                if self.error_retries > policy.max_error_retries {
                    return None;
                }
                self.error_retries
            }
        };
        Some(policy.backoff(attempt, rng))
    }

    /// Whether the current attempt's deadline is the idle one (body started, then silence).
    pub fn idle_expired(&self, policy: &RetryPolicy, now: f64) -> bool {
        match (self.state, self.first_byte_at) {
            (RequestState::InFlight, Some(fb)) => {
                now >= self.last_progress_at.unwrap_or(fb) + policy.idle_timeout
                    && now < self.sent_at + policy.total_timeout
            }
            _ => false,
        }
    }

    pub fn reset_progress(&mut self) {
        self.first_byte_at = None;
        self.last_progress_at = None;
        self.loaded = 0;
        self.total = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = RetryPolicy::segments();
        let mut rng = Rng::new(7);
        for attempt in 1..=6 {
            let d = p.backoff(attempt, &mut rng);
            let base = (2f64.powi(attempt as i32 - 1)).min(8.0);
            assert!(
                d >= base * 0.75 && d <= base * 1.25,
                "attempt {attempt}: {d}"
            );
        }
    }

    #[test]
    fn same_seed_same_jitter() {
        let p = RetryPolicy::segments();
        let a: Vec<f64> = {
            let mut r = Rng::new(42);
            (1..5).map(|i| p.backoff(i, &mut r)).collect()
        };
        let b: Vec<f64> = {
            let mut r = Rng::new(42);
            (1..5).map(|i| p.backoff(i, &mut r)).collect()
        };
        assert_eq!(a, b);
    }

    #[test]
    fn retries_are_bounded_and_4xx_not_retried() {
        let p = RetryPolicy::segments();
        let mut rng = Rng::new(1);
        let mut r = Request::new(RequestId(1), RequestKind::Manifest, "u".into(), None);
        assert_eq!(r.retry_delay(FailureClass::Http(404), &p, &mut rng), None);
        let mut n = 0;
        while r
            .retry_delay(FailureClass::Http(503), &p, &mut rng)
            .is_some()
        {
            n += 1;
            assert!(n < 100);
        }
        assert_eq!(n, p.max_error_retries);
    }
}
