//! `Decryptor` for JavaScript (cargo feature `bench-api` only): AES-CBC with PKCS#7 through the
//! core's [`CbcDecryptor`], whole or chunk by chunk, for the benchmark against WebCrypto
//! (`bench/decrypt.mjs`). The player itself decrypts inside the engine, not through this class.
use crate::crypto::{decrypt_cbc, CbcDecryptor};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Decryptor {
    key: Vec<u8>,
    iv: [u8; 16],
    progressive: CbcDecryptor,
}

fn iv(iv: &[u8]) -> Result<[u8; 16], JsError> {
    iv.try_into()
        .map_err(|_| JsError::new(&format!("IV is {} bytes, want 16", iv.len())))
}

#[wasm_bindgen]
impl Decryptor {
    /// `key`: 16 bytes (AES-128) or 32 (AES-256); `iv`: 16 bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(key: &[u8], iv_bytes: &[u8]) -> Result<Decryptor, JsError> {
        let iv = iv(iv_bytes)?;
        let progressive = CbcDecryptor::new(key, iv).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Decryptor {
            key: key.to_vec(),
            iv,
            progressive,
        })
    }

    /// A whole encrypted body; throws on bad padding or length.
    pub fn decrypt(&self, body: &[u8]) -> Result<Vec<u8>, JsError> {
        decrypt_cbc(&self.key, self.iv, body).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The next chunk of a body: returns the plaintext that is certain so far.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + 16);
        self.progressive.push(chunk, &mut out);
        out
    }

    /// End of the body: the last block without its padding. Ready for a new body afterwards.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsError> {
        let mut out = Vec::with_capacity(16);
        let done = self.progressive.finish(&mut out);
        self.progressive =
            CbcDecryptor::new(&self.key, self.iv).map_err(|e| JsError::new(&e.to_string()))?;
        done.map_err(|e| JsError::new(&e.to_string()))?;
        Ok(out)
    }
}
