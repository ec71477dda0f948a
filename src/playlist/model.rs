//! The playlist model, named after RFC 8216 (HLS). Every URI here is absolute: it was resolved
//! against the playlist's own URL when parsed.

/// A parsed playlist: either a multivariant ("master") playlist or a media playlist.
#[derive(Debug, Clone, PartialEq)]
pub enum Playlist {
    Master(MasterPlaylist),
    Media(MediaPlaylist),
}

/// RFC 8216 §4.3.4: the multivariant ("master") playlist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MasterPlaylist {
    /// EXT-X-VERSION, when present.
    pub version: Option<u32>,
    /// EXT-X-STREAM-INF entries in playlist order.
    pub variants: Vec<Variant>,
    /// EXT-X-MEDIA entries in playlist order.
    pub renditions: Vec<Rendition>,
    /// EXT-X-I-FRAME-STREAM-INF entries.
    pub i_frame_variants: Vec<IFrameVariant>,
    /// EXT-X-SESSION-DATA entries.
    pub session_data: Vec<SessionData>,
    /// EXT-X-INDEPENDENT-SEGMENTS.
    pub independent_segments: bool,
    /// EXT-X-START.
    pub start: Option<StartOffset>,
    /// What the parser accepted but left out (an unusable I-frame variant).
    pub warnings: Vec<super::PlaylistWarning>,
    /// EXT-X-DEFINE's variables, which its media playlists may IMPORT.
    pub variables: super::Variables,
}

impl MasterPlaylist {
    /// The EXT-X-MEDIA renditions of `media_type` in `group_id`, in playlist order.
    pub fn renditions_in_group<'a>(
        &'a self,
        media_type: MediaType,
        group_id: &'a str,
    ) -> impl Iterator<Item = &'a Rendition> + 'a {
        self.renditions
            .iter()
            .filter(move |r| r.media_type == media_type && r.group_id == group_id)
    }

    /// The audio renditions of `variant`'s AUDIO group, wherever they appear in the playlist.
    /// Empty when the variant names no group, or a group with no EXT-X-MEDIA (audio muxed into
    /// the variant's own stream, as MediaConvert writes `AUDIO="program_audio"`).
    pub fn audio_renditions<'a>(&'a self, variant: &'a Variant) -> Vec<&'a Rendition> {
        match &variant.audio {
            Some(group) => self.renditions_in_group(MediaType::Audio, group).collect(),
            None => Vec::new(),
        }
    }
}

/// RFC 8216 §4.3.4.2: EXT-X-STREAM-INF and the URI line after it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Variant {
    pub uri: String,
    /// Peak bits per second.
    pub bandwidth: u64,
    /// Average bits per second.
    pub average_bandwidth: Option<u64>,
    /// Normalised for MSE (`avc1.77.30` becomes `avc1.4d001e`).
    pub codecs: Option<String>,
    pub resolution: Option<Resolution>,
    pub frame_rate: Option<f64>,
    pub hdcp_level: Option<String>,
    pub video_range: Option<String>,
    /// GROUP-ID of the audio renditions. May name a group with no EXT-X-MEDIA (muxed audio).
    pub audio: Option<String>,
    pub video: Option<String>,
    pub subtitles: Option<String>,
    /// GROUP-ID, or `NONE` kept as the literal string.
    pub closed_captions: Option<String>,
    /// 1-based line of the EXT-X-STREAM-INF tag.
    pub line: usize,
}

/// `RESOLUTION=<width>x<height>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

/// EXT-X-MEDIA TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Audio,
    Video,
    Subtitles,
    ClosedCaptions,
}

impl MediaType {
    /// The attribute value as written in the playlist.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Audio => "AUDIO",
            MediaType::Video => "VIDEO",
            MediaType::Subtitles => "SUBTITLES",
            MediaType::ClosedCaptions => "CLOSED-CAPTIONS",
        }
    }
}

/// RFC 8216 §4.3.4.1: EXT-X-MEDIA.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendition {
    pub media_type: MediaType,
    pub group_id: String,
    pub name: String,
    pub language: Option<String>,
    pub assoc_language: Option<String>,
    pub default: bool,
    pub autoselect: bool,
    pub forced: bool,
    pub channels: Option<String>,
    pub instream_id: Option<String>,
    /// Absent for renditions muxed into the variant's stream.
    pub uri: Option<String>,
    pub line: usize,
}

