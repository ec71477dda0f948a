//! fMP4 reader and passthrough on arbitrary bytes: `cargo +nightly fuzz run fmp4`. The first
//! byte holds flags and a chunk size; the rest is cut at `FF 00 FF 00` markers into an init
//! segment and up to three media segments. Each segment is pushed whole and, into a second
//! passthrough, in chunks: any panic, a chunked output (data or caption pairs) differing from
//! the whole one, or output out of proportion to the input is a bug (frozen as a named test in
//! tests/fmp4_boxes.rs or tests/fmp4_passthrough.rs).
#![no_main]
use hlsplay::fmp4::boxes::Boxes;
use hlsplay::fmp4::moof::read_moof;
use hlsplay::fmp4::moov::read_init;
use hlsplay::fmp4::segment::{fragment_head, next_top_level};
use hlsplay::remux::{CcData, Passthrough, RemuxOutput, SegmentInfo};
use libfuzzer_sys::fuzz_target;

#[path = "split.rs"]
mod split;
use split::parts;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let mut parts = parts(rest);
    let Some(init) = parts.next() else { return };
    // The reader alone, on every part.
    let parsed = read_init(init);
    for part in parts.clone() {
        let _ = next_top_level(part, 0, flags & 1 != 0);
        let _ = fragment_head(part, 0);
        if let (Ok(init), Some(Ok(b))) = (&parsed, Boxes::new(part, 0).next()) {
            let _ = read_moof(&b, init);
        }
    }
    let mut whole = Passthrough::new();
    let mut chunked = Passthrough::new();
    if whole.push_init(init).is_err() {
        return;
    }
    chunked.push_init(init).unwrap();
    // 1 byte to ~4 KB: every split of a header, and network-sized chunks.
    let chunk = usize::from(flags >> 2) * 61 + 1;
    for (i, segment) in parts.take(3).enumerate() {
        let info = SegmentInfo {
            start: i as f64 * 2.0,
            discontinuity: flags & 2 != 0 && i == 1,
            ..Default::default()
        };
        let a = whole.push(segment, &info);
        let b = push_chunks(&mut chunked, segment, chunk, &info);
        match (a, b) {
            (Ok(a), Ok((b, captions))) => {
                assert_eq!(a.captions, captions, "chunked caption pairs differ");
                let a = bytes(&a);
                assert_eq!(a, b, "chunked output differs");
                // A version-0 tfdt may grow by 4 bytes per traf (each at least 24 bytes).
                assert!(a.len() <= 2 * segment.len(), "output bounded by input");
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("whole {:?} vs chunked {:?}", a.err(), b.err()),
        }
    }
});

/// The data of every track, concatenated. (Init bytes are left out: a failed chunked segment
/// may have sent them already, a failed whole push has not.)
fn bytes(out: &RemuxOutput) -> Vec<u8> {
    out.tracks.iter().flat_map(|t| t.data.iter().copied()).collect()
}

fn push_chunks(
    p: &mut Passthrough,
    segment: &[u8],
    chunk: usize,
    info: &SegmentInfo,
) -> Result<(Vec<u8>, Vec<CcData>), String> {
    let (mut v, mut captions) = (Vec::new(), Vec::new());
    for c in segment.chunks(chunk) {
        match p.push_chunk(c, info) {
            Ok(Some(out)) => {
                v.extend(bytes(&out));
                captions.extend(out.captions);
            }
            Ok(None) => {}
            Err(e) => {
                p.abort_segment();
                return Err(e.to_string());
            }
        }
    }
    let last = p.finish_segment(info).map_err(|e| e.to_string())?;
    v.extend(bytes(&last));
    captions.extend(last.captions);
    Ok((v, captions))
}
