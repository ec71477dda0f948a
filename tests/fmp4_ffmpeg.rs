//! Real encoder output: fMP4 HLS written by ffmpeg at test time (H.264/AAC as split renditions
//! and as one A+V file, HEVC, Opus, AC-3, E-AC-3), read and passed through; codec strings are
//! checked against ffprobe and ffmpeg's own master playlist, placement and durations against
//! the playlist, and our output decoded by ffmpeg. Without ffmpeg/ffprobe on PATH the tests
//! print why and pass (the other fMP4 tests need neither).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
use hlsplay::fmp4::boxes::Boxes;
use hlsplay::fmp4::moof::read_moof;
use hlsplay::fmp4::moov::{read_init, InitSegment};
use hlsplay::remux::{Passthrough, RemuxOutput, SegmentInfo, TrackKind};
use std::path::{Path, PathBuf};
use std::process::Command;

fn have_tools() -> bool {
    let ok = |t: &str| Command::new(t).arg("-version").output().is_ok();
    if ok("ffmpeg") && ok("ffprobe") {
        return true;
    }
    println!("skipped: ffmpeg/ffprobe not on PATH (Debian: apt-get install ffmpeg)");
    false
}

/// A fresh directory for one test's HLS output.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hlsplay-fmp4-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run ffmpeg in `dir`; `false` (with the reason printed) when it fails, e.g. an encoder
/// missing from this build.
fn ffmpeg(dir: &Path, args: &[&str]) -> bool {
    let out = Command::new("ffmpeg")
        .current_dir(dir)
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .unwrap();
    if !out.status.success() {
        println!(
            "skipped: ffmpeg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out.status.success()
}

/// `key=value` pairs ffprobe gives for the first stream of `file`.
fn probe(file: &Path, entries: &str) -> Vec<(String, String)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "0", "-show_entries"])
        .arg(format!("stream={entries}"))
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe {}", file.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field(p: &[(String, String)], key: &str) -> String {
    p.iter().find(|(k, _)| k == key).unwrap().1.clone()
}

/// A media playlist's EXT-X-MAP URI and (duration, URI) per segment.
fn playlist(dir: &Path, name: &str) -> (String, Vec<(f64, String)>) {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let map = text
        .lines()
        .find_map(|l| l.strip_prefix("#EXT-X-MAP:URI=\""))
        .map(|l| l.trim_end_matches('"').to_string())
        .unwrap();
    let mut segs = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some(d) = l.strip_prefix("#EXTINF:") {
            let d: f64 = d.trim_end_matches(',').parse().unwrap();
            segs.push((d, lines.next().unwrap().to_string()));
        }
    }
    (map, segs)
}

/// `init` + segments concatenated into `name` (a playable fMP4 file).
fn write_file(dir: &Path, name: &str, parts: &[&[u8]]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, parts.concat()).unwrap();
    path
}

struct Played {
    init: Vec<u8>,
    outs: Vec<RemuxOutput>,
    /// Init bytes (from the first output) + every output's data.
    file: Vec<u8>,
}

/// Every segment of playlist `name` through a Passthrough, placed by the playlist's starts
/// from `t0` (the first with `discontinuity`).
fn play(dir: &Path, name: &str, t0: f64, offset: Option<f64>) -> Played {
    let (map, segs) = playlist(dir, name);
    let init = std::fs::read(dir.join(&map)).unwrap();
    let mut p = Passthrough::new();
    if let Some(o) = offset {
        p.impose_offset(o);
    }
    p.push_init(&init).unwrap();
    let mut start = t0;
    let mut outs = Vec::new();
    let mut file = Vec::new();
    for (i, (d, uri)) in segs.iter().enumerate() {
        let bytes = std::fs::read(dir.join(uri)).unwrap();
        let info = SegmentInfo {
            start,
            discontinuity: i == 0,
            ..Default::default()
        };
        let out = p.push(&bytes, &info).unwrap();
        assert!(out.warnings.is_empty(), "{uri}: {:?}", out.warnings);
        let t = &out.tracks[0];
        if let Some(init) = &t.init {
            file.extend_from_slice(init);
        }
        file.extend_from_slice(&t.data);
        outs.push(out);
        start += d;
    }
    Played { init, outs, file }
}

/// (track, decode start, decode end) of every traf in the output, in order.
fn decode_spans(data: &[u8], init: &InitSegment) -> Vec<(u32, u64, u64)> {
    let mut v = Vec::new();
    for b in Boxes::new(data, 0) {
        let b = b.unwrap();
        if b.kind == hlsplay::fmp4::FourCc::new(b"moof") {
            for t in read_moof(&b, init).unwrap().trafs {
                v.push((t.track_id, t.decode_start(), t.decode_end()));
            }
        }
    }
    v
}

