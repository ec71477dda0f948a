//! Progressive remux: a segment pushed in chunks of random sizes (seeded) must give the same
//! samples on the same timeline as the whole-segment push, fragment by fragment concatenated;
//! `abort_segment` must leave the transmuxer as it was before the segment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
mod common;
use common::ts_fixture as fixture;

use common::fmp4_samples::SampleRow;
use common::rng::Rng;
use hlsplay::remux::{OutputShape, RemuxOutput, SegmentInfo, Transmuxer};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Mostly network-sized chunks, sometimes tiny ones (split packets, PES headers, NAL units).
fn chunk(rng: &mut Rng) -> usize {
    match rng.next() % 4 {
        0 => 1 + (rng.next() % 16) as usize,
        1 => 1 + (rng.next() % 400) as usize,
        _ => 1 + (rng.next() % 20_000) as usize,
    }
}

/// The bytes a player appends, in order, per SourceBuffer (index of the track in the output).
#[derive(Default)]
struct Appended {
    buffers: Vec<Vec<u8>>,
    outputs: usize,
    inits: usize,
}

impl Appended {
    fn take(&mut self, out: &RemuxOutput) {
        if out.tracks.is_empty() {
            return;
        }
        self.outputs += 1;
        for (i, t) in out.tracks.iter().enumerate() {
            if self.buffers.len() <= i {
                self.buffers.push(Vec::new());
            }
            if let Some(init) = &t.init {
                self.inits += 1;
                self.buffers[i].extend_from_slice(init);
            }
            self.buffers[i].extend_from_slice(&t.data);
        }
    }
}

fn info(start: f64) -> SegmentInfo {
    SegmentInfo {
        start,
        ..Default::default()
    }
}

fn whole(names: &[&str], shape: OutputShape) -> Appended {
    let mut mux = Transmuxer::new(shape);
    let mut app = Appended::default();
    let mut start = 0.0;
    for n in names {
        let out = mux.push(&fixture(n), &info(start)).unwrap();
        app.take(&out);
        start = out.end;
    }
    app
}

/// Push every segment in random chunks; returns the appended bytes and, per segment, how many
/// bytes had arrived when its first fragment came out.
fn chunked(names: &[&str], shape: OutputShape, seed: u64) -> (Appended, Vec<(usize, usize)>) {
    let mut mux = Transmuxer::new(shape);
    let mut rng = Rng(seed);
    let mut app = Appended::default();
    let mut first_at = Vec::new();
    let mut start = 0.0;
    for n in names {
        let bytes = fixture(n);
        let inf = info(start);
        let mut pos = 0;
        let mut first = None;
        let mut end = f64::NEG_INFINITY;
        while pos < bytes.len() {
            let to = (pos + chunk(&mut rng)).min(bytes.len());
            if let Some(out) = mux.push_chunk(&bytes[pos..to], &inf).unwrap() {
                assert!(!out.tracks.is_empty(), "{n}: a chunk output without tracks");
                assert!(
                    out.tracks.iter().any(|t| !t.data.is_empty()),
                    "{n}: an empty fragment"
                );
                first.get_or_insert(to);
                end = end.max(out.end);
                app.take(&out);
            }
            pos = to;
        }
        let out = mux.finish_segment(&inf).unwrap();
        assert!(out.warnings.is_empty(), "{n}: {:?}", out.warnings);
        if !out.tracks.is_empty() {
            end = end.max(out.end);
        }
        app.take(&out);
        first_at.push((first.unwrap_or(bytes.len()), bytes.len()));
        start = end;
    }
    (app, first_at)
}

/// Every sample, per track in decode order (tracks interleave differently when fragments are
/// smaller).
fn samples(file: &[u8]) -> Vec<SampleRow> {
    let mut rows = common::fmp4_samples::samples(file);
    assert!(
        rows.iter().all(|r| r.4.is_some()),
        "every sample has its flags"
    );
    rows.sort_by_key(|r| (r.0, r.1));
    rows
}

/// The same samples, at the same times, with the same durations, flags and bytes.
fn assert_same(names: &[&str], shape: OutputShape, seed: u64) {
    let want = whole(names, shape);
    let (got, first_at) = chunked(names, shape, seed);
    assert_eq!(got.buffers.len(), want.buffers.len());
    assert_eq!(got.inits, want.inits, "{names:?}: init segments");
    for (g, w) in got.buffers.iter().zip(&want.buffers) {
        let (g, w) = (samples(g), samples(w));
        assert!(!w.is_empty());
        assert_eq!(g.len(), w.len(), "{names:?} seed {seed}: sample count");
        for (i, (a, b)) in g.iter().zip(&w).enumerate() {
            assert!(
                a == b,
                "{names:?} seed {seed}: sample {i} differs: track {} t {} d {} cto {} vs track {} t {} d {} cto {}",
                a.0, a.1, a.2, a.3, b.0, b.1, b.2, b.3
            );
        }
    }
    assert!(
        got.outputs > want.outputs,
        "{names:?}: chunks must give more than one fragment per segment"
    );
    // Segments of several chunks (the largest chunk is 20 000 bytes).
    for (i, (first, len)) in first_at.iter().enumerate().filter(|(_, s)| s.1 > 40_000) {
        assert!(
            first < len,
            "{names:?} segment {i}: first fragment only after all {len} bytes"
        );
    }
}

