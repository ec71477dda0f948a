//! The job settings the emulator understands, read from MediaConvert's job JSON
//! (`{"Settings": {"Inputs": [...], "OutputGroups": [...]}}`, as `CreateJob` takes it and as the
//! console's "Show job JSON" and the VOD samples' `job.json` write it). Anything else is refused with
//! its JSON path.
use serde_json::Value;

use super::reader::{err, Obj, SettingsError};

#[derive(Debug, Clone)]
pub struct Job {
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone)]
pub struct Group {
    /// `Settings.OutputGroups[i]`, for messages.
    pub path: String,
    pub name: String,
    /// `s3://bucket/prefix/` or `s3://bucket/prefix/basename`.
    pub destination: String,
    pub kind: GroupKind,
    pub outputs: Vec<Output>,
}

#[derive(Debug, Clone)]
pub enum GroupKind {
    Hls(Hls),
    Cmaf(Cmaf),
    File,
}

/// What `HlsGroupSettings` decides about the files and playlists.
#[derive(Debug, Clone)]
pub struct Hls {
    pub segment_length: u32,
    /// `CaptionSegmentLengthControl: MATCH_VIDEO` (else LARGE_SEGMENTS, 300 s WebVTT segments).
    pub captions_match_video: bool,
    /// `MinFinalSegmentLength` (seconds): a shorter last segment joins the one before.
    pub min_final_segment: f64,
    pub integer_durations: bool,
    /// `CodecSpecification: RFC_4281` writes the legacy decimal form (`avc1.77.30`), `RFC_6381`
    /// the hex form (`avc1.4d401e`).
    pub rfc_6381: bool,
    pub resolution: bool,
    pub key: Option<StaticKey>,
    /// `CaptionLanguageSetting` with its `CaptionLanguageMappings`: what the master says of the
    /// 608 captions the video carries.
    pub closed_captions: ClosedCaptions,
}

/// `CaptionLanguageSetting`: INSERT writes one `EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS` per mapping and
/// names their group on every variant, NONE writes `CLOSED-CAPTIONS=NONE`, OMIT (the default)
/// nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum ClosedCaptions {
    Omit,
    None,
    Insert(Vec<CaptionMapping>),
}

/// One of `CaptionLanguageMappings`: the 608 channel (1..=4, `INSTREAM-ID="CC<n>"`), its
/// LANGUAGE (lower case) and NAME.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionMapping {
    pub channel: u32,
    pub language: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StaticKey {
    /// 32 hex digits.
    pub key_hex: String,
    /// The key's URI as the playlist names it (`StaticKeyProvider.Url`).
    pub url: String,
    /// `InitializationVectorInManifest: INCLUDE` with a `ConstantInitializationVector`.
    pub iv_hex: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub path: String,
    pub name_modifier: String,
    /// `HlsSettings.SegmentModifier` (`$dt$` and the other format identifiers expanded later).
    pub segment_modifier: String,
    pub container: Container,
    pub video: Option<Video>,
    pub audio: Option<Audio>,
    /// `Extension` of a file group output.
    pub extension: Option<String>,
    /// CMAF and Apple HLS audio-only outputs: the group and flags of their EXT-X-MEDIA.
    pub audio_track: Option<AudioTrack>,
    /// `HlsSettings.AudioRenditionSets` (its first group): the audio group a video-only Apple HLS
    /// output names in its STREAM-INF.
    pub rendition_set: String,
    /// A WebVTT caption output (`CaptionDescriptions`, the captions alone).
    pub captions: Option<Captions>,
    /// A video output with `CaptionDescriptions` `DestinationType: EMBEDDED`: the input's CEA-608
    /// (A/53 captions in its H.264) passed through into the encode; the caption selector's name.
    pub embedded_captions: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// MPEG-TS segments: PMT, video and audio PIDs.
    M3u8 {
        pmt_pid: u16,
        video_pid: u16,
        audio_pid: u16,
    },
    Mp4,
    /// Frame capture (JPEG).
    Raw,
    /// CMAF: fragmented MP4, one track per output.
    Cmfc,
}

#[derive(Debug, Clone)]
pub struct Video {
    pub width: u32,
    pub height: u32,
    pub codec: VideoCodec,
}

#[derive(Debug, Clone)]
pub enum VideoCodec {
    H264(H264),
    FrameCapture {
        /// Captures per second: numerator / denominator.
        numerator: u32,
        denominator: u32,
        max_captures: u32,
        quality: u32,
    },
}

