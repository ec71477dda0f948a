//! SAMPLE-AES in MPEG-TS: real clear segments encrypted by a test packager
//! (`common::sample_aes`, Apple's sample encryption layout) transmux with the key to exactly the
//! bytes the clear segment gives; without the key they do not. ffmpeg's HLS demuxer, which
//! decrypts SAMPLE-AES itself, is a second oracle for the packager.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: panics are failures
mod common;
use common::ts_fixture as fixture;

use common::aes_encrypt::Aes128;
use common::sample_aes::{encrypt_nal_unit, encrypt_ts, escape, repack_ts, try_encrypt_ts};
use hlsplay::crypto::sample_aes::NAL_CLEAR_MAX;
use hlsplay::crypto::{SampleAes, SampleAesKey};
use hlsplay::remux::{OutputShape, RemuxOutput, SegmentInfo, Transmuxer};
use hlsplay::ts::bits::unescape_rbsp;
use hlsplay::ts::h264::H264Es;
use hlsplay::ts::Warnings;
use std::path::{Path, PathBuf};
use std::process::Command;

const KEY: SampleAesKey = SampleAesKey {
    key: *b"hlsplay-test-key",
    iv: *b"0123456789abcdef",
};

fn info(key: Option<SampleAesKey>) -> SegmentInfo {
    SegmentInfo {
        sample_aes: key,
        ..SegmentInfo::default()
    }
}

fn transmux(ts: &[u8], key: Option<SampleAesKey>) -> RemuxOutput {
    Transmuxer::new(OutputShape::SplitTracks)
        .push(ts, &info(key))
        .unwrap()
}

/// The fMP4 bytes of every track (init + fragment).
fn bytes(out: &RemuxOutput) -> Vec<(Option<Vec<u8>>, Vec<u8>)> {
    out.tracks
        .iter()
        .map(|t| (t.init.clone(), t.data.clone()))
        .collect()
}

#[test]
fn forward_cipher_of_the_test_packager_matches_fips197_appendix_c1() {
    let key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let mut block: [u8; 16] = std::array::from_fn(|i| (i as u8) * 0x11);
    Aes128::new(&key).encrypt_block(&mut block);
    let expected = [
        0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5,
        0x5a,
    ];
    assert_eq!(block, expected);
}

#[test]
fn escaping_breaks_every_start_code_imitation_and_unescaping_undoes_it() {
    let nal = [0, 0, 1, 0, 0, 0, 0, 0, 3];
    let escaped = escape(&nal);
    assert_eq!(escaped, [0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 0, 3]);
    let mut back = Vec::new();
    unescape_rbsp(&escaped, &mut back);
    assert_eq!(back, nal);
}

/// `H264Es`'s rule: a slice NAL unit longer than 48 bytes is unescaped, then decrypted.
fn decrypt_as_the_demuxer_does(nal: &[u8]) -> Vec<u8> {
    if nal.len() <= NAL_CLEAR_MAX {
        return nal.to_vec();
    }
    let mut clear = Vec::new();
    unescape_rbsp(nal, &mut clear);
    SampleAes::new(&KEY).decrypt_nal_unit(&mut clear);
    clear
}

#[test]
fn one_nal_unit_encrypted_then_escaped_decrypts_to_itself() {
    // Zeros everywhere: the ciphertext is noise, the clear leader and tail keep their runs of
    // zeros, which escaping must protect and unescaping give back.
    for len in [1, 48, 49, 64, 193, 208, 209, 1000, 5000] {
        let mut nal = vec![0u8; len];
        nal[0] = 0x65;
        let (encrypted, blocks) = encrypt_nal_unit(&Aes128::new(&KEY.key), &KEY.iv, &nal);
        // Blocks at 32, 192, 352, … while more than 16 bytes follow the block's start.
        let expected = if len > 48 { (len - 49) / 160 + 1 } else { 0 };
        assert_eq!(blocks, expected, "{len} bytes");
        let clear = decrypt_as_the_demuxer_does(&encrypted);
        assert_eq!(clear, nal, "{len} bytes");
    }
}

