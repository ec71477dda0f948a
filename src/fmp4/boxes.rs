//! ISO BMFF box structure (ISO/IEC 14496-12 §4.2), read from a byte slice: box headers (32-bit
//! size, `1` = 64-bit largesize, `0` = to the end of the enclosing box), full-box version and
//! flags, and a field cursor. Nothing here panics or allocates per box; every error names the
//! box and the byte offset where it starts.
use crate::error::ErrorCategory;
use std::fmt;

/// A box type (four bytes, usually ASCII).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    pub const fn new(b: &[u8; 4]) -> Self {
        FourCc(*b)
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            self.0.iter().try_for_each(|&b| write!(f, "{}", b as char))
        } else {
            write!(f, "0x{:08x}", u32::from_be_bytes(self.0))
        }
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An ISO BMFF input that cannot be read, e.g. `malformed: trun at byte 1234: sample count 9999
/// exceeds the box`. `offset` is where the named box starts in the buffer given to the reader
/// (the init segment or the media segment).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BoxError {
    pub category: ErrorCategory,
    /// The box the problem is in; `None` for a problem with the buffer as a whole.
    pub kind: Option<FourCc>,
    pub offset: u64,
    pub what: String,
}

impl fmt::Display for BoxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let category = self.category.as_str();
        match self.kind {
            Some(kind) => write!(
                f,
                "{category}: {kind} at byte {}: {}",
                self.offset, self.what
            ),
            None => write!(f, "{category}: at byte {}: {}", self.offset, self.what),
        }
    }
}

impl BoxError {
    pub(crate) fn malformed(kind: FourCc, offset: u64, what: impl Into<String>) -> Self {
        Self::new(ErrorCategory::Malformed, Some(kind), offset, what)
    }

    pub(crate) fn unsupported(kind: FourCc, offset: u64, what: impl Into<String>) -> Self {
        Self::new(ErrorCategory::Unsupported, Some(kind), offset, what)
    }

    pub(crate) fn new(
        category: ErrorCategory,
        kind: Option<FourCc>,
        offset: u64,
        what: impl Into<String>,
    ) -> Self {
        BoxError {
            category,
            kind,
            offset,
            what: what.into(),
        }
    }
}

/// A box header: type, header length (8, 16 with largesize, +16 for `uuid`) and total size
/// (`None`: size 0, the box runs to the end of what encloses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    pub kind: FourCc,
    pub header_len: usize,
    pub size: Option<u64>,
}

/// The header at the start of `data` (`offset`: where `data` starts, for errors), or `None`
/// when `data` is too short to hold it.
pub fn read_header(data: &[u8], offset: u64) -> Result<Option<BoxHeader>, BoxError> {
    let (Some(size), Some(kind)) = (array::<4>(data, 0), array::<4>(data, 4)) else {
        return Ok(None);
    };
    let kind = FourCc(kind);
    let size = u32::from_be_bytes(size);
    let (mut header_len, size) = match size {
        0 => (8, None),
        1 => match array::<8>(data, 8) {
            Some(large) => (16, Some(u64::from_be_bytes(large))),
            None => return Ok(None),
        },
        n => (8, Some(u64::from(n))),
    };
    if kind.0 == *b"uuid" {
        header_len += 16;
        if data.len() < header_len {
            return Ok(None);
        }
    }
    if let Some(s) = size.filter(|&s| s < header_len as u64) {
        return Err(BoxError::malformed(
            kind,
            offset,
            format!("size {s} is smaller than its {header_len}-byte header"),
        ));
    }
    Ok(Some(BoxHeader {
        kind,
        header_len,
        size,
    }))
}

fn array<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// One box: its type, where it starts and all of its bytes (header included).
#[derive(Debug, Clone, Copy)]
pub struct Mp4Box<'a> {
    pub kind: FourCc,
    /// Where the box starts in the buffer given to the reader.
    pub offset: u64,
    header_len: usize,
    bytes: &'a [u8],
}

