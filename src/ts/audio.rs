//! Audio elementary streams: AAC in ADTS (ISO/IEC 13818-7 §6.2, 14496-3 §1.A.2) and MPEG audio
//! layers I-III (ISO/IEC 11172-3 §2.4.2.3, 13818-3). Frames are cut out of PES payloads that may
//! split them anywhere; the timestamp of a frame is its PES PTS plus the duration of the frames
//! before it in that PES.
use super::{DemuxWarning, EsFrame, Warnings};
use crate::crypto::SampleAes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// Stream type 0x0F.
    Adts,
    /// Stream types 0x03 (MPEG-1) and 0x04 (MPEG-2).
    MpegAudio,
}

impl AudioKind {
    fn other(self) -> Self {
        match self {
            AudioKind::Adts => AudioKind::MpegAudio,
            AudioKind::MpegAudio => AudioKind::Adts,
        }
    }
}

impl std::fmt::Display for AudioKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AudioKind::Adts => "ADTS AAC",
            AudioKind::MpegAudio => "MPEG audio",
        })
    }
}

/// Bytes searched for two consecutive frames before a stream is given up as neither format.
const MAX_DETECT_BYTES: usize = 64 << 10;
/// PES timestamps kept while waiting for their frames (bounded like everything from input).
const MAX_PES_STARTS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioCodec {
    /// AAC with its audio object type (2 = LC).
    Aac {
        object_type: u8,
        sampling_index: u8,
        channel_config: u8,
    },
    /// MPEG-1/2 audio; `mpeg1` selects the MP4 object type (0x6B vs 0x69).
    Mpeg { mpeg1: bool, layer: u8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioConfig {
    pub codec: AudioCodec,
    pub sample_rate: u32,
    pub channels: u16,
    pub samples_per_frame: u32,
}

impl AudioConfig {
    /// RFC 6381 codec string. MPEG audio uses the object-type form (`mp4a.6B` / `mp4a.69`),
    /// matching the esds object type we write.
    pub fn codec_string(&self) -> String {
        match self.codec {
            AudioCodec::Aac { object_type, .. } => format!("mp4a.40.{object_type}"),
            AudioCodec::Mpeg { mpeg1: true, .. } => "mp4a.6B".to_string(),
            AudioCodec::Mpeg { mpeg1: false, .. } => "mp4a.69".to_string(),
        }
    }

    /// AudioSpecificConfig (14496-3 §1.6.2.1) for AAC: object type, frequency index, channels.
    pub fn audio_specific_config(&self) -> Option<[u8; 2]> {
        match self.codec {
            AudioCodec::Aac {
                object_type,
                sampling_index,
                channel_config,
            } => Some([
                (object_type << 3) | (sampling_index >> 1),
                ((sampling_index & 1) << 7) | (channel_config << 3),
            ]),
            AudioCodec::Mpeg { .. } => None,
        }
    }
}

pub const AAC_RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

enum Probe {
    NeedMore,
    /// Not a valid frame start here.
    Invalid,
    Frame {
        header: usize,
        len: usize,
        config: AudioConfig,
    },
}

fn probe_adts(b: &[u8]) -> Probe {
    let Some(h) = b.get(..7) else {
        return if b.first().map_or(true, |&x| x == 0xFF) {
            Probe::NeedMore
        } else {
            Probe::Invalid
        };
    };
    let &[b0, b1, b2, b3, b4, b5, b6] = h else {
        return Probe::Invalid;
    };
    if b0 != 0xFF || b1 & 0xF6 != 0xF0 {
        return Probe::Invalid;
    }
    let protection_absent = b1 & 1 == 1;
    let object_type = (b2 >> 6) + 1;
    let sampling_index = (b2 >> 2) & 0x0F;
    let channel_config = ((b2 & 1) << 2) | (b3 >> 6);
    let len = (usize::from(b3 & 0x03) << 11) | (usize::from(b4) << 3) | usize::from(b5 >> 5);
    let blocks = b6 & 0x03;
    let header = if protection_absent { 7 } else { 9 };
    let Some(&sample_rate) = AAC_RATES.get(usize::from(sampling_index)) else {
        return Probe::Invalid;
    };
    if len <= header || blocks != 0 {
        return Probe::Invalid;
    }
    let channels = match channel_config {
        7 => 8,
        c => u16::from(c),
    };
    Probe::Frame {
        header,
        len,
        config: AudioConfig {
            codec: AudioCodec::Aac {
                object_type,
                sampling_index,
                channel_config,
            },
            sample_rate,
            channels,
            samples_per_frame: 1024,
        },
    }
}

fn probe_mpeg(b: &[u8]) -> Probe {
    let Some(&[b0, b1, b2, b3]) = b.get(..4) else {
        return if b.first().map_or(true, |&x| x == 0xFF) {
            Probe::NeedMore
        } else {
            Probe::Invalid
        };
    };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return Probe::Invalid;
    }
    let version = (b1 >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
    let layer = match (b1 >> 1) & 3 {
        1 => 3u8,
        2 => 2,
        3 => 1,
        _ => return Probe::Invalid,
    };
    let br_index = usize::from(b2 >> 4);
    let sr_index = usize::from((b2 >> 2) & 3);
    let padding = usize::from((b2 >> 1) & 1);
    const V1: [[u32; 15]; 3] = [
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
    ];
    const V2: [[u32; 15]; 2] = [
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];
    let mpeg1 = version == 3;
    let rates: [u32; 3] = match version {
        3 => [44100, 48000, 32000],
        2 => [22050, 24000, 16000],
        0 => [11025, 12000, 8000],
        _ => return Probe::Invalid,
    };
    let Some(&sample_rate) = rates.get(sr_index) else {
        return Probe::Invalid;
    };
    let row = if mpeg1 {
        V1.get(usize::from(layer - 1))
    } else {
        V2.get(if layer == 1 { 0 } else { 1 })
    };
    let kbps = row.and_then(|r| r.get(br_index)).copied().unwrap_or(0);
    if kbps == 0 {
        // Free format (index 0) cannot be framed without searching the next header.
        return Probe::Invalid;
    }
    let bps = kbps as usize * 1000;
    let sr = sample_rate as usize;
    let (len, samples) = match layer {
        1 => ((12 * bps / sr + padding) * 4, 384),
        2 => (144 * bps / sr + padding, 1152),
        _ if mpeg1 => (144 * bps / sr + padding, 1152),
        _ => (72 * bps / sr + padding, 576),
    };
    let channels = if b3 >> 6 == 3 { 1 } else { 2 };
    Probe::Frame {
        header: 0,
        len,
        config: AudioConfig {
            codec: AudioCodec::Mpeg { mpeg1, layer },
            sample_rate,
            channels,
            samples_per_frame: samples,
        },
    }
}

fn probe(kind: AudioKind, b: &[u8]) -> Probe {
    match kind {
        AudioKind::Adts => probe_adts(b),
        AudioKind::MpegAudio => probe_mpeg(b),
    }
}

/// Whether a frame of `kind` starts `b` and another of the same configuration follows it:
/// `None` until enough bytes are there. One header alone is not proof: inside AAC data a false
/// MPEG audio sync turns up every few kilobytes.
fn two_frames(kind: AudioKind, b: &[u8]) -> Option<bool> {
    let (len, config) = match probe(kind, b) {
        Probe::NeedMore => return None,
        Probe::Invalid => return Some(false),
        Probe::Frame { len, config, .. } => (len, config),
    };
    match probe(kind, b.get(len..)?) {
        Probe::NeedMore => None,
        Probe::Invalid => Some(false),
        Probe::Frame { config: next, .. } => Some(
            next.sample_rate == config.sample_rate
                && next.channels == config.channels
                && std::mem::discriminant(&next.codec) == std::mem::discriminant(&config.codec),
        ),
    }
}

/// Where the search for the next frame header goes on: the next 0xFF (both sync words start
/// with it).
fn next_sync(rest: &[u8]) -> usize {
    rest.iter()
        .skip(1)
        .position(|&b| b == 0xFF)
        .map_or(rest.len(), |p| p + 1)
}

/// Streaming audio framer for one PID. The PMT's stream type is a claim, not a fact (muxers
/// label ADTS as MPEG audio): the framing is taken from the payload, the first time two
/// consecutive frames of one format are found.
#[derive(Debug)]
pub struct AudioEs {
    /// What the PMT declared.
    pub declared: AudioKind,
    /// The framing in use: `declared` until the payload proves otherwise.
    pub kind: AudioKind,
    detected: bool,
    /// Neither format found in [`MAX_DETECT_BYTES`]: the stream is dropped.
    given_up: bool,
    detect_skipped: usize,
    pub pid: u16,
    pub frames: Vec<EsFrame>,
    /// Raw frames back to back (AAC without the ADTS header; MPEG audio whole).
    pub data: Vec<u8>,
    pub config: Option<AudioConfig>,
    pub config_generation: u32,
    pend: Vec<u8>,
    /// (position in `pend`, PTS) of each timed PES not reached yet: one, except while the
    /// format is being detected and several PES may wait.
    pes_starts: Vec<(usize, u64)>,
    base_pts: Option<u64>,
    index: u64,
    /// SAMPLE-AES segment: each AAC frame is decrypted as it is cut out.
    pub sample_aes: Option<SampleAes>,
}

impl AudioEs {
    pub fn new(kind: AudioKind) -> Self {
        Self {
            declared: kind,
            kind,
            detected: false,
            given_up: false,
            detect_skipped: 0,
            pid: 0,
            frames: Vec::new(),
            data: Vec::new(),
            config: None,
            config_generation: 0,
            pend: Vec::new(),
            pes_starts: Vec::new(),
            base_pts: None,
            index: 0,
            sample_aes: None,
        }
    }

    pub fn clear_output(&mut self) {
        self.frames.clear();
        self.data.clear();
        self.pend.clear();
        self.pes_starts.clear();
        self.base_pts = None;
        self.index = 0;
    }

    pub fn begin_pes(&mut self, pts: Option<u64>) {
        if let Some(pts) = pts {
            if self.pes_starts.len() >= MAX_PES_STARTS {
                self.pes_starts.remove(0);
            }
            self.pes_starts.push((self.pend.len(), pts));
        }
    }

    pub fn push(&mut self, chunk: &[u8], w: &mut Warnings) {
        if self.given_up {
            return;
        }
        self.pend.extend_from_slice(chunk);
        let mut pos = 0usize;
        if !self.detected {
            match self.detect(false) {
                Some(at) => {
                    pos = at;
                    self.found(w);
                }
                None => {
                    self.give_up_if_too_long(w);
                    return;
                }
            }
        }
        self.frame(pos, w);
    }

    /// Searches `pend` for two consecutive frames of the declared format or the other one.
    /// Returns where the first starts; otherwise drops the bytes known to hold no frame start and
    /// returns `None`. At the end of a segment (`last`), one complete frame is enough (a tiny
    /// segment may hold a single frame, or one and a cut-off one).
    fn detect(&mut self, last: bool) -> Option<usize> {
        let mut pos = 0usize;
        while let Some(rest) = self.pend.get(pos..).filter(|r| !r.is_empty()) {
            let mut wait = false;
            for kind in [self.declared, self.declared.other()] {
                let found = match two_frames(kind, rest) {
                    // At the end one complete frame is enough (what follows it is cut off).
                    None if last => {
                        matches!(probe(kind, rest), Probe::Frame { len, .. } if len <= rest.len())
                    }
                    None => {
                        wait = true;
                        false
                    }
                    Some(ok) => ok,
                };
                if found {
                    self.kind = kind;
                    self.detected = true;
                    return Some(pos);
                }
            }
            if wait {
                break;
            }
            pos += next_sync(rest);
        }
        self.detect_skipped += pos;
        self.pend.drain(..pos.min(self.pend.len()));
        for (at, _) in &mut self.pes_starts {
            *at = at.saturating_sub(pos);
        }
        None
    }

    fn found(&mut self, w: &mut Warnings) {
        if self.kind != self.declared {
            w.push(DemuxWarning::AudioTypeMismatch {
                pid: self.pid,
                declared: self.declared,
                found: self.kind,
            });
        }
    }

    fn give_up_if_too_long(&mut self, w: &mut Warnings) {
        if self.detect_skipped + self.pend.len() > MAX_DETECT_BYTES {
            w.push(DemuxWarning::AudioFormatUnknown {
                pid: self.pid,
                declared: self.declared,
                bytes: self.detect_skipped + self.pend.len(),
            });
            self.given_up = true;
            self.pend = Vec::new();
            self.pes_starts.clear();
        }
    }

    /// Cuts the frames out of `pend` from `pos` on, in the detected format.
    fn frame(&mut self, mut pos: usize, w: &mut Warnings) {
        let mut skipped = std::mem::take(&mut self.detect_skipped) + pos;
        while let Some(rest) = self.pend.get(pos..) {
            if rest.is_empty() {
                break;
            }
            match probe(self.kind, rest) {
                Probe::NeedMore => break,
                Probe::Invalid => {
                    // Resync on the next 0xFF (the 0xFFF / 11-bit sync word starts there).
                    let step = next_sync(rest);
                    pos += step;
                    skipped += step;
                }
                Probe::Frame {
                    header,
                    len,
                    config,
                } => {
                    let Some(frame) = rest.get(..len) else { break };
                    while let Some(&(at, pts)) = self.pes_starts.first() {
                        if pos < at {
                            break;
                        }
                        self.pes_starts.remove(0);
                        self.base_pts = Some(pts);
                        self.index = 0;
                    }
                    if self.config != Some(config) {
                        self.config = Some(config);
                        self.config_generation = self.config_generation.wrapping_add(1);
                    }
                    let pts = self.base_pts.map(|base| {
                        let offset = self.index * u64::from(config.samples_per_frame) * 90_000
                            / u64::from(config.sample_rate.max(1));
                        (base + offset) & super::TS_MASK
                    });
                    let offset = self.data.len() as u32;
                    let payload = frame.get(header..).unwrap_or(&[]);
                    self.data.extend_from_slice(payload);
                    if let (Some(aes), AudioKind::Adts) = (&self.sample_aes, self.kind) {
                        if let Some(frame) = self.data.get_mut(offset as usize..) {
                            aes.decrypt_aac_frame(frame);
                        }
                    }
                    self.frames.push(EsFrame {
                        offset,
                        size: payload.len() as u32,
                        pts,
                        dts: pts,
                        key: true,
                    });
                    self.index += 1;
                    pos += len;
                }
            }
        }
        if skipped > 0 {
            w.push(DemuxWarning::AudioResync {
                pid: self.pid,
                skipped,
            });
        }
        self.pend.drain(..pos.min(self.pend.len()));
        for (at, _) in &mut self.pes_starts {
            *at = at.saturating_sub(pos);
        }
    }

    pub fn flush(&mut self, w: &mut Warnings) {
        if !self.detected && !self.given_up && !self.pend.is_empty() {
            if let Some(at) = self.detect(true) {
                self.found(w);
                self.frame(at, w);
            }
        }
        if !self.pend.is_empty() {
            w.push(DemuxWarning::TruncatedAudioFrame {
                pid: self.pid,
                bytes: self.pend.len(),
            });
            self.pend.clear();
        }
        self.pes_starts.clear();
    }
}

/// A frame that decodes to silence, for filling audio gaps. AAC: every channel element with
/// `max_sfb = 0` (no spectral data); MPEG audio: the given frame header with zeroed side info
/// and main data. `None` for layouts we cannot build.
pub fn silent_frame(config: &AudioConfig, mpeg_header: Option<[u8; 4]>) -> Option<Vec<u8>> {
    match config.codec {
        AudioCodec::Aac {
            channel_config,
            object_type,
            ..
        } => {
            if object_type != 2 {
                return None;
            }
            // Element sequence per channel configuration (14496-3 Table 1.19): 0 SCE, 1 CPE, 3 LFE.
            let elements: &[u8] = match channel_config {
                1 => &[0],
                2 => &[1],
                3 => &[0, 1],
                4 => &[0, 1, 0],
                5 => &[0, 1, 1],
                6 => &[0, 1, 1, 3],
                7 => &[0, 1, 1, 1, 3],
                _ => return None,
            };
            let mut w = BitWriter::default();
            let mut tags = [0u32; 4];
            for &el in elements {
                let tag = tags.get_mut(usize::from(el)).map(|t| {
                    let v = *t;
                    *t += 1;
                    v
                })?;
                w.put(u32::from(el), 3);
                w.put(tag, 4);
                if el == 1 {
                    w.put(0, 1); // common_window
                    silent_ics(&mut w);
                    silent_ics(&mut w);
                } else {
                    silent_ics(&mut w);
                }
            }
            w.put(7, 3); // ID_END
            Some(w.finish())
        }
        AudioCodec::Mpeg { .. } => {
            let h = mpeg_header?;
            // protection_bit = 1 (no CRC), lowest bitrate (index 1), no padding: the smallest
            // frame; a bitrate change between frames is ordinary (VBR).
            let header = [h[0], h[1] | 1, (h[2] & 0x0C) | 0x10, h[3]];
            let Probe::Frame { len, config: c, .. } = probe_mpeg(&header) else {
                return None;
            };
            if c.sample_rate != config.sample_rate
                || c.samples_per_frame != config.samples_per_frame
            {
                return None;
            }
            let mut frame = vec![0u8; len.max(4)];
            frame.get_mut(..4)?.copy_from_slice(&header);
            Some(frame)
        }
    }
}

fn silent_ics(w: &mut BitWriter) {
    w.put(100, 8); // global_gain
    w.put(0, 1); // ics_reserved_bit
    w.put(0, 2); // ONLY_LONG_SEQUENCE
    w.put(0, 1); // window_shape
    w.put(0, 6); // max_sfb = 0: no bands, no scale factors, no spectral data
    w.put(0, 1); // predictor_data_present
    w.put(0, 3); // pulse, tns, gain control: absent
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, v: u32, bits: u32) {
        self.acc = (self.acc << bits) | u64::from(v & ((1u32 << bits) - 1));
        self.n += bits;
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            let pad = 8 - self.n;
            self.put(0, pad);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adts(len_payload: usize, crc: bool, sfi: u8, ch: u8) -> Vec<u8> {
        let header = if crc { 9 } else { 7 };
        let len = header + len_payload;
        let mut f = vec![
            0xFF,
            0xF0 | u8::from(!crc),
            (1 << 6) | (sfi << 2) | (ch >> 2),
            ((ch & 3) << 6) | ((len >> 11) as u8 & 3),
            (len >> 3) as u8,
            ((len & 7) << 5) as u8 | 0x1F,
            0xFC,
        ];
        if crc {
            f.extend_from_slice(&[0xAB, 0xCD]);
        }
        f.extend((0..len_payload).map(|i| (i % 200) as u8 + 1));
        f
    }

    #[test]
    fn adts_7_and_9_byte_headers_and_split_frames() {
        let mut stream = adts(10, false, 4, 2);
        stream.extend(adts(12, true, 4, 2));
        for cut in 0..stream.len() {
            let mut es = AudioEs::new(AudioKind::Adts);
            let mut w = Warnings::default();
            es.begin_pes(Some(1000));
            es.push(&stream[..cut], &mut w);
            es.push(&stream[cut..], &mut w);
            es.flush(&mut w);
            assert_eq!(es.frames.len(), 2, "cut {cut}");
            assert_eq!(es.frames[0].size, 10);
            assert_eq!(es.frames[1].size, 12);
            assert_eq!(es.frames[1].pts, Some(1000 + 1024 * 90000 / 44100));
            assert!(w.list.is_empty(), "{:?}", w.list);
        }
    }

    #[test]
    fn config_and_codec_strings() {
        let Probe::Frame { config, .. } = probe_adts(&adts(4, false, 3, 2)) else {
            panic!()
        };
        assert_eq!(config.sample_rate, 48000);
        assert_eq!(config.codec_string(), "mp4a.40.2");
        assert_eq!(config.audio_specific_config(), Some([0x11, 0x90]));
    }

    #[test]
    fn sampling_index_above_12_is_rejected() {
        assert!(matches!(probe_adts(&adts(4, false, 13, 2)), Probe::Invalid));
        assert!(matches!(probe_adts(&adts(4, false, 15, 2)), Probe::Invalid));
    }

    #[test]
    fn mp3_frame_length() {
        // MPEG-1 layer III, 128 kbps, 44.1 kHz, no padding: 417 bytes.
        let Probe::Frame { len, config, .. } = probe_mpeg(&[0xFF, 0xFB, 0x90, 0x64]) else {
            panic!()
        };
        assert_eq!(len, 417);
        assert_eq!(config.samples_per_frame, 1152);
        assert_eq!(config.codec_string(), "mp4a.6B");
    }

    #[test]
    fn silent_aac_frames() {
        let cfg = |ch| AudioConfig {
            codec: AudioCodec::Aac {
                object_type: 2,
                sampling_index: 3,
                channel_config: ch,
            },
            sample_rate: 48000,
            channels: u16::from(ch),
            samples_per_frame: 1024,
        };
        // SCE: 3+4 + 8+1+2+1+6+1+3 bits, END 3 bits = 32 bits.
        assert_eq!(silent_frame(&cfg(1), None).unwrap().len(), 4);
        assert!(silent_frame(&cfg(2), None).unwrap().len() > 4);
        assert!(silent_frame(&cfg(0), None).is_none());
    }

    /// tsduck-pes-quirks.ts: the PMT declares PID 0x64 as MPEG audio (0x04) but it carries
    /// ADTS. Trusting the label made garbage MP3 frames out of false syncs in the AAC data.
    #[test]
    fn tsduck_pes_quirks_adts_declared_as_mpeg_audio_is_framed_as_adts() {
        let stream: Vec<u8> = (0..3).flat_map(|_| adts(300, false, 3, 2)).collect();
        for cut in [1, 7, 300, 310, stream.len()] {
            let mut es = AudioEs::new(AudioKind::MpegAudio);
            es.pid = 0x64;
            let mut w = Warnings::default();
            es.begin_pes(Some(9000));
            es.push(&stream[..cut], &mut w);
            es.push(&stream[cut..], &mut w);
            es.flush(&mut w);
            assert_eq!(es.kind, AudioKind::Adts, "cut {cut}");
            assert_eq!(es.frames.len(), 3, "cut {cut}");
            assert_eq!(es.frames[0].pts, Some(9000));
            assert_eq!(
                es.config.map(|c| c.codec_string()),
                Some("mp4a.40.2".into())
            );
            assert_eq!(
                w.list,
                [DemuxWarning::AudioTypeMismatch {
                    pid: 0x64,
                    declared: AudioKind::MpegAudio,
                    found: AudioKind::Adts
                }]
            );
            assert!(w.list[0]
                .to_string()
                .contains("declared MPEG audio but carries ADTS AAC"));
        }
    }

    #[test]
    fn audio_that_is_neither_adts_nor_mpeg_audio_is_dropped_with_a_warning() {
        let mut es = AudioEs::new(AudioKind::Adts);
        let mut w = Warnings::default();
        es.begin_pes(Some(0));
        for _ in 0..40 {
            es.push(&[0x11; 2000], &mut w);
        }
        // Real frames after giving up stay dropped: no track made of a guess.
        es.push(&adts(10, false, 3, 2), &mut w);
        es.flush(&mut w);
        assert!(es.frames.is_empty());
        assert!(
            matches!(w.list.as_slice(), [DemuxWarning::AudioFormatUnknown { bytes, .. }] if *bytes > MAX_DETECT_BYTES),
            "{:?}",
            w.list
        );
    }

    #[test]
    fn a_frame_and_a_cut_off_one_at_the_end_keep_the_complete_frame() {
        let mut es = AudioEs::new(AudioKind::Adts);
        let mut w = Warnings::default();
        es.begin_pes(Some(0));
        let two = [adts(10, false, 3, 2), adts(10, false, 3, 2)].concat();
        es.push(&two[..25], &mut w);
        es.flush(&mut w);
        assert_eq!(es.frames.len(), 1);
        assert!(matches!(
            w.list.as_slice(),
            [DemuxWarning::TruncatedAudioFrame { bytes: 8, .. }]
        ));
    }

    #[test]
    fn a_segment_with_a_single_audio_frame_is_detected_at_its_end() {
        let mut es = AudioEs::new(AudioKind::Adts);
        let mut w = Warnings::default();
        es.begin_pes(Some(0));
        es.push(&adts(10, false, 3, 2), &mut w);
        assert!(es.frames.is_empty(), "waits for a second frame");
        es.flush(&mut w);
        assert_eq!(es.frames.len(), 1);
        assert!(w.list.is_empty(), "{:?}", w.list);
    }
}
