//! The RFC 6381 codec string of a sample entry (`stsd` child), from its codec configuration
//! box: `avcC` (ISO/IEC 14496-15 §5.3.3), `hvcC` (§8.3.3, string per Annex E), `esds`
//! (ISO/IEC 14496-1 §7.2.6, the AudioSpecificConfig of 14496-3 §1.6.2.1), Opus, AC-3 and
//! E-AC-3. Protected entries (`encv`/`enca`) name their original format in `sinf`/`frma`.
use super::boxes::{BoxError, Fields, FourCc, Mp4Box};
use std::fmt::Write;

const ENCV: FourCc = FourCc::new(b"encv");
const ENCA: FourCc = FourCc::new(b"enca");
const AVC1: FourCc = FourCc::new(b"avc1");
const AVC3: FourCc = FourCc::new(b"avc3");
const HVC1: FourCc = FourCc::new(b"hvc1");
const HEV1: FourCc = FourCc::new(b"hev1");
const MP4A: FourCc = FourCc::new(b"mp4a");
const OPUS: FourCc = FourCc::new(b"Opus");
const AC_3: FourCc = FourCc::new(b"ac-3");
const EC_3: FourCc = FourCc::new(b"ec-3");

/// Bytes of a VisualSampleEntry before its child boxes (14496-12 §12.1.3).
const VISUAL_FIELDS: usize = 78;
/// Bytes of an AudioSampleEntry before its child boxes (14496-12 §12.2.3).
const AUDIO_FIELDS: usize = 28;

/// The codec string of `entry`, a sample entry of a video (`video == true`) or audio track.
pub fn codec_string(entry: &Mp4Box<'_>, video: bool) -> Result<String, BoxError> {
    let skip = if video {
        VISUAL_FIELDS
    } else {
        audio_fields(entry)?
    };
    let mut format = entry.kind;
    if matches!(format, ENCV | ENCA) {
        let sinf = entry.require(skip, b"sinf")?;
        let mut frma = sinf.require(0, b"frma")?.fields();
        format = frma.fourcc();
        frma.check()?;
    }
    match format {
        AVC1 | AVC3 => {
            let avcc = entry.require(skip, b"avcC")?;
            let mut f = avcc.fields();
            f.skip(1); // configurationVersion
            let p = f.take(3); // profile, compatibility and level
            f.check()?;
            let mut s = format.to_string();
            s.push('.');
            for b in p {
                let _ = write!(s, "{b:02x}");
            }
            Ok(s)
        }
        HVC1 | HEV1 => hevc(&format, &entry.require(skip, b"hvcC")?),
        MP4A => mp4a(&entry.require(skip, b"esds")?),
        OPUS => Ok("opus".to_string()),
        AC_3 | EC_3 => Ok(format.to_string()),
        // Named by its format (`frma` of a protected entry), where the entry starts.
        _ => Err(BoxError::unsupported(
            format,
            entry.offset,
            "sample entry of a codec this player does not support",
        )),
    }
}

/// How the samples of an H.264 or HEVC entry carry their NAL units: each one behind a
/// big-endian length of `length_size` bytes (14496-15 §5.3.2.1, §8.3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NalFormat {
    pub length_size: u8,
    pub hevc: bool,
}

/// The NAL format of a clear `avc1`/`avc3`/`hvc1`/`hev1` entry (`None` for other entries, and
/// for protected ones, whose samples are not read here).
pub fn nal_format(entry: &Mp4Box<'_>) -> Result<Option<NalFormat>, BoxError> {
    // lengthSizeMinusOne: the low 2 bits of avcC's byte 4 and of hvcC's byte 21.
    let (config, at, hevc) = match entry.kind {
        AVC1 | AVC3 => (b"avcC", 4, false),
        HVC1 | HEV1 => (b"hvcC", 21, true),
        _ => return Ok(None),
    };
    let mut f = entry.require(VISUAL_FIELDS, config)?.fields();
    f.skip(at);
    let length_size = (f.u8() & 3) + 1;
    f.check()?;
    Ok(Some(NalFormat { length_size, hevc }))
}