#[test]
fn sample_aes_segments_transmux_to_the_bytes_of_the_clear_segments() {
    for name in [
        "main_bf2.ts",
        "high_bf2.ts",
        "nobf_aac44_mono.ts",
        "video_only.ts",
        "audio_only.ts",
    ] {
        let clear = fixture(name);
        let enc = encrypt_ts(&KEY.key, &KEY.iv, &clear);
        assert!(enc.encrypted_blocks > 100, "{name}: {enc:?}");
        let expected = transmux(&clear, None);
        let got = transmux(&enc.ts, Some(KEY));
        assert_eq!(bytes(&got), bytes(&expected), "{name}");
        assert_eq!(
            (got.start, got.end),
            (expected.start, expected.end),
            "{name}"
        );
        println!(
            "{name}: {} NAL units, {} AAC frames, {} blocks encrypted, {} escapes added",
            enc.nal_units, enc.aac_frames, enc.encrypted_blocks, enc.escapes_added
        );
    }
}

#[test]
fn sample_aes_segment_without_the_key_gives_other_samples_with_the_same_layout() {
    let clear = fixture("main_bf2.ts");
    let enc = encrypt_ts(&KEY.key, &KEY.iv, &clear);
    let expected = transmux(&clear, None);
    let no_key = transmux(&enc.ts, None);
    let wrong_key = transmux(
        &enc.ts,
        Some(SampleAesKey {
            key: [0; 16],
            ..KEY
        }),
    );
    for (what, out) in [("no key", &no_key), ("wrong key", &wrong_key)] {
        assert_eq!(out.tracks.len(), expected.tracks.len(), "{what}");
        for (t, e) in out.tracks.iter().zip(&expected.tracks) {
            assert_eq!(
                t.init, e.init,
                "{what}: headers and parameter sets are clear"
            );
            assert_ne!(t.data, e.data, "{what}: {:?} samples differ", t.kind);
        }
    }
}

#[test]
fn sample_aes_segment_pushed_in_chunks_gives_the_whole_push_bytes() {
    let enc = encrypt_ts(&KEY.key, &KEY.iv, &fixture("main_bf2.ts"));
    let whole = transmux(&enc.ts, Some(KEY));
    for size in [1, 188, 1000, 65_536] {
        let mut mux = Transmuxer::new(OutputShape::SplitTracks);
        let mut parts: Vec<RemuxOutput> = Vec::new();
        for chunk in enc.ts.chunks(size) {
            parts.extend(mux.push_chunk(chunk, &info(Some(KEY))).unwrap());
        }
        parts.push(mux.finish_segment(&info(Some(KEY))).unwrap());
        // Concatenated fragments per track equal the whole push's samples: compare the mdat
        // payload bytes (fragment boundaries differ, the samples do not).
        for (i, track) in whole.tracks.iter().enumerate() {
            let chunked: Vec<u8> = parts
                .iter()
                .filter_map(|p| p.tracks.get(i))
                .flat_map(|t| mdat_payloads(&t.data))
                .collect();
            assert_eq!(
                chunked,
                mdat_payloads(&track.data),
                "chunks of {size}, track {i}"
            );
        }
    }
}

/// The payloads of the top-level `mdat` boxes of a fragment stream, concatenated.
fn mdat_payloads(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while data.len() >= 8 {
        let size = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
        if &data[4..8] == b"mdat" {
            out.extend_from_slice(&data[8..size]);
        }
        data = &data[size..];
    }
    out
}

