//! The one place the engine turns playlist bytes into the model. Until the full parser
//! (`crate::playlist::parse`) is merged this is a small reader of the tags the engine needs
//! (STREAM-INF BANDWIDTH/AVERAGE-BANDWIDTH/RESOLUTION/CODECS, TARGETDURATION, MEDIA-SEQUENCE,
//! DISCONTINUITY(-SEQUENCE), PLAYLIST-TYPE, ENDLIST, BYTERANGE, GAP) with URL resolution.

use crate::playlist::{
    ByteRange, MasterPlaylist, MediaPlaylist, MediaSegment, Playlist, PlaylistType, Resolution,
    Variant,
};

/// Segments kept from one playlist: a bound against hostile input.
pub const MAX_SEGMENTS: usize = 100_000;

/// Parse a playlist fetched from `url`. Errors name the line.
pub fn parse_playlist(data: &[u8], url: &str) -> Result<Playlist, String> {
    let text = std::str::from_utf8(data)
        .map_err(|e| format!("{}: not UTF-8 at byte {}", url, e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    match lines.next() {
        Some((_, "#EXTM3U")) => {}
        _ => return Err(format!("{url}: line 1: missing #EXTM3U")),
    }
    if text.contains("#EXT-X-STREAM-INF") {
        parse_master(lines, url).map(Playlist::Master)
    } else {
        parse_media(lines, url).map(Playlist::Media)
    }
}

fn attr<'a>(list: &'a str, name: &str) -> Option<&'a str> {
    // Attribute lists: NAME=value pairs separated by commas outside quotes.
    let mut rest = list;
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = rest.get(..eq)?.trim();
        let after = rest.get(eq + 1..)?;
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let close = q.find('"')?;
            let v = q.get(..close)?;
            let n = q.get(close + 1..)?;
            (v, n.strip_prefix(',').unwrap_or(n))
        } else {
            match after.find(',') {
                Some(c) => (after.get(..c)?, after.get(c + 1..)?),
                None => (after, ""),
            }
        };
        if key == name {
            return Some(value);
        }
        rest = next;
    }
    None
}

fn parse_master<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
    url: &str,
) -> Result<MasterPlaylist, String> {
    let mut m = MasterPlaylist::default();
    let mut pending: Option<Variant> = None;
    for (n, line) in lines {
        if let Some(a) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            let bandwidth = attr(a, "BANDWIDTH")
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| {
                    format!("{url}: line {n}: EXT-X-STREAM-INF without a valid BANDWIDTH")
                })?;
            let resolution = attr(a, "RESOLUTION").and_then(|r| {
                let (w, h) = r.split_once('x')?;
                Some(Resolution {
                    width: w.parse().ok()?,
                    height: h.parse().ok()?,
                })
            });
            pending = Some(Variant {
                bandwidth,
                average_bandwidth: attr(a, "AVERAGE-BANDWIDTH").and_then(|v| v.parse().ok()),
                codecs: attr(a, "CODECS").map(str::to_string),
                resolution,
                line: n,
                ..Variant::default()
            });
        } else if line.starts_with("#EXT-X-INDEPENDENT-SEGMENTS") {
            m.independent_segments = true;
        } else if !line.is_empty() && !line.starts_with('#') {
            if let Some(mut v) = pending.take() {
                v.uri = resolve(url, line);
                if m.variants.len() >= 1000 {
                    return Err(format!("{url}: line {n}: more than 1000 variants"));
                }
                m.variants.push(v);
            }
        }
    }
    if m.variants.is_empty() {
        return Err(format!("{url}: no variants"));
    }
    Ok(m)
}

