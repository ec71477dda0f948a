//! Shared helpers of the integration tests: the MPEG-TS writer for synthetic streams (the CLI's,
//! included), the fixtures of `tests/fixtures/ts/`, synthetic access units, ADTS frames and
//! A/V segments.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // test helpers: panics are failures

pub mod aes_encrypt;
pub mod fmp4_samples;
pub mod rng;
pub mod sample_aes;
// The TS writer lives with the CLI (`hlsplay inject-608` writes with it).
#[path = "../../tools/cli/src/mpegts_writer.rs"]
pub mod mpegts_writer;
pub use mpegts_writer::*;

use std::path::Path;

/// A file of `tests/fixtures/ts/` (see its README).
pub fn ts_fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ts")
            .join(name),
    )
    .unwrap()
}

/// SPS/PPS of the 320x180 Main profile fixture; a 640x360 High profile SPS for "another rendition".
pub const SPS: &[u8] = &[
    0x67, 0x4d, 0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xcf, 0xcf, 0x80, 0x88, 0x00, 0x00, 0x03, 0x00, 0x08,
    0x00, 0x00, 0x03, 0x01, 0xe0, 0x78, 0xa1, 0x4c, 0xb0,
];
pub const SPS_HIGH: &[u8] = &[
    0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0x9f, 0x9f, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
    0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60,
];
pub const PPS: &[u8] = &[0x68, 0xef, 0xbc, 0x80];

/// An access unit: AUD, optional SPS/PPS, one slice NAL (IDR or non-IDR P slice).
pub fn access_unit(key: bool, sps: Option<&[u8]>, aud: bool, filler: usize) -> Vec<u8> {
    let mut au = Vec::new();
    if aud {
        au.extend([0, 0, 0, 1, 0x09, 0xF0]);
    }
    if let Some(s) = sps {
        au.extend([0, 0, 0, 1]);
        au.extend_from_slice(s);
        au.extend([0, 0, 0, 1]);
        au.extend_from_slice(PPS);
    }
    au.extend([0, 0, 1]);
    au.extend(if key { [0x65, 0x88] } else { [0x41, 0x9a] });
    au.extend((0..filler).map(|i| (i % 251) as u8 + 2));
    au
}

/// One ADTS frame (AAC-LC) with `payload` bytes, 7- or 9-byte header.
pub fn adts(payload: usize, crc: bool, sampling_index: u8, channels: u8) -> Vec<u8> {
    let header = if crc { 9 } else { 7 };
    let len = header + payload;
    let mut f = vec![
        0xFF,
        0xF0 | u8::from(!crc),
        (1 << 6) | (sampling_index << 2) | (channels >> 2),
        ((channels & 3) << 6) | ((len >> 11) as u8 & 3),
        (len >> 3) as u8,
        ((len & 7) << 5) as u8 | 0x1F,
        0xFC,
    ];
    if crc {
        f.extend([0xAB, 0xCD]);
    }
    f.extend((0..payload).map(|i| (i % 200) as u8 + 1));
    f
}

/// A synthetic A/V segment: `frames` video frames every 3000 ticks from `v0` (DTS; PTS = DTS +
/// 3000 for all but keyframes... kept simple: PTS = DTS), and AAC 48 kHz frames (1920 ticks)
/// from `a0` covering the same span. The first frame is a keyframe with SPS/PPS.
pub fn av_segment(
    v0: u64,
    frames: usize,
    a0: Option<u64>,
    audio_frames: usize,
    sps: &[u8],
) -> Vec<u8> {
    let mut m = Mux::default();
    m.psi(true, a0.is_some());
    let mut next_audio = 0usize;
    for i in 0..frames {
        let t = v0 + 3000 * i as u64;
        let au = access_unit(i == 0, (i == 0).then_some(sps), true, 300);
        m.video(t, t, &au);
        if let Some(a0) = a0 {
            while next_audio < audio_frames && a0 + 1920 * next_audio as u64 <= t + 3000 {
                m.audio(a0 + 1920 * next_audio as u64, &adts(100, false, 3, 2));
                next_audio += 1;
            }
        }
    }
    if let Some(a0) = a0 {
        while next_audio < audio_frames {
            m.audio(a0 + 1920 * next_audio as u64, &adts(100, false, 3, 2));
            next_audio += 1;
        }
    }
    m.out
}
