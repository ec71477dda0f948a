//! ID3v2 tags (the ID3v2.3.0 and ID3v2.4.0 structure documents of id3.org) as HLS carries them:
//! at the start of every packed audio segment, where a `PRIV` frame owned by
//! `com.apple.streaming.transportStreamTimestamp` holds the MPEG-TS timestamp of the first frame
//! (RFC 8216 §3.4), and as timed metadata.
//!
//! Bounded: nothing is read past the slice given, and the only copies are of unsynchronised data
//! (never larger than the tag). Errors name what is wrong and the byte offset from the start of
//! the slice parsed (for an unsynchronised v2.3 tag: after unsynchronisation is removed).
use crate::error::ErrorCategory;
use crate::ts::TS_MASK;
use std::borrow::Cow;

/// Bytes of the tag header (and of the v2.4 footer).
pub const HEADER_LEN: usize = 10;
/// Owner of the `PRIV` frame holding a packed audio segment's first timestamp (RFC 8216 §3.4).
pub const TRANSPORT_STREAM_TIMESTAMP_OWNER: &[u8] = b"com.apple.streaming.transportStreamTimestamp";

/// Header flag: unsynchronisation (v2.3: of the whole tag after the header; v2.4: of every frame).
const FLAG_UNSYNC: u8 = 0x80;
const FLAG_EXTENDED: u8 = 0x40;
/// v2.4: a 10-byte footer follows the frames (not counted in the size).
const FLAG_FOOTER: u8 = 0x10;
const FRAME_HEADER_LEN: usize = 10;

/// A tag that cannot be read. [`Id3Error::category`] tells the kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Id3Error {
    #[error("malformed: no ID3v2 tag at byte {offset}")]
    NotATag { offset: u64 },
    #[error("malformed: ID3 {what} at byte {offset} truncated: {needed} bytes needed, {available} there")]
    Truncated {
        what: &'static str,
        offset: u64,
        needed: usize,
        available: usize,
    },
    #[error(
        "unsupported: ID3v2.{major} tag at byte {offset} (only v2.3 and v2.4 frames are read)"
    )]
    UnsupportedVersion { offset: u64, major: u8 },
    #[error("malformed: ID3 {what} at byte {offset}")]
    Malformed { what: &'static str, offset: u64 },
}

impl Id3Error {
    /// What kind of failure this is (the word its message starts with).
    pub fn category(&self) -> ErrorCategory {
        match self {
            Id3Error::UnsupportedVersion { .. } => ErrorCategory::Unsupported,
            _ => ErrorCategory::Malformed,
        }
    }

    /// The same error with its offset moved by `by` bytes (the tag's place in a larger buffer).
    pub fn shifted(mut self, by: u64) -> Self {
        match &mut self {
            Id3Error::NotATag { offset }
            | Id3Error::Truncated { offset, .. }
            | Id3Error::UnsupportedVersion { offset, .. }
            | Id3Error::Malformed { offset, .. } => *offset = offset.saturating_add(by),
        }
        self
    }
}

/// The 10-byte tag header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// 2, 3 or 4 (ID3v2.2 tags are recognised so they can be skipped; their frames are not read).
    pub major: u8,
    pub revision: u8,
    pub flags: u8,
    /// Bytes after the header, footer excluded (a 28-bit syncsafe integer in the header).
    pub size: u32,
}

/// What the bytes at some position are, for a scanner looking for tags between audio frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    Tag(Header),
    NotATag,
    /// A valid header so far, but fewer than 10 bytes.
    NeedMore,
}

