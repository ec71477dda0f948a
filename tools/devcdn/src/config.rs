//! Command-line parsing for the server and the signer (hand-written: no argument-parser dependency).
use std::collections::HashMap;
use std::path::PathBuf;

use rsa::{RsaPrivateKey, RsaPublicKey};

use crate::crypto::{load_private_key, load_public_key, HashAlg, KeyError};
use crate::pace::Trace;
use crate::policy::Cidr;
use crate::sign::Grant;
use crate::state::{Fault, FaultKind};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("trace file {path}: {message}")]
    Trace { path: String, message: String },
}

fn usage(msg: impl Into<String>) -> ConfigError {
    ConfigError::Usage(msg.into())
}

pub const USAGE: &str = "\
usage: devcdn --root DIR [--port 9090] [--host 127.0.0.1] --key ID=public.pem [--key ...] [options]
       devcdn sign --key private.pem --key-pair-id ID --resource PATTERN --expires EPOCH
                   [--starts EPOCH] [--ip CIDR] [--sha256] [--url URL]

CDN options:
  --restrict PATTERN     path pattern that needs a signature (repeatable; default: everything)
  --glacier PATTERN      objects answering 403 InvalidObjectState, like Glacier objects (repeatable)
  --missing-as-403       a missing object answers S3's 403 AccessDenied (bucket behind an OAI
                         without ListBucket), not 404 NoSuchKey
  --allow-origin ORIGIN  CORS allow-list, exact origins (repeatable; `*` reflects any origin)
  --no-cors-on-errors    no CORS headers on error responses (the page then sees status 0)
  --cache-control VALUE  Cache-Control of objects (default: max-age=86400)
  --now EPOCH            start the clock at EPOCH (it then runs)
  --clock-offset SECS    add SECS to the clock
  --rate-kbps N          pace response bodies at N kbit/s (per connection)
  --shared-link          one shared link of --rate-kbps for all connections
  --trace FILE           follow a trace: lines `<time_s> <mbps> [ttfb_ms]`, looped
  --ttfb-ms N            delay before the response head
  --fault KIND,COUNT,PAT fail the next COUNT requests matching PAT: 403, 404, 500, 502, 503,
                         504, stall, delay (1 s) or corrupt (body bytes XOR 0x5a, e.g.
                         corrupt,1,*.key: a wrong key) (repeatable; also at run time on
                         /__devcdn/control)
  --log FILE             request log as JSON lines (also one line per request on stderr)
  --quiet                no request lines on stderr
