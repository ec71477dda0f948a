//! The sample shapes' jobs (tests/fixtures/jobs, run by scripts/make-sample.sh): encodes shared
//! through the cache, and the `aes` shape's static key with the IV from the media sequence number,
//! decrypted by openssl to the clear shape's bytes.
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
        input,
        bucket: "vod",
        bucket_dir: bucket,
        dt: "20250101T120000",
        work_dir: &work,
        cache_dir: Some(cache),
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
