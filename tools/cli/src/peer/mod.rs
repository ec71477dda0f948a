//! `hlsplay peer-check [DIR]`: the peers' own test data (issue 18) through hlsplay, and the
//! agreement table per peer suite. Exits 2 when anything differs from the table of expectations
//! (`playlists.rs`, `ts.rs`): there are no silent differences.
mod playlists;
mod ts;
mod verdict;

use std::path::PathBuf;

pub const USAGE: &str = "  peer-check [DIR] [--verbose]             the peers' test playlists and TS segments (DIR: ../shared/peer-data) against their expectations; prints the agreement table\n";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut dir = None;
    let mut verbose = false;
    for arg in args {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            other if other.starts_with('-') => {
                return Err(format!("peer-check: unknown option `{other}`"))
            }
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from("../shared/peer-data"));
    if !dir.join("playlists").is_dir() || !dir.join("ts").is_dir() {
        return Err(format!(
            "peer-check: {} has no playlists/ and ts/ (the peer data of issue 18)",
            dir.display()
        ));
    }
    let mut rows = playlists::check(&dir);
    if ts::have_ffmpeg() {
        let scratch =
            std::env::temp_dir().join(format!("hlsplay-peer-check-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).map_err(|e| format!("peer-check: {e}"))?;
        rows.extend(ts::check(&dir, &scratch));
        let _ = std::fs::remove_dir_all(&scratch);
    } else {
        eprintln!("hlsplay: peer-check: ffmpeg not found: the TS segments are not checked (install ffmpeg)");
    }
    if verbose {
        for r in &rows {
            println!("{:?}\t{}/{}\t{}", r.outcome, r.suite, r.name, r.detail);
        }
        println!();
    }
    print!("{}", verdict::report(&rows));
    let unexpected = rows.iter().filter(|r| r.unexpected).count();
    if unexpected > 0 {
        return Err(format!(
            "peer-check: {unexpected} case(s) differ from the table of expectations"
        ));
    }
    Ok(())
}
