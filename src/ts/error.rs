//! What the demultiplexer reports: [`TsError`] when nothing in a segment is usable, and the
//! bounded list of [`DemuxWarning`]s for damage it worked around.
use super::audio::AudioKind;
use crate::error::ErrorCategory;

/// At most this many warnings per segment are kept; the rest are counted.
const MAX_WARNINGS: usize = 64;

/// Nothing usable in the segment. [`TsError::category`] tells the kind of failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TsError {
    #[error("malformed: no MPEG-TS sync (0x47 every 188 bytes) in {len} bytes")]
    NoSync { len: usize },
    #[error("malformed: no program association table (PID 0) in the segment")]
    MissingPat,
    #[error("malformed: no program map table (PID {pmt_pid:#x}) in the segment")]
    MissingPmt { pmt_pid: u16 },
    #[error("malformed: the program map table (PID {pmt_pid:#x}) fails its CRC in every copy of the segment")]
    PmtCrc { pmt_pid: u16 },
    #[error("unsupported: the program has no H.264, AAC or MPEG audio stream")]
    NoSupportedStream,
}

impl TsError {
    /// What kind of failure this is (the word its message starts with).
    pub fn category(&self) -> ErrorCategory {
        match self {
            TsError::NoSync { .. }
            | TsError::MissingPat
            | TsError::MissingPmt { .. }
            | TsError::PmtCrc { .. } => ErrorCategory::Malformed,
            TsError::NoSupportedStream => ErrorCategory::Unsupported,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemuxWarning {
    #[error("lost sync at byte {offset}: skipped {skipped} bytes")]
    LostSync { offset: u64, skipped: u64 },
    #[error(
        "continuity gap on PID {pid:#x} at byte {offset}: expected counter {expected}, got {found}"
    )]
    ContinuityGap {
        pid: u16,
        offset: u64,
        expected: u8,
        found: u8,
    },
    #[error("transport error indicator on PID {pid:#x} at byte {offset}: packet dropped")]
    TransportError { pid: u16, offset: u64 },
    #[error("corrupt adaptation field on PID {pid:#x} at byte {offset}")]
    CorruptAdaptationField { pid: u16, offset: u64 },
    #[error("PSI section on PID {pid:#x} at byte {offset} fails its CRC: ignored")]
    PsiCrc { pid: u16, offset: u64 },
    #[error("corrupt PES header on PID {pid:#x} at byte {offset}: PES dropped")]
    CorruptPesHeader { pid: u16, offset: u64 },
    #[error("PES on PID {pid:#x} at byte {offset}: PES_packet_length {length} is shorter than its {header}-byte header; read up to the next PES instead")]
    PesLengthTooShort {
        pid: u16,
        offset: u64,
        length: usize,
        header: usize,
    },
    #[error("truncated PES on PID {pid:#x}: {received} of {declared} payload bytes")]
    TruncatedPes {
        pid: u16,
        declared: usize,
        received: usize,
    },
    #[error("PID {pid:#x} stream type {stream_type:#04x} is not supported: ignored")]
    UnsupportedStream { pid: u16, stream_type: u8 },
    #[error("bogus timestamps on PID {pid:#x}: PTS {pts} DTS {dts}; using PTS")]
    BogusTimestamp { pid: u16, pts: u64, dts: u64 },
    #[error("audio PID {pid:#x}: skipped {skipped} bytes to find a frame header")]
    AudioResync { pid: u16, skipped: usize },
    #[error("audio PID {pid:#x} is declared {declared} but carries {found}: remuxed as {found}")]
    AudioTypeMismatch {
        pid: u16,
        declared: AudioKind,
        found: AudioKind,
    },
    #[error("audio PID {pid:#x} (declared {declared}): no two consecutive ADTS or MPEG audio frames in {bytes} bytes: track dropped")]
    AudioFormatUnknown {
        pid: u16,
        declared: AudioKind,
        bytes: usize,
    },
    #[error("audio PID {pid:#x}: {bytes} bytes of an incomplete frame at segment end")]
    TruncatedAudioFrame { pid: u16, bytes: usize },
    #[error("malformed H.264 SPS ({len} bytes): ignored")]
    MalformedSps { len: usize },
    #[error("{count} packets before the PMT were dropped (limit)")]
    EarlyPacketsDropped { count: usize },
    #[error("{bytes} bytes of a partial TS packet at segment end")]
    PartialPacket { bytes: usize },
    #[error("{count} more warnings not shown")]
    Suppressed { count: usize },
}

/// Warning list with a bound, so damaged input cannot grow memory.
#[derive(Debug, Default)]
pub struct Warnings {
    pub list: Vec<DemuxWarning>,
    pub suppressed: usize,
}

impl Warnings {
    pub fn push(&mut self, w: DemuxWarning) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(w);
        } else {
            self.suppressed += 1;
        }
    }

    /// Take the warnings, ending with a `Suppressed` count when some were dropped.
    pub fn take(&mut self) -> Vec<DemuxWarning> {
        let mut out = std::mem::take(&mut self.list);
        if self.suppressed > 0 {
            out.push(DemuxWarning::Suppressed {
                count: self.suppressed,
            });
            self.suppressed = 0;
        }
        out
    }
}
