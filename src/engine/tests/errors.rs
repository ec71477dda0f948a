//! Every error event carries its typed cause with its position: tests match the variant, not
//! the message text.

use super::harness::{Harness, MASTER, MASTER_URL};
use super::*;
use crate::error::ErrorCategory;
use crate::playlist::PlaylistErrorKind;

fn errors(h: &Harness) -> Vec<PlayerError> {
    h.events()
        .filter_map(|(_, e)| match e {
            Event::Error(err) => Some(err.clone()),
            _ => None,
        })
        .collect()
}

/// The error events after the master loads and level 0's playlist answers `body`.
fn errors_for_level_playlist(body: &str) -> Vec<PlayerError> {
    let mut h = Harness::new();
    h.load(MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, MASTER);
    let playlist = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.answer(playlist, body);
    errors(&h)
}

#[test]
fn a_playlist_that_does_not_parse_names_its_line() {
    // Line 3: EXTINF with no duration.
    let errs = errors_for_level_playlist("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:abc,\na.ts\n");
    let e = errs.last().expect("an error event");
    assert!(e.fatal);
    assert_eq!(e.kind, ErrorKind::Parse);
    let ErrorCause::Playlist(p) = &e.cause else {
        panic!("not a playlist cause: {:?}", e.cause);
    };
    assert_eq!(p.line, 3);
    assert_eq!(e.cause.line(), Some(3));
    assert!(e.url.as_deref().is_some_and(|u| u.ends_with(".m3u8")));
}

#[test]
fn a_master_playlist_where_a_media_playlist_belongs_is_a_wrong_kind_cause() {
    let errs = errors_for_level_playlist(MASTER);
    let cause = &errs.last().expect("an error event").cause;
    assert!(
        matches!(cause, ErrorCause::Playlist(p) if matches!(p.kind, PlaylistErrorKind::WrongKind { expected: "media", .. })),
        "{cause:?}"
    );
}

#[test]
fn a_segment_that_does_not_remux_keeps_its_category() {
    let mut h = Harness::new();
    h.load_vod();
    h.advance_to(1.0);
    let seg = h.fetch_of(RequestKind::is_segment);
    h.answer(seg, b"not a segment".to_vec());
    let errs = errors(&h);
    let e = errs.last().expect("an error event");
    assert_eq!(e.kind, ErrorKind::Remux);
    assert!(
        matches!(&e.cause, ErrorCause::Remux(f) if f.category == ErrorCategory::Malformed),
        "{:?}",
        e.cause
    );
}

#[test]
fn a_quota_exceeded_append_names_its_source_buffer() {
    let mut h = Harness::new();
    h.load_vod();
    h.advance_to(1.0);
    let seg = h.fetch_of(RequestKind::is_segment);
    h.serve(seg);
    h.fail_appends(true);
    let errs = errors(&h);
    let e = errs.last().expect("an error event");
    assert!(
        matches!(
            e.cause,
            ErrorCause::SourceBuffer {
                op: SourceBufferOp::Quota,
                ..
            }
        ),
        "{:?}",
        e.cause
    );
    assert_eq!(e.kind, ErrorKind::Buffer);
}

#[test]
fn a_cdn_refusal_after_a_refresh_carries_status_and_cloudfront_code() {
    let mut h = Harness::new();
    h.load(MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    let denied = "<Error><Code>MissingKey</Code></Error>";
    h.fail(manifest, 403, Some(denied));
    h.input(Input::CredentialsRefreshed { expires: None });
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.fail(manifest, 403, Some(denied));
    let errs = errors(&h);
    let e = errs.last().expect("an error event");
    assert!(e.fatal);
    assert_eq!(
        e.cause,
        ErrorCause::Refused {
            status: 403,
            code: Some(CdnErrorCode::MissingKey)
        }
    );
    assert_eq!(e.cause.status(), Some(403));
    assert_eq!(e.cause.cdn_code(), Some("MissingKey"));
}
