//! `hlsplay remux` as a script sees it: exit status, stderr, the output file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

use std::path::Path;
use std::process::Command;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ts")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A segment whose only keyframe is cut off (midgop_1.ts: its GOP started in midgop_0.ts) gives
/// nothing to write. It used to exit 0 leaving an empty output file.
#[test]
fn remux_of_a_segment_whose_only_keyframe_is_cut_off_exits_2_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("hlsplay-cli-remux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = dir.join("out.mp4");
    let run = Command::new(env!("CARGO_BIN_EXE_hlsplay"))
        .args(["remux", &fixture("midgop_1.ts"), "-o"])
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("nothing to write")
            && stderr.contains("no video keyframe with SPS/PPS yet"),
        "{stderr}"
    );
    assert!(!output.exists(), "no empty output file is left behind");

    // With the segment holding the keyframe first, the same segment is written.
    let run = Command::new(env!("CARGO_BIN_EXE_hlsplay"))
        .args([
            "remux",
            &fixture("midgop_0.ts"),
            &fixture("midgop_1.ts"),
            "-o",
        ])
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(std::fs::metadata(&output).unwrap().len() > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
