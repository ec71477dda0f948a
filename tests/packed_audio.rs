//! Packed audio segments (RFC 8216 §3.4): ID3 tag with the transport stream timestamp, then raw
//! ADTS AAC or MPEG audio. Real segments come from ffmpeg at test time (its ADTS and MP3 muxers
//! write the ID3 tag and PRIV frame themselves; for the others the tag is written here); without
//! ffmpeg those tests print a skip message. Synthetic frames (`common::adts`) cover timeline
//! rules, tags between frames, chunking and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
mod common;

use common::rng::Rng;

use hlsplay::id3::{self, Id3Error, TRANSPORT_STREAM_TIMESTAMP_OWNER};
use hlsplay::remux::{
    OutputShape, PackedError, PackedWarning, RemuxError, RemuxOutput, RemuxWarning, SegmentInfo,
    TrackKind, Transmuxer,
};
use hlsplay::ErrorCategory;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// ---------------------------------------------------------------- helpers

fn syncsafe(n: usize) -> [u8; 4] {
    [
        (n >> 21) as u8 & 0x7F,
        (n >> 14) as u8 & 0x7F,
        (n >> 7) as u8 & 0x7F,
        n as u8 & 0x7F,
    ]
}

/// An ID3v2.4 tag with these frames (id, content).
fn id3_tag(frames: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (id, data) in frames {
        body.extend_from_slice(*id);
        body.extend(syncsafe(data.len()));
        body.extend([0, 0]);
        body.extend_from_slice(data);
    }
    body.extend([0; 8]); // padding, as muxers leave
    let mut tag = b"ID3\x04\x00\x00".to_vec();
    tag.extend(syncsafe(body.len()));
    tag.extend(body);
    tag
}

/// The tag a packager writes at the start of a packed audio segment.
fn timestamp_tag(ts: u64) -> Vec<u8> {
    let mut priv_data = TRANSPORT_STREAM_TIMESTAMP_OWNER.to_vec();
    priv_data.push(0);
    priv_data.extend(ts.to_be_bytes());
    id3_tag(&[(b"PRIV", priv_data)])
}

/// A timed metadata tag (no timestamp).
fn text_tag(text: &str) -> Vec<u8> {
    let mut data = vec![3u8];
    data.extend(text.as_bytes());
    id3_tag(&[(b"TIT2", data)])
}

fn info(start: f64) -> SegmentInfo {
    SegmentInfo {
        start,
        ..Default::default()
    }
}

/// `n` synthetic AAC-LC 48 kHz stereo ADTS frames (1920 ticks each), payload sizes varying.
fn synthetic_adts(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| common::adts(60 + i % 7, false, 3, 2))
        .collect()
}

/// The ADTS frames of a stream (13-bit frame length in the header).
fn adts_frames(stream: &[u8]) -> Vec<&[u8]> {
    let mut frames = Vec::new();
    let mut rest = stream;
    while rest.len() >= 7 {
        assert_eq!(rest[0], 0xFF);
        let len = (usize::from(rest[3] & 3) << 11)
            | (usize::from(rest[4]) << 3)
            | usize::from(rest[5] >> 5);
        frames.push(&rest[..len]);
        rest = &rest[len..];
    }
    assert!(rest.is_empty());
    frames
}

/// One sample of our output: decode time, duration, bytes.
type Row = (u64, u32, Vec<u8>);

/// Every sample of a one-track fragmented MP4 stream.
fn samples(file: &[u8]) -> Vec<Row> {
    let rows = common::fmp4_samples::samples(file);
    rows.into_iter()
        .map(|(_, t, d, _, _, bytes)| (t, d, bytes))
        .collect()
}

/// What a SourceBuffer gets from these outputs (one track each): init segments and fragments.
fn appended(outputs: &[RemuxOutput]) -> Vec<u8> {
    let mut file = Vec::new();
    for out in outputs {
        assert!(out.tracks.len() <= 1, "{:?}", out.tracks);
        for t in &out.tracks {
            assert_eq!(t.kind, TrackKind::Audio);
            file.extend(t.init.iter().flatten());
            file.extend_from_slice(&t.data);
        }
    }
    file
}

/// Push each segment whole; the outputs.
fn push_all(segments: &[(&[u8], SegmentInfo)]) -> Vec<RemuxOutput> {
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    segments
        .iter()
        .map(|(bytes, info)| mux.push(bytes, info).unwrap())
        .collect()
}