#[derive(Debug, Clone)]
pub struct H264 {
    pub bitrate: u64,
    pub max_bitrate: Option<u64>,
    pub cbr: bool,
    /// x264's profile name.
    pub profile: &'static str,
    /// `None`: AUTO.
    pub level: Option<&'static str>,
    pub gop_size: f64,
    pub gop_in_frames: bool,
    pub b_frames: u32,
    pub ref_frames: u32,
    pub scene_change_detect: bool,
    pub cabac: bool,
    /// `None`: the source's rate.
    pub framerate: Option<(u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct Audio {
    pub bitrate: u64,
    pub sample_rate: u32,
    pub channels: u32,
    /// `LanguageCode` (ISO 639-2, as given).
    pub language: Option<String>,
    /// `StreamName`: the rendition's NAME.
    pub stream_name: Option<String>,
    /// `AudioSourceName`: the input's audio selector it is made from.
    pub source_name: String,
    /// That selector's track: the input's audio stream, counted from 0 (`Tracks: [1]` is 0).
    pub track: u32,
}

/// A WebVTT caption output: its caption selector, the sidecar it names and the rendition's
/// LANGUAGE (lower case) and NAME.
#[derive(Debug, Clone)]
pub struct Captions {
    pub selector: String,
    /// `s3://bucket/key` of the selector's `FileSourceSettings.SourceFile`.
    pub source: String,
    pub language: Option<String>,
    pub description: Option<String>,
}

/// What an output's `CaptionDescriptions` entry asks for.
enum CaptionDestination {
    Webvtt(Captions),
    /// `EMBEDDED`: the selector's 608 kept in the video.
    Embedded(String),
}

/// A caption selector's `SourceSettings`: a WebVTT sidecar (`s3://` URL) or the 608 the input's
/// video carries (`EMBEDDED`, channel 1).
#[derive(Debug, Clone)]
enum CaptionSource {
    Sidecar(String),
    Embedded,
}

/// A CMAF audio rendition's place in the master (`CmfcSettings`).
#[derive(Debug, Clone)]
pub struct AudioTrack {
    pub group_id: String,
    pub default: bool,
    pub autoselect: bool,
}

/// What `CmafGroupSettings` decides about the files and playlists.
#[derive(Debug, Clone)]
pub struct Cmaf {
    pub segment_length: u32,
    /// `FragmentLength`: the moof + mdat pairs a segment is made of (`fragments`).
    pub fragment_length: u32,
    /// `SegmentControl: SINGLE_FILE`: one file per rendition, addressed by byte ranges.
    pub single_file: bool,
    /// `MinFinalSegmentLength` (seconds): a shorter last segment joins the one before.
    pub min_final_segment: f64,
    pub integer_durations: bool,
    pub resolution: bool,
}

fn positive(o: &mut Obj, key: &'static str, default: i64) -> Result<i64, SettingsError> {
    let path = o.at(key);
    let v = o.int(key)?.unwrap_or(default);
    if v <= 0 {
        return Err(err(&path, format!("{v} is not a positive integer")));
    }
    Ok(v)
}

/// `MinFinalSegmentLength` (seconds, 0 or more; 0 when absent), of the HLS and CMAF groups.
fn min_final_segment(h: &mut Obj) -> Result<f64, SettingsError> {
    let path = h.at("MinFinalSegmentLength");
    match h.get("MinFinalSegmentLength") {
        None => Ok(0.0),
        Some(v) => (v.as_f64().filter(|m| *m >= 0.0))
            .ok_or_else(|| err(&path, "expected a number of seconds, 0 or more")),
    }
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Reads a job: either the whole `CreateJob` body (`{"Settings": ...}`, `Role`, `Queue` and the
/// other job-level fields are ignored) or the `Settings` object alone.
pub fn parse_job(v: &Value) -> Result<Job, SettingsError> {
    let mut top = Obj::new("", v)?;
    let settings_value = match top.get("Settings") {
        Some(s) => s,
        None => return Err(err("Settings", "required")),
    };
    top.ignore(&[
        "Role",
        "Queue",
        "UserMetadata",
        "AccelerationSettings",
        "StatusUpdateInterval",
        "Priority",
        "BillingTagsSource",
        "JobTemplate",
        "Tags",
        "HopDestinations",
        "ClientRequestToken",
        "SimulateReservedQueue",
    ]);
    top.finish()?;

    let mut s = Obj::new("Settings", settings_value)?;
    s.ignore(&["TimecodeConfig", "AdAvailOffset", "FollowSource"]);
    let mut selectors = Vec::new();
    let mut caption_selectors = Vec::new();
    if let Some(inputs) = s.array("Inputs")? {
        for (i, input) in inputs.iter().enumerate() {
            (selectors, caption_selectors) = read_input(&format!("Settings.Inputs[{i}]"), input)?;
        }
        if inputs.len() > 1 {
            return Err(err("Settings.Inputs", "more than one input not emulated"));
        }
    }
    let groups_value = s
        .array("OutputGroups")?
        .ok_or_else(|| err("Settings.OutputGroups", "required"))?;
    let mut groups = Vec::new();
    for (i, g) in groups_value.iter().enumerate() {
        groups.push(read_group(&format!("Settings.OutputGroups[{i}]"), g)?);
    }
    if groups.is_empty() {
        return Err(err("Settings.OutputGroups", "no output group"));
    }
    // Each audio output's selector, by name.
    if selectors.is_empty() {
        selectors.push(("Audio Selector 1".to_string(), 0));
    }
    for out in groups.iter_mut().flat_map(|g| g.outputs.iter_mut()) {
        let at = format!("{}.CaptionDescriptions[0].CaptionSelectorName", out.path);
        let find = |name: &str| {
            (caption_selectors.iter())
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.clone())
                .ok_or_else(|| {
                    err(
                        &at,
                        format!(
                            "{name}: no such caption selector in Settings.Inputs[0].CaptionSelectors"
                        ),
                    )
                })
        };
        if let Some(c) = &mut out.captions {
            c.source = match find(&c.selector)? {
                CaptionSource::Sidecar(url) => url,
                CaptionSource::Embedded => {
                    return Err(err(
                        &at,
                        format!(
                            "{}: an EMBEDDED selector into a WEBVTT destination (608 to WebVTT conversion) not emulated",
                            c.selector
                        ),
                    ))
                }
            };
        }
        if let Some(name) = &out.embedded_captions {
            if let CaptionSource::Sidecar(_) = find(name)? {
                return Err(err(
                    &at,
                    format!(
                        "{name}: a WEBVTT selector into an EMBEDDED destination (608 encoding) not emulated"
                    ),
                ));
            }
        }
        if let Some(a) = &mut out.audio {
            a.track = selectors
                .iter()
                .find(|(n, _)| *n == a.source_name)
                .map(|(_, t)| *t)
                .ok_or_else(|| {
                    err(
                        &format!("{}.AudioDescriptions[0].AudioSourceName", out.path),
                        format!(
                            "{}: no such audio selector in Settings.Inputs[0].AudioSelectors",
                            a.source_name
                        ),
                    )
                })?;
        }
    }
    s.finish()?;
    Ok(Job { groups })
}

/// The input's audio selectors (name → audio stream, from 0; without any, `Audio Selector 1` is the
/// first audio stream, as MediaConvert's default selector is) and its caption selectors (name → the
/// WebVTT sidecar's `s3://` URL, or the video's embedded 608).
type Selectors = (Vec<(String, u32)>, Vec<(String, CaptionSource)>);
fn read_input(path: &str, v: &Value) -> Result<Selectors, SettingsError> {
    let mut o = Obj::new(path, v)?;
    let mut selectors = Vec::new();
    if let Some(mut sel) = o.obj("AudioSelectors")? {
        let names: Vec<String> = match v.get("AudioSelectors").and_then(Value::as_object) {
            Some(m) => m.keys().cloned().collect(),
            None => Vec::new(),
        };
        for name in &names {
            let Some(mut a) = sel.obj(name)? else {
                continue;
            };
            a.choice("SelectorType", &["TRACK", "LANGUAGE_CODE", "PID"], "TRACK")?;
            let tracks_path = a.at("Tracks");
            let track = match a.array("Tracks")? {
                None => 0,
                Some(t) => match t.as_slice() {
                    [one] => one
                        .as_u64()
                        .filter(|n| *n >= 1)
                        .map(|n| u32_of(n as i64 - 1))
                        .ok_or_else(|| err(&tracks_path, "expected a track number from 1"))?,
                    _ => return Err(err(&tracks_path, "one track per selector is emulated")),
                },
            };
            a.ignore(&[
                "Offset",
                "DefaultSelection",
                "ProgramSelection",
                "LanguageCode",
            ]);
            a.finish()?;
            selectors.push((name.clone(), track));
        }
        sel.finish()?;
    }
    // FileInput is the trigger's to set (the uploaded object); the selectors pick the first video
    // and audio streams, which is all the emulator does.
    o.ignore(&[
        "FileInput",
        "VideoSelector",
        "TimecodeSource",
        "DeblockFilter",
        "DenoiseFilter",
        "FilterEnable",
        "FilterStrength",
        "PsiControl",
        "InputScanType",
        "AudioSelectorGroups",
    ]);
    let mut captions = Vec::new();
    if let Some(mut sel) = o.obj("CaptionSelectors")? {
        let names: Vec<String> = match v.get("CaptionSelectors").and_then(Value::as_object) {
            Some(m) => m.keys().cloned().collect(),
            None => Vec::new(),
        };
        for name in &names {
            let Some(mut c) = sel.obj(name)? else {
                continue;
            };
            c.ignore(&["CustomLanguageCode", "LanguageCode"]);
            let mut src = c.req_obj("SourceSettings")?;
            let source = if src.choice("SourceType", &["WEBVTT", "EMBEDDED"], "")? == "EMBEDDED" {
                // The 608 the video carries, channel 1 as it is: what passing it through keeps.
                if let Some(mut e) = src.obj("EmbeddedSourceSettings")? {
                    let channel_path = e.at("Source608ChannelNumber");
                    if e.get("Source608ChannelNumber")
                        .is_some_and(|n| n.as_i64() != Some(1))
                    {
                        return Err(err(&channel_path, "channel 1 (CC1) only is emulated"));
                    }
                    e.ignore(&["Source608ChannelNumber", "Source608TrackNumber"]);
                    e.choice("Convert608To708", &["DISABLED"], "DISABLED")?;
                    e.choice("TerminateCaptions", &["END_OF_INPUT"], "END_OF_INPUT")?;
                    e.finish()?;
                }
                CaptionSource::Embedded
            } else {
                let mut file = src.req_obj("FileSourceSettings")?;
                let source = file.req_str("SourceFile")?.to_string();
                if !source.starts_with("s3://") {
                    return Err(err(
                        &file.at("SourceFile"),
                        format!("{source}: not an s3:// URL"),
                    ));
                }
                file.ignore(&["Convert608To708", "ConvertPaintToPop"]);
                file.finish()?;
                CaptionSource::Sidecar(source)
            };
            src.finish()?;
            c.finish()?;
            captions.push((name.clone(), source));
        }
        sel.finish()?;
    }
    o.finish()?;
    Ok((selectors, captions))
}

fn read_group(path: &str, v: &Value) -> Result<Group, SettingsError> {
    let mut g = Obj::new(path, v)?;
    let name = g.str("Name")?.unwrap_or("").to_string();
    g.ignore(&["CustomName", "AutomatedEncodingSettings"]);
    let mut ogs = g.req_obj("OutputGroupSettings")?;
    let ty = ogs.choice(
        "Type",
        &[
            "HLS_GROUP_SETTINGS",
            "CMAF_GROUP_SETTINGS",
            "FILE_GROUP_SETTINGS",
        ],
        "",
    )?;
    let (kind, destination) = match ty {
        "HLS_GROUP_SETTINGS" => {
            let mut h = ogs.req_obj("HlsGroupSettings")?;
            let dest = h.req_str("Destination")?.to_string();
            let hls = read_hls(&mut h)?;
            h.finish()?;
            (GroupKind::Hls(hls), dest)
        }
        "CMAF_GROUP_SETTINGS" => {
            let mut h = ogs.req_obj("CmafGroupSettings")?;
            let dest = h.req_str("Destination")?.to_string();
            let cmaf = read_cmaf(&mut h)?;
            h.finish()?;
            (GroupKind::Cmaf(cmaf), dest)
        }
        "FILE_GROUP_SETTINGS" => {
            let mut f = ogs.req_obj("FileGroupSettings")?;
            let dest = f.req_str("Destination")?.to_string();
            f.ignore(&["DestinationSettings"]);
            f.finish()?;
            (GroupKind::File, dest)
        }
        _ => return Err(err(&ogs.at("Type"), "required")),
    };
    ogs.finish()?;
    if !destination.starts_with("s3://") {
        return Err(err(
            &format!("{}.Destination", ogs_path(path, ty)),
            format!("{destination}: not an s3:// URL"),
        ));
    }
    let outputs_value = g
        .array("Outputs")?
        .ok_or_else(|| err(&g.at("Outputs"), "required"))?;
    let mut outputs = Vec::new();
    for (j, out) in outputs_value.iter().enumerate() {
        outputs.push(read_output(&format!("{path}.Outputs[{j}]"), out, &kind)?);
    }
    if outputs.is_empty() {
        return Err(err(&g.at("Outputs"), "no output"));
    }
    g.finish()?;
    Ok(Group {
        path: path.to_string(),
        name,
        destination,
        kind,
        outputs,
    })
}

fn ogs_path(group: &str, ty: &str) -> String {
    let inner = match ty {
        "HLS_GROUP_SETTINGS" => "HlsGroupSettings",
        "CMAF_GROUP_SETTINGS" => "CmafGroupSettings",
        _ => "FileGroupSettings",
    };
    format!("{group}.OutputGroupSettings.{inner}")
}

fn read_hls(h: &mut Obj) -> Result<Hls, SettingsError> {
    let segment_length = u32_of(positive(h, "SegmentLength", 10)?);
    h.choice("SegmentControl", &["SEGMENTED_FILES"], "SEGMENTED_FILES")?;
    let integer = h.choice(
        "ManifestDurationFormat",
        &["INTEGER", "FLOATING_POINT"],
        "FLOATING_POINT",
    )? == "INTEGER";
    h.choice(
        "DirectoryStructure",
        &["SINGLE_DIRECTORY"],
        "SINGLE_DIRECTORY",
    )?;
    h.choice(
        "OutputSelection",
        &["MANIFESTS_AND_SEGMENTS"],
        "MANIFESTS_AND_SEGMENTS",
    )?;
    h.choice("ProgramDateTime", &["EXCLUDE"], "EXCLUDE")?;
    h.choice("ManifestCompression", &["NONE"], "NONE")?;
    let resolution =
        h.choice("StreamInfResolution", &["INCLUDE", "EXCLUDE"], "INCLUDE")? == "INCLUDE";
    let rfc_6381 =
        h.choice("CodecSpecification", &["RFC_4281", "RFC_6381"], "RFC_4281")? == "RFC_6381";
    h.choice("IFrameOnlyManifest", &["EXCLUDE"], "EXCLUDE")?;
    h.choice("WriteHlsManifest", &["ENABLED"], "ENABLED")?;
    h.choice("WriteDashManifest", &["DISABLED"], "DISABLED")?;
    // Timing and caching hints that do not change the files written.
    let min_final_segment = min_final_segment(h)?;
    let match_video = h.choice(
        "CaptionSegmentLengthControl",
        &["LARGE_SEGMENTS", "MATCH_VIDEO"],
        "LARGE_SEGMENTS",
    )? == "MATCH_VIDEO";
    h.ignore(&[
        "MinSegmentLength",
        "ClientCache",
        "TimedMetadataId3Frame",
        "TimedMetadataId3Period",
        "TimestampDeltaMilliseconds",
        "ProgramDateTimePeriod",
        "SegmentLengthControl",
        "AudioOnlyHeader",
        "BaseUrl",
        "DestinationSettings",
        "MpdProfile",
        "PtsOffsetHandlingForBFrames",
        "TargetDurationCompatibilityMode",
        "ImageBasedTrickPlay",
        "AdMarkers",
    ]);
    let closed_captions = read_closed_captions(h)?;
    let key = match h.obj("Encryption")? {
        None => None,
        Some(mut e) => {
            e.choice("EncryptionMethod", &["AES128"], "AES128")?;
            e.choice("Type", &["STATIC_KEY"], "STATIC_KEY")?;
            let in_manifest = e.choice(
                "InitializationVectorInManifest",
                &["INCLUDE", "EXCLUDE"],
                "INCLUDE",
            )? == "INCLUDE";
            let iv = e.str("ConstantInitializationVector")?.map(str::to_string);
            let iv_path = e.at("ConstantInitializationVector");
            if let Some(iv) = &iv {
                if iv.len() != 32 || !iv.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(err(&iv_path, "expected 32 hex digits"));
                }
            }
            let mut p = e.req_obj("StaticKeyProvider")?;
            let key_hex = p.req_str("StaticKeyValue")?.to_string();
            if key_hex.len() != 32 || !key_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err(&p.at("StaticKeyValue"), "expected 32 hex digits"));
            }
            let url = p.req_str("Url")?.to_string();
            p.ignore(&["KeyFormat", "KeyFormatVersions"]);
            p.finish()?;
            e.ignore(&["OfflineEncrypted"]);
            e.finish()?;
            Some(StaticKey {
                key_hex,
                url,
                iv_hex: if in_manifest { iv } else { None },
            })
        }
    };
    Ok(Hls {
        segment_length,
        min_final_segment,
        captions_match_video: match_video,
        integer_durations: integer,
        rfc_6381,
        resolution,
        key,
        closed_captions,
    })
}

