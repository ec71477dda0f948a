#![cfg(not(target_arch = "wasm32"))] // the simulator is native only
//! Engine behaviour, deterministic: most tests drive the engine through the simulator
//! (virtual clock, modelled network and playback); a few drive it by hand.

use super::*;
use crate::abr::{AbrConfig, AbrKind};
use crate::sim::{
    self, AuthModel, Fault, FaultKind, Ladder, LiveModel, RunResult, SimConfig, SimRemuxer, Trace,
};

mod buffer;
mod credentials;
mod failure;
mod level_choice;
mod live;
mod playhead;
mod progressive;
mod robustness;
mod scheduler;

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

fn run(trace: &Trace, secs: f64, cfg: SimConfig) -> RunResult {
    sim::run(trace, &ladder(secs), &cfg)
}

fn segment_fetches(r: &RunResult) -> Vec<(f64, String)> {
    r.fetches
        .iter()
        .filter(|f| f.1.is_segment())
        .map(|f| (f.0, f.2.clone()))
        .collect()
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

fn hand_engine() -> Engine<SimRemuxer> {
    Engine::new(
        EngineConfig::default(),
        SimRemuxer::default(),
        AbrKind::Ours.build(&AbrConfig::default()),
    )
}

fn drain(e: &mut Engine<SimRemuxer>) -> Vec<Output> {
    let mut v = Vec::new();
    while let Some(o) = e.poll_output() {
        if matches!(o, Output::Timeout(_)) {
            break;
        }
        v.push(o);
        assert!(v.len() < 10_000, "output loop");
    }
    v
}

const MASTER: &str = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1096000,RESOLUTION=640x360\nl0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2096000,RESOLUTION=960x540\nl1.m3u8\n";

fn media_playlist(n: usize) -> String {
    let mut s = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    for i in 0..n {
        s.push_str(&format!("#EXTINF:10,\nseg{i}.ts\n"));
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

/// Load the master and the first media playlist; returns the outputs after the playlist.
fn start_vod(e: &mut Engine<SimRemuxer>, now: f64) -> Vec<Output> {
    e.handle_input(
        now,
        Input::Load {
            url: "https://c/v/master.m3u8".into(),
        },
    );
    let _ = drain(e);
    e.handle_input(now, Input::SourceOpen);
    let _ = drain(e);
    e.handle_input(
        now,
        Input::Loaded {
            req: RequestId(1),
            data: MASTER.as_bytes().to_vec(),
        },
    );
    let outs = drain(e);
    let req = outs
        .iter()
        .find_map(|o| match o {
            Output::Fetch {
                req,
                kind: RequestKind::LevelPlaylist { .. },
                ..
            } => Some(*req),
            _ => None,
        })
        .unwrap();
    e.handle_input(
        now,
        Input::Loaded {
            req,
            data: media_playlist(20).into_bytes(),
        },
    );
    drain(e)
}

/// Start a VOD and complete its first segment's fetch and appends.
fn play_one_segment(e: &mut Engine<SimRemuxer>) {
    let outs = start_vod(e, 0.0);
    let req = outs
        .iter()
        .find_map(|o| match o {
            Output::Fetch {
                req,
                kind: RequestKind::Segment { .. },
                ..
            } => Some(*req),
            _ => None,
        })
        .unwrap();
    e.handle_input(
        1.0,
        Input::Loaded {
            req,
            data: sim::remux::segment_bytes(100_000, 10.0),
        },
    );
    let mut outs = drain(e);
    for _ in 0..4 {
        let mut next = Vec::new();
        for o in &outs {
            if let Output::Append { track, .. } = o {
                e.handle_input(1.0, Input::AppendDone { track: *track });
                next.extend(drain(e));
            }
        }
        outs = next;
    }
}

/// An ABR that answers from a script (then repeats its last answer).
struct Scripted(std::collections::VecDeque<usize>, usize);

impl crate::abr::Abr for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }
    fn on_sample(&mut self, _: &crate::abr::SegmentSample) {}
    fn on_partial(&mut self, _: u64, _: f64) {}
    fn choose(&mut self, _: &crate::abr::AbrContext) -> usize {
        if let Some(l) = self.0.pop_front() {
            self.1 = l;
        }
        self.1
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
