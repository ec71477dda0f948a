//! The transmux edge cases of `research/players.md` (1-31), one named test each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
mod common;
use common::ts_fixture as fixture;

use common::*;
use hlsplay::remux::{OutputShape, RemuxOutput, RemuxWarning, SegmentInfo, Transmuxer};
use hlsplay::ts::{DemuxWarning, Demuxer};
use mp4_atom::{Any, Codec, Decode, Moov};

fn demux(bytes: &[u8]) -> (Demuxer, Vec<DemuxWarning>) {
    let mut d = Demuxer::new();
    d.begin_segment();
    d.push(bytes);
    d.finish_segment().unwrap();
    let w = d.warnings.take();
    (d, w)
}

/// (track id, tfdt, [(duration, size, flags, cto)]) of every traf in a fragment.
type Traf = (u32, u64, Vec<(u32, u32, u32, i64)>);

fn trafs(fragment: &[u8]) -> Vec<Traf> {
    let mut buf = fragment;
    let mut out = Vec::new();
    while !buf.is_empty() {
        if let Any::Moof(moof) = Any::decode(&mut buf).unwrap() {
            for t in moof.traf {
                let entries = t
                    .trun
                    .iter()
                    .flat_map(|r| r.samples.iter())
                    .map(|e| {
                        (
                            e.duration.unwrap(),
                            e.size.unwrap(),
                            e.flags.unwrap(),
                            e.cts.unwrap(),
                        )
                    })
                    .collect();
                out.push((
                    t.tfhd.track_id,
                    t.tfdt.unwrap().base_media_decode_time,
                    entries,
                ));
            }
        }
    }
    out
}

fn track(t: &[Traf], id: u32) -> &Traf {
    t.iter()
        .find(|x| x.0 == id)
        .unwrap_or_else(|| panic!("no track {id}"))
}

fn end_of(t: &Traf) -> u64 {
    t.1 + t.2.iter().map(|s| u64::from(s.0)).sum::<u64>()
}

fn push(m: &mut Transmuxer, bytes: &[u8], info: SegmentInfo) -> RemuxOutput {
    m.push(bytes, &info).unwrap()
}

fn at(start: f64) -> SegmentInfo {
    SegmentInfo {
        start,
        ..Default::default()
    }
}

fn has<F: Fn(&RemuxWarning) -> bool>(out: &RemuxOutput, f: F) -> bool {
    out.warnings.iter().any(f)
}

// ---------------------------------------------------------------- TS demux

#[test]
fn edge_01_sync_byte_not_at_offset_0() {
    let clean = fixture("main_bf2.ts");
    let mut shifted = vec![0x47, 0x00, 0x12, 0x47, 0x47, 0x99];
    shifted.extend_from_slice(&clean);
    let (a, _) = demux(&clean);
    let (b, w) = demux(&shifted);
    assert_eq!(a.video.data, b.video.data);
    assert_eq!(a.audio.frames, b.audio.frames);
    assert!(
        w.iter().any(|w| matches!(
            w,
            DemuxWarning::LostSync {
                offset: 0,
                skipped: 6
            }
        )),
        "{w:?}"
    );
}

#[test]
fn edge_02_partial_packet_carried_to_next_chunk() {
    let clean = fixture("main_bf2.ts");
    let (whole, _) = demux(&clean);
    for chunk in [1usize, 100, 187, 189, 1000] {
        let mut d = Demuxer::new();
        d.begin_segment();
        for c in clean.chunks(chunk) {
            d.push(c);
        }
        d.finish_segment().unwrap();
        assert_eq!(d.video.frames, whole.video.frames, "chunk {chunk}");
        assert_eq!(d.video.data, whole.video.data, "chunk {chunk}");
        assert_eq!(d.audio.data, whole.audio.data, "chunk {chunk}");
        assert!(d.warnings.take().is_empty(), "chunk {chunk}");
    }
}

/// Also caught: lost-sync offsets were counted twice (reported 15040 for byte 7520).
#[test]
fn edge_03_packets_without_sync_reported() {
    let mut bytes = fixture("main_bf2.ts");
    bytes[188 * 40] = 0x00;
    let (d, w) = demux(&bytes);
    assert!(
        w.iter()
            .any(|w| matches!(w, DemuxWarning::LostSync { offset, .. } if *offset == 188 * 40)),
        "{w:?}"
    );
    assert!(d.video.frames.len() >= 59);
}

