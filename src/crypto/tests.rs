use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// xorshift64*: reproducible random bytes and split points without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// NIST SP 800-38A F.2.2 (CBC-AES128.Decrypt) and F.2.6 (CBC-AES256.Decrypt).
const SP800_38A: [(&str, &str); 2] = [
    (
        "2b7e151628aed2a6abf7158809cf4f3c",
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2\
         73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
    ),
    (
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d\
         39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
    ),
];
const SP800_38A_PLAIN: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51\
                               30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

fn iv() -> [u8; 16] {
    hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap()
}

#[test]
fn sp800_38a_vectors_release_all_but_the_held_last_block() {
    let plain = hex(SP800_38A_PLAIN);
    for (key, cipher) in SP800_38A {
        let mut d = CbcDecryptor::new(&hex(key), iv()).unwrap();
        let mut out = Vec::new();
        d.push(&hex(cipher), &mut out);
        assert_eq!(
            out,
            plain[..48],
            "key {key}: three blocks out, the fourth held"
        );
        // The vector has no padding: its last plaintext byte (0x10) claims 16 bytes of padding
        // that are not all 0x10.
        assert_eq!(d.finish(&mut out), Err(DecryptError::BadPadding));
        assert_eq!(out.len(), 48, "nothing appended on error");
    }
}

#[test]
fn held_block_is_released_only_when_the_next_one_is_complete() {
    let (key, cipher) = SP800_38A[0];
    let cipher = hex(cipher);
    let mut d = CbcDecryptor::new(&hex(key), iv()).unwrap();
    let mut out = Vec::new();
    d.push(&cipher[..16], &mut out);
    assert!(out.is_empty(), "first block held");
    d.push(&cipher[16..31], &mut out);
    assert!(
        out.is_empty(),
        "second block incomplete: the first is still the last seen"
    );
    d.push(&cipher[31..32], &mut out);
    assert_eq!(out, hex(SP800_38A_PLAIN)[..16]);
}

/// A random body whose last block decrypts to valid padding: the core has no encryptor, so
/// last blocks are drawn until one does (about 1 in 256).
fn body_with_valid_padding(rng: &mut Rng, key: &[u8], blocks: usize) -> Vec<u8> {
    let mut body = rng.bytes(16 * blocks);
    loop {
        if decrypt_cbc(key, [7; 16], &body).is_ok() {
            return body;
        }
        let last = body.len() - 16;
        body[last..].copy_from_slice(&rng.bytes(16));
    }
}

#[test]
fn any_split_gives_the_bytes_of_the_whole_body() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for key_len in [16, 32] {
        let key = rng.bytes(key_len);
        for blocks in [1, 2, 3, 17, 100] {
            let body = body_with_valid_padding(&mut rng, &key, blocks);
            let whole = decrypt_cbc(&key, [7; 16], &body).unwrap();
            assert!(whole.len() >= body.len() - 16 && whole.len() < body.len());
            for _ in 0..50 {
                let mut d = CbcDecryptor::new(&key, [7; 16]).unwrap();
                let mut out = Vec::new();
                let mut rest = &body[..];
                while !rest.is_empty() {
                    let n = rng.below(rest.len().min(40) + 1);
                    let (chunk, tail) = rest.split_at(n);
                    d.push(chunk, &mut out);
                    // Released plaintext is always a prefix of the whole result.
                    assert_eq!(out, whole[..out.len()]);
                    rest = tail;
                }
                d.finish(&mut out).unwrap();
                assert_eq!(out, whole, "AES-{} {blocks} blocks", key_len * 8);
            }
        }
    }
}

#[test]
fn errors_name_the_length() {
    assert_eq!(
        CbcDecryptor::new(&[0; 7], [0; 16]).unwrap_err().to_string(),
        "malformed: key is 7 bytes, want 16 (AES-128) or 32 (AES-256)"
    );
    for len in [15, 17, 24] {
        assert_eq!(
            decrypt_cbc(&vec![0; len], [0; 16], &[0; 32]),
            Err(DecryptError::KeyLength { len })
        );
    }
    let err = decrypt_cbc(&[0; 16], [0; 16], &[0; 1001]).unwrap_err();
    assert_eq!(err, DecryptError::NotBlockAligned { len: 1001 });
    assert_eq!(
        err.to_string(),
        "malformed: encrypted body is 1001 bytes, not a multiple of 16"
    );
    assert_eq!(
        decrypt_cbc(&[0; 16], [0; 16], &[]),
        Err(DecryptError::Empty)
    );
    assert_eq!(
        DecryptError::BadPadding.to_string(),
        "malformed: bad PKCS#7 padding (wrong key?)"
    );
    assert_eq!(
        DecryptError::BadPadding.category(),
        ErrorCategory::Malformed
    );
}

#[test]
fn body_not_aligned_is_refused_even_when_pushed_in_aligned_looking_chunks() {
    let mut d = CbcDecryptor::new(&[1; 16], [0; 16]).unwrap();
    let mut out = Vec::new();
    d.push(&[0; 32], &mut out);
    d.push(&[0; 5], &mut out);
    assert_eq!(
        d.finish(&mut out),
        Err(DecryptError::NotBlockAligned { len: 37 })
    );
}

#[test]
fn debug_output_never_shows_key_bytes() {
    let key = [0xa7u8; 16];
    let iv = [0x11u8; 16];
    let shown = [
        format!("{:?}", SampleAesKey { key, iv }),
        format!("{:?}", CbcDecryptor::new(&key, iv).unwrap()),
        format!(
            "{:?}",
            crate::remux::SegmentInfo {
                sample_aes: Some(SampleAesKey { key, iv }),
                ..Default::default()
            }
        ),
    ];
    for text in shown {
        assert!(!text.contains("167"), "key bytes in {text}");
        assert!(
            !text.to_ascii_lowercase().contains("a7a7"),
            "key bytes in {text}"
        );
    }
}
