//! CloudFront policies: the base64 variant, canned and custom policy documents, `*`/`?` wildcards,
//! CIDR conditions. Policies are parsed from the exact bytes that were signed and never re-serialised.
use std::net::IpAddr;

use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::Value;

/// Why a policy document was refused (CloudFront answers all of these with `MalformedPolicy`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("policy is not valid JSON: {0}")]
    Malformed(String),
    #[error("policy shape: {0}")]
    Shape(&'static str),
    #[error("IpAddress condition `{0}` is not an address in CIDR form (a.b.c.d/n)")]
    Cidr(String),
}

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// CloudFront's base64: standard base64 with `+`->`-`, `=`->`_`, `/`->`~`.
pub fn cf_b64_encode(bytes: &[u8]) -> String {
    LENIENT
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            other => other,
        })
        .collect()
}

/// Decodes CloudFront's base64; `None` when the text is not base64 in either alphabet.
pub fn cf_b64_decode(text: &str) -> Option<Vec<u8>> {
    let standard: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '=',
            '~' => '/',
            other => other,
        })
        .collect();
    LENIENT.decode(standard.as_bytes()).ok()
}

/// An IPv4 or IPv6 network in CIDR form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = text.split_once('/')?;
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client reaching an IPv6 socket arrives as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The one statement of a CloudFront policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `None`: the policy covers every URL (CloudFront allows omitting Resource in custom policies).
    pub resource: Option<String>,
    pub date_less_than: i64,
    pub date_greater_than: Option<i64>,
    pub source_ip: Option<Cidr>,
}

/// Why a valid policy does not allow a request (all `AccessDenied`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    Expired,
    NotYetValid,
    IpAddress,
    Resource,
}

impl Policy {
    /// Parses the exact decoded policy bytes.
    pub fn parse(bytes: &[u8]) -> Result<Policy, PolicyError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| PolicyError::Malformed(e.to_string()))?;
        let top = value
            .as_object()
            .ok_or(PolicyError::Shape("not an object"))?;
        if top.keys().any(|k| k != "Statement") {
            return Err(PolicyError::Shape("only `Statement` is allowed at the top"));
        }
        let statements = top
            .get("Statement")
            .and_then(Value::as_array)
            .ok_or(PolicyError::Shape("`Statement` must be an array"))?;
        let [statement] = statements.as_slice() else {
            return Err(PolicyError::Shape(
                "`Statement` must hold exactly one statement",
            ));
        };
        let statement = statement
            .as_object()
            .ok_or(PolicyError::Shape("statement is not an object"))?;
        if statement
            .keys()
            .any(|k| k != "Resource" && k != "Condition")
        {
            return Err(PolicyError::Shape(
                "statement allows only `Resource` and `Condition`",
            ));
        }
        let resource = match statement.get("Resource") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(PolicyError::Shape("`Resource` must be a string")),
        };
        let condition = statement
            .get("Condition")
            .and_then(Value::as_object)
            .ok_or(PolicyError::Shape("`Condition` object is required"))?;
        if condition
            .keys()
            .any(|k| !matches!(k.as_str(), "DateLessThan" | "DateGreaterThan" | "IpAddress"))
        {
            return Err(PolicyError::Shape(
                "`Condition` allows only DateLessThan, DateGreaterThan, IpAddress",
            ));
        }
        let epoch = |name: &str| -> Result<Option<i64>, PolicyError> {
            let Some(cond) = condition.get(name) else {
                return Ok(None);
            };
            let obj = cond
                .as_object()
                .filter(|o| o.len() == 1)
                .ok_or(PolicyError::Shape(
                    "date condition must be {\"AWS:EpochTime\": N}",
                ))?;
            obj.get("AWS:EpochTime")
                .and_then(Value::as_i64)
                .map(Some)
                .ok_or(PolicyError::Shape("AWS:EpochTime must be an integer"))
        };
        let date_less_than =
            epoch("DateLessThan")?.ok_or(PolicyError::Shape("DateLessThan is required"))?;
        let date_greater_than = epoch("DateGreaterThan")?;
        let source_ip = match condition.get("IpAddress") {
            None => None,
            Some(cond) => {
                let text = cond
                    .as_object()
                    .filter(|o| o.len() == 1)
                    .and_then(|o| o.get("AWS:SourceIp"))
                    .and_then(Value::as_str)
                    .ok_or(PolicyError::Shape(
                        "IpAddress must be {\"AWS:SourceIp\": \"a.b.c.d/n\"}",
                    ))?;
                Some(Cidr::parse(text).ok_or_else(|| PolicyError::Cidr(text.to_string()))?)
            }
        };
        Ok(Policy {
            resource,
            date_less_than,
            date_greater_than,
            source_ip,
        })
    }

    /// Checks the conditions for a request for `url` from `ip` at `now` (epoch seconds).
    pub fn allows(&self, url: &str, ip: IpAddr, now: i64) -> Result<(), Denial> {
        if now >= self.date_less_than {
            return Err(Denial::Expired);
        }
        if self.date_greater_than.is_some_and(|start| now < start) {
            return Err(Denial::NotYetValid);
        }
        if self.source_ip.is_some_and(|net| !net.contains(ip)) {
            return Err(Denial::IpAddress);
        }
        if self
            .resource
            .as_deref()
            .is_some_and(|pattern| !wildcard_match(pattern, url))
        {
            return Err(Denial::Resource);
        }
        Ok(())
    }

    /// Canned when the policy has only DateLessThan (CloudFront then rebuilds it from the URL).
    pub fn is_cannable(&self) -> bool {
        self.date_greater_than.is_none() && self.source_ip.is_none()
    }
}