#[test]
fn edge_04_adaptation_field_only_packets_skipped() {
    let mut m = Mux::default();
    m.psi(true, false);
    m.af_only(VIDEO_PID);
    m.video(9000, 9000, &access_unit(true, Some(SPS), true, 400));
    m.af_only(VIDEO_PID);
    m.video(12000, 12000, &access_unit(false, None, true, 400));
    let (d, w) = demux(&m.out);
    assert_eq!(d.video.frames.len(), 2);
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn edge_05_pmt_after_other_pids() {
    let mut m = Mux::default();
    m.video(9000, 9000, &access_unit(true, Some(SPS), true, 400));
    m.audio(9000, &adts(50, false, 3, 2));
    m.psi(true, true);
    m.video(12000, 12000, &access_unit(false, None, true, 400));
    let (d, _) = demux(&m.out);
    assert_eq!(d.video.frames.len(), 2);
    assert_eq!(d.video.frames[0].pts, Some(9000));
    assert!(d.video.frames[0].key);
    assert_eq!(d.audio.frames.len(), 1);
}

#[test]
fn edge_06_unknown_stream_types_ignored() {
    let mut m = Mux::default();
    m.pat();
    m.pmt(&[
        (0x06, 0x200),
        (0x1B, VIDEO_PID),
        (0x24, 0x201),
        (0x0F, AUDIO_PID),
    ]);
    m.packet(0x200, true, &[1, 2, 3]);
    m.video(9000, 9000, &access_unit(true, Some(SPS), true, 100));
    m.audio(9000, &adts(50, false, 3, 2));
    let (d, w) = demux(&m.out);
    assert_eq!((d.video.frames.len(), d.audio.frames.len()), (1, 1));
    assert!(w.contains(&DemuxWarning::UnsupportedStream {
        pid: 0x200,
        stream_type: 0x06
    }));
    assert!(w.contains(&DemuxWarning::UnsupportedStream {
        pid: 0x201,
        stream_type: 0x24
    }));
}

/// Also the regression test for an endless recursion (stack overflow) when the 9 fixed PES
/// header bytes completed exactly at the end of a packet.
#[test]
fn edge_07_pes_header_split_across_packets() {
    let au = access_unit(true, Some(SPS), true, 500);
    let p = pes(0xE0, Some(123_456), Some(120_000), &au, false);
    for first in 1..20 {
        let mut m = Mux::default();
        m.psi(true, false);
        m.write(VIDEO_PID, &p, first);
        let (d, w) = demux(&m.out);
        assert!(w.is_empty(), "split after {first}: {w:?}");
        assert_eq!(d.video.frames.len(), 1, "split after {first}");
        assert_eq!(
            (d.video.frames[0].pts, d.video.frames[0].dts),
            (Some(123_456), Some(120_000))
        );
    }
}

#[test]
fn edge_08_truncated_pes_at_segment_end() {
    let mut m = Mux::default();
    m.psi(false, true);
    m.audio(
        9000,
        &[adts(50, false, 3, 2), adts(50, false, 3, 2)].concat(),
    );
    let mut p = pes(
        0xC0,
        Some(12_000),
        None,
        &[adts(50, false, 3, 2), adts(50, false, 3, 2)].concat(),
        true,
    );
    p.truncate(p.len() - 80);
    m.write(AUDIO_PID, &p, 184);
    let (d, w) = demux(&m.out);
    assert_eq!(d.audio.frames.len(), 2, "the complete frames stay");
    assert!(
        w.iter().any(|w| matches!(
            w,
            DemuxWarning::TruncatedPes {
                pid: AUDIO_PID,
                declared: 114,
                received: 34
            }
        )),
        "{w:?}"
    );
    assert!(w
        .iter()
        .any(|w| matches!(w, DemuxWarning::TruncatedAudioFrame { .. })));
}

#[test]
fn edge_09_33_bit_pts_missing_dts_and_bogus_offset() {
    let mut m = Mux::default();
    m.psi(true, false);
    let top = (1u64 << 33) - 1;
    let p = pes(
        0xE0,
        Some(top),
        None,
        &access_unit(true, Some(SPS), true, 100),
        false,
    );
    m.write(VIDEO_PID, &p, 184);
    // PTS - DTS of 100 s is bogus: DTS falls back to PTS.
    m.video(
        50_000 + 9_000_000,
        50_000,
        &access_unit(false, None, true, 100),
    );
    let (d, w) = demux(&m.out);
    assert_eq!(
        (d.video.frames[0].pts, d.video.frames[0].dts),
        (Some(top), Some(top))
    );
    assert_eq!(d.video.frames[1].dts, Some(9_050_000));
    assert!(w
        .iter()
        .any(|w| matches!(w, DemuxWarning::BogusTimestamp { .. })));
}

#[test]
fn edge_10_continuity_counter_gaps_reported() {
    let mut m = Mux::default();
    m.psi(true, false);
    m.video(9000, 9000, &access_unit(true, Some(SPS), true, 1000));
    let cut = m.out.len() - 188 * 2;
    let mut bytes = m.out.clone();
    bytes.drain(cut..cut + 188);
    let (_, w) = demux(&bytes);
    assert!(
        w.iter()
            .any(|w| matches!(w, DemuxWarning::ContinuityGap { pid: VIDEO_PID, .. })),
        "{w:?}"
    );
}

// ---------------------------------------------------------------- AAC

#[test]
fn edge_11_adts_frame_split_across_pes_packets() {
    let frames: Vec<u8> = (0..4).flat_map(|_| adts(120, false, 3, 2)).collect();
    let mut m = Mux::default();
    m.psi(false, true);
    m.audio(90_000, &frames[..200]);
    m.audio(90_000 + 1920, &frames[200..]);
    let (d, w) = demux(&m.out);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(d.audio.frames.len(), 4);
    assert!(d.audio.frames.iter().all(|f| f.size == 120));
}

#[test]
fn edge_12_pes_not_starting_with_adts_resyncs() {
    let mut payload = vec![0x12, 0xFF, 0x00, 0x34];
    payload.extend(adts(60, false, 3, 2));
    payload.extend(adts(60, false, 3, 2));
    let mut m = Mux::default();
    m.psi(false, true);
    m.audio(9000, &payload);
    let (d, w) = demux(&m.out);
    assert_eq!(d.audio.frames.len(), 2);
    assert!(
        w.contains(&DemuxWarning::AudioResync {
            pid: AUDIO_PID,
            skipped: 4
        }),
        "{w:?}"
    );
}

#[test]
fn edge_13_frame_pts_is_pes_pts_plus_index_times_1024() {
    let mut m = Mux::default();
    m.psi(false, true);
    let frames: Vec<u8> = (0..3).flat_map(|_| adts(30, false, 4, 2)).collect(); // 44.1 kHz
    m.audio(1000, &frames);
    let (d, _) = demux(&m.out);
    let pts: Vec<u64> = d.audio.frames.iter().map(|f| f.pts.unwrap()).collect();
    assert_eq!(
        pts,
        vec![
            1000,
            1000 + 1024 * 90_000 / 44_100,
            1000 + 2048 * 90_000 / 44_100
        ]
    );
}

#[test]
fn edge_14_adts_7_and_9_byte_headers() {
    let mut m = Mux::default();
    m.psi(false, true);
    m.audio(
        9000,
        &[adts(40, false, 3, 2), adts(41, true, 3, 2)].concat(),
    );
    let (d, _) = demux(&m.out);
    let sizes: Vec<u32> = d.audio.frames.iter().map(|f| f.size).collect();
    assert_eq!(sizes, vec![40, 41]);
    assert_eq!(
        &d.audio.data[40..43],
        &[1, 2, 3],
        "CRC bytes are not payload"
    );
}

#[test]
fn edge_15_sampling_frequency_index_above_12_is_an_error() {
    let mut m = Mux::default();
    m.psi(false, true);
    m.audio(
        9000,
        &[adts(40, false, 13, 2), adts(40, false, 3, 2)].concat(),
    );
    let (d, w) = demux(&m.out);
    assert_eq!(
        d.audio.frames.len(),
        1,
        "the frame with index 13 is rejected"
    );
    assert!(w
        .iter()
        .any(|w| matches!(w, DemuxWarning::AudioResync { .. })));
}

#[test]
fn edge_16_he_aac_signalling() {
    // ADTS cannot carry SBR explicitly: HE-AAC arrives as LC at the core rate (implicit
    // signalling) and is announced as mp4a.40.2, which MSE decoders upsample themselves.
    let mut m = Mux::default();
    m.psi(false, true);
    m.audio(9000, &adts(40, false, 6, 2)); // 24 kHz core
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = push(&mut mux, &m.out, at(0.0));
    assert_eq!(out.tracks[0].codecs, "mp4a.40.2");
    // An explicit HE-AAC object type maps to mp4a.40.5.
    use hlsplay::ts::audio::{AudioCodec, AudioConfig};
    let he = AudioConfig {
        codec: AudioCodec::Aac {
            object_type: 5,
            sampling_index: 6,
            channel_config: 2,
        },
        sample_rate: 24_000,
        channels: 2,
        samples_per_frame: 1024,
    };
    assert_eq!(he.codec_string(), "mp4a.40.5");
}

// ---------------------------------------------------------------- H.264

#[test]
fn edge_17_streams_without_access_unit_delimiters() {
    // Two access units in ONE PES, no AUDs: the boundary comes from first_mb_in_slice == 0.
    let mut es = access_unit(true, Some(SPS), false, 200);
    es.extend(access_unit(false, None, false, 200));
    es.extend(access_unit(false, None, false, 200));
    let mut m = Mux::default();
    m.psi(true, false);
    m.video(9000, 9000, &es);
    let (d, _) = demux(&m.out);
    assert_eq!(d.video.frames.len(), 3);
    assert!(d.video.frames[0].key && !d.video.frames[1].key);
    assert_eq!(d.video.frames[0].pts, Some(9000));
    assert_eq!(
        d.video.frames[1].pts, None,
        "later AUs in the PES have no timestamp of their own"
    );
}

#[test]
fn edge_18_start_code_split_across_pes_packets() {
    let a = access_unit(true, Some(SPS), true, 200);
    let b = access_unit(false, None, true, 200); // starts 00 00 00 01 09
    let mut first = a.clone();
    first.extend_from_slice(&b[..3]);
    let mut m = Mux::default();
    m.psi(true, false);
    m.video(9000, 9000, &first);
    m.video(12000, 12000, &b[3..]);
    let (d, w) = demux(&m.out);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(d.video.frames.len(), 2);
    assert_eq!(d.video.frames[1].pts, Some(12000));
    // Same bytes as without the split.
    let mut m2 = Mux::default();
    m2.psi(true, false);
    m2.video(9000, 9000, &a);
    m2.video(12000, 12000, &b);
    assert_eq!(demux(&m2.out).0.video.data, d.video.data);
}

#[test]
fn edge_19_keyframe_is_idr_or_i_slice_with_sps() {
    // Non-IDR I slice (nal type 1, slice_type 7 -> "1 0001000"): key only with an SPS in the AU.
    let i_slice = |sps: bool| {
        let mut au = vec![0, 0, 0, 1, 0x09, 0xF0];
        if sps {
            au.extend([0, 0, 0, 1]);
            au.extend_from_slice(SPS);
            au.extend([0, 0, 0, 1]);
            au.extend_from_slice(PPS);
        }
        au.extend([0, 0, 1, 0x41, 0b1000_1000, 0x40, 0x55, 0x66]);
        au
    };
    let mut m = Mux::default();
    m.psi(true, false);
    m.video(9000, 9000, &i_slice(true));
    m.video(12000, 12000, &i_slice(false));
    m.video(15000, 15000, &access_unit(true, None, true, 50));
    m.video(18000, 18000, &access_unit(false, None, true, 50));
    let (d, _) = demux(&m.out);
    let keys: Vec<bool> = d.video.frames.iter().map(|f| f.key).collect();
    assert_eq!(keys, vec![true, false, true, false]);
}

#[test]
fn edge_20_sps_change_gives_a_new_init_segment() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let a = push(&mut mux, &av_segment(90_000, 30, None, 0, SPS), at(0.0));
    let b = push(&mut mux, &av_segment(180_000, 30, None, 0, SPS), at(1.0));
    let c = push(
        &mut mux,
        &av_segment(270_000, 30, None, 0, SPS_HIGH),
        SegmentInfo {
            start: 2.0,
            rendition_switch: true,
            ..Default::default()
        },
    );
    assert!(a.tracks[0].init.is_some());
    assert!(b.tracks[0].init.is_none());
    let init = c.tracks[0]
        .init
        .as_ref()
        .expect("new init after the SPS change");
    assert_eq!(c.tracks[0].codecs, "avc1.64000d");
    let mut buf = &init[..];
    mp4_atom::Ftyp::decode(&mut buf).unwrap();
    let moov = Moov::decode(&mut buf).unwrap();
    let Codec::Avc1(avc1) = &moov.trak[0].mdia.minf.stbl.stsd.codecs[0] else {
        panic!()
    };
    assert_eq!(avc1.avcc.sequence_parameter_sets[0], SPS_HIGH);
}

