//! Subtitle and caption tracks by hand: the track list and the first choice, WebVTT segments
//! fetched ahead and placed on the timeline, cues de-duplicated, evicted with the back buffer,
//! kept consistent across a seek, switches, forced tracks, bad cues and failed requests, and
//! CEA-608 from the video.

use super::harness::{vtt_segment, MASTER_URL};
use super::*;
use crate::captions::{Cue, CueId, Field};
use crate::remux::CcData;

/// English (DEFAULT, AUTOSELECT) and French WebVTT renditions, as MediaConvert names them.
const TWO_LANGUAGES: &str = "#EXTM3U
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI=\"v_en.m3u8\"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"French\",LANGUAGE=\"fra\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"v_fr.m3u8\"
#EXT-X-STREAM-INF:BANDWIDTH=1096000,SUBTITLES=\"subs\"
l0.m3u8
";

/// A full English track and a FORCED English one (foreign dialogue only).
const WITH_FORCED: &str = "#EXTM3U
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,URI=\"v_en.m3u8\"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English (forced)\",LANGUAGE=\"en\",FORCED=YES,AUTOSELECT=YES,URI=\"v_en_forced.m3u8\"
#EXT-X-STREAM-INF:BANDWIDTH=1096000,SUBTITLES=\"subs\"
l0.m3u8
";

/// CEA-608 declared: CC1 in English.
const DECLARED_CC: &str = "#EXTM3U
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\",LANGUAGE=\"en\",INSTREAM-ID=\"CC1\",AUTOSELECT=YES
#EXT-X-STREAM-INF:BANDWIDTH=1096000,CLOSED-CAPTIONS=\"cc\"
l0.m3u8
";

fn harness(cfg: EngineConfig, remux: SimRemuxer) -> Harness {
    let mut h = Harness::new();
    let abr = AbrKind::Ours.build(&cfg.abr);
    h.engine = Engine::new(cfg, remux, abr);
    h
}

fn start(h: &mut Harness, master: &str) {
    h.load(MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, master);
}

fn in_language(lang: &str) -> EngineConfig {
    EngineConfig {
        subtitle_language: Some(lang.into()),
        ..EngineConfig::default()
    }
}

fn is_subtitle_segment(k: &RequestKind) -> bool {
    matches!(k, RequestKind::SubtitleSegment { .. })
}

fn is_subtitle_playlist(k: &RequestKind) -> bool {
    matches!(k, RequestKind::SubtitlePlaylist { .. })
}

/// Every cue added to `track`, in order: (start, end, text).
fn cues_added(h: &Harness, track: usize) -> Vec<(f64, f64, String)> {
    let added = h.log.iter().filter_map(|l| match &l.output {
        Output::AddCues { track: t, cues } if *t == track => Some(cues),
        _ => None,
    });
    let cues = added.flatten();
    cues.map(|c| (c.cue.start, c.cue.end, c.cue.text.clone()))
        .collect()
}

fn shown(h: &Harness) -> Vec<Option<usize>> {
    let outs = h.log.iter().filter_map(|l| match l.output {
        Output::ShowSubtitleTrack(t) => Some(t),
        _ => None,
    });
    outs.collect()
}

fn switches(h: &Harness) -> Vec<Option<usize>> {
    let events = h.events().filter_map(|(_, e)| match e {
        Event::SubtitleTrackSwitch { id } => Some(*id),
        _ => None,
    });
    events.collect()
}

fn errors(h: &Harness) -> Vec<PlayerError> {
    let events = h.events().filter_map(|(_, e)| match e {
        Event::Error(e) => Some(e.clone()),
        _ => None,
    });
    events.collect()
}