fn read_closed_captions(h: &mut Obj) -> Result<ClosedCaptions, SettingsError> {
    let setting = h.choice(
        "CaptionLanguageSetting",
        &["OMIT", "NONE", "INSERT"],
        "OMIT",
    )?;
    let path = h.at("CaptionLanguageMappings");
    let mappings: &[Value] = h
        .array("CaptionLanguageMappings")?
        .map_or(&[], Vec::as_slice);
    Ok(match setting {
        "NONE" => ClosedCaptions::None,
        "INSERT" => {
            let mut out = Vec::new();
            for (i, m) in mappings.iter().enumerate() {
                let mut o = Obj::new(&format!("{path}[{i}]"), m)?;
                let channel_path = o.at("CaptionChannel");
                let channel = o
                    .get("CaptionChannel")
                    .and_then(Value::as_u64)
                    .filter(|c| (1..=4).contains(c))
                    .ok_or_else(|| err(&channel_path, "expected a 608 channel, 1 to 4"))?;
                let language = match (o.str("CustomLanguageCode")?, o.str("LanguageCode")?) {
                    (Some(l), _) | (None, Some(l)) => l.to_ascii_lowercase(),
                    (None, None) => return Err(err(&o.at("LanguageCode"), "required")),
                };
                let name = o.str("LanguageDescription")?.map(str::to_string);
                o.finish()?;
                out.push(CaptionMapping {
                    channel: u32_of(channel as i64),
                    language,
                    name,
                });
            }
            if out.is_empty() {
                return Err(err(&path, "INSERT needs at least one mapping"));
            }
            ClosedCaptions::Insert(out)
        }
        _ => ClosedCaptions::Omit,
    })
}