const SETS: &[&[&str]] = &[
    &["main_bf2.ts"],
    &["high_bf2.ts"],
    &["nobf_aac44_mono.ts"],
    &["mp3.ts"],
    &["audio_only.ts"],
    &["video_only.ts"],
    &["rollover.ts"],
    &["midgop_0.ts", "midgop_1.ts", "midgop_2.ts", "midgop_3.ts"],
    &["run_0.ts", "run_1.ts", "run_2.ts"],
];

#[test]
fn chunked_push_gives_the_whole_segment_samples_combined() {
    for set in SETS {
        for seed in 1..=4u64 {
            assert_same(set, OutputShape::Combined, seed * 7919);
        }
    }
}

#[test]
fn chunked_push_gives_the_whole_segment_samples_split_tracks() {
    for set in SETS {
        assert_same(set, OutputShape::SplitTracks, 12345);
    }
}

#[test]
fn abort_mid_segment_then_retry_gives_the_uninterrupted_timeline() {
    for shape in [OutputShape::Combined, OutputShape::SplitTracks] {
        let names = ["run_0.ts", "run_1.ts", "run_2.ts"];
        let want = whole(&names, shape);
        let mut mux = Transmuxer::new(shape);
        let mut app = Appended::default();
        let mut start = 0.0;
        for (i, n) in names.iter().enumerate() {
            let bytes = fixture(n);
            let inf = info(start);
            if i == 1 {
                // A download that fails after 60 % of the bytes: its fragments were appended
                // (MSE keeps them; the retry's frames replace them), then the retry.
                let mut aborted = Appended::default();
                for c in bytes[..bytes.len() * 6 / 10].chunks(4000) {
                    if let Some(out) = mux.push_chunk(c, &inf).unwrap() {
                        aborted.take(&out);
                    }
                }
                assert!(
                    aborted.outputs > 0,
                    "the partial download emitted fragments"
                );
                mux.abort_segment();
            }
            let mut end = f64::NEG_INFINITY;
            for c in bytes.chunks(5000) {
                if let Some(out) = mux.push_chunk(c, &inf).unwrap() {
                    end = end.max(out.end);
                    app.take(&out);
                }
            }
            let out = mux.finish_segment(&inf).unwrap();
            assert!(out.warnings.is_empty(), "{n}: {:?}", out.warnings);
            end = end.max(out.end);
            app.take(&out);
            start = end;
        }
        for (g, w) in app.buffers.iter().zip(&want.buffers) {
            assert_eq!(samples(g), samples(w), "{shape:?}");
        }
    }
}

#[test]
fn abort_of_the_first_segment_forgets_its_mapping() {
    // The first segment sets the timestamp mapping; aborted, a retry placed elsewhere must map
    // anew (not keep the aborted one's mapping).
    let bytes = fixture("main_bf2.ts");
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let mut emitted = false;
    for c in bytes[..bytes.len() / 2].chunks(3000) {
        emitted |= mux.push_chunk(c, &info(0.0)).unwrap().is_some();
    }
    assert!(emitted);
    mux.abort_segment();
    let out = mux.push(&bytes, &info(100.0)).unwrap();
    assert!(
        (out.start - 100.0).abs() < 0.2,
        "retry starts at {}",
        out.start
    );
}

