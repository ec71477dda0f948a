//! MPEG-2 transport stream demultiplexer (ISO/IEC 13818-1) for HLS segments.
//!
//! Own packet layer rather than mpeg2ts-reader: the transmuxer needs PES headers that span TS
//! packets (§2.4.3.6 allows it; mpeg2ts-reader 0.18 rejects them), an explicit per-segment flush,
//! resync on lost sync bytes, and payload bytes handed straight to the elementary stream parsers
//! without a per-PES allocation. With those, mpeg2ts-reader would only have parsed the 4-byte
//! packet header and the PSI tables, for +13 KB of wasm.
//!
//! Pipeline: 188-byte packets -> PAT/PMT sections (PID selection) -> PES reassembly per PID ->
//! [`h264::H264Es`] / [`audio::AudioEs`], which produce [`EsFrame`]s. Damage (continuity gaps,
//! lost sync, corrupt headers) is a [`DemuxWarning`]; only "nothing usable" is a [`TsError`].
pub mod audio;
pub mod bits;
pub mod h264;

use crate::error::ErrorCategory;
use audio::{AudioEs, AudioKind};
use h264::H264Es;

pub const PACKET_SIZE: usize = 188;
const SYNC: u8 = 0x47;
/// Timestamps are 33-bit counters of a 90 kHz clock (§2.4.3.7).
pub const TS_MASK: u64 = (1 << 33) - 1;
/// PTS - DTS larger than this (60 s) is bogus (players treat it so); DTS falls back to PTS.
const MAX_CTS_90K: u64 = 60 * 90_000;
/// Packets of not-yet-known PIDs kept until the PMT arrives (edge case: PMT after data).
const MAX_EARLY_PACKETS: usize = 8192;
const MAX_WARNINGS: usize = 64;

/// One access unit (video) or frame (audio) of a segment; bytes at `offset..offset+size` of the
/// stream's data buffer. Timestamps are raw 33-bit 90 kHz values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EsFrame {
    pub offset: u32,
    pub size: u32,
    pub pts: Option<u64>,
    pub dts: Option<u64>,
    pub key: bool,
}

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
    #[error("unsupported: the program has no H.264, AAC or MPEG audio stream")]
    NoSupportedStream,
}

