//! Job JSON the emulator cannot honour is refused with the JSON path of the field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use pipeline::mediaconvert::parse_job;
use serde_json::{json, Value};

fn seed() -> Value {
    serde_json::from_str(pipeline::DEFAULT_JOB).unwrap()
}

fn refusal(v: &Value) -> String {
    parse_job(v).unwrap_err().to_string()
}

#[test]
fn the_seed_job_is_read_whole() {
    let job = parse_job(&seed()).unwrap();
    assert_eq!(job.groups.len(), 3);
    assert_eq!(job.groups[0].outputs.len(), 3);
    // The Settings object alone is not a job: CreateJob's body has it under "Settings".
    assert_eq!(refusal(&seed()["Settings"]), "Settings: required");
}

#[test]
fn an_unknown_field_is_named_with_its_path() {
    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]["Foo"] = json!(1);
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.Foo: not emulated"
    );

    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["Outputs"][2]["VideoDescription"]["CodecSettings"]
        ["H264Settings"]["Bogus"] = json!("x");
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].Outputs[2].VideoDescription.CodecSettings.H264Settings.Bogus: not emulated"
    );
}

#[test]
fn a_value_not_emulated_is_named_with_the_ones_that_are() {
    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]["SegmentControl"] =
        json!("SINGLE_FILE");
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentControl: SINGLE_FILE not emulated (emulated: SEGMENTED_FILES)"
    );
    let mut v = seed();
    v["Settings"]["OutputGroups"][1]["OutputGroupSettings"]["Type"] =
        json!("DASH_ISO_GROUP_SETTINGS");
    assert!(refusal(&v).starts_with(
        "Settings.OutputGroups[1].OutputGroupSettings.Type: DASH_ISO_GROUP_SETTINGS not emulated"
    ));
    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["Outputs"][0]["VideoDescription"]["CodecSettings"]["Codec"] =
        json!("H_265");
    assert!(refusal(&v).starts_with("Settings.OutputGroups[0].Outputs[0].VideoDescription.CodecSettings.Codec: H_265 not emulated"));
}

#[test]
fn wrong_types_and_missing_fields_are_named() {
    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]["SegmentLength"] =
        json!("ten");
    assert_eq!(refusal(&v), "Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentLength: expected an integer");
    let mut v = seed();
    v["Settings"]["OutputGroups"][2]["OutputGroupSettings"]["FileGroupSettings"]
        .as_object_mut()
        .unwrap()
        .remove("Destination");
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[2].OutputGroupSettings.FileGroupSettings.Destination: required"
    );
    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["Outputs"][1]["CaptionDescriptions"] =
        json!([{"CaptionSelectorName": "Captions Selector 1"}]);
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].Outputs[1].CaptionDescriptions[0].DestinationSettings: required"
    );
}

#[test]
fn a_static_key_is_checked_and_read() {
    let mut v = seed();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]["Encryption"] = json!({
        "EncryptionMethod": "AES128", "Type": "STATIC_KEY", "InitializationVectorInManifest": "EXCLUDE",
        "StaticKeyProvider": {"StaticKeyValue": "not hex", "Url": "key1.key"}
    });
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.Encryption.StaticKeyProvider.StaticKeyValue: expected 32 hex digits"
    );
}

#[test]
fn cmaf_settings_not_emulated_are_named() {
    let cmaf: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo("tests/fixtures/jobs/cmaf.json")).unwrap(),
    )
    .unwrap();
    parse_job(&cmaf).unwrap();
    let at = "Settings.OutputGroups[0].OutputGroupSettings.CmafGroupSettings";
    let mut v = cmaf.clone();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["CmafGroupSettings"]
        ["FragmentLength"] = json!(12);
    assert_eq!(
        refusal(&v),
        format!("{at}.FragmentLength: 12 is longer than SegmentLength (10)")
    );
    let mut v = cmaf.clone();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["CmafGroupSettings"]
        ["SegmentControl"] = json!("SEGMENTED_MP4");
    assert!(
        refusal(&v).starts_with(&format!(
            "{at}.SegmentControl: SEGMENTED_MP4 not emulated (emulated: SEGMENTED_FILES, SINGLE_FILE)"
        )),
        "{}",
        refusal(&v)
    );
    // An audio output names a selector the input does not have; a selector with two tracks.
    let mut v = cmaf.clone();
    v["Settings"]["OutputGroups"][0]["Outputs"][4]["AudioDescriptions"][0]["AudioSourceName"] =
        json!("Audio Selector 3");
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].Outputs[4].AudioDescriptions[0].AudioSourceName: Audio Selector 3: no such audio selector in Settings.Inputs[0].AudioSelectors"
    );
    let mut v = cmaf.clone();
    v["Settings"]["Inputs"][0]["AudioSelectors"]["Audio Selector 2"]["Tracks"] = json!([2, 3]);
    assert_eq!(
        refusal(&v),
        "Settings.Inputs[0].AudioSelectors.Audio Selector 2.Tracks: one track per selector is emulated"
    );
    let mut v = cmaf.clone();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["CmafGroupSettings"]
        .as_object_mut()
        .unwrap()
        .remove("WriteDashManifest");
    assert!(
        refusal(&v).starts_with(&format!(
            "{at}.WriteDashManifest: ENABLED (the default) not emulated"
        )),
        "{}",
        refusal(&v)
    );
    let mut v = cmaf;
    v["Settings"]["OutputGroups"][0]["Outputs"][3]["VideoDescription"] =
        v["Settings"]["OutputGroups"][0]["Outputs"][0]["VideoDescription"].clone();
    assert!(
        refusal(&v)
            .starts_with("Settings.OutputGroups[0].Outputs[3]: a CMAF output carries one track"),
        "{}",
        refusal(&v)
    );
}

