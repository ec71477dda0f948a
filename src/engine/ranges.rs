//! Time ranges (what is buffered), bounded.

fn starts_before(a: &(f64, f64), b: &(f64, f64)) -> bool {
    a.0.total_cmp(&b.0).is_lt()
}

/// Sorted, disjoint time ranges in seconds. Bounded: at most [`Ranges::MAX`] ranges are kept
/// (the oldest are dropped), so a pathological stream cannot grow it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranges(Vec<(f64, f64)>);

impl Ranges {
    pub const MAX: usize = 64;

    pub fn from_vec(mut v: Vec<(f64, f64)>) -> Self {
        v.retain(|(s, e)| s.is_finite() && e.is_finite() && e > s);
        super::sort::sort_stable_by(&mut v, starts_before);
        let mut r = Ranges(Vec::with_capacity(v.len()));
        for (s, e) in v {
            r.add(s, e);
        }
        r
    }

    pub fn as_slice(&self) -> &[(f64, f64)] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, start: f64, end: f64) {
        if !(start.is_finite() && end.is_finite() && end > start) {
            return;
        }
        let (mut s, mut e) = (start, end);
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for &(a, b) in &self.0 {
            if b < s || a > e {
                out.push((a, b));
            } else {
                s = s.min(a);
                e = e.max(b);
            }
        }
        out.push((s, e));
        super::sort::sort_stable_by(&mut out, starts_before);
        while out.len() > Self::MAX {
            out.remove(0);
        }
        self.0 = out;
    }

    pub fn remove(&mut self, start: f64, end: f64) {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for &(a, b) in &self.0 {
            if b <= start || a >= end {
                out.push((a, b));
                continue;
            }
            if a < start {
                out.push((a, start));
            }
            if b > end {
                out.push((end, b));
            }
        }
        self.0 = out;
    }

    /// End of the buffered run that holds `pos`, bridging holes up to `tolerance` seconds.
    /// `None` when `pos` is not buffered (within `tolerance`).
    pub fn end_from(&self, pos: f64, tolerance: f64) -> Option<f64> {
        let mut end: Option<f64> = None;
        for &(a, b) in &self.0 {
            match end {
                None if a <= pos + tolerance && b > pos => end = Some(b),
                Some(e) if a <= e + tolerance => end = Some(e.max(b)),
                Some(_) => break,
                None => {}
            }
        }
        end
    }

    /// Seconds buffered ahead of `pos`.
    pub fn ahead(&self, pos: f64, tolerance: f64) -> f64 {
        self.end_from(pos, tolerance)
            .map_or(0.0, |e| (e - pos).max(0.0))
    }

    /// Start of the first range beginning after `pos`.
    pub fn next_start_after(&self, pos: f64) -> Option<f64> {
        self.0.iter().map(|r| r.0).find(|&a| a > pos)
    }

    /// What both hold (the element's `buffered` is this over its SourceBuffers).
    pub fn intersect(&self, other: &Ranges) -> Ranges {
        let mut out = Vec::new();
        for &(a, b) in &self.0 {
            for &(c, d) in &other.0 {
                let (s, e) = (a.max(c), b.min(d));
                if e > s {
                    out.push((s, e));
                }
            }
        }
        Ranges::from_vec(out)
    }

    /// What every one of `all` holds; empty when there is none.
    pub fn intersection<'a>(all: impl IntoIterator<Item = &'a Ranges>) -> Ranges {
        let mut it = all.into_iter();
        let first = it.next().cloned().unwrap_or_default();
        it.fold(first, |acc, r| acc.intersect(r))
    }

    /// Earliest buffered time.
    pub fn start(&self) -> Option<f64> {
        self.0.first().map(|r| r.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_merges_and_remove_splits() {
        let mut r = Ranges::default();
        r.add(0.0, 10.0);
        r.add(20.0, 30.0);
        r.add(10.0, 20.0);
        assert_eq!(r.as_slice(), &[(0.0, 30.0)]);
        r.remove(5.0, 8.0);
        assert_eq!(r.as_slice(), &[(0.0, 5.0), (8.0, 30.0)]);
        r.remove(0.0, 100.0);
        assert!(r.is_empty());
    }

    #[test]
    fn end_from_bridges_small_holes_only() {
        let r = Ranges::from_vec(vec![(0.0, 10.0), (10.05, 20.0), (25.0, 30.0)]);
        assert_eq!(r.end_from(3.0, 0.1), Some(20.0));
        assert_eq!(r.end_from(3.0, 0.01), Some(10.0));
        assert_eq!(r.end_from(22.0, 0.1), None);
        assert_eq!(r.next_start_after(22.0), Some(25.0));
        assert!((r.ahead(15.0, 0.1) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn intersect_keeps_what_both_hold() {
        let a = Ranges::from_vec(vec![(0.0, 10.0), (20.0, 30.0)]);
        let b = Ranges::from_vec(vec![(5.0, 25.0)]);
        assert_eq!(a.intersect(&b).as_slice(), &[(5.0, 10.0), (20.0, 25.0)]);
        assert!(a.intersect(&Ranges::default()).is_empty());
    }

    #[test]
    fn ranges_are_bounded() {
        let mut r = Ranges::default();
        for i in 0..1000 {
            r.add(i as f64 * 2.0, i as f64 * 2.0 + 1.0);
        }
        assert_eq!(r.as_slice().len(), Ranges::MAX);
    }
}
