//! Character references in cue text: the named ones subtitle files use (WebVTT takes HTML's
//! table, TTML XML's five) and numeric ones (`&#233;`, `&#xE9;`).

/// The longest reference looked at: longer runs after `&` are plain text.
const MAX_REFERENCE: usize = 12;

/// The named references subtitles use, not HTML's 2 000. A table searched in order costs the
/// wasm package a fraction of what a `match` on strings does. Each entry is its name (ASCII
/// letters and digits) followed by its character (never one of those): one string, so the wasm
/// keeps no table of pointers beside the names.
const NAMED: &str = concat!(
    "amp&",
    "lt<",
    "gt>",
    "quot\"",
    "apos'",
    "nbsp\u{a0}",
    "lrm\u{200e}",
    "rlm\u{200f}",
    "shy\u{ad}",
    "ndash\u{2013}",
    "mdash\u{2014}",
    "hellip\u{2026}",
    "lsquo\u{2018}",
    "rsquo\u{2019}",
    "ldquo\u{201c}",
    "rdquo\u{201d}",
    "copy\u{a9}",
    "reg\u{ae}",
    "trade\u{2122}",
    "laquo\u{ab}",
    "raquo\u{bb}",
    "iexcl\u{a1}",
    "iquest\u{bf}",
    "deg\u{b0}",
    "frac12\u{bd}",
    "eacute\u{e9}",
    "egrave\u{e8}",
    "aacute\u{e1}",
    "agrave\u{e0}",
    "oacute\u{f3}",
    "iacute\u{ed}",
    "uacute\u{fa}",
    "ntilde\u{f1}",
    "acirc\u{e2}",
    "ecirc\u{ea}",
    "icirc\u{ee}",
    "ocirc\u{f4}",
    "ucirc\u{fb}",
    "euml\u{eb}",
    "iuml\u{ef}",
    "aring\u{e5}",
    "aelig\u{e6}",
    "oslash\u{f8}",
    "ccedil\u{e7}",
    "auml\u{e4}",
    "ouml\u{f6}",
    "uuml\u{fc}",
    "szlig\u{df}",
    "Eacute\u{c9}",
    "Ntilde\u{d1}",
    "Auml\u{c4}",
    "Ouml\u{d6}",
    "Uuml\u{dc}",
    "euro\u{20ac}",
    "pound\u{a3}",
    "yen\u{a5}",
    "cent\u{a2}",
    "sect\u{a7}",
    "para\u{b6}",
    "middot\u{b7}",
    "bull\u{2022}",
    "times\u{d7}",
    "divide\u{f7}",
    "plusmn\u{b1}",
);

fn named(name: &str) -> Option<char> {
    let mut rest = NAMED;
    while let Some(len) = rest.bytes().position(|b| !b.is_ascii_alphanumeric()) {
        let (entry, after) = rest.split_at_checked(len)?;
        let mut chars = after.chars();
        let c = chars.next()?;
        if entry == name {
            return Some(c);
        }
        rest = chars.as_str();
    }
    None
}

/// The character a numeric reference's digits (after `#`) stand for.
fn numeric(digits: &str) -> Option<char> {
    let (digits, radix) = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    if digits.is_empty() {
        return None;
    }
    // By hand: `from_str_radix` adds its own code to the package for this one use.
    let mut value: u32 = 0;
    for b in digits.bytes() {
        value = value
            .checked_mul(radix)?
            .checked_add(char::from(b).to_digit(radix)?)?;
    }
    // NUL and surrogates are not characters a cue may hold.
    char::from_u32(value).filter(|c| *c != '\0')
}

/// Decode the reference at the start of `s` (just after `&`): the character and the bytes
/// taken, `;` included. `None`: not a reference this decoder knows, so `&` is plain text.
pub(super) fn reference(s: &str) -> Option<(char, usize)> {
    // Bytes, not chars: a reference is ASCII, so one with `;` in the first 12 characters
    // but not in the first 12 bytes would not be one this decoder knows anyway.
    let end = s.bytes().take(MAX_REFERENCE).position(|b| b == b';')?;
    let body = s.get(..end)?;
    let c = match body.strip_prefix('#') {
        Some(digits) => numeric(digits)?,
        None => named(body)?,
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_entry_is_a_name_then_one_character() {
        let mut rest = NAMED;
        let mut count = 0;
        while !rest.is_empty() {
            let len = rest
                .bytes()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap();
            assert!(len > 0, "an entry without a name at {rest:?}");
            let (name, after) = rest.split_at(len);
            let c = after.chars().next().unwrap();
            assert!(!c.is_ascii_alphanumeric());
            assert_eq!(named(name), Some(c), "{name}");
            rest = &after[c.len_utf8()..];
            count += 1;
        }
        assert_eq!(count, 64);
    }

    #[test]
    fn named_numeric_and_unknown_references() {
        assert_eq!(reference("amp; rest"), Some(('&', 4)));
        assert_eq!(reference("nbsp;"), Some(('\u{a0}', 5)));
        assert_eq!(reference("apos;"), Some(('\'', 5)));
        assert_eq!(reference("quot;"), Some(('"', 5)));
        assert_eq!(reference("#x1F600;"), Some(('\u{1f600}', 8)));
        assert_eq!(reference("#x;"), None, "no digits");
        assert_eq!(reference("#12a;"), None, "not decimal");
        assert_eq!(reference("lrm;x"), Some(('\u{200e}', 4)));
        assert_eq!(reference("#233;"), Some(('é', 5)));
        assert_eq!(reference("#xE9;"), Some(('é', 5)));
        assert_eq!(reference("bogus;"), None);
        assert_eq!(reference("amp"), None, "no semicolon");
        assert_eq!(reference("#0;"), None, "NUL");
        assert_eq!(reference("#xD800;"), None, "surrogate");
        assert_eq!(reference("#99999999999;"), None, "out of range");
        assert_eq!(reference("plusmn;"), Some(('\u{b1}', 7)), "the last entry");
        assert_eq!(
            reference("amp&;"),
            None,
            "a name runs to its character only"
        );
        assert_eq!(
            reference("verylongnamethatgoeson;"),
            None,
            "too long to look at"
        );
    }
}