#[test]
fn an_abandoned_segment_then_a_switch_starts_with_a_keyframe() {
    // Abandon mid-segment, then the same segment from another rendition (here: the same bytes
    // flagged as a switch): output starts at a keyframe, on the uninterrupted timeline.
    let names = ["run_0.ts", "run_1.ts"];
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let first = mux.push(&fixture(names[0]), &info(0.0)).unwrap();
    let bytes = fixture(names[1]);
    let inf = info(first.end);
    for c in bytes[..bytes.len() / 2].chunks(2000) {
        mux.push_chunk(c, &inf).unwrap();
    }
    mux.abort_segment();
    let switch = SegmentInfo {
        rendition_switch: true,
        ..inf
    };
    let mut app = Appended::default();
    for c in bytes.chunks(7000) {
        if let Some(out) = mux.push_chunk(c, &switch).unwrap() {
            app.take(&out);
        }
    }
    app.take(&mux.finish_segment(&switch).unwrap());
    let mut reference = Transmuxer::new(OutputShape::Combined);
    reference.push(&fixture(names[0]), &info(0.0)).unwrap();
    let want = reference.push(&bytes, &switch).unwrap();
    let mut w = Appended::default();
    w.take(&want);
    let (g, w) = (samples(&app.buffers[0]), samples(&w.buffers[0]));
    assert_eq!(g, w);
    assert_eq!(
        g.iter().find(|r| r.0 == 1).unwrap().4,
        Some(hlsplay::fmp4::FLAGS_SYNC),
        "starts with a sync sample"
    );
}

/// ffmpeg's view: the chunked output decodes to the same frames at the same times.
fn framemd5(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "framemd5",
            "-",
        ])
        .output()
        .expect("the chunked remux tests need ffmpeg on PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hlsplay-chunked-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn chunked_output_decodes_like_the_whole_segment_output_in_ffmpeg() {
    for set in SETS {
        let want = whole(set, OutputShape::Combined);
        let (got, _) = chunked(set, OutputShape::Combined, 99);
        let tag = set[0].trim_end_matches(".ts");
        let a = framemd5(&write_temp(&format!("{tag}_whole.mp4"), &want.buffers[0]));
        let b = framemd5(&write_temp(&format!("{tag}_chunked.mp4"), &got.buffers[0]));
        assert!(a.lines().count() > 10);
        assert_eq!(a, b, "{tag}");
    }
}

#[test]
fn a_whole_push_after_an_unfinished_chunked_segment_starts_clean() {
    // `push` forgets a partial segment left without finish/abort (the caller gave up on it).
    let names = ["run_0.ts", "run_1.ts"];
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let first = mux.push(&fixture(names[0]), &info(0.0)).unwrap();
    let bytes = fixture(names[1]);
    for c in bytes[..bytes.len() / 3].chunks(1000) {
        mux.push_chunk(c, &info(first.end)).unwrap();
    }
    let got = mux.push(&bytes, &info(first.end)).unwrap();
    let mut reference = Transmuxer::new(OutputShape::Combined);
    reference.push(&fixture(names[0]), &info(0.0)).unwrap();
    let want = reference.push(&bytes, &info(first.end)).unwrap();
    assert_eq!(samples(&got.tracks[0].data), samples(&want.tracks[0].data));
    assert_eq!((got.start, got.end), (want.start, want.end));
}

#[test]
fn chunks_past_the_size_limit_are_refused() {
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let block = vec![0u8; 64 << 20];
    let mut refused = false;
    for _ in 0..5 {
        if mux.push_chunk(&block, &info(0.0)).is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "a segment over MAX_SEGMENT_BYTES is an error");
    mux.abort_segment();
    // And the transmuxer is usable again.
    assert!(mux.push(&fixture("main_bf2.ts"), &info(0.0)).is_ok());
}

#[test]
fn mutated_segments_pushed_in_chunks_never_panic() {
    // Seeded corruption (flipped bytes, in headers and payload alike), random chunking: every
    // chunk gives a value or an error, the output stays bounded by the input.
    let mut rng = Rng(0xC0FFEE);
    for name in ["main_bf2.ts", "mp3.ts", "rollover.ts", "run_1.ts"] {
        let clean = fixture(name);
        for _ in 0..20 {
            let mut bytes = clean.clone();
            for _ in 0..(1 + rng.next() % 200) {
                let at = (rng.next() as usize) % bytes.len();
                bytes[at] = rng.next() as u8;
            }
            let mut mux = Transmuxer::new(OutputShape::Combined);
            let mut out_len = 0usize;
            let mut pos = 0;
            let mut failed = false;
            while pos < bytes.len() {
                let to = (pos + chunk(&mut rng)).min(bytes.len());
                match mux.push_chunk(&bytes[pos..to], &info(0.0)) {
                    Ok(Some(o)) => out_len += o.tracks.iter().map(|t| t.data.len()).sum::<usize>(),
                    Ok(None) => {}
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
                pos = to;
            }
            if failed {
                mux.abort_segment();
            } else if let Ok(o) = mux.finish_segment(&info(0.0)) {
                out_len += o.tracks.iter().map(|t| t.data.len()).sum::<usize>();
            }
            assert!(
                out_len < bytes.len() * 2 + 65_536,
                "{name}: {out_len} bytes out"
            );
            // Usable afterwards.
            assert!(mux.push(&clean, &info(0.0)).is_ok(), "{name}");
        }
    }
}
