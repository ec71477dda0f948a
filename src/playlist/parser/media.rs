//! Media playlist tags with values to read (RFC 8216 §4.3.2, §4.3.3): EXT-X-TARGETDURATION,
//! EXTINF, EXT-X-SKIP, EXT-X-KEY and EXT-X-MAP.

use super::{bad_attr, bad_number, too_many, Parser};
use crate::playlist::attrs::{parse_byte_range, parse_float, parse_integer, Attrs};
use crate::playlist::error::{PlaylistError, PlaylistWarning};
use crate::playlist::model::*;

impl Parser<'_> {
    /// EXT-X-TARGETDURATION's value (`name` is the tag).
    pub(super) fn target_duration(
        &mut self,
        line: usize,
        name: &str,
        value: &str,
    ) -> Result<(), PlaylistError> {
        self.media.target_duration = match parse_integer(value) {
            Some(seconds) => seconds,
            // A decimal (`2.5`) breaks RFC 8216 §4.3.3.1, but some packagers write one and
            // hls.js plays it: read as the next whole second (the bound the integer stands
            // for; at least 1), with a warning.
            None => {
                let v = parse_float(value).ok_or_else(|| bad_number(line, name, value))?;
                let seconds = (v.ceil() as u64).max(1);
                self.media.warnings.push(PlaylistWarning {
                    line,
                    message: format!(
                        "{name} is not a decimal integer: `{value}`: read as {seconds}"
                    ),
                });
                seconds
            }
        };
        Ok(())
    }

    /// EXT-X-SKIP (RFC 8216bis §4.4.5.2): the segments it stands for are counted in the sequence
    /// numbers of the later ones; [`crate::playlist::merge_live`] puts them back from the
    /// previous playlist.
    pub(super) fn skip(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-SKIP";
        if let Some(first) = &self.media.skip {
            return Err(PlaylistError::malformed(
                line,
                format!("duplicate EXT-X-SKIP (first at line {})", first.line),
            ));
        }
        if let Some((_, _, extinf_line)) = self.pending.extinf {
            return Err(PlaylistError::malformed(
                line,
                format!("EXT-X-SKIP between the EXTINF at line {extinf_line} and its URI"),
            ));
        }
        let a = Attrs::parse(TAG, line, value)?;
        let text = a.required("SKIPPED-SEGMENTS")?;
        let count =
            parse_integer(text).ok_or_else(|| bad_attr(line, TAG, "SKIPPED-SEGMENTS", text))?;
        let max = self.options.limits.max_segments;
        if count > (max.saturating_sub(self.media.segments.len())) as u64 {
            return Err(too_many(line, "segments (with the skipped ones)", max));
        }
        self.media.skip = Some(Skip {
            index: self.media.segments.len(),
            count,
            first_sequence: 0,
            line,
        });
        Ok(())
    }

    pub(super) fn extinf(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        self.no_pending_extinf()?;
        let (duration, title) = value.split_once(',').unwrap_or((value, ""));
        let duration = duration.trim();
        let duration = parse_float(duration).ok_or_else(|| {
            PlaylistError::malformed(
                line,
                format!("EXTINF duration is not a non-negative decimal number: `{duration}`"),
            )
        })?;
        let title = title.trim();
        let title = (!title.is_empty()).then(|| title.to_string());
        self.pending.extinf = Some((duration, title, line));
        Ok(())
    }

    pub(super) fn key(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-KEY";
        let a = Attrs::parse(TAG, line, value)?;
        let method = match a.required("METHOD")? {
            "NONE" => {
                self.key = None;
                return Ok(());
            }
            "AES-128" => KeyMethod::Aes128,
            "AES-256" => KeyMethod::Aes256,
            "SAMPLE-AES" => KeyMethod::SampleAes,
            other => {
                return Err(PlaylistError::unsupported(
                    line,
                    format!("EXT-X-KEY METHOD={other}"),
                ))
            }
        };
        let keyformat = a.string("KEYFORMAT");
        if let Some(format) = keyformat.as_deref().filter(|f| *f != "identity") {
            // A DRM key system: its URI is not an http key and this player cannot decrypt it.
            return Err(PlaylistError::unsupported(
                line,
                format!("EXT-X-KEY KEYFORMAT=\"{format}\" (DRM key systems)"),
            ));
        }
        let uri = self.resolve(line, a.required("URI")?)?;
        let iv = match a.str("IV") {
            Some(iv) if is_iv(iv) => Some(iv.to_string()),
            Some(iv) => return Err(bad_attr(line, TAG, "IV", iv)),
            None => None,
        };
        self.key = Some(Key {
            method,
            uri,
            iv,
            keyformat,
            keyformat_versions: a.string("KEYFORMATVERSIONS"),
        });
        Ok(())
    }

    pub(super) fn map(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-MAP";
        let a = Attrs::parse(TAG, line, value)?;
        // RFC 8216 §4.3.2.5 requires the URI, but hls.js ignores a bare EXT-X-MAP and plays the
        // (TS) segments: so does this parser, with a warning; a map already in force stays.
        let Some(uri) = a.str("URI") else {
            self.media.warnings.push(PlaylistWarning {
                line,
                message: format!("{TAG} without URI: ignored"),
            });
            return Ok(());
        };
        let uri = self.resolve(line, uri)?;
        let byte_range = match a.str("BYTERANGE") {
            Some(r) => {
                let (length, offset) =
                    parse_byte_range(r).ok_or_else(|| bad_attr(line, TAG, "BYTERANGE", r))?;
                // No previous segment to continue from: an absent offset means the start.
                Some(ByteRange {
                    offset: offset.unwrap_or(0),
                    length,
                })
            }
            None => None,
        };
        // RFC 8216 §4.3.2.4: a key in force before EXT-X-MAP encrypts the init segment too.
        let key = self.key.clone();
        self.map = Some(Map {
            uri,
            byte_range,
            key,
        });
        Ok(())
    }
}

/// `0x` followed by 1 to 32 hex digits (a 128-bit IV).
fn is_iv(s: &str) -> bool {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or("");
    !digits.is_empty() && digits.len() <= 32 && digits.bytes().all(|b| b.is_ascii_hexdigit())
}
