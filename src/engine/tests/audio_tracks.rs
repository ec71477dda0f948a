//! Audio tracks by hand: a level switch into another AUDIO group keeps the language, and a
//! switch between the variants' muxed audio and a rendition with its own playlist moves the
//! audio SourceBuffer from one stream to the other.

use super::harness::MASTER_URL;
use super::*;

/// Two levels in two audio groups, each with English and French (as 2- and 3-letter codes).
const TWO_GROUPS: &str = "#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"lo\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"lo-en.m3u8\"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"lo\",NAME=\"Français\",LANGUAGE=\"fr\",AUTOSELECT=YES,URI=\"lo-fr.m3u8\"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"hi\",NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES,URI=\"hi-en.m3u8\"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"hi\",NAME=\"Français\",LANGUAGE=\"fre\",AUTOSELECT=YES,URI=\"hi-fr.m3u8\"
#EXT-X-STREAM-INF:BANDWIDTH=1096000,CODECS=\"avc1.4d401e,mp4a.40.5\",AUDIO=\"lo\"
l0.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2096000,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"hi\"
l1.m3u8
";

/// The variants' muxed audio (no URI) and a commentary rendition with its own playlist.
const MUXED_AND_OWN: &str = "#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Main\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Commentary\",LANGUAGE=\"en\",AUTOSELECT=YES,URI=\"commentary.m3u8\"
#EXT-X-STREAM-INF:BANDWIDTH=1096000,AUDIO=\"aud\"
l0.m3u8
";

fn start(h: &mut Harness, master: &str) {
    h.input(Input::SetLevel(Some(0)));
    h.load(MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, master);
}

fn is_audio_playlist(k: &RequestKind) -> bool {
    matches!(k, RequestKind::AudioPlaylist { .. })
}

fn audio_events(h: &Harness) -> Vec<Event> {
    h.events()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::AudioTracksUpdated { .. }
                    | Event::AudioTrackSwitching { .. }
                    | Event::AudioTrackSwitched { .. }
            )
        })
        .map(|(_, e)| e.clone())
        .collect()
}

/// Serve every open request once (playlists and segments), acknowledging appends.
fn serve_open(h: &mut Harness) {
    let open: Vec<RequestId> = h.open_fetches().iter().map(|f| f.req).collect();
    for req in open {
        if h.open_fetches().iter().any(|f| f.req == req) {
            h.serve(req);
        }
    }
    h.ack_appends();
}

fn appends_to(h: &Harness, track: TrackId) -> usize {
    h.log
        .iter()
        .filter(|l| matches!(&l.output, Output::Append { track: t, .. } if *t == track))
        .count()
}

#[test]
fn a_level_switch_into_another_audio_group_keeps_the_language() {
    let mut h = Harness::new();
    start(&mut h, TWO_GROUPS);
    assert_eq!(h.engine.audio_track(), Some(0));
    let names: Vec<String> = h
        .engine
        .audio_tracks()
        .iter()
        .map(|t| t.group_id.clone())
        .collect();
    assert_eq!(names, ["lo", "lo"]);
    h.input(Input::SetAudioTrack(1));
    let fr = h.find_fetch(is_audio_playlist).expect("French playlist");
    assert!(fr.url.ends_with("/lo-fr.m3u8"), "{}", fr.url);
    serve_open(&mut h);
    serve_open(&mut h);
    h.forget_outputs();
    h.input(Input::SetLevel(Some(1)));
    for _ in 0..3 {
        h.media_at(5.0);
        serve_open(&mut h);
    }
    let events = audio_events(&h);
    let hi: Vec<(usize, String, Option<String>)> = h
        .engine
        .audio_tracks()
        .iter()
        .map(|t| (t.id, t.group_id.clone(), t.lang.clone()))
        .collect();
    assert_eq!(
        hi,
        [
            (0, "hi".to_string(), Some("eng".to_string())),
            (1, "hi".to_string(), Some("fre".to_string()))
        ]
    );
    assert!(
        matches!(events.first(), Some(Event::AudioTracksUpdated { audio_tracks }) if audio_tracks.len() == 2 && audio_tracks[1].group_id == "hi"),
        "{events:?}"
    );
    assert_eq!(events.get(1), Some(&Event::AudioTrackSwitching { id: 1 }));
    assert_eq!(h.engine.audio_track(), Some(1));
    let playlists: Vec<String> = h
        .fetches(is_audio_playlist)
        .into_iter()
        .map(|f| f.url)
        .collect();
    assert_eq!(playlists, ["https://c/v/hi-fr.m3u8"]);
    // The audio stream continues where it was: nothing flushed.
    assert!(
        h.removals().iter().all(|r| r.end.is_finite()),
        "{:?}",
        h.removals()
    );
}

