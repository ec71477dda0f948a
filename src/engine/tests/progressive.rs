//! Progressive segments: bytes remuxed and appended as they arrive.

use super::*;

fn streamed(cfg: SimConfig) -> SimConfig {
    SimConfig {
        stream_segments: true,
        ..cfg
    }
}

/// Streamed, with segment 2's body going silent after `bytes` once, and no abandon to rescue
/// it: the loader's idle timeout gives it up and it is retried.
fn segment_2_stalls_after(bytes: u64) -> SimConfig {
    let mut cfg = streamed(SimConfig {
        faults: vec![fault(
            0.0,
            f64::INFINITY,
            FaultKind::StallBody(bytes),
            "/2.ts",
            Some(1),
        )],
        ..recorded()
    });
    cfg.engine.abr.abandon = false;
    cfg
}

fn segment_loaded_count(r: &RunResult) -> usize {
    events(r, |e| matches!(e, Event::SegmentLoaded { .. })).count()
}

#[test]
fn progressive_first_segment_starts_playback_earlier() {
    // 1.5 Mbps: a whole 10 s segment takes seconds; its first GOP a fraction of that.
    let trace = Trace::constant("slow", 1.5, 60.0);
    let whole = run(&trace, 60.0, recorded());
    let prog = run(&trace, 60.0, streamed(recorded()));
    assert!(
        whole.ended && prog.ended,
        "{:?} {:?}",
        whole.errors,
        prog.errors
    );
    let (a, b) = (whole.startup_s.unwrap(), prog.startup_s.unwrap());
    assert!(b < a, "progressive start {b} s, whole {a} s");
    println!("startup: whole {a:.2} s, progressive {b:.2} s");
    assert!(prog.remuxer.early_fragments > 0);
    assert_eq!(whole.remuxer.early_fragments, 0);
    // One throughput sample and one SegmentLoaded per segment, as without streaming.
    assert_eq!(segment_loaded_count(&prog), 6);
    assert_eq!(prog.remuxer.aborts, 0);
    assert_eq!(fatal_count(&prog), 0);
}

#[test]
fn progressive_mid_segment_failure_retries_on_one_timeline() {
    // A body that goes silent after 400 KB (fragments of it already appended): the remuxer
    // forgets the partial segment, the retry starts clean and playback goes on to the end.
    let cfg = segment_2_stalls_after(400_000);
    let trace = Trace::constant("steady", 4.0, 60.0);
    let r = run(&trace, 60.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    assert!(
        r.errors.iter().any(|e| e.kind == ErrorKind::Timeout),
        "{:?}",
        r.errors
    );
    assert_eq!(r.remuxer.aborts, 1);
    assert_eq!(segment_loaded_count(&r), 6);
    assert!(
        (r.final_position - 60.0).abs() < 0.5,
        "{}",
        r.final_position
    );
    // The retried segment is pushed as it would have been first time: no new discontinuity.
    assert_eq!(r.remuxer.discontinuities, 0);
    assert_eq!(r.remuxer.non_contiguous, 0);
}

/// A segment given up inside a fragment (the fMP4 passthrough passes `mdat` bodies on as they
/// arrive) leaves the SourceBuffer's parser waiting for the rest of that box: it is reset
/// (`abort()`, queued before the retry's appends), or they would be read as the old box's payload.
#[test]
fn a_segment_given_up_mid_fragment_resets_the_parser_once() {
    let mut cfg = SimConfig {
        mid_fragments: true,
        ..segment_2_stalls_after(1_000_000)
    };
    let trace = Trace::constant("steady", 4.0, 60.0);
    let r = run(&trace, 60.0, cfg.clone());
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    assert_eq!(r.remuxer.aborts, 1);
    // 1 MB of a 10 s segment: early fragments had gone out.
    assert!(r.remuxer.early_fragments > 0);
    assert_eq!(r.parser_resets, [TrackId(0)]);
    assert_eq!(r.mse_violations, Vec::<String>::new());
    // Segments that complete (or a remuxer whose outputs end on fragment boundaries, as the
    // transmuxer's do) never reset it.
    cfg.mid_fragments = false;
    assert_eq!(run(&trace, 60.0, cfg).parser_resets, []);
}

#[test]
fn progressive_abandon_switches_level_cleanly() {
    let r = run(&collapse(), 300.0, streamed(recorded()));
    let abandons = events(&r, |e| {
        matches!(
            e,
            Event::LevelSwitching {
                reason: SwitchReason::Abandon,
                ..
            }
        )
    })
    .count();
    assert!(abandons >= 1, "{:?}", r.segment_levels);
    assert!(r.remuxer.aborts >= 1);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    assert!(r.ended, "{:?}", r.errors);
    // Each segment gave one SegmentLoaded (the abandoned download none).
    assert_eq!(segment_loaded_count(&r), 30);
    assert!(r.remuxer.rendition_switches >= 1);
    assert_eq!(r.remuxer.non_contiguous, 0);
}
