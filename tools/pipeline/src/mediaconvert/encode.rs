//! The H.264 encodes of a job, each kept as a video-only MPEG-TS file named after what made it (the
//! input file's identity, the size and the x264 options): the output groups package them (`-c:v
//! copy`), so groups asking for the same rendition share one encode. With `Context::cache_dir` the
//! files outlive the job and a later job on the same input reuses them (`pipeline run --cache`, which
//! `scripts/make-sample.sh` gives every shape); without it they live in the job's work directory.
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ffmpeg::{self, Probe};
use super::hls::video_args;
use super::settings::H264;
use super::{io, Context, JobError};

/// One rendition's encode: its picture size, `H264Settings`, the segment length its keyframes
/// are forced at (`None`: the GOP alone, as a file output has it), and whether the input's 608
/// captions are kept in it (`CaptionDescriptions` EMBEDDED: x264 writes the decoder's A/53
/// captions as GA94 SEI).
pub struct VideoEncode<'a> {
    pub width: u32,
    pub height: u32,
    pub h264: &'a H264,
    pub segment: Option<u32>,
    pub captions: bool,
}

/// The input as a cache key part: its absolute path, size and modification time.
fn input_identity(input: &Path) -> Result<String, JobError> {
    let meta = std::fs::metadata(input).map_err(|e| io(input, e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let path = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    Ok(format!("{}:{}:{modified}", path.display(), meta.len()))
}

/// The file name of an encode: a digest of everything that decides its bytes. Kept captions add
/// a line (an encode without them keeps the key it had before captions were emulated: for an input
/// without 608 the bytes are the same).
fn file_name(identity: &str, e: &VideoEncode, probe: &Probe) -> String {
    let args = video_args(0, e.h264, probe, e.segment);
    let mut h = Sha256::new();
    h.update(
        format!(
            "v1\n{identity}\n{}x{}\n{}\n",
            e.width,
            e.height,
            args.join(" ")
        )
        .as_bytes(),
    );
    if e.captions {
        h.update(b"captions=embedded-608\n");
    }
    let digest = hex::encode(h.finalize());
    format!(
        "h264-{}x{}-{}.ts",
        e.width,
        e.height,
        digest.get(..16).unwrap_or(&digest)
    )
}

/// The packaging run's inputs: the encodes (made first where missing), `-i` each in order, then
/// the job's input for the audio (input number `encodes.len()`).
pub fn package_inputs(
    ctx: &Context,
    probe: &Probe,
    encodes: &[VideoEncode],
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<String>, JobError> {
    let mut args = Vec::new();
    for f in videos(ctx, probe, encodes, progress)? {
        args.extend(["-i".into(), f.display().to_string()]);
    }
    args.extend(["-i".into(), ctx.input.display().to_string()]);
    Ok(args)
}

/// The encodes' files, in order: those not there yet are made by one ffmpeg run (the input decoded
/// once, split and scaled per size). `progress` gets 0..=1 of that run.
pub fn videos(
    ctx: &Context,
    probe: &Probe,
    encodes: &[VideoEncode],
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<PathBuf>, JobError> {
    let dir = ctx
        .cache_dir
        .map_or_else(|| ctx.work_dir.join("encodes"), Path::to_path_buf);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let identity = input_identity(ctx.input)?;
    let files: Vec<PathBuf> = (encodes.iter())
        .map(|e| dir.join(file_name(&identity, e, probe)))
        .collect();
    // The missing ones, each once (two outputs of a group may ask for the same encode).
    let mut missing: Vec<(usize, &PathBuf)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if !f.is_file() && !missing.iter().any(|(_, m)| *m == f) {
            missing.push((i, f));
        }
    }
    if missing.is_empty() {
        progress(1.0);
        return Ok(files);
    }
    let sizes: Vec<(u32, u32, bool)> = (missing.iter())
        .filter_map(|(i, _)| encodes.get(*i).map(|e| (e.width, e.height, e.captions)))
        .collect();
    let mut args: Vec<String> = vec![
        "-i".into(),
        ctx.input.display().to_string(),
        "-filter_complex".into(),
        ffmpeg::scale_graph(&sizes),
    ];
    let mut partial = Vec::new();
    for (j, (i, f)) in missing.iter().enumerate() {
        let Some(e) = encodes.get(*i) else { continue };
        // Written beside its final name, renamed when ffmpeg is done: a file there is whole.
        let tmp = f.with_extension(format!("{}.part.ts", std::process::id()));
        args.extend(["-map".into(), format!("[v{j}]"), "-an".into()]);
        args.extend(video_args(0, e.h264, probe, e.segment));
        if e.captions {
            args.extend(["-a53cc".into(), "1".into()]);
        }
        args.extend(["-f".into(), "mpegts".into(), tmp.display().to_string()]);
        partial.push((tmp, (*f).clone()));
    }
    let ran = ffmpeg::run(&args, probe.duration, progress);
    if let Err(e) = ran {
        for (tmp, _) in &partial {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    for (tmp, f) in &partial {
        std::fs::rename(tmp, f).map_err(|e| io(f, e))?;
    }
    Ok(files)
}