fn ffmpeg_framemd5(input: &Path, map: &str) -> Option<Vec<String>> {
    let hls: &[&str] = if input.extension().is_some_and(|e| e == "m3u8") {
        &["-allowed_extensions", "ALL"]
    } else {
        &[]
    };
    let out = Command::new("ffmpeg")
        .args(["-v", "error"])
        .args(hls)
        .arg("-i")
        .arg(input)
        .args(["-map", map, "-f", "framemd5", "-"])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "ffmpeg on {}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    // Hash column only: timestamps differ between a TS and an HLS input.
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
            .collect(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hlsplay-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// ffmpeg decrypts SAMPLE-AES in its HLS demuxer: the test packager's output, played as a
/// SAMPLE-AES playlist, decodes to the frames of the clear segment (so the packager, and with it
/// the tests above, follow the format as ffmpeg reads it). ffmpeg 5.1 leaves the last packets it
/// flushes at the end of the playlist encrypted (two corrupt frames at the tail, whatever the
/// segment), so the playlist lists the segment twice and the first copy is compared.
#[test]
fn ffmpeg_decrypts_the_test_packagers_segment_to_the_clear_frames() {
    if Command::new("ffmpeg").arg("-version").output().is_err() {
        println!("ffmpeg oracle: skipped, `ffmpeg` is not on PATH");
        return;
    }
    let dir = temp_dir("sample-aes");
    let clear = fixture("main_bf2.ts");
    std::fs::write(dir.join("clear.ts"), &clear).unwrap();
    std::fs::write(dir.join("enc.ts"), encrypt_ts(&KEY.key, &KEY.iv, &clear).ts).unwrap();
    std::fs::write(dir.join("key.bin"), KEY.key).unwrap();
    let iv: String = KEY.iv.iter().map(|b| format!("{b:02x}")).collect();
    let playlist = format!(
        "#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:3\n\
         #EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"key.bin\",IV=0x{iv}\n#EXTINF:2.0,\nenc.ts\n\
         #EXTINF:2.0,\nenc.ts\n#EXT-X-ENDLIST\n"
    );
    std::fs::write(dir.join("enc.m3u8"), playlist).unwrap();
    for map in ["0:v", "0:a"] {
        let expected = ffmpeg_framemd5(&dir.join("clear.ts"), map).unwrap();
        let got = ffmpeg_framemd5(&dir.join("enc.m3u8"), map).unwrap();
        assert!(expected.len() > 10, "{map}: {} frames", expected.len());
        assert_eq!(got.len(), 2 * expected.len(), "{map}: both copies decoded");
        assert_eq!(
            got[..expected.len()],
            expected,
            "{map}: ffmpeg's decryption of the packager's segment"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The peers' real segments (`../shared/peer-data/ts`, when present) with H.264 and/or ADTS AAC:
/// each one the test packager can lay out (one access unit per PES, whole ADTS frames) transmuxes
/// with the key to the bytes of the same rewrite without encryption (the rewrite drops the
/// peers' packet-level quirks, which are not what this test is about).
#[test]
fn peer_segments_encrypted_with_sample_aes_transmux_to_the_clear_bytes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer-data/ts");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("peer segments: skipped, {} is absent", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    let (mut checked, mut skipped) = (0, Vec::new());
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ts"))
    {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let clear = std::fs::read(path).unwrap();
        let packaged =
            repack_ts(&clear).and_then(|r| Ok((r, try_encrypt_ts(&KEY.key, &KEY.iv, &clear)?)));
        let (repacked, enc) = match packaged {
            Ok(both) => both,
            Err(why) => {
                skipped.push(format!("{name} ({why})"));
                continue;
            }
        };
        let Ok(expected) =
            Transmuxer::new(OutputShape::SplitTracks).push(&repacked.ts, &info(None))
        else {
            skipped.push(format!("{name} (does not transmux)"));
            continue;
        };
        if enc.encrypted_blocks == 0 {
            skipped.push(format!("{name} (nothing to encrypt)"));
            continue;
        }
        let got = transmux(&enc.ts, Some(KEY));
        for (g, e) in bytes(&got).iter().zip(bytes(&expected)) {
            let first_diff = g.1.iter().zip(&e.1).position(|(a, b)| a != b);
            assert!(
                g == &e,
                "{name}: {} vs {} bytes, first difference at {first_diff:?}",
                g.1.len(),
                e.1.len()
            );
        }
        assert_eq!(got.tracks.len(), expected.tracks.len(), "{name}");
        checked += 1;
    }
    println!(
        "peer segments: {checked} checked; skipped: {}",
        skipped.join(", ")
    );
    assert!(checked > 0);
}

/// A short slice keeps its emulation prevention bytes: it was never encrypted, so the demuxer
/// must not unescape it either (a 00 00 03 inside it is part of the clear bitstream).
#[test]
fn short_slice_with_emulation_prevention_passes_through_the_demuxer_unchanged() {
    let mut slice = vec![0x41, 0x9a, 0x00, 0x00, 0x03, 0x01, 0x22];
    slice.resize(48, 0x5a);
    let long: Vec<u8> = [&slice[..], &[0x5a; 100][..]].concat();
    for (nal, touched) in [(slice, false), (long, true)] {
        let mut es = H264Es::new();
        es.sample_aes = Some(SampleAes::new(&KEY));
        let mut w = Warnings::default();
        es.begin_pes(Some(0), None);
        es.push(
            &[&[0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1][..], &nal[..]].concat(),
            &mut w,
        );
        es.flush(&mut w);
        let sample = &es.data[4..];
        assert_eq!(sample == &nal[..], !touched, "{} bytes", nal.len());
        if touched {
            assert_eq!(sample.len(), nal.len() - 1, "unescaped: one byte shorter");
        }
    }
}
