//! H.264 elementary stream (ISO/IEC 14496-10 Annex B byte stream) to access units of
//! length-prefixed NAL units, plus the sequence parameter set fields MP4 needs (§7.3.2.1.1).
//!
//! The parser streams: each PES payload chunk is scanned for start codes and copied once,
//! straight into the sample data buffer, with a 4-byte length placeholder per NAL unit. Start
//! codes split across chunks or PES packets are found through a carried count of trailing zeros.
use super::bits::{unescape_rbsp, BitReader, BitsExhausted};
use super::sei::{sei_608, CcTriplet};
use super::{DemuxWarning, EsFrame, Warnings};
use crate::crypto::SampleAes;

pub use super::sps::{parse_sps, SpsInfo};

#[derive(Debug, Clone, Copy)]
struct Au {
    start: usize,
    pts: Option<u64>,
    dts: Option<u64>,
    key: bool,
    has_vcl: bool,
    has_sps: bool,
    /// A field picture: (bottom_field_flag, frame_num) of its first slice.
    field: Option<(bool, u32)>,
}

/// Streaming H.264 parser for one PID. Output: [`EsFrame`]s over `data`.
#[derive(Debug, Default)]
pub struct H264Es {
    pub frames: Vec<EsFrame>,
    /// Length-prefixed NAL units of every access unit of the segment, back to back.
    pub data: Vec<u8>,
    /// Current SPS (raw NAL unit) and its parsed fields.
    pub sps: Vec<u8>,
    pub sps_info: Option<SpsInfo>,
    /// Distinct PPS NAL units by pps id, in order of arrival.
    pub pps: Vec<Vec<u8>>,
    /// Bumped on every SPS/PPS change: a new init segment is due.
    pub config_generation: u32,
    /// CEA-608 `cc_data` constructs (cc_type 0/1) from the segment's SEI, in stream order.
    pub cc: Vec<CcTriplet>,
    /// Which frames carry which of `cc` (only frames with captions: empty without them).
    pub cc_frames: Vec<CcFrame>,
    /// Start of the constructs in `cc` not given to a frame yet.
    cc_open: usize,
    in_nal: bool,
    nal_pos: usize,
    nal_gen: u32,
    zeros: u8,
    au: Option<Au>,
    pes_pts: Option<u64>,
    pes_dts: Option<u64>,
    pes_gen: u32,
    pes_ts_taken: bool,
    scratch: Vec<u8>,
    /// The last frame pushed is a lone first field: (bottom_field_flag, frame_num).
    first_field: Option<(bool, u32)>,
    /// Index in `frames` of a second field still waiting for its timestamps.
    untimed_field: Option<usize>,
    /// Half a frame duration, as last measured between field pairs.
    field_half: Option<u64>,
    /// SAMPLE-AES segment: slices (NAL types 1 and 5) are decrypted as they complete.
    pub sample_aes: Option<SampleAes>,
}

/// The caption constructs `cc[start..end]` of the access unit `frames[frame]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CcFrame {
    pub frame: u32,
    pub start: u32,
    pub end: u32,
}

const MAX_PPS: usize = 32;
/// More caption constructs per segment than this are dropped (60 fps × 10 s × 2 fields is 1200).
const MAX_CC_PER_SEGMENT: usize = 1 << 16;
/// Half a frame is at most this (half a second): a larger step between fields is a gap.
const MAX_FIELD_HALF_90K: u64 = 45_000;

impl H264Es {
    pub fn new() -> Self {
        Self::default()
    }

    /// Clear the per-segment output, keeping the buffers' capacity and the parameter sets.
    pub fn clear_output(&mut self) {
        self.frames.clear();
        self.data.clear();
        self.in_nal = false;
        self.zeros = 0;
        self.au = None;
        self.pes_pts = None;
        self.pes_dts = None;
        self.first_field = None;
        self.untimed_field = None;
        self.cc.clear();
        self.cc_frames.clear();
        self.cc_open = 0;
    }

