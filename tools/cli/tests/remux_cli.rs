//! `hlsplay remux`: writes init + one fragment per input; exit 2 with a reason on bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use std::process::Command;

fn fixture(name: &str) -> String {
    format!(
        "{}/../../tests/fixtures/ts/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn remux_writes_one_init_and_a_fragment_per_segment() {
    let out = std::env::temp_dir().join(format!("hlsplay-cli-remux-{}.mp4", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_hlsplay"))
        .args([
            "remux",
            &fixture("run_0.ts"),
            &fixture("run_1.ts"),
            &fixture("run_2.ts"),
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    let count = |kind: &[u8]| bytes.windows(4).filter(|w| *w == kind).count();
    assert_eq!(count(b"moov"), 1);
    assert_eq!(count(b"moof"), 3);
    assert_eq!(&bytes[4..8], b"ftyp");
    std::fs::remove_file(&out).ok();
}

#[test]
fn remux_of_garbage_exits_2_with_the_reason() {
    let bad = std::env::temp_dir().join(format!("hlsplay-cli-bad-{}.ts", std::process::id()));
    std::fs::write(&bad, vec![0u8; 5000]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hlsplay"))
        .args(["remux"])
        .arg(&bad)
        .args(["-o", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot remux") && err.contains("no MPEG-TS sync"),
        "{err}"
    );
    let usage = Command::new(env!("CARGO_BIN_EXE_hlsplay"))
        .args(["remux", "x.ts"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("-o"));
    std::fs::remove_file(&bad).ok();
}
