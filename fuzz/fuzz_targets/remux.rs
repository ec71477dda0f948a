//! Demux + remux of arbitrary bytes: `cargo +nightly fuzz run remux`. The first byte picks the
//! output shape and segment flags; the rest is cut into up to three segments at `FF 00 FF 00`
//! markers (rare inside TS) (so the fuzzer can build multi-segment runs). Any panic is a bug; every crash found
//! becomes a named regression test in tests/remux_robustness.rs.
#![no_main]
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use libfuzzer_sys::fuzz_target;

#[path = "split.rs"]
mod split;
use split::parts;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let shape = if flags & 1 == 0 { OutputShape::Combined } else { OutputShape::SplitTracks };
    let mut mux = Transmuxer::new(shape);
    for (i, segment) in parts(rest).take(3).enumerate() {
        let info = SegmentInfo {
            start: i as f64 * 2.0,
            discontinuity: flags & 2 != 0 && i == 1,
            rendition_switch: flags & 4 != 0 && i == 2,
            non_contiguous: flags & 8 != 0,
            sample_aes: None,
        };
        if let Ok(out) = mux.push(segment, &info) {
            let bytes: usize = out.tracks.iter().map(|t| t.data.len()).sum();
            // Linear in the input: a 5-byte access unit costs 16 bytes of trun entry, plus at most
            // 5 s of silent audio frames per segment.
            assert!(bytes <= 8 * segment.len() + 64 * 1024, "output bounded by input");
        }
    }
});
