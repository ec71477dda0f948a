//! RFC 8216 §4.2 attribute lists (`NAME=VALUE,NAME="quoted"`), parsed without allocating.

use super::error::PlaylistError;

/// More attributes than any real tag has; beyond it the line is refused, which also keeps the
/// duplicate check cheap.
pub(crate) const MAX_ATTRIBUTES: usize = 32;

/// The attributes of one tag, in a fixed array.
pub(crate) struct Attrs<'a> {
    tag: &'static str,
    line: usize,
    len: usize,
    /// (name, value); quoted values without their quotes.
    items: [(&'a str, &'a str); MAX_ATTRIBUTES],
}

impl<'a> Attrs<'a> {
    pub(crate) fn parse(
        tag: &'static str,
        line: usize,
        input: &'a str,
    ) -> Result<Self, PlaylistError> {
        let mut attrs = Attrs {
            tag,
            line,
            len: 0,
            items: [("", ""); MAX_ATTRIBUTES],
        };
        let mut rest = input.trim_start();
        while !rest.is_empty() {
            let Some((name, after)) = rest.split_once('=') else {
                return Err(PlaylistError::malformed(
                    line,
                    format!("{tag}: attribute `{}` without `=value`", rest.trim()),
                ));
            };
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(PlaylistError::malformed(
                    line,
                    format!("{tag}: bad attribute name `{name}`"),
                ));
            }
            let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
                let Some((text, after)) = quoted.split_once('"') else {
                    return Err(PlaylistError::malformed(
                        line,
                        format!("{tag}: unterminated quoted string in {name}"),
                    ));
                };
                let after = after.trim_start();
                let after = match after.strip_prefix(',') {
                    Some(a) => a,
                    None if after.is_empty() => after,
                    None => {
                        return Err(PlaylistError::malformed(
                            line,
                            format!("{tag}: unexpected text after quoted {name}"),
                        ))
                    }
                };
                (text, after)
            } else {
                let (text, after) = after.split_once(',').unwrap_or((after, ""));
                (text.trim(), after)
            };
            if attrs
                .items
                .get(..attrs.len)
                .unwrap_or(&[])
                .iter()
                .any(|(n, _)| *n == name)
            {
                return Err(PlaylistError::malformed(
                    line,
                    format!("{tag}: duplicate attribute {name}"),
                ));
            }
            let Some(slot) = attrs.items.get_mut(attrs.len) else {
                return Err(PlaylistError::limit(
                    line,
                    format!("{tag}: more than {MAX_ATTRIBUTES} attributes"),
                ));
            };
            *slot = (name, value);
            attrs.len += 1;
            rest = after.trim_start();
        }
        Ok(attrs)
    }

    pub(crate) fn str(&self, name: &str) -> Option<&'a str> {
        self.items
            .get(..self.len)
            .unwrap_or(&[])
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.str(name).map(str::to_string)
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<&'a str, PlaylistError> {
        self.str(name).ok_or_else(|| {
            PlaylistError::malformed(self.line, format!("{} without {name}", self.tag))
        })
    }

    fn bad(&self, name: &str, what: &str, value: &str) -> PlaylistError {
        PlaylistError::malformed(
            self.line,
            format!("{}: {name} is not {what}: `{value}`", self.tag),
        )
    }

    pub(crate) fn integer(&self, name: &'static str) -> Result<Option<u64>, PlaylistError> {
        self.str(name)
            .map(|v| parse_integer(v).ok_or_else(|| self.bad(name, "a decimal integer", v)))
            .transpose()
    }

    pub(crate) fn float(&self, name: &'static str) -> Result<Option<f64>, PlaylistError> {
        self.str(name)
            .map(|v| {
                parse_float(v).ok_or_else(|| self.bad(name, "a non-negative decimal number", v))
            })
            .transpose()
    }

    pub(crate) fn signed_float(&self, name: &'static str) -> Result<Option<f64>, PlaylistError> {
        self.str(name)
            .map(|v| {
                let (negative, digits) = match v.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, v),
                };
                parse_float(digits)
                    .map(|f| if negative { -f } else { f })
                    .ok_or_else(|| self.bad(name, "a decimal number", v))
            })
            .transpose()
    }

    /// `YES` / `NO`; absent is `false`.
    pub(crate) fn yes_no(&self, name: &'static str) -> Result<bool, PlaylistError> {
        match self.str(name) {
            None | Some("NO") => Ok(false),
            Some("YES") => Ok(true),
            Some(v) => Err(self.bad(name, "YES or NO", v)),
        }
    }
}

/// RFC 8216 decimal-integer: 1 to 20 digits, fitting in u64.
pub(crate) fn parse_integer(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// RFC 8216 decimal-floating-point: digits with an optional fraction; no sign, exponent, NaN or inf.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || s.len() > 64 {
        return None;
    }
    decimal_to_f64(s)
}

