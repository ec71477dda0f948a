//! A small MPEG-TS writer for synthetic test streams (PES headers split where we say, any
//! timestamps, packets dropped or damaged on purpose).
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

use std::collections::HashMap;
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

pub const VIDEO_PID: u16 = 0x100;
pub const AUDIO_PID: u16 = 0x101;
pub const PMT_PID: u16 = 0x1000;

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

pub fn crc32_mpeg(data: &[u8]) -> u32 {
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

fn ts_bytes(prefix: u8, ts: u64) -> [u8; 5] {
    [
        (prefix << 4) | (((ts >> 30) & 7) as u8) << 1 | 1,
        (ts >> 22) as u8,
        (((ts >> 15) & 0x7F) as u8) << 1 | 1,
        (ts >> 7) as u8,
        ((ts & 0x7F) as u8) << 1 | 1,
    ]
}

/// PES packet bytes. `declare_len`: set PES_packet_length (audio style) instead of 0.
pub fn pes(
    stream_id: u8,
    pts: Option<u64>,
    dts: Option<u64>,
    payload: &[u8],
    declare_len: bool,
) -> Vec<u8> {
    let mut opt = Vec::new();
    let flags = match (pts, dts) {
        (Some(p), Some(d)) => {
            opt.extend(ts_bytes(3, p & ((1 << 33) - 1)));
            opt.extend(ts_bytes(1, d & ((1 << 33) - 1)));
            0xC0
        }
        (Some(p), None) => {
            opt.extend(ts_bytes(2, p & ((1 << 33) - 1)));
            0x80
        }
        _ => 0,
    };
    let len = if declare_len {
        3 + opt.len() + payload.len()
    } else {
        0
    };
    let mut out = vec![
        0,
        0,
        1,
        stream_id,
        (len >> 8) as u8,
        len as u8,
        0x80,
        flags,
        opt.len() as u8,
    ];
    out.extend(opt);
    out.extend_from_slice(payload);
    out
}

#[derive(Default)]
pub struct Mux {
    pub out: Vec<u8>,
    cc: HashMap<u16, u8>,
}

impl Mux {
    /// One packet with exactly `payload` (<= 184 bytes), padded with adaptation-field stuffing.
    pub fn packet(&mut self, pid: u16, pusi: bool, payload: &[u8]) {
        assert!(payload.len() <= 184);
        let cc = self.cc.entry(pid).or_insert(15);
        *cc = (*cc + 1) & 15;
        let n = payload.len();
        let afc = if n == 184 { 1 } else { 3 };
        self.out.extend([
            0x47,
            (u8::from(pusi) << 6) | (pid >> 8) as u8,
            pid as u8,
            (afc << 4) | *cc,
        ]);
        if n < 184 {
            let af_len = 183 - n;
            self.out.push(af_len as u8);
            if af_len > 0 {
                self.out.push(0);
                self.out.extend(std::iter::repeat(0xFF).take(af_len - 1));
            }
        }
        self.out.extend_from_slice(payload);
    }

    /// A packet with an adaptation field and no payload (the counter does not advance).
    pub fn af_only(&mut self, pid: u16) {
        let cc = *self.cc.get(&pid).unwrap_or(&0);
        self.out
            .extend([0x47, (pid >> 8) as u8, pid as u8, 0x20 | cc, 183, 0]);
        self.out.extend(std::iter::repeat(0xFF).take(182));
    }

    /// Split `data` into packets; the first carries at most `first` bytes.
    pub fn write(&mut self, pid: u16, data: &[u8], first: usize) {
        let mut rest = data;
        let mut pusi = true;
        let mut max = first.min(184);
        while !rest.is_empty() || pusi {
            let n = rest.len().min(max);
            let (a, b) = rest.split_at(n);
            self.packet(pid, pusi, a);
            rest = b;
            pusi = false;
            max = 184;
        }
    }

    fn section(&mut self, pid: u16, table: Vec<u8>) {
        let mut s = table;
        let crc = crc32_mpeg(&s);
        s.extend(crc.to_be_bytes());
        let mut payload = vec![0];
        payload.extend(s);
        self.packet(pid, true, &payload);
    }

    pub fn pat(&mut self) {
        self.section(
            0,
            vec![
                0x00,
                0xB0,
                13,
                0,
                1,
                0xC1,
                0,
                0,
                0,
                1,
                0xE0 | (PMT_PID >> 8) as u8,
                PMT_PID as u8,
            ],
        );
    }

    /// PMT listing `streams` as (stream_type, pid).
    pub fn pmt(&mut self, streams: &[(u8, u16)]) {
        let len = 9 + 5 * streams.len() + 4;
        let mut t = vec![
            0x02,
            0xB0 | (len >> 8) as u8,
            len as u8,
            0,
            1,
            0xC1,
            0,
            0,
            0xE1,
            0x00,
            0xF0,
            0,
        ];
        for &(st, pid) in streams {
            t.extend([st, 0xE0 | (pid >> 8) as u8, pid as u8, 0xF0, 0]);
        }
        self.section(PMT_PID, t);
    }

    pub fn psi(&mut self, video: bool, audio: bool) {
        let mut streams = Vec::new();
        if video {
            streams.push((0x1B, VIDEO_PID));
        }
        if audio {
            streams.push((0x0F, AUDIO_PID));
        }
        self.pat();
        self.pmt(&streams);
    }

    pub fn video(&mut self, pts: u64, dts: u64, au: &[u8]) {
        let p = pes(0xE0, Some(pts), Some(dts), au, false);
        self.write(VIDEO_PID, &p, 184);
    }

    pub fn audio(&mut self, pts: u64, frames: &[u8]) {
        let p = pes(0xC0, Some(pts), None, frames, true);
        self.write(AUDIO_PID, &p, 184);
    }
}

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
