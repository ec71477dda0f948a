//! CEA-608 captions through the transmuxer and the decoder against ffmpeg's own 608 decoder
//! (`movie=IN.ts[out0+subcc]` → WebVTT): same texts, times within one frame. Fixtures: the
//! peers' segments with real 608 captions (`../shared/peer-data/ts/`, skipped with a message
//! when absent: the two the README names, and three Shaka segments with B-frames found to carry
//! them by running both decoders on all 37) and `tests/fixtures/ts/cea608_bf.ts` (made by [`make_cea608_fixture`] with
//! B-frames, pop-on and roll-up, special and extended characters, CC1 and CC3). Skipped with a
//! message without ffmpeg. Prints the agreement (cues matched / cues expected) per fixture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod cea608_common;
mod common;

use cea608_common::cea608_inject::CaptionedVideo;
use cea608_common::{ffmpeg_cues, ffprobe_first_video_pts, our_cues, script};
use hlsplay::captions::Channel;
use std::path::{Path, PathBuf};

fn peer_ts(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peer-data/ts")
        .join(name);
    p.exists().then_some(p)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ts")
        .join(name)
}

/// How our cues compare with ffmpeg's on one fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Agreement {
    /// Same text, times within a frame (with the two timing rules below).
    matched: usize,
    /// ffmpeg's cue keeps paint-on or pop-on lines on screen after a switch to roll-up, which
    /// erases them (CTA-608's mode switch): ours has the same times and ffmpeg's last lines.
    kept_across_roll_up: usize,
    expected: usize,
}

/// Compares our CC1 cues with ffmpeg's for `path` and prints the differences. `frame` is the
/// fixture's frame duration (the time tolerance).
fn agreement(path: &Path, frame: f64) -> Option<Agreement> {
    let expected = ffmpeg_cues(path)?;
    let data = std::fs::read(path).unwrap();
    let (ours, offset) = our_cues(&data, Channel::Cc1);
    // ffmpeg's times count from the first decoded video frame; ours from the segment's
    // earliest timestamp placed at 0 (SegmentInfo::start), i.e. media time + `offset`.
    let zero = ffprobe_first_video_pts(path)? + offset;
    let mut matched = 0;
    let mut kept_across_roll_up = 0;
    for (i, e) in expected.iter().enumerate() {
        // ffmpeg ends the caption still on screen at the end of the stream after the time
        // between the last two caption events (its flush reuses that span); ours ends where
        // the data ends. So the last cue's end is not compared.
        let last = i + 1 == expected.len();
        // Roll-up on an empty screen: ffmpeg starts the first line's cue at the CR before it,
        // ours when its first character shows (nothing is on screen in between). Only there
        // may our start be later, by at most half a second.
        let after_empty = !expected.iter().any(|p| (p.end - e.start).abs() <= frame);
        let hit = ours.iter().find(|c| {
            let lag = c.start - zero - e.start;
            normalise(&c.text) == normalise(&e.text)
                && (lag.abs() <= frame + 1e-3 || (after_empty && lag > 0.0 && lag <= 0.5))
                && (last || (c.end - zero - e.end).abs() <= frame + 1e-3)
        });
        match hit {
            Some(c) => {
                matched += 1;
                if (c.start - zero - e.start).abs() > frame + 1e-3 {
                    eprintln!(
                        "  {:?}: starts {:.3} s after ffmpeg's, at its first character",
                        e.text,
                        c.start - zero - e.start
                    );
                }
            }
            None if ours.iter().any(|c| {
                let (theirs, ours) = (normalise(&e.text), normalise(&c.text));
                (c.start - zero - e.start).abs() <= frame + 1e-3
                    && (last || (c.end - zero - e.end).abs() <= frame + 1e-3)
                    && theirs.len() > ours.len()
                    && theirs.ends_with(&format!("\n{ours}"))
            }) =>
            {
                kept_across_roll_up += 1;
                eprintln!(
                    "  {:?}: ffmpeg keeps the lines from before roll-up on screen",
                    e.text
                );
            }
            None => eprintln!(
                "  {}: ffmpeg {:.3}-{:.3} {:?} not matched",
                path.display(),
                e.start,
                e.end,
                e.text
            ),
        }
    }
    for c in &ours {
        eprintln!(
            "  ours {:.3}-{:.3} line {:?} {:?}",
            c.start - zero,
            c.end - zero,
            c.line,
            c.text
        );
    }
    Some(Agreement {
        matched,
        kept_across_roll_up,
        expected: expected.len(),
    })
}

