//! A movie fragment (`moof`, ISO/IEC 14496-12 §8.8): per track fragment (`traf`) its track,
//! `tfhd` flags and defaults, `tfdt` (version, value, position) and every `trun`, summed into
//! what the player needs: decode start and end, earliest presentation, first sample sync.
//! Sample tables are walked, never stored; a run without per-sample fields is summed by
//! multiplication, so a huge sample count costs nothing.
use super::boxes::{BoxError, Fields, FourCc, Mp4Box};
use super::moov::{Handler, InitSegment, TrackDefaults};

const TRUN: FourCc = FourCc::new(b"trun");
const SAIO: FourCc = FourCc::new(b"saio");

/// `tfhd` flags (§8.8.7.1).
pub const TFHD_BASE_DATA_OFFSET: u32 = 0x01;
const TFHD_SAMPLE_DESCRIPTION_INDEX: u32 = 0x02;
const TFHD_DEFAULT_DURATION: u32 = 0x08;
const TFHD_DEFAULT_SIZE: u32 = 0x10;
const TFHD_DEFAULT_FLAGS: u32 = 0x20;
pub const TFHD_DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;

/// `trun` flags (§8.8.8.1).
pub const TRUN_DATA_OFFSET: u32 = 0x01;
const TRUN_FIRST_SAMPLE_FLAGS: u32 = 0x04;
const TRUN_DURATION: u32 = 0x100;
const TRUN_SIZE: u32 = 0x200;
const TRUN_FLAGS: u32 = 0x400;
const TRUN_COMPOSITION_OFFSET: u32 = 0x800;
/// The four above: the fields each sample entry may have.
pub const TRUN_SAMPLE_FIELDS: u32 = 0xF00;

/// `sample_is_non_sync_sample` in the sample flags (§8.8.3.1).
const NON_SYNC: u32 = 0x0001_0000;

/// A `tfdt` box (§8.8.12): where it is (relative to the moof start) and what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfdt {
    pub version: u8,
    pub base_media_decode_time: u64,
    /// Offset of the box from the moof start.
    pub at: usize,
    pub header_len: usize,
}

/// A `trun` data_offset: its value and where it is written (relative to the moof start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataOffset {
    pub value: i32,
    pub at: usize,
}

/// One `trun`: where it is (relative to the moof start), its data_offset (`None`: the run
/// follows the previous one) and the sum of its sample sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub at: usize,
    pub data_offset: Option<DataOffset>,
    pub data_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traf {
    pub track_id: u32,
    /// The track's handler and `mdhd` timescale, from the init segment.
    pub handler: Handler,
    pub timescale: u32,
    /// Offset of the box from the moof start.
    pub at: usize,
    pub tfhd_flags: u32,
    pub tfdt: Tfdt,
    /// The sample defaults (`tfhd`, else the init's `trex`).
    pub defaults: Defaults,
    /// The `trun` boxes in order.
    pub runs: Vec<Run>,
    /// The box holds `saio` (offsets into the moof that a resize would move).
    pub has_saio: bool,
    pub sample_count: u64,
    /// Sum of the sample durations.
    pub duration: u64,
    /// Earliest decode time + composition offset over the samples, relative to the tfdt (0
    /// without samples).
    pub presentation_start: i64,
    /// Largest decode time + composition offset + duration, relative to the tfdt.
    pub presentation_end: i64,
    /// The first sample is a sync sample (`None`: no samples).
    pub first_sync: Option<bool>,
}

impl Traf {
    pub fn decode_start(&self) -> u64 {
        self.tfdt.base_media_decode_time
    }

    pub fn decode_end(&self) -> u64 {
        self.decode_start().saturating_add(self.duration)
    }

    /// Earliest presentation time (the smallest decode time + composition offset), in the
    /// track's timescale. Saturating 64-bit arithmetic: 128-bit integers cost a kilobyte of
    /// wasm, and times near 2^63 ticks are not media.
    pub fn earliest_presentation(&self) -> i64 {
        self.start().saturating_add(self.presentation_start)
    }

    pub fn presentation_end(&self) -> i64 {
        self.start().saturating_add(self.presentation_end)
    }

    fn start(&self) -> i64 {
        i64::try_from(self.decode_start()).unwrap_or(i64::MAX)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moof {
    pub trafs: Vec<Traf>,
}

/// Read a `moof` box. Track defaults come from `init`; a track it does not know is an error.
pub fn read_moof(moof: &Mp4Box<'_>, init: &InitSegment) -> Result<Moof, BoxError> {
    let mut trafs = Vec::new();
    for traf in moof.children(0)? {
        let traf = traf?;
        if traf.kind == FourCc::new(b"traf") {
            trafs.push(read_traf(&traf, moof.offset, init)?);
        }
    }
    Ok(Moof { trafs })
}

/// What a `tfhd` (or else the `trex`) sets for the samples of its `traf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    pub duration: u32,
    pub size: u32,
    pub flags: u32,
}

/// One `trun` sample entry, the defaults filled in.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub duration: u32,
    pub size: u32,
    /// Composition offset (0 when the run has none).
    pub cto: i64,
}

