//! A test-only SAMPLE-AES packager: encrypts the H.264 slices and ADTS AAC frames of a clear
//! MPEG-TS as Apple's "MPEG-2 Stream Encryption Format for HTTP Live Streaming" lays them out
//! (the same patterns `hlsplay::crypto::sample_aes` decrypts), then writes a new TS with the
//! encrypted stream types (0xDB, 0xCF) in its PMT.
use super::aes_encrypt::{cbc_blocks, Aes128};
use super::Mux;

/// Emulation prevention (ISO/IEC 14496-10 §7.4.1): 03 after two zeros before a byte <= 03.
pub fn escape(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len() + 8);
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
    out
}

/// What the packager did, to check that the test exercised something.
#[derive(Debug, Default)]
pub struct Encrypted {
    pub ts: Vec<u8>,
    pub nal_units: usize,
    pub encrypted_blocks: usize,
    pub aac_frames: usize,
    /// Emulation prevention bytes the ciphertext needed.
    pub escapes_added: usize,
}

/// An encrypted slice NAL unit (header byte on): 32 clear bytes, then one block in ten while
/// more than 16 bytes remain; then escaped so the ciphertext imitates no start code.
pub fn encrypt_nal_unit(aes: &Aes128, iv: &[u8; 16], nal: &[u8]) -> (Vec<u8>, usize) {
    if nal.len() <= 48 {
        return (nal.to_vec(), 0); // nothing to encrypt: left exactly as it is
    }
    let mut data = nal.to_vec();
    let offsets: Vec<usize> = (32..)
        .step_by(160)
        .take_while(|at| at + 16 < nal.len())
        .collect();
    cbc_blocks(aes, iv, &mut data, offsets.iter().copied());
    (escape(&data), offsets.len())
}