impl TsError {
    /// What kind of failure this is (the word its message starts with).
    pub fn category(&self) -> ErrorCategory {
        match self {
            TsError::NoSync { .. } | TsError::MissingPat | TsError::MissingPmt { .. } => {
                ErrorCategory::Malformed
            }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a packet with payload_unit_start_indicator.
    Idle,
    Header,
    Payload,
}

/// PES reassembly state of one PID (§2.4.3.6). The header is collected in a fixed buffer so it
/// may span packets; payload bytes go straight to the elementary stream parser.
#[derive(Debug)]
struct Pes {
    pid: u16,
    cc: Option<u8>,
    phase: Phase,
    header: [u8; 9 + 255],
    header_len: usize,
    /// Payload bytes still expected when PES_packet_length was set.
    remaining: Option<usize>,
    declared: usize,
    received: usize,
    start_offset: u64,
}

impl Pes {
    fn new(pid: u16) -> Self {
        Self {
            pid,
            cc: None,
            phase: Phase::Idle,
            header: [0; 264],
            header_len: 0,
            remaining: None,
            declared: 0,
            received: 0,
            start_offset: 0,
        }
    }

    fn end(&mut self, w: &mut Warnings) {
        if self.phase == Phase::Payload {
            if let Some(rem) = self.remaining {
                if rem > 0 {
                    w.push(DemuxWarning::TruncatedPes {
                        pid: self.pid,
                        declared: self.declared,
                        received: self.received,
                    });
                }
            }
        } else if self.phase == Phase::Header {
            w.push(DemuxWarning::CorruptPesHeader {
                pid: self.pid,
                offset: self.start_offset,
            });
        }
        self.phase = Phase::Idle;
    }
}

/// Where a PES payload goes.
trait EsSink {
    fn begin_pes(&mut self, pts: Option<u64>, dts: Option<u64>);
    fn push(&mut self, data: &[u8], w: &mut Warnings);
}

impl EsSink for H264Es {
    fn begin_pes(&mut self, pts: Option<u64>, dts: Option<u64>) {
        H264Es::begin_pes(self, pts, dts);
    }
    fn push(&mut self, data: &[u8], w: &mut Warnings) {
        H264Es::push(self, data, w);
    }
}

impl EsSink for AudioEs {
    fn begin_pes(&mut self, pts: Option<u64>, _dts: Option<u64>) {
        AudioEs::begin_pes(self, pts);
    }
    fn push(&mut self, data: &[u8], w: &mut Warnings) {
        AudioEs::push(self, data, w);
    }
}

fn read_ts(b: &[u8]) -> Option<u64> {
    let &[b0, b1, b2, b3, b4] = b.get(..5)? else {
        return None;
    };
    Some(
        (u64::from(b0 >> 1) & 0x07) << 30
            | u64::from(b1) << 22
            | (u64::from(b2) >> 1) << 15
            | u64::from(b3) << 7
            | u64::from(b4) >> 1,
    )
}

impl Pes {
    fn feed(&mut self, mut data: &[u8], offset: u64, sink: &mut impl EsSink, w: &mut Warnings) {
        if self.phase == Phase::Header {
            // First the fixed 9 bytes (which give the optional header length), then the rest;
            // either part may end in this packet or a later one.
            loop {
                let need = if self.header_len < 9 {
                    9
                } else {
                    9 + usize::from(self.header.get(8).copied().unwrap_or(0))
                };
                let take = (need - self.header_len).min(data.len());
                let (head, rest) = data.split_at(take);
                if let Some(dst) = self.header.get_mut(self.header_len..self.header_len + take) {
                    dst.copy_from_slice(head);
                }
                let was = self.header_len;
                self.header_len += take;
                data = rest;
                if was < 9 && self.header_len == 9 {
                    let h = &self.header;
                    if h.get(..3) != Some(&[0, 0, 1]) || h.get(6).map_or(true, |b| b & 0xC0 != 0x80)
                    {
                        w.push(DemuxWarning::CorruptPesHeader {
                            pid: self.pid,
                            offset,
                        });
                        self.phase = Phase::Idle;
                        return;
                    }
                    continue;
                }
                if self.header_len < need {
                    return;
                }
                break;
            }
            let h = &self.header;
            let flags = h.get(7).copied().unwrap_or(0) >> 6;
            let data_len = usize::from(h.get(8).copied().unwrap_or(0));
            let (mut pts, mut dts) = (None, None);
            let bad = match flags {
                2 if data_len >= 5 => {
                    pts = h.get(9..).and_then(read_ts);
                    false
                }
                3 if data_len >= 10 => {
                    pts = h.get(9..).and_then(read_ts);
                    dts = h.get(14..).and_then(read_ts);
                    false
                }
                0 => false,
                _ => true,
            };
            if bad {
                w.push(DemuxWarning::CorruptPesHeader {
                    pid: self.pid,
                    offset,
                });
                self.phase = Phase::Idle;
                return;
            }
            if let (Some(p), Some(d)) = (pts, dts) {
                if p.wrapping_sub(d) & TS_MASK > MAX_CTS_90K {
                    w.push(DemuxWarning::BogusTimestamp {
                        pid: self.pid,
                        pts: p,
                        dts: d,
                    });
                    dts = None;
                }
            }
            let pes_len = usize::from(u16::from_be_bytes([
                h.get(4).copied().unwrap_or(0),
                h.get(5).copied().unwrap_or(0),
            ]));
            self.remaining = if pes_len == 0 {
                None
            } else {
                match pes_len.checked_sub(3 + data_len) {
                    Some(n) => Some(n),
                    None => {
                        w.push(DemuxWarning::CorruptPesHeader {
                            pid: self.pid,
                            offset,
                        });
                        self.phase = Phase::Idle;
                        return;
                    }
                }
            };
            self.declared = self.remaining.unwrap_or(0);
            self.received = 0;
            sink.begin_pes(pts, dts);
            self.phase = Phase::Payload;
        }
        if self.phase != Phase::Payload || data.is_empty() {
            return;
        }
        match self.remaining.as_mut() {
            Some(rem) => {
                let n = (*rem).min(data.len());
                let part = data.get(..n).unwrap_or(&[]);
                *rem -= n;
                self.received += n;
                sink.push(part, w);
                if *rem == 0 {
                    self.phase = Phase::Idle;
                }
            }
            None => {
                self.received += data.len();
                sink.push(data, w);
            }
        }
    }
}

/// PSI section reassembly (§2.4.4), bounded by the 1021-byte section limit.
#[derive(Debug, Default)]
struct Section {
    buf: Vec<u8>,
    active: bool,
}

impl Section {
    /// Returns the complete section, if this packet completed one.
    fn feed(&mut self, payload: &[u8], pusi: bool) -> Option<&[u8]> {
        if pusi {
            let pointer = usize::from(*payload.first()?);
            self.buf.clear();
            self.buf.extend_from_slice(payload.get(1 + pointer..)?);
            self.active = true;
        } else if self.active {
            self.buf.extend_from_slice(payload);
        } else {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*self.buf.get(1)?, *self.buf.get(2)?]) & 0x0FFF);
        if len > 1021 {
            self.active = false;
            return None;
        }
        if self.buf.len() < 3 + len {
            return None;
        }
        self.active = false;
        self.buf.get(..3 + len)
    }
}

