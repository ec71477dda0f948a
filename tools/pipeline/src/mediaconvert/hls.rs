//! `HLS_GROUP_SETTINGS`: one ffmpeg run encodes every output into MPEG-TS segments under ffmpeg's
//! own names in the work directory; the segments then get MediaConvert's names
//! (`<base><NameModifier><SegmentModifier>_00001.ts`) and the playlists MediaConvert's text.
use std::path::Path;

use super::ffmpeg::{self, Probe};
use super::playlist::{self, Segment, Variant};
use super::settings::{Audio, ClosedCaptions, Container, Group, Hls, VideoCodec, H264};
use super::{aes128, encode, hls_audio, io, move_output, reader, webvtt, Context, JobError};

/// x264 options for output stream `i` from `H264Settings`. Keyframes are forced at every segment
/// boundary (`segment`), as MediaConvert's segmenter cuts on them.
pub fn video_args(i: usize, h: &H264, probe: &Probe, segment: Option<u32>) -> Vec<String> {
    let fps = h
        .framerate
        .map_or(probe.fps_f64(), |(n, d)| f64::from(n) / f64::from(d.max(1)));
    let gop = if h.gop_in_frames {
        h.gop_size.round()
    } else {
        (h.gop_size * fps).round()
    }
    .max(1.0) as u64;
    let max = if h.cbr {
        h.bitrate
    } else {
        h.max_bitrate.unwrap_or(h.bitrate * 3 / 2)
    };
    let mut a = vec![
        format!("-c:v:{i}"),
        "libx264".into(),
        format!("-preset:v:{i}"),
        "veryfast".into(),
        format!("-profile:v:{i}"),
        h.profile.into(),
        format!("-pix_fmt:v:{i}"),
        "yuv420p".into(),
        format!("-b:v:{i}"),
        h.bitrate.to_string(),
        format!("-maxrate:v:{i}"),
        max.to_string(),
        format!("-bufsize:v:{i}"),
        (max * 2).to_string(),
        format!("-g:v:{i}"),
        gop.to_string(),
        format!("-keyint_min:v:{i}"),
        gop.to_string(),
        format!("-bf:v:{i}"),
        h.b_frames.to_string(),
        format!("-refs:v:{i}"),
        h.ref_frames.to_string(),
        format!("-coder:v:{i}"),
        (if h.cabac { "1" } else { "0" }).into(),
        format!("-sc_threshold:v:{i}"),
        (if h.scene_change_detect { "40" } else { "0" }).into(),
        format!("-flags:v:{i}"),
        "+cgop".into(),
    ];
    if let Some(level) = h.level {
        a.extend([format!("-level:v:{i}"), level.into()]);
    }
    if let Some((n, d)) = h.framerate {
        a.extend([format!("-r:v:{i}"), format!("{n}/{d}")]);
    }
    if let Some(seg) = segment {
        a.extend([
            format!("-force_key_frames:v:{i}"),
            format!("expr:gte(t,n_forced*{seg})"),
        ]);
    }
    a
}

pub fn audio_args(i: usize, a: &Audio) -> Vec<String> {
    vec![
        format!("-c:a:{i}"),
        "aac".into(),
        format!("-b:a:{i}"),
        a.bitrate.to_string(),
        format!("-ar:a:{i}"),
        a.sample_rate.to_string(),
        format!("-ac:a:{i}"),
        a.channels.to_string(),
    ]
}