    /// Forget the parameter sets too.
    pub fn reset(&mut self) {
        self.clear_output();
        self.sps.clear();
        self.sps_info = None;
        self.pps.clear();
    }

    pub fn begin_pes(&mut self, pts: Option<u64>, dts: Option<u64>) {
        self.pes_gen = self.pes_gen.wrapping_add(1);
        self.pes_pts = pts;
        self.pes_dts = dts.or(pts);
        self.pes_ts_taken = false;
    }

    pub fn push(&mut self, chunk: &[u8], w: &mut Warnings) {
        let mut copy_from = 0usize;
        if self.zeros >= 2 && chunk.first() == Some(&1) {
            self.start_code(chunk, &mut copy_from, 0, w);
        } else if self.zeros >= 1 && chunk.first() == Some(&0) && chunk.get(1) == Some(&1) {
            self.start_code(chunk, &mut copy_from, 1, w);
        }
        // A start code's 0x01 at j needs a zero at j-1. Eight bytes at a time: a word without
        // a zero byte rules out every j whose j-1 lies in it (slice data rarely has zeros).
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let mut i = 0usize;
        for word in chunk.chunks_exact(8) {
            let v = u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or([1; 8]));
            if v.wrapping_sub(ONES) & !v & HIGHS != 0 {
                self.scan(chunk, &mut copy_from, (i + 1).max(2), i + 9, w);
            }
            i += 8;
        }
        self.scan(chunk, &mut copy_from, (i + 1).max(2), chunk.len(), w);
        if self.in_nal {
            if let Some(rest) = chunk.get(copy_from..) {
                self.data.extend_from_slice(rest);
            }
        }
        let trailing = match chunk {
            [.., 0, 0] => 2,
            [.., 0] => 1,
            _ => 0,
        };
        self.zeros = if trailing as usize == chunk.len() {
            (self.zeros + trailing).min(2)
        } else {
            trailing
        };
    }

    /// Start codes whose 0x01 lies in `from..to` (`from` ≥ 2). A plain loop and a slice pattern:
    /// at opt-level "z" range iterators and `Option` comparisons stay calls in this hot loop.
    #[inline(always)]
    fn scan(
        &mut self,
        chunk: &[u8],
        copy_from: &mut usize,
        from: usize,
        to: usize,
        w: &mut Warnings,
    ) {
        let to = to.min(chunk.len());
        let mut j = from;
        while j < to {
            // SAFETY-free bounds: 2 ≤ j < chunk.len(), so j-2..=j is in the chunk.
            if let (Some(&1), Some(&0), Some(&0)) =
                (chunk.get(j), chunk.get(j - 1), chunk.get(j - 2))
            {
                self.start_code(chunk, copy_from, j, w);
            }
            j += 1;
        }
    }

    fn start_code(&mut self, chunk: &[u8], copy_from: &mut usize, one_at: usize, w: &mut Warnings) {
        if self.in_nal {
            let end = one_at.saturating_sub(2);
            if end > *copy_from {
                if let Some(part) = chunk.get(*copy_from..end) {
                    self.data.extend_from_slice(part);
                }
            }
            self.finish_nal(w);
        }
        self.nal_pos = self.data.len();
        self.data.extend_from_slice(&[0; 4]);
        self.nal_gen = self.pes_gen;
        self.in_nal = true;
        *copy_from = one_at + 1;
    }

    /// End of segment: the last NAL unit and access unit are complete.
    pub fn flush(&mut self, w: &mut Warnings) {
        if self.in_nal {
            self.finish_nal(w);
            self.in_nal = false;
        }
        let end = self.data.len();
        self.finish_au(end);
        if let Some(index) = self.untimed_field.take() {
            self.place_second_field(index);
        }
        self.au = None;
        self.zeros = 0;
    }

    fn finish_nal(&mut self, w: &mut Warnings) {
        let body = self.nal_pos + 4;
        // Trailing zeros belong to the next start code (zero_byte) or are trailing_zero_8bits.
        while self.data.len() > body && self.data.last() == Some(&0) {
            self.data.pop();
        }
        let (nal_type, second) = match self.data.get(body..) {
            Some([h, rest @ ..]) if !rest.is_empty() || *h != 0 => {
                (h & 0x1f, rest.first().copied())
            }
            _ => {
                self.data.truncate(self.nal_pos);
                return;
            }
        };
        if nal_type == 1 || nal_type == 5 {
            self.decrypt_slice(body);
        }
        let has_vcl = self.au.map(|a| a.has_vcl).unwrap_or(false);
        let first_mb_zero = second.map(|b| b & 0x80 != 0).unwrap_or(false);
        let starts_au = self.au.is_none()
            || match nal_type {
                9 => true,
                6 | 7 | 8 | 13..=18 => has_vcl,
                1 | 5 => has_vcl && first_mb_zero,
                _ => false,
            };
        if starts_au {
            // A dropped slice-less access unit hands its timestamps on.
            let carried = self.finish_au(self.nal_pos);
            let (pts, dts) = if self.nal_gen == self.pes_gen && !self.pes_ts_taken {
                self.pes_ts_taken = true;
                (self.pes_pts, self.pes_dts)
            } else {
                carried.unwrap_or((None, None))
            };
            self.au = Some(Au {
                start: self.nal_pos,
                pts,
                dts,
                key: false,
                has_vcl: false,
                has_sps: false,
                field: None,
            });
        }
        // finish_au may have moved this NAL unit down (dropped a slice-less access unit).
        let body = self.nal_pos + 4;
        match nal_type {
            7 => {
                self.capture_sps(w);
                if let Some(au) = self.au.as_mut() {
                    au.has_sps = true;
                }
                self.data.truncate(self.nal_pos);
            }
            8 => {
                self.capture_pps();
                self.data.truncate(self.nal_pos);
            }
            // AUD, end of sequence/stream, filler: not sample data in MP4.
            9..=12 => self.data.truncate(self.nal_pos),
            _ => {
                let len = (self.data.len() - body) as u32;
                for (slot, b) in self
                    .data
                    .iter_mut()
                    .skip(self.nal_pos)
                    .zip(len.to_be_bytes())
                {
                    *slot = b;
                }
                if nal_type == 6 {
                    self.capture_captions(body);
                }
                if nal_type == 1 || nal_type == 5 {
                    let key = nal_type == 5
                        || (self.au.map(|a| a.has_sps).unwrap_or(false) && self.is_i_slice(body));
                    let first_slice = self.au.is_some_and(|a| !a.has_vcl);
                    let field = if first_slice { self.field(body) } else { None };
                    if let Some(au) = self.au.as_mut() {
                        au.has_vcl = true;
                        au.key |= key;
                        if first_slice {
                            au.field = field;
                        }
                    }
                }
            }
        }
    }

    /// The CEA-608 constructs of the GA94 caption data in the SEI NAL unit at `body`, for the
    /// current access unit.
    fn capture_captions(&mut self, body: usize) {
        let Some(payload) = self.data.get(body + 1..) else {
            return;
        };
        let cc = &mut self.cc;
        sei_608(payload, &mut self.scratch, &mut |t| {
            if cc.len() < MAX_CC_PER_SEGMENT {
                cc.push(t);
            }
        });
    }

    /// SAMPLE-AES: the slice NAL unit at `body` (the last in `data`) replaced by its clear
    /// form. Its emulation prevention bytes were added after encryption, so they go first.
    fn decrypt_slice(&mut self, body: usize) {
        let (Some(aes), Some(nal)) = (&self.sample_aes, self.data.get(body..)) else {
            return;
        };
        if nal.len() <= crate::crypto::sample_aes::NAL_CLEAR_MAX {
            return;
        }
        unescape_rbsp(nal, &mut self.scratch);
        aes.decrypt_nal_unit(&mut self.scratch);
        self.data.truncate(body);
        self.data.extend_from_slice(&self.scratch);
    }

    fn is_i_slice(&mut self, body: usize) -> bool {
        let Some(head) = self.data.get(body + 1..(body + 17).min(self.data.len())) else {
            return false;
        };
        unescape_rbsp(head, &mut self.scratch);
        let mut r = BitReader::new(&self.scratch);
        let _first_mb = r.ue();
        matches!(r.ue().map(|t| t % 5), Ok(2) | Ok(4))
    }

    /// `(bottom_field_flag, frame_num)` of a field picture's slice header (§7.3.3); `None` for
    /// a frame picture or without an SPS.
    fn field(&mut self, body: usize) -> Option<(bool, u32)> {
        let sps = self.sps_info.as_ref()?;
        if sps.frame_mbs_only {
            return None;
        }
        let (planes, frame_num_bits) = (sps.separate_colour_plane, sps.log2_max_frame_num);
        let head = self.data.get(body + 1..(body + 25).min(self.data.len()))?;
        unescape_rbsp(head, &mut self.scratch);
        let mut r = BitReader::new(&self.scratch);
        let parse = |r: &mut BitReader<'_>| -> Result<Option<(bool, u32)>, BitsExhausted> {
            let _first_mb = r.ue()?;
            let _slice_type = r.ue()?;
            let _pps_id = r.ue()?;
            if planes {
                r.skip(2)?;
            }
            let frame_num = r.bits(frame_num_bits)?;
            Ok(if r.bit()? {
                Some((r.bit()?, frame_num))
            } else {
                None
            })
        };
        parse(&mut r).ok().flatten()
    }

    /// Close the current access unit at `end`. An access unit without slices is dropped and its
    /// timestamps returned.
    fn finish_au(&mut self, end: usize) -> Option<(Option<u64>, Option<u64>)> {
        let au = self.au.take()?;
        if au.has_vcl && end > au.start {
            self.time_fields(&au);
            // Captions of a dropped slice-less access unit stay open for this one.
            if self.cc.len() > self.cc_open {
                self.cc_frames.push(CcFrame {
                    frame: self.frames.len() as u32,
                    start: self.cc_open as u32,
                    end: self.cc.len() as u32,
                });
                self.cc_open = self.cc.len();
            }
            self.frames.push(EsFrame {
                offset: au.start as u32,
                size: (end - au.start) as u32,
                pts: au.pts,
                dts: au.dts,
                key: au.key,
            });
        } else if end > au.start {
            // An access unit without slices (stray SEI): drop it, keep what follows.
            self.data.copy_within(end.., au.start);
            let removed = end - au.start;
            self.data.truncate(self.data.len() - removed);
            if self.in_nal && self.nal_pos >= end {
                self.nal_pos -= removed;
            }
            return Some((au.pts, au.dts));
        }
        None
    }

    /// Field pictures stay one sample each (as ffmpeg remuxes them: decoding then gives the
    /// frames ffmpeg decodes from the TS), but a PES carries one timestamp for both fields, so
    /// the second field is placed half a frame after the first: half the distance to the next
    /// timed frame, else the last such half, else half the SPS frame duration.
    fn time_fields(&mut self, au: &Au) {
        let second = match (au.field, self.first_field) {
            (Some((bottom, num)), Some((first_bottom, first_num))) => {
                bottom != first_bottom && num == first_num
            }
            _ => false,
        };
        if let (Some(dts), Some(index)) = (au.dts, self.untimed_field.take()) {
            let first = index
                .checked_sub(1)
                .and_then(|i| self.frames.get(i))
                .copied();
            if let Some(first_dts) = first.and_then(|f| f.dts) {
                let half = (dts.wrapping_sub(first_dts) & super::TS_MASK) / 2;
                if half > 0 && half <= MAX_FIELD_HALF_90K {
                    self.field_half = Some(half);
                }
            }
            self.place_second_field(index);
        }
        self.first_field = if second { None } else { au.field };
        if second && au.pts.is_none() {
            self.untimed_field = Some(self.frames.len());
        }
    }

    /// Gives the untimed second field at `index` the first field's timestamps plus half a frame.
    fn place_second_field(&mut self, index: usize) {
        let half = self.field_half.or_else(|| {
            let d = self.sps_info.as_ref()?.frame_duration_90k?;
            Some(u64::from(d / 2))
        });
        let first = index
            .checked_sub(1)
            .and_then(|i| self.frames.get(i))
            .copied();
        if let (Some(half), Some(first), Some(second)) = (half, first, self.frames.get_mut(index)) {
            second.pts = first.pts.map(|t| (t + half) & super::TS_MASK);
            second.dts = first.dts.map(|t| (t + half) & super::TS_MASK);
        }
    }

    fn capture_sps(&mut self, w: &mut Warnings) {
        let Some(nal) = self.data.get(self.nal_pos + 4..) else {
            return;
        };
        if nal == self.sps.as_slice() {
            return;
        }
        match parse_sps(nal) {
            Some(info) => {
                self.sps.clear();
                self.sps.extend_from_slice(nal);
                self.sps_info = Some(info);
                self.config_generation = self.config_generation.wrapping_add(1);
            }
            None => w.push(DemuxWarning::MalformedSps { len: nal.len() }),
        }
    }

    fn capture_pps(&mut self) {
        let Some(nal) = self.data.get(self.nal_pos + 4..) else {
            return;
        };
        let id = |n: &[u8]| {
            let head = n.get(1..n.len().min(6)).unwrap_or(&[]);
            let mut rbsp = Vec::new();
            unescape_rbsp(head, &mut rbsp);
            BitReader::new(&rbsp).ue().ok()
        };
        if self.pps.iter().any(|p| p.as_slice() == nal) {
            return;
        }
        let new_id = id(nal);
        if let Some(slot) = self.pps.iter_mut().find(|p| id(p) == new_id) {
            slot.clear();
            slot.extend_from_slice(nal);
        } else if self.pps.len() < MAX_PPS {
            self.pps.push(nal.to_vec());
        } else {
            return;
        }
        self.config_generation = self.config_generation.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::sps::tests::{Bw, SPS_MAIN_320X180};

    fn run(chunks: &[&[u8]]) -> H264Es {
        let mut es = H264Es::new();
        let mut w = Warnings::default();
        es.begin_pes(Some(9000), None);
        for c in chunks {
            es.push(c, &mut w);
        }
        es.flush(&mut w);
        es
    }

    #[test]
    fn start_code_split_at_every_position() {
        let mut stream = vec![0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1];
        stream.extend_from_slice(SPS_MAIN_320X180);
        stream.extend_from_slice(&[0, 0, 1, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]);
        stream.extend_from_slice(&[0, 0, 1, 0x65, 0x88, 0x84, 0x21, 0xa0]);
        stream.extend_from_slice(&[
            0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x41, 0x9a, 0x22, 0x33, 0x00,
        ]);
        let whole = run(&[&stream]);
        assert_eq!(whole.frames.len(), 2);
        assert!(whole.frames[0].key);
        assert!(!whole.frames[1].key);
        assert_eq!(
            whole.data,
            vec![0, 0, 0, 5, 0x65, 0x88, 0x84, 0x21, 0xa0, 0, 0, 0, 4, 0x41, 0x9a, 0x22, 0x33]
        );
        assert_eq!(whole.pps.len(), 1);
        for cut in 0..stream.len() {
            let split = run(&[&stream[..cut], &stream[cut..]]);
            assert_eq!(split.data, whole.data, "cut at {cut}");
            assert_eq!(split.frames, whole.frames, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(run(&bytes).data, whole.data);
    }

    #[test]
    fn access_unit_without_slices_is_dropped_and_the_next_kept() {
        let mut stream = vec![0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x06, 0x05, 0x11, 0x80];
        stream.extend_from_slice(&[0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x06, 0x05, 0x22, 0x80]);
        stream.extend_from_slice(&[0, 0, 1, 0x65, 0x88, 0x84, 0x21]);
        let es = run(&[&stream]);
        assert_eq!(es.frames.len(), 1);
        assert_eq!(
            es.data,
            vec![0, 0, 0, 4, 0x06, 0x05, 0x22, 0x80, 0, 0, 0, 4, 0x65, 0x88, 0x84, 0x21]
        );
        assert_eq!((es.frames[0].offset, es.frames[0].size), (0, 16));
        assert_eq!(
            es.frames[0].pts,
            Some(9000),
            "timestamp handed on from the dropped AU"
        );
    }

    /// A slice NAL unit of a field picture: slice type, frame_num (4 bits), bottom_field_flag.
    fn field_slice(header: u8, slice_type: u32, frame_num: u32, bottom: bool) -> Vec<u8> {
        let mut b = Bw::default();
        b.ue(0)
            .ue(slice_type)
            .ue(0)
            .u(frame_num, 4)
            .u(1, 1)
            .u(u32::from(bottom), 1);
        b.u(0x5a5a, 16);
        let mut nal = b.nal();
        nal[0] = header;
        nal
    }

    /// tsduck-interlaced-midgop.ts (1080i): each PES holds the two fields of a frame with one
    /// timestamp. Each field stays a sample (what ffmpeg's remux does, and decoding it then gives
    /// the frames ffmpeg decodes from the TS); the second field is placed half a frame later
    /// instead of inheriting a whole frame duration.
    #[test]
    fn tsduck_interlaced_midgop_second_field_is_half_a_frame_after_the_first() {
        let mut b = Bw::default();
        b.u(77, 8).u(0, 8).u(30, 8).ue(0); // Main, level 3.0, sps id 0
        b.ue(0).ue(2).ue(1).u(0, 1); // 4-bit frame_num, POC type 2, 1 ref, no gaps
        b.ue(19).ue(8).u(0, 1).u(0, 1).u(1, 1); // 320x288 as fields, no MBAFF, direct 8x8
        b.u(0, 1).u(0, 1); // no cropping, no VUI
        let sps = b.nal();
        assert!(!parse_sps(&sps).unwrap().frame_mbs_only);
        let aud: &[u8] = &[0, 0, 0, 1, 0x09, 0xf0];
        let nal = |n: Vec<u8>| [vec![0, 0, 1], n].concat();
        let first = [
            aud.to_vec(),
            nal(sps),
            nal(vec![0x68, 0xce, 0x38, 0x80]),
            nal(field_slice(0x65, 7, 0, false)),
            aud.to_vec(),
            nal(field_slice(0x65, 7, 0, true)),
        ]
        .concat();
        let second = [
            aud.to_vec(),
            nal(field_slice(0x41, 5, 1, false)),
            aud.to_vec(),
            nal(field_slice(0x41, 5, 1, true)),
        ]
        .concat();
        let mut es = H264Es::new();
        let mut w = Warnings::default();
        es.begin_pes(Some(90_000), None);
        es.push(&first, &mut w);
        es.begin_pes(Some(93_600), None);
        es.push(&second, &mut w);
        es.flush(&mut w);
        let times: Vec<_> = es.frames.iter().map(|f| (f.pts, f.dts, f.key)).collect();
        assert_eq!(
            times,
            [
                (Some(90_000), Some(90_000), true),
                (Some(91_800), Some(91_800), true),
                (Some(93_600), Some(93_600), false),
                (Some(95_400), Some(95_400), false),
            ]
        );
    }
}
