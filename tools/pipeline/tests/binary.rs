//! The `pipeline` binary refuses a job template it cannot honour before it starts anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::process::Command;

#[test]
fn a_bad_job_template_stops_the_binary_naming_the_field() {
    let dir = common::temp_dir("binary");
    let mut v: serde_json::Value = serde_json::from_str(pipeline::DEFAULT_JOB).unwrap();
    v["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]["SegmentControl"] =
        "SINGLE_FILE".into();
    let job = dir.join("job.json");
    std::fs::write(&job, v.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .args(["--data"])
        .arg(dir.join("s3"))
        .args(["--s3-port", "0", "--job"])
        .arg(&job)
        .args(["--", "--port", "0", "--app-port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentControl: SINGLE_FILE not emulated"),
        "{stderr}"
    );
    assert!(!dir.join("s3").exists(), "nothing started");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_names_the_s3_settings_and_their_defaults() {
    let out = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "$S3_PORT or 9000",
        "$S3_BUCKET or vod",
        "$S3_ACCESS_KEY or hlsplay",
        "$S3_SECRET_KEY or hlsplay-dev-secret",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
}
