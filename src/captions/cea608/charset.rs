//! The CEA-608 character sets (ANSI/CTA-608-E §4.1 and Annex A): the basic set in single bytes
//! 0x20-0x7F, where 608 differs from ASCII in eleven places; the special North American set
//! (0x11/0x19 0x30-0x3F); the extended Spanish/French/miscellaneous (0x12/0x1A 0x20-0x3F) and
//! Portuguese/German/Danish (0x13/0x1B 0x20-0x3F) sets.

/// A basic character (0x20-0x7F); `None` below 0x20.
pub(super) fn basic(b: u8) -> Option<char> {
    Some(match b {
        // The apostrophe is drawn as a right single quotation mark, as decoders show it.
        0x27 => '\u{2019}',
        0x2A => 'á',
        0x5C => 'é',
        0x5E => 'í',
        0x5F => 'ó',
        0x60 => 'ú',
        0x7B => 'ç',
        0x7C => '÷',
        0x7D => 'Ñ',
        0x7E => 'ñ',
        // Solid block: also what a byte with a parity error shows.
        0x7F => '\u{2588}',
        0x20..=0x7E => char::from(b),
        _ => return None,
    })
}

/// A special character, second byte 0x30-0x3F.
pub(super) fn special(lo: u8) -> Option<char> {
    const SET: [char; 16] = [
        '®', '°', '½', '¿', '™', '¢', '£', '♪', 'à',
        // Transparent space: a space that shows the video behind it.
        ' ', 'è', 'â', 'ê', 'î', 'ô', 'û',
    ];
    SET.get(usize::from(lo.checked_sub(0x30)?)).copied()
}

/// An extended character: `set` 0 is Spanish/French/miscellaneous, 1 is
/// Portuguese/German/Danish; second byte 0x20-0x3F.
pub(super) fn extended(set: u8, lo: u8) -> Option<char> {
    const SPANISH_FRENCH: [char; 32] = [
        'Á', 'É', 'Ó', 'Ú', 'Ü', 'ü', '´', '¡', '*', '\u{2018}', '-', '©', '℠', '·', '\u{201C}',
        '\u{201D}', 'À', 'Â', 'Ç', 'È', 'Ê', 'Ë', 'ë', 'Î', 'Ï', 'ï', 'Ô', 'Ù', 'ù', 'Û', '«', '»',
    ];
    const PORTUGUESE_GERMAN: [char; 32] = [
        'Ã', 'ã', 'Í', 'Ì', 'ì', 'Ò', 'ò', 'Õ', 'õ', '{', '}', '\\', '^', '_', '|', '~', 'Ä', 'ä',
        'Ö', 'ö', 'ß', '¥', '¤', '¦', 'Å', 'å', 'Ø', 'ø', '┌', '┐', '└', '┘',
    ];
    let i = usize::from(lo.checked_sub(0x20)?);
    match set {
        0 => SPANISH_FRENCH.get(i).copied(),
        _ => PORTUGUESE_GERMAN.get(i).copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_cover_their_ranges_and_nothing_else() {
        assert_eq!(basic(0x41), Some('A'));
        assert_eq!(basic(0x2A), Some('á'));
        assert_eq!(basic(0x1F), None);
        assert_eq!(special(0x37), Some('♪'));
        assert_eq!(special(0x40), None);
        assert_eq!(special(0x2F), None);
        assert_eq!(extended(0, 0x20), Some('Á'));
        assert_eq!(extended(0, 0x3F), Some('»'));
        assert_eq!(extended(1, 0x34), Some('ß'));
        assert_eq!(extended(1, 0x3F), Some('┘'));
        assert_eq!(extended(1, 0x40), None);
    }
}
