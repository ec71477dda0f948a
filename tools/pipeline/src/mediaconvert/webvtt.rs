//! WebVTT caption outputs of the Apple HLS group (`DestinationType: WEBVTT`, a sidecar `.vtt` as the
//! caption selector's source): the cues cut into segments as `CaptionSegmentLengthControl` says
//! (LARGE_SEGMENTS: 300 s; MATCH_VIDEO: where the first video rendition's segments are cut), a cue
//! across a cut in both segments, each segment starting with `X-TIMESTAMP-MAP` tying cue time 0 to the
//! video's first PTS. Cue times in the source count from the first video frame.
use std::path::Path;

use super::playlist::{self, SubtitleRendition};
use super::settings::{Captions, Hls, Output};
use super::{io, reader, Context, JobError};

/// The master's subtitles group.
pub const GROUP_ID: &str = "subs";

/// One cue of the source: start and end (seconds) and its text lines (settings dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// MediaConvert's LARGE_SEGMENTS caption segment length (seconds).
pub const LARGE_SEGMENT: f64 = 300.0;

/// `[hh:]mm:ss.mmm` to seconds.
fn seconds(t: &str) -> Option<f64> {
    t.split(':').try_fold(0.0, |acc, part| {
        Some(acc * 60.0 + part.parse::<f64>().ok()?)
    })
}

/// The cues of a WebVTT file; a timing line that does not parse is an error naming its line.
pub fn parse(text: &str) -> Result<Vec<Cue>, String> {
    let mut cues = Vec::new();
    let mut current: Option<Cue> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if let Some((from, rest)) = line.split_once("-->") {
            let to = rest.split_whitespace().next().unwrap_or("");
            let (Some(start), Some(end)) = (seconds(from.trim()), seconds(to)) else {
                return Err(format!("line {}: not a cue timing: {line}", n + 1));
            };
            current = Some(Cue {
                start,
                end,
                text: String::new(),
            });
        } else if line.is_empty() {
            cues.extend(current.take());
        } else if let Some(c) = &mut current {
            if !c.text.is_empty() {
                c.text.push('\n');
            }
            c.text.push_str(line);
        }
    }
    cues.extend(current);
    Ok(cues)
}