App options (the customer's backend that mints cookies):
  --app-port N           serve GET /auth/cookies on this port
  --app-root DIR         also serve static files there (demo page, built package)
  --sign-key FILE        private key for the cookies
  --key-pair-id ID       Key-Pair-Id of --sign-key
  --cookie-ttl SECS      policy lifetime (default 600)
  --cookie-resource PAT  Resource of the policy (default http://<app host name>:<cdn port>/*)
  --cookie-domain DOMAIN Domain attribute of the cookies (default: host-only)
  --sha256               sign with SHA-256 (adds CloudFront-Hash-Algorithm)
";

/// The app side: mints cookies like a customer's backend.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub port: u16,
    pub root: Option<PathBuf>,
    pub sign_key: RsaPrivateKey,
    pub key_pair_id: String,
    pub cookie_ttl: i64,
    pub cookie_resource: Option<String>,
    pub cookie_domain: Option<String>,
    pub alg: HashAlg,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub host: String,
    pub port: u16,
    pub keys: HashMap<String, RsaPublicKey>,
    pub restrict: Vec<String>,
    pub glacier: Vec<String>,
    pub missing_as_403: bool,
    pub allow_origins: Vec<String>,
    pub cors_on_errors: bool,
    pub cache_control: String,
    pub now: Option<i64>,
    pub clock_offset: i64,
    pub rate_kbps: Option<u64>,
    pub shared_link: bool,
    pub trace: Option<Trace>,
    pub ttfb_ms: u64,
    pub faults: Vec<Fault>,
    pub log_file: Option<PathBuf>,
    pub quiet: bool,
    pub app: Option<AppConfig>,
}

impl Config {
    /// Defaults for a server on `root` (tests build on this).
    pub fn new(root: impl Into<PathBuf>) -> Config {
        Config {
            root: root.into(),
            host: "127.0.0.1".into(),
            port: 9090,
            keys: HashMap::new(),
            restrict: Vec::new(),
            glacier: Vec::new(),
            missing_as_403: false,
            allow_origins: Vec::new(),
            cors_on_errors: true,
            cache_control: "max-age=86400".into(),
            now: None,
            clock_offset: 0,
            rate_kbps: None,
            shared_link: false,
            trace: None,
            ttfb_ms: 0,
            faults: Vec::new(),
            log_file: None,
            quiet: false,
            app: None,
        }
    }

    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let mut it = args.iter();
        let mut root = None;
        let mut cfg = Config::new("");
        let mut app_port = None;
        let mut app_root = None;
        let mut sign_key = None;
        let mut key_pair_id = None;
        let mut cookie_ttl = 600;
        let mut cookie_resource = None;
        let mut cookie_domain = None;
        let mut alg = HashAlg::Sha1;
        while let Some(flag) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| usage(format!("{name} needs a value")))
            };
            match flag.as_str() {
                "--root" => root = Some(PathBuf::from(value(flag)?)),
                "--port" => cfg.port = num(flag, &value(flag)?)?,
                "--host" => cfg.host = value(flag)?,
                "--key" => {
                    let v = value(flag)?;
                    let (id, path) = v
                        .split_once('=')
                        .ok_or_else(|| usage(format!("--key wants ID=public.pem, got `{v}`")))?;
                    cfg.keys
                        .insert(id.to_string(), load_public_key(path.as_ref())?);
                }
                "--restrict" => cfg.restrict.push(value(flag)?),
                "--glacier" => cfg.glacier.push(value(flag)?),
                "--missing-as-403" => cfg.missing_as_403 = true,
                "--allow-origin" => cfg.allow_origins.push(value(flag)?),
                "--no-cors-on-errors" => cfg.cors_on_errors = false,
                "--cache-control" => cfg.cache_control = value(flag)?,
                "--now" => cfg.now = Some(num(flag, &value(flag)?)?),
                "--clock-offset" => cfg.clock_offset = num(flag, &value(flag)?)?,
                "--rate-kbps" => cfg.rate_kbps = Some(num(flag, &value(flag)?)?),
                "--shared-link" => cfg.shared_link = true,
                "--trace" => {
                    let path = value(flag)?;
                    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Trace {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
                    cfg.trace =
                        Some(Trace::parse(&text).map_err(|message| ConfigError::Trace {
                            path: path.clone(),
                            message,
                        })?);
                }
                "--ttfb-ms" => cfg.ttfb_ms = num(flag, &value(flag)?)?,
                "--fault" => cfg.faults.push(parse_fault(&value(flag)?)?),
                "--log" => cfg.log_file = Some(PathBuf::from(value(flag)?)),
                "--quiet" => cfg.quiet = true,
                "--app-port" => app_port = Some(num(flag, &value(flag)?)?),
                "--app-root" => app_root = Some(PathBuf::from(value(flag)?)),
                "--sign-key" => sign_key = Some(load_private_key(value(flag)?.as_ref())?),
                "--key-pair-id" => key_pair_id = Some(value(flag)?),
                "--cookie-ttl" => cookie_ttl = num(flag, &value(flag)?)?,
                "--cookie-resource" => cookie_resource = Some(value(flag)?),
                "--cookie-domain" => cookie_domain = Some(value(flag)?),
                "--sha256" => alg = HashAlg::Sha256,
                other => return Err(usage(format!("unknown option `{other}`"))),
            }
        }
        cfg.root = root.ok_or_else(|| usage("--root DIR is required"))?;
        if cfg.keys.is_empty() {
            return Err(usage("at least one --key ID=public.pem is required"));
        }
        if let Some(port) = app_port {
            let sign_key = sign_key.ok_or_else(|| usage("--app-port needs --sign-key"))?;
            let key_pair_id = key_pair_id.ok_or_else(|| usage("--app-port needs --key-pair-id"))?;
            cfg.app = Some(AppConfig {
                port,
                root: app_root,
                sign_key,
                key_pair_id,
                cookie_ttl,
                cookie_resource,
                cookie_domain,
                alg,
            });
        }
        Ok(cfg)
    }
}