fn read_output(path: &str, v: &Value, kind: &GroupKind) -> Result<Output, SettingsError> {
    let mut o = Obj::new(path, v)?;
    let name_modifier = o.str("NameModifier")?.unwrap_or("").to_string();
    let extension = o.str("Extension")?.map(str::to_string);
    o.ignore(&["Preset"]);
    let destination = match o.array("CaptionDescriptions")? {
        None => None,
        Some(list) => match (list.as_slice(), kind) {
            ([], _) => None,
            ([one], GroupKind::Hls(_)) => Some(read_captions(
                &format!("{path}.CaptionDescriptions[0]"),
                one,
            )?),
            // CMAF: the 608 kept in the video's samples (EMBEDDED), the HLS group's passthrough;
            // a sidecar (WebVTT, IMSC) there is not emulated.
            ([one], GroupKind::Cmaf(_)) => {
                let at = format!("{path}.CaptionDescriptions[0]");
                match read_captions(&at, one)? {
                    d @ CaptionDestination::Embedded(_) => Some(d),
                    CaptionDestination::Webvtt(_) => return Err(err(
                        &format!("{at}.DestinationSettings.DestinationType"),
                        "WEBVTT captions are emulated in the Apple HLS group only (CMAF: EMBEDDED)",
                    )),
                }
            }
            ([_], _) => {
                return Err(err(
                    &o.at("CaptionDescriptions"),
                    "captions are emulated in the Apple HLS and CMAF groups only",
                ))
            }
            _ => {
                return Err(err(
                    &format!("{path}.CaptionDescriptions[1]"),
                    "one caption track per output is emulated",
                ))
            }
        },
    };
    let (captions, embedded_captions) = match destination {
        None => (None, None),
        Some(CaptionDestination::Webvtt(c)) => (Some(c), None),
        Some(CaptionDestination::Embedded(selector)) => (None, Some(selector)),
    };
    let mut cs = o.req_obj("ContainerSettings")?;
    let container_name = match kind {
        GroupKind::Hls(_) => cs.choice("Container", &["M3U8"], "M3U8")?,
        GroupKind::Cmaf(_) => cs.choice("Container", &["CMFC"], "CMFC")?,
        GroupKind::File => cs.choice("Container", &["MP4", "RAW"], "MP4")?,
    };
    let container = match container_name {
        "M3U8" => {
            let (mut pmt, mut video, mut audio) = (480, 481, 482);
            if let Some(mut m) = cs.obj("M3u8Settings")? {
                let pid = |v: i64| u16::try_from(v).unwrap_or(u16::MAX);
                pmt = m.int("PmtPid")?.map_or(pmt, pid);
                video = m.int("VideoPid")?.map_or(video, pid);
                let audio_path = m.at("AudioPids");
                if let Some(a) = m.array("AudioPids")? {
                    audio = a
                        .first()
                        .and_then(Value::as_i64)
                        .map(pid)
                        .ok_or_else(|| err(&audio_path, "expected an array of integers"))?;
                }
                m.ignore(&[
                    "AudioFramesPerPes",
                    "NielsenId3",
                    "PatInterval",
                    "PcrControl",
                    "PcrPid",
                    "PmtInterval",
                    "PrivateMetadataPid",
                    "ProgramNumber",
                    "Scte35Source",
                    "TimedMetadata",
                    "TimedMetadataPid",
                    "TransportStreamId",
                    "AudioDuration",
                    "MaxPcrInterval",
                    "DataPTSControl",
                    "Scte35Pid",
                    "PtsOffset",
                    "PtsOffsetMode",
                ]);
                m.finish()?;
            }
            Container::M3u8 {
                pmt_pid: pmt,
                video_pid: video,
                audio_pid: audio,
            }
        }
        "CMFC" => Container::Cmfc,
        "MP4" => {
            if let Some(mut m) = cs.obj("Mp4Settings")? {
                m.choice(
                    "MoovPlacement",
                    &["PROGRESSIVE_DOWNLOAD"],
                    "PROGRESSIVE_DOWNLOAD",
                )?;
                m.ignore(&[
                    "CslgAtom",
                    "FreeSpaceBox",
                    "Mp4MajorBrand",
                    "AudioDuration",
                    "CttsVersion",
                ]);
                m.finish()?;
            }
            Container::Mp4
        }
        _ => Container::Raw,
    };
    let mut audio_track = None;
    if let Some(mut c) = cs.obj("CmfcSettings")? {
        let group_id = c
            .str("AudioGroupId")?
            .unwrap_or("program_audio")
            .to_string();
        let ty = c.choice(
            "AudioTrackType",
            &[
                "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
                "ALTERNATE_AUDIO_AUTO_SELECT",
                "ALTERNATE_AUDIO_NOT_AUTO_SELECT",
            ],
            "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
        )?;
        c.choice("IFrameOnlyManifest", &["EXCLUDE"], "EXCLUDE")?;
        c.ignore(&[
            "AudioRenditionSets",
            "Scte35Esam",
            "Scte35Source",
            "TimedMetadata",
            "AudioDuration",
            "DescriptiveVideoServiceFlag",
        ]);
        c.finish()?;
        audio_track = Some(AudioTrack {
            group_id,
            default: ty == "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
            autoselect: ty != "ALTERNATE_AUDIO_NOT_AUTO_SELECT",
        });
    }
    cs.finish()?;

    let video = match o.obj("VideoDescription")? {
        None => None,
        Some(vd) => Some(read_video(vd)?),
    };
    let audio = match o.array("AudioDescriptions")? {
        None => None,
        Some(list) => {
            if list.len() > 1 {
                return Err(err(
                    &format!("{path}.AudioDescriptions[1]"),
                    "a second audio track in one output not emulated",
                ));
            }
            match list.first() {
                None => None,
                Some(a) => Some(read_audio(&format!("{path}.AudioDescriptions[0]"), a)?),
            }
        }
    };
    let mut segment_modifier = String::new();
    // Apple HLS: an audio-only output's rendition group and flags, a video output's audio group.
    let mut hls_track = AudioTrack {
        group_id: "program_audio".into(),
        default: true,
        autoselect: true,
    };
    let mut rendition_set = "program_audio".to_string();
    let mut audio_only_m2ts = false;
    let mut container_path = String::new();
    if let Some(mut os) = o.obj("OutputSettings")? {
        if let Some(mut hs) = os.obj("HlsSettings")? {
            segment_modifier = hs.str("SegmentModifier")?.unwrap_or("").to_string();
            hs.choice("IFrameOnlyManifest", &["EXCLUDE"], "EXCLUDE")?;
            let ty = hs.choice(
                "AudioTrackType",
                &[
                    "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
                    "ALTERNATE_AUDIO_AUTO_SELECT",
                    "ALTERNATE_AUDIO_NOT_AUTO_SELECT",
                ],
                "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
            )?;
            hls_track.default = ty == "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT";
            hls_track.autoselect = ty != "ALTERNATE_AUDIO_NOT_AUTO_SELECT";
            if let Some(g) = hs.str("AudioGroupId")? {
                hls_track.group_id = g.to_string();
            }
            if let Some(r) = hs.str("AudioRenditionSets")? {
                rendition_set = r.split(',').next().unwrap_or(r).trim().to_string();
            }
            container_path = hs.at("AudioOnlyContainer");
            audio_only_m2ts =
                hs.choice("AudioOnlyContainer", &["AUTOMATIC", "M2TS"], "AUTOMATIC")? == "M2TS";
            hs.ignore(&["DescriptiveVideoServiceFlag"]);
            hs.finish()?;
        }
        os.ignore(&["CmafSettings"]);
        os.finish()?;
    }
    o.finish()?;

    let is_capture = matches!(
        video.as_ref().map(|v| &v.codec),
        Some(VideoCodec::FrameCapture { .. })
    );
    if (container == Container::Raw) != is_capture {
        return Err(err(
            &format!("{path}.ContainerSettings.Container"),
            "RAW goes with a FRAME_CAPTURE video codec and only with it",
        ));
    }
    if embedded_captions.is_some() && video.is_none() {
        return Err(err(
            &format!("{path}.CaptionDescriptions[0].DestinationSettings.DestinationType"),
            "EMBEDDED captions ride in a video output's H.264",
        ));
    }
    if container == Container::Cmfc {
        if video.is_some() == audio.is_some() {
            return Err(err(
                path,
                "a CMAF output carries one track: a VideoDescription or AudioDescriptions, not both or neither",
            ));
        }
        if audio.is_some() && audio_track.is_none() {
            audio_track = Some(AudioTrack {
                group_id: "program_audio".into(),
                default: true,
                autoselect: true,
            });
        }
    } else if captions.is_some() {
        if video.is_some() || audio.is_some() {
            return Err(err(
                &format!("{path}.CaptionDescriptions"),
                "a WebVTT output carries its captions alone (a sidecar, as MediaConvert writes it)",
            ));
        }
    } else if video.is_none() {
        // Apple HLS audio-only outputs: alternate audio renditions in MPEG-TS.
        if !matches!(container, Container::M3u8 { .. }) || audio.is_none() {
            return Err(err(
                &format!("{path}.VideoDescription"),
                "audio-only outputs are emulated in the Apple HLS group (M3U8) only",
            ));
        }
        if !audio_only_m2ts {
            return Err(err(
                if container_path.is_empty() {
                    path
                } else {
                    &container_path
                },
                "AUTOMATIC (raw AAC segments) not emulated for an audio-only output: set AudioOnlyContainer M2TS",
            ));
        }
        audio_track = Some(hls_track);
    }
    Ok(Output {
        path: path.to_string(),
        name_modifier,
        segment_modifier,
        container,
        video,
        audio,
        extension,
        audio_track,
        rendition_set,
        captions,
        embedded_captions,
    })
}

