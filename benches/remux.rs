//! Native throughput of the transmuxer over 720p segments (`scripts/bench-segments.sh` makes
//! them). `cargo bench --bench remux`. A benchmark, not a test: it prints MB/s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::time::Instant;

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let status = std::process::Command::new(format!("{root}/scripts/bench-segments.sh")).status();
    assert!(
        status.map(|s| s.success()).unwrap_or(false),
        "scripts/bench-segments.sh failed (needs ffmpeg)"
    );
    let segments: Vec<Vec<u8>> = (0..3)
        .map(|i| std::fs::read(format!("{root}/bench/segments/seg_{i}.ts")).unwrap())
        .collect();
    let total: usize = segments.iter().map(Vec::len).sum();
    for shape in [OutputShape::Combined, OutputShape::SplitTracks] {
        let mut best = f64::INFINITY;
        let mut out_bytes = 0;
        for round in 0..12 {
            let mut mux = Transmuxer::new(shape);
            let t = Instant::now();
            let mut bytes = 0;
            for (i, seg) in segments.iter().enumerate() {
                let out = mux
                    .push(
                        seg,
                        &SegmentInfo {
                            start: i as f64 * 10.0,
                            ..Default::default()
                        },
                    )
                    .unwrap();
                bytes += out.tracks.iter().map(|t| t.data.len()).sum::<usize>();
            }
            let secs = t.elapsed().as_secs_f64();
            if round > 1 {
                best = best.min(secs);
            }
            out_bytes = bytes;
        }
        println!(
            "native {shape:?}: {:.0} MB/s ({} bytes in, {} out, best of 10: {:.2} ms)",
            total as f64 / best / 1e6,
            total,
            out_bytes,
            best * 1e3
        );
    }
}
