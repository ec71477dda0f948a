//! When a SourceBuffer needs `changeType()`: the next init segment's codecs differ from the
//! ones the SourceBuffer was created or last changed for in more than the level (HE-AAC and
//! AAC-LC, H.264 Baseline and High, H.264 and HEVC, AAC and AC-3). A new init segment of the
//! same codec and profile at another level needs nothing: browsers switch on the init alone,
//! and the ladders of one encoder differ that way on every level switch.

/// The codecs of a MIME type (`video/mp4; codecs="avc1.4d401f,mp4a.40.2"`), as written.
pub(super) fn codecs_of(mime: &str) -> &str {
    mime.split_once("codecs=")
        .map_or("", |(_, c)| c.trim().trim_matches('"'))
}

/// What must match for an init to need no `changeType`: the sample entry and, for H.264
/// and HEVC, the profile (`avc1.64` of `avc1.64001f`, `hvc1.2` of `hvc1.2.4.L120.90`); for
/// anything else the whole string (`mp4a.40.5` differs from `mp4a.40.2`).
fn family(codec: &str) -> String {
    let c = codec.trim().to_ascii_lowercase();
    let (fourcc, rest) = c.split_once('.').unwrap_or((&c, ""));
    match fourcc {
        "avc1" | "avc3" => format!("avc.{}", rest.get(..2).unwrap_or(rest)),
        "hvc1" | "hev1" => format!("hevc.{}", rest.split('.').next().unwrap_or_default()),
        _ => c.clone(),
    }
}

/// Whether appending an init for `new` to a SourceBuffer set up for `old` needs
/// `changeType()` first (both are MIME types).
pub(super) fn needs_change_type(old: &str, new: &str) -> bool {
    let families = |m: &str| -> Vec<String> { codecs_of(m).split(',').map(family).collect() };
    mime_type(old) != mime_type(new) || families(old) != families(new)
}

/// `video/mp4` of `video/mp4; codecs="…"`.
fn mime_type(mime: &str) -> &str {
    mime.split(';').next().unwrap_or_default().trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mime(kind: &str, codecs: &str) -> String {
        format!("{kind}/mp4; codecs=\"{codecs}\"")
    }

    #[test]
    fn another_level_of_the_same_profile_needs_no_change() {
        let (a, b) = (mime("video", "avc1.4d401e"), mime("video", "avc1.4d401f"));
        assert!(!needs_change_type(&a, &b));
        let (a, b) = (
            mime("video", "hvc1.2.4.L120.90"),
            mime("video", "hvc1.2.4.L93.90"),
        );
        assert!(!needs_change_type(&a, &b));
        let a = mime("audio", "mp4a.40.2");
        assert!(!needs_change_type(&a, &a));
    }

    #[test]
    fn another_profile_codec_or_audio_object_type_needs_change_type() {
        let cases = [
            ("audio", "mp4a.40.5", "mp4a.40.2"),
            ("video", "avc1.42e01e", "avc1.64001f"),
            ("video", "avc1.4d401f", "hvc1.1.6.L93.90"),
            ("audio", "mp4a.40.2", "ac-3"),
            ("video", "avc1.4d401e,mp4a.40.2", "avc1.4d401e,mp4a.40.5"),
        ];
        for (kind, old, new) in cases {
            assert!(
                needs_change_type(&mime(kind, old), &mime(kind, new)),
                "{old} -> {new}"
            );
        }
    }

    #[test]
    fn the_codecs_are_read_from_the_mime_type() {
        assert_eq!(codecs_of("audio/mp4; codecs=\"mp4a.40.5\""), "mp4a.40.5");
        assert_eq!(codecs_of("video/mp4"), "");
    }
}
