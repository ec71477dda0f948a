//! A small RFC 3986 §5.2 reference resolver for http/https playlist URIs, plus the CloudFront
//! signed-URL query carry-over. Hand-written because the `url` crate costs far more wasm than HLS needs.
//!
//! The result is written the way the WHATWG URL parser (what `fetch` uses) writes it: characters
//! of its path and special-query percent-encode sets are percent-encoded (`a b.ts` becomes
//! `a%20b.ts`), `\` separates path segments, and `%2e` segments count as dots. So the URL the
//! player reports and keys its requests by is the one the browser fetches.

/// Why a URI could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Only `http` and `https` are followed (no `file:`, `data:`, `javascript:`...).
    #[error("URI scheme `{0}` not allowed (only http and https): {1}")]
    SchemeNotAllowed(String, String),
    /// The base URL is not an absolute http/https URL.
    #[error("base URL is not an absolute http(s) URL: {0}")]
    BadBase(String),
    /// No host after `//`, a non-numeric port, or an unclosed IPv6 bracket.
    #[error("bad authority in URI: {0}")]
    BadAuthority(String),
    /// Control characters (including tabs) are never part of a URI. The URI is kept with each
    /// control character shown as U+FFFD (no Debug escaping: its Unicode tables cost wasm size).
    #[error("control character in URI: {0}")]
    ControlCharacter(String),
}

/// The parts of an absolute or relative URI reference (fragment already dropped).
#[derive(Debug, Clone, Copy)]
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

fn split(reference: &str) -> Parts<'_> {
    // The fragment never reaches the server: drop it first.
    let no_fragment = reference.split_once('#').map_or(reference, |(a, _)| a);
    let (rest, query) = match no_fragment.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (no_fragment, None),
    };
    let (scheme, rest) = match rest.find(':') {
        Some(colon) if is_scheme(rest.get(..colon).unwrap_or("")) => {
            (rest.get(..colon), rest.get(colon + 1..).unwrap_or(""))
        }
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            (after.get(..end), after.get(end..).unwrap_or(""))
        }
        None => (None, rest),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
    }
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `(host, port)` of an authority, with the userinfo removed and the port defaulted by scheme.
fn host_port<'a>(scheme: &str, authority: &'a str) -> Option<(&'a str, u16)> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        let close = host_port.find(']')?;
        let host = host_port.get(..=close)?;
        match host_port.get(close + 1..)? {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':')?)),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let default = if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    };
    let port = match port {
        None | Some("") => default,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
    };
    Some((host, port))
}

fn check_http(scheme: &str, whole: &str) -> Result<(), UrlError> {
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        Ok(())
    } else {
        Err(UrlError::SchemeNotAllowed(
            scheme.to_ascii_lowercase(),
            whole.to_string(),
        ))
    }
}

/// Which WHATWG percent-encode set applies (URL Standard §1.3).
#[derive(Clone, Copy, PartialEq, Eq)]
enum EncodeSet {
    /// The path percent-encode set: C0 controls, space, `"` `#` `<` `>` `?` `^` `` ` `` `{` `}`,
    /// and everything above U+007E.
    Path,
    /// The special-query percent-encode set (http/https): C0 controls, space, `"` `#` `'` `<`
    /// `>`, and everything above U+007E.
    SpecialQuery,
}

fn needs_encoding(b: u8, set: EncodeSet) -> bool {
    match b {
        0..=0x20 | 0x7F.. | b'"' | b'#' | b'<' | b'>' => true,
        b'?' | b'^' | b'`' | b'{' | b'}' => set == EncodeSet::Path,
        b'\'' => set == EncodeSet::SpecialQuery,
        _ => false,
    }
}

/// Appends `s` with the bytes of `set` percent-encoded (UTF-8, upper-case hex); `%` itself is kept,
/// so existing escapes stay as written.
fn push_encoded(out: &mut String, s: &str, set: EncodeSet) {
    if !s.bytes().any(|b| needs_encoding(b, set)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        let mut utf8 = [0u8; 4];
        let bytes = c.encode_utf8(&mut utf8).as_bytes();
        if bytes.iter().any(|&b| needs_encoding(b, set)) {
            for &b in bytes {
                out.push('%');
                for nibble in [b >> 4, b & 0x0F] {
                    out.push(
                        char::from_digit(u32::from(nibble), 16)
                            .map_or('0', |c| c.to_ascii_uppercase()),
                    );
                }
            }
        } else {
            out.push(c);
        }
    }
}

/// `.` or its percent-encoded form (WHATWG: a single-dot segment).
fn is_single_dot(segment: &str) -> bool {
    segment == "." || segment.eq_ignore_ascii_case("%2e")
}

