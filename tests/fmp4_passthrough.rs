//! fMP4 passthrough: placement on the output timeline (first segment, continuity, rendition
//! switches, discontinuities, imposed mappings), the init segment and track kinds, progressive
//! chunks, failures, and the `Remuxer` dispatch between TS and fMP4.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod fmp4_common;

use fmp4_common::*;
use hlsplay::fmp4::boxes::Boxes;
use hlsplay::fmp4::moof::read_moof;
use hlsplay::fmp4::moov::{read_init, InitSegment};
use hlsplay::remux::{
    OutputShape, Passthrough, RemuxError, RemuxOutput, RemuxWarning, Remuxer, SegmentInfo,
    TrackKind, MAX_SEGMENT_BYTES,
};
use hlsplay::ErrorCategory;

const FRAME: u32 = 3000; // 30 fps at 90 kHz
const FRAMES: usize = 60; // 2 s segments
const AFRAMES: usize = 94; // 94 * 1024 / 48000 = 2.005 s

fn start(s: f64) -> SegmentInfo {
    SegmentInfo {
        start: s,
        ..Default::default()
    }
}

/// Segment `i` of an A/V stream whose media time starts at `base` seconds: `styp`, `sidx`, then
/// two fragments (first and second second), with a `prft` and an `emsg` between them.
fn av_segment(base: f64, i: usize, cto: i32) -> Vec<u8> {
    let v0 = (base * 90_000.0) as u64 + (i * FRAMES) as u64 * u64::from(FRAME);
    let a0 = (base * 48_000.0) as u64 + (i * AFRAMES) as u64 * 1024;
    let half = FRAMES / 2;
    let mut seg = other_box(b"styp", 12);
    seg.extend(other_box(b"sidx", 44));
    seg.extend(fragment(
        1,
        &[
            traf(VIDEO, v0, vec![run(video_samples(half, FRAME, cto))]),
            traf(AUDIO, a0, vec![run(audio_samples(AFRAMES / 2))]),
        ],
        0,
    ));
    seg.extend(other_box(b"prft", 24));
    seg.extend(other_box(b"emsg", 30));
    let mut second = video_samples(half, FRAME, cto);
    second[0].flags = NON_SYNC;
    seg.extend(fragment(
        2,
        &[
            traf(
                VIDEO,
                v0 + (half as u64) * u64::from(FRAME),
                vec![run(second)],
            ),
            traf(
                AUDIO,
                a0 + (AFRAMES as u64 / 2) * 1024,
                vec![run(audio_samples(AFRAMES / 2))],
            ),
        ],
        0,
    ));
    seg
}

fn av_init() -> Vec<u8> {
    init(true, Some(aac()))
}

/// The decode start of each traf in an output's data, per track, in track timescale.
fn tfdts(out: &RemuxOutput, init: &InitSegment) -> Vec<(u32, u64)> {
    let mut v = Vec::new();
    for t in &out.tracks {
        for b in Boxes::new(&t.data, 0) {
            let b = b.unwrap();
            if b.kind == hlsplay::fmp4::FourCc::new(b"moof") {
                for t in read_moof(&b, init).unwrap().trafs {
                    v.push((t.track_id, t.decode_start()));
                }
            }
        }
    }
    v
}

