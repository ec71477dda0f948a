//! RFC 6381 codec strings and track facts read from init segments written by mp4-atom (an
//! independent writer) and by the project's own writer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
mod fmp4_common;

use fmp4_common::*;
use hlsplay::fmp4::moov::{read_init, Handler, TrackDefaults};
use hlsplay::fmp4::FourCc;
use hlsplay::ts::audio::{AudioCodec, AudioConfig};
use hlsplay::ErrorCategory;
use mp4_atom::esds::{DecoderConfig, DecoderSpecific, EsDescriptor, SLConfig};
use mp4_atom::{
    Ac3, Ac3SpecificBox, Audio, Avc1, Avc3, Avcc, Codec, Dops, Eac3, Ec3IndependentSubstream,
    Ec3SpecificBox, Encode, Esds, Hdlr, Hev1, Hvc1, Hvcc, Mdhd, Mdia, Minf, Moov, Mp4a, Mvex, Opus,
    Stbl, Stsd, Tkhd, Trak, Trex, Visual,
};

/// An init segment (moov only) with one track per (id, handler, timescale, sample entry).
fn moov(tracks: Vec<(u32, &[u8; 4], u32, Codec)>) -> Vec<u8> {
    let trex = tracks
        .iter()
        .map(|(id, ..)| Trex {
            track_id: *id,
            default_sample_description_index: 1,
            default_sample_duration: 1000 + id,
            default_sample_size: 0,
            default_sample_flags: 0x0101_0000,
        })
        .collect();
    let trak = tracks
        .into_iter()
        .map(|(id, handler, timescale, codec)| Trak {
            tkhd: Tkhd {
                track_id: id,
                ..Default::default()
            },
            mdia: Mdia {
                mdhd: Mdhd {
                    timescale,
                    ..Default::default()
                },
                hdlr: Hdlr {
                    handler: handler.into(),
                    name: String::new(),
                },
                minf: Minf {
                    stbl: Stbl {
                        stsd: Stsd {
                            codecs: vec![codec],
                        },
                        ..Default::default()
                    },
                    ..Default::default()
                },
            },
            ..Default::default()
        })
        .collect();
    let moov = Moov {
        trak,
        mvex: Some(Mvex { mehd: None, trex }),
        ..Default::default()
    };
    let mut out = Vec::new();
    moov.encode(&mut out).unwrap();
    out
}

fn video(codec: Codec) -> Vec<u8> {
    moov(vec![(1, b"vide", 90_000, codec)])
}

fn audio(codec: Codec) -> Vec<u8> {
    moov(vec![(1, b"soun", 48_000, codec)])
}

fn codec_of(init: &[u8]) -> String {
    read_init(init).unwrap().tracks[0].codec.clone().unwrap()
}

fn sound() -> Audio {
    Audio {
        data_reference_index: 1,
        channel_count: 2,
        sample_size: 16,
        sample_rate: 48_000.into(),
    }
}

fn avcc(sps: &[u8]) -> Avcc {
    Avcc::new(sps, PPS).unwrap()
}

fn hvcc(space: u8, tier: bool, profile: u8, compat: [u8; 4], level: u8, cons: [u8; 6]) -> Hvcc {
    Hvcc {
        general_profile_space: space,
        general_tier_flag: tier,
        general_profile_idc: profile,
        general_profile_compatibility_flags: compat,
        general_constraint_indicator_flags: cons,
        general_level_idc: level,
        chroma_format_idc: 1,
        length_size_minus_one: 3,
        ..Hvcc::new()
    }
}

fn esds(oti: u8, dsi: Option<DecoderSpecific>) -> Esds {
    Esds {
        es_desc: EsDescriptor {
            es_id: 1,
            depends_on_es_id: None,
            url: None,
            ocr_es_id: None,
            stream_priority: 0,
            dec_config: DecoderConfig {
                object_type_indication: oti,
                stream_type: 5,
                up_stream: 0,
                buffer_size_db: Default::default(),
                max_bitrate: 0,
                avg_bitrate: 0,
                dec_specific: dsi,
            },
            sl_config: SLConfig {},
        },
    }
}

