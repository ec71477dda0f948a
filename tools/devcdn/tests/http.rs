//! HTTP behaviour: CORS, validators, ranges, edge-cache headers, content types, S3-style errors, and
//! bad input that must get a 4xx (never a panic, never a file outside the root).
// Test helpers as well as tests may panic: that is how they report a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use common::*;

const ORIGIN: &str = "http://localhost:8080";

fn cors_config() -> devcdn::Config {
    let mut cfg = config();
    cfg.allow_origins = vec![ORIGIN.into()];
    cfg
}

#[tokio::test]
async fn cors_for_credentialed_requests() {
    let s = start(cors_config()).await;
    let cookies = good_cookies(&s);
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", &cookies), ("Origin", ORIGIN)],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert!(r
        .header("access-control-expose-headers")
        .unwrap()
        .contains("X-Cache"));
    assert_eq!(r.header("vary"), Some("Origin"));
    // Not on the list: no CORS headers (the browser blocks the read), still Vary.
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", &cookies), ("Origin", "http://evil.example")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("vary"), Some("Origin"));
    // Without an Origin (same-origin or curl) there is nothing to allow.
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookies)]).await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Errors carry CORS headers by default so the page can read the 403.
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Origin", ORIGIN)]).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn no_cors_on_errors_reproduces_the_opaque_failure() {
    let mut cfg = cors_config();
    cfg.cors_on_errors = false;
    let s = start(cfg).await;
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Origin", ORIGIN)]).await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Successes still have them.
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Origin", ORIGIN), ("Cookie", &good_cookies(&s))],
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    // And it can be switched back at run time.
    control(s.cdn_addr, r#"{"cors_on_errors": true}"#).await;
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Origin", ORIGIN)]).await;
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn preflight_needs_no_cookies() {
    let s = start(cors_config()).await;
    let r = request(
        s.cdn_addr,
        "OPTIONS",
        "/video/seg1.ts",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "range, x-custom"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("range, x-custom")
    );
    let r = request(
        s.cdn_addr,
        "OPTIONS",
        "/video/seg1.ts",
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn ranges_and_validators() {
    let s = start(config()).await;
    let c = good_cookies(&s);
    let seg = segment_bytes();
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &c), ("Range", "bytes=100-299")],
    )
    .await;
    assert_eq!(r.status, 206);
    assert_eq!(r.header("content-range"), Some("bytes 100-299/300000"));
    assert_eq!(r.body, &seg[100..300]);
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &c), ("Range", "bytes=-10")],
    )
    .await;
    assert_eq!(r.status, 206);
    assert_eq!(r.body, &seg[299_990..]);
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &c), ("Range", "bytes=299999-")],
    )
    .await;
    assert_eq!(r.body, &seg[299_999..]);
    for absurd in [
        "bytes=300000-",
        "bytes=99999999999999999999999999-",
        "bytes=-0",
    ] {
        let r = get(
            s.cdn_addr,
            "/video/seg1.ts",
            &[("Cookie", &c), ("Range", absurd)],
        )
        .await;
        assert_eq!(r.status, 416, "{absurd}");
        assert_eq!(r.header("content-range"), Some("bytes */300000"));
    }
    // Invalid or multi-range headers are ignored: the whole object.
    for ignored in [
        "bytes=5-2",
        "bytes=0-1,4-5",
        "pages=1-2",
        "bytes=x-y",
        "bytes=--",
    ] {
        let r = get(
            s.cdn_addr,
            "/video/seg1.ts",
            &[("Cookie", &c), ("Range", ignored)],
        )
        .await;
        assert_eq!(r.status, 200, "{ignored}");
        assert_eq!(r.body.len(), 300_000);
    }
    // 304 on If-None-Match; ETag and Last-Modified present.
    let r = get(s.cdn_addr, "/video/seg1.ts", &[("Cookie", &c)]).await;
    let etag = r.header("etag").unwrap().to_string();
    assert!(r.header("last-modified").is_some());
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert_eq!(r.header("cache-control"), Some("max-age=86400"));
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &c), ("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &c), ("If-None-Match", "\"other\"")],
    )
    .await;
    assert_eq!(r.status, 200);
    // If-Range with a stale validator: the whole object instead of the range.
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[
            ("Cookie", &c),
            ("Range", "bytes=0-9"),
            ("If-Range", "\"stale\""),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
    // HEAD: headers, no body.
    let r = request(s.cdn_addr, "HEAD", "/video/seg1.ts", &[("Cookie", &c)], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("300000"));
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn x_cache_miss_then_hit_with_age() {
    let s = start(config()).await;
    let c = good_cookies(&s);
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &c)]).await;
    assert_eq!(r.header("x-cache"), Some("Miss from cloudfront"));
    assert_eq!(r.header("age"), None);
    assert_eq!(r.header("server"), Some("AmazonS3"));
    assert!(r.header("via").unwrap().contains("CloudFront"));
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &c)]).await;
    assert_eq!(r.header("x-cache"), Some("Hit from cloudfront"));
    assert_eq!(r.header("age"), Some("0"));
    control(s.cdn_addr, r#"{"reset": true}"#).await;
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &c)]).await;
    assert_eq!(r.header("x-cache"), Some("Miss from cloudfront"));
}