/// Push each segment in chunks of the given sizes (cycled); every output.
fn push_chunked(segments: &[(&[u8], SegmentInfo)], sizes: &[usize]) -> Vec<RemuxOutput> {
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let mut outputs = Vec::new();
    let mut size = sizes.iter().cycle();
    for (bytes, info) in segments {
        let mut rest = *bytes;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at((*size.next().unwrap()).min(rest.len()));
            outputs.extend(mux.push_chunk(chunk, info).unwrap());
            rest = tail;
        }
        outputs.push(mux.finish_segment(info).unwrap());
    }
    outputs
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hlsplay-packed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn have_ffmpeg() -> bool {
    let ok = Command::new("ffmpeg").arg("-version").output().is_ok()
        && Command::new("ffprobe").arg("-version").output().is_ok();
    if !ok {
        eprintln!("skipped: ffmpeg/ffprobe not on PATH (Debian: apt-get install ffmpeg)");
    }
    ok
}

/// ffmpeg writes `name` from a 440 Hz sine of `seconds` at `rate` Hz with these output options.
fn encode(name: &str, seconds: u32, rate: u32, options: &[&str]) -> (PathBuf, Vec<u8>) {
    let path = temp(name);
    let source = format!("sine=frequency=440:sample_rate={rate}:duration={seconds}");
    let mut args = vec!["-v", "error", "-y", "-f", "lavfi", "-i", &source];
    args.extend_from_slice(options);
    args.push(path.to_str().unwrap());
    let out = run("ffmpeg", &args);
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

/// ffprobe's count of the audio frames in a file.
fn frame_count(path: &Path) -> usize {
    let out = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// ffmpeg decodes the file with no error; the decoded samples (mono, at the decoder's rate).
fn decode(path: &Path) -> usize {
    let out = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-",
        ],
    );
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "ffmpeg decode of {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.len() / 2
}

/// Remux one packed segment made by ffmpeg and check it against ffprobe and the decoder.
fn check_real_segment(name: &str, bytes: &[u8], source: &Path, codecs: &str) {
    let out = push_all(&[(bytes, info(0.0))]).remove(0);
    assert!(out.warnings.is_empty(), "{name}: {:?}", out.warnings);
    let t = &out.tracks[0];
    assert_eq!(t.codecs, codecs);
    assert_eq!(t.mime, format!("audio/mp4; codecs=\"{codecs}\""));
    // The first segment's PRIV timestamp maps to its playlist start.
    assert_eq!(out.start, 0.0);
    let file = appended(std::slice::from_ref(&out));
    assert_eq!(samples(&file).len(), frame_count(source), "{name}: frames");
    let ours = temp(&format!("{name}.mp4"));
    std::fs::write(&ours, &file).unwrap();
    assert_eq!(decode(&ours), decode(source), "{name}: decoded samples");
}

// ---------------------------------------------------------------- real encoders

const PRIV_10S: &str = "id3v2_priv.com.apple.streaming.transportStreamTimestamp=\\x00\\x00\\x00\\x00\\x00\\x0d\\xbb\\xa0";

#[test]
fn ffmpeg_adts_with_its_own_id3v24_priv_tag() {
    if !have_ffmpeg() {
        return;
    }
    let opts = [
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-f",
        "adts",
        "-write_id3v2",
        "1",
    ];
    let (path, bytes) = encode(
        "priv.aac",
        4,
        48_000,
        &[&opts[..], &["-metadata", PRIV_10S]].concat(),
    );
    // ffmpeg wrote the tag we parse: v2.4, PRIV with 10 s (900 000 ticks).
    let (tags, _) = id3::leading_tags(&bytes).unwrap();
    assert_eq!(tags[0].header.major, 4);
    assert_eq!(tags[0].transport_stream_timestamp().unwrap(), Some(900_000));
    check_real_segment("priv_aac", &bytes, &path, "mp4a.40.2");
}

#[test]
fn ffmpeg_mp3_with_its_own_id3v23_priv_tag() {
    if !have_ffmpeg() {
        return;
    }
    let opts = [
        "-c:a",
        "libmp3lame",
        "-b:a",
        "96k",
        "-f",
        "mp3",
        "-id3v2_version",
        "3",
        "-write_xing",
        "0",
        "-metadata",
        PRIV_10S,
    ];
    let (path, bytes) = encode("priv.mp3", 4, 44_100, &opts);
    let (tags, _) = id3::leading_tags(&bytes).unwrap();
    assert_eq!(tags[0].header.major, 3);
    assert_eq!(tags[0].transport_stream_timestamp().unwrap(), Some(900_000));
    check_real_segment("priv_mp3", &bytes, &path, "mp4a.6B");
}

