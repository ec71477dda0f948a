//! Fragmented MP4 writer (ISO/IEC 14496-12, -14, -15) for Media Source Extensions: an init
//! segment (`ftyp` + `moov` with `mvex`) and media fragments (`moof` + `mdat`).
//!
//! Each box is a small function appending to a `Vec<u8>`; sizes are patched after the body is
//! written. Fragment sizes are computed up front so the output buffer is allocated once.
//!
//! The reader of fMP4 segments (HLS with `EXT-X-MAP`) sits beside the writer: `boxes` (box
//! headers and fields), `moov` + `sample_entry` (init segment, codec strings), `moof`
//! (fragments), `tfdt` (moving a fragment on the timeline), `segment` (top-level boxes of a
//! segment as it arrives), `stpp` (the samples of a TTML subtitle track).
pub mod boxes;
pub mod moof;
pub mod moov;
pub mod sample_entry;
pub mod samples;
pub mod segment;
pub mod stpp;
pub mod tfdt;

use crate::ts::audio::{AudioCodec, AudioConfig};
use crate::ts::h264::SpsInfo;
pub use boxes::{BoxError, FourCc};

/// `sample_depends_on = 2` (an I/IDR picture or audio frame): a sync sample.
pub const FLAGS_SYNC: u32 = 0x0200_0000;
/// `sample_depends_on = 1`, `sample_is_non_sync_sample = 1`.
pub const FLAGS_NON_SYNC: u32 = 0x0101_0000;

pub enum SampleEntry<'a> {
    /// `avc1` with `avcC` built from the raw parameter set NAL units.
    Avc {
        sps: &'a [u8],
        pps: &'a [Vec<u8>],
        info: &'a SpsInfo,
    },
    /// `mp4a` with `esds` (AAC: AudioSpecificConfig; MPEG audio: object type 0x6B/0x69).
    Audio { config: &'a AudioConfig },
}

pub struct TrackInit<'a> {
    pub track_id: u32,
    pub timescale: u32,
    pub entry: SampleEntry<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub duration: u32,
    pub size: u32,
    pub flags: u32,
    /// Composition offset (PTS - DTS), signed (trun version 1).
    pub cto: i32,
}

pub struct TrackFragment<'a> {
    pub track_id: u32,
    pub base_decode_time: u64,
    pub samples: &'a [Sample],
    /// The samples' bytes, concatenated from these pieces in order.
    pub data: &'a [&'a [u8]],
}

fn begin(out: &mut Vec<u8>, kind: &[u8; 4]) -> usize {
    let at = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(kind);
    at
}

fn begin_full(out: &mut Vec<u8>, kind: &[u8; 4], version: u8, flags: u32) -> usize {
    let at = begin(out, kind);
    out.extend_from_slice(&((u32::from(version) << 24) | (flags & 0x00FF_FFFF)).to_be_bytes());
    at
}

fn end(out: &mut [u8], at: usize) {
    let size = (out.len() - at) as u32;
    put(out, at, &size.to_be_bytes());
}

/// Overwrite the bytes at `out[at..]` (box sizes here, tfdt values and data offsets in
/// `tfdt.rs`); nothing is written where `bytes` would not fit.
fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(slot) = out.get_mut(at..at + bytes.len()) {
        slot.copy_from_slice(bytes);
    }
}