impl<'a> Mp4Box<'a> {
    /// The whole box, header included.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// The bytes after the header.
    pub fn body(&self) -> &'a [u8] {
        self.bytes.get(self.header_len..).unwrap_or(&[])
    }

    /// A cursor over the body.
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            data: self.body(),
            pos: 0,
            kind: self.kind,
            offset: self.offset,
            body_offset: self.offset + self.header_len as u64,
        }
    }

    /// A full box's version and flags, and a cursor after them.
    pub fn full(&self) -> Result<(u8, u32, Fields<'a>), BoxError> {
        let mut f = self.fields();
        let vf = f.u32("version and flags")?;
        Ok(((vf >> 24) as u8, vf & 0x00FF_FFFF, f))
    }

    /// The child boxes, which start `skip` bytes into the body (a sample entry's fixed fields,
    /// a full box's version and flags).
    pub fn children(&self, skip: usize) -> Result<Boxes<'a>, BoxError> {
        let data = self.body().get(skip..).ok_or_else(|| {
            BoxError::malformed(
                self.kind,
                self.offset,
                format!(
                    "{} bytes are too short for its {skip} bytes of fields",
                    self.bytes.len()
                ),
            )
        })?;
        let base = self.offset + (self.header_len + skip) as u64;
        Ok(Boxes {
            data,
            pos: 0,
            base,
            parent: Some((self.kind, self.offset)),
        })
    }

    /// The first child of type `kind` (children start `skip` bytes into the body).
    pub fn child(&self, skip: usize, kind: &[u8; 4]) -> Result<Option<Mp4Box<'a>>, BoxError> {
        for b in self.children(skip)? {
            let b = b?;
            if b.kind.0 == *kind {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Like [`Self::child`], but a missing child is an error.
    pub fn require(&self, skip: usize, kind: &[u8; 4]) -> Result<Mp4Box<'a>, BoxError> {
        self.child(skip, kind)?.ok_or_else(|| {
            BoxError::malformed(
                self.kind,
                self.offset,
                format!("no {} box inside", FourCc(*kind)),
            )
        })
    }
}

/// The boxes laid end to end in a byte range. A box that does not fit is an error (then the
/// iteration ends).
#[derive(Debug, Clone)]
pub struct Boxes<'a> {
    data: &'a [u8],
    pos: usize,
    /// Where `data` starts in the reader's buffer.
    base: u64,
    /// The enclosing box (type, offset), for errors; `None` at the top level.
    parent: Option<(FourCc, u64)>,
}

impl<'a> Boxes<'a> {
    /// The top-level boxes of `data`, which starts at byte `base` of the reader's buffer.
    pub fn new(data: &'a [u8], base: u64) -> Self {
        Boxes {
            data,
            pos: 0,
            base,
            parent: None,
        }
    }

    fn next_box(&mut self) -> Result<Mp4Box<'a>, BoxError> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let offset = self.base + self.pos as u64;
        let end = self.base + self.data.len() as u64;
        let Some(h) = read_header(rest, offset)? else {
            let what = format!(
                "{} bytes left, too few for a box header{}",
                rest.len(),
                self.inside()
            );
            return Err(match self.parent {
                Some((kind, at)) => BoxError::malformed(kind, at, what),
                None => BoxError::new(ErrorCategory::Malformed, None, offset, what),
            });
        };
        let size = h.size.unwrap_or(rest.len() as u64);
        let bytes = usize::try_from(size)
            .ok()
            .and_then(|s| rest.get(..s))
            .ok_or_else(|| {
                BoxError::malformed(
                    h.kind,
                    offset,
                    format!(
                        "size {size} runs past the end{} at byte {end}",
                        self.inside()
                    ),
                )
            })?;
        self.pos += bytes.len();
        Ok(Mp4Box {
            kind: h.kind,
            offset,
            header_len: h.header_len,
            bytes,
        })
    }

    fn inside(&self) -> String {
        match self.parent {
            Some((kind, at)) => format!(" of its parent {kind} (at byte {at})"),
            None => String::new(),
        }
    }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Result<Mp4Box<'a>, BoxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        let next = self.next_box();
        if next.is_err() {
            self.pos = self.data.len();
        }
        Some(next)
    }
}

/// A cursor over a box's fields: reading past the end is an error naming the box and field.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    kind: FourCc,
    /// Where the box starts (errors name it).
    offset: u64,
    /// Where `data` starts.
    body_offset: u64,
}

impl<'a> Fields<'a> {
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], BoxError> {
        let got = self
            .pos
            .checked_add(n)
            .and_then(|end| self.data.get(self.pos..end));
        let Some(bytes) = got else {
            return Err(self.error(format!(
                "{what} ({n} bytes at byte {}) runs past the end of the box at byte {}",
                self.position(),
                self.body_offset + self.data.len() as u64
            )));
        };
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], BoxError> {
        let b = self.take(N, what)?;
        b.try_into().map_err(|_| self.error(what.to_string()))
    }

    pub fn u8(&mut self, what: &str) -> Result<u8, BoxError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn u16(&mut self, what: &str) -> Result<u16, BoxError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub fn u32(&mut self, what: &str) -> Result<u32, BoxError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub fn u64(&mut self, what: &str) -> Result<u64, BoxError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    pub fn skip(&mut self, n: usize, what: &str) -> Result<(), BoxError> {
        self.take(n, what).map(|_| ())
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Where the next field starts in the reader's buffer.
    pub fn position(&self) -> u64 {
        self.body_offset + self.pos as u64
    }

    /// An error about this box.
    pub fn error(&self, what: impl Into<String>) -> BoxError {
        BoxError::malformed(self.kind, self.offset, what)
    }
}
