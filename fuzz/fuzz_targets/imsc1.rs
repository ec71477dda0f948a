//! IMSC1 (TTML) documents on arbitrary bytes: `cargo +nightly fuzz run imsc1`. The first byte
//! picks the sample end given for open paragraphs. Any panic is a bug; so are a cue that does
//! not end after it starts or is not finite, more warnings than the bound, and more cues than
//! `<p` tags (each frozen as a named test in src/captions/imsc1/tests.rs).
#![no_main]
use hlsplay::captions::{Imsc1, TtmlPlacement};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let placement = TtmlPlacement {
        origin: 1000.0,
        sample_end: (flags & 1 != 0).then(|| f64::from(flags)),
    };
    let Ok(doc) = Imsc1::parse(input, "fuzz", placement) else {
        return;
    };
    let paragraphs = input
        .windows(2)
        .filter(|w| w == b"<p" || w == b":p")
        .count();
    assert!(doc.cues.len() <= paragraphs, "a cue per paragraph at most");
    assert!(doc.warnings.len() <= 33, "warnings bounded");
    for c in &doc.cues {
        assert!(
            c.start.is_finite() && c.end.is_finite() && c.end > c.start,
            "{c:?}"
        );
    }
});
