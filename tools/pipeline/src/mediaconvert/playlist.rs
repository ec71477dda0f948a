//! The playlist text MediaConvert's Apple HLS group writes (pure functions, tested field by field).
use super::settings::{Audio, AudioTrack, CaptionMapping, StaticKey};

/// One segment as written: its duration (seconds) and file name.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub duration: f64,
    pub uri: String,
    pub bytes: u64,
    /// Where the segment starts in `uri` when it is a byte range of it (`SINGLE_FILE`).
    pub offset: Option<u64>,
}

/// The init segment (EXT-X-MAP): its URI, and its length when it is the first bytes of a file.
#[derive(Debug, Clone, Copy)]
pub struct Map<'a> {
    pub uri: &'a str,
    pub length: Option<u64>,
}

/// A media playlist: integer EXTINF with `ManifestDurationFormat: INTEGER` (rounded, TARGETDURATION
/// the largest of them), else 5 decimals; MEDIA-SEQUENCE 1; VOD; ENDLIST. VERSION 3, or 5 where a
/// static key's KEYFORMAT attributes need it (RFC 8216 section 7).
pub fn media_playlist(
    segments: &[Segment],
    integer: bool,
    key: Option<&StaticKey>,
    map: Option<Map>,
) -> String {
    let target = segments
        .iter()
        .map(|s| s.duration.round() as u64)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut s = String::from("#EXTM3U\n");
    // CMAF's EXT-X-MAP: 6 (MediaConvert's CMAF playlists); a static key's KEYFORMAT: 5; else 3.
    let version = if map.is_some() {
        6
    } else if key.is_some() {
        5
    } else {
        3
    };
    s.push_str(&format!("#EXT-X-VERSION:{version}\n"));
    s.push_str(&format!("#EXT-X-TARGETDURATION:{target}\n"));
    s.push_str("#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    if let Some(k) = key {
        s.push_str(&key_tag(k));
        s.push('\n');
    }
    match map {
        Some(Map {
            uri,
            length: Some(len),
        }) => s.push_str(&format!("#EXT-X-MAP:URI=\"{uri}\",BYTERANGE=\"{len}@0\"\n")),
        Some(Map { uri, length: None }) => s.push_str(&format!("#EXT-X-MAP:URI=\"{uri}\"\n")),
        None => {}
    }
    for seg in segments {
        if integer {
            s.push_str(&format!("#EXTINF:{},\n", seg.duration.round() as u64));
        } else {
            s.push_str(&format!("#EXTINF:{:.5},\n", seg.duration));
        }
        if let Some(off) = seg.offset {
            s.push_str(&format!("#EXT-X-BYTERANGE:{}@{off}\n", seg.bytes));
        }
        s.push_str(&seg.uri);
        s.push('\n');
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

/// MediaConvert's static-key tag: the provider's Url, the IV only when it goes in the manifest.
pub fn key_tag(k: &StaticKey) -> String {
    let iv = k
        .iv_hex
        .as_ref()
        .map(|iv| format!(",IV=0x{}", iv.to_ascii_uppercase()))
        .unwrap_or_default();
    format!(
        "#EXT-X-KEY:METHOD=AES-128,URI=\"{}\"{iv},KEYFORMAT=\"identity\",KEYFORMATVERSIONS=\"1\"",
        k.url
    )
}

/// One audio rendition of a CMAF master (EXT-X-MEDIA).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioRendition {
    pub group_id: String,
    pub language: Option<String>,
    pub name: String,
    pub autoselect: bool,
    pub default: bool,
    pub uri: String,
}

impl AudioRendition {
    /// The `j`th audio output's rendition as MediaConvert names it: its `AudioTrack` group (else
    /// `program_audio`), `StreamName` (else the language's own name, else `Audio j+1`), and the
    /// LANGUAGE as the lower-case code of MediaConvert's `LanguageCode` enum (`ENG`).
    pub fn of(track: Option<&AudioTrack>, a: &Audio, j: usize, uri: String) -> Self {
        let language = a.language.as_deref().map(str::to_ascii_lowercase);
        AudioRendition {
            group_id: track.map_or_else(|| "program_audio".into(), |t| t.group_id.clone()),
            name: (a.stream_name.clone())
                .or_else(|| language.as_deref().map(language_name))
                .unwrap_or_else(|| format!("Audio {}", j + 1)),
            autoselect: track.is_none_or(|t| t.autoselect),
            default: track.is_none_or(|t| t.default),
            uri,
            language,
        }
    }
}

/// The NAME MediaConvert gives an audio rendition without a `StreamName`: the language's own name.
pub fn language_name(code: &str) -> String {
    match code {
        "eng" => "English",
        "fra" | "fre" => "Français",
        "spa" => "Español",
        "deu" | "ger" => "Deutsch",
        "ita" => "Italiano",
        "por" => "Português",
        "jpn" => "日本語",
        _ => code,
    }
    .to_string()
}

/// A CMAF group's master: VERSION 6, the variants with VIDEO-RANGE and AUDIO, and the audio
/// renditions' EXT-X-MEDIA *after* them, as MediaConvert's CMAF masters have it.
pub fn cmaf_master(
    variants: &[Variant],
    audio_group: Option<&str>,
    audio: &[AudioRendition],
) -> String {
    let mut s = String::from("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for v in variants {
        s.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},VIDEO-RANGE=SDR,CODECS=\"{}\"",
            v.bandwidth, v.average_bandwidth, v.codecs
        ));
        if let Some((w, h)) = v.resolution {
            s.push_str(&format!(",RESOLUTION={w}x{h}"));
        }
        s.push_str(&format!(",FRAME-RATE={:.3}", v.frame_rate));
        if let Some(g) = audio_group {
            s.push_str(&format!(",AUDIO=\"{g}\""));
        }
        s.push_str(&format!("\n{}\n", v.uri));
    }
    for a in audio {
        s.push_str(&media_line(a));
    }
    s
}

