//! The viewer check end to end: every refusal code with CloudFront's exact bodies and headers,
//! cookies and signed URLs, policy conditions.
// Test helpers as well as tests may panic: that is how they report a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use common::*;
use devcdn::crypto::{sign, HashAlg};
use devcdn::policy::{cf_b64_encode, custom_policy, Cidr};
use devcdn::sign::signed_url;

#[tokio::test]
async fn no_credentials_is_missing_key() {
    let s = start(config()).await;
    let r = get(s.cdn_addr, "/video/a.m3u8", &[]).await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
    // Key-Pair-Id present but empty is missing too.
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", "CloudFront-Key-Pair-Id=")],
    )
    .await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
}

#[tokio::test]
async fn unknown_key_pair_id_is_invalid_key() {
    let s = start(config()).await;
    let resource = format!("http://{}/*", s.cdn_addr);
    let cookie = cookie_header(&private_key(), "NOPE", &grant(&resource, now() + 60));
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "InvalidKey", "Unknown Key");
}

#[tokio::test]
async fn undecodable_or_missing_signature_is_malformed_signature() {
    let s = start(config()).await;
    let policy = cf_b64_encode(custom_policy("*", now() + 60, None, None).as_bytes());
    for sig in ["CloudFront-Signature=%%%!!", "CloudFront-Signature=", ""] {
        let cookie = format!("CloudFront-Policy={policy}; {sig}; CloudFront-Key-Pair-Id=K1");
        let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
        assert_refusal(&r, "MalformedSignature", "Could not unencode Signature");
    }
}

#[tokio::test]
async fn bad_policies_are_malformed_policy() {
    let s = start(config()).await;
    let sig = cf_b64_encode(b"whatever");
    let not_json = cf_b64_encode(b"{not json");
    let object_statement = cf_b64_encode(
        br#"{"Statement":{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000}}}}"#,
    );
    let no_expiry = cf_b64_encode(br#"{"Statement":[{"Resource":"*","Condition":{}}]}"#);
    for policy in [
        format!("CloudFront-Policy={not_json}"),
        format!("CloudFront-Policy={object_statement}"),
        format!("CloudFront-Policy={no_expiry}"),
        "CloudFront-Policy=***".to_string(),
        "CloudFront-Expires=tomorrow".to_string(),
        // Neither Policy nor Expires.
        "X=1".to_string(),
    ] {
        let cookie = format!("{policy}; CloudFront-Signature={sig}; CloudFront-Key-Pair-Id=K1");
        let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
        assert_refusal(&r, "MalformedPolicy", "Malformed Policy");
    }
}

#[tokio::test]
async fn wrong_signer_is_access_denied() {
    let s = start(config()).await;
    let resource = format!("http://{}/*", s.cdn_addr);
    // Signed with the other key but claiming K1.
    let cookie = cookie_header(&other_private_key(), "K1", &grant(&resource, now() + 60));
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    // The same cookies under the right id are fine.
    let cookie = cookie_header(&other_private_key(), "K2", &grant(&resource, now() + 60));
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn valid_cookies_serve_the_object() {
    let s = start(config()).await;
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", &good_cookies(&s))],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), PLAYLIST);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts",
        &[("Cookie", &good_cookies(&s))],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, segment_bytes());
    let log = s.state.log_since(0);
    assert_eq!(log.last().unwrap().auth, "cookies");
}

#[tokio::test]
async fn sha256_needs_hash_algorithm() {
    let s = start(config()).await;
    let mut g = grant(&format!("http://{}/*", s.cdn_addr), now() + 60);
    g.alg = HashAlg::Sha256;
    let cookie = cookie_header(&private_key(), "K1", &g);
    assert!(cookie.contains("CloudFront-Hash-Algorithm=SHA256"));
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_eq!(r.status, 200);
    // Without the Hash-Algorithm cookie the SHA-256 signature is checked as SHA-1 and fails.
    let stripped = cookie.replace("; CloudFront-Hash-Algorithm=SHA256", "");
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &stripped)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    let unknown = cookie.replace("SHA256", "MD5");
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &unknown)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
}

