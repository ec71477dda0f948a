//! Oracle tests: our fMP4 decoded by ffmpeg must give exactly the frames of the source TS.
//! ffmpeg/ffprobe run as subprocesses; without them these tests FAIL (install ffmpeg).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
use hlsplay::remux::{OutputShape, RemuxOutput, SegmentInfo, TrackKind, Transmuxer};
use mp4_atom::{Any, Decode};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ts")
        .join(name)
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    match Command::new(name).args(args).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `{name}` ({e}): the remux oracle tests need ffmpeg and ffprobe on PATH — \
             install them (Debian: apt-get install ffmpeg)"
        ),
    }
}

/// The per-frame hashes of every decoded video frame (timestamps excluded: the timebases differ).
fn video_hashes(path: &Path) -> Vec<String> {
    let out = tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-map",
            "0:v",
            "-f",
            "framemd5",
            "-",
        ],
    );
    assert!(
        out.status.success(),
        "ffmpeg framemd5 failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.rsplit(',').next().unwrap().trim().to_string())
        .collect()
}

/// Decoded audio samples (per channel) of the first audio stream.
fn audio_samples(path: &Path) -> u64 {
    let out = tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-map",
            "0:a:0",
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-ac",
            "1",
            "-",
        ],
    );
    assert!(
        out.status.success(),
        "ffmpeg audio decode failed on {}",
        path.display()
    );
    out.stdout.len() as u64 / 2
}

fn assert_clean(path: &Path) {
    let probe = tool("ffprobe", &["-v", "error", path.to_str().unwrap()]);
    assert!(
        probe.status.success() && probe.stderr.is_empty(),
        "ffprobe on {}: {}",
        path.display(),
        String::from_utf8_lossy(&probe.stderr)
    );
    let decode = tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "null",
            "-",
        ],
    );
    assert!(
        decode.stderr.is_empty(),
        "ffmpeg decode errors on {}: {}",
        path.display(),
        String::from_utf8_lossy(&decode.stderr)
    );
}

struct Remuxed {
    file: Vec<u8>,
    outputs: Vec<RemuxOutput>,
}

fn remux(names: &[&str], shape: OutputShape, kind: Option<TrackKind>) -> Remuxed {
    let mut mux = Transmuxer::new(shape);
    let mut file = Vec::new();
    let mut outputs = Vec::new();
    let mut start = 0.0;
    for name in names {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let out = mux
            .push(
                &bytes,
                &SegmentInfo {
                    start,
                    ..Default::default()
                },
            )
            .unwrap();
        for t in out
            .tracks
            .iter()
            .filter(|t| kind.map_or(true, |k| k == t.kind))
        {
            if let Some(init) = &t.init {
                assert!(file.is_empty(), "{name}: a second init segment");
                file.extend_from_slice(init);
            }
            file.extend_from_slice(&t.data);
        }
        start = out.end;
        outputs.push(out);
    }
    Remuxed { file, outputs }
}

/// Per track: (tfdt, summed durations) of every fragment, from our bytes, parsed with mp4-atom.
fn fragment_spans(file: &[u8]) -> Vec<(u32, u64, u64)> {
    let mut buf = file;
    let mut spans = Vec::new();
    while !buf.is_empty() {
        if let Any::Moof(moof) = Any::decode(&mut buf).unwrap() {
            for traf in &moof.traf {
                let tfdt = traf.tfdt.as_ref().unwrap().base_media_decode_time;
                let dur: u64 = traf
                    .trun
                    .iter()
                    .flat_map(|r| r.samples.iter())
                    .map(|s| u64::from(s.duration.unwrap()))
                    .sum();
                spans.push((traf.tfhd.track_id, tfdt, dur));
            }
        }
    }
    spans
}

