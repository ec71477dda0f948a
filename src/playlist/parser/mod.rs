//! The one-pass line parser: bytes in, [`Playlist`] out, or the first problem with its line number.

use super::attrs::{parse_byte_range, parse_integer, Attrs};
use super::define::{Context, Variables};

mod master;
mod media;
use super::error::{PlaylistError, PlaylistErrorKind, PlaylistWarning};
use super::model::*;
use super::url::Base;
use super::ParseOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Master,
    Media,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Master => "master",
            Kind::Media => "media",
        }
    }
}

/// Segment tags seen since the last URI line, waiting for it.
#[derive(Default)]
struct PendingSegment {
    /// (duration, title, line of the EXTINF)
    extinf: Option<(f64, Option<String>, usize)>,
    /// (length, offset, line of the EXT-X-BYTERANGE)
    byte_range: Option<(u64, Option<u64>, usize)>,
    discontinuity: bool,
    program_date_time: Option<String>,
    gap: bool,
}

struct Parser<'a> {
    base: Base<'a>,
    signed_query: Option<String>,
    options: &'a ParseOptions,
    /// The playlist kind, with the line and tag that decided it.
    kind: Option<(Kind, usize, &'static str)>,
    master: MasterPlaylist,
    pending_variant: Option<Variant>,
    media: MediaPlaylist,
    saw_target_duration: bool,
    saw_media_sequence: bool,
    saw_discontinuity_sequence: bool,
    saw_version: bool,
    saw_part_inf: Option<usize>,
    saw_server_control: Option<usize>,
    pending: PendingSegment,
    key: Option<Key>,
    map: Option<Map>,
    discontinuity_sequence: u64,
    next_start: f64,
    /// An EXTINF whose URI never came before EXT-X-ENDLIST (line of the EXTINF).
    dangling_extinf: Option<usize>,
    /// The last line with anything on it: where "missing X" problems are reported.
    last_line: usize,
    /// EXT-X-DEFINE's variables so far.
    variables: Variables,
}

pub(crate) fn parse(
    input: &[u8],
    url: &str,
    options: &ParseOptions,
) -> Result<Playlist, PlaylistError> {
    let limits = &options.limits;
    if input.len() > limits.max_playlist_bytes {
        return Err(PlaylistError::limit(
            0,
            format!(
                "playlist is {} bytes, more than {}",
                input.len(),
                limits.max_playlist_bytes
            ),
        ));
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    // Before UTF-8 validation, so a segment or HTML page given as a playlist says what it is not.
    let first = input.iter().position(|b| !b.is_ascii_whitespace());
    if first.map_or(true, |i| input.get(i) != Some(&b'#')) {
        let before = input.get(..first.unwrap_or(0)).unwrap_or(&[]);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        return Err(PlaylistError::new(line, PlaylistErrorKind::MissingHeader));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        let before = input.get(..e.valid_up_to()).unwrap_or(&[]);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        PlaylistError::new(line, PlaylistErrorKind::InvalidUtf8)
    })?;
    let base = Base::parse(url).map_err(|e| PlaylistError::new(0, e.into()))?;
    let signed_query = if options.propagate_signed_query {
        base.signed_query()
    } else {
        None
    };
    let mut parser = Parser {
        base,
        signed_query,
        options,
        kind: None,
        master: MasterPlaylist::default(),
        pending_variant: None,
        media: MediaPlaylist::default(),
        saw_target_duration: false,
        saw_media_sequence: false,
        saw_discontinuity_sequence: false,
        saw_version: false,
        saw_part_inf: None,
        saw_server_control: None,
        pending: PendingSegment::default(),
        key: None,
        map: None,
        discontinuity_sequence: 0,
        next_start: 0.0,
        dangling_extinf: None,
        last_line: 1,
        variables: Variables::default(),
    };
    let mut lines = text.split('\n').enumerate();
    // Comment lines before #EXTM3U are tolerated (grafov and m3u8-parser read such playlists;
    // nothing in a comment can be mistaken for media).
    let mut header = None;
    for (index, raw) in lines.by_ref() {
        check_line_length(index + 1, raw, limits)?;
        let t = raw.trim();
        if t.is_empty() || (t.starts_with('#') && !t.starts_with("#EXT")) {
            continue;
        }
        header = Some((index + 1, t));
        break;
    }
    match header {
        Some((_, h))
            if h.strip_prefix("#EXTM3U")
                .is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace)) => {}
        Some((line, _)) => return Err(PlaylistError::new(line, PlaylistErrorKind::MissingHeader)),
        None => return Err(PlaylistError::new(1, PlaylistErrorKind::MissingHeader)),
    }
    for (index, raw) in lines {
        let line = index + 1;
        check_line_length(line, raw, limits)?;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        parser.last_line = line;
        if trimmed.starts_with('#') && !trimmed.starts_with("#EXT") {
            continue; // A comment.
        }
        let text = parser
            .variables
            .substitute(line, trimmed, limits.max_line_bytes)?;
        if text.starts_with("#EXT") {
            parser.tag(line, &text)?;
        } else {
            parser.uri_line(line, &text)?;
        }
    }
    parser.finish()
}