#[tokio::test]
async fn content_types() {
    let s = start(config()).await;
    let c = good_cookies(&s);
    for (path, ct) in [
        ("/video/a.m3u8", "application/vnd.apple.mpegurl"),
        ("/video/seg1.ts", "video/mp2t"),
        ("/video/thumb.jpg", "image/jpeg"),
        ("/public/x.txt", "text/plain; charset=utf-8"),
    ] {
        let r = get(s.cdn_addr, path, &[("Cookie", &c)]).await;
        assert_eq!(r.header("content-type"), Some(ct), "{path}");
    }
    assert_eq!(devcdn::files::content_type("a/b.MP4"), "video/mp4");
    assert_eq!(
        devcdn::files::content_type("pkg/x_bg.wasm"),
        "application/wasm"
    );
    assert_eq!(
        devcdn::files::content_type("x.js"),
        "text/javascript; charset=utf-8"
    );
}

/// What MediaConvert's CMAF and Apple HLS groups write, as the sample shapes do
/// (scripts/make-sample.sh): fMP4 segments and single files, packed and ADTS audio, WebVTT
/// subtitle segments (`text/vtt`, their registered type).
#[tokio::test]
async fn media_segment_content_types_and_byte_range_renditions() {
    let cfg = config();
    let dir = cfg.root.join("video");
    for name in [
        "v_360init.cmfv",
        "v_360_000000001.cmfv",
        "v_eng_000000001.cmfa",
        "v.cmft",
        "v.m4s",
        "v.mp4",
        "v.aac",
        "v.mpd",
        "v_subs_eng_00001.vtt",
    ] {
        std::fs::write(dir.join(name), b"x").unwrap();
    }
    // A single-file rendition: the init at 0, then two segments, read by EXT-X-BYTERANGE.
    let single: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("v_360.cmfv"), &single).unwrap();
    let s = start(cfg).await;
    let c = good_cookies(&s);
    for (path, ct) in [
        ("/video/v_360init.cmfv", "video/mp4"),
        ("/video/v_360_000000001.cmfv", "video/mp4"),
        ("/video/v_eng_000000001.cmfa", "audio/mp4"),
        ("/video/v.cmft", "application/mp4"),
        ("/video/v.m4s", "video/mp4"),
        ("/video/v.mp4", "video/mp4"),
        ("/video/v.aac", "audio/aac"),
        ("/video/v.mpd", "application/dash+xml"),
        ("/video/v_subs_eng_00001.vtt", "text/vtt"),
    ] {
        let r = get(s.cdn_addr, path, &[("Cookie", &c)]).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ct), "{path}");
    }
    // EXT-X-MAP:BYTERANGE="773@0", then EXT-X-BYTERANGE:3000@773 and 1227@3773 (to the end).
    for (range, first, last) in [
        ("bytes=0-772", 0, 772),
        ("bytes=773-3772", 773, 3772),
        ("bytes=3773-4999", 3773, 4999),
    ] {
        let r = get(
            s.cdn_addr,
            "/video/v_360.cmfv",
            &[("Cookie", &c), ("Range", range)],
        )
        .await;
        assert_eq!(r.status, 206, "{range}");
        assert_eq!(r.header("content-type"), Some("video/mp4"), "{range}");
        assert_eq!(
            r.header("content-range"),
            Some(format!("bytes {first}-{last}/5000").as_str()),
            "{range}"
        );
        assert_eq!(r.body, &single[first..=last], "{range}");
    }
}