/// Encrypts an Annex B byte stream: every NAL unit of type 1 or 5.
fn encrypt_h264(
    aes: &Aes128,
    iv: &[u8; 16],
    es: &[u8],
    stats: &mut Encrypted,
) -> Result<Vec<u8>, String> {
    // NAL unit bodies: from after a 00 00 01 to the last non-zero byte before the next one
    // (zeros before a start code belong to it).
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= es.len() {
        if es[i..i + 3] == [0, 0, 1] {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    if !starts.first().is_some_and(|&s| s <= 4) {
        return Err("a video PES does not start with a start code".into());
    }
    let mut out = es[..starts[0]].to_vec();
    for (n, &start) in starts.iter().enumerate() {
        let next = starts.get(n + 1).map_or(es.len(), |&s| s - 3);
        let mut end = next;
        while end > start && es[end - 1] == 0 {
            end -= 1;
        }
        let nal = &es[start..end];
        stats.nal_units += 1;
        if nal.first().is_some_and(|h| matches!(h & 0x1f, 1 | 5)) {
            let (enc, blocks) = encrypt_nal_unit(aes, iv, nal);
            stats.encrypted_blocks += blocks;
            stats.escapes_added += enc.len() - nal.len();
            out.extend(enc);
        } else {
            out.extend_from_slice(nal);
        }
        // The zeros and the next start code, as they were.
        out.extend_from_slice(&es[end..starts.get(n + 1).copied().unwrap_or(es.len())]);
    }
    Ok(out)
}

/// Encrypts every ADTS frame: header and 16 bytes clear, then all complete blocks.
fn encrypt_adts(
    aes: &Aes128,
    iv: &[u8; 16],
    es: &[u8],
    stats: &mut Encrypted,
) -> Result<Vec<u8>, String> {
    let mut out = es.to_vec();
    let mut at = 0;
    while at + 7 <= out.len() {
        let h = &out[at..at + 7];
        if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 {
            if at == 0 {
                return Err("an audio PES does not start with an ADTS frame".into());
            }
            // Junk after the frames (a damaged capture): left as it is.
            break;
        }
        let header = if h[1] & 1 == 1 { 7 } else { 9 };
        let len = (usize::from(h[3] & 3) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
        if at + len > out.len() {
            // Cut off (the last PES of a capture): no frame for the demuxer, left clear.
            break;
        }
        let frame = &mut out[at + header..at + len];
        let blocks = frame.len().saturating_sub(16) / 16;
        cbc_blocks(aes, iv, frame, (0..blocks).map(|b| 16 + 16 * b));
        stats.encrypted_blocks += blocks;
        stats.aac_frames += 1;
        at += len;
    }
    Ok(out)
}

fn payload(p: &[u8]) -> Option<&[u8]> {
    match (p[3] >> 4) & 3 {
        1 => Some(&p[4..]),
        3 => Some(&p[5 + usize::from(p[4])..]),
        _ => None,
    }
}

/// (stream_type, pid) of the first PMT, found through the PAT (both in one packet each, as
/// ffmpeg writes them).
fn streams(ts: &[u8]) -> Result<Vec<(u8, u16)>, String> {
    let pid_of = |p: &[u8]| (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
    let section = |p: &[u8]| {
        let payload = payload(p)?;
        payload
            .get(1 + usize::from(payload[0])..)
            .map(<[u8]>::to_vec)
    };
    let pat = ts
        .chunks_exact(188)
        .find(|p| pid_of(p) == 0)
        .and_then(section)
        .ok_or("no PAT")?;
    let pmt_pid = (u16::from(pat[10] & 0x1f) << 8) | u16::from(pat[11]);
    let pmt = ts
        .chunks_exact(188)
        .find(|p| pid_of(p) == pmt_pid)
        .and_then(section)
        .ok_or("no PMT")?;
    let end = 3 + usize::from(u16::from_be_bytes([pmt[1], pmt[2]]) & 0x0fff) - 4;
    if end > pmt.len() {
        return Err("the PMT spans packets".into());
    }
    let mut at = 12 + usize::from(u16::from_be_bytes([pmt[10], pmt[11]]) & 0x0fff);
    let mut out = Vec::new();
    while at + 5 <= end {
        out.push((
            pmt[at],
            (u16::from(pmt[at + 1] & 0x1f) << 8) | u16::from(pmt[at + 2]),
        ));
        at += 5 + usize::from(u16::from_be_bytes([pmt[at + 3], pmt[at + 4]]) & 0x0fff);
    }
    Ok(out)
}

/// Encrypts a clear TS with H.264 and/or ADTS AAC and writes it again: PAT, a PMT with the
/// SAMPLE-AES stream types, then each PES in its original order. Panics where the packager's
/// layout assumptions fail (see [`try_encrypt_ts`]).
pub fn encrypt_ts(key: &[u8; 16], iv: &[u8; 16], ts: &[u8]) -> Encrypted {
    match package_ts(Some((&Aes128::new(key), iv)), ts) {
        Ok(encrypted) => encrypted,
        Err(e) => panic!("SAMPLE-AES packager: {e}"),
    }
}

/// [`encrypt_ts`], or why this segment's layout is beyond the packager (a PES that does not
/// start with a start code, ADTS frames across PES packets, no PAT/PMT).
pub fn try_encrypt_ts(key: &[u8; 16], iv: &[u8; 16], ts: &[u8]) -> Result<Encrypted, String> {
    package_ts(Some((&Aes128::new(key), iv)), ts)
}

/// The same rewrite without encryption: what the encrypted TS is, decrypted.
pub fn repack_ts(ts: &[u8]) -> Result<Encrypted, String> {
    package_ts(None, ts)
}

fn package_ts(key: Option<(&Aes128, &[u8; 16])>, ts: &[u8]) -> Result<Encrypted, String> {
    let mut stats = Encrypted::default();
    // Clear type -> encrypted type (Apple's format §3); other streams pass through as they are.
    let streams: Vec<(u8, u16)> = streams(ts)?
        .into_iter()
        .map(|(t, pid)| match (t, key) {
            (0x1b, Some(_)) => (0xdb, pid),
            (0x0f, Some(_)) => (0xcf, pid),
            (other, _) => (other, pid),
        })
        .collect();
    // (pid, PES bytes) in the order the PES packets start.
    let mut pes: Vec<(u16, Vec<u8>)> = Vec::new();
    for p in ts.chunks_exact(188) {
        assert_eq!(p[0], 0x47);
        let pid = (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
        let pusi = p[1] & 0x40 != 0;
        let Some(payload) = payload(p).filter(|_| streams.iter().any(|s| s.1 == pid)) else {
            continue;
        };
        if pusi {
            pes.push((pid, Vec::new()));
        }
        if let Some((_, bytes)) = pes.iter_mut().rev().find(|(q, _)| *q == pid) {
            bytes.extend_from_slice(payload);
        }
    }
    let mut mux = Mux::default();
    mux.pat();
    mux.pmt(&streams);
    for (pid, bytes) in pes {
        let header = 9 + usize::from(*bytes.get(8).ok_or("a PES shorter than its header")?);
        let es = bytes.get(header..).ok_or("a PES shorter than its header")?;
        let es = match key {
            Some((aes, iv)) if streams.contains(&(0xdb, pid)) => {
                encrypt_h264(aes, iv, es, &mut stats)?
            }
            Some((aes, iv)) if streams.contains(&(0xcf, pid)) => {
                encrypt_adts(aes, iv, es, &mut stats)?
            }
            // Declared MPEG audio but carrying ADTS (muxers mislabel it): players decrypt AAC
            // by what the payload is, so the packager encrypts it too. Real MPEG audio stays
            // clear (SAMPLE-AES has no layout for it).
            Some((aes, iv)) if streams.iter().any(|&(t, p)| p == pid && (t == 3 || t == 4)) => {
                let mut probe = Encrypted::default();
                match encrypt_adts(aes, iv, es, &mut probe) {
                    Ok(encrypted) => {
                        stats.encrypted_blocks += probe.encrypted_blocks;
                        stats.aac_frames += probe.aac_frames;
                        encrypted
                    }
                    Err(_) => es.to_vec(),
                }
            }
            _ => es.to_vec(),
        };
        let mut out = bytes[..header].to_vec();
        out.extend(es);
        if u16::from_be_bytes([out[4], out[5]]) != 0 {
            let len = u16::try_from(out.len() - 6).unwrap_or(0);
            out[4..6].copy_from_slice(&len.to_be_bytes());
        }
        mux.write(pid, &out, 184);
    }
    stats.ts = mux.out;
    Ok(stats)
}
