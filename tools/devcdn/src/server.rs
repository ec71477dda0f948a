//! The CDN port: CloudFront's viewer check, S3-like objects, CORS, and the test controls under
//! `/__devcdn/`.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::auth::{
    self, error_xml, parse_cookies, parse_query, strip_signing_params, Credential, Refusal,
};
use crate::files::{
    self, content_type, none_match, not_modified_since, parse_range, Meta, PathError, Range,
};
use crate::pace::{chunk_size, Link, Trace};
use crate::state::{Fault, FaultKind, LogEntry, State, CORRUPT_XOR};

pub type Shared = Arc<State>;

/// How long a stalled response keeps its connection before giving up.
const STALL_LIMIT: Duration = Duration::from_secs(600);
/// Largest control request body.
const CONTROL_BODY_LIMIT: usize = 256 * 1024;

const EXPOSE_HEADERS: &str =
    "Content-Length, Content-Range, Content-Type, ETag, Last-Modified, Age, X-Cache, X-Amz-Cf-Id";

pub fn router(state: Shared) -> axum::Router {
    axum::Router::new().fallback(cdn).with_state(state)
}

/// What the log needs beyond the response.
#[derive(Default)]
struct Outcome {
    auth: String,
    reason: Option<String>,
    fault: Option<String>,
    ttfb_ms: u64,
}