fn approx(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn the_first_segment_lands_on_its_playlist_start_with_the_init_segment() {
    let init_bytes = av_init();
    let init = read_init(&init_bytes).unwrap();
    let mut p = Passthrough::new();
    p.push_init(&init_bytes).unwrap();
    let out = p.push(&av_segment(10.0, 0, 0), &start(4.0)).unwrap();
    assert_eq!(out.tracks.len(), 1);
    let t = &out.tracks[0];
    assert_eq!(t.kind, TrackKind::Combined);
    assert_eq!(t.codecs, "avc1.4d400d,mp4a.40.2");
    assert_eq!(t.mime, "video/mp4; codecs=\"avc1.4d400d,mp4a.40.2\"");
    // ftyp + moov as given (the project's writer writes nothing else).
    assert_eq!(t.init.as_deref(), Some(init_bytes.as_slice()));
    approx(out.start, 4.0);
    approx(out.end, 4.0 + AFRAMES as f64 * 1024.0 / 48_000.0);
    assert_eq!(
        tfdts(&out, &init),
        vec![
            (VIDEO, 360_000),
            (AUDIO, 192_000),
            (VIDEO, 360_000 + 30 * 3000),
            (AUDIO, 192_000 + 47 * 1024)
        ]
    );
    approx(p.offset().unwrap(), -6.0);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn only_moof_and_mdat_are_output() {
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let seg = av_segment(0.0, 0, 0);
    let out = p.push(&seg, &start(0.0)).unwrap();
    let kinds: Vec<String> = Boxes::new(&out.tracks[0].data, 0)
        .map(|b| b.unwrap().kind.to_string())
        .collect();
    assert_eq!(kinds, ["moof", "mdat", "moof", "mdat"]);
    assert_eq!(out.tracks[0].data.len(), seg.len() - (20 + 52 + 32 + 38));
}

#[test]
fn contiguous_segments_keep_the_mapping_whatever_their_playlist_start() {
    let init = read_init(&av_init()).unwrap();
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    p.push(&av_segment(10.0, 0, 0), &start(0.0)).unwrap();
    // EXTINF sums drift from media time: the mapping, not the playlist, places the segment.
    let out = p.push(&av_segment(10.0, 1, 0), &start(2.1)).unwrap();
    assert_eq!(out.tracks[0].init, None, "the init goes once");
    approx(out.start, 2.0);
    assert_eq!(tfdts(&out, &init)[0], (VIDEO, 180_000));
    let out = p
        .push(
            &av_segment(10.0, 5, 0),
            &SegmentInfo {
                start: 7.0,
                non_contiguous: true,
                ..Default::default()
            },
        )
        .unwrap();
    approx(out.start, 10.0);
}

#[test]
fn a_rendition_switch_keeps_the_mapping_and_sends_the_new_init() {
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    p.push(&av_segment(10.0, 0, 0), &start(0.0)).unwrap();
    let audio_only = init(false, Some(aac()));
    p.push_init(&audio_only).unwrap();
    let a0 = 10 * 48_000 + AFRAMES as u64 * 1024;
    let seg = fragment(3, &[traf(AUDIO, a0, vec![run(audio_samples(10))])], 0);
    let info = SegmentInfo {
        start: 2.5,
        rendition_switch: true,
        ..Default::default()
    };
    let out = p.push(&seg, &info).unwrap();
    let t = &out.tracks[0];
    assert_eq!(t.init.as_deref(), Some(audio_only.as_slice()));
    assert_eq!(
        (t.kind, t.mime.as_str()),
        (TrackKind::Audio, "audio/mp4; codecs=\"mp4a.40.2\"")
    );
    approx(out.start, AFRAMES as f64 * 1024.0 / 48_000.0);
}

#[test]
fn a_discontinuity_maps_the_segment_onto_its_playlist_start_again() {
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    p.push(&av_segment(10.0, 0, 0), &start(0.0)).unwrap();
    let info = SegmentInfo {
        start: 2.0,
        discontinuity: true,
        ..Default::default()
    };
    let out = p.push(&av_segment(500.0, 0, 0), &info).unwrap();
    approx(out.start, 2.0);
    approx(p.offset().unwrap(), -498.0);
    // And the next contiguous one follows on.
    let out = p.push(&av_segment(500.0, 1, 0), &start(4.0)).unwrap();
    approx(out.start, 4.0);
}

#[test]
fn positive_composition_offsets_at_time_0_put_the_first_decode_time_on_0() {
    // B-frames written with a 2-frame composition offset and tfdt 0 (what ffmpeg writes): the
    // earliest presentation is 2 frames in; mapping it to 0 would need a negative tfdt.
    let init = read_init(&av_init()).unwrap();
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let out = p.push(&av_segment(0.0, 0, 6000), &start(0.0)).unwrap();
    approx(p.offset().unwrap(), 0.0);
    approx(out.start, 0.0); // the audio starts at 0
    assert_eq!(tfdts(&out, &init)[0], (VIDEO, 0));
    // Video alone: the buffer starts one composition offset in.
    let mut p = Passthrough::new();
    p.push_init(&init_video()).unwrap();
    let seg = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(4, FRAME, 6000))])],
        0,
    );
    let out = p.push(&seg, &start(0.0)).unwrap();
    approx(out.start, 6000.0 / 90_000.0);
    assert_eq!(out.tracks[0].kind, TrackKind::Video);
    assert_eq!(out.tracks[0].mime, "video/mp4; codecs=\"avc1.4d400d\"");
}

