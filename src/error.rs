//! What kind of failure an error is, shared by the demuxer's and the transmuxer's errors (and
//! the engine's remux failure), so callers act on a variant rather than on message text.

/// The category of a failure. Each error's message starts with the same word
/// ([`ErrorCategory::as_str`]), e.g. `malformed: no program association table …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// The input breaks its format: no sync bytes, no PAT/PMT, no frames, no SPS/PPS.
    Malformed,
    /// Valid input this player does not handle (e.g. a program without H.264, AAC or MPEG
    /// audio).
    Unsupported,
    /// A bound on the input was reached (e.g. a segment larger than the transmuxer accepts).
    Limit,
}

impl ErrorCategory {
    /// The word the messages of this category start with.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::Malformed => "malformed",
            ErrorCategory::Unsupported => "unsupported",
            ErrorCategory::Limit => "limit",
        }
    }
}