/// Digits with at most one `.` (already checked) to f64 without `str::parse::<f64>`, whose
/// correctly-rounding machinery costs tens of KB of wasm. Up to 15 significant digits the result
/// is exact to the last bit (an integer below 2^53 divided by an exact power of ten rounds once);
/// digits past the 19th are ignored, which changes nothing a playlist can mean.
fn decimal_to_f64(s: &str) -> Option<f64> {
    let mut mantissa: u64 = 0;
    let mut significant = 0u32;
    let mut scale = 0i32; // the value is mantissa * 10^scale
    let mut fraction = false;
    for b in s.bytes() {
        if b == b'.' {
            fraction = true;
            continue;
        }
        let digit = u64::from(b.wrapping_sub(b'0'));
        if significant < 19 {
            mantissa = mantissa * 10 + digit;
            if mantissa != 0 {
                significant += 1;
            }
            if fraction {
                scale -= 1;
            }
        } else if !fraction {
            scale += 1;
        }
    }
    let value = mantissa as f64;
    let value = if scale < 0 {
        value / pow10(scale.unsigned_abs())
    } else {
        value * pow10(scale.unsigned_abs())
    };
    value.is_finite().then_some(value)
}

/// 10^n as f64; exact up to 10^22.
fn pow10(n: u32) -> f64 {
    let mut result = 1.0;
    for _ in 0..n {
        result *= 10.0;
    }
    result
}

/// `EXT-X-BYTERANGE` / `BYTERANGE=`: `<length>[@<offset>]`.
pub(crate) fn parse_byte_range(s: &str) -> Option<(u64, Option<u64>)> {
    match s.split_once('@') {
        Some((length, offset)) => Some((parse_integer(length)?, Some(parse_integer(offset)?))),
        None => Some((parse_integer(s)?, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_may_hold_commas() {
        let a = Attrs::parse(
            "T",
            1,
            r#"BANDWIDTH=1000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360"#,
        )
        .unwrap();
        assert_eq!(a.str("CODECS"), Some("avc1.4d401e,mp4a.40.2"));
        assert_eq!(a.integer("BANDWIDTH").unwrap(), Some(1000));
        assert_eq!(a.str("RESOLUTION"), Some("640x360"));
        assert_eq!(a.str("MISSING"), None);
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |s: &str| Attrs::parse("EXT-X-T", 3, s).err().unwrap().to_string();
        assert_eq!(e("A=1,A=2"), "line 3: EXT-X-T: duplicate attribute A");
        assert_eq!(
            e(r#"A="x"#),
            "line 3: EXT-X-T: unterminated quoted string in A"
        );
        assert_eq!(
            e("A=1,B"),
            "line 3: EXT-X-T: attribute `B` without `=value`"
        );
        assert_eq!(
            e(r#"A="x"y"#),
            "line 3: EXT-X-T: unexpected text after quoted A"
        );
        let many: Vec<String> = (0..40).map(|i| format!("A{i}=1")).collect();
        assert!(e(&many.join(",")).contains("limit exceeded"));
    }

    #[test]
    fn numbers_are_strict() {
        assert_eq!(parse_float("10"), Some(10.0));
        assert_eq!(parse_float("9.009"), Some(9.009));
        assert_eq!(parse_float(".5"), Some(0.5));
        for bad in ["", ".", "-1", "nan", "inf", "1e3", "abc", "1.2.3", " 1"] {
            assert_eq!(parse_float(bad), None, "{bad}");
        }
        // The hand-rolled conversion agrees with the standard library's on playlist-like numbers.
        for text in [
            "0",
            "0.0",
            "10",
            "9.009",
            "3.003",
            "7.975",
            "12.000000",
            "29.970",
            "59.94",
            "0.33334",
            "100000.5",
            "6.006",
            "4.004",
            "123456789012345",
            "1.000000000000001",
            "0.1",
            "0.7",
        ] {
            assert_eq!(parse_float(text), text.parse::<f64>().ok(), "{text}");
        }
        assert_eq!(parse_float("00000000000000000000000001.5"), Some(1.5));
        // Random decimals of up to 15 significant digits: bit-identical to `str::parse`.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 1_000_000_000_000_000) as u128; // < 10^15
            let point = ((x >> 50) % 16) as usize;
            let mut text = format!("{digits}");
            if point < text.len() {
                text.insert(text.len() - point, '.');
            }
            assert_eq!(parse_float(&text), text.parse::<f64>().ok(), "{text}");
        }
        assert!(parse_float(&"9".repeat(60)).unwrap() > 1e59);
        assert_eq!(parse_integer("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_integer("18446744073709551616"), None);
        assert_eq!(parse_integer("+1"), None);
        assert_eq!(parse_byte_range("100@20"), Some((100, Some(20))));
        assert_eq!(parse_byte_range("100"), Some((100, None)));
        assert_eq!(parse_byte_range("100@"), None);
    }
}
