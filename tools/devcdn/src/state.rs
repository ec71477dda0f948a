//! Shared server state: the run-time settings the control endpoint changes, the clock, the edge
//! cache record behind `X-Cache`/`Age`, faults, and the request log.
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::config::Config;
use crate::pace::{Link, Trace};
use crate::policy::wildcard_match;

/// What an injected fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer this status (403 AccessDenied, 404 NoSuchKey, 5xx CloudFront error page).
    Status(u16),
    /// Send the head and `after_bytes` of the body, then nothing (the connection stays open).
    Stall { after_bytes: u64 },
    /// Hold the response head `ms` milliseconds, then answer normally (orders races in tests).
    Delay { ms: u64 },
    /// Answer normally, but with every body byte XOR [`CORRUPT_XOR`]: same length, wrong bytes (a
    /// wrong AES key, a damaged segment).
    Corrupt,
}

/// What `corrupt` XORs each body byte with (any non-zero value changes every byte).
pub const CORRUPT_XOR: u8 = 0x5a;

impl FaultKind {
    /// `403`, `404`, `500`, `502`, `503`, `504`, `stall`, `delay` or `corrupt`.
    pub fn parse(kind: &str, after_bytes: u64, ms: u64) -> Result<FaultKind, String> {
        match kind {
            "stall" => Ok(FaultKind::Stall { after_bytes }),
            "delay" => Ok(FaultKind::Delay { ms }),
            "corrupt" => Ok(FaultKind::Corrupt),
            s => match s.parse::<u16>() {
                Ok(code @ (403 | 404 | 500 | 502 | 503 | 504)) => Ok(FaultKind::Status(code)),
                _ => Err(format!(
                    "fault kind `{s}`: want 403, 404, 500, 502, 503, 504, stall, delay or corrupt"
                )),
            },
        }
    }
}

/// Armed faults beyond this are refused (each is a test instruction, not data).
pub const MAX_FAULTS: usize = 1000;

#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    /// Path pattern (`*`, `?`) over the request path, e.g. `*.ts`.
    pub path: String,
    pub kind: FaultKind,
    /// Requests still to fail.
    pub remaining: u32,
}

/// Settings the control endpoint can change.
#[derive(Debug)]
pub struct Settings {
    pub clock_offset: i64,
    pub rate_kbps: Option<u64>,
    pub shared_link: bool,
    pub trace: Option<(Trace, Instant)>,
    pub ttfb_ms: u64,
    pub cors_on_errors: bool,
    pub glacier: Vec<String>,
    pub restrict: Vec<String>,
    pub faults: Vec<Fault>,
}

/// One request in the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    /// Wall-clock epoch seconds (not shifted by the clock offset).
    pub time: f64,
    pub client: String,
    pub method: String,
    pub path: String,
    pub signed_url: bool,
    pub status: u16,
    /// Body bytes planned for the response.
    pub bytes: u64,
    pub range: Option<String>,
    pub origin: Option<String>,
    /// `public`, `cookies`, `signed-url`, a refusal code, or `-` (control, preflight).
    pub auth: String,
    /// Why access was denied, when it was.
    pub reason: Option<String>,
    pub x_cache: Option<String>,
    pub fault: Option<String>,
    pub ttfb_ms: u64,
}

const LOG_CAPACITY: usize = 10_000;

