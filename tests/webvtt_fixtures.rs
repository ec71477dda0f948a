//! WebVTT subtitle renditions end to end: MediaConvert-shaped playlists and segments (see
//! tests/fixtures/webvtt/README.md) parsed segment by segment, placed on the timeline and
//! collected in a `CueStore` must give back the program's source cues, each once, at its time;
//! and the parser reads each source as ffmpeg does. Fixtures are compiled in (`include_bytes!`)
//! so the same tests run natively and in wasm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

use hlsplay::captions::{Cue, CueProblem, CueStore, TimelineMapping, WebVtt};
use hlsplay::playlist::{parse_media, MediaSegment, ParseOptions};

macro_rules! fixture {
    ($path:expr) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/webvtt/",
            $path
        )) as &[u8]
    };
}

/// A playlist's segments, by file name.
macro_rules! segments {
    ($dir:literal, $name:literal, [$($n:literal),*]) => {
        &[$((
            concat!($name, "_0000", $n, ".vtt"),
            fixture!(concat!($dir, "/", $name, "_0000", $n, ".vtt")),
        )),*]
    };
}

type Files = &'static [(&'static str, &'static [u8])];

const TS_WRAP: f64 = (1u64 << 33) as f64;

/// Every segment of `playlist` parsed and placed with `mapping`, into one store. Returns the
/// store and how many cues the segments held in all (repeats included).
fn play(
    playlist: &[u8],
    files: Files,
    mapping: impl Fn(&MediaSegment) -> TimelineMapping,
) -> (CueStore, usize) {
    let url = "https://cdn.example.com/video/Default/HLS/subs.m3u8";
    let playlist = parse_media(playlist, url, &ParseOptions::default()).unwrap();
    assert_eq!(playlist.segments.len(), files.len());
    let mut store = CueStore::new();
    let mut parsed = 0;
    for seg in &playlist.segments {
        let name = seg.uri.rsplit('/').next().unwrap();
        let (_, bytes) = files.iter().find(|(n, _)| *n == name).unwrap();
        let vtt = WebVtt::parse(bytes, &seg.uri).unwrap();
        assert!(vtt.warnings.is_empty(), "{:?}", vtt.warnings);
        assert!(
            vtt.timestamp_map.is_some(),
            "{name} has its X-TIMESTAMP-MAP"
        );
        parsed += vtt.cues.len();
        store.add(vtt.on_timeline(&mapping(seg)));
    }
    (store, parsed)
}

/// The program's cues as written in its source file (no map: times are program times).
fn source(bytes: &[u8]) -> Vec<Cue> {
    let v = WebVtt::parse(bytes, "source.vtt").unwrap();
    assert!(v.warnings.is_empty() && v.timestamp_map.is_none());
    v.cues
}

/// The store holds exactly `expected` (times within a microsecond, same text).
fn assert_same_cues(store: &CueStore, expected: &[Cue]) {
    let held: Vec<&Cue> = store.cues().iter().map(|c| &c.cue).collect();
    assert_eq!(held.len(), expected.len());
    for (h, e) in held.iter().zip(expected) {
        assert!(
            (h.start - e.start).abs() < 1e-6 && (h.end - e.end).abs() < 1e-6 && h.text == e.text,
            "held {h:?}, expected {e:?}"
        );
    }
}

