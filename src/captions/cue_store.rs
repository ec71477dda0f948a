//! The cues held for one subtitle track, sorted by start: segments repeat the cues that span
//! their boundaries (MediaConvert writes such a cue in every segment it overlaps, RFC 8216
//! §3.5 asks for it), so adding a segment's cues keeps only the ones not held yet and says
//! which those are, for the browser layer to add as `VTTCue`s.
use super::Cue;

/// Times closer than this are the same time (cue times are whole milliseconds in the file;
/// placement adds float error).
const SAME_TIME: f64 = 0.001;

/// A held cue's identity, for the browser layer to find its `VTTCue` again on removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CueId(pub u64);

/// A cue as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCue {
    pub id: CueId,
    pub cue: Cue,
}

/// The cues of one subtitle track (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct CueStore {
    /// Sorted by start, then end.
    cues: Vec<StoredCue>,
    next_id: u64,
}

impl CueStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a segment's cues; those already held (same start and end within a millisecond,
    /// same text) and those with times that are not finite are dropped. Returns the cues added,
    /// sorted.
    pub fn add(&mut self, cues: impl IntoIterator<Item = Cue>) -> Vec<StoredCue> {
        let mut added: Vec<StoredCue> = Vec::new();
        for cue in cues {
            // Checked against the store, which already holds the batch's earlier cues.
            if !(cue.start.is_finite() && cue.end.is_finite()) || self.holds(&cue) {
                continue;
            }
            let id = CueId(self.next_id);
            self.next_id += 1;
            let stored = StoredCue { id, cue };
            insert_sorted(&mut added, stored.clone());
            insert_sorted(&mut self.cues, stored);
        }
        added
    }

    /// Whether a cue like `cue` is held.
    fn holds(&self, cue: &Cue) -> bool {
        let from = self
            .cues
            .partition_point(|c| c.cue.start < cue.start - SAME_TIME);
        self.cues
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.cue.start <= cue.start + SAME_TIME)
            .any(|c| same(&c.cue, cue))
    }

    /// Remove the cues that end at or before `t` (the back-buffer window moved past them).
    /// Returns their ids.
    pub fn remove_before(&mut self, t: f64) -> Vec<CueId> {
        let mut removed = Vec::new();
        self.cues.retain(|c| {
            let keep = c.cue.end > t;
            if !keep {
                removed.push(c.id);
            }
            keep
        });
        removed
    }

    /// Forget every cue (a seek outside what is held, a track switch). Returns their ids.
    pub fn clear(&mut self) -> Vec<CueId> {
        let mut ids = Vec::with_capacity(self.cues.len());
        for c in self.cues.drain(..) {
            ids.push(c.id);
        }
        ids
    }

    /// The cues held, sorted by start.
    pub fn cues(&self) -> &[StoredCue] {
        &self.cues
    }

    pub fn len(&self) -> usize {
        self.cues.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }
}

fn same(a: &Cue, b: &Cue) -> bool {
    (a.start - b.start).abs() <= SAME_TIME && (a.end - b.end).abs() <= SAME_TIME && a.text == b.text
}

/// Insert after every cue that starts earlier, or at the same time and ends no later: a
/// segment adds a few cues to a few hundred, so a binary search and a move beat a sort (and
/// `sort_by` costs the wasm package ~3 KB).
fn insert_sorted(v: &mut Vec<StoredCue>, c: StoredCue) {
    let at = v.partition_point(|o| {
        o.cue.start < c.cue.start || (o.cue.start == c.cue.start && o.cue.end <= c.cue.end)
    });
    v.insert(at, c);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: f64, end: f64, text: &str) -> Cue {
        Cue {
            start,
            end,
            text: text.into(),
            line: None,
        }
    }

    fn texts(v: &[StoredCue]) -> Vec<&str> {
        v.iter().map(|c| c.cue.text.as_str()).collect()
    }

    #[test]
    fn repeated_cue_across_a_boundary_is_added_once() {
        let mut store = CueStore::new();
        // Segment 1 [0, 6): "b" spans into segment 2, which repeats it (float error included).
        let first = store.add([cue(1.0, 3.0, "a"), cue(5.0, 8.0, "b")]);
        let second = store.add([cue(5.0004, 7.9996, "b"), cue(8.0, 9.0, "c")]);
        assert_eq!(texts(&first), ["a", "b"]);
        assert_eq!(texts(&second), ["c"]);
        assert_eq!(texts(store.cues()), ["a", "b", "c"]);
    }

    #[test]
    fn same_times_other_text_or_times_off_by_more_than_a_millisecond_are_new() {
        let mut store = CueStore::new();
        store.add([cue(5.0, 8.0, "b")]);
        let added = store.add([cue(5.0, 8.0, "B"), cue(5.002, 8.0, "b"), cue(5.0, 8.0, "b")]);
        assert_eq!(texts(&added), ["B", "b"]);
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn kept_sorted_when_segments_arrive_out_of_order() {
        let mut store = CueStore::new();
        store.add([cue(600.0, 601.0, "late")]);
        store.add([cue(10.0, 11.0, "early"), cue(5.0, 6.0, "first")]);
        store.add([cue(300.0, 302.0, "middle")]);
        assert_eq!(texts(store.cues()), ["first", "early", "middle", "late"]);
    }

    #[test]
    fn ids_are_unique_and_removal_reports_them() {
        let mut store = CueStore::new();
        let added = store.add([cue(1.0, 2.0, "a"), cue(2.0, 4.0, "b"), cue(5.0, 6.0, "c")]);
        let ids: Vec<_> = added.iter().map(|c| c.id).collect();
        // "b" ends after 3 s: still partly in the window, kept.
        assert_eq!(store.remove_before(3.0), [ids[0]]);
        assert_eq!(texts(store.cues()), ["b", "c"]);
        assert_eq!(store.clear(), [ids[1], ids[2]]);
        assert!(store.is_empty());
        // After a clear the same cue is new again, with a new id.
        let again = store.add([cue(1.0, 2.0, "a")]);
        assert!(!ids.contains(&again[0].id));
    }

    #[test]
    fn duplicates_inside_one_batch_and_non_finite_times_dropped() {
        let mut store = CueStore::new();
        let added = store.add([
            cue(1.0, 2.0, "a"),
            cue(1.0, 2.0, "a"),
            cue(f64::NAN, 2.0, "nan"),
            cue(1.0, f64::INFINITY, "inf"),
        ]);
        assert_eq!(texts(&added), ["a"]);
    }

    #[test]
    fn long_and_short_segments_dedupe_the_same_way() {
        // One cue every 4 s for 900 s; 300 s segments and 6 s segments both repeat the cues
        // that cross their ends.
        let all: Vec<Cue> = (0..225)
            .map(|i| {
                cue(
                    f64::from(i) * 4.0 + 1.0,
                    f64::from(i) * 4.0 + 4.5,
                    &format!("{i}"),
                )
            })
            .collect();
        for seg in [300.0, 6.0] {
            let mut store = CueStore::new();
            let mut added = 0;
            let mut start = 0.0;
            while start < 900.0 {
                let end = start + seg;
                let in_seg = all
                    .iter()
                    .filter(|c| c.end > start && c.start < end)
                    .cloned();
                added += store.add(in_seg).len();
                start = end;
            }
            assert_eq!(added, 225, "segment length {seg}");
            assert_eq!(store.len(), 225);
        }
    }
}