// ---------------------------------------------------------------- Remux

#[test]
fn edge_21_init_waits_until_each_track_has_samples() {
    // Audio starts only after ten video frames: the first init still has both tracks.
    let mut m = Mux::default();
    m.psi(true, true);
    for i in 0..10u64 {
        m.video(
            90_000 + 3000 * i,
            90_000 + 3000 * i,
            &access_unit(i == 0, (i == 0).then_some(SPS), true, 200),
        );
    }
    for i in 0..10u64 {
        m.audio(120_000 + 1920 * i, &adts(50, false, 3, 2));
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = push(&mut mux, &m.out, at(0.0));
    let mut buf = &out.tracks[0].init.as_ref().unwrap()[..];
    mp4_atom::Ftyp::decode(&mut buf).unwrap();
    assert_eq!(Moov::decode(&mut buf).unwrap().trak.len(), 2);
    assert_eq!(out.tracks[0].codecs, "avc1.4d400d,mp4a.40.2");
    assert_eq!(trafs(&out.tracks[0].data).len(), 2);
}

#[test]
fn edge_22_timeline_base_is_min_of_audio_pts_and_video_dts() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    // Audio 0.1 s before video.
    let out = push(
        &mut mux,
        &av_segment(900_000, 30, Some(891_000), 50, SPS),
        at(0.0),
    );
    let t = trafs(&out.tracks[0].data);
    assert_eq!(track(&t, 2).1, 0, "audio starts the timeline");
    assert_eq!(track(&t, 1).1, 9_000, "video 0.1 s later");
    assert!(out.start.abs() < 1e-9);
}