/// A `trun`'s header: its flags, sample count, data_offset and first sample flags; `fields`
/// is left at the first sample entry, the count checked against the box.
pub struct TrunHead<'a> {
    pub flags: u32,
    pub count: u32,
    pub data_offset: Option<DataOffset>,
    pub first_flags: Option<u32>,
    pub fields: Fields<'a>,
}

pub fn trun_head<'a>(trun: &Mp4Box<'a>, moof_at: u64) -> Result<TrunHead<'a>, BoxError> {
    let (_, flags, mut f) = trun.full();
    let count = f.u32();
    let data_offset = if flags & TRUN_DATA_OFFSET != 0 {
        let at = (f.position() - moof_at) as usize;
        Some(DataOffset {
            value: f.u32() as i32,
            at,
        })
    } else {
        None
    };
    let first_flags = if flags & TRUN_FIRST_SAMPLE_FLAGS != 0 {
        Some(f.u32())
    } else {
        None
    };
    f.check()?;
    if u64::from(count) * entry_len(flags) > f.remaining() as u64 {
        return Err(f.error("sample count exceeds the box"));
    }
    Ok(TrunHead {
        flags,
        count,
        data_offset,
        first_flags,
        fields: f,
    })
}

/// Bytes per sample entry: 4 for each per-sample field present.
fn entry_len(flags: u32) -> u64 {
    4 * u64::from((flags & TRUN_SAMPLE_FIELDS).count_ones())
}

impl TrunHead<'_> {
    /// The next sample entry (in bounds: the count was checked against the box).
    pub fn entry(&mut self, d: &Defaults) -> Entry {
        let (flags, f) = (self.flags, &mut self.fields);
        let duration = if flags & TRUN_DURATION != 0 {
            f.u32()
        } else {
            d.duration
        };
        let size = if flags & TRUN_SIZE != 0 {
            f.u32()
        } else {
            d.size
        };
        if flags & TRUN_FLAGS != 0 {
            f.skip(4);
        }
        // Signed in version 1; read signed in version 0 too, as decoders do (a negative
        // offset written into a version-0 box is a common muxer slip).
        let cto = if flags & TRUN_COMPOSITION_OFFSET != 0 {
            i64::from(f.u32() as i32)
        } else {
            0
        };
        Entry {
            duration,
            size,
            cto,
        }
    }
}

fn read_traf(traf: &Mp4Box<'_>, moof_at: u64, init: &InitSegment) -> Result<Traf, BoxError> {
    let tfhd = traf.require(0, b"tfhd")?;
    let (_, tfhd_flags, mut f) = tfhd.full();
    let track_id = f.u32();
    f.check()?;
    let track = init.track(track_id).ok_or_else(|| {
        BoxError::malformed(tfhd.kind, tfhd.offset, "track not in the init segment")
    })?;
    let TrackDefaults {
        sample_duration,
        sample_size,
        sample_flags,
        ..
    } = track.defaults;
    if tfhd_flags & TFHD_BASE_DATA_OFFSET != 0 {
        f.skip(8);
    }
    if tfhd_flags & TFHD_SAMPLE_DESCRIPTION_INDEX != 0 {
        f.skip(4);
    }
    let mut d = Defaults {
        duration: sample_duration,
        size: sample_size,
        flags: sample_flags,
    };
    if tfhd_flags & TFHD_DEFAULT_DURATION != 0 {
        d.duration = f.u32();
    }
    if tfhd_flags & TFHD_DEFAULT_SIZE != 0 {
        d.size = f.u32();
    }
    if tfhd_flags & TFHD_DEFAULT_FLAGS != 0 {
        d.flags = f.u32();
    }
    f.check()?;

    let rel = |b: &Mp4Box<'_>| (b.offset - moof_at) as usize;
    let tfdt_box = traf.child(0, b"tfdt")?.ok_or_else(|| {
        BoxError::unsupported(
            traf.kind,
            traf.offset,
            "no tfdt (base media decode time) in the track fragment",
        )
    })?;
    let (version, _, mut f) = tfdt_box.full();
    let base_media_decode_time = match version {
        0 => u64::from(f.u32()),
        _ => f.u64(),
    };
    f.check()?;
    let mut t = Traf {
        track_id,
        handler: track.handler,
        timescale: track.timescale,
        at: rel(traf),
        tfhd_flags,
        tfdt: Tfdt {
            version,
            base_media_decode_time,
            at: rel(&tfdt_box),
            header_len: tfdt_box.header_len(),
        },
        defaults: d,
        runs: Vec::new(),
        has_saio: false,
        sample_count: 0,
        duration: 0,
        presentation_start: i64::MAX,
        presentation_end: 0,
        first_sync: None,
    };
    for b in traf.children(0)? {
        let b = b?;
        match b.kind {
            TRUN => read_trun(&b, &mut t, moof_at)?,
            SAIO => t.has_saio = true,
            _ => {}
        }
    }
    if t.sample_count == 0 {
        t.presentation_start = 0;
    }
    Ok(t)
}

