//! Helpers of the CEA-608 tests: our cues through the transmuxer, ffmpeg's cues (the oracle),
//! and the 608 encoder of `hlsplay inject-608` (included from the CLI) with the script of
//! `tests/fixtures/ts/cea608_bf.ts`. Test crates that use it declare `mod common` too (the
//! injector writes with its TS writer).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

#[path = "../../tools/cli/src/cea608_encoder.rs"]
pub mod cea608_encoder;
#[path = "../../tools/cli/src/cea608_inject.rs"]
pub mod cea608_inject;
pub use crate::common::mpegts_writer;

use cea608_encoder::{Channel608, CR, EDM, ENM, EOC, RCL, RU2, RU3};

use hlsplay::captions::{Cea608Decoder, Channel, Cue};
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::path::Path;
use std::process::Command;

/// Our cues of `channel` from one TS segment placed at 0, and the transmuxer's mapping
/// offset (seconds added to media time).
pub fn our_cues(ts: &[u8], channel: Channel) -> (Vec<Cue>, f64) {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = mux.push(ts, &SegmentInfo::default()).unwrap();
    let mut d = Cea608Decoder::new(channel);
    for cc in &out.captions {
        d.push(cc.time, cc.field, cc.pair);
    }
    (d.flush(out.end), mux.offset().unwrap())
}

/// One cue of ffmpeg's WebVTT, seconds from its time zero.
#[derive(Debug, Clone, PartialEq)]
pub struct FfCue {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// ffmpeg's 608 decoder (field 1 as it decodes it) on `path`; `None` without ffmpeg.
pub fn ffmpeg_cues(path: &Path) -> Option<Vec<FfCue>> {
    if !have("ffmpeg") {
        return None;
    }
    let graph = format!("movie={}[out0+subcc]", path.display());
    let out = Command::new("nice")
        .args(["-n", "10", "ffmpeg", "-v", "error", "-f", "lavfi", "-i"])
        .arg(graph)
        .args(["-map", "0:s", "-f", "webvtt", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(parse_webvtt(&String::from_utf8(out.stdout).unwrap()))
}

/// Just enough WebVTT for ffmpeg's output: blocks of a timing line and text lines.
pub fn parse_webvtt(vtt: &str) -> Vec<FfCue> {
    let mut cues = Vec::new();
    for block in vtt.replace("\r\n", "\n").split("\n\n") {
        let mut lines = block.lines();
        let Some(timing) = lines.find(|l| l.contains("-->")) else {
            continue;
        };
        let mut parts = timing.split("-->");
        let start = vtt_time(parts.next().unwrap());
        let end = vtt_time(parts.next().unwrap().split_whitespace().next().unwrap());
        let text = lines.collect::<Vec<_>>().join("\n");
        cues.push(FfCue { start, end, text });
    }
    cues
}

fn vtt_time(s: &str) -> f64 {
    s.trim()
        .split(':')
        .fold(0.0, |acc, p| acc * 60.0 + p.parse::<f64>().unwrap())
}

/// The presentation time (seconds, media clock) of the first video frame ffmpeg decodes:
/// ffmpeg's time zero for `movie=` sources.
pub fn ffprobe_first_video_pts(path: &Path) -> Option<f64> {
    if !have("ffprobe") {
        return None;
    }
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v",
            "-read_intervals",
            "%+#1",
        ])
        .args(["-show_entries", "frame=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .next()?
        .trim()
        .trim_end_matches(',')
        .parse()
        .ok()
}

/// The captions of `tests/fixtures/ts/cea608_bf.ts` at 30 frames a second (display order):
/// CC1 pop-on then roll-up, CC3 pop-on. Returns (field 1 pairs, field 2 pairs).
pub fn script() -> (Vec<[u8; 2]>, Vec<[u8; 2]>) {
    let mut cc1 = Channel608::new(false, false);
    cc1.at(0)
        .misc(RCL)
        .misc(ENM)
        .pac(15, 4)
        .text("Hello ♪ world");
    cc1.at(30).misc(EOC); // shows at frame 30
    cc1.misc(RCL).misc(ENM).pac(14, 0).text("¡Olé! Straße, «Ü»");
    cc1.pac(15, 8).text("50½° Smørbrød");
    cc1.at(75).misc(EOC); // replaces at frame 75
    cc1.at(110).misc(EDM); // erased at frame 110
    cc1.at(120).misc(RU2).misc(CR).pac(15, 0).text("Roll one");
    cc1.at(150).misc(CR).text("Roll two, très bien");
    cc1.at(180).misc(CR).misc(RU3).text("Roll three");
    cc1.at(210).misc(CR).text("Four");
    cc1.at(235).misc(EDM);
    cc1.at(250);
    let mut cc3 = Channel608::new(true, false);
    cc3.at(2)
        .misc(RCL)
        .misc(ENM)
        .pac(1, 0)
        .text("Field two: ¿Qué?");
    cc3.at(45).misc(EOC);
    cc3.at(100).misc(EDM);
    cc3.at(250);
    (cc1.pairs, cc3.pairs)
}
