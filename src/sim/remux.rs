//! A remuxer for the simulator: segment bytes carry a tiny header (duration); the output is a
//! fragment of the same length whose header records its media range, so the simulated
//! SourceBuffer knows what got buffered.

use crate::engine::{
    RemuxFailure, RemuxOutput, SegmentInfo, SegmentRemuxer, TrackKind, TrackOutput,
};
use crate::error::ErrorCategory;

const SEGMENT_MAGIC: &[u8; 4] = b"SIMS";
/// A video-only segment (a variant whose audio is in renditions of its own).
const VIDEO_MAGIC: &[u8; 4] = b"SIMV";
/// An audio-only segment (an alternate audio rendition's).
const AUDIO_MAGIC: &[u8; 4] = b"SIMA";
/// An HE-AAC audio-only segment (low rungs of some ladders).
const HE_AAC_MAGIC: &[u8; 4] = b"SIMH";
const DATA_MAGIC: &[u8; 4] = b"SIMD";
const INIT_MAGIC: &[u8; 4] = b"SIMI";

/// Header: magic, duration (f64), size (u64).
const HEADER: usize = 20;
/// A streamed segment gives a fragment per this share of its bytes (a GOP of a 10 s segment
/// with 2 s GOPs).
const GOP_SHARE: f64 = 0.2;

/// Segment bytes of `size` (at least the 20-byte header) for a segment of `duration` seconds.
pub fn segment_bytes(size: u64, duration: f64) -> Vec<u8> {
    media_bytes(SEGMENT_MAGIC, size, duration)
}

/// The same for a video-only segment: it remuxes to a video SourceBuffer.
pub fn video_segment_bytes(size: u64, duration: f64) -> Vec<u8> {
    media_bytes(VIDEO_MAGIC, size, duration)
}

/// The same for an audio-only segment: it remuxes to an audio SourceBuffer.
pub fn audio_segment_bytes(size: u64, duration: f64) -> Vec<u8> {
    media_bytes(AUDIO_MAGIC, size, duration)
}

/// The same for an HE-AAC audio-only segment (`mp4a.40.5`).
pub fn he_aac_segment_bytes(size: u64, duration: f64) -> Vec<u8> {
    media_bytes(HE_AAC_MAGIC, size, duration)
}

/// An init segment's bytes (EXT-X-MAP): its URL, so a test can tell which one was pushed.
pub fn init_bytes(url: &str) -> Vec<u8> {
    let mut v = b"SIMM".to_vec();
    v.extend_from_slice(url.as_bytes());
    v
}

