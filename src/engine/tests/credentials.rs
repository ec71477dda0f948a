//! Signed-cookie credentials: the refresh on a CDN refusal, proactive refresh, failed refreshes.

use super::*;

fn cookie_auth(expires_at: f64) -> AuthModel {
    AuthModel {
        expires_at,
        refresh_delay: 0.3,
        lifetime: 3600.0,
        refresh_fails: false,
        report_expiry: false,
        refusal_body: Some(
            r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>"#
                .into(),
        ),
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
    let i = fetches.iter().position(|f| f.0 >= 40.0).unwrap();
    assert_eq!(fetches[i].1, fetches[i + 1].1, "the refused URL is retried");
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
    let mut e = hand_engine();
    e.handle_input(
        0.0,
        Input::Load {
            url: "https://cdn.sim/v/master.m3u8".into(),
        },
    );
    let _ = drain(&mut e);
    // Two requests in flight (manifest + a forced playlist), both refused.
    let a = RequestId(1);
    e.handle_input(
        0.1,
        Input::LoadFailed {
            req: a,
            status: 403,
            body: None,
        },
    );
    let first = drain(&mut e);
    assert_eq!(
        first
            .iter()
            .filter(|o| **o == Output::RefreshCredentials)
            .count(),
        1
    );
    // Fabricate a second in-flight request through the manifest path.
    e.handle_input(
        0.2,
        Input::LoadFailed {
            req: a,
            status: 403,
            body: None,
        },
    );
    let second = drain(&mut e);
    assert_eq!(
        second
            .iter()
            .filter(|o| **o == Output::RefreshCredentials)
            .count(),
        0
    );
    e.handle_input(0.5, Input::CredentialsRefreshed { expires: None });
    let outs = drain(&mut e);
    assert!(outs
        .iter()
        .any(|o| matches!(o, Output::Fetch { req, .. } if *req == a)));
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
    assert!(r.fatal().unwrap().details.contains("Glacier"));
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
    assert!(r.fetches.iter().any(|f| f.0 >= 40.0 && f.2 == url));
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
    let cfg = SimConfig {
        faults: vec![fault(
            40.0,
            f64::INFINITY,
            FaultKind::Status(0, None),
            "",
            Some(1),
        )],
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(fatal_count(&r), 0);
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
    let r = sim::run(
        &Trace::constant("4mbps", 4.0, 10_000.0),
        &ladder(3600.0),
        &cfg,
    );
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    assert_eq!(r.refresh_requests, 1);
    assert_eq!(r.rebuffer_count, 0);
    // Both a playlist reload and segments went on after the refresh.
    assert!(r.fetches.iter().any(|f| f.0 > 101.0 && f.1.is_segment()));
    assert!(r
        .fetches
        .iter()
        .any(|f| f.0 > 101.0 && matches!(f.1, RequestKind::LevelPlaylist { .. })));
}
