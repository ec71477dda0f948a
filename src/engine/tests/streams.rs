//! Two streams at once, through the simulator: a main stream and an audio stream with its own
//! playlist (EXT-X-MEDIA TYPE=AUDIO with a URI), each remuxed to its own SourceBuffer.

use super::super::*;
use crate::sim::{self, Fault, FaultKind, Ladder, RunResult, SimConfig, Trace};

const DENIED: &str = "<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>";

fn two_streams() -> Ladder {
    Ladder::mediaconvert(120.0, 7).with_audio(&[("English", "en"), ("Deutsch", "de")])
}

fn fast() -> Trace {
    Trace::constant("fast", 20.0, 10_000.0)
}

fn run(cfg: SimConfig) -> RunResult {
    sim::run(&fast(), &two_streams(), &cfg)
}

fn recorded() -> SimConfig {
    SimConfig {
        record: true,
        ..SimConfig::default()
    }
}

/// A fetch the simulator saw, by name.
struct Fetch {
    at: f64,
    url: String,
}

fn fetches(r: &RunResult, audio: bool) -> Vec<Fetch> {
    r.fetches
        .iter()
        .filter(|(_, kind, _)| match kind {
            RequestKind::AudioSegment { .. } => audio,
            RequestKind::Segment { .. } => !audio,
            _ => false,
        })
        .map(|(at, _, url)| Fetch {
            at: *at,
            url: url.clone(),
        })
        .collect()
}

fn segment_index(url: &str) -> usize {
    let file = url.rsplit('/').next().unwrap_or_default();
    file.trim_end_matches(".ts").parse().unwrap()
}

fn fault(url_contains: &str, kind: FaultKind) -> Fault {
    Fault {
        from: 0.0,
        until: f64::INFINITY,
        kind,
        url_contains: url_contains.into(),
        max_count: Some(1),
    }
}

fn fatal(r: &RunResult) -> Option<&PlayerError> {
    r.errors.iter().find(|e| e.fatal)
}

/// When the end of the stream was first signalled (`Event::Ended`).
fn first_ended(r: &RunResult) -> Option<f64> {
    r.events
        .iter()
        .find(|(_, e)| matches!(e, Event::Ended))
        .map(|(at, _)| *at)
}

/// Times of the appends that reached the end of the content, per SourceBuffer.
fn last_appends(r: &RunResult) -> Vec<(TrackId, f64)> {
    let mut out: Vec<(TrackId, f64)> = Vec::new();
    for (at, e) in &r.events {
        if let Event::BufferAppended { track, end, .. } = e {
            if *end > 119.9 {
                out.retain(|(t, _)| t != track);
                out.push((*track, *at));
            }
        }
    }
    out
}

#[test]
fn both_streams_are_fetched_to_the_goal_into_their_own_source_buffers() {
    let r = run(recorded());
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert!(r.mse_violations.is_empty(), "{:?}", r.mse_violations);
    let mut mimes: Vec<&str> = r.source_buffers.iter().map(|(_, m)| m.as_str()).collect();
    mimes.sort_unstable();
    assert_eq!(
        mimes,
        [
            "audio/mp4; codecs=\"mp4a.40.2\"",
            "video/mp4; codecs=\"avc1.4d401e\""
        ]
    );
    // The default rendition (English, DEFAULT=YES) is the one fetched, every segment once.
    let audio = fetches(&r, true);
    let mut idx: Vec<usize> = audio.iter().map(|f| segment_index(&f.url)).collect();
    idx.sort_unstable();
    assert_eq!(idx, (0..12).collect::<Vec<_>>());
    assert!(audio.iter().all(|f| f.url.contains("/a0/")));
    assert_eq!(fetches(&r, false).len(), 12);
    // The audio stream follows the main stream's goal: never more than 30 s ahead.
    let start = r.startup_s.unwrap_or(0.0);
    for f in &audio {
        let playhead = (f.at - start).max(0.0);
        let seg_start = segment_index(&f.url) as f64 * 10.0;
        assert!(seg_start - playhead < 30.0 + 1e-6, "{} at {}", f.url, f.at);
    }
    // Only the main stream is measured by the ABR and announced as segments.
    let loaded = r
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::SegmentLoaded { .. }))
        .count();
    assert_eq!(loaded, 12);
}

#[test]
fn a_403_on_the_audio_stream_is_refreshed_once_and_the_same_url_retried() {
    let denied = FaultKind::Status(403, Some(DENIED.into()));
    let cfg = SimConfig {
        faults: vec![fault("/a0/3.ts", denied)],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert_eq!(r.refresh_requests, 1);
    let reactive = r
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::CredentialsRefreshNeeded { reactive: true }))
        .count();
    assert_eq!(reactive, 1);
    let tries = fetches(&r, true)
        .iter()
        .filter(|f| f.url.ends_with("/a0/3.ts"))
        .count();
    assert_eq!(tries, 2, "refused once, then the same URL again");
    assert!(r.mse_violations.is_empty(), "{:?}", r.mse_violations);
}