#[tokio::test]
async fn s3_errors_missing_and_glacier() {
    let mut cfg = config();
    cfg.glacier = vec!["*/seg2.ts".into()];
    let s = start(cfg).await;
    let c = good_cookies(&s);
    let r = get(s.cdn_addr, "/video/nope.ts", &[("Cookie", &c)]).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("server"), Some("AmazonS3"));
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert!(r.text().contains("<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>video/nope.ts</Key>"), "{}", r.text());
    let r = get(s.cdn_addr, "/video/seg2.ts", &[("Cookie", &c)]).await;
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>InvalidObjectState</Code>"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("<StorageClass>GLACIER</StorageClass>"));
    // Glacier objects still need a signature first.
    let r = get(s.cdn_addr, "/video/seg2.ts", &[]).await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
    // Set at run time.
    control(s.cdn_addr, r#"{"glacier": ["*.m3u8"]}"#).await;
    assert_eq!(
        get(s.cdn_addr, "/video/seg2.ts", &[("Cookie", &c)])
            .await
            .status,
        200
    );
    assert_eq!(
        get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &c)])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn missing_as_403_like_an_oai_bucket() {
    let mut cfg = config();
    cfg.missing_as_403 = true;
    let s = start(cfg).await;
    let r = get(
        s.cdn_addr,
        "/video/nope.ts",
        &[("Cookie", &good_cookies(&s))],
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r
        .text()
        .contains("<Code>AccessDenied</Code><Message>Access Denied</Message>"));
    assert_eq!(r.header("server"), Some("AmazonS3"));
}

#[tokio::test]
async fn traversal_never_leaves_the_root() {
    let mut cfg = config();
    cfg.restrict = vec!["/video/*".into()];
    let s = start(cfg).await;
    let c = good_cookies(&s);
    for path in [
        "/../secret.txt",
        "/video/../../secret.txt",
        "/video/%2e%2e/%2e%2e/secret.txt",
        "/video/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/public/..%2f..%2fsecret.txt",
        "/public/..%5c..%5csecret.txt",
        "/public/%00",
        "/public/%zz",
        "/public/%ff%fe",
        "/./public/x.txt",
    ] {
        let r = get(s.cdn_addr, path, &[("Cookie", &c)]).await;
        assert!((400..500).contains(&r.status), "{path}: {}", r.status);
        assert!(
            !r.text().contains("SECRET"),
            "{path} leaked the file outside the root"
        );
    }
    // A symlink inside the root that points outside it is not served.
    let r = get(s.cdn_addr, "/video/link.txt", &[("Cookie", &c)]).await;
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("SECRET"));
    // Directories are not objects.
    let r = get(s.cdn_addr, "/video/", &[("Cookie", &c)]).await;
    assert_eq!(r.status, 404);
    let r = get(s.cdn_addr, "/public", &[]).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn garbage_cookies_and_huge_headers_get_4xx() {
    let s = start(config()).await;
    for cookie in [
        ";;;===;",
        "CloudFront-Key-Pair-Id",
        "CloudFront-Key-Pair-Id=K1; CloudFront-Signature=====; CloudFront-Policy=%01",
        "CloudFront-Key-Pair-Id=K1; CloudFront-Signature=AAAA; CloudFront-Expires=99999999999999999999999",
        "CloudFront-Key-Pair-Id=K1; CloudFront-Signature=AAAA; CloudFront-Policy=W10_",
    ] {
        let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", cookie)]).await;
        assert_eq!(r.status, 403, "{cookie}");
    }
    // A control character in a header is not HTTP: 400 from the HTTP layer.
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", "CloudFront-Policy=\u{1}")],
    )
    .await;
    assert_eq!(r.status, 400);
    // A deeply nested policy: refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cookie = format!(
        "CloudFront-Key-Pair-Id=K1; CloudFront-Signature=AAAA; CloudFront-Policy={}",
        devcdn::policy::cf_b64_encode(deep.as_bytes())
    );
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "MalformedPolicy", "Malformed Policy");
    // A 1 MB header: refused by the HTTP layer with 431.
    let huge = "a".repeat(1 << 20);
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &huge)]).await;
    assert_eq!(r.status, 431);
    // The server is still fine.
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", &good_cookies(&s))],
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn methods_other_than_get_head_are_refused() {
    let s = start(config()).await;
    let r = request(s.cdn_addr, "PUT", "/video/a.m3u8", &[], b"x").await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("MethodNotAllowed"));
}