fn init_video() -> Vec<u8> {
    init(true, None)
}

#[test]
fn an_imposed_offset_replaces_the_placement_at_the_next_mapping_point() {
    let mut main = Passthrough::new();
    main.push_init(&init_video()).unwrap();
    let v = fragment(
        1,
        &[traf(VIDEO, 900_000, vec![run(video_samples(4, FRAME, 0))])],
        0,
    );
    main.push(&v, &start(0.0)).unwrap();
    // The audio rendition's first segment starts 40 ms after the video's: the shared mapping
    // keeps that, where its own placement would put it on 0 too.
    let mut audio = Passthrough::new();
    audio.push_init(&init(false, Some(aac()))).unwrap();
    audio.impose_offset(main.offset().unwrap());
    let a = fragment(
        1,
        &[traf(AUDIO, 480_000 + 1920, vec![run(audio_samples(4))])],
        0,
    );
    let out = audio.push(&a, &start(0.0)).unwrap();
    approx(out.start, 0.04);
    assert_eq!(audio.offset(), main.offset());
    // Audio starting before the video would get negative decode times: a clear error (the
    // engine decides what to do), and the mapping stays unset.
    let mut early = Passthrough::new();
    early.push_init(&init(false, Some(aac()))).unwrap();
    early.impose_offset(main.offset().unwrap());
    let a = fragment(
        1,
        &[traf(AUDIO, 480_000 - 1920, vec![run(audio_samples(4))])],
        0,
    );
    assert_eq!(
        early.push(&a, &start(0.0)).unwrap_err().to_string(),
        "malformed: tfdt at byte 48: the shifted decode time leaves the timeline (below 0 or \
         beyond 64 bits)"
    );
    assert_eq!(early.offset(), None);
}

#[test]
fn a_video_segment_without_a_leading_sync_sample_is_warned_about() {
    let mut p = Passthrough::new();
    p.push_init(&init_video()).unwrap();
    let mut samples = video_samples(4, FRAME, 0);
    samples[0].flags = NON_SYNC;
    let seg = fragment(1, &[traf(VIDEO, 0, vec![run(samples)])], 0);
    let out = p.push(&seg, &start(0.0)).unwrap();
    assert_eq!(
        out.warnings,
        vec![RemuxWarning::SegmentStartsWithoutSyncSample { track_id: VIDEO }]
    );
    assert_eq!(
        out.warnings[0].to_string(),
        "fMP4 segment does not start with a sync sample on video track 1"
    );
}

/// Whole push vs. the same bytes in chunks of `size`: concatenated data, init and span.
fn chunked(p: &mut Passthrough, seg: &[u8], info: &SegmentInfo, size: usize) -> RemuxOutput {
    let mut data = Vec::new();
    let mut init = None;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut take = |out: RemuxOutput| {
        for t in out.tracks {
            init = init.take().or(t.init);
            data.extend(t.data);
            lo = lo.min(out.start);
            hi = hi.max(out.end);
        }
    };
    for c in seg.chunks(size) {
        if let Some(out) = p.push_chunk(c, info).unwrap() {
            take(out);
        }
    }
    take(p.finish_segment(info).unwrap());
    RemuxOutput {
        tracks: vec![hlsplay::remux::TrackOutput {
            kind: TrackKind::Combined,
            codecs: String::new(),
            mime: String::new(),
            init,
            data,
        }],
        start: lo,
        end: hi,
        warnings: Vec::new(),
        captions: Vec::new(),
    }
}

