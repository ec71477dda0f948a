//! `CMAF_GROUP_SETTINGS`: one ffmpeg run writes every output as its own fragmented-MP4 rendition
//! (video-only or audio-only) under ffmpeg's names; they then get MediaConvert's names
//! (`<base><NameModifier>init.cmfv`, `<base><NameModifier>_000000001.cmfv`, `.cmfa` for audio) and
//! the playlists MediaConvert's CMAF text.
//!
//! A video output with `CaptionDescriptions` `DestinationType: EMBEDDED` keeps the input's CEA-608
//! in its samples (the encode's GA94 SEI, copied into the fragments), as the Apple HLS group's
//! passthrough does. The master says nothing of them: `CmafGroupSettings` has no
//! `CaptionLanguageSetting` or language mappings (the Apple HLS group's CLOSED-CAPTIONS lines), and
//! MediaConvert's captions support table for the CMAF output container lists sidecar outputs only
//! (IMSC, WebVTT), so this passthrough goes past what it documents. A player finds such captions in
//! the video, as for an Apple HLS master written with `CaptionLanguageSetting` OMIT.
use std::path::Path;

use super::ffmpeg::{self, Probe};
use super::hls::audio_args;
use super::playlist::{self, AudioRendition, Segment, Variant};
use super::settings::{Cmaf, Group, VideoCodec};
use super::{encode, fragments, io, reader, Context, JobError};

