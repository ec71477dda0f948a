//! Movie fragments: read back from the project's writer, from mp4-atom and from hand-written
//! boxes (every tfhd/trex default path), and the tfdt shift checked by decoding its output with
//! mp4-atom, the version-0 -> version-1 upgrade included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod fmp4_common;

use fmp4_common::*;
use hlsplay::fmp4::boxes::Boxes;
use hlsplay::fmp4::moof::{check_sample_data, read_moof, Moof, Traf};
use hlsplay::fmp4::moov::{read_init, InitSegment};
use hlsplay::fmp4::tfdt::write_shifted_moof;
use hlsplay::fmp4::{write_fragment, Sample, TrackFragment};
use hlsplay::ErrorCategory;
use mp4_atom::{Decode, Encode, Mdat, Mfhd, Tfdt, Tfhd, Trun, TrunEntry};

fn av_init() -> InitSegment {
    read_init(&init(true, Some(aac()))).unwrap()
}

fn moof_of(frag: &[u8], at: u64, init: &InitSegment) -> Moof {
    let b = Boxes::new(frag, at).next().unwrap().unwrap();
    read_moof(&b, init).unwrap()
}

/// The fragment with every tfdt moved by `delta(track)`; the mdat copied after the moof.
fn shift(frag: &[u8], init: &InitSegment, delta: impl Fn(u32) -> i64) -> Result<Vec<u8>, String> {
    let moof_box = Boxes::new(frag, 0).next().unwrap().unwrap();
    let moof = read_moof(&moof_box, init).unwrap();
    let mut out = Vec::new();
    write_shifted_moof(&mut out, moof_box.bytes(), 0, &moof, |t| delta(t.track_id))
        .map_err(|e| e.to_string())?;
    out.extend_from_slice(&frag[moof_box.bytes().len()..]);
    Ok(out)
}

fn decode(bytes: &[u8]) -> (mp4_atom::Moof, Mdat) {
    let mut buf = bytes;
    let moof = mp4_atom::Moof::decode(&mut buf).unwrap();
    let mdat = Mdat::decode(&mut buf).unwrap();
    assert!(buf.is_empty(), "trailing bytes");
    (moof, mdat)
}

/// Every sample's bytes at the data offsets the trun boxes give (default-base-is-moof).
fn sample_data(bytes: &[u8], moof: &mp4_atom::Moof) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for traf in &moof.traf {
        for trun in &traf.trun {
            let mut at = trun.data_offset.unwrap() as usize;
            for e in trun.samples.iter() {
                let n = e.size.unwrap() as usize;
                out.push(bytes[at..at + n].to_vec());
                at += n;
            }
        }
    }
    out
}

fn sums(t: &Traf) -> (u32, u64, u64, u64, i64, Option<bool>) {
    (
        t.track_id,
        t.sample_count,
        t.decode_start(),
        t.decode_end(),
        t.earliest_presentation(),
        t.first_sync,
    )
}

#[test]
fn own_writer_fragment_reads_back_tracks_tfdt_and_durations() {
    let video: Vec<Sample> = (0..4)
        .map(|i| Sample {
            duration: 3000,
            size: 5,
            flags: if i == 0 { SYNC } else { NON_SYNC },
            cto: [6000, 0, 3000, -3000][i],
        })
        .collect();
    let audio = vec![
        Sample {
            duration: 1024,
            size: 3,
            flags: SYNC,
            cto: 0
        };
        5
    ];
    let vdata = [0u8; 20];
    let adata = [0u8; 15];
    let mut frag = Vec::new();
    write_fragment(
        &mut frag,
        7,
        &[
            TrackFragment {
                track_id: VIDEO,
                base_decode_time: 900_000,
                samples: &video,
                data: &[&vdata],
            },
            TrackFragment {
                track_id: AUDIO,
                base_decode_time: 480_000,
                samples: &audio,
                data: &[&adata],
            },
        ],
    );
    let m = moof_of(&frag, 0, &av_init());
    assert_eq!(
        m.trafs.iter().map(sums).collect::<Vec<_>>(),
        vec![
            (VIDEO, 4, 900_000, 912_000, 903_000, Some(true)),
            (AUDIO, 5, 480_000, 485_120, 480_000, Some(true)),
        ]
    );
    // The third sample (decode 906000, composition offset 3000) ends last.
    assert_eq!(m.trafs[0].presentation_end(), 912_000);
}

