//! hls.js's `stopLoad()` / `startLoad()`: fetching stops (the segment in flight aborted), what
//! is buffered plays on without a stall error, and fetching resumes where the buffer ends or
//! from the position given.

use super::harness::live_playlist;
use super::timers::Timer;
use super::*;

fn is_abort(o: &Output) -> bool {
    matches!(o, Output::Abort { .. })
}

fn fatal_errors(h: &Harness) -> usize {
    h.events()
        .filter(|(_, e)| matches!(e, Event::Error(err) if err.fatal))
        .count()
}

#[test]
fn stop_load_aborts_the_segment_in_flight_and_fetches_nothing_while_the_buffer_plays_out() {
    let mut h = Harness::new();
    h.load_vod();
    h.play(12.0);
    let before = h.segment_fetches().len();
    let in_flight = h.find_fetch(RequestKind::is_media_segment);
    let outs = h.input(Input::StopLoad);
    assert_eq!(
        outs.iter().filter(|o| is_abort(o)).count(),
        usize::from(in_flight.is_some()),
        "the segment in flight is aborted: {outs:?}"
    );
    let buffered_end = h.buffered.end_from(h.position, 0.1).unwrap_or(h.position);
    h.play(buffered_end + 30.0);
    assert_eq!(h.segment_fetches().len(), before, "no fetch while stopped");
    assert!(
        (h.position - buffered_end).abs() < 0.5,
        "the buffer played out: at {} of {buffered_end}",
        h.position
    );
    assert_eq!(fatal_errors(&h), 0);

    let resumed_at = h.now;
    h.input(Input::StartLoad { position: None });
    h.play(resumed_at + 5.0);
    let after: Vec<_> = h
        .segment_fetches()
        .into_iter()
        .filter(|f| f.at >= resumed_at)
        .collect();
    assert!(!after.is_empty(), "fetching resumes");
    assert!(h.position > buffered_end, "and playback with it");
    assert_eq!(fatal_errors(&h), 0);
}

#[test]
fn start_load_at_a_position_moves_the_playhead_there_and_fetches_its_segment() {
    let mut h = Harness::new();
    h.load_vod();
    h.play(5.0);
    h.input(Input::StopLoad);
    let outs = h.input(Input::StartLoad {
        position: Some(125.0),
    });
    assert!(
        outs.contains(&Output::SetPosition(125.0)),
        "the element is moved: {outs:?}"
    );
    let f = h
        .find_fetch(RequestKind::is_media_segment)
        .expect("a fetch");
    assert!(
        f.url.ends_with("seg12.ts"),
        "the segment holding 125 s: {}",
        f.url
    );
}

#[test]
fn a_live_playlist_is_not_reloaded_while_stopped_and_is_reloaded_at_start() {
    let mut h = Harness::new();
    h.load_with(&live_playlist(0, 6));
    assert!(
        h.engine.next_reload().is_some(),
        "a live playlist is reloaded"
    );
    let reloads = |h: &Harness| {
        h.fetches(|k| matches!(k, RequestKind::LevelPlaylist { .. }))
            .len()
    };
    h.input(Input::StopLoad);
    h.fire_timers_until(60.0);
    assert_eq!(reloads(&h), 1, "no reload while stopped");
    assert!(
        !matches!(h.engine.next_timer(), Some((_, Timer::PlaylistReload))),
        "no reload timer while stopped"
    );
    h.input(Input::StartLoad { position: None });
    h.fire_timers_until(61.0);
    assert_eq!(reloads(&h), 2, "the reload that fell due is made at once");
}
