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
        "Settings.OutputGroups[0].Outputs[1].CaptionDescriptions: not emulated"
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
        ["FragmentLength"] = json!(2);
    assert!(
        refusal(&v).starts_with(&format!("{at}.FragmentLength: 2 not emulated")),
        "{}",
        refusal(&v)
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
