//! SAMPLE-AES in MPEG-TS (RFC 8216 §5.2; Apple, "MPEG-2 Stream Encryption Format for HTTP Live
//! Streaming" §2): only parts of the samples are encrypted, so the stream still demuxes and only
//! the sample bytes need decrypting. Each protected block is AES-128-CBC without padding, the IV
//! reset to the key's IV at the start of every protected block.
//!
//! - H.264: NAL units of type 1 and 5. The NAL header byte and the 31 bytes after it are clear;
//!   then 16-byte blocks alternate as 1 encrypted, 9 clear (144 bytes) while more than 16 bytes
//!   remain; the last 1-16 bytes are clear. The pattern is laid over the NAL unit without its
//!   emulation prevention bytes: the packager encrypts the NAL unit, then escapes the result so
//!   the ciphertext cannot imitate a start code. Decryption undoes the escaping first. A NAL
//!   unit of 48 bytes or fewer has nothing encrypted.
//! - AAC in ADTS: per frame the header and the next 16 bytes are clear, then every complete
//!   16-byte block is encrypted; a trailing partial block is clear.
use super::aes::AesDecrypt;
use super::{SampleAesKey, BLOCK};

/// A slice NAL unit of this many bytes or fewer (as it is in the stream) has no encrypted block,
/// so packagers leave it exactly as it is, emulation prevention bytes included: it is neither
/// unescaped nor decrypted (what ffmpeg and hls.js do too).
pub const NAL_CLEAR_MAX: usize = 48;
/// Clear bytes at the start of an H.264 NAL unit: the header byte and 31 more.
const NAL_CLEAR_LEADER: usize = 32;
/// One encrypted block, then 9 clear ones.
const NAL_PATTERN_STRIDE: usize = 10 * BLOCK;
/// Clear bytes at the start of an AAC frame (after the ADTS header).
const AAC_CLEAR_LEADER: usize = 16;

/// A SAMPLE-AES key ready to decrypt samples (the key schedule computed once per key).
#[derive(Clone)]
pub struct SampleAes {
    cipher: AesDecrypt,
    key: SampleAesKey,
}

impl SampleAes {
    pub fn new(key: &SampleAesKey) -> Self {
        Self {
            cipher: AesDecrypt::new_128(&key.key),
            key: *key,
        }
    }

    /// Whether this decrypts with `key` (so a new segment with the same key keeps it).
    pub fn is_for(&self, key: &SampleAesKey) -> bool {
        self.key == *key
    }

    /// Decrypts an H.264 NAL unit of type 1 or 5 in place. `nal` is the NAL unit from its header
    /// byte on, with its emulation prevention bytes already removed (as the packager encrypted
    /// it); the caller escapes nothing afterwards: the decrypted bytes are the NAL unit as it was
    /// before encryption.
    pub fn decrypt_nal_unit(&self, nal: &mut [u8]) {
        let mut chain = self.key.iv;
        let mut at = NAL_CLEAR_LEADER;
        // "while more than 16 bytes remain": the last 1-16 bytes are always clear.
        while at + BLOCK < nal.len() {
            if let Some(block) = nal.get_mut(at..at + BLOCK) {
                self.cipher.decrypt_cbc(block, &mut chain);
            }
            at += NAL_PATTERN_STRIDE;
        }
    }

    /// Decrypts one AAC frame in place: `frame` is the raw frame after its ADTS header.
    pub fn decrypt_aac_frame(&self, frame: &mut [u8]) {
        let mut chain = self.key.iv;
        if let Some(protected) = frame.get_mut(AAC_CLEAR_LEADER..) {
            // Whole blocks only: the trailing partial block stays clear.
            self.cipher.decrypt_cbc(protected, &mut chain);
        }
    }
}

/// Redacted: key material never reaches logs.
impl std::fmt::Debug for SampleAes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SampleAes(key redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: SampleAesKey = SampleAesKey {
        key: [0x11; 16],
        iv: [0x22; 16],
    };

    /// Which bytes of a `len`-byte NAL unit the pattern touches.
    fn touched_nal(len: usize) -> Vec<usize> {
        let original: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut nal = original.clone();
        SampleAes::new(&KEY).decrypt_nal_unit(&mut nal);
        (0..len).filter(|&i| nal[i] != original[i]).collect()
    }

    #[test]
    fn nal_units_of_48_bytes_or_fewer_stay_clear() {
        for len in 0..=48 {
            assert!(touched_nal(len).is_empty(), "{len} bytes");
        }
        // 49 bytes: one block at 32..48, one clear byte after it.
        assert_eq!(touched_nal(49).first(), Some(&32));
        assert!(touched_nal(49).iter().all(|&i| (32..48).contains(&i)));
    }

    #[test]
    fn nal_pattern_is_one_block_in_ten_after_the_32_byte_leader() {
        let blocks: Vec<usize> = touched_nal(1000).iter().map(|i| i / 16).collect();
        let mut distinct = blocks.clone();
        distinct.dedup();
        // Blocks at 32, 192, 352, 512, 672, 832 (992 + 16 > 1000 leaves the tail clear).
        assert_eq!(distinct, [2, 12, 22, 32, 42, 52]);
        // A block is touched whole (a plaintext byte may equal the ciphertext byte by chance,
        // hence at least 14 of 16).
        assert!(distinct
            .iter()
            .all(|b| blocks.iter().filter(|x| *x == b).count() >= 14));
    }

    #[test]
    fn aac_frame_keeps_16_clear_bytes_and_a_partial_tail() {
        let original: Vec<u8> = (0..16 + 16 * 3 + 7).map(|i| i as u8).collect();
        let mut frame = original.clone();
        SampleAes::new(&KEY).decrypt_aac_frame(&mut frame);
        assert_eq!(frame[..16], original[..16]);
        assert_ne!(frame[16..64], original[16..64]);
        assert_eq!(frame[64..], original[64..]);
        let mut short = original[..31].to_vec();
        SampleAes::new(&KEY).decrypt_aac_frame(&mut short);
        assert_eq!(short, original[..31], "no complete block after the leader");
    }

    #[test]
    fn cbc_chains_across_the_blocks_of_one_nal_and_restarts_per_nal() {
        let aes = SampleAes::new(&KEY);
        let original = vec![0x5a; 400];
        let mut a = original.clone();
        aes.decrypt_nal_unit(&mut a);
        // Same ciphertext at 32 and 192: only the IV (first) vs the chained block (second)
        // differ, so the plaintexts differ.
        assert_ne!(a[32..48], a[192..208]);
        let mut b = original.clone();
        aes.decrypt_nal_unit(&mut b);
        assert_eq!(a, b, "IV reset: a second NAL unit decrypts the same way");
    }

    #[test]
    fn debug_does_not_show_the_key() {
        assert_eq!(
            format!("{:?}", SampleAes::new(&KEY)),
            "SampleAes(key redacted)"
        );
    }
}
