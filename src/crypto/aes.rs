//! The AES inverse cipher (FIPS-197 §5.3) for 128- and 256-bit keys, in the "equivalent
//! inverse cipher" form (§5.3.5): one 1 KB table that merges InvSubBytes with InvMixColumns,
//! so a round is 16 lookups and XORs. The tables are computed from the field arithmetic at
//! first use rather than typed in.
//!
//! Not constant-time (table lookups depend on the data): the key of an HLS stream is delivered
//! to the client in the clear anyway, so a cache-timing attack has nothing to find.
use std::sync::OnceLock;

/// Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (§4.2.1).
const fn xtime(b: u8) -> u8 {
    (b << 1) ^ (0x1b * (b >> 7))
}

const fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    product
}

/// The multiplicative inverse is b^254 (the group has 255 elements); 0 maps to 0 (§5.1.1).
const fn inverse(b: u8) -> u8 {
    let (mut result, mut base, mut exp) = (1u8, b, 254u8);
    while exp != 0 {
        if exp & 1 != 0 {
            result = gmul(result, base);
        }
        base = gmul(base, base);
        exp >>= 1;
    }
    result
}

/// SubBytes of one byte (§5.1.1): the inverse, then the affine transformation. Only the key
/// expansion needs it, a few hundred times per key, so it is computed rather than tabled.
const fn sbox(b: u8) -> u8 {
    let b = inverse(b);
    b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63
}

/// The decryption tables, built once at first use rather than stored in the binary: 1.25 KB of
/// random-looking bytes would cost as much in the gzipped package.
struct Tables {
    inv_sbox: [u8; 256],
    /// InvSubBytes then InvMixColumns of a byte in row 0: the column (0e·s, 09·s, 0d·s, 0b·s)
    /// with s = InvSBox[b]. Rows 1-3 are the same column rotated down: the word rotated right.
    inv_t: [u32; 256],
}

impl Tables {
    fn build() -> Self {
        let mut inv_sbox = [0u8; 256];
        for b in 0..=255u8 {
            if let Some(slot) = inv_sbox.get_mut(usize::from(sbox(b))) {
                *slot = b;
            }
        }
        let inv_t = inv_sbox.map(|s| {
            u32::from_be_bytes([gmul(s, 0x0e), gmul(s, 0x09), gmul(s, 0x0d), gmul(s, 0x0b)])
        });
        Self { inv_sbox, inv_t }
    }

    #[inline(always)]
    fn inv_sbox(&self, b: u32) -> u8 {
        self.inv_sbox.get((b & 0xff) as usize).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn inv_t(&self, b: u32) -> u32 {
        self.inv_t.get((b & 0xff) as usize).copied().unwrap_or(0)
    }

    /// One column of an inner round: rows 0-3 taken from columns a, b, c, d. Inlined by force,
    /// like the lookups: the package is built for size (opt-level z), which otherwise leaves
    /// them as calls and decrypts several times slower.
    #[inline(always)]
    fn round_column(&self, a: u32, b: u32, c: u32, d: u32, key: u32) -> u32 {
        self.inv_t(a >> 24)
            ^ self.inv_t(b >> 16).rotate_right(8)
            ^ self.inv_t(c >> 8).rotate_right(16)
            ^ self.inv_t(d).rotate_right(24)
            ^ key
    }

    /// One column of the last round (no InvMixColumns).
    #[inline(always)]
    fn last_column(&self, a: u32, b: u32, c: u32, d: u32, key: u32) -> u32 {
        let bytes = [
            self.inv_sbox(a >> 24),
            self.inv_sbox(b >> 16),
            self.inv_sbox(c >> 8),
            self.inv_sbox(d),
        ];
        u32::from_be_bytes(bytes) ^ key
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

/// SubWord of the key expansion (§5.2).
fn sub_word(w: u32) -> u32 {
    u32::from_be_bytes(w.to_be_bytes().map(sbox))
}

/// InvMixColumns of one column (§5.3.3): row r is 0e·a(r) + 0b·a(r+1) + 0d·a(r+2) + 09·a(r+3).
fn inv_mix_column(w: u32) -> u32 {
    let [a0, a1, a2, a3] = w.to_be_bytes();
    let row =
        |a: u8, b: u8, c: u8, d: u8| gmul(a, 0x0e) ^ gmul(b, 0x0b) ^ gmul(c, 0x0d) ^ gmul(d, 0x09);
    u32::from_be_bytes([
        row(a0, a1, a2, a3),
        row(a1, a2, a3, a0),
        row(a2, a3, a0, a1),
        row(a3, a0, a1, a2),
    ])
}

/// An expanded AES-128 or AES-256 key, ready to decrypt blocks.
#[derive(Clone)]
pub(crate) struct AesDecrypt {
    /// Round keys in decryption order; the inner ones with InvMixColumns applied (§5.3.5).
    round_keys: Vec<[u32; 4]>,
}

impl AesDecrypt {
    /// `None` unless the key is 16 or 32 bytes.
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        (key.len() == 16 || key.len() == 32).then(|| Self::expand(key))
    }

    pub(crate) fn new_128(key: &[u8; 16]) -> Self {
        Self::expand(key)
    }

    /// KeyExpansion (§5.2) for a key of 16 or 32 bytes.
    fn expand(key: &[u8]) -> Self {
        let nk = key.len() / 4;
        let rounds = nk + 6;
        // 4 words per round key, rounds + 1 round keys.
        // Loops, not `map` + `collect`: each collect is a copy of std's code in the package.
        let mut w: Vec<u32> = Vec::with_capacity(4 * (rounds + 1));
        for c in key.chunks_exact(4) {
            w.push(c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)));
        }
        let mut rcon = 1u8;
        for i in nk..4 * (rounds + 1) {
            let mut temp = w.last().copied().unwrap_or(0);
            if i % nk == 0 {
                temp = sub_word(temp.rotate_left(8)) ^ (u32::from(rcon) << 24);
                rcon = xtime(rcon);
            } else if nk > 6 && i % nk == 4 {
                temp = sub_word(temp);
            }
            let back = w.get(i - nk).copied().unwrap_or(0);
            w.push(back ^ temp);
        }
        let mut round_keys: Vec<[u32; 4]> = Vec::with_capacity(rounds + 1);
        for c in w.chunks_exact(4).rev() {
            round_keys.push([0, 1, 2, 3].map(|j| c.get(j).copied().unwrap_or(0)));
        }
        let inner = round_keys.len().saturating_sub(1);
        for key in round_keys.iter_mut().take(inner).skip(1) {
            *key = key.map(inv_mix_column);
        }
        Self { round_keys }
    }

