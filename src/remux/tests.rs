//! Failures are told apart by variant and [`ErrorCategory`], not by message text.
use super::*;

const SEGMENT: &[u8] = include_bytes!("../../tests/fixtures/ts/main_bf2.ts");
/// ffmpeg's PMT PID.
const PMT_PID: u16 = 0x1000;

fn pid(packet: &[u8]) -> u16 {
    (u16::from(packet[1] & 0x1F) << 8) | u16::from(packet[2])
}

/// The segment's TS packets whose PID passes `keep`.
fn packets(keep: impl Fn(u16) -> bool) -> Vec<u8> {
    SEGMENT
        .chunks(188)
        .filter(|p| keep(pid(p)))
        .flatten()
        .copied()
        .collect()
}

fn push(segment: &[u8]) -> RemuxError {
    Transmuxer::new(OutputShape::Combined)
        .push(segment, &SegmentInfo::default())
        .unwrap_err()
}

#[test]
fn no_sync_is_malformed() {
    let err = push(&[0u8; 4000]);
    assert!(matches!(err, RemuxError::Ts(TsError::NoSync { len: 4000 })));
    assert_eq!(err.category(), ErrorCategory::Malformed);
}

#[test]
fn missing_pat_is_malformed() {
    let err = push(&packets(|pid| pid != 0));
    assert_eq!(err, RemuxError::Ts(TsError::MissingPat));
    assert_eq!(err.category(), ErrorCategory::Malformed);
}

#[test]
fn too_large_is_a_limit_whole_or_chunked() {
    // Zeroed and never read: the size is refused before any byte is looked at.
    let big = vec![0u8; MAX_SEGMENT_BYTES + 1];
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let whole = mux.push(&big, &SegmentInfo::default()).unwrap_err();
    let chunked = mux.push_chunk(&big, &SegmentInfo::default()).unwrap_err();
    for err in [whole, chunked] {
        assert_eq!(
            err,
            RemuxError::TooLarge {
                len: MAX_SEGMENT_BYTES + 1,
                max: MAX_SEGMENT_BYTES
            }
        );
        assert_eq!(err.category(), ErrorCategory::Limit);
    }
}

#[test]
fn no_frames_is_malformed() {
    // The program tables alone: streams listed, no PES.
    let err = push(&packets(|pid| pid == 0 || pid == PMT_PID));
    assert!(matches!(err, RemuxError::NoFrames { .. }), "{err:?}");
    assert_eq!(err.category(), ErrorCategory::Malformed);
}

#[test]
fn every_message_starts_with_its_category() {
    let errors = [
        RemuxError::Ts(TsError::NoSync { len: 1 }),
        RemuxError::Ts(TsError::MissingPat),
        RemuxError::Ts(TsError::MissingPmt { pmt_pid: PMT_PID }),
        RemuxError::Ts(TsError::NoSupportedStream),
        RemuxError::TooLarge { len: 2, max: 1 },
        RemuxError::NoFrames { len: 0 },
        RemuxError::MissingParameterSets,
        RemuxError::SampleAesFmp4,
    ];
    for err in errors {
        let prefix = format!("{}: ", err.category().as_str());
        assert!(err.to_string().starts_with(&prefix), "{err}");
    }
    assert_eq!(
        TsError::NoSupportedStream.category(),
        ErrorCategory::Unsupported
    );
}

#[test]
fn a_sample_aes_fmp4_segment_is_refused_as_unsupported_whole_or_chunked() {
    let info = SegmentInfo {
        sample_aes: Some(crate::crypto::SampleAesKey {
            key: [1; 16],
            iv: [2; 16],
        }),
        ..SegmentInfo::default()
    };
    let moof = [0, 0, 0, 8, b'm', b'o', b'o', b'f'];
    let mut remuxer = Remuxer::new(OutputShape::SplitTracks);
    assert_eq!(
        remuxer.push(&moof, &info).unwrap_err(),
        RemuxError::SampleAesFmp4
    );
    assert_eq!(
        remuxer.push_chunk(&moof, &info).unwrap_err(),
        RemuxError::SampleAesFmp4
    );
    assert_eq!(
        RemuxError::SampleAesFmp4.category(),
        ErrorCategory::Unsupported
    );
}

#[test]
fn an_imposed_offset_places_the_first_segment_instead_of_its_playlist_start() {
    let info = SegmentInfo {
        start: 10.0,
        ..SegmentInfo::default()
    };
    let mut own = Transmuxer::new(OutputShape::SplitTracks);
    let placed = own.push(SEGMENT, &info).unwrap();
    // The earliest timestamp (a DTS) lands on 10 s; the first presentation a frame later.
    assert!((10.0..10.1).contains(&placed.start), "{}", placed.start);
    let offset = own.offset().unwrap();
    // Another stream of the same clock takes that mapping; its own playlist start is ignored.
    let mut other = Transmuxer::new(OutputShape::SplitTracks);
    other.impose_offset(offset);
    let shared = other.push(SEGMENT, &SegmentInfo::default()).unwrap();
    assert!(
        (shared.start - placed.start).abs() < 1e-4,
        "{} vs {}",
        shared.start,
        placed.start
    );
    assert_eq!(other.offset(), own.offset());
}

/// Regression: with alternate audio, the audio rendition can set the shared mapping first; the
/// video's first keyframe then decodes before 0 (its DTS is a B-frame delay earlier than its
/// PTS) while it shows after 0. Judged on its DTS it was dropped, and with it the whole first
/// GOP (the demo's Apple alternate-audio shape then started 3 s in and never played under load).
#[test]
fn a_keyframe_that_decodes_before_an_imposed_start_but_shows_after_it_is_kept() {
    let mut own = Transmuxer::new(OutputShape::SplitTracks);
    let placed = own.push(SEGMENT, &SegmentInfo::default()).unwrap();
    // Every frame kept: the same samples make a fragment of the same length (tfdt is always
    // 64-bit, each sample adds its trun entry and its bytes).
    let video_len = |out: &RemuxOutput| out.tracks.first().map(|t| t.data.len());
    // The first DTS maps to 0, the first PTS later by the reorder delay.
    let delay = placed.start;
    assert!(delay > 0.02, "the fixture has B-frames: {delay}");
    let mut other = Transmuxer::new(OutputShape::SplitTracks);
    other.impose_offset(own.offset().unwrap() - delay / 2.0);
    let shared = other.push(SEGMENT, &SegmentInfo::default()).unwrap();
    assert!(
        (shared.start - delay / 2.0).abs() < 1e-4,
        "starts at {}, not at the imposed {}",
        shared.start,
        delay / 2.0
    );
    assert_eq!(
        video_len(&shared),
        video_len(&placed),
        "{:?}",
        shared.warnings
    );
    assert!(shared.warnings.is_empty(), "{:?}", shared.warnings);
}
