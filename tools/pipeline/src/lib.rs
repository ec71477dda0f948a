//! # pipeline — the VOD pipeline on one machine
//!
//! An mp4 uploaded to the local S3 endpoint under `input/` (`aws s3 cp`, or a presigned PUT from a
//! page) starts a MediaConvert job from a job JSON, as the VOD samples' Lambda does; the emulator
//! writes MediaConvert's files and playlists with ffmpeg into the bucket; devcdn serves the bucket
//! behind signed cookies, with the bucket's lifecycle rule (Glacier after N days) on its clock.
#![forbid(unsafe_code)]

pub mod app;
pub mod jobs;
pub mod lifecycle;
pub mod mediaconvert;
pub mod presign;
pub mod run_once;
pub mod s3;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::jobs::Jobs;
use crate::lifecycle::{Lifecycle, Rule};
use crate::mediaconvert::Job;
use crate::s3::S3Config;

/// The seed's job (the VOD sample's `job.json` shape): the default template.
pub const DEFAULT_JOB: &str = include_str!("../../../tests/fixtures/jobs/vod-sample.json");

pub struct Options {
    /// The S3 endpoint's root: one directory per bucket.
    pub data_dir: PathBuf,
    pub host: String,
    pub s3_port: u16,
    pub s3: S3Config,
    pub job: Job,
    pub rule: Rule,
    /// How often `input/` is looked at.
    pub poll: Duration,
}

pub struct Running {
    pub cdn_addr: SocketAddr,
    pub app_addr: SocketAddr,
    pub s3_addr: SocketAddr,
    pub bucket_dir: PathBuf,
    pub cdn: Arc<devcdn::State>,
    pub jobs: Arc<Jobs>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    pub async fn wait(mut self) {
        if let Some(t) = self.tasks.pop() {
            let _ = t.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn bind(host: &str, port: u16) -> Result<(TcpListener, SocketAddr), String> {
    let addr = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let l = TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let a = l.local_addr().map_err(|e| format!("{addr}: {e}"))?;
    Ok((l, a))
}

/// Starts the S3 endpoint, the trigger and worker, devcdn's CDN port (serving the bucket, with
/// the lifecycle rule) and its app port (cookies, static files, `/jobs`, `/upload-url`).
/// `cdn_cfg` is devcdn's configuration; its root is replaced by the bucket's directory.
pub async fn start(opts: Options, mut cdn_cfg: devcdn::Config) -> Result<Running, String> {
    let bucket_dir = opts.data_dir.join(&opts.s3.bucket);
    for dir in [&bucket_dir, &bucket_dir.join("input")] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let bucket_dir = bucket_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", bucket_dir.display()))?;
    cdn_cfg.root = bucket_dir.clone();
    let Some(mut app_cfg) = cdn_cfg.app.clone() else {
        return Err("the app side (--app-port, --sign-key, --key-pair-id) is required".into());
    };
    if let Some(r) = &app_cfg.root {
        app_cfg.root = Some(
            r.canonicalize()
                .map_err(|e| format!("{}: {e}", r.display()))?,
        );
    }

    let (cdn_listener, cdn_addr) = bind(&cdn_cfg.host, cdn_cfg.port).await?;
    let (app_listener, app_addr) = bind(&cdn_cfg.host, app_cfg.port).await?;
    let (s3_listener, s3_addr) = bind(&opts.host, opts.s3_port).await?;
    let cdn = Arc::new(
        devcdn::State::new(cdn_cfg, bucket_dir.clone(), cdn_addr)
            .map_err(|e| format!("devcdn log: {e}"))?,
    );

    let work_root = std::env::temp_dir().join(format!("pipeline-work-{}", std::process::id()));
    let jobs = Jobs::start(opts.job, &opts.s3.bucket, &bucket_dir, &work_root);
    jobs::watch_inputs(jobs.clone(), opts.poll);

    let mut tasks = Vec::new();
    let life = Lifecycle {
        rule: opts.rule,
        bucket_dir: bucket_dir.clone(),
        cdn: cdn.clone(),
    };
    let cdn_router = devcdn::server::router(cdn.clone())
        .layer(axum::middleware::from_fn_with_state(life, lifecycle::layer))
        .into_make_service_with_connect_info::<SocketAddr>();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = axum::serve(cdn_listener, cdn_router).await {
            eprintln!("pipeline: CDN server stopped: {e}");
        }
    }));

    let s3cfg = Arc::new(opts.s3);
    let app_root = app_cfg.root.clone();
    let app_router = app::router(app::AppRoutes {
        jobs: jobs.clone(),
        s3: s3cfg.clone(),
        s3_port: s3_addr.port(),
        upload_ttl_secs: 900,
    })
    .merge(devcdn::app::router(devcdn::app::AppState {
        cdn: cdn.clone(),
        app: Arc::new(app_cfg),
        root: app_root,
    }));
    tasks.push(tokio::spawn(async move {
        if let Err(e) = axum::serve(app_listener, app_router).await {
            eprintln!("pipeline: app server stopped: {e}");
        }
    }));

    let svc = s3::service(&opts.data_dir, &s3cfg)?;
    let origin_cdn = cdn.clone();
    let allowed: s3::OriginCheck =
        Arc::new(move |o: &str| devcdn::server::origin_allowed(&origin_cdn, o));
    tasks.push(s3::serve(s3_listener, svc, allowed));

    Ok(Running {
        cdn_addr,
        app_addr,
        s3_addr,
        bucket_dir,
        cdn,
        jobs,
        tasks,
    })
}
