//! The ISO BMFF box reader on edge cases: every malformed input is an error naming the box and
//! its byte offset, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod fmp4_common;

use fmp4_common::*;
use hlsplay::fmp4::boxes::{read_header, Boxes, FourCc};
use hlsplay::fmp4::moof::read_moof;
use hlsplay::fmp4::moov::read_init;
use hlsplay::fmp4::segment::{next_top_level, TopLevel};
use hlsplay::ErrorCategory;

fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

fn all(data: &[u8]) -> Result<Vec<(String, u64, usize)>, String> {
    Boxes::new(data, 0)
        .map(|b| {
            b.map(|b| (b.kind.to_string(), b.offset, b.bytes().len()))
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[test]
fn boxes_are_listed_with_their_offsets_and_sizes() {
    let mut data = boxed(b"styp", b"cmf2");
    data.extend(boxed(b"free", &[0; 20]));
    assert_eq!(
        all(&data).unwrap(),
        vec![("styp".into(), 0, 12), ("free".into(), 12, 28)]
    );
}

#[test]
fn size_1_reads_the_64_bit_largesize() {
    let mut data = 1u32.to_be_bytes().to_vec();
    data.extend_from_slice(b"mdat");
    data.extend_from_slice(&20u64.to_be_bytes());
    data.extend_from_slice(&[7; 4]);
    data.extend(boxed(b"free", &[]));
    let list: Vec<_> = Boxes::new(&data, 0).map(|b| b.unwrap()).collect();
    assert_eq!(list[0].kind, FourCc::new(b"mdat"));
    assert_eq!(list[0].header_len(), 16);
    assert_eq!(list[0].body(), &[7; 4]);
    assert_eq!(
        (list[1].kind.to_string(), list[1].offset),
        ("free".into(), 20)
    );
}

#[test]
fn size_0_runs_to_the_end_of_the_buffer() {
    let mut data = boxed(b"styp", b"cmf2");
    data.extend_from_slice(&[0, 0, 0, 0]);
    data.extend_from_slice(b"mdat");
    data.extend_from_slice(&[1; 100]);
    let list: Vec<_> = Boxes::new(&data, 0).map(|b| b.unwrap()).collect();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].body().len(), 100);
}

#[test]
fn a_box_running_past_the_end_is_named_with_its_offset() {
    let mut data = boxed(b"free", &[]);
    data.extend(boxed(b"moof", &[0; 40]));
    data.truncate(30);
    assert_eq!(
        all(&data).unwrap_err(),
        "malformed: moof at byte 8: its size runs past the end of what holds it"
    );
}

#[test]
fn a_truncated_header_is_an_error_at_its_offset() {
    let mut data = boxed(b"free", &[]);
    data.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        all(&data).unwrap_err(),
        "malformed: at byte 8: too few bytes left for a box header"
    );
}

#[test]
fn a_size_smaller_than_the_header_is_malformed() {
    let mut data = 4u32.to_be_bytes().to_vec();
    data.extend_from_slice(b"free");
    assert_eq!(
        all(&data).unwrap_err(),
        "malformed: free at byte 0: size is smaller than its header"
    );
    let mut large = 1u32.to_be_bytes().to_vec();
    large.extend_from_slice(b"mdat");
    large.extend_from_slice(&15u64.to_be_bytes());
    assert_eq!(
        read_header(&large, 100).unwrap_err().to_string(),
        "malformed: mdat at byte 100: size is smaller than its header"
    );
}

#[test]
fn a_child_overflowing_its_parent_is_named_with_its_offset() {
    // moov (24 bytes) holding a trak that claims 100.
    let mut trak = 100u32.to_be_bytes().to_vec();
    trak.extend_from_slice(b"trak");
    trak.extend_from_slice(&[0; 8]);
    let mut data = boxed(b"ftyp", b"isom");
    data.extend(boxed(b"moov", &trak));
    let e = read_init(&data).unwrap_err();
    assert_eq!(e.category, ErrorCategory::Malformed);
    assert_eq!(
        e.to_string(),
        "malformed: trak at byte 20: its size runs past the end of what holds it"
    );
}

#[test]
fn a_short_full_box_is_named_with_its_offset() {
    // moov > trak > tkhd with only version and flags.
    let tkhd = boxed(b"tkhd", &[0, 0, 0, 3]);
    let data = boxed(b"moov", &boxed(b"trak", &tkhd));
    assert_eq!(
        read_init(&data).unwrap_err().to_string(),
        "malformed: tkhd at byte 16: too short for its fields"
    );
}

#[test]
fn a_missing_child_box_is_named_with_its_parent() {
    let data = boxed(b"moov", &boxed(b"trak", &[]));
    assert_eq!(
        read_init(&data).unwrap_err().to_string(),
        "malformed: trak at byte 8: no tkhd box inside"
    );
}

#[test]
fn a_trun_sample_count_beyond_its_box_is_an_error_not_an_allocation() {
    let init = read_init(&init(true, None)).unwrap();
    let mut frag = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(2, 3000, 0))])],
        0,
    );
    // The trun's sample_count: after moof(8) mfhd(16) traf(8) tfhd(16) tfdt(20) trun header(12).
    let at = 8 + 16 + 8 + 16 + 20 + 12;
    assert_eq!(&frag[at - 8..at - 4], b"trun");
    frag[at..at + 4].copy_from_slice(&9999u32.to_be_bytes());
    let moof = Boxes::new(&frag, 1000).next().unwrap().unwrap();
    assert_eq!(
        read_moof(&moof, &init).unwrap_err().to_string(),
        "malformed: trun at byte 1068: sample count exceeds the box"
    );
}

