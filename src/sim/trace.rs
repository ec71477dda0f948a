//! Network traces in Pensieve's "cooked" format: one line per interval,
//! `<time_seconds> <throughput_mbps> [<ttfb_ms>]`. Each rate holds until the next line's time;
//! the last one for the mean interval. Traces wrap around when a session outlasts them.

/// A throughput trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub name: String,
    /// (start time relative to the first line, Mbps, TTFB seconds if given)
    points: Vec<(f64, f64, Option<f64>)>,
    period: f64,
}

impl Trace {
    /// Parse a trace; errors name the line.
    pub fn parse(name: &str, text: &str) -> Result<Trace, String> {
        let mut raw: Vec<(f64, f64, Option<f64>)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split_whitespace();
            let bad = |what: &str| format!("{name}: line {}: bad {what}: `{line}`", i + 1);
            let t: f64 = cols
                .next()
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| bad("time"))?;
            let r: f64 = cols
                .next()
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| bad("throughput"))?;
            let ttfb = match cols.next() {
                Some(c) => Some(c.parse::<f64>().map_err(|_| bad("ttfb"))? / 1000.0),
                None => None,
            };
            if !(t.is_finite() && r.is_finite() && r >= 0.0) || raw.last().is_some_and(|p| t <= p.0)
            {
                return Err(bad("line (times must increase, rates be >= 0)"));
            }
            raw.push((t, r, ttfb));
        }
        let (Some(first), Some(last)) = (raw.first().copied(), raw.last().copied()) else {
            return Err(format!("{name}: empty trace"));
        };
        let mean = if raw.len() > 1 {
            (last.0 - first.0) / (raw.len() - 1) as f64
        } else {
            1.0
        };
        let points: Vec<_> = raw.iter().map(|&(t, r, f)| (t - first.0, r, f)).collect();
        Ok(Trace {
            name: name.to_string(),
            period: last.0 - first.0 + mean,
            points,
        })
    }

    /// A constant trace.
    pub fn constant(name: &str, mbps: f64, duration: f64) -> Trace {
        Trace {
            name: name.to_string(),
            points: vec![(0.0, mbps, None)],
            period: duration.max(1.0),
        }
    }

    pub fn period(&self) -> f64 {
        self.period
    }

    fn index(&self, t: f64) -> (usize, f64) {
        let wraps = (t / self.period).floor();
        let local = t - wraps * self.period;
        let i = self
            .points
            .partition_point(|p| p.0 <= local)
            .saturating_sub(1);
        (i, wraps * self.period)
    }

    /// Throughput at time `t`, bytes per second.
    pub fn bytes_per_s(&self, t: f64) -> f64 {
        let (i, _) = self.index(t);
        self.points.get(i).map_or(0.0, |p| p.1 * 1e6 / 8.0)
    }

    /// TTFB at time `t`, when the trace gives one.
    pub fn ttfb(&self, t: f64) -> Option<f64> {
        let (i, _) = self.index(t);
        self.points.get(i).and_then(|p| p.2)
    }

    /// The first time after `t` at which the rate changes.
    pub fn next_change(&self, t: f64) -> f64 {
        let (i, base) = self.index(t);
        let next = self
            .points
            .get(i + 1)
            .map_or(base + self.period, |p| base + p.0);
        if next <= t {
            t + 1e-6
        } else {
            next
        }
    }

    /// Time to move `bytes` starting at `start` (after TTFB), given the whole link.
    pub fn transfer_time(&self, start: f64, bytes: f64) -> f64 {
        let mut t = start;
        let mut left = bytes;
        for _ in 0..1_000_000 {
            if left <= 0.0 {
                break;
            }
            let rate = self.bytes_per_s(t);
            let next = self.next_change(t);
            let can = rate * (next - t);
            if can >= left {
                return t + left / rate - start;
            }
            left -= can;
            t = next;
        }
        t - start
    }

    /// The mean throughput over `[start, start + len)`, bytes per second.
    pub fn mean_bytes_per_s(&self, start: f64, len: f64) -> f64 {
        let end = start + len.max(1e-9);
        let (mut t, mut bytes) = (start, 0.0);
        while t < end {
            let next = self.next_change(t).min(end);
            bytes += self.bytes_per_s(t) * (next - t);
            t = next;
        }
        bytes / (end - start)
    }

    pub fn mean_mbps(&self) -> f64 {
        let mut sum = 0.0;
        for (i, p) in self.points.iter().enumerate() {
            let end = self.points.get(i + 1).map_or(self.period, |n| n.0);
            sum += p.1 * (end - p.0);
        }
        sum / self.period
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_wraps() {
        let t = Trace::parse("x", "0 1.0\n1 2.0 600\n2 4.0\n").unwrap();
        assert_eq!(t.period(), 3.0);
        assert_eq!(t.bytes_per_s(0.5), 125_000.0);
        assert_eq!(t.bytes_per_s(1.5), 250_000.0);
        assert_eq!(t.ttfb(1.2), Some(0.6));
        assert_eq!(t.bytes_per_s(3.5), 125_000.0); // wrapped
        assert_eq!(t.next_change(0.2), 1.0);
        assert_eq!(t.next_change(2.5), 3.0);
        // 1 s at 1 Mbps + 0.5 s at 2 Mbps = 250 kB
        assert!((t.transfer_time(0.0, 250_000.0) - 1.5).abs() < 1e-9);
    }

    #[test]
    fn the_mean_over_a_window_weighs_each_rate_by_its_time() {
        let t = Trace::parse("x", "0 1\n10 3\n20 1\n").unwrap();
        // 5 s at 1 Mbps and 5 s at 3 Mbps: 2 Mbps.
        assert!((t.mean_bytes_per_s(5.0, 10.0) - 2e6 / 8.0).abs() < 1e-6);
        // Across the wrap (period 30 s): 1 Mbps on both sides.
        assert!((t.mean_bytes_per_s(25.0, 10.0) - 1e6 / 8.0).abs() < 1e-6);
    }

    #[test]
    fn rejects_bad_lines() {
        assert!(Trace::parse("x", "0 1\n0 2\n")
            .unwrap_err()
            .contains("line 2"));
        assert!(Trace::parse("x", "0 abc\n").is_err());
        assert!(Trace::parse("x", "").is_err());
    }
}
