//! ID3 reader + packed audio remux of arbitrary bytes: `cargo +nightly fuzz run packed_audio`.
//! The first byte picks the output shape, segment flags, whether each segment gets a valid
//! timestamp tag in front (so the fuzzer reaches the audio framer quickly) and the chunk size of
//! a second, progressive run; the rest is cut into up to three segments at `FF 00 FF 00`. Any
//! panic is a bug; a crash found becomes a named regression test in tests/packed_audio.rs.
#![no_main]
use hlsplay::id3;
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use libfuzzer_sys::fuzz_target;

#[path = "split.rs"]
mod split;
use split::parts;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    if let Ok((tags, len)) = id3::leading_tags(rest) {
        assert!(len <= rest.len());
        for tag in &tags {
            let _ = tag.transport_stream_timestamp();
            for frame in &tag.frames {
                let _ = frame.private();
            }
        }
    }
    let shape = if flags & 1 == 0 { OutputShape::Combined } else { OutputShape::SplitTracks };
    let chunk = 1 + usize::from(flags >> 5) * 37;
    let mut whole = Transmuxer::new(shape);
    let mut progressive = Transmuxer::new(shape);
    for (i, body) in parts(rest).take(3).enumerate() {
        let info = SegmentInfo {
            start: i as f64 * 2.0,
            discontinuity: flags & 2 != 0 && i == 1,
            rendition_switch: false,
            non_contiguous: flags & 4 != 0 && i == 2,
            sample_aes: None,
        };
        let mut segment = Vec::with_capacity(body.len() + 80);
        if flags & 8 != 0 {
            segment.extend(timestamp_tag(i as u64 * 180_000));
        }
        segment.extend_from_slice(body);
        if let Ok(out) = whole.push(&segment, &info) {
            let bytes: usize = out.tracks.iter().map(|t| t.data.len()).sum();
            // Linear in the input, plus at most 5 s of silent audio frames per segment.
            assert!(bytes <= 8 * segment.len() + 64 * 1024, "output bounded by input");
        }
        let mut failed = false;
        for c in segment.chunks(chunk) {
            if progressive.push_chunk(c, &info).is_err() {
                failed = true;
                break;
            }
        }
        if failed {
            progressive.abort_segment();
        } else {
            let _ = progressive.finish_segment(&info);
        }
    }
});

/// An ID3v2.4 tag whose PRIV frame holds a packed audio segment's first timestamp.
fn timestamp_tag(ts: u64) -> Vec<u8> {
    let mut frame = b"PRIV".to_vec();
    let len = id3::TRANSPORT_STREAM_TIMESTAMP_OWNER.len() + 1 + 8;
    frame.extend([0, 0, 0, len as u8, 0, 0]);
    frame.extend_from_slice(id3::TRANSPORT_STREAM_TIMESTAMP_OWNER);
    frame.push(0);
    frame.extend(ts.to_be_bytes());
    let mut tag = b"ID3\x04\x00\x00\x00\x00\x00".to_vec();
    tag.push(frame.len() as u8);
    tag.extend(frame);
    tag
}