pub struct State {
    pub cfg: Config,
    /// The canonical root.
    pub root: PathBuf,
    pub cdn_addr: SocketAddr,
    settings: Mutex<Settings>,
    /// First time each key was served (for X-Cache and Age).
    cache: Mutex<HashMap<String, Instant>>,
    log: Mutex<(u64, VecDeque<LogEntry>)>,
    log_file: Mutex<Option<std::fs::File>>,
    pub shared_link: Link,
    counter: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

pub fn wall_clock() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl State {
    pub fn new(cfg: Config, root: PathBuf, cdn_addr: SocketAddr) -> std::io::Result<State> {
        let clock_offset = match cfg.now {
            Some(now) => now - wall_clock() as i64 + cfg.clock_offset,
            None => cfg.clock_offset,
        };
        let log_file = match &cfg.log_file {
            Some(path) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            ),
            None => None,
        };
        let restrict = if cfg.restrict.is_empty() {
            vec!["*".to_string()]
        } else {
            cfg.restrict.clone()
        };
        let settings = Settings {
            clock_offset,
            rate_kbps: cfg.rate_kbps.filter(|&r| r > 0),
            shared_link: cfg.shared_link,
            trace: cfg.trace.clone().map(|t| (t, Instant::now())),
            ttfb_ms: cfg.ttfb_ms,
            cors_on_errors: cfg.cors_on_errors,
            glacier: cfg.glacier.clone(),
            restrict,
            faults: cfg.faults.clone(),
        };
        Ok(State {
            cfg,
            root,
            cdn_addr,
            settings: Mutex::new(settings),
            cache: Mutex::new(HashMap::new()),
            log: Mutex::new((0, VecDeque::new())),
            log_file: Mutex::new(log_file),
            shared_link: Link::new(),
            counter: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn settings(&self) -> MutexGuard<'_, Settings> {
        lock(&self.settings)
    }

    /// The CDN's and the app's clock: wall clock plus the offset, epoch seconds.
    pub fn now(&self) -> i64 {
        wall_clock() as i64 + self.settings().clock_offset
    }

    /// Current link rate in bits/s (trace first, then --rate-kbps), its TTFB, and whether shared.
    pub fn pacing(&self) -> (Option<f64>, u64, bool) {
        let s = self.settings();
        match &s.trace {
            Some((trace, start)) => {
                let (bps, ttfb) = trace.at(start.elapsed().as_secs_f64());
                (Some(bps), ttfb.unwrap_or(s.ttfb_ms), s.shared_link)
            }
            None => (
                s.rate_kbps.map(|k| k as f64 * 1000.0),
                s.ttfb_ms,
                s.shared_link,
            ),
        }
    }

    pub fn is_restricted(&self, path: &str) -> bool {
        self.settings()
            .restrict
            .iter()
            .any(|p| wildcard_match(p, path))
    }

    pub fn is_glacier(&self, path: &str) -> bool {
        self.settings()
            .glacier
            .iter()
            .any(|p| wildcard_match(p, path))
    }

    /// Takes one matching fault, if any is armed for this path.
    pub fn take_fault(&self, path: &str) -> Option<FaultKind> {
        let mut s = self.settings();
        let fault = s
            .faults
            .iter_mut()
            .find(|f| f.remaining > 0 && wildcard_match(&f.path, path))?;
        fault.remaining -= 1;
        let kind = fault.kind;
        s.faults.retain(|f| f.remaining > 0);
        Some(kind)
    }

    /// `Some(age)` when the key was served before (a Hit), `None` the first time (a Miss).
    pub fn cache_lookup(&self, key: &str) -> Option<u64> {
        let mut cache = lock(&self.cache);
        match cache.get(key) {
            Some(first) => Some(first.elapsed().as_secs()),
            None => {
                cache.insert(key.to_string(), Instant::now());
                None
            }
        }
    }

    pub fn cache_clear(&self) {
        lock(&self.cache).clear();
    }

    pub fn next_request_id(&self) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        crate::policy::cf_b64_encode(format!("devcdn-{n}-{nanos:x}").as_bytes())
    }

    pub fn record(&self, mut entry: LogEntry) {
        {
            let mut log = lock(&self.log);
            log.0 += 1;
            entry.seq = log.0;
            if log.1.len() >= LOG_CAPACITY {
                log.1.pop_front();
            }
            log.1.push_back(entry.clone());
        }
        if let Some(file) = lock(&self.log_file).as_mut() {
            if let Ok(line) = serde_json::to_string(&entry) {
                // A full disk must not take the CDN down; the in-memory log still has it.
                let _ = writeln!(file, "{line}");
            }
        }
        if !self.cfg.quiet {
            eprintln!(
                "devcdn: {} {} {}{} {}B auth={}{} {}{}",
                entry.status,
                entry.method,
                entry.path,
                if entry.signed_url { "?<signed>" } else { "" },
                entry.bytes,
                entry.auth,
                entry
                    .reason
                    .as_deref()
                    .map(|r| format!("({r})"))
                    .unwrap_or_default(),
                entry.x_cache.as_deref().unwrap_or(""),
                entry
                    .fault
                    .as_deref()
                    .map(|f| format!(" fault={f}"))
                    .unwrap_or_default(),
            );
        }
    }

    /// Log entries after `since` (a sequence number).
    pub fn log_since(&self, since: u64) -> Vec<LogEntry> {
        lock(&self.log)
            .1
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect()
    }

    pub fn log_clear(&self) {
        lock(&self.log).1.clear();
    }
}