fn read_captions(path: &str, v: &Value) -> Result<CaptionDestination, SettingsError> {
    let mut c = Obj::new(path, v)?;
    let selector = c
        .str("CaptionSelectorName")?
        .unwrap_or("Captions Selector 1")
        .to_string();
    let language = c.str("LanguageCode")?.map(str::to_ascii_lowercase);
    let description = c.str("LanguageDescription")?.map(str::to_string);
    c.ignore(&["CustomLanguageCode"]);
    let mut d = c.req_obj("DestinationSettings")?;
    if d.choice("DestinationType", &["WEBVTT", "EMBEDDED"], "")? == "EMBEDDED" {
        if let Some(mut e) = d.obj("EmbeddedDestinationSettings")? {
            let channel_path = e.at("Destination608ChannelNumber");
            if (e.get("Destination608ChannelNumber")).is_some_and(|n| n.as_i64() != Some(1)) {
                return Err(err(&channel_path, "channel 1 (CC1) only is emulated"));
            }
            e.ignore(&["Destination608ChannelNumber"]);
            if e.get("Destination708ServiceNumber").is_some() {
                return Err(err(
                    &e.at("Destination708ServiceNumber"),
                    "708 services not emulated (608 passthrough only)",
                ));
            }
            e.finish()?;
        }
        d.finish()?;
        c.finish()?;
        return Ok(CaptionDestination::Embedded(selector));
    }
    if let Some(mut w) = d.obj("WebvttDestinationSettings")? {
        w.choice("Accessibility", &["DISABLED"], "DISABLED")?;
        w.choice("StylePassthrough", &["DISABLED"], "DISABLED")?;
        w.finish()?;
    }
    d.finish()?;
    c.finish()?;
    Ok(CaptionDestination::Webvtt(Captions {
        selector,
        source: String::new(),
        language,
        description,
    }))
}