#[test]
fn mp4_atom_fragment_reads_back_with_tfhd_defaults() {
    let moof = mp4_atom::Moof {
        mfhd: Mfhd { sequence_number: 3 },
        traf: vec![mp4_atom::Traf {
            tfhd: Tfhd {
                track_id: VIDEO,
                default_sample_duration: Some(3003),
                default_sample_flags: Some(NON_SYNC),
                default_base_is_moof: true,
                ..Default::default()
            },
            tfdt: Some(Tfdt {
                base_media_decode_time: 10_000_000_000,
            }),
            trun: vec![Trun {
                data_offset: Some(0),
                samples: (0..3)
                    .map(|i| TrunEntry {
                        size: Some(4),
                        flags: (i == 0).then_some(SYNC),
                        cts: Some(3003),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>()
                    .into(),
            }],
            ..Default::default()
        }],
    };
    let mut frag = Vec::new();
    moof.encode(&mut frag).unwrap();
    let m = moof_of(&frag, 0, &av_init());
    let t = &m.trafs[0];
    assert_eq!(
        sums(t),
        (
            VIDEO,
            3,
            10_000_000_000,
            10_000_009_009,
            10_000_003_003,
            Some(true)
        )
    );
    assert_eq!(t.tfdt.version, 1);
}

#[test]
fn durations_and_flags_fall_back_from_trun_to_tfhd_to_trex() {
    // trex defaults of the init: duration 0, flags 0; tfhd gives 1024 and non-sync.
    let init = av_init();
    let mut t = traf(AUDIO, 100, vec![run(audio_samples(4))]);
    t.runs[0].fields = SIZE;
    t.default_duration = Some(1024);
    t.default_flags = Some(NON_SYNC);
    let m = moof_of(&fragment(1, &[t.clone()], 0), 0, &init);
    assert_eq!(sums(&m.trafs[0]), (AUDIO, 4, 100, 4196, 100, Some(false)));
    // first_sample_flags overrides the default for the first sample only.
    t.runs[0].first_flags = Some(SYNC);
    let m = moof_of(&fragment(1, &[t.clone()], 0), 0, &init);
    assert_eq!(m.trafs[0].first_sync, Some(true));
    // No tfhd default: the trex one (0 from the project's writer) applies.
    t.default_duration = None;
    let m = moof_of(&fragment(1, &[t], 0), 0, &init);
    assert_eq!(m.trafs[0].decode_end(), 100);
}

#[test]
fn several_truns_add_up_and_negative_composition_offsets_move_the_earliest_time() {
    let init = av_init();
    let mut second = run(video_samples(2, 3000, 0));
    second.data_offset = false;
    second.samples[0].flags = NON_SYNC;
    let t = traf(
        VIDEO,
        3000,
        vec![run(video_samples(3, 3000, -1500)), second],
    );
    let m = moof_of(&fragment(1, &[t], 0), 0, &init);
    let t = &m.trafs[0];
    assert_eq!(sums(t), (VIDEO, 5, 3000, 18_000, 1500, Some(true)));
    assert_eq!(t.runs.len(), 2);
    assert!(t.runs[1].data_offset.is_none());
    assert_eq!(
        (t.runs[0].data_size, t.runs[1].data_size),
        (10 + 11 + 12, 10 + 11)
    );
    assert_eq!(t.presentation_end(), 18_000);
}

#[test]
fn a_traf_without_tfdt_is_unsupported() {
    let init = av_init();
    let mut frag = fragment(1, &[traf(VIDEO, 0, vec![run(video_samples(1, 1, 0))])], 0);
    let p = frag.windows(4).position(|w| w == b"tfdt").unwrap();
    frag[p..p + 4].copy_from_slice(b"free");
    let b = Boxes::new(&frag, 0).next().unwrap().unwrap();
    let e = read_moof(&b, &init).unwrap_err();
    assert_eq!(e.category, ErrorCategory::Unsupported);
    assert_eq!(
        e.to_string(),
        "unsupported: traf at byte 24: no tfdt (base media decode time) in the track fragment"
    );
}

#[test]
fn shifted_tfdt_decodes_in_mp4_atom_with_the_sample_table_and_data_intact() {
    let init = av_init();
    let frag = fragment(
        4,
        &[
            traf(VIDEO, 900_000, vec![run(video_samples(3, 3000, 3000))]),
            traf(AUDIO, 480_000, vec![run(audio_samples(4))]),
        ],
        0,
    );
    let out = shift(&frag, &init, |t| if t == VIDEO { 180_000 } else { -96_000 }).unwrap();
    assert_eq!(out.len(), frag.len());
    let (before, _) = decode(&frag);
    let (after, mdat) = decode(&out);
    let tfdt: Vec<u64> = after
        .traf
        .iter()
        .map(|t| t.tfdt.as_ref().unwrap().base_media_decode_time)
        .collect();
    assert_eq!(tfdt, [1_080_000, 384_000]);
    for (a, b) in after.traf.iter().zip(&before.traf) {
        assert_eq!(a.trun, b.trun);
        assert_eq!(a.tfhd, b.tfhd);
    }
    assert_eq!(sample_data(&out, &after), sample_data(&frag, &before));
    assert_eq!(mdat.data, decode(&frag).1.data);
}

#[test]
fn a_version_0_tfdt_that_still_fits_stays_version_0() {
    let init = av_init();
    let mut t = traf(VIDEO, 1000, vec![run(video_samples(2, 3000, 0))]);
    t.tfdt_version = 0;
    let frag = fragment(1, &[t], 0);
    let out = shift(&frag, &init, |_| u32::MAX as i64 - 1000).unwrap();
    assert_eq!(out.len(), frag.len());
    let m = moof_of(&out, 0, &init);
    assert_eq!(m.trafs[0].tfdt.version, 0);
    assert_eq!(m.trafs[0].decode_start(), u64::from(u32::MAX));
}

#[test]
fn a_version_0_tfdt_past_32_bits_becomes_version_1_and_data_offsets_follow() {
    let init = av_init();
    let mut v = traf(VIDEO, 90_000, vec![run(video_samples(3, 3000, 0))]);
    v.tfdt_version = 0;
    let mut a = traf(
        AUDIO,
        48_000,
        vec![run(audio_samples(2)), run(audio_samples(2))],
    );
    a.tfdt_version = 0;
    let frag = fragment(1, &[v, a], 0);
    let delta = 1i64 << 33;
    let out = shift(&frag, &init, |_| delta).unwrap();
    assert_eq!(out.len(), frag.len() + 8);
    let (before, _) = decode(&frag);
    let (after, mdat) = decode(&out);
    let tfdt: Vec<u64> = after
        .traf
        .iter()
        .map(|t| t.tfdt.as_ref().unwrap().base_media_decode_time)
        .collect();
    assert_eq!(tfdt, [90_000 + (1 << 33), 48_000 + (1 << 33)]);
    // Version 1 on the wire: our reader sees it too.
    let m = moof_of(&out, 0, &init);
    assert!(m.trafs.iter().all(|t| t.tfdt.version == 1));
    // Each data offset moved by the 8 inserted bytes, and still points at the same samples.
    for (a, b) in after.traf.iter().zip(&before.traf) {
        for (ra, rb) in a.trun.iter().zip(&b.trun) {
            assert_eq!(ra.data_offset.unwrap(), rb.data_offset.unwrap() + 8);
            assert_eq!(ra.samples, rb.samples);
        }
    }
    assert_eq!(sample_data(&out, &after), sample_data(&frag, &before));
    assert_eq!(mdat.data, decode(&frag).1.data);
}

#[test]
fn an_upgrade_without_default_base_is_moof_moves_only_the_first_trafs_offsets() {
    // No tfhd base flags: the first traf counts from the moof start, the second from the end
    // of the first one's data, which moves with the mdat.
    let init = av_init();
    let mut v = traf(VIDEO, 90_000, vec![run(video_samples(2, 3000, 0))]);
    v.base = 0;
    v.tfdt_version = 0;
    let mut a = traf(AUDIO, 48_000, vec![run(audio_samples(2))]);
    a.base = 0;
    let frag = fragment(1, &[v, a], 0);
    let out = shift(&frag, &init, |t| if t == VIDEO { 1 << 32 } else { 0 }).unwrap();
    assert_eq!(out.len(), frag.len() + 4);
    let (before, _) = decode(&frag);
    let (after, _) = decode(&out);
    let offsets = |m: &mp4_atom::Moof| -> Vec<i32> {
        m.traf
            .iter()
            .map(|t| t.trun[0].data_offset.unwrap())
            .collect()
    };
    let (b, a) = (offsets(&before), offsets(&after));
    assert_eq!(a, vec![b[0] + 4, b[1]]);
    assert_eq!(b[1], 0, "the second traf's data follows the first's");
}

#[test]
fn an_upgrade_is_refused_when_an_explicit_base_offset_or_saio_would_go_stale() {
    let init = av_init();
    let mut t = traf(VIDEO, 0, vec![run(video_samples(2, 3000, 0))]);
    t.tfdt_version = 0;
    t.base = BASE_DATA_OFFSET;
    let frag = fragment(1, &[t.clone()], 0);
    assert_eq!(
        shift(&frag, &init, |_| 1 << 32).unwrap_err(),
        "unsupported: traf at byte 24: a tfdt needs 64 bits, but an explicit tfhd \
         base_data_offset keeps the moof from growing"
    );
    // Without the upgrade the explicit base is fine.
    assert!(shift(&frag, &init, |_| 1000).is_ok());
    t.base = DEFAULT_BASE_IS_MOOF;
    t.saio = true;
    let frag = fragment(1, &[t], 0);
    assert_eq!(
        shift(&frag, &init, |_| 1 << 32).unwrap_err(),
        "unsupported: traf at byte 24: a tfdt needs 64 bits, but a saio box (offsets into \
         the moof) keeps the moof from growing"
    );
}

#[test]
fn a_decode_time_shifted_below_zero_is_an_error_naming_the_tfdt() {
    let init = av_init();
    let frag = fragment(1, &[traf(VIDEO, 100, vec![run(video_samples(1, 1, 0))])], 0);
    let e = shift(&frag, &init, |_| -101).unwrap_err();
    assert_eq!(
        e,
        "malformed: tfdt at byte 48: the shifted decode time leaves the timeline (below 0 or \
         beyond 64 bits)"
    );
}

/// `check_sample_data` on a hand-written fragment (its mdat body is at the moof's end + 8).
fn check(frag: &[u8], init: &InitSegment) -> Result<(), String> {
    let b = Boxes::new(frag, 100).next().unwrap().unwrap();
    let moof = read_moof(&b, init).unwrap();
    let body = b.bytes().len() as u64 + 8..frag.len() as u64;
    check_sample_data(&moof, 100, body).map_err(|e| e.to_string())
}

#[test]
fn sample_data_inside_the_mdat_passes_for_every_base_kind() {
    let init = av_init();
    for base in [0, DEFAULT_BASE_IS_MOOF, BASE_DATA_OFFSET] {
        let mut v = traf(VIDEO, 0, vec![run(video_samples(3, 3000, 0))]);
        let mut a = traf(AUDIO, 0, vec![run(audio_samples(2)), run(audio_samples(2))]);
        a.runs[1].data_offset = false;
        (v.base, a.base) = (base, base);
        assert_eq!(
            check(&fragment(1, &[v, a], 0), &init),
            Ok(()),
            "base {base:#x}"
        );
    }
    // Sizes from the tfhd default when the trun has none.
    let mut t = traf(AUDIO, 0, vec![run(audio_samples(4))]);
    t.runs[0].fields = DURATION;
    t.default_size = Some(6);
    assert_eq!(check(&fragment(1, &[t], 0), &init), Ok(()));
}

#[test]
fn sample_data_outside_the_mdat_is_an_error_naming_the_trun() {
    let init = av_init();
    let mut frag = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(3, 3000, 0))])],
        0,
    );
    // One byte too many: the last sample runs past the mdat.
    let size_at = frag.windows(4).position(|w| w == b"trun").unwrap() + 4 + 4 + 4 + 4 + 4;
    frag[size_at..size_at + 4].copy_from_slice(&11u32.to_be_bytes());
    assert_eq!(
        check(&frag, &init).unwrap_err(),
        "malformed: trun at byte 168: sample data outside the mdat body"
    );
    // And through the passthrough, as the segment's error.
    let mut p = hlsplay::remux::Passthrough::new();
    p.push_init(&fmp4_common::init(true, Some(aac()))).unwrap();
    let e = p
        .push(&frag, &hlsplay::remux::SegmentInfo::default())
        .unwrap_err();
    assert!(e.to_string().contains("outside the mdat body"), "{e}");
}
