//! Decrypt + demux: `cargo +nightly fuzz run decrypt`. The first byte picks the path and the
//! chunk size; the rest is a clear segment.
//! - AES-128 (even flags): the segment is encrypted here (PKCS#7, fixed key and IV), then
//!   decrypted in chunks as a body arriving over the network would be, and every piece of
//!   plaintext the decryptor releases goes straight to the transmuxer, as the engine does with
//!   a progressive encrypted segment. The plaintext must come back exactly.
//! - SAMPLE-AES (odd flags): the segment is transmuxed with a key, so every slice NAL unit and
//!   ADTS frame the demuxer finds is decrypted in place.
//!
//! Any panic is a bug; every crash found becomes a named regression test.
#![no_main]
use hlsplay::crypto::{CbcDecryptor, SampleAesKey};
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../../tests/common/aes_encrypt.rs"]
#[allow(dead_code)]
mod aes_encrypt;

const KEY: [u8; 16] = *b"fuzz-fixed-key-!";
const IV: [u8; 16] = [7; 16];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, segment)) = data.split_first() else {
        return;
    };
    let mut mux = Transmuxer::new(OutputShape::Combined);
    if flags & 1 == 1 {
        let info = SegmentInfo {
            sample_aes: Some(SampleAesKey { key: KEY, iv: IV }),
            ..SegmentInfo::default()
        };
        let _ = mux.push(segment, &info);
        return;
    }
    // The encryptor's tables take a while to build: once per process.
    static AES: OnceLock<aes_encrypt::Aes128> = OnceLock::new();
    let aes = AES.get_or_init(|| aes_encrypt::Aes128::new(&KEY));
    let body = aes_encrypt::cbc_pkcs7(aes, &IV, segment);
    let chunk = usize::from(flags >> 1) * 97 + 1;
    let Ok(mut decryptor) = CbcDecryptor::new(&KEY, IV) else {
        return;
    };
    let info = SegmentInfo::default();
    let mut plain = Vec::with_capacity(body.len());
    let mut demuxing = true;
    for piece in body.chunks(chunk) {
        let from = plain.len();
        decryptor.push(piece, &mut plain);
        if demuxing && mux.push_chunk(&plain[from..], &info).is_err() {
            mux.abort_segment();
            demuxing = false;
        }
    }
    let from = plain.len();
    assert!(
        decryptor.finish(&mut plain).is_ok(),
        "valid padding refused"
    );
    assert_eq!(
        plain, segment,
        "decrypted in chunks of {chunk}: not the clear segment"
    );
    if demuxing && mux.push_chunk(&plain[from..], &info).is_ok() {
        let _ = mux.finish_segment(&info);
    }
});