/// Demultiplexer for the segments of one rendition. Program selection (PIDs) persists across
/// segments, so a segment without PAT/PMT still demuxes after one that had them.
#[derive(Debug)]
pub struct Demuxer {
    pub video: H264Es,
    pub audio: AudioEs,
    pub warnings: Warnings,
    pmt_pid: Option<u16>,
    video_pes: Option<Pes>,
    audio_pes: Option<Pes>,
    pat: Section,
    pmt: Section,
    seen_pmt: bool,
    early: Vec<u8>,
    early_dropped: usize,
    carry: Vec<u8>,
    /// Byte offset of the next input byte within the segment.
    offset: u64,
    synced: bool,
    ever_synced: bool,
    /// Bytes pushed in this segment.
    received: u64,
    reported: Vec<(u16, u8)>,
}

impl Default for Demuxer {
    fn default() -> Self {
        Self::new()
    }
}

impl Demuxer {
    pub fn new() -> Self {
        Self {
            video: H264Es::new(),
            audio: AudioEs::new(AudioKind::Adts),
            warnings: Warnings::default(),
            pmt_pid: None,
            video_pes: None,
            audio_pes: None,
            pat: Section::default(),
            pmt: Section::default(),
            seen_pmt: false,
            early: Vec::new(),
            early_dropped: 0,
            carry: Vec::with_capacity(PACKET_SIZE),
            offset: 0,
            synced: false,
            ever_synced: false,
            received: 0,
            reported: Vec::new(),
        }
    }

