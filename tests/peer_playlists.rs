//! The peers' own test playlists (videojs/m3u8-parser, hls.js, grafov/m3u8) in
//! `../shared/peer-data/playlists`, each against what its peer's tests expect (issue 18): every
//! peer-valid playlist parses with the expected segments, every malformed one is an error naming
//! its line, and every refusal of a peer-valid one has its reason in the table. Skipped, saying
//! so, when the peer data is not there. `hlsplay peer-check` runs the same check.
#![cfg(not(target_arch = "wasm32"))] // files on disk and ffmpeg: native only
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

// The checks live with the CLI's `peer-check` (std and hlsplay only) so both run the same code.
#[path = "../tools/cli/src/peer/playlists.rs"]
mod playlists;
#[path = "../tools/cli/src/peer/verdict.rs"]
mod verdict;

use std::path::Path;

#[test]
fn peer_playlists_agree_with_their_suites_or_differ_with_a_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer-data");
    if !dir.join("playlists").is_dir() {
        eprintln!(
            "skipped: no peer data at {} (issue 18's ../shared/peer-data)",
            dir.display()
        );
        return;
    }
    let rows = playlists::check(&dir);
    let report = verdict::report(&rows);
    println!("{report}");
    assert_eq!(rows.len(), 173, "{report}");
    assert!(rows.iter().all(|r| !r.unexpected), "{report}");
}