fn aac_dsi(profile: u8, raw: Vec<u8>) -> Option<DecoderSpecific> {
    Some(DecoderSpecific {
        profile,
        freq_index: 3,
        chan_conf: 2,
        raw,
    })
}

fn mp4a(esds: Esds) -> Codec {
    Codec::Mp4a(Mp4a {
        audio: sound(),
        esds,
        btrt: None,
        taic: None,
    })
}

/// Insert `bytes` at `at` inside the nested boxes `path` (each found by its type after the
/// previous one), growing each box's size.
fn insert(data: &mut Vec<u8>, path: &[&[u8; 4]], at: impl Fn(&[usize]) -> usize, bytes: &[u8]) {
    let mut starts = Vec::new();
    let mut from = 0;
    for kind in path {
        let p = from + data[from..].windows(4).position(|w| w == *kind).unwrap() - 4;
        starts.push(p);
        from = p + 8;
    }
    let pos = at(&starts);
    data.splice(pos..pos, bytes.iter().copied());
    for s in starts {
        let size = u32::from_be_bytes(data[s..s + 4].try_into().unwrap());
        data[s..s + 4].copy_from_slice(&(size + bytes.len() as u32).to_be_bytes());
    }
}

fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

const ENTRY_PATH: [&[u8; 4]; 7] = [
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"XXXX",
];

/// Where the sample entry `kind` starts (its size field).
fn entry_at(init: &[u8], kind: &[u8; 4]) -> usize {
    let stsd = init.windows(4).position(|w| w == b"stsd").unwrap();
    stsd + init[stsd..].windows(4).position(|w| w == kind).unwrap() - 4
}

#[test]
fn avc1_from_the_own_writer_gives_profile_compatibility_and_level_in_hex() {
    let init = read_init(&init(true, Some(aac()))).unwrap();
    let codecs: Vec<_> = init
        .tracks
        .iter()
        .map(|t| t.codec.clone().unwrap())
        .collect();
    assert_eq!(codecs, ["avc1.4d400d", "mp4a.40.2"]);
    assert_eq!(init.tracks[0].sample_entry, FourCc::new(b"avc1"));
}

#[test]
fn avc1_and_avc3_from_mp4_atom_keep_their_entry_name() {
    let high = [0x67, 0x64, 0x00, 0x1f, 0xac];
    let c = Codec::Avc1(Avc1 {
        visual: Visual::default(),
        avcc: avcc(&high),
        ..Default::default()
    });
    assert_eq!(codec_of(&video(c)), "avc1.64001f");
    let baseline = [0x67, 0x42, 0xe0, 0x1e, 0xac];
    let c = Codec::Avc3(Avc3 {
        visual: Visual::default(),
        avcc: avcc(&baseline),
        ..Default::default()
    });
    assert_eq!(codec_of(&video(c)), "avc3.42e01e");
}

#[test]
fn hvc1_main_profile_reverses_the_compatibility_flags_and_drops_zero_constraint_bytes() {
    let c = Codec::Hvc1(Hvc1 {
        hvcc: hvcc(0, false, 1, [0x60, 0, 0, 0], 93, [0xB0, 0, 0, 0, 0, 0]),
        ..Default::default()
    });
    assert_eq!(codec_of(&video(c)), "hvc1.1.6.L93.B0");
}

#[test]
fn hev1_high_tier_main10_gives_h_and_its_level() {
    let c = Codec::Hev1(Hev1 {
        hvcc: hvcc(0, true, 2, [0x20, 0, 0, 0], 120, [0xB0, 0, 0, 0, 0, 0]),
        ..Default::default()
    });
    assert_eq!(codec_of(&video(c)), "hev1.2.4.H120.B0");
}

#[test]
fn hevc_profile_space_is_a_letter_and_inner_zero_constraint_bytes_stay() {
    let c = Codec::Hvc1(Hvc1 {
        hvcc: hvcc(1, false, 4, [0x08, 0, 0, 0], 153, [0x90, 0, 0x01, 0, 0, 0]),
        ..Default::default()
    });
    assert_eq!(codec_of(&video(c)), "hvc1.A4.10.L153.90.00.01");
    let none = Codec::Hvc1(Hvc1 {
        hvcc: hvcc(0, false, 1, [0x60, 0, 0, 0], 90, [0; 6]),
        ..Default::default()
    });
    assert_eq!(codec_of(&video(none)), "hvc1.1.6.L90");
}

