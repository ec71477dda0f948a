//! CloudFront signed cookies: reading the CDN's refusal, redacting signatures from URLs, and the
//! credentials-refresh state (one refresh at a time, shared by every refused request).

/// The `<Code>` of a CloudFront/S3 error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdnErrorCode {
    MissingKey,
    AccessDenied,
    InvalidKey,
    /// The object is archived (S3 Glacier): no refresh will help.
    InvalidObjectState,
    MalformedSignature,
    MalformedPolicy,
    Other(String),
}

impl CdnErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            CdnErrorCode::MissingKey => "MissingKey",
            CdnErrorCode::AccessDenied => "AccessDenied",
            CdnErrorCode::InvalidKey => "InvalidKey",
            CdnErrorCode::InvalidObjectState => "InvalidObjectState",
            CdnErrorCode::MalformedSignature => "MalformedSignature",
            CdnErrorCode::MalformedPolicy => "MalformedPolicy",
            CdnErrorCode::Other(s) => s,
        }
    }

    /// The code in an error body such as
    /// `<?xml ...?><Error><Code>AccessDenied</Code><Message>...</Message></Error>`.
    pub fn from_body(body: &str) -> Option<Self> {
        // Bounded: error bodies are small; never scan more than the first 4 KiB.
        let head = body.get(..body.len().min(4096)).unwrap_or(body);
        let error = find_ascii(head, "<Error>")?;
        let rest = head.get(error..)?;
        let open = find_ascii(rest, "<Code>")? + "<Code>".len();
        let after = rest.get(open..)?;
        let close = find_ascii(after, "</Code>")?;
        let code = after.get(..close)?.trim();
        if code.is_empty() || code.len() > 64 {
            return None;
        }
        Some(match code {
            "MissingKey" => CdnErrorCode::MissingKey,
            "AccessDenied" => CdnErrorCode::AccessDenied,
            "InvalidKey" => CdnErrorCode::InvalidKey,
            "InvalidObjectState" => CdnErrorCode::InvalidObjectState,
            "MalformedSignature" => CdnErrorCode::MalformedSignature,
            "MalformedPolicy" => CdnErrorCode::MalformedPolicy,
            other => CdnErrorCode::Other(other.to_string()),
        })
    }
}

impl CdnErrorCode {
    /// What the code means for signed cookies, in a few words.
    pub fn meaning(&self) -> Option<&'static str> {
        Some(match self {
            CdnErrorCode::MissingKey => "missing signed cookies",
            CdnErrorCode::AccessDenied => {
                "signed cookies expired, not yet valid, or not valid for this path or IP"
            }
            CdnErrorCode::InvalidKey => "the key pair id is not known to the distribution",
            CdnErrorCode::MalformedSignature => "the cookie signature cannot be decoded",
            CdnErrorCode::MalformedPolicy => "the cookie policy is malformed",
            CdnErrorCode::InvalidObjectState => "the object is archived",
            CdnErrorCode::Other(_) => return None,
        })
    }
}

/// The refusal that started a credentials refresh, kept to explain a failed refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: Option<CdnErrorCode>,
    /// Redacted.
    pub url: String,
}

impl Refusal {
    pub fn new(status: u16, body: Option<&str>, url: &str) -> Self {
        Refusal {
            status,
            code: body.and_then(CdnErrorCode::from_body),
            url: redact_url(url),
        }
    }

    /// "CDN refused the request: MissingKey (missing signed cookies)", or for status 0 (the
    /// browser hides the response when CORS does not allow credentials) the two likely causes.
    pub fn describe(&self) -> String {
        if self.status == 0 {
            return "CDN refused the request or CORS is not set up for credentials (status 0: no \
                    readable response; the CDN must answer Access-Control-Allow-Origin with the \
                    page's origin and Access-Control-Allow-Credentials: true)"
                .to_string();
        }
        match &self.code {
            Some(code) => match code.meaning() {
                Some(m) => format!("CDN refused the request: {} ({m})", code.as_str()),
                None => format!(
                    "CDN refused the request: {} (HTTP {})",
                    code.as_str(),
                    self.status
                ),
            },
            None => format!(
                "CDN refused the request: HTTP {} (no error code)",
                self.status
            ),
        }
    }
}

/// Byte offset of `needle` (ASCII) in `hay`. A byte-window scan: `str::find` with a `&str` pattern
/// brings the two-way searcher (~4 KB of wasm) for this one caller.
fn find_ascii(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// The URL with the values of `Signature`, `Policy` and `Key-Pair-Id` query parameters replaced,
/// so error events and logs never carry credentials.
pub fn redact_url(url: &str) -> String {
    let Some((base, query_and_frag)) = url.split_once('?') else {
        return url.to_string();
    };
    // `get`, not `split_at`: no panicking slice path (its formatting machinery) in the wasm.
    let (query, frag) = match query_and_frag.find('#') {
        Some(h) => (
            query_and_frag.get(..h).unwrap_or(query_and_frag),
            query_and_frag.get(h..).unwrap_or(""),
        ),
        None => (query_and_frag, ""),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    for (i, pair) in query.split('&').enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        let name = pair.split('=').next().unwrap_or("");
        if matches!(name, "Signature" | "Policy" | "Key-Pair-Id") {
            out.push_str(name);
            out.push_str("=REDACTED");
        } else {
            out.push_str(pair);
        }
    }
    out.push_str(frag);
    out
}

/// What the engine does about a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalVerdict {
    /// Ask the app for fresh credentials (unless a refresh is already running) and retry.
    Refresh,
    /// Stop: fatal auth error with this message.
    Fatal(String),
    /// Not an auth problem after all (status 0 after a refresh): handle as a network error.
    Network,
}