#[test]
fn edge_23_rollover_inside_and_between_segments() {
    let wrap = 1u64 << 33;
    let mut mux = Transmuxer::new(OutputShape::Combined);
    // Segment 1 crosses 2^33 inside; segment 2 is entirely after it.
    let a = push(
        &mut mux,
        &av_segment(wrap - 45_000, 30, Some(wrap - 45_000), 47, SPS),
        at(0.0),
    );
    let b = push(
        &mut mux,
        &av_segment(45_000, 30, Some(45_000), 47, SPS),
        at(1.0),
    );
    let ta = trafs(&a.tracks[0].data);
    let tb = trafs(&b.tracks[0].data);
    assert_eq!(track(&ta, 1).1, 0);
    assert!(
        track(&ta, 1).2.iter().all(|s| s.0 == 3000),
        "no jump at the wrap"
    );
    assert_eq!(track(&tb, 1).1, end_of(track(&ta, 1)));
    assert_eq!(track(&tb, 2).1, end_of(track(&ta, 2)));
    assert!(
        a.warnings.is_empty() && b.warnings.is_empty(),
        "{:?} {:?}",
        a.warnings,
        b.warnings
    );
}

#[test]
fn edge_24_segment_not_starting_with_keyframe_drops_leading_frames() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    // midgop_2 starts 1.93 s in; its keyframe is at 2.0 s.
    let out = push(&mut mux, &fixture("midgop_2.ts"), at(0.0));
    let dropped = out.warnings.iter().find_map(|w| match w {
        RemuxWarning::LeadingFramesDropped { count } => Some(*count),
        _ => None,
    });
    assert!(dropped.unwrap_or(0) > 0, "{:?}", out.warnings);
    let t = trafs(&out.tracks[0].data);
    assert_eq!(track(&t, 1).2[0].2, hlsplay::fmp4::FLAGS_SYNC);
    // In a contiguous run the same segment keeps every frame (the decoder has the references).
    let mut run = Transmuxer::new(OutputShape::Combined);
    push(&mut run, &fixture("midgop_0.ts"), at(0.0));
    let out = push(&mut run, &fixture("midgop_1.ts"), at(1.0));
    assert!(!has(&out, |w| matches!(
        w,
        RemuxWarning::LeadingFramesDropped { .. }
    )));
}

