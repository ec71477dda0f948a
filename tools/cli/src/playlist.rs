//! `hlsplay playlist <file-or-url> [--base-url URL] [--signed-query]`: the parsed playlist as JSON.
//! Also the hidden `hlsplay bench-playlist`: parser throughput on a generated live-sized playlist.

use hlsplay::playlist::{
    self, ByteRange, Key, Map, MasterPlaylist, MediaPlaylist, ParseOptions, Playlist, Rendition,
    Variant,
};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
usage: hlsplay playlist <file-or-url> [--base-url URL] [--signed-query]

Parses an HLS master or media playlist and prints it as JSON on stdout; on bad input prints
`hlsplay: line N: <problem>` on stderr and exits with status 2.

  <file-or-url>     a local file, or an http:// URL fetched with a plain HTTP/1.1 GET
                    (https is not fetched: download it first, e.g. `curl -o p.m3u8 URL`, and
                    pass --base-url URL)
  --base-url URL    the URL the playlist was served from; every URI in it is resolved against
                    this. Default: the URL argument itself, or for a file
                    http://localhost/<absolute path of the file> (only http/https URIs are
                    followed, so a file: base cannot be used). URIs in the output are absolute.
  --signed-query    carry the base URL's CloudFront signed query (Policy, Signature,
                    Key-Pair-Id, Expires, Hash-Algorithm) onto same-origin child URIs
";

/// Largest response body read from a URL (the parser's own default limit).
const MAX_BODY: usize = 16 << 20;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut source = None;
    let mut base_url = None;
    let mut options = ParseOptions::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            "--base-url" => {
                base_url = Some(args.next().ok_or("--base-url needs a URL")?.clone());
            }
            "--signed-query" => options.propagate_signed_query = true,
            other if other.starts_with("--") => {
                return Err(format!("unknown option `{other}`\n{HELP}"))
            }
            other if source.is_none() => source = Some(other.to_string()),
            other => return Err(format!("unexpected argument `{other}`\n{HELP}")),
        }
    }
    let source = source.ok_or_else(|| format!("missing <file-or-url>\n{HELP}"))?;
    let (bytes, default_base) = if source.starts_with("https://") {
        return Err(format!(
            "{source}: https is not fetched by this tool; download it first (curl -o playlist.m3u8 '{source}') and pass --base-url '{source}'"
        ));
    } else if source.starts_with("http://") {
        (http_get(&source)?, source.clone())
    } else {
        let bytes = std::fs::read(&source).map_err(|e| format!("{source}: {e}"))?;
        let absolute = std::fs::canonicalize(&source).map_err(|e| format!("{source}: {e}"))?;
        let path = absolute.to_string_lossy().replace('\\', "/");
        let path = path.trim_start_matches('/');
        (bytes, format!("http://localhost/{path}"))
    };
    let base = base_url.unwrap_or(default_base);
    let parsed = playlist::parse(&bytes, &base, &options).map_err(|e| e.to_string())?;
    let warnings = match &parsed {
        Playlist::Master(m) => &m.warnings,
        Playlist::Media(m) => &m.warnings,
    };
    for w in warnings {
        eprintln!("hlsplay: warning: {w}");
    }
    let json = match &parsed {
        Playlist::Master(m) => master_json(m),
        Playlist::Media(m) => media_json(m),
    };
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn master_json(m: &MasterPlaylist) -> Value {
    json!({
        "type": "master",
        "version": m.version,
        "independent_segments": m.independent_segments,
        "start": m.start.map(|s| json!({"time_offset": s.time_offset, "precise": s.precise})),
        "variants": m.variants.iter().map(variant_json).collect::<Vec<_>>(),
        "renditions": m.renditions.iter().map(rendition_json).collect::<Vec<_>>(),
        "i_frame_variants": m.i_frame_variants.iter().map(|v| json!({
            "uri": v.uri,
            "bandwidth": v.bandwidth,
            "average_bandwidth": v.average_bandwidth,
            "codecs": v.codecs,
            "resolution": v.resolution.map(|r| json!({"width": r.width, "height": r.height})),
        })).collect::<Vec<_>>(),
        "session_data": m.session_data.iter().map(|d| json!({
            "data_id": d.data_id, "value": d.value, "uri": d.uri, "language": d.language,
        })).collect::<Vec<_>>(),
    })
}

fn variant_json(v: &Variant) -> Value {
    json!({
        "uri": v.uri,
        "bandwidth": v.bandwidth,
        "average_bandwidth": v.average_bandwidth,
        "codecs": v.codecs,
        "resolution": v.resolution.map(|r| json!({"width": r.width, "height": r.height})),
        "frame_rate": v.frame_rate,
        "audio": v.audio,
        "video": v.video,
        "subtitles": v.subtitles,
        "closed_captions": v.closed_captions,
        "hdcp_level": v.hdcp_level,
        "video_range": v.video_range,
        "line": v.line,
    })
}

fn rendition_json(r: &Rendition) -> Value {
    json!({
        "type": r.media_type.as_str(),
        "group_id": r.group_id,
        "name": r.name,
        "language": r.language,
        "assoc_language": r.assoc_language,
        "default": r.default,
        "autoselect": r.autoselect,
        "forced": r.forced,
        "channels": r.channels,
        "instream_id": r.instream_id,
        "uri": r.uri,
        "line": r.line,
    })
}