/// Decide what a refused request (403, or status 0 that may hide one) means.
pub fn judge_refusal(status: u16, body: Option<&str>, already_refreshed: bool) -> RefusalVerdict {
    let code = body.and_then(CdnErrorCode::from_body);
    if code == Some(CdnErrorCode::InvalidObjectState) {
        return RefusalVerdict::Fatal(
            "InvalidObjectState: the media is archived (S3 Glacier) and cannot be served until restored"
                .to_string(),
        );
    }
    if !already_refreshed {
        return RefusalVerdict::Refresh;
    }
    if status == 0 {
        return RefusalVerdict::Network;
    }
    let name = code.as_ref().map_or("no error code", |c| c.as_str());
    RefusalVerdict::Fatal(format!(
        "CDN refused the request after a credentials refresh (HTTP {status}, {name})"
    ))
}

/// The refresh in progress, if any, and the cookie expiry the app told us.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthState {
    /// A refresh was requested and not yet answered.
    pub refreshing: bool,
    /// Requests are held until the refresh ends (set for refreshes caused by a refusal).
    pub holding: bool,
    /// Credentials expiry on the engine's clock, when known.
    pub expires: Option<f64>,
    /// Proactive refresh already asked for this expiry.
    pub proactive_sent: bool,
    /// The refusal that started the refresh under way.
    pub refusal: Option<Refusal>,
}

impl AuthState {
    /// When to refresh ahead of expiry.
    pub fn proactive_at(&self, margin: f64) -> Option<f64> {
        if self.refreshing || self.proactive_sent {
            return None;
        }
        self.expires.map(|e| e - margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cloudfront_error_codes() {
        // Multi-byte text around the tags: the byte-window search must land on char boundaries.
        let body = "<p>é</p><Error><Code>ünknöwn</Code></Error>";
        assert_eq!(
            CdnErrorCode::from_body(body),
            Some(CdnErrorCode::Other("ünknöwn".to_string()))
        );
        assert_eq!(CdnErrorCode::from_body("<Error><Code>"), None);
        assert_eq!(CdnErrorCode::from_body("<Code>AccessDenied</Code>"), None);
        let body = r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>"#;
        assert_eq!(
            CdnErrorCode::from_body(body),
            Some(CdnErrorCode::AccessDenied)
        );
        let body = "<Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>";
        assert_eq!(
            CdnErrorCode::from_body(body),
            Some(CdnErrorCode::MissingKey)
        );
        assert_eq!(
            CdnErrorCode::from_body("<Error><Code>InvalidObjectState</Code></Error>"),
            Some(CdnErrorCode::InvalidObjectState)
        );
        assert_eq!(CdnErrorCode::from_body("<html>nope</html>"), None);
        assert_eq!(CdnErrorCode::from_body("<Error><Code>"), None);
    }

    #[test]
    fn redacts_signed_url_values() {
        let u = "https://cdn.example.com/v/a.ts?Policy=eyJ&Signature=abc~&Key-Pair-Id=K2&x=1#t";
        assert_eq!(
            redact_url(u),
            "https://cdn.example.com/v/a.ts?Policy=REDACTED&Signature=REDACTED&Key-Pair-Id=REDACTED&x=1#t"
        );
        assert_eq!(redact_url("https://a/b.ts"), "https://a/b.ts");
    }

    #[test]
    fn glacier_is_fatal_without_refresh() {
        let v = judge_refusal(
            403,
            Some("<Error><Code>InvalidObjectState</Code></Error>"),
            false,
        );
        assert!(matches!(v, RefusalVerdict::Fatal(m) if m.contains("Glacier")));
    }

    #[test]
    fn refusal_descriptions_name_the_code() {
        let body = "<Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id</Message></Error>";
        let r = Refusal::new(403, Some(body), "https://c/a.ts?Signature=s&x=1");
        assert_eq!(r.url, "https://c/a.ts?Signature=REDACTED&x=1");
        assert_eq!(
            r.describe(),
            "CDN refused the request: MissingKey (missing signed cookies)"
        );
        let r = Refusal::new(403, Some("<Error><Code>Weird</Code></Error>"), "u");
        assert_eq!(r.describe(), "CDN refused the request: Weird (HTTP 403)");
        assert!(Refusal::new(403, None, "u").describe().contains("HTTP 403"));
        assert!(Refusal::new(0, None, "u").describe().contains("CORS"));
    }

    #[test]
    fn second_refusal_names_the_code() {
        assert_eq!(judge_refusal(403, None, false), RefusalVerdict::Refresh);
        let v = judge_refusal(403, Some("<Error><Code>InvalidKey</Code></Error>"), true);
        assert!(matches!(v, RefusalVerdict::Fatal(m) if m.contains("InvalidKey")));
        assert_eq!(judge_refusal(0, None, true), RefusalVerdict::Network);
    }
}