#[test]
fn edge_25_b_frames_signed_composition_offsets_and_increasing_dts() {
    let (d, _) = demux(&fixture("main_bf2.ts"));
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = push(&mut mux, &fixture("main_bf2.ts"), at(0.0));
    let t = trafs(&out.tracks[0].data);
    let v = track(&t, 1);
    assert!(v.2.iter().all(|s| s.0 > 0), "DTS strictly increasing");
    let mut dts = v.1 as i64;
    let mut pts = Vec::new();
    for (s, f) in v.2.iter().zip(&d.video.frames) {
        pts.push(dts + s.3);
        assert_eq!(
            s.3,
            f.pts.unwrap() as i64 - f.dts.unwrap() as i64,
            "cto = PTS - DTS"
        );
        dts += i64::from(s.0);
    }
    assert!(v.2.iter().any(|s| s.3 > 0), "B-frames reorder");
    pts.sort();
    assert!(
        pts.windows(2).all(|w| w[1] - w[0] == 3000),
        "presentation times are every frame"
    );
}

#[test]
fn edge_26_small_holes_and_overlaps_between_segments_are_closed() {
    for shift in [-1000i64, 1000, 2999, -2999] {
        let mut mux = Transmuxer::new(OutputShape::Combined);
        let a = push(&mut mux, &av_segment(90_000, 30, None, 0, SPS), at(0.0));
        let b = push(
            &mut mux,
            &av_segment((180_000 + shift) as u64, 30, None, 0, SPS),
            at(1.0),
        );
        let (ta, tb) = (trafs(&a.tracks[0].data), trafs(&b.tracks[0].data));
        assert_eq!(track(&tb, 1).1, end_of(track(&ta, 1)), "shift {shift}");
        assert_eq!(
            track(&tb, 1).2[0].0 as i64,
            3000 + shift,
            "first sample stretched/pulled"
        );
        assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    }
    // A hole of more than a frame is left and reported.
    let mut mux = Transmuxer::new(OutputShape::Combined);
    push(&mut mux, &av_segment(90_000, 30, None, 0, SPS), at(0.0));
    let b = push(&mut mux, &av_segment(190_000, 30, None, 0, SPS), at(1.0));
    assert!(has(&b, |w| matches!(w, RemuxWarning::VideoGap { .. })));
}