/// Layout is not text: ffmpeg keeps indentation as non-breaking spaces and markup for
/// italics/underline/colour; compare the words of each line.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '\u{a0}' => out.push(' '),
            _ => out.push(c),
        }
    }
    // ffmpeg's WebVTT keeps ASS hard spaces (`\h`) from its indentation.
    out.replace("\\h", " ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints the agreement line the close note quotes and checks every cue is matched or one
/// of the `allowed_roll_up` explained differences.
fn report(name: &str, result: Option<Agreement>, allowed_roll_up: usize) {
    let Some(a) = result else {
        println!("cea608 oracle: {name}: skipped (no ffmpeg)");
        return;
    };
    let mut line = format!(
        "cea608 oracle: {name}: {} / {} cues matched",
        a.matched, a.expected
    );
    if a.kept_across_roll_up > 0 {
        line += &format!(
            " ({} differ on purpose: ffmpeg keeps earlier lines when roll-up starts)",
            a.kept_across_roll_up
        );
    }
    println!("{line}");
    assert!(a.expected > 0);
    assert_eq!(a.kept_across_roll_up, allowed_roll_up, "{a:?}");
    assert_eq!(a.matched + a.kept_across_roll_up, a.expected, "{a:?}");
}

#[test]
fn muxjs_sintel_captions_agree_with_ffmpeg() {
    let Some(path) = peer_ts("muxjs-sintel-captions.ts") else {
        println!("skipped: ../shared/peer-data/ts/muxjs-sintel-captions.ts not present");
        return;
    };
    report("muxjs-sintel-captions.ts", agreement(&path, 1.0 / 24.0), 0);
}

#[test]
fn androidx_sd_hls_608_agrees_with_ffmpeg() {
    let Some(path) = peer_ts("androidx-sd-hls-608.ts") else {
        println!("skipped: ../shared/peer-data/ts/androidx-sd-hls-608.ts not present");
        return;
    };
    report("androidx-sd-hls-608.ts", agreement(&path, 1.0 / 24.0), 0);
}

/// A peer segment's agreement, asserted complete but for `allowed_roll_up` explained cues.
fn peer_agrees(name: &str, frame: f64, allowed_roll_up: usize) {
    let Some(path) = peer_ts(name) else {
        println!("skipped: ../shared/peer-data/ts/{name} not present");
        return;
    };
    report(name, agreement(&path, frame), allowed_roll_up);
}

#[test]
fn shaka_h264_seq0_b_frames_agree_with_ffmpeg() {
    peer_agrees("shaka-h264-seq0.ts", 1.0 / 30.0, 0);
}

#[test]
fn shaka_overflow_nalus_b_frames_agree_with_ffmpeg() {
    peer_agrees("shaka-overflow-nalus.ts", 1001.0 / 30_000.0, 0);
}

/// Pop-on, paint-on and roll-up (a caption demo): after the paint-on part, RU3 starts roll-up
/// with the paint-on lines still on screen; we erase them on the switch, ffmpeg rolls them up
/// with the new lines (two cues).
#[test]
fn shaka_truncated_3streams_b_frames_agree_with_ffmpeg_but_the_roll_up_switch() {
    peer_agrees("shaka-truncated-3streams.ts", 1001.0 / 30_000.0, 2);
}

#[test]
fn generated_b_frame_fixture_cc1_agrees_with_ffmpeg() {
    let path = fixture("cea608_bf.ts");
    report("cea608_bf.ts (CC1)", agreement(&path, 1.0 / 30.0), 0);
}

/// ffmpeg decodes one field: CC3 is checked against the script that made the fixture. The
/// fixture's video starts at media time 1.4 s (ffmpeg's default TS offset) with B-frames.
#[test]
fn generated_b_frame_fixture_cc3_shows_its_script() {
    let data = std::fs::read(fixture("cea608_bf.ts")).unwrap();
    let (cues, _) = our_cues(&data, Channel::Cc3);
    let (ours_cc1, _) = our_cues(&data, Channel::Cc1);
    assert_eq!(cues.len(), 1, "{cues:?}");
    let c = &cues[0];
    assert_eq!(c.text, "Field two: ¿Qué?");
    assert_eq!(c.line, Some(0));
    // Frames 45 to 100 of the display order, counted from the first CC1 cue at frame 30.
    let frame30 = ours_cc1[0].start;
    assert!((c.start - frame30 - 15.0 / 30.0).abs() < 1e-3, "{c:?}");
    assert!((c.end - frame30 - 70.0 / 30.0).abs() < 1e-3, "{c:?}");
    println!("cea608 script: cea608_bf.ts (CC3): 1 / 1 cues matched");
}

/// Writes `tests/fixtures/ts/cea608_bf.ts` (see the fixtures README): an ffmpeg/x264 testsrc
/// stream with B-frames whose access units get a GA94 caption SEI each, carrying the pairs of
/// [`script`] for the frame's display position (the injector of `hlsplay inject-608`).
#[test]
#[ignore = "writes the fixture; run by hand with ffmpeg and libx264"]
fn make_cea608_fixture() {
    let tmp = std::env::temp_dir().join("hlsplay-cea608-src.ts");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x90:rate=30",
        ])
        .args([
            "-frames:v",
            "250",
            "-c:v",
            "libx264",
            "-bf",
            "2",
            "-g",
            "60",
        ])
        .args(["-crf", "40", "-pix_fmt", "yuv420p", "-f", "mpegts"])
        .arg(&tmp)
        .status()
        .unwrap();
    assert!(status.success());
    let video = CaptionedVideo::read(&std::fs::read(&tmp).unwrap()).unwrap();
    let (f1, f2) = script();
    std::fs::write(fixture("cea608_bf.ts"), video.write(&f1, &f2)).unwrap();
}
