//! The seed's job (tests/fixtures/jobs/vod-sample.json) through the emulator, every playlist field
//! checked against what MediaConvert writes for it (docs/design-pipeline.md, "What the seed's job
//! writes"), and the files it names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use pipeline::mediaconvert::{run_job, Context};

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// The PIDs of the TS packets in a segment and the PMT PID named by its PAT.
fn ts_pids(bytes: &[u8]) -> (u16, Vec<u16>) {
    let mut pids = Vec::new();
    let mut pmt = 0;
    for p in bytes.chunks(188) {
        assert_eq!(p[0], 0x47, "TS sync byte");
        let pid = (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
        if pid == 0 && pmt == 0 {
            // PAT: pointer field, then the first program's PMT PID.
            let start = 4 + 1 + usize::from(p[4]);
            let prog = &p[start + 8..start + 12];
            pmt = (u16::from(prog[2] & 0x1f) << 8) | u16::from(prog[3]);
        }
        if !pids.contains(&pid) {
            pids.push(pid);
        }
    }
    (pmt, pids)
}

/// The top-level box types of an MP4 file.
fn top_boxes(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        if size < 8 {
            break;
        }
        at += size;
    }
    out
}

/// A JPEG's width and height from its SOF0 marker.
fn jpeg_size(bytes: &[u8]) -> (u16, u16) {
    let at = bytes
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("SOF0");
    let h = u16::from_be_bytes([bytes[at + 5], bytes[at + 6]]);
    let w = u16::from_be_bytes([bytes[at + 7], bytes[at + 8]]);
    (w, h)
}