#[test]
fn ffmpeg_mp2_layer_ii_with_a_tag_written_here() {
    if !have_ffmpeg() {
        return;
    }
    let (path, raw) = encode("raw.mp2", 3, 48_000, &["-c:a", "mp2", "-f", "mp2"]);
    let bytes = [timestamp_tag(123_456), raw].concat();
    check_real_segment("mp2", &bytes, &path, "mp4a.6B");
}

/// Real HE-AACv2 (SBR + PS, signalled in ADTS as LC at the core rate), taken out of a peer
/// project's TS segment with ffmpeg and packed here.
#[test]
fn he_aac_v2_from_a_real_stream() {
    let ts =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer-data/ts/shaka-id3-heaac.ts");
    if !ts.exists() {
        eprintln!("skipped: {} not present", ts.display());
        return;
    }
    if !have_ffmpeg() {
        return;
    }
    let path = temp("heaac.aac");
    let out = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-i",
            ts.to_str().unwrap(),
            "-map",
            "0:a",
            "-c",
            "copy",
            "-f",
            "adts",
            path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let bytes = [timestamp_tag(8_101_710_000), std::fs::read(&path).unwrap()].concat();
    check_real_segment("heaac", &bytes, &path, "mp4a.40.2");
}

/// An 8 s encode cut at a frame boundary into two packed segments whose timestamps a packager
/// computes from the sample count (44.1 kHz: not a whole number of 90 kHz ticks per frame),
/// starting 3 s before the 33-bit wrap: the second continues the first exactly; whole and
/// chunked pushes give the same samples; ffmpeg decodes the two fragments.
#[test]
fn two_segments_of_a_real_encode_are_contiguous_across_the_wrap() {
    if !have_ffmpeg() {
        return;
    }
    let (path, raw) = encode(
        "whole.aac",
        8,
        44_100,
        &["-c:a", "aac", "-b:a", "64k", "-f", "adts"],
    );
    let frames = adts_frames(&raw);
    assert_eq!(frames.len(), frame_count(&path));
    let cut = frames.len() / 2;
    let ts0 = (1u64 << 33) - 3 * 90_000;
    let ts1 = (ts0 + cut as u64 * 1024 * 90_000 / 44_100) & ((1 << 33) - 1);
    let first = [timestamp_tag(ts0), frames[..cut].concat()].concat();
    let second = [timestamp_tag(ts1), frames[cut..].concat()].concat();

    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let a = mux.push(&first, &info(100.0)).unwrap();
    let b = mux.push(&second, &info(a.end)).unwrap();
    assert_eq!(a.start, 100.0);
    assert!((b.start - a.end).abs() < 1e-9, "{} then {}", a.end, b.start);
    // The second start is its own PRIV timestamp through the first one's mapping.
    let mapped = 100.0 + (ts1 + (1 << 33) - ts0) as f64 / 90_000.0;
    assert!(
        (b.start - mapped).abs() <= 1.0 / 90_000.0,
        "{} vs {mapped}",
        b.start
    );
    assert!(
        a.warnings.is_empty() && b.warnings.is_empty(),
        "{:?} {:?}",
        a.warnings,
        b.warnings
    );
    assert!(b.tracks[0].init.is_none());

    let a_end = a.end;
    let file = appended(&[a, b]);
    let rows = samples(&file);
    assert_eq!(rows.len(), frames.len());
    for w in rows.windows(2) {
        assert_eq!(w[0].0 + u64::from(w[0].1), w[1].0, "a hole or overlap");
    }
    // Sample bytes are the frames without their 7-byte ADTS headers.
    for (row, frame) in rows.iter().zip(&frames) {
        assert_eq!(row.2, frame[7..]);
    }
    let ours = temp("two.mp4");
    std::fs::write(&ours, &file).unwrap();
    assert_eq!(decode(&ours), decode(&path));

    let segments = [(&first[..], info(100.0)), (&second[..], info(a_end))];
    for sizes in [&[1usize][..], &[3, 1, 700], &[5000]] {
        let chunked = push_chunked(&segments, sizes);
        assert!(chunked.iter().all(|o| o.warnings.is_empty()));
        // Frames go out as they arrive, not only at the segment end.
        assert!(chunked.iter().filter(|o| !o.tracks.is_empty()).count() > 4);
        assert_eq!(samples(&appended(&chunked)), rows, "chunks of {sizes:?}");
    }
}

