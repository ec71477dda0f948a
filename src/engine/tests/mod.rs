#![cfg(not(target_arch = "wasm32"))] // the simulator is native only
//! Engine behaviour, deterministic. Most tests drive the engine through the simulator (virtual
//! clock, modelled network, MediaSource and playback); the rest drive it by hand through
//! [`harness::Harness`], which shows every output.
//!
//! One file per engine concern: `scheduler` (load, schedule, append, end of stream),
//! `level_choice` (ABR, manual levels, cap, abandon, switches), `failure` (retries, timeouts,
//! 404s), `credentials` (refresh on refusal, expiry), `buffer` (eviction, quota), `playhead`
//! (seeks, gaps, stalls), `live`, `progressive`, `robustness` (random inputs, determinism).

use super::*;
use crate::abr::AbrKind;
use crate::sim::{
    self, AuthModel, Fault, FaultKind, Ladder, LiveModel, RunResult, SimConfig, SimRemuxer, Trace,
};

use harness::Harness;

mod audio_tracks;
mod buffer;
mod credentials;
mod decisions;
mod errors;
mod failure;
mod frag_changed;
mod harness;
mod init_segments;
mod keys;
mod level_choice;
mod level_switch;
mod live;
mod playhead;
mod progressive;
mod robustness;
mod scheduler;
mod stop_load;
mod streams;
mod subtitles;
mod variables;

fn ladder(secs: f64) -> Ladder {
    Ladder::mediaconvert(secs, 7)
}

fn fast() -> Trace {
    Trace::constant("fast", 20.0, 10_000.0)
}

fn recorded() -> SimConfig {
    SimConfig {
        record: true,
        ..SimConfig::default()
    }
}

/// A simulated run over `secs` of [`ladder`] content; checked to break no MediaSource rule.
fn run(trace: &Trace, secs: f64, cfg: SimConfig) -> RunResult {
    checked(sim::run(trace, &ladder(secs), &cfg))
}

/// The run, after checking that it broke no MediaSource rule (SourceBuffers only once open,
/// one operation at a time per SourceBuffer, the duration only while none is updating).
fn checked(r: RunResult) -> RunResult {
    assert_eq!(r.mse_violations, Vec::<String>::new());
    r
}

/// A fetch the simulator recorded (`RunResult::fetches`, named).
#[derive(Debug, Clone, PartialEq)]
struct Fetched {
    at: f64,
    kind: RequestKind,
    url: String,
}

impl Fetched {
    fn is_segment(&self) -> bool {
        self.kind.is_segment()
    }

    /// The level of a segment fetch.
    fn level(&self) -> Option<usize> {
        match self.kind {
            RequestKind::Segment { level, .. } => Some(level),
            _ => None,
        }
    }

    /// The index (media sequence number) of a segment fetch.
    fn index(&self) -> Option<u64> {
        match self.kind {
            RequestKind::Segment { sequence, .. } => Some(sequence),
            _ => None,
        }
    }
}

/// Every fetch of a recorded run, in order.
fn fetches(r: &RunResult) -> Vec<Fetched> {
    r.fetches
        .iter()
        .map(|(at, kind, url)| Fetched {
            at: *at,
            kind: *kind,
            url: url.clone(),
        })
        .collect()
}

/// Every segment fetch of a recorded run (retries included), in order.
fn segment_fetches(r: &RunResult) -> Vec<Fetched> {
    fetches(r).into_iter().filter(Fetched::is_segment).collect()
}

fn events<'a>(
    r: &'a RunResult,
    f: impl Fn(&Event) -> bool + 'a,
) -> impl Iterator<Item = &'a (f64, Event)> + 'a {
    r.events.iter().filter(move |(_, e)| f(e))
}

fn fatal_count(r: &RunResult) -> usize {
    r.errors.iter().filter(|e| e.fatal).count()
}

fn fault(from: f64, until: f64, kind: FaultKind, url: &str, max: Option<u32>) -> Fault {
    Fault {
        from,
        until,
        kind,
        url_contains: url.to_string(),
        max_count: max,
    }
}

/// 8 Mbps, then 0.3 Mbps from 18 s to 200 s, then 8 Mbps again: a top-level segment that
/// starts loading just before the collapse would arrive far too late.
fn collapse() -> Trace {
    let mut text = String::new();
    for t in 0..2000 {
        text.push_str(&format!(
            "{t} {}\n",
            if (18..200).contains(&t) { 0.3 } else { 8.0 }
        ));
    }
    Trace::parse("collapse", &text).unwrap()
}

/// An ABR that answers from a script, then repeats its last answer; never abandons.
struct Scripted {
    script: std::collections::VecDeque<usize>,
    last: usize,
}

impl Scripted {
    fn new(script: &[usize]) -> Box<Self> {
        Box::new(Scripted {
            script: script.iter().copied().collect(),
            last: 0,
        })
    }
}

impl crate::abr::Abr for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }
    fn on_sample(&mut self, _: &crate::abr::SegmentSample) {}
    fn on_partial(&mut self, _: u64, _: f64) {}
    fn choose(&mut self, _: &crate::abr::AbrContext) -> usize {
        if let Some(l) = self.script.pop_front() {
            self.last = l;
        }
        self.last
    }
    fn abandon(
        &mut self,
        _: &crate::abr::AbrContext,
        _: &crate::abr::LoadProgress,
    ) -> Option<usize> {
        None
    }
    fn estimate_bps(&self) -> f64 {
        1e6
    }
    fn ttfb_s(&self) -> f64 {
        0.1
    }
}
