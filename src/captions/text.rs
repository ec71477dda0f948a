//! Text helpers written out by hand because the standard ones cost the wasm package dearly:
//! `str::find(&str)` pulls the two-way searcher (~5 KB), `String::from_utf8_lossy` ~1 KB.
use std::borrow::Cow;

/// `bytes` as text, each invalid UTF-8 sequence replaced by U+FFFD.
pub(super) fn utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    let mut rest = bytes;
    let mut out = String::new();
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) if out.is_empty() => return Cow::Borrowed(valid),
            Ok(valid) => {
                out.push_str(valid);
                return Cow::Owned(out);
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                let bad = e.error_len().unwrap_or(after.len());
                rest = after.get(bad..).unwrap_or_default();
            }
        }
    }
}

/// Where `needle` (ASCII at both ends, so a match lies on char boundaries) first occurs in
/// `hay`.
pub(super) fn find(hay: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_utf8_replaces_each_bad_sequence_like_the_standard_one() {
        for bytes in [
            b"plain".as_slice(),
            b"",
            b"\xff",
            b"a\xffb\xc3",
            b"caf\xc3\xa9 \xe2\x82 x",
            b"\xf0\x9f\x98\x80\xed\xa0\x80",
        ] {
            assert_eq!(
                utf8_lossy(bytes),
                String::from_utf8_lossy(bytes),
                "{bytes:?}"
            );
        }
        assert!(matches!(utf8_lossy(b"ok"), Cow::Borrowed("ok")));
    }

    #[test]
    fn find_matches_str_find() {
        for (hay, needle) in [
            ("a --> b", "-->"),
            ("--", "-->"),
            ("é-->", "-->"),
            ("x", ""),
            ("]]]>", "]]>"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
        }
    }
}
