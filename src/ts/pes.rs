//! PES reassembly (ISO/IEC 13818-1 §2.4.3.6): the header is collected in a fixed buffer so it
//! may span packets; payload bytes go straight to the elementary stream parser.
use super::audio::AudioEs;
use super::h264::H264Es;
use super::{DemuxWarning, Warnings, TS_MASK};

/// PTS - DTS larger than this (60 s) is bogus (players treat it so); DTS falls back to PTS.
const MAX_CTS_90K: u64 = 60 * 90_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for a packet with payload_unit_start_indicator.
    Idle,
    Header,
    Payload,
}

/// PES reassembly state of one PID (§2.4.3.6). The header is collected in a fixed buffer so it
/// may span packets; payload bytes go straight to the elementary stream parser.
#[derive(Debug)]
pub(super) struct Pes {
    pub(super) pid: u16,
    pub(super) cc: Option<u8>,
    pub(super) phase: Phase,
    header: [u8; 9 + 255],
    pub(super) header_len: usize,
    /// Payload bytes still expected when PES_packet_length was set.
    remaining: Option<usize>,
    declared: usize,
    received: usize,
    pub(super) start_offset: u64,
}

impl Pes {
    pub(super) fn new(pid: u16) -> Self {
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

    pub(super) fn end(&mut self, w: &mut Warnings) {
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
pub(super) trait EsSink {
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
    pub(super) fn feed(
        &mut self,
        mut data: &[u8],
        offset: u64,
        sink: &mut impl EsSink,
        w: &mut Warnings,
    ) {
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
                    // A length that cannot hold its own header is a muxer bug, not a short
                    // packet: ffmpeg and hls.js read such a PES to the next start, and so do we
                    // (dropping it would lose its keyframe and every frame up to the next one).
                    None => {
                        w.push(DemuxWarning::PesLengthTooShort {
                            pid: self.pid,
                            offset,
                            length: pes_len,
                            header: 3 + data_len,
                        });
                        None
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
