//! Language tags as playlists and browsers write them: RFC 5646 tags (`en`, `en-US`,
//! `pt-BR`, what `navigator.language` gives and RFC 8216 asks for in LANGUAGE) and the ISO
//! 639-2 three-letter codes encoders often write instead (MediaConvert's `eng`, `fre`, `ger`).
//! Two tags name the same language when their primary subtags do, after mapping a
//! three-letter code to its two-letter one.

/// ISO 639-2 codes (bibliographic and terminology forms) of the languages streams are most
/// often dubbed or subtitled in, with their ISO 639-1 code.
const THREE_TO_TWO: &[(&str, &str)] = &[
    ("ara", "ar"),
    ("bul", "bg"),
    ("cat", "ca"),
    ("ces", "cs"),
    ("chi", "zh"),
    ("cze", "cs"),
    ("dan", "da"),
    ("deu", "de"),
    ("dut", "nl"),
    ("ell", "el"),
    ("eng", "en"),
    ("est", "et"),
    ("fas", "fa"),
    ("fin", "fi"),
    ("fra", "fr"),
    ("fre", "fr"),
    ("ger", "de"),
    ("gre", "el"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("hun", "hu"),
    ("ind", "id"),
    ("ita", "it"),
    ("jpn", "ja"),
    ("kor", "ko"),
    ("lav", "lv"),
    ("lit", "lt"),
    ("msa", "ms"),
    ("may", "ms"),
    ("nld", "nl"),
    ("nor", "no"),
    ("per", "fa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("ron", "ro"),
    ("rum", "ro"),
    ("rus", "ru"),
    ("slk", "sk"),
    ("slo", "sk"),
    ("slv", "sl"),
    ("spa", "es"),
    ("srp", "sr"),
    ("swe", "sv"),
    ("tha", "th"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("vie", "vi"),
    ("zho", "zh"),
];

/// The primary language subtag, lowercase, two letters where a mapping is known.
fn primary(tag: &str) -> String {
    let p = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    THREE_TO_TWO
        .iter()
        .find(|(three, _)| *three == p)
        .map_or(p, |(_, two)| (*two).to_string())
}

/// `a` and `b` name the same language (`en-US` and `eng`, `pt-BR` and `por`).
pub(super) fn same_language(a: &str, b: &str) -> bool {
    let (a, b) = (primary(a), primary(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_browser_tag_matches_the_playlists_two_or_three_letter_code() {
        assert!(same_language("en-US", "en"));
        assert!(same_language("en-US", "eng"));
        assert!(same_language("fr", "fre"));
        assert!(same_language("fr-CA", "fra"));
        assert!(same_language("DE", "ger"));
        assert!(same_language("pt_BR", "por"));
        assert!(same_language("zh-Hant-TW", "chi"));
    }

    #[test]
    fn different_or_empty_languages_do_not_match() {
        assert!(!same_language("en", "fr"));
        assert!(!same_language("eng", "fra"));
        assert!(!same_language("", ""));
        assert!(!same_language("en", ""));
        // An unknown three-letter code matches itself only.
        assert!(same_language("qaa", "qaa"));
        assert!(!same_language("qaa", "qa"));
    }
}
