//! ISO BMFF box structure (ISO/IEC 14496-12 §4.2), read from a byte slice: box headers (32-bit
//! size, `1` = 64-bit largesize, `0` = to the end of the enclosing box), full-box version and
//! flags, and a field cursor. Nothing here panics or allocates per box; every error names the
//! box and the byte offset where it starts.
use crate::error::ErrorCategory;
use std::fmt;

/// A box type: four bytes, usually ASCII, held as one big-endian `u32` so that a `match` on
/// box types (constants such as `const TRAK: FourCc = FourCc::new(b"trak")`) compares
/// integers; byte-string patterns compile to a byte-by-byte decision tree.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc(pub u32);

impl FourCc {
    pub const fn new(b: &[u8; 4]) -> Self {
        FourCc(u32::from_be_bytes(*b))
    }

    pub const fn bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.bytes();
        match std::str::from_utf8(&b) {
            Ok(s) if b.iter().all(|b| b.is_ascii_graphic() || *b == b' ') => f.write_str(s),
            _ => write!(f, "0x{:08x}", self.0),
        }
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An ISO BMFF input that cannot be read, e.g. `malformed: trun at byte 1234: sample count
/// exceeds the box` (the fields are those of [`BoxFailure`]).
///
/// Boxed, so that `Result<_, BoxError>` is one word wider than its value: every `?` in the
/// readers moves the error, and moving the 32 bytes of a `BoxFailure` took kilobytes of wasm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BoxError(Box<BoxFailure>);

impl std::ops::Deref for BoxError {
    type Target = BoxFailure;

    fn deref(&self) -> &BoxFailure {
        &self.0
    }
}

/// What a [`BoxError`] says. `offset` is where the named box starts in the buffer given to
/// the reader (the init segment or the media segment). The problem is a fixed sentence: no
/// message is formatted until the error is displayed (string formatting costs kilobytes of
/// wasm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxFailure {
    pub category: ErrorCategory,
    /// The box the problem is in; `None` for a problem with the buffer as a whole.
    pub kind: Option<FourCc>,
    pub offset: u64,
    pub what: Problem,
}

/// What is wrong with a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A sentence, e.g. `timescale is 0`.
    Text(&'static str),
    /// A box it must hold is not there.
    Missing(FourCc),
    /// An init segment of `len` bytes without a `moov`.
    NoMoov { len: usize },
}

impl fmt::Display for BoxFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.category.as_str())?;
        if let Some(kind) = self.kind {
            write!(f, "{kind} ")?;
        }
        write!(f, "at byte {}: ", self.offset)?;
        match self.what {
            Problem::Text(what) => f.write_str(what),
            Problem::Missing(kind) => write!(f, "no {kind} box inside"),
            Problem::NoMoov { len } => {
                write!(f, "no moov box in the init segment ({len} bytes)")
            }
        }
    }
}

impl From<BoxFailure> for BoxError {
    #[cold]
    fn from(failure: BoxFailure) -> Self {
        BoxError(Box::new(failure))
    }
}

impl BoxError {
    pub(crate) fn malformed(kind: FourCc, offset: u64, what: &'static str) -> Self {
        Self::new(ErrorCategory::Malformed, Some(kind), offset, what)
    }

    pub(crate) fn unsupported(kind: FourCc, offset: u64, what: &'static str) -> Self {
        Self::new(ErrorCategory::Unsupported, Some(kind), offset, what)
    }

    pub(crate) fn new(
        category: ErrorCategory,
        kind: Option<FourCc>,
        offset: u64,
        what: &'static str,
    ) -> Self {
        BoxFailure {
            category,
            kind,
            offset,
            what: Problem::Text(what),
        }
        .into()
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
    let mut f = Fields::new(data, FourCc(0), offset);
    let size = f.u32();
    let kind = f.fourcc();
    let size = match size {
        0 => None,
        1 => Some(f.u64()),
        n => Some(u64::from(n)),
    };
    if kind == FourCc::new(b"uuid") {
        f.skip(16);
    }
    if f.short {
        return Ok(None);
    }
    let header_len = f.pos;
    if size.is_some_and(|s| s < header_len as u64) {
        return Err(BoxError::malformed(
            kind,
            offset,
            "size is smaller than its header",
        ));
    }
    Ok(Some(BoxHeader {
        kind,
        header_len,
        size,
    }))
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
            short: false,
            kind: self.kind,
            offset: self.offset,
            body_offset: self.offset + self.header_len as u64,
        }
    }

    /// A full box's version and flags, and a cursor after them (check it: the box may be too
    /// short even for these).
    pub fn full(&self) -> (u8, u32, Fields<'a>) {
        let mut f = self.fields();
        let vf = f.u32();
        ((vf >> 24) as u8, vf & 0x00FF_FFFF, f)
    }

    /// The child boxes, which start `skip` bytes into the body (a sample entry's fixed fields,
    /// a full box's version and flags).
    pub fn children(&self, skip: usize) -> Result<Boxes<'a>, BoxError> {
        let mut f = self.fields();
        f.skip(skip);
        f.check()?;
        Ok(Boxes::new(f.rest(), f.position()))
    }

    /// The first child of type `kind` (children start `skip` bytes into the body).
    pub fn child(&self, skip: usize, kind: &[u8; 4]) -> Result<Option<Mp4Box<'a>>, BoxError> {
        for b in self.children(skip)? {
            let b = b?;
            if b.kind == FourCc::new(kind) {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// The box at the end of `path`, each step the first child of that type, e.g.
    /// `trak.find(&[b"mdia", b"mdhd"])`; a missing step is an error naming its parent.
    pub fn find(&self, path: &[&[u8; 4]]) -> Result<Mp4Box<'a>, BoxError> {
        let mut b = *self;
        for kind in path {
            b = b.require(0, kind)?;
        }
        Ok(b)
    }

    /// Like [`Self::child`], but a missing child is an error.
    pub fn require(&self, skip: usize, kind: &[u8; 4]) -> Result<Mp4Box<'a>, BoxError> {
        match self.child(skip, kind)? {
            Some(b) => Ok(b),
            None => Err(BoxFailure {
                category: ErrorCategory::Malformed,
                kind: Some(self.kind),
                offset: self.offset,
                what: Problem::Missing(FourCc::new(kind)),
            }
            .into()),
        }
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
}

