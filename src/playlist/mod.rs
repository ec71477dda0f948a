//! HLS playlists (RFC 8216): the model, the parser, URL resolution and the live-reload merge.
//!
//! The parser is hand-written (one pass over lines, no regex): every malformed line is an error
//! naming its line number, never a silent drop or a panic, and [`Limits`] bound the memory used.

mod attrs;
pub mod codecs;
mod define;
mod error;
mod merge;
mod model;
mod parser;
pub mod url;

pub(crate) use attrs::parse_float;
pub use define::Variables;
pub use error::{PlaylistError, PlaylistErrorKind, PlaylistWarning};
pub use merge::MergeOutcome;
pub use model::*;

/// Bounds on what one playlist may make the parser hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_playlist_bytes: usize,
    pub max_line_bytes: usize,
    pub max_segments: usize,
    /// EXT-X-STREAM-INF (and, separately, EXT-X-I-FRAME-STREAM-INF) entries.
    pub max_variants: usize,
    /// EXT-X-MEDIA (and, separately, EXT-X-SESSION-DATA) entries.
    pub max_renditions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_playlist_bytes: 16 << 20,
            max_line_bytes: 64 << 10,
            max_segments: 100_000,
            max_variants: 1_000,
            max_renditions: 1_000,
        }
    }
}

/// Options for [`parse`].
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Carry the playlist URL's CloudFront signed-URL query (`Policy`, `Signature`, `Key-Pair-Id`,
    /// `Expires`, `Hash-Algorithm`) onto child URIs of the same origin.
    pub propagate_signed_query: bool,
    pub limits: Limits,
    /// The multivariant playlist's EXT-X-DEFINE variables ([`MasterPlaylist::variables`]), for
    /// a media playlist's `EXT-X-DEFINE:IMPORT`.
    pub variables: Variables,
}

/// Parses a master or media playlist fetched from `url` (an absolute http/https URL, against
/// which every URI in it is resolved).
pub fn parse(input: &[u8], url: &str, options: &ParseOptions) -> Result<Playlist, PlaylistError> {
    parser::parse(input, url, options)
}

/// Parses a master playlist; a media playlist is an error.
pub fn parse_master(
    input: &[u8],
    url: &str,
    options: &ParseOptions,
) -> Result<MasterPlaylist, PlaylistError> {
    match parse(input, url, options)? {
        Playlist::Master(m) => Ok(m),
        Playlist::Media(_) => Err(wrong_kind("master", "media")),
    }
}

/// Parses a media playlist; a master playlist is an error.
pub fn parse_media(
    input: &[u8],
    url: &str,
    options: &ParseOptions,
) -> Result<MediaPlaylist, PlaylistError> {
    match parse(input, url, options)? {
        Playlist::Media(m) => Ok(m),
        Playlist::Master(_) => Err(wrong_kind("media", "master")),
    }
}

fn wrong_kind(expected: &'static str, found: &'static str) -> PlaylistError {
    PlaylistError {
        line: 0,
        kind: PlaylistErrorKind::WrongKind { expected, found },
    }
}

/// Places a reloaded live media playlist on the previous one's timeline by media sequence
/// (sliding window): overlapping segments keep their `start`, new ones continue from there.
/// A reload whose window moved backwards is an error (a stale cache answered); the previous
/// playlist stays valid. A delta update (EXT-X-SKIP) gets its skipped segments back from
/// `previous`; if `previous` does not hold them all, that is an `Unsupported` error.
pub fn merge_live(
    previous: &MediaPlaylist,
    reloaded: MediaPlaylist,
) -> Result<MergeOutcome, PlaylistError> {
    merge::merge_live(previous, reloaded)
}