#[test]
fn chunks_of_every_size_give_the_bytes_of_a_whole_push() {
    let seg = av_segment(10.0, 0, 0);
    let next = av_segment(10.0, 1, 0);
    let mut whole = Passthrough::new();
    whole.push_init(&av_init()).unwrap();
    let w0 = whole.push(&seg, &start(3.0)).unwrap();
    let w1 = whole.push(&next, &start(5.0)).unwrap();
    for size in 1..=seg.len() {
        let mut p = Passthrough::new();
        p.push_init(&av_init()).unwrap();
        let c0 = chunked(&mut p, &seg, &start(3.0), size);
        assert_eq!(c0.tracks[0].data, w0.tracks[0].data, "chunk size {size}");
        assert_eq!(c0.tracks[0].init, w0.tracks[0].init, "chunk size {size}");
        approx(c0.start, w0.start);
        approx(c0.end, w0.end);
        if size % 37 == 0 {
            let c1 = chunked(&mut p, &next, &start(5.0), size);
            assert_eq!(c1.tracks[0].data, w1.tracks[0].data, "chunk size {size}");
            assert_eq!(c1.tracks[0].init, None);
        }
    }
}

/// Byte offset of the `n`th `moof` box of `seg` and its size.
fn nth_moof(seg: &[u8], n: usize) -> (usize, usize) {
    let type_at = (seg.windows(4).enumerate())
        .filter(|(_, w)| *w == b"moof")
        .nth(n)
        .unwrap()
        .0;
    let at = type_at - 4;
    let size = u32::from_be_bytes(seg[at..type_at].try_into().unwrap());
    (at, size as usize)
}

#[test]
fn a_fragment_is_output_from_its_moof_on_and_its_mdat_body_as_it_arrives() {
    let seg = av_segment(0.0, 0, 0);
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let (second, moof_len) = nth_moof(&seg, 1);
    let info = start(0.0);
    let first = p.push_chunk(&seg[..second], &info).unwrap().unwrap();
    approx(first.end, 47.0 * 1024.0 / 48_000.0);
    assert!(first.tracks[0].init.is_some());
    assert!(!p.mid_fragment());
    // The moof alone is not enough: its mdat's size is not known yet.
    assert!(p
        .push_chunk(&seg[second..second + moof_len], &info)
        .unwrap()
        .is_none());
    // The mdat header and 10 body bytes: the (moved) moof and them go out at once, as the
    // whole fragment's range.
    let head_end = second + moof_len + 8 + 10;
    let head = p
        .push_chunk(&seg[second + moof_len..head_end], &info)
        .unwrap()
        .unwrap();
    assert_eq!(head.tracks[0].init, None);
    assert_eq!(head.tracks[0].data.len(), moof_len + 8 + 10);
    assert_eq!(&head.tracks[0].data[4..8], b"moof");
    assert_eq!(
        &head.tracks[0].data[moof_len..],
        &seg[second + moof_len..head_end]
    );
    // The second fragment's range: it starts where the first one's video ends.
    assert!(
        first.start < head.start && head.start <= first.end,
        "{head:?}"
    );
    assert!(head.end > first.end);
    assert!(p.mid_fragment());
    // The body follows byte for byte, with the same range.
    let body = p
        .push_chunk(&seg[head_end..seg.len() - 1], &info)
        .unwrap()
        .unwrap();
    assert_eq!(body.tracks[0].data, &seg[head_end..seg.len() - 1]);
    assert_eq!((body.start, body.end), (head.start, head.end));
    assert!(p.mid_fragment());
    let last = p.push_chunk(&seg[seg.len() - 1..], &info).unwrap().unwrap();
    assert_eq!(last.tracks[0].data, &seg[seg.len() - 1..]);
    assert!(!p.mid_fragment());
    let fin = p.finish_segment(&info).unwrap();
    assert!(fin.tracks.is_empty());
    approx(fin.start, head.end);
}