#[test]
fn edge_27_last_frame_duration_is_previous_delta() {
    let mut m = Mux::default();
    m.psi(true, false);
    for (i, t) in [0u64, 3003, 6006, 9009].iter().enumerate() {
        m.video(
            90_000 + t,
            90_000 + t,
            &access_unit(i == 0, (i == 0).then_some(SPS), true, 100),
        );
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = push(&mut mux, &m.out, at(0.0));
    let t = trafs(&out.tracks[0].data);
    let d: Vec<u32> = track(&t, 1).2.iter().map(|s| s.0).collect();
    assert_eq!(d, vec![3003, 3003, 3003, 3003]);
}

#[test]
fn edge_28_audio_contiguous_gaps_filled_overlaps_dropped() {
    let seg = |a0: u64, n: usize| {
        let mut m = Mux::default();
        m.psi(false, true);
        for i in 0..n {
            m.audio(a0 + 1920 * i as u64, &adts(50, false, 3, 2));
        }
        m.out
    };
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let a = push(&mut mux, &seg(90_000, 50), at(0.0)); // ends at 90_000 + 96_000
                                                       // 50 ms late: still contiguous.
    let b = push(&mut mux, &seg(186_000 + 4_500, 50), at(1.0));
    let (ta, tb) = (trafs(&a.tracks[0].data), trafs(&b.tracks[0].data));
    assert_eq!(track(&tb, 2).1, end_of(track(&ta, 2)));
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    // 0.55 s late (0.5 s plus the 50 ms absorbed before): 26400 samples = 25.8 silent frames.
    let c = push(&mut mux, &seg(282_000 + 4_500 + 45_000, 50), at(2.0));
    let tc = trafs(&c.tracks[0].data);
    assert_eq!(track(&tc, 2).1, end_of(track(&tb, 2)));
    assert!(
        has(&c, |w| matches!(
            w,
            RemuxWarning::AudioGapFilled { frames: 26, .. }
        )),
        "{:?}",
        c.warnings
    );
    assert_eq!(track(&tc, 2).2.len(), 76);
    // 0.3 s overlap: the overlapping frames are dropped.
    let end_c = end_of(track(&tc, 2));
    let d0 = (end_c as i64 * 90_000 / 48_000) as u64 + 90_000 - 27_000;
    let d = push(&mut mux, &seg(d0, 50), at(3.0));
    let td = trafs(&d.tracks[0].data);
    assert_eq!(track(&td, 2).1, end_c);
    assert!(
        has(&d, |w| matches!(
            w,
            RemuxWarning::AudioOverlapDropped { frames: 13 | 14 }
        )),
        "{:?}",
        d.warnings
    );
}

#[test]
fn edge_29_audio_timescale_is_sample_rate() {
    for (name, rate, spf) in [
        ("nobf_aac44_mono.ts", 44_100, 1024),
        ("mp3.ts", 44_100, 1152),
        ("main_bf2.ts", 48_000, 1024),
    ] {
        let mut mux = Transmuxer::new(OutputShape::SplitTracks);
        let out = push(&mut mux, &fixture(name), at(0.0));
        let audio = out
            .tracks
            .iter()
            .find(|t| t.kind == hlsplay::remux::TrackKind::Audio)
            .unwrap();
        let mut buf = &audio.init.as_ref().unwrap()[..];
        mp4_atom::Ftyp::decode(&mut buf).unwrap();
        let moov = Moov::decode(&mut buf).unwrap();
        assert_eq!(moov.trak[0].mdia.mdhd.timescale, rate, "{name}");
        let t = trafs(&audio.data);
        assert!(track(&t, 2).2.iter().all(|s| s.0 == spf), "{name}");
    }
}

#[test]
fn edge_30_discontinuity_resets_the_mapping() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    push(
        &mut mux,
        &av_segment(90_000, 30, Some(90_000), 47, SPS),
        at(0.0),
    );
    // New timestamps from an unrelated encoder, placed at the playlist time 1.0 s.
    let out = push(
        &mut mux,
        &av_segment(5_000_000_000, 30, Some(5_000_000_000), 47, SPS),
        SegmentInfo {
            start: 1.0,
            discontinuity: true,
            ..Default::default()
        },
    );
    let t = trafs(&out.tracks[0].data);
    assert_eq!(track(&t, 1).1, 90_000);
    assert_eq!(track(&t, 2).1, 48_000);
    assert!((out.start - 1.0).abs() < 1e-6);
    // Without the flag, such a jump is caught and the segment placed after the previous one.
    let out = push(
        &mut mux,
        &av_segment(900_000_000, 30, Some(900_000_000), 47, SPS),
        at(2.0),
    );
    assert!(has(&out, |w| matches!(
        w,
        RemuxWarning::TimestampJump { .. }
    )));
    assert!((out.start - 2.0).abs() < 0.01, "{}", out.start);
}

