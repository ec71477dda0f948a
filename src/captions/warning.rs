//! Warnings about cues left out: a bad cue never stops a subtitle segment, it is reported with
//! the segment (its URL or index, as the caller named it) and the line it is on.

/// More warnings than this from one segment are counted, not kept (garbage input would
/// otherwise cost a warning per line).
const MAX_WARNINGS: usize = 32;

/// One cue (or header line) left out, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("segment {segment}, line {line}: {problem}")]
pub struct CueWarning {
    pub segment: String,
    /// 1-based line in the segment's text (WebVTT) or document (TTML).
    pub line: usize,
    pub problem: CueProblem,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CueProblem {
    #[error("bad cue timing `{0}`")]
    BadTiming(String),
    /// Times in milliseconds (integers: formatting an f64 costs the wasm package ~10 KB).
    #[error("cue ends at {end_ms} ms, not after its start at {start_ms} ms")]
    EndNotAfterStart { start_ms: i64, end_ms: i64 },
    #[error("block without a cue timing line")]
    NoTiming,
    #[error("bad X-TIMESTAMP-MAP `{0}`, cue times taken as MPEG-TS times")]
    BadTimestampMap(String),
    #[error("bad time expression `{0}`")]
    BadTime(String),
    #[error("paragraph without an end (no end, dur or enclosing end)")]
    NoEnd,
    #[error("XML: {0}")]
    Xml(&'static str),
    #[error("{0} more warnings not kept")]
    More(usize),
}

/// Text quoted in a warning is cut to this many characters.
const QUOTE: usize = 40;

/// `s` cut for quoting in a warning.
pub(super) fn quote(s: &str) -> String {
    let end = s.char_indices().nth(QUOTE).map_or(s.len(), |(at, _)| at);
    s.get(..end).unwrap_or(s).to_owned()
}

/// Seconds as whole milliseconds, for a warning (`as` saturates).
pub(super) fn ms(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// The warnings of one segment, bounded.
#[derive(Debug)]
pub(super) struct Warnings<'a> {
    segment: &'a str,
    kept: Vec<CueWarning>,
    dropped: usize,
}

impl<'a> Warnings<'a> {
    pub(super) fn new(segment: &'a str) -> Self {
        Self {
            segment,
            kept: Vec::new(),
            dropped: 0,
        }
    }

    pub(super) fn push(&mut self, line: usize, problem: CueProblem) {
        if self.kept.len() < MAX_WARNINGS {
            self.kept.push(CueWarning {
                segment: self.segment.to_owned(),
                line,
                problem,
            });
        } else {
            self.dropped += 1;
        }
    }

    /// The warnings kept, and one counting the rest.
    pub(super) fn finish(mut self, last_line: usize) -> Vec<CueWarning> {
        if self.dropped > 0 {
            self.kept.push(CueWarning {
                segment: self.segment.to_owned(),
                line: last_line,
                problem: CueProblem::More(self.dropped),
            });
        }
        self.kept
    }
}
