//! The whole pipeline in-process: a presigned PUT minted by the app side (verified by s3s's SigV4),
//! the trigger, the queue surviving a failed job, devcdn serving the output behind cookies, and the
//! lifecycle rule on devcdn's clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::http;
use devcdn::crypto::{load_private_key, HashAlg};
use devcdn::sign::{signed_cookies, Grant};
use pipeline::lifecycle::Rule;
use pipeline::s3::S3Config;
use serde_json::Value;

async fn start() -> pipeline::Running {
    // The seed's job cut down to its 360p rendition: the same code path, a third of the encode.
    let mut v: Value = serde_json::from_str(pipeline::DEFAULT_JOB).unwrap();
    let groups = v["Settings"]["OutputGroups"].as_array_mut().unwrap();
    groups.truncate(1);
    groups[0]["Outputs"].as_array_mut().unwrap().truncate(1);
    let job = pipeline::mediaconvert::parse_job(&v).unwrap();
    let keys = common::repo("tools/devcdn/testdata");
    let args: Vec<String> = [
        "--root",
        ".",
        "--port",
        "0",
        "--app-port",
        "0",
        "--quiet",
        "--key-pair-id",
        "K1",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        "--key".into(),
        format!("K1={}", keys.join("test-public.pem").display()),
        "--sign-key".into(),
        keys.join("test-private.pem").display().to_string(),
        "--allow-origin".into(),
        "http://localhost:8080".into(),
    ])
    .collect();
    let cdn_cfg = devcdn::Config::from_args(&args).unwrap();
    let opts = pipeline::Options {
        data_dir: common::temp_dir("pipeline"),
        host: "127.0.0.1".into(),
        s3_port: 0,
        s3: S3Config {
            access_key: "hlsplay".into(),
            secret_key: "hlsplay-dev-secret".into(),
            region: "us-east-1".into(),
            bucket: "vod".into(),
        },
        job,
        rule: Rule {
            ia_days: Some(30),
            glacier_days: Some(60),
        },
        poll: Duration::from_millis(100),
    };
    pipeline::start(opts, cdn_cfg).await.unwrap()
}

/// `POST /upload-url?name=...` on the app side, then the PUT it allows; returns the PUT's status.
async fn upload(p: &pipeline::Running, name: &str, body: &[u8]) -> (u16, String) {
    let host = format!("localhost:{}", p.app_addr.port());
    let r = http(
        p.app_addr,
        "POST",
        &format!("/upload-url?name={name}"),
        &host,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["method"], "PUT");
    assert_eq!(v["key"], format!("input/{name}"));
    let url = v["url"].as_str().unwrap();
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    assert_eq!(
        authority,
        format!("localhost:{}", p.s3_addr.port()),
        "the S3 endpoint on the page's host name"
    );
    let put = http(
        p.s3_addr,
        "PUT",
        target,
        authority,
        &[("Content-Type", "video/mp4")],
        body,
    )
    .await;
    (put.status, put.text())
}

