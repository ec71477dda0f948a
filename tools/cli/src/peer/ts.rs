//! The real MPEG-TS segments of `<peer-data>/ts` against ffmpeg as the oracle: from the first
//! keyframe on, ffmpeg must decode from our fMP4 exactly the frames it decodes from the TS
//! (framemd5), and as many audio samples; streams we do not support are left out with a
//! warning naming them, and a segment with nothing supported is refused with a clear message.
use super::verdict::{Outcome, Row};
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Video {
    /// Frame-exact: ours equal the TS's frames from `skip` on (frames ffmpeg shows before the
    /// keyframe, which we start at).
    Same { skip: usize },
    /// The TS has no video we support: none in ours, a warning containing this.
    Dropped(&'static str),
    /// No video in the TS.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audio {
    /// As many decoded samples as from the TS (0 when neither has audio).
    Same,
    /// Not supported: no audio in ours, a warning containing this.
    Dropped(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Remux {
        video: Video,
        audio: Audio,
        /// Warnings that must be there (the workarounds the segment needs).
        warns: &'static [&'static str],
    },
    /// Refused with an error containing `says`; `peer_refuses`: the README expects it (else the
    /// refusal is ours, with `note` saying why).
    Refuse {
        says: &'static str,
        peer_refuses: bool,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Remuxed in one run, in order (a sequence is compared with the concatenated segments).
    pub files: &'static [&'static str],
    pub expect: Expect,
    pub note: &'static str,
}

/// Whether ffmpeg is on PATH (without it the TS check is skipped, saying so).
pub fn have_ffmpeg() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Checks every case; `scratch` is a directory for the temporary files.
pub fn check(peer_data: &Path, scratch: &Path) -> Vec<Row> {
    let dir = peer_data.join("ts");
    // ffmpeg decoding dominates: the cases are spread over the cores.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = CASES.len().div_ceil(workers).max(1);
    let mut rows: Vec<Row> = std::thread::scope(|s| {
        let handles: Vec<_> = CASES
            .chunks(chunk)
            .map(|cases| {
                let dir = &dir;
                s.spawn(move || {
                    cases
                        .iter()
                        .map(|c| check_case(dir, scratch, c))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".ts"))
            .collect();
        names.sort();
        for name in names {
            if !CASES.iter().any(|c| c.files.contains(&name.as_str())) {
                rows.push(Row {
                    suite: "ts".to_string(),
                    name,
                    outcome: Outcome::Differ,
                    unexpected: true,
                    detail: "not in the table of expectations".to_string(),
                });
            }
        }
    }
    rows
}

struct Remuxed {
    mp4: Vec<u8>,
    warnings: Vec<String>,
    codecs: String,
}

fn remux(dir: &Path, files: &[&str]) -> Result<Remuxed, String> {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let mut out = Remuxed {
        mp4: Vec::new(),
        warnings: Vec::new(),
        codecs: String::new(),
    };
    let mut start = 0.0;
    for file in files {
        let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let info = SegmentInfo {
            start,
            ..SegmentInfo::default()
        };
        let result = mux.push(&bytes, &info).map_err(|e| e.to_string())?;
        out.warnings
            .extend(result.warnings.iter().map(|w| w.to_string()));
        for track in &result.tracks {
            if let Some(init) = &track.init {
                out.mp4.extend_from_slice(init);
            }
            out.mp4.extend_from_slice(&track.data);
            out.codecs.clone_from(&track.codecs);
        }
        start = result.end;
    }
    Ok(out)
}

fn check_case(dir: &Path, scratch: &Path, c: &Case) -> Row {
    let name = c.files.join(" + ");
    let (outcome, result) = match c.expect {
        Expect::Refuse { says, peer_refuses } => {
            let outcome = if peer_refuses {
                Outcome::Agree
            } else {
                Outcome::Refused
            };
            let result = match remux(dir, c.files) {
                Err(e) if e.contains(says) => Ok(format!("refused: {e}")),
                Err(e) => Err(format!("refused with `{e}`, the table says `{says}`")),
                Ok(r) if r.mp4.is_empty() => Err(format!(
                    "nothing written but no error; warnings: {}",
                    r.warnings.join("; ")
                )),
                Ok(r) => Err(format!("remuxed ({}), the table says refused", r.codecs)),
            };
            (outcome, result)
        }
        Expect::Remux {
            video,
            audio,
            warns,
        } => (
            Outcome::Agree,
            compare(dir, scratch, c.files, video, audio, warns),
        ),
    };
    let unexplained = outcome != Outcome::Agree && c.note.is_empty();
    let (unexpected, mut detail) = match result {
        Ok(d) => (unexplained, d),
        Err(d) => (true, d),
    };
    if !c.note.is_empty() {
        detail.push_str(" — ");
        detail.push_str(c.note);
    }
    Row {
        suite: "ts".to_string(),
        name,
        outcome,
        unexpected,
        detail,
    }
}

fn compare(
    dir: &Path,
    scratch: &Path,
    files: &[&str],
    video: Video,
    audio: Audio,
    warns: &[&str],
) -> Result<String, String> {
    let r = remux(dir, files)?;
    if r.mp4.is_empty() {
        return Err(format!(
            "nothing written; warnings: {}",
            r.warnings.join("; ")
        ));
    }
    for w in warns {
        if !r.warnings.iter().any(|x| x.contains(w)) {
            return Err(format!("no warning containing `{w}`"));
        }
    }
    let tag = files.first().copied().unwrap_or("x").replace('.', "_");
    let ours = scratch.join(format!("{tag}.mp4"));
    std::fs::write(&ours, &r.mp4).map_err(|e| e.to_string())?;
    let source = match files {
        [one] => dir.join(one),
        _ => {
            let mut all = Vec::new();
            for f in files {
                all.extend(std::fs::read(dir.join(f)).map_err(|e| e.to_string())?);
            }
            let path = scratch.join(format!("{tag}_all.ts"));
            std::fs::write(&path, all).map_err(|e| e.to_string())?;
            path
        }
    };
    let mut parts = Vec::new();
    match video {
        Video::Same { skip } => {
            let theirs = frame_hashes(&source)?;
            let mine = frame_hashes(&ours)?;
            if mine.is_empty() || theirs.get(skip..) != Some(mine.as_slice()) {
                return Err(format!(
                    "video: ffmpeg decodes {} frames from ours, {} from the TS (from frame {skip} on: {})",
                    mine.len(),
                    theirs.len(),
                    if theirs.get(skip..).is_some_and(|t| t.len() == mine.len()) { "hashes differ" } else { "counts differ" }
                ));
            }
            parts.push(match skip {
                0 => format!("{} frames frame-exact", mine.len()),
                _ => format!(
                    "{} frames frame-exact (ffmpeg shows {skip} more before the keyframe)",
                    mine.len()
                ),
            });
        }
        Video::Dropped(_) | Video::None if r.codecs.contains("avc1") => {
            return Err(format!(
                "a video track ({}) where the table says none",
                r.codecs
            ));
        }
        Video::Dropped(why) => {
            if !r.warnings.iter().any(|w| w.contains(why)) {
                return Err(format!(
                    "video left out without a warning containing `{why}`"
                ));
            }
            parts.push("video left out (warned)".to_string());
        }
        Video::None => {}
    }
    match audio {
        Audio::Same => {
            let (theirs, mine) = (audio_samples(&source)?, audio_samples(&ours)?);
            if theirs != mine {
                return Err(format!(
                    "audio: {mine} samples from ours, {theirs} from the TS"
                ));
            }
            if mine > 0 {
                parts.push(format!("{mine} audio samples equal"));
            }
        }
        Audio::Dropped(why) => {
            if audio_samples(&ours)? != 0 || !r.warnings.iter().any(|w| w.contains(why)) {
                return Err(format!(
                    "audio should be left out with a warning containing `{why}`"
                ));
            }
            parts.push("audio left out (warned)".to_string());
        }
    }
    let _ = std::fs::remove_file(&ours);
    if files.len() > 1 {
        let _ = std::fs::remove_file(&source);
    }
    Ok(format!("{}: {}", r.codecs, parts.join(", ")))
}

fn ffmpeg(args: &[&str], path: &Path) -> Result<Vec<u8>, String> {
    let out = Command::new("ffmpeg")
        .args(["-v", "quiet", "-i"])
        .arg(path)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ffmpeg: {e}"))?;
    Ok(out.stdout)
}

/// MD5 of every decoded frame of the first video stream, in output order.
fn frame_hashes(path: &Path) -> Result<Vec<String>, String> {
    let out = ffmpeg(&["-map", "0:v:0?", "-f", "framemd5", "-"], path)?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .collect())
}

/// Decoded samples (per channel) of the first audio stream; 0 without one.
fn audio_samples(path: &Path) -> Result<u64, String> {
    let out = ffmpeg(
        &[
            "-map",
            "0:a:0?",
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-ac",
            "1",
            "-",
        ],
        path,
    )?;
    Ok(out.len() as u64 / 2)
}

const SAME: Expect = Expect::Remux {
    video: Video::Same { skip: 0 },
    audio: Audio::Same,
    warns: &[],
};
const AUDIO_ONLY: Expect = Expect::Remux {
    video: Video::None,
    audio: Audio::Same,
    warns: &[],
};
/// Video plus an audio codec MSE-in-fMP4 here cannot carry (AC-3, E-AC-3, Opus in TS).
const VIDEO_NO_06_AUDIO: Expect = Expect::Remux {
    video: Video::Same { skip: 0 },
    audio: Audio::Dropped("stream type 0x06 is not supported"),
    warns: &[],
};
const NOTHING_SUPPORTED: Expect = Expect::Refuse {
    says: "unsupported: the program has no H.264, AAC or MPEG audio stream",
    peer_refuses: true,
};

const fn case(files: &'static [&'static str], expect: Expect, note: &'static str) -> Case {
    Case {
        files,
        expect,
        note,
    }
}

/// One row per segment (and per sequence of the README), with the README's expectation.
pub const CASES: &[Case] = &[
    case(&["androidx-ac3.ts"], NOTHING_SUPPORTED, "AC-3 only"),
    case(
        &["androidx-h262-mp2.ts"],
        Expect::Remux {
            video: Video::Dropped("stream type 0x02 is not supported"),
            audio: Audio::Same,
            warns: &[],
        },
        "MPEG-2 video left out, Layer II audio kept",
    ),
    case(&["androidx-h264-mp2.ts"], SAME, ""),
    case(&["androidx-iframes-only.ts"], SAME, ""),
    case(&["androidx-latm.ts"], NOTHING_SUPPORTED, "AAC in LATM only"),
    case(&["androidx-no-aud.ts"], SAME, ""),
    case(&["androidx-sd-hls-608.ts"], SAME, "CEA-608 captions stay in the SEI"),
    case(&["muxjs-middle-pat-pmt.ts"], SAME, ""),
    case(
        &["muxjs-no-audio.ts"],
        Expect::Remux {
            video: Video::Same { skip: 0 },
            audio: Audio::Same,
            warns: &["lists a audio stream that has no frames"],
        },
        "",
    ),
    case(&["muxjs-sintel-captions.ts"], SAME, "CEA-608 captions stay in the SEI"),
    case(&["muxjs-test-segment.ts"], SAME, ""),
    case(&["shaka-aac-h264.ts"], SAME, ""),
    case(&["shaka-aac.ts"], AUDIO_ONLY, ""),
    case(&["shaka-ac3-h264.ts"], VIDEO_NO_06_AUDIO, "AC-3 left out"),
    case(&["shaka-b-frames.ts"], SAME, ""),
    case(&["shaka-h264-seq0.ts"], SAME, ""),
    case(&["shaka-hevc.ts"], NOTHING_SUPPORTED, "HEVC only"),
    case(&["shaka-id3-heaac.ts"], AUDIO_ONLY, "HE-AACv2 as implicit-SBR AAC"),
    case(&["shaka-lcevc-sei.ts"], SAME, ""),
    case(&["shaka-mp3-h264-seg1.ts"], SAME, ""),
    case(&["shaka-mp3-h264-seg2.ts"], SAME, ""),
    case(
        &["shaka-mp3-h264-seg1.ts", "shaka-mp3-h264-seg2.ts"],
        SAME,
        "the README's sequence",
    ),
    case(&["shaka-mp3.ts"], AUDIO_ONLY, ""),
    case(&["shaka-opus-h264.ts"], VIDEO_NO_06_AUDIO, "Opus left out"),
    case(&["shaka-overflow-nalus.ts"], SAME, ""),
    case(&["shaka-overflow-samples.ts"], SAME, ""),
    case(&["shaka-rollover-27.ts"], SAME, ""),
    case(&["shaka-rollover-28.ts"], SAME, ""),
    case(&["shaka-rollover-29.ts"], SAME, ""),
    case(
        &[
            "shaka-rollover-27.ts",
            "shaka-rollover-28.ts",
            "shaka-rollover-29.ts",
        ],
        SAME,
        "the README's sequence: 2^33 wrap inside the middle segment",
    ),
    case(&["shaka-truncated-3streams.ts"], SAME, ""),
    case(
        &["tsduck-bad-pmt-crc.ts"],
        Expect::Refuse {
            says: "the program map table (PID 0x3c) fails its CRC",
            peer_refuses: false,
        },
        "every PMT copy fails its CRC and the PIDs it lists cannot be trusted; ffmpeg reads it anyway (the README allows refusing)",
    ),
    case(&["tsduck-broadcast-mp2.ts"], SAME, ""),
    case(
        &["tsduck-interlaced-midgop.ts"],
        Expect::Remux {
            video: Video::Same { skip: 4 },
            audio: Audio::Dropped("stream type 0x06 is not supported"),
            warns: &["leading video frames dropped"],
        },
        "1080i field pictures, one sample per field; 3x E-AC-3 left out",
    ),
    case(
        &["tsduck-pes-quirks.ts"],
        Expect::Remux {
            video: Video::Same { skip: 0 },
            audio: Audio::Same,
            warns: &[
                "PES_packet_length 2 is shorter than its",
                "declared MPEG audio but carries ADTS AAC",
            ],
        },
        "",
    ),
    case(&["vhs-audio-max-offset.ts"], AUDIO_ONLY, ""),
    case(&["vhs-muxed.ts"], SAME, ""),
    case(&["vhs-video-max-offset.ts"], SAME, ""),
    case(&["vhs-video-pts-dts.ts"], SAME, ""),
];
