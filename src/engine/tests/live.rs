//! Live streams: the start at the edge, reloads, bounded state, ENDLIST.

use super::*;

#[test]
fn live_starts_three_target_durations_from_the_edge_and_reloads() {
    let cfg = SimConfig {
        live: Some(LiveModel {
            window: Some(6),
            ends: false,
            start_offset: 300.0,
        }),
        stop_at_end: false,
        max_time: 600.0,
        ..recorded()
    };
    // 2 h of content appearing in real time; start the player 300 s in.
    let r = run(&fast(), 7200.0, cfg);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    // 300 s are out at t=0: the window holds 6 segments; the engine's timeline starts at the
    // first segment it saw, so the edge is at 60 s and the start 3 x 10 s before it.
    assert_eq!(r.set_positions.first().map(|&(_, to)| to), Some(30.0));
    let playlist_loads = fetches(&r)
        .iter()
        .filter(|f| matches!(f.kind, RequestKind::LevelPlaylist { .. }))
        .count();
    // Reloaded about every target duration (10 s) or half when unchanged: 60..=130 in 600 s.
    assert!((60..=130).contains(&playlist_loads), "{playlist_loads}");
    assert!(r.startup_s.is_some());
    assert_eq!(
        r.rebuffer_count, 0,
        "live edge playback should not stall on a fast link"
    );
}

#[test]
fn live_two_hours_state_stays_bounded() {
    let cfg = SimConfig {
        live: Some(LiveModel {
            window: Some(6),
            ends: false,
            start_offset: 60.0,
        }),
        stop_at_end: false,
        max_time: 7200.0,
        record: false,
        ..SimConfig::default()
    };
    let trace = Trace::constant("4mbps", 4.0, 10_000.0);
    let r = run(&trace, 7300.0, cfg);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    let s = r.max_stats.unwrap();
    assert!(s.requests <= 3, "{s:?}");
    assert!(s.segments_held <= 3 * 7, "{s:?}");
    assert!(s.buffered_ranges <= 4, "{s:?}");
    assert!(s.queued_buffer_ops <= 4, "{s:?}");
    assert!(s.outputs_queued <= 64, "{s:?}");
    assert!(r.final_position > 7000.0, "{}", r.final_position);
}

#[test]
fn event_playlist_switches_to_vod_at_endlist() {
    let cfg = SimConfig {
        live: Some(LiveModel {
            window: None,
            ends: true,
            start_offset: 30.0,
        }),
        max_time: 1000.0,
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(events(&r, |e| matches!(e, Event::LiveEnded)).count(), 1);
    assert_eq!(events(&r, |e| matches!(e, Event::Ended)).count(), 1);
}

#[test]
fn live_sync_position_and_latency_follow_the_edge_between_reloads() {
    let mut h = Harness::new();
    assert_eq!(h.engine.live_sync_position(0.0), None, "nothing loaded");
    // Six 10 s segments: the edge at 60 s, the sync position three target durations behind.
    h.load_with(&harness::live_playlist(0, 6));
    let t0 = h.now;
    assert_eq!(h.engine.live_sync_position(t0), Some(30.0));
    // Paused there (no stall watch while the test's clock jumps).
    h.input(Input::Media {
        position: 31.0,
        paused: true,
        buffered: vec![(30.0, 40.0)],
    });
    assert_eq!(h.engine.latency(t0), Some(29.0));
    // 6 s on without a new segment: the edge is taken to have moved on with the clock.
    assert_eq!(h.engine.live_sync_position(t0 + 6.0), Some(36.0));
    assert_eq!(h.engine.latency(t0 + 6.0), Some(35.0));
    // Never within one target duration of the playlist's end, however old the playlist.
    assert_eq!(h.engine.live_sync_position(t0 + 60.0), Some(50.0));
    // A reload that finds a new segment puts the edge at its end (70 s) at that time; one
    // that finds none leaves the edge moving from the last that did.
    h.fire_timers_until(t0 + 12.0);
    let reload = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.answer(reload, harness::live_playlist(1, 6));
    let t1 = h.now;
    assert_eq!(h.engine.live_sync_position(t1), Some(40.0));
    h.fire_timers_until(t1 + 10.0);
    let reload = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.answer(reload, harness::live_playlist(1, 6));
    assert_eq!(h.engine.live_sync_position(t1 + 12.0), Some(52.0));
}

#[test]
fn a_vod_has_no_live_sync_position_or_latency() {
    let mut h = Harness::new();
    h.load_vod();
    assert_eq!(h.engine.live_sync_position(h.now), None);
    assert_eq!(h.engine.latency(h.now), None);
}
