//! WebVTT subtitle segments (W3C WebVTT, as HLS carries them: RFC 8216 §3.5) → cues.
//!
//! The header (`WEBVTT`, an optional BOM, header text, `X-TIMESTAMP-MAP` in the header block),
//! cue blocks (optional identifier, timing line `start --> end settings`, text lines), NOTE,
//! STYLE and REGION blocks (skipped). Cue text loses its tags (`<c>`, `<v Name>`, `<b>`, inner
//! timestamps) and has its character references decoded. Of the cue settings only a numeric
//! `line:` is kept. A bad cue is a [`CueWarning`] naming the segment and line; parsing goes on.
use super::entities::reference;
use super::text::{find, utf8_lossy};
use super::timestamp_map::{TimelineMapping, TimestampMap};
use super::warning::{quote, CueProblem, CueWarning, Warnings};
use super::Cue;
use crate::error::ErrorCategory;

/// A subtitle segment that is not WebVTT at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebVttError {
    #[error("malformed: subtitle segment {segment} does not start with WEBVTT")]
    MissingHeader { segment: String },
}

impl WebVttError {
    pub fn category(&self) -> ErrorCategory {
        match self {
            WebVttError::MissingHeader { .. } => ErrorCategory::Malformed,
        }
    }
}

/// One parsed segment: cue times as written (seconds of cue time), the map that ties them to
/// the MPEG-TS clock, and the warnings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebVtt {
    pub timestamp_map: Option<TimestampMap>,
    /// In file order, times in the file's own cue time.
    pub cues: Vec<Cue>,
    pub warnings: Vec<CueWarning>,
}

impl WebVtt {
    /// Parse a segment's bytes (UTF-8; invalid sequences become U+FFFD). `segment` names it in
    /// warnings and errors (its URL or index).
    pub fn parse(data: &[u8], segment: &str) -> Result<WebVtt, WebVttError> {
        let text = utf8_lossy(data);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let lines = split_lines(text);
        let header = lines.first().copied().unwrap_or("");
        if !is_keyword(header, "WEBVTT") {
            return Err(WebVttError::MissingHeader {
                segment: segment.to_owned(),
            });
        }
        let mut warnings = Warnings::new(segment);
        let mut out = WebVtt::default();
        let mut i = 1;
        // The header block runs to the first blank line. A timing line ends it too: some
        // writers leave out the blank line before the first cue.
        while let Some(line) = lines.get(i) {
            if line.is_empty() || has_arrow(line) {
                break;
            }
            if let Some(value) = line.strip_prefix("X-TIMESTAMP-MAP=") {
                match timestamp_map(value) {
                    Some(map) => out.timestamp_map = Some(map),
                    None => warnings.push(i + 1, CueProblem::BadTimestampMap(quote(value))),
                }
            }
            i += 1;
        }
        while let Some(line) = lines.get(i) {
            if line.is_empty() {
                i += 1;
                continue;
            }
            // A timing line, or an identifier then a timing line (even one that starts with
            // NOTE: WebVTT reads the second line first).
            let timing_at = if has_arrow(line) {
                i
            } else if lines.get(i + 1).is_some_and(|l| has_arrow(l)) {
                i + 1
            } else {
                // NOTE, STYLE and REGION blocks are skipped; any other block is a cue
                // without its timing.
                if !["NOTE", "STYLE", "REGION"]
                    .iter()
                    .any(|k| is_keyword(line, k))
                {
                    warnings.push(i + 1, CueProblem::NoTiming);
                }
                i = block_end(&lines, i + 1);
                continue;
            };
            let timing = lines.get(timing_at).copied().unwrap_or("");
            // Cue text runs to a blank line, or to a line with "-->" (a cue that did not
            // leave a blank line before the next one).
            let text_from = timing_at + 1;
            i = text_from;
            while lines.get(i).is_some_and(|l| !l.is_empty() && !has_arrow(l)) {
                i += 1;
            }
            let Some((start, end, line)) = cue_timing(timing) else {
                warnings.push(timing_at + 1, CueProblem::BadTiming(quote(timing)));
                continue;
            };
            if end <= start {
                let (start_ms, end_ms) = (start as i64, end as i64);
                let problem = CueProblem::EndNotAfterStart { start_ms, end_ms };
                warnings.push(timing_at + 1, problem);
                continue;
            }
            let (start, end) = (start as f64 / 1000.0, end as f64 / 1000.0);
            out.cues.push(Cue {
                start,
                end,
                text: cue_text(lines.get(text_from..i).unwrap_or(&[])),
                line,
            });
        }
        out.warnings = warnings.finish(lines.len());
        Ok(out)
    }

    /// The cues on the player's timeline (see [`TimelineMapping`]).
    pub fn on_timeline(&self, mapping: &TimelineMapping) -> Vec<Cue> {
        // A clone moved in place, not `map` + `collect` (one more generic instance).
        let mut cues = self.cues.clone();
        for c in &mut cues {
            c.start = mapping.place(self.timestamp_map, c.start);
            c.end = mapping.place(self.timestamp_map, c.end);
        }
        cues
    }
}

