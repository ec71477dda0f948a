//! Test-only AES-128 encryption (the player only decrypts): a plain byte-wise forward cipher
//! (FIPS-197 §5.1), checked against FIPS-197 Appendix C.1 in `tests/sample_aes.rs`, for the
//! SAMPLE-AES test packager and the decrypt fuzz target (which includes this file by path).

fn xtime(b: u8) -> u8 {
    (b << 1) ^ (0x1b * (b >> 7))
}

fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    p
}

fn sbox(b: u8) -> u8 {
    // Inverse as b^254, then the affine map.
    let mut inv = 1u8;
    for _ in 0..254 {
        inv = gmul(inv, b);
    }
    inv ^ inv.rotate_left(1) ^ inv.rotate_left(2) ^ inv.rotate_left(3) ^ inv.rotate_left(4) ^ 0x63
}

/// AES-128 encryption of single blocks.
pub struct Aes128 {
    sbox: [u8; 256],
    round_keys: [[u8; 16]; 11],
}

impl Aes128 {
    pub fn new(key: &[u8; 16]) -> Self {
        let sbox: [u8; 256] = std::array::from_fn(|i| sbox(i as u8));
        let mut w: Vec<[u8; 4]> = key.chunks(4).map(|c| c.try_into().unwrap()).collect();
        let mut rcon = 1u8;
        for i in 4..44 {
            let mut t = w[i - 1];
            if i % 4 == 0 {
                t = [t[1], t[2], t[3], t[0]].map(|b| sbox[b as usize]);
                t[0] ^= rcon;
                rcon = xtime(rcon);
            }
            let prev = w[i - 4];
            w.push(std::array::from_fn(|j| prev[j] ^ t[j]));
        }
        let round_keys = std::array::from_fn(|r| std::array::from_fn(|i| w[4 * r + i / 4][i % 4]));
        Self { sbox, round_keys }
    }

    pub fn encrypt_block(&self, block: &mut [u8; 16]) {
        let add = |s: &mut [u8; 16], k: &[u8; 16]| s.iter_mut().zip(k).for_each(|(a, b)| *a ^= b);
        add(block, &self.round_keys[0]);
        for round in 1..=10 {
            // SubBytes and ShiftRows: byte (row r, column c) comes from column c + r.
            let s = *block;
            for c in 0..4 {
                for r in 0..4 {
                    block[4 * c + r] = self.sbox[s[4 * ((c + r) % 4) + r] as usize];
                }
            }
            if round < 10 {
                for col in block.chunks_mut(4) {
                    let a = [col[0], col[1], col[2], col[3]];
                    for r in 0..4 {
                        col[r] = gmul(a[r], 2)
                            ^ gmul(a[(r + 1) % 4], 3)
                            ^ a[(r + 2) % 4]
                            ^ a[(r + 3) % 4];
                    }
                }
            }
            add(block, &self.round_keys[round]);
        }
    }
}

/// CBC encryption in place of the 16-byte blocks at `offsets` of `data`, chained from `iv`.
pub fn cbc_blocks(
    aes: &Aes128,
    iv: &[u8; 16],
    data: &mut [u8],
    offsets: impl Iterator<Item = usize>,
) {
    let mut chain = *iv;
    for at in offsets {
        let block: &mut [u8; 16] = (&mut data[at..at + 16]).try_into().unwrap();
        block.iter_mut().zip(chain).for_each(|(b, c)| *b ^= c);
        aes.encrypt_block(block);
        chain = *block;
    }
}

/// AES-128-CBC with PKCS#7 padding, as `openssl enc -aes-128-cbc` writes a segment.
pub fn cbc_pkcs7(aes: &Aes128, iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
    let pad = 16 - plain.len() % 16;
    let mut data = plain.to_vec();
    data.extend(std::iter::repeat(pad as u8).take(pad));
    let blocks = data.len() / 16;
    cbc_blocks(aes, iv, &mut data, (0..blocks).map(|b| 16 * b));
    data
}
