//! Packed audio segments (RFC 8216 §3.4), the alternate audio renditions Apple's HLS tools write:
//! raw ADTS AAC or MPEG-1/2 audio frames after an ID3 tag whose `PRIV` frame owned by
//! `com.apple.streaming.transportStreamTimestamp` holds the 33-bit 90 kHz timestamp of the first
//! frame. The frames go through the TS path's audio framer (`Demuxer::audio`) as one PES timed by
//! that timestamp, so placement, gap filling and output follow exactly the TS rules.
//!
//! A segment is packed audio when it starts with an ID3 tag or an audio sync word instead of the
//! TS sync byte (its first 4 bytes decide). ID3 tags between frames (timed metadata) are skipped;
//! one with a timestamp re-times the frames after it, as a new PES would. Any chunking gives the
//! same frames: bytes that may start a tag are held until they tell, the rest goes on at once.
use super::{RemuxError, RemuxWarning, Transmuxer};
use crate::error::ErrorCategory;
use crate::id3::{self, Id3Error, Sniff};
use crate::ts::audio::{AudioEs, AudioKind};

/// Bytes that decide a segment's format.
const SNIFF_LEN: usize = 4;
const TS_PERIOD: i64 = 1 << 33;

/// A packed audio segment that cannot be remuxed. `Copy`: a failed segment returns its error
/// again for every later chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackedError {
    /// Offsets count from the start of the segment.
    #[error(transparent)]
    Id3(#[from] Id3Error),
    #[error(
        "unsupported: AC-3 or E-AC-3 packed audio at byte {offset} (the transmuxer has no AC-3)"
    )]
    Ac3 { offset: u64 },
    #[error(
        "malformed: packed audio: no ADTS or MPEG audio frame at byte {offset} (bytes {:08X})",
        u32::from_be_bytes(*found)
    )]
    NotAudio { offset: u64, found: [u8; 4] },
    #[error(
        "malformed: packed audio: no audio after the ID3 tags (the segment ends at byte {offset})"
    )]
    NoAudio { offset: u64 },
}