fn read_video(mut vd: Obj) -> Result<Video, SettingsError> {
    let width = u32_of(positive(&mut vd, "Width", 1280)?);
    let height = u32_of(positive(&mut vd, "Height", 720)?);
    vd.ignore(&[
        "ScalingBehavior",
        "TimecodeInsertion",
        "AntiAlias",
        "Sharpness",
        "AfdSignaling",
        "DropFrameTimecode",
        "RespondToAfd",
        "ColorMetadata",
        "VideoPreprocessors",
        "FixedAfd",
    ]);
    let mut cs = vd.req_obj("CodecSettings")?;
    let codec = cs.choice("Codec", &["H_264", "FRAME_CAPTURE"], "")?;
    let codec = match codec {
        "H_264" => {
            let mut h = cs.req_obj("H264Settings")?;
            let cbr = h.choice("RateControlMode", &["CBR", "VBR", "QVBR"], "CBR")? == "CBR";
            let bitrate = positive(&mut h, "Bitrate", 5_000_000)?;
            let max_bitrate = h.int("MaxBitrate")?.map(|v| v.max(0) as u64);
            let profile = match h.choice("CodecProfile", &["BASELINE", "MAIN", "HIGH"], "MAIN")? {
                "BASELINE" => "baseline",
                "HIGH" => "high",
                _ => "main",
            };
            let level = match h.choice(
                "CodecLevel",
                &[
                    "AUTO",
                    "LEVEL_3",
                    "LEVEL_3_1",
                    "LEVEL_3_2",
                    "LEVEL_4",
                    "LEVEL_4_1",
                    "LEVEL_4_2",
                    "LEVEL_5",
                    "LEVEL_5_1",
                ],
                "AUTO",
            )? {
                "LEVEL_3" => Some("3.0"),
                "LEVEL_3_1" => Some("3.1"),
                "LEVEL_3_2" => Some("3.2"),
                "LEVEL_4" => Some("4.0"),
                "LEVEL_4_1" => Some("4.1"),
                "LEVEL_4_2" => Some("4.2"),
                "LEVEL_5" => Some("5.0"),
                "LEVEL_5_1" => Some("5.1"),
                _ => None,
            };
            let gop_path = h.at("GopSize");
            let gop_size = match h.get("GopSize") {
                None => 90.0,
                Some(v) => v
                    .as_f64()
                    .filter(|g| *g > 0.0)
                    .ok_or_else(|| err(&gop_path, "expected a positive number"))?,
            };
            let gop_in_frames =
                h.choice("GopSizeUnits", &["FRAMES", "SECONDS"], "FRAMES")? == "FRAMES";
            let b_frames = u32_of(
                h.int("NumberBFramesBetweenReferenceFrames")?
                    .unwrap_or(2)
                    .max(0),
            );
            let ref_frames = u32_of(h.int("NumberReferenceFrames")?.unwrap_or(3).max(1));
            let scene_change_detect = h.choice(
                "SceneChangeDetect",
                &["ENABLED", "DISABLED", "TRANSITION_DETECTION"],
                "ENABLED",
            )? != "DISABLED";
            let cabac = h.choice("EntropyEncoding", &["CABAC", "CAVLC"], "CABAC")? == "CABAC";
            let framerate = match h.choice(
                "FramerateControl",
                &["INITIALIZE_FROM_SOURCE", "SPECIFIED"],
                "INITIALIZE_FROM_SOURCE",
            )? {
                "SPECIFIED" => Some((
                    u32_of(positive(&mut h, "FramerateNumerator", 30)?),
                    u32_of(positive(&mut h, "FramerateDenominator", 1)?),
                )),
                _ => None,
            };
            h.choice("InterlaceMode", &["PROGRESSIVE"], "PROGRESSIVE")?;
            h.ignore(&[
                "GopClosedCadence",
                "GopBReference",
                "Softness",
                "HrdBufferSize",
                "HrdBufferInitialFillPercentage",
                "SlowPal",
                "SpatialAdaptiveQuantization",
                "TemporalAdaptiveQuantization",
                "FlickerAdaptiveQuantization",
                "AdaptiveQuantization",
                "Telecine",
                "Syntax",
                "MinIInterval",
                "ParControl",
                "QualityTuningLevel",
                "UnregisteredSeiTimecode",
                "FramerateConversionAlgorithm",
                "Slices",
                "NumberBFramesBetweenReferenceFrames",
                "RepeatPps",
                "FieldEncoding",
                "DynamicSubGop",
                "QvbrSettings",
                "CodecLevel",
                "ScanTypeConversionMode",
                "WriteMp4PackagingType",
                "FramerateNumerator",
                "FramerateDenominator",
            ]);
            h.finish()?;
            VideoCodec::H264(H264 {
                bitrate: bitrate as u64,
                max_bitrate,
                cbr,
                profile,
                level,
                gop_size,
                gop_in_frames,
                b_frames,
                ref_frames,
                scene_change_detect,
                cabac,
                framerate,
            })
        }
        "FRAME_CAPTURE" => {
            let mut f = cs.req_obj("FrameCaptureSettings")?;
            let numerator = u32_of(positive(&mut f, "FramerateNumerator", 1)?);
            let denominator = u32_of(positive(&mut f, "FramerateDenominator", 5)?);
            let max_captures = u32_of(positive(&mut f, "MaxCaptures", 10_000_000)?);
            let quality = u32_of(positive(&mut f, "Quality", 80)?);
            f.finish()?;
            VideoCodec::FrameCapture {
                numerator,
                denominator,
                max_captures,
                quality,
            }
        }
        _ => return Err(err(&cs.at("Codec"), "required")),
    };
    cs.finish()?;
    vd.finish()?;
    Ok(Video {
        width,
        height,
        codec,
    })
}

