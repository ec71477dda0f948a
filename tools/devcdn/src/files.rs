//! Objects on disk: safe path resolution under the root, metadata (ETag, Last-Modified), content
//! types, conditional requests and byte ranges.
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::auth::percent_decode;

/// Why a request path does not name an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Broken escapes, not UTF-8, NUL, backslash, `..` or `.` segments: 400.
    #[error("malformed path")]
    Malformed,
    /// No such object under the root (or it leaves the root through a link): 404.
    #[error("no such object")]
    NotFound,
}

/// The S3 key of a request path: percent-decoded, without the leading `/`.
pub fn object_key(raw_path: &str) -> Result<String, PathError> {
    let bytes = percent_decode(raw_path).ok_or(PathError::Malformed)?;
    let path = String::from_utf8(bytes).map_err(|_| PathError::Malformed)?;
    let key = path.strip_prefix('/').ok_or(PathError::Malformed)?;
    if key.contains('\0') || key.contains('\\') {
        return Err(PathError::Malformed);
    }
    if key.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(PathError::Malformed);
    }
    Ok(key.to_string())
}

/// The file for `key` under `root` (already canonical); only regular files inside the root.
pub fn resolve(root: &Path, key: &str) -> Result<PathBuf, PathError> {
    if key.is_empty() || key.ends_with('/') {
        return Err(PathError::NotFound);
    }
    let mut path = root.to_path_buf();
    for seg in key.split('/') {
        if seg.is_empty() {
            return Err(PathError::NotFound);
        }
        let comp = Path::new(seg).components().next();
        if !matches!(comp, Some(Component::Normal(_))) || Path::new(seg).components().count() != 1 {
            return Err(PathError::Malformed);
        }
        path.push(seg);
    }
    let canonical = path.canonicalize().map_err(|_| PathError::NotFound)?;
    if !canonical.starts_with(root) || !canonical.is_file() {
        return Err(PathError::NotFound);
    }
    Ok(canonical)
}

/// What the response headers say about an object.
#[derive(Debug, Clone)]
pub struct Meta {
    pub len: u64,
    pub modified: SystemTime,
    pub etag: String,
}

impl Meta {
    pub fn of(md: &std::fs::Metadata) -> Meta {
        let modified = md.modified().unwrap_or(UNIX_EPOCH);
        let nanos = modified
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Meta {
            len: md.len(),
            modified,
            etag: format!("\"{:x}-{:x}\"", md.len(), nanos),
        }
    }

    pub fn last_modified(&self) -> String {
        httpdate::fmt_http_date(self.modified)
    }
}

pub fn content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "m3u8" => "application/vnd.apple.mpegurl",
        "ts" => "video/mp2t",
        // CMAF (ISO/IEC 23000-19 Annex A): `.cmfv` video and `.cmfa` audio tracks are MP4 files.
        "mp4" | "m4s" | "m4v" | "cmfv" => "video/mp4",
        "m4a" | "cmfa" => "audio/mp4",
        "cmft" => "application/mp4",
        "aac" => "audio/aac",
        "mpd" => "application/dash+xml",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "vtt" => "text/vtt",
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        // An HLS key file (EXT-X-KEY URI): S3 stores an object uploaded without a type (the SDKs'
        // default, and no MIME table maps `.key` to raw bytes) as `binary/octet-stream`.
        "key" => "binary/octet-stream",
        _ => "application/octet-stream",
    }
}

/// `If-None-Match` against our ETag (`*`, lists, weak tags compared weakly as RFC 9110 says).
pub fn none_match(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// `If-Modified-Since`: true when the object has not changed since that date.
pub fn not_modified_since(header: &str, modified: SystemTime) -> bool {
    let Ok(since) = httpdate::parse_http_date(header) else {
        return false;
    };
    // HTTP dates have whole seconds.
    let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    secs(modified) <= secs(since)
}

/// The outcome of a `Range` header for an object of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// Absent, unsupported (multiple ranges, other units) or invalid: serve everything (RFC 9110).
    Full,
    /// Inclusive byte positions.
    Part(u64, u64),
    /// 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

pub fn parse_range(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Full;
    };
    if spec.contains(',') {
        return Range::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Full;
    };
    // All digits but too large for u64 is a position past any end, not a syntax error.
    let pos = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(s.parse().unwrap_or(u64::MAX))
    };
    let (a, b) = (a.trim(), b.trim());
    match (a.is_empty(), b.is_empty()) {
        (false, _) => {
            let Some(first) = pos(a) else {
                return Range::Full;
            };
            let last = if b.is_empty() {
                None
            } else {
                match pos(b) {
                    Some(l) => Some(l),
                    None => return Range::Full,
                }
            };
            if last.is_some_and(|l| l < first) {
                return Range::Full;
            }
            if first >= len {
                return Range::Unsatisfiable;
            }
            let end = last.map_or(len - 1, |l| l.min(len - 1));
            Range::Part(first, end)
        }
        (true, false) => {
            let Some(suffix) = pos(b) else {
                return Range::Full;
            };
            if suffix == 0 || len == 0 {
                return Range::Unsatisfiable;
            }
            Range::Part(len - suffix.min(len), len - 1)
        }
        (true, true) => Range::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(object_key("/a/b%20c.ts").unwrap(), "a/b c.ts");
        assert_eq!(object_key("/a/../b"), Err(PathError::Malformed));
        assert_eq!(object_key("/a/%2e%2e/b"), Err(PathError::Malformed));
        assert_eq!(object_key("/a/%2E%2E%2Fb"), Err(PathError::Malformed));
        assert_eq!(object_key("/a%5c..%5cb"), Err(PathError::Malformed));
        assert_eq!(object_key("/a%00"), Err(PathError::Malformed));
        assert_eq!(object_key("/a%zz"), Err(PathError::Malformed));
        assert_eq!(object_key("/%ff"), Err(PathError::Malformed));
        assert_eq!(object_key("/./a"), Err(PathError::Malformed));
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Range::Part(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), Range::Part(90, 99));
        assert_eq!(parse_range("bytes=90-1000", 100), Range::Part(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), Range::Part(90, 99));
        assert_eq!(parse_range("bytes=-1000", 100), Range::Part(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Range::Unsatisfiable);
        assert_eq!(
            parse_range("bytes=99999999999999999999999-", 100),
            Range::Unsatisfiable
        );
        assert_eq!(parse_range("bytes=5-2", 100), Range::Full);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Range::Full);
        assert_eq!(parse_range("items=0-1", 100), Range::Full);
        assert_eq!(parse_range("bytes=a-b", 100), Range::Full);
        assert_eq!(parse_range("bytes=-", 100), Range::Full);
        assert_eq!(parse_range("bytes=0-0", 0), Range::Unsatisfiable);
    }

    #[test]
    fn conditionals() {
        assert!(none_match("\"a\", W/\"b\"", "\"b\""));
        assert!(none_match("*", "\"x\""));
        assert!(!none_match("\"a\"", "\"b\""));
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        assert!(not_modified_since(&httpdate::fmt_http_date(t), t));
        assert!(!not_modified_since("garbage", t));
    }
}
