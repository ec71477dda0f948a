//! A small MPEG-TS writer: PAT, PMT, PES packets split into 188-byte packets with continuity
//! counters, no PCR (ffmpeg and the player read timestamps from the PES headers). It writes the
//! captioned video of `hlsplay inject-608` and the synthetic streams of the integration tests
//! (`tests/common` includes this file by `#[path]`): PES headers split where the caller says,
//! any timestamps, packets dropped or damaged on purpose.
use std::collections::HashMap;

pub const VIDEO_PID: u16 = 0x100;
pub const AUDIO_PID: u16 = 0x101;
pub const PMT_PID: u16 = 0x1000;

/// CRC-32/MPEG-2 of a PSI section.
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