impl<'a> Boxes<'a> {
    /// The boxes of `data`, which starts at byte `base` of the reader's buffer.
    pub fn new(data: &'a [u8], base: u64) -> Self {
        Boxes { data, pos: 0, base }
    }

    fn next_box(&mut self) -> Result<Mp4Box<'a>, BoxError> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let offset = self.base + self.pos as u64;
        let Some(h) = read_header(rest, offset)? else {
            return Err(BoxError::new(
                ErrorCategory::Malformed,
                None,
                offset,
                "too few bytes left for a box header",
            ));
        };
        let size = h.size.unwrap_or(rest.len() as u64);
        let bytes = usize::try_from(size)
            .ok()
            .and_then(|s| rest.get(..s))
            .ok_or_else(|| {
                BoxError::malformed(
                    h.kind,
                    offset,
                    "its size runs past the end of what holds it",
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

/// A big-endian cursor over a box's fields. Reading past the end gives zeros (or no bytes)
/// and marks the cursor short, which [`Fields::check`] turns into an error naming the box.
/// Readers check before a value bounds a loop or picks a branch that matters, and when they are
/// done with the box: one check per box instead of a `?` per field keeps the wasm small.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    /// A read ran past the end.
    short: bool,
    kind: FourCc,
    /// Where the box starts (errors name it).
    offset: u64,
    /// Where `data` starts.
    body_offset: u64,
}

impl<'a> Fields<'a> {
    /// A cursor over `data` (starting at byte `offset`), for the fields of a box `kind` that
    /// starts there too.
    fn new(data: &'a [u8], kind: FourCc, offset: u64) -> Self {
        Fields {
            data,
            pos: 0,
            short: false,
            kind,
            offset,
            body_offset: offset,
        }
    }

    /// The next `n` bytes (none when fewer are left).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        match self.data.get(self.pos..self.pos.saturating_add(n)) {
            Some(bytes) => {
                self.pos += n;
                bytes
            }
            None => {
                self.short = true;
                self.pos = self.data.len();
                &[]
            }
        }
    }

    /// An `n`-byte big-endian unsigned integer (one function for every width keeps the wasm
    /// small).
    fn uint(&mut self, n: usize) -> u64 {
        self.take(n).iter().fold(0, |v, &b| (v << 8) | u64::from(b))
    }

    pub fn u8(&mut self) -> u8 {
        self.uint(1) as u8
    }

    pub fn u16(&mut self) -> u16 {
        self.uint(2) as u16
    }

    pub fn u32(&mut self) -> u32 {
        self.uint(4) as u32
    }

    pub fn u64(&mut self) -> u64 {
        self.uint(8)
    }

    pub fn fourcc(&mut self) -> FourCc {
        FourCc(self.u32())
    }

    pub fn skip(&mut self, n: usize) {
        self.take(n);
    }

    /// An error if a read ran past the end of the box.
    pub fn check(&self) -> Result<(), BoxError> {
        if self.short {
            return Err(self.error("too short for its fields"));
        }
        Ok(())
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    /// How many bytes are not read yet.
    pub fn remaining(&self) -> usize {
        self.rest().len()
    }

    /// Where the next field starts in the reader's buffer.
    pub fn position(&self) -> u64 {
        self.body_offset + self.pos as u64
    }

    /// An error about this box.
    pub fn error(&self, what: &'static str) -> BoxError {
        BoxError::malformed(self.kind, self.offset, what)
    }
}