fn frames(file: &Path) -> u64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn assert_decodes_cleanly(file: &Path) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "ffmpeg decode of {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

const AV_INPUT: &[&str] = &[
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x180:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-t",
    "4",
    "-map",
    "0:v",
    "-map",
    "1:a",
    "-c:v",
    "libx264",
    "-g",
    "30",
    "-bf",
    "2",
    "-c:a",
    "aac",
    "-b:a",
    "64k",
    "-f",
    "hls",
    "-hls_time",
    "1",
    "-hls_segment_type",
    "fmp4",
    "-hls_playlist_type",
    "vod",
];

#[test]
fn ffmpeg_h264_and_aac_renditions_match_ffprobe_and_play_back_to_back() {
    if !have_tools() {
        return;
    }
    let dir = workdir("split");
    let mut args = AV_INPUT.to_vec();
    args.extend([
        "-var_stream_map",
        "v:0,agroup:aud a:0,agroup:aud",
        "-master_pl_name",
        "master.m3u8",
        "-hls_segment_filename",
        "seg_%v_%d.m4s",
        "-hls_fmp4_init_filename",
        "init_%v.mp4",
        "media_%v.m3u8",
    ]);
    assert!(ffmpeg(&dir, &args), "ffmpeg with libx264 and aac");

    let video = play(&dir, "media_0.m3u8", 0.0, None);
    let vinit = read_init(&video.init).unwrap();
    let vt = &video.outs[0].tracks[0];
    assert_eq!(vt.kind, TrackKind::Video);
    // ffmpeg's own master playlist names the same codecs.
    let master = std::fs::read_to_string(dir.join("master.m3u8")).unwrap();
    assert!(
        master.contains(&format!("CODECS=\"{},mp4a.40.2\"", vt.codecs)),
        "{} vs {master}",
        vt.codecs
    );
    // And ffprobe's profile and level are the codec string's first and last bytes.
    let (_, segs) = playlist(&dir, "media_0.m3u8");
    let first = std::fs::read(dir.join(&segs[0].1)).unwrap();
    let probed = probe(
        &write_file(&dir, "v0.mp4", &[&video.init, &first]),
        "profile,level",
    );
    let profile = match field(&probed, "profile").as_str() {
        "High" => 100,
        "Main" => 77,
        "Constrained Baseline" | "Baseline" => 66,
        p => panic!("profile {p}"),
    };
    let level: u8 = field(&probed, "level").parse().unwrap();
    let hex = vt.codecs.strip_prefix("avc1.").unwrap();
    assert_eq!(
        (
            u8::from_str_radix(&hex[..2], 16).unwrap(),
            u8::from_str_radix(&hex[4..], 16).unwrap()
        ),
        (profile, level)
    );

    // Placement: B-frames at tfdt 0 put the first decode time on 0; each segment's decode
    // times follow the previous one's exactly, and the presentation follows the playlist.
    let spans = decode_spans(&video.file[video.init.len()..], &vinit);
    assert_eq!(spans[0].1, 0);
    for w in spans.windows(2) {
        assert_eq!(w[0].2, w[1].1, "decode times back to back");
    }
    let timescale = f64::from(vinit.tracks[0].timescale);
    let total = (spans.last().unwrap().2 - spans[0].1) as f64 / timescale;
    assert!((total - 4.0).abs() < 1e-9, "120 frames of 1/30 s: {total}");
    let mut start = 0.0;
    for (out, (d, _)) in video.outs.iter().zip(&segs) {
        assert!(
            (out.start - start).abs() < 0.1,
            "{} vs playlist {start}",
            out.start
        );
        start += d;
    }

    // Our output decodes, every frame of the source.
    let ours = write_file(&dir, "ours_video.mp4", &[&video.file]);
    assert_decodes_cleanly(&ours);
    let source: Vec<u8> = segs
        .iter()
        .flat_map(|(_, u)| std::fs::read(dir.join(u)).unwrap())
        .collect();
    let source = write_file(&dir, "source_video.mp4", &[&video.init, &source]);
    assert_eq!(frames(&ours), frames(&source));
    assert_eq!(frames(&ours), 120);

    // The audio rendition on the video's mapping.
    let offset = video_offset(&dir);
    let audio = play(&dir, "media_1.m3u8", 0.0, Some(offset));
    let at = &audio.outs[0].tracks[0];
    assert_eq!(
        (at.kind, at.codecs.as_str(), at.mime.as_str()),
        (
            TrackKind::Audio,
            "mp4a.40.2",
            "audio/mp4; codecs=\"mp4a.40.2\""
        )
    );
    let a = write_file(&dir, "a.mp4", &[&audio.file]);
    assert_eq!(field(&probe(&a, "profile"), "profile"), "LC");
    assert_decodes_cleanly(&a);
    assert!(audio.outs[0].start.abs() < 0.05, "{}", audio.outs[0].start);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The mapping the video rendition's first segment sets.
fn video_offset(dir: &Path) -> f64 {
    let (map, segs) = playlist(dir, "media_0.m3u8");
    let mut p = Passthrough::new();
    p.push_init(&std::fs::read(dir.join(map)).unwrap()).unwrap();
    let first = std::fs::read(dir.join(&segs[0].1)).unwrap();
    p.push(&first, &SegmentInfo::default()).unwrap();
    p.offset().unwrap()
}

#[test]
fn ffmpeg_combined_av_segments_move_to_a_discontinuity_start() {
    if !have_tools() {
        return;
    }
    let dir = workdir("combined");
    let mut args = AV_INPUT.to_vec();
    args.push("out.m3u8");
    assert!(ffmpeg(&dir, &args), "ffmpeg with libx264 and aac");
    let played = play(&dir, "out.m3u8", 50.0, None);
    let t = &played.outs[0].tracks[0];
    assert_eq!(t.kind, TrackKind::Combined);
    assert!(t.codecs.starts_with("avc1.64") && t.codecs.ends_with(",mp4a.40.2"));
    assert!(t.mime.starts_with("video/mp4; codecs=\"avc1."));
    assert!((played.outs[0].start - 50.0).abs() < 1e-9);
    // ffmpeg sees our timeline: the streams start at 50 s (video one B-frame delay later,
    // as written by the encoder's edit list) and last 4 s.
    let ours = write_file(&dir, "ours.mp4", &[&played.file]);
    assert_decodes_cleanly(&ours);
    let start: f64 = field(&probe(&ours, "start_time"), "start_time")
        .parse()
        .unwrap();
    assert!((50.0..50.1).contains(&start), "start_time {start}");
    let init = read_init(&played.init).unwrap();
    let spans = decode_spans(&played.file[played.init.len()..], &init);
    for track in [1, 2] {
        let s: Vec<_> = spans.iter().filter(|s| s.0 == track).collect();
        for w in s.windows(2) {
            assert_eq!(w[0].2, w[1].1, "track {track} back to back");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ffmpeg_hevc_opus_ac3_and_eac3_codec_strings_match_ffprobe() {
    if !have_tools() {
        return;
    }
    let dir = workdir("codecs");
    let hevc = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30",
        "-t",
        "2",
        "-c:v",
        "libx265",
        "-tag:v",
        "hvc1",
        "-x265-params",
        "log-level=none",
    ];
    let audio = |codec: &'static str| {
        [
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "2",
            "-c:a",
            codec,
        ]
        .to_vec()
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (hevc.to_vec(), "hevc"),
        (audio("libopus"), "opus"),
        (audio("ac3"), "ac3"),
        (audio("eac3"), "eac3"),
    ];
    for (input, name) in cases {
        let sub = dir.join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let mut args = input;
        args.extend(["-f", "hls", "-hls_time", "1", "-hls_segment_type", "fmp4"]);
        args.extend(["-hls_playlist_type", "vod", "out.m3u8"]);
        if !ffmpeg(&sub, &args) {
            continue;
        }
        let played = play(&sub, "out.m3u8", 0.0, None);
        let codecs = &played.outs[0].tracks[0].codecs;
        let ours = write_file(&sub, "ours.mp4", &[&played.file]);
        assert_decodes_cleanly(&ours);
        let probed = probe(&ours, "codec_name,profile,level");
        assert_eq!(field(&probed, "codec_name"), name);
        match name {
            "hevc" => {
                let profile = match field(&probed, "profile").as_str() {
                    "Main" => 1,
                    "Main 10" => 2,
                    p => panic!("profile {p}"),
                };
                let level = field(&probed, "level");
                let parts: Vec<&str> = codecs.split('.').collect();
                assert_eq!(parts[0], "hvc1");
                assert_eq!(parts[1], profile.to_string());
                assert_eq!(parts[3], format!("L{level}"), "{codecs}");
            }
            "opus" => assert_eq!(codecs, "opus"),
            "ac3" => assert_eq!(codecs, "ac-3"),
            _ => assert_eq!(codecs, "ec-3"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