// ---------------------------------------------------------------- timeline rules (synthetic)

#[test]
fn a_gap_between_segments_is_filled_as_for_ts() {
    let ts0 = 1_000_000;
    let first = [timestamp_tag(ts0), synthetic_adts(50)].concat();
    // 50 frames later plus 0.5 s.
    let second = [timestamp_tag(ts0 + 50 * 1920 + 45_000), synthetic_adts(50)].concat();
    let out = push_all(&[(&first, info(0.0)), (&second, info(2.0))]);
    assert!(
        (out[1].start - out[0].end).abs() < 1e-9,
        "the fill starts where the first ended"
    );
    assert!(
        matches!(
            out[1].warnings[..],
            [RemuxWarning::AudioGapFilled { frames: 23, .. }]
        ),
        "{:?}",
        out[1].warnings
    );
    assert_eq!(samples(&appended(&out)).len(), 100 + 23);
}

#[test]
fn a_discontinuity_maps_the_timestamp_to_the_playlist_start() {
    let first = [timestamp_tag(5_000_000), synthetic_adts(10)].concat();
    let second = [timestamp_tag(77), synthetic_adts(10)].concat();
    let disc = SegmentInfo {
        start: 30.0,
        discontinuity: true,
        ..Default::default()
    };
    let out = push_all(&[(&first, info(4.0)), (&second, disc)]);
    assert_eq!(out[0].start, 4.0);
    assert_eq!(out[1].start, 30.0);
}

#[test]
fn a_segment_without_timestamp_continues_or_starts_at_the_playlist_time() {
    // No tag at all (the ADTS sync word announces packed audio), then a tag without PRIV.
    let bare = synthetic_adts(25);
    let untimed = [text_tag("song"), synthetic_adts(25)].concat();
    let seek = SegmentInfo {
        start: 60.0,
        non_contiguous: true,
        ..Default::default()
    };
    let out = push_all(&[(&bare, info(5.0)), (&untimed, info(5.5)), (&untimed, seek)]);
    assert_eq!(out[0].start, 5.0);
    assert!((out[1].start - out[0].end).abs() < 1e-9);
    assert_eq!(out[2].start, 60.0);
    let expected = [5000, (out[0].end * 1000.0) as i64, 60_000];
    for (o, ms) in out.iter().zip(expected) {
        assert_eq!(
            o.warnings,
            [RemuxWarning::Packed(PackedWarning::NoTimestamp { ms })]
        );
    }
}

#[test]
fn tags_between_frames_are_skipped_and_a_timestamp_among_them_retimes() {
    let frames = synthetic_adts(30);
    let cut = adts_frames(&frames)[..10]
        .iter()
        .map(|f| f.len())
        .sum::<usize>();
    // Timed metadata between frames 10 and 11, and a corrupt tag (skipped, reported).
    let mut corrupt = text_tag("x");
    corrupt[10] = b'!';
    let segment = [
        timestamp_tag(90_000),
        frames[..cut].to_vec(),
        text_tag("chapter 2"),
        corrupt.clone(),
        frames[cut..].to_vec(),
    ]
    .concat();
    let whole = push_all(&[(&segment, info(0.0))]);
    let rows = samples(&appended(&whole));
    assert_eq!(rows.len(), 30);
    for (row, frame) in rows.iter().zip(adts_frames(&frames)) {
        assert_eq!(row.2, frame[7..]);
    }
    let first_tag_end = timestamp_tag(90_000).len() + cut + text_tag("chapter 2").len();
    assert_eq!(
        whole[0].warnings,
        [RemuxWarning::Packed(PackedWarning::TagsSkipped {
            count: 1,
            first: Id3Error::Malformed {
                what: "frame id (not A-Z 0-9)",
                offset: (first_tag_end + 10) as u64
            }
        })]
    );
    for sizes in [&[1usize][..], &[2, 9, 13]] {
        assert_eq!(
            samples(&appended(&push_chunked(&[(&segment, info(0.0))], sizes))),
            rows
        );
    }

    // A tag with a timestamp 10 frames later: the frames after it move there, the hole filled.
    let retimed = [
        timestamp_tag(90_000),
        frames[..cut].to_vec(),
        timestamp_tag(90_000 + 20 * 1920),
        frames[cut..].to_vec(),
    ]
    .concat();
    let out = push_all(&[(&retimed, info(0.0))]);
    assert!(
        matches!(
            out[0].warnings[..],
            [RemuxWarning::AudioGapFilled { frames: 10, .. }]
        ),
        "{:?}",
        out[0].warnings
    );
    assert_eq!(samples(&appended(&out)).len(), 40);
}