async fn cdn(
    AxState(st): AxState<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let origin = header_str(req.headers(), header::ORIGIN).map(str::to_string);
    let range = header_str(req.headers(), header::RANGE).map(str::to_string);
    let signed_url = auth::is_signed_url(&parse_query(&query));
    let mut outcome = Outcome::default();
    let resp = if path.starts_with("/__devcdn/") {
        outcome.auth = "-".into();
        control(&st, req, origin.as_deref()).await
    } else {
        object(&st, peer, req, &mut outcome).await
    };
    let bytes = resp
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    st.record(LogEntry {
        seq: 0,
        time: crate::state::wall_clock(),
        client: peer.to_string(),
        method: method.to_string(),
        path,
        signed_url,
        status: resp.status().as_u16(),
        bytes,
        range,
        origin,
        auth: outcome.auth,
        reason: outcome.reason,
        x_cache: resp
            .headers()
            .get("x-cache")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        fault: outcome.fault,
        ttfb_ms: outcome.ttfb_ms,
    });
    resp
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// CORS for credentialed requests: the exact origin, never `*`.
fn cors(st: &State, origin: Option<&str>, headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = origin else { return };
    if !origin_allowed(st, origin) {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
}

pub fn origin_allowed(st: &State, origin: &str) -> bool {
    st.cfg.allow_origins.iter().any(|o| o == "*" || o == origin)
}

fn response(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// Headers CloudFront puts on every response.
fn edge_headers(st: &State, headers: &mut HeaderMap) {
    set(headers, "via", "1.1 devcdn.cloudfront.net (CloudFront)");
    set(headers, "x-amz-cf-pop", "DEV50-C1");
    set(headers, "x-amz-cf-id", &st.next_request_id());
}

/// CloudFront's 400 for a path it cannot parse (traversal, broken escapes, NUL).
fn invalid_uri(st: &State, origin: Option<&str>) -> Response {
    error(
        st,
        StatusCode::BAD_REQUEST,
        "CloudFront",
        "text/xml",
        error_xml("InvalidURI", "Couldn't parse the specified URI."),
        origin,
    )
}

/// An error generated at the edge or by the origin, with or without CORS headers.
fn error(
    st: &State,
    status: StatusCode,
    server: &str,
    content_type: &str,
    body: String,
    origin: Option<&str>,
) -> Response {
    let mut h = HeaderMap::new();
    set(&mut h, "server", server);
    set(&mut h, "content-type", content_type);
    set(&mut h, "content-length", &body.len().to_string());
    set(&mut h, "x-cache", "Error from cloudfront");
    edge_headers(st, &mut h);
    if st.settings().cors_on_errors {
        cors(st, origin, &mut h);
    }
    response(status, h, Body::from(body))
}

fn refusal(st: &State, r: Refusal, origin: Option<&str>) -> Response {
    error(
        st,
        StatusCode::FORBIDDEN,
        "CloudFront",
        "text/xml",
        r.xml(),
        origin,
    )
}

/// S3's error body (origin errors pass through CloudFront with `Server: AmazonS3`).
fn s3_error(
    st: &State,
    status: StatusCode,
    code: &str,
    message: &str,
    extra: &str,
    origin: Option<&str>,
) -> Response {
    let id = st.next_request_id();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}<RequestId>{id}</RequestId><HostId>{id}</HostId></Error>"
    );
    error(st, status, "AmazonS3", "application/xml", body, origin)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn edge_5xx(st: &State, status: StatusCode, origin: Option<&str>) -> Response {
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\">\n<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n<H1>{} ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size=\"1px\">\nInjected by devcdn.\n</BODY></HTML>",
        status.as_u16()
    );
    error(st, status, "CloudFront", "text/html", body, origin)
}

async fn object(st: &Shared, peer: SocketAddr, req: Request, outcome: &mut Outcome) -> Response {
    let origin = header_str(req.headers(), header::ORIGIN);
    let method = req.method();
    if method == Method::OPTIONS {
        outcome.auth = "-".into();
        return preflight(st, req.headers());
    }
    if method != Method::GET && method != Method::HEAD {
        outcome.auth = "-".into();
        return error(
            st,
            StatusCode::FORBIDDEN,
            "CloudFront",
            "text/xml",
            error_xml("MethodNotAllowed", "This distribution is not configured to allow the HTTP request method that was used for this request."),
            origin,
        );
    }
    let raw_path = req.uri().path();
    let raw_query = req.uri().query().unwrap_or("");

    let (_, ttfb, _) = st.pacing();
    outcome.ttfb_ms = ttfb;
    if ttfb > 0 {
        tokio::time::sleep(Duration::from_millis(ttfb)).await;
    }

    let fault = st.take_fault(raw_path);
    outcome.fault = fault.map(|f| match f {
        FaultKind::Status(s) => s.to_string(),
        FaultKind::Stall { after_bytes } => format!("stall@{after_bytes}"),
        FaultKind::Delay { ms } => format!("delay@{ms}"),
        FaultKind::Corrupt => "corrupt".to_string(),
    });
    if let Some(FaultKind::Delay { ms }) = fault {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match fault {
        Some(FaultKind::Status(403)) => {
            outcome.auth = "AccessDenied".into();
            outcome.reason = Some("injected".into());
            return refusal(st, Refusal::AccessDenied(auth::DenyReason::Expired), origin);
        }
        Some(FaultKind::Status(404)) => {
            return s3_error(
                st,
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
                "",
                origin,
            );
        }
        Some(FaultKind::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            return edge_5xx(st, status, origin);
        }
        _ => {}
    }

    let key = match files::object_key(raw_path) {
        Ok(k) => k,
        Err(_) => {
            outcome.auth = "-".into();
            return invalid_uri(st, origin);
        }
    };

    if st.is_restricted(raw_path) {
        let host = header_str(req.headers(), header::HOST)
            .map_or_else(|| st.cdn_addr.to_string(), str::to_string);
        let rest = strip_signing_params(raw_query);
        let url = if rest.is_empty() {
            format!("http://{host}{raw_path}")
        } else {
            format!("http://{host}{raw_path}?{rest}")
        };
        let query = parse_query(raw_query);
        let cookies = parse_cookies(
            req.headers()
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        let check = auth::Request {
            url: &url,
            query: &query,
            cookies: &cookies,
            client_ip: peer.ip(),
            now: st.now(),
        };
        match auth::authorize(&st.cfg.keys, &check) {
            Ok(Credential::SignedUrl) => outcome.auth = "signed-url".into(),
            Ok(Credential::Cookies) => outcome.auth = "cookies".into(),
            Err(r) => {
                outcome.auth = r.code().into();
                if let Refusal::AccessDenied(reason) = r {
                    outcome.reason = Some(format!("{reason:?}"));
                }
                return refusal(st, r, origin);
            }
        }
    } else {
        outcome.auth = "public".into();
    }

    if st.is_glacier(raw_path) {
        return s3_error(
            st,
            StatusCode::FORBIDDEN,
            "InvalidObjectState",
            "The operation is not valid for the object's storage class",
            "<StorageClass>GLACIER</StorageClass>",
            origin,
        );
    }

    let file = match files::resolve(&st.root, &key) {
        Ok(f) => f,
        Err(PathError::Malformed) => return invalid_uri(st, origin),
        Err(PathError::NotFound) if st.cfg.missing_as_403 => {
            return s3_error(
                st,
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Access Denied",
                "",
                origin,
            )
        }
        Err(PathError::NotFound) => {
            let extra = format!("<Key>{}</Key>", xml_escape(&key));
            return s3_error(
                st,
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
                &extra,
                origin,
            );
        }
    };
    let stall = match fault {
        Some(FaultKind::Stall { after_bytes }) => Some(after_bytes),
        _ => None,
    };
    let opts = ServeOptions {
        cache_control: Some(st.cfg.cache_control.clone()),
        edge: true,
        stall,
        corrupt: fault == Some(FaultKind::Corrupt),
    };
    let mut resp = serve_file(
        Some(st),
        &file,
        &key,
        req.headers(),
        method == Method::HEAD,
        &opts,
    )
    .await;
    cors(st, origin, resp.headers_mut());
    resp
}

fn preflight(st: &State, req: &HeaderMap) -> Response {
    let origin = header_str(req, header::ORIGIN);
    let mut h = HeaderMap::new();
    set(&mut h, "server", "CloudFront");
    edge_headers(st, &mut h);
    match origin {
        Some(o) if origin_allowed(st, o) => {
            cors(st, Some(o), &mut h);
            set(
                &mut h,
                "access-control-allow-methods",
                "GET, HEAD, POST, OPTIONS",
            );
            let requested = header_str(req, header::ACCESS_CONTROL_REQUEST_HEADERS).unwrap_or("");
            if !requested.is_empty() {
                set(&mut h, "access-control-allow-headers", requested);
            }
            set(&mut h, "access-control-max-age", "600");
            set(&mut h, "content-length", "0");
            response(StatusCode::OK, h, Body::empty())
        }
        _ => {
            h.append(header::VARY, HeaderValue::from_static("Origin"));
            let body = "CORSResponse: This CORS request is not allowed.".to_string();
            set(&mut h, "content-type", "text/plain");
            set(&mut h, "content-length", &body.len().to_string());
            response(StatusCode::FORBIDDEN, h, Body::from(body))
        }
    }
}

/// Options of a file response.
pub struct ServeOptions {
    pub cache_control: Option<String>,
    /// Add CloudFront's headers (`X-Cache`, `Age`, `Via`...) and pace the body.
    pub edge: bool,
    /// Stop sending after this many body bytes (an injected stall).
    pub stall: Option<u64>,
    /// XOR every body byte with `CORRUPT_XOR` (an injected corruption).
    pub corrupt: bool,
}

/// A file as S3 behind CloudFront serves it: validators, conditional requests, one byte range.
pub async fn serve_file(
    st: Option<&Shared>,
    path: &std::path::Path,
    key: &str,
    req: &HeaderMap,
    head: bool,
    opts: &ServeOptions,
) -> Response {
    let md = match tokio::fs::metadata(path).await {
        Ok(md) => md,
        Err(_) => return plain(StatusCode::NOT_FOUND, "not found"),
    };
    let meta = Meta::of(&md);
    let mut h = HeaderMap::new();
    set(&mut h, "content-type", content_type(key));
    set(&mut h, "etag", &meta.etag);
    set(&mut h, "last-modified", &meta.last_modified());
    set(&mut h, "accept-ranges", "bytes");
    if let Some(cc) = &opts.cache_control {
        set(&mut h, "cache-control", cc);
    }
    if let (true, Some(st)) = (opts.edge, st) {
        set(&mut h, "server", "AmazonS3");
        match st.cache_lookup(key) {
            None => set(&mut h, "x-cache", "Miss from cloudfront"),
            Some(age) => {
                set(&mut h, "x-cache", "Hit from cloudfront");
                set(&mut h, "age", &age.to_string());
            }
        }
        edge_headers(st, &mut h);
    }
    let not_modified = match header_str(req, header::IF_NONE_MATCH) {
        Some(inm) => none_match(inm, &meta.etag),
        None => header_str(req, header::IF_MODIFIED_SINCE)
            .is_some_and(|ims| not_modified_since(ims, meta.modified)),
    };
    if not_modified {
        h.remove(header::CONTENT_TYPE);
        return response(StatusCode::NOT_MODIFIED, h, Body::empty());
    }
    // If-Range with a validator that no longer matches: send the whole object.
    let if_range_ok = header_str(req, header::IF_RANGE)
        .is_none_or(|v| v == meta.etag || v == meta.last_modified());
    let range = match header_str(req, header::RANGE) {
        Some(r) if if_range_ok => parse_range(r, meta.len),
        _ => Range::Full,
    };
    let (status, start, len) = match range {
        Range::Full => (StatusCode::OK, 0, meta.len),
        Range::Part(a, b) => {
            set(
                &mut h,
                "content-range",
                &format!("bytes {a}-{b}/{}", meta.len),
            );
            (StatusCode::PARTIAL_CONTENT, a, b - a + 1)
        }
        Range::Unsatisfiable => {
            set(&mut h, "content-range", &format!("bytes */{}", meta.len));
            h.remove(header::CONTENT_TYPE);
            set(&mut h, "content-type", "application/xml");
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message></Error>".to_string();
            set(&mut h, "content-length", &body.len().to_string());
            return response(StatusCode::RANGE_NOT_SATISFIABLE, h, Body::from(body));
        }
    };
    set(&mut h, "content-length", &len.to_string());
    if head {
        return response(status, h, Body::empty());
    }
    let mut file = match tokio::fs::File::open(path).await {
        Ok(f) => f,
        Err(_) => return plain(StatusCode::NOT_FOUND, "not found"),
    };
    if start > 0 && file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "seek failed");
    }
    let pacer = if opts.edge { st.cloned() } else { None };
    response(
        status,
        h,
        paced_body(file, len, pacer, opts.stall, opts.corrupt),
    )
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut h = HeaderMap::new();
    set(&mut h, "content-type", "text/plain; charset=utf-8");
    set(&mut h, "content-length", &text.len().to_string());
    response(status, h, Body::from(text))
}

struct BodyState {
    file: tokio::fs::File,
    remaining: u64,
    sent: u64,
    pacer: Option<Shared>,
    own_link: Link,
    stall: Option<u64>,
    corrupt: bool,
    done: bool,
}

/// The body in chunks, each released when the (own or shared) link has carried it.
fn paced_body(
    file: tokio::fs::File,
    len: u64,
    pacer: Option<Shared>,
    stall: Option<u64>,
    corrupt: bool,
) -> Body {
    let init = BodyState {
        file,
        remaining: len,
        sent: 0,
        pacer,
        own_link: Link::new(),
        stall,
        corrupt,
        done: false,
    };
    let stream = futures_util::stream::unfold(init, |mut s| async move {
        if s.done || s.remaining == 0 {
            return None;
        }
        let (bps, _, shared) = s.pacer.as_ref().map_or((None, 0, false), |st| st.pacing());
        let mut n = (chunk_size(bps) as u64).min(s.remaining);
        if let Some(limit) = s.stall {
            let left = limit.saturating_sub(s.sent);
            if left == 0 {
                tokio::time::sleep(STALL_LIMIT).await;
                s.done = true;
                return Some((Err(std::io::Error::other("stalled (injected)")), s));
            }
            n = n.min(left);
        }
        let mut buf = vec![0u8; n as usize];
        if let Err(e) = s.file.read_exact(&mut buf).await {
            s.done = true;
            return Some((Err(e), s));
        }
        if s.corrupt {
            buf.iter_mut().for_each(|b| *b ^= CORRUPT_XOR);
        }
        if let (Some(bps), Some(st)) = (bps, s.pacer.as_ref()) {
            let link = if shared { &st.shared_link } else { &s.own_link };
            tokio::time::sleep_until(link.reserve(buf.len(), bps, s.sent > 0)).await;
        }
        s.remaining -= n;
        s.sent += n;
        Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), s))
    });
    Body::from_stream(stream)
}