impl PackedError {
    /// What kind of failure this is (the word its message starts with).
    pub fn category(&self) -> ErrorCategory {
        match self {
            PackedError::Id3(e) => e.category(),
            PackedError::Ac3 { .. } => ErrorCategory::Unsupported,
            PackedError::NotAudio { .. } | PackedError::NoAudio { .. } => ErrorCategory::Malformed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackedWarning {
    #[error("packed audio without an ID3 transport stream timestamp: placed at {ms} ms")]
    NoTimestamp { ms: i64 },
    #[error("{count} ID3 tags in the packed audio skipped; the first: {first}")]
    TagsSkipped { count: usize, first: Id3Error },
}

/// What a segment is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Format {
    #[default]
    Unknown,
    Ts,
    Packed,
}

/// Where the packed audio parser is in the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Where an ID3 tag may start; `leading`: before the first audio frame.
    Boundary {
        leading: bool,
    },
    /// Collecting a tag of `len` bytes.
    Tag {
        leading: bool,
        len: usize,
    },
    /// Collecting the first audio bytes, which tell the codec.
    FirstAudio,
    Audio,
}

/// Per-segment state of the format decision and the packed audio parser.
#[derive(Debug)]
pub(super) struct Packed {
    format: Format,
    /// The format of the last segment decided (a change resets the demuxer).
    previous: Format,
    phase: Phase,
    /// Bytes not handed on yet: the first bytes until the format is known, a tag being
    /// collected, or bytes that may start a tag.
    held: Vec<u8>,
    /// Segment offset of `held[0]` (bytes handed to the audio framer or skipped as tags).
    pos: u64,
    /// Timestamp of the leading tags.
    timestamp: Option<u64>,
    skipped: usize,
    first_skip: Option<Id3Error>,
    /// The error the segment failed with (returned again for later chunks).
    failed: Option<PackedError>,
}

impl Default for Packed {
    fn default() -> Self {
        Packed {
            format: Format::Unknown,
            previous: Format::Unknown,
            phase: Phase::Boundary { leading: true },
            held: Vec::new(),
            pos: 0,
            timestamp: None,
            skipped: 0,
            first_skip: None,
            failed: None,
        }
    }
}

impl Packed {
    /// A new segment: its format is decided again from its first bytes.
    pub(super) fn begin_segment(&mut self) {
        let mut held = std::mem::take(&mut self.held);
        held.clear();
        *self = Packed {
            previous: self.previous,
            held,
            ..Packed::default()
        };
    }
}

/// The format the first bytes of a segment announce; `None`: too few bytes yet (`at_end`: no
/// more will come).
fn sniff_format(head: &[u8], at_end: bool) -> Option<Format> {
    match head {
        [] if !at_end => None,
        [0x47, ..] => Some(Format::Ts),
        [b'I' | 0xFF | 0x0B, ..] if head.len() < SNIFF_LEN && !at_end => None,
        [b'I', b'D', b'3', 2..=4, ..] => Some(Format::Packed),
        [0xFF, b1, ..] if audio_kind(*b1).is_some() => Some(Format::Packed),
        [0x0B, 0x77, ..] => Some(Format::Packed),
        _ => Some(Format::Ts),
    }
}

/// The audio framer for a frame starting `FF b1`: ADTS (sync 0xFFF, layer 0) or MPEG audio
/// (11-bit sync, a layer, not the reserved version).
fn audio_kind(b1: u8) -> Option<AudioKind> {
    if b1 & 0xF6 == 0xF0 {
        Some(AudioKind::Adts)
    } else if b1 & 0xE0 == 0xE0 && b1 & 0x06 != 0 && b1 & 0x18 != 0x08 {
        Some(AudioKind::MpegAudio)
    } else {
        None
    }
}

/// Move bytes from the front of `data` to `held` until it has `n`; whether it has them.
fn fill(held: &mut Vec<u8>, data: &mut &[u8], n: usize) -> bool {
    let take = n.saturating_sub(held.len()).min(data.len());
    let (head, rest) = data.split_at(take);
    held.extend_from_slice(head);
    *data = rest;
    held.len() >= n
}

/// The first position in `data` where an ID3 tag may start (`data.len()`: none).
fn tag_start(data: &[u8]) -> usize {
    let mut from = 0;
    while let Some(i) = data
        .get(from..)
        .and_then(|d| d.iter().position(|&b| b == b'I'))
    {
        let at = from + i;
        if id3::sniff(data.get(at..).unwrap_or(&[])) != Sniff::NotATag {
            return at;
        }
        from = at + 1;
    }
    data.len()
}

impl Transmuxer {
    /// Bytes of the segment being pushed: the first ones decide TS or packed audio, then each
    /// goes its way.
    pub(super) fn feed(&mut self, mut data: &[u8]) -> Result<(), RemuxError> {
        if self.packed.format == Format::Unknown {
            // The format may be clear before all SNIFF_LEN bytes are there.
            fill(&mut self.packed.held, &mut data, SNIFF_LEN);
            let Some(format) = sniff_format(&self.packed.held, false) else {
                return Ok(());
            };
            self.start_format(format);
        }
        match self.packed.format {
            Format::Packed => {
                if let Some(e) = self.packed.failed {
                    return Err(e.into());
                }
                let r = self.packed_steps(data);
                if let Err(e) = r {
                    self.packed.failed = Some(e);
                }
                Ok(r?)
            }
            _ => {
                self.demux.push(data);
                Ok(())
            }
        }
    }

    /// End of the segment's bytes: the TS demuxer or the packed audio parser flushes.
    pub(super) fn finish_input(&mut self) -> Result<(), RemuxError> {
        if self.packed.format == Format::Unknown {
            let format = sniff_format(&self.packed.held, true).unwrap_or(Format::Ts);
            self.start_format(format);
        }
        match self.packed.format {
            Format::Packed => Ok(self.finish_packed()?),
            _ => self.demux.finish_segment().map_err(RemuxError::from),
        }
    }

