//! Damaged input: an error or warnings, never a panic, never unbounded output. A seeded
//! property test mutates real segments (no proptest: a small xorshift PRNG, fixed seeds).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
mod common;
use common::ts_fixture as fixture;

use hlsplay::remux::{OutputShape, RemuxError, SegmentInfo, Transmuxer};
use hlsplay::ts::TsError;
use mp4_atom::{Any, Decode};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every box of every output decodes, and the output is not larger than the input allows.
fn check_output(input_len: usize, mux: &mut Transmuxer, bytes: &[u8], info: &SegmentInfo) {
    if let Ok(out) = mux.push(bytes, info) {
        let total: usize = out.tracks.iter().map(|t| t.data.len()).sum();
        // Sample data is at most the input; headers and up to 5 s of silent frames add a little.
        assert!(
            total <= input_len + 64 * 1024,
            "output {total} for input {input_len}"
        );
        for t in &out.tracks {
            let mut buf = &t.data[..];
            while !buf.is_empty() {
                Any::decode(&mut buf).expect("our fragment decodes");
            }
            if let Some(init) = &t.init {
                let mut buf = &init[..];
                while !buf.is_empty() {
                    Any::decode(&mut buf).expect("our init decodes");
                }
            }
        }
        assert!(out.warnings.len() <= 80, "warnings are bounded");
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..200 {
        let len = rng.below(188 * 40);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half the rounds look like TS (sync bytes in place) to get past the packet layer.
        if round % 2 == 0 {
            for p in bytes.chunks_mut(188) {
                p[0] = 0x47;
                if round % 4 == 0 && p.len() > 2 {
                    p[1] &= 0x5F; // no transport error flag, sometimes PUSI
                    p[2] = [0x00, 0x00, 0x10, 0x00][rng.below(4)];
                }
            }
        }
        let mut mux = Transmuxer::new(OutputShape::Combined);
        check_output(bytes.len(), &mut mux, &bytes, &SegmentInfo::default());
    }
}

#[test]
fn truncation_at_every_packet_boundary() {
    let seg = fixture("main_bf2.ts");
    for n in (0..=seg.len()).step_by(188) {
        let mut mux = Transmuxer::new(OutputShape::Combined);
        check_output(n, &mut mux, &seg[..n], &SegmentInfo::default());
        // And mid-packet.
        let m = (n + 97).min(seg.len());
        let mut mux = Transmuxer::new(OutputShape::SplitTracks);
        check_output(m, &mut mux, &seg[..m], &SegmentInfo::default());
    }
}

fn strip_pids(seg: &[u8], pids: &[u16]) -> Vec<u8> {
    seg.chunks(188)
        .filter(|p| !pids.contains(&(((u16::from(p[1]) & 0x1F) << 8) | u16::from(p[2]))))
        .flatten()
        .copied()
        .collect()
}

#[test]
fn missing_pat_or_pmt_is_a_clear_error_unless_known_from_before() {
    let seg = fixture("main_bf2.ts");
    let no_pat = strip_pids(&seg, &[0]);
    let mut mux = Transmuxer::new(OutputShape::Combined);
    assert_eq!(
        mux.push(&no_pat, &SegmentInfo::default()).unwrap_err(),
        RemuxError::Ts(TsError::MissingPat)
    );
    // ffmpeg's PMT PID is 0x1000.
    let no_pmt = strip_pids(&seg, &[0x1000]);
    let err = mux.push(&no_pmt, &SegmentInfo::default()).unwrap_err();
    assert_eq!(err, RemuxError::Ts(TsError::MissingPmt { pmt_pid: 0x1000 }));
    assert!(err.to_string().contains("0x1000"));
    // A later segment without tables still demuxes with the program learnt before.
    let mut mux = Transmuxer::new(OutputShape::Combined);
    mux.push(&fixture("run_0.ts"), &SegmentInfo::default())
        .unwrap();
    let out = mux
        .push(
            &strip_pids(&fixture("run_1.ts"), &[0, 0x1000]),
            &SegmentInfo::default(),
        )
        .unwrap();
    assert!(!out.tracks[0].data.is_empty());
}

#[test]
fn no_sync_is_an_error() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let err = mux.push(&[0u8; 4000], &SegmentInfo::default()).unwrap_err();
    assert!(
        matches!(err, RemuxError::Ts(TsError::NoSync { .. })),
        "{err}"
    );
    assert!(matches!(
        mux.push(&[], &SegmentInfo::default()).unwrap_err(),
        RemuxError::Ts(_)
    ));
}

