//! The top-level boxes of a media segment as its bytes arrive (ISO/IEC 14496-12 §8.16, CMAF
//! chunks): complete `moof` + `mdat` pairs, and everything else (`styp`, `sidx`, `prft`,
//! `emsg`, `free`, …) to skip. Only headers are read, so scanning a growing buffer again
//! after each chunk costs nothing per byte.
use super::boxes::{read_header, BoxError, BoxHeader, FourCc};
use crate::error::ErrorCategory;

const MOOF: FourCc = FourCc::new(b"moof");
const MDAT: FourCc = FourCc::new(b"mdat");

/// What starts at the front of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopLevel {
    /// A movie fragment: the `moof` is `..moof_len`, the `mdat` body `mdat_body..len`, the
    /// fragment (with any box between them) `..len`.
    Fragment {
        moof_len: usize,
        mdat_body: usize,
        len: usize,
    },
    /// A box that is not appended (`len` bytes).
    Skip { len: usize },
    /// Not complete yet.
    NeedMore,
}

/// The next top-level item of `data`, which starts at byte `offset` of the segment. With
/// `end` set no more bytes will come: a box running past the end is an error, and a size-0
/// box takes the rest.
pub fn next_top_level(data: &[u8], offset: u64, end: bool) -> Result<TopLevel, BoxError> {
    let Some((h, len)) = complete_box(data, offset, end)? else {
        return Ok(TopLevel::NeedMore);
    };
    match h.kind {
        MOOF => {
            if h.size.is_none() {
                return Err(BoxError::malformed(
                    h.kind,
                    offset,
                    "size 0 (to the end of the file): no room for its mdat",
                ));
            }
            // The mdat, after any other boxes (kept: data offsets count them).
            let mut at = len;
            loop {
                let rest = data.get(at..).unwrap_or(&[]);
                let Some((next, n)) = complete_box(rest, offset + at as u64, end)? else {
                    if end {
                        return Err(BoxError::malformed(h.kind, offset, "no mdat after it"));
                    }
                    return Ok(TopLevel::NeedMore);
                };
                match next.kind {
                    MDAT => {
                        return Ok(TopLevel::Fragment {
                            moof_len: len,
                            mdat_body: at + next.header_len,
                            len: at + n,
                        })
                    }
                    MOOF => {
                        return Err(BoxError::malformed(
                            h.kind,
                            offset,
                            "no mdat before the next moof",
                        ))
                    }
                    _ => at += n,
                }
            }
        }
        MDAT => Err(BoxError::malformed(h.kind, offset, "no moof before it")),
        _ => Ok(TopLevel::Skip { len }),
    }
}

/// A fragment whose `mdat` has begun but is not complete: offsets from the `moof`'s start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FragmentHead {
    pub moof_len: usize,
    /// Where the `mdat` box starts (after the `moof` and any box between them).
    pub mdat_at: usize,
    pub mdat_body: usize,
    /// The whole fragment's length, past the bytes there.
    pub len: usize,
}

/// A fragment at the front of `data` whose `moof` (and any box before its `mdat`) is complete
/// and whose `mdat` has begun. Lets the `mdat` body be passed on as it arrives (MSE parsers
/// take samples as their bytes come). `None` when it is not that far, or when
/// [`next_top_level`] has the whole fragment or an error to give.
pub fn fragment_head(data: &[u8], offset: u64) -> Option<FragmentHead> {
    let (h, moof_len) = complete_box(data, offset, false).ok()??;
    if h.kind != MOOF {
        return None;
    }
    let mut at = moof_len;
    loop {
        let rest = data.get(at..)?;
        let next = read_header(rest, offset + at as u64).ok()??;
        let len = usize::try_from(next.size?).ok()?;
        match next.kind {
            MDAT => {
                let end = at.checked_add(len)?;
                return (end > data.len() && len >= next.header_len).then_some(FragmentHead {
                    moof_len,
                    mdat_at: at,
                    mdat_body: at + next.header_len,
                    len: end,
                });
            }
            MOOF => return None,
            _ if len >= next.header_len && len <= rest.len() => at += len,
            _ => return None,
        }
    }
}

/// The header and length of the box at the front of `data` once all of it is there.
fn complete_box(
    data: &[u8],
    offset: u64,
    end: bool,
) -> Result<Option<(BoxHeader, usize)>, BoxError> {
    let Some(h) = read_header(data, offset)? else {
        if end && !data.is_empty() {
            return Err(BoxError::new(
                ErrorCategory::Malformed,
                None,
                offset,
                "too few bytes left for a box header",
            ));
        }
        return Ok(None);
    };
    let len = match h.size {
        Some(size) => usize::try_from(size).unwrap_or(usize::MAX),
        None if end => data.len(),
        None => return Ok(None),
    };
    if len <= data.len() {
        return Ok(Some((h, len)));
    }
    if end {
        return Err(BoxError::malformed(
            h.kind,
            offset,
            "its size runs past the end of the segment",
        ));
    }
    Ok(None)
}
