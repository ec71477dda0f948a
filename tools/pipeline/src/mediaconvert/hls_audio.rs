//! Apple HLS audio-only outputs (`AudioOnlyContainer: M2TS`): the alternate audio renditions a
//! video-only output names with `AudioRenditionSets`. One ffmpeg run writes them all as MPEG-TS
//! (PMT and audio PID from the output's `M3u8Settings`); they get MediaConvert's names, playlists and
//! `EXT-X-MEDIA` lines.
use std::path::Path;

use super::ffmpeg::{self, Probe};
use super::hls::{audio_args, ts_muxer_args};
use super::playlist::{self, AudioRendition, Segment};
use super::settings::{Audio, Container, Hls, Output};
use super::{aes128, io, move_output, reader, Context, JobError};

/// What the variants need from the audio renditions: their EXT-X-MEDIA, the largest peak and the
/// largest configured bitrate (BANDWIDTH and AVERAGE-BANDWIDTH add them to the video's).
pub struct AudioGroup {
    pub renditions: Vec<AudioRendition>,
    pub peak: u64,
    pub bitrate: u64,
}

/// Encodes and writes the audio-only outputs `outs` into `dir`; `work` is scratch space.
pub fn run(
    outs: &[(&Output, &Audio)],
    hls: &Hls,
    ctx: &Context,
    probe: &Probe,
    (dir, base): (&Path, &str),
    work: &Path,
    video_start: Option<f64>,
) -> Result<AudioGroup, JobError> {
    let mut group = AudioGroup {
        renditions: Vec::new(),
        peak: 0,
        bitrate: 0,
    };
    let Some((first, _)) = outs.first() else {
        return Ok(group);
    };
    let Container::M3u8 {
        pmt_pid, audio_pid, ..
    } = first.container
    else {
        return Err(reader::err(&first.path, "not an M3U8 output").into());
    };
    for (out, _) in outs {
        if !matches!(out.container, Container::M3u8 { pmt_pid: p, audio_pid: a, .. } if p == pmt_pid && a == audio_pid)
        {
            return Err(reader::err(
                &format!("{}.ContainerSettings.M3u8Settings", out.path),
                "PIDs differing between the audio-only outputs of a group not emulated",
            )
            .into());
        }
    }
    // Sample 0 of the audio at the video's first PTS (the TS muxer's offset and the B-frame delay
    // included), timestamps kept: the renditions line up with the video-only ones.
    let offset = |args: &mut Vec<String>| {
        if let Some(t) = video_start {
            args.extend(["-itsoffset".into(), format!("{t:.6}")]);
        }
    };
    let mut args: Vec<String> = Vec::new();
    if video_start.is_some() {
        args.push("-copyts".into());
    }
    offset(&mut args);
    args.extend(["-i".into(), ctx.input.display().to_string()]);
    let silence = !probe.has_audio;
    if silence {
        offset(&mut args);
        args.extend(["-t".into(), probe.duration.to_string()]);
        args.extend(ffmpeg::silence_input(
            outs.first().map_or(48_000, |(_, a)| a.sample_rate),
        ));
    }
    let mut stream_map = Vec::new();
    for (j, (_, a)) in outs.iter().enumerate() {
        let map = if silence {
            "1:a".to_string()
        } else {
            format!("0:a:{}", a.track)
        };
        args.extend(["-map".into(), map]);
        args.extend(audio_args(j, a));
        stream_map.push(format!("a:{j},name:{j}"));
    }
    args.extend(ts_muxer_args(
        hls.segment_length,
        format!(
            "mpegts_pmt_start_pid={pmt_pid}:mpegts_start_pid={audio_pid}{}",
            if video_start.is_some() {
                ":mpegts_copyts=1"
            } else {
                ""
            }
        ),
        &stream_map,
        (&work.join("a%v_%05d.ts"), &work.join("ap%v.m3u8")),
    ));
    ffmpeg::run(&args, probe.duration, &mut |_| {})?;

    for (j, (out, a)) in outs.iter().enumerate() {
        let modifier = playlist::expand_modifier(&out.segment_modifier, ctx.dt, 0, 0, a.bitrate)
            .map_err(|m| {
                reader::err(
                    &format!("{}.OutputSettings.HlsSettings.SegmentModifier", out.path),
                    m,
                )
            })?;
        let stem = format!("{base}{}", out.name_modifier);
        let listed = work.join(format!("ap{j}.m3u8"));
        let text = std::fs::read_to_string(&listed).map_err(|e| io(&listed, e))?;
        let mut pieces: Vec<(std::path::PathBuf, f64)> = Vec::new();
        let mut duration = None;
        for line in text.lines() {
            if let Some(d) = line.strip_prefix("#EXTINF:") {
                duration = d.split(',').next().and_then(|d| d.parse::<f64>().ok());
            } else if !line.starts_with('#') && !line.is_empty() {
                pieces.push((work.join(line), duration.take().unwrap_or(0.0)));
            }
        }
        // MinFinalSegmentLength: the audio runs an AAC frame past the video; a last sliver joins
        // the segment before (MPEG-TS files concatenate).
        if let [.., (prev, prev_d), (last, last_d)] = pieces.as_mut_slice() {
            if *last_d < hls.min_final_segment {
                let tail = std::fs::read(&*last).map_err(|e| io(last, e))?;
                let mut head = std::fs::read(&*prev).map_err(|e| io(prev, e))?;
                head.extend_from_slice(&tail);
                std::fs::write(&*prev, head).map_err(|e| io(prev, e))?;
                *prev_d += *last_d;
                pieces.pop();
            }
        }
        let mut segments = Vec::new();
        for (from, d) in &pieces {
            let uri = format!("{stem}{modifier}_{:05}.ts", segments.len() + 1);
            let to = dir.join(&uri);
            let bytes = match &hls.key {
                None => move_output(from, &to)?,
                Some(k) => aes128::encrypt_file(from, &to, k, segments.len() as u64 + 1)?,
            };
            segments.push(Segment {
                duration: *d,
                uri,
                bytes,
                offset: None,
            });
        }
        let media = format!("{stem}.m3u8");
        let path = dir.join(&media);
        let text =
            playlist::media_playlist(&segments, hls.integer_durations, hls.key.as_ref(), None);
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        group.peak = group
            .peak
            .max(playlist::peak_bandwidth(&segments, hls.segment_length, 0));
        group.bitrate = group.bitrate.max(a.bitrate);
        group
            .renditions
            .push(AudioRendition::of(out.audio_track.as_ref(), a, j, media));
    }
    Ok(group)
}