fn read_audio(path: &str, v: &Value) -> Result<Audio, SettingsError> {
    let mut a = Obj::new(path, v)?;
    let source_name = a
        .str("AudioSourceName")?
        .unwrap_or("Audio Selector 1")
        .to_string();
    a.ignore(&[
        "AudioTypeControl",
        "LanguageCodeControl",
        "AudioType",
        "AudioNormalizationSettings",
        "AudioChannelTaggingSettings",
        "RemixSettings",
        "CustomLanguageCode",
    ]);
    let language = a.str("LanguageCode")?.map(str::to_string);
    let stream_name = a.str("StreamName")?.map(str::to_string);
    let mut cs = a.req_obj("CodecSettings")?;
    cs.choice("Codec", &["AAC"], "AAC")?;
    let mut aac = cs.req_obj("AacSettings")?;
    let bitrate = positive(&mut aac, "Bitrate", 96_000)? as u64;
    let sample_rate = u32_of(positive(&mut aac, "SampleRate", 48_000)?);
    let channels = match aac.choice(
        "CodingMode",
        &["CODING_MODE_2_0", "CODING_MODE_1_0"],
        "CODING_MODE_2_0",
    )? {
        "CODING_MODE_1_0" => 1,
        _ => 2,
    };
    aac.choice("CodecProfile", &["LC"], "LC")?;
    aac.choice("RawFormat", &["NONE"], "NONE")?;
    aac.choice("Specification", &["MPEG4"], "MPEG4")?;
    aac.ignore(&[
        "RateControlMode",
        "AudioDescriptionBroadcasterMix",
        "VbrQuality",
        "RawFormat",
    ]);
    aac.finish()?;
    cs.finish()?;
    a.finish()?;
    Ok(Audio {
        bitrate,
        sample_rate,
        channels,
        language,
        stream_name,
        source_name,
        track: 0,
    })
}