/// Lines split at CRLF, CR or LF (WebVTT allows all three).
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| b == b'\r' || b == b'\n') {
        lines.push(rest.get(..at).unwrap_or(""));
        let crlf = rest.as_bytes().get(at..at + 2) == Some(b"\r\n");
        rest = rest.get(at + 1 + usize::from(crlf)..).unwrap_or("");
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

/// `line` is `keyword` alone or followed by a space or tab (how WEBVTT, NOTE, STYLE and
/// REGION lines start).
fn is_keyword(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|r| r.bytes().next().map_or(true, is_blank))
}

/// Space or tab, what separates the parts of a timing line (tested on bytes: `[char]`
/// patterns bring the standard library's multi-char searchers into the package).
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without its leading spaces and tabs.
fn skip_blanks(s: &str) -> &str {
    let n = s.bytes().take_while(|b| is_blank(*b)).count();
    s.get(n..).unwrap_or("")
}

/// `s` up to its first space or tab, and the rest from there.
fn split_blank(s: &str) -> (&str, &str) {
    let at = s.bytes().position(is_blank).unwrap_or(s.len());
    (s.get(..at).unwrap_or(s), s.get(at..).unwrap_or(""))
}

/// The index of the blank line, or of the timing line that starts the next block (or the
/// end), from `i` on.
fn block_end(lines: &[&str], mut i: usize) -> usize {
    while lines.get(i).is_some_and(|l| !l.is_empty() && !has_arrow(l)) {
        i += 1;
    }
    i
}

/// The line holds `-->` (a cue timing line, or one where WebVTT starts a new block).
fn has_arrow(line: &str) -> bool {
    find(line, "-->").is_some()
}

/// `MPEGTS:<n>,LOCAL:<timestamp>` in either order (a missing part is 0, as hls.js reads it).
fn timestamp_map(value: &str) -> Option<TimestampMap> {
    let mut map = TimestampMap::default();
    for part in value.split(',').map(str::trim) {
        if let Some(ts) = part.strip_prefix("MPEGTS:") {
            map.mpegts = ts.parse().ok()?;
        } else if let Some(local) = part.strip_prefix("LOCAL:") {
            map.local_ms = timestamp(local)?;
        } else {
            return None;
        }
    }
    Some(map)
}

/// `start --> end [settings]`: the times in milliseconds and a numeric `line:` setting.
fn cue_timing(line: &str) -> Option<(u64, u64, Option<i32>)> {
    let at = find(line, "-->")?;
    let (start, rest) = (line.get(..at)?, line.get(at + 3..)?);
    // Blanks around the start: what follows its first blank-free run must be blank.
    let (start, after) = split_blank(skip_blanks(start));
    if !skip_blanks(after).is_empty() {
        return None;
    }
    let start = timestamp(start)?;
    let (end, mut settings) = split_blank(skip_blanks(rest));
    let end = timestamp(end)?;
    // The first `line:` setting.
    let mut line = None;
    while !settings.is_empty() {
        let (setting, rest) = split_blank(skip_blanks(settings));
        if let Some(value) = setting.strip_prefix("line:") {
            line = line_number(value);
            break;
        }
        settings = rest;
    }
    Some((start, end, line))
}

/// A `line:` value given as a line number (`-?digits`, maybe with `,align`); percentages and
/// anything else leave the line to the renderer.
fn line_number(value: &str) -> Option<i32> {
    let number = value.split(',').next()?;
    let digits = number.strip_prefix('-').unwrap_or(number);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// A WebVTT timestamp, `[hours:]mm:ss.ttt`, in milliseconds. Hours take any number of digits
/// (at most 9 here, so the sum cannot overflow); minutes and seconds two, below 60.
fn timestamp(s: &str) -> Option<u64> {
    let (hms, ms) = s.split_once('.')?;
    let ms = digits(ms, 3, 3)?;
    let mut parts = hms.split(':');
    let (h, m, sec) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(s), None, None) => (0, digits(m, 2, 2)?, digits(s, 2, 2)?),
        (Some(h), Some(m), Some(s), None) => (digits(h, 1, 9)?, digits(m, 2, 2)?, digits(s, 2, 2)?),
        _ => return None,
    };
    if m > 59 || sec > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000 + ms)
}

/// `s` as a decimal number of `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<u64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Cue text lines joined by `\n`, without their tags, with character references decoded,
/// trimmed. (A tag does not span lines: a `<` left open drops the rest of its line.)
fn cue_text(lines: &[&str]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        push_cue_line(&mut out, line);
    }
    out.trim().to_owned()
}

fn push_cue_line(out: &mut String, line: &str) {
    let mut rest = line;
    while let Some(at) = rest.bytes().position(|b| b == b'<' || b == b'&') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let from = rest.get(at..).unwrap_or("");
        if let Some(tag) = from.strip_prefix('<') {
            // A tag runs to `>`; an unclosed one to the end of the line.
            rest = tag.split_once('>').map_or("", |(_, r)| r);
        } else {
            let after = from.get(1..).unwrap_or("");
            match reference(after) {
                Some((c, len)) => {
                    out.push(c);
                    rest = after.get(len..).unwrap_or("");
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;