    /// The segment has audio and no video, so audio timestamps need no video reference.
    pub(super) fn audio_only(&self) -> bool {
        self.packed.format == Format::Packed || (self.demux.has_audio() && !self.demux.has_video())
    }

    /// Set the segment's format; the bytes held while deciding go to the TS demuxer, or stay
    /// held as the start of the packed audio.
    fn start_format(&mut self, format: Format) {
        let p = &mut self.packed;
        if p.previous != Format::Unknown && p.previous != format {
            // Program, parameter sets and audio framer belong to the other format.
            self.demux.reset();
        }
        p.previous = format;
        p.format = format;
        if format == Format::Ts {
            self.demux.push(&p.held);
            p.held.clear();
        }
    }

    /// Run the packed audio parser over `data` (any split of the segment).
    fn packed_steps(&mut self, mut data: &[u8]) -> Result<(), PackedError> {
        loop {
            match self.packed.phase {
                Phase::Boundary { leading } => match id3::sniff(&self.packed.held) {
                    Sniff::NeedMore => {
                        if data.is_empty() {
                            return Ok(());
                        }
                        fill(&mut self.packed.held, &mut data, id3::HEADER_LEN);
                    }
                    Sniff::Tag(h) => {
                        self.packed.phase = Phase::Tag {
                            leading,
                            len: h.tag_len(),
                        }
                    }
                    Sniff::NotATag if leading => {
                        if self.packed.held.starts_with(b"ID3") {
                            // A tag is announced: its header's own error says what is wrong.
                            if let Err(e) = id3::Header::parse(&self.packed.held) {
                                return Err(PackedError::Id3(e.shifted(self.packed.pos)));
                            }
                        }
                        self.packed.phase = Phase::FirstAudio;
                    }
                    Sniff::NotATag => {
                        // Not a tag after all: its first byte is audio, the rest is looked at
                        // again.
                        self.packed.phase = Phase::Audio;
                        let held = std::mem::take(&mut self.packed.held);
                        if let Some((first, rest)) = held.split_first() {
                            self.audio_bytes(std::slice::from_ref(first));
                            self.packed_steps(rest)?;
                        }
                    }
                },
                Phase::Tag { leading, len } => {
                    if !fill(&mut self.packed.held, &mut data, len) {
                        return Ok(());
                    }
                    self.packed_tag(leading);
                    self.packed.phase = Phase::Boundary { leading };
                }
                Phase::FirstAudio => {
                    fill(&mut self.packed.held, &mut data, SNIFF_LEN);
                    let Some(&[b0, b1, b2, b3]) = self.packed.held.get(..SNIFF_LEN) else {
                        return Ok(());
                    };
                    self.start_audio([b0, b1, b2, b3])?;
                    self.packed.phase = Phase::Audio;
                    let held = std::mem::take(&mut self.packed.held);
                    self.packed_steps(&held)?;
                }
                Phase::Audio => {
                    if data.is_empty() {
                        return Ok(());
                    }
                    let (audio, rest) = data.split_at(tag_start(data));
                    self.audio_bytes(audio);
                    data = rest;
                    if !rest.is_empty() {
                        self.packed.phase = Phase::Boundary { leading: false };
                    }
                }
            }
        }
    }

    /// Audio bytes to the framer.
    fn audio_bytes(&mut self, bytes: &[u8]) {
        self.demux.audio.push(bytes, &mut self.demux.warnings);
        self.packed.pos += bytes.len() as u64;
    }