impl Header {
    /// The header at the start of `b`. Every byte present is checked before a short slice is
    /// reported as `Truncated`, so [`sniff`] can tell "not a tag" early.
    pub fn parse(b: &[u8]) -> Result<Header, Id3Error> {
        if b.iter().zip(b"ID3").any(|(x, e)| x != e) {
            return Err(Id3Error::NotATag { offset: 0 });
        }
        let major = b.get(3).copied();
        if let Some(m) = major.filter(|m| !(2..=4).contains(m)) {
            return Err(Id3Error::UnsupportedVersion {
                offset: 3,
                major: m,
            });
        }
        if b.get(4) == Some(&0xFF) {
            return Err(Id3Error::Malformed {
                what: "version (revision 0xFF)",
                offset: 4,
            });
        }
        if let (Some(m), Some(&flags)) = (major, b.get(5)) {
            // Flags the version does not define must be clear.
            let defined = match m {
                2 => 0xC0,
                3 => 0xE0,
                _ => 0xF0,
            };
            if flags & !defined != 0 {
                return Err(Id3Error::Malformed {
                    what: "header flags (undefined bits set)",
                    offset: 5,
                });
            }
        }
        for (i, &s) in b.iter().enumerate().skip(6).take(4) {
            if s & 0x80 != 0 {
                return Err(Id3Error::Malformed {
                    what: "tag size (not syncsafe)",
                    offset: i as u64,
                });
            }
        }
        let Some(&[_, _, _, major, revision, flags, s0, s1, s2, s3]) = b.get(..HEADER_LEN) else {
            return Err(Id3Error::Truncated {
                what: "tag header",
                offset: 0,
                needed: HEADER_LEN,
                available: b.len(),
            });
        };
        Ok(Header {
            major,
            revision,
            flags,
            size: syncsafe([s0, s1, s2, s3]),
        })
    }

    /// The whole tag's bytes: header, frames and padding, footer.
    pub fn tag_len(&self) -> usize {
        let footer = if self.major == 4 && self.flags & FLAG_FOOTER != 0 {
            HEADER_LEN
        } else {
            0
        };
        HEADER_LEN + self.size as usize + footer
    }
}

/// Whether a tag header starts at `b` (a strict check: magic, version, defined flags, syncsafe
/// size), so a scan over audio bytes almost never mistakes frame data for a tag.
pub fn sniff(b: &[u8]) -> Sniff {
    match Header::parse(b) {
        Ok(h) => Sniff::Tag(h),
        Err(Id3Error::Truncated { .. }) => Sniff::NeedMore,
        Err(_) => Sniff::NotATag,
    }
}

/// One frame of a tag. `data` is the frame content with unsynchronisation removed and the
/// extra bytes its flags add (group id, encryption method, sizes) skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    pub id: [u8; 4],
    /// Byte offset of the frame header from the start of the tag.
    pub offset: u64,
    /// Compressed or encrypted: `data` is not the frame's content.
    pub opaque: bool,
    pub data: Cow<'a, [u8]>,
}

/// A `PRIV` frame: owner identifier (ISO-8859-1, NUL-terminated) and private data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Private<'a> {
    pub owner: &'a [u8],
    pub data: &'a [u8],
}

impl Frame<'_> {
    /// Owner and data of a readable `PRIV` frame (`None` for other frames, or no owner
    /// terminator).
    pub fn private(&self) -> Option<Private<'_>> {
        if &self.id != b"PRIV" || self.opaque {
            return None;
        }
        let nul = self.data.iter().position(|&b| b == 0)?;
        Some(Private {
            owner: self.data.get(..nul)?,
            data: self.data.get(nul + 1..)?,
        })
    }

    /// The timestamp, if this is the `PRIV` frame owned by
    /// [`TRANSPORT_STREAM_TIMESTAMP_OWNER`] (`Some(Err)`: its data is not 8 bytes).
    fn timestamp(&self) -> Option<Result<u64, Id3Error>> {
        let p = self
            .private()
            .filter(|p| p.owner == TRANSPORT_STREAM_TIMESTAMP_OWNER)?;
        Some(match <[u8; 8]>::try_from(p.data) {
            Ok(bytes) => Ok(u64::from_be_bytes(bytes) & TS_MASK),
            Err(_) => Err(Id3Error::Malformed {
                what: "transport stream timestamp (PRIV data is not 8 bytes)",
                offset: self.offset,
            }),
        })
    }

    fn into_owned(self) -> Frame<'static> {
        Frame {
            id: self.id,
            offset: self.offset,
            opaque: self.opaque,
            data: Cow::Owned(self.data.into_owned()),
        }
    }
}

/// One parsed tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    pub header: Header,
    pub frames: Vec<Frame<'a>>,
}