#[tokio::test]
async fn expiry_and_start_follow_the_servers_clock() {
    let mut cfg = config();
    cfg.now = Some(1_999_999_000);
    let s = start(cfg).await;
    let resource = format!("http://{}/*", s.cdn_addr);
    let cookie = cookie_header(&private_key(), "K1", &grant(&resource, 2_000_000_000));
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_eq!(r.status, 200, "valid before DateLessThan");
    // Jump past the expiry through the control endpoint.
    let c = control(s.cdn_addr, r#"{"advance": 1200}"#).await;
    assert_eq!(c.status, 200, "{}", c.text());
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    assert_eq!(
        s.state.log_since(0).last().unwrap().reason.as_deref(),
        Some("Expired")
    );
    // DateGreaterThan: not yet valid, then valid once the clock passes it.
    control(s.cdn_addr, r#"{"now": 1999999000}"#).await;
    let mut g = grant(&resource, 2_000_000_000);
    g.starts = Some(1_999_999_500);
    let cookie = cookie_header(&private_key(), "K1", &g);
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    assert_eq!(
        s.state.log_since(0).last().unwrap().reason.as_deref(),
        Some("NotYetValid")
    );
    control(s.cdn_addr, r#"{"advance": 600}"#).await;
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn clock_offset_flag_expires_cookies() {
    let mut cfg = config();
    cfg.clock_offset = 7200;
    let s = start(cfg).await;
    // Valid for an hour of real time, but the server's clock is two hours ahead.
    let r = get(
        s.cdn_addr,
        "/video/a.m3u8",
        &[("Cookie", &good_cookies(&s))],
    )
    .await;
    assert_refusal(&r, "AccessDenied", "Access denied");
}

#[tokio::test]
async fn resource_wildcards_cover_the_full_url() {
    let s = start(config()).await;
    let host = s.cdn_addr;
    let cases = [
        (format!("http://{host}/video/*"), "/video/seg1.ts", 200),
        (format!("http://{host}/video/*"), "/public/x.txt", 403),
        (
            format!("http://{host}/video/seg?.ts"),
            "/video/seg2.ts",
            200,
        ),
        (format!("http://{host}/video/seg?.ts"), "/video/a.m3u8", 403),
        (format!("http*://{host}/*.ts"), "/video/seg1.ts", 200),
        // The scheme and host are part of the URL.
        (format!("https://{host}/*"), "/video/seg1.ts", 403),
        (
            "http://cdn.example.com/*".to_string(),
            "/video/seg1.ts",
            403,
        ),
        ("*".to_string(), "/video/seg1.ts", 200),
        // Other query parameters stay in the URL the Resource is matched against.
        (
            format!("http://{host}/video/seg1.ts"),
            "/video/seg1.ts?x=1",
            403,
        ),
        (
            format!("http://{host}/video/seg1.ts?x=1"),
            "/video/seg1.ts?x=1",
            200,
        ),
    ];
    for (resource, path, want) in cases {
        let cookie = cookie_header(&private_key(), "K1", &grant(&resource, now() + 60));
        let r = get(host, path, &[("Cookie", &cookie)]).await;
        assert_eq!(r.status, want, "{resource} vs {path}");
    }
}

#[tokio::test]
async fn ip_condition_uses_the_client_address() {
    let s = start(config()).await;
    let resource = format!("http://{}/*", s.cdn_addr);
    for (cidr, want) in [
        ("127.0.0.0/8", 200),
        ("127.0.0.1/32", 200),
        ("10.0.0.0/8", 403),
        ("0.0.0.0/0", 200),
    ] {
        let mut g = grant(&resource, now() + 60);
        g.ip = Cidr::parse(cidr);
        let cookie = cookie_header(&private_key(), "K1", &g);
        let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
        assert_eq!(r.status, want, "{cidr}");
    }
}

#[tokio::test]
async fn signed_urls_canned_and_custom() {
    let s = start(config()).await;
    let base = format!("http://{}", s.cdn_addr);
    let key = private_key();
    let url = format!("{base}/video/seg1.ts");
    // Canned: exactly this URL.
    let signed = signed_url(&key, "K1", &url, &grant(&url, now() + 60)).unwrap();
    assert!(signed.contains("?Expires="), "{signed}");
    let path = signed.strip_prefix(&base).unwrap();
    let r = get(s.cdn_addr, path, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        segment_bytes(),
        "signing parameters are stripped before the lookup"
    );
    assert_eq!(s.state.log_since(0).last().unwrap().auth, "signed-url");
    // The canned signature does not cover another object.
    let other = path.replace("seg1", "seg2");
    assert_refusal(
        &get(s.cdn_addr, &other, &[]).await,
        "AccessDenied",
        "Access denied",
    );
    // Custom with a wildcard, and with SHA-256.
    let mut g = grant(&format!("{base}/video/*"), now() + 60);
    g.alg = HashAlg::Sha256;
    let signed = signed_url(&key, "K1", &format!("{base}/video/seg2.ts"), &g).unwrap();
    assert!(
        signed.contains("?Policy=") && signed.ends_with("&Hash-Algorithm=SHA256"),
        "{signed}"
    );
    let r = get(s.cdn_addr, signed.strip_prefix(&base).unwrap(), &[]).await;
    assert_eq!(r.status, 200);
    // Other query parameters survive stripping and are covered by the canned policy URL.
    let url_q = format!("{base}/video/seg1.ts?quality=hd");
    let signed = signed_url(&key, "K1", &url_q, &grant(&url_q, now() + 60)).unwrap();
    assert!(signed.contains("?quality=hd&Expires="), "{signed}");
    let r = get(s.cdn_addr, signed.strip_prefix(&base).unwrap(), &[]).await;
    assert_eq!(r.status, 200);
    // A signed URL missing its key id.
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts?Expires=2000000000&Signature=abc",
        &[],
    )
    .await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
}

#[tokio::test]
async fn signed_url_beats_cookies() {
    let s = start(config()).await;
    let base = format!("http://{}", s.cdn_addr);
    let cookies = good_cookies(&s);
    // Good cookies, broken URL signature: only the URL counts.
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts?Expires=2000000000&Signature=AAAA&Key-Pair-Id=K1",
        &[("Cookie", &cookies)],
    )
    .await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    let r = get(
        s.cdn_addr,
        "/video/seg1.ts?Key-Pair-Id=NOPE",
        &[("Cookie", &cookies)],
    )
    .await;
    assert_refusal(&r, "InvalidKey", "Unknown Key");
    // Garbage cookies, good signed URL.
    let url = format!("{base}/video/seg1.ts");
    let signed = signed_url(&private_key(), "K1", &url, &grant(&url, now() + 60)).unwrap();
    let r = get(
        s.cdn_addr,
        signed.strip_prefix(&base).unwrap(),
        &[(
            "Cookie",
            "CloudFront-Key-Pair-Id=NOPE; CloudFront-Signature=!!",
        )],
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn policy_is_verified_over_its_exact_bytes() {
    let s = start(config()).await;
    let resource = format!("http://{}/*", s.cdn_addr);
    // Same meaning, different bytes (whitespace): the signature over the compact form must fail.
    let compact = custom_policy(&resource, now() + 60, None, None);
    let spaced = compact.replace(":{", ": {");
    let sig = sign(&private_key(), HashAlg::Sha1, compact.as_bytes()).unwrap();
    let cookie = format!(
        "CloudFront-Policy={}; CloudFront-Signature={}; CloudFront-Key-Pair-Id=K1",
        cf_b64_encode(spaced.as_bytes()),
        cf_b64_encode(&sig)
    );
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
    // Signed as sent, the spaced form is accepted: no re-serialisation.
    let sig = sign(&private_key(), HashAlg::Sha1, spaced.as_bytes()).unwrap();
    let cookie = format!(
        "CloudFront-Policy={}; CloudFront-Signature={}; CloudFront-Key-Pair-Id=K1",
        cf_b64_encode(spaced.as_bytes()),
        cf_b64_encode(&sig)
    );
    let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn canned_cookies_cover_one_url() {
    let s = start(config()).await;
    let url = format!("http://{}/video/a.m3u8", s.cdn_addr);
    let expires = now() + 60;
    let policy = devcdn::policy::canned_policy(&url, expires);
    let sig = sign(&private_key(), HashAlg::Sha1, policy.as_bytes()).unwrap();
    let cookie = format!(
        "CloudFront-Expires={expires}; CloudFront-Signature={}; CloudFront-Key-Pair-Id=K1",
        cf_b64_encode(&sig)
    );
    assert_eq!(
        get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)])
            .await
            .status,
        200
    );
    let r = get(s.cdn_addr, "/video/seg1.ts", &[("Cookie", &cookie)]).await;
    assert_refusal(&r, "AccessDenied", "Access denied");
}

#[tokio::test]
async fn only_restricted_patterns_need_signatures() {
    let mut cfg = config();
    cfg.restrict = vec!["/video/*".into()];
    let s = start(cfg).await;
    let r = get(s.cdn_addr, "/public/x.txt", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "public text");
    assert_eq!(s.state.log_since(0).last().unwrap().auth, "public");
    let r = get(s.cdn_addr, "/video/a.m3u8", &[]).await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
}

/// Regression: `--host ::1` used to fail to bind (the port was appended without brackets).
#[tokio::test]
async fn ipv6_host_binds_and_ip_conditions_see_v6_clients() {
    let mut cfg = config();
    cfg.host = "::1".into();
    let s = start(cfg).await;
    assert!(s.cdn_addr.is_ipv6());
    let resource = format!("http://{}/*", s.cdn_addr);
    for (cidr, want) in [("::1/128", 200), ("127.0.0.0/8", 403)] {
        let mut g = grant(&resource, now() + 60);
        g.ip = Cidr::parse(cidr);
        let cookie = cookie_header(&private_key(), "K1", &g);
        let r = get(s.cdn_addr, "/video/a.m3u8", &[("Cookie", &cookie)]).await;
        assert_eq!(r.status, want, "{cidr}");
    }
}