#[test]
fn edge_31_rendition_switch_lines_up_with_buffered_media() {
    // Renditions share timestamps: after a switch the new segment continues the timeline, gets
    // a new init, starts at a keyframe, and no silence is invented for the switch.
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let a = push(
        &mut mux,
        &av_segment(90_000, 30, Some(90_000), 47, SPS),
        at(0.0),
    );
    let b = push(
        &mut mux,
        &av_segment(180_000, 30, Some(180_000), 47, SPS_HIGH),
        SegmentInfo {
            start: 1.0,
            rendition_switch: true,
            ..Default::default()
        },
    );
    assert!(b.tracks[0].init.is_some(), "new video init");
    assert!(
        b.tracks[1].init.is_none(),
        "same audio config: no new audio init"
    );
    let (va, vb) = (trafs(&a.tracks[0].data), trafs(&b.tracks[0].data));
    assert_eq!(track(&vb, 1).1, end_of(track(&va, 1)));
    let (aa, ab) = (trafs(&a.tracks[1].data), trafs(&b.tracks[1].data));
    assert!((track(&ab, 2).1 as i64 - end_of(track(&aa, 2)) as i64).abs() <= 1024);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
}

/// Regression: after a sample-rate change the previous segment's end (in the old rate's units)
/// was taken as the expected position of the new frames.
#[test]
fn audio_sample_rate_change_restarts_the_audio_timeline() {
    // (first PTS, sampling index, frame spacing in 90 kHz ticks, frames)
    let seg = |a0: u64, sfi: u8, step: u64, n: usize| {
        let mut m = Mux::default();
        m.psi(false, true);
        for i in 0..n {
            m.audio(a0 + step * i as u64, &adts(50, false, sfi, 2));
        }
        m.out
    };
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let a = push(&mut mux, &seg(90_000, 3, 1920, 47), at(0.0)); // 48 kHz: 0 .. 90240 ticks
    let b = push(&mut mux, &seg(180_240, 6, 3840, 24), at(1.0)); // 24 kHz, right after
    assert!(b.tracks[0].init.is_some(), "new audio config, new init");
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    let tb = trafs(&b.tracks[0].data);
    // 90240 ticks at 24 kHz = 24064 samples.
    assert_eq!(track(&tb, 2).1, 24_064);
    assert!((a.end - b.start).abs() < 0.001, "{} {}", a.end, b.start);
}

