//! Signed-cookie credentials: the refresh on a CDN refusal, proactive refresh, failed refreshes.

use super::*;

/// CloudFront's refusal of a request without valid signed cookies.
const ACCESS_DENIED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>"#;

fn cookie_auth(expires_at: f64) -> AuthModel {
    AuthModel {
        expires_at,
        refresh_delay: 0.3,
        lifetime: 3600.0,
        refresh_fails: false,
        report_expiry: false,
        refusal_body: Some(ACCESS_DENIED.into()),
    }
}

#[test]
fn cookie_expiry_403_refreshes_once_and_retries_the_same_url() {
    let cfg = SimConfig {
        auth: Some(cookie_auth(40.0)),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(fatal_count(&r), 0);
    assert_eq!(r.rebuffer_count, 0);
    let fetches = segment_fetches(&r);
    let i = fetches.iter().position(|f| f.at >= 40.0).unwrap();
    assert_eq!(
        fetches[i].url,
        fetches[i + 1].url,
        "the refused URL is retried"
    );
    // No level penalty, no timeline reset.
    assert_eq!(
        events(&r, |e| matches!(
            e,
            Event::LevelSwitching {
                reason: SwitchReason::Penalty,
                ..
            }
        ))
        .count(),
        0
    );
    assert_eq!(
        events(&r, |e| matches!(
            e,
            Event::CredentialsRefreshNeeded { reactive: true }
        ))
        .count(),
        1
    );
}

#[test]
fn concurrent_refusals_share_one_refresh() {
    // Two requests in flight at once: a live segment, and the playlist reload due while it
    // loads. Both are refused; one refresh is asked for, and both are resent after it.
    let mut h = Harness::new();
    h.load(harness::MASTER_URL);
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, harness::MASTER);
    let playlist = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    h.answer(playlist, harness::live_playlist(0, 6));
    let segment = h.fetch_of(RequestKind::is_segment);
    // The segment trickles in (no timeout) until the reload is due at 10 s.
    h.advance_to(1.0);
    h.progress(segment, 1000);
    h.advance_to(6.0);
    h.progress(segment, 2000);
    h.fire_timers_until(10.0);
    let reload = h.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
    let before: Vec<harness::Fetch> = h.open_fetches().to_vec();
    assert_eq!(before.len(), 2, "{before:?}");
    h.advance_to(10.1);
    let first = h.fail(segment, 403, Some(ACCESS_DENIED));
    let second = h.fail(reload, 403, Some(ACCESS_DENIED));
    let refreshes = |outs: &[Output]| {
        outs.iter()
            .filter(|o| **o == Output::RefreshCredentials)
            .count()
    };
    assert_eq!(refreshes(&first), 1, "{first:?}");
    assert_eq!(refreshes(&second), 0, "{second:?}");
    assert!(h.open_fetches().is_empty(), "{:?}", h.open_fetches());
    // Nothing is sent while the refresh is under way.
    let waiting = h.fire_timers_until(10.4);
    assert!(
        !waiting.iter().any(|o| matches!(o, Output::Fetch { .. })),
        "{waiting:?}"
    );
    h.input(Input::CredentialsRefreshed { expires: None });
    // Both resent, with their ids and URLs.
    let mut after: Vec<harness::Fetch> = h.open_fetches().to_vec();
    after.sort_by_key(|f| f.req);
    let mut expected = before;
    expected.sort_by_key(|f| f.req);
    assert_eq!(
        after
            .iter()
            .map(|f| (f.req, f.url.as_str()))
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|f| (f.req, f.url.as_str()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        h.events()
            .filter(|(_, e)| matches!(e, Event::CredentialsRefreshNeeded { .. }))
            .count(),
        1
    );
}

#[test]
fn refusal_after_refresh_is_a_fatal_auth_error_naming_the_code() {
    let body = "<Error><Code>InvalidKey</Code><Message>Unknown Key</Message></Error>".to_string();
    let cfg = SimConfig {
        faults: vec![fault(
            40.0,
            f64::INFINITY,
            FaultKind::Status(403, Some(body)),
            "",
            None,
        )],
        auth: Some(cookie_auth(1e9)),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(fatal_count(&r), 1);
    let f = r.fatal().unwrap();
    assert_eq!(f.kind, ErrorKind::Auth);
    let invalid_key = ErrorCause::Refused {
        status: 403,
        code: Some(CdnErrorCode::InvalidKey),
    };
    assert_eq!(f.cause, invalid_key);
    assert!(f.details.contains("InvalidKey"), "{}", f.details);
}

#[test]
fn glacier_object_is_fatal_at_once_without_refresh() {
    let body = "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message></Error>".to_string();
    let cfg = SimConfig {
        faults: vec![fault(
            40.0,
            f64::INFINITY,
            FaultKind::Status(403, Some(body)),
            ".ts",
            None,
        )],
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert_eq!(r.refresh_requests, 0);
    assert_eq!(fatal_count(&r), 1);
    let f = r.fatal().unwrap();
    let archived = ErrorCause::Refused {
        status: 403,
        code: Some(CdnErrorCode::InvalidObjectState),
    };
    assert_eq!(f.cause, archived);
    assert!(f.details.contains("Glacier"));
}

#[test]
fn failed_refresh_is_fatal() {
    let cfg = SimConfig {
        auth: Some(AuthModel {
            refresh_fails: true,
            ..cookie_auth(40.0)
        }),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert_eq!(fatal_count(&r), 1);
    assert_eq!(r.fatal().unwrap().kind, ErrorKind::Auth);
}

#[test]
fn failed_refresh_names_the_cdn_code_and_url() {
    // Bug: without a refreshCredentials callback the fatal error read only "credentials refresh
    // failed: no refreshCredentials callback was configured"; the CloudFront code and the refused
    // URL were lost.
    let cfg = SimConfig {
        auth: Some(AuthModel {
            refresh_fails: true,
            refusal_body: Some(
                "<Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>"
                    .into(),
            ),
            ..cookie_auth(40.0)
        }),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert_eq!(fatal_count(&r), 1, "{:?}", r.errors);
    let fatal = r.fatal().unwrap();
    assert_eq!(fatal.kind, ErrorKind::Auth);
    assert_eq!(
        fatal.details,
        "CDN refused the request: MissingKey (missing signed cookies); refreshing credentials \
         failed: backend said no"
    );
    let url = fatal.url.as_deref().unwrap();
    assert!(url.starts_with(sim::BASE) && url.ends_with(".ts"), "{url}");
    assert!(fetches(&r).iter().any(|f| f.at >= 40.0 && f.url == url));
}

#[test]
fn failed_refresh_after_status_zero_names_cors() {
    let cfg = SimConfig {
        faults: vec![fault(
            40.0,
            f64::INFINITY,
            FaultKind::Status(0, None),
            "",
            Some(1),
        )],
        auth: Some(AuthModel {
            refresh_fails: true,
            ..cookie_auth(f64::INFINITY)
        }),
        ..recorded()
    };
    let r = run(&fast(), 300.0, cfg);
    assert_eq!(fatal_count(&r), 1, "{:?}", r.errors);
    let fatal = r.fatal().unwrap();
    assert_eq!(fatal.kind, ErrorKind::Auth);
    assert!(
        fatal
            .details
            .starts_with("CDN refused the request or CORS is not set up for credentials"),
        "{}",
        fatal.details
    );
    assert!(fatal
        .details
        .ends_with("refreshing credentials failed: backend said no"));
    assert!(fatal.url.is_some());
}

#[test]
fn status_zero_refreshes_then_is_treated_as_network_error() {
    // Status 0 twice on the same request: the first may be a CDN refusal without CORS headers
    // (refresh, resend); the second, after the refresh, is a network error (backoff, retry).
    let cfg = SimConfig {
        faults: vec![fault(
            40.0,
            f64::INFINITY,
            FaultKind::Status(0, None),
            "",
            Some(2),
        )],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(fatal_count(&r), 0);
    let network: Vec<&PlayerError> = r
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Network)
        .collect();
    assert_eq!(network.len(), 1, "{:?}", r.errors);
    assert!(network[0].details.contains("retry in"), "{network:?}");
    // Sent three times: refused, resent after the refresh, retried after the backoff.
    let url = network[0].url.clone().unwrap();
    let tries: Vec<Fetched> = fetches(&r).into_iter().filter(|f| f.url == url).collect();
    assert_eq!(tries.len(), 3, "{tries:?}");
    let backoff = tries[2].at - tries[1].at;
    assert!((0.75..=1.25).contains(&backoff), "{backoff}");
}

#[test]
fn proactive_refresh_before_known_expiry() {
    let cfg = SimConfig {
        auth: Some(AuthModel {
            lifetime: 100.0,
            report_expiry: true,
            ..cookie_auth(40.0)
        }),
        ..recorded()
    };
    let r = run(&fast(), 400.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    // One reactive refresh at 40 s, then only proactive ones: no more refusals.
    assert_eq!(
        events(&r, |e| matches!(
            e,
            Event::CredentialsRefreshNeeded { reactive: true }
        ))
        .count(),
        1
    );
    assert!(
        events(&r, |e| matches!(
            e,
            Event::CredentialsRefreshNeeded { reactive: false }
        ))
        .count()
            >= 2
    );
    assert_eq!(r.rebuffer_count, 0);
}

#[test]
fn live_cookie_expiry_refreshes_once_for_playlist_and_segment() {
    let cfg = SimConfig {
        live: Some(LiveModel {
            window: Some(6),
            ends: false,
            start_offset: 120.0,
        }),
        stop_at_end: false,
        max_time: 400.0,
        auth: Some(cookie_auth(100.0)),
        ..recorded()
    };
    let r = run(&Trace::constant("4mbps", 4.0, 10_000.0), 3600.0, cfg);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(r.rebuffer_count, 0);
    // Both a playlist reload and segments went on after the refresh.
    let fetches = fetches(&r);
    assert!(fetches.iter().any(|f| f.at > 101.0 && f.is_segment()));
    assert!(fetches
        .iter()
        .any(|f| f.at > 101.0 && matches!(f.kind, RequestKind::LevelPlaylist { .. })));
}