    /// Forget everything, including the program and parameter sets.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    pub fn has_video(&self) -> bool {
        self.video_pes.is_some()
    }

    pub fn has_audio(&self) -> bool {
        self.audio_pes.is_some()
    }

    /// Start a new segment: clear the previous segment's frames (buffers keep their capacity).
    pub fn begin_segment(&mut self) {
        self.video.clear_output();
        self.audio.clear_output();
        self.carry.clear();
        self.early.clear();
        self.early_dropped = 0;
        self.offset = 0;
        self.synced = false;
        self.ever_synced = false;
        self.received = 0;
        self.seen_pmt = false;
        for pes in [self.video_pes.as_mut(), self.audio_pes.as_mut()]
            .into_iter()
            .flatten()
        {
            pes.phase = Phase::Idle;
            pes.cc = None;
        }
    }

    /// Feed bytes of the current segment; any split into chunks gives the same result.
    pub fn push(&mut self, mut data: &[u8]) {
        self.received += data.len() as u64;
        if !self.carry.is_empty() {
            let need = PACKET_SIZE - self.carry.len();
            let (head, rest) = data.split_at(need.min(data.len()));
            self.carry.extend_from_slice(head);
            data = rest;
            if self.carry.len() < PACKET_SIZE {
                return;
            }
            let packet = std::mem::take(&mut self.carry);
            if packet.first() == Some(&SYNC) {
                self.packet(&packet);
            } else {
                self.synced = false;
            }
            self.offset += PACKET_SIZE as u64;
            self.carry = packet;
            self.carry.clear();
        }
        let chunk_start = self.offset;
        let mut pos = 0usize;
        while pos < data.len() {
            if !self.synced || !matches!(data.get(pos), Some(&SYNC)) {
                match find_sync(data, pos) {
                    Some(p) => {
                        if p > pos || self.ever_synced {
                            self.warnings.push(DemuxWarning::LostSync {
                                offset: chunk_start + pos as u64,
                                skipped: (p - pos) as u64,
                            });
                        }
                        pos = p;
                        self.synced = true;
                        self.ever_synced = true;
                    }
                    None => {
                        // Keep at most one partial packet (from its sync byte) for the next chunk.
                        let keep = (data.len() - pos).min(PACKET_SIZE - 1);
                        let tail = data.get(data.len() - keep..).unwrap_or(&[]);
                        let from = tail.iter().position(|&b| b == SYNC).unwrap_or(tail.len());
                        self.carry
                            .extend_from_slice(tail.get(from..).unwrap_or(&[]));
                        self.offset = chunk_start + (data.len() - self.carry.len()) as u64;
                        return;
                    }
                }
            }
            match data.get(pos..pos + PACKET_SIZE) {
                Some(packet) => {
                    self.offset = chunk_start + pos as u64;
                    self.packet(packet);
                    pos += PACKET_SIZE;
                }
                None => {
                    self.carry.extend_from_slice(data.get(pos..).unwrap_or(&[]));
                    break;
                }
            }
        }
        self.offset = chunk_start + (pos.min(data.len())) as u64;
    }

    /// End of segment: flush every PES and elementary stream.
    pub fn finish_segment(&mut self) -> Result<(), TsError> {
        if !self.carry.is_empty() {
            self.warnings.push(DemuxWarning::PartialPacket {
                bytes: self.carry.len(),
            });
            self.carry.clear();
        }
        if self.early_dropped > 0 {
            self.warnings.push(DemuxWarning::EarlyPacketsDropped {
                count: self.early_dropped,
            });
        }
        if let Some(pes) = self.video_pes.as_mut() {
            pes.end(&mut self.warnings);
        }
        if let Some(pes) = self.audio_pes.as_mut() {
            pes.end(&mut self.warnings);
        }
        self.video.flush(&mut self.warnings);
        self.audio.flush(&mut self.warnings);
        if self.video_pes.is_none() && self.audio_pes.is_none() {
            if !self.ever_synced {
                return Err(TsError::NoSync {
                    len: self.received as usize,
                });
            }
            return Err(match self.pmt_pid {
                None => TsError::MissingPat,
                Some(pmt_pid) if !self.seen_pmt => TsError::MissingPmt { pmt_pid },
                Some(_) => TsError::NoSupportedStream,
            });
        }
        Ok(())
    }

    fn packet(&mut self, p: &[u8]) {
        let offset = self.offset;
        let (Some(&b1), Some(&b2), Some(&b3)) = (p.get(1), p.get(2), p.get(3)) else {
            return;
        };
        let pid = (u16::from(b1 & 0x1F) << 8) | u16::from(b2);
        if b1 & 0x80 != 0 {
            self.warnings
                .push(DemuxWarning::TransportError { pid, offset });
            return;
        }
        if pid == 0x1FFF {
            return;
        }
        let pusi = b1 & 0x40 != 0;
        let afc = (b3 >> 4) & 3;
        let cc = b3 & 0x0F;
        let mut discontinuity = false;
        let start = match afc {
            1 => 4,
            3 => {
                let af_len = usize::from(p.get(4).copied().unwrap_or(0));
                if af_len > 183 {
                    self.warnings
                        .push(DemuxWarning::CorruptAdaptationField { pid, offset });
                    return;
                }
                discontinuity = af_len > 0 && p.get(5).is_some_and(|f| f & 0x80 != 0);
                5 + af_len
            }
            // Adaptation field only, or reserved: no payload.
            _ => return,
        };
        let payload = p.get(start..).unwrap_or(&[]);
        if pid == 0 {
            if let Some(section) = self.pat.feed(payload, pusi) {
                if crc32_mpeg(section) != 0 {
                    self.warnings.push(DemuxWarning::PsiCrc { pid, offset });
                    return;
                }
                if let Some(pmt_pid) = parse_pat(section) {
                    if self.pmt_pid != Some(pmt_pid) {
                        self.pmt_pid = Some(pmt_pid);
                        self.pmt = Section::default();
                    }
                }
            }
            return;
        }
        if Some(pid) == self.pmt_pid {
            let mut section = std::mem::take(&mut self.pmt);
            if let Some(s) = section.feed(payload, pusi) {
                if crc32_mpeg(s) == 0 {
                    self.apply_pmt(s);
                } else {
                    self.warnings.push(DemuxWarning::PsiCrc { pid, offset });
                }
            }
            self.pmt = section;
            return;
        }
        let (pes, is_video) = match (&mut self.video_pes, &mut self.audio_pes) {
            (Some(v), _) if v.pid == pid => (v, true),
            (_, Some(a)) if a.pid == pid => (a, false),
            _ => {
                if !self.seen_pmt {
                    if self.early.len() < MAX_EARLY_PACKETS * PACKET_SIZE {
                        self.early.extend_from_slice(p);
                    } else {
                        self.early_dropped += 1;
                    }
                }
                return;
            }
        };
        if let Some(last) = pes.cc {
            if cc == last && !discontinuity {
                return; // duplicate packet (§2.4.3.3): once is allowed, skip it
            }
            let expected = (last + 1) & 0x0F;
            if cc != expected && !discontinuity {
                self.warnings.push(DemuxWarning::ContinuityGap {
                    pid,
                    offset,
                    expected,
                    found: cc,
                });
            }
        }
        pes.cc = Some(cc);
        if pusi {
            pes.end(&mut self.warnings);
            pes.phase = Phase::Header;
            pes.header_len = 0;
            pes.start_offset = offset;
        }
        if is_video {
            pes.feed(payload, offset, &mut self.video, &mut self.warnings);
        } else {
            pes.feed(payload, offset, &mut self.audio, &mut self.warnings);
        }
    }

    fn apply_pmt(&mut self, section: &[u8]) {
        if section.first() != Some(&0x02) || section.len() < 16 {
            return;
        }
        self.seen_pmt = true;
        let end = section.len() - 4; // CRC_32
        let info_len = usize::from(
            u16::from_be_bytes([
                section.get(10).copied().unwrap_or(0),
                section.get(11).copied().unwrap_or(0),
            ]) & 0x0FFF,
        );
        let mut pos = 12 + info_len;
        let (mut video, mut audio) = (None, None);
        while let Some(&[stream_type, p0, p1, l0, l1]) = section.get(pos..pos + 5) {
            if pos + 5 > end {
                break;
            }
            let pid = (u16::from(p0 & 0x1F) << 8) | u16::from(p1);
            match stream_type {
                0x1B if video.is_none() => video = Some(pid),
                0x0F if audio.is_none() => audio = Some((pid, AudioKind::Adts)),
                0x03 | 0x04 if audio.is_none() => audio = Some((pid, AudioKind::MpegAudio)),
                // Timed ID3 metadata and SCTE-35 cues are expected companions: not worth a warning.
                0x15 | 0x86 | 0x1B | 0x0F | 0x03 | 0x04 => {}
                _ => {
                    if !self.reported.contains(&(pid, stream_type)) && self.reported.len() < 16 {
                        self.reported.push((pid, stream_type));
                        self.warnings
                            .push(DemuxWarning::UnsupportedStream { pid, stream_type });
                    }
                }
            }
            pos += 5 + usize::from(u16::from_be_bytes([l0, l1]) & 0x0FFF);
        }
        if video
            .map(|v| self.video_pes.as_ref().map(|p| p.pid) != Some(v))
            .unwrap_or(self.video_pes.is_some())
        {
            self.video_pes = video.map(Pes::new);
            self.video.clear_output();
        }
        let audio_changed = match (audio, self.audio_pes.as_ref()) {
            (Some((pid, kind)), Some(p)) => p.pid != pid || self.audio.kind != kind,
            (None, None) => false,
            _ => true,
        };
        if audio_changed {
            self.audio_pes = audio.map(|(pid, _)| Pes::new(pid));
            if let Some((pid, kind)) = audio {
                self.audio = AudioEs::new(kind);
                self.audio.pid = pid;
            }
        }
        if !self.early.is_empty() {
            let early = std::mem::take(&mut self.early);
            for packet in early.chunks_exact(PACKET_SIZE) {
                self.packet(packet);
            }
            self.early = early;
            self.early.clear();
        }
    }
}