/// The video's first PTS (MPEGTS in the fixtures' maps) placed at 0, as the remuxer does.
fn video_from(first_pts: f64) -> impl Fn(&MediaSegment) -> TimelineMapping {
    move |seg| TimelineMapping {
        offset: -first_pts / 90_000.0,
        segment_start: seg.start,
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn long_300s_segments_give_each_source_cue_once_at_its_program_time() {
    let files: Files = segments!("long", "subs_eng", [1, 2, 3]);
    let (store, parsed) = play(fixture!("long/subs_eng.m3u8"), files, video_from(900_000.0));
    let expected = source(fixture!("long/source.vtt"));
    assert_same_cues(&store, &expected);
    // The cues across 300 s and 600 s were written twice.
    assert_eq!(parsed, expected.len() + 2);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn match_video_10s_segments_give_each_source_cue_once_at_its_program_time() {
    let files: Files = segments!("match-video", "subs_spa", [1, 2, 3, 4, 5, 6, 7]);
    let (store, parsed) = play(
        fixture!("match-video/subs_spa.m3u8"),
        files,
        video_from(900_000.0),
    );
    let expected = source(fixture!("match-video/source.vtt"));
    assert_same_cues(&store, &expected);
    // One cue across each of the six segment ends.
    assert_eq!(parsed, expected.len() + 6);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rollover_one_map_for_all_segments_near_the_33_bit_wrap() {
    let files: Files = segments!("rollover", "same_map", [1, 2, 3, 4, 5, 6, 7]);
    let first = TS_WRAP - 20.0 * 90_000.0;
    let (store, _) = play(fixture!("rollover/same_map.m3u8"), files, video_from(first));
    assert_same_cues(&store, &source(fixture!("match-video/source.vtt")));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rollover_per_segment_maps_wrap_after_20s_and_stay_in_place() {
    let files: Files = segments!("rollover", "per_segment_map", [1, 2, 3, 4, 5, 6, 7]);
    // Segment 3 on carry MPEGTS values that wrapped to small numbers.
    let third = WebVtt::parse(files[2].1, "3").unwrap();
    assert_eq!(third.timestamp_map.unwrap().mpegts, 0);
    let first = TS_WRAP - 20.0 * 90_000.0;
    let (store, _) = play(
        fixture!("rollover/per_segment_map.m3u8"),
        files,
        video_from(first),
    );
    assert_same_cues(&store, &source(fixture!("match-video/source.vtt")));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn discontinuity_places_each_domain_with_its_own_mapping() {
    let files: Files = segments!("discontinuity", "subs_eng", [1, 2, 3, 4, 5, 6, 7]);
    // Domain 0: the video's PTS 10 s at 0. Domain 1 (from 30 s): PTS restart at 0, which the
    // remuxer put at the segment's playlist start.
    let mapping = |seg: &MediaSegment| TimelineMapping {
        offset: if seg.discontinuity_sequence == 0 {
            -10.0
        } else {
            30.0
        },
        segment_start: seg.start,
    };
    let (store, _) = play(fixture!("discontinuity/subs_eng.m3u8"), files, mapping);
    // The cue across 30 s is written in both domains and still held once.
    assert_same_cues(&store, &source(fixture!("match-video/source.vtt")));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sources_read_as_ffmpeg_reads_them() {
    for (ours, ffmpeg) in [
        (
            fixture!("long/source.vtt"),
            fixture!("long/source.ffmpeg.vtt"),
        ),
        (
            fixture!("match-video/source.vtt"),
            fixture!("match-video/source.ffmpeg.vtt"),
        ),
    ] {
        let ours = source(ours);
        let theirs = source(ffmpeg);
        assert_eq!(ours.len(), theirs.len());
        let mut same_text = 0;
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!((a.start, a.end), (b.start, b.end));
            // ffmpeg 5.1 decodes only &amp; &lt; &gt; and writes them back raw (so `<again>`
            // reads as a tag); the text of cues without references must agree.
            if a.text.is_ascii() && !a.text.contains(['&', '<', '>']) {
                assert_eq!(a.text, b.text);
                same_text += 1;
            }
        }
        assert!(
            same_text * 4 >= ours.len() * 3,
            "{same_text} of {}",
            ours.len()
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_construct_in_one_file_with_lf_and_crlf() {
    let lf = WebVtt::parse(fixture!("features.vtt"), "features.vtt").unwrap();
    let crlf = WebVtt::parse(fixture!("features-crlf.vtt"), "features.vtt").unwrap();
    assert_eq!(lf, crlf);
    let map = lf.timestamp_map.unwrap();
    assert_eq!((map.mpegts, map.local_ms), (900_000, 0));
    let got: Vec<_> = lf
        .cues
        .iter()
        .map(|c| (c.start, c.end, c.text.as_str(), c.line))
        .collect();
    assert_eq!(
        got,
        [
            (0.5, 2.0, "It began quietly.", None),
            (2.0, 4.0, "Top of the screen", Some(0)),
            (
                4.0,
                6.0,
                "Bottom line & more \u{2014} dashes\nsecond row",
                Some(-1)
            ),
            (8.0, 9.0, "Styled text\u{a0}with karaoke timing", None),
            (3600.0, 3601.5, "An hour in", None),
        ]
    );
    let warnings: Vec<_> = lf.warnings.iter().map(|w| (w.line, &w.problem)).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].0, 28);
    assert!(matches!(warnings[0].1, CueProblem::EndNotAfterStart { .. }));
    assert_eq!(warnings[1].0, 32);
    assert!(matches!(warnings[1].1, CueProblem::BadTiming(_)));
    assert!(lf.warnings[1]
        .to_string()
        .starts_with("segment features.vtt, line 32: bad cue timing"));
}