/// Edge 21: when the first segment has video but no decodable start (no keyframe with
/// SPS/PPS), nothing is written: an audio-only start would leave no room for video.
#[test]
fn output_waits_for_the_first_video_keyframe() {
    let mut m = Mux::default();
    m.psi(true, true);
    for i in 0..5u64 {
        m.video(
            90_000 + 3000 * i,
            90_000 + 3000 * i,
            &access_unit(false, None, true, 200),
        );
        m.audio(90_000 + 1920 * i, &adts(50, false, 3, 2));
    }
    let mut split = Transmuxer::new(OutputShape::SplitTracks);
    let out = push(&mut split, &m.out, at(0.0));
    assert!(
        out.tracks.is_empty(),
        "split tracks wait too: no audio-only first output"
    );
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = push(&mut mux, &m.out, at(0.0));
    assert!(out.tracks.is_empty());
    assert!(has(&out, |w| matches!(
        w,
        RemuxWarning::WaitingForVideoStart
    )));
    let next = push(
        &mut mux,
        &av_segment(105_000, 30, Some(105_000), 47, SPS),
        SegmentInfo {
            start: 0.0,
            non_contiguous: true,
            ..Default::default()
        },
    );
    let mut buf = &next.tracks[0].init.as_ref().unwrap()[..];
    mp4_atom::Ftyp::decode(&mut buf).unwrap();
    assert_eq!(
        Moov::decode(&mut buf).unwrap().trak.len(),
        2,
        "both tracks in the first init"
    );
}

/// Regression: audio frames before the first PES with a PTS were placed at output time 0.
#[test]
fn untimed_leading_audio_frames_are_dropped() {
    let mut m = Mux::default();
    m.psi(false, true);
    let p = pes(
        0xC0,
        None,
        None,
        &[adts(50, false, 3, 2), adts(50, false, 3, 2)].concat(),
        true,
    );
    m.write(AUDIO_PID, &p, 184);
    for i in 0..3u64 {
        m.audio(900_000 + 1920 * i, &adts(50, false, 3, 2));
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let out = push(&mut mux, &m.out, at(5.0));
    assert!(
        has(&out, |w| matches!(
            w,
            RemuxWarning::UntimedFramesDropped { count: 2 }
        )),
        "{:?}",
        out.warnings
    );
    let t = trafs(&out.tracks[0].data);
    assert_eq!(track(&t, 2).1, 5 * 48_000);
    assert_eq!(track(&t, 2).2.len(), 3);
}