#[test]
fn a_seek_moves_both_streams() {
    let cfg = SimConfig {
        seeks: vec![(8.0, 75.0)],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    for audio in [false, true] {
        let after: Vec<usize> = fetches(&r, audio)
            .iter()
            .filter(|f| f.at >= 8.0)
            .map(|f| segment_index(&f.url))
            .collect();
        assert_eq!(after.first(), Some(&7), "audio {audio}: {after:?}");
        assert!(after.contains(&11));
    }
}

#[test]
fn a_404_on_the_audio_stream_skips_that_segment_and_playback_goes_on() {
    let missing = FaultKind::Status(404, None);
    let cfg = SimConfig {
        faults: vec![Fault {
            max_count: None,
            ..fault("/a0/5.ts", missing)
        }],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    let skipped = r
        .errors
        .iter()
        .filter(|e| e.cause == ErrorCause::Http { status: 404 } && e.details.contains("skipped"))
        .count();
    assert_eq!(skipped, 1);
    // The video was not touched: no level penalised, every main segment once.
    assert_eq!(fetches(&r, false).len(), 12);
    assert!(r.final_position > 119.0, "{}", r.final_position);
}

#[test]
fn end_of_stream_waits_for_the_slower_stream() {
    // The last audio segment hangs once: its retry comes after the main stream has ended.
    let cfg = SimConfig {
        faults: vec![fault("/a0/11.ts", FaultKind::Stall)],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(r.end_of_streams, 1);
    let last = last_appends(&r);
    assert_eq!(last.len(), 2, "{last:?}");
    let ended_at = first_ended(&r).unwrap();
    let (main_at, audio_at) = (last[0].1.min(last[1].1), last[0].1.max(last[1].1));
    assert!(audio_at > main_at + 5.0, "the stall delayed one stream");
    assert!(
        ended_at >= audio_at,
        "ended at {ended_at}, audio in at {audio_at}"
    );
}

#[test]
fn a_body_over_the_limit_is_aborted_with_a_limit_error_naming_the_url() {
    let engine = EngineConfig {
        max_segment_bytes: 1_000_000, // the 1 Mbps level's 10 s segments are ~1.3 MB
        ..EngineConfig::default()
    };
    let r = run(SimConfig {
        engine,
        ..recorded()
    });
    let e = fatal(&r).expect("a fatal limit error");
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(
        matches!(e.cause, ErrorCause::Limit { size, limit: 1_000_000 } if size > 1_000_000),
        "{:?}",
        e.cause
    );
    assert!(e.details.contains("1000000-byte limit"), "{}", e.details);
    assert!(
        e.url.as_deref().is_some_and(|u| u.ends_with(".ts")),
        "{:?}",
        e.url
    );
    assert!(!r.ended);
}

/// Removes of everything from some time on (back-buffer eviction removes from 0).
fn flushes(r: &RunResult) -> Vec<&(f64, TrackId, f64, f64)> {
    r.removes
        .iter()
        .filter(|(.., to)| *to == f64::INFINITY)
        .collect()
}

fn audio_events(r: &RunResult) -> Vec<(f64, Event)> {
    r.events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::AudioTracksUpdated { .. }
                    | Event::AudioTrackSwitching { .. }
                    | Event::AudioTrackSwitched { .. }
            )
        })
        .cloned()
        .collect()
}

#[test]
fn the_tracks_of_the_level_are_announced_at_the_start_without_a_switch() {
    let r = run(recorded());
    let events = audio_events(&r);
    let [(_, Event::AudioTracksUpdated { audio_tracks })] = events.as_slice() else {
        panic!("{events:?}");
    };
    let names: Vec<(usize, &str, Option<&str>, bool)> = audio_tracks
        .iter()
        .map(|t| (t.id, t.name.as_str(), t.lang.as_deref(), t.default))
        .collect();
    assert_eq!(
        names,
        [
            (0, "English", Some("en"), true),
            (1, "Deutsch", Some("de"), false)
        ]
    );
}

#[test]
fn the_preferred_language_wins_over_default_yes() {
    let engine = EngineConfig {
        preferred_audio_languages: vec!["de-AT".into(), "en".into()],
        ..EngineConfig::default()
    };
    let r = run(SimConfig {
        engine,
        ..recorded()
    });
    assert!(r.ended, "{:?}", r.errors);
    let audio = fetches(&r, true);
    assert!(!audio.is_empty());
    assert!(audio.iter().all(|f| f.url.contains("/a1/")), "German only");
    // The first choice is not a switch.
    assert_eq!(audio_events(&r).len(), 1);
}

