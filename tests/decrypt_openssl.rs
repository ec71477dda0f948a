//! AES-CBC decryption against openssl as the oracle: bodies encrypted by `openssl enc` (AES-128
//! and AES-256, PKCS#7 padding) decrypt to the original, whole and in random chunks; IVs from the
//! playlist (media sequence or `IV=`), key rotation, and every refusal. Without `openssl` on
//! PATH each test prints why it is skipped and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
                                                                              // common::aes_encrypt is the test-only encryptor the decrypt fuzz target uses, checked here
                                                                              // against openssl.
mod common;
use common::aes_encrypt;
use common::rng::Rng;
use common::ts_fixture;
use hlsplay::crypto::{decrypt_cbc, CbcDecryptor, DecryptError};
use hlsplay::playlist::{parse_media, KeyMethod, ParseOptions};
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn openssl_available(test: &str) -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("{test}: skipped, `openssl` is not on PATH (Debian: apt-get install openssl)");
    }
    ok
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `openssl enc -aes-{128,256}-cbc` with PKCS#7 padding (openssl's default).
fn openssl_encrypt(key: &[u8], iv: [u8; 16], plain: &[u8]) -> Vec<u8> {
    let cipher = format!("-aes-{}-cbc", key.len() * 8);
    let mut child = Command::new("openssl")
        .args(["enc", &cipher, "-K", &hex(key), "-iv", &hex(&iv)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = plain.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "openssl enc failed");
    out.stdout
}

/// Decrypts in random chunks (sizes 0 to `max`), checking that what `push` releases is always
/// a prefix of `expected`.
fn decrypt_chunked(
    key: &[u8],
    iv: [u8; 16],
    body: &[u8],
    rng: &mut Rng,
    max: usize,
    expected: &[u8],
) -> Vec<u8> {
    let mut d = CbcDecryptor::new(key, iv).unwrap();
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rng.below(max + 1).min(rest.len()));
        d.push(chunk, &mut out);
        assert_eq!(out, expected[..out.len()], "released plaintext is certain");
        rest = tail;
    }
    d.finish(&mut out).unwrap();
    out
}

#[test]
fn openssl_encrypted_bodies_of_many_lengths_decrypt_whole_and_in_random_chunks() {
    if !openssl_available("openssl_encrypted_bodies") {
        return;
    }
    let mut rng = Rng(0x5eed_0001);
    let lengths: Vec<usize> = (0..=48)
        .chain([63, 64, 65, 255, 1000, 4096, 65_537])
        .collect();
    for key_len in [16, 32] {
        for &len in &lengths {
            let (key, iv) = (rng.bytes(key_len), rng.bytes(16).try_into().unwrap());
            let plain = rng.bytes(len);
            let body = openssl_encrypt(&key, iv, &plain);
            assert_eq!(body.len(), (len / 16 + 1) * 16, "PKCS#7 adds 1 to 16 bytes");
            assert_eq!(
                decrypt_cbc(&key, iv, &body).unwrap(),
                plain,
                "AES-{} {len} bytes",
                key_len * 8
            );
            for max in [1, 7, 16, 33, 5000] {
                let chunked = decrypt_chunked(&key, iv, &body, &mut rng, max, &plain);
                assert_eq!(
                    chunked,
                    plain,
                    "AES-{} {len} bytes, chunks <= {max}",
                    key_len * 8
                );
            }
        }
    }
}

#[test]
fn iv_without_the_attribute_is_the_media_sequence_number_big_endian() {
    if !openssl_available("iv_from_media_sequence") {
        return;
    }
    let playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n\
        #EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\"\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n\
        #EXT-X-ENDLIST\n";
    let media = parse_media(
        playlist.as_bytes(),
        "https://cdn.example/v/index.m3u8",
        &ParseOptions::default(),
    )
    .unwrap();
    let ivs: Vec<[u8; 16]> = media.segments.iter().map(|s| s.aes_iv().unwrap()).collect();
    let mut seven = [0u8; 16];
    seven[15] = 7;
    let mut eight = [0u8; 16];
    eight[15] = 8;
    assert_eq!(ivs, [seven, eight]);
    // A segment openssl encrypted with IV 7 decrypts with the derived IV, and not with IV 8.
    let key = [0x42u8; 16];
    let ts = ts_fixture("main_bf2.ts");
    let body = openssl_encrypt(&key, seven, &ts);
    assert_eq!(decrypt_cbc(&key, ivs[0], &body).unwrap(), ts);
    let shifted = decrypt_cbc(&key, ivs[1], &body).unwrap();
    assert_ne!(
        shifted[..16],
        ts[..16],
        "a wrong IV garbles the first block"
    );
    assert_eq!(
        shifted[16..],
        ts[16..],
        "CBC: only the first block depends on the IV"
    );
}

