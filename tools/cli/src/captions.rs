//! `hlsplay captions SEG.ts [SEG.ts ...] [--channel CC1]`: the CEA-608 captions of consecutive
//! TS segments as WebVTT on stdout, the way the player reads them (transmuxer, then the 608
//! decoder). Times are on the player's timeline (the first segment's earliest timestamp at 0);
//! compare with `ffmpeg -f lavfi -i "movie=SEG.ts[out0+subcc]" -map 0:s -f webvtt -`, whose
//! zero is the first video frame.
use hlsplay::captions::{Cea608Decoder, Channel, Cue};
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::fmt::Write;

pub const USAGE: &str = "  captions SEG.ts [SEG.ts ...] [--channel CC1|CC2|CC3|CC4]   print the CEA-608 captions as WebVTT\n";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut inputs = Vec::new();
    let mut channel = Channel::Cc1;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--channel" => {
                let name = it.next().ok_or("captions: --channel needs CC1..CC4")?;
                channel = Channel::from_name(name)
                    .ok_or_else(|| format!("captions: unknown channel `{name}`"))?;
            }
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(format!("captions: unknown option `{other}`"));
            }
            other => inputs.push(other.to_string()),
        }
    }
    if inputs.is_empty() {
        return Err("captions: no input segments".to_string());
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let mut decoder = Cea608Decoder::new(channel);
    let mut start = 0.0;
    for path in &inputs {
        let bytes =
            std::fs::read(path).map_err(|e| format!("captions: cannot read {path}: {e}"))?;
        let info = SegmentInfo {
            start,
            ..SegmentInfo::default()
        };
        let out = mux
            .push(&bytes, &info)
            .map_err(|e| format!("captions: cannot remux {path}: {e}"))?;
        for cc in &out.captions {
            decoder.push(cc.time, cc.field, cc.pair);
        }
        start = out.end;
    }
    print!("{}", webvtt(&decoder.flush(start)));
    Ok(())
}

/// Cues as a WebVTT file (`line:` from the 608 row).
fn webvtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for c in cues {
        let _ = write!(out, "\n{} --> {}", timestamp(c.start), timestamp(c.end));
        if let Some(line) = c.line {
            let _ = write!(out, " line:{line}");
        }
        let _ = write!(out, "\n{}\n", c.text);
    }
    out
}

fn timestamp(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}