fn media_bytes(magic: &[u8; 4], size: u64, duration: f64) -> Vec<u8> {
    let mut v = vec![0u8; (size as usize).max(HEADER)];
    put(&mut v, 0, magic);
    put(&mut v, 4, &duration.to_le_bytes());
    let len = v.len() as u64;
    put(&mut v, 12, &len.to_le_bytes());
    v
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = buf.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn f64_at(b: &[u8], at: usize) -> Option<f64> {
    let s: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(f64::from_le_bytes(s))
}

/// What an appended buffer holds: `None` for an init segment, else the media range.
pub fn appended_range(data: &[u8]) -> Result<Option<(f64, f64)>, String> {
    match data.get(..4) {
        Some(m) if m == INIT_MAGIC => Ok(None),
        Some(m) if m == DATA_MAGIC => match (f64_at(data, 4), f64_at(data, 12)) {
            (Some(s), Some(e)) => Ok(Some((s, e))),
            _ => Err("short fragment".into()),
        },
        _ => Err("not a simulator fragment".into()),
    }
}

/// A segment pushed in chunks: its header, bytes received and bytes already emitted.
#[derive(Debug, Default, Clone)]
struct Partial {
    header: Vec<u8>,
    received: u64,
    emitted: u64,
}

#[derive(Debug, Default, Clone)]
pub struct SimRemuxer {
    init_sent: bool,
    partial: Option<Partial>,
    /// Segments given up part way (`abort_segment`).
    pub aborts: u64,
    /// Fragments emitted before their segment was complete.
    pub early_fragments: u64,
    pub pushes: u64,
    pub resets: u64,
    pub last_info: Option<SegmentInfo>,
    pub discontinuities: u64,
    pub rendition_switches: u64,
    pub non_contiguous: u64,
    /// Offsets imposed by the engine (`impose_timeline_offset`), in order.
    pub imposed: Vec<f64>,
    /// The mapping: imposed, else 0 (the simulator's media time is the playlist's).
    offset: Option<f64>,
    /// Init segments given by the engine (`push_init`), in order.
    pub inits: Vec<Vec<u8>>,
    /// Muxed segments (`SIMS`) give a video and an audio track, as the real transmuxer does
    /// for separate SourceBuffers, instead of one combined track.
    pub split: bool,
    /// An early output ends inside a fragment, as the fMP4 passthrough's do (see
    /// [`SegmentRemuxer::mid_fragment`]).
    pub mid_fragments: bool,
    /// CEA-608 pairs of the simulated video, on the playlist timeline: each output carries
    /// those whose time falls in its span, as the transmuxer hands them on.
    pub captions: Vec<crate::remux::CcData>,
}

impl SimRemuxer {
    pub fn with_mid_fragments(mid_fragments: bool) -> Self {
        SimRemuxer {
            mid_fragments,
            ..SimRemuxer::default()
        }
    }
}

impl SegmentRemuxer for SimRemuxer {
    fn push(&mut self, data: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let kind = kind_of(data)?;
        let duration = f64_at(data, 4)
            .ok_or_else(|| RemuxFailure::new(ErrorCategory::Malformed, "short segment"))?;
        self.pushes += 1;
        self.offset.get_or_insert(0.0);
        self.discontinuities += u64::from(info.discontinuity);
        self.rendition_switches += u64::from(info.rendition_switch);
        self.non_contiguous += u64::from(info.non_contiguous);
        self.last_info = Some(*info);
        let mut out = vec![0u8; data.len().max(20)];
        put(&mut out, 0, DATA_MAGIC);
        put(&mut out, 4, &info.start.to_le_bytes());
        put(&mut out, 12, &(info.start + duration).to_le_bytes());
        let init = (!self.init_sent).then(|| INIT_MAGIC.to_vec());
        self.init_sent = true;
        Ok(RemuxOutput {
            tracks: self.tracks(kind, init, out),
            start: info.start,
            end: info.start + duration,
            warnings: Vec::new(),
            captions: self.captions_in(info.start, info.start + duration),
        })
    }

    fn push_init(&mut self, init: &[u8]) -> Result<(), RemuxFailure> {
        self.inits.push(init.to_vec());
        self.init_sent = false;
        Ok(())
    }

    fn timeline_offset(&self) -> Option<f64> {
        self.offset
    }

    fn impose_timeline_offset(&mut self, offset: f64) {
        self.imposed.push(offset);
        self.offset = Some(offset);
    }

    fn reset(&mut self) {
        self.init_sent = false;
        self.partial = None;
        self.resets += 1;
    }

    fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxFailure> {
        let p = self.partial.get_or_insert_with(Partial::default);
        let need = HEADER.saturating_sub(p.header.len()).min(data.len());
        p.header.extend_from_slice(data.get(..need).unwrap_or(&[]));
        p.received += data.len() as u64;
        if p.header.len() < HEADER {
            return Ok(None);
        }
        let (duration, size, kind) = header(&p.header)?;
        let (from, to) = (p.emitted, p.received.min(size));
        if ((to - from) as f64) < GOP_SHARE * size as f64 || to >= size {
            return Ok(None);
        }
        p.emitted = to;
        self.early_fragments += 1;
        Ok(Some(self.fragment(info, kind, duration, size, from, to)))
    }

    fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxFailure> {
        let p = self.partial.take().unwrap_or_default();
        let (duration, size, kind) = header(&p.header)?;
        Ok(self.fragment(info, kind, duration, size, p.emitted, size))
    }

    fn mid_fragment(&self) -> bool {
        self.mid_fragments && self.partial.as_ref().is_some_and(|p| p.emitted > 0)
    }

    fn abort_segment(&mut self) {
        if self.partial.take().is_some() {
            self.aborts += 1;
        }
    }

    fn fresh(&self) -> Self {
        SimRemuxer {
            split: self.split,
            mid_fragments: self.mid_fragments,
            ..SimRemuxer::default()
        }
    }
}

/// What a simulated segment holds: its SourceBuffer kind and codecs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Media {
    kind: TrackKind,
    codecs: &'static str,
}

