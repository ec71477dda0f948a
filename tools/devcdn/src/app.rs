//! The "app" port: what a customer's backend does — mint CloudFront cookies for the CDN's host —
//! plus optional static files (the demo page and the built package).
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use crate::config::AppConfig;
use crate::files;
use crate::server::{origin_allowed, serve_file, ServeOptions, Shared};
use crate::sign::{signed_cookies, Grant};

#[derive(Clone)]
pub struct AppState {
    pub cdn: Shared,
    pub app: Arc<AppConfig>,
    /// Canonical static root.
    pub root: Option<PathBuf>,
}

pub fn router(state: AppState) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(state)
}

const COOKIE_NAMES: [&str; 4] = [
    "CloudFront-Policy",
    "CloudFront-Signature",
    "CloudFront-Key-Pair-Id",
    "CloudFront-Hash-Algorithm",
];

fn cors(cdn: &Shared, req: &HeaderMap, h: &mut HeaderMap) {
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = req.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if origin_allowed(cdn, origin) {
            if let Ok(v) = HeaderValue::from_str(origin) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
        }
    }
}

fn json(status: StatusCode, mut h: HeaderMap, body: String) -> Response {
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&body.len().to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    *resp.headers_mut() = h;
    resp
}

/// The host name the browser used for the app (the CDN shares it, on its own port).
fn host_name(req: &HeaderMap) -> String {
    let host = req
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return format!("[{}]", rest.split(']').next().unwrap_or(""));
    }
    host.split(':').next().unwrap_or("localhost").to_string()
}

fn cookie_attrs(app: &AppConfig) -> String {
    // No `Secure`: browsers drop Secure cookies set over plain http (localhost aside in some).
    let mut attrs = "; Path=/; HttpOnly; SameSite=Lax".to_string();
    if let Some(domain) = &app.cookie_domain {
        attrs.push_str("; Domain=");
        attrs.push_str(domain);
    }
    attrs
}

async fn handle(AxState(s): AxState<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let mut h = HeaderMap::new();
    cors(&s.cdn, req.headers(), &mut h);
    match (req.method(), path.as_str()) {
        (&Method::OPTIONS, _) => {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            json(StatusCode::OK, h, "{}".into())
        }
        (&Method::GET | &Method::POST, "/auth/cookies") => {
            let now = s.cdn.now();
            let expires = now.saturating_add(s.app.cookie_ttl);
            let resource = s.app.cookie_resource.clone().unwrap_or_else(|| {
                format!(
                    "http://{}:{}/*",
                    host_name(req.headers()),
                    s.cdn.cdn_addr.port()
                )
            });
            let grant = Grant {
                resource: resource.clone(),
                expires,
                starts: None,
                ip: None,
                alg: s.app.alg,
            };
            let cookies = match signed_cookies(&s.app.sign_key, &s.app.key_pair_id, &grant) {
                Ok(c) => c,
                Err(e) => {
                    let body = serde_json::json!({ "error": e.to_string() }).to_string();
                    return json(StatusCode::INTERNAL_SERVER_ERROR, h, body);
                }
            };
            let attrs = cookie_attrs(&s.app);
            for (name, value) in &cookies {
                if let Ok(v) = HeaderValue::from_str(&format!("{name}={value}{attrs}")) {
                    h.append(header::SET_COOKIE, v);
                }
            }
            // A SHA-1 grant must not inherit a stale Hash-Algorithm cookie from an earlier one.
            if !cookies
                .iter()
                .any(|(n, _)| n == "CloudFront-Hash-Algorithm")
            {
                if let Ok(v) =
                    HeaderValue::from_str(&format!("CloudFront-Hash-Algorithm=; Max-Age=0{attrs}"))
                {
                    h.append(header::SET_COOKIE, v);
                }
            }
            let body = serde_json::json!({ "expires": expires, "resource": resource }).to_string();
            eprintln!("devcdn app: minted cookies for {resource} until {expires}");
            json(StatusCode::OK, h, body)
        }
        (&Method::GET | &Method::POST, "/auth/clear") => {
            let attrs = cookie_attrs(&s.app);
            for name in COOKIE_NAMES {
                if let Ok(v) = HeaderValue::from_str(&format!("{name}=; Max-Age=0{attrs}")) {
                    h.append(header::SET_COOKIE, v);
                }
            }
            json(StatusCode::OK, h, "{\"cleared\":true}".into())
        }
        (&Method::GET | &Method::HEAD, _) => {
            let Some(root) = &s.root else {
                return json(StatusCode::NOT_FOUND, h, "{\"error\":\"not found\"}".into());
            };
            let key = match files::object_key(&path) {
                Ok(k) if k.is_empty() || k.ends_with('/') => format!("{k}index.html"),
                Ok(k) => k,
                Err(_) => {
                    return json(
                        StatusCode::BAD_REQUEST,
                        h,
                        "{\"error\":\"bad path\"}".into(),
                    )
                }
            };
            let Ok(file) = files::resolve(root, &key) else {
                return json(StatusCode::NOT_FOUND, h, "{\"error\":\"not found\"}".into());
            };
            let opts = ServeOptions {
                cache_control: Some("no-cache".into()),
                edge: false,
                stall: None,
                corrupt: false,
            };
            let head = req.method() == Method::HEAD;
            let mut resp = serve_file(None, &file, &key, req.headers(), head, &opts).await;
            for (k, v) in h.iter() {
                resp.headers_mut().append(k, v.clone());
            }
            resp
        }
        _ => json(
            StatusCode::METHOD_NOT_ALLOWED,
            h,
            "{\"error\":\"method not allowed\"}".into(),
        ),
    }
}
