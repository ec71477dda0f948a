//! IMSC1 (TTML) documents and `stpp` fragments on arbitrary bytes: `cargo +nightly fuzz run
//! imsc1`. The first byte picks the sample end given for open paragraphs and whether the rest
//! is read as a document or as a media segment of an `stpp` track (whose samples are then read
//! as documents). Any panic is a bug; so are a cue that does not end after it starts or is not
//! finite, more warnings than the bound, more cues than `<p` tags, and a sample outside the
//! input (each frozen as a named test in src/captions/imsc1/tests.rs or src/fmp4/stpp/tests.rs).
#![no_main]
use hlsplay::captions::{Imsc1, TtmlPlacement};
use hlsplay::fmp4::moov::{Handler, InitTrack, TrackDefaults};
use hlsplay::fmp4::stpp::text_samples;
use hlsplay::fmp4::FourCc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    if flags & 2 == 0 {
        document(input, (flags & 1 != 0).then(|| f64::from(flags)));
        return;
    }
    let track = InitTrack {
        track_id: 1,
        handler: Handler::Other(FourCc::new(b"subt")),
        timescale: 1000,
        sample_entry: FourCc::new(b"stpp"),
        codec: None,
        nal: None,
        defaults: TrackDefaults {
            sample_description_index: 1,
            sample_duration: u32::from(flags),
            sample_size: u32::from(flags >> 2),
            sample_flags: 0,
        },
    };
    let Ok(samples) = text_samples(input, &track) else {
        return;
    };
    assert!(samples.len() <= 4096, "samples bounded");
    assert!(samples.iter().all(|s| s.data.len() <= input.len()));
    for s in samples.iter().take(8) {
        document(s.data, Some(s.end()));
    }
});

fn document(input: &[u8], sample_end: Option<f64>) {
    let placement = TtmlPlacement {
        origin: 1000.0,
        sample_end,
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
}