#[test]
fn several_leading_tags_the_first_timestamp_counts() {
    let first = [timestamp_tag(90_000), synthetic_adts(50)].concat();
    // Right after the first segment; the later timestamp (999) would overlap it by a second.
    let second = [
        text_tag("a"),
        timestamp_tag(90_000 + 50 * 1920),
        timestamp_tag(999),
        synthetic_adts(5),
    ]
    .concat();
    let out = push_all(&[(&first, info(0.0)), (&second, info(2.0))]);
    assert!(
        (out[1].start - out[0].end).abs() < 1e-9,
        "{} then {}",
        out[0].end,
        out[1].start
    );
    assert!(out[1].warnings.is_empty(), "{:?}", out[1].warnings);
}

#[test]
fn ts_then_packed_then_ts_in_one_stream() {
    let ts = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ts/audio_only.ts"),
    )
    .unwrap();
    let packed = [timestamp_tag(0), synthetic_adts(20)].concat();
    let disc = |start| SegmentInfo {
        start,
        discontinuity: true,
        ..Default::default()
    };
    let out = push_all(&[(&ts, disc(0.0)), (&packed, disc(10.0)), (&ts, disc(20.0))]);
    for (o, start) in out.iter().zip([0.0, 10.0, 20.0]) {
        assert_eq!(o.tracks.len(), 1);
        assert_eq!(o.tracks[0].codecs, "mp4a.40.2");
        assert_eq!(o.start, start);
    }
}

// ---------------------------------------------------------------- refusals

fn refusal(segment: &[u8]) -> RemuxError {
    let whole = Transmuxer::new(OutputShape::SplitTracks)
        .push(segment, &info(0.0))
        .unwrap_err();
    // Chunked: the same error, at whichever chunk or at the end.
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let mut chunked = None;
    for c in segment.chunks(3) {
        if let Err(e) = mux.push_chunk(c, &info(0.0)) {
            chunked = Some(e);
            break;
        }
    }
    let chunked = chunked.unwrap_or_else(|| mux.finish_segment(&info(0.0)).unwrap_err());
    assert_eq!(whole, chunked);
    let prefix = format!("{}: ", whole.category().as_str());
    assert!(whole.to_string().starts_with(&prefix), "{whole}");
    whole
}

#[test]
fn ac3_is_refused_as_unsupported() {
    let tag = timestamp_tag(0);
    let err = refusal(&[&tag[..], &[0x0B, 0x77, 0x12, 0x34, 0x00, 0x00]].concat());
    assert_eq!(
        err,
        RemuxError::Packed(PackedError::Ac3 {
            offset: tag.len() as u64
        })
    );
    assert_eq!(err.category(), ErrorCategory::Unsupported);
    assert!(
        err.to_string().contains(&format!("byte {}", tag.len())),
        "{err}"
    );
}