/// `POST /__devcdn/control` body. Every field is optional; absent fields are left unchanged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Set the clock to this epoch (it keeps running).
    pub now: Option<i64>,
    /// Set the clock offset in seconds (0: the real clock).
    pub clock_offset: Option<i64>,
    /// Add seconds to the clock (e.g. 3600 to expire a 1 h policy now).
    pub advance: Option<i64>,
    /// Pace bodies at this rate; 0 turns pacing off.
    pub rate_kbps: Option<u64>,
    pub shared_link: Option<bool>,
    pub ttfb_ms: Option<u64>,
    /// A trace file on the server's disk; "" clears the trace.
    pub trace: Option<String>,
    /// A trace inline, in the same format.
    pub trace_text: Option<String>,
    pub cors_on_errors: Option<bool>,
    pub glacier: Option<Vec<String>>,
    pub restrict: Option<Vec<String>>,
    pub fault: Option<FaultSpec>,
    pub clear_faults: Option<bool>,
    /// Forget the edge cache (X-Cache Miss again) and the log.
    pub reset: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Path pattern, e.g. `*_720_*.ts`.
    pub path: String,
    /// "403", "404", "500", "502", "503", "504", "stall", "delay" or "corrupt".
    pub kind: String,
    /// How many matching requests fail (default 1).
    pub count: Option<u32>,
    /// For "stall": body bytes sent before stalling (default 0).
    pub after_bytes: Option<u64>,
    /// For "delay": milliseconds before the response head (default 1000).
    pub ms: Option<u64>,
}

