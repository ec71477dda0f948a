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
    pub integer_durations: bool,
    /// `CodecSpecification: RFC_4281` writes the legacy decimal form (`avc1.77.30`), `RFC_6381`
    /// the hex form (`avc1.4d401e`).
    pub rfc_6381: bool,
    pub resolution: bool,
    pub key: Option<StaticKey>,
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
    /// CMAF audio outputs: the group and flags of their EXT-X-MEDIA.
    pub audio_track: Option<AudioTrack>,
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
    if let Some(inputs) = s.array("Inputs")? {
        for (i, input) in inputs.iter().enumerate() {
            read_input(&format!("Settings.Inputs[{i}]"), input)?;
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
    s.finish()?;
    Ok(Job { groups })
}

fn read_input(path: &str, v: &Value) -> Result<(), SettingsError> {
    let mut o = Obj::new(path, v)?;
    // FileInput is the trigger's to set (the uploaded object); the selectors pick the first video
    // and audio streams, which is all the emulator does.
    o.ignore(&[
        "FileInput",
        "AudioSelectors",
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
    if let Some(c) = o.get("CaptionSelectors") {
        if c.as_object().is_some_and(|m| !m.is_empty()) {
            return Err(err(&o.at("CaptionSelectors"), "not emulated"));
        }
    }
    o.finish()
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
    h.ignore(&[
        "MinSegmentLength",
        "MinFinalSegmentLength",
        "ClientCache",
        "TimedMetadataId3Frame",
        "TimedMetadataId3Period",
        "TimestampDeltaMilliseconds",
        "ProgramDateTimePeriod",
        "CaptionLanguageSetting",
        "CaptionLanguageMappings",
        "SegmentLengthControl",
        "AudioOnlyHeader",
        "BaseUrl",
        "DestinationSettings",
        "CaptionSegmentLengthControl",
        "MpdProfile",
        "PtsOffsetHandlingForBFrames",
        "TargetDurationCompatibilityMode",
        "ImageBasedTrickPlay",
        "AdMarkers",
    ]);
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
        integer_durations: integer,
        rfc_6381,
        resolution,
        key,
    })
}

fn read_output(path: &str, v: &Value, kind: &GroupKind) -> Result<Output, SettingsError> {
    let mut o = Obj::new(path, v)?;
    let name_modifier = o.str("NameModifier")?.unwrap_or("").to_string();
    let extension = o.str("Extension")?.map(str::to_string);
    o.ignore(&["Preset"]);
    if o.get("CaptionDescriptions")
        .is_some_and(|c| c.as_array().is_some_and(|a| !a.is_empty()))
    {
        return Err(err(&o.at("CaptionDescriptions"), "not emulated"));
    }
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
    if let Some(mut os) = o.obj("OutputSettings")? {
        if let Some(mut hs) = os.obj("HlsSettings")? {
            segment_modifier = hs.str("SegmentModifier")?.unwrap_or("").to_string();
            hs.choice("IFrameOnlyManifest", &["EXCLUDE"], "EXCLUDE")?;
            hs.choice(
                "AudioTrackType",
                &["ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT"],
                "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
            )?;
            hs.ignore(&[
                "AudioGroupId",
                "AudioRenditionSets",
                "AudioOnlyContainer",
                "DescriptiveVideoServiceFlag",
            ]);
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
    } else if video.is_none() {
        return Err(err(
            &format!("{path}.VideoDescription"),
            "audio-only outputs not emulated",
        ));
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
    })
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
    a.ignore(&[
        "AudioSourceName",
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
    })
}

fn read_cmaf(h: &mut Obj) -> Result<Cmaf, SettingsError> {
    let segment_length = u32_of(positive(h, "SegmentLength", 10)?);
    let fragment_path = h.at("FragmentLength");
    let fragment = u32_of(positive(h, "FragmentLength", 2)?);
    // ffmpeg's HLS muxer writes one moof per segment; shorter fragments are not emulated.
    if fragment != segment_length {
        return Err(err(
            &fragment_path,
            format!("{fragment} not emulated (one fragment per segment: set it to SegmentLength, {segment_length})"),
        ));
    }
    h.choice("SegmentControl", &["SEGMENTED_FILES"], "SEGMENTED_FILES")?;
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
        "MinFinalSegmentLength",
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
        integer_durations: integer,
        resolution,
    })
}
