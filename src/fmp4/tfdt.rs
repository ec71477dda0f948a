//! Moving a fragment on the timeline: each track fragment's `tfdt` (ISO/IEC 14496-12 §8.8.12)
//! shifted by a per-track delta in the track's timescale, the rest of the `moof` copied as is.
//!
//! A version-0 `tfdt` whose new value needs more than 32 bits becomes version 1: 4 bytes are
//! inserted, the `tfdt`, `traf` and `moof` sizes grow by them, and every `trun` data_offset
//! counted from the moof start grows too (the `mdat` moved by the inserted bytes). An explicit
//! `tfhd` base_data_offset or a `saio` box (offsets into the moved bytes) make that unsafe: an
//! error, as is a decode time shifted below 0.
use super::boxes::{read_header, BoxError, FourCc};
use super::moof::{Moof, Traf, TFHD_BASE_DATA_OFFSET, TFHD_DEFAULT_BASE_IS_MOOF};
use super::put;
use crate::error::ErrorCategory;

const TFDT: FourCc = FourCc::new(b"tfdt");

/// Append `moof_bytes` (the box `moof` was read from, at byte `moof_at` of the segment) to
/// `out` with each traf's tfdt moved by `delta(traf)`.
pub fn write_shifted_moof(
    out: &mut Vec<u8>,
    moof_bytes: &[u8],
    moof_at: u64,
    moof: &Moof,
    delta: impl Fn(&Traf) -> i64,
) -> Result<(), BoxError> {
    let mut values = Vec::with_capacity(moof.trafs.len());
    for t in &moof.trafs {
        let at = moof_at + t.tfdt.at as u64;
        let old = t.tfdt.base_media_decode_time;
        let d = delta(t);
        let new = old.checked_add_signed(d).ok_or_else(|| {
            BoxError::malformed(
                TFDT,
                at,
                "the shifted decode time leaves the timeline (below 0 or beyond 64 bits)",
            )
        })?;
        values.push((new, t.tfdt.version == 0 && new > u64::from(u32::MAX)));
    }
    let upgrades = values.iter().filter(|v| v.1).count();
    let grown;
    let src = if upgrades > 0 {
        let mut copy = moof_bytes.to_vec();
        grow_for_upgrades(&mut copy, moof_at, moof, &values, upgrades)?;
        grown = copy;
        &grown[..]
    } else {
        moof_bytes
    };
    // Copied up to each tfdt value, which is written anew (8 bytes for version 1 or an upgrade).
    let mut pos = 0;
    for (t, &(value, upgrade)) in moof.trafs.iter().zip(&values) {
        let field = t.tfdt.at + t.tfdt.header_len + 4;
        out.extend_from_slice(src.get(pos..field).unwrap_or(&[]));
        if t.tfdt.version == 0 && !upgrade {
            out.extend_from_slice(&(value as u32).to_be_bytes());
        } else {
            out.extend_from_slice(&value.to_be_bytes());
        }
        pos = field + if t.tfdt.version == 0 { 4 } else { 8 };
    }
    out.extend_from_slice(src.get(pos..).unwrap_or(&[]));
    Ok(())
}

/// The size, version and data_offset changes for `upgrades` version-0 tfdt boxes becoming
/// version 1 (4 bytes more each), on a copy of the moof, before the bytes are inserted.
fn grow_for_upgrades(
    out: &mut [u8],
    moof_at: u64,
    moof: &Moof,
    values: &[(u64, bool)],
    upgrades: usize,
) -> Result<(), BoxError> {
    let grow = 4 * upgrades as u64;
    let unsafe_error = |t: &Traf, what: &'static str| {
        BoxError::unsupported(FourCc::new(b"traf"), moof_at + t.at as u64, what)
    };
    for (i, (t, &(_, upgrade))) in moof.trafs.iter().zip(values).enumerate() {
        if t.tfhd_flags & TFHD_BASE_DATA_OFFSET != 0 {
            return Err(unsafe_error(
                t,
                "a tfdt needs 64 bits, but an explicit tfhd base_data_offset keeps the moof \
                 from growing",
            ));
        }
        if t.has_saio {
            return Err(unsafe_error(
                t,
                "a tfdt needs 64 bits, but a saio box (offsets into the moof) keeps the moof \
                 from growing",
            ));
        }
        if upgrade {
            resize(out, t.at, 4, moof_at + t.at as u64)?;
            resize(out, t.tfdt.at, 4, moof_at + t.tfdt.at as u64)?;
            if let Some(v) = out.get_mut(t.tfdt.at + t.tfdt.header_len) {
                *v = 1;
            }
        }
        // Data counted from the moof start moves with the mdat; data counted from the end of
        // the previous traf's data moves with it and needs nothing.
        if t.tfhd_flags & TFHD_DEFAULT_BASE_IS_MOOF == 0 && i > 0 {
            continue;
        }
        for (j, run) in t.runs.iter().enumerate() {
            match run.data_offset {
                Some(o) => {
                    let v = i32::try_from(i64::from(o.value) + grow as i64).map_err(|_| {
                        unsafe_error(
                            t,
                            "a tfdt needs 64 bits, but a trun data_offset at the 32-bit limit \
                             keeps the moof from growing",
                        )
                    })?;
                    put(out, o.at, &v.to_be_bytes());
                }
                None if j == 0 => {
                    return Err(unsafe_error(
                        t,
                        "a tfdt needs 64 bits, but a trun without data_offset keeps the moof \
                         from growing",
                    ));
                }
                None => {}
            }
        }
    }
    resize(out, 0, grow, moof_at)
}

/// Grow the size of the box at `out[at..]` by `by` bytes (32-bit size or 64-bit largesize; a
/// size-0 box runs to the end of its parent and grows with it).
fn resize(out: &mut [u8], at: usize, by: u64, offset: u64) -> Result<(), BoxError> {
    let header = read_header(out.get(at..).unwrap_or(&[]), offset)?;
    let h = header.ok_or_else(|| {
        BoxError::new(
            ErrorCategory::Malformed,
            None,
            offset,
            "no box header to grow",
        )
    })?;
    let Some(size) = h.size else { return Ok(()) };
    let too_big = || BoxError::malformed(h.kind, offset, "size cannot grow by 4 bytes");
    let size = size.checked_add(by).ok_or_else(too_big)?;
    // A traf, tfdt or moof header is 16 bytes only with a largesize.
    if h.header_len == 16 {
        put(out, at + 8, &size.to_be_bytes());
    } else {
        put(
            out,
            at,
            &u32::try_from(size).map_err(|_| too_big())?.to_be_bytes(),
        );
    }
    Ok(())
}
