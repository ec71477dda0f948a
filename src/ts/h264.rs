//! H.264 elementary stream (ISO/IEC 14496-10 Annex B byte stream) to access units of
//! length-prefixed NAL units, plus the sequence parameter set fields MP4 needs (§7.3.2.1.1).
//!
//! The parser streams: each PES payload chunk is scanned for start codes and copied once,
//! straight into the sample data buffer, with a 4-byte length placeholder per NAL unit. Start
//! codes split across chunks or PES packets are found through a carried count of trailing zeros.
use super::bits::{unescape_rbsp, BitReader, BitsExhausted};
use super::{DemuxWarning, EsFrame, Warnings};

/// Fields of a sequence parameter set that the MP4 sample entry and codec string need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpsInfo {
    pub profile_idc: u8,
    pub constraint_flags: u8,
    pub level_idc: u8,
    pub chroma_format_idc: u32,
    pub bit_depth_luma: u32,
    pub bit_depth_chroma: u32,
    /// Displayed size after cropping, in luma samples.
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio (1, 1) when absent.
    pub sar: (u32, u32),
    /// Frame duration from VUI timing info, in 90 kHz ticks, when present.
    pub frame_duration_90k: Option<u32>,
}

impl SpsInfo {
    /// RFC 6381 `avc1.PPCCLL`.
    pub fn codec_string(&self) -> String {
        format!(
            "avc1.{:02x}{:02x}{:02x}",
            self.profile_idc, self.constraint_flags, self.level_idc
        )
    }
}

/// Profiles whose SPS carries chroma format, bit depths and scaling lists (§7.3.2.1.1).
fn has_chroma_info(profile_idc: u8) -> bool {
    matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    )
}

