//! The samples of a timed-text track in fMP4 segments: `stpp` (ISO/IEC 14496-30 §5, TTML /
//! IMSC1 documents, one per sample), as CMAF carries subtitles. Each sample comes with its
//! decode time and duration in the track's timescale; its bytes are the document that
//! `captions::Imsc1` reads. Sample data is found as CMAF lays it out: counted from the `moof`
//! (`default-base-is-moof`, or the first `traf` without a base).
use super::boxes::{BoxError, Boxes, FourCc, Mp4Box};
use super::moof::{TFHD_BASE_DATA_OFFSET, TFHD_DEFAULT_BASE_IS_MOOF, TRUN_DATA_OFFSET};
use super::moov::{InitSegment, InitTrack};
use crate::error::ErrorCategory;

const STPP: FourCc = FourCc::new(b"stpp");
const MOOF: FourCc = FourCc::new(b"moof");
const TRAF: FourCc = FourCc::new(b"traf");
const TRUN: FourCc = FourCc::new(b"trun");

/// More samples than this in one segment is an error (a document per fragment is the rule).
const MAX_SAMPLES: usize = 4096;

const TFHD_SAMPLE_DESCRIPTION_INDEX: u32 = 0x02;
const TFHD_DEFAULT_DURATION: u32 = 0x08;
const TFHD_DEFAULT_SIZE: u32 = 0x10;
const TFHD_DEFAULT_FLAGS: u32 = 0x20;
const TRUN_FIRST_SAMPLE_FLAGS: u32 = 0x04;
const TRUN_DURATION: u32 = 0x100;
const TRUN_SIZE: u32 = 0x200;
const TRUN_FLAGS: u32 = 0x400;
const TRUN_COMPOSITION_OFFSET: u32 = 0x800;

/// One sample of a timed-text track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSample<'a> {
    /// Decode time in the track's timescale (`tfdt` plus the earlier samples' durations).
    pub decode_time: u64,
    pub duration: u32,
    pub timescale: u32,
    /// The sample's bytes (for `stpp`: a TTML document).
    pub data: &'a [u8],
}

impl TextSample<'_> {
    /// Start in seconds of the track's media time.
    pub fn start(&self) -> f64 {
        self.decode_time as f64 / f64::from(self.timescale.max(1))
    }

    /// End in seconds of the track's media time.
    pub fn end(&self) -> f64 {
        self.start() + f64::from(self.duration) / f64::from(self.timescale.max(1))
    }
}

/// The first track whose sample entry is `stpp`.
pub fn stpp_track(init: &InitSegment) -> Option<&InitTrack> {
    init.tracks.iter().find(|t| t.sample_entry == STPP)
}

/// Every sample of `track` in a media segment (`moof` + `mdat` pairs, other top-level boxes
/// skipped), in order.
pub fn text_samples<'a>(
    segment: &'a [u8],
    track: &InitTrack,
) -> Result<Vec<TextSample<'a>>, BoxError> {
    let mut out = Vec::new();
    for b in Boxes::new(segment, 0) {
        let moof = b?;
        if moof.kind != MOOF {
            continue;
        }
        let mut first = true;
        for traf in moof.children(0)? {
            let traf = traf?;
            if traf.kind != TRAF {
                continue;
            }
            read_traf(segment, &moof, &traf, first, track, &mut out)?;
            first = false;
        }
    }
    Ok(out)
}

/// The samples of one `traf`, when it is `track`'s.
fn read_traf<'a>(
    segment: &'a [u8],
    moof: &Mp4Box<'_>,
    traf: &Mp4Box<'_>,
    first: bool,
    track: &InitTrack,
    out: &mut Vec<TextSample<'a>>,
) -> Result<(), BoxError> {
    let tfhd = traf.require(0, b"tfhd")?;
    let (_, tfhd_flags, mut f) = tfhd.full();
    if f.u32() != track.track_id {
        return f.check();
    }
    if tfhd_flags & TFHD_BASE_DATA_OFFSET != 0
        || !(first || tfhd_flags & TFHD_DEFAULT_BASE_IS_MOOF != 0)
    {
        return Err(BoxError::unsupported(
            tfhd.kind,
            tfhd.offset,
            "text track data not counted from the moof (CMAF's default-base-is-moof)",
        ));
    }
    if tfhd_flags & TFHD_SAMPLE_DESCRIPTION_INDEX != 0 {
        f.skip(4);
    }
    let mut duration = track.defaults.sample_duration;
    let mut size = track.defaults.sample_size;
    if tfhd_flags & TFHD_DEFAULT_DURATION != 0 {
        duration = f.u32();
    }
    if tfhd_flags & TFHD_DEFAULT_SIZE != 0 {
        size = f.u32();
    }
    if tfhd_flags & TFHD_DEFAULT_FLAGS != 0 {
        f.skip(4);
    }
    f.check()?;
    let tfdt = traf.require(0, b"tfdt")?;
    let (version, _, mut f) = tfdt.full();
    let mut decode_time = match version {
        0 => u64::from(f.u32()),
        _ => f.u64(),
    };
    f.check()?;
    // Where the next run's data starts when its trun gives no offset.
    let mut next = moof.offset;
    for trun in traf.children(0)? {
        let trun = trun?;
        if trun.kind != TRUN {
            continue;
        }
        let (_, flags, mut f) = trun.full();
        let count = f.u32();
        if flags & TRUN_DATA_OFFSET != 0 {
            next = moof.offset.saturating_add_signed(i64::from(f.u32() as i32));
        }
        if flags & TRUN_FIRST_SAMPLE_FLAGS != 0 {
            f.skip(4);
        }
        f.check()?;
        for _ in 0..count {
            let d = if flags & TRUN_DURATION != 0 {
                f.u32()
            } else {
                duration
            };
            let s = if flags & TRUN_SIZE != 0 {
                f.u32()
            } else {
                size
            };
            f.skip(4 * usize::from(flags & TRUN_FLAGS != 0));
            f.skip(4 * usize::from(flags & TRUN_COMPOSITION_OFFSET != 0));
            f.check()?;
            if out.len() >= MAX_SAMPLES {
                return Err(BoxError::new(
                    ErrorCategory::Limit,
                    Some(trun.kind),
                    trun.offset,
                    "more text samples in one segment than the reader takes",
                ));
            }
            let end = next.saturating_add(u64::from(s));
            let data = usize::try_from(next)
                .ok()
                .zip(usize::try_from(end).ok())
                .and_then(|(a, b)| segment.get(a..b))
                .ok_or_else(|| {
                    BoxError::malformed(trun.kind, trun.offset, "sample data past the segment end")
                })?;
            out.push(TextSample {
                decode_time,
                duration: d,
                timescale: track.timescale,
                data,
            });
            decode_time = decode_time.saturating_add(u64::from(d));
            next = end;
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