impl<'a> Parser<'a> {
    fn resolve(&self, line: usize, reference: &str) -> Result<String, PlaylistError> {
        let absolute = self
            .base
            .join(reference)
            .map_err(|e| PlaylistError::new(line, e.into()))?;
        Ok(match &self.signed_query {
            Some(signed) => self.base.add_signed_query(absolute, signed),
            None => absolute,
        })
    }

    fn set_kind(
        &mut self,
        kind: Kind,
        line: usize,
        tag: &'static str,
    ) -> Result<(), PlaylistError> {
        match self.kind {
            None => {
                self.kind = Some((kind, line, tag));
                Ok(())
            }
            Some((k, _, _)) if k == kind => Ok(()),
            Some((k, first_line, first_tag)) => Err(PlaylistError::malformed(
                line,
                format!(
                    "master and media tags mixed: {tag} in a {} playlist ({first_tag} at line {first_line})",
                    k.name()
                ),
            )),
        }
    }

    fn tag(&mut self, line: usize, text: &str) -> Result<(), PlaylistError> {
        let text = text.strip_prefix('#').unwrap_or(text);
        let (name, value) = text.split_once(':').unwrap_or((text, ""));
        // Unknown tags (EXT-X-DATERANGE, LL-HLS parts, vendor tags) are ignored: RFC 8216 §6.3.1.
        let Some(&(name, tag, kind)) = TAGS.iter().find(|t| t.0 == name) else {
            return Ok(());
        };
        // A known tag may not sit between EXT-X-STREAM-INF and its URI.
        if let Some(v) = &self.pending_variant {
            return Err(PlaylistError::malformed(
                v.line,
                "EXT-X-STREAM-INF not followed by a URI",
            ));
        }
        if let Some(kind) = kind {
            self.set_kind(kind, line, name)?;
        }
        match tag {
            Tag::Extinf => self.extinf(line, value),
            // hls.js plays playlists that repeat the header; it says nothing new.
            Tag::Header | Tag::SessionKey | Tag::ContentSteering => Ok(()),
            Tag::Version => {
                if std::mem::replace(&mut self.saw_version, true) {
                    return Err(duplicate(line, name));
                }
                let v = parse_integer(value)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| bad_number(line, name, value))?;
                self.master.version = Some(v);
                self.media.version = Some(v);
                Ok(())
            }
            Tag::IndependentSegments => {
                self.master.independent_segments = true;
                self.media.independent_segments = true;
                Ok(())
            }
            Tag::Start => {
                let a = Attrs::parse(name, line, value)?;
                a.required("TIME-OFFSET")?;
                let start = StartOffset {
                    time_offset: a.signed_float("TIME-OFFSET")?.unwrap_or(0.0),
                    precise: a.yes_no("PRECISE")?,
                };
                self.master.start = Some(start);
                self.media.start = Some(start);
                Ok(())
            }
            Tag::StreamInf => self.stream_inf(line, value),
            Tag::Media => self.rendition(line, value),
            Tag::IFrameStreamInf => {
                // I-frame variants are for trick play, which this player does not do: a broken
                // one is left out with a warning rather than refusing a playable master.
                match self.i_frame_stream_inf(line, value) {
                    Err(e) if !matches!(e.kind, PlaylistErrorKind::Limit(_)) => {
                        self.master.warnings.push(PlaylistWarning {
                            line,
                            message: format!("{}: I-frame variant left out", e.kind),
                        });
                        Ok(())
                    }
                    other => other,
                }
            }
            Tag::SessionData => self.session_data(line, value),
            Tag::TargetDuration => {
                if std::mem::replace(&mut self.saw_target_duration, true) {
                    return Err(duplicate(line, name));
                }
                self.target_duration(line, name, value)
            }
            Tag::MediaSequence => {
                self.before_segments(line, name)?;
                if std::mem::replace(&mut self.saw_media_sequence, true) {
                    return Err(duplicate(line, name));
                }
                self.media.media_sequence =
                    parse_integer(value).ok_or_else(|| bad_number(line, name, value))?;
                Ok(())
            }
            Tag::DiscontinuitySequence => {
                self.before_segments(line, name)?;
                if std::mem::replace(&mut self.saw_discontinuity_sequence, true) {
                    return Err(duplicate(line, name));
                }
                let v = parse_integer(value).ok_or_else(|| bad_number(line, name, value))?;
                self.media.discontinuity_sequence = v;
                self.discontinuity_sequence = v;
                Ok(())
            }
            Tag::PlaylistType => {
                let t = match value {
                    "VOD" => PlaylistType::Vod,
                    "EVENT" => PlaylistType::Event,
                    other => {
                        return Err(PlaylistError::malformed(
                            line,
                            format!("EXT-X-PLAYLIST-TYPE is not VOD or EVENT: `{other}`"),
                        ))
                    }
                };
                if self.media.playlist_type.replace(t).is_some() {
                    return Err(duplicate(line, name));
                }
                Ok(())
            }
            Tag::Endlist => {
                if self.media.ended {
                    return Err(duplicate(line, name));
                }
                // The last EXTINF lost its URI: dropped at the end, as hls.js and grafov do.
                if let Some((_, _, extinf_line)) = self.pending.extinf {
                    self.dangling_extinf = Some(extinf_line);
                    self.pending = PendingSegment::default();
                }
                self.media.ended = true;
                Ok(())
            }
            Tag::Skip => self.skip(line, value),
            // LL-HLS tags are not used, but a second one means the playlist is not what its
            // server meant (RFC 8216bis §4.4.3: at most once), as hls.js also says.
            Tag::PartInf | Tag::ServerControl => {
                let seen = if tag == Tag::PartInf {
                    &mut self.saw_part_inf
                } else {
                    &mut self.saw_server_control
                };
                match seen.replace(line) {
                    Some(first) => Err(PlaylistError::malformed(
                        line,
                        format!("duplicate {name} (first at line {first})"),
                    )),
                    None => Ok(()),
                }
            }
            Tag::IFramesOnly => {
                self.media.i_frames_only = true;
                Ok(())
            }
            Tag::ByteRange => {
                let (length, offset) = parse_byte_range(value).ok_or_else(|| {
                    PlaylistError::malformed(
                        line,
                        format!("EXT-X-BYTERANGE is not <length>[@<offset>]: `{value}`"),
                    )
                })?;
                self.pending.byte_range = Some((length, offset, line));
                Ok(())
            }
            Tag::Discontinuity => {
                self.pending.discontinuity = true;
                Ok(())
            }
            Tag::ProgramDateTime => {
                // Informational only (the player times by media timestamps): a bad one is
                // ignored with a warning, as hls.js does, rather than refusing the playlist.
                if looks_like_date_time(value) {
                    self.pending.program_date_time = Some(value.to_string());
                } else {
                    self.media.warnings.push(PlaylistWarning {
                        line,
                        message: format!(
                            "EXT-X-PROGRAM-DATE-TIME is not an ISO 8601 date-time: `{value}`: ignored"
                        ),
                    });
                }
                Ok(())
            }
            Tag::Gap => {
                self.pending.gap = true;
                Ok(())
            }
            Tag::Key => self.key(line, value),
            Tag::Map => self.map(line, value),
            Tag::Define => {
                let cx = Context {
                    line,
                    imports: &self.options.variables,
                    query: self.base.query(),
                };
                self.variables.define(value, &cx)
            }
        }
    }

    fn before_segments(&self, line: usize, tag: &str) -> Result<(), PlaylistError> {
        if self.media.segments.is_empty() && self.pending.extinf.is_none() {
            Ok(())
        } else {
            Err(PlaylistError::malformed(
                line,
                format!("{tag} after the first segment"),
            ))
        }
    }

    fn no_pending_extinf(&self) -> Result<(), PlaylistError> {
        match &self.pending.extinf {
            Some((_, _, extinf_line)) => Err(PlaylistError::malformed(
                *extinf_line,
                "EXTINF not followed by a URI",
            )),
            None => Ok(()),
        }
    }

    fn uri_line(&mut self, line: usize, text: &str) -> Result<(), PlaylistError> {
        if let Some(mut variant) = self.pending_variant.take() {
            if self.master.variants.len() >= self.options.limits.max_variants {
                return Err(too_many(line, "variants", self.options.limits.max_variants));
            }
            variant.uri = self.resolve(line, text)?;
            self.master.variants.push(variant);
            return Ok(());
        }
        let Some((duration, title, _)) = self.pending.extinf.take() else {
            return Err(PlaylistError::malformed(
                line,
                match self.kind {
                    Some((Kind::Master, _, _)) => "URI line without EXT-X-STREAM-INF",
                    _ => "URI line without EXTINF",
                },
            ));
        };
        if self.media.segments.len() >= self.options.limits.max_segments {
            return Err(too_many(line, "segments", self.options.limits.max_segments));
        }
        let uri = self.resolve(line, text)?;
        let pending = std::mem::take(&mut self.pending);
        let byte_range = match pending.byte_range {
            None => None,
            Some((length, Some(offset), _)) => Some(ByteRange { offset, length }),
            Some((length, None, range_line)) => {
                // RFC 8216 §4.3.2.2: continues the previous segment's sub-range of the same resource.
                match self.media.segments.last() {
                    Some(MediaSegment {
                        uri: previous,
                        byte_range: Some(r),
                        ..
                    }) if *previous == uri => Some(ByteRange {
                        offset: r.offset.checked_add(r.length).ok_or_else(|| {
                            PlaylistError::malformed(range_line, "EXT-X-BYTERANGE offset overflows")
                        })?,
                        length,
                    }),
                    _ => {
                        return Err(PlaylistError::malformed(
                            range_line,
                            "EXT-X-BYTERANGE without offset and no previous range of the same URI",
                        ))
                    }
                }
            }
        };
        if pending.discontinuity {
            self.discontinuity_sequence = self.discontinuity_sequence.saturating_add(1);
        }
        let skipped = self.media.skip.map_or(0, |s| s.count);
        let index = (self.media.segments.len() as u64).saturating_add(skipped);
        let start = self.next_start;
        self.next_start += duration;
        self.media.segments.push(MediaSegment {
            uri,
            duration,
            title,
            sequence: self.media.media_sequence.saturating_add(index),
            discontinuity: pending.discontinuity,
            discontinuity_sequence: self.discontinuity_sequence,
            byte_range,
            key: self.key.clone(),
            map: self.map.clone(),
            program_date_time: pending.program_date_time,
            gap: pending.gap,
            start,
            line,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<Playlist, PlaylistError> {
        if let Some(v) = &self.pending_variant {
            return Err(PlaylistError::malformed(
                v.line,
                "EXT-X-STREAM-INF not followed by a URI",
            ));
        }
        // A live playlist read while the server was writing it ends in an EXTINF without its
        // URI: that segment is not there yet.
        let extinf_line = self.pending.extinf.as_ref().map(|e| e.2);
        if let Some(line) = extinf_line.or(self.dangling_extinf) {
            self.media.warnings.push(PlaylistWarning {
                line,
                message: "EXTINF without a URI at the end of the playlist: segment dropped"
                    .to_string(),
            });
        }
        // Problems with the whole playlist are reported at its last line: where the reader
        // gave up looking.
        let end = self.last_line;
        match self.kind {
            Some((Kind::Master, _, _)) => {
                if self.master.variants.is_empty() {
                    return Err(PlaylistError::malformed(
                        end,
                        "end of a master playlist without EXT-X-STREAM-INF",
                    ));
                }
                self.master.variables = self.variables;
                Ok(Playlist::Master(self.master))
            }
            _ => {
                if !self.saw_target_duration {
                    return Err(PlaylistError::malformed(
                        end,
                        "end of a media playlist without EXT-X-TARGETDURATION",
                    ));
                }
                if let Some(skip) = self.media.skip.as_mut() {
                    skip.first_sequence =
                        self.media.media_sequence.saturating_add(skip.index as u64);
                    // Until merged, each skipped segment counts as one target duration.
                    let shift = skip.count as f64 * self.media.target_duration as f64;
                    for s in self.media.segments.iter_mut().skip(skip.index) {
                        s.start += shift;
                    }
                }
                Ok(Playlist::Media(self.media))
            }
        }
    }
}

/// What [`Parser::tag`] does with a tag of [`TAGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Extinf,
    Header,
    Version,
    IndependentSegments,
    Start,
    StreamInf,
    Media,
    IFrameStreamInf,
    SessionData,
    SessionKey,
    TargetDuration,
    MediaSequence,
    DiscontinuitySequence,
    PlaylistType,
    Endlist,
    Skip,
    PartInf,
    ServerControl,
    IFramesOnly,
    ByteRange,
    Discontinuity,
    ProgramDateTime,
    Gap,
    Key,
    Map,
    Define,
    ContentSteering,
}

/// Tags this parser interprets (names without the `#`), each with the playlist kind it makes the
/// playlist (`None`: either kind); everything else starting with `#EXT` is ignored. A table rather
/// than a `match` on the names: the wasm keeps one lookup loop instead of a string comparison and
/// a `set_kind` call per tag. The most frequent tag first: the lookup goes in order.
const TAGS: [(&str, Tag, Option<Kind>); 27] = [
    ("EXTINF", Tag::Extinf, Some(Kind::Media)),
    ("EXTM3U", Tag::Header, None),
    ("EXT-X-VERSION", Tag::Version, None),
    ("EXT-X-INDEPENDENT-SEGMENTS", Tag::IndependentSegments, None),
    ("EXT-X-START", Tag::Start, None),
    ("EXT-X-STREAM-INF", Tag::StreamInf, Some(Kind::Master)),
    ("EXT-X-MEDIA", Tag::Media, Some(Kind::Master)),
    (
        "EXT-X-I-FRAME-STREAM-INF",
        Tag::IFrameStreamInf,
        Some(Kind::Master),
    ),
    ("EXT-X-SESSION-DATA", Tag::SessionData, Some(Kind::Master)),
    ("EXT-X-SESSION-KEY", Tag::SessionKey, Some(Kind::Master)),
    (
        "EXT-X-TARGETDURATION",
        Tag::TargetDuration,
        Some(Kind::Media),
    ),
    (
        "EXT-X-MEDIA-SEQUENCE",
        Tag::MediaSequence,
        Some(Kind::Media),
    ),
    (
        "EXT-X-DISCONTINUITY-SEQUENCE",
        Tag::DiscontinuitySequence,
        Some(Kind::Media),
    ),
    ("EXT-X-PLAYLIST-TYPE", Tag::PlaylistType, Some(Kind::Media)),
    ("EXT-X-ENDLIST", Tag::Endlist, Some(Kind::Media)),
    ("EXT-X-I-FRAMES-ONLY", Tag::IFramesOnly, Some(Kind::Media)),
    ("EXT-X-BYTERANGE", Tag::ByteRange, Some(Kind::Media)),
    ("EXT-X-DISCONTINUITY", Tag::Discontinuity, Some(Kind::Media)),
    (
        "EXT-X-PROGRAM-DATE-TIME",
        Tag::ProgramDateTime,
        Some(Kind::Media),
    ),
    ("EXT-X-GAP", Tag::Gap, Some(Kind::Media)),
    ("EXT-X-KEY", Tag::Key, Some(Kind::Media)),
    ("EXT-X-MAP", Tag::Map, Some(Kind::Media)),
    ("EXT-X-DEFINE", Tag::Define, None),
    // Not used, but known: it may not sit between EXT-X-STREAM-INF and its URI either.
    ("EXT-X-CONTENT-STEERING", Tag::ContentSteering, None),
    ("EXT-X-SKIP", Tag::Skip, Some(Kind::Media)),
    ("EXT-X-PART-INF", Tag::PartInf, Some(Kind::Media)),
    (
        "EXT-X-SERVER-CONTROL",
        Tag::ServerControl,
        Some(Kind::Media),
    ),
];

fn check_line_length(line: usize, raw: &str, limits: &super::Limits) -> Result<(), PlaylistError> {
    if raw.len() > limits.max_line_bytes {
        return Err(PlaylistError::limit(
            line,
            format!(
                "line is {} bytes, more than {}",
                raw.len(),
                limits.max_line_bytes
            ),
        ));
    }
    Ok(())
}

fn duplicate(line: usize, tag: &str) -> PlaylistError {
    PlaylistError::malformed(line, format!("duplicate {tag}"))
}

fn bad_number(line: usize, tag: &str, value: &str) -> PlaylistError {
    PlaylistError::malformed(line, format!("{tag} is not a decimal integer: `{value}`"))
}

fn bad_attr(line: usize, tag: &str, name: &str, value: &str) -> PlaylistError {
    PlaylistError::malformed(line, format!("{tag}: bad {name} `{value}`"))
}

fn too_many(line: usize, what: &str, max: usize) -> PlaylistError {
    PlaylistError::limit(line, format!("more than {max} {what}"))
}

/// `YYYY-MM-DDThh:mm:ss...`: the shape, not a calendar check.
fn looks_like_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
}
