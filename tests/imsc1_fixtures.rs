//! IMSC1 documents as they come out of `stpp` samples (see tests/fixtures/imsc1/README.md):
//! ffmpeg's TTML against the subtitles it was made from, and a hand-written IMSC1 text profile
//! document. Fixtures are compiled in so the same tests run natively and in wasm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

use hlsplay::captions::{Cue, Imsc1, TtmlPlacement};

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/imsc1/",
            $path
        )) as &[u8]
    };
}

fn rounded(cues: &[Cue]) -> Vec<(f64, f64, &str)> {
    let ms = |t: f64| (t * 1000.0).round() / 1000.0;
    cues.iter()
        .map(|c| (ms(c.start), ms(c.end), c.text.as_str()))
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ffmpeg_stpp_sample_gives_the_source_srt_cues() {
    let placement = TtmlPlacement {
        origin: 0.0,
        sample_end: Some(11.0),
    };
    let doc = Imsc1::parse(fixture!("ffmpeg-stpp-sample.ttml"), "stpp.mp4", placement).unwrap();
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    // source.srt's three cues; ffmpeg drops the SRT's <i>.
    assert_eq!(
        rounded(&doc.cues),
        [
            (1.0, 3.5, "First line\nsecond line"),
            (5.8, 7.2, "Crosses the 6 s boundary"),
            (10.0, 11.0, "Third & last"),
        ]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn text_profile_document_with_prefixes_ticks_frames_and_dur() {
    // The track's media time 0 is at 100 s on the player's timeline.
    let placement = TtmlPlacement {
        origin: 100.0,
        sample_end: Some(66.0),
    };
    let doc = Imsc1::parse(fixture!("text-profile.ttml"), "seg 11", placement).unwrap();
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(
        rounded(&doc.cues),
        [
            (
                159.5,
                162.5,
                "Across the sample boundary,\nheld in both samples"
            ),
            (162.48, 164.0, "Caf\u{e9} & croissants"),
            (164.5, 166.0, "One line"),
        ]
    );
}
