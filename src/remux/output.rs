//! One step's output: the init segment (`ftyp` + `moov`) when the track set or a codec
//! configuration changed, and one fragment (`moof` + `mdat`), in the Combined or SplitTracks
//! shape.
use super::video::{ParameterSets, VideoRun};
use super::{OutputShape, RemuxOutput, RemuxWarning, Seg, TrackKind, TrackOutput, Transmuxer};
use crate::fmp4::{self, SampleEntry, TrackFragment, TrackInit};
use crate::ts::audio::AudioConfig;

const VIDEO_TIMESCALE: u32 = 90_000;
const VIDEO_TRACK_ID: u32 = 1;
const AUDIO_TRACK_ID: u32 = 2;

/// Seconds on the output timeline covered by the samples of one output.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) start: f64,
    pub(super) end: f64,
}

impl Span {
    /// Nothing yet: every sample widens it.
    pub(super) fn new() -> Self {
        Span {
            start: f64::INFINITY,
            end: f64::NEG_INFINITY,
        }
    }
}

impl Transmuxer {
    /// Write the pending video run and audio samples: init segments on a change, the
    /// fragments, and the bookkeeping of what was written.
    pub(super) fn write_output(
        &mut self,
        seg: &mut Seg,
        video_run: Option<VideoRun>,
        audio_tfdt: Option<u64>,
        audio_config: Option<AudioConfig>,
        mut span: Span,
    ) -> RemuxOutput {
        let mut warnings = std::mem::take(&mut seg.warnings);
        // A SourceBuffer cannot gain a track later, and MSE refuses new SourceBuffers once one
        // has media: while the stream has video frames but no decodable start yet (no SPS/PPS +
        // keyframe), nothing is written at all.
        if self.video_written.is_none()
            && self.audio_written.is_none()
            && video_run.is_none()
            && !self.demux.video.frames.is_empty()
        {
            warnings.push(RemuxWarning::WaitingForVideoStart);
            self.video_next = None;
            self.audio_next = None;
            return self.no_tracks(warnings, seg.start_90k as f64 / 90_000.0);
        }
        // Everything was emitted by the chunks already: no empty fragment.
        if seg.emitted && video_run.is_none() && audio_tfdt.is_none() {
            return self.no_tracks(warnings, seg.end);
        }
        seg.emitted = true;
        let tracks = self.write_tracks(seg, video_run, audio_tfdt, audio_config);
        if !span.start.is_finite() {
            span.start = seg.start_90k as f64 / 90_000.0;
            span.end = span.start;
        }
        self.audio_samples.clear();
        self.audio_ranges.clear();
        seg.end = span.end;
        RemuxOutput {
            tracks,
            start: span.start,
            end: span.end,
            warnings,
            captions: Vec::new(),
        }
    }

    /// The init segments (on a change) and the fragment of this output, per the shape; what
    /// the init segments describe is recorded.
    fn write_tracks(
        &mut self,
        seg: &Seg,
        video_run: Option<VideoRun>,
        audio_tfdt: Option<u64>,
        audio_config: Option<AudioConfig>,
    ) -> Vec<TrackOutput> {
        let video_cfg = ParameterSets::of(&self.demux.video);
        let has_video = video_cfg.is_some();
        let has_audio = audio_config.is_some();
        let v_data: [&[u8]; 1] = [video_run
            .as_ref()
            .and_then(|run| self.demux.video.data.get(run.bytes.clone()))
            .unwrap_or(&[])];
        let a_pieces: Vec<&[u8]> = self
            .audio_ranges
            .iter()
            .map(|&(b, e, silent)| {
                if silent {
                    seg.silent
                        .as_deref()
                        .and_then(|s| s.get(b..e))
                        .unwrap_or(&[])
                } else {
                    self.demux.audio.data.get(b..e).unwrap_or(&[])
                }
            })
            .collect();
        let video_fragment = video_run.map(|run| TrackFragment {
            track_id: VIDEO_TRACK_ID,
            base_decode_time: run.tfdt,
            samples: &self.samples,
            data: &v_data,
        });
        let audio_fragment = audio_tfdt.map(|tfdt| TrackFragment {
            track_id: AUDIO_TRACK_ID,
            base_decode_time: tfdt,
            samples: &self.audio_samples,
            data: &a_pieces,
        });
        let video_codec = video_cfg.map(|c| c.info.codec_string());
        let audio_codec = audio_config.map(|c| c.codec_string());
        let video_changed = video_cfg.is_some_and(|c| !c.written_as(self.video_written.as_ref()));
        let audio_changed = has_audio && audio_config != self.audio_written;
        let video_init = video_cfg.map(|c| TrackInit {
            track_id: VIDEO_TRACK_ID,
            timescale: VIDEO_TIMESCALE,
            entry: SampleEntry::Avc {
                sps: c.sps,
                pps: c.pps,
                info: c.info,
            },
        });
        let audio_cfg_ref = audio_config.as_ref();
        let audio_init = audio_cfg_ref.map(|c| TrackInit {
            track_id: AUDIO_TRACK_ID,
            timescale: c.sample_rate,
            entry: SampleEntry::Audio { config: c },
        });
        let mut tracks = Vec::with_capacity(2);
        let sequence = self.sequence.wrapping_add(1);
        match self.shape {
            OutputShape::Combined => {
                let set = (has_video, has_audio);
                let inits =
                    (video_changed || audio_changed || set != self.combined_tracks).then(|| {
                        let mut inits = Vec::with_capacity(2);
                        if has_video {
                            inits.extend(video_init);
                        }
                        if has_audio {
                            inits.extend(audio_init);
                        }
                        inits
                    });
                let mut frags: Vec<TrackFragment<'_>> = Vec::with_capacity(2);
                frags.extend(video_fragment);
                frags.extend(audio_fragment);
                let codecs = [video_codec.filter(|_| has_video), audio_codec];
                tracks.push(combined_track(inits, &frags, codecs, has_video, sequence));
                self.combined_tracks = set;
            }
            OutputShape::SplitTracks => {
                if has_video {
                    tracks.push(split_track(
                        TrackKind::Video,
                        video_init.filter(|_| video_changed),
                        video_fragment,
                        video_codec,
                        sequence,
                    ));
                }
                if has_audio {
                    tracks.push(split_track(
                        TrackKind::Audio,
                        audio_init.filter(|_| audio_changed),
                        audio_fragment,
                        audio_codec,
                        sequence,
                    ));
                }
            }
        }
        self.sequence = sequence;
        // The SPS/PPS are copied only when they changed.
        if let (Some(c), true) = (video_cfg, video_changed) {
            self.video_written = Some(c.to_config());
        }
        if has_audio {
            self.audio_written = audio_config;
        }
        tracks
    }

