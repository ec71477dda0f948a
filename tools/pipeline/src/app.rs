//! The app side's pipeline routes, beside devcdn's `/auth/cookies` on the same origin:
//! `GET /jobs` (the job list) and `POST /upload-url?name=clip.mp4` (a presigned PUT to
//! `input/clip.mp4`, as a customer's backend mints one for a browser upload).
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::jobs::Jobs;
use crate::presign::{self, Presign};
use crate::s3::S3Config;

#[derive(Clone)]
pub struct AppRoutes {
    pub jobs: Arc<Jobs>,
    pub s3: Arc<S3Config>,
    pub s3_port: u16,
    /// Lifetime of a presigned URL.
    pub upload_ttl_secs: u64,
}

pub fn router(s: AppRoutes) -> axum::Router {
    axum::Router::new()
        .route("/jobs", get(list))
        .route("/upload-url", post(upload_url))
        .with_state(s)
}

fn json(status: StatusCode, v: serde_json::Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        v.to_string(),
    )
        .into_response()
}

async fn list(State(s): State<AppRoutes>) -> Response {
    json(StatusCode::OK, serde_json::json!(s.jobs.list()))
}

#[derive(Deserialize)]
struct UploadQuery {
    name: Option<String>,
}

/// An object name from a file name: letters, digits, `.`, `-`, `_` kept, anything else `_`.
pub fn safe_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    (!s.is_empty() && s.len() <= 200).then_some(s)
}

async fn upload_url(
    State(s): State<AppRoutes>,
    headers: HeaderMap,
    Query(q): Query<UploadQuery>,
) -> Response {
    let Some(name) = q.name.as_deref().and_then(safe_name) else {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error": "name: a file name is required" }),
        );
    };
    // The S3 endpoint on the host name the page used (cookies and CORS see the same host).
    let host_header = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let host_name = if host_header.starts_with('[') {
        host_header
            .split_inclusive(']')
            .next()
            .unwrap_or("localhost")
    } else {
        host_header.split(':').next().unwrap_or("localhost")
    };
    let host = format!("{host_name}:{}", s.s3_port);
    let key = format!("input/{name}");
    let path = format!("/{}/{key}", s.s3.bucket);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let amz_date = presign::amz_date(now);
    let query = presign::presigned_query(&Presign {
        method: "PUT",
        host: &host,
        path: &path,
        access_key: &s.s3.access_key,
        secret_key: &s.s3.secret_key,
        region: &s.s3.region,
        amz_date: &amz_date,
        expires_secs: s.upload_ttl_secs,
    });
    let url = format!("http://{host}{}?{query}", presign::uri_encode(&path, true));
    json(
        StatusCode::OK,
        serde_json::json!({ "method": "PUT", "url": url, "key": key, "expires": now + s.upload_ttl_secs as i64 }),
    )
}
