//! `hlsplay playlist` run as a process on the fixtures: JSON keys and values, exit codes, stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    format!(
        "{}/../../tests/fixtures/playlists/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn hlsplay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hlsplay"))
        .args(args)
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn has_keys(v: &Value, want: &[&str]) {
    let got = keys(v);
    for k in want {
        assert!(got.contains(k), "missing key {k} in {v}");
    }
}

#[test]
fn master_json_keys_and_values() {
    let out = hlsplay(&[
        "playlist",
        &fixture("mediaconvert_master.m3u8"),
        "--base-url",
        "https://cdn.example.com/video/Default/HLS/big_buck_bunny.m3u8",
    ]);
    let j = json_of(&out);
    has_keys(&j, &["type", "variants", "renditions"]);
    assert_eq!(j["type"], "master");
    assert_eq!(j["variants"].as_array().unwrap().len(), 3);
    let v = &j["variants"][0];
    has_keys(
        v,
        &[
            "uri",
            "bandwidth",
            "average_bandwidth",
            "codecs",
            "resolution",
            "frame_rate",
            "audio",
        ],
    );
    assert_eq!(
        v["uri"],
        "https://cdn.example.com/video/Default/HLS/big_buck_bunny_360.m3u8"
    );
    assert_eq!(v["bandwidth"], 1_320_000);
    assert_eq!(v["average_bandwidth"], 1_205_600);
    assert_eq!(v["codecs"], "avc1.4d001e,mp4a.40.2");
    assert_eq!(v["resolution"]["width"], 640);
    assert_eq!(v["resolution"]["height"], 360);
    assert_eq!(v["frame_rate"], 30.0);
    assert_eq!(v["audio"], "program_audio");
    assert_eq!(j["renditions"], Value::Array(vec![]));
}

#[test]
fn master_renditions_and_nulls() {
    let j = json_of(&hlsplay(&[
        "playlist",
        &fixture("rfc8216/8.4_master.m3u8"),
        "--base-url",
        "http://example.com/master.m3u8",
    ]));
    let v = &j["variants"][0];
    assert_eq!(v["codecs"], Value::Null);
    assert_eq!(v["resolution"], Value::Null);
    assert_eq!(v["frame_rate"], Value::Null);
    assert_eq!(v["audio"], Value::Null);

    let j = json_of(&hlsplay(&[
        "playlist",
        &fixture("master_media_after_stream_inf.m3u8"),
        "--base-url",
        "http://example.com/a/master.m3u8",
    ]));
    let r = &j["renditions"][0];
    has_keys(
        r,
        &[
            "type",
            "group_id",
            "name",
            "language",
            "default",
            "autoselect",
            "uri",
        ],
    );
    assert_eq!(r["type"], "AUDIO");
    assert_eq!(r["group_id"], "program_audio");
    assert_eq!(r["name"], "English");
    assert_eq!(r["language"], "en");
    assert_eq!(r["default"], true);
    assert_eq!(r["autoselect"], true);
    assert_eq!(r["uri"], "http://example.com/a/audio_en.m3u8");
    assert_eq!(j["renditions"][2]["language"], Value::Null);
}

