//! Property test: arbitrary bytes and mutated valid playlists never panic the parser, and what it
//! accepts is consistent. A small seeded PRNG keeps it deterministic and dependency-free.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

#[path = "common/rng.rs"]
mod rng;
use hlsplay::playlist::{merge_live, parse, ParseOptions, Playlist};
use rng::Rng;

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/playlists/",
            $path
        ))
        .as_slice()
    };
}

const SEEDS: &[&[u8]] = &[
    fixture!("mediaconvert_master.m3u8"),
    fixture!("mediaconvert_360.m3u8"),
    fixture!("master_media_after_stream_inf.m3u8"),
    fixture!("rfc8216/8.3_encrypted_media.m3u8"),
    fixture!("rfc8216/8.5_master_i_frames.m3u8"),
    fixture!("corner/byterange_implicit_offsets.m3u8"),
    fixture!("corner/key_and_map_carried_forward.m3u8"),
    fixture!("corner/discontinuity_date_time_gap_titles.m3u8"),
    fixture!("corner/bom_crlf_blank_trailing_no_final_newline.m3u8"),
    fixture!("corner/live_window_b.m3u8"),
    b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:3\n#EXT-X-SKIP:SKIPPED-SEGMENTS=2\n#EXTINF:4,\na b.ts\n#EXTINF:4,\nc.ts\n",
];

/// Fragments that steer random input towards the parser's interesting paths.
const TOKENS: &[&str] = &[
    "#EXTM3U\n",
    "#EXTINF:",
    "#EXT-X-STREAM-INF:",
    "#EXT-X-MEDIA:",
    "#EXT-X-KEY:",
    "#EXT-X-MAP:",
    "#EXT-X-BYTERANGE:",
    "#EXT-X-TARGETDURATION:",
    "#EXT-X-MEDIA-SEQUENCE:",
    "#EXT-X-ENDLIST\n",
    "#EXT-X-DISCONTINUITY\n",
    "BANDWIDTH=",
    "URI=",
    "METHOD=AES-128",
    "TYPE=AUDIO",
    "GROUP-ID=",
    "NAME=",
    "RESOLUTION=",
    "BYTERANGE=",
    "\"",
    ",",
    "=",
    "@",
    "\n",
    "\r\n",
    "10",
    "4.5",
    "-1",
    "99999999999999999999999",
    "x",
    "a.ts\n",
    "../",
    "//h/",
    "http://",
    "file:",
    "#EXT-X-SKIP:SKIPPED-SEGMENTS=2\n",
    "#EXTM3U\n",
    "#EXT-X-ENDLIST\n",
    "#EXTINF:4,\n",
    "{$v}",
    " ",
    "\u{feff}",
    "\u{ff}",
];

fn arbitrary(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.below(2) == 0 {
        out.extend_from_slice(b"#EXTM3U\n");
    }
    for _ in 0..rng.below(64) {
        match rng.below(3) {
            0 => out.push(rng.next() as u8),
            _ => out.extend_from_slice(TOKENS[rng.below(TOKENS.len())].as_bytes()),
        }
    }
    out
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(6) {
            0 if len > 0 => out[at.min(len - 1)] = rng.next() as u8,
            1 => {
                let end = (at + rng.below(40)).min(len);
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(80)).min(len);
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            4 => out.truncate(at),
            _ => {
                // Swap two lines.
                let mut lines: Vec<Vec<u8>> =
                    out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
                lines.swap(i, j);
                out = lines.join(&b'\n');
            }
        }
    }
    out
}

/// What every outcome must satisfy.
fn check(input: &[u8], options: &ParseOptions) -> Option<Playlist> {
    let line_count = input.iter().filter(|&&b| b == b'\n').count() + 1;
    match parse(
        input,
        "https://cdn.example.com/a/b/master.m3u8?Policy=p&Signature=s&Key-Pair-Id=k",
        options,
    ) {
        Err(e) => {
            assert!(
                e.line <= line_count,
                "error line {} beyond {line_count} lines: {e}",
                e.line
            );
            assert!(e.to_string().starts_with(&format!("line {}: ", e.line)));
            None
        }
        Ok(p) => {
            match &p {
                Playlist::Master(m) => {
                    assert!(!m.variants.is_empty());
                    for v in &m.variants {
                        assert!(
                            v.uri.starts_with("http://") || v.uri.starts_with("https://"),
                            "{}",
                            v.uri
                        );
                    }
                }
                Playlist::Media(m) => {
                    let mut start = 0.0;
                    for (i, s) in m.segments.iter().enumerate() {
                        // Segments after an EXT-X-SKIP count the skipped ones, each one target
                        // duration long until merged.
                        let skipped = m.skip.filter(|k| i >= k.index);
                        let before = skipped.map_or(0, |k| k.count);
                        assert_eq!(s.sequence, m.media_sequence + i as u64 + before);
                        assert!(s.duration.is_finite() && s.duration >= 0.0);
                        let shift = before as f64 * m.target_duration as f64;
                        assert_eq!(s.start, start + shift);
                        start += s.duration;
                        assert!(
                            s.uri.starts_with("http://") || s.uri.starts_with("https://"),
                            "{}",
                            s.uri
                        );
                    }
                }
            }
            Some(p)
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0x5eed_0001);
    let options = ParseOptions {
        propagate_signed_query: true,
        ..ParseOptions::default()
    };
    for _ in 0..3000 {
        let input = arbitrary(&mut rng);
        check(&input, &options);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn mutated_valid_playlists_never_panic() {
    let mut rng = Rng(0x5eed_0002);
    let default = ParseOptions::default();
    let mut tiny = ParseOptions::default();
    tiny.limits.max_segments = 3;
    tiny.limits.max_variants = 2;
    tiny.limits.max_renditions = 1;
    tiny.limits.max_line_bytes = 60;
    let mut accepted = 0;
    let mut previous = None;
    for i in 0..4000 {
        let seed = SEEDS[i % SEEDS.len()];
        let input = mutate(&mut rng, seed);
        let options = if i % 5 == 0 { &tiny } else { &default };
        if let Some(Playlist::Media(m)) = check(&input, options) {
            accepted += 1;
            // Merging arbitrary pairs must not panic either: errors are fine.
            if let Some(prev) = previous.replace(m.clone()) {
                let _ = merge_live(&prev, m);
            }
        }
    }
    // The mutations are small: many inputs stay valid, so the Ok path is exercised too.
    assert!(accepted > 200, "only {accepted} mutated playlists parsed");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unmutated_seeds_parse() {
    for seed in SEEDS {
        assert!(check(seed, &ParseOptions::default()).is_some());
    }
}