/// CRC-32/MPEG-2 (§2.4.4.10 / Annex A); over a whole section including its CRC_32 it is 0.
fn crc32_mpeg(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// First program's PMT PID (§2.4.4.3).
fn parse_pat(section: &[u8]) -> Option<u16> {
    if *section.first()? != 0x00 {
        return None;
    }
    let end = section.len().checked_sub(4)?;
    section.get(8..end)?.chunks_exact(4).find_map(|e| {
        let program = u16::from_be_bytes([*e.first()?, *e.get(1)?]);
        let pid = (u16::from(*e.get(2)? & 0x1F) << 8) | u16::from(*e.get(3)?);
        (program != 0).then_some(pid)
    })
}

/// A position where 0x47 repeats at the packet stride (up to three packets, as far as the data
/// reaches) at or after `from`.
fn find_sync(data: &[u8], from: usize) -> Option<usize> {
    let mut p = from;
    while p < data.len() {
        let rel = data.get(p..)?.iter().position(|&b| b == SYNC)?;
        p += rel;
        let confirmed = (1..3).all(|k| match data.get(p + k * PACKET_SIZE) {
            Some(&b) => b == SYNC,
            None => true,
        });
        if confirmed && p + PACKET_SIZE <= data.len() {
            return Some(p);
        }
        if p + PACKET_SIZE > data.len() {
            return None;
        }
        p += 1;
    }
    None
}
