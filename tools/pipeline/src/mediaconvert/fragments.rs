//! CMAF segments made of fragments (`FragmentLength` below `SegmentLength`): ffmpeg writes one
//! fragment-long piece per file (`styp sidx moof mdat`); the pieces starting within segment k's
//! `SegmentLength` window become segment k: the first piece's `styp`, then every piece's `moof` and
//! `mdat` (a piece's `sidx` indexes that piece alone, wrong inside a longer segment). Keyframes are
//! forced at every segment boundary, so each segment starts with one.

/// Top-level boxes: `(offset, size, type)`. A size running past the end, or below 8, is an error
/// naming the offset (ffmpeg's output is trusted no more than any input).
pub fn top_boxes(bytes: &[u8]) -> Result<Vec<(usize, usize, [u8; 4])>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let Some(&[s0, s1, s2, s3, k0, k1, k2, k3]) = bytes.get(at..at + 8) else {
            return Err(format!("a box header cut short at byte {at}"));
        };
        let size = u32::from_be_bytes([s0, s1, s2, s3]) as usize;
        let kind = [k0, k1, k2, k3];
        if size < 8 || at + size > bytes.len() {
            return Err(format!("a box of size {size} at byte {at} does not fit"));
        }
        out.push((at, size, kind));
        at += size;
    }
    Ok(out)
}

/// Which pieces (by duration, in order) make each segment: a piece belongs to segment
/// floor(start / segment_length) (a millisecond of slack for the durations' rounding); a last
/// segment shorter than `min_final` seconds joins the one before (MinFinalSegmentLength).
pub fn group_pieces(durations: &[f64], segment_length: u32, min_final: f64) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current = None;
    let mut start = 0.0;
    for (i, d) in durations.iter().enumerate() {
        let k = ((start + 0.001) / f64::from(segment_length.max(1))).floor() as i64;
        if current != Some(k) || groups.is_empty() {
            groups.push(Vec::new());
            current = Some(k);
        }
        if let Some(g) = groups.last_mut() {
            g.push(i);
        }
        start += d;
    }
    if groups.len() > 1 {
        let last: f64 = (groups.last().into_iter().flatten())
            .filter_map(|i| durations.get(*i))
            .sum();
        if last < min_final {
            if let Some(tail) = groups.pop() {
                if let Some(g) = groups.last_mut() {
                    g.extend(tail);
                }
            }
        }
    }
    groups
}

/// One segment from its pieces' bytes.
pub fn join_pieces(pieces: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for (n, piece) in pieces.iter().enumerate() {
        for (at, size, kind) in top_boxes(piece)? {
            let keep = match &kind {
                b"styp" => n == 0,
                b"sidx" => false,
                b"moof" | b"mdat" => true,
                other => {
                    return Err(format!(
                        "unexpected box `{}` at byte {at} of a fragment",
                        String::from_utf8_lossy(other)
                    ))
                }
            };
            if keep {
                out.extend_from_slice(piece.get(at..at + size).unwrap_or(&[]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((8 + body.len()) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn pieces_group_by_the_segment_window_their_start_falls_in() {
        // GOP 3 s with keyframes forced at 10 s, cut after every 2 s: 3,3,3,1 | 3,3,3,1 | 2.
        let d = [3.0, 3.0, 3.0, 1.0, 3.0, 3.0, 3.0, 1.0, 2.0];
        assert_eq!(
            group_pieces(&d, 10, 1.0),
            [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8]]
        );
        // A 21 ms last piece (the audio's last AAC frame) joins the segment before.
        let d = [9.999, 10.0, 0.021];
        assert_eq!(group_pieces(&d, 10, 1.0), [vec![0], vec![1, 2]]);
        assert_eq!(group_pieces(&d, 10, 0.0), [vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn a_segment_keeps_the_first_styp_and_every_moof_and_mdat() {
        let a = [
            bx(b"styp", b"A"),
            bx(b"sidx", b"1"),
            bx(b"moof", b"m1"),
            bx(b"mdat", b"d1"),
        ]
        .concat();
        let b = [
            bx(b"styp", b"B"),
            bx(b"sidx", b"2"),
            bx(b"moof", b"m2"),
            bx(b"mdat", b"d2"),
        ]
        .concat();
        let want = [
            bx(b"styp", b"A"),
            bx(b"moof", b"m1"),
            bx(b"mdat", b"d1"),
            bx(b"moof", b"m2"),
            bx(b"mdat", b"d2"),
        ]
        .concat();
        assert_eq!(join_pieces(&[a.clone(), b]).unwrap(), want);
        let bad = [a, vec![0, 0, 0, 9, b'm', b'o', b'o', b'v']].concat();
        assert!(join_pieces(&[bad]).unwrap_err().contains("does not fit"));
        assert!(join_pieces(&[bx(b"free", b"")])
            .unwrap_err()
            .contains("`free`"));
    }
}
