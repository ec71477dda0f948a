//! Helpers of the CEA-608 tests: our cues through the transmuxer, ffmpeg's cues (the oracle),
//! and a small 608 encoder that turns scripted captions into byte pairs per frame.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod encoder;

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