#[test]
fn corrupt_pes_headers_give_warnings() {
    let mut seg = fixture("main_bf2.ts");
    let mut corrupted = 0;
    for p in seg.chunks_mut(188) {
        let pusi = p[1] & 0x40 != 0;
        let pid = ((u16::from(p[1]) & 0x1F) << 8) | u16::from(p[2]);
        if pusi && pid == 0x100 && corrupted < 5 {
            let start = if p[3] & 0x20 != 0 {
                5 + p[4] as usize
            } else {
                4
            };
            p[start + 1] = 0x77; // break the 00 00 01 prefix
            corrupted += 1;
        }
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = mux.push(&seg, &SegmentInfo::default()).unwrap();
    let n = out
        .warnings
        .iter()
        .filter(|w| w.to_string().contains("corrupt PES header"))
        .count();
    assert_eq!(n, 5, "{:?}", out.warnings);
}

#[test]
fn property_mutated_segments_never_panic_and_outputs_decode() {
    let sources = [
        fixture("run_0.ts"),
        fixture("run_1.ts"),
        fixture("mp3.ts"),
        fixture("high_bf2.ts"),
    ];
    for seed in 1..=60u64 {
        let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut mux = Transmuxer::new(if seed % 2 == 0 {
            OutputShape::Combined
        } else {
            OutputShape::SplitTracks
        });
        for step in 0..3 {
            let mut seg = sources[rng.below(sources.len())].clone();
            let mutations = rng.below(40);
            for _ in 0..mutations {
                match rng.below(5) {
                    0 => {
                        let i = rng.below(seg.len());
                        seg[i] = rng.next() as u8;
                    }
                    1 => {
                        let p = rng.below(seg.len() / 188) * 188;
                        seg.drain(p..(p + 188).min(seg.len()));
                    }
                    2 => {
                        let p = rng.below(seg.len() / 188) * 188;
                        let packet = seg[p..p + 188].to_vec();
                        seg.splice(p..p, packet);
                    }
                    3 => {
                        let i = rng.below(seg.len());
                        seg.insert(i, rng.next() as u8);
                    }
                    _ => {
                        let n = rng.below(seg.len());
                        seg.truncate(seg.len() - n / 8);
                    }
                }
            }
            let info = SegmentInfo {
                start: step as f64,
                discontinuity: rng.below(6) == 0,
                rendition_switch: rng.below(6) == 0,
                non_contiguous: rng.below(6) == 0,
                sample_aes: None,
            };
            check_output(seg.len(), &mut mux, &seg, &info);
        }
    }
}

/// Fuzz crash 6043be45 (cargo fuzz, remux target): an MPEG audio gap was filled with copies of
/// the first frame's size (484-byte layer I frames), 110 KB out of a 40 KB segment. Silent MPEG
/// frames now use the lowest bitrate of the configuration in force, and silence is budgeted
/// (5 s) per segment.
#[test]
fn fuzz_6043be45_mpeg_silence_fill_is_small_and_budgeted() {
    let data = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/remux-crash-6043be45.bin"),
    )
    .unwrap();
    // The fuzz target's framing: flags byte, then segments split at FF 00 FF 00 (one here).
    let segment = &data[1..];
    assert!(!segment.windows(4).any(|w| w == [0xFF, 0, 0xFF, 0]));
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = mux.push(segment, &SegmentInfo::default()).unwrap();
    let total: usize = out.tracks.iter().map(|t| t.data.len()).sum();
    assert!(
        total < segment.len(),
        "{total} bytes out of {}",
        segment.len()
    );
}

#[test]
fn mpeg_audio_gaps_filled_with_smallest_frames_within_budget() {
    use common::{Mux, AUDIO_PID};
    // MPEG-1 layer III, 320 kbps, 44.1 kHz: 1044-byte frames of 1152 samples (2351 ticks).
    let frame = |pad: u8| {
        let mut f = vec![0xFF, 0xFB, 0xE0 | pad, 0x64];
        f.resize(if pad != 0 { 1045 } else { 1044 }, 0x55);
        f
    };
    let mut m = Mux::default();
    m.pat();
    m.pmt(&[(0x03, AUDIO_PID)]);
    let mut t = 90_000u64;
    for gap in [0u64, 0, 180_000, 0, 360_000, 0] {
        t += gap;
        let p = common::pes(0xC0, Some(t), None, &frame(0), true);
        m.write(AUDIO_PID, &p, 184);
        t += 2351;
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = mux.push(&m.out, &SegmentInfo::default()).unwrap();
    let filled: Vec<u32> = out
        .warnings
        .iter()
        .filter_map(|w| match w {
            hlsplay::remux::RemuxWarning::AudioGapFilled { frames, .. } => Some(*frames),
            _ => None,
        })
        .collect();
    // 2 s = 77 frames fit the 5 s budget; the 4 s gap would exceed it and is not filled.
    assert_eq!(filled, vec![77]);
    assert!(out
        .warnings
        .iter()
        .any(|w| matches!(w, hlsplay::remux::RemuxWarning::AudioGapNotFilled { .. })));
    let total: usize = out.tracks.iter().map(|t| t.data.len()).sum();
    // 6 real frames + 77 silent 104-byte (32 kbps) frames + boxes.
    assert!(total < 6 * 1045 + 77 * 104 + 77 * 16 + 600, "{total}");
}

#[test]
fn psi_with_a_bad_crc_is_ignored_and_reported() {
    let mut seg = fixture("main_bf2.ts");
    // Corrupt the first PMT's stream type byte (ffmpeg: PMT on PID 0x1000, second packet).
    let pmt = seg
        .chunks(188)
        .position(|p| ((u16::from(p[1]) & 0x1F) << 8 | u16::from(p[2])) == 0x1000)
        .unwrap();
    seg[pmt * 188 + 5 + 12] ^= 0x40;
    let mut d = hlsplay::ts::Demuxer::new();
    d.begin_segment();
    d.push(&seg);
    d.finish_segment().unwrap(); // later PMT copies are intact
    let w = d.warnings.take();
    assert!(
        w.contains(&hlsplay::ts::DemuxWarning::PsiCrc {
            pid: 0x1000,
            offset: pmt as u64 * 188
        }),
        "{w:?}"
    );
    assert_eq!(
        d.video.frames.len(),
        60,
        "data before the first good PMT is kept"
    );
}