/// Encodes the group; returns the master playlist's file name.
pub fn run(
    group: &Group,
    cmaf: &Cmaf,
    ctx: &Context,
    probe: &Probe,
    dir: &Path,
    base: &str,
    progress: &mut dyn FnMut(f64),
) -> Result<String, JobError> {
    let work = ctx.work_dir.join("cmaf");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| io(&work, e))?;

    let videos: Vec<_> = group
        .outputs
        .iter()
        .filter_map(|o| match o.video.as_ref().map(|v| (v, &v.codec)) {
            Some((v, VideoCodec::H264(h))) => Some((o, v, h)),
            _ => None,
        })
        .collect();
    let audios: Vec<_> = group
        .outputs
        .iter()
        .filter_map(|o| o.audio.as_ref().map(|a| (o, a)))
        .collect();
    if videos.is_empty() {
        return Err(
            reader::err(&format!("{}.Outputs", group.path), "no H_264 video output").into(),
        );
    }

    // The video encodes first (shared with the job's other groups, or a cache), then one ffmpeg
    // run packages them, copied, with the audio encoded beside them.
    let encodes: Vec<encode::VideoEncode> = (videos.iter())
        .map(|(o, v, h)| encode::VideoEncode {
            width: v.width,
            height: v.height,
            h264: h,
            segment: Some(cmaf.segment_length),
            captions: o.embedded_captions.is_some(),
        })
        .collect();
    let mut args = encode::package_inputs(ctx, probe, &encodes, &mut |f| progress(f * 0.8))?;
    let n = videos.len();
    let silence = !audios.is_empty() && !probe.has_audio;
    if silence {
        let rate = audios.first().map_or(48_000, |(_, a)| a.sample_rate);
        args.extend(ffmpeg::silence_input(rate));
    }
    let mut stream_map = Vec::new();
    for i in 0..n {
        args.extend([
            "-map".into(),
            format!("{i}:v:0"),
            format!("-c:v:{i}"),
            "copy".into(),
        ]);
        stream_map.push(format!("v:{i},name:{i}"));
    }
    for (j, (_, a)) in audios.iter().enumerate() {
        // The audio selector's track of the input (or the silence).
        let map = if silence {
            format!("{}:a", n + 1)
        } else {
            format!("{n}:a:{}", a.track)
        };
        args.extend(["-map".into(), map]);
        args.extend(audio_args(j, a));
        stream_map.push(format!("a:{j},name:{}", n + j));
    }
    if !audios.is_empty() && !probe.has_audio {
        args.push("-shortest".into());
    }
    args.extend([
        "-f".into(),
        "hls".into(),
        // Pieces of FragmentLength (cut at the first keyframe after each multiple of it), made
        // into segments below.
        "-hls_time".into(),
        cmaf.fragment_length.to_string(),
        "-hls_playlist_type".into(),
        "vod".into(),
        "-hls_segment_type".into(),
        "fmp4".into(),
        "-start_number".into(),
        "1".into(),
        "-hls_fmp4_init_filename".into(),
        "init_%v.mp4".into(),
        "-hls_segment_filename".into(),
        work.join("s%v_%09d.m4s").display().to_string(),
        "-var_stream_map".into(),
        stream_map.join(" "),
        work.join("p%v.m3u8").display().to_string(),
    ]);
    ffmpeg::run(&args, probe.duration, &mut |f| progress(0.8 + f * 0.2))?;

    // Every rendition: its segments made of ffmpeg's fragment-long pieces, written as files (or as
    // byte ranges of one file), its playlist written; returns (playlist, segments, init).
    let place =
        |k: usize, stem: &str, ext: &str| -> Result<(String, Vec<Segment>, Vec<u8>), JobError> {
            let listed = work.join(format!("p{k}.m3u8"));
            let text = std::fs::read_to_string(&listed).map_err(|e| io(&listed, e))?;
            let mut init = Vec::new();
            let mut pieces = Vec::new();
            let mut duration = None;
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("#EXT-X-MAP:URI=\"") {
                    let from = work.join(rest.trim_end_matches('"'));
                    init = std::fs::read(&from).map_err(|e| io(&from, e))?;
                } else if let Some(d) = line.strip_prefix("#EXTINF:") {
                    duration = d.split(',').next().and_then(|d| d.parse::<f64>().ok());
                } else if !line.starts_with('#') && !line.is_empty() {
                    pieces.push((work.join(line), duration.take().unwrap_or(0.0)));
                }
            }
            let durations: Vec<f64> = pieces.iter().map(|(_, d)| *d).collect();
            let groups =
                fragments::group_pieces(&durations, cmaf.segment_length, cmaf.min_final_segment);
            let single = format!("{stem}.{ext}");
            let init_name = format!("{stem}init.{ext}");
            let (map_uri, map_len) = if cmaf.single_file {
                (single.as_str(), Some(init.len() as u64))
            } else {
                (init_name.as_str(), None)
            };
            let to = dir.join(map_uri);
            std::fs::write(&to, &init).map_err(|e| io(&to, e))?;
            let mut offset = init.len() as u64;
            let mut segments = Vec::new();
            for group in &groups {
                let files: Vec<&(std::path::PathBuf, f64)> =
                    group.iter().filter_map(|i| pieces.get(*i)).collect();
                let duration = files.iter().map(|(_, d)| d).sum();
                let uri = format!("{stem}_{:09}.{ext}", segments.len() + 1);
                let mut parts = Vec::new();
                for (from, _) in &files {
                    parts.push(std::fs::read(from).map_err(|e| io(from, e))?);
                }
                let joined = fragments::join_pieces(&parts)
                    .map_err(|m| JobError::Ffmpeg(format!("{}: {m}", listed.display())))?;
                let target = dir.join(if cmaf.single_file { &single } else { &uri });
                append_or_write(&target, &joined, cmaf.single_file)?;
                let bytes = joined.len() as u64;
                segments.push(Segment {
                    duration,
                    uri: if cmaf.single_file {
                        single.clone()
                    } else {
                        uri
                    },
                    bytes,
                    offset: cmaf.single_file.then_some(offset),
                });
                offset += bytes;
            }
            let media = format!("{stem}.m3u8");
            let path = dir.join(&media);
            let map = playlist::Map {
                uri: map_uri,
                length: map_len,
            };
            let text = playlist::media_playlist(&segments, cmaf.integer_durations, None, Some(map));
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
            Ok((media, segments, init))
        };

    let mut renditions = Vec::new();
    let mut audio_peak = 0;
    let mut audio_bps = 0;
    for (j, (out, a)) in audios.iter().enumerate() {
        let (media, segments, _) = place(n + j, &format!("{base}{}", out.name_modifier), "cmfa")?;
        audio_peak = audio_peak.max(playlist::peak_bandwidth(&segments, cmaf.segment_length, 0));
        audio_bps = audio_bps.max(a.bitrate);
        renditions.push(AudioRendition::of(out.audio_track.as_ref(), a, j, media));
    }
    let mut variants = Vec::new();
    for (i, (out, video, h)) in videos.iter().enumerate() {
        let (media, segments, init) = place(i, &format!("{base}{}", out.name_modifier), "cmfv")?;
        let sps = playlist::find_avcc(&init).ok_or_else(|| {
            JobError::Ffmpeg(format!("{}: no avcC in the init segment", out.path))
        })?;
        let mut codecs = playlist::avc_codec(sps, true);
        if !audios.is_empty() {
            codecs.push_str(",mp4a.40.2");
        }
        let average = playlist::average_bandwidth(h.bitrate, audio_bps);
        let video_peak = playlist::peak_bandwidth(&segments, cmaf.segment_length, 0);
        let fps = h
            .framerate
            .map_or(probe.fps_f64(), |(n, d)| f64::from(n) / f64::from(d.max(1)));
        variants.push(Variant {
            uri: media,
            bandwidth: (video_peak + audio_peak).max(average),
            average_bandwidth: average,
            codecs,
            resolution: cmaf.resolution.then_some((video.width, video.height)),
            frame_rate: fps,
            audio_group: None,
            subtitles: None,
            closed_captions: None,
        });
    }
    let group_id = renditions.first().map(|r| r.group_id.clone());
    let master = format!("{base}.m3u8");
    let path = dir.join(&master);
    std::fs::write(
        &path,
        playlist::cmaf_master(&variants, group_id.as_deref(), &renditions),
    )
    .map_err(|e| io(&path, e))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(master)
}

/// Writes `bytes` to `path`, or appends them (the segments of a single-file rendition, after its init).
fn append_or_write(path: &Path, bytes: &[u8], append: bool) -> Result<(), JobError> {
    use std::io::Write;
    if !append {
        return std::fs::write(path, bytes).map_err(|e| io(path, e));
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| io(path, e))?;
    f.write_all(bytes).map_err(|e| io(path, e))
}
