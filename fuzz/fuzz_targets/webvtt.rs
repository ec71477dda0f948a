//! WebVTT parser, timeline placement and cue store on arbitrary bytes:
//! `cargo +nightly fuzz run webvtt`. The first byte picks a mapping (near the 33-bit wrap or
//! not). Any panic is a bug; so are a cue that does not end after it starts, more warnings than
//! the bound, a cue without a timing line, an input without `\r` reading differently with CRLF
//! line ends, and a store that loses its order (each frozen as a named test in
//! src/captions/webvtt/tests.rs).
#![no_main]
use hlsplay::captions::{CueStore, TimelineMapping, WebVtt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let Ok(vtt) = WebVtt::parse(input, "fuzz") else {
        assert!(
            !input.starts_with(b"WEBVTT") || input.get(6).is_some_and(|b| !b" \t\r\n".contains(b))
        );
        return;
    };
    let arrows = input.windows(3).filter(|w| w == b"-->").count();
    assert!(vtt.cues.len() <= arrows, "a cue per timing line at most");
    assert!(vtt.warnings.len() <= 33, "warnings bounded");
    for c in &vtt.cues {
        assert!(c.start.is_finite() && c.end > c.start, "{c:?}");
    }
    if !input.contains(&b'\r') {
        let crlf: Vec<u8> = input
            .iter()
            .flat_map(|&b| {
                if b == b'\n' {
                    vec![b'\r', b'\n']
                } else {
                    vec![b]
                }
            })
            .collect();
        assert_eq!(
            WebVtt::parse(&crlf, "fuzz").ok(),
            Some(vtt.clone()),
            "CRLF reads the same"
        );
    }
    let first_pts = if flags & 1 != 0 {
        (1u64 << 33) as f64 - 90_000.0
    } else {
        900_000.0
    };
    let mapping = TimelineMapping {
        offset: -first_pts / 90_000.0,
        segment_start: f64::from(flags >> 1),
    };
    let mut store = CueStore::new();
    let added = store.add(vtt.on_timeline(&mapping));
    assert!(added.len() <= vtt.cues.len());
    // The same segment again adds nothing.
    assert!(store.add(vtt.on_timeline(&mapping)).is_empty());
    assert!(
        store
            .cues()
            .windows(2)
            .all(|w| w[0].cue.start <= w[1].cue.start),
        "sorted"
    );
});
