//! CloudFront's viewer check: the signed URL if the request has one, else the signed cookies.
use std::collections::HashMap;
use std::net::IpAddr;

use rsa::RsaPublicKey;

use crate::crypto::{verify, HashAlg};
use crate::policy::{canned_policy, cf_b64_decode, Denial, Policy};

/// CloudFront's refusal codes, each a 403 with a fixed XML body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("MissingKey")]
    MissingKey,
    #[error("InvalidKey")]
    InvalidKey,
    #[error("MalformedSignature")]
    MalformedSignature,
    #[error("MalformedPolicy")]
    MalformedPolicy,
    #[error("AccessDenied ({0:?})")]
    AccessDenied(DenyReason),
}

/// Why `AccessDenied` (logged only: CloudFront says just "Access denied").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    BadSignature,
    UnknownHashAlgorithm,
    Expired,
    NotYetValid,
    IpAddress,
    Resource,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::MissingKey => "MissingKey",
            Refusal::InvalidKey => "InvalidKey",
            Refusal::MalformedSignature => "MalformedSignature",
            Refusal::MalformedPolicy => "MalformedPolicy",
            Refusal::AccessDenied(_) => "AccessDenied",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            Refusal::MissingKey => "Missing Key-Pair-Id query parameter or cookie value",
            Refusal::InvalidKey => "Unknown Key",
            Refusal::MalformedSignature => "Could not unencode Signature",
            Refusal::MalformedPolicy => "Malformed Policy",
            Refusal::AccessDenied(_) => "Access denied",
        }
    }

    /// The response body, byte for byte (no trailing newline).
    pub fn xml(&self) -> String {
        error_xml(self.code(), self.message())
    }
}

pub fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
}

/// How a request was let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    SignedUrl,
    Cookies,
}

/// The query parameter names of a signed URL; CloudFront strips them before the origin lookup.
pub const URL_PARAMS: [&str; 5] = [
    "Expires",
    "Policy",
    "Signature",
    "Key-Pair-Id",
    "Hash-Algorithm",
];

/// The four (or five) values that make a signature, from either the URL or the cookies.
#[derive(Debug, Default)]
struct Credentials<'a> {
    expires: Option<&'a str>,
    policy: Option<&'a str>,
    signature: Option<&'a str>,
    key_pair_id: Option<&'a str>,
    hash_algorithm: Option<&'a str>,
}

/// Everything about a request the check needs.
pub struct Request<'a> {
    /// `http://host/path` plus the query left after removing the signing parameters.
    pub url: &'a str,
    /// Decoded query parameters, in order.
    pub query: &'a [(String, String)],
    /// Cookie name/value pairs, in order.
    pub cookies: &'a [(String, String)],
    pub client_ip: IpAddr,
    pub now: i64,
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether the query makes this a signed-URL request (then cookies are ignored).
pub fn is_signed_url(query: &[(String, String)]) -> bool {
    query.iter().any(|(k, _)| URL_PARAMS.contains(&k.as_str()))
}

/// CloudFront's order: key id, key, signature encoding, policy, then signature and conditions.
pub fn authorize(
    keys: &HashMap<String, RsaPublicKey>,
    req: &Request<'_>,
) -> Result<Credential, Refusal> {
    let (credential, creds) = if is_signed_url(req.query) {
        let q = req.query;
        (
            Credential::SignedUrl,
            Credentials {
                expires: first(q, "Expires"),
                policy: first(q, "Policy"),
                signature: first(q, "Signature"),
                key_pair_id: first(q, "Key-Pair-Id"),
                hash_algorithm: first(q, "Hash-Algorithm"),
            },
        )
    } else {
        let c = req.cookies;
        (
            Credential::Cookies,
            Credentials {
                expires: first(c, "CloudFront-Expires"),
                policy: first(c, "CloudFront-Policy"),
                signature: first(c, "CloudFront-Signature"),
                key_pair_id: first(c, "CloudFront-Key-Pair-Id"),
                hash_algorithm: first(c, "CloudFront-Hash-Algorithm"),
            },
        )
    };
    let key_id = creds
        .key_pair_id
        .filter(|k| !k.is_empty())
        .ok_or(Refusal::MissingKey)?;
    let key = keys.get(key_id).ok_or(Refusal::InvalidKey)?;
    let signature = creds
        .signature
        .filter(|s| !s.is_empty())
        .and_then(cf_b64_decode)
        .ok_or(Refusal::MalformedSignature)?;
    // With both present the Policy is used (a custom policy carries its own expiry).
    let policy_bytes: Vec<u8> = match (creds.policy, creds.expires) {
        (Some(p), _) => cf_b64_decode(p).ok_or(Refusal::MalformedPolicy)?,
        (None, Some(e)) => {
            let expires: i64 = e.trim().parse().map_err(|_| Refusal::MalformedPolicy)?;
            canned_policy(req.url, expires).into_bytes()
        }
        (None, None) => return Err(Refusal::MalformedPolicy),
    };
    let policy = Policy::parse(&policy_bytes).map_err(|_| Refusal::MalformedPolicy)?;
    let alg = HashAlg::from_param(creds.hash_algorithm)
        .ok_or(Refusal::AccessDenied(DenyReason::UnknownHashAlgorithm))?;
    if !verify(key, alg, &policy_bytes, &signature) {
        return Err(Refusal::AccessDenied(DenyReason::BadSignature));
    }
    policy
        .allows(req.url, req.client_ip, req.now)
        .map_err(|d| {
            Refusal::AccessDenied(match d {
                Denial::Expired => DenyReason::Expired,
                Denial::NotYetValid => DenyReason::NotYetValid,
                Denial::IpAddress => DenyReason::IpAddress,
                Denial::Resource => DenyReason::Resource,
            })
        })?;
    Ok(credential)
}