#[test]
fn an_audio_switch_flushes_audio_ahead_and_refetches_from_the_playhead_without_touching_video() {
    let cfg = SimConfig {
        app_inputs: vec![(40.0, Input::SetAudioTrack(1))],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert!(r.mse_violations.is_empty(), "{:?}", r.mse_violations);
    assert_eq!(r.rebuffer_count, 0, "no stall");
    let start = r.startup_s.unwrap_or(0.0);
    // Switching at once, switched when the new rendition's first segment is in.
    let events = audio_events(&r);
    let switching = events
        .iter()
        .find(|(_, e)| *e == Event::AudioTrackSwitching { id: 1 })
        .map(|(at, _)| *at);
    let switched = events
        .iter()
        .find(|(_, e)| *e == Event::AudioTrackSwitched { id: 1 })
        .map(|(at, _)| *at);
    assert_eq!(switching, Some(40.0));
    assert!(
        switched.is_some_and(|t| t > 40.0 && t < 42.0),
        "{switched:?}"
    );
    // The audio buffered ahead went (less a one-second guard); video was not touched.
    let playhead = 40.0 - start;
    let removes = flushes(&r);
    assert_eq!(removes.len(), 1, "{removes:?}");
    let (_, track, from, _) = *removes[0];
    let audio_sb = r
        .source_buffers
        .iter()
        .position(|(k, _)| *k == TrackKind::Audio)
        .unwrap();
    assert_eq!(track, TrackId(audio_sb));
    assert!(
        (from - (playhead + 1.0)).abs() < 0.3,
        "{from} vs {playhead}"
    );
    assert_eq!(fetches(&r, false).len(), 12, "every video segment once");
    // The new rendition from the segment holding the playhead to the end.
    let after: Vec<usize> = fetches(&r, true)
        .iter()
        .filter(|f| f.url.contains("/a1/"))
        .map(|f| segment_index(&f.url))
        .collect();
    let holding = (playhead / 10.0).floor() as usize;
    assert_eq!(after, (holding..12).collect::<Vec<_>>());
}

#[test]
fn a_403_on_the_new_rendition_after_a_switch_is_refreshed_and_playback_goes_on() {
    let denied = FaultKind::Status(403, Some(DENIED.into()));
    let cfg = SimConfig {
        app_inputs: vec![(20.0, Input::SetAudioTrack(1))],
        faults: vec![fault("/a1/", denied)],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert_eq!(r.refresh_requests, 1);
    assert!(audio_events(&r)
        .iter()
        .any(|(_, e)| *e == Event::AudioTrackSwitched { id: 1 }));
}

#[test]
fn switching_to_the_track_in_use_or_to_no_such_track_does_nothing() {
    let cfg = SimConfig {
        app_inputs: vec![
            (20.0, Input::SetAudioTrack(0)),
            (30.0, Input::SetAudioTrack(7)),
        ],
        ..recorded()
    };
    let r = run(cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(
        audio_events(&r).len(),
        1,
        "only the start's AudioTracksUpdated"
    );
    assert!(flushes(&r).is_empty(), "{:?}", r.removes);
}

fn he_aac_german() -> Ladder {
    let mut l = two_streams();
    l.audio[1].he_aac = true;
    l
}

#[test]
fn a_switch_to_another_audio_codec_calls_change_type_before_its_init() {
    let cfg = SimConfig {
        app_inputs: vec![(30.0, Input::SetAudioTrack(1))],
        ..recorded()
    };
    let r = sim::run(&fast(), &he_aac_german(), &cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert!(r.mse_violations.is_empty(), "{:?}", r.mse_violations);
    let audio_sb = r
        .source_buffers
        .iter()
        .position(|(k, _)| *k == TrackKind::Audio)
        .unwrap();
    assert_eq!(
        r.codec_changes,
        [(
            TrackId(audio_sb),
            "audio/mp4; codecs=\"mp4a.40.5\"".to_string()
        )]
    );
}

#[test]
fn without_change_type_a_codec_switch_is_a_fatal_error_naming_both_codecs() {
    let cfg = SimConfig {
        app_inputs: vec![(30.0, Input::SetAudioTrack(1))],
        change_type_supported: false,
        ..recorded()
    };
    let r = sim::run(&fast(), &he_aac_german(), &cfg);
    let e = fatal(&r).expect("a fatal error");
    assert!(
        matches!(
            e.cause,
            ErrorCause::SourceBuffer {
                op: SourceBufferOp::ChangeType,
                ..
            }
        ),
        "{:?}",
        e.cause
    );
    assert_eq!(
        e.details,
        "cannot switch the audio SourceBuffer from mp4a.40.2 to mp4a.40.5: \
         SourceBuffer.changeType is not supported"
    );
}

#[test]
fn level_switches_of_one_codec_need_no_change_type() {
    let r = run(recorded());
    assert!(r.switches > 0);
    assert!(r.codec_changes.is_empty(), "{:?}", r.codec_changes);
}

#[test]
fn no_source_buffer_is_added_after_media_is_appended_when_the_audio_stream_is_late() {
    // Regression: the video SourceBuffer was added and appended to while the audio playlist
    // was still loading; Chromium then refused the audio SourceBuffer ("reached the limit of
    // SourceBuffer objects") and playback stopped.
    let cfg = SimConfig {
        faults: vec![fault("a0.m3u8", FaultKind::Stall)],
        ..recorded()
    };
    let r = run(cfg);
    assert_eq!(r.mse_violations, Vec::<String>::new());
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(r.source_buffers.len(), 2);
    let first_audio = fetches(&r, true).first().map(|f| f.at).unwrap();
    let first_video = fetches(&r, false).first().map(|f| f.at).unwrap();
    assert!(
        first_audio > first_video + 1.0,
        "the audio stream started late"
    );
}

/// Regression: with progressive segments the element starts on the first frames, with almost
/// nothing buffered. On a link just above the lowest rung the audio stream used to fetch its
/// segments back to back up to the goal, taking half the link from the video, and playback
/// stalled right after starting (the CMAF race's steady 1.5 Mbps schedule, 1.3 s).
#[test]
fn on_a_slow_link_the_audio_keeps_pace_with_the_video_and_playback_does_not_stall() {
    let trace = Trace::constant("slow", 1.5, 10_000.0);
    let cfg = SimConfig {
        stream_segments: true,
        ..recorded()
    };
    let r = sim::run(&trace, &two_streams(), &cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert_eq!(
        (r.rebuffer_count, r.rebuffer_s),
        (0, 0.0),
        "started at {:?}",
        r.startup_s
    );
    // No audio segment is requested while it starts past what the video has appended.
    // SourceBuffers are listed in track order (as the other tests here take them).
    let video_track = TrackId(
        (r.source_buffers.iter())
            .position(|(k, _)| *k == TrackKind::Video)
            .unwrap(),
    );
    for f in fetches(&r, true) {
        let video_end = (r.events.iter())
            .filter(|(at, _)| *at <= f.at)
            .filter_map(|(_, e)| match e {
                Event::BufferAppended { track, end, .. } if *track == video_track => Some(*end),
                _ => None,
            })
            .fold(0.0, f64::max);
        let seg_start = segment_index(&f.url) as f64 * 10.0;
        assert!(
            seg_start <= video_end + 0.1,
            "{} fetched at {} s with video to {video_end} s",
            f.url,
            f.at
        );
    }
}

#[test]
fn an_audio_switch_after_the_whole_vod_is_buffered_refetches_and_ends_again() {
    // The whole 120 s VOD fits the buffer goal: every segment is in and EndOfStream sent
    // within seconds, long before the switch. The flush reopens the ended MediaSource; the
    // new rendition must still be fetched to the end and the stream end again, without a
    // stall (a peer player stalls for good here).
    let mut cfg = SimConfig {
        app_inputs: vec![(40.0, Input::SetAudioTrack(1))],
        ..recorded()
    };
    cfg.engine.buffer_goal = 300.0;
    cfg.engine.max_buffer_length = 300.0;
    let r = run(cfg);
    let first_eos = first_ended(&r);
    assert!(first_eos.is_some_and(|t| t < 40.0), "{first_eos:?}");
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal(&r), None);
    assert!(r.mse_violations.is_empty(), "{:?}", r.mse_violations);
    assert_eq!(r.rebuffer_count, 0, "no stall");
    assert_eq!(
        r.end_of_streams, 2,
        "ended, reopened by the flush, ended again"
    );
    assert!(r.final_position > 119.0, "{}", r.final_position);
    let after: Vec<usize> = fetches(&r, true)
        .iter()
        .filter(|f| f.url.contains("/a1/"))
        .map(|f| segment_index(&f.url))
        .collect();
    let holding = ((40.0 - r.startup_s.unwrap_or(0.0)) / 10.0).floor() as usize;
    assert_eq!(after, (holding..12).collect::<Vec<_>>());
    assert!(audio_events(&r)
        .iter()
        .any(|(_, e)| *e == Event::AudioTrackSwitched { id: 1 }));
}
