//! RFC 6381 codec strings as Media Source Extensions accept them.
//!
//! Some packagers (MediaConvert among them) write H.264 as legacy decimal `avc1.PROFILE.LEVEL`
//! (`avc1.77.30`), which `MediaSource.isTypeSupported` rejects; MSE wants `avc1.PPCCLL` in hex.

/// Normalises a comma-separated CODECS list for MSE:
/// - `avc1`/`avc3` hex (`avc1.4D401F`) lowercased: `avc1.4d401f`;
/// - legacy decimal `avc1.77.30` to hex with constraint flags 0: `avc1.4d001e`;
/// - `mp4a.40.02` to `mp4a.40.2` (object type without leading zeros);
/// - anything else passed through, trimmed. Entries are joined with `,`.
pub fn normalize(codecs: &str) -> String {
    let mut out = String::with_capacity(codecs.len() + 4);
    for entry in codecs.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if !out.is_empty() {
            out.push(',');
        }
        normalize_one(entry, &mut out);
    }
    out
}

fn normalize_one(entry: &str, out: &mut String) {
    let (fourcc, rest) = entry.split_once('.').unwrap_or((entry, ""));
    if fourcc.eq_ignore_ascii_case("avc1") || fourcc.eq_ignore_ascii_case("avc3") {
        if rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str(&fourcc.to_ascii_lowercase());
            out.push('.');
            out.push_str(&rest.to_ascii_lowercase());
            return;
        }
        if let Some((profile, level)) = rest.split_once('.') {
            if let (Some(p), Some(l)) = (small_decimal(profile), small_decimal(level)) {
                out.push_str(&fourcc.to_ascii_lowercase());
                out.push_str(&format!(".{p:02x}00{l:02x}"));
                return;
            }
        }
    } else if fourcc.eq_ignore_ascii_case("mp4a") {
        if let Some((oti, object_type)) = rest.split_once('.') {
            if let Some(t) = small_decimal(object_type) {
                out.push_str("mp4a.");
                out.push_str(&oti.to_ascii_lowercase());
                out.push_str(&format!(".{t}"));
                return;
            }
        }
    }
    out.push_str(entry);
}

/// A 1-3 digit decimal number below 256.
fn small_decimal(s: &str) -> Option<u8> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn legacy_decimal_avc1_becomes_hex() {
        assert_eq!(normalize("avc1.77.30"), "avc1.4d001e");
        assert_eq!(normalize("avc1.100.40"), "avc1.640028");
        assert_eq!(normalize("avc1.66.30,mp4a.40.2"), "avc1.42001e,mp4a.40.2");
    }

    #[test]
    fn hex_avc1_lowercased() {
        assert_eq!(normalize("avc1.4D401F"), "avc1.4d401f");
        assert_eq!(normalize("AVC3.640028"), "avc3.640028");
    }

    #[test]
    fn mp4a_and_others() {
        assert_eq!(normalize("mp4a.40.02"), "mp4a.40.2");
        assert_eq!(normalize("mp4a.40.5"), "mp4a.40.5");
        assert_eq!(normalize("mp4a.6B"), "mp4a.6B");
        assert_eq!(normalize("hvc1.1.6.L93.B0, ec-3"), "hvc1.1.6.L93.B0,ec-3");
        assert_eq!(
            normalize(" avc1.4d401e , mp4a.40.2 ,"),
            "avc1.4d401e,mp4a.40.2"
        );
    }

    #[test]
    fn out_of_range_decimal_passes_through() {
        assert_eq!(normalize("avc1.777.30"), "avc1.777.30");
        assert_eq!(normalize("avc1.77"), "avc1.77");
        assert_eq!(normalize("avc1.4d40"), "avc1.4d40");
        assert_eq!(normalize(""), "");
    }
}