#[test]
fn key_rotation_gives_each_segment_its_own_key_and_iv() {
    if !openssl_available("key_rotation") {
        return;
    }
    let playlist =
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:100\n\
        #EXT-X-KEY:METHOD=AES-128,URI=\"k1.bin\"\n#EXTINF:2,\nrun_0.ts\n\
        #EXT-X-KEY:METHOD=AES-128,URI=\"k2.bin\",IV=0x000102030405060708090a0b0c0d0e0f\n\
        #EXTINF:2,\nrun_1.ts\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\nrun_2.ts\n#EXT-X-ENDLIST\n";
    let media = parse_media(
        playlist.as_bytes(),
        "https://cdn.example/v/index.m3u8",
        &ParseOptions::default(),
    )
    .unwrap();
    let keys = |uri: &str| -> [u8; 16] {
        match uri.rsplit('/').next().unwrap() {
            "k1.bin" => [0x11; 16],
            "k2.bin" => [0x22; 16],
            other => panic!("unexpected key URI {other}"),
        }
    };
    let s = &media.segments;
    assert_eq!(s[0].key.as_ref().unwrap().method, KeyMethod::Aes128);
    assert_eq!(
        s[0].key.as_ref().unwrap().uri,
        "https://cdn.example/v/k1.bin"
    );
    assert_eq!(
        s[1].key.as_ref().unwrap().uri,
        "https://cdn.example/v/k2.bin"
    );
    assert!(s[2].key.is_none(), "METHOD=NONE clears");
    let mut hundred = [0u8; 16];
    hundred[15] = 100;
    assert_eq!(s[0].aes_iv(), Some(hundred));
    let explicit: [u8; 16] = std::array::from_fn(|i| i as u8);
    assert_eq!(s[1].aes_iv(), Some(explicit));
    assert_eq!(s[2].aes_iv(), None);

    // Encrypt the run as the packager would, then decrypt each segment with what the playlist
    // says and transmux the three: the output is the clear run's.
    let mut clear_mux = Transmuxer::new(OutputShape::Combined);
    let mut enc_mux = Transmuxer::new(OutputShape::Combined);
    for seg in s {
        let clear = ts_fixture(seg.uri.rsplit('/').next().unwrap());
        let body = match (&seg.key, seg.aes_iv()) {
            (Some(k), Some(iv)) => openssl_encrypt(&keys(&k.uri), iv, &clear),
            _ => clear.clone(),
        };
        let decrypted = match (&seg.key, seg.aes_iv()) {
            (Some(k), Some(iv)) => {
                assert_ne!(body, clear);
                decrypt_cbc(&keys(&k.uri), iv, &body).unwrap()
            }
            _ => body,
        };
        assert_eq!(decrypted, clear, "{}", seg.uri);
        let info = SegmentInfo {
            start: seg.start,
            ..SegmentInfo::default()
        };
        assert_eq!(
            enc_mux.push(&decrypted, &info).unwrap(),
            clear_mux.push(&clear, &info).unwrap()
        );
    }
    // The other segment's key does not open it.
    let body0 = openssl_encrypt(&[0x11; 16], hundred, &ts_fixture("run_0.ts"));
    assert_eq!(
        decrypt_cbc(&[0x22; 16], hundred, &body0),
        Err(DecryptError::BadPadding)
    );
}

/// How many 188-byte packet starts hold the sync byte 0x47.
fn sync_bytes(ts: &[u8]) -> usize {
    ts.iter().step_by(188).filter(|&&b| b == 0x47).count()
}