#[test]
fn a_segment_that_ends_inside_an_mdat_is_an_error_naming_it() {
    let seg = av_segment(0.0, 0, 0);
    let (second, moof_len) = nth_moof(&seg, 1);
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let info = start(0.0);
    assert!(p
        .push_chunk(&seg[..seg.len() - 5], &info)
        .unwrap()
        .is_some());
    assert!(p.mid_fragment());
    let err = p.finish_segment(&info).unwrap_err().to_string();
    let at = second + moof_len;
    assert!(
        err.contains("mdat") && err.contains(&at.to_string()),
        "{err}"
    );
    assert!(!p.mid_fragment());
    // Given up instead: the same, and the mapping is as before the segment.
    assert!(p
        .push_chunk(&seg[..seg.len() - 5], &info)
        .unwrap()
        .is_some());
    p.abort_segment();
    assert!(!p.mid_fragment());
}

/// `seg` with a `free` box of `n` body bytes between its `k`th `moof` and that moof's `mdat`,
/// the moof's `trun` data offsets moved past it.
fn with_box_before_mdat(seg: &[u8], k: usize, n: usize) -> (Vec<u8>, usize) {
    let (at, moof_len) = nth_moof(seg, k);
    let mut moof = seg[at..at + moof_len].to_vec();
    let truns: Vec<usize> = (moof.windows(4).enumerate())
        .filter(|(_, w)| *w == b"trun")
        .map(|(i, _)| i)
        .collect();
    for t in truns {
        // type, version + flags, sample_count, then the data offset (every run here has one).
        assert_eq!(moof[t + 7] & 0x01, 0x01, "trun without a data offset");
        let o = t + 12;
        let offset = i32::from_be_bytes(moof[o..o + 4].try_into().unwrap()) + 8 + n as i32;
        moof[o..o + 4].copy_from_slice(&offset.to_be_bytes());
    }
    let mut out = seg[..at].to_vec();
    out.extend(moof);
    out.extend(other_box(b"free", n));
    out.extend(&seg[at + moof_len..]);
    (out, at + moof_len + 8 + n)
}

#[test]
fn the_error_for_a_segment_ending_inside_an_mdat_names_the_mdat_not_a_box_before_it() {
    // It named the byte after the moof, which is the mdat only when nothing sits between.
    let (seg, mdat_at) = with_box_before_mdat(&av_segment(0.0, 0, 0), 1, 16);
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let info = start(0.0);
    assert!(p
        .push_chunk(&seg[..seg.len() - 5], &info)
        .unwrap()
        .is_some());
    assert!(p.mid_fragment());
    let err = p.finish_segment(&info).unwrap_err().to_string();
    assert!(
        err.contains(&format!("mdat at byte {mdat_at}:")),
        "{err} (mdat at {mdat_at})"
    );
    // The same bytes whole are a good segment: the shifted offsets are right.
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    p.push_chunk(&seg, &info).unwrap();
    p.finish_segment(&info).unwrap();
}

#[test]
fn abort_segment_puts_the_mapping_back() {
    let seg = av_segment(10.0, 0, 0);
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let info = start(0.0);
    assert!(p
        .push_chunk(&seg[..seg.len() - 10], &info)
        .unwrap()
        .is_some());
    assert!(p.offset().is_some());
    p.abort_segment();
    assert_eq!(p.offset(), None);
    // The retry maps afresh (here onto another start); the init already went out.
    let out = p.push(&seg, &start(1.0)).unwrap();
    approx(out.start, 1.0);
    assert_eq!(out.tracks[0].init, None);
}

#[test]
fn a_failed_segment_leaves_the_timeline_and_the_pending_init_untouched() {
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let mut seg = av_segment(10.0, 0, 0);
    seg.truncate(seg.len() - 1);
    let e = p.push(&seg, &start(0.0)).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::Malformed);
    assert!(e.to_string().starts_with("malformed: mdat at byte "), "{e}");
    assert_eq!(p.offset(), None);
    let out = p.push(&av_segment(10.0, 0, 0), &start(0.0)).unwrap();
    assert!(out.tracks[0].init.is_some());
}