#[test]
fn the_seed_job_writes_mediaconverts_layout_and_playlists() {
    let dir = common::temp_dir("emulator");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(bucket.join("input")).unwrap();
    let input = bucket.join("input/clip.mp4");
    common::make_source(&input, 12);
    let job = pipeline::jobs::lambda_destinations(&common::seed_job(), "vod", "clip");
    let work = dir.join("work");
    let ctx = common::context(&input, &bucket, &work);
    let mut seen = Vec::new();
    let outputs = run_job(&job, &ctx, &mut |p| seen.push(p)).unwrap();

    assert_eq!(
        outputs,
        [
            "clip/Default/HLS/clip.m3u8",
            "clip/Default/MP4/clip.mp4",
            "clip/Default/Thumbnails/clip.0000000.jpg"
        ]
    );
    assert_eq!(seen.last(), Some(&100), "progress ends at 100");
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {seen:?}"
    );
    assert!(
        seen.iter().any(|p| *p > 0 && *p < 100),
        "progress in between: {seen:?}"
    );

    let hls = bucket.join("clip/Default/HLS");
    let master = lines(&hls.join("clip.m3u8"));
    assert_eq!(
        master[..3],
        ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    );
    assert_eq!(master.len(), 3 + 2 * 3, "{master:#?}");
    // (modifier, resolution, configured video bitrate, level_idc with CodecLevel LEVEL_3 / LEVEL_3_1)
    let ladder = [
        ("_360", "640x360", 1_000_000u64, 30),
        ("_540", "960x540", 2_000_000, 31),
        ("_720", "1280x720", 3_000_000, 31),
    ];
    for (i, (modifier, resolution, video_bps, level)) in ladder.iter().enumerate() {
        let inf = &master[3 + 2 * i];
        let uri = &master[4 + 2 * i];
        assert_eq!(uri, &format!("clip{modifier}.m3u8"));
        let attrs = inf.strip_prefix("#EXT-X-STREAM-INF:").unwrap();
        let names: Vec<&str> = attrs
            .split(',')
            .filter_map(|a| a.split_once('=').map(|(n, _)| n))
            .filter(|n| !n.starts_with("mp4a"))
            .collect();
        assert_eq!(
            names,
            [
                "BANDWIDTH",
                "AVERAGE-BANDWIDTH",
                "CODECS",
                "RESOLUTION",
                "FRAME-RATE"
            ],
            "{inf}"
        );
        let attr = |name: &str| {
            attrs
                .split(',')
                .find_map(|a| a.strip_prefix(&format!("{name}=")))
                .unwrap()
                .to_string()
        };
        let average: u64 = attr("AVERAGE-BANDWIDTH").parse().unwrap();
        assert_eq!(
            average,
            (video_bps + 96_000) * 11 / 10,
            "AVERAGE-BANDWIDTH is 1.1 x video + audio"
        );
        let bandwidth: u64 = attr("BANDWIDTH").parse().unwrap();
        assert!(
            bandwidth >= average,
            "BANDWIDTH {bandwidth} below AVERAGE-BANDWIDTH {average}"
        );
        // RFC_4281: the legacy decimal form, Main profile (77) at the configured level.
        assert!(
            inf.contains(&format!("CODECS=\"avc1.77.{level},mp4a.40.2\"")),
            "{inf}"
        );
        assert_eq!(attr("RESOLUTION"), *resolution);
        assert_eq!(attr("FRAME-RATE"), "30.000");

        let media = lines(&hls.join(uri));
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
        assert_eq!(media.last().map(String::as_str), Some("#EXT-X-ENDLIST"));
        let body = &media[5..media.len() - 1];
        // 12 s cut at SegmentLength 10: one 10 s segment and the 2 s rest, integer EXTINF.
        assert_eq!(body.len(), 4, "{media:#?}");
        assert_eq!(body[0], "#EXTINF:10,");
        assert_eq!(body[2], "#EXTINF:2,");
        for (n, seg) in [(1, &body[1]), (2, &body[3])] {
            assert_eq!(
                seg,
                &format!("clip{modifier}20250101T120000_{n:05}.ts"),
                "SegmentModifier $dt$"
            );
            let bytes = std::fs::read(hls.join(seg)).unwrap();
            let (pmt, pids) = ts_pids(&bytes);
            assert_eq!(pmt, 480, "PmtPid");
            assert!(
                pids.contains(&481) && pids.contains(&482),
                "VideoPid 481, AudioPids [482]: {pids:?}"
            );
        }
    }
    let mut names: Vec<String> = std::fs::read_dir(&hls)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names.len(),
        4 + 6,
        "master, 3 media playlists, 6 segments and nothing else: {names:?}"
    );

    let mp4 = std::fs::read(bucket.join("clip/Default/MP4/clip.mp4")).unwrap();
    let boxes = top_boxes(&mp4);
    let moov = boxes.iter().position(|b| b == "moov").unwrap();
    let mdat = boxes.iter().position(|b| b == "mdat").unwrap();
    assert!(moov < mdat, "MoovPlacement PROGRESSIVE_DOWNLOAD: {boxes:?}");

    // One capture every 5 s of 12 s: at 0, 5 and 10 s; 7-digit counter from 0; 1280x720.
    let thumbs = bucket.join("clip/Default/Thumbnails");
    let mut jpgs: Vec<String> = std::fs::read_dir(&thumbs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    jpgs.sort();
    assert_eq!(
        jpgs,
        ["clip.0000000.jpg", "clip.0000001.jpg", "clip.0000002.jpg"]
    );
    assert_eq!(
        jpeg_size(&std::fs::read(thumbs.join(&jpgs[0])).unwrap()),
        (1280, 720)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_video_input_fails_with_ffmpegs_reason() {
    let dir = common::temp_dir("notvideo");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(bucket.join("input")).unwrap();
    let input = bucket.join("input/notes.mp4");
    std::fs::write(&input, "these are notes, not a video\n").unwrap();
    let job = pipeline::jobs::lambda_destinations(&common::seed_job(), "vod", "notes");
    let work = dir.join("work");
    let ctx = common::context(&input, &bucket, &work);
    let e = run_job(&job, &ctx, &mut |_| {}).unwrap_err().to_string();
    assert!(
        e.contains("Invalid data found when processing input"),
        "{e}"
    );
    assert!(
        !bucket.join("notes").exists(),
        "nothing written for a failed job"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_static_key_encrypts_every_segment_and_the_playlists_say_so() {
    let dir = common::temp_dir("aes");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(bucket.join("input")).unwrap();
    let input = bucket.join("input/clip.mp4");
    common::make_source(&input, 12);
    let text = std::fs::read_to_string(common::repo("tests/fixtures/jobs/hls-aes-static-key.json"))
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // One rendition is enough for the key handling.
    v["Settings"]["OutputGroups"][0]["Outputs"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    let job = pipeline::mediaconvert::parse_job(&v).unwrap();
    let job = pipeline::jobs::lambda_destinations(&job, "vod", "clip");
    let work = dir.join("work");
    let ctx = common::context(&input, &bucket, &work);
    let outputs = run_job(&job, &ctx, &mut |_| {}).unwrap();
    assert_eq!(outputs, ["clip/Default/HLS-AES/clip.m3u8"]);

    let hls = bucket.join("clip/Default/HLS-AES");
    // CODECS from the SPS of the first segment, read back through the key; no EXT-X-SESSION-KEY.
    let master = lines(&hls.join("clip.m3u8"));
    assert!(
        master[3].contains("CODECS=\"avc1.77.30,mp4a.40.2\""),
        "{master:?}"
    );
    assert!(!master.iter().any(|l| l.starts_with("#EXT-X-SESSION-KEY")));
    let media = lines(&hls.join("clip_360.m3u8"));
    assert_eq!(media[1], "#EXT-X-VERSION:5", "KEYFORMAT needs version 5");
    let iv = "9c2d2f1e5b6a7c8d0e1f2a3b4c5d6e7f";
    let key_tags: Vec<&String> = media
        .iter()
        .filter(|l| l.starts_with("#EXT-X-KEY"))
        .collect();
    assert_eq!(
        key_tags,
        [&format!("#EXT-X-KEY:METHOD=AES-128,URI=\"key1.key\",IV=0x{},KEYFORMAT=\"identity\",KEYFORMATVERSIONS=\"1\"", iv.to_uppercase())]
    );
    let tag_at = media
        .iter()
        .position(|l| l.starts_with("#EXT-X-KEY"))
        .unwrap();
    let first_inf = media.iter().position(|l| l.starts_with("#EXTINF")).unwrap();
    assert!(
        tag_at < first_inf,
        "the key tag comes before the first segment"
    );
    let key = std::fs::read(hls.join("key1.key")).unwrap();
    assert_eq!(hex::encode(&key), "3f8a1c5e7b9d2f4a6c8e0b1d3f5a7c9e");

    // openssl, the independent oracle, decrypts each segment with the key and the constant IV to TS.
    for seg in media.iter().filter(|l| l.ends_with(".ts")) {
        let out = std::process::Command::new("openssl")
            .args([
                "enc",
                "-d",
                "-aes-128-cbc",
                "-K",
                "3f8a1c5e7b9d2f4a6c8e0b1d3f5a7c9e",
                "-iv",
                iv,
                "-in",
            ])
            .arg(hls.join(seg))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{seg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.stdout.len() % 188,
            0,
            "{seg}: whole TS packets after the padding"
        );
        let (pmt, pids) = ts_pids(&out.stdout);
        assert_eq!(pmt, 480);
        assert!(pids.contains(&481), "{seg}: {pids:?}");
        let clear = std::fs::read(hls.join(seg)).unwrap();
        assert_ne!(clear.first(), Some(&0x47), "{seg} is not clear TS");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cmaf_group_writes_video_and_audio_renditions_with_their_init_segments() {
    let dir = common::temp_dir("cmaf");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(bucket.join("input")).unwrap();
    let input = bucket.join("input/clip.mp4");
    // Audio Selector 1 (track 1) feeds English, Audio Selector 2 (track 2) French.
    common::make_source_tones(&input, 12, &[440, 660]);
    let text = std::fs::read_to_string(common::repo("tests/fixtures/jobs/cmaf.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // 360p and the two audio renditions: the 540/720 outputs differ only in size.
    v["Settings"]["OutputGroups"][0]["Outputs"]
        .as_array_mut()
        .unwrap()
        .drain(1..3);
    let job = pipeline::jobs::lambda_destinations(
        &pipeline::mediaconvert::parse_job(&v).unwrap(),
        "vod",
        "clip",
    );
    let work = dir.join("work");
    let ctx = common::context(&input, &bucket, &work);
    assert_eq!(
        run_job(&job, &ctx, &mut |_| {}).unwrap(),
        ["clip/Default/CMAF/clip.m3u8"]
    );

    let cmaf = bucket.join("clip/Default/CMAF");
    let master = lines(&cmaf.join("clip.m3u8"));
    assert_eq!(
        master[..3],
        ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    );
    let inf = master[3].strip_prefix("#EXT-X-STREAM-INF:").unwrap();
    let average = (1_000_000u64 + 96_000) * 11 / 10;
    assert!(inf.contains(&format!(",AVERAGE-BANDWIDTH={average},VIDEO-RANGE=SDR,CODECS=\"avc1.4d401e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO=\"program_audio_0\"")), "{inf}");
    assert_eq!(master[4], "clip_360.m3u8");
    // EXT-X-MEDIA after the variants, as MediaConvert's CMAF masters have them.
    assert_eq!(
        master[5..],
        [
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"program_audio_0\",LANGUAGE=\"eng\",NAME=\"English\",AUTOSELECT=YES,DEFAULT=YES,URI=\"clip_eng.m3u8\"",
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"program_audio_0\",LANGUAGE=\"fra\",NAME=\"Français\",AUTOSELECT=YES,DEFAULT=NO,URI=\"clip_fra.m3u8\"",
        ]
    );
    for (stem, ext) in [
        ("clip_360", "cmfv"),
        ("clip_eng", "cmfa"),
        ("clip_fra", "cmfa"),
    ] {
        let media = lines(&cmaf.join(format!("{stem}.m3u8")));
        assert_eq!(
            media[..6],
            [
                "#EXTM3U".to_string(),
                "#EXT-X-VERSION:6".into(),
                "#EXT-X-TARGETDURATION:10".into(),
                "#EXT-X-MEDIA-SEQUENCE:1".into(),
                "#EXT-X-PLAYLIST-TYPE:VOD".into(),
                format!("#EXT-X-MAP:URI=\"{stem}init.{ext}\""),
            ]
        );
        assert_eq!(media[6], "#EXTINF:10,");
        assert_eq!(media[7], format!("{stem}_000000001.{ext}"));
        assert_eq!(media.last().map(String::as_str), Some("#EXT-X-ENDLIST"));
        let init = std::fs::read(cmaf.join(format!("{stem}init.{ext}"))).unwrap();
        let boxes = top_boxes(&init);
        assert_eq!(
            boxes.first().map(String::as_str),
            Some("ftyp"),
            "{stem}: {boxes:?}"
        );
        assert!(
            boxes.contains(&"moov".to_string()) && !boxes.contains(&"mdat".to_string()),
            "{stem}: {boxes:?}"
        );
        // FragmentLength 2 in SegmentLength 10: the first segment is one styp and a moof + mdat per
        // fragment (video: one a GOP of 3 s and the 1 s to the forced keyframe at 10 s; audio: one
        // every 2 s), no sidx.
        let seg = std::fs::read(cmaf.join(&media[7])).unwrap();
        let boxes = top_boxes(&seg);
        let fragments = if ext == "cmfv" { 4 } else { 5 };
        let mut want = vec!["styp".to_string()];
        for _ in 0..fragments {
            want.extend(["moof".to_string(), "mdat".to_string()]);
        }
        assert_eq!(boxes, want, "{stem}");
        // 12 s: two segments, the second 2 s (the audio's last AAC frame past the video joins it:
        // MinFinalSegmentLength 1).
        let infs: Vec<&String> = media.iter().filter(|l| l.starts_with("#EXTINF")).collect();
        assert_eq!(infs, ["#EXTINF:10,", "#EXTINF:2,"], "{stem}");
        assert_eq!(media[9], format!("{stem}_000000002.{ext}"));
    }
    // ffmpeg decodes each audio rendition to its selector's tone.
    let eng = common::tone_of(&cmaf.join("clip_eng.m3u8"), 5.0);
    let fra = common::tone_of(&cmaf.join("clip_fra.m3u8"), 5.0);
    assert!((eng - 440.0).abs() < 10.0, "English: {eng} Hz");
    assert!((fra - 660.0).abs() < 10.0, "French: {fra} Hz");
    assert!(
        common::decodes(&cmaf.join("clip_360.m3u8")),
        "the video rendition decodes"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn single_file_cmaf_is_the_segmented_files_as_byte_ranges_of_one_file() {
    let dir = common::temp_dir("cmaf-single");
    let bucket = dir.join("vod");
    std::fs::create_dir_all(&bucket).unwrap();
    let input = dir.join("clip.mp4");
    common::make_source_tones(&input, 12, &[440, 660]);
    let cache = dir.join("encodes");
    let job = |fixture: &str| {
        let text = std::fs::read_to_string(common::repo(&format!("tests/fixtures/jobs/{fixture}")))
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        // 360p and English.
        v["Settings"]["OutputGroups"][0]["Outputs"]
            .as_array_mut()
            .unwrap()
            .retain(|o| o["NameModifier"] == "_360" || o["NameModifier"] == "_eng");
        pipeline::jobs::lambda_destinations(
            &pipeline::mediaconvert::parse_job(&v).unwrap(),
            "vod",
            "clip",
        )
    };
    for fixture in ["cmaf.json", "cmaf-single-file.json"] {
        let work = dir.join("work");
        let ctx = Context {
            cache_dir: Some(&cache),
            ..common::context(&input, &bucket, &work)
        };
        run_job(&job(fixture), &ctx, &mut |_| {}).unwrap();
    }
    let segmented = bucket.join("clip/Default/CMAF");
    let single = bucket.join("clip/Default/CMAF-SingleFile");
    // The same master: same renditions, same playlist names.
    assert_eq!(
        lines(&single.join("clip.m3u8")),
        lines(&segmented.join("clip.m3u8"))
    );
    for (stem, ext) in [("clip_360", "cmfv"), ("clip_eng", "cmfa")] {
        let file = format!("{stem}.{ext}");
        let whole = std::fs::read(single.join(&file)).unwrap();
        let init = std::fs::read(segmented.join(format!("{stem}init.{ext}"))).unwrap();
        let media = lines(&single.join(format!("{stem}.m3u8")));
        assert_eq!(
            media[..6],
            [
                "#EXTM3U".to_string(),
                "#EXT-X-VERSION:6".into(),
                "#EXT-X-TARGETDURATION:10".into(),
                "#EXT-X-MEDIA-SEQUENCE:1".into(),
                "#EXT-X-PLAYLIST-TYPE:VOD".into(),
                format!("#EXT-X-MAP:URI=\"{file}\",BYTERANGE=\"{}@0\"", init.len()),
            ]
        );
        assert_eq!(&whole[..init.len()], &init[..], "{file}: the init first");
        // Each range, in order and back to back, is the segmented rendition's file byte for byte.
        let clear = lines(&segmented.join(format!("{stem}.m3u8")));
        let seg_files: Vec<&String> = clear.iter().filter(|l| !l.starts_with('#')).collect();
        let ranges: Vec<(usize, usize)> = media
            .iter()
            .filter_map(|l| l.strip_prefix("#EXT-X-BYTERANGE:"))
            .map(|r| {
                let (len, off) = r.split_once('@').unwrap();
                (len.parse().unwrap(), off.parse().unwrap())
            })
            .collect();
        assert_eq!(ranges.len(), seg_files.len(), "{media:?}");
        let mut next = init.len();
        for ((len, off), seg) in ranges.iter().zip(&seg_files) {
            assert_eq!(*off, next, "{file}: ranges back to back");
            let want = std::fs::read(segmented.join(seg)).unwrap();
            assert!(
                whole[*off..off + len] == want[..],
                "{file}@{off}: not {seg}"
            );
            next = off + len;
        }
        assert_eq!(next, whole.len(), "{file}: nothing after the last range");
        assert!(media
            .iter()
            .filter(|l| !l.starts_with('#'))
            .all(|l| *l == file));
    }
    assert!(common::decodes(&single.join("clip_360.m3u8")));
    let _ = std::fs::remove_dir_all(&dir);
}
