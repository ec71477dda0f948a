//! CEA-608 captions in fMP4 video samples (a CMAF output with EMBEDDED captions): the
//! passthrough hands out the pairs the transmuxer reads from the same H.264 in TS, in the same
//! order, at the same times (up to the constant the two placements differ by), whole or in
//! chunks. The fMP4 is written twice: by ffmpeg (`-c copy` into fragmented MP4, an independent
//! muxer; skipped with a message without ffmpeg) and by our own transmuxer. Fixture:
//! `tests/fixtures/ts/cea608_bf.ts` (x264 with 2 B-frames, a caption SEI in every access unit,
//! CC1 and CC3).
#![cfg(not(target_arch = "wasm32"))] // files on disk and ffmpeg: native only
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod common;

use hlsplay::fmp4::boxes::Boxes;
use hlsplay::fmp4::FourCc;
use hlsplay::remux::{CcData, OutputShape, Passthrough, SegmentInfo, Transmuxer};
use std::process::Command;

const FIXTURE: &str = "cea608_bf.ts";

fn ts_captions() -> Vec<CcData> {
    let (_, captions) = our_fmp4(FIXTURE);
    assert_eq!(captions.len(), 500, "the fixture's pairs");
    captions
}

/// The fixture's video as fragmented MP4 by ffmpeg: (init segment, media segment), split at the
/// first `moof`.
fn ffmpeg_fmp4() -> Option<(Vec<u8>, Vec<u8>)> {
    let dir = std::env::temp_dir();
    let out = dir.join(format!("hlsplay-cea608-fmp4-{}.mp4", std::process::id()));
    let ts = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ts")
        .join(FIXTURE);
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(&ts)
        .args(["-map", "0:v", "-c", "copy", "-f", "mp4", "-movflags"])
        .arg("frag_keyframe+empty_moov+default_base_moof")
        .arg(&out)
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        println!("skipped: ffmpeg could not write the fragmented MP4");
        return None;
    }
    let bytes = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    Some(split_at_moof(bytes))
}

fn split_at_moof(mut bytes: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    let moof = Boxes::new(&bytes, 0)
        .map(Result::unwrap)
        .find(|b| b.kind == FourCc::new(b"moof"))
        .expect("a moof")
        .offset as usize;
    let media = bytes.split_off(moof);
    (bytes, media)
}

/// The pairs of `media` through the passthrough: whole, and in chunks of `chunk` bytes.
fn passthrough_captions(init: &[u8], media: &[u8], chunk: Option<usize>) -> Vec<CcData> {
    let mut p = Passthrough::new();
    p.push_init(init).unwrap();
    let info = SegmentInfo::default();
    let Some(size) = chunk else {
        return p.push(media, &info).unwrap().captions;
    };
    let mut got = Vec::new();
    for c in media.chunks(size) {
        if let Some(out) = p.push_chunk(c, &info).unwrap() {
            got.extend(out.captions);
        }
    }
    got.extend(p.finish_segment(&info).unwrap().captions);
    got
}

/// Same pairs in the same order; each fMP4 time the TS time plus one constant (the placements
/// differ: TS puts the earliest decode time on the segment start, fMP4 the earliest
/// presentation time), within a 90 kHz tick.
fn assert_same(fmp4: &[CcData], ts: &[CcData], what: &str) {
    assert_eq!(fmp4.len(), ts.len(), "{what}: pair count");
    let shift = fmp4[0].time - ts[0].time;
    assert!((0.0..0.5).contains(&shift), "{what}: shift {shift}");
    for (i, (a, b)) in fmp4.iter().zip(ts).enumerate() {
        assert_eq!((a.field, a.pair), (b.field, b.pair), "{what}: pair {i}");
        assert!(
            (a.time - b.time - shift).abs() < 1.5 / 90_000.0,
            "{what}: pair {i} at {} against {} + {shift}",
            a.time,
            b.time
        );
    }
}

#[test]
fn ffmpeg_fragmented_mp4_gives_the_ts_pairs_at_the_ts_times() {
    let Some((init, media)) = ffmpeg_fmp4() else {
        return;
    };
    let ts = ts_captions();
    assert_same(&passthrough_captions(&init, &media, None), &ts, "whole");
    for size in [100, 4096, 65_536] {
        let got = passthrough_captions(&init, &media, Some(size));
        assert_same(&got, &ts, &format!("chunks of {size}"));
    }
}

/// `fixture` through our transmuxer: its video track's (init, data) and the TS path's pairs.
fn our_fmp4(fixture: &str) -> ((Vec<u8>, Vec<u8>), Vec<CcData>) {
    let out = Transmuxer::new(OutputShape::SplitTracks)
        .push(&common::ts_fixture(fixture), &SegmentInfo::default())
        .unwrap();
    let video = out
        .tracks
        .into_iter()
        .find(|t| t.mime.starts_with("video/"))
        .unwrap();
    ((video.init.unwrap(), video.data), out.captions)
}

#[test]
fn our_transmuxer_fmp4_gives_the_ts_pairs_at_the_ts_times() {
    let ((init, data), ts) = our_fmp4(FIXTURE);
    assert_same(&passthrough_captions(&init, &data, None), &ts, "our fMP4");
}

#[test]
fn fmp4_without_caption_sei_gives_no_pairs() {
    let ((init, data), ts) = our_fmp4("main_bf2.ts");
    assert!(ts.is_empty());
    assert!(passthrough_captions(&init, &data, None).is_empty());
}