impl Tag<'_> {
    /// The first frame with this id.
    pub fn frame(&self, id: &[u8; 4]) -> Option<&Frame<'_>> {
        self.frames.iter().find(|f| &f.id == id)
    }

    /// The 33-bit 90 kHz MPEG-TS timestamp of the `PRIV` frame owned by
    /// [`TRANSPORT_STREAM_TIMESTAMP_OWNER`] (8 bytes big-endian, RFC 8216 §3.4), if there is one.
    pub fn transport_stream_timestamp(&self) -> Result<Option<u64>, Id3Error> {
        for f in &self.frames {
            if let Some(ts) = f.timestamp() {
                return ts.map(Some);
            }
        }
        Ok(None)
    }
}

/// Parse the tag at the start of `b` (which may continue past it). The whole tag must be there.
pub fn parse(b: &[u8]) -> Result<Tag<'_>, Id3Error> {
    let (header, body) = tag_body(b)?;
    let frames = match body {
        Cow::Borrowed(body) => Frames::new(&header, body)?.collect::<Result<_, _>>()?,
        // v2.3 unsynchronised: the frames borrow the copy without it.
        Cow::Owned(plain) => Frames::new(&header, &plain)?
            .map(|f| f.map(Frame::into_owned))
            .collect::<Result<_, _>>()?,
    };
    Ok(Tag { header, frames })
}

/// The timestamp of the tag at the start of `b`: `parse(b)?.transport_stream_timestamp()`
/// without collecting the frames (every frame is still read, so the same tags fail). What the
/// packed audio parser uses.
pub fn transport_stream_timestamp(b: &[u8]) -> Result<Option<u64>, Id3Error> {
    let (header, body) = tag_body(b)?;
    let mut found = None;
    for frame in Frames::new(&header, &body)? {
        let frame = frame?;
        if found.is_none() {
            found = frame.timestamp().transpose()?;
        }
    }
    Ok(found)
}

/// The header and the bytes after it, footer excluded, of the whole tag at the start of `b`
/// (for an unsynchronised v2.3 tag: a copy without the unsynchronisation, which covers
/// everything after the header, extended header included).
fn tag_body(b: &[u8]) -> Result<(Header, Cow<'_, [u8]>), Id3Error> {
    let header = Header::parse(b)?;
    if header.major == 2 {
        return Err(Id3Error::UnsupportedVersion {
            offset: 3,
            major: 2,
        });
    }
    if b.len() < header.tag_len() {
        return Err(Id3Error::Truncated {
            what: "tag",
            offset: 0,
            needed: header.tag_len(),
            available: b.len(),
        });
    }
    let body = b
        .get(HEADER_LEN..HEADER_LEN + header.size as usize)
        .unwrap_or(&[]);
    Ok(if header.major == 3 && header.flags & FLAG_UNSYNC != 0 {
        (header, Cow::Owned(remove_unsync(body)))
    } else {
        (header, Cow::Borrowed(body))
    })
}

/// The tags back to back at the start of `b` and the bytes they take (0 when `b` does not start
/// with `ID3`).
pub fn leading_tags(b: &[u8]) -> Result<(Vec<Tag<'_>>, usize), Id3Error> {
    let mut tags = Vec::new();
    let mut pos = 0usize;
    while let Some(rest) = b.get(pos..).filter(|r| r.starts_with(b"ID3")) {
        let tag = parse(rest).map_err(|e| e.shifted(pos as u64))?;
        pos += tag.header.tag_len();
        tags.push(tag);
    }
    Ok((tags, pos))
}

/// The frames of a v2.3/v2.4 tag body (after the header; unsynchronisation of a v2.3 tag already
/// removed), one at a time. Offsets are from the start of the tag. After an error the iteration
/// ends.
struct Frames<'a, 'h> {
    header: &'h Header,
    body: &'a [u8],
    pos: usize,
}

impl<'a, 'h> Frames<'a, 'h> {
    /// The frames after the extended header, if any.
    fn new(header: &'h Header, body: &'a [u8]) -> Result<Self, Id3Error> {
        let mut pos = 0;
        if header.flags & FLAG_EXTENDED != 0 {
            let size = body
                .get(..4)
                .and_then(|s| <[u8; 4]>::try_from(s).ok())
                .ok_or(Id3Error::Truncated {
                    what: "extended header",
                    offset: at(0),
                    needed: 4,
                    available: body.len(),
                })?;
            // v2.3: plain size without its own 4 bytes; v2.4: syncsafe, itself included.
            let len = if header.major == 3 {
                (u32::from_be_bytes(size) as usize).saturating_add(4)
            } else {
                syncsafe(size) as usize
            };
            if len < 6 || len > body.len() {
                return Err(Id3Error::Malformed {
                    what: "extended header size",
                    offset: at(0),
                });
            }
            pos = len;
        }
        Ok(Frames { header, body, pos })
    }

