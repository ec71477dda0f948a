//! Encrypted streams (EXT-X-KEY): keys fetched once and kept, their failures, segments that do
//! not decrypt, progressive decryption.

use super::harness::{encrypted, with_key, Content};
use super::*;
use crate::playlist::ByteRange;

const KEY: [u8; 16] = *b"0123456789abcdef";
const WRONG: [u8; 16] = *b"fedcba9876543210";

/// Segments small enough that building their ciphertext backwards stays quick.
fn encrypted_content() -> Content {
    Content {
        segments: 6,
        segment_bytes: 4_000,
        key: Some(KEY),
        ..Content::default()
    }
}

/// A harness serving `content`, the VOD loaded.
fn loaded(content: Content) -> Harness {
    let mut h = Harness::new();
    h.content = content;
    h.load_vod();
    h
}

/// The key request open now.
fn key_request(h: &Harness) -> RequestId {
    h.fetch_of(|k| matches!(k, RequestKind::Key))
}

fn key_fetches(h: &Harness) -> usize {
    h.fetches(|k| matches!(k, RequestKind::Key)).len()
}

fn errors_of(h: &Harness, kind: ErrorKind) -> Vec<PlayerError> {
    h.events()
        .filter_map(|(_, e)| match e {
            Event::Error(err) if err.kind == kind => Some(err.clone()),
            _ => None,
        })
        .collect()
}

fn appended_seconds(h: &Harness) -> f64 {
    h.buffered.ahead(0.0, 0.1)
}

#[test]
fn an_aes_128_stream_fetches_its_key_once_and_plays_to_the_end() {
    let mut h = loaded(encrypted_content());
    // The key and the first segment go out at once (one round trip less before the first frame).
    let open: Vec<RequestKind> = h.open_fetches().iter().map(|f| f.kind).collect();
    assert_eq!(
        open,
        vec![
            RequestKind::Key,
            RequestKind::Segment {
                level: 0,
                sequence: 0
            }
        ]
    );
    h.play(80.0);
    assert!(h.ended, "{:?}", h.events().collect::<Vec<_>>());
    assert_eq!(key_fetches(&h), 1, "one key for every segment");
    assert_eq!(h.segment_fetches().len(), 6);
    assert!(errors_of(&h, ErrorKind::Decrypt).is_empty());
    assert!((appended_seconds(&h) - 60.0).abs() < 0.01);
}

#[test]
fn a_key_in_flight_is_requested_once_however_often_the_scheduler_asks() {
    let mut h = loaded(encrypted_content());
    for t in 1..20 {
        h.advance_to(f64::from(t) * 0.1);
        h.media();
    }
    assert_eq!(key_fetches(&h), 1);
    assert_eq!(
        h.segment_fetches().len(),
        1,
        "the segment goes out with the key"
    );
}

#[test]
fn a_key_of_the_wrong_length_is_one_fatal_key_error_naming_the_url_and_length() {
    let mut h = loaded(encrypted_content());
    let key = key_request(&h);
    h.answer(key, b"<html>denied</html>".to_vec());
    let errors = errors_of(&h, ErrorKind::Key);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(e.fatal);
    assert_eq!(e.cause, ErrorCause::Key { len: 19 });
    assert!(
        e.details.contains("19 bytes") && e.details.contains("16"),
        "{e:?}"
    );
    assert_eq!(e.url.as_deref(), Some("https://c/v/k.key"));
    // The fatal error stopped the segment that went out with the key: nothing reached the buffer.
    assert!(h.open_fetches().is_empty(), "{:?}", h.open_fetches());
    assert!(h.pending_appends().is_empty() && appended_seconds(&h) == 0.0);
}

/// Loads the encrypted VOD and answers its first segment as `answer` says, before the key;
/// then the key. What was appended.
fn segment_before_key(answer: impl FnOnce(&mut Harness, RequestId, &[u8])) -> Vec<u8> {
    let mut h = loaded(encrypted_content());
    let key = key_request(&h);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    let (body, _) = encrypted(&KEY, &sim::remux::segment_bytes(4_000, 10.0));
    answer(&mut h, seg, &body);
    assert!(h.pending_appends().is_empty(), "nothing before the key");
    h.serve(key);
    let errors = errors_of(&h, ErrorKind::Decrypt);
    assert!(errors.is_empty(), "{errors:?}");
    h.pending_appends()
        .iter()
        .flat_map(|a| a.data.iter().copied())
        .collect()
}

