//! A throttled link that recovers: the rule must leave the lowest level soon after (the browser
//! test "throttled: switches down without a stall; unthrottled: switches back up" in the
//! simulator, where it runs in a second and on every `cargo test`).
#![cfg(not(target_arch = "wasm32"))] // the simulator is native only
#![allow(clippy::unwrap_used)] // a test crate: a bad trace literal should fail loudly

use hlsplay::engine::{EngineConfig, Event};
use hlsplay::sim::{self, Ladder, SimConfig, Trace};

/// Fast link, then `mbps` from `throttle` s to `recover` s, then fast again.
fn throttled(mbps: f64, throttle: f64, recover: f64) -> Trace {
    let text = format!("0 30\n{throttle} {mbps}\n{recover} 30\n600 30\n");
    Trace::parse("throttle-then-recover", &text).unwrap()
}

/// Times of the level switches (from, to) the run made.
fn switches(trace: &Trace, buffer_goal: f64) -> Vec<(f64, usize, usize)> {
    let cfg = SimConfig {
        engine: EngineConfig {
            buffer_goal,
            ..EngineConfig::default()
        },
        record: true,
        ..SimConfig::default()
    };
    let r = sim::run(trace, &Ladder::mediaconvert(600.0, 1), &cfg);
    assert!(r.fatal().is_none(), "{:?}", r.fatal());
    r.events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::LevelSwitching {
                from: Some(from),
                to,
                ..
            } => Some((*t, *from, *to)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_lowest_level_is_left_within_four_segments_after_a_throttled_link_recovers() {
    // The browser test's numbers: 10 s segments, a 12 s buffer goal, 1.8 Mbps (the lowest rung
    // plays, the next does not fit); and the default 30 s goal, whose buffer carries the next
    // rung at 1.8 Mbps, with a throttle only the lowest fits.
    // And a throttle below the lowest rung (it stalls), which a mobile link's fall would be
    // remembered for, followed by a link far above the ladder.
    for (goal, mbps) in [(12.0, 1.8), (30.0, 1.3), (12.0, 0.5), (30.0, 0.5)] {
        for (throttle, recover) in [(60.0, 120.0), (60.0, 200.0), (100.0, 130.0)] {
            let s = switches(&throttled(mbps, throttle, recover), goal);
            let what = format!("goal {goal} s, {mbps} Mbps from {throttle} to {recover} s: {s:?}");
            // The throttle took the player down to the lowest level...
            assert!(
                s.iter()
                    .any(|&(t, _, to)| t > throttle && t < recover && to == 0),
                "no switch down to 0: {what}"
            );
            // ...and within four 10 s segments of the recovery it goes up again: the throttled
            // samples describe a link that is gone.
            assert!(
                s.iter()
                    .any(|&(t, from, to)| t >= recover && t <= recover + 40.0 && to > from),
                "no switch up within 40 s: {what}"
            );
        }
    }
}