/// RFC 8216 §4.3.4.3: EXT-X-I-FRAME-STREAM-INF.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IFrameVariant {
    pub uri: String,
    pub bandwidth: u64,
    pub average_bandwidth: Option<u64>,
    pub codecs: Option<String>,
    pub resolution: Option<Resolution>,
    pub line: usize,
}

/// RFC 8216 §4.3.4.4: EXT-X-SESSION-DATA.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionData {
    pub data_id: String,
    pub value: Option<String>,
    pub uri: Option<String>,
    pub language: Option<String>,
}

/// RFC 8216 §4.3.5.2: EXT-X-START.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StartOffset {
    /// Seconds; negative counts from the end of the playlist.
    pub time_offset: f64,
    pub precise: bool,
}

/// EXT-X-PLAYLIST-TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaylistType {
    Vod,
    Event,
}

impl PlaylistType {
    pub fn as_str(self) -> &'static str {
        match self {
            PlaylistType::Vod => "VOD",
            PlaylistType::Event => "EVENT",
        }
    }
}

/// RFC 8216 §4.3.3: a media playlist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaPlaylist {
    pub version: Option<u32>,
    /// EXT-X-TARGETDURATION, seconds.
    pub target_duration: u64,
    /// EXT-X-MEDIA-SEQUENCE of the first segment.
    pub media_sequence: u64,
    /// EXT-X-DISCONTINUITY-SEQUENCE of the first segment.
    pub discontinuity_sequence: u64,
    pub playlist_type: Option<PlaylistType>,
    /// EXT-X-ENDLIST seen: no more segments will be added.
    pub ended: bool,
    pub independent_segments: bool,
    pub start: Option<StartOffset>,
    pub i_frames_only: bool,
    pub segments: Vec<MediaSegment>,
    /// EXT-X-SKIP: this is a delta update and some segments were left out. `None` after
    /// [`merge_live`](super::merge_live) rebuilt them from the previous playlist.
    pub skip: Option<Skip>,
    /// What the parser accepted but left out (a trailing EXTINF without its URI).
    pub warnings: Vec<super::PlaylistWarning>,
}

/// EXT-X-SKIP (playlist delta updates, RFC 8216bis §4.4.5.2): `count` segments the client already
/// has were left out before `segments[index]`. Sequence numbers of the later segments count them;
/// their `start` counts them at the target duration each until the merge puts in the real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip {
    /// Where in `segments` the skipped ones belong (0: before all of them, as servers write it).
    pub index: usize,
    /// SKIPPED-SEGMENTS.
    pub count: u64,
    /// Media sequence number of the first skipped segment.
    pub first_sequence: u64,
    /// 1-based line of the EXT-X-SKIP tag.
    pub line: usize,
}

impl MediaPlaylist {
    /// Sum of the segments' EXTINF durations, seconds.
    pub fn duration(&self) -> f64 {
        self.segments.iter().map(|s| s.duration).sum()
    }

    /// Whether more segments may be appended by a reload (live or EVENT).
    pub fn is_live(&self) -> bool {
        !self.ended && self.playlist_type != Some(PlaylistType::Vod)
    }
}

/// RFC 8216 §3: one media segment, with every tag that applies to it carried forward.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaSegment {
    pub uri: String,
    /// EXTINF duration, seconds.
    pub duration: f64,
    /// EXTINF title, when one follows the comma.
    pub title: Option<String>,
    /// Media sequence number.
    pub sequence: u64,
    /// EXT-X-DISCONTINUITY precedes this segment.
    pub discontinuity: bool,
    /// Discontinuity sequence number this segment belongs to.
    pub discontinuity_sequence: u64,
    /// EXT-X-BYTERANGE with the implicit offset made explicit.
    pub byte_range: Option<ByteRange>,
    /// EXT-X-KEY in force; `None` when unencrypted (no key or METHOD=NONE).
    pub key: Option<Key>,
    /// EXT-X-MAP in force.
    pub map: Option<Map>,
    /// EXT-X-PROGRAM-DATE-TIME as written (ISO 8601).
    pub program_date_time: Option<String>,
    /// EXT-X-GAP: the segment must not be loaded.
    pub gap: bool,
    /// Start of the segment on the playlist's timeline (sum of earlier EXTINF), seconds.
    pub start: f64,
    /// 1-based line of the URI.
    pub line: usize,
}