/// The canned policy CloudFront rebuilds from a request URL and its `Expires`.
pub fn canned_policy(url: &str, expires: i64) -> String {
    format!(
        r#"{{"Statement":[{{"Resource":{},"Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}"#,
        json_string(url)
    )
}

/// A custom policy document, whitespace removed, keys in the order of AWS's documentation.
pub fn custom_policy(
    resource: &str,
    expires: i64,
    starts: Option<i64>,
    ip: Option<&Cidr>,
) -> String {
    let mut cond = format!(r#""DateLessThan":{{"AWS:EpochTime":{expires}}}"#);
    if let Some(starts) = starts {
        cond.push_str(&format!(
            r#","DateGreaterThan":{{"AWS:EpochTime":{starts}}}"#
        ));
    }
    if let Some(ip) = ip {
        cond.push_str(&format!(r#","IpAddress":{{"AWS:SourceIp":"{ip}"}}"#));
    }
    format!(
        r#"{{"Statement":[{{"Resource":{},"Condition":{{{cond}}}}}]}}"#,
        json_string(resource)
    )
}

fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// `*` matches zero or more characters, `?` exactly one, anywhere in the pattern; everything else is
/// literal and case-sensitive. Linear-time greedy matching with one backtrack point (no recursion).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "http://cdn/video/*",
            "http://cdn/video/a/b.ts"
        ));
        assert!(wildcard_match("http://cdn/video/*", "http://cdn/video/"));
        assert!(!wildcard_match(
            "http://cdn/video/*",
            "http://cdn/videos/a.ts"
        ));
        assert!(wildcard_match("http*://cdn/*.ts", "https://cdn/x/y.ts"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("*a*b*", "xxaxxbxx"));
        assert!(!wildcard_match("*a*b", "xxaxxbxxc"));
        assert!(!wildcard_match("abc", "ABC"));
        assert!(wildcard_match("", ""));
        assert!(!wildcard_match("", "a"));
    }

    #[test]
    fn cidr() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Cidr::parse("1.2.3.4").is_none());
        assert!(Cidr::parse("1.2.3.4/33").is_none());
        assert!(Cidr::parse("::1/128")
            .unwrap()
            .contains("::1".parse().unwrap()));
    }

    #[test]
    fn base64_round_trip_uses_cloudfront_alphabet() {
        let bytes = [0xfbu8, 0xff, 0xfe, 0x00];
        let enc = cf_b64_encode(&bytes);
        assert_eq!(enc, "-~~-AA__");
        assert_eq!(cf_b64_decode(&enc).unwrap(), bytes);
        assert!(cf_b64_decode("not base64!").is_none());
    }

    #[test]
    fn parse_and_check_custom_policy() {
        let cidr = Cidr::parse("127.0.0.0/8").unwrap();
        let text = custom_policy("http://h/v/*", 200, Some(100), Some(&cidr));
        assert_eq!(
            text,
            r#"{"Statement":[{"Resource":"http://h/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":200},"DateGreaterThan":{"AWS:EpochTime":100},"IpAddress":{"AWS:SourceIp":"127.0.0.0/8"}}}]}"#
        );
        let p = Policy::parse(text.as_bytes()).unwrap();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(p.allows("http://h/v/a.ts", lo, 150), Ok(()));
        assert_eq!(p.allows("http://h/v/a.ts", lo, 200), Err(Denial::Expired));
        assert_eq!(
            p.allows("http://h/v/a.ts", lo, 99),
            Err(Denial::NotYetValid)
        );
        assert_eq!(
            p.allows("http://h/v/a.ts", "10.0.0.1".parse().unwrap(), 150),
            Err(Denial::IpAddress)
        );
        assert_eq!(p.allows("http://h/w/a.ts", lo, 150), Err(Denial::Resource));
    }

    #[test]
    fn malformed_policies() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"Statement":{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}}"#,
            r#"{"Statement":[]}"#,
            r#"{"Statement":[{"Resource":"x"}]}"#,
            r#"{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":"1"}}}]}"#,
            r#"{"Statement":[{"Resource":"x","Condition":{"DateGreaterThan":{"AWS:EpochTime":1}}}]}"#,
            r#"{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1},"IpAddress":{"AWS:SourceIp":"1.2.3.4"}}}]}"#,
            r#"{"Statement":[{"Resource":1,"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}"#,
            r#"{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1},"Other":{}}}]}"#,
        ] {
            assert!(Policy::parse(bad.as_bytes()).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn canned_policy_shape() {
        assert_eq!(
            canned_policy("http://h/a.m3u8", 5),
            r#"{"Statement":[{"Resource":"http://h/a.m3u8","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}"#
        );
    }
}
