//! The samples of one track fragment in decode order: where each one's bytes are and when it
//! is shown, for reading inside them (the captions in H.264 / HEVC SEI). Nothing is stored.
use super::boxes::{BoxError, Boxes, FourCc};
use super::moof::{run_starts, trun_head, Moof};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Where its bytes start, relative to the moof start.
    pub data: i64,
    pub size: u32,
    /// Decode time + composition offset, relative to the tfdt.
    pub presentation: i64,
}

/// Calls `each` for every sample of `moof.trafs[traf]` whose bytes are found from the moof
/// (`moof_bytes` starts with it, at `moof_at` in the segment); a traf counted from an explicit
/// `tfhd` base_data_offset (a file position) is skipped. The walk is bounded by the run's data size
/// (checked against the `mdat` by the caller) or by its entries (checked against the box).
pub fn for_each_sample(
    moof_bytes: &[u8],
    moof_at: u64,
    moof: &Moof,
    traf: usize,
    each: &mut dyn FnMut(Sample),
) -> Result<(), BoxError> {
    let Some(t) = moof.trafs.get(traf) else {
        return Ok(());
    };
    let mut decode = 0i64;
    run_starts(moof, &mut |i, run, start| {
        // A traf counted from a base_data_offset has no run with a start.
        let (true, Some(mut data)) = (i == traf, start) else {
            return Ok(());
        };
        let at = moof_at + run.at as u64;
        let trun = Boxes::new(moof_bytes.get(run.at..).unwrap_or_default(), at)
            .next()
            .transpose()?
            .ok_or_else(|| BoxError::malformed(FourCc::new(b"trun"), at, "cut short"))?;
        let mut head = trun_head(&trun, moof_at)?;
        let no_entries = head.fields.remaining() == 0;
        if no_entries && t.defaults.size == 0 {
            // Default-sized empty samples: nothing to read, and the count is unbounded.
            return Ok(());
        }
        for _ in 0..head.count {
            let e = head.entry(&t.defaults);
            each(Sample {
                data,
                size: e.size,
                presentation: decode.saturating_add(e.cto),
            });
            data = data.saturating_add(i64::from(e.size));
            decode = decode.saturating_add(i64::from(e.duration));
        }
        Ok(())
    })
}