/// Splits a raw query string into decoded pairs (`+` is a space, as in forms; `%XX` decoded).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode_lossy(k), percent_decode_lossy(v))
        })
        .collect()
}

/// The query without CloudFront's signing parameters, raw (for the Resource URL).
pub fn strip_signing_params(raw: &str) -> String {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
            !URL_PARAMS.contains(&percent_decode_lossy(key).as_str())
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Cookie pairs from all `Cookie` headers.
pub fn parse_cookies<'a>(headers: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    headers
        .flat_map(|h| h.split(';'))
        .filter_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            Some((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

/// Percent-decodes to bytes; `None` when an escape is broken.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

fn percent_decode_lossy(s: &str) -> String {
    let s = s.replace('+', " ");
    match percent_decode(&s) {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_cookies() {
        let q = parse_query("a=1&Signature=x%2By&&b");
        assert_eq!(q[1], ("Signature".into(), "x+y".into()));
        assert_eq!(q[2], ("b".into(), "".into()));
        assert!(is_signed_url(&q));
        assert_eq!(
            strip_signing_params("a=1&Expires=5&Key-Pair-Id=K&b=2"),
            "a=1&b=2"
        );
        let c = parse_cookies(["x=1; CloudFront-Policy=\"abc\"", "y"].into_iter());
        assert_eq!(
            c,
            vec![
                ("x".into(), "1".into()),
                ("CloudFront-Policy".into(), "abc".into())
            ]
        );
        assert_eq!(percent_decode("%2e%2E/%"), None);
        assert_eq!(percent_decode("%2e%2E").unwrap(), b"..");
    }

    /// Garbage in every credential field: always a refusal, never a panic.
    #[test]
    fn garbage_credentials_are_refused_without_panic() {
        let key = crate::crypto::load_public_key(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/test-public.pem"
        )))
        .unwrap();
        let keys = HashMap::from([("K1".to_string(), key)]);
        let pieces = [
            "",
            "K1",
            "=",
            "_",
            "~",
            "-",
            "AAAA",
            "eyJ9",
            "e30_",
            "W10_",
            "%",
            "\u{0}",
            "{",
            "}",
            "\"Statement\"",
            "[",
            "]",
            "2000000000",
            "-1",
            "99999999999999999999",
            "SHA256",
            "SHA1",
            "MD5",
            "*",
            "?",
            "\u{1F600}",
        ];
        let names = [
            "CloudFront-Policy",
            "CloudFront-Signature",
            "CloudFront-Key-Pair-Id",
            "CloudFront-Expires",
            "CloudFront-Hash-Algorithm",
            "Policy",
            "Signature",
            "Key-Pair-Id",
            "Expires",
            "Hash-Algorithm",
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut pairs = Vec::new();
            for _ in 0..next(6) {
                let name = names[next(names.len())].to_string();
                let value: String = (0..next(4)).map(|_| pieces[next(pieces.len())]).collect();
                pairs.push((name, value));
            }
            let (query, cookies): (Vec<_>, Vec<_>) = pairs
                .into_iter()
                .partition(|(k, _)| !k.starts_with("CloudFront-"));
            let req = Request {
                url: "http://h/v/a.ts",
                query: &query,
                cookies: &cookies,
                client_ip: "127.0.0.1".parse().unwrap(),
                now: 1_900_000_000,
            };
            assert!(authorize(&keys, &req).is_err(), "{query:?} {cookies:?}");
        }
    }

    #[test]
    fn refusal_bodies() {
        assert_eq!(
            Refusal::MissingKey.xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>"
        );
    }
}
