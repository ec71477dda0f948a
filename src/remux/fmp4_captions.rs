//! CEA-608 captions inside fMP4 video samples: what a CMAF output with EMBEDDED captions
//! carries (ATSC A/53 `GA94` SEI NAL units in the H.264 or HEVC samples, as in TS). The
//! passthrough reads them from each complete fragment; a fragment passed on progressively is
//! kept until its `mdat` is whole, then read the same way.
//!
//! Each pair gets the presentation time of its sample on the output timeline (the fragment's
//! `tfdt` shift applied), and a fragment's pairs come out sorted by that time: with B-frames,
//! decode order is not display order, and 608 bytes taken in decode order come out scrambled.
use super::passthrough::shift;
use super::CcData;
use crate::captions::Field;
use crate::fmp4::moof::Moof;
use crate::fmp4::moov::InitSegment;
use crate::fmp4::samples::for_each_sample;
use crate::fmp4::BoxError;
use crate::ts::sei::sei_608;

/// Pairs kept per segment at most (the TS demuxer's bound): a hostile stream cannot grow the
/// list without limit.
const MAX_PAIRS: usize = 1 << 16;
/// `nal_unit_type` of an H.264 SEI (14496-10 Table 7-1) and of an HEVC prefix SEI (23008-2
/// Table 7-1).
const AVC_SEI: u8 = 6;
const HEVC_PREFIX_SEI: u8 = 39;

/// Whether a stream with this init segment can carry captions in its samples.
pub(super) fn may_carry(init: &InitSegment) -> bool {
    init.tracks.iter().any(|t| t.nal.is_some())
}

/// Adds to `out` the pairs in the video samples of one fragment: `fragment` starts with its
/// `moof` (at `moof_at` in the segment) and holds its whole `mdat`; `offset` is the seconds
/// added to media time.
pub(super) fn read(
    fragment: &[u8],
    moof_at: u64,
    moof: &Moof,
    init: &InitSegment,
    offset: f64,
    out: &mut Vec<CcData>,
) -> Result<(), BoxError> {
    let mut scratch = Vec::new();
    for (i, t) in moof.trafs.iter().enumerate() {
        let Some(nal) = init.track(t.track_id).and_then(|track| track.nal) else {
            continue;
        };
        let start = i64::try_from(t.decode_start())
            .unwrap_or(i64::MAX)
            .saturating_add(shift(offset, t));
        let timescale = f64::from(t.timescale);
        let (header, sei) = if nal.hevc {
            (2, HEVC_PREFIX_SEI)
        } else {
            (1, AVC_SEI)
        };
        for_each_sample(fragment, moof_at, moof, i, &mut |s| {
            let time = start.saturating_add(s.presentation) as f64 / timescale;
            let at = usize::try_from(s.data).unwrap_or(usize::MAX);
            let bytes = fragment
                .get(at..)
                .and_then(|b| b.get(..s.size as usize))
                .unwrap_or_default();
            for (kind, nal_unit) in nal_units(bytes, usize::from(nal.length_size), nal.hevc) {
                if kind != sei {
                    continue;
                }
                sei_608(
                    nal_unit.get(header..).unwrap_or_default(),
                    &mut scratch,
                    &mut |c| {
                        if out.len() < MAX_PAIRS {
                            // After every pair shown no later: stable for pairs of one picture.
                            let pos = out.partition_point(|p| p.time <= time);
                            let field = if c.cc_type == 0 {
                                Field::One
                            } else {
                                Field::Two
                            };
                            out.insert(
                                pos,
                                CcData {
                                    time,
                                    field,
                                    pair: c.data,
                                },
                            );
                        }
                    },
                );
            }
        })?;
    }
    Ok(())
}

/// The NAL units of a sample (each behind a big-endian length of `length_size` bytes) with
/// their `nal_unit_type`; stops at a length that runs past the sample.
fn nal_units(
    mut sample: &[u8],
    length_size: usize,
    hevc: bool,
) -> impl Iterator<Item = (u8, &[u8])> {
    std::iter::from_fn(move || loop {
        let (len, rest) = (sample.get(..length_size)?, sample.get(length_size..)?);
        let len = len.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b));
        let nal = rest.get(..len)?;
        sample = rest.get(len..)?;
        // An empty NAL unit (a zero length) is skipped.
        if let Some(&first) = nal.first() {
            let kind = if hevc {
                (first >> 1) & 0x3F
            } else {
                first & 0x1F
            };
            return Some((kind, nal));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nal_units_give_the_h264_and_hevc_types_and_stop_at_a_length_past_the_end() {
        // Two-byte lengths: an H.264 SEI (type 6) and an IDR slice (type 5).
        let avc = [0, 2, 0x06, 0xAA, 0, 1, 0x65];
        let got: Vec<_> = nal_units(&avc, 2, false).collect();
        assert_eq!(got, [(6, &avc[2..4]), (5, &avc[6..7])]);
        // HEVC: the type is bits 1-6 of the first header byte (prefix SEI 39, IDR_W_RADL 19).
        let hevc = [0, 0, 0, 2, 39 << 1, 1, 0, 0, 0, 2, 19 << 1, 1];
        let kinds: Vec<u8> = nal_units(&hevc, 4, true).map(|(k, _)| k).collect();
        assert_eq!(kinds, [HEVC_PREFIX_SEI, 19]);
        // A length running past the sample ends the walk; a zero length is skipped.
        let cut = [0, 2, 0x06, 0xAA, 0, 9, 0x65];
        assert_eq!(nal_units(&cut, 2, false).count(), 1);
        let empty_first = [0, 0, 0, 1, 0x06];
        assert_eq!(
            nal_units(&empty_first, 2, false).collect::<Vec<_>>(),
            [(6, &empty_first[4..])]
        );
        assert_eq!(nal_units(&[0], 2, false).count(), 0);
    }
}