    /// An output without tracks at `at` seconds; the pending audio samples are dropped.
    fn no_tracks(&mut self, warnings: Vec<RemuxWarning>, at: f64) -> RemuxOutput {
        self.audio_samples.clear();
        self.audio_ranges.clear();
        RemuxOutput {
            tracks: Vec::new(),
            start: at,
            end: at,
            warnings,
            captions: Vec::new(),
        }
    }
}

/// The Combined shape's one SourceBuffer output: one `moof` with a `traf` per track, a new init
/// segment with a `trak` per track when `inits` is given, codecs joined and the MIME type.
fn combined_track(
    inits: Option<Vec<TrackInit<'_>>>,
    frags: &[TrackFragment<'_>],
    codecs: [Option<String>; 2],
    has_video: bool,
    sequence: u32,
) -> TrackOutput {
    let init = inits.map(|inits| {
        let mut out = Vec::with_capacity(1024);
        fmp4::write_init(&mut out, &inits);
        out
    });
    let mut data = Vec::with_capacity(fmp4::fragment_size(frags));
    fmp4::write_fragment(&mut data, sequence, frags);
    let mut joined = String::new();
    for c in codecs.into_iter().flatten() {
        add_codec(&mut joined, &c);
    }
    let mime = mime_type(has_video, &joined);
    TrackOutput {
        kind: TrackKind::Combined,
        codecs: joined,
        mime,
        init,
        data,
    }
}

/// One track's SourceBuffer output in the SplitTracks shape: a new init segment when `init` is
/// given, the fragment (empty when the track has no samples in this segment), codecs and MIME type.
fn split_track(
    kind: TrackKind,
    init: Option<TrackInit<'_>>,
    fragment: Option<TrackFragment<'_>>,
    codec: Option<String>,
    sequence: u32,
) -> TrackOutput {
    let init = init.map(|track| {
        let mut out = Vec::with_capacity(1024);
        fmp4::write_init(&mut out, std::slice::from_ref(&track));
        out
    });
    let mut data = Vec::new();
    if let Some(fragment) = fragment {
        let frags = std::slice::from_ref(&fragment);
        data.reserve_exact(fmp4::fragment_size(frags));
        fmp4::write_fragment(&mut data, sequence, frags);
    }
    let codecs = codec.unwrap_or_default();
    let mime = mime_type(kind != TrackKind::Audio, &codecs);
    TrackOutput {
        kind,
        codecs,
        mime,
        init,
        data,
    }
}

/// `codecs` with `codec` added to the comma-separated list. By hand: `[String]::join` would be a
/// second join instantiation in the wasm.
pub(super) fn add_codec(codecs: &mut String, codec: &str) {
    if !codecs.is_empty() {
        codecs.push(',');
    }
    codecs.push_str(codec);
}

/// The SourceBuffer type of an fMP4 stream, e.g. `video/mp4; codecs="avc1.4d401f,mp4a.40.2"`
/// (`audio/mp4` without video). The one place every output shape and the fMP4 passthrough
/// format it.
pub(super) fn mime_type(video: bool, codecs: &str) -> String {
    let media = if video { "video" } else { "audio" };
    format!("{media}/mp4; codecs=\"{codecs}\"")
}