/// Add one `trun`'s samples to the traf's sums.
fn read_trun(trun: &Mp4Box<'_>, t: &mut Traf, moof_at: u64) -> Result<(), BoxError> {
    let mut head = trun_head(trun, moof_at)?;
    let (flags, count, d) = (head.flags, head.count, t.defaults);
    let mut run = Run {
        at: (trun.offset - moof_at) as usize,
        data_offset: head.data_offset,
        data_size: 0,
    };
    if count > 0 && t.first_sync.is_none() {
        let first = match head.first_flags {
            Some(fl) => fl,
            None if flags & TRUN_FLAGS != 0 => {
                // The first entry's flags follow its duration and size, when present.
                let mut peek = head.fields.clone();
                let before =
                    u32::from(flags & TRUN_DURATION != 0) + u32::from(flags & TRUN_SIZE != 0);
                peek.skip(4 * before as usize);
                peek.u32()
            }
            None => d.flags,
        };
        t.first_sync = Some(first & NON_SYNC == 0);
    }
    // Decode time of this run's first sample, relative to the tfdt.
    let start = i64::try_from(t.duration).unwrap_or(i64::MAX);
    if entry_len(flags) == 0 {
        // Every sample takes the defaults: no composition offsets.
        let total = u64::from(count) * u64::from(d.duration);
        if count > 0 {
            t.presentation_start = t.presentation_start.min(start);
        }
        let end = start.saturating_add(i64::try_from(total).unwrap_or(i64::MAX));
        t.presentation_end = t.presentation_end.max(end);
        t.duration = t.duration.saturating_add(total);
        run.data_size = u64::from(count) * u64::from(d.size);
    } else {
        let mut dts = start;
        let mut first = t.presentation_start;
        let mut end = t.presentation_end;
        for _ in 0..count {
            let e = head.entry(&d);
            run.data_size += u64::from(e.size);
            first = first.min(dts.saturating_add(e.cto));
            let next = dts.saturating_add(i64::from(e.duration));
            end = end.max(next.saturating_add(e.cto));
            dts = next;
        }
        t.presentation_start = first;
        t.presentation_end = end;
        t.duration = u64::try_from(dts).unwrap_or(u64::MAX);
    }
    t.sample_count += u64::from(count);
    t.runs.push(run);
    Ok(())
}

/// Check that every run's samples lie in the fragment's `mdat` (`mdat`: its byte range from
/// the moof start; `moof_at`: where the moof is, for errors). Runs counted from an explicit
/// `tfhd` base_data_offset (a file position) are not checked.
pub fn check_sample_data(
    moof: &Moof,
    moof_at: u64,
    mdat: std::ops::Range<u64>,
) -> Result<(), BoxError> {
    let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    run_starts(moof, &mut |_, r, start| {
        let Some(start) = start else { return Ok(()) };
        let end = start.saturating_add(signed(r.data_size));
        let inside = signed(mdat.start) <= start && end <= signed(mdat.end);
        if !inside && r.data_size > 0 {
            return Err(BoxError::malformed(
                TRUN,
                moof_at + r.at as u64,
                "sample data outside the mdat body",
            ));
        }
        Ok(())
    })
}

/// What [`run_starts`] calls for each run: (traf index, run, start).
pub type RunVisitor<'a> = dyn FnMut(usize, &Run, Option<i64>) -> Result<(), BoxError> + 'a;

/// Calls `each(traf index, run, start)` for every run in order, `start` being where its
/// samples begin relative to the moof start (`None` for a traf whose `tfhd` gives an explicit
/// base_data_offset: a file position, unknown here).
pub fn run_starts(moof: &Moof, each: &mut RunVisitor<'_>) -> Result<(), BoxError> {
    let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    // Where the previous traf's data ended (the base of a traf without base flags).
    let mut prev_end: Option<i64> = Some(0);
    for (i, t) in moof.trafs.iter().enumerate() {
        if t.tfhd_flags & TFHD_BASE_DATA_OFFSET != 0 {
            for r in &t.runs {
                each(i, r, None)?;
            }
            prev_end = None;
            continue;
        }
        let from_moof = t.tfhd_flags & TFHD_DEFAULT_BASE_IS_MOOF != 0 || i == 0;
        let base = if from_moof { Some(0) } else { prev_end };
        let mut next = base;
        for r in &t.runs {
            let start = match (r.data_offset, base) {
                (Some(o), Some(b)) => Some(b.saturating_add(i64::from(o.value))),
                (Some(_), None) => None,
                (None, _) => next,
            };
            each(i, r, start)?;
            next = start.map(|s| s.saturating_add(signed(r.data_size)));
        }
        prev_end = next;
    }
    Ok(())
}
