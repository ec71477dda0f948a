//! Builders for fMP4 test input: init segments from the project's writer, and hand-written
//! `moof` + `mdat` fragments where every flag the reader must honour can be chosen (tfdt
//! version, tfhd base, trun fields, defaults).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // test helpers: panics are failures

use hlsplay::fmp4::{write_init, SampleEntry, TrackInit};
use hlsplay::ts::audio::{AudioCodec, AudioConfig};
use hlsplay::ts::h264::parse_sps;

/// 320x180 Main profile SPS/PPS (avc1.4d400d).
pub const SPS: &[u8] = &[
    0x67, 0x4d, 0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xcf, 0xcf, 0x80, 0x88, 0x00, 0x00, 0x03, 0x00, 0x08,
    0x00, 0x00, 0x03, 0x01, 0xe0, 0x78, 0xa1, 0x4c, 0xb0,
];
pub const PPS: &[u8] = &[0x68, 0xef, 0xbc, 0x80];

pub const VIDEO: u32 = 1;
pub const AUDIO: u32 = 2;
pub const VIDEO_TIMESCALE: u32 = 90_000;
pub const AUDIO_TIMESCALE: u32 = 48_000;

pub const SYNC: u32 = 0x0200_0000;
pub const NON_SYNC: u32 = 0x0101_0000;

pub fn aac() -> AudioConfig {
    AudioConfig {
        codec: AudioCodec::Aac {
            object_type: 2,
            sampling_index: 3,
            channel_config: 2,
        },
        sample_rate: AUDIO_TIMESCALE,
        channels: 2,
        samples_per_frame: 1024,
    }
}

/// An init segment from the project's writer: video track 1 (90 kHz) and/or audio track 2.
pub fn init(video: bool, audio: Option<AudioConfig>) -> Vec<u8> {
    let info = parse_sps(SPS).unwrap();
    let pps = vec![PPS.to_vec()];
    let mut tracks = Vec::new();
    if video {
        tracks.push(TrackInit {
            track_id: VIDEO,
            timescale: VIDEO_TIMESCALE,
            entry: SampleEntry::Avc {
                sps: SPS,
                pps: &pps,
                info: &info,
            },
        });
    }
    let audio = audio.map(|a| (a, a.sample_rate));
    if let Some((a, rate)) = &audio {
        tracks.push(TrackInit {
            track_id: AUDIO,
            timescale: *rate,
            entry: SampleEntry::Audio { config: a },
        });
    }
    let mut out = Vec::new();
    write_init(&mut out, &tracks);
    out
}

/// `tfhd` flags.
pub const BASE_DATA_OFFSET: u32 = 0x01;
pub const DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;
/// `trun` per-sample field flags.
pub const DURATION: u32 = 0x100;
pub const SIZE: u32 = 0x200;
pub const FLAGS: u32 = 0x400;
pub const CTO: u32 = 0x800;
pub const ALL: u32 = DURATION | SIZE | FLAGS | CTO;

#[derive(Debug, Clone, Copy, Default)]
pub struct S {
    pub duration: u32,
    pub size: u32,
    pub flags: u32,
    pub cto: i32,
}

pub fn s(duration: u32, size: u32, flags: u32, cto: i32) -> S {
    S {
        duration,
        size,
        flags,
        cto,
    }
}

#[derive(Debug, Clone)]
pub struct Run {
    /// Which per-sample fields are written (DURATION | SIZE | FLAGS | CTO).
    pub fields: u32,
    pub first_flags: Option<u32>,
    pub version: u8,
    /// Write a data_offset (else the run follows the previous one).
    pub data_offset: bool,
    pub samples: Vec<S>,
}

pub fn run(samples: Vec<S>) -> Run {
    Run {
        fields: ALL,
        first_flags: None,
        version: 1,
        data_offset: true,
        samples,
    }
}

#[derive(Debug, Clone)]
pub struct T {
    pub track_id: u32,
    pub tfdt: u64,
    pub tfdt_version: u8,
    /// BASE_DATA_OFFSET and/or DEFAULT_BASE_IS_MOOF; the default fields follow from the options.
    pub base: u32,
    pub default_duration: Option<u32>,
    pub default_size: Option<u32>,
    pub default_flags: Option<u32>,
    pub runs: Vec<Run>,
    /// Add an empty `saio` box.
    pub saio: bool,
}

pub fn traf(track_id: u32, tfdt: u64, runs: Vec<Run>) -> T {
    T {
        track_id,
        tfdt,
        tfdt_version: 1,
        base: DEFAULT_BASE_IS_MOOF,
        default_duration: None,
        default_size: None,
        default_flags: None,
        runs,
        saio: false,
    }
}

fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
    b.extend_from_slice(body);
    boxed(kind, &b)
}

/// Byte `i` of sample `n` of track `t`: recognisable in the mdat after a rewrite.
pub fn sample_byte(t: u32, n: usize, i: usize) -> u8 {
    (t as usize * 31 + n * 7 + i) as u8
}

/// A `moof` + `mdat` with the samples' data in traf/run order. `file_offset`: where the moof
/// will sit in its file (explicit base_data_offset values count from the file start).
pub fn fragment(sequence: u32, trafs: &[T], file_offset: u64) -> Vec<u8> {
    // Twice: the first pass measures the moof, the second writes the real offsets.
    let mut moof_len = 0;
    for _ in 0..2 {
        let mut data = Vec::new();
        let mut body = full(b"mfhd", 0, 0, &sequence.to_be_bytes());
        let mut prev_end = 0u64; // end of the previous traf's data, from the moof start
        for (ti, t) in trafs.iter().enumerate() {
            let mut tfhd = t.track_id.to_be_bytes().to_vec();
            let mut flags = t.base;
            let data_start = moof_len as u64 + 8 + data.len() as u64;
            if t.base & BASE_DATA_OFFSET != 0 {
                tfhd.extend_from_slice(&file_offset.to_be_bytes());
            }
            for (bit, v) in [
                (0x08, t.default_duration),
                (0x10, t.default_size),
                (0x20, t.default_flags),
            ] {
                if let Some(v) = v {
                    flags |= bit;
                    tfhd.extend_from_slice(&v.to_be_bytes());
                }
            }
            let mut traf = full(b"tfhd", 0, flags, &tfhd);
            let tfdt = if t.tfdt_version == 0 {
                (t.tfdt as u32).to_be_bytes().to_vec()
            } else {
                t.tfdt.to_be_bytes().to_vec()
            };
            traf.extend(full(b"tfdt", t.tfdt_version, 0, &tfdt));
            // Data offsets count from the moof start (DEFAULT_BASE_IS_MOOF, explicit base at
            // the moof, or the first traf) or from the previous traf's data end.
            let base = if t.base != 0 || ti == 0 { 0 } else { prev_end };
            let mut pos = data_start;
            for (ri, r) in t.runs.iter().enumerate() {
                let mut body = (r.samples.len() as u32).to_be_bytes().to_vec();
                let mut flags = r.fields;
                if r.data_offset {
                    flags |= 0x01;
                    body.extend_from_slice(&((pos - base) as i32).to_be_bytes());
                }
                if let Some(f) = r.first_flags {
                    flags |= 0x04;
                    body.extend_from_slice(&f.to_be_bytes());
                }
                for (n, smp) in r.samples.iter().enumerate() {
                    for (bit, v) in [
                        (DURATION, smp.duration),
                        (SIZE, smp.size),
                        (FLAGS, smp.flags),
                        (CTO, smp.cto as u32),
                    ] {
                        if r.fields & bit != 0 {
                            body.extend_from_slice(&v.to_be_bytes());
                        }
                    }
                    let size = if r.fields & SIZE != 0 {
                        smp.size
                    } else {
                        t.default_size.unwrap_or(0)
                    };
                    for i in 0..size as usize {
                        data.push(sample_byte(t.track_id, ri * 1000 + n, i));
                    }
                }
                pos = moof_len as u64 + 8 + data.len() as u64;
                traf.extend(full(b"trun", r.version, flags, &body));
            }
            if t.saio {
                traf.extend(full(b"saio", 0, 0, &0u32.to_be_bytes()));
            }
            prev_end = pos;
            body.extend(boxed(b"traf", &traf));
        }
        let moof = boxed(b"moof", &body);
        if moof.len() == moof_len {
            let mut out = moof;
            out.extend(boxed(b"mdat", &data));
            return out;
        }
        moof_len = moof.len();
    }
    unreachable!("the moof size settles in two passes")
}

/// A top-level box of any type (`styp`, `sidx`, `free`, …) with `n` body bytes.
pub fn other_box(kind: &[u8; 4], n: usize) -> Vec<u8> {
    boxed(kind, &vec![0; n])
}

/// `count` video samples of `duration`, the first a sync sample, sizes 10, 11, ….
pub fn video_samples(count: usize, duration: u32, cto: i32) -> Vec<S> {
    (0..count)
        .map(|i| {
            let flags = if i == 0 { SYNC } else { NON_SYNC };
            s(duration, 10 + i as u32, flags, cto)
        })
        .collect()
}

/// `count` audio samples of 1024 ticks, 6 bytes each.
pub fn audio_samples(count: usize) -> Vec<S> {
    (0..count).map(|_| s(1024, 6, SYNC, 0)).collect()
}
