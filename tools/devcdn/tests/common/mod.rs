//! Test harness: a temporary S3-like tree, the real server on an ephemeral loopback port, and a
//! raw HTTP/1.1 client (so paths like `/../` reach the server unnormalised).
#![allow(dead_code)]
// Test-only helpers: a panic is the failure report here, as in the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use devcdn::config::{AppConfig, Config};
use devcdn::crypto::{load_private_key, load_public_key, HashAlg};
use devcdn::sign::{signed_cookies, Grant};
use devcdn::Running;
use rsa::RsaPrivateKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

pub fn private_key() -> RsaPrivateKey {
    load_private_key(&testdata("test-private.pem")).unwrap()
}

pub fn other_private_key() -> RsaPrivateKey {
    load_private_key(&testdata("other-private.pem")).unwrap()
}

/// The segment file's bytes (deterministic, 300 KB).
pub fn segment_bytes() -> Vec<u8> {
    (0..300_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect()
}

pub const PLAYLIST: &str =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nseg1.ts\n#EXT-X-ENDLIST\n";

/// A fresh tree: `<tmp>/root/video/{a.m3u8,seg1.ts,seg2.ts,thumb.jpg}`, `root/public/x.txt`, and
/// `<tmp>/secret.txt` outside the root (plus a symlink to it inside the root).
pub fn make_root() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "devcdn-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("video")).unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("video/a.m3u8"), PLAYLIST).unwrap();
    std::fs::write(root.join("video/seg1.ts"), segment_bytes()).unwrap();
    std::fs::write(root.join("video/seg2.ts"), segment_bytes()).unwrap();
    std::fs::write(root.join("video/thumb.jpg"), b"\xff\xd8\xff\xe0jpeg").unwrap();
    std::fs::write(root.join("public/x.txt"), b"public text").unwrap();
    std::fs::write(dir.join("secret.txt"), b"SECRET OUTSIDE ROOT").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), root.join("video/link.txt")).unwrap();
    root
}

/// A config on a fresh tree, port 0, keys K1 (test key) and K2 (other key), quiet.
pub fn config() -> Config {
    let mut cfg = Config::new(make_root());
    cfg.port = 0;
    cfg.quiet = true;
    cfg.keys.insert(
        "K1".into(),
        load_public_key(&testdata("test-public.pem")).unwrap(),
    );
    cfg.keys.insert(
        "K2".into(),
        load_public_key(&testdata("other-public.pem")).unwrap(),
    );
    cfg
}

pub fn with_app(mut cfg: Config) -> Config {
    cfg.app = Some(AppConfig {
        port: 0,
        root: None,
        sign_key: private_key(),
        key_pair_id: "K1".into(),
        cookie_ttl: 600,
        cookie_resource: None,
        cookie_domain: None,
        alg: HashAlg::Sha1,
    });
    cfg
}

pub async fn start(cfg: Config) -> Running {
    devcdn::start(cfg).await.unwrap()
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `method path` with extra headers and `Connection: close`, reads the whole response.
pub async fn request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut bytes = raw.into_bytes();
    bytes.extend_from_slice(body);
    send_raw(addr, &bytes, method == "HEAD").await
}

pub async fn get(addr: std::net::SocketAddr, path: &str, headers: &[(&str, &str)]) -> Resp {
    request(addr, "GET", path, headers, b"").await
}

/// Sends raw bytes and parses the response (10 s limit).
pub async fn send_raw(addr: std::net::SocketAddr, bytes: &[u8], head: bool) -> Resp {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may answer before it has read everything (e.g. 431); ignore write errors.
    let _ = stream.write_all(bytes).await;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf))
        .await
        .expect("response within 10 s")
        .expect("read response");
    parse(&buf, head)
}

pub fn parse(buf: &[u8], _head: bool) -> Resp {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = std::str::from_utf8(&buf[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    Resp {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

/// A `Cookie` header value for a custom policy signed with `key` and claimed as `key_id`.
pub fn cookie_header(key: &RsaPrivateKey, key_id: &str, grant: &Grant) -> String {
    signed_cookies(key, key_id, grant)
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn grant(resource: &str, expires: i64) -> Grant {
    Grant {
        resource: resource.to_string(),
        expires,
        starts: None,
        ip: None,
        alg: HashAlg::Sha1,
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Valid cookies for everything on this server for an hour.
pub fn good_cookies(running: &Running) -> String {
    let resource = format!("http://{}/*", running.cdn_addr);
    cookie_header(&private_key(), "K1", &grant(&resource, now() + 3600))
}

pub async fn control(addr: std::net::SocketAddr, json: &str) -> Resp {
    request(
        addr,
        "POST",
        "/__devcdn/control",
        &[("Content-Type", "application/json")],
        json.as_bytes(),
    )
    .await
}

pub const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

pub fn refusal_body(code: &str, message: &str) -> String {
    format!("{XML_HEAD}<Error><Code>{code}</Code><Message>{message}</Message></Error>")
}

/// Asserts a CloudFront refusal: status, headers and the exact body.
pub fn assert_refusal(resp: &Resp, code: &str, message: &str) {
    assert_eq!(resp.status, 403, "status for {code}: {}", resp.text());
    assert_eq!(resp.text(), refusal_body(code, message));
    assert_eq!(resp.header("server"), Some("CloudFront"));
    assert_eq!(resp.header("content-type"), Some("text/xml"));
    assert_eq!(resp.header("x-cache"), Some("Error from cloudfront"));
    assert_eq!(
        resp.header("content-length"),
        Some(resp.body.len().to_string().as_str())
    );
}