#[test]
fn the_muxed_audio_stops_feeding_the_audio_buffer_while_a_rendition_of_its_own_plays() {
    let mut h = Harness::split_tracks();
    start(&mut h, MUXED_AND_OWN);
    serve_open(&mut h);
    serve_open(&mut h);
    assert!(
        h.find_fetch(is_audio_playlist).is_none(),
        "muxed: no audio playlist"
    );
    let (video, audio) = (TrackId(0), TrackId(1));
    assert!(appends_to(&h, audio) > 0, "the muxed audio is appended");
    // To the commentary: the audio ahead is flushed and the rendition fetched.
    h.input(Input::SetAudioTrack(1));
    let flush = h.removals().into_iter().find(|r| r.end.is_infinite());
    assert_eq!(flush.map(|r| r.track), Some(audio));
    let playlist = h.fetch_of(is_audio_playlist);
    h.serve(playlist);
    h.ack_removes();
    h.forget_outputs();
    // A main segment now feeds the video SourceBuffer only.
    h.media_at(15.0);
    let main = h.fetch_of(|k| matches!(k, RequestKind::Segment { .. }));
    h.serve(main);
    h.ack_appends();
    assert_eq!(appends_to(&h, audio), 0);
    assert!(appends_to(&h, video) > 0);
    let own = h.fetch_of(|k| matches!(k, RequestKind::AudioSegment { .. }));
    h.serve(own);
    h.ack_appends();
    assert!(appends_to(&h, audio) > 0);
    assert_eq!(
        audio_events(&h).last(),
        Some(&Event::AudioTrackSwitched { id: 1 })
    );
    // Back to the muxed audio: the audio stream stops, the main stream refetches from the
    // playhead, and its audio feeds the audio SourceBuffer again.
    h.forget_outputs();
    h.input(Input::SetAudioTrack(0));
    assert!(h
        .find_fetch(|k| matches!(k, RequestKind::AudioSegment { .. }))
        .is_none());
    let main = h
        .find_fetch(|k| matches!(k, RequestKind::Segment { .. }))
        .expect("main refetch");
    assert_eq!(
        main.sequence(),
        Some(1),
        "the segment holding the playhead (15 s)"
    );
    h.serve(main.req);
    h.ack_removes();
    h.ack_appends();
    assert!(appends_to(&h, audio) > 0);
    assert_eq!(
        audio_events(&h),
        [
            Event::AudioTrackSwitching { id: 0 },
            Event::AudioTrackSwitched { id: 0 }
        ]
    );
}

#[test]
fn the_audio_stream_takes_the_mapping_the_main_stream_set_for_its_domain() {
    let mut h = Harness::new();
    start(&mut h, TWO_GROUPS);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.serve(level);
    let audio = h.fetch_of(is_audio_playlist);
    h.serve(audio);
    let main = h.fetch_of(|k| matches!(k, RequestKind::Segment { .. }));
    h.serve(main);
    assert!(
        h.engine.remuxer().imposed.is_empty(),
        "the first to map places itself"
    );
    let own = h.fetch_of(|k| matches!(k, RequestKind::AudioSegment { .. }));
    h.serve(own);
    let audio_remux = &h.engine.alt_audio.as_ref().expect("an audio stream").remux;
    assert_eq!(audio_remux.imposed, [0.0], "the main stream's mapping");
}