/// Consecutive fragments of a track meet: no gap or overlap beyond one frame.
fn assert_contiguous(file: &[u8], max_frame: &[(u32, u64)]) {
    let spans = fragment_spans(file);
    for &(track, frame) in max_frame {
        let t: Vec<_> = spans.iter().filter(|s| s.0 == track).collect();
        for w in t.windows(2) {
            let end = w[0].1 + w[0].2;
            let gap = w[1].1 as i64 - end as i64;
            assert!(
                gap.unsigned_abs() <= frame,
                "track {track}: fragment at {} ends {end}, next starts {} (gap {gap})",
                w[0].1,
                w[1].1
            );
        }
    }
}

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hlsplay-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn concat_sources(names: &[&str], out: &str) -> PathBuf {
    let mut all = Vec::new();
    for n in names {
        all.extend(std::fs::read(fixture(n)).unwrap());
    }
    write_temp(out, &all)
}

fn check(names: &[&str], video: bool, audio: bool, audio_frame: u64) {
    let tag = names[0].trim_end_matches(".ts");
    let source = if names.len() == 1 {
        fixture(names[0])
    } else {
        concat_sources(names, &format!("{tag}_src.ts"))
    };
    let ours = remux(names, OutputShape::Combined, None);
    let path = write_temp(&format!("{tag}.mp4"), &ours.file);
    assert_clean(&path);
    if video {
        let want = video_hashes(&source);
        assert!(!want.is_empty());
        assert_eq!(
            video_hashes(&path),
            want,
            "{tag}: decoded video frames differ"
        );
    }
    if audio {
        assert_eq!(
            audio_samples(&path),
            audio_samples(&source),
            "{tag}: decoded audio sample count differs"
        );
    }
    assert_contiguous(&ours.file, &[(1, 3000), (2, audio_frame)]);
    for (i, o) in ours.outputs.iter().enumerate() {
        assert!(o.end > o.start, "{tag} segment {i}: empty span");
        assert!(o.warnings.is_empty(), "{tag} segment {i}: {:?}", o.warnings);
    }
    assert!(
        ours.outputs[0].start < 0.1,
        "{tag}: timeline must start at the playlist time 0"
    );
}

#[test]
fn oracle_main_profile_two_b_frames() {
    check(&["main_bf2.ts"], true, true, 1024);
}

#[test]
fn oracle_high_profile_two_b_frames() {
    check(&["high_bf2.ts"], true, true, 1024);
}

#[test]
fn oracle_no_b_frames_aac_44k_mono() {
    check(&["nobf_aac44_mono.ts"], true, true, 1024);
}

#[test]
fn oracle_mp3_audio() {
    check(&["mp3.ts"], true, true, 1152);
}

#[test]
fn oracle_audio_only() {
    check(&["audio_only.ts"], false, true, 1024);
}

#[test]
fn oracle_video_only() {
    check(&["video_only.ts"], true, false, 1024);
}

#[test]
fn oracle_timestamps_across_33_bit_rollover() {
    check(&["rollover.ts"], true, true, 1024);
}

#[test]
fn oracle_segments_cut_mid_gop() {
    check(
        &["midgop_0.ts", "midgop_1.ts", "midgop_2.ts", "midgop_3.ts"],
        true,
        true,
        1024,
    );
}

#[test]
fn oracle_three_segment_run() {
    check(&["run_0.ts", "run_1.ts", "run_2.ts"], true, true, 1024);
}

#[test]
fn oracle_split_tracks_decode_separately() {
    let names = ["run_0.ts", "run_1.ts", "run_2.ts"];
    let video = remux(&names, OutputShape::SplitTracks, Some(TrackKind::Video));
    let audio = remux(&names, OutputShape::SplitTracks, Some(TrackKind::Audio));
    let source = concat_sources(&names, "split_src.ts");
    let vpath = write_temp("split_video.mp4", &video.file);
    let apath = write_temp("split_audio.mp4", &audio.file);
    assert_clean(&vpath);
    assert_clean(&apath);
    assert_eq!(video_hashes(&vpath), video_hashes(&source));
    assert_eq!(audio_samples(&apath), audio_samples(&source));
    assert_contiguous(&video.file, &[(1, 3000)]);
    assert_contiguous(&audio.file, &[(2, 1024)]);
    let o = &video.outputs[0];
    assert_eq!(o.tracks.len(), 2);
    assert_eq!(o.tracks[0].mime, "video/mp4; codecs=\"avc1.4d400d\"");
    assert_eq!(o.tracks[1].mime, "audio/mp4; codecs=\"mp4a.40.2\"");
}
