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
mod error;
pub mod h264;
mod pes;
mod psi;
pub mod sei;
mod sps;

use crate::crypto::{SampleAes, SampleAesKey};
use audio::{AudioEs, AudioKind};
pub use error::{DemuxWarning, TsError, Warnings};
use h264::H264Es;
use pes::{Pes, Phase};
use psi::{crc32_mpeg, parse_pat, Section};

pub const PACKET_SIZE: usize = 188;
const SYNC: u8 = 0x47;
/// Timestamps are 33-bit counters of a 90 kHz clock (§2.4.3.7).
pub const TS_MASK: u64 = (1 << 33) - 1;
/// Packets of not-yet-known PIDs kept until the PMT arrives (edge case: PMT after data).
const MAX_EARLY_PACKETS: usize = 8192;

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
    /// A PMT section of this segment failed its CRC (the refusal says so, not "no PMT").
    pmt_crc_failed: bool,
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
    /// The SAMPLE-AES key of the current segment, handed to the elementary streams.
    sample_aes: Option<SampleAes>,
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
            pmt_crc_failed: false,
            early: Vec::new(),
            early_dropped: 0,
            carry: Vec::with_capacity(PACKET_SIZE),
            offset: 0,
            synced: false,
            ever_synced: false,
            received: 0,
            reported: Vec::new(),
            sample_aes: None,
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

    /// The SAMPLE-AES key of the segment about to be pushed (`None`: clear samples).
    pub fn set_sample_aes(&mut self, key: Option<&SampleAesKey>) {
        match key {
            Some(key) if self.sample_aes.as_ref().is_some_and(|a| a.is_for(key)) => {}
            Some(key) => self.sample_aes = Some(SampleAes::new(key)),
            None => self.sample_aes = None,
        }
        self.video.sample_aes.clone_from(&self.sample_aes);
        self.audio.sample_aes.clone_from(&self.sample_aes);
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
        self.pmt_crc_failed = false;
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
                Some(pmt_pid) if !self.seen_pmt && self.pmt_crc_failed => {
                    TsError::PmtCrc { pmt_pid }
                }
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
                    self.pmt_crc_failed = true;
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
            // 0xDB and 0xCF: H.264 and ADTS AAC with SAMPLE-AES (Apple's encryption format §3).
            match stream_type {
                0x1B | 0xDB if video.is_none() => video = Some(pid),
                0x0F | 0xCF if audio.is_none() => audio = Some((pid, AudioKind::Adts)),
                0x03 | 0x04 if audio.is_none() => audio = Some((pid, AudioKind::MpegAudio)),
                // Timed ID3 metadata and SCTE-35 cues are expected companions: not worth a warning.
                0x15 | 0x86 | 0x1B | 0xDB | 0x0F | 0xCF | 0x03 | 0x04 => {}
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
            (Some((pid, kind)), Some(p)) => p.pid != pid || self.audio.declared != kind,
            (None, None) => false,
            _ => true,
        };
        if audio_changed {
            self.audio_pes = audio.map(|(pid, _)| Pes::new(pid));
            if let Some((pid, kind)) = audio {
                self.audio = AudioEs::new(kind);
                self.audio.pid = pid;
                self.audio.sample_aes.clone_from(&self.sample_aes);
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
