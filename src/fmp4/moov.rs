//! The init segment (`ftyp` + `moov`, ISO/IEC 14496-12 §8.2-8.8): per track its id (`tkhd`),
//! handler (`hdlr`), timescale (`mdhd`), sample entry and codec string (`stsd`), and the
//! fragment defaults of `mvex`/`trex`.
use super::boxes::{BoxError, BoxFailure, Boxes, FourCc, Mp4Box, Problem};
use super::sample_entry::{codec_string, nal_format, NalFormat};
use crate::error::ErrorCategory;
use std::ops::Range;

const FTYP: FourCc = FourCc::new(b"ftyp");
const MOOV: FourCc = FourCc::new(b"moov");
const TRAK: FourCc = FourCc::new(b"trak");
const MVEX: FourCc = FourCc::new(b"mvex");
const TREX: FourCc = FourCc::new(b"trex");
const VIDE: FourCc = FourCc::new(b"vide");
const SOUN: FourCc = FourCc::new(b"soun");

/// What a track carries (`hdlr` handler_type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    Video,
    Audio,
    /// Subtitles, metadata and the rest: kept for their timescale, no codec string.
    Other(FourCc),
}

/// A track's fragment defaults (`trex`, §8.8.3), used where `tfhd` and `trun` say nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackDefaults {
    pub sample_description_index: u32,
    pub sample_duration: u32,
    pub sample_size: u32,
    pub sample_flags: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitTrack {
    pub track_id: u32,
    pub handler: Handler,
    /// `mdhd` units per second (never 0).
    pub timescale: u32,
    /// The first sample entry's type as written (`encv` when protected).
    pub sample_entry: FourCc,
    /// RFC 6381 codec string (video and audio tracks only).
    pub codec: Option<String>,
    /// How an H.264 / HEVC track's samples delimit their NAL units (for the captions in SEI).
    pub nal: Option<NalFormat>,
    pub defaults: TrackDefaults,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitSegment {
    pub tracks: Vec<InitTrack>,
    /// Where `ftyp` (if any) and `moov` are in the bytes read.
    pub ftyp: Option<Range<usize>>,
    pub moov: Range<usize>,
}

impl InitSegment {
    pub fn track(&self, track_id: u32) -> Option<&InitTrack> {
        self.tracks.iter().find(|t| t.track_id == track_id)
    }
}

/// Read an init segment. Top-level boxes other than `ftyp` and `moov` are skipped.
pub fn read_init(init: &[u8]) -> Result<InitSegment, BoxError> {
    let mut ftyp = None;
    let mut moov = None;
    for b in Boxes::new(init, 0) {
        let b = b?;
        let range = b.offset as usize..b.offset as usize + b.bytes().len();
        match b.kind {
            FTYP if ftyp.is_none() => ftyp = Some(range),
            MOOV if moov.is_none() => moov = Some((b, range)),
            _ => {}
        }
    }
    let Some((moov, range)) = moov else {
        return Err(BoxFailure {
            category: ErrorCategory::Malformed,
            kind: None,
            offset: 0,
            what: Problem::NoMoov { len: init.len() },
        }
        .into());
    };
    let mut tracks: Vec<InitTrack> = Vec::new();
    let mut mvex = None;
    for b in moov.children(0)? {
        let b = b?;
        match b.kind {
            TRAK => {
                let t = read_trak(&b)?;
                if tracks.iter().any(|o| o.track_id == t.track_id) {
                    return Err(BoxError::malformed(
                        b.kind,
                        b.offset,
                        "track id appears twice",
                    ));
                }
                tracks.push(t);
            }
            MVEX => mvex = Some(b),
            _ => {}
        }
    }
    if let Some(mvex) = mvex {
        for trex in mvex.children(0)? {
            let trex = trex?;
            if trex.kind != TREX {
                continue;
            }
            let (_, _, mut f) = trex.full();
            let id = f.u32();
            let defaults = TrackDefaults {
                sample_description_index: f.u32(),
                sample_duration: f.u32(),
                sample_size: f.u32(),
                sample_flags: f.u32(),
            };
            f.check()?;
            if let Some(t) = tracks.iter_mut().find(|t| t.track_id == id) {
                t.defaults = defaults;
            }
        }
    }
    Ok(InitSegment {
        tracks,
        ftyp,
        moov: range,
    })
}

fn read_trak(trak: &Mp4Box<'_>) -> Result<InitTrack, BoxError> {
    let track_id = after_times(&trak.find(&[b"tkhd"])?)?;
    let mdhd = trak.find(&[b"mdia", b"mdhd"])?;
    let timescale = after_times(&mdhd)?;
    if timescale == 0 {
        return Err(BoxError::malformed(
            mdhd.kind,
            mdhd.offset,
            "timescale is 0",
        ));
    }

    let (_, _, mut f) = trak.find(&[b"mdia", b"hdlr"])?.full();
    f.skip(4); // pre_defined
    let handler_type = f.fourcc();
    f.check()?;
    let handler = match handler_type {
        VIDE => Handler::Video,
        SOUN => Handler::Audio,
        other => Handler::Other(other),
    };

    let stsd = trak.find(&[b"mdia", b"minf", b"stbl", b"stsd"])?;
    // Full box header, then entry_count.
    let entry = stsd
        .children(8)?
        .next()
        .transpose()?
        .ok_or_else(|| BoxError::malformed(stsd.kind, stsd.offset, "no sample entry"))?;
    let codec = match handler {
        Handler::Other(_) => None,
        _ => Some(codec_string(&entry, handler == Handler::Video)?),
    };
    let nal = match handler {
        Handler::Video => nal_format(&entry)?,
        _ => None,
    };
    Ok(InitTrack {
        track_id,
        handler,
        timescale,
        sample_entry: entry.kind,
        codec,
        nal,
        defaults: TrackDefaults::default(),
    })
}

/// The 32-bit field after a full box's creation and modification times (4 bytes each in
/// version 0, 8 in version 1): tkhd's track_ID, mdhd's timescale.
fn after_times(b: &Mp4Box<'_>) -> Result<u32, BoxError> {
    let (version, _, mut f) = b.full();
    f.skip(if version == 1 { 16 } else { 8 });
    let value = f.u32();
    f.check()?;
    Ok(value)
}
