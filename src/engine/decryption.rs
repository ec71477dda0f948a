//! A segment body's decryption on its way to the remuxer: AES-128/256-CBC bodies decrypted as
//! their bytes arrive (the last block held for the padding), SAMPLE-AES segments passed as they
//! are with their key for the transmuxer, clear segments untouched.

use std::borrow::Cow;

use crate::crypto::{CbcDecryptor, DecryptError, SampleAesKey};
use crate::playlist::KeyMethod;

use super::keys::{KeyBytes, SegKey};
use super::media::RemuxFailure;

/// How one body is decrypted.
#[derive(Debug, Clone)]
pub(super) enum BodyCipher {
    Clear,
    /// The segment was requested with its key still loading (so that the two travel at once):
    /// its bytes wait here, nothing goes to the remuxer until the key is in.
    AwaitingKey {
        held: Vec<u8>,
    },
    Cbc {
        decryptor: Box<CbcDecryptor>,
        /// Plaintext of the last push, reused from chunk to chunk.
        plain: Vec<u8>,
    },
}

impl BodyCipher {
    /// The decryption of a body encrypted with `key` (its bytes loaded: `bytes`), and the
    /// SAMPLE-AES key the transmuxer needs, if that is the method.
    pub(super) fn new(
        key: Option<&SegKey>,
        bytes: Option<&KeyBytes>,
    ) -> Result<(BodyCipher, Option<SampleAesKey>), RemuxFailure> {
        let Some(k) = key else {
            return Ok((BodyCipher::Clear, None));
        };
        let Some(bytes) = bytes else {
            return Ok((BodyCipher::AwaitingKey { held: Vec::new() }, None));
        };
        match k.key.method {
            KeyMethod::Aes128 | KeyMethod::Aes256 => {
                let decryptor = CbcDecryptor::new(bytes.bytes(), k.iv).map_err(failure)?;
                let cipher = BodyCipher::Cbc {
                    decryptor: Box::new(decryptor),
                    plain: Vec::new(),
                };
                Ok((cipher, None))
            }
            KeyMethod::SampleAes => {
                let key = <[u8; 16]>::try_from(bytes.bytes()).map_err(|_| {
                    failure(DecryptError::KeyLength {
                        len: bytes.bytes().len(),
                    })
                })?;
                Ok((BodyCipher::Clear, Some(SampleAesKey { key, iv: k.iv })))
            }
        }
    }

    pub(super) fn awaiting_key(&self) -> bool {
        matches!(self, BodyCipher::AwaitingKey { .. })
    }

    /// The key arrived: the cipher it makes (and the SAMPLE-AES key for the transmuxer), and
    /// the bytes held meanwhile, to push first.
    pub(super) fn key_arrived(
        &mut self,
        key: &SegKey,
        bytes: &KeyBytes,
    ) -> Result<(Option<SampleAesKey>, Vec<u8>), RemuxFailure> {
        let (cipher, sample_aes) = BodyCipher::new(Some(key), Some(bytes))?;
        let held = match std::mem::replace(self, cipher) {
            BodyCipher::AwaitingKey { held } => held,
            _ => Vec::new(),
        };
        Ok((sample_aes, held))
    }

    /// The plaintext of the next bytes of the body (clear bodies pass through; a body waiting
    /// for its key gives nothing yet).
    pub(super) fn push<'a>(&'a mut self, data: &'a [u8]) -> &'a [u8] {
        match self {
            BodyCipher::Clear => data,
            BodyCipher::AwaitingKey { held } => {
                held.extend_from_slice(data);
                &[]
            }
            BodyCipher::Cbc { decryptor, plain } => {
                plain.clear();
                decryptor.push(data, plain);
                plain
            }
        }
    }

    /// The end of the body: the plaintext held back, padding checked and removed.
    pub(super) fn finish(&mut self) -> Result<&[u8], RemuxFailure> {
        match self {
            BodyCipher::Clear => Ok(&[]),
            BodyCipher::AwaitingKey { .. } => Err(RemuxFailure::new(
                crate::error::ErrorCategory::Malformed,
                "the segment ended before its key arrived",
            )),
            BodyCipher::Cbc { decryptor, plain } => {
                plain.clear();
                decryptor.finish(plain).map_err(failure)?;
                Ok(plain)
            }
        }
    }

    /// A whole body's plaintext.
    pub(super) fn whole<'a>(&mut self, data: &'a [u8]) -> Result<Cow<'a, [u8]>, RemuxFailure> {
        if let BodyCipher::Clear = self {
            return Ok(Cow::Borrowed(data));
        }
        let mut out = self.push(data).to_vec();
        out.extend_from_slice(self.finish()?);
        Ok(Cow::Owned(out))
    }
}

fn failure(e: DecryptError) -> RemuxFailure {
    RemuxFailure::new(e.category(), e.to_string())
}
