//! fMP4 renditions: the EXT-X-MAP init segment is fetched before the first segment that needs
//! it, once per URI and byte range, and given to the remuxer whenever the map changes.

use super::harness::{with_map, Content, Fetch, MASTER_URL};
use super::*;

fn fmp4() -> Harness {
    let mut h = Harness::new();
    h.content = Content {
        fmp4: true,
        ..Content::default()
    };
    h
}

fn is_init(k: &RequestKind) -> bool {
    matches!(k, RequestKind::InitSegment { .. })
}

/// Serve the open init fetch, then the segment fetch it unblocks; acknowledge the appends.
fn serve_init_then_segment(h: &mut Harness) {
    let init = h.fetch_of(is_init);
    h.serve(init);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    h.serve(seg);
    h.ack_appends();
}

#[test]
fn the_init_segment_is_fetched_before_the_first_segment_and_pushed_once() {
    let mut h = fmp4();
    h.input(Input::SetLevel(Some(0)));
    let outs = h.load_vod();
    // The playlist's first fetch is the init segment, not the media segment.
    let fetches: Vec<&Output> = outs
        .iter()
        .filter(|o| matches!(o, Output::Fetch { .. }))
        .collect();
    assert_eq!(fetches.len(), 1, "{fetches:?}");
    let init = h.find_fetch(is_init).expect("an init fetch");
    assert_eq!(init.url, "https://c/v/l0-init.mp4");
    assert_eq!(
        init.kind,
        RequestKind::InitSegment {
            stream: StreamKind::Main
        }
    );
    assert!(h.find_fetch(RequestKind::is_media_segment).is_none());
    serve_init_then_segment(&mut h);
    for _ in 0..2 {
        let seg = h.fetch_of(RequestKind::is_media_segment);
        h.serve(seg);
        h.ack_appends();
    }
    assert_eq!(h.segment_fetches().len(), 3);
    assert_eq!(h.fetches(is_init).len(), 1);
    let remux = h.engine.remuxer();
    assert_eq!(
        remux.inits,
        vec![b"init of https://c/v/l0-init.mp4".to_vec()]
    );
    assert_eq!(remux.pushes, 3);
}

#[test]
fn a_level_switch_loads_the_new_init_and_a_switch_back_reuses_the_cached_one() {
    let mut h = fmp4();
    h.load_vod();
    serve_init_then_segment(&mut h);
    h.input(Input::SetLevel(Some(1)));
    let playlist = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { level: 1 }));
    h.serve(playlist);
    serve_init_then_segment(&mut h);
    h.input(Input::SetLevel(Some(0)));
    h.media_at(15.0); // room in the buffer
                      // Level 0's playlist and init are known: its next segment goes out without them (after
                      // the level 1 segment already in flight).
    for _ in 0..2 {
        h.media_at(15.0);
        assert!(h.find_fetch(is_init).is_none());
        let seg = h.fetch_of(RequestKind::is_media_segment);
        h.serve(seg);
        h.ack_appends();
    }
    assert_eq!(
        h.segment_fetches().last().and_then(Fetch::segment_level),
        Some(0)
    );
    let inits: Vec<String> = h.fetches(is_init).into_iter().map(|f| f.url).collect();
    assert_eq!(
        inits,
        ["https://c/v/l0-init.mp4", "https://c/v/l1-init.mp4"]
    );
    let pushed: Vec<&[u8]> = h.engine.remuxer().inits.iter().map(Vec::as_slice).collect();
    assert_eq!(
        pushed,
        [
            b"init of https://c/v/l0-init.mp4".as_slice(),
            b"init of https://c/v/l1-init.mp4",
            b"init of https://c/v/l0-init.mp4",
        ]
    );
}