/// `..` in any mix of `.` and `%2e` (WHATWG: a double-dot segment).
fn is_double_dot(segment: &str) -> bool {
    matches!(
        segment.to_ascii_lowercase().as_str(),
        ".." | ".%2e" | "%2e." | "%2e%2e"
    )
}

/// RFC 3986 §5.2.4 on an absolute path given as its segments (the text between `/`s):
/// `.` and `..` segments removed, `..` never above the root.
fn push_without_dot_segments<'s>(out: &mut String, segments: impl Iterator<Item = &'s str>) {
    let start = out.len();
    let mut ends_with_slash = false;
    for segment in segments {
        match segment {
            s if is_single_dot(s) => ends_with_slash = true,
            s if is_double_dot(s) => {
                // Pop the last segment written (never the root slash at `start`).
                let written = out.get(start..).unwrap_or("");
                let cut = written.rfind('/').map_or(start, |i| start + i);
                out.truncate(cut);
                ends_with_slash = true;
            }
            s => {
                out.push('/');
                push_encoded(out, s, EncodeSet::Path);
                ends_with_slash = false;
            }
        }
    }
    if ends_with_slash || out.len() == start {
        out.push('/');
    }
}

/// The segments of an absolute path (`/a/b` gives `a`, `b`).
fn segments(path: &str) -> std::str::Split<'_, char> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// A parsed absolute http(s) base URL, for resolving many references against it.
#[derive(Debug, Clone)]
pub(crate) struct Base<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    origin: (&'a str, u16),
}

impl<'a> Base<'a> {
    pub(crate) fn parse(base: &'a str) -> Result<Self, UrlError> {
        check_controls(base)?;
        let parts = split(base);
        let (Some(scheme), Some(authority)) = (parts.scheme, parts.authority) else {
            return Err(UrlError::BadBase(base.to_string()));
        };
        check_http(scheme, base)?;
        let origin =
            host_port(scheme, authority).ok_or_else(|| UrlError::BadAuthority(base.to_string()))?;
        Ok(Self {
            scheme,
            authority,
            path: parts.path,
            query: parts.query,
            origin,
        })
    }

    /// RFC 3986 §5.2.2: the target URI of `reference`, fragment dropped; only http/https allowed.
    pub(crate) fn join(&self, reference: &str) -> Result<String, UrlError> {
        check_controls(reference)?;
        // WHATWG: in http(s) URLs a backslash before the query is a slash.
        let slashed;
        let reference = match reference
            .split_once(['?', '#'])
            .map_or(reference, |(a, _)| a)
        {
            before if before.contains('\\') => {
                // `replace` + `push_str`, not `[..].concat()`: that is `join`'s generic copy
                // routine, 1 KB raw of wasm for this one use.
                let mut s = before.replace('\\', "/");
                s.push_str(reference.get(before.len()..).unwrap_or(""));
                slashed = s;
                slashed.as_str()
            }
            _ => reference,
        };
        let r = split(reference);
        let mut out =
            String::with_capacity(self.authority.len() + self.path.len() + reference.len() + 10);
        let scheme = r.scheme.unwrap_or(self.scheme);
        check_http(scheme, reference)?;
        for c in scheme.chars() {
            out.push(c.to_ascii_lowercase());
        }
        out.push_str("://");
        let query;
        if let Some(authority) = r.authority {
            // Absolute or protocol-relative: everything from the reference.
            host_port(scheme, authority)
                .ok_or_else(|| UrlError::BadAuthority(reference.to_string()))?;
            out.push_str(authority);
            push_without_dot_segments(&mut out, segments(r.path));
            query = r.query;
        } else if r.scheme.is_some() {
            // `http:foo` has a scheme but no authority: not usable as an http URL.
            return Err(UrlError::BadAuthority(reference.to_string()));
        } else {
            out.push_str(self.authority);
            if r.path.is_empty() {
                push_without_dot_segments(&mut out, segments(self.path));
                query = r.query.or(self.query);
            } else if r.path.starts_with('/') {
                push_without_dot_segments(&mut out, segments(r.path));
                query = r.query;
            } else {
                // §5.2.3 merge: the base path's segments but its last, then the reference's.
                let dir = self
                    .path
                    .rfind('/')
                    .and_then(|i| self.path.get(..i))
                    .unwrap_or("");
                let dir_segments = (!dir.is_empty()).then(|| segments(dir));
                push_without_dot_segments(
                    &mut out,
                    dir_segments.into_iter().flatten().chain(r.path.split('/')),
                );
                query = r.query;
            }
        }
        if let Some(q) = query {
            out.push('?');
            push_encoded(&mut out, q, EncodeSet::SpecialQuery);
        }
        Ok(out)
    }