/// `KIND,COUNT,PATTERN`, e.g. `503,2,*.ts`, `stall,1,*_720_*.ts` (stalls before the body) or
/// `corrupt,1,*.key`.
fn parse_fault(v: &str) -> Result<Fault, ConfigError> {
    let bad = || {
        usage(format!(
            "--fault wants KIND,COUNT,PATTERN (e.g. 503,2,*.ts), got `{v}`"
        ))
    };
    let mut parts = v.splitn(3, ',');
    let (Some(kind), Some(count), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(Fault {
        path: path.to_string(),
        kind: FaultKind::parse(kind, 0, 1000).map_err(usage)?,
        remaining: count.parse().map_err(|_| bad())?,
    })
}

fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, ConfigError> {
    v.parse()
        .map_err(|_| usage(format!("{flag}: `{v}` is not a valid number")))
}

/// `devcdn sign ...`
pub struct SignArgs {
    pub key: RsaPrivateKey,
    pub key_pair_id: String,
    pub grant: Grant,
    pub url: Option<String>,
}

impl SignArgs {
    pub fn from_args(args: &[String]) -> Result<SignArgs, ConfigError> {
        let mut it = args.iter();
        let (mut key, mut key_pair_id, mut resource, mut expires) = (None, None, None, None);
        let (mut starts, mut ip, mut url, mut alg) = (None, None, None, HashAlg::Sha1);
        while let Some(flag) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| usage(format!("{name} needs a value")))
            };
            match flag.as_str() {
                "--key" => key = Some(load_private_key(value(flag)?.as_ref())?),
                "--key-pair-id" => key_pair_id = Some(value(flag)?),
                "--resource" => resource = Some(value(flag)?),
                "--expires" => expires = Some(num(flag, &value(flag)?)?),
                "--starts" => starts = Some(num(flag, &value(flag)?)?),
                "--ip" => {
                    let v = value(flag)?;
                    ip = Some(
                        Cidr::parse(&v)
                            .ok_or_else(|| usage(format!("--ip wants a.b.c.d/n, got `{v}`")))?,
                    );
                }
                "--sha256" => alg = HashAlg::Sha256,
                "--url" => url = Some(value(flag)?),
                other => return Err(usage(format!("sign: unknown option `{other}`"))),
            }
        }
        let resource = resource
            .or_else(|| url.clone())
            .ok_or_else(|| usage("sign: --resource (or --url) is required"))?;
        Ok(SignArgs {
            key: key.ok_or_else(|| usage("sign: --key private.pem is required"))?,
            key_pair_id: key_pair_id.ok_or_else(|| usage("sign: --key-pair-id is required"))?,
            grant: Grant {
                resource,
                expires: expires.ok_or_else(|| usage("sign: --expires EPOCH is required"))?,
                starts,
                ip,
                alg,
            },
            url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_flag_takes_every_kind_and_names_them_when_wrong() {
        let f = parse_fault("corrupt,2,*.key").unwrap();
        assert_eq!(
            (f.kind, f.remaining, f.path.as_str()),
            (FaultKind::Corrupt, 2, "*.key")
        );
        // A pattern may hold commas: only the first two separate.
        let f = parse_fault("403,1,*a,b.key").unwrap();
        assert_eq!(
            (f.kind, f.path.as_str()),
            (FaultKind::Status(403), "*a,b.key")
        );
        let f = parse_fault("stall,1,*.ts").unwrap();
        assert_eq!(f.kind, FaultKind::Stall { after_bytes: 0 });
        let err = parse_fault("garble,1,*.key").unwrap_err().to_string();
        assert!(err.contains("garble") && err.contains("corrupt"), "{err}");
        let err = parse_fault("corrupt,x,*.key").unwrap_err().to_string();
        assert!(err.contains("KIND,COUNT,PATTERN"), "{err}");
    }
}