    fn frame(&mut self) -> Result<Option<Frame<'a>>, Id3Error> {
        let (header, body, pos) = (self.header, self.body, self.pos);
        let Some(&[i0, i1, i2, i3, s0, s1, s2, s3, _, format]) = body.get(pos..pos + 10) else {
            return Ok(None);
        };
        if i0 == 0 {
            return Ok(None); // padding
        }
        let id = [i0, i1, i2, i3];
        if !id
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Err(Id3Error::Malformed {
                what: "frame id (not A-Z 0-9)",
                offset: at(pos),
            });
        }
        let raw = [s0, s1, s2, s3];
        // Some v2.4 writers store plain sizes; a byte with bit 7 set cannot be syncsafe.
        let size = if header.major == 4 && raw.iter().all(|b| b & 0x80 == 0) {
            syncsafe(raw)
        } else {
            u32::from_be_bytes(raw)
        } as usize;
        let start = pos + FRAME_HEADER_LEN;
        let stored = body
            .get(start..start.saturating_add(size))
            .ok_or(Id3Error::Truncated {
                what: "frame",
                offset: at(pos),
                needed: FRAME_HEADER_LEN.saturating_add(size),
                available: body.len() - pos,
            })?;
        let (data, opaque) = frame_content(header, format, stored).ok_or(Id3Error::Malformed {
            what: "frame flags (extra bytes beyond the frame)",
            offset: at(pos),
        })?;
        self.pos = start + size;
        Ok(Some(Frame {
            id,
            offset: at(pos),
            opaque,
            data,
        }))
    }
}

impl<'a> Iterator for Frames<'a, '_> {
    type Item = Result<Frame<'a>, Id3Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let frame = self.frame();
        if !matches!(frame, Ok(Some(_))) {
            self.pos = self.body.len();
        }
        frame.transpose()
    }
}

/// Offset from the start of the tag of a position in its body.
fn at(pos: usize) -> u64 {
    (HEADER_LEN + pos) as u64
}

/// A frame's content from its stored bytes and format flags (second flags byte): whether it is
/// compressed or encrypted, unsynchronisation removed (v2.4), the extra bytes the flags add
/// skipped. `None` when the frame is shorter than those extra bytes.
fn frame_content<'a>(
    header: &Header,
    format: u8,
    stored: &'a [u8],
) -> Option<(Cow<'a, [u8]>, bool)> {
    let (skip, opaque, unsync) = if header.major == 3 {
        // Compression adds the decompressed size (4), encryption and grouping one byte each.
        let skip = [(0x80, 4), (0x40, 1), (0x20, 1)]
            .iter()
            .filter(|(bit, _)| format & bit != 0)
            .map(|(_, n)| n)
            .sum::<usize>();
        (skip, format & 0xC0 != 0, false)
    } else {
        // Grouping and encryption add one byte each, the data length indicator four.
        let skip = [(0x40, 1), (0x04, 1), (0x01, 4)]
            .iter()
            .filter(|(bit, _)| format & bit != 0)
            .map(|(_, n)| n)
            .sum::<usize>();
        let unsync = format & 0x02 != 0 || header.flags & FLAG_UNSYNC != 0;
        (skip, format & 0x0C != 0, unsync)
    };
    let data = if unsync {
        let mut plain = remove_unsync(stored);
        if plain.len() < skip {
            return None;
        }
        plain.drain(..skip);
        Cow::Owned(plain)
    } else {
        Cow::Borrowed(stored.get(skip..)?)
    };
    Some((data, opaque))
}

/// A 28-bit syncsafe integer (7 bits per byte, bit 7 clear).
fn syncsafe(b: [u8; 4]) -> u32 {
    b.iter().fold(0u32, |v, &x| (v << 7) | u32::from(x & 0x7F))
}

/// Undo unsynchronisation: every `FF 00` stored becomes `FF`.
fn remove_unsync(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut after_ff = false;
    for &x in b {
        if !(after_ff && x == 0) {
            out.push(x);
        }
        after_ff = x == 0xFF;
    }
    out
}

#[cfg(test)]
mod tests;