/// `hh:mm:ss.mmm`.
fn timestamp(t: f64) -> String {
    let ms = (t * 1000.0 + 0.5).floor() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The segment windows `(from, to, extinf)`: LARGE_SEGMENTS every 300 s up to `duration` (EXTINF the
/// part of the video it covers); MATCH_VIDEO the video segments' durations as their playlist says.
pub fn windows(match_video: Option<&[f64]>, duration: f64) -> Vec<(f64, f64, f64)> {
    match match_video {
        Some(durations) => {
            let mut t = 0.0;
            (durations.iter())
                .map(|d| {
                    let w = (t, t + d, *d);
                    t += d;
                    w
                })
                .collect()
        }
        None => {
            let mut out = Vec::new();
            let mut from = 0.0;
            while from < duration || out.is_empty() {
                out.push((
                    from,
                    from + LARGE_SEGMENT,
                    (duration - from).min(LARGE_SEGMENT),
                ));
                from += LARGE_SEGMENT;
            }
            out
        }
    }
}

/// One `.vtt` segment: the cues overlapping `[from, to)` that start before the video ends, numbered
/// as in the source.
pub fn segment(cues: &[Cue], from: f64, to: f64, duration: f64, mpegts: u64) -> String {
    let mut s = format!("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{mpegts},LOCAL:00:00:00.000\n");
    for (i, c) in cues.iter().enumerate() {
        if c.start < to && c.end > from && c.start < duration {
            s.push_str(&format!(
                "\n{}\n{} --> {}\n{}\n",
                i + 1,
                timestamp(c.start),
                timestamp(c.end),
                c.text
            ));
        }
    }
    s
}

/// Writes every WebVTT output of the group (`<base><NameModifier>.m3u8` and
/// `<base><NameModifier>_00001.vtt`...) and returns their renditions for the master. `first_video`:
/// the first video rendition's segment durations, as its playlist says them; `video_start`: its
/// first PTS (seconds). The playlists' TARGETDURATION is the video's, whatever the caption segments'
/// length, as MediaConvert writes it.
pub fn write_outputs(
    outs: &[(&Output, &Captions)],
    hls: &Hls,
    ctx: &Context,
    (dir, base): (&Path, &str),
    first_video: &[f64],
    video_start: Option<f64>,
) -> Result<Vec<SubtitleRendition>, JobError> {
    let mut renditions = Vec::new();
    if outs.is_empty() {
        return Ok(renditions);
    }
    let written: Vec<f64> = (first_video.iter())
        .map(|d| if hls.integer_durations { d.round() } else { *d })
        .collect();
    let duration: f64 = first_video.iter().sum();
    let target = written.iter().fold(1.0f64, |m, d| m.max(d.round()));
    let mpegts = (video_start.unwrap_or(0.0) * 90_000.0 + 0.5).floor() as u64;
    let cuts = windows(hls.captions_match_video.then_some(&written[..]), duration);
    for (j, (out, c)) in outs.iter().enumerate() {
        let at = format!("{}.CaptionDescriptions[0].CaptionSelectorName", out.path);
        let file = source_path(ctx, &c.source).map_err(|m| reader::err(&at, m))?;
        let text = std::fs::read_to_string(&file).map_err(|e| io(&file, e))?;
        let cues = parse(&text).map_err(|m| JobError::Io(format!("{}: {m}", c.source)))?;
        let stem = format!("{base}{}", out.name_modifier);
        let mut list = format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        );
        for (n, (from, to, len)) in cuts.iter().enumerate() {
            let uri = format!("{stem}_{:05}.vtt", n + 1);
            let path = dir.join(&uri);
            std::fs::write(&path, segment(&cues, *from, *to, duration, mpegts))
                .map_err(|e| io(&path, e))?;
            if hls.integer_durations {
                list.push_str(&format!(
                    "#EXTINF:{},\n{uri}\n",
                    (len.round() as u64).max(1)
                ));
            } else {
                list.push_str(&format!("#EXTINF:{len:.5},\n{uri}\n"));
            }
        }
        list.push_str("#EXT-X-ENDLIST\n");
        let media = format!("{stem}.m3u8");
        let path = dir.join(&media);
        std::fs::write(&path, list).map_err(|e| io(&path, e))?;
        renditions.push(SubtitleRendition {
            group_id: GROUP_ID.into(),
            name: (c.description.clone())
                .or_else(|| c.language.as_deref().map(playlist::language_name))
                .unwrap_or_else(|| format!("Subtitles {}", j + 1)),
            default: j == 0,
            language: c.language.clone(),
            uri: media,
        });
    }
    Ok(renditions)
}

/// A sidecar's file: `s3://<this bucket>/<key>` in the bucket's directory.
fn source_path(ctx: &Context, url: &str) -> Result<std::path::PathBuf, String> {
    let rest = url.strip_prefix("s3://").unwrap_or(url);
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket != ctx.bucket {
        return Err(format!(
            "{url}: not in this endpoint's bucket ({})",
            ctx.bucket
        ));
    }
    if key.is_empty()
        || key
            .split('/')
            .any(|p| p == ".." || p == "." || p.is_empty())
    {
        return Err(format!("{url}: not an object key"));
    }
    Ok(ctx.bucket_dir.join(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_parse_with_their_lines_and_without_settings() {
        let text = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000 line:90%\nOne\n\n02:09.500 --> 02:10.500\nTwo\nlines  \n";
        assert_eq!(
            parse(text).unwrap(),
            [
                Cue {
                    start: 1.0,
                    end: 3.0,
                    text: "One".into()
                },
                Cue {
                    start: 129.5,
                    end: 130.5,
                    text: "Two\nlines".into()
                },
            ]
        );
        assert!(parse("00:0x:01.000 --> 00:00:02.000\n")
            .unwrap_err()
            .starts_with("line 1:"));
    }

    #[test]
    fn a_cue_across_a_cut_is_in_both_segments() {
        let cues = parse("WEBVTT\n\n00:00:09.000 --> 00:00:10.500\nAcross\n\n00:00:12.000 --> 00:00:13.000\nAfter\n").unwrap();
        let w = windows(Some(&[10.0, 10.0]), 20.0);
        assert_eq!(w, [(0.0, 10.0, 10.0), (10.0, 20.0, 10.0)]);
        assert_eq!(
            segment(&cues, 0.0, 10.0, 20.0, 132_000),
            "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:132000,LOCAL:00:00:00.000\n\n1\n00:00:09.000 --> 00:00:10.500\nAcross\n"
        );
        assert!(segment(&cues, 10.0, 20.0, 20.0, 0)
            .contains("\n1\n00:00:09.000 --> 00:00:10.500\nAcross\n\n2\n00:00:12.000"));
        // LARGE_SEGMENTS: one 300 s segment for a minute of video, EXTINF the minute.
        assert_eq!(windows(None, 60.02), [(0.0, 300.0, 60.02)]);
        assert_eq!(windows(None, 400.0).len(), 2);
    }
}