/// A VOD media playlist of `n` 10-second segments numbered from `first`.
fn numbered_from(first: u64, n: u64) -> String {
    let mut s = format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    );
    for i in first..first + n {
        s.push_str(&format!("#EXTINF:10,\ns{i}.m4s\n"));
    }
    s + "#EXT-X-ENDLIST\n"
}

#[test]
fn an_audio_playlist_numbered_otherwise_than_the_video_starts_at_zero_too() {
    // Regression: the audio playlist (MEDIA-SEQUENCE 0, as ffmpeg writes) was anchored on the
    // video playlist (MEDIA-SEQUENCE 1, as MediaConvert writes) by sequence number, so every
    // audio segment played 10 s late.
    let mut h = Harness::new();
    start(&mut h, TWO_GROUPS);
    let level = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.answer(level, numbered_from(1, 6));
    let audio = h.fetch_of(is_audio_playlist);
    h.answer(audio, numbered_from(0, 6));
    let seg = h
        .find_fetch(|k| matches!(k, RequestKind::AudioSegment { .. }))
        .expect("an audio segment fetch");
    assert_eq!(
        seg.kind,
        RequestKind::AudioSegment {
            track: 0,
            sequence: 0
        },
        "the audio segment at 0 s"
    );
}

/// At `position`, switch to audio track `id` and serve everything until the buffer is full.
fn switch_audio_and_fill(h: &mut Harness, position: f64, id: usize) {
    h.media_at(position);
    h.input(Input::SetAudioTrack(id));
    h.ack_removes();
    h.fill();
    h.ack_removes();
}

#[test]
fn audio_switches_after_the_whole_vod_is_buffered_refetch_to_the_end_and_end_again() {
    // The whole 200 s VOD fits the buffer goal, so EndOfStream is sent before any switch (a
    // peer player stalls for good when it then goes back from a rendition to the muxed audio).
    let mut h = Harness::split_tracks_with(EngineConfig {
        buffer_goal: 600.0,
        max_buffer_length: 600.0,
        ..EngineConfig::default()
    });
    start(&mut h, MUXED_AND_OWN);
    h.fill();
    let ends = |h: &Harness| {
        h.log
            .iter()
            .filter(|l| l.output == Output::EndOfStream)
            .count()
    };
    assert!(
        h.ended && ends(&h) == 1,
        "the VOD is in and its end signalled"
    );
    let (video, audio) = (TrackId(0), TrackId(1));
    let segments = |h: &Harness, kind: fn(&RequestKind) -> bool| -> Vec<u64> {
        h.fetches(kind)
            .iter()
            .filter_map(|f| f.sequence())
            .collect()
    };
    let main = |k: &RequestKind| matches!(k, RequestKind::Segment { .. });
    let own = |k: &RequestKind| matches!(k, RequestKind::AudioSegment { .. });
    assert_eq!(segments(&h, main), (0..20).collect::<Vec<_>>());

    // To the commentary at 15 s: its segments from the one holding the playhead to the end.
    // After a switch to `id`: the stream ended `times` times in all, the switch reported.
    let ended_after_switch = |h: &Harness, times: usize, id: usize, why: &str| {
        assert!(h.ended && ends(h) == times, "{why}");
        assert_eq!(
            audio_events(h).last(),
            Some(&Event::AudioTrackSwitched { id })
        );
    };
    switch_audio_and_fill(&mut h, 15.0, 1);
    assert_eq!(segments(&h, own), (1..20).collect::<Vec<_>>());
    ended_after_switch(&h, 2, 1, "ended again after the rendition's last segment");

    // Back to the muxed audio at 35 s: the main stream refetches from segment 3 to the end and
    // feeds both SourceBuffers; the stream ends a third time.
    h.forget_outputs();
    switch_audio_and_fill(&mut h, 35.0, 0);
    let refetched = segments(&h, main);
    assert_eq!(refetched, (3..20).collect::<Vec<_>>());
    assert!(
        appends_to(&h, audio) >= 17,
        "the muxed audio is appended again"
    );
    assert!(appends_to(&h, video) >= 17);
    ended_after_switch(&h, 1, 0, "ended again after the last muxed segment");
}