fn json_response(st: &State, status: StatusCode, body: String, origin: Option<&str>) -> Response {
    let mut h = HeaderMap::new();
    set(&mut h, "content-type", "application/json");
    set(&mut h, "cache-control", "no-store");
    set(&mut h, "content-length", &body.len().to_string());
    cors(st, origin, &mut h);
    response(status, h, Body::from(body))
}

fn json_error(st: &State, message: &str, origin: Option<&str>) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    json_response(st, StatusCode::BAD_REQUEST, body, origin)
}

async fn control(st: &Shared, req: Request, origin: Option<&str>) -> Response {
    let origin = origin.map(str::to_string);
    let origin = origin.as_deref();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = parse_query(req.uri().query().unwrap_or(""));
    if method == Method::OPTIONS {
        return preflight(st, req.headers());
    }
    match (method, path.as_str()) {
        (Method::GET, "/__devcdn/status") => {
            json_response(st, StatusCode::OK, status_json(st), origin)
        }
        (Method::GET, "/__devcdn/log") => {
            let since = query
                .iter()
                .find(|(k, _)| k == "since")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let body = serde_json::to_string(&st.log_since(since)).unwrap_or_else(|_| "[]".into());
            json_response(st, StatusCode::OK, body, origin)
        }
        (Method::POST, "/__devcdn/control") => {
            let bytes = match axum::body::to_bytes(req.into_body(), CONTROL_BODY_LIMIT).await {
                Ok(b) => b,
                Err(_) => return json_error(st, "control body too large or unreadable", origin),
            };
            let control: Control = match serde_json::from_slice(&bytes) {
                Ok(c) => c,
                Err(e) => return json_error(st, &format!("control body: {e}"), origin),
            };
            match apply(st, control) {
                Ok(()) => json_response(st, StatusCode::OK, status_json(st), origin),
                Err(e) => json_error(st, &e, origin),
            }
        }
        _ => {
            let body = serde_json::json!({ "error": "unknown control path or method",
                "paths": ["GET /__devcdn/status", "GET /__devcdn/log?since=N", "POST /__devcdn/control"] })
            .to_string();
            json_response(st, StatusCode::NOT_FOUND, body, origin)
        }
    }
}