fn parse_media<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
    url: &str,
) -> Result<MediaPlaylist, String> {
    let mut p = MediaPlaylist::default();
    let mut duration: Option<f64> = None;
    let mut discontinuity = false;
    let mut gap = false;
    let mut range: Option<ByteRange> = None;
    let mut next_offset = 0u64;
    let mut start = 0.0;
    let mut disc_seq = 0u64;
    for (n, line) in lines {
        let bad = |what: &str| format!("{url}: line {n}: bad {what}");
        if let Some(v) = line.strip_prefix("#EXT-X-TARGETDURATION:") {
            p.target_duration = v.trim().parse().map_err(|_| bad("EXT-X-TARGETDURATION"))?;
        } else if let Some(v) = line.strip_prefix("#EXT-X-MEDIA-SEQUENCE:") {
            p.media_sequence = v.trim().parse().map_err(|_| bad("EXT-X-MEDIA-SEQUENCE"))?;
        } else if let Some(v) = line.strip_prefix("#EXT-X-DISCONTINUITY-SEQUENCE:") {
            p.discontinuity_sequence = v
                .trim()
                .parse()
                .map_err(|_| bad("EXT-X-DISCONTINUITY-SEQUENCE"))?;
            disc_seq = p.discontinuity_sequence;
        } else if let Some(v) = line.strip_prefix("#EXT-X-PLAYLIST-TYPE:") {
            p.playlist_type = match v.trim() {
                "VOD" => Some(PlaylistType::Vod),
                "EVENT" => Some(PlaylistType::Event),
                _ => return Err(bad("EXT-X-PLAYLIST-TYPE")),
            };
        } else if line.starts_with("#EXT-X-ENDLIST") {
            p.ended = true;
        } else if line.starts_with("#EXT-X-DISCONTINUITY") {
            discontinuity = true;
        } else if line.starts_with("#EXT-X-GAP") {
            gap = true;
        } else if let Some(v) = line.strip_prefix("#EXTINF:") {
            let d = v.split(',').next().unwrap_or("").trim();
            let d: f64 = d.parse().map_err(|_| bad("EXTINF duration"))?;
            if !(d.is_finite() && d >= 0.0) {
                return Err(bad("EXTINF duration"));
            }
            duration = Some(d);
        } else if let Some(v) = line.strip_prefix("#EXT-X-BYTERANGE:") {
            let (len, off) = match v.split_once('@') {
                Some((l, o)) => (l, Some(o)),
                None => (v, None),
            };
            let length: u64 = len.trim().parse().map_err(|_| bad("EXT-X-BYTERANGE"))?;
            let offset = match off {
                Some(o) => o.trim().parse().map_err(|_| bad("EXT-X-BYTERANGE"))?,
                None => next_offset,
            };
            next_offset = offset.saturating_add(length);
            range = Some(ByteRange { offset, length });
        } else if !line.is_empty() && !line.starts_with('#') {
            let d = duration
                .take()
                .ok_or_else(|| format!("{url}: line {n}: segment URI without EXTINF"))?;
            if p.segments.len() >= MAX_SEGMENTS {
                return Err(format!(
                    "{url}: line {n}: more than {MAX_SEGMENTS} segments"
                ));
            }
            if discontinuity {
                disc_seq += 1;
            }
            let sequence = p.media_sequence + p.segments.len() as u64;
            p.segments.push(MediaSegment {
                uri: resolve(url, line),
                duration: d,
                sequence,
                discontinuity,
                discontinuity_sequence: disc_seq,
                byte_range: range.take(),
                gap,
                start,
                line: n,
                ..MediaSegment::default()
            });
            start += d;
            discontinuity = false;
            gap = false;
        }
    }
    Ok(p)
}

/// Resolve `reference` against `base` (RFC 3986, the cases playlists use).
pub fn resolve(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_string();
    }
    let base = base.split(['?', '#']).next().unwrap_or(base);
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    if let Some(r) = reference.strip_prefix("//") {
        let scheme = base.get(..scheme_end).unwrap_or("");
        return format!("{scheme}{r}");
    }
    if reference.starts_with('/') {
        let host_end = base
            .get(scheme_end..)
            .and_then(|rest| rest.find('/'))
            .map_or(base.len(), |i| i + scheme_end);
        return format!("{}{}", base.get(..host_end).unwrap_or(base), reference);
    }
    let dir_end = base.rfind('/').map_or(0, |i| i + 1).max(scheme_end);
    format!("{}{}", base.get(..dir_end).unwrap_or(""), reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_and_media() {
        let m = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=960x540,CODECS=\"avc1.4d401f,mp4a.40.2\"\nb_540.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\n/x/b_360.m3u8\n";
        let Playlist::Master(m) =
            parse_playlist(m.as_bytes(), "https://c.example/v/b.m3u8?x=1").unwrap()
        else {
            panic!("not master")
        };
        assert_eq!(m.variants[0].uri, "https://c.example/v/b_540.m3u8");
        assert_eq!(m.variants[0].resolution.unwrap().height, 540);
        assert_eq!(
            m.variants[0].codecs.as_deref(),
            Some("avc1.4d401f,mp4a.40.2")
        );
        assert_eq!(m.variants[1].uri, "https://c.example/x/b_360.m3u8");
        let p = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:5\n#EXTINF:10,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:9.5,\nb.ts\n#EXT-X-ENDLIST\n";
        let Playlist::Media(p) =
            parse_playlist(p.as_bytes(), "https://c.example/v/b_360.m3u8").unwrap()
        else {
            panic!("not media")
        };
        assert!(p.ended);
        assert_eq!(p.segments[1].sequence, 6);
        assert!(p.segments[1].discontinuity);
        assert_eq!(p.segments[1].start, 10.0);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_playlist(b"#EXTM3U\n#EXTINF:abc,\na.ts\n", "u").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        assert!(parse_playlist(b"nope", "u").is_err());
    }
}
