//! RSA PKCS#1 v1.5 signatures over policy bytes, SHA-1 (CloudFront's default) or SHA-256.
use std::path::Path;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha1::{Digest, Sha1};
use sha2::Sha256;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not an RSA {kind} key in PEM (PKCS#1 or PKCS#8/SPKI)")]
    Malformed { path: String, kind: &'static str },
    #[error("signing failed: {0}")]
    Sign(String),
}

/// The `Hash-Algorithm` of a signed URL or cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha1,
    Sha256,
}

impl HashAlg {
    /// Parses the `Hash-Algorithm` value; absent means SHA-1.
    pub fn from_param(value: Option<&str>) -> Option<HashAlg> {
        match value {
            None | Some("SHA1") => Some(HashAlg::Sha1),
            Some("SHA256") => Some(HashAlg::Sha256),
            Some(_) => None,
        }
    }
}

fn read(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Loads a public key (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`); a private key file also works.
pub fn load_public_key(path: &Path) -> Result<RsaPublicKey, KeyError> {
    let pem = read(path)?;
    RsaPublicKey::from_public_key_pem(&pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(&pem))
        .or_else(|_| parse_private(&pem).map(|k| k.to_public_key()))
        .map_err(|_| KeyError::Malformed {
            path: path.display().to_string(),
            kind: "public",
        })
}

fn parse_private(pem: &str) -> Result<RsaPrivateKey, ()> {
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|_| ())
}

/// Loads a private key (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`).
pub fn load_private_key(path: &Path) -> Result<RsaPrivateKey, KeyError> {
    parse_private(&read(path)?).map_err(|()| KeyError::Malformed {
        path: path.display().to_string(),
        kind: "private",
    })
}

/// Signs `message` like `openssl sha1 -sign` / `openssl dgst -sha256 -sign` (deterministic).
pub fn sign(key: &RsaPrivateKey, alg: HashAlg, message: &[u8]) -> Result<Vec<u8>, KeyError> {
    let result = match alg {
        HashAlg::Sha1 => key.sign(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(message)),
        HashAlg::Sha256 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message)),
    };
    result.map_err(|e| KeyError::Sign(e.to_string()))
}

pub fn verify(key: &RsaPublicKey, alg: HashAlg, message: &[u8], signature: &[u8]) -> bool {
    match alg {
        HashAlg::Sha1 => key
            .verify(
                Pkcs1v15Sign::new::<Sha1>(),
                &Sha1::digest(message),
                signature,
            )
            .is_ok(),
        HashAlg::Sha256 => key
            .verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(message),
                signature,
            )
            .is_ok(),
    }
}
