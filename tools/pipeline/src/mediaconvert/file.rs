//! `FILE_GROUP_SETTINGS`: an MP4 file (moov at the front) or frame captures (JPEG), named
//! `<base><NameModifier>.mp4` and `<base><NameModifier>.0000000.jpg`.
use std::path::Path;

use super::ffmpeg::{self, Probe};
use super::hls::{audio_args, video_args};
use super::settings::{Container, Output, VideoCodec};
use super::{Context, JobError};

/// Encodes one output; returns its file name (the first capture's for frame captures).
pub fn run(
    out: &Output,
    ctx: &Context,
    probe: &Probe,
    dir: &Path,
    base: &str,
    progress: &mut dyn FnMut(f64),
) -> Result<String, JobError> {
    let Some(video) = &out.video else {
        return Err(JobError::Io(format!("{}: no video", out.path)));
    };
    let input = ctx.input.display().to_string();
    let mut args: Vec<String> = vec!["-i".into(), input];
    let name;
    match (&video.codec, out.container) {
        (
            VideoCodec::FrameCapture {
                numerator,
                denominator,
                max_captures,
                quality,
            },
            Container::Raw,
        ) => {
            let ext = out.extension.clone().unwrap_or_else(|| "jpg".into());
            // ffmpeg's JPEG qscale runs 2 (best) to 31; MediaConvert's Quality 1 to 100.
            let q = 2 + (100u32.saturating_sub(*quality)) * 29 / 100;
            args.extend([
                "-map".into(),
                "0:v:0".into(),
                // The first frame, then the first at or after every interval (ffmpeg's `fps` filter
                // centres its picks and drops the last one).
                "-vf".into(),
                format!(
                    "select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{denominator}/{numerator}-0.001)',scale={}:{},setsar=1",
                    video.width, video.height
                ),
                "-fps_mode".into(),
                "vfr".into(),
                "-frames:v".into(),
                max_captures.to_string(),
                "-q:v".into(),
                q.to_string(),
                "-start_number".into(),
                "0".into(),
            ]);
            args.push(
                dir.join(format!("{base}{}.%07d.{ext}", out.name_modifier))
                    .display()
                    .to_string(),
            );
            name = format!("{base}{}.0000000.{ext}", out.name_modifier);
        }
        (VideoCodec::H264(h), Container::Mp4) => {
            let ext = out.extension.clone().unwrap_or_else(|| "mp4".into());
            // Captions in a file output are not emulated: an input's 608 is dropped, as
            // MediaConvert drops captions an output does not ask for.
            args.extend([
                "-filter_complex".into(),
                format!(
                    "[0:v]scale={}:{},setsar=1,sidedata=mode=delete:type=A53_CC[v0]",
                    video.width, video.height
                ),
                "-map".into(),
                "[v0]".into(),
            ]);
            if let Some(a) = &out.audio {
                if probe.has_audio {
                    args.extend(["-map".into(), format!("0:a:{}", a.track)]);
                } else {
                    // MediaConvert gives a silent input its audio track anyway.
                    args.splice(
                        2..2,
                        [
                            "-f".to_string(),
                            "lavfi".into(),
                            "-i".into(),
                            format!(
                                "anullsrc=channel_layout=stereo:sample_rate={}",
                                a.sample_rate
                            ),
                        ],
                    );
                    args.extend(["-map".into(), "1:a".into(), "-shortest".into()]);
                }
                args.extend(audio_args(0, a));
            }
            args.extend(video_args(0, h, probe, None));
            args.extend(["-movflags".into(), "+faststart".into()]);
            name = format!("{base}{}.{ext}", out.name_modifier);
            args.push(dir.join(&name).display().to_string());
        }
        _ => {
            return Err(JobError::Io(format!(
                "{}: container and codec do not go together",
                out.path
            )))
        }
    }
    ffmpeg::run(&args, probe.duration, progress)?;
    Ok(name)
}