#[test]
fn an_audio_only_hls_output_needs_the_m2ts_container() {
    let alt: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo("tests/fixtures/jobs/apple-alt-audio.json")).unwrap(),
    )
    .unwrap();
    let job = parse_job(&alt).unwrap();
    let eng = &job.groups[0].outputs[3];
    assert!(eng.video.is_none());
    assert_eq!(eng.audio.as_ref().map(|a| a.track), Some(0));
    let fra = &job.groups[0].outputs[4];
    assert_eq!(
        fra.audio.as_ref().map(|a| a.track),
        Some(1),
        "Audio Selector 2: track 2"
    );
    let t = fra.audio_track.as_ref().unwrap();
    assert_eq!(
        (t.group_id.as_str(), t.default, t.autoselect),
        ("program_audio", false, true)
    );
    let mut v = alt.clone();
    v["Settings"]["OutputGroups"][0]["Outputs"][3]["OutputSettings"]["HlsSettings"]
        .as_object_mut()
        .unwrap()
        .remove("AudioOnlyContainer");
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].Outputs[3].OutputSettings.HlsSettings.AudioOnlyContainer: AUTOMATIC (raw AAC segments) not emulated for an audio-only output: set AudioOnlyContainer M2TS"
    );
}

#[test]
fn caption_settings_not_emulated_are_named() {
    let vtt: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo("tests/fixtures/jobs/webvtt-match-video.json"))
            .unwrap(),
    )
    .unwrap();
    let job = parse_job(&vtt).unwrap();
    let spa = job.groups[0].outputs[4].captions.as_ref().unwrap();
    assert_eq!(spa.source, "s3://vod/captions/webvtt_spa.vtt");
    assert_eq!(
        (spa.language.as_deref(), spa.description.as_deref()),
        (Some("spa"), Some("Español"))
    );
    let sel = "Settings.Inputs[0].CaptionSelectors.Captions Selector 1.SourceSettings";
    let mut v = vtt.clone();
    v["Settings"]["Inputs"][0]["CaptionSelectors"]["Captions Selector 1"]["SourceSettings"]
        ["SourceType"] = json!("SCC");
    assert_eq!(
        refusal(&v),
        format!("{sel}.SourceType: SCC not emulated (emulated: WEBVTT, EMBEDDED)")
    );
    // The video's 608 into a WebVTT output would be a conversion, not the passthrough emulated.
    let mut v = vtt.clone();
    v["Settings"]["Inputs"][0]["CaptionSelectors"]["Captions Selector 1"]["SourceSettings"] =
        json!({"SourceType": "EMBEDDED"});
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].Outputs[3].CaptionDescriptions[0].CaptionSelectorName: Captions Selector 1: an EMBEDDED selector into a WEBVTT destination (608 to WebVTT conversion) not emulated"
    );
    let mut v = vtt.clone();
    v["Settings"]["Inputs"][0]["CaptionSelectors"]["Captions Selector 1"]["SourceSettings"]
        ["FileSourceSettings"]["TimeDelta"] = json!(2);
    assert_eq!(
        refusal(&v),
        format!("{sel}.FileSourceSettings.TimeDelta: not emulated")
    );
    // Captions in a video output (embedded or burnt in) are not the sidecar emulated.
    let mut v = vtt.clone();
    v["Settings"]["OutputGroups"][0]["Outputs"][0]["CaptionDescriptions"] =
        v["Settings"]["OutputGroups"][0]["Outputs"][3]["CaptionDescriptions"].clone();
    assert!(
        refusal(&v).starts_with("Settings.OutputGroups[0].Outputs[0].CaptionDescriptions: a WebVTT output carries its captions alone"),
        "{}",
        refusal(&v)
    );
    let mut v = vtt;
    v["Settings"]["OutputGroups"][0]["Outputs"][3]["CaptionDescriptions"][0]
        ["CaptionSelectorName"] = json!("Captions Selector 9");
    assert_eq!(
        refusal(&v),
        "Settings.OutputGroups[0].Outputs[3].CaptionDescriptions[0].CaptionSelectorName: Captions Selector 9: no such caption selector in Settings.Inputs[0].CaptionSelectors"
    );
}
