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

#[test]
fn run_writes_one_jobs_output_without_servers() {
    let dir = common::temp_dir("run");
    let input = dir.join("clip.mp4");
    common::make_source(&input, 3);
    let mut v: serde_json::Value = serde_json::from_str(pipeline::DEFAULT_JOB).unwrap();
    v["Settings"]["OutputGroups"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    v["Settings"]["OutputGroups"][0]["Outputs"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    let job = dir.join("job.json");
    std::fs::write(&job, v.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .args(["run", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--job")
        .arg(&job)
        .args(["--dt", "20250101T120000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    let master = dir.join("out/clip/Default/HLS/clip.m3u8");
    assert_eq!(printed.trim(), master.display().to_string());
    assert!(dir
        .join("out/clip/Default/HLS/clip_36020250101T120000_00001.ts")
        .is_file());
    assert!(std::fs::read_to_string(&master)
        .unwrap()
        .contains("clip_360.m3u8"));
    let _ = std::fs::remove_dir_all(&dir);
}
