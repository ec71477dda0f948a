//! HLS playlists (RFC 8216): the model, the parser, URL resolution and the live-reload merge.

mod model;

pub use model::*;

/// Options for [`parse`].
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Carry the playlist URL's CloudFront signed-URL query (`Policy`, `Signature`, `Key-Pair-Id`,
    /// `Expires`, `Hash-Algorithm`) onto child URIs of the same origin.
    pub propagate_signed_query: bool,
}
