//! The H.264 sequence parameter set (ISO/IEC 14496-10 §7.3.2.1.1): the fields the MP4 sample
//! entry and codec string need, and those the slice header parser needs.
use super::bits::{unescape_rbsp, BitReader, BitsExhausted};

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
    /// Slice header fields needed to tell field pictures apart (§7.3.3).
    pub frame_mbs_only: bool,
    pub log2_max_frame_num: u32,
    pub separate_colour_plane: bool,
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
    let log2_max_frame_num = r.ue()?.saturating_add(4);
    if log2_max_frame_num > 16 {
        return Err(BitsExhausted);
    }
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
        frame_mbs_only,
        log2_max_frame_num,
        separate_colour_plane: separate_planes,
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// SPS of a 320x180 Main profile stream from ffmpeg/libx264 (level 1.3, cropped from 192 rows).
    pub(crate) const SPS_MAIN_320X180: &[u8] = &[
        0x67, 0x4d, 0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xcf, 0xcf, 0x80, 0x88, 0x00, 0x00, 0x03, 0x00,
        0x08, 0x00, 0x00, 0x03, 0x01, 0xe0, 0x78, 0xa1, 0x4c, 0xb0,
    ];
    /// SPS of the High profile fixture (libx264, 320x180).
    pub(crate) const SPS_HIGH_320X180: &[u8] = &[
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
    pub(crate) struct Bw(Vec<bool>);
    impl Bw {
        pub(crate) fn u(&mut self, v: u32, n: u32) -> &mut Self {
            for i in (0..n).rev() {
                self.0.push((v >> i) & 1 == 1);
            }
            self
        }
        pub(crate) fn ue(&mut self, v: u32) -> &mut Self {
            let x = v + 1;
            let n = 32 - x.leading_zeros();
            self.u(0, n - 1).u(x, n)
        }
        pub(crate) fn se(&mut self, v: i32) -> &mut Self {
            self.ue(if v > 0 {
                (2 * v - 1) as u32
            } else {
                (-2 * v) as u32
            })
        }
        pub(crate) fn nal(&mut self) -> Vec<u8> {
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
}