    /// Number of rounds: 10 for AES-128, 14 for AES-256.
    #[cfg(test)]
    fn rounds(&self) -> usize {
        self.round_keys.len() - 1
    }

    /// CBC decryption (NIST SP 800-38A §6.2) in place of the whole blocks of `data` (a trailing
    /// partial block is left alone), chained from `chain`, which ends as the last ciphertext
    /// block. The one entry point, so the inlined cipher exists once in the binary and a whole
    /// run of blocks decrypts without a call per block.
    pub(crate) fn decrypt_cbc(&self, data: &mut [u8], chain: &mut [u8; 16]) {
        let t = tables();
        for block in data.chunks_exact_mut(16) {
            let Ok(block) = <&mut [u8; 16]>::try_from(block) else {
                continue;
            };
            // Whole-block integer operations: iterator adapters over bytes are left as calls
            // in the size-optimised package, one per byte.
            let ciphertext = u128::from_be_bytes(*block);
            let plain = self.decrypt_block(t, ciphertext) ^ u128::from_be_bytes(*chain);
            *block = plain.to_be_bytes();
            *chain = ciphertext.to_be_bytes();
        }
    }

    /// The inverse cipher on one block (as a big-endian integer: column 0 in the top bits).
    #[inline(always)]
    fn decrypt_block(&self, t: &Tables, block: u128) -> u128 {
        let Some((last, rest)) = self.round_keys.split_last() else {
            return block;
        };
        let Some((first, middle)) = rest.split_first() else {
            return block;
        };
        let column = |c: u32| (block >> (96 - 32 * c)) as u32;
        let mut s = [
            column(0) ^ first[0],
            column(1) ^ first[1],
            column(2) ^ first[2],
            column(3) ^ first[3],
        ];
        // InvShiftRows moves row r of column c to column c + r: output column c gathers row r
        // from column c - r, hence the (c, c-1, c-2, c-3) pattern below.
        for k in middle {
            let [s0, s1, s2, s3] = s;
            s = [
                t.round_column(s0, s3, s2, s1, k[0]),
                t.round_column(s1, s0, s3, s2, k[1]),
                t.round_column(s2, s1, s0, s3, k[2]),
                t.round_column(s3, s2, s1, s0, k[3]),
            ];
        }
        let [s0, s1, s2, s3] = s;
        (u128::from(t.last_column(s0, s3, s2, s1, last[0])) << 96)
            | (u128::from(t.last_column(s1, s0, s3, s2, last[1])) << 64)
            | (u128::from(t.last_column(s2, s1, s0, s3, last[2])) << 32)
            | u128::from(t.last_column(s3, s2, s1, s0, last[3]))
    }
}

/// Redacted: key material never reaches logs.
impl std::fmt::Debug for AesDecrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "AesDecrypt(AES-{}, key redacted)",
            self.round_keys.len().saturating_sub(7) * 32
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn sbox_matches_the_published_corners() {
        // FIPS-197 Figure 7 and Figure 14.
        assert_eq!([0x00, 0x01, 0x53, 0xff].map(sbox), [0x63, 0x7c, 0xed, 0x16]);
        let t = tables();
        assert_eq!((t.inv_sbox[0x00], t.inv_sbox[0x63]), (0x52, 0x00));
    }

    #[test]
    fn fips197_appendix_c_aes128_and_aes256_decrypt() {
        let plain = hex("00112233445566778899aabbccddeeff");
        for (key, cipher, rounds) in [
            (
                "000102030405060708090a0b0c0d0e0f",
                "69c4e0d86a7b0430d8cdb78070b4c55a",
                10,
            ),
            (
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "8ea2b7ca516745bfeafc49904b496089",
                14,
            ),
        ] {
            let aes = AesDecrypt::new(&hex(key)).unwrap();
            assert_eq!(aes.rounds(), rounds);
            let block = u128::from_be_bytes(hex(cipher).try_into().unwrap());
            let block = aes.decrypt_block(tables(), block);
            assert_eq!(block.to_be_bytes().to_vec(), plain, "key {key}");
        }
    }

    #[test]
    fn keys_of_other_lengths_are_refused() {
        for len in [0, 15, 17, 24, 31, 33] {
            assert!(AesDecrypt::new(&vec![0; len]).is_none(), "{len} bytes");
        }
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let aes = AesDecrypt::new(&[0xab; 16]).unwrap();
        let shown = format!("{aes:?}");
        assert_eq!(shown, "AesDecrypt(AES-128, key redacted)");
    }
}
