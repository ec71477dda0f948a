//! CEA-608 caption data out of the transmuxer (`RemuxOutput::captions`): in display order, on
//! the output timeline, the same for any chunking, from synthetic streams with GA94 SEI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod cea608_common;
mod common;

use cea608_common::cea608_encoder::sei_nal;
use common::{access_unit, Mux, SPS};
use hlsplay::captions::Field;
use hlsplay::remux::{CcData, OutputShape, SegmentInfo, Transmuxer};

/// Frames in decode order as an encoder with B-frames writes them: I0 P3 B1 B2 P6 B4 B5 …
/// (display index per decode position), 3000 ticks a frame, DTS one frame behind.
const DISPLAY: [u64; 9] = [0, 3, 1, 2, 6, 4, 5, 8, 7];

/// An access unit whose SEI carries field 1 pair [0x80 | k, k] and field 2 pair
/// [0x80 | k, 0x40 | k] marked with its display index `k` (no parity needed here).
fn stream(with_sei: bool, stray_sei_before: Option<usize>) -> Vec<u8> {
    let mut m = Mux::default();
    m.psi(true, false);
    for (i, &k) in DISPLAY.iter().enumerate() {
        let mut au = vec![0, 0, 0, 1, 0x09, 0xF0];
        if stray_sei_before == Some(i) {
            // An access unit of its own with only an SEI: its captions go with the next.
            au.extend([0, 0, 0, 1]);
            au.extend(sei_nal(&[(0, [0x80, 0x7F])]));
            au.extend([0, 0, 0, 1, 0x09, 0xF0]);
        }
        if with_sei {
            let k8 = k as u8;
            au.extend([0, 0, 0, 1]);
            au.extend(sei_nal(&[
                (0, [0x80 | k8, k8]),
                (1, [0x80 | k8, 0x40 | k8]),
            ]));
        }
        au.extend(access_unit(i == 0, (i == 0).then_some(SPS), false, 200));
        let pts = 900_000 + 3000 * k;
        let dts = 900_000 + 3000 * i as u64 - 3000;
        m.video(pts, dts, &au);
    }
    m.out
}

fn field1(captions: &[CcData]) -> Vec<(f64, u8)> {
    captions
        .iter()
        .filter(|c| c.field == Field::One)
        .map(|c| ((c.time * 90_000.0).round() / 90_000.0, c.pair[1]))
        .collect()
}

#[test]
fn caption_pairs_come_out_in_display_order_on_the_video_timeline() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let info = SegmentInfo {
        start: 20.0,
        ..SegmentInfo::default()
    };
    let out = mux.push(&stream(true, None), &info).unwrap();
    // The earliest DTS (one frame before the first PTS) lands on 20 s.
    let frame = 3000.0 / 90_000.0;
    let want: Vec<(f64, u8)> = (0..9u8)
        .map(|k| ((20.0 + frame * f64::from(k + 1)) * 90_000.0).round() / 90_000.0)
        .zip(0..9u8)
        .collect();
    assert_eq!(field1(&out.captions), want);
    let field2: Vec<u8> = out
        .captions
        .iter()
        .filter(|c| c.field == Field::Two)
        .map(|c| c.pair[1])
        .collect();
    assert_eq!(field2, (0x40..0x49).collect::<Vec<u8>>());
}

#[test]
fn chunked_pushes_release_the_same_pairs_in_the_same_order() {
    let seg = stream(true, None);
    let whole = Transmuxer::new(OutputShape::Combined)
        .push(&seg, &SegmentInfo::default())
        .unwrap()
        .captions;
    for size in [188, 1000, 2821] {
        let mut mux = Transmuxer::new(OutputShape::Combined);
        let info = SegmentInfo::default();
        let mut got = Vec::new();
        for c in seg.chunks(size) {
            if let Some(out) = mux.push_chunk(c, &info).unwrap() {
                got.extend(out.captions);
            }
        }
        got.extend(mux.finish_segment(&info).unwrap().captions);
        assert_eq!(got, whole, "chunks of {size}");
    }
}

#[test]
fn a_stray_sei_access_unit_hands_its_captions_to_the_next_frame() {
    let out = Transmuxer::new(OutputShape::Combined)
        .push(&stream(true, Some(4)), &SegmentInfo::default())
        .unwrap();
    let f1 = field1(&out.captions);
    assert_eq!(f1.len(), 10);
    // Decode position 4 is display index 6: the stray pair shares its time, before its own.
    let six = f1.iter().position(|&(_, b)| b == 6).unwrap();
    assert_eq!(f1[six - 1].1, 0x7F);
    assert_eq!(f1[six - 1].0, f1[six].0);
}

#[test]
fn a_stream_without_caption_sei_outputs_no_pairs() {
    let out = Transmuxer::new(OutputShape::Combined)
        .push(&stream(false, None), &SegmentInfo::default())
        .unwrap();
    assert!(out.captions.is_empty());
    assert_eq!(out.captions.capacity(), 0, "no allocation");
}

/// The generated fixture (x264, 2 B-frames, a caption SEI in every access unit): any chunking
/// releases the same pairs in the same order as the whole segment.
#[test]
fn b_frame_fixture_captions_are_the_same_for_any_chunking() {
    let seg = common::ts_fixture("cea608_bf.ts");
    let info = SegmentInfo::default();
    let whole = Transmuxer::new(OutputShape::Combined)
        .push(&seg, &info)
        .unwrap()
        .captions;
    assert_eq!(whole.len(), 500);
    assert!(whole.windows(2).all(|w| w[0].time <= w[1].time));
    for size in [7, 188, 1316, 4096] {
        let mut mux = Transmuxer::new(OutputShape::Combined);
        let mut got = Vec::new();
        let mut outputs = 0;
        for c in seg.chunks(size) {
            if let Some(out) = mux.push_chunk(c, &info).unwrap() {
                outputs += usize::from(!out.captions.is_empty());
                got.extend(out.captions);
            }
        }
        got.extend(mux.finish_segment(&info).unwrap().captions);
        assert!(
            outputs > 10,
            "chunks of {size}: pairs released as frames are emitted"
        );
        assert_eq!(got, whole, "chunks of {size}");
    }
}