fn skip_scaling_list(r: &mut BitReader<'_>, size: u32) -> Result<(), BitsExhausted> {
    let mut last: i32 = 8;
    let mut next: i32 = 8;
    for _ in 0..size {
        if next != 0 {
            let delta = r.se()?;
            next = (last + delta).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// Parse an SPS NAL unit (with its one-byte NAL header, emulation prevention still in place).
pub fn parse_sps(nal: &[u8]) -> Option<SpsInfo> {
    let mut rbsp = Vec::with_capacity(nal.len());
    unescape_rbsp(nal.get(1..)?, &mut rbsp);
    parse_sps_rbsp(&rbsp).ok()
}

fn parse_sps_rbsp(rbsp: &[u8]) -> Result<SpsInfo, BitsExhausted> {
    let mut r = BitReader::new(rbsp);
    let profile_idc = r.bits(8)? as u8;
    let constraint_flags = r.bits(8)? as u8;
    let level_idc = r.bits(8)? as u8;
    let _sps_id = r.ue()?;
    let (mut chroma_format_idc, mut separate_planes, mut depth_l, mut depth_c) = (1, false, 8, 8);
    if has_chroma_info(profile_idc) {
        chroma_format_idc = r.ue()?;
        if chroma_format_idc > 3 {
            return Err(BitsExhausted);
        }
        if chroma_format_idc == 3 {
            separate_planes = r.bit()?;
        }
        depth_l = r.ue()?.saturating_add(8);
        depth_c = r.ue()?.saturating_add(8);
        let _qpprime_bypass = r.bit()?;
        if r.bit()? {
            let lists = if chroma_format_idc == 3 { 12 } else { 8 };
            for i in 0..lists {
                if r.bit()? {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    let _log2_max_frame_num = r.ue()?;
    match r.ue()? {
        0 => {
            let _log2_max_poc_lsb = r.ue()?;
        }
        1 => {
            let _delta_always_zero = r.bit()?;
            let _offset_non_ref = r.se()?;
            let _offset_top_bottom = r.se()?;
            let cycle = r.ue()?;
            if cycle > 255 {
                return Err(BitsExhausted);
            }
            for _ in 0..cycle {
                r.se()?;
            }
        }
        _ => {}
    }
    let _max_refs = r.ue()?;
    let _gaps = r.bit()?;
    let width_mbs = u64::from(r.ue()?) + 1;
    let height_map_units = u64::from(r.ue()?) + 1;
    let frame_mbs_only = r.bit()?;
    if !frame_mbs_only {
        let _mbaff = r.bit()?;
    }
    let _direct_8x8 = r.bit()?;
    let (mut crop_l, mut crop_r, mut crop_t, mut crop_b) = (0u64, 0u64, 0u64, 0u64);
    if r.bit()? {
        crop_l = r.ue()?.into();
        crop_r = r.ue()?.into();
        crop_t = r.ue()?.into();
        crop_b = r.ue()?.into();
    }
    let field_factor: u64 = if frame_mbs_only { 1 } else { 2 };
    // Table 6-1: SubWidthC / SubHeightC; monochrome and separate planes crop in whole samples.
    let (sub_w, sub_h) = match (chroma_format_idc, separate_planes) {
        (0, _) | (3, true) => (1, 1),
        (1, _) => (2, 2),
        (2, _) => (2, 1),
        _ => (1, 1),
    };
    let crop_x = sub_w * (crop_l + crop_r);
    let crop_y = sub_h * field_factor * (crop_t + crop_b);
    let full_w = width_mbs * 16;
    let full_h = height_map_units * 16 * field_factor;
    let width = full_w.saturating_sub(crop_x).min(u64::from(u32::MAX)) as u32;
    let height = full_h.saturating_sub(crop_y).min(u64::from(u32::MAX)) as u32;

    let mut sar = (1, 1);
    let mut frame_duration_90k = None;
    // VUI is optional information: a truncated VUI still leaves a usable SPS.
    if let Ok(true) = r.bit() {
        let vui = parse_vui(&mut r);
        if let Ok((s, d)) = vui {
            sar = s;
            frame_duration_90k = d;
        }
    }
    Ok(SpsInfo {
        profile_idc,
        constraint_flags,
        level_idc,
        chroma_format_idc,
        bit_depth_luma: depth_l,
        bit_depth_chroma: depth_c,
        width,
        height,
        sar,
        frame_duration_90k,
    })
}

type Vui = ((u32, u32), Option<u32>);

fn parse_vui(r: &mut BitReader<'_>) -> Result<Vui, BitsExhausted> {
    // Table E-1.
    const SAR: [(u32, u32); 17] = [
        (0, 0),
        (1, 1),
        (12, 11),
        (10, 11),
        (16, 11),
        (40, 33),
        (24, 11),
        (20, 11),
        (32, 11),
        (80, 33),
        (18, 11),
        (15, 11),
        (64, 33),
        (160, 99),
        (4, 3),
        (3, 2),
        (2, 1),
    ];
    let mut sar = (1, 1);
    if r.bit()? {
        let idc = r.bits(8)?;
        if idc == 255 {
            sar = (r.bits(16)?, r.bits(16)?);
        } else if let Some(&s) = SAR.get(idc as usize) {
            sar = s;
        }
        if sar.0 == 0 || sar.1 == 0 {
            sar = (1, 1);
        }
    }
    if r.bit()? {
        let _overscan_appropriate = r.bit()?;
    }
    if r.bit()? {
        r.skip(4)?;
        if r.bit()? {
            r.skip(24)?;
        }
    }
    if r.bit()? {
        r.ue()?;
        r.ue()?;
    }
    let mut duration = None;
    if r.bit()? {
        let units = u64::from(r.bits(32)?);
        let scale = u64::from(r.bits(32)?);
        if units > 0 && scale > 0 {
            // A frame is two ticks (§E.2.1, field-based time_scale).
            let d = 2 * units * 90_000 / scale;
            if d > 0 && d <= 90_000 {
                duration = Some(d as u32);
            }
        }
    }
    Ok((sar, duration))
}

#[derive(Debug, Clone, Copy)]
struct Au {
    start: usize,
    pts: Option<u64>,
    dts: Option<u64>,
    key: bool,
    has_vcl: bool,
    has_sps: bool,
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
}

const MAX_PPS: usize = 32;

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
                if nal_type == 1 || nal_type == 5 {
                    let key = nal_type == 5
                        || (self.au.map(|a| a.has_sps).unwrap_or(false) && self.is_i_slice(body));
                    if let Some(au) = self.au.as_mut() {
                        au.has_vcl = true;
                        au.key |= key;
                    }
                }
            }
        }
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

    /// Close the current access unit at `end`. An access unit without slices is dropped and its
    /// timestamps returned.
    fn finish_au(&mut self, end: usize) -> Option<(Option<u64>, Option<u64>)> {
        let au = self.au.take()?;
        if au.has_vcl && end > au.start {
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

    /// SPS of a 320x180 Main profile stream from ffmpeg/libx264 (level 1.3, cropped from 192 rows).
    pub const SPS_MAIN_320X180: &[u8] = &[
        0x67, 0x4d, 0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xcf, 0xcf, 0x80, 0x88, 0x00, 0x00, 0x03, 0x00,
        0x08, 0x00, 0x00, 0x03, 0x01, 0xe0, 0x78, 0xa1, 0x4c, 0xb0,
    ];
    /// SPS of the High profile fixture (libx264, 320x180).
    pub const SPS_HIGH_320X180: &[u8] = &[
        0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0x9f, 0x9f, 0x01, 0x10, 0x00, 0x00, 0x03,
        0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60,
    ];

    #[test]
    fn sps_main_profile_with_cropping() {
        let info = parse_sps(SPS_MAIN_320X180).unwrap();
        assert_eq!((info.width, info.height), (320, 180));
        assert_eq!(info.codec_string(), "avc1.4d400d");
        assert_eq!(info.sar, (1, 1));
    }

    #[test]
    fn sps_high_profile() {
        let info = parse_sps(SPS_HIGH_320X180).unwrap();
        assert_eq!((info.width, info.height), (320, 180));
        assert_eq!(info.codec_string(), "avc1.64000d");
        assert_eq!((info.chroma_format_idc, info.bit_depth_luma), (1, 8));
        assert_eq!(info.frame_duration_90k, Some(3000));
    }

    /// MSB-first bit writer with Exp-Golomb codes, to build SPSs with the rarer fields.
    #[derive(Default)]
    struct Bw(Vec<bool>);
    impl Bw {
        fn u(&mut self, v: u32, n: u32) -> &mut Self {
            for i in (0..n).rev() {
                self.0.push((v >> i) & 1 == 1);
            }
            self
        }
        fn ue(&mut self, v: u32) -> &mut Self {
            let x = v + 1;
            let n = 32 - x.leading_zeros();
            self.u(0, n - 1).u(x, n)
        }
        fn se(&mut self, v: i32) -> &mut Self {
            self.ue(if v > 0 {
                (2 * v - 1) as u32
            } else {
                (-2 * v) as u32
            })
        }
        fn nal(&mut self) -> Vec<u8> {
            self.u(1, 1);
            while self.0.len() % 8 != 0 {
                self.0.push(false);
            }
            let mut out = vec![0x67];
            out.extend(
                self.0
                    .chunks(8)
                    .map(|c| c.iter().fold(0u8, |a, &b| (a << 1) | u8::from(b))),
            );
            out
        }
    }

    #[test]
    fn sps_high_444_scaling_lists_field_cropping_and_sar() {
        let mut b = Bw::default();
        b.u(244, 8).u(0, 8).u(40, 8).ue(0); // High 4:4:4, level 4.0, sps id 0
        b.ue(3).u(0, 1).ue(2).ue(2).u(0, 1); // chroma 4:4:4, 10-bit luma/chroma
        b.u(1, 1); // seq_scaling_matrix_present_flag: 12 lists for 4:4:4
        for i in 0..12 {
            if i % 2 == 0 {
                b.u(1, 1);
                let size = if i < 6 { 16 } else { 64 };
                for j in 0..size {
                    b.se(if j == 0 { 5 } else { 1 });
                }
            } else {
                b.u(0, 1);
            }
        }
        b.ue(0).ue(1).u(0, 1).se(0).se(0).ue(2).se(1).se(-1); // frame num, POC type 1 cycle 2
        b.ue(4).u(0, 1); // refs, gaps
        b.ue(119).ue(33); // 120 x 34 map units
        b.u(0, 1).u(0, 1).u(1, 1); // field coding (frame_mbs_only = 0), mbaff 0, direct 8x8
        b.u(1, 1).ue(0).ue(0).ue(0).ue(4); // crop bottom 4 (x1 for 4:4:4, x2 for fields)
        b.u(1, 1).u(1, 1).u(255, 8).u(4, 16).u(3, 16); // VUI: SAR 4:3
        b.u(0, 1).u(0, 1).u(0, 1).u(0, 1); // no overscan/signal/chroma loc/timing
        let info = parse_sps(&b.nal()).unwrap();
        assert_eq!(info.width, 1920);
        assert_eq!(info.height, 34 * 16 * 2 - 8);
        assert_eq!(info.sar, (4, 3));
        assert_eq!(
            (
                info.chroma_format_idc,
                info.bit_depth_luma,
                info.bit_depth_chroma
            ),
            (3, 10, 10)
        );
        assert_eq!(info.codec_string(), "avc1.f40028");
    }

    #[test]
    fn truncated_sps_is_none_not_panic() {
        for n in 0..SPS_MAIN_320X180.len() {
            match parse_sps(&SPS_MAIN_320X180[..n]) {
                // Past the picture size the rest (VUI) is optional.
                Some(info) => assert_eq!((n > 6, info.width), (true, 320), "len {n}"),
                None => assert!(n < 12, "len {n}"),
            }
        }
    }

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
}
