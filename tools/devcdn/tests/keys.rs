//! HLS key files (`EXT-X-KEY` URIs beside the playlists, as `make-sample.sh aes` writes them): their
//! content type, the signed cookies they sit behind, and the faults a player test aims at them.
// Test helpers as well as tests may panic: that is how they report a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use common::*;
use devcdn::Running;

/// 16 key bytes, a NUL and a 0x5a among them (the corrupt fault turns 0x5a into 0).
const KEY: [u8; 16] = [
    0x00, 0x5a, 0x10, 0xff, 0x3c, 0xa5, 0x01, 0x7e, 0x80, 0x42, 0x99, 0x0d, 0xee, 0x13, 0x37, 0xc0,
];
const KEY_PATH: &str = "/video/a_key1.key";

/// A server whose tree also holds the key file beside the playlist.
async fn start_with_key() -> Running {
    let cfg = config();
    std::fs::write(cfg.root.join("video/a_key1.key"), KEY).unwrap();
    start(cfg).await
}

#[tokio::test]
async fn key_files_are_binary_octet_stream_behind_the_signed_cookies() {
    let s = start_with_key().await;
    let r = get(s.cdn_addr, KEY_PATH, &[]).await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
    let c = good_cookies(&s);
    let r = get(s.cdn_addr, KEY_PATH, &[("Cookie", &c)]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("binary/octet-stream"));
    assert_eq!(r.header("content-length"), Some("16"));
    assert_eq!(r.body, KEY);
    // The demo's "expire cookies": the key is refused like a segment.
    control(s.cdn_addr, r#"{"advance": 7200}"#).await;
    let r = get(s.cdn_addr, KEY_PATH, &[("Cookie", &c)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
}

#[tokio::test]
async fn a_403_aimed_at_keys_refuses_the_next_key_only() {
    let s = start_with_key().await;
    let c = good_cookies(&s);
    let r = control(s.cdn_addr, r#"{"fault": {"path": "*.key", "kind": "403"}}"#).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Segments do not match the pattern.
    let r = get(s.cdn_addr, "/video/seg1.ts", &[("Cookie", &c)]).await;
    assert_eq!(r.status, 200);
    let r = get(s.cdn_addr, KEY_PATH, &[("Cookie", &c)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    let r = get(s.cdn_addr, KEY_PATH, &[("Cookie", &c)]).await;
    assert_eq!(r.body, KEY);
    let faults: Vec<_> = (s.state.log_since(0).into_iter())
        .filter(|e| e.path == KEY_PATH)
        .map(|e| (e.status, e.fault))
        .collect();
    assert_eq!(faults, [(403, Some("403".to_string())), (200, None)]);
}

#[tokio::test]
async fn corrupt_serves_a_wrong_key_of_the_right_length_once() {
    let s = start_with_key().await;
    let c = good_cookies(&s);
    let r = control(
        s.cdn_addr,
        r#"{"fault": {"path": "*.key", "kind": "corrupt"}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let status: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(status["faults"][0]["kind"], "corrupt");
    let r = get(s.cdn_addr, KEY_PATH, &[("Cookie", &c)]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("binary/octet-stream"));
    assert_eq!(r.header("content-length"), Some("16"));
    let xored: Vec<u8> = KEY.iter().map(|b| b ^ 0x5a).collect();
    assert_eq!(r.body, xored);
    assert!(r.body.iter().zip(KEY).all(|(a, b)| *a != b));
    // Used up: the next request gets the real key.
    let r = get(s.cdn_addr, KEY_PATH, &[("Cookie", &c)]).await;
    assert_eq!(r.body, KEY);
    let faults: Vec<_> = (s.state.log_since(0).into_iter())
        .filter(|e| e.path == KEY_PATH)
        .map(|e| e.fault)
        .collect();
    assert_eq!(faults, [Some("corrupt".to_string()), None]);
}

#[tokio::test]
async fn corrupt_applies_to_byte_ranges_of_any_object() {
    let s = start_with_key().await;
    let c = good_cookies(&s);
    control(
        s.cdn_addr,
        r#"{"fault": {"path": "*seg1.ts", "kind": "corrupt"}}"#,
    )
    .await;
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &c), ("Range", "bytes=100-1099")],
    )
    .await;
    assert_eq!(r.status, 206);
    let want: Vec<u8> = segment_bytes()[100..1100]
        .iter()
        .map(|b| b ^ 0x5a)
        .collect();
    assert_eq!(r.body, want);
}