#[test]
fn subtitle_renditions_are_tracks_and_the_language_asked_for_is_shown() {
    let mut h = harness(in_language("fr"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    let tracks = h.engine.subtitle_tracks();
    assert_eq!(
        tracks,
        [
            SubtitleTrackInfo {
                id: 0,
                name: "English".into(),
                lang: Some("eng".into()),
                group_id: "subs".into(),
                default: true,
                forced: false,
                autoselect: true,
                kind: SubtitleKind::Subtitles,
            },
            SubtitleTrackInfo {
                id: 1,
                name: "French".into(),
                lang: Some("fra".into()),
                group_id: "subs".into(),
                default: false,
                forced: false,
                autoselect: true,
                kind: SubtitleKind::Subtitles,
            },
        ]
    );
    let updated = h.events().any(
        |(_, e)| matches!(e, Event::SubtitleTracksUpdated { subtitle_tracks } if *subtitle_tracks == tracks),
    );
    assert!(updated);
    assert_eq!(h.engine.subtitle_track(), Some(1));
    assert_eq!(switches(&h), [Some(1)]);
    assert_eq!(shown(&h), [Some(1)]);
    // Its playlist loads once the timeline is set (the level's playlist).
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let playlist = h.find_fetch(is_subtitle_playlist).expect("French playlist");
    assert!(playlist.url.ends_with("/v_fr.m3u8"), "{}", playlist.url);
}

#[test]
fn without_a_language_asked_a_default_autoselect_track_in_the_browsers_language_is_shown() {
    let cfg = EngineConfig {
        subtitle_default_languages: vec!["en-US".into()],
        ..EngineConfig::default()
    };
    let mut h = harness(cfg, SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    assert_eq!(h.engine.subtitle_track(), Some(0));
    // In another language: subtitles start off, nothing is fetched for them.
    let cfg = EngineConfig {
        subtitle_default_languages: vec!["de".into()],
        ..EngineConfig::default()
    };
    let mut h = harness(cfg, SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    h.play(40.0);
    assert_eq!(h.engine.subtitle_track(), None);
    assert!(switches(&h).is_empty());
    assert!(h.fetches(is_subtitle_playlist).is_empty());
    assert!(h.fetches(is_subtitle_segment).is_empty());
}

#[test]
fn webvtt_cues_land_on_the_timeline_once_each_fetched_ahead_with_the_buffer_goal() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    // Nothing is fetched before the video placed the timeline of the segment's domain.
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let sub = h.fetch_of(is_subtitle_playlist);
    h.serve(sub);
    assert!(h.find_fetch(is_subtitle_segment).is_none());
    h.play(5.0);
    let cues = cues_added(&h, 0);
    let texts: Vec<&str> = cues.iter().map(|c| c.2.as_str()).collect();
    // The buffer goal (30 s) from the playhead: segments 0-3, "across" once though in two.
    assert_eq!(texts, ["cue 0", "cue 1", "across", "cue 2", "cue 3"]);
    assert_eq!(cues[0].0, 1.0);
    assert_eq!(cues[0].1, 3.0);
    assert_eq!((cues[2].0, cues[2].1), (19.0, 21.0));
    let fetched: Vec<String> = h
        .fetches(is_subtitle_segment)
        .into_iter()
        .map(|f| f.url)
        .collect();
    assert_eq!(fetched.len(), 4, "{fetched:?}");
    assert!(fetched[0].ends_with("/sub0.vtt"), "{fetched:?}");
    h.play(20.0);
    // Never further ahead than the goal (plus the segment that reaches past it).
    let last = cues_added(&h, 0).last().map_or(0.0, |c| c.0);
    assert!(
        last > 35.0 && last < h.position + 30.0 + 10.0,
        "{last} at {}",
        h.position
    );
    assert!(cues_added(&h, 1).is_empty());
}

#[test]
fn cues_behind_the_back_buffer_are_removed_with_it() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    h.play(75.0);
    let removed: Vec<CueId> = h
        .log
        .iter()
        .filter_map(|l| match &l.output {
            Output::RemoveCues { track: 0, ids } => Some(ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let added = h.log.iter().filter_map(|l| match &l.output {
        Output::AddCues { track: 0, cues } => Some(cues.clone()),
        _ => None,
    });
    let added: Vec<_> = added.flatten().collect();
    let early: Vec<CueId> = added
        .iter()
        .filter(|c| c.cue.end <= 75.0 - 30.0 - EVICT_SLACK)
        .map(|c| c.id)
        .collect();
    assert!(!early.is_empty());
    for id in &early {
        assert!(removed.contains(id), "{id:?} not removed: {removed:?}");
    }
    // Nothing ahead of the back buffer is removed.
    for c in added.iter().filter(|c| c.cue.end > 75.0 - 30.0) {
        assert!(!removed.contains(&c.id), "{c:?} removed");
    }
}

/// Cues are dropped each time the playhead moved 10 s: up to that much later than the window.
const EVICT_SLACK: f64 = 10.0;

#[test]
fn a_seek_fetches_subtitles_from_the_new_position_and_keeps_what_is_held() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    h.play(5.0);
    let before = cues_added(&h, 0).len();
    h.seek(120.0);
    h.play(130.0);
    let after = cues_added(&h, 0);
    let new: Vec<&str> = after[before..].iter().map(|c| c.2.as_str()).collect();
    assert_eq!(new.first(), Some(&"cue 12"), "{new:?}");
    assert!(!new.contains(&"cue 5"), "{new:?}");
    // Seeking back into what is held adds nothing held twice; far back, what the back buffer
    // dropped comes again.
    h.seek(112.0);
    h.play(140.0);
    h.seek(2.0);
    h.play(150.0);
    assert_consistent(&h, 0);
    assert!(cues_added(&h, 0).iter().filter(|c| c.2 == "cue 0").count() == 2);
    let urls: Vec<String> = h
        .fetches(is_subtitle_segment)
        .into_iter()
        .map(|f| f.url)
        .collect();
    assert!(urls.iter().any(|u| u.ends_with("/sub12.vtt")), "{urls:?}");
}

/// Replays the log: no cue is added while an equal one is held, none removed that is not held.
fn assert_consistent(h: &Harness, track: usize) {
    let mut held: Vec<(CueId, Cue)> = Vec::new();
    for l in &h.log {
        match &l.output {
            Output::AddCues { track: t, cues } if *t == track => {
                for c in cues {
                    assert!(!held.iter().any(|(_, h)| *h == c.cue), "{c:?} added twice");
                    held.push((c.id, c.cue.clone()));
                }
            }
            Output::RemoveCues { track: t, ids } if *t == track => {
                for id in ids {
                    let at = held.iter().position(|(i, _)| i == id);
                    assert!(at.is_some(), "{id:?} removed, not held");
                    held.retain(|(i, _)| i != id);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn switching_tracks_and_off() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    h.play(5.0);
    h.input(Input::SetSubtitleTrack(Some(1)));
    assert_eq!(h.engine.subtitle_track(), Some(1));
    h.play(10.0);
    let fr = h.fetches(is_subtitle_playlist);
    assert!(
        fr.last().is_some_and(|f| f.url.ends_with("/v_fr.m3u8")),
        "{fr:?}"
    );
    assert!(!cues_added(&h, 1).is_empty());
    h.input(Input::SetSubtitleTrack(None));
    assert_eq!(h.engine.subtitle_track(), None);
    let fetched = h.fetches(is_subtitle_segment).len();
    h.play(60.0);
    assert_eq!(h.fetches(is_subtitle_segment).len(), fetched);
    assert_eq!(switches(&h), [Some(0), Some(1), None]);
    assert_eq!(shown(&h), [Some(0), Some(1), None]);
    // Out of range: ignored.
    h.input(Input::SetSubtitleTrack(Some(7)));
    assert_eq!(h.engine.subtitle_track(), None);
}

#[test]
fn a_forced_track_is_shown_with_subtitles_off() {
    let cfg = EngineConfig {
        subtitle_default_languages: vec!["en-GB".into()],
        ..EngineConfig::default()
    };
    let mut h = harness(cfg, SimRemuxer::default());
    start(&mut h, WITH_FORCED);
    h.play(5.0);
    assert_eq!(h.engine.subtitle_track(), None);
    assert_eq!(shown(&h), [Some(1)]);
    let playlists = h.fetches(is_subtitle_playlist);
    assert!(playlists[0].url.ends_with("/v_en_forced.m3u8"));
    assert!(!cues_added(&h, 1).is_empty());
    // Choosing the full track shows it instead; off shows the forced one again.
    h.input(Input::SetSubtitleTrack(Some(0)));
    h.input(Input::SetSubtitleTrack(None));
    assert_eq!(shown(&h), [Some(1), Some(0), Some(1)]);
}

#[test]
fn a_bad_cue_is_a_warning_naming_the_segment_and_line_and_playback_goes_on() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let sub = h.fetch_of(is_subtitle_playlist);
    h.serve(sub);
    let seg = h.fetch_of(|k| matches!(k, RequestKind::Segment { .. }));
    h.serve(seg);
    h.ack_appends();
    let first = h.fetch_of(is_subtitle_segment);
    let bad =
        "WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nbroken\n\n00:00:04.000 --> 00:00:05.000\ngood\n";
    h.answer(first, bad);
    let errors = errors(&h);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(!e.fatal);
    assert_eq!(e.kind, ErrorKind::Parse);
    assert_eq!(e.cause, ErrorCause::Subtitle { line: 3 });
    assert_eq!(e.url.as_deref(), Some("https://c/v/sub0.vtt"));
    assert!(e.details.contains("sub0.vtt, line 3"), "{}", e.details);
    assert!(!h.engine.is_failed());
    let texts: Vec<String> = cues_added(&h, 0).into_iter().map(|c| c.2).collect();
    assert_eq!(texts, ["good"]);
    // A segment that is not WebVTT at all: one warning, the next segment follows.
    let next = h.fetch_of(is_subtitle_segment);
    h.answer(next, "<html>not found</html>");
    assert!(!h.engine.is_failed());
    assert!(h.find_fetch(is_subtitle_segment).is_some());
}

#[test]
fn a_missing_subtitle_segment_is_skipped_and_a_missing_playlist_stops_only_subtitles() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let sub = h.fetch_of(is_subtitle_playlist);
    h.serve(sub);
    let seg = h.fetch_of(|k| matches!(k, RequestKind::Segment { .. }));
    h.serve(seg);
    h.ack_appends();
    let first = h.fetch_of(is_subtitle_segment);
    h.fail(first, 404, None);
    let next = h.find_fetch(is_subtitle_segment).expect("the next one");
    assert!(next.url.ends_with("/sub1.vtt"), "{}", next.url);
    assert!(errors(&h).iter().all(|e| !e.fatal));
    // A playlist that is not found: a non-fatal error, no reload loop, video goes on.
    let mut h = harness(in_language("fr"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let sub = h.fetch_of(is_subtitle_playlist);
    h.fail(sub, 404, None);
    h.play(40.0);
    assert!(!h.engine.is_failed());
    assert_eq!(h.fetches(is_subtitle_playlist).len(), 1);
    assert!(h.segment_fetches().len() >= 3);
}

#[test]
fn a_subtitle_request_refused_by_the_cdn_refreshes_credentials_like_media() {
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let sub = h.fetch_of(is_subtitle_playlist);
    let outs = h.fail(sub, 403, Some("<Error><Code>AccessDenied</Code></Error>"));
    assert!(outs.contains(&Output::RefreshCredentials), "{outs:?}");
    let outs = h.input(Input::CredentialsRefreshed { expires: None });
    let again = outs.iter().any(
        |o| matches!(o, Output::Fetch { req, kind: RequestKind::SubtitlePlaylist { .. }, .. } if *req == sub),
    );
    assert!(again, "{outs:?}");
}

/// `b` with odd parity (CEA-608 bytes carry it in bit 7).
fn parity(b: u8) -> u8 {
    if b.count_ones() % 2 == 0 {
        b | 0x80
    } else {
        b
    }
}

/// A pop-on caption `text` (two characters) shown from `on` to `off`, on field 1, CC1.
fn pop_on(text: &[u8; 2], on: f64, off: f64) -> Vec<CcData> {
    let pair = |time: f64, a: u8, b: u8| CcData {
        time,
        field: Field::One,
        pair: [parity(a), parity(b)],
    };
    vec![
        pair(on - 0.2, 0x14, 0x20), // RCL
        pair(on - 0.1, text[0], text[1]),
        pair(on, 0x14, 0x2F),  // EOC
        pair(off, 0x14, 0x2C), // EDM
    ]
}

#[test]
fn cea608_in_a_stream_that_declares_none_adds_a_cc1_captions_track_with_its_cues() {
    let mut remux = SimRemuxer::default();
    remux.captions = pop_on(b"HI", 2.0, 5.0);
    remux.captions.extend(pop_on(b"OK", 12.0, 14.0));
    let mut h = harness(EngineConfig::default(), remux);
    h.load_vod();
    assert!(h.engine.subtitle_tracks().is_empty());
    h.play(3.0);
    let tracks = h.engine.subtitle_tracks();
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0].name, "CC1");
    assert_eq!(tracks[0].kind, SubtitleKind::Captions);
    assert!(h
        .events()
        .any(|(_, e)| matches!(e, Event::SubtitleTracksUpdated { subtitle_tracks } if subtitle_tracks.len() == 1)));
    h.play(20.0);
    let cues = cues_added(&h, 0);
    assert_eq!(
        cues,
        [(2.0, 5.0, "HI".to_string()), (12.0, 14.0, "OK".to_string())]
    );
    // Captions are not shown unless chosen; choosing them shows the track (nothing fetched).
    assert_eq!(h.engine.subtitle_track(), None);
    h.input(Input::SetSubtitleTrack(Some(0)));
    assert_eq!(shown(&h), [Some(0)]);
    assert!(h.fetches(is_subtitle_segment).is_empty());
}

#[test]
fn a_closed_captions_rendition_is_a_captions_track_of_its_channel() {
    let mut remux = SimRemuxer::default();
    remux.captions = pop_on(b"HI", 2.0, 5.0);
    let mut h = harness(in_language("en"), remux);
    start(&mut h, DECLARED_CC);
    h.play(10.0);
    let tracks = h.engine.subtitle_tracks();
    assert_eq!(tracks.len(), 1, "no CC1 added beside the declared one");
    assert_eq!(tracks[0].name, "English");
    assert_eq!(tracks[0].kind, SubtitleKind::Captions);
    assert_eq!(h.engine.subtitle_track(), Some(0));
    let cue = Cue {
        start: 2.0,
        end: 5.0,
        text: "HI".into(),
        line: Some(14),
    };
    let added = h.log.iter().find_map(|l| match &l.output {
        Output::AddCues { track: 0, cues } => cues.first().map(|c| c.cue.clone()),
        _ => None,
    });
    assert_eq!(
        added.map(|c| (c.start, c.end, c.text)),
        Some((cue.start, cue.end, cue.text))
    );
}

#[test]
fn a_stream_without_subtitles_has_no_tracks_and_no_text_outputs() {
    let mut h = Harness::new();
    h.load_vod();
    h.play(60.0);
    assert!(h.engine.subtitle_tracks().is_empty());
    let text = h.log.iter().any(|l| {
        matches!(
            l.output,
            Output::AddCues { .. } | Output::RemoveCues { .. } | Output::ShowSubtitleTrack(_)
        )
    });
    assert!(!text);
    assert!(!h
        .events()
        .any(|(_, e)| matches!(e, Event::SubtitleTracksUpdated { .. })));
}

#[test]
fn vtt_segment_fixture_is_what_the_harness_serves() {
    // The harness's segments: cue i at 10i+1, the boundary cue in segments 1 and 2.
    assert!(vtt_segment(1).contains("00:00:19.000 --> 00:00:21.000\nacross"));
    assert!(vtt_segment(12).contains("00:02:01.000 --> 00:02:03.000\ncue 12"));
}

/// A CMAF subtitle rendition: IMSC1 documents in `stpp` fMP4 segments behind an EXT-X-MAP.
const IMSC1_PLAYLIST: &str = "#EXTM3U
#EXT-X-TARGETDURATION:10
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI=\"subs-init.mp4\"
#EXTINF:10,
subs0.m4s
#EXTINF:10,
subs1.m4s
#EXT-X-ENDLIST
";

fn ttml(begin: &str, end: &str, text: &str) -> String {
    format!(
        "<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><div><p begin=\"{begin}\" end=\"{end}\">{text}</p></div></body></tt>"
    )
}

#[test]
fn imsc1_in_fmp4_segments_is_read_after_its_init_segment() {
    use crate::fmp4::stpp::tests::{fragment, init};
    let mut h = harness(in_language("en"), SimRemuxer::default());
    start(&mut h, TWO_LANGUAGES);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let sub = h.fetch_of(is_subtitle_playlist);
    h.answer(sub, IMSC1_PLAYLIST);
    let seg = h.fetch_of(|k| matches!(k, RequestKind::Segment { .. }));
    h.serve(seg);
    h.ack_appends();
    // The init segment first, then the segment.
    assert!(h.find_fetch(is_subtitle_segment).is_none());
    let init_req = h.fetch_of_url("/subs-init.mp4");
    h.answer(init_req, init());
    let first = h.fetch_of_url("/subs0.m4s");
    let doc = ttml("00:00:01.000", "00:00:03.000", "Hello<br/>there");
    h.answer(first, fragment(0, &[(10_000, &doc)]));
    let second = h.fetch_of_url("/subs1.m4s");
    let doc = ttml("00:00:12.000", "00:00:14.500", "Again");
    h.answer(second, fragment(10_000, &[(10_000, &doc)]));
    assert_eq!(
        cues_added(&h, 0),
        [
            (1.0, 3.0, "Hello\nthere".to_string()),
            (12.0, 14.5, "Again".to_string())
        ]
    );
    // The init segment is fetched once for both.
    let inits = h.fetches(|k| matches!(k, RequestKind::SubtitleInit { .. }));
    assert_eq!(inits.len(), 1);
    assert!(errors(&h).is_empty(), "{:?}", errors(&h));
}