#[test]
fn a_segment_that_arrives_before_its_key_waits_for_it_whole_or_in_chunks() {
    let whole = segment_before_key(|h, seg, body| {
        h.answer(seg, body.to_vec());
    });
    assert!(!whole.is_empty(), "appended once the key came");
    let chunks_then_end = segment_before_key(|h, seg, body| {
        for chunk in body.chunks(1000) {
            h.input(Input::Chunk {
                req: seg,
                data: chunk.to_vec(),
            });
        }
        h.answer(seg, Vec::new());
    });
    assert_eq!(chunks_then_end, whole);
    // Half the body before the key, the rest after it.
    let mut h = loaded(encrypted_content());
    let key = key_request(&h);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    let (body, _) = encrypted(&KEY, &sim::remux::segment_bytes(4_000, 10.0));
    let (first, rest) = body.split_at(2_000);
    h.input(Input::Chunk {
        req: seg,
        data: first.to_vec(),
    });
    h.serve(key);
    h.input(Input::Chunk {
        req: seg,
        data: rest.to_vec(),
    });
    h.answer(seg, Vec::new());
    let split: Vec<u8> = h
        .pending_appends()
        .iter()
        .flat_map(|a| a.data.iter().copied())
        .collect();
    assert_eq!(split, whole);
}

#[test]
fn a_key_refused_by_the_cdn_is_refreshed_once_and_the_same_url_retried() {
    let mut h = loaded(encrypted_content());
    let key = key_request(&h);
    let outs = h.fail(key, 403, Some("<Error><Code>AccessDenied</Code></Error>"));
    assert!(outs.contains(&Output::RefreshCredentials), "{outs:?}");
    h.input(Input::CredentialsRefreshed { expires: None });
    let keys = h.fetches(|k| matches!(k, RequestKind::Key));
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].url, keys[1].url);
    h.play(80.0);
    assert!(h.ended);
    assert!(errors_of(&h, ErrorKind::Decrypt).is_empty());
}

#[test]
fn a_wrong_key_is_refetched_once_then_one_fatal_decrypt_error_naming_the_segment() {
    let mut h = loaded(Content {
        wrong_key: Some(WRONG),
        ..encrypted_content()
    });
    h.play(20.0);
    let errors = errors_of(&h, ErrorKind::Decrypt);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(!errors[0].fatal && errors[1].fatal);
    for e in &errors {
        assert_eq!(e.cause, ErrorCause::Decrypt { sequence: 0 });
        assert_eq!(e.url.as_deref(), Some("https://c/v/seg0.ts"));
        assert!(
            e.details.contains("segment 0") && e.details.contains("k.key"),
            "{e:?}"
        );
    }
    assert!(errors[0].details.contains("refetching the key"));
    assert_eq!(key_fetches(&h), 2, "the key is fetched again once");
    let seg0 = h.segment_fetches();
    assert_eq!(seg0.len(), 2, "{seg0:?}");
    assert!(seg0.iter().all(|f| f.url.ends_with("seg0.ts")));
    assert!(h.pending_appends().is_empty() && appended_seconds(&h) == 0.0);
}

#[test]
fn a_wrong_key_then_the_right_one_plays_on_after_one_decrypt_error() {
    let mut h = loaded(Content {
        wrong_key: Some(WRONG),
        ..encrypted_content()
    });
    let key = key_request(&h);
    h.serve(key);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    h.serve(seg);
    assert_eq!(errors_of(&h, ErrorKind::Decrypt).len(), 1);
    // The origin now serves the right key.
    h.content.wrong_key = None;
    h.play(80.0);
    assert!(h.ended);
    let errors = errors_of(&h, ErrorKind::Decrypt);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(!errors[0].fatal);
    assert!((appended_seconds(&h) - 60.0).abs() < 0.01);
}

#[test]
fn a_segment_decrypted_as_its_bytes_arrive_gives_what_the_whole_body_gives() {
    let whole = {
        let mut h = loaded(encrypted_content());
        let key = key_request(&h);
        h.serve(key);
        let seg = h.fetch_of(RequestKind::is_media_segment);
        h.serve(seg);
        h.pending_appends().to_vec()
    };
    let mut h = loaded(encrypted_content());
    let key = key_request(&h);
    h.serve(key);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    let (body, _) = encrypted(&KEY, &sim::remux::segment_bytes(4_000, 10.0));
    // Chunks that split blocks anywhere, the padding block last on its own.
    let mut at = 0;
    for size in [1, 15, 17, 100, 1000, 2000] {
        let end = (at + size).min(body.len());
        h.input(Input::Chunk {
            req: seg,
            data: body[at..end].to_vec(),
        });
        at = end;
    }
    h.input(Input::Chunk {
        req: seg,
        data: body[at..].to_vec(),
    });
    h.answer(seg, Vec::new());
    assert!(errors_of(&h, ErrorKind::Decrypt).is_empty());
    let streamed: Vec<u8> = h
        .pending_appends()
        .iter()
        .flat_map(|a| a.data.iter().copied())
        .collect();
    let whole: Vec<u8> = whole.iter().flat_map(|a| a.data.iter().copied()).collect();
    assert_eq!(streamed, whole);
}

