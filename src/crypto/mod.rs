//! Decryption of encrypted HLS media (RFC 8216 §5.2): `METHOD=AES-128` (and AES-256) segments,
//! AES-CBC over the whole body with PKCS#7 padding, decrypted as the bytes arrive; and
//! `METHOD=SAMPLE-AES` samples inside MPEG-TS ([`sample_aes`]).
//!
//! Own AES rather than WebCrypto: it runs in the sans-IO core (tested natively against openssl),
//! it can decrypt a body progressively, which `crypto.subtle.decrypt` cannot, and it costs a few
//! KB of wasm. The measurements are in `docs/design-crypto.md`.
mod aes;
pub mod sample_aes;

use crate::error::ErrorCategory;
use aes::AesDecrypt;

pub use sample_aes::SampleAes;

const BLOCK: usize = 16;

/// Why an encrypted body or key cannot be used. [`DecryptError::category`] tells the kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptError {
    #[error("malformed: key is {len} bytes, want 16 (AES-128) or 32 (AES-256)")]
    KeyLength { len: usize },
    #[error("malformed: encrypted body is {len} bytes, not a multiple of 16")]
    NotBlockAligned { len: u64 },
    /// The last block does not end in valid PKCS#7 padding: almost always a wrong key or IV.
    #[error("malformed: bad PKCS#7 padding (wrong key?)")]
    BadPadding,
    /// PKCS#7 always adds at least one block, so an empty body cannot be a valid one.
    #[error("malformed: encrypted body is empty (PKCS#7 padding needs at least one block)")]
    Empty,
}

impl DecryptError {
    /// What kind of failure this is (the word its message starts with).
    pub fn category(&self) -> ErrorCategory {
        match self {
            DecryptError::KeyLength { .. }
            | DecryptError::NotBlockAligned { .. }
            | DecryptError::BadPadding
            | DecryptError::Empty => ErrorCategory::Malformed,
        }
    }
}

/// The key and IV of a SAMPLE-AES segment (always AES-128): the transmuxer decrypts the
/// samples with it (`SegmentInfo::sample_aes`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SampleAesKey {
    pub key: [u8; 16],
    pub iv: [u8; 16],
}

/// The IV is shown, the key never: `SegmentInfo` is printed in logs and test failures.
impl std::fmt::Debug for SampleAesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleAesKey")
            .field("key", &"<16 bytes>")
            .field("iv", &self.iv)
            .finish()
    }
}

/// AES-CBC decryption of one segment body with PKCS#7 padding, fed as the body arrives. A
/// 16-byte key is AES-128, a 32-byte key AES-256.
///
/// Plaintext is released as soon as it is certain: every complete block except the last one
/// seen, which is held until another block arrives or the body ends, because only the last
/// block of the body carries the padding. Any split of the body into chunks gives the same
/// bytes as one push of the whole. One decryptor serves one body: make a new one per segment.
#[derive(Debug, Clone)]
pub struct CbcDecryptor {
    cipher: AesDecrypt,
    /// The IV, then the previous ciphertext block (CBC, NIST SP 800-38A §6.2).
    chain: [u8; BLOCK],
    /// Bytes of an incomplete block, carried to the next push.
    partial: [u8; BLOCK],
    partial_len: usize,
    /// The last complete ciphertext block, not decrypted yet.
    held: Option<[u8; BLOCK]>,
    received: u64,
}

impl CbcDecryptor {
    pub fn new(key: &[u8], iv: [u8; 16]) -> Result<Self, DecryptError> {
        let cipher = AesDecrypt::new(key).ok_or(DecryptError::KeyLength { len: key.len() })?;
        Ok(Self {
            cipher,
            chain: iv,
            partial: [0; BLOCK],
            partial_len: 0,
            held: None,
            received: 0,
        })
    }

    /// Ciphertext as it arrives, any chunking; appends to `out` all plaintext that is certain,
    /// i.e. every complete block except the last one seen (held back for the padding).
    pub fn push(&mut self, mut ciphertext: &[u8], out: &mut Vec<u8>) {
        self.received += ciphertext.len() as u64;
        if self.partial_len > 0 {
            let take = (BLOCK - self.partial_len).min(ciphertext.len());
            let (head, rest) = ciphertext.split_at(take);
            if let Some(slot) = self
                .partial
                .get_mut(self.partial_len..self.partial_len + take)
            {
                slot.copy_from_slice(head);
            }
            self.partial_len += take;
            ciphertext = rest;
            if self.partial_len < BLOCK {
                return;
            }
            self.partial_len = 0;
            if let Some(previous) = self.held.replace(self.partial) {
                self.release(&previous, out);
            }
        }
        let whole = ciphertext.len() / BLOCK * BLOCK;
        let (blocks, tail) = ciphertext.split_at(whole);
        // All complete blocks but the last are certain now, and so is the one held before them.
        if let Some(split) = whole.checked_sub(BLOCK) {
            let (certain, last) = blocks.split_at(split);
            if let Some(previous) = self.held.take() {
                self.release(&previous, out);
            }
            self.release(certain, out);
            self.held = last.try_into().ok();
        }
        if let Some(slot) = self.partial.get_mut(..tail.len()) {
            slot.copy_from_slice(tail);
        }
        self.partial_len = tail.len();
    }

    /// End of the body: the held block decrypted with PKCS#7 padding checked and stripped.
    /// Nothing is appended on error.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), DecryptError> {
        if self.partial_len != 0 {
            return Err(DecryptError::NotBlockAligned { len: self.received });
        }
        let Some(last) = self.held.take() else {
            return Err(DecryptError::Empty);
        };
        let mut block = last;
        self.cipher.decrypt_cbc(&mut block, &mut self.chain);
        // PKCS#7 (RFC 5652 §6.3): n bytes of value n, 1 <= n <= 16.
        let n = block.last().copied().unwrap_or(0);
        let data_len = BLOCK
            .checked_sub(usize::from(n))
            .filter(|_| n != 0)
            .ok_or(DecryptError::BadPadding)?;
        let (data, padding) = block.split_at(data_len);
        if padding.iter().any(|&b| b != n) {
            return Err(DecryptError::BadPadding);
        }
        out.extend_from_slice(data);
        Ok(())
    }

    /// Appends the plaintext of whole ciphertext blocks known not to be the body's last.
    fn release(&mut self, ciphertext: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(ciphertext);
        if let Some(fresh) = out.get_mut(start..) {
            self.cipher.decrypt_cbc(fresh, &mut self.chain);
        }
    }
}

/// A whole encrypted body at once (see [`CbcDecryptor`]).
pub fn decrypt_cbc(key: &[u8], iv: [u8; 16], data: &[u8]) -> Result<Vec<u8>, DecryptError> {
    let mut decryptor = CbcDecryptor::new(key, iv)?;
    let mut out = Vec::with_capacity(data.len());
    decryptor.push(data, &mut out);
    decryptor.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