    /// A whole tag is held: take its timestamp (leading: the segment's; between frames: a new
    /// time base for the frames after it) and skip it.
    fn packed_tag(&mut self, leading: bool) {
        let at = self.packed.pos;
        let mut held = std::mem::take(&mut self.packed.held);
        let timestamp = id3::transport_stream_timestamp(&held);
        if !leading {
            // A frame cut by the tag cannot be completed by the bytes after it.
            self.demux.audio.flush(&mut self.demux.warnings);
        }
        match timestamp {
            Ok(Some(ts)) if leading => {
                self.packed.timestamp.get_or_insert(ts);
            }
            Ok(Some(ts)) => self.demux.audio.begin_pes(Some(ts)),
            Ok(None) => {}
            Err(e) => {
                self.packed.skipped += 1;
                self.packed.first_skip.get_or_insert(e.shifted(at));
            }
        }
        self.packed.pos += held.len() as u64;
        held.clear();
        self.packed.held = held;
    }

    /// The first audio frame starts with `head`: the framer for its codec, timed by the leading
    /// tags' timestamp (or, without one, where the segment belongs).
    fn start_audio(&mut self, head: [u8; 4]) -> Result<(), PackedError> {
        let offset = self.packed.pos;
        let kind = match head {
            [0xFF, b1, ..] => audio_kind(b1),
            _ => None,
        };
        let Some(kind) = kind else {
            return Err(match head {
                [0x0B, 0x77, ..] => PackedError::Ac3 { offset },
                found => PackedError::NotAudio { offset, found },
            });
        };
        if self.demux.audio.kind != kind {
            self.demux.audio = AudioEs::new(kind);
        }
        let ts = match self.packed.timestamp {
            Some(ts) => ts,
            None => self.untimed_start(),
        };
        self.demux.audio.begin_pes(Some(ts));
        Ok(())
    }

    /// The raw timestamp for a segment without one, on the current mapping: where the previous
    /// segment's audio ended when this one follows it, else the segment's playlist start.
    fn untimed_start(&mut self) -> u64 {
        let previous_end = self
            .audio_next
            .zip(self.audio_written)
            .map(|(n, c)| n * 90_000 / i64::from(c.sample_rate.max(1)));
        let at = match previous_end {
            Some(end) if self.seg.contiguous => end,
            _ => self.seg.start_90k,
        };
        self.seg
            .warnings
            .push(RemuxWarning::Packed(PackedWarning::NoTimestamp {
                ms: at / 90,
            }));
        (at - self.offset.unwrap_or(0)).rem_euclid(TS_PERIOD) as u64
    }

    /// End of a packed audio segment: what is held is settled, the framer flushed.
    fn finish_packed(&mut self) -> Result<(), PackedError> {
        if let Some(e) = self.packed.failed {
            return Err(e);
        }
        self.packed_steps(&[])?;
        let offset = self.packed.pos;
        let held = std::mem::take(&mut self.packed.held);
        let truncated = |what, needed| Id3Error::Truncated {
            what,
            offset,
            needed,
            available: held.len(),
        };
        match self.packed.phase {
            Phase::Tag { leading: true, len } => {
                return Err(PackedError::Id3(truncated("tag", len)));
            }
            Phase::Tag {
                leading: false,
                len,
            } => {
                self.packed.skipped += 1;
                self.packed.first_skip.get_or_insert(truncated("tag", len));
            }
            Phase::Boundary { leading: true } | Phase::FirstAudio => {
                if held.is_empty() || self.packed.phase == Phase::FirstAudio {
                    return Err(PackedError::NoAudio {
                        offset: offset + held.len() as u64,
                    });
                }
                // A tag header cut by the segment end.
                return Err(PackedError::Id3(truncated("tag header", id3::HEADER_LEN)));
            }
            Phase::Boundary { leading: false } => self.audio_bytes(&held),
            Phase::Audio => {}
        }
        self.demux.audio.flush(&mut self.demux.warnings);
        if let Some(first) = self.packed.first_skip.take() {
            self.seg
                .warnings
                .push(RemuxWarning::Packed(PackedWarning::TagsSkipped {
                    count: self.packed.skipped,
                    first,
                }));
        }
        Ok(())
    }
}
