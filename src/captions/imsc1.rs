//! IMSC1 (TTML2 profile) documents, as CMAF carries them in `stpp` fMP4 samples → cues.
//!
//! Each `<p>` is a cue: its `begin`, `end` and `dur` resolved against its ancestors (`<body>`,
//! `<div>`: parallel time containers, TTML2 §12), in clock-time (`hh:mm:ss.fff`,
//! `hh:mm:ss:frames` with `ttp:frameRate`) or offset-time (`10s`, `500ms`, `25f`, `90000t` with
//! `ttp:tickRate`). Its text is the text of the paragraph and its `<span>`s, `<br/>` a line
//! break, whitespace collapsed as XML's default `xml:space` says. Styling and layout are not
//! read. Times in a sample are on the track's media timeline (ISO/IEC 14496-30 §5.3: not
//! relative to the sample), so the caller says where the track's time 0 is on the player's
//! timeline.
use super::entities::reference;
use super::text::utf8_lossy;
use super::warning::{ms, quote, CueProblem, CueWarning, Warnings};
use super::xml::{Attributes, Token, Tokenizer};
use super::Cue;
use crate::error::ErrorCategory;
use crate::playlist::parse_float;

/// Deeper element nesting than this ends the document (a TTML tree is a handful deep).
const MAX_DEPTH: usize = 64;

/// A document that is not TTML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Imsc1Error {
    #[error("malformed: subtitle sample {segment} is not a TTML document (no <tt> root)")]
    NotTtml { segment: String },
}

impl Imsc1Error {
    pub fn category(&self) -> ErrorCategory {
        match self {
            Imsc1Error::NotTtml { .. } => ErrorCategory::Malformed,
        }
    }
}

/// Where a document's times land.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TtmlPlacement {
    /// The player's timeline time of the track's media time 0 (the track's timestamp mapping,
    /// e.g. the fMP4 passthrough's offset).
    pub origin: f64,
    /// The sample's end in track media time, seconds: where a paragraph without an end (nor
    /// an ancestor's) ends, as the document's active time ends with its sample.
    pub sample_end: Option<f64>,
}

/// One document's cues (on the timeline) and warnings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imsc1 {
    pub cues: Vec<Cue>,
    pub warnings: Vec<CueWarning>,
}

/// The frame rate, tick rate and sub-frame rate time expressions are read with (`ttp:`
/// parameters on `<tt>`, TTML2 §7.2).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rates {
    frame: f64,
    sub_frame: f64,
    tick: f64,
}

impl Rates {
    fn from_tt(attrs: Attributes<'_>) -> Self {
        let positive = |v: Option<&str>| v.and_then(|s| parse_float(s.trim())).filter(|v| *v > 0.0);
        let frame_base = positive(attrs.get("frameRate"));
        let multiplier = attrs
            .get("frameRateMultiplier")
            .and_then(|m| {
                let mut it = m.split(' ').filter(|n| !n.is_empty()).map(parse_float);
                let (num, den) = (it.next()??, it.next()??);
                Some(num / den).filter(|v| v.is_finite() && *v > 0.0)
            })
            .unwrap_or(1.0);
        let frame = frame_base.unwrap_or(30.0) * multiplier;
        let sub_frame = positive(attrs.get("subFrameRate")).unwrap_or(1.0);
        // Without ttp:tickRate: the frame rate times the sub-frame rate if a frame rate is
        // given, else 1 (TTML2 §7.2.12).
        let tick = positive(attrs.get("tickRate")).unwrap_or(if frame_base.is_some() {
            frame * sub_frame
        } else {
            1.0
        });
        Rates {
            frame,
            sub_frame,
            tick,
        }
    }
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            frame: 30.0,
            sub_frame: 1.0,
            tick: 1.0,
        }
    }
}

/// An open element's active interval (track media seconds) and whitespace mode.
#[derive(Debug, Clone, Copy)]
struct Frame<'a> {
    name: &'a str,
    begin: f64,
    /// `None`: indefinite (ends with the document).
    end: Option<f64>,
    preserve: bool,
}

/// The paragraph being read.
#[derive(Debug)]
struct Paragraph {
    begin: f64,
    end: Option<f64>,
    line: usize,
    text: String,
    depth: usize,
}

