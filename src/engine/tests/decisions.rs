//! The debug log (`EngineConfig::debug`): level choices with their reason, retries, credential
//! refreshes and key fetches reported as `Output::Debug`, with signed URLs redacted; nothing when
//! it is off.

use super::*;

const SIGNED_MASTER: &str =
    "https://cdn.example.com/v/master.m3u8?Policy=eyJhbGc&Signature=abc~~&Key-Pair-Id=K2ABC";

const ACCESS_DENIED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>"#;

fn debugging() -> Harness {
    Harness::with_config(EngineConfig {
        debug: true,
        ..EngineConfig::default()
    })
}

fn assert_redacted(line: &str) {
    assert!(
        !line.contains("abc~~") && !line.contains("eyJhbGc") && !line.contains("K2ABC"),
        "{line}"
    );
    assert!(line.contains("Signature=REDACTED"), "{line}");
}

/// The signed master loaded, its first level chosen: the level's playlist request.
fn signed_start(h: &mut Harness) -> RequestId {
    h.load(SIGNED_MASTER);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, harness::MASTER);
    h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }))
}

#[test]
fn the_start_level_is_logged_with_its_reason_estimate_and_redacted_playlist_url() {
    let mut h = debugging();
    signed_start(&mut h);
    let lines = h.debug_lines();
    let level = lines.iter().find(|l| l.starts_with("level ")).unwrap();
    assert!(level.contains("(start; estimate 0.50 Mbit/s"), "{level}");
    assert!(
        level.contains("https://cdn.example.com/v/l0.m3u8?"),
        "{level}"
    );
    assert_redacted(level);
}

#[test]
fn a_manual_switch_is_logged_as_manual_from_the_old_level() {
    let mut h = debugging();
    h.play_one_segment();
    h.input(Input::SetLevel(Some(1)));
    h.play(30.0);
    let lines = h.debug_lines();
    assert!(
        lines.iter().any(|l| l.starts_with("level 0 -> 1 (manual;")),
        "{lines:?}"
    );
}

#[test]
fn a_retry_is_logged_with_its_cause_attempt_delay_and_redacted_url() {
    let mut h = debugging();
    let playlist = signed_start(&mut h);
    h.advance_to(0.1);
    h.fail(playlist, 503, None);
    let lines = h.debug_lines();
    let retry = lines.iter().find(|l| l.starts_with("retry ")).unwrap();
    assert!(retry.starts_with("retry 1 in "), "{retry}");
    assert!(
        retry.contains(" s (HTTP 503) https://cdn.example.com/v/l0.m3u8?"),
        "{retry}"
    );
    assert_redacted(retry);
}

#[test]
fn a_refresh_after_a_refusal_is_logged_with_the_refused_url_redacted() {
    let mut h = debugging();
    let playlist = signed_start(&mut h);
    h.advance_to(0.1);
    h.fail(playlist, 403, Some(ACCESS_DENIED));
    let lines = h.debug_lines();
    let refresh = lines
        .iter()
        .find(|l| l.starts_with("credentials refresh"))
        .unwrap();
    assert!(
        refresh.starts_with("credentials refresh: the CDN refused https://cdn.example.com/v/l0"),
        "{refresh}"
    );
    assert_redacted(refresh);
}

#[test]
fn a_key_fetch_is_logged_with_the_key_url() {
    let mut h = debugging();
    h.content = harness::Content {
        segments: 2,
        segment_bytes: 4_000,
        key: Some(*b"0123456789abcdef"),
        ..harness::Content::default()
    };
    h.load_vod();
    let lines = h.debug_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("key fetch https://c/v/")),
        "{lines:?}"
    );
}

#[test]
fn nothing_is_logged_without_debug() {
    let mut h = Harness::new();
    let playlist = signed_start(&mut h);
    h.advance_to(0.1);
    h.fail(playlist, 503, None);
    h.play(30.0);
    assert!(h.fetches(RequestKind::is_segment).len() > 1);
    assert_eq!(h.debug_lines(), Vec::<String>::new());
}

#[test]
fn an_abr_switch_up_is_logged_as_abr_with_the_estimate_that_allowed_it() {
    let mut h = debugging();
    h.load_vod();
    h.play(60.0);
    let lines = h.debug_lines();
    let up = lines
        .iter()
        .find(|l| l.starts_with("level 0 -> 1 (abr; estimate "))
        .unwrap_or_else(|| panic!("{lines:?}"));
    // The harness serves 3.2 Mbps: the estimate that chose the 2.1 Mbps level is above it.
    let estimate: f64 = up
        .split("estimate ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(estimate > 2.1, "{up}");
    assert!(up.ends_with("https://c/v/l1.m3u8"), "{up}");
}