#[test]
fn wrong_key_is_bad_padding_or_garbage_that_does_not_demux() {
    if !openssl_available("wrong_key") {
        return;
    }
    let ts = ts_fixture("main_bf2.ts");
    let key = [0x42u8; 16];
    let iv = [9u8; 16];
    let body = openssl_encrypt(&key, iv, &ts);
    // This key is known to fail the padding check on this body (deterministic: fixed data).
    assert_eq!(
        decrypt_cbc(&[0x43; 16], iv, &body),
        Err(DecryptError::BadPadding)
    );
    // Any wrong key: about 1 in 256 pass the padding check by chance (last byte 0x01); what
    // they produce is noise, which has no TS sync bytes and does not demux.
    let (mut bad_padding, mut garbage) = (0, 0);
    for k in 0..=255u8 {
        let mut wrong = key;
        wrong[0] ^= k.wrapping_add(1) | 1;
        wrong[15] = k;
        // CBC: the last plaintext block depends only on the last two ciphertext blocks, so
        // the padding verdict costs one block; only keys that pass decrypt the whole body.
        let (prev, last) = body[body.len() - 32..].split_at(16);
        match decrypt_cbc(&wrong, prev.try_into().unwrap(), last) {
            Err(DecryptError::BadPadding) => bad_padding += 1,
            Ok(_) => {
                let noise = decrypt_cbc(&wrong, iv, &body).unwrap();
                garbage += 1;
                assert!(
                    sync_bytes(&noise) < sync_bytes(&ts) / 20,
                    "key {k}: no sync pattern"
                );
                let mut mux = Transmuxer::new(OutputShape::Combined);
                assert!(
                    mux.push(&noise, &SegmentInfo::default()).is_err(),
                    "key {k}: noise does not demux"
                );
            }
            Err(other) => panic!("key {k}: {other}"),
        }
    }
    println!("256 wrong keys: {bad_padding} bad padding, {garbage} passed padding as noise");
    assert!(
        bad_padding >= 240,
        "{bad_padding} of 256 wrong keys failed the padding check"
    );
}

#[test]
fn truncated_body_is_not_block_aligned_and_bad_key_lengths_are_refused() {
    if !openssl_available("truncated_body") {
        return;
    }
    let ts = ts_fixture("run_0.ts");
    let body = openssl_encrypt(&[7; 32], [1; 16], &ts);
    let cut = &body[..body.len() - 1];
    let err = decrypt_cbc(&[7; 32], [1; 16], cut).unwrap_err();
    assert_eq!(
        err,
        DecryptError::NotBlockAligned {
            len: cut.len() as u64
        }
    );
    assert!(err.to_string().contains("not a multiple of 16"), "{err}");
    for len in [15, 17] {
        let err = decrypt_cbc(&vec![7; len], [1; 16], &body).unwrap_err();
        assert_eq!(err, DecryptError::KeyLength { len });
        assert_eq!(
            err.to_string(),
            format!("malformed: key is {len} bytes, want 16 (AES-128) or 32 (AES-256)")
        );
    }
    // The key is for AES-256: as AES-128 (its first half) it does not decrypt.
    assert_eq!(
        decrypt_cbc(&[7; 16], [1; 16], &body),
        Err(DecryptError::BadPadding)
    );
}

#[test]
fn peer_segments_decrypt_to_the_original() {
    if !openssl_available("peer_segments") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer-data/ts");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("peer_segments: skipped, {} is absent", dir.display());
        return;
    };
    let mut rng = Rng(0x5eed_0002);
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut count = 0;
    for path in paths {
        // The small ones: debug-build AES is slow, and size adds nothing here.
        let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= 200_000);
        if path.extension().map_or(true, |e| e != "ts") || !small {
            continue;
        }
        let ts = std::fs::read(&path).unwrap();
        let (key, iv) = (rng.bytes(16), rng.bytes(16).try_into().unwrap());
        let body = openssl_encrypt(&key, iv, &ts);
        let chunked = decrypt_chunked(&key, iv, &body, &mut rng, 64 * 1024, &ts);
        assert_eq!(chunked, ts, "{}", path.display());
        count += 1;
    }
    println!("peer_segments: {count} segments");
    assert!(count > 0, "no .ts file in {}", dir.display());
}

#[test]
fn the_fuzz_targets_test_encryptor_agrees_with_openssl() {
    if !openssl_available("test_encryptor") {
        return;
    }
    let mut rng = Rng(0x5eed_0003);
    for len in [0, 1, 15, 16, 17, 1000] {
        let (key, iv): ([u8; 16], [u8; 16]) = (
            rng.bytes(16).try_into().unwrap(),
            rng.bytes(16).try_into().unwrap(),
        );
        let plain = rng.bytes(len);
        assert_eq!(
            aes_encrypt::cbc_pkcs7(&aes_encrypt::Aes128::new(&key), &iv, &plain),
            openssl_encrypt(&key, iv, &plain),
            "{len} bytes"
        );
    }
}
