//! The sample shapes' jobs (tests/fixtures/jobs, run by scripts/make-sample.sh): encodes shared
//! through the cache, the `aes` shape's static key with the IV from the media sequence number
//! (decrypted by openssl to the clear shape's bytes), and the `apple-alt-audio` shape's audio-only
//! renditions (ffprobe reads their PIDs and start, the tones are measured), and the `webvtt`
//! shapes' subtitle renditions (both caption segment length controls), and the `cmaf-cc608` shape
//! packaging the `cc608` shape's captioned encodes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use pipeline::mediaconvert::{parse_job, run_job, Context};
use serde_json::Value;

/// A fixture's first output group with its first output only (one rendition is enough here).
fn one_rendition(fixture: &str) -> pipeline::mediaconvert::Job {
    let text =
        std::fs::read_to_string(common::repo(&format!("tests/fixtures/jobs/{fixture}"))).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let groups = v["Settings"]["OutputGroups"].as_array_mut().unwrap();
    groups.truncate(1);
    groups[0]["Outputs"].as_array_mut().unwrap().truncate(1);
    let job = parse_job(&v).unwrap();
    pipeline::jobs::lambda_destinations(&job, "vod", "clip")
}

fn run(job: &pipeline::mediaconvert::Job, input: &Path, bucket: &Path, cache: &Path) {
    let work = bucket.join("../work");
    let ctx = Context {
        cache_dir: Some(cache),
        ..common::context(input, bucket, &work)
    };
    run_job(job, &ctx, &mut |_| {}).unwrap();
    let _ = std::fs::remove_dir_all(&work);
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn listing(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_aes_shape_encrypts_the_clear_shapes_bytes_with_the_sequence_number_iv() {
    let dir = common::temp_dir("shapes");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(&bucket).unwrap();
    let input = dir.join("clip.mp4");
    common::make_source(&input, 12);
    let cache = dir.join("encodes");

    run(&one_rendition("vod-sample.json"), &input, &bucket, &cache);
    let encodes = listing(&cache);
    assert_eq!(encodes.len(), 1, "one rendition, one encode: {encodes:?}");
    assert!(encodes[0].0.starts_with("h264-640x360-") && encodes[0].0.ends_with(".ts"));

    // The second job reuses the encode: the cache is as the first job left it.
    run(&one_rendition("aes.json"), &input, &bucket, &cache);
    assert_eq!(listing(&cache), encodes, "no second encode");

    let clear = bucket.join("clip/Default/HLS");
    let aes = bucket.join("clip/Default/HLS-AES");
    let media = lines(&aes.join("clip_360.m3u8"));
    assert_eq!(
        media[..6],
        [
            "#EXTM3U",
            "#EXT-X-VERSION:5",
            "#EXT-X-TARGETDURATION:10",
            "#EXT-X-MEDIA-SEQUENCE:1",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            // InitializationVectorInManifest EXCLUDE: no IV attribute.
            "#EXT-X-KEY:METHOD=AES-128,URI=\"key1.key\",KEYFORMAT=\"identity\",KEYFORMATVERSIONS=\"1\"",
        ]
    );
    let key = std::fs::read(aes.join("key1.key")).unwrap();
    assert_eq!(hex::encode(&key), "5d2b8e41c7a09f36e18b4d7c2a65f093");
    // Same segment names and playlist lines as the clear shape, but for the version and the key.
    let clear_media = lines(&clear.join("clip_360.m3u8"));
    let segments: Vec<&String> = media.iter().filter(|l| l.ends_with(".ts")).collect();
    assert_eq!(
        segments,
        clear_media
            .iter()
            .filter(|l| l.ends_with(".ts"))
            .collect::<Vec<_>>()
    );
    assert_eq!(segments.len(), 2, "{media:?}");
    // openssl: segment n decrypts with IV n (RFC 8216 5.2) to the clear segment, byte for byte.
    for (n, seg) in segments.iter().enumerate() {
        let iv = format!("{:032x}", n + 1);
        let out = std::process::Command::new("openssl")
            .args([
                "enc",
                "-d",
                "-aes-128-cbc",
                "-K",
                &hex::encode(&key),
                "-iv",
                &iv,
                "-in",
            ])
            .arg(aes.join(seg))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{seg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout == std::fs::read(clear.join(seg)).unwrap(),
            "{seg}: the decrypted segment is not the clear shape's"
        );
    }
    // The masters agree on everything the encryption does not change.
    assert_eq!(
        lines(&aes.join("clip.m3u8")),
        lines(&clear.join("clip.m3u8"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// ffprobe on a TS file: `(PMT PID, [(stream PID, codec_type)], first PTS of the first stream)`.
fn ts_layout(path: &Path) -> (u16, Vec<(u16, String)>, f64) {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-of", "json", "-show_entries"])
        .args(["program=pmt_pid:stream=id,codec_type,start_time"])
        .arg(path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pmt = v["programs"][0]["pmt_pid"].as_u64().unwrap() as u16;
    let streams: Vec<(u16, String)> = v["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["id"].as_str().unwrap().trim_start_matches("0x");
            (
                u16::from_str_radix(id, 16).unwrap(),
                s["codec_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let start = v["streams"][0]["start_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (pmt, streams, start)
}

#[test]
fn the_cmaf_cc608_shape_packages_the_cc608_shapes_captioned_encode() {
    let dir = common::temp_dir("cmaf-cc608-shape");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(&bucket).unwrap();
    let input = dir.join("clip.ts");
    std::fs::copy(common::repo("tests/fixtures/ts/cc608-source.ts"), &input).unwrap();
    let cache = dir.join("encodes");

    run(&one_rendition("cc608.json"), &input, &bucket, &cache);
    let encodes = listing(&cache);
    assert_eq!(encodes.len(), 1, "one rendition, one encode: {encodes:?}");
    // The same rendition with its captions kept, packaged as CMAF: no second encode.
    run(&one_rendition("cmaf-cc608.json"), &input, &bucket, &cache);
    assert_eq!(listing(&cache), encodes, "no second encode");
    let cmaf = bucket.join("clip/Default/CMAF-608");
    assert!(cmaf.join("clip_360init.cmfv").is_file());
    assert!(cmaf.join("clip_360_000000001.cmfv").is_file());
    // Without its captions the rendition is another encode (A/53 dropped before x264).
    let text =
        std::fs::read_to_string(common::repo("tests/fixtures/jobs/cmaf-cc608.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let outputs = v["Settings"]["OutputGroups"][0]["Outputs"]
        .as_array_mut()
        .unwrap();
    outputs.truncate(1);
    outputs[0]
        .as_object_mut()
        .unwrap()
        .remove("CaptionDescriptions");
    let job = pipeline::jobs::lambda_destinations(&parse_job(&v).unwrap(), "vod", "clip");
    run(&job, &input, &bucket, &cache);
    assert_eq!(listing(&cache).len(), 2);
}

#[test]
fn the_apple_alt_audio_shape_writes_video_only_and_audio_only_renditions() {
    let dir = common::temp_dir("alt-audio");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(&bucket).unwrap();
    let input = dir.join("clip.mp4");
    common::make_source_tones(&input, 12, &[440, 660]);
    let text =
        std::fs::read_to_string(common::repo("tests/fixtures/jobs/apple-alt-audio.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    // 360p and the two audio renditions: 540 and 720 differ only in size.
    v["Settings"]["OutputGroups"][0]["Outputs"]
        .as_array_mut()
        .unwrap()
        .drain(1..3);
    let job = pipeline::jobs::lambda_destinations(&parse_job(&v).unwrap(), "vod", "clip");
    run(&job, &input, &bucket, &dir.join("encodes"));

    let hls = bucket.join("clip/Default/HLS-AltAudio");
    let master = lines(&hls.join("clip.m3u8"));
    assert_eq!(master.len(), 7, "{master:#?}");
    assert_eq!(
        master[..5],
        [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-INDEPENDENT-SEGMENTS",
            // ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT, then ALTERNATE_AUDIO_AUTO_SELECT; before the variants.
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"program_audio\",LANGUAGE=\"eng\",NAME=\"English\",AUTOSELECT=YES,DEFAULT=YES,URI=\"clip_eng.m3u8\"",
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"program_audio\",LANGUAGE=\"fra\",NAME=\"Français\",AUTOSELECT=YES,DEFAULT=NO,URI=\"clip_fra.m3u8\"",
        ]
    );
    let inf = master[5]
        .strip_prefix("#EXT-X-STREAM-INF:BANDWIDTH=")
        .unwrap();
    let (bandwidth, rest) = inf.split_once(',').unwrap();
    let average = (1_000_000u64 + 96_000) * 11 / 10;
    assert_eq!(
        rest,
        format!("AVERAGE-BANDWIDTH={average},CODECS=\"avc1.77.30,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO=\"program_audio\"")
    );
    assert!(bandwidth.parse::<u64>().unwrap() >= average);
    assert_eq!(master[6], "clip_360.m3u8");

    // Video-only and audio-only MPEG-TS: PMT 480, video 481, audio 482; 10 s + 2 s each (the audio's
    // last AAC frame joins the last segment: MinFinalSegmentLength 1).
    let mut starts = Vec::new();
    for (stem, pid, kind) in [
        ("clip_360", 481, "video"),
        ("clip_eng", 482, "audio"),
        ("clip_fra", 482, "audio"),
    ] {
        let media = lines(&hls.join(format!("{stem}.m3u8")));
        assert_eq!(
            media,
            [
                "#EXTM3U".to_string(),
                "#EXT-X-VERSION:3".into(),
                "#EXT-X-TARGETDURATION:10".into(),
                "#EXT-X-MEDIA-SEQUENCE:1".into(),
                "#EXT-X-PLAYLIST-TYPE:VOD".into(),
                "#EXTINF:10,".into(),
                format!("{stem}20250101T120000_00001.ts"),
                "#EXTINF:2,".into(),
                format!("{stem}20250101T120000_00002.ts"),
                "#EXT-X-ENDLIST".into(),
            ]
        );
        let (pmt, streams, start) = ts_layout(&hls.join(&media[6]));
        assert_eq!(pmt, 480, "{stem}");
        assert_eq!(streams, [(pid, kind.to_string())], "{stem}");
        starts.push(start);
    }
    // The audio starts where the muxed audio would: one AAC frame (1024 samples) before the video.
    let priming = 1024.0 / 48_000.0;
    for a in &starts[1..] {
        assert!(
            (starts[0] - a - priming).abs() < 0.002,
            "video at {}, audio at {a}",
            starts[0]
        );
    }
    let eng = common::tone_of(&hls.join("clip_eng.m3u8"), 5.0);
    let fra = common::tone_of(&hls.join("clip_fra.m3u8"), 5.0);
    assert!((eng - 440.0).abs() < 10.0, "English: {eng} Hz");
    assert!((fra - 660.0).abs() < 10.0, "French: {fra} Hz");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_webvtt_shapes_write_subtitle_renditions_beside_the_ladder() {
    let dir = common::temp_dir("webvtt");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(bucket.join("captions")).unwrap();
    let input = dir.join("clip.mp4");
    common::make_source(&input, 22);
    // The caption selectors' sidecars: s3://vod/captions/webvtt_<lang>.vtt.
    for lang in ["eng", "spa"] {
        std::fs::copy(
            common::repo(&format!("scripts/captions/webvtt_{lang}.vtt")),
            bucket.join(format!("captions/webvtt_{lang}.vtt")),
        )
        .unwrap();
    }
    let cache = dir.join("encodes");
    let one_rung = |fixture: &str| {
        let text = std::fs::read_to_string(common::repo(&format!("tests/fixtures/jobs/{fixture}")))
            .unwrap();
        let mut v: Value = serde_json::from_str(&text).unwrap();
        // 360p and the two caption outputs.
        v["Settings"]["OutputGroups"][0]["Outputs"]
            .as_array_mut()
            .unwrap()
            .drain(1..3);
        pipeline::jobs::lambda_destinations(&parse_job(&v).unwrap(), "vod", "clip")
    };
    run(&one_rung("webvtt.json"), &input, &bucket, &cache);
    run(
        &one_rung("webvtt-match-video.json"),
        &input,
        &bucket,
        &cache,
    );

    // X-TIMESTAMP-MAP ties cue time 0 to the video's first PTS, as ffprobe reads it.
    let large = bucket.join("clip/Default/HLS-WebVTT");
    let (_, _, video_start) = ts_layout(&large.join("clip_36020250101T120000_00001.ts"));
    let mpegts = (video_start * 90_000.0).round() as u64;
    let header = format!("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{mpegts},LOCAL:00:00:00.000\n");

    for (folder, segments) in [("HLS-WebVTT", 1), ("HLS-WebVTT-MatchVideo", 3)] {
        let hls = bucket.join(format!("clip/Default/{folder}"));
        let master = lines(&hls.join("clip.m3u8"));
        assert_eq!(master.len(), 7, "{folder}: {master:#?}");
        assert!(
            master[3].ends_with(",FRAME-RATE=30.000,SUBTITLES=\"subs\""),
            "{folder}: {}",
            master[3]
        );
        assert_eq!(
            master[5..],
            [
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,LANGUAGE=\"eng\",URI=\"clip_subs_eng.m3u8\"",
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Español\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,LANGUAGE=\"spa\",URI=\"clip_subs_spa.m3u8\"",
            ]
        );
        for lang in ["eng", "spa"] {
            let media = lines(&hls.join(format!("clip_subs_{lang}.m3u8")));
            // TARGETDURATION the video's (10), whatever the caption segments' length.
            assert_eq!(
                media[..5],
                [
                    "#EXTM3U",
                    "#EXT-X-VERSION:3",
                    "#EXT-X-TARGETDURATION:10",
                    "#EXT-X-MEDIA-SEQUENCE:1",
                    "#EXT-X-PLAYLIST-TYPE:VOD"
                ]
            );
            let infs: Vec<&String> = media.iter().filter(|l| l.starts_with("#EXTINF")).collect();
            let want: &[&str] = if segments == 1 {
                // LARGE_SEGMENTS: one 300 s segment, EXTINF the 22 s of video.
                &["#EXTINF:22,"]
            } else {
                // MATCH_VIDEO: the video's segments.
                &["#EXTINF:10,", "#EXTINF:10,", "#EXTINF:2,"]
            };
            assert_eq!(infs, want, "{folder} {lang}");
            for n in 1..=segments {
                let vtt = std::fs::read_to_string(hls.join(format!("clip_subs_{lang}_{n:05}.vtt")))
                    .unwrap();
                assert!(vtt.starts_with(&header), "{folder} {lang} {n}: {vtt}");
            }
        }
    }
    // The English cue across the 10 s cut (9.0-10.5 s) is in both MATCH_VIDEO segments around it,
    // with the number it has in the source.
    let matched = bucket.join("clip/Default/HLS-WebVTT-MatchVideo");
    let across = "00:00:09.000 --> 00:00:10.500\nEnglish across the 10 s cut\n";
    for n in [1, 2] {
        let vtt =
            std::fs::read_to_string(matched.join(format!("clip_subs_eng_{n:05}.vtt"))).unwrap();
        assert!(vtt.contains(across), "segment {n}: {vtt}");
    }
    // ffmpeg reads the LARGE_SEGMENTS rendition back: every source cue that starts within the video.
    let source = std::fs::read_to_string(common::repo("scripts/captions/webvtt_eng.vtt")).unwrap();
    let seconds = |t: &str| {
        t.split(':')
            .fold(0.0, |acc, p| acc * 60.0 + p.trim().parse::<f64>().unwrap())
    };
    let want = source
        .lines()
        .filter_map(|l| l.split_once("-->"))
        .filter(|(start, _)| seconds(start) < 22.0)
        .count();
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(large.join("clip_subs_eng_00001.vtt"))
        .args(["-f", "webvtt", "-"])
        .output()
        .unwrap();
    let got = String::from_utf8_lossy(&out.stdout).matches("-->").count();
    assert!(want > 3, "the script has cues in the first 22 s");
    assert_eq!(got, want, "cues that start within the video");
    let _ = std::fs::remove_dir_all(&dir);
}