#[test]
fn aac_object_types_come_from_the_audio_specific_config() {
    assert_eq!(
        codec_of(&audio(mp4a(esds(0x40, aac_dsi(2, vec![]))))),
        "mp4a.40.2"
    );
    assert_eq!(
        codec_of(&audio(mp4a(esds(0x40, aac_dsi(5, vec![]))))),
        "mp4a.40.5"
    );
    assert_eq!(
        codec_of(&audio(mp4a(esds(0x40, aac_dsi(29, vec![]))))),
        "mp4a.40.29"
    );
}

#[test]
fn the_5_bit_audio_object_type_escape_reads_six_more_bits() {
    // 11111 (escape) 001010 (32 + 10 = 42), then the sampling index.
    let raw = vec![0b1111_1001, 0b0100_0110, 0b0000_1000];
    assert_eq!(
        codec_of(&audio(mp4a(esds(0x40, aac_dsi(31, raw))))),
        "mp4a.40.42"
    );
}

#[test]
fn es_descriptor_optional_fields_are_skipped() {
    let mut e = esds(0x40, aac_dsi(2, vec![]));
    e.es_desc.depends_on_es_id = Some(3);
    e.es_desc.url = Some(b"http://x".to_vec());
    e.es_desc.ocr_es_id = Some(4);
    assert_eq!(codec_of(&audio(mp4a(e))), "mp4a.40.2");
}

#[test]
fn mpeg_audio_object_types_give_the_hex_indication() {
    assert_eq!(codec_of(&audio(mp4a(esds(0x6B, None)))), "mp4a.6B");
    assert_eq!(codec_of(&audio(mp4a(esds(0x69, None)))), "mp4a.69");
    assert_eq!(codec_of(&audio(mp4a(esds(0x40, None)))), "mp4a.40");
    for (mpeg1, want) in [(true, "mp4a.6B"), (false, "mp4a.69")] {
        let mp3 = AudioConfig {
            codec: AudioCodec::Mpeg { mpeg1, layer: 3 },
            sample_rate: 44_100,
            channels: 2,
            samples_per_frame: 1152,
        };
        let init = read_init(&init(false, Some(mp3))).unwrap();
        assert_eq!(init.tracks[0].codec.as_deref(), Some(want));
    }
}

#[test]
fn opus_ac3_and_eac3_entries_name_their_codec() {
    let opus = Codec::Opus(Opus {
        audio: sound(),
        dops: Dops {
            output_channel_count: 2,
            pre_skip: 312,
            input_sample_rate: 48_000,
            output_gain: 0,
            channel_mapping: None,
        },
        btrt: None,
    });
    assert_eq!(codec_of(&audio(opus)), "opus");
    let ac3 = Codec::Ac3(Ac3 {
        audio: sound(),
        dac3: Ac3SpecificBox {
            fscod: 0,
            bsid: 8,
            bsmod: 0,
            acmod: 7,
            lfeon: true,
            bit_rate_code: 14,
        },
    });
    assert_eq!(codec_of(&audio(ac3)), "ac-3");
    let eac3 = Codec::Eac3(Eac3 {
        audio: sound(),
        dec3: Ec3SpecificBox {
            data_rate: 640,
            substreams: vec![Ec3IndependentSubstream {
                fscod: 0,
                bsid: 16,
                asvc: false,
                bsmod: 0,
                acmod: 7,
                lfeon: true,
                num_dep_sub: 0,
                chan_loc: None,
            }],
        },
    });
    assert_eq!(codec_of(&audio(eac3)), "ec-3");
}

#[test]
fn encrypted_entries_take_the_frma_original_format() {
    let avc = video(Codec::Avc1(Avc1 {
        avcc: avcc(&[0x67, 0x64, 0x00, 0x28, 0xac]),
        ..Default::default()
    }));
    let encv = protect_entry(avc, b"avc1", b"encv", 86);
    let t = &read_init(&encv).unwrap().tracks[0];
    assert_eq!(t.sample_entry, FourCc::new(b"encv"));
    assert_eq!(t.codec.as_deref(), Some("avc1.640028"));

    let aac = audio(mp4a(esds(0x40, aac_dsi(2, vec![]))));
    let enca = protect_entry(aac, b"mp4a", b"enca", 36);
    assert_eq!(codec_of(&enca), "mp4a.40.2");
}

