//! The local S3 endpoint: `s3s` (S3's wire protocol and SigV4) over `s3s-fs` (objects as files),
//! plus the two things a browser upload needs that a bucket's CORS rule gives on AWS.
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::host::{S3Host, VirtualHost};
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{Body, S3Result};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The endpoint's settings (the dev credentials are not secrets: they guard a local directory).
#[derive(Debug, Clone)]
pub struct S3Config {
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    pub bucket: String,
}

/// Path-style (`localhost:9000/vod/key`) and virtual-host-style (`vod.localhost:9000/key`)
/// requests: a host ending in `.localhost` names the bucket, any other host is path-style.
/// (s3s's own `SingleDomain` takes any unknown host, `127.0.0.1` too, for a bucket name.)
struct LocalHosts;

impl S3Host for LocalHosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        let name = host.rsplit_once(':').map_or(host, |(name, _port)| name);
        match name.strip_suffix(".localhost") {
            Some(bucket) if !bucket.is_empty() => Ok(VirtualHost::new(host).with_bucket(bucket)),
            _ => Ok(VirtualHost::new(host)),
        }
    }
}

/// CORS for the demo page's presigned PUT: which origins may call the endpoint from a page.
pub type OriginCheck = Arc<dyn Fn(&str) -> bool + Send + Sync>;

pub fn service(root: &Path, cfg: &S3Config) -> Result<S3Service, String> {
    let fs =
        s3s_fs::FileSystem::new(root).map_err(|e| format!("s3 root {}: {e:?}", root.display()))?;
    let mut b = S3ServiceBuilder::new(fs);
    b.set_auth(SimpleAuth::from_single(
        cfg.access_key.clone(),
        cfg.secret_key.clone(),
    ));
    b.set_host(LocalHosts);
    Ok(b.build())
}

fn add_cors(h: &mut hyper::HeaderMap, origin: Option<&HeaderValue>, allowed: &OriginCheck) {
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = origin else { return };
    if origin.to_str().is_ok_and(|o| allowed(o)) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, x-amz-request-id"),
        );
    }
}

async fn handle(
    svc: S3Service,
    allowed: OriginCheck,
    req: Request<Incoming>,
) -> Result<Response<Body>, std::convert::Infallible> {
    let origin = req.headers().get(header::ORIGIN).cloned();
    // A preflight carries no credentials: S3 answers it from the bucket's CORS rule.
    if req.method() == Method::OPTIONS && origin.is_some() {
        let mut resp = Response::new(Body::empty());
        let h = resp.headers_mut();
        add_cors(h, origin.as_ref(), &allowed);
        if h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, PUT, POST, DELETE"),
            );
            if let Some(asked) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
            }
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        } else {
            *resp.status_mut() = StatusCode::FORBIDDEN;
        }
        return Ok(resp);
    }
    let req = req.map(Body::from);
    let mut resp = match svc.call(req).await {
        Ok(r) => r.map(Body::from),
        Err(e) => {
            eprintln!("pipeline s3: {e:?}");
            let mut r = Response::new(Body::from("internal error".to_string()));
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    };
    add_cors(resp.headers_mut(), origin.as_ref(), &allowed);
    Ok(resp)
}

/// Serves the endpoint on `listener` until the task is aborted.
pub fn serve(listener: TcpListener, svc: S3Service, allowed: OriginCheck) -> JoinHandle<()> {
    tokio::spawn(async move {
        let http = ConnBuilder::new(TokioExecutor::new());
        loop {
            let (socket, _peer): (_, SocketAddr) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("pipeline s3: accept: {e}");
                    continue;
                }
            };
            let svc = svc.clone();
            let allowed = allowed.clone();
            let service =
                hyper::service::service_fn(move |req| handle(svc.clone(), allowed.clone(), req));
            let conn = http
                .serve_connection(TokioIo::new(socket), service)
                .into_owned();
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
    })
}