fn u16be(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn u32be(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

/// Write an init segment for `tracks` (track ids must be distinct and non-zero).
pub fn write_init(out: &mut Vec<u8>, tracks: &[TrackInit<'_>]) {
    let ftyp = begin(out, b"ftyp");
    out.extend_from_slice(b"isom");
    u32be(out, 1);
    for brand in [b"isom", b"iso6", b"avc1", b"mp41"] {
        out.extend_from_slice(brand);
    }
    end(out, ftyp);

    let moov = begin(out, b"moov");
    let mvhd = begin_full(out, b"mvhd", 0, 0);
    u32be(out, 0); // creation_time
    u32be(out, 0); // modification_time
    u32be(out, 1000); // timescale
    u32be(out, 0); // duration: unknown, fragments follow
    u32be(out, 0x0001_0000); // rate 1.0
    u16be(out, 0x0100); // volume 1.0
    out.extend_from_slice(&[0; 10]);
    for m in MATRIX {
        u32be(out, m);
    }
    out.extend_from_slice(&[0; 24]); // pre_defined
    let next_id = tracks.iter().map(|t| t.track_id).max().unwrap_or(0) + 1;
    u32be(out, next_id);
    end(out, mvhd);
    for track in tracks {
        write_trak(out, track);
    }
    let mvex = begin(out, b"mvex");
    for track in tracks {
        let trex = begin_full(out, b"trex", 0, 0);
        u32be(out, track.track_id);
        u32be(out, 1); // default_sample_description_index
        u32be(out, 0); // default_sample_duration
        u32be(out, 0); // default_sample_size
        u32be(out, 0); // default_sample_flags
        end(out, trex);
    }
    end(out, mvex);
    end(out, moov);
}

fn write_trak(out: &mut Vec<u8>, t: &TrackInit<'_>) {
    let is_video = matches!(t.entry, SampleEntry::Avc { .. });
    let trak = begin(out, b"trak");
    // tkhd flags: track_enabled | track_in_movie.
    let tkhd = begin_full(out, b"tkhd", 0, 3);
    u32be(out, 0);
    u32be(out, 0);
    u32be(out, t.track_id);
    u32be(out, 0); // reserved
    u32be(out, 0); // duration
    out.extend_from_slice(&[0; 8]);
    u16be(out, 0); // layer
    u16be(out, 0); // alternate_group
    u16be(out, if is_video { 0 } else { 0x0100 });
    u16be(out, 0);
    for m in MATRIX {
        u32be(out, m);
    }
    let (w, h) = match &t.entry {
        SampleEntry::Avc { info, .. } => {
            // Display width carries the sample aspect ratio.
            let (sn, sd) = (u64::from(info.sar.0.max(1)), u64::from(info.sar.1.max(1)));
            let w = (u64::from(info.width) * sn / sd).min(0xFFFF) as u32;
            (w, info.height.min(0xFFFF))
        }
        SampleEntry::Audio { .. } => (0, 0),
    };
    u32be(out, w << 16);
    u32be(out, h << 16);
    end(out, tkhd);

    let mdia = begin(out, b"mdia");
    let mdhd = begin_full(out, b"mdhd", 0, 0);
    u32be(out, 0);
    u32be(out, 0);
    u32be(out, t.timescale);
    u32be(out, 0);
    u16be(out, 0x55C4); // language "und"
    u16be(out, 0);
    end(out, mdhd);
    let hdlr = begin_full(out, b"hdlr", 0, 0);
    u32be(out, 0);
    out.extend_from_slice(if is_video { b"vide" } else { b"soun" });
    out.extend_from_slice(&[0; 12]);
    out.extend_from_slice(if is_video {
        b"VideoHandler\0"
    } else {
        b"SoundHandler\0"
    });
    end(out, hdlr);

    let minf = begin(out, b"minf");
    if is_video {
        let vmhd = begin_full(out, b"vmhd", 0, 1);
        out.extend_from_slice(&[0; 8]);
        end(out, vmhd);
    } else {
        let smhd = begin_full(out, b"smhd", 0, 0);
        out.extend_from_slice(&[0; 4]);
        end(out, smhd);
    }
    let dinf = begin(out, b"dinf");
    let dref = begin_full(out, b"dref", 0, 0);
    u32be(out, 1);
    let url = begin_full(out, b"url ", 0, 1); // self-contained
    end(out, url);
    end(out, dref);
    end(out, dinf);

    let stbl = begin(out, b"stbl");
    let stsd = begin_full(out, b"stsd", 0, 0);
    u32be(out, 1);
    match &t.entry {
        SampleEntry::Avc { sps, pps, info } => write_avc1(out, sps, pps, info),
        SampleEntry::Audio { config } => write_mp4a(out, config),
    }
    end(out, stsd);
    for kind in [b"stts", b"stsc", b"stco"] {
        let b = begin_full(out, kind, 0, 0);
        u32be(out, 0);
        end(out, b);
    }
    let stsz = begin_full(out, b"stsz", 0, 0);
    u32be(out, 0);
    u32be(out, 0);
    end(out, stsz);
    end(out, stbl);
    end(out, minf);
    end(out, mdia);
    end(out, trak);
}

fn write_avc1(out: &mut Vec<u8>, sps: &[u8], pps: &[Vec<u8>], info: &SpsInfo) {
    let avc1 = begin(out, b"avc1");
    out.extend_from_slice(&[0; 6]);
    u16be(out, 1); // data_reference_index
    out.extend_from_slice(&[0; 16]);
    u16be(out, info.width.min(0xFFFF) as u16);
    u16be(out, info.height.min(0xFFFF) as u16);
    u32be(out, 0x0048_0000); // 72 dpi
    u32be(out, 0x0048_0000);
    u32be(out, 0);
    u16be(out, 1); // frame_count
    out.extend_from_slice(&[0; 32]); // compressorname
    u16be(out, 0x0018);
    u16be(out, 0xFFFF);

    let avcc = begin(out, b"avcC");
    out.push(1);
    out.extend_from_slice(&[info.profile_idc, info.constraint_flags, info.level_idc]);
    out.push(0xFF); // 4-byte NAL lengths
    out.push(0xE1); // one SPS
    u16be(out, sps.len().min(0xFFFF) as u16);
    out.extend_from_slice(sps.get(..sps.len().min(0xFFFF)).unwrap_or(&[]));
    let pps = pps.get(..pps.len().min(31)).unwrap_or(&[]);
    out.push(pps.len() as u8);
    for p in pps {
        u16be(out, p.len().min(0xFFFF) as u16);
        out.extend_from_slice(p.get(..p.len().min(0xFFFF)).unwrap_or(&[]));
    }
    // 14496-15 §5.3.3.1.2: the extension for the High profiles.
    if matches!(info.profile_idc, 100 | 110 | 122 | 144) {
        out.push(0xFC | (info.chroma_format_idc & 3) as u8);
        out.push(0xF8 | (info.bit_depth_luma.saturating_sub(8) & 7) as u8);
        out.push(0xF8 | (info.bit_depth_chroma.saturating_sub(8) & 7) as u8);
        out.push(0);
    }
    end(out, avcc);
    if info.sar != (1, 1) {
        let pasp = begin(out, b"pasp");
        u32be(out, info.sar.0);
        u32be(out, info.sar.1);
        end(out, pasp);
    }
    end(out, avc1);
}

fn write_mp4a(out: &mut Vec<u8>, c: &AudioConfig) {
    let mp4a = begin(out, b"mp4a");
    out.extend_from_slice(&[0; 6]);
    u16be(out, 1);
    out.extend_from_slice(&[0; 8]);
    u16be(out, c.channels);
    u16be(out, 16);
    u32be(out, 0);
    // 16.16 fixed point: rates above 65535 Hz do not fit; the decoder config has the real rate.
    u32be(
        out,
        if c.sample_rate <= 0xFFFF {
            c.sample_rate << 16
        } else {
            0
        },
    );

    let esds = begin_full(out, b"esds", 0, 0);
    let asc = c.audio_specific_config();
    let (oti, dsi): (u8, &[u8]) = match (&c.codec, asc.as_ref()) {
        (AudioCodec::Aac { .. }, Some(a)) => (0x40, a),
        (AudioCodec::Mpeg { mpeg1: true, .. }, _) => (0x6B, &[]),
        _ => (0x69, &[]),
    };
    let dsi_len = if dsi.is_empty() { 0 } else { 2 + dsi.len() };
    let dcd_len = 13 + dsi_len;
    let es_len = 3 + 2 + dcd_len + 3;
    out.extend_from_slice(&[0x03, es_len as u8]);
    u16be(out, 0); // ES_ID
    out.push(0); // flags
    out.extend_from_slice(&[0x04, dcd_len as u8, oti, 0x15]); // streamType audio (5), upstream 0, reserved 1
    out.extend_from_slice(&[0, 0, 0]); // bufferSizeDB
    u32be(out, 0); // maxBitrate
    u32be(out, 0); // avgBitrate
    if !dsi.is_empty() {
        out.extend_from_slice(&[0x05, dsi.len() as u8]);
        out.extend_from_slice(dsi);
    }
    out.extend_from_slice(&[0x06, 1, 0x02]); // SLConfigDescriptor: predefined MP4
    end(out, esds);
    end(out, mp4a);
}

const MFHD_SIZE: usize = 16;
const TRAF_FIXED: usize = 8 + 16 + 20 + 20;
const TRUN_ENTRY: usize = 16;

/// Size of the `moof` box for these tracks.
pub fn moof_size(tracks: &[TrackFragment<'_>]) -> usize {
    8 + MFHD_SIZE
        + tracks
            .iter()
            .map(|t| TRAF_FIXED + TRUN_ENTRY * t.samples.len())
            .sum::<usize>()
}

/// Total bytes `write_fragment` appends.
pub fn fragment_size(tracks: &[TrackFragment<'_>]) -> usize {
    let data: usize = tracks
        .iter()
        .flat_map(|t| t.data.iter())
        .map(|d| d.len())
        .sum();
    moof_size(tracks) + 8 + data
}

/// Append one `moof` + `mdat`: a `traf` per track (tfhd default-base-is-moof, tfdt v1, trun v1),
/// the tracks' bytes in one `mdat` in the same order.
pub fn write_fragment(out: &mut Vec<u8>, sequence: u32, tracks: &[TrackFragment<'_>]) {
    out.reserve(fragment_size(tracks));
    let moof_len = moof_size(tracks);
    let moof = begin(out, b"moof");
    let mfhd = begin_full(out, b"mfhd", 0, 0);
    u32be(out, sequence);
    end(out, mfhd);
    let mut data_offset = moof_len + 8;
    for t in tracks {
        let traf = begin(out, b"traf");
        let tfhd = begin_full(out, b"tfhd", 0, moof::TFHD_DEFAULT_BASE_IS_MOOF);
        u32be(out, t.track_id);
        end(out, tfhd);
        let tfdt = begin_full(out, b"tfdt", 1, 0);
        out.extend_from_slice(&t.base_decode_time.to_be_bytes());
        end(out, tfdt);
        // data-offset, duration, size, flags, composition offset present.
        let trun = begin_full(
            out,
            b"trun",
            1,
            moof::TRUN_DATA_OFFSET | moof::TRUN_SAMPLE_FIELDS,
        );
        u32be(out, t.samples.len() as u32);
        u32be(out, data_offset as u32);
        for s in t.samples {
            u32be(out, s.duration);
            u32be(out, s.size);
            u32be(out, s.flags);
            out.extend_from_slice(&s.cto.to_be_bytes());
        }
        end(out, trun);
        end(out, traf);
        data_offset += t.data.iter().map(|d| d.len()).sum::<usize>();
    }
    end(out, moof);
    let mdat_len = data_offset - moof_len;
    u32be(out, mdat_len as u32);
    out.extend_from_slice(b"mdat");
    for t in tracks {
        for d in t.data {
            out.extend_from_slice(d);
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