/// An audio rendition's `EXT-X-MEDIA` line.
fn media_line(a: &AudioRendition) -> String {
    let mut s = format!("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"{}\"", a.group_id);
    if let Some(l) = &a.language {
        s.push_str(&format!(",LANGUAGE=\"{l}\""));
    }
    let yes = |b: bool| if b { "YES" } else { "NO" };
    s.push_str(&format!(
        ",NAME=\"{}\",AUTOSELECT={},DEFAULT={},URI=\"{}\"\n",
        a.name,
        yes(a.autoselect),
        yes(a.default),
        a.uri
    ));
    s
}

/// The profile, constraint flags and level of an init segment's `avcC` box.
pub fn find_avcc(bytes: &[u8]) -> Option<[u8; 3]> {
    let at = bytes.windows(4).position(|w| w == b"avcC")?;
    match bytes.get(at + 5..at + 8)? {
        [p, f, l] => Some([*p, *f, *l]),
        _ => None,
    }
}

/// One variant of the master.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub uri: String,
    pub bandwidth: u64,
    pub average_bandwidth: u64,
    pub codecs: String,
    pub resolution: Option<(u32, u32)>,
    pub frame_rate: f64,
    /// The Apple HLS group's `AUDIO` (a video-only output with alternate audio renditions).
    pub audio_group: Option<String>,
    /// The Apple HLS group's `SUBTITLES` (the group has WebVTT outputs).
    pub subtitles: Option<String>,
    /// `CLOSED-CAPTIONS`' value as written: the quoted group (`CaptionLanguageSetting` INSERT) or
    /// `NONE`.
    pub closed_captions: Option<String>,
}

/// The GROUP-ID of the CLOSED-CAPTIONS renditions `CaptionLanguageSetting` INSERT writes.
pub const CC_GROUP_ID: &str = "cc";

/// A WebVTT rendition of an Apple HLS master (EXT-X-MEDIA TYPE=SUBTITLES).
#[derive(Debug, Clone, PartialEq)]
pub struct SubtitleRendition {
    pub group_id: String,
    pub name: String,
    pub default: bool,
    pub language: Option<String>,
    pub uri: String,
}

/// An Apple HLS group's master: VERSION 3; the audio-only outputs' `EXT-X-MEDIA` *before* the
/// variants (as AWS Elemental's rendition-group manifests have them), the WebVTT outputs' *after*
/// them (as a MediaConvert master with captions has them).
pub fn master_playlist(
    variants: &[Variant],
    audio: &[AudioRendition],
    subtitles: &[SubtitleRendition],
    closed_captions: &[CaptionMapping],
) -> String {
    let mut s = String::from("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for a in audio {
        s.push_str(&media_line(a));
    }
    for v in variants {
        s.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},CODECS=\"{}\"",
            v.bandwidth, v.average_bandwidth, v.codecs
        ));
        if let Some((w, h)) = v.resolution {
            s.push_str(&format!(",RESOLUTION={w}x{h}"));
        }
        s.push_str(&format!(",FRAME-RATE={:.3}", v.frame_rate));
        if let Some(g) = &v.audio_group {
            s.push_str(&format!(",AUDIO=\"{g}\""));
        }
        if let Some(g) = &v.subtitles {
            s.push_str(&format!(",SUBTITLES=\"{g}\""));
        }
        if let Some(c) = &v.closed_captions {
            s.push_str(&format!(",CLOSED-CAPTIONS={c}"));
        }
        s.push_str(&format!("\n{}\n", v.uri));
    }
    for t in subtitles {
        let yes = |b: bool| if b { "YES" } else { "NO" };
        s.push_str(&format!(
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"{}\",NAME=\"{}\",DEFAULT={},AUTOSELECT=YES,FORCED=NO",
            t.group_id,
            t.name,
            yes(t.default)
        ));
        if let Some(l) = &t.language {
            s.push_str(&format!(",LANGUAGE=\"{l}\""));
        }
        s.push_str(&format!(",URI=\"{}\"\n", t.uri));
    }
    // The 608 channels the video carries (no URI: the captions are in the video's segments).
    for c in closed_captions {
        s.push_str(&format!(
            "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"{CC_GROUP_ID}\",LANGUAGE=\"{}\",NAME=\"{}\",INSTREAM-ID=\"CC{}\"\n",
            c.language,
            c.name.as_deref().unwrap_or(&c.language),
            c.channel
        ));
    }
    s
}

