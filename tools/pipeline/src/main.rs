//! `pipeline`: the S3 endpoint, the trigger, the MediaConvert emulator and devcdn in one process.
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use pipeline::lifecycle::Rule;
use pipeline::s3::S3Config;

const USAGE: &str = "\
usage: pipeline [options] -- DEVCDN-OPTIONS (devcdn's options without --root; the app side is required)
       pipeline run --input FILE --out DIR [--job FILE] [--dt STAMP]   (one job, no servers)

  --data DIR          the S3 endpoint's directory: DIR/<bucket>/ is the bucket (default target/s3)
  --s3-port N         S3 endpoint port (default $S3_PORT or 9000)
  --s3-host HOST      S3 endpoint address (default 127.0.0.1)
  --bucket NAME       the bucket (default $S3_BUCKET or vod)
  --access-key KEY    default $S3_ACCESS_KEY or hlsplay
  --secret-key KEY    default $S3_SECRET_KEY or hlsplay-dev-secret
  --job FILE          MediaConvert job JSON (default: tests/fixtures/jobs/vod-sample.json, built in)
  --ia-days N         lifecycle: Infrequent Access after N days (default 30; 0: never)
  --glacier-days N    lifecycle: Glacier after N days (default 60; 0: never)

An object created under input/ starts a job; GET /jobs and POST /upload-url?name=F are on the app port.
";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipeline: {e}");
            ExitCode::from(2)
        }
    }
}

fn days(v: &str, flag: &str) -> Result<Option<u32>, String> {
    let n: u32 = v
        .parse()
        .map_err(|_| format!("{flag}: not a number: {v}"))?;
    Ok((n > 0).then_some(n))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("run") {
        return pipeline::run_once::run(args.get(1..).unwrap_or(&[]));
    }
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (own, cdn_args) = args.split_at(split);
    let cdn_args: Vec<String> = cdn_args.iter().skip(1).cloned().collect();

    let mut data = PathBuf::from("target/s3");
    let mut s3_host = "127.0.0.1".to_string();
    let mut s3_port: u16 = env_or("S3_PORT", "9000")
        .parse()
        .map_err(|_| "S3_PORT: not a port".to_string())?;
    let mut s3 = S3Config {
        access_key: env_or("S3_ACCESS_KEY", "hlsplay"),
        secret_key: env_or("S3_SECRET_KEY", "hlsplay-dev-secret"),
        region: "us-east-1".into(),
        bucket: env_or("S3_BUCKET", "vod"),
    };
    let mut job_text = pipeline::DEFAULT_JOB.to_string();
    let mut job_name = "tests/fixtures/jobs/vod-sample.json (built in)".to_string();
    let mut rule = Rule {
        ia_days: Some(30),
        glacier_days: Some(60),
    };
    let mut it = own.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            return Ok(());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--data" => data = PathBuf::from(value),
            "--s3-port" => {
                s3_port = value
                    .parse()
                    .map_err(|_| format!("--s3-port: not a port: {value}"))?
            }
            "--s3-host" => s3_host = value.clone(),
            "--bucket" => s3.bucket = value.clone(),
            "--access-key" => s3.access_key = value.clone(),
            "--secret-key" => s3.secret_key = value.clone(),
            "--job" => {
                job_text =
                    std::fs::read_to_string(value).map_err(|e| format!("--job {value}: {e}"))?;
                job_name = value.clone();
            }
            "--ia-days" => rule.ia_days = days(value, flag)?,
            "--glacier-days" => rule.glacier_days = days(value, flag)?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if !s3::valid_bucket(&s3.bucket) {
        return Err(format!(
            "bucket name {}: 3-63 lowercase letters, digits, `-`, `.`",
            s3.bucket
        ));
    }
    let json: serde_json::Value =
        serde_json::from_str(&job_text).map_err(|e| format!("{job_name}: {e}"))?;
    let job = pipeline::mediaconvert::parse_job(&json).map_err(|e| format!("{job_name}: {e}"))?;

    // devcdn's parser wants a root; the bucket replaces it.
    let mut full = vec!["--root".to_string(), ".".to_string()];
    full.extend(cdn_args);
    let cdn_cfg = devcdn::Config::from_args(&full).map_err(|e| format!("devcdn options: {e}"))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let opts = pipeline::Options {
        data_dir: data,
        host: s3_host,
        s3_port,
        s3: s3.clone(),
        job,
        rule,
        poll: Duration::from_millis(300),
    };
    runtime.block_on(async move {
        let running = pipeline::start(opts, cdn_cfg).await?;
        eprintln!(
            "pipeline: S3   http://localhost:{} bucket {} ({})",
            running.s3_addr.port(),
            s3.bucket,
            running.bucket_dir.display()
        );
        eprintln!(
            "pipeline:      access key {}  secret key {}  region {}",
            s3.access_key, s3.secret_key, s3.region
        );
        eprintln!(
            "pipeline: CDN  http://{} serving the bucket",
            running.cdn_addr
        );
        eprintln!(
            "pipeline: app  http://{} (GET /jobs, POST /upload-url?name=F, GET /auth/cookies)",
            running.app_addr
        );
        eprintln!(
            "pipeline: job  {job_name}; an object created under s3://{}/input/ starts it",
            s3.bucket
        );
        tokio::select! {
            () = running.wait() => {}
            r = tokio::signal::ctrl_c() => { r.map_err(|e| e.to_string())?; }
        }
        Ok(())
    })
}

mod s3 {
    /// S3's bucket naming rules, the part that matters for a directory name.
    pub fn valid_bucket(name: &str) -> bool {
        (3..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !name.starts_with(['.', '-'])
            && !name.contains("..")
    }
}
