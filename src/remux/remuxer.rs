//! The remuxer the engine and the browser drive: each segment goes to the TS [`Transmuxer`] or
//! the fMP4 [`Passthrough`], by its first byte.
use super::{OutputShape, Passthrough, RemuxError, RemuxOutput, SegmentInfo, Transmuxer};

/// Which remuxer a segment goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Ts,
    Fmp4,
}

impl Format {
    /// TS sync byte 0x47, an ID3 tag (`I`, packed audio) or an ADTS/MPEG audio sync (0xFF) go
    /// to the transmuxer; anything else is a box header (fMP4). An empty segment goes to the
    /// transmuxer, whose error names it.
    fn of(segment: &[u8]) -> Format {
        match segment.first() {
            None | Some(0x47 | b'I' | 0xFF) => Format::Ts,
            Some(_) => Format::Fmp4,
        }
    }
}

/// TS transmuxer and fMP4 passthrough behind one API (that of [`Transmuxer`], plus
/// [`Remuxer::push_init`]).
#[derive(Debug)]
pub struct Remuxer {
    ts: Transmuxer,
    fmp4: Passthrough,
    /// Where the segment being pushed in chunks goes.
    active: Option<Format>,
}

impl Remuxer {
    pub fn new(shape: OutputShape) -> Self {
        Remuxer {
            ts: Transmuxer::new(shape),
            fmp4: Passthrough::new(),
            active: None,
        }
    }

    /// The output shape of TS segments (an fMP4 segment keeps its own track set).
    pub fn shape(&self) -> OutputShape {
        self.ts.shape()
    }

    /// The init segment (EXT-X-MAP) of the fMP4 segments pushed next.
    pub fn push_init(&mut self, init: &[u8]) -> Result<(), RemuxError> {
        self.fmp4.push_init(init)
    }

    /// The timeline mapping, seconds added to media time: the fMP4 one once fMP4 segments were
    /// placed, else the TS one (see [`Passthrough::offset`], [`Transmuxer::offset`]).
    pub fn offset(&self) -> Option<f64> {
        self.fmp4.offset().or_else(|| self.ts.offset())
    }

    /// Impose the mapping at the next mapping point, whichever container it comes in (see
    /// [`Passthrough::impose_offset`]).
    pub fn impose_offset(&mut self, offset: f64) {
        self.ts.impose_offset(offset);
        self.fmp4.impose_offset(offset);
    }

    pub fn reset(&mut self) {
        self.ts.reset();
        self.fmp4.reset();
        self.active = None;
    }

    pub fn push(&mut self, segment: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        self.abort_segment();
        match Format::of(segment) {
            Format::Ts => self.ts.push(segment, info),
            Format::Fmp4 if info.sample_aes.is_some() => Err(RemuxError::SampleAesFmp4),
            Format::Fmp4 => self.fmp4.push(segment, info),
        }
    }

    /// Bytes of a segment as they arrive; the first non-empty chunk picks the remuxer.
    pub fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxError> {
        let format = match self.active {
            Some(f) => f,
            None if data.is_empty() => return Ok(None),
            None => *self.active.insert(Format::of(data)),
        };
        match format {
            Format::Ts => self.ts.push_chunk(data, info),
            Format::Fmp4 if info.sample_aes.is_some() => Err(RemuxError::SampleAesFmp4),
            Format::Fmp4 => self.fmp4.push_chunk(data, info),
        }
    }

    pub fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        match self.active.take().unwrap_or(Format::Ts) {
            Format::Ts => self.ts.finish_segment(info),
            Format::Fmp4 => self.fmp4.finish_segment(info),
        }
    }

    /// See [`Passthrough::mid_fragment`] (the TS path outputs whole fragments only).
    pub fn mid_fragment(&self) -> bool {
        self.fmp4.mid_fragment()
    }

    pub fn abort_segment(&mut self) {
        self.active = None;
        self.ts.abort_segment();
        self.fmp4.abort_segment();
    }
}