#[test]
fn a_default_only_trun_with_four_billion_samples_is_summed_not_walked() {
    let init = read_init(&init(true, None)).unwrap();
    let mut t = traf(VIDEO, 0, vec![run(video_samples(1, 3000, 0))]);
    t.default_duration = Some(3000);
    t.runs[0].fields = 0;
    let mut frag = fragment(1, &[t], 0);
    let at = 8 + 16 + 8 + 20 + 20 + 12;
    assert_eq!(&frag[at - 8..at - 4], b"trun");
    frag[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    let moof = Boxes::new(&frag, 0).next().unwrap().unwrap();
    let m = read_moof(&moof, &init).unwrap();
    assert_eq!(m.trafs[0].sample_count, u64::from(u32::MAX));
    assert_eq!(m.trafs[0].duration, u64::from(u32::MAX) * 3000);
}

#[test]
fn a_traf_for_a_track_missing_from_the_init_is_named() {
    let init = read_init(&init(true, None)).unwrap();
    let frag = fragment(1, &[traf(7, 0, vec![run(video_samples(1, 3000, 0))])], 0);
    let moof = Boxes::new(&frag, 0).next().unwrap().unwrap();
    assert_eq!(
        read_moof(&moof, &init).unwrap_err().to_string(),
        "malformed: tfhd at byte 32: track not in the init segment"
    );
}

#[test]
fn a_non_ascii_box_type_is_printed_in_hex() {
    let data = [0, 0, 0, 4, 0xA9, 0, 1, 2];
    assert_eq!(
        read_header(&data, 0).unwrap_err().to_string(),
        "malformed: 0xa9000102 at byte 0: size is smaller than its header"
    );
}

#[test]
fn top_level_scan_waits_for_whole_pairs_and_skips_other_boxes() {
    let mut seg = other_box(b"styp", 8);
    seg.extend(other_box(b"sidx", 24));
    let frag = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(2, 3000, 0))])],
        0,
    );
    seg.extend(&frag);
    // Every prefix: the skipped boxes once complete, the fragment only when all of it is there.
    for cut in 0..=seg.len() {
        let data = &seg[..cut];
        let first = next_top_level(data, 0, false).unwrap();
        if cut < 16 {
            assert_eq!(first, TopLevel::NeedMore, "cut {cut}");
        } else {
            assert_eq!(first, TopLevel::Skip { len: 16 });
        }
    }
    let rest = &seg[48..];
    for cut in 0..rest.len() {
        assert_eq!(
            next_top_level(&rest[..cut], 48, false).unwrap(),
            TopLevel::NeedMore
        );
    }
    let moof_len = frag.len() - (8 + 21);
    assert_eq!(
        next_top_level(rest, 48, false).unwrap(),
        TopLevel::Fragment {
            moof_len,
            mdat_body: moof_len + 8,
            len: frag.len()
        }
    );
    // At the end, a cut box is an error naming it.
    assert_eq!(
        next_top_level(&rest[..rest.len() - 1], 48, true)
            .unwrap_err()
            .to_string(),
        format!(
            "malformed: mdat at byte {}: its size runs past the end of the segment",
            48 + moof_len
        )
    );
}

#[test]
fn an_mdat_without_a_moof_and_a_moof_without_an_mdat_are_errors() {
    let mdat = other_box(b"mdat", 4);
    assert_eq!(
        next_top_level(&mdat, 5, false).unwrap_err().to_string(),
        "malformed: mdat at byte 5: no moof before it"
    );
    let frag = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(1, 3000, 0))])],
        0,
    );
    let moof_only = &frag[..frag.len() - (8 + 10)];
    assert_eq!(
        next_top_level(moof_only, 0, true).unwrap_err().to_string(),
        "malformed: moof at byte 0: no mdat after it"
    );
    let mut two = moof_only.to_vec();
    two.extend_from_slice(moof_only);
    assert_eq!(
        next_top_level(&two, 0, false).unwrap_err().to_string(),
        "malformed: moof at byte 0: no mdat before the next moof"
    );
}

#[test]
fn a_size_0_mdat_is_complete_only_at_the_end_of_the_segment() {
    let mut frag = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(1, 3000, 0))])],
        0,
    );
    let mdat_at = frag.len() - 18;
    frag[mdat_at..mdat_at + 4].copy_from_slice(&[0; 4]);
    assert_eq!(next_top_level(&frag, 0, false).unwrap(), TopLevel::NeedMore);
    assert_eq!(
        next_top_level(&frag, 0, true).unwrap(),
        TopLevel::Fragment {
            moof_len: mdat_at,
            mdat_body: mdat_at + 8,
            len: frag.len()
        }
    );
}

#[test]
fn random_bytes_never_panic_the_readers() {
    let init_bytes = init(true, Some(aac()));
    let init = read_init(&init_bytes).unwrap();
    let frag = fragment(
        1,
        &[traf(VIDEO, 0, vec![run(video_samples(3, 3000, 0))])],
        0,
    );
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        for source in [&init_bytes, &frag] {
            let mut data = source.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % data.len();
                data[at] = next() as u8;
            }
            data.truncate(data.len() - (next() as usize % 8));
            let _ = read_init(&data);
            let _ = next_top_level(&data, 0, true);
            if let Some(Ok(b)) = Boxes::new(&data, 0).next() {
                let _ = read_moof(&b, &init);
            }
        }
    }
}
