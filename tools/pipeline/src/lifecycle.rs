//! The bucket's lifecycle rule on devcdn's clock: an object older than `ia_days` is in
//! STANDARD_IA (served, `x-amz-storage-class` says so), older than `glacier_days` in GLACIER, which
//! devcdn answers with S3's `403 InvalidObjectState` after the signature check. Age is devcdn's
//! now (clock offset included) minus the file's modification time, so moving the CDN's clock ages
//! every object at once.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `None`: never.
    pub ia_days: Option<u32>,
    pub glacier_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageClass {
    Standard,
    StandardIa,
    Glacier,
}

impl Rule {
    pub fn class(&self, age_secs: i64) -> StorageClass {
        let days = age_secs.max(0) / 86_400;
        let past = |d: Option<u32>| d.is_some_and(|d| days >= i64::from(d));
        if past(self.glacier_days) {
            StorageClass::Glacier
        } else if past(self.ia_days) {
            StorageClass::StandardIa
        } else {
            StorageClass::Standard
        }
    }
}

#[derive(Clone)]
pub struct Lifecycle {
    pub rule: Rule,
    pub bucket_dir: PathBuf,
    pub cdn: Arc<devcdn::State>,
}

fn modified_epoch(path: &Path) -> Option<i64> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(t.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64)
}

/// Runs before devcdn's handler: the object's class now, marked on devcdn's Glacier list (exact
/// path) or taken off it.
pub async fn layer(State(l): State<Lifecycle>, req: Request, next: Next) -> Response {
    let raw = req.uri().path().to_string();
    let mut class = StorageClass::Standard;
    if let Ok(key) = devcdn::files::object_key(&raw) {
        if let Some(mtime) = modified_epoch(&l.bucket_dir.join(&key)) {
            class = l.rule.class(l.cdn.now() - mtime);
        }
        // Wildcards in a key would widen the pattern: such keys keep the standard class.
        if !raw.contains(['*', '?']) {
            let mut s = l.cdn.settings();
            let listed = s.glacier.iter().position(|p| *p == raw);
            match (class == StorageClass::Glacier, listed) {
                (true, None) => s.glacier.push(raw.clone()),
                (false, Some(i)) => {
                    s.glacier.remove(i);
                }
                _ => {}
            }
        }
    }
    let mut resp = next.run(req).await;
    if class == StorageClass::StandardIa && resp.status().is_success() {
        resp.headers_mut().insert(
            "x-amz-storage-class",
            HeaderValue::from_static("STANDARD_IA"),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_by_age() {
        let r = Rule {
            ia_days: Some(30),
            glacier_days: Some(60),
        };
        let day = 86_400;
        assert_eq!(r.class(0), StorageClass::Standard);
        assert_eq!(r.class(30 * day - 1), StorageClass::Standard);
        assert_eq!(r.class(30 * day), StorageClass::StandardIa);
        assert_eq!(r.class(60 * day), StorageClass::Glacier);
        let never = Rule {
            ia_days: None,
            glacier_days: None,
        };
        assert_eq!(never.class(1000 * day), StorageClass::Standard);
    }
}
