//! The playlist error: every problem names the 1-based line it was found on (0 for the whole file).

use super::url::UrlError;

/// A playlist could not be parsed or merged. Displays as `line 7: EXT-X-STREAM-INF without BANDWIDTH`,
/// or without the line for problems that are not on one (size limit, wrong kind, a merge).
#[derive(Debug, Clone, PartialEq)]
pub struct PlaylistError {
    /// 1-based line number; 0 when the problem is not on a line (size limit, base URL, wrong
    /// kind, merge).
    pub line: usize,
    pub kind: PlaylistErrorKind,
}

impl std::fmt::Display for PlaylistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.kind),
            line => write!(f, "line {line}: {}", self.kind),
        }
    }
}

impl std::error::Error for PlaylistError {}

/// Something the parser accepted but left out or worked around. Displays as
/// `line 9: EXTINF without a URI at the end of the playlist: segment dropped`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistWarning {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for PlaylistWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What went wrong, by category.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlaylistErrorKind {
    /// The first line (after any comments) is not `#EXTM3U`.
    #[error("not a playlist: missing #EXTM3U")]
    MissingHeader,
    /// The bytes of this line are not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The line breaks RFC 8216 in the way described.
    #[error("{0}")]
    Malformed(String),
    /// Valid HLS that this player does not handle (e.g. `METHOD=SAMPLE-AES-CTR`).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A [`Limits`](super::Limits) bound was reached; parsing stopped instead of growing memory.
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// A URI could not be resolved, or resolves to a scheme other than http/https.
    #[error("{0}")]
    Url(#[from] UrlError),
    /// `parse_master` was given a media playlist, or the reverse.
    #[error("expected a {expected} playlist, found a {found} playlist")]
    WrongKind {
        expected: &'static str,
        found: &'static str,
    },
    /// A live reload's media sequence is lower than the previous playlist's.
    #[error("live reload went backwards: media sequence {reloaded} (last segment {reloaded_last}) after {previous} (last segment {previous_last})")]
    ReloadWentBackwards {
        previous: u64,
        previous_last: u64,
        reloaded: u64,
        reloaded_last: u64,
    },
}

impl PlaylistError {
    pub(crate) fn new(line: usize, kind: PlaylistErrorKind) -> Self {
        Self { line, kind }
    }

    pub(crate) fn malformed(line: usize, message: impl Into<String>) -> Self {
        Self::new(line, PlaylistErrorKind::Malformed(message.into()))
    }

    pub(crate) fn unsupported(line: usize, message: impl Into<String>) -> Self {
        Self::new(line, PlaylistErrorKind::Unsupported(message.into()))
    }

    pub(crate) fn limit(line: usize, message: impl Into<String>) -> Self {
        Self::new(line, PlaylistErrorKind::Limit(message.into()))
    }
}