/// AVERAGE-BANDWIDTH as MediaConvert writes it: 1.1 x the configured video + audio bitrates.
pub fn average_bandwidth(video_bps: u64, audio_bps: u64) -> u64 {
    (video_bps + audio_bps) * 11 / 10
}

/// BANDWIDTH: the peak bitrate of the full-length segments (all of them when none is), never below
/// AVERAGE-BANDWIDTH.
pub fn peak_bandwidth(segments: &[Segment], segment_length: u32, average: u64) -> u64 {
    let full = |s: &&Segment| s.duration + 0.5 >= f64::from(segment_length);
    let rate = |s: &Segment| (s.bytes as f64 * 8.0 / s.duration.max(0.001)).round() as u64;
    let peak_full = segments.iter().filter(full).map(rate).max();
    let peak = peak_full
        .or_else(|| segments.iter().map(rate).max())
        .unwrap_or(0);
    peak.max(average)
}

/// H.264 CODECS from the SPS: `RFC_4281` the legacy decimal `avc1.<profile>.<level>` form,
/// `RFC_6381` six hex digits (profile, constraint flags, level).
pub fn avc_codec(sps: [u8; 3], rfc_6381: bool) -> String {
    let [profile, flags, level] = sps;
    if rfc_6381 {
        format!("avc1.{profile:02x}{flags:02x}{level:02x}")
    } else {
        format!("avc1.{profile}.{level}")
    }
}

/// The first SPS's profile, constraint flags and level in an Annex B stream (a TS segment: the
/// SPS sits at the start of the first video PES, inside one packet).
pub fn find_sps(bytes: &[u8]) -> Option<[u8; 3]> {
    bytes.windows(7).find_map(|w| match w {
        [0, 0, 1, nal, p, f, l] if nal & 0x1f == 7 => Some([*p, *f, *l]),
        _ => None,
    })
}

/// Expands MediaConvert's format identifiers in a modifier: `$dt$` (UTC completion time,
/// `YYYYMMDDTHHMMSS`), `$w$`, `$h$`, `$rv$` (video bitrate, kbit/s); another `$..$` is refused.
pub fn expand_modifier(m: &str, dt: &str, w: u32, h: u32, bitrate: u64) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = m;
    while let Some(start) = rest.find('$') {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 1..).unwrap_or("");
        let Some(end) = after.find('$') else {
            return Err(format!("{m}: unmatched `$`"));
        };
        let id = after.get(..end).unwrap_or("");
        match id {
            "dt" => out.push_str(dt),
            "w" => out.push_str(&w.to_string()),
            "h" => out.push_str(&h.to_string()),
            "rv" => out.push_str(&(bitrate / 1000).to_string()),
            _ => return Err(format!("{m}: format identifier ${id}$ not emulated")),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_expand_known_identifiers_and_refuse_others() {
        assert_eq!(
            expand_modifier("$dt$", "20250101T120000", 640, 360, 1_000_000).as_deref(),
            Ok("20250101T120000")
        );
        assert_eq!(
            expand_modifier("_$w$x$h$_$rv$k", "x", 640, 360, 1_000_000).as_deref(),
            Ok("_640x360_1000k")
        );
        assert!(expand_modifier("$rf$", "x", 1, 1, 1).is_err_and(|e| e.contains("$rf$")));
        assert!(expand_modifier("a$b", "x", 1, 1, 1).is_err());
    }

    #[test]
    fn codec_strings_in_both_specifications() {
        assert_eq!(avc_codec([0x4d, 0x40, 0x1e], false), "avc1.77.30");
        assert_eq!(avc_codec([0x4d, 0x40, 0x1e], true), "avc1.4d401e");
        assert_eq!(
            find_sps(&[9, 0, 0, 0, 1, 0x67, 0x4d, 0x40, 0x1f, 0xac]),
            Some([0x4d, 0x40, 0x1f])
        );
        assert_eq!(find_sps(&[0, 0, 1, 0x68, 1, 2, 3]), None);
    }
}