fn range_json(r: Option<ByteRange>) -> Value {
    r.map_or(
        Value::Null,
        |r| json!({"offset": r.offset, "length": r.length}),
    )
}

fn key_json(k: Option<&Key>) -> Value {
    k.map_or(Value::Null, |k| {
        json!({
            "method": k.method.as_str(),
            "uri": k.uri,
            "iv": k.iv,
            "keyformat": k.keyformat,
        })
    })
}

fn map_json(m: Option<&Map>) -> Value {
    m.map_or(
        Value::Null,
        |m| json!({"uri": m.uri, "byte_range": range_json(m.byte_range)}),
    )
}

fn media_json(m: &MediaPlaylist) -> Value {
    json!({
        "type": "media",
        "version": m.version,
        "target_duration": m.target_duration,
        "media_sequence": m.media_sequence,
        "discontinuity_sequence": m.discontinuity_sequence,
        "playlist_type": m.playlist_type.map(|t| t.as_str()),
        "ended": m.ended,
        "independent_segments": m.independent_segments,
        "i_frames_only": m.i_frames_only,
        "skip": m.skip.map(|s| json!({"count": s.count, "first_sequence": s.first_sequence, "before_segment": s.index})),
        "duration": m.duration(),
        "segments": m.segments.iter().map(|s| json!({
            "uri": s.uri,
            "duration": s.duration,
            "title": s.title,
            "sequence": s.sequence,
            "start": s.start,
            "discontinuity": s.discontinuity,
            "discontinuity_sequence": s.discontinuity_sequence,
            "byte_range": range_json(s.byte_range),
            "key": key_json(s.key.as_ref()),
            "map": map_json(s.map.as_ref()),
            "program_date_time": s.program_date_time,
            "gap": s.gap,
            "line": s.line,
        })).collect::<Vec<_>>(),
    })
}

/// A plain HTTP/1.1 GET (no TLS, no redirects): enough to read a playlist from a local server.
fn http_get(url: &str) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("http://").ok_or("not an http:// URL")?;
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    let address = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let fail = |e: std::io::Error| format!("{url}: {e}");
    let mut stream = TcpStream::connect(&address).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .map_err(fail)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(15)))
        .map_err(fail)?;
    // One write: `write!` would send the request in pieces.
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: hlsplay\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).map_err(fail)?;
    let mut response = Vec::new();
    stream
        .take((MAX_BODY + 64 * 1024) as u64)
        .read_to_end(&mut response)
        .map_err(fail)?;
    let header_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("{url}: no HTTP response header"))?;
    let head = String::from_utf8_lossy(response.get(..header_end).unwrap_or(&[])).to_string();
    let body = response.get(header_end + 4..).unwrap_or(&[]);
    let status_line = head.lines().next().unwrap_or("");
    let status = status_line.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(format!("{url}: HTTP status `{status_line}`"));
    }
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        dechunk(body).ok_or_else(|| format!("{url}: bad chunked body"))
    } else {
        Ok(body.to_vec())
    }
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(body.get(..line_end)?).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = body.get(line_end + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

/// A media playlist shaped like MediaConvert's, with `segments` segments.
pub fn generated_media_playlist(segments: usize) -> String {
    let mut text = String::from(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:11\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n",
    );
    for i in 1..=segments {
        let duration = if i % 7 == 0 { "9.009" } else { "10" };
        text.push_str(&format!(
            "#EXTINF:{duration},\nbig_buck_bunny_72020261125T075512_{i:05}.ts\n"
        ));
    }
    text.push_str("#EXT-X-ENDLIST\n");
    text
}

/// `hlsplay bench-playlist [segments] [iterations]`: parse throughput (use a --release build).
pub fn bench(args: &[String]) -> Result<(), String> {
    let number = |i: usize, default: usize| -> Result<usize, String> {
        args.get(i).map_or(Ok(default), |a| {
            a.parse().map_err(|_| format!("not a number: {a}"))
        })
    };
    let segments = number(0, 10_000)?;
    let iterations = number(1, 200)?.max(1);
    let text = generated_media_playlist(segments);
    let url = "https://cdn.example.com/video/Default/HLS/big_buck_bunny_720.m3u8";
    let options = ParseOptions::default();
    // Warm up (and check it parses).
    let parsed =
        playlist::parse_media(text.as_bytes(), url, &options).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut total_segments = 0;
    for _ in 0..iterations {
        let p = playlist::parse_media(std::hint::black_box(text.as_bytes()), url, &options)
            .map_err(|e| e.to_string())?;
        total_segments += p.segments.len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let per_parse_ms = elapsed * 1000.0 / iterations as f64;
    let mb_per_s = (text.len() * iterations) as f64 / elapsed / 1e6;
    println!(
        "playlist parse: {} segments, {} bytes, {iterations} iterations: {per_parse_ms:.3} ms/parse, {mb_per_s:.1} MB/s ({} segments parsed)",
        parsed.segments.len(),
        text.len(),
        total_segments
    );
    Ok(())
}