#[test]
fn a_byte_range_map_is_fetched_with_its_range() {
    let mut h = Harness::new();
    h.load(MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, harness::MASTER);
    let playlist = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    let text = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n\
        #EXT-X-MAP:URI=\"l0.cmfv\",BYTERANGE=\"800@0\"\n\
        #EXTINF:10,\n#EXT-X-BYTERANGE:50000@800\nl0.cmfv\n\
        #EXTINF:10,\n#EXT-X-BYTERANGE:50000\nl0.cmfv\n#EXT-X-ENDLIST\n";
    h.answer(playlist, text);
    let init = h.find_fetch(is_init).expect("an init fetch");
    assert_eq!(init.url, "https://c/v/l0.cmfv");
    let range = init.range.expect("a range");
    assert_eq!((range.offset, range.length), (0, 800));
    h.answer(init.req, b"init bytes".to_vec());
    let seg = h
        .find_fetch(RequestKind::is_media_segment)
        .expect("a segment fetch");
    let range = seg.range.expect("a range");
    assert_eq!((range.offset, range.length), (800, 50_000));
}

#[test]
fn an_init_segment_that_is_not_found_is_a_fatal_error_naming_its_url() {
    let mut h = fmp4();
    h.load_vod();
    let init = h.fetch_of(is_init);
    h.fail(init, 404, None);
    let e = h
        .events()
        .find_map(|(_, e)| match e {
            Event::Error(e) if e.fatal => Some(e.clone()),
            _ => None,
        })
        .expect("a fatal error");
    assert_eq!(e.url.as_deref(), Some("https://c/v/l0-init.mp4"));
    assert_eq!(e.cause, ErrorCause::Http { status: 404 });
    assert!(h.engine.is_failed());
}

#[test]
fn a_segment_streamed_in_chunks_gets_its_init_before_the_first_chunk() {
    let mut h = Harness::with_config(EngineConfig {
        progressive: true,
        ..EngineConfig::default()
    });
    h.content = Content {
        fmp4: true,
        ..Content::default()
    };
    h.load_vod();
    let init = h.fetch_of(is_init);
    h.serve(init);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    let body = h.body_for(&h.find_fetch(RequestKind::is_media_segment).unwrap());
    let (first, rest) = body.split_at(body.len() / 2);
    h.input(Input::Chunk {
        req: seg,
        data: first.to_vec(),
    });
    assert_eq!(
        h.engine.remuxer().inits,
        vec![b"init of https://c/v/l0-init.mp4".to_vec()]
    );
    h.input(Input::Chunk {
        req: seg,
        data: rest.to_vec(),
    });
    h.answer(seg, Vec::new());
    assert_eq!(h.engine.remuxer().inits.len(), 1);
    assert!(h.engine.remuxer().early_fragments >= 1);
}

#[test]
fn with_map_names_the_init_after_the_playlist() {
    let text = with_map(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nseg0.ts\n",
        "https://c/v/l1.m3u8",
    );
    assert!(text.contains("#EXT-X-MAP:URI=\"l1-init.mp4\"\n"), "{text}");
    assert!(text.contains("seg0.m4s\n"), "{text}");
}

#[test]
fn an_fmp4_ladder_with_audio_plays_to_the_end_with_each_init_fetched_once() {
    let ladder = Ladder::mediaconvert(120.0, 7)
        .with_audio(&[("English", "en"), ("Deutsch", "de")])
        .with_fmp4();
    let r = checked(sim::run(&fast(), &ladder, &recorded()));
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(r.fatal(), None);
    let inits: Vec<&str> = r
        .fetches
        .iter()
        .filter(|(_, k, _)| matches!(k, RequestKind::InitSegment { .. }))
        .map(|(_, _, u)| u.as_str())
        .collect();
    let mut unique = inits.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(inits.len(), unique.len(), "{inits:?}");
    assert!(
        inits.iter().any(|u| u.ends_with("/a0/init.mp4")),
        "{inits:?}"
    );
    // Every init was fetched before the first segment of its rendition.
    for init in &inits {
        let dir = init.trim_end_matches("init.mp4");
        let first_init = r.fetches.iter().position(|(_, _, u)| u == init);
        let first_seg = r
            .fetches
            .iter()
            .position(|(_, _, u)| u.starts_with(dir) && u.ends_with(".m4s"));
        assert!(first_init < first_seg, "{init}");
    }
}
