//! The ABR ladder fixtures of `tests/fixtures/ladders/` as `hlsplay simulate --ladder` reads them
//! (relative URLs under one directory). Native only, like the simulator: test files include it
//! with `#[path = "common/ladders.rs"] mod ladders;`.
#![allow(clippy::unwrap_used)] // a missing fixture should fail loudly

use std::path::PathBuf;

use hlsplay::sim::Ladder;

/// The fixture `name` (`pensieve`, `vod-aws-1080p`) as a 600 s VOD.
pub fn ladder_fixture(name: &str) -> Ladder {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ladders")
        .join(name);
    let base = "https://ladder.local/";
    let local = |url: &str| dir.join(url.strip_prefix(base).unwrap_or(url));
    let master = std::fs::read(local("master.m3u8")).unwrap();
    Ladder::from_master(
        &format!("{base}master.m3u8"),
        &master,
        600.0,
        &|u| std::fs::read(local(u)).ok(),
        &|u| std::fs::metadata(local(u)).ok().map(|m| m.len()),
    )
    .unwrap()
}
