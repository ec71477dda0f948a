//! `hlsplay inject-608` (tools/cli/src/cea608_inject.rs, included): WebVTT cues become CC1
//! pop-on captions in the H.264 SEI of a TS stream, which ffmpeg's 608 decoder and ours read
//! back as the same cues at the same times (within one frame). The 608 sample of
//! `scripts/make-sample.sh cc608` is made this way (and checked against ffmpeg there).
#![cfg(not(target_arch = "wasm32"))] // files on disk and ffmpeg: native only
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod cea608_common;
mod common;

use cea608_common::cea608_inject::{pop_on, CaptionedVideo};
use cea608_common::{ffmpeg_cues, ffprobe_first_video_pts, our_cues};
use hlsplay::captions::{Channel, Cue, WebVtt};

const FRAME: f64 = 1.0 / 30.0;

/// Back to back (the second replaces the first), then after a gap; two rows; special and
/// extended characters.
const SCRIPT: &str = "WEBVTT

00:00:00.500 --> 00:00:01.000
Hello

00:00:01.000 --> 00:00:01.500
Two
lines

00:00:01.600 --> 00:00:01.900
¡Sí! ♪
";

fn cues(vtt: &str) -> Vec<Cue> {
    let parsed = WebVtt::parse(vtt.as_bytes(), "script").unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    parsed.cues
}

/// Injects SCRIPT into a fixture and writes the result to a temporary file.
fn captioned(fixture: &str, test: &str) -> (Vec<u8>, std::path::PathBuf) {
    let video = CaptionedVideo::read(&common::ts_fixture(fixture)).unwrap();
    let field1 = pop_on(&cues(SCRIPT), &video.times()).unwrap();
    let out = video.write(&field1, &[]);
    let path = std::env::temp_dir().join(format!(
        "hlsplay-inject-608-{}-{test}-{fixture}",
        std::process::id()
    ));
    std::fs::write(&path, &out).unwrap();
    (out, path)
}

fn check(fixture: &str) {
    let want = cues(SCRIPT);
    let (ts, path) = captioned(fixture, "check");

    // Ours, on the player's timeline: the script's times from the first frame shown.
    let (ours, offset) = our_cues(&ts, Channel::Cc1);
    assert_eq!(ours.len(), want.len(), "{ours:?}");
    // ffprobe shows a stream that wraps soon after its start at negative times: undo that.
    let period = (1u64 << 33) as f64 / 90_000.0;
    let first = ffprobe_first_video_pts(&path).map(|t| t.rem_euclid(period));
    for (o, w) in ours.iter().zip(&want) {
        assert_eq!(o.text, w.text);
        let zero = ours[0].start - want[0].start;
        assert!(
            (o.start - w.start - zero).abs() < FRAME / 2.0,
            "{o:?} {w:?}"
        );
        assert!((o.end - w.end - zero).abs() < FRAME / 2.0, "{o:?} {w:?}");
        if let Some(first) = first {
            // The first frame's media time, mapped as the transmuxer maps it.
            assert!(
                (zero - (first + offset)).abs() < 1e-3,
                "{zero} {first} {offset}"
            );
        }
    }
    assert_eq!(
        ours.last().unwrap().line,
        Some(14),
        "the bottom row, 0-based"
    );

    // ffmpeg's, from the first frame shown.
    let Some(theirs) = ffmpeg_cues(&path) else {
        println!("ffmpeg not found: {fixture} checked with our decoder only");
        return;
    };
    std::fs::remove_file(&path).unwrap();
    assert_eq!(theirs.len(), want.len(), "{theirs:?}");
    for (t, w) in theirs.iter().zip(&want) {
        assert_eq!(t.text, w.text);
        assert!((t.start - w.start).abs() <= FRAME + 1e-3, "{t:?} {w:?}");
        assert!((t.end - w.end).abs() <= FRAME + 1e-3, "{t:?} {w:?}");
    }
    println!(
        "inject-608: {fixture}: {} / {} cues matched (ffmpeg and ours)",
        want.len(),
        want.len()
    );
}

#[test]
fn injected_captions_read_back_as_scripted_with_b_frames() {
    check("main_bf2.ts");
}

/// PTS and DTS cross 2^33 about 1 s in: display order and times survive the wrap.
#[test]
fn injected_captions_read_back_as_scripted_across_the_timestamp_rollover() {
    check("rollover.ts");
}

/// The captioned stream keeps every frame and its timestamps.
#[test]
fn injection_keeps_the_frames_and_their_timestamps() {
    let src = common::ts_fixture("main_bf2.ts");
    let (out, path) = captioned("main_bf2.ts", "frames");
    std::fs::remove_file(path).unwrap();
    let frames = |ts: &[u8]| {
        let mut d = hlsplay::ts::Demuxer::new();
        d.push(ts);
        d.finish_segment().unwrap();
        d.video
            .frames
            .iter()
            .map(|f| (f.pts, f.dts, f.key))
            .collect::<Vec<_>>()
    };
    assert_eq!(frames(&out), frames(&src));
}

#[test]
fn pop_on_refuses_what_608_cannot_show() {
    let times: Vec<f64> = (0..60).map(|i| f64::from(i) * FRAME).collect();
    let refuse = |vtt: &str, says: &str| {
        let err = pop_on(&cues(vtt), &times).unwrap_err();
        assert!(err.contains(says), "{err}");
    };
    refuse(
        "WEBVTT\n\n00:00.500 --> 00:01.000\nOne\n\n00:00.900 --> 00:01.500\nTwo\n",
        "cue 2 (0.900 --> 1.500): overlaps",
    );
    refuse(
        "WEBVTT\n\n00:00.500 --> 00:01.000\n5 €\n",
        "'€' has no CEA-608 code",
    );
    refuse(
        &format!("WEBVTT\n\n00:00.500 --> 00:01.000\n{}\n", "x".repeat(33)),
        "longer than 32 characters",
    );
    refuse(
        "WEBVTT\n\n00:00.500 --> 00:01.000\na\nb\nc\nd\ne\n",
        "5 lines",
    );
    // Six pairs of codes and a pair of text cannot go out in the three frames before 0.1 s.
    refuse("WEBVTT\n\n00:00.100 --> 00:01.000\nHi\n", "need 7 frames");
    refuse(
        "WEBVTT\n\n00:01.000 --> 00:03.500\nLate\n",
        "ends after the video",
    );
    refuse(
        "WEBVTT\n\n00:01.000 --> 00:01.020\nBlink\n",
        "shorter than two frames",
    );
}

/// The control codes and text land on the frames the cue times say.
#[test]
fn pop_on_shows_and_erases_on_the_frames_nearest_the_cue_times() {
    let times: Vec<f64> = (0..60).map(|i| f64::from(i) * FRAME).collect();
    let pairs = pop_on(&cues("WEBVTT\n\n00:00.510 --> 00:01.190\nHi\n"), &times).unwrap();
    // RCL, ENM, PAC row 15, each twice, then "Hi"; EOC at frame 15, EDM at frame 36.
    let at = |frame: usize| pairs[frame];
    assert_eq!(at(0), [0x94, 0x20]);
    assert_eq!(at(2), [0x94, 0xAE]);
    assert_eq!(at(6), [0xC8, 0xE9]); // 'H' 'i' with odd parity
    assert_eq!(at(7), [0x80, 0x80]);
    assert_eq!(at(15), [0x94, 0x2F]);
    assert_eq!(at(16), [0x94, 0x2F]);
    assert_eq!(at(35), [0x80, 0x80]);
    assert_eq!(at(36), [0x94, 0x2C]);
    assert_eq!(pairs.len(), 38);
}