impl Imsc1 {
    /// Parse one TTML document (a `stpp` sample's bytes, UTF-8). `segment` names the sample's
    /// segment in warnings. A broken document keeps the cues before the break.
    pub fn parse(
        document: &[u8],
        segment: &str,
        placement: TtmlPlacement,
    ) -> Result<Imsc1, Imsc1Error> {
        let text = utf8_lossy(document);
        let mut tokens = Tokenizer::new(&text);
        let mut warnings = Warnings::new(segment);
        let mut out = Imsc1::default();
        let mut rates = Rates::default();
        let mut stack: Vec<Frame<'_>> = Vec::new();
        let mut para: Option<Paragraph> = None;
        let mut seen_tt = false;
        for token in tokens.by_ref() {
            let token = match token {
                Ok(t) => t,
                Err(e) => {
                    warnings.push(e.line, CueProblem::Xml(e.what));
                    break;
                }
            };
            match token {
                Token::Start {
                    name,
                    attrs,
                    empty,
                    line,
                } => {
                    if !seen_tt {
                        if name != "tt" {
                            break;
                        }
                        seen_tt = true;
                        rates = Rates::from_tt(attrs);
                    }
                    if let Some(p) = para.as_mut() {
                        if name == "br" {
                            p.text.push('\n');
                        }
                    }
                    if empty {
                        continue;
                    }
                    if stack.len() >= MAX_DEPTH {
                        warnings.push(line, CueProblem::Xml("elements nested too deep"));
                        break;
                    }
                    let parent = stack.last().copied();
                    let frame = match timing(attrs, parent, rates) {
                        Ok(f) => f,
                        Err(bad) => {
                            warnings.push(line, CueProblem::BadTime(quote(bad)));
                            // The element keeps its parent's interval.
                            parent.unwrap_or(Frame {
                                name,
                                begin: 0.0,
                                end: None,
                                preserve: false,
                            })
                        }
                    };
                    let frame = Frame { name, ..frame };
                    if name == "p" && para.is_none() {
                        para = Some(Paragraph {
                            begin: frame.begin,
                            end: frame.end,
                            line,
                            text: String::new(),
                            depth: stack.len(),
                        });
                    }
                    stack.push(frame);
                }
                Token::End { name } => {
                    // Close up to the matching element; a stray end tag is ignored.
                    let Some(at) = stack.iter().rposition(|f| f.name == name) else {
                        continue;
                    };
                    stack.truncate(at);
                    if para.as_ref().is_some_and(|p| p.depth >= stack.len()) {
                        if let Some(p) = para.take() {
                            finish(p, &placement, &mut out.cues, &mut warnings);
                        }
                    }
                }
                Token::Text { text, cdata } => {
                    if let Some(p) = para.as_mut() {
                        let preserve = stack.last().is_some_and(|f| f.preserve);
                        push_text(&mut p.text, text, cdata, preserve);
                    }
                }
            }
        }
        if !seen_tt {
            return Err(Imsc1Error::NotTtml {
                segment: segment.to_owned(),
            });
        }
        out.warnings = warnings.finish(tokens.line());
        Ok(out)
    }
}

/// An element's interval from its `begin`, `end`, `dur` and its parent's interval (TTML2
/// §12.4: in a parallel container begin and end count from the parent's begin; the parent's
/// end clips). Returns the offending value when one cannot be read.
fn timing<'a>(
    attrs: Attributes<'a>,
    parent: Option<Frame<'_>>,
    rates: Rates,
) -> Result<Frame<'a>, &'a str> {
    let base = parent.map_or(0.0, |p| p.begin);
    let parent_end = parent.and_then(|p| p.end);
    let read = |name| {
        attrs
            .get(name)
            .map(|v| time_expression(v, rates).ok_or(v))
            .transpose()
    };
    let begin = base + read("begin")?.unwrap_or(0.0);
    let end = read("end")?.map(|e| base + e);
    let dur = read("dur")?.map(|d| begin + d);
    let end = match (end, dur) {
        (Some(e), Some(d)) => Some(e.min(d)),
        (e, d) => e.or(d).or(parent_end),
    };
    let end = match (end, parent_end) {
        (Some(e), Some(p)) => Some(e.min(p)),
        (e, _) => e,
    };
    let preserve = match attrs.get("space") {
        Some("preserve") => true,
        Some("default") => false,
        _ => parent.is_some_and(|p| p.preserve),
    };
    Ok(Frame {
        name: "",
        begin,
        end,
        preserve,
    })
}

