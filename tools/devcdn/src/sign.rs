//! The signer: signed cookies and signed URLs, as a customer's backend makes them.
use rsa::RsaPrivateKey;

use crate::crypto::{sign, HashAlg, KeyError};
use crate::policy::{canned_policy, cf_b64_encode, custom_policy, Cidr};

/// What to sign.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The Resource pattern (`*` and `?` wildcards).
    pub resource: String,
    pub expires: i64,
    pub starts: Option<i64>,
    pub ip: Option<Cidr>,
    pub alg: HashAlg,
}

impl Grant {
    pub fn custom_policy(&self) -> String {
        custom_policy(&self.resource, self.expires, self.starts, self.ip.as_ref())
    }
}

fn alg_param(alg: HashAlg) -> Option<&'static str> {
    match alg {
        HashAlg::Sha1 => None,
        HashAlg::Sha256 => Some("SHA256"),
    }
}

/// The custom-policy cookies: `CloudFront-Policy`, `CloudFront-Signature`, `CloudFront-Key-Pair-Id`
/// (and `CloudFront-Hash-Algorithm` for SHA-256), as name/value pairs.
pub fn signed_cookies(
    key: &RsaPrivateKey,
    key_pair_id: &str,
    grant: &Grant,
) -> Result<Vec<(String, String)>, KeyError> {
    let policy = grant.custom_policy();
    let signature = sign(key, grant.alg, policy.as_bytes())?;
    let mut cookies = vec![
        (
            "CloudFront-Policy".to_string(),
            cf_b64_encode(policy.as_bytes()),
        ),
        (
            "CloudFront-Signature".to_string(),
            cf_b64_encode(&signature),
        ),
        (
            "CloudFront-Key-Pair-Id".to_string(),
            key_pair_id.to_string(),
        ),
    ];
    if let Some(alg) = alg_param(grant.alg) {
        cookies.push(("CloudFront-Hash-Algorithm".to_string(), alg.to_string()));
    }
    Ok(cookies)
}

/// A signed URL: canned when the grant is only an expiry for exactly this URL, custom otherwise.
pub fn signed_url(
    key: &RsaPrivateKey,
    key_pair_id: &str,
    url: &str,
    grant: &Grant,
) -> Result<String, KeyError> {
    let canned = grant.starts.is_none() && grant.ip.is_none() && grant.resource == url;
    let separator = if url.contains('?') { '&' } else { '?' };
    let mut out = if canned {
        let policy = canned_policy(url, grant.expires);
        let signature = sign(key, grant.alg, policy.as_bytes())?;
        format!(
            "{url}{separator}Expires={}&Signature={}&Key-Pair-Id={key_pair_id}",
            grant.expires,
            cf_b64_encode(&signature)
        )
    } else {
        let policy = grant.custom_policy();
        let signature = sign(key, grant.alg, policy.as_bytes())?;
        format!(
            "{url}{separator}Policy={}&Signature={}&Key-Pair-Id={key_pair_id}",
            cf_b64_encode(policy.as_bytes()),
            cf_b64_encode(&signature)
        )
    };
    if let Some(alg) = alg_param(grant.alg) {
        out.push_str("&Hash-Algorithm=");
        out.push_str(alg);
    }
    Ok(out)
}
