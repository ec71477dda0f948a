//! Fuzz the playlist parser: any bytes must give a playlist or a line-numbered error, never a
//! panic; whatever parses must also survive a live merge with itself and with a prefix of itself.
#![no_main]

use hlsplay::playlist::{merge_live, parse, ParseOptions, Playlist, Variables};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options so both signed-query paths and tight limits are explored.
    let (options, input) = match data.split_first() {
        Some((&flags, rest)) => {
            let mut options = ParseOptions {
                propagate_signed_query: flags & 1 != 0,
                ..ParseOptions::default()
            };
            if flags & 2 != 0 {
                options.limits.max_segments = 4;
                options.limits.max_variants = 2;
                options.limits.max_renditions = 2;
                options.limits.max_line_bytes = 128;
            }
            if flags & 4 != 0 {
                // A master's variables, for EXT-X-DEFINE:IMPORT (one refers to another).
                options.variables = Variables(vec![
                    ("t".into(), "tok%2B".into()),
                    ("r".into(), "{$t}{$t}".into()),
                ]);
            }
            (options, rest)
        }
        None => (ParseOptions::default(), data),
    };
    let url = "https://cdn.example.com/video/master.m3u8?Policy=p&Signature=s&Key-Pair-Id=k&t=1";
    match parse(input, url, &options) {
        Ok(Playlist::Media(media)) => {
            let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(media.segments.iter().all(|s| s.line <= lines));
            let again = merge_live(&media, media.clone());
            // A delta update (EXT-X-SKIP) cannot be rebuilt from itself: an error, not a panic.
            assert!(media.skip.is_some() || matches!(&again, Ok(outcome) if !outcome.changed));
            let mut shorter = media.clone();
            shorter.segments.pop();
            let _ = merge_live(&shorter, media);
        }
        Ok(Playlist::Master(master)) => {
            assert!(!master.variants.is_empty());
            // No line grows past the line limit through variables.
            let max = options.limits.max_line_bytes;
            assert!(master.variants.iter().all(|v| v.uri.len() <= 3 * max + url.len()));
        }
        Err(error) => assert!(error.to_string().starts_with("line ")),
    }
});