async fn job_for(p: &pipeline::Running, key: &str, until: &[&str]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let host = format!("localhost:{}", p.app_addr.port());
        let r = http(p.app_addr, "GET", "/jobs", &host, &[], b"").await;
        assert_eq!(r.status, 200);
        let list: Value = serde_json::from_slice(&r.body).unwrap();
        let input = format!("s3://vod/{key}");
        if let Some(j) = list
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["input"] == input.as_str())
        {
            if until.contains(&j["status"].as_str().unwrap()) {
                return j.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "no job for {key} reached {until:?}: {list}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn cookie_header(host: &str) -> String {
    let key = load_private_key(&common::repo("tools/devcdn/testdata/test-private.pem")).unwrap();
    let grant = Grant {
        resource: format!("http://{host}/*"),
        expires: 4_000_000_000,
        starts: None,
        ip: None,
        alg: HashAlg::Sha1,
    };
    signed_cookies(&key, "K1", &grant)
        .unwrap()
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_upload_to_job_to_cdn_and_glacier() {
    let p = start().await;
    let s3_host = format!("localhost:{}", p.s3_addr.port());

    // A tampered presigned URL is refused by the SigV4 check.
    let host = format!("localhost:{}", p.app_addr.port());
    let r = http(
        p.app_addr,
        "POST",
        "/upload-url?name=x.mp4",
        &host,
        &[],
        b"",
    )
    .await;
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let url = v["url"]
        .as_str()
        .unwrap()
        .replace("input/x.mp4", "input/y.mp4");
    let target = &url[url.find(&s3_host).unwrap() + s3_host.len()..];
    let bad = http(p.s3_addr, "PUT", target, &s3_host, &[], b"data").await;
    assert_eq!(bad.status, 403, "{}", bad.text());
    assert!(
        bad.text().contains("SignatureDoesNotMatch"),
        "{}",
        bad.text()
    );
    // Unsigned: refused too.
    let anon = http(p.s3_addr, "GET", "/vod/", &s3_host, &[], b"").await;
    assert_eq!(anon.status, 403, "{}", anon.text());

    // A text file first: its job ends in ERROR with ffmpeg's reason...
    let (status, text) = upload(&p, "notes.mp4", b"not a video at all\n").await;
    assert_eq!(status, 200, "{text}");
    let failed = job_for(&p, "input/notes.mp4", &["ERROR", "COMPLETE"]).await;
    assert_eq!(failed["status"], "ERROR", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("Invalid data found when processing input"),
        "{failed}"
    );

    // ...and the next upload still runs.
    let src = common::temp_dir("src").join("clip.mp4");
    common::make_source(&src, 4);
    let (status, text) = upload(&p, "clip.mp4", &std::fs::read(&src).unwrap()).await;
    assert_eq!(status, 200, "{text}");
    let done = job_for(&p, "input/clip.mp4", &["ERROR", "COMPLETE"]).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert_eq!(done["percent"], 100);
    assert_eq!(
        done["outputs"],
        serde_json::json!(["clip/Default/HLS/clip.m3u8"])
    );
    assert!(done["id"].as_str().is_some_and(|id| !id.is_empty()));

    // Virtual-host style: the bucket in the Host header (listing, signed with s3s's own presigner
    // counterpart: ours, for a GET).
    let vhost = format!("vod.localhost:{}", p.s3_addr.port());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let q = pipeline::presign::presigned_query(&pipeline::presign::Presign {
        method: "GET",
        host: &vhost,
        path: "/clip/Default/HLS/clip.m3u8",
        access_key: "hlsplay",
        secret_key: "hlsplay-dev-secret",
        region: "us-east-1",
        amz_date: &pipeline::presign::amz_date(now),
        expires_secs: 60,
    });
    let got = http(
        p.s3_addr,
        "GET",
        &format!("/clip/Default/HLS/clip.m3u8?{q}"),
        &vhost,
        &[],
        b"",
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(
        got.text()
            .starts_with("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"),
        "{}",
        got.text()
    );

    // The CDN serves the bucket: refused without cookies, served with them.
    let cdn_host = format!("localhost:{}", p.cdn_addr.port());
    let master = "/clip/Default/HLS/clip.m3u8";
    let refused = http(p.cdn_addr, "GET", master, &cdn_host, &[], b"").await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.text().contains("<Code>MissingKey</Code>"),
        "{}",
        refused.text()
    );
    let cookies = cookie_header(&cdn_host);
    let served = http(
        p.cdn_addr,
        "GET",
        master,
        &cdn_host,
        &[("Cookie", &cookies)],
        b"",
    )
    .await;
    assert_eq!(served.status, 200);
    assert_eq!(served.body, got.body, "the CDN serves the bucket's object");
    assert_eq!(served.header("x-amz-storage-class"), None);

    // Lifecycle on devcdn's clock: 31 days on, Infrequent Access; 61 days on, Glacier.
    p.cdn.settings().clock_offset = 31 * 86_400;
    let ia = http(
        p.cdn_addr,
        "GET",
        master,
        &cdn_host,
        &[("Cookie", &cookies)],
        b"",
    )
    .await;
    assert_eq!(ia.status, 200);
    assert_eq!(ia.header("x-amz-storage-class"), Some("STANDARD_IA"));
    p.cdn.settings().clock_offset = 61 * 86_400;
    let glacier = http(
        p.cdn_addr,
        "GET",
        master,
        &cdn_host,
        &[("Cookie", &cookies)],
        b"",
    )
    .await;
    assert_eq!(glacier.status, 403);
    assert!(
        glacier.text().contains("<Code>InvalidObjectState</Code>"),
        "{}",
        glacier.text()
    );
    // Without cookies the signature check still comes first.
    let unsigned = http(p.cdn_addr, "GET", master, &cdn_host, &[], b"").await;
    assert!(
        unsigned.text().contains("<Code>MissingKey</Code>"),
        "{}",
        unsigned.text()
    );
    // Back to now: standard again.
    p.cdn.settings().clock_offset = 0;
    let back = http(
        p.cdn_addr,
        "GET",
        master,
        &cdn_host,
        &[("Cookie", &cookies)],
        b"",
    )
    .await;
    assert_eq!(back.status, 200);

    // The browser's preflight for the presigned PUT from the demo's origin.
    let pre = http(
        p.s3_addr,
        "OPTIONS",
        "/vod/input/a.mp4",
        &s3_host,
        &[
            ("Origin", "http://localhost:8080"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    )
    .await;
    assert_eq!(pre.status, 200);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    assert_eq!(
        pre.header("access-control-allow-headers"),
        Some("content-type")
    );
    let other = http(
        p.s3_addr,
        "OPTIONS",
        "/vod/input/a.mp4",
        &s3_host,
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "PUT"),
        ],
        b"",
    )
    .await;
    assert_eq!(other.status, 403);
    assert_eq!(other.header("access-control-allow-origin"), None);

    if let Some(data) = p.bucket_dir.parent() {
        let _ = std::fs::remove_dir_all(data);
    }
    if let Some(src) = src.parent() {
        let _ = std::fs::remove_dir_all(src);
    }
}