impl MediaSegment {
    /// The AES-128 IV for this segment (RFC 8216 §5.2): the key's IV when written, otherwise the
    /// media sequence number as a big-endian 128-bit integer. `None` when unencrypted.
    pub fn aes_iv(&self) -> Option<[u8; 16]> {
        Some(self.key.as_ref()?.iv(self.sequence))
    }
}

/// A byte range: `length` bytes from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

impl ByteRange {
    /// The HTTP `Range` header value (`bytes=first-last`, inclusive).
    pub fn http_range(&self) -> String {
        let last = self.offset + self.length.saturating_sub(1);
        format!("bytes={}-{}", self.offset, last)
    }
}

/// EXT-X-KEY METHOD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMethod {
    /// Whole segments encrypted with AES-128-CBC and PKCS#7 padding.
    Aes128,
    /// As AES-128 with a 32-byte key (RFC 8216bis).
    Aes256,
    /// Samples inside the segment encrypted (Apple's SAMPLE-AES), the container clear.
    SampleAes,
}

impl KeyMethod {
    /// Bytes a key file of this method holds.
    pub fn key_len(self) -> usize {
        match self {
            KeyMethod::Aes256 => 32,
            KeyMethod::Aes128 | KeyMethod::SampleAes => 16,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyMethod::Aes128 => "AES-128",
            KeyMethod::Aes256 => "AES-256",
            KeyMethod::SampleAes => "SAMPLE-AES",
        }
    }
}

/// RFC 8216 §4.3.2.4: EXT-X-KEY (not NONE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub method: KeyMethod,
    pub uri: String,
    /// The IV as written (`0x…`); when absent the segment's media sequence number is the IV.
    pub iv: Option<String>,
    pub keyformat: Option<String>,
    pub keyformat_versions: Option<String>,
}

impl Key {
    /// The IV for the segment with media sequence number `sequence` (RFC 8216 §5.2): the IV
    /// attribute when written, otherwise the sequence number as a big-endian 128-bit integer.
    pub fn iv(&self, sequence: u64) -> [u8; 16] {
        // Validated by the parser: `0x` and 1 to 32 hex digits.
        let written = self.iv.as_deref().and_then(|text| {
            let digits = text.get(2..).filter(|d| !d.is_empty() && d.len() <= 32)?;
            // Shifted in digit by digit (32 digits fit): `u128::from_str_radix` brings a
            // 128-bit multiply and its overflow checks into the wasm.
            digits.bytes().try_fold(0u128, |iv, b| {
                Some(iv << 4 | u128::from(char::from(b).to_digit(16)?))
            })
        });
        written.unwrap_or(u128::from(sequence)).to_be_bytes()
    }
}

/// RFC 8216 §4.3.2.5: EXT-X-MAP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map {
    pub uri: String,
    pub byte_range: Option<ByteRange>,
    /// The EXT-X-KEY in force where the EXT-X-MAP is written: the init segment is encrypted
    /// with it (AES-128/256; its IV attribute is required then, RFC 8216bis §4.4.4.5).
    pub key: Option<Key>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iv_reads_the_hex_digits_big_endian() {
        let key = |iv: &str| Key {
            method: KeyMethod::Aes128,
            uri: String::new(),
            iv: Some(iv.to_string()),
            keyformat: None,
            keyformat_versions: None,
        };
        let all = "0x000102030405060708090A0b0c0d0e0F";
        let expected: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(key(all).iv(9), expected);
        assert_eq!(key("0xabc").iv(9), 0xabc_u128.to_be_bytes());
        // Not what the parser lets through: the sequence number instead.
        assert_eq!(key("0xg").iv(9), 9_u128.to_be_bytes());
    }
}