const MUXED: Media = Media {
    kind: TrackKind::Combined,
    codecs: "avc1.4d401e,mp4a.40.2",
};
const VIDEO: Media = Media {
    kind: TrackKind::Video,
    codecs: "avc1.4d401e",
};
const AAC_LC: Media = Media {
    kind: TrackKind::Audio,
    codecs: "mp4a.40.2",
};
const HE_AAC: Media = Media {
    kind: TrackKind::Audio,
    codecs: "mp4a.40.5",
};

/// What a segment remuxes to: muxed audio and video (`SIMS`), video only (`SIMV`), AAC-LC
/// (`SIMA`) or HE-AAC (`SIMH`) audio only.
fn kind_of(data: &[u8]) -> Result<Media, RemuxFailure> {
    match data.get(..4) {
        Some(m) if m == SEGMENT_MAGIC => Ok(MUXED),
        Some(m) if m == VIDEO_MAGIC => Ok(VIDEO),
        Some(m) if m == AUDIO_MAGIC => Ok(AAC_LC),
        Some(m) if m == HE_AAC_MAGIC => Ok(HE_AAC),
        _ => Err(RemuxFailure::new(
            ErrorCategory::Malformed,
            "not a simulator segment (no SIMS header)",
        )),
    }
}

fn track_output(media: Media, init: Option<Vec<u8>>, data: Vec<u8>) -> TrackOutput {
    let top = match media.kind {
        TrackKind::Audio => "audio",
        _ => "video",
    };
    TrackOutput {
        kind: media.kind,
        codecs: media.codecs.into(),
        mime: format!("{top}/mp4; codecs=\"{}\"", media.codecs),
        init,
        data,
    }
}

fn header(h: &[u8]) -> Result<(f64, u64, Media), RemuxFailure> {
    let kind = kind_of(h)?;
    let duration =
        f64_at(h, 4).ok_or_else(|| RemuxFailure::new(ErrorCategory::Malformed, "short segment"))?;
    let size = h
        .get(12..20)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| RemuxFailure::new(ErrorCategory::Malformed, "short segment"))?;
    Ok((duration, size.max(1), kind))
}

impl SimRemuxer {
    /// The output tracks of a fragment of `kind`.
    fn tracks(&self, media: Media, init: Option<Vec<u8>>, data: Vec<u8>) -> Vec<TrackOutput> {
        if self.split && media == MUXED {
            let video = track_output(VIDEO, init.clone(), data.clone());
            return vec![video, track_output(AAC_LC, init, data)];
        }
        vec![track_output(media, init, data)]
    }

    /// The fragment for bytes `from..to` of a segment: its share of the duration.
    fn fragment(
        &mut self,
        info: &SegmentInfo,
        media: Media,
        duration: f64,
        size: u64,
        from: u64,
        to: u64,
    ) -> RemuxOutput {
        if from == 0 {
            self.pushes += 1;
            self.offset.get_or_insert(0.0);
            self.discontinuities += u64::from(info.discontinuity);
            self.rendition_switches += u64::from(info.rendition_switch);
            self.non_contiguous += u64::from(info.non_contiguous);
            self.last_info = Some(*info);
        }
        let start = info.start + duration * from as f64 / size as f64;
        let end = info.start + duration * to as f64 / size as f64;
        let mut out = vec![0u8; ((to - from) as usize).max(20)];
        put(&mut out, 0, DATA_MAGIC);
        put(&mut out, 4, &start.to_le_bytes());
        put(&mut out, 12, &end.to_le_bytes());
        let init = (!self.init_sent).then(|| INIT_MAGIC.to_vec());
        self.init_sent = true;
        RemuxOutput {
            tracks: self.tracks(media, init, out),
            start,
            end,
            warnings: Vec::new(),
            captions: self.captions_in(start, end),
        }
    }

    /// The caption pairs shown in `start..end`.
    fn captions_in(&self, start: f64, end: f64) -> Vec<crate::remux::CcData> {
        let inside = |c: &&crate::remux::CcData| c.time >= start && c.time < end;
        self.captions.iter().filter(inside).copied().collect()
    }
}
