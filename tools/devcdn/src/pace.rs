//! Bandwidth pacing: a link is a virtual clock of when it is next free; each chunk reserves its
//! transmission time at the current rate and is released when that time has passed. One link per
//! response (per connection: HTTP/1.1 serves one response at a time) or one shared by all.
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A throughput trace in the simulator's format: `<time_seconds> <throughput_mbps> [ttfb_ms]` per
/// line (`#` comments and blank lines ignored), played in a loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// (start seconds, bits per second, ttfb ms) sorted by start.
    points: Vec<(f64, f64, Option<u64>)>,
    period: f64,
}

/// Traces longer than this are refused (a trace is a test script, not a data set).
const MAX_TRACE_LINES: usize = 100_000;

impl Trace {
    pub fn parse(text: &str) -> Result<Trace, String> {
        let mut points: Vec<(f64, f64, Option<u64>)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if points.len() >= MAX_TRACE_LINES {
                return Err(format!("more than {MAX_TRACE_LINES} lines"));
            }
            let bad = |what: &str| format!("line {}: {what}: `{line}`", n + 1);
            let mut fields = line.split_whitespace();
            let t: f64 = fields
                .next()
                .and_then(|f| f.parse().ok())
                .filter(|t: &f64| t.is_finite() && *t >= 0.0)
                .ok_or_else(|| bad("time is not a number >= 0"))?;
            let mbps: f64 = fields
                .next()
                .and_then(|f| f.parse().ok())
                .filter(|m: &f64| m.is_finite() && *m >= 0.0)
                .ok_or_else(|| bad("throughput is not a number >= 0"))?;
            let ttfb = match fields.next() {
                None => None,
                Some(f) => Some(
                    f.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .ok_or_else(|| bad("ttfb is not a number >= 0"))?
                        as u64,
                ),
            };
            if fields.next().is_some() {
                return Err(bad("more than 3 fields"));
            }
            if points.last().is_some_and(|&(prev, _, _)| t <= prev) {
                return Err(bad("times must increase"));
            }
            points.push((t, mbps * 1e6, ttfb));
        }
        let (last, before) = match points.as_slice() {
            [] => return Err("no data lines".into()),
            [.., before, last] => (last.0, Some(before.0)),
            [only] => (only.0, None),
        };
        // The last line lasts as long as the interval before it (1 s for a single line).
        let period = last + before.map_or(1.0, |b| last - b);
        Ok(Trace { points, period })
    }

    /// (bits per second, ttfb ms) at `elapsed` seconds since the trace started.
    pub fn at(&self, elapsed: f64) -> (f64, Option<u64>) {
        let t = if self.period > 0.0 {
            elapsed.rem_euclid(self.period)
        } else {
            0.0
        };
        let point = self
            .points
            .iter()
            .rev()
            .find(|p| p.0 <= t)
            .or(self.points.first());
        point.map_or((0.0, None), |p| (p.1, p.2))
    }
}

/// How much sender lateness within one response is made up by sending sooner.
pub const CATCH_UP: Duration = Duration::from_secs(1);

/// Below this a link is treated as this slow rather than stopped (a 0 in a trace).
const MIN_BPS: f64 = 8_000.0;

/// A link: when it is next free.
#[derive(Debug)]
pub struct Link {
    next_free: Mutex<Option<Instant>>,
}

impl Default for Link {
    fn default() -> Self {
        Link::new()
    }
}

impl Link {
    pub fn new() -> Link {
        Link {
            next_free: Mutex::new(None),
        }
    }

    /// Reserves the link for `bytes` at `bps`; returns when those bytes have gone through.
    /// `continuing`: the caller sent the previous chunk too, so lateness since then is the sender
    /// waking late (a loaded machine), not an idle link, and up to `CATCH_UP` of it is made up.
    /// A new response on an idle link starts now: no burst credit.
    pub fn reserve(&self, bytes: usize, bps: f64, continuing: bool) -> Instant {
        let now = Instant::now();
        let mut guard = match self.next_free.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let floor = if continuing {
            now.checked_sub(CATCH_UP).unwrap_or(now)
        } else {
            now
        };
        let start = guard.map_or(now, |t| t.max(floor));
        let secs = bytes as f64 * 8.0 / bps.max(MIN_BPS);
        let done = start + Duration::from_secs_f64(secs.min(3600.0));
        *guard = Some(done);
        done
    }
}

/// Chunk size for a rate: about 20 ms of data, between 1 KiB and 64 KiB.
pub fn chunk_size(bps: Option<f64>) -> usize {
    match bps {
        None => 64 * 1024,
        Some(bps) => ((bps / 8.0 * 0.02) as usize).clamp(1024, 64 * 1024),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_parse_and_loop() {
        let t = Trace::parse("# t mbps ttfb\n0 1.5\n2 3 40\n\n4 0.5\n").unwrap();
        assert_eq!(t.at(0.0), (1.5e6, None));
        assert_eq!(t.at(2.5), (3e6, Some(40)));
        assert_eq!(t.at(4.1), (0.5e6, None));
        // Period 6 s: 6.5 s is 0.5 s into the next loop.
        assert_eq!(t.at(6.5), (1.5e6, None));
        assert!(Trace::parse("").is_err());
        assert!(Trace::parse("1 2\n1 3").unwrap_err().contains("line 2"));
        assert!(Trace::parse("0 x").unwrap_err().contains("line 1"));
        assert!(Trace::parse("0 -1").is_err());
        assert!(Trace::parse("0 1 2 3").is_err());
        assert!(Trace::parse("NaN 1").is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn reservations_follow_the_rate_and_make_up_lateness() {
        let link = Link::new();
        let t0 = Instant::now();
        // 1000 bytes at 8 kbit/s = 1 s each; back to back.
        assert_eq!(
            link.reserve(1000, 8000.0, false) - t0,
            Duration::from_secs(1)
        );
        assert_eq!(
            link.reserve(1000, 8000.0, true) - t0,
            Duration::from_secs(2)
        );
        // The sender wakes 0.5 s late mid-response: the next chunk is due as if it had not.
        tokio::time::advance(Duration::from_millis(2500)).await;
        assert_eq!(
            link.reserve(1000, 8000.0, true) - t0,
            Duration::from_secs(3)
        );
        // A new response after 5 s idle starts now, with no credit.
        tokio::time::advance(Duration::from_secs(5)).await;
        let now = Instant::now();
        assert_eq!(
            link.reserve(1000, 8000.0, false) - now,
            Duration::from_secs(1)
        );
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_size(None), 65536);
        assert_eq!(chunk_size(Some(1e3)), 1024);
        assert_eq!(chunk_size(Some(8e6)), 20_000);
    }
}