#[test]
fn a_segment_without_init_or_fragments_is_an_error() {
    let mut p = Passthrough::new();
    let seg = av_segment(0.0, 0, 0);
    let e = p.push(&seg, &start(0.0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed: fMP4 segment with no init segment (EXT-X-MAP)"
    );
    assert_eq!(
        p.push_chunk(&seg, &start(0.0)).unwrap_err().to_string(),
        "malformed: fMP4 segment with no init segment (EXT-X-MAP)"
    );
    p.push_init(&av_init()).unwrap();
    assert_eq!(
        p.push(&other_box(b"styp", 12), &start(0.0))
            .unwrap_err()
            .to_string(),
        "malformed: no moof + mdat in the fMP4 segment (20 bytes)"
    );
    // reset forgets the init: the engine pushes it again.
    p.reset();
    assert!(p.push(&seg, &start(0.0)).is_err());
}

#[test]
fn an_init_without_audio_or_video_is_unsupported_and_keeps_the_previous_one() {
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let mut text = init_video();
    let h = text.windows(4).position(|w| w == b"vide").unwrap();
    text[h..h + 4].copy_from_slice(b"text");
    let e = p.push_init(&text).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::Unsupported);
    assert_eq!(
        e.to_string(),
        "unsupported: the init segment (EXT-X-MAP) has no audio or video track"
    );
    let e = p.push_init(b"garbage!").unwrap_err();
    assert_eq!(e.category(), ErrorCategory::Malformed);
    let out = p.push(&av_segment(0.0, 0, 0), &start(0.0)).unwrap();
    assert_eq!(out.tracks[0].kind, TrackKind::Combined);
}

#[test]
fn segments_over_the_size_limit_are_refused() {
    let mut p = Passthrough::new();
    p.push_init(&av_init()).unwrap();
    let big = vec![0u8; MAX_SEGMENT_BYTES + 1];
    let e = p.push(&big, &start(0.0)).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::Limit);
    assert_eq!(
        p.push_chunk(&big, &start(0.0)).unwrap_err().category(),
        ErrorCategory::Limit
    );
}

#[test]
fn the_remuxer_sends_ts_to_the_transmuxer_and_fmp4_to_the_passthrough() {
    let ts = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ts/main_bf2.ts"),
    )
    .unwrap();
    let mut r = Remuxer::new(OutputShape::SplitTracks);
    let out = r.push(&ts, &start(0.0)).unwrap();
    assert_eq!(out.tracks.len(), 2, "SplitTracks TS output");
    r.push_init(&av_init()).unwrap();
    let out = r
        .push(
            &av_segment(0.0, 0, 0),
            &SegmentInfo {
                start: 3.0,
                discontinuity: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(out.tracks[0].kind, TrackKind::Combined);
    approx(r.offset().unwrap(), 3.0);
    // Chunked: the first non-empty chunk decides.
    let seg = av_segment(0.0, 1, 0);
    assert!(r.push_chunk(&[], &start(5.0)).unwrap().is_none());
    assert!(r.push_chunk(&seg[..10], &start(5.0)).unwrap().is_none());
    r.push_chunk(&seg[10..], &start(5.0)).unwrap();
    r.finish_segment(&start(5.0)).unwrap();
    // TS, ID3 (packed audio) and ADTS/MPEG audio starts never reach the fMP4 reader.
    for first in [0x47u8, b'I', 0xFF] {
        let mut bad = vec![0u8; 400];
        bad[0] = first;
        let e = r.push(&bad, &start(0.0)).unwrap_err();
        let fmp4 = matches!(
            e,
            RemuxError::Fmp4(_) | RemuxError::NoInit | RemuxError::NoFragments { .. }
        );
        assert!(!fmp4, "{first:#x}: {e}");
    }
    r.reset();
    assert_eq!(r.offset(), None);
    assert_eq!(
        r.push(&seg, &start(0.0)).unwrap_err().to_string(),
        "malformed: fMP4 segment with no init segment (EXT-X-MAP)"
    );
}
