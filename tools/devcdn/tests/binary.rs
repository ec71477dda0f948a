//! The real `devcdn` binary with its flags: it prints its addresses, serves with signed cookies
//! from its own app port, follows a trace file and writes the log file.
// Test helpers as well as tests may panic: that is how they report a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::*;

/// Kills the child when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads stderr until the CDN and app addresses are printed.
fn addresses(child: &mut Child) -> (SocketAddr, SocketAddr) {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut cdn = None;
    let mut app = None;
    while cdn.is_none() || app.is_none() {
        let line = lines.next().expect("devcdn exited early").unwrap();
        let addr = || -> SocketAddr {
            let url = line
                .split_whitespace()
                .find(|w| w.starts_with("http://"))
                .unwrap();
            url.trim_start_matches("http://")
                .trim_end_matches('/')
                .parse()
                .unwrap()
        };
        if line.starts_with("devcdn: CDN") {
            cdn = Some(addr());
        } else if line.starts_with("devcdn: app") {
            app = Some(addr());
        }
    }
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (cdn.unwrap(), app.unwrap())
}

#[tokio::test]
async fn binary_serves_cookies_minted_by_its_app_port() {
    let root = make_root();
    let dir = root.parent().unwrap().to_path_buf();
    let trace = dir.join("trace.txt");
    std::fs::write(&trace, "# time mbps ttfb\n0 50 5\n1 50 5\n").unwrap();
    let log = dir.join("log.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_devcdn"))
        .arg("--root")
        .arg(&root)
        .args([
            "--port",
            "0",
            "--app-port",
            "0",
            "--key-pair-id",
            "K1",
            "--cookie-ttl",
            "120",
        ])
        .arg("--key")
        .arg(format!("K1={}", testdata("test-public.pem").display()))
        .arg("--sign-key")
        .arg(testdata("test-private.pem"))
        .args([
            "--allow-origin",
            "http://localhost:8080",
            "--restrict",
            "/video/*",
        ])
        .args(["--fault", "503,1,*seg2.ts"])
        .arg("--trace")
        .arg(&trace)
        .arg("--log")
        .arg(&log)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (cdn, app) = addresses(&mut child);
    let _server = Server(child);

    let r = get(cdn, "/video/a.m3u8", &[]).await;
    assert_refusal(
        &r,
        "MissingKey",
        "Missing Key-Pair-Id query parameter or cookie value",
    );
    assert_eq!(get(cdn, "/public/x.txt", &[]).await.status, 200);

    let minted = get(app, "/auth/cookies", &[]).await;
    assert_eq!(minted.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&minted.body).unwrap();
    assert!((body["expires"].as_i64().unwrap() - (now() + 120)).abs() <= 2);
    let cookie = minted
        .headers_named("set-cookie")
        .iter()
        .filter(|c| !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let r = get(
        cdn,
        "/video/seg1.ts",
        &[("Cookie", &cookie), ("Origin", "http://localhost:8080")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, segment_bytes());
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );

    // The --fault flag: one 503 for seg2, then normal service.
    assert_eq!(
        get(cdn, "/video/seg2.ts", &[("Cookie", &cookie)])
            .await
            .status,
        503
    );
    assert_eq!(
        get(cdn, "/video/seg2.ts", &[("Cookie", &cookie)])
            .await
            .status,
        200
    );

    let status = get(cdn, "/__devcdn/status", &[]).await;
    let status: serde_json::Value = serde_json::from_slice(&status.body).unwrap();
    assert_eq!(status["trace"], true);
    assert_eq!(status["current_kbps"], 50_000.0);
    assert_eq!(status["ttfb_ms"], 5);

    let lines = std::fs::read_to_string(&log).unwrap();
    let statuses: Vec<u64> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["status"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(&statuses[..3], [403, 200, 200]);
}