    /// Scheme, host and port equal (host case-insensitively, default ports filled in).
    fn same_origin(&self, absolute: &str) -> bool {
        let parts = split(absolute);
        let (Some(scheme), Some(authority)) = (parts.scheme, parts.authority) else {
            return false;
        };
        match host_port(scheme, authority) {
            Some((host, port)) => {
                scheme.eq_ignore_ascii_case(self.scheme)
                    && host.eq_ignore_ascii_case(self.origin.0)
                    && port == self.origin.1
            }
            None => false,
        }
    }

    /// The base's query, without `?`.
    pub(crate) fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The base's CloudFront signed-URL parameters (`name=value` pairs joined by `&`), if any.
    pub(crate) fn signed_query(&self) -> Option<String> {
        let mut out = String::new();
        for pair in self.query?.split('&') {
            if is_signed_param(pair) {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(pair);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Adds `signed` (from [`Base::signed_query`]) to `child` when it has the base's origin and
    /// carries no signed parameter of its own.
    pub(crate) fn add_signed_query(&self, child: String, signed: &str) -> String {
        if !self.same_origin(&child) {
            return child;
        }
        let query = split(&child).query;
        if query.is_some_and(|q| q.split('&').any(is_signed_param)) {
            return child;
        }
        let separator = if query.is_some() { '&' } else { '?' };
        let mut child = child;
        child.push(separator);
        child.push_str(signed);
        child
    }
}

/// CloudFront's signed-URL query parameters (research: cloudfront-and-mediaconvert.md).
const SIGNED_PARAMS: [&str; 5] = [
    "Policy",
    "Signature",
    "Key-Pair-Id",
    "Expires",
    "Hash-Algorithm",
];

fn is_signed_param(pair: &str) -> bool {
    let name = pair.split_once('=').map_or(pair, |(n, _)| n);
    SIGNED_PARAMS.contains(&name)
}

fn check_controls(s: &str) -> Result<(), UrlError> {
    // Bytes first: URIs are nearly always ASCII, and the byte scan is much cheaper than chars.
    if s.bytes().any(|b| b < 0x20 || b == 0x7f)
        || (!s.is_ascii() && s.chars().any(char::is_control))
    {
        let mut shown = String::with_capacity(s.len());
        for c in s.chars() {
            shown.push(if c.is_control() {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            });
        }
        Err(UrlError::ControlCharacter(shown))
    } else {
        Ok(())
    }
}

/// Resolves `reference` against the absolute http(s) URL `base` (RFC 3986 §5.2), dropping any
/// fragment. Fails if either is not http/https.
pub fn resolve(base: &str, reference: &str) -> Result<String, UrlError> {
    Base::parse(base)?.join(reference)
}

/// Carries `parent`'s CloudFront signed-URL query (`Policy`, `Signature`, `Key-Pair-Id`, `Expires`,
/// `Hash-Algorithm`) onto the absolute URL `child` when both have the same scheme, host and port and
/// `child` has none of those parameters itself. Third-party hosts never receive them.
pub fn propagate_signed_query(parent: &str, child: &str) -> Result<String, UrlError> {
    let base = Base::parse(parent)?;
    Ok(match base.signed_query() {
        Some(signed) => base.add_signed_query(child.to_string(), &signed),
        None => child.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://a/b/c/d;p?q";

    /// WHATWG (as `new URL` in a browser): before the query a backslash is a slash; in the
    /// query it stays.
    #[test]
    fn backslashes_before_the_query_are_slashes() {
        let base = Base::parse("https://h/a/b.m3u8").unwrap();
        assert_eq!(
            base.join("x\\y.ts?q=\\#f").unwrap(),
            "https://h/a/x/y.ts?q=\\"
        );
        assert_eq!(base.join("\\\\other\\p.ts").unwrap(), "https://other/p.ts");
    }

    /// RFC 3986 §5.4.1 normal examples (those with http results).
    #[test]
    fn rfc3986_normal_examples() {
        let cases = [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q"),
            ("g#s", "http://a/b/c/g"),
            ("g?y#s", "http://a/b/c/g?y"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
        ];
        for (reference, want) in cases {
            assert_eq!(
                resolve(BASE, reference).unwrap(),
                want,
                "reference {reference:?}"
            );
        }
    }

    /// RFC 3986 §5.4.2 abnormal examples.
    #[test]
    fn rfc3986_abnormal_examples() {
        let cases = [
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g"),
            ("g#s/../x", "http://a/b/c/g"),
            ("http:g", "error"),
        ];
        for (reference, want) in cases {
            match resolve(BASE, reference) {
                Ok(got) => assert_eq!(got, want, "reference {reference:?}"),
                Err(e) => assert_eq!(want, "error", "reference {reference:?}: {e}"),
            }
        }
    }

    #[test]
    fn absolute_and_protocol_relative() {
        let base = "https://cdn.example.com/video/master.m3u8?x=1";
        assert_eq!(
            resolve(base, "HTTP://Other.example/a/./b.ts").unwrap(),
            "http://Other.example/a/b.ts"
        );
        assert_eq!(
            resolve(base, "//other.example:8443/seg.ts").unwrap(),
            "https://other.example:8443/seg.ts"
        );
    }

    /// hls.js's spaces-in-uri case: `fetch` requests `plain%205.ts`, so the resolved URL says so.
    #[test]
    fn hlsjs_spaces_in_uri_resolve_to_the_whatwg_form() {
        let base = "https://cdn.example.com/video/master.m3u8?x=1";
        let cases = [
            ("plain 5.ts", "https://cdn.example.com/video/plain%205.ts"),
            (
                "a b/c d.ts?q=x y",
                "https://cdn.example.com/video/a%20b/c%20d.ts?q=x%20y",
            ),
            // Path set: " < > ` { } ^ and non-ASCII; `%` escapes are kept as written.
            (
                "x\"<>`{}^|.ts",
                "https://cdn.example.com/video/x%22%3C%3E%60%7B%7D%5E|.ts",
            ),
            (
                "caf\u{e9} \u{3000}.ts",
                "https://cdn.example.com/video/caf%C3%A9%20%E3%80%80.ts",
            ),
            ("done%20.ts", "https://cdn.example.com/video/done%20.ts"),
            // Special-query set: ' and " < > space; ^ { } ` stay.
            (
                "s.ts?a='b'&c={^`}",
                "https://cdn.example.com/video/s.ts?a=%27b%27&c={^`}",
            ),
            // Backslashes separate segments; %2e segments are dots.
            ("a\\b\\..\\c.ts", "https://cdn.example.com/video/a/c.ts"),
            ("%2e%2E/x/%2e/y.ts", "https://cdn.example.com/x/y.ts"),
            ("q.ts?a\\b", "https://cdn.example.com/video/q.ts?a\\b"),
        ];
        for (reference, want) in cases {
            assert_eq!(resolve(base, reference).unwrap(), want, "{reference}");
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        let base = "https://cdn.example.com/v/master.m3u8";
        for reference in [
            "file:///etc/passwd",
            "data:text/plain,hi",
            "javascript:alert(1)",
            "ftp://x/y",
        ] {
            assert!(
                matches!(
                    resolve(base, reference),
                    Err(UrlError::SchemeNotAllowed(..))
                ),
                "{reference}"
            );
        }
        assert!(matches!(
            resolve("file:///tmp/a.m3u8", "b.ts"),
            Err(UrlError::SchemeNotAllowed(..))
        ));
        assert!(matches!(
            resolve("/tmp/a.m3u8", "b.ts"),
            Err(UrlError::BadBase(_))
        ));
        assert!(matches!(
            resolve(base, "//:80/x"),
            Err(UrlError::BadAuthority(_))
        ));
        assert!(matches!(
            resolve(base, "//h:8x/x"),
            Err(UrlError::BadAuthority(_))
        ));
        assert!(matches!(
            resolve(base, "a\tb"),
            Err(UrlError::ControlCharacter(_))
        ));
    }

    #[test]
    fn ipv6_and_userinfo_authorities() {
        assert_eq!(
            resolve("http://[::1]:9090/a/m.m3u8", "s.ts").unwrap(),
            "http://[::1]:9090/a/s.ts"
        );
        assert_eq!(
            resolve("http://u:p@h/a/m.m3u8", "../s.ts").unwrap(),
            "http://u:p@h/s.ts"
        );
    }

    #[test]
    fn signed_query_same_origin_only() {
        let parent =
            "https://cdn.example.com/v/master.m3u8?Policy=P&Signature=S&Key-Pair-Id=K&other=1";
        let child = resolve(parent, "a/index.m3u8").unwrap();
        assert_eq!(
            propagate_signed_query(parent, &child).unwrap(),
            "https://cdn.example.com/v/a/index.m3u8?Policy=P&Signature=S&Key-Pair-Id=K"
        );
        // Default port written out is still the same origin.
        assert_eq!(
            propagate_signed_query(parent, "https://CDN.example.com:443/x.ts?t=2").unwrap(),
            "https://CDN.example.com:443/x.ts?t=2&Policy=P&Signature=S&Key-Pair-Id=K"
        );
        for other in [
            "https://evil.example/x.ts",
            "http://cdn.example.com/x.ts",
            "https://cdn.example.com:8443/x.ts",
        ] {
            assert_eq!(propagate_signed_query(parent, other).unwrap(), other);
        }
        let own = "https://cdn.example.com/x.ts?Expires=9&Signature=T&Key-Pair-Id=K";
        assert_eq!(propagate_signed_query(parent, own).unwrap(), own);
        let unsigned = "https://cdn.example.com/v/master.m3u8?a=b";
        assert_eq!(
            propagate_signed_query(unsigned, "https://cdn.example.com/x").unwrap(),
            "https://cdn.example.com/x"
        );
    }
}
