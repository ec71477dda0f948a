//! Audio-only MPEG-TS (an alternate audio rendition as Apple's HLS writes it) in the SplitTracks
//! shape: exactly one Audio track with the right codec string, nothing held back waiting for a
//! video start, every sample of the source decoded by ffmpeg. The segments are real ones from
//! peer projects (`../shared/peer-data/ts`, see its README); without them the tests print a skip
//! message and pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
use hlsplay::remux::{OutputShape, RemuxOutput, RemuxWarning, SegmentInfo, TrackKind, Transmuxer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn peer_segment(name: &str) -> Option<(PathBuf, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peer-data/ts")
        .join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some((path, bytes)),
        Err(_) => {
            eprintln!("skipped: {} not present", path.display());
            None
        }
    }
}

fn ffmpeg(args: &[&str]) -> std::process::Output {
    match Command::new("ffmpeg").args(args).output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run ffmpeg ({e}): install it (Debian: apt-get install ffmpeg)"),
    }
}

/// Decoded samples (per channel, at the decoder's output rate) of the first audio stream, and
/// ffmpeg's error output.
fn decoded_samples(path: &Path) -> (u64, String) {
    let out = ffmpeg(&[
        "-v",
        "error",
        "-i",
        path.to_str().unwrap(),
        "-map",
        "0:a:0",
        "-f",
        "s16le",
        "-acodec",
        "pcm_s16le",
        "-ac",
        "1",
        "-",
    ]);
    assert!(out.status.success(), "ffmpeg failed on {}", path.display());
    (
        out.stdout.len() as u64 / 2,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hlsplay-audio-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The one audio track's init + fragment bytes of one output.
fn audio_file(out: &RemuxOutput) -> Vec<u8> {
    let t = &out.tracks[0];
    let mut file = t.init.clone().unwrap();
    file.extend_from_slice(&t.data);
    file
}

fn check(name: &str, codecs: &str) {
    let Some((source, bytes)) = peer_segment(name) else {
        return;
    };
    let info = SegmentInfo {
        start: 10.0,
        ..Default::default()
    };
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let out = mux.push(&bytes, &info).unwrap();
    assert_eq!(out.tracks.len(), 1, "{name}: {:?}", out.tracks);
    let t = &out.tracks[0];
    assert_eq!(t.kind, TrackKind::Audio);
    assert_eq!(t.codecs, codecs);
    assert_eq!(t.mime, format!("audio/mp4; codecs=\"{codecs}\""));
    assert!(t.init.is_some() && !t.data.is_empty(), "{name}: no media");
    for w in &out.warnings {
        assert!(
            !matches!(
                w,
                RemuxWarning::WaitingForVideoStart | RemuxWarning::TrackWithoutFrames { .. }
            ),
            "{name}: {w}"
        );
    }
    // The first segment's first frame lands on the playlist start.
    assert!(
        (out.start - 10.0).abs() < 1e-6,
        "{name}: start {}",
        out.start
    );

    let ours = write_temp(&format!("{name}.mp4"), &audio_file(&out));
    let (got, errors) = decoded_samples(&ours);
    assert!(errors.is_empty(), "{name}: ffmpeg decode errors: {errors}");
    let (want, _) = decoded_samples(&source);
    assert_eq!(got, want, "{name}: decoded sample count differs");

    // Progressive: the same samples, emitted as the bytes arrive.
    let mut chunked = Transmuxer::new(OutputShape::SplitTracks);
    let mut outputs = Vec::new();
    for chunk in bytes.chunks(3001) {
        outputs.extend(chunked.push_chunk(chunk, &info).unwrap());
    }
    assert!(
        outputs.iter().any(|o| !o.tracks.is_empty()),
        "{name}: nothing emitted before the segment end"
    );
    outputs.push(chunked.finish_segment(&info).unwrap());
    let first = outputs.iter().find(|o| !o.tracks.is_empty()).unwrap();
    assert_eq!(first.tracks[0].init, t.init, "{name}: init differs");
    assert!((first.start - out.start).abs() < 1e-9);
    let end = outputs.iter().map(|o| o.end).fold(f64::MIN, f64::max);
    assert!(
        (end - out.end).abs() < 1e-9,
        "{name}: end {end} vs {}",
        out.end
    );
}

#[test]
fn aac_lc_only_segment_is_one_audio_track() {
    check("shaka-aac.ts", "mp4a.40.2");
}

#[test]
fn mp3_with_timed_id3_is_one_audio_track() {
    check("shaka-mp3.ts", "mp4a.6B");
}

/// HE-AACv2 arrives in ADTS as LC at the core rate (implicit SBR/PS signalling).
#[test]
fn he_aac_v2_with_timed_id3_is_one_audio_track() {
    check("shaka-id3-heaac.ts", "mp4a.40.2");
}

/// A second audio-only segment continues the first one's timeline with no gap or overlap.
#[test]
fn consecutive_audio_only_segments_are_contiguous() {
    let Some((_, bytes)) = peer_segment("shaka-aac.ts") else {
        return;
    };
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let first = mux.push(&bytes, &SegmentInfo::default()).unwrap();
    // The same segment again, its timestamps moved by its own duration: a contiguous next one.
    let shifted = shift_pts(&bytes, first.end - first.start);
    let info = SegmentInfo {
        start: first.end,
        ..Default::default()
    };
    let second = mux.push(&shifted, &info).unwrap();
    assert_eq!(second.tracks.len(), 1);
    assert!(second.tracks[0].init.is_none(), "same config: no new init");
    assert!(
        (second.start - first.end).abs() < 1e-9,
        "{} then {}",
        first.end,
        second.start
    );
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
}

/// Add `seconds` to every PES PTS/DTS of the segment (188-byte packets, PES header at the start
/// of a payload_unit_start packet's payload).
fn shift_pts(ts: &[u8], seconds: f64) -> Vec<u8> {
    let delta = (seconds * 90_000.0).round() as u64;
    let mut out = ts.to_vec();
    for p in out.chunks_mut(188) {
        if p.len() < 188 || p[0] != 0x47 || p[1] & 0x40 == 0 {
            continue;
        }
        let mut i = 4;
        if p[3] & 0x20 != 0 {
            i += 1 + usize::from(p[4]);
        }
        if p[3] & 0x10 == 0 || i + 14 > 188 || p[i..i + 3] != [0, 0, 1] {
            continue;
        }
        let flags = p[i + 7] >> 6;
        for (k, present) in [(9, flags & 2 != 0), (14, flags == 3)] {
            if present && i + k + 5 <= 188 {
                let b = &mut p[i + k..i + k + 5];
                let v = (u64::from(b[0] >> 1 & 7) << 30)
                    | (u64::from(b[1]) << 22)
                    | (u64::from(b[2] >> 1) << 15)
                    | (u64::from(b[3]) << 7)
                    | u64::from(b[4] >> 1);
                let v = (v + delta) & ((1 << 33) - 1);
                b[0] = (b[0] & 0xF1) | (((v >> 30) as u8 & 7) << 1);
                b[1] = (v >> 22) as u8;
                b[2] = (((v >> 15) as u8) << 1) | 1;
                b[3] = (v >> 7) as u8;
                b[4] = ((v as u8) << 1) | 1;
            }
        }
    }
    out
}
