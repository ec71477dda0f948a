//! MPEG-TS cases from the peers' test data (issue 18): regression tests on synthetic streams for
//! each difference found, then the real segments of `../shared/peer-data/ts` against ffmpeg
//! (skipped, saying so, without the data or ffmpeg). `hlsplay peer-check` runs the same check.
#![cfg(not(target_arch = "wasm32"))] // files on disk and ffmpeg: native only
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

mod common;
// The checks live with the CLI's `peer-check` (std and hlsplay only) so both run the same code.
#[path = "../tools/cli/src/peer/ts.rs"]
mod ts;
#[path = "../tools/cli/src/peer/verdict.rs"]
mod verdict;

use common::{access_unit, adts, pes, Mux, AUDIO_PID, PMT_PID, SPS, VIDEO_PID};
use hlsplay::remux::{OutputShape, RemuxError, RemuxWarning, SegmentInfo, Transmuxer};
use hlsplay::ts::{DemuxWarning, TsError};
use std::path::Path;

fn push(segment: &[u8]) -> Result<hlsplay::remux::RemuxOutput, RemuxError> {
    Transmuxer::new(OutputShape::SplitTracks).push(segment, &SegmentInfo::default())
}

/// tsduck-pes-quirks.ts: the first video PES declares PES_packet_length 2, shorter than its own
/// header. It was dropped as corrupt, with the keyframe in it, and every frame up to the next
/// keyframe with it; ffmpeg and hls.js read it to the next PES.
#[test]
fn tsduck_pes_quirks_pes_length_shorter_than_its_header_keeps_the_keyframe() {
    let mut m = Mux::default();
    m.psi(true, false);
    for i in 0..3u64 {
        let au = access_unit(i == 0, (i == 0).then_some(SPS), true, 400);
        let mut p = pes(
            0xE0,
            Some(9000 + 3000 * i),
            Some(9000 + 3000 * i),
            &au,
            false,
        );
        if i == 0 {
            p[5] = 2; // PES_packet_length 2: less than the 3 + 10 header bytes after it
        }
        m.write(VIDEO_PID, &p, 184);
    }
    let out = push(&m.out).unwrap();
    let video = out
        .tracks
        .iter()
        .find(|t| t.codecs.starts_with("avc1"))
        .unwrap();
    assert!(!video.data.is_empty());
    assert!(
        out.warnings.iter().any(|w| matches!(
            w,
            RemuxWarning::Demux(DemuxWarning::PesLengthTooShort {
                length: 2,
                header: 13,
                ..
            })
        )),
        "{:?}",
        out.warnings
    );
    assert!(
        !out.warnings
            .iter()
            .any(|w| matches!(w, RemuxWarning::LeadingFramesDropped { .. })),
        "{:?}",
        out.warnings
    );
}

/// tsduck-pes-quirks.ts: PID 0x64 is declared MPEG audio (stream type 0x04) but carries ADTS.
/// Framing it as MPEG audio made a garbage MP3 track of false syncs; the payload decides.
#[test]
fn tsduck_pes_quirks_adts_declared_as_mpeg_audio_is_remuxed_as_aac() {
    let mut m = Mux::default();
    m.pat();
    m.pmt(&[(0x1B, VIDEO_PID), (0x04, AUDIO_PID)]);
    for i in 0..4u64 {
        let au = access_unit(i == 0, (i == 0).then_some(SPS), true, 200);
        m.video(9000 + 3000 * i, 9000 + 3000 * i, &au);
        let frames = [adts(100, false, 3, 2), adts(100, false, 3, 2)].concat();
        m.audio(9000 + 3840 * i, &frames);
    }
    let out = push(&m.out).unwrap();
    let audio = out
        .tracks
        .iter()
        .find(|t| t.codecs.starts_with("mp4a"))
        .unwrap();
    assert_eq!(audio.codecs, "mp4a.40.2");
    assert!(out.warnings.iter().any(|w| w.to_string()
        == "audio PID 0x101 is declared MPEG audio but carries ADTS AAC: remuxed as ADTS AAC"));
}

/// tsduck-bad-pmt-crc.ts: the PMT is there but fails its CRC; the refusal said "no program map
/// table".
#[test]
fn tsduck_bad_pmt_crc_is_refused_as_a_crc_failure() {
    let mut m = Mux::default();
    m.psi(true, false);
    // The PMT packet is the second one: flip a byte of its stream loop so the CRC fails.
    let pmt = &mut m.out[188..376];
    assert_eq!(((pmt[1] & 0x1F) as u16) << 8 | pmt[2] as u16, PMT_PID);
    let at = pmt.iter().rposition(|&b| b == 0x1B).unwrap();
    pmt[at] = 0x1C;
    m.video(9000, 9000, &access_unit(true, Some(SPS), true, 100));
    let e = push(&m.out).unwrap_err();
    assert_eq!(e, RemuxError::Ts(TsError::PmtCrc { pmt_pid: PMT_PID }));
    assert_eq!(
        e.to_string(),
        "malformed: the program map table (PID 0x1000) fails its CRC in every copy of the segment"
    );
}

#[test]
fn peer_ts_segments_remux_frame_exact_against_ffmpeg_or_are_refused_clearly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer-data");
    if !dir.join("ts").is_dir() {
        eprintln!(
            "skipped: no peer data at {} (issue 18's ../shared/peer-data)",
            dir.display()
        );
        return;
    }
    if !ts::have_ffmpeg() {
        eprintln!(
            "skipped: ffmpeg is not on PATH (the oracle); install it (apt-get install ffmpeg)"
        );
        return;
    }
    let scratch = std::env::temp_dir().join(format!("hlsplay-peer-ts-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let rows = ts::check(&dir, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let report = verdict::report(&rows);
    println!("{report}");
    assert_eq!(rows.len(), 39, "{report}");
    assert!(rows.iter().all(|r| !r.unexpected), "{report}");
}
