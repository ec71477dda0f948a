//! Running ffmpeg/ffprobe: the source's facts, and an encode reporting its progress
//! (`-progress pipe:1`: `out_time_us=` lines) with ffmpeg's own words on failure.
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use super::JobError;

/// What the emulator needs to know about the input.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub duration: f64,
    /// Frame rate as a fraction.
    pub fps: (u32, u32),
    pub has_audio: bool,
}

impl Probe {
    pub fn fps_f64(&self) -> f64 {
        f64::from(self.fps.0) / f64::from(self.fps.1.max(1))
    }
}

/// ffmpeg's reason: the last lines it wrote on stderr.
fn reason(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let tail = lines.len().saturating_sub(3);
    lines.get(tail..).unwrap_or(&[]).join("; ")
}

pub fn probe(input: &Path) -> Result<Probe, JobError> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,r_frame_rate:format=duration",
            "-of",
            "json",
        ])
        .arg(input)
        .output()
        .map_err(|e| JobError::Ffmpeg(format!("ffprobe: {e}")))?;
    if !out.status.success() {
        return Err(JobError::Ffmpeg(reason(&String::from_utf8_lossy(
            &out.stderr,
        ))));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| JobError::Ffmpeg(format!("ffprobe output: {e}")))?;
    let streams = v
        .get("streams")
        .and_then(|s| s.as_array())
        .cloned()
        .unwrap_or_default();
    let kind = |k: &str| {
        streams
            .iter()
            .find(|s| s.get("codec_type").and_then(|t| t.as_str()) == Some(k))
            .cloned()
    };
    let video = kind("video").ok_or_else(|| {
        JobError::Ffmpeg(format!("{}: no video stream in the input", input.display()))
    })?;
    let fps = video
        .get("r_frame_rate")
        .and_then(|r| r.as_str())
        .and_then(|r| r.split_once('/'))
        .and_then(|(n, d)| Some((n.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
        .filter(|(n, d)| *n > 0 && *d > 0)
        .unwrap_or((30, 1));
    let duration = v
        .get("format")
        .and_then(|f| f.get("duration"))
        .and_then(|d| d.as_str())
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
        .ok_or_else(|| JobError::Ffmpeg(format!("{}: no duration", input.display())))?;
    Ok(Probe {
        duration,
        fps,
        has_audio: kind("audio").is_some(),
    })
}

/// The first PTS (seconds) of the video of a media file, as ffprobe reads it.
pub fn video_start(path: &Path) -> Option<f64> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=start_time",
        ])
        .args(["-of", "default=nw=1:nk=1"])
        .arg(path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite())
}

/// Runs `ffmpeg args...`; `progress` gets the fraction of `duration` done (0..=1).
pub fn run(args: &[String], duration: f64, progress: &mut dyn FnMut(f64)) -> Result<(), JobError> {
    let mut child = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-nostats",
            "-loglevel",
            "error",
            "-y",
            "-progress",
            "pipe:1",
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| JobError::Ffmpeg(format!("ffmpeg: {e}")))?;
    // stderr on its own thread so neither pipe can fill up and stall ffmpeg.
    let stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(us) = line.strip_prefix("out_time_us=") {
                if let Ok(us) = us.trim().parse::<f64>() {
                    progress((us / 1e6 / duration).clamp(0.0, 1.0));
                }
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| JobError::Ffmpeg(format!("ffmpeg: {e}")))?;
    let stderr = err_reader.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(JobError::Ffmpeg(reason(&stderr)))
    }
}

/// ffmpeg arguments for a second input of stereo silence at `rate` Hz: outputs with audio made
/// from a source without any, as MediaConvert does.
pub fn silence_input(rate: u32) -> [String; 4] {
    [
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        format!("anullsrc=channel_layout=stereo:sample_rate={rate}"),
    ]
}

/// A filter graph splitting the first input's video into one scaled copy per size, labelled
/// `[v0]`, `[v1]`, … in order. A copy whose 608 captions are not kept (the third of its tuple
/// false) has the decoder's A/53 caption side data removed, as MediaConvert drops a source's
/// captions from an output that does not ask for them (x264 would otherwise write them back).
pub fn scale_graph(sizes: &[(u32, u32, bool)]) -> String {
    let n = sizes.len();
    let mut graph = format!("[0:v]split={n}");
    for i in 0..n {
        graph.push_str(&format!("[s{i}]"));
    }
    for (i, (width, height, captions)) in sizes.iter().enumerate() {
        let drop = if *captions {
            ""
        } else {
            ",sidedata=mode=delete:type=A53_CC"
        };
        graph.push_str(&format!(
            ";[s{i}]scale={width}:{height},setsar=1{drop}[v{i}]"
        ));
    }
    graph
}
