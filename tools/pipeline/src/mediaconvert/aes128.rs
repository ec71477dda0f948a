//! `EncryptionMethod: AES128` with a static key: every segment file encrypted whole, AES-128-CBC
//! with PKCS#7 padding (RFC 8216 section 5.2). The IV is the `ConstantInitializationVector` when the
//! manifest carries it, else the segment's media sequence number, big-endian, as a player derives
//! it. Done here rather than by ffmpeg's `-hls_key_info_file`: ffmpeg 5.1 encrypts every segment
//! with the first one's IV, which a player reading the EXCLUDE form's playlist cannot decrypt.
use std::path::Path;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockEncryptMut, KeyIvInit};

use super::settings::StaticKey;
use super::{io, JobError};

/// The IV of the segment with media sequence number `sequence`.
pub fn iv_for(key: &StaticKey, sequence: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    match key.iv_hex.as_deref().and_then(|h| hex::decode(h).ok()) {
        Some(v) if v.len() == 16 => iv.copy_from_slice(&v),
        _ => iv[8..].copy_from_slice(&sequence.to_be_bytes()),
    }
    iv
}

pub fn encrypt(bytes: &[u8], key: &StaticKey, sequence: u64) -> Result<Vec<u8>, JobError> {
    let k = hex::decode(&key.key_hex).map_err(|e| JobError::Io(format!("static key: {e}")))?;
    let iv = iv_for(key, sequence);
    let enc = cbc::Encryptor::<aes::Aes128>::new_from_slices(&k, &iv)
        .map_err(|e| JobError::Io(format!("static key: {e}")))?;
    Ok(enc.encrypt_padded_vec_mut::<Pkcs7>(bytes))
}

/// Writes `from` encrypted to `to` (and removes `from`); returns the encrypted size.
pub fn encrypt_file(
    from: &Path,
    to: &Path,
    key: &StaticKey,
    sequence: u64,
) -> Result<u64, JobError> {
    let clear = std::fs::read(from).map_err(|e| io(from, e))?;
    let sealed = encrypt(&clear, key, sequence)?;
    std::fs::write(to, &sealed).map_err(|e| io(to, e))?;
    let _ = std::fs::remove_file(from);
    Ok(sealed.len() as u64)
}