/// A TTML time expression in seconds (TTML2 §10.3.1).
fn time_expression(v: &str, rates: Rates) -> Option<f64> {
    let v = v.trim();
    let seconds = if v.contains(':') {
        clock_time(v, rates)?
    } else {
        let split = v
            .bytes()
            .position(|b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(v.len());
        let (number, metric) = v.split_at_checked(split)?;
        let n = decimal(number)?;
        match metric {
            "h" => n * 3600.0,
            "m" => n * 60.0,
            "s" => n,
            "ms" => n / 1000.0,
            "f" => n / rates.frame,
            "t" => n / rates.tick,
            _ => return None,
        }
    };
    Some(seconds).filter(|s| s.is_finite())
}

/// `hh:mm:ss[.fraction]` or `hh:mm:ss:frames[.sub-frames]`.
fn clock_time(v: &str, rates: Rates) -> Option<f64> {
    let mut parts = v.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let frames = parts.next();
    if parts.next().is_some() || h.len() < 2 || m.len() != 2 {
        return None;
    }
    let whole = |s: &str| {
        (s.len() <= 9 && !s.contains('.'))
            .then(|| parse_float(s))
            .flatten()
    };
    let (h, m) = (whole(h)?, whole(m)?);
    let s = match frames {
        // Seconds are whole when frames follow.
        Some(_) => whole(s)?,
        None => decimal(s)?,
    };
    let frames = match frames {
        Some(f) => {
            let (f, sub) = f.split_once('.').unwrap_or((f, "0"));
            (whole(f)? + whole(sub)? / rates.sub_frame) / rates.frame
        }
        None => 0.0,
    };
    Some(h * 3600.0 + m * 60.0 + s + frames)
}

/// `digits[.digits]`, as TTML numbers are written (no sign, no exponent).
fn decimal(s: &str) -> Option<f64> {
    let int = s.split_once('.').map_or(s, |(int, _)| int);
    if int.is_empty() || s.ends_with('.') {
        return None;
    }
    parse_float(s)
}

/// Append character data: references decoded (not in CDATA); whitespace kept as is under
/// `xml:space="preserve"`, else runs of it folded to one space (trimmed at the end).
fn push_text(out: &mut String, text: &str, cdata: bool, preserve: bool) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let mut len = c.len_utf8();
        let c = if c == '&' && !cdata {
            match reference(rest.get(1..).unwrap_or("")) {
                Some((r, n)) => {
                    len += n;
                    // A decoded space is content, never folded.
                    out.push(r);
                    rest = rest.get(len..).unwrap_or("");
                    continue;
                }
                None => '&',
            }
        } else {
            c
        };
        rest = rest.get(len..).unwrap_or("");
        if preserve {
            out.push(c);
        } else if c.is_ascii_whitespace() {
            if !matches!(out.as_bytes().last(), None | Some(b' ' | b'\n')) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// The paragraph as a cue, or a warning.
fn finish(p: Paragraph, placement: &TtmlPlacement, cues: &mut Vec<Cue>, w: &mut Warnings<'_>) {
    let Some(end) = p.end.or(placement.sample_end) else {
        w.push(p.line, CueProblem::NoEnd);
        return;
    };
    // Defensive: numbers are at most 64 characters, so sums of them stay finite.
    if !(p.begin.is_finite() && end.is_finite()) {
        w.push(p.line, CueProblem::BadTime("out of range".into()));
        return;
    }
    // Compared where the cue lands: times a hair apart (ticks at a huge tick rate) can be one
    // instant once the segment's origin is added.
    let (start, end) = (placement.origin + p.begin, placement.origin + end);
    if end <= start {
        w.push(
            p.line,
            CueProblem::EndNotAfterStart {
                start_ms: ms(start - placement.origin),
                end_ms: ms(end - placement.origin),
            },
        );
        return;
    }
    // Spaces around line breaks and at the ends are not content.
    let mut text = String::with_capacity(p.text.len());
    for (i, line) in p.text.split('\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(line.trim());
    }
    let text = text.trim().to_owned();
    if text.is_empty() {
        return;
    }
    cues.push(Cue {
        start,
        end,
        text,
        line: None,
    });
}

#[cfg(test)]
mod tests;