/// The init with its sample entry `from` renamed `to` and given a `sinf` naming `from` as the
/// original format, as an encrypted track is written (`fields`: bytes from the entry start to
/// its first child, where the sinf goes).
fn protect_entry(init: Vec<u8>, from: &[u8; 4], to: &[u8; 4], fields: usize) -> Vec<u8> {
    let mut path = ENTRY_PATH;
    path[6] = from;
    let mut sinf = boxed(b"frma", from);
    sinf.extend(boxed(
        b"schm",
        &[0, 0, 0, 0, b'c', b'e', b'n', b'c', 0, 1, 0, 0],
    ));
    let sinf = boxed(b"sinf", &sinf);
    let mut init = init;
    insert(&mut init, &path, |s| s[6] + fields, &sinf);
    let p = entry_at(&init, from) + 4;
    init[p..p + 4].copy_from_slice(to);
    init
}

#[test]
fn a_quicktime_version_1_sound_entry_skips_its_16_extra_bytes() {
    let mut init = init(false, Some(aac()));
    let mut path = ENTRY_PATH;
    path[6] = b"mp4a";
    insert(&mut init, &path, |s| s[6] + 8 + 28, &[0; 16]);
    let p = entry_at(&init, b"mp4a") + 8 + 8;
    init[p..p + 2].copy_from_slice(&1u16.to_be_bytes());
    assert_eq!(codec_of(&init), "mp4a.40.2");
}

#[test]
fn an_unsupported_sample_entry_is_an_unsupported_error_naming_it() {
    let mut init = init(true, None);
    let p = entry_at(&init, b"avc1") + 4;
    init[p..p + 4].copy_from_slice(b"vp09");
    let e = read_init(&init).unwrap_err();
    assert_eq!(e.category, ErrorCategory::Unsupported);
    assert_eq!(
        e.to_string(),
        format!(
            "unsupported: vp09 at byte {}: sample entry of a codec this player does not support",
            p - 4
        )
    );
}

#[test]
fn tracks_give_ids_handlers_timescales_and_trex_defaults() {
    let text = Codec::Avc1(Avc1 {
        avcc: avcc(&[0x67, 0x4d, 0x40, 0x1f]),
        ..Default::default()
    });
    let init = moov(vec![
        (3, b"vide", 30_000, text.clone()),
        (7, b"soun", 44_100, mp4a(esds(0x40, aac_dsi(2, vec![])))),
        (9, b"subt", 1000, text),
    ]);
    let init = read_init(&init).unwrap();
    let facts: Vec<_> = init
        .tracks
        .iter()
        .map(|t| (t.track_id, t.handler, t.timescale, t.codec.clone()))
        .collect();
    assert_eq!(
        facts,
        vec![
            (3, Handler::Video, 30_000, Some("avc1.4d401f".into())),
            (7, Handler::Audio, 44_100, Some("mp4a.40.2".into())),
            (9, Handler::Other(FourCc::new(b"subt")), 1000, None),
        ]
    );
    assert_eq!(
        init.track(7).unwrap().defaults,
        TrackDefaults {
            sample_description_index: 1,
            sample_duration: 1007,
            sample_size: 0,
            sample_flags: 0x0101_0000,
        }
    );
}

#[test]
fn a_zero_timescale_and_a_repeated_track_id_are_malformed() {
    let c = || {
        Codec::Avc1(Avc1 {
            avcc: avcc(&[0x67, 0x4d, 0x40, 0x1f]),
            ..Default::default()
        })
    };
    let e = read_init(&moov(vec![(1, b"vide", 0, c())])).unwrap_err();
    assert!(e.to_string().ends_with(": timescale is 0"), "{e}");
    assert!(e.to_string().starts_with("malformed: mdhd at byte "), "{e}");
    let e = read_init(&moov(vec![(1, b"vide", 1, c()), (1, b"vide", 1, c())])).unwrap_err();
    assert!(e.to_string().ends_with(": track id appears twice"), "{e}");
}
