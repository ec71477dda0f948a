//! # devcdn — a faithful local CloudFront
//!
//! Serves a directory the way CloudFront in front of an S3 bucket does for a distribution with
//! restricted viewer access: signed URLs first, then signed cookies, verified with real RSA
//! signatures over the exact policy bytes; CloudFront's own 403 bodies; CORS for credentialed
//! requests; validators and byte ranges. For tests and demos it adds a clock offset, bandwidth
//! pacing (own or shared link, or a looped trace), TTFB delay, fault injection and a request log,
//! all controllable at run time on `/__devcdn/`. An optional "app" port mints the cookies the way a
//! customer's backend would.
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod config;
pub mod crypto;
pub mod files;
pub mod pace;
pub mod policy;
pub mod server;
pub mod sign;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::Config;
pub use state::State;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("root {path}: {source}")]
    Root {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("log file: {0}")]
    Log(std::io::Error),
}

/// A started server: its addresses and the tasks serving them (aborted on drop).
pub struct Running {
    pub cdn_addr: SocketAddr,
    pub app_addr: Option<SocketAddr>,
    pub state: Arc<State>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Waits until a server task ends (they normally never do).
    pub async fn wait(mut self) {
        if let Some(task) = self.tasks.pop() {
            let _ = task.await;
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

async fn bind(host: &str, port: u16) -> Result<TcpListener, StartError> {
    // An IPv6 literal needs brackets before the port.
    let addr = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    TcpListener::bind(&addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

fn canonical(path: &std::path::Path) -> Result<std::path::PathBuf, StartError> {
    path.canonicalize().map_err(|source| StartError::Root {
        path: path.display().to_string(),
        source,
    })
}

/// Binds the CDN port (and the app port when configured) and starts serving in the background.
/// Port 0 picks a free port; the chosen addresses are in the result.
pub async fn start(cfg: Config) -> Result<Running, StartError> {
    let root = canonical(&cfg.root)?;
    let app_root = match cfg.app.as_ref().and_then(|a| a.root.as_ref()) {
        Some(r) => Some(canonical(r)?),
        None => None,
    };
    let cdn_listener = bind(&cfg.host, cfg.port).await?;
    let cdn_addr = cdn_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            addr: format!("{}:{}", cfg.host, cfg.port),
            source,
        })?;
    let app_listener = match &cfg.app {
        Some(app) => Some(bind(&cfg.host, app.port).await?),
        None => None,
    };
    let app_cfg = cfg.app.clone();
    let state = Arc::new(State::new(cfg, root, cdn_addr).map_err(StartError::Log)?);
    let mut tasks = Vec::new();
    let cdn_app = server::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = axum::serve(cdn_listener, cdn_app).await {
            eprintln!("devcdn: CDN server stopped: {e}");
        }
    }));
    let mut app_addr = None;
    if let (Some(listener), Some(app)) = (app_listener, app_cfg) {
        app_addr = listener.local_addr().ok();
        let router = app::router(app::AppState {
            cdn: state.clone(),
            app: Arc::new(app),
            root: app_root,
        });
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                eprintln!("devcdn: app server stopped: {e}");
            }
        }));
    }
    Ok(Running {
        cdn_addr,
        app_addr,
        state,
        tasks,
    })
}
