//! CEA-608 passthrough: tests/fixtures/jobs/cc608.json (Apple HLS) and cmaf-cc608.json (CMAF) on a
//! source whose H.264 carries 608 captions (tests/fixtures/ts/cc608-source.ts, CC1 from
//! cc608-source.vtt), and the caption settings refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::process::Command;

use pipeline::mediaconvert::{parse_job, run_job};
use serde_json::{json, Value};

fn cc608_job() -> Value {
    fixture_job("cc608.json")
}

fn fixture_job(name: &str) -> Value {
    let text =
        std::fs::read_to_string(common::repo(&format!("tests/fixtures/jobs/{name}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A CMAF rendition as one fragmented MP4: its init segment and its media segments joined in
/// playlist order (what ffmpeg reads as a file).
fn joined_rendition(dir: &Path, media: &str, to: &Path) {
    let text = std::fs::read_to_string(dir.join(media)).unwrap();
    let mut bytes = Vec::new();
    for line in text.lines() {
        let uri = match line.strip_prefix("#EXT-X-MAP:URI=\"") {
            Some(rest) => rest.trim_end_matches('"'),
            None if !line.starts_with('#') && !line.is_empty() => line,
            None => continue,
        };
        bytes.extend(std::fs::read(dir.join(uri)).unwrap());
    }
    std::fs::write(to, bytes).unwrap();
}

/// ffmpeg's own 608 decoder (CC1) on a TS file, as WebVTT text.
fn decoded_608(ts: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "lavfi", "-i"])
        .arg(format!("movie={}[out0+subcc]", ts.display()))
        .args(["-map", "0:s", "-f", "webvtt", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn run(job: &Value, input: &Path, dir: &Path) -> std::path::PathBuf {
    let bucket = dir.join("vod");
    std::fs::create_dir_all(&bucket).unwrap();
    let work = dir.join("work");
    let ctx = common::context(input, &bucket, &work);
    let job = pipeline::jobs::lambda_destinations(&parse_job(job).unwrap(), "vod", "clip");
    run_job(&job, &ctx, &mut |_| {}).unwrap();
    bucket
}

#[test]
fn embedded_608_passes_through_with_the_closed_captions_rendition() {
    let dir = common::temp_dir("cc608");
    let input = dir.join("clip.ts");
    std::fs::copy(common::repo("tests/fixtures/ts/cc608-source.ts"), &input).unwrap();
    let bucket = run(&cc608_job(), &input, &dir);
    let hls = bucket.join("clip/Default/HLS-608");
    let master = std::fs::read_to_string(hls.join("clip.m3u8")).unwrap();
    let lines: Vec<&str> = master.lines().collect();
    let variants: Vec<&&str> = (lines.iter())
        .filter(|l| l.starts_with("#EXT-X-STREAM-INF:"))
        .collect();
    assert_eq!(variants.len(), 3, "{master}");
    for v in variants {
        assert!(v.ends_with(",CLOSED-CAPTIONS=\"cc\""), "{v}");
    }
    assert_eq!(
        lines.last().unwrap(),
        &"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",LANGUAGE=\"eng\",NAME=\"English\",INSTREAM-ID=\"CC1\""
    );
    // Every rendition's segments carry the source's captions, as ffmpeg's decoder reads them.
    for name in ["360", "540", "720"] {
        let seg = hls.join(format!("clip_{name}20250101T120000_00001.ts"));
        let vtt = decoded_608(&seg);
        assert!(
            vtt.contains("00:01.000 --> 00:02.500\nHELLO CAPTIONS")
                && vtt.contains("00:03.000 --> 00:04.500\nSECOND LINE"),
            "{name}: {vtt}"
        );
    }
    // Without EMBEDDED destinations the same source's captions are dropped, and the master says
    // nothing of them.
    let mut plain = cc608_job();
    let group = &mut plain["Settings"]["OutputGroups"][0];
    group["OutputGroupSettings"]["HlsGroupSettings"]["CaptionLanguageSetting"] = json!("OMIT");
    for o in group["Outputs"].as_array_mut().unwrap() {
        o.as_object_mut().unwrap().remove("CaptionDescriptions");
    }
    let dir2 = common::temp_dir("cc608-dropped");
    let bucket = run(&plain, &input, &dir2);
    let hls = bucket.join("clip/Default/HLS-608");
    let master = std::fs::read_to_string(hls.join("clip.m3u8")).unwrap();
    assert!(!master.contains("CLOSED-CAPTIONS"), "{master}");
    let vtt = decoded_608(&hls.join("clip_36020250101T120000_00001.ts"));
    assert!(!vtt.contains("HELLO"), "{vtt}");
}

#[test]
fn embedded_608_in_a_cmaf_group_stays_in_the_video_samples_and_the_master_says_nothing() {
    let dir = common::temp_dir("cmaf-cc608");
    let input = dir.join("clip.ts");
    std::fs::copy(common::repo("tests/fixtures/ts/cc608-source.ts"), &input).unwrap();
    let bucket = run(&fixture_job("cmaf-cc608.json"), &input, &dir);
    let cmaf = bucket.join("clip/Default/CMAF-608");
    let master = std::fs::read_to_string(cmaf.join("clip.m3u8")).unwrap();
    let variants = master
        .lines()
        .filter(|l| l.starts_with("#EXT-X-STREAM-INF:"))
        .count();
    assert_eq!(variants, 3, "{master}");
    // CmafGroupSettings has no CaptionLanguageSetting: no CLOSED-CAPTIONS attribute or rendition.
    assert!(!master.contains("CLOSED-CAPTIONS"), "{master}");
    // Every video rendition's samples carry the source's captions, as ffmpeg's decoder reads them.
    for name in ["360", "540", "720"] {
        let joined = dir.join(format!("joined_{name}.mp4"));
        joined_rendition(&cmaf, &format!("clip_{name}.m3u8"), &joined);
        let vtt = decoded_608(&joined);
        assert!(
            vtt.contains("00:01.000 --> 00:02.500\nHELLO CAPTIONS")
                && vtt.contains("00:03.000 --> 00:04.500\nSECOND LINE"),
            "{name}: {vtt}"
        );
    }
    // Without EMBEDDED destinations the same source's captions are dropped from the samples.
    let mut plain = fixture_job("cmaf-cc608.json");
    for o in plain["Settings"]["OutputGroups"][0]["Outputs"]
        .as_array_mut()
        .unwrap()
    {
        o.as_object_mut().unwrap().remove("CaptionDescriptions");
    }
    let dir2 = common::temp_dir("cmaf-cc608-dropped");
    let bucket = run(&plain, &input, &dir2);
    let cmaf = bucket.join("clip/Default/CMAF-608");
    let joined = dir2.join("joined_360.mp4");
    joined_rendition(&cmaf, "clip_360.m3u8", &joined);
    let vtt = decoded_608(&joined);
    assert!(!vtt.contains("HELLO"), "{vtt}");
}

#[test]
fn cmaf_caption_settings_not_emulated_are_refused_with_their_path() {
    let refusal = |v: &Value| parse_job(v).unwrap_err().to_string();
    let job = parse_job(&fixture_job("cmaf-cc608.json")).unwrap();
    let outputs = &job.groups[0].outputs;
    let embedded: Vec<bool> = (outputs.iter())
        .map(|o| o.embedded_captions.as_deref() == Some("Captions Selector 1"))
        .collect();
    assert_eq!(embedded, [true, true, true, false, false]);

    // A WebVTT sidecar in the CMAF group is not emulated (the Apple HLS group's is).
    let mut v = fixture_job("cmaf-cc608.json");
    v["Settings"]["OutputGroups"][0]["Outputs"][0]["CaptionDescriptions"][0]
        ["DestinationSettings"] = json!({"DestinationType": "WEBVTT"});
    let e = refusal(&v);
    assert!(
        e.starts_with("Settings.OutputGroups[0].Outputs[0].CaptionDescriptions[0].DestinationSettings.DestinationType: WEBVTT captions are emulated in the Apple HLS group only"),
        "{e}"
    );
    // The 608 rides in the H.264: not in an audio output.
    let mut v = fixture_job("cmaf-cc608.json");
    let captions = v["Settings"]["OutputGroups"][0]["Outputs"][0]["CaptionDescriptions"].clone();
    v["Settings"]["OutputGroups"][0]["Outputs"][3]["CaptionDescriptions"] = captions;
    let e = refusal(&v);
    assert!(
        e.starts_with("Settings.OutputGroups[0].Outputs[3].CaptionDescriptions[0].DestinationSettings.DestinationType: EMBEDDED captions ride in a video output's H.264"),
        "{e}"
    );
    // The language settings are the Apple HLS group's: CmafGroupSettings has none.
    let mut v = fixture_job("cmaf-cc608.json");
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["CmafGroupSettings"]
        ["CaptionLanguageSetting"] = json!("INSERT");
    let e = refusal(&v);
    assert!(
        e.starts_with(
            "Settings.OutputGroups[0].OutputGroupSettings.CmafGroupSettings.CaptionLanguageSetting"
        ),
        "{e}"
    );
}

#[test]
fn unsupported_caption_settings_are_refused_with_their_path() {
    let refusal = |v: &Value| parse_job(v).unwrap_err().to_string();
    let mut v = cc608_job();
    let d = "Settings.OutputGroups[0].Outputs[0].CaptionDescriptions[0].DestinationSettings";
    v["Settings"]["OutputGroups"][0]["Outputs"][0]["CaptionDescriptions"][0]
        ["DestinationSettings"]["DestinationType"] = json!("SCC");
    let e = refusal(&v);
    assert!(e.starts_with(&format!("{d}.DestinationType")), "{e}");
    assert!(e.contains("SCC"), "{e}");

    let mut v = cc608_job();
    v["Settings"]["OutputGroups"][0]["Outputs"][0]["CaptionDescriptions"][0]
        ["DestinationSettings"]["EmbeddedDestinationSettings"]["Destination608ChannelNumber"] =
        json!(3);
    let e = refusal(&v);
    assert!(
        e.starts_with(&format!(
            "{d}.EmbeddedDestinationSettings.Destination608ChannelNumber"
        )),
        "{e}"
    );

    let mut v = cc608_job();
    v["Settings"]["Inputs"][0]["CaptionSelectors"]["Captions Selector 1"]["SourceSettings"]
        ["EmbeddedSourceSettings"]["Convert608To708"] = json!("UPCONVERT");
    let e = refusal(&v);
    assert!(
        e.starts_with("Settings.Inputs[0].CaptionSelectors.Captions Selector 1.SourceSettings.EmbeddedSourceSettings.Convert608To708"),
        "{e}"
    );

    let mut v = cc608_job();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]
        ["CaptionLanguageMappings"] = json!([]);
    let e = refusal(&v);
    assert!(
        e.starts_with(
            "Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.CaptionLanguageMappings"
        ),
        "{e}"
    );
}