#[test]
fn key_bytes_appear_in_no_output() {
    let mut h = loaded(Content {
        wrong_key: Some(WRONG),
        ..encrypted_content()
    });
    h.play(20.0);
    let log = format!("{:?}", h.events().collect::<Vec<_>>());
    for key in [KEY, WRONG] {
        let text = String::from_utf8_lossy(&key).into_owned();
        assert!(!log.contains(&text), "key bytes in {log}");
        let bytes = format!("{:?}", key.to_vec());
        assert!(
            !log.contains(bytes.trim_matches(['[', ']'])),
            "key bytes in {log}"
        );
    }
}

#[test]
fn an_encrypted_init_segment_is_decrypted_before_the_remuxer_gets_it() {
    let mut h = loaded(Content {
        fmp4: true,
        ..encrypted_content()
    });
    h.play(80.0);
    assert!(h.ended, "{:?}", h.events().collect::<Vec<_>>());
    assert_eq!(key_fetches(&h), 1, "one key for the init and the segments");
    assert!(errors_of(&h, ErrorKind::Decrypt).is_empty());
    let inits = &h.engine.main.remux.inits;
    assert_eq!(inits, &vec![harness::init_of("https://c/v/l0-init.mp4")]);
}

#[test]
fn a_sample_aes_segment_goes_to_the_transmuxer_clear_with_its_key_and_iv() {
    let mut h = Harness::new();
    h.load(harness::MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, harness::MASTER);
    let playlist = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    let text = harness::media_playlist(3).replacen(
        "#EXTINF",
        "#EXT-X-MEDIA-SEQUENCE:5\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k.key\",KEYFORMAT=\"identity\"\n#EXTINF",
        1,
    );
    h.answer(playlist, text);
    let key = key_request(&h);
    h.answer(key, KEY.to_vec());
    let seg = h.fetch_of(RequestKind::is_media_segment);
    // The body is not decrypted by the engine: the transmuxer decrypts the samples inside.
    h.answer(seg, sim::remux::segment_bytes(4_000, 10.0));
    let info = h
        .engine
        .main
        .remux
        .last_info
        .expect("the segment was pushed");
    let key = info.sample_aes.expect("SAMPLE-AES key passed on");
    assert_eq!(key.key, KEY);
    assert_eq!(
        key.iv,
        5u128.to_be_bytes(),
        "no IV: the media sequence number"
    );
    assert!(errors_of(&h, ErrorKind::Decrypt).is_empty());
}

#[test]
fn the_wait_for_a_key_is_not_counted_as_the_segments_download_time() {
    let mut h = loaded(encrypted_content());
    let key = key_request(&h);
    let seg = h.fetch_of(RequestKind::is_media_segment);
    let sent = h.now;
    h.advance_to(sent + 0.5);
    let (body, _) = encrypted(&KEY, &sim::remux::segment_bytes(4_000, 10.0));
    h.answer(seg, body);
    // The key is slow: 4 s more.
    h.advance_to(sent + 4.5);
    h.serve(key);
    let load_s = h
        .events()
        .find_map(|(_, e)| match e {
            Event::SegmentLoaded { load_s, .. } => Some(*load_s),
            _ => None,
        })
        .expect("the segment was taken once its key came");
    assert!(
        (load_s - 0.5).abs() < 1e-9,
        "load_s {load_s}: the ABR would see the key's wait"
    );
    assert!(!h.pending_appends().is_empty());
}

#[test]
fn byte_ranges_of_one_file_decrypt_each_on_their_own_with_the_key_iv() {
    // ffmpeg's `-hls_flags single_file` with a key: one file, each EXT-X-BYTERANGE encrypted on
    // its own with the tag's IV, as RFC 8216 encrypts each media segment.
    let mut h = Harness::new();
    h.content = encrypted_content();
    let (body, iv) = encrypted(&KEY, &sim::remux::segment_bytes(4_000, 10.0));
    let n = body.len() as u64;
    let mut playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n".to_string();
    for i in 0..3 {
        playlist.push_str(&format!(
            "#EXTINF:10,\n#EXT-X-BYTERANGE:{n}@{}\nall.ts\n",
            i * n
        ));
    }
    playlist.push_str("#EXT-X-ENDLIST\n");
    h.load_with(&with_key(&playlist, "#EXTINF", iv));
    h.play(40.0);
    assert!(h.ended, "{:?}", h.events().collect::<Vec<_>>());
    let fetched: Vec<(String, Option<ByteRange>)> = h
        .segment_fetches()
        .into_iter()
        .map(|f| (f.url, f.range))
        .collect();
    let want: Vec<(String, Option<ByteRange>)> = (0..3)
        .map(|i| {
            let range = ByteRange {
                offset: i * n,
                length: n,
            };
            ("https://c/v/all.ts".to_string(), Some(range))
        })
        .collect();
    assert_eq!(fetched, want);
    assert_eq!(key_fetches(&h), 1);
    assert!(errors_of(&h, ErrorKind::Decrypt).is_empty());
    assert!((appended_seconds(&h) - 30.0).abs() < 0.01);
}