#[test]
fn media_json_keys_and_values() {
    let j = json_of(&hlsplay(&[
        "playlist",
        &fixture("corner/key_and_map_carried_forward.m3u8"),
        "--base-url",
        "https://cdn.example.com/v/index.m3u8",
    ]));
    has_keys(
        &j,
        &[
            "type",
            "target_duration",
            "media_sequence",
            "discontinuity_sequence",
            "playlist_type",
            "ended",
            "segments",
        ],
    );
    assert_eq!(j["type"], "media");
    assert_eq!(j["target_duration"], 6);
    assert_eq!(j["media_sequence"], 0);
    assert_eq!(j["discontinuity_sequence"], 0);
    assert_eq!(j["playlist_type"], Value::Null);
    assert_eq!(j["ended"], true);
    let s = &j["segments"][1];
    has_keys(
        s,
        &[
            "uri",
            "duration",
            "sequence",
            "discontinuity",
            "byte_range",
            "key",
            "map",
        ],
    );
    assert_eq!(s["uri"], "https://cdn.example.com/v/s2.m4s");
    assert_eq!(s["duration"], 6.0);
    assert_eq!(s["sequence"], 1);
    assert_eq!(s["discontinuity"], false);
    assert_eq!(s["byte_range"], Value::Null);
    assert_eq!(s["key"]["method"], "AES-128");
    assert_eq!(s["key"]["uri"], "https://cdn.example.com/v/keys/k1.bin");
    assert_eq!(s["key"]["iv"], "0x00000000000000000000000000000001");
    assert_eq!(s["map"]["uri"], "https://cdn.example.com/v/init.mp4");
    assert_eq!(s["map"]["byte_range"]["offset"], 0);
    assert_eq!(s["map"]["byte_range"]["length"], 720);
    assert_eq!(j["segments"][2]["key"], Value::Null);
    assert_eq!(j["segments"][3]["key"]["iv"], Value::Null);
    assert_eq!(j["segments"][3]["map"]["byte_range"], Value::Null);

    let j = json_of(&hlsplay(&[
        "playlist",
        &fixture("corner/byterange_implicit_offsets.m3u8"),
    ]));
    assert_eq!(j["playlist_type"], "VOD");
    assert_eq!(j["segments"][2]["byte_range"]["offset"], 157_344);
    assert_eq!(j["segments"][2]["byte_range"]["length"], 69_864);
}

#[test]
fn file_without_base_url_resolves_against_localhost_path() {
    let path = fixture("mediaconvert_360.m3u8");
    let j = json_of(&hlsplay(&["playlist", &path]));
    let dir = std::fs::canonicalize(path)
        .unwrap()
        .parent()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert_eq!(
        j["segments"][0]["uri"],
        format!("http://localhost{dir}/big_buck_bunny_36020261125T075512_00001.ts")
    );
}

#[test]
fn bad_input_exits_2_with_the_line_on_stderr() {
    for (name, message) in [
        (
            "bad/stream_inf_without_bandwidth.m3u8",
            "hlsplay: line 7: EXT-X-STREAM-INF without BANDWIDTH\n",
        ),
        (
            "bad/no_header.m3u8",
            "hlsplay: line 1: not a playlist: missing #EXTM3U\n",
        ),
        ("bad/invalid_utf8.m3u8", "hlsplay: line 5: invalid UTF-8\n"),
    ] {
        let out = hlsplay(&["playlist", &fixture(name)]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty());
        assert_eq!(String::from_utf8_lossy(&out.stderr), message);
    }
    let out = hlsplay(&["playlist", "/no/such/file.m3u8"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.m3u8"));
    let out = hlsplay(&["playlist", "https://cdn.example.com/x.m3u8"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("download it first"));
}

/// Serves one canned HTTP response on a local port; returns the URL to fetch.
fn serve_once(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        // Read the whole request so closing does not reset the connection.
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "request ended early");
            request.extend_from_slice(&buf[..n]);
        }
        assert!(request.starts_with(b"GET /live/index.m3u8?t=1 HTTP/1.1\r\n"));
        stream.write_all(&response).unwrap();
    });
    format!("http://127.0.0.1:{port}/live/index.m3u8?t=1")
}

#[test]
fn http_url_is_fetched_and_is_the_base() {
    let body = std::fs::read(fixture("rfc8216/8.2_live_media.m3u8")).unwrap();
    let mut response =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    response.extend_from_slice(&body);
    let url = serve_once(response);
    let j = json_of(&hlsplay(&["playlist", &url]));
    assert_eq!(j["media_sequence"], 2680);
    assert_eq!(
        j["segments"][0]["uri"],
        "https://priv.example.com/fileSequence2680.ts"
    );

    // Chunked transfer encoding, relative URIs resolved against the URL.
    let body = b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg1.ts\n";
    let (a, b) = body.split_at(20);
    let mut response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for part in [a, b] {
        response.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        response.extend_from_slice(part);
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let url = serve_once(response);
    let j = json_of(&hlsplay(&["playlist", &url]));
    assert_eq!(
        j["segments"][0]["uri"],
        url.replace("index.m3u8?t=1", "seg1.ts")
    );

    let url = serve_once(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec());
    let out = hlsplay(&["playlist", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("403 Forbidden"));
}