fn read_cmaf(h: &mut Obj) -> Result<Cmaf, SettingsError> {
    let segment_length = u32_of(positive(h, "SegmentLength", 10)?);
    let fragment_path = h.at("FragmentLength");
    let fragment_length = u32_of(positive(h, "FragmentLength", 2)?);
    if fragment_length > segment_length {
        return Err(err(
            &fragment_path,
            format!("{fragment_length} is longer than SegmentLength ({segment_length})"),
        ));
    }
    let single_file = h.choice(
        "SegmentControl",
        &["SEGMENTED_FILES", "SINGLE_FILE"],
        "SEGMENTED_FILES",
    )? == "SINGLE_FILE";
    let min_final_segment = min_final_segment(h)?;
    let integer = h.choice(
        "ManifestDurationFormat",
        &["INTEGER", "FLOATING_POINT"],
        "FLOATING_POINT",
    )? == "INTEGER";
    h.choice("WriteHlsManifest", &["ENABLED"], "ENABLED")?;
    let dash_path = h.at("WriteDashManifest");
    if h.choice("WriteDashManifest", &["DISABLED", "ENABLED"], "ENABLED")? == "ENABLED" {
        return Err(err(
            &dash_path,
            "ENABLED (the default) not emulated: DASH manifests are not written; set DISABLED",
        ));
    }
    let resolution =
        h.choice("StreamInfResolution", &["INCLUDE", "EXCLUDE"], "INCLUDE")? == "INCLUDE";
    h.choice("ManifestCompression", &["NONE"], "NONE")?;
    h.ignore(&[
        "ClientCache",
        "CodecSpecification",
        "MpdProfile",
        "WriteSegmentTimelineInRepresentation",
        "PtsOffsetHandlingForBFrames",
        "TargetDurationCompatibilityMode",
        "BaseUrl",
        "DestinationSettings",
        "ImageBasedTrickPlay",
        "MinBufferTime",
        "SegmentLengthControl",
        "MpdManifestBandwidthType",
        "VideoCompositionOffsets",
    ]);
    if h.get("Encryption").is_some() {
        return Err(err(
            &h.at("Encryption"),
            "CMAF sample encryption not emulated",
        ));
    }
    Ok(Cmaf {
        segment_length,
        fragment_length,
        single_file,
        min_final_segment,
        integer_durations: integer,
        resolution,
    })
}