/// Applies a control request; all fields are checked before anything changes.
pub fn apply(st: &State, c: Control) -> Result<(), String> {
    let trace = match (&c.trace, &c.trace_text) {
        (Some(_), Some(_)) => return Err("give `trace` or `trace_text`, not both".into()),
        (Some(path), None) if path.is_empty() => Some(None),
        (Some(path), None) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("trace {path}: {e}"))?;
            Some(Some(
                Trace::parse(&text).map_err(|e| format!("trace {path}: {e}"))?,
            ))
        }
        (None, Some(text)) => Some(Some(
            Trace::parse(text).map_err(|e| format!("trace_text: {e}"))?,
        )),
        (None, None) => None,
    };
    let fault = match &c.fault {
        None => None,
        Some(f) => {
            let kind = FaultKind::parse(&f.kind, f.after_bytes.unwrap_or(0), f.ms.unwrap_or(1000))?;
            Some(Fault {
                path: f.path.clone(),
                kind,
                remaining: f.count.unwrap_or(1),
            })
        }
    };
    let mut s = st.settings();
    if let Some(now) = c.now {
        s.clock_offset = now - crate::state::wall_clock() as i64;
    }
    if let Some(off) = c.clock_offset {
        s.clock_offset = off;
    }
    if let Some(adv) = c.advance {
        s.clock_offset = s.clock_offset.saturating_add(adv);
    }
    if let Some(rate) = c.rate_kbps {
        s.rate_kbps = (rate > 0).then_some(rate);
    }
    if let Some(shared) = c.shared_link {
        s.shared_link = shared;
    }
    if let Some(ttfb) = c.ttfb_ms {
        s.ttfb_ms = ttfb;
    }
    if let Some(trace) = trace {
        s.trace = trace.map(|t| (t, tokio::time::Instant::now()));
    }
    if let Some(v) = c.cors_on_errors {
        s.cors_on_errors = v;
    }
    if let Some(g) = c.glacier {
        s.glacier = g;
    }
    if let Some(r) = c.restrict {
        s.restrict = r;
    }
    if c.clear_faults == Some(true) {
        s.faults.clear();
    }
    if let Some(f) = fault {
        if s.faults.len() >= crate::state::MAX_FAULTS {
            return Err(format!(
                "more than {} faults armed",
                crate::state::MAX_FAULTS
            ));
        }
        s.faults.push(f);
    }
    drop(s);
    if c.reset == Some(true) {
        st.cache_clear();
        st.log_clear();
    }
    Ok(())
}

pub fn status_json(st: &State) -> String {
    let now = st.now();
    let (bps, ttfb, shared) = st.pacing();
    let s = st.settings();
    serde_json::json!({
        "now": now,
        "clock_offset": s.clock_offset,
        "rate_kbps": s.rate_kbps,
        "current_kbps": bps.map(|b| b / 1000.0),
        "shared_link": shared,
        "ttfb_ms": ttfb,
        "trace": s.trace.is_some(),
        "cors_on_errors": s.cors_on_errors,
        "restrict": s.restrict,
        "glacier": s.glacier,
        "faults": s.faults,
        "key_pair_ids": st.cfg.keys.keys().collect::<Vec<_>>(),
        "allow_origins": st.cfg.allow_origins,
    })
    .to_string()
}