/// The fields of an AudioSampleEntry: 28 bytes, plus 16 (QuickTime version 1) or 36 (version 2)
/// when the entry version says so.
fn audio_fields(entry: &Mp4Box<'_>) -> Result<usize, BoxError> {
    let mut f = entry.fields();
    f.skip(8); // reserved and data_reference_index
    let version = f.u16();
    f.check()?;
    Ok(match version {
        1 => AUDIO_FIELDS + 16,
        2 => AUDIO_FIELDS + 36,
        _ => AUDIO_FIELDS,
    })
}

/// `hvc1.A1.6.L93.B0`: profile space + profile, compatibility flags bit-reversed in hex, tier
/// + level, constraint bytes without the trailing zero ones (14496-15 Annex E.3).
fn hevc(format: &FourCc, hvcc: &Mp4Box<'_>) -> Result<String, BoxError> {
    let mut f = hvcc.fields();
    f.skip(1); // configurationVersion
    let b = f.u8(); // general_profile_space, tier and profile
    let compat = f.u32(); // general_profile_compatibility_flags
    let constraints = f.take(6); // general_constraint_indicator_flags
    let level = f.u8(); // general_level_idc
    f.check()?;
    let mut s = format!("{format}.");
    if let Some(space) = [None, Some('A'), Some('B'), Some('C')]
        .get(usize::from(b >> 6))
        .copied()
        .flatten()
    {
        s.push(space);
    }
    let _ = write!(s, "{}.{:X}.", b & 0x1F, compat.reverse_bits());
    // Pushed, not formatted: a `char` argument brings its own Display code.
    s.push(if b & 0x20 != 0 { 'H' } else { 'L' });
    let _ = write!(s, "{level}");
    let used = constraints
        .iter()
        .rposition(|&c| c != 0)
        .map_or(0, |i| i + 1);
    for c in constraints.iter().take(used) {
        let _ = write!(s, ".{c:02X}");
    }
    Ok(s)
}

/// `mp4a.40.<audio object type>` for MPEG-4 audio, else `mp4a.<objectTypeIndication>` (e.g.
/// `mp4a.6B` for MPEG-1 audio, `mp4a.69` for MPEG-2 audio).
fn mp4a(esds: &Mp4Box<'_>) -> Result<String, BoxError> {
    let (_, _, mut f) = esds.full();
    descriptor(&mut f, 0x03)?; // ES_Descriptor
    f.skip(2); // ES_ID
    let flags = f.u8();
    if flags & 0x80 != 0 {
        f.skip(2); // dependsOn_ES_ID
    }
    if flags & 0x40 != 0 {
        let n = f.u8(); // URLlength
        f.skip(usize::from(n));
    }
    if flags & 0x20 != 0 {
        f.skip(2); // OCR_ES_Id
    }
    descriptor(&mut f, 0x04)?; // DecoderConfigDescriptor
    let oti = f.u8(); // objectTypeIndication
    f.skip(12); // streamType, bufferSizeDB and bitrates
    f.check()?;
    if oti != 0x40 {
        return Ok(format!("mp4a.{oti:02X}"));
    }
    // The AudioSpecificConfig is optional in the syntax; without it the object type is unknown.
    if f.remaining() == 0 || descriptor(&mut f, 0x05).is_err() {
        return Ok("mp4a.40".to_string());
    }
    let asc = f.u16(); // AudioSpecificConfig
    f.check()?;
    let mut aot = asc >> 11;
    if aot == 31 {
        aot = 32 + ((asc >> 5) & 0x3F);
    }
    Ok(format!("mp4a.40.{aot}"))
}

/// A descriptor header (tag, then a length of up to four 7-bit groups, 14496-1 §8.3.3): checks
/// the tag and that the length fits; the cursor is left at the descriptor's body.
fn descriptor(f: &mut Fields<'_>, tag: u8) -> Result<(), BoxError> {
    let found = f.u8();
    f.check()?;
    if found != tag {
        return Err(f.error("a descriptor has an unexpected tag"));
    }
    let mut len = 0usize;
    for _ in 0..4 {
        let b = f.u8();
        len = (len << 7) | usize::from(b & 0x7F);
        if b & 0x80 == 0 {
            break;
        }
    }
    f.check()?;
    if len > f.remaining() {
        return Err(f.error("a descriptor's length runs past the end of the box"));
    }
    Ok(())
}
