//! The one place the engine turns playlist bytes into the model: `crate::playlist::parse`,
//! with the CloudFront signed-URL query carried onto same-origin child URIs when configured.

use crate::playlist::{self, ParseOptions, Playlist, PlaylistError, Variables};

/// Parse a playlist fetched from `url`. The error names the URL and the line.
pub fn parse_playlist(
    data: &[u8],
    url: &str,
    propagate_signed_query: bool,
) -> Result<Playlist, String> {
    parse_typed(data, url, propagate_signed_query, &Variables::default())
        .map_err(|e| describe(&e, url))
}

/// The same, with the typed error (its line inside); `variables` are the master playlist's
/// (for a media playlist's EXT-X-DEFINE:IMPORT).
pub(super) fn parse_typed(
    data: &[u8],
    url: &str,
    propagate_signed_query: bool,
    variables: &Variables,
) -> Result<Playlist, PlaylistError> {
    let options = ParseOptions {
        propagate_signed_query,
        variables: variables.clone(),
        ..ParseOptions::default()
    };
    playlist::parse(data, url, &options)
}

/// `URL: line N: what`, the URL redacted.
pub(super) fn describe(e: &PlaylistError, url: &str) -> String {
    format!("{}: {e}", super::redact_url(url))
}

/// Resolve `reference` against `base`; an unresolvable pair yields `reference` unchanged.
pub fn resolve(base: &str, reference: &str) -> String {
    playlist::url::resolve(base, reference).unwrap_or_else(|_| reference.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_and_media() {
        let m = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=960x540,CODECS=\"avc1.4d401f,mp4a.40.2\"\nb_540.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\n/x/b_360.m3u8\n";
        let Playlist::Master(m) =
            parse_playlist(m.as_bytes(), "https://c.example/v/b.m3u8", true).unwrap()
        else {
            panic!("not master")
        };
        assert_eq!(m.variants[0].uri, "https://c.example/v/b_540.m3u8");
        assert_eq!(m.variants[0].resolution.unwrap().height, 540);
        assert_eq!(m.variants[1].uri, "https://c.example/x/b_360.m3u8");
        let p = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:5\n#EXTINF:10,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:9.5,\nb.ts\n#EXT-X-ENDLIST\n";
        let Playlist::Media(p) =
            parse_playlist(p.as_bytes(), "https://c.example/v/b_360.m3u8", true).unwrap()
        else {
            panic!("not media")
        };
        assert!(p.ended);
        assert_eq!(p.segments[1].sequence, 6);
        assert!(p.segments[1].discontinuity);
        assert_eq!(p.segments[1].start, 10.0);
    }

    #[test]
    fn signed_query_carried_to_children() {
        let m = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\nb_360.m3u8\n";
        let url = "https://c.example/v/b.m3u8?Policy=p&Signature=s&Key-Pair-Id=k";
        let Playlist::Master(m) = parse_playlist(m.as_bytes(), url, true).unwrap() else {
            panic!("not master")
        };
        assert!(
            m.variants[0].uri.contains("Signature=s"),
            "{}",
            m.variants[0].uri
        );
        // Off (cookie mode): children keep their own URIs.
        let Playlist::Master(m) = parse_playlist(
            b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb_360.m3u8\n",
            url,
            false,
        )
        .unwrap() else {
            panic!("not master")
        };
        assert_eq!(m.variants[0].uri, "https://c.example/v/b_360.m3u8");
    }

    #[test]
    fn errors_name_the_line_and_hide_signatures() {
        let e = parse_playlist(
            b"#EXTM3U\n#EXTINF:abc,\na.ts\n",
            "https://c/v/x.m3u8?Signature=secret",
            true,
        )
        .unwrap_err();
        assert!(e.contains('2'), "{e}");
        assert!(!e.contains("secret"), "{e}");
        assert!(parse_playlist(b"nope", "https://c/v/x.m3u8", true).is_err());
    }
}