#[test]
fn bad_packed_segments_name_what_and_where() {
    let tag = timestamp_tag(0);
    let n = tag.len() as u64;
    let cases: Vec<(Vec<u8>, RemuxError)> = vec![
        (
            [&tag[..], b"\x12\x34\x56\x78junk"].concat(),
            PackedError::NotAudio {
                offset: n,
                found: [0x12, 0x34, 0x56, 0x78],
            }
            .into(),
        ),
        (tag.clone(), PackedError::NoAudio { offset: n }.into()),
        (
            tag[..tag.len() - 5].to_vec(),
            PackedError::Id3(Id3Error::Truncated {
                what: "tag",
                offset: 0,
                needed: tag.len(),
                available: tag.len() - 5,
            })
            .into(),
        ),
        (
            [&tag[..], &tag[..15]].concat(),
            PackedError::Id3(Id3Error::Truncated {
                what: "tag",
                offset: n,
                needed: tag.len(),
                available: 15,
            })
            .into(),
        ),
        (
            [&tag[..], &tag[..6]].concat(),
            PackedError::Id3(Id3Error::Truncated {
                what: "tag header",
                offset: n,
                needed: 10,
                available: 6,
            })
            .into(),
        ),
        (
            b"ID3\x04\x00\x00\x00\x00\x80\x00\xFF\xF1".to_vec(),
            PackedError::Id3(Id3Error::Malformed {
                what: "tag size (not syncsafe)",
                offset: 8,
            })
            .into(),
        ),
        // Sync words but no frame that holds together.
        (
            [&tag[..], &[0xFF, 0xF1, 0, 0, 0, 0, 0, 0]].concat(),
            RemuxError::NoFrames { len: tag.len() + 8 },
        ),
    ];
    for (segment, want) in cases {
        let got = refusal(&segment);
        assert_eq!(got, want, "{got}");
        assert_eq!(got.category(), ErrorCategory::Malformed);
    }
}

#[test]
fn a_refused_segment_leaves_the_timeline_as_it_was() {
    let good = [timestamp_tag(90_000), synthetic_adts(50)].concat();
    let next = [timestamp_tag(90_000 + 50 * 1920), synthetic_adts(50)].concat();
    let mut mux = Transmuxer::new(OutputShape::SplitTracks);
    let a = mux.push(&good, &info(0.0)).unwrap();
    let ac3 = [timestamp_tag(1), vec![0x0B, 0x77, 0, 0]].concat();
    assert!(mux.push(&ac3, &info(a.end)).is_err());
    assert!(mux.push_chunk(&ac3, &info(a.end)).is_err());
    mux.abort_segment();
    let b = mux.push(&next, &info(a.end)).unwrap();
    assert!((b.start - a.end).abs() < 1e-9);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
}

// ---------------------------------------------------------------- chunking property

/// Damaged packed segments (bytes flipped, cut, tag bytes spliced in) give the same samples, or
/// the same error, pushed whole or in random chunks.
#[test]
fn damaged_segments_give_the_same_result_whole_or_chunked() {
    let frames = synthetic_adts(40);
    let cut = adts_frames(&frames)[..15]
        .iter()
        .map(|f| f.len())
        .sum::<usize>();
    let clean = [
        timestamp_tag(3_000),
        frames[..cut].to_vec(),
        text_tag("meta"),
        timestamp_tag(3_000 + 16 * 1920),
        frames[cut..].to_vec(),
    ]
    .concat();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let mut seg = clean.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(seg.len());
            match rng.below(4) {
                0 => seg[at] ^= 1 << rng.below(8),
                1 => seg.truncate(at.max(1)),
                2 => {
                    let tag = text_tag("x");
                    let n = 1 + rng.below(tag.len());
                    seg.splice(at..at, tag[..n].iter().copied());
                }
                _ => seg[at] = [b'I', 0xFF, 0x0B, 0x00][rng.below(4)],
            }
        }
        let whole = Transmuxer::new(OutputShape::SplitTracks).push(&seg, &info(0.0));
        let sizes: Vec<usize> = (0..8).map(|_| 1 + rng.below(40)).collect();
        let mut mux = Transmuxer::new(OutputShape::SplitTracks);
        let mut outputs = Vec::new();
        let mut error = None;
        let mut rest = &seg[..];
        let mut size = sizes.iter().cycle();
        while !rest.is_empty() && error.is_none() {
            let (chunk, tail) = rest.split_at((*size.next().unwrap()).min(rest.len()));
            match mux.push_chunk(chunk, &info(0.0)) {
                Ok(out) => outputs.extend(out),
                Err(e) => error = Some(e),
            }
            rest = tail;
        }
        let chunked = match error {
            Some(e) => Err(e),
            None => mux.finish_segment(&info(0.0)).map(|o| {
                outputs.push(o);
                outputs
            }),
        };
        match (whole, chunked) {
            (Ok(w), Ok(c)) => assert_eq!(
                samples(&appended(&c)),
                samples(&appended(&[w])),
                "round {round}"
            ),
            (Err(w), Err(c)) => assert_eq!(w, c, "round {round}"),
            (w, c) => panic!("round {round}: whole {w:?}, chunked {c:?}"),
        }
    }
}