/// Encodes the group; returns the master playlist's file name.
pub fn run(
    group: &Group,
    hls: &Hls,
    ctx: &Context,
    probe: &Probe,
    dir: &Path,
    base: &str,
    progress: &mut dyn FnMut(f64),
) -> Result<String, JobError> {
    let work = ctx.work_dir.join("hls");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| io(&work, e))?;

    let mut pids = None;
    let mut renditions = Vec::new();
    let mut audio_only = Vec::new();
    let mut caption_outs = Vec::new();
    for out in &group.outputs {
        if let Some(c) = &out.captions {
            caption_outs.push((out, c));
            continue;
        }
        if let (None, Some(a)) = (&out.video, &out.audio) {
            audio_only.push((out, a));
            continue;
        }
        let (
            Some(video),
            Container::M3u8 {
                pmt_pid,
                video_pid,
                audio_pid,
            },
        ) = (&out.video, out.container)
        else {
            return Err(reader::err(&out.path, "not an M3U8 output").into());
        };
        let VideoCodec::H264(h) = &video.codec else {
            return Err(reader::err(
                &format!("{}.VideoDescription.CodecSettings.Codec", out.path),
                "not H_264",
            )
            .into());
        };
        // ffmpeg numbers the TS streams from one start PID: video first, then audio.
        if audio_pid != video_pid + 1 {
            return Err(reader::err(
                &format!("{}.ContainerSettings.M3u8Settings.AudioPids", out.path),
                "an audio PID other than VideoPid + 1 not emulated",
            )
            .into());
        }
        match pids {
            None => pids = Some((pmt_pid, video_pid)),
            Some(p) if p != (pmt_pid, video_pid) => {
                return Err(reader::err(
                    &format!("{}.ContainerSettings.M3u8Settings", out.path),
                    "PIDs differing between the outputs of a group not emulated",
                )
                .into());
            }
            Some(_) => {}
        }
        renditions.push((out, video, h));
    }
    let (pmt_pid, start_pid) = pids.unwrap_or((480, 481));

    // The video encodes first (shared with the job's other groups, or a cache), then one ffmpeg
    // run packages them, copied, with the audio encoded beside them.
    let encodes: Vec<encode::VideoEncode> = (renditions.iter())
        .map(|(out, video, h)| encode::VideoEncode {
            width: video.width,
            height: video.height,
            h264: h,
            segment: Some(hls.segment_length),
            captions: out.embedded_captions.is_some(),
        })
        .collect();
    let mut args = encode::package_inputs(ctx, probe, &encodes, &mut |f| progress(f * 0.8))?;
    let n = renditions.len();
    let wants_audio = renditions.iter().any(|(o, _, _)| o.audio.is_some());
    let silence = wants_audio && !probe.has_audio;
    if silence {
        let rate = renditions
            .iter()
            .find_map(|(o, _, _)| o.audio.as_ref())
            .map_or(48_000, |a| a.sample_rate);
        args.extend(ffmpeg::silence_input(rate));
    }
    // The audio selector's track of the input (or the silence).
    let audio_map = |a: &Audio| {
        if silence {
            format!("{}:a", n + 1)
        } else {
            format!("{n}:a:{}", a.track)
        }
    };
    for i in 0..n {
        args.extend([
            "-map".into(),
            format!("{i}:v:0"),
            format!("-c:v:{i}"),
            "copy".into(),
        ]);
    }
    let mut audio_index = 0;
    let mut stream_map = Vec::new();
    for (i, (out, _, _)) in renditions.iter().enumerate() {
        if out.audio.is_some() {
            stream_map.push(format!("v:{i},a:{audio_index},name:{i}"));
            audio_index += 1;
        } else {
            stream_map.push(format!("v:{i},name:{i}"));
        }
    }
    for (out, _, _) in &renditions {
        if let Some(a) = &out.audio {
            args.extend(["-map".into(), audio_map(a)]);
        }
    }
    let mut ai = 0;
    for (out, _, _) in &renditions {
        if let Some(a) = &out.audio {
            args.extend(audio_args(ai, a));
            ai += 1;
        }
    }
    if wants_audio && !probe.has_audio {
        args.push("-shortest".into());
    }
    // The video of each rendition comes from its own file and the audio from the source, each
    // read on its own thread: without a bound on how far the muxer may run ahead of a stream it
    // would interleave as the threads happen to deliver, and two runs would write different bytes.
    args.extend(["-max_interleave_delta".into(), "0".into()]);
    args.extend(ts_muxer_args(
        hls.segment_length,
        format!("mpegts_pmt_start_pid={pmt_pid}:mpegts_start_pid={start_pid}"),
        &stream_map,
        (&work.join("s%v_%05d.ts"), &work.join("p%v.m3u8")),
    ));
    ffmpeg::run(&args, probe.duration, &mut |f| progress(0.8 + f * 0.2))?;
    // The alternate audio starts where the video does, as the muxed audio would.
    let video_start = ffmpeg::video_start(&work.join("s0_00001.ts"));
    let audio_group = hls_audio::run(
        &audio_only,
        hls,
        ctx,
        probe,
        (dir, base),
        &work,
        video_start,
    )?;

    let mut variants = Vec::new();
    // The first video rendition's segment durations: MATCH_VIDEO cuts the captions there.
    let mut first_video: Option<Vec<f64>> = None;
    for (i, (out, video, h)) in renditions.iter().enumerate() {
        let modifier = playlist::expand_modifier(
            &out.segment_modifier,
            ctx.dt,
            video.width,
            video.height,
            h.bitrate,
        )
        .map_err(|m| {
            reader::err(
                &format!("{}.OutputSettings.HlsSettings.SegmentModifier", out.path),
                m,
            )
        })?;
        let stem = format!("{base}{}", out.name_modifier);
        let listed = work.join(format!("p{i}.m3u8"));
        let text = std::fs::read_to_string(&listed).map_err(|e| io(&listed, e))?;
        let mut segments = Vec::new();
        let mut duration = None;
        let mut sps = None;
        for line in text.lines() {
            if let Some(d) = line.strip_prefix("#EXTINF:") {
                duration = d
                    .trim_end_matches(',')
                    .split(',')
                    .next()
                    .and_then(|d| d.parse::<f64>().ok());
            } else if !line.starts_with('#') && !line.is_empty() {
                let from = work.join(line);
                let uri = format!("{stem}{modifier}_{:05}.ts", segments.len() + 1);
                let to = dir.join(&uri);
                if sps.is_none() {
                    let bytes = std::fs::read(&from).map_err(|e| io(&from, e))?;
                    sps = playlist::find_sps(&bytes);
                }
                let bytes = match &hls.key {
                    None => move_output(&from, &to)?,
                    // Segment n of the playlist (MEDIA-SEQUENCE 1) is encrypted with IV n
                    // unless a constant IV is given.
                    Some(k) => aes128::encrypt_file(&from, &to, k, segments.len() as u64 + 1)?,
                };
                segments.push(Segment {
                    duration: duration.take().unwrap_or(0.0),
                    uri,
                    bytes,
                    offset: None,
                });
            }
        }
        if first_video.is_none() {
            first_video = Some(segments.iter().map(|s| s.duration).collect::<Vec<f64>>());
        }
        let media = format!("{stem}.m3u8");
        let text =
            playlist::media_playlist(&segments, hls.integer_durations, hls.key.as_ref(), None);
        let path = dir.join(&media);
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;

        let sps = sps.ok_or_else(|| {
            JobError::Ffmpeg(format!("{}: no H.264 SPS in the first segment", out.path))
        })?;
        // A video-only output with alternate audio: its STREAM-INF names the audio group and
        // counts the audio (RFC 8216: CODECS lists every codec of the presentation).
        let alternate = out.audio.is_none() && !audio_group.renditions.is_empty();
        if alternate && !(audio_group.renditions.iter()).any(|r| r.group_id == out.rendition_set) {
            return Err(reader::err(
                &format!("{}.OutputSettings.HlsSettings.AudioRenditionSets", out.path),
                format!(
                    "{}: no audio-only output has this AudioGroupId",
                    out.rendition_set
                ),
            )
            .into());
        }
        let audio_bps = match &out.audio {
            Some(a) => a.bitrate,
            None if alternate => audio_group.bitrate,
            None => 0,
        };
        let mut codecs = playlist::avc_codec(sps, hls.rfc_6381);
        if out.audio.is_some() || alternate {
            codecs.push_str(",mp4a.40.2");
        }
        let average = playlist::average_bandwidth(h.bitrate, audio_bps);
        let fps = h
            .framerate
            .map_or(probe.fps_f64(), |(n, d)| f64::from(n) / f64::from(d.max(1)));
        let bandwidth = if alternate {
            (playlist::peak_bandwidth(&segments, hls.segment_length, 0) + audio_group.peak)
                .max(average)
        } else {
            playlist::peak_bandwidth(&segments, hls.segment_length, average)
        };
        variants.push(Variant {
            uri: media,
            bandwidth,
            average_bandwidth: average,
            codecs,
            resolution: hls.resolution.then_some((video.width, video.height)),
            frame_rate: fps,
            audio_group: alternate.then(|| out.rendition_set.clone()),
            subtitles: (!caption_outs.is_empty()).then(|| webvtt::GROUP_ID.to_string()),
            closed_captions: match &hls.closed_captions {
                ClosedCaptions::Omit => None,
                ClosedCaptions::None => Some("NONE".into()),
                ClosedCaptions::Insert(_) => Some(format!("\"{}\"", playlist::CC_GROUP_ID)),
            },
        });
    }
    // MediaConvert leaves hosting the key to its owner; a relative Url is written beside the
    // playlists so the CDN serves it behind the same cookies and the output plays locally.
    if let Some(key) = &hls.key {
        if !key.url.contains("://") && !key.url.starts_with('/') && !key.url.contains("..") {
            let bytes = hex::decode(&key.key_hex).map_err(|e| JobError::Io(format!("key: {e}")))?;
            let path = dir.join(&key.url);
            std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        }
    }
    let master = format!("{base}.m3u8");
    let path = dir.join(&master);
    let subtitles = webvtt::write_outputs(
        &caption_outs,
        hls,
        ctx,
        (dir, base),
        &first_video.unwrap_or_default(),
        video_start,
    )?;
    let closed = match &hls.closed_captions {
        ClosedCaptions::Insert(m) => m.as_slice(),
        _ => &[],
    };
    let text = playlist::master_playlist(&variants, &audio_group.renditions, &subtitles, closed);
    std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(master)
}

/// ffmpeg's HLS muxer writing MPEG-TS VOD segments numbered from 1, one variant per
/// `stream_map` entry: `files` are the segment and playlist name patterns (`%v` the variant).
pub(super) fn ts_muxer_args(
    segment_length: u32,
    segment_options: String,
    stream_map: &[String],
    files: (&Path, &Path),
) -> Vec<String> {
    vec![
        "-f".into(),
        "hls".into(),
        "-hls_time".into(),
        segment_length.to_string(),
        "-hls_playlist_type".into(),
        "vod".into(),
        "-hls_segment_type".into(),
        "mpegts".into(),
        "-start_number".into(),
        "1".into(),
        "-hls_segment_options".into(),
        segment_options,
        "-hls_segment_filename".into(),
        files.0.display().to_string(),
        "-var_stream_map".into(),
        stream_map.join(" "),
        files.1.display().to_string(),
    ]
}
