//! When a SourceBuffer needs `changeType()`: the next init segment's codecs differ from the
//! ones the SourceBuffer was created or last changed for in more than the level (HE-AAC and
//! AAC-LC, H.264 Baseline and High, H.264 and HEVC, AAC and AC-3). A new init segment of the
//! same codec and profile at another level needs nothing: browsers switch on the init alone,
//! and the ladders of one encoder differ that way on every level switch.

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

/// Whether appending an init for codecs `new` to a SourceBuffer set up for codecs `old`
/// (`avc1.4d401f,mp4a.40.2`) needs `changeType()` first.
pub(super) fn needs_change_type(old: &str, new: &str) -> bool {
    let (mut old, mut new) = (old.split(','), new.split(','));
    loop {
        match (old.next(), new.next()) {
            (None, None) => return false,
            (Some(a), Some(b)) if family(a) == family(b) => {}
            _ => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_level_of_the_same_profile_needs_no_change() {
        assert!(!needs_change_type("avc1.4d401e", "avc1.4d401f"));
        assert!(!needs_change_type("hvc1.2.4.L120.90", "hvc1.2.4.L93.90"));
        assert!(!needs_change_type("mp4a.40.2", "mp4a.40.2"));
        assert!(!needs_change_type(
            "avc1.4d401e,mp4a.40.2",
            "avc1.4d401f,mp4a.40.2"
        ));
    }

    #[test]
    fn another_profile_codec_or_audio_object_type_needs_change_type() {
        let cases = [
            ("mp4a.40.5", "mp4a.40.2"),
            ("avc1.42e01e", "avc1.64001f"),
            ("avc1.4d401f", "hvc1.1.6.L93.90"),
            ("mp4a.40.2", "ac-3"),
            ("avc1.4d401e,mp4a.40.2", "avc1.4d401e,mp4a.40.5"),
            ("avc1.4d401e,mp4a.40.2", "avc1.4d401e"),
        ];
        for (old, new) in cases {
            assert!(needs_change_type(old, new), "{old} -> {new}");
        }
    }
}
