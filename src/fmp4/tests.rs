//! Every box we write, decoded back with mp4-atom (strict: unknown or malformed boxes fail).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code
use super::*;
use crate::ts::audio::{AudioCodec, AudioConfig};
use crate::ts::h264::parse_sps;
use mp4_atom::{Any, Codec, Decode, Ftyp, Mdat, Moof, Moov};

const SPS: &[u8] = &[
    0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0x9f, 0x9f, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
    0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60,
];
const PPS: &[u8] = &[0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];

fn aac() -> AudioConfig {
    AudioConfig {
        codec: AudioCodec::Aac {
            object_type: 2,
            sampling_index: 4,
            channel_config: 1,
        },
        sample_rate: 44100,
        channels: 1,
        samples_per_frame: 1024,
    }
}

fn init_bytes(audio: &AudioConfig) -> Vec<u8> {
    let info = parse_sps(SPS).unwrap();
    let pps = vec![PPS.to_vec()];
    let mut out = Vec::new();
    write_init(
        &mut out,
        &[
            TrackInit {
                track_id: 1,
                timescale: 90_000,
                entry: SampleEntry::Avc {
                    sps: SPS,
                    pps: &pps,
                    info: &info,
                },
            },
            TrackInit {
                track_id: 2,
                timescale: audio.sample_rate,
                entry: SampleEntry::Audio { config: audio },
            },
        ],
    );
    out
}

#[test]
fn init_segment_round_trips() {
    let bytes = init_bytes(&aac());
    let mut buf = bytes.as_slice();
    let ftyp = Ftyp::decode(&mut buf).unwrap();
    assert_eq!(ftyp.major_brand, b"isom".into());
    let moov = Moov::decode(&mut buf).unwrap();
    assert!(buf.is_empty(), "trailing bytes");
    assert_eq!(moov.trak.len(), 2);
    let trex: Vec<u32> = moov
        .mvex
        .as_ref()
        .unwrap()
        .trex
        .iter()
        .map(|t| t.track_id)
        .collect();
    assert_eq!(trex, vec![1, 2]);

    let video = &moov.trak[0];
    assert_eq!(video.tkhd.track_id, 1);
    assert_eq!(video.tkhd.width.integer(), 320);
    assert_eq!(video.mdia.mdhd.timescale, 90_000);
    assert_eq!(video.mdia.hdlr.handler, b"vide".into());
    let Codec::Avc1(avc1) = &video.mdia.minf.stbl.stsd.codecs[0] else {
        panic!("not avc1")
    };
    assert_eq!((avc1.visual.width, avc1.visual.height), (320, 180));
    assert_eq!(avc1.avcc.avc_profile_indication, 0x64);
    assert_eq!(avc1.avcc.avc_level_indication, 0x0d);
    assert_eq!(avc1.avcc.length_size, 4);
    assert_eq!(avc1.avcc.sequence_parameter_sets, vec![SPS.to_vec()]);
    assert_eq!(avc1.avcc.picture_parameter_sets, vec![PPS.to_vec()]);
    let ext = avc1.avcc.ext.as_ref().expect("High profile avcC extension");
    assert_eq!(
        (ext.chroma_format, ext.bit_depth_luma, ext.bit_depth_chroma),
        (1, 8, 8)
    );

    let audio = &moov.trak[1];
    assert_eq!(audio.mdia.mdhd.timescale, 44100);
    assert_eq!(audio.mdia.hdlr.handler, b"soun".into());
    let Codec::Mp4a(mp4a) = &audio.mdia.minf.stbl.stsd.codecs[0] else {
        panic!("not mp4a")
    };
    assert_eq!(mp4a.audio.channel_count, 1);
    assert_eq!(mp4a.audio.sample_rate.integer(), 44100);
    let dc = &mp4a.esds.es_desc.dec_config;
    assert_eq!(dc.object_type_indication, 0x40);
    let ds = dc.dec_specific.as_ref().unwrap();
    assert_eq!((ds.profile, ds.freq_index, ds.chan_conf), (2, 4, 1));
}

#[test]
fn mpeg_audio_init_uses_object_type_6b() {
    let mp3 = AudioConfig {
        codec: AudioCodec::Mpeg {
            mpeg1: true,
            layer: 3,
        },
        sample_rate: 44100,
        channels: 2,
        samples_per_frame: 1152,
    };
    let bytes = init_bytes(&mp3);
    let mut buf = bytes.as_slice();
    Ftyp::decode(&mut buf).unwrap();
    let moov = Moov::decode(&mut buf).unwrap();
    let Codec::Mp4a(mp4a) = &moov.trak[1].mdia.minf.stbl.stsd.codecs[0] else {
        panic!()
    };
    assert_eq!(mp4a.esds.es_desc.dec_config.object_type_indication, 0x6B);
    assert!(mp4a.esds.es_desc.dec_config.dec_specific.is_none());
}

#[test]
fn fragment_round_trips_with_signed_composition_offsets() {
    let video = [
        Sample {
            duration: 3000,
            size: 5,
            flags: FLAGS_SYNC,
            cto: 6000,
        },
        Sample {
            duration: 3000,
            size: 3,
            flags: FLAGS_NON_SYNC,
            cto: -3000,
        },
    ];
    let audio = [Sample {
        duration: 1024,
        size: 4,
        flags: FLAGS_SYNC,
        cto: 0,
    }];
    let v_data: [&[u8]; 2] = [&[1, 2, 3, 4, 5], &[6, 7, 8]];
    let a_data: [&[u8]; 1] = [&[9, 10, 11, 12]];
    let tracks = [
        TrackFragment {
            track_id: 1,
            base_decode_time: 1 << 34,
            samples: &video,
            data: &v_data,
        },
        TrackFragment {
            track_id: 2,
            base_decode_time: 4410,
            samples: &audio,
            data: &a_data,
        },
    ];
    let mut out = Vec::new();
    write_fragment(&mut out, 7, &tracks);
    assert_eq!(out.len(), fragment_size(&tracks));
    let mut buf = out.as_slice();
    let moof = Moof::decode(&mut buf).unwrap();
    let mdat = Mdat::decode(&mut buf).unwrap();
    assert!(buf.is_empty());
    assert_eq!(moof.mfhd.sequence_number, 7);
    assert_eq!(mdat.data, (1..=12).collect::<Vec<u8>>());
    let t0 = &moof.traf[0];
    assert!(t0.tfhd.default_base_is_moof);
    assert_eq!(t0.tfdt.as_ref().unwrap().base_media_decode_time, 1 << 34);
    let run = &t0.trun[0];
    assert_eq!(run.data_offset, Some(moof_size(&tracks) as i32 + 8));
    let entries: Vec<_> = run.samples.iter().collect();
    assert_eq!(entries[1].cts, Some(-3000));
    assert_eq!(entries[0].flags, Some(FLAGS_SYNC));
    assert_eq!(entries[1].size, Some(3));
    let t1 = &moof.traf[1];
    assert_eq!(t1.tfhd.track_id, 2);
    assert_eq!(
        t1.trun[0].data_offset,
        Some(moof_size(&tracks) as i32 + 8 + 8)
    );
    // Whole output also parses as a sequence of top-level boxes.
    let mut buf = out.as_slice();
    assert!(matches!(Any::decode(&mut buf).unwrap(), Any::Moof(_)));
}

#[test]
fn non_square_pixels_write_pasp_and_display_width() {
    let mut info = parse_sps(SPS).unwrap();
    info.sar = (4, 3);
    let pps = vec![PPS.to_vec()];
    let mut out = Vec::new();
    write_init(
        &mut out,
        &[TrackInit {
            track_id: 1,
            timescale: 90_000,
            entry: SampleEntry::Avc {
                sps: SPS,
                pps: &pps,
                info: &info,
            },
        }],
    );
    let mut buf = out.as_slice();
    Ftyp::decode(&mut buf).unwrap();
    let moov = Moov::decode(&mut buf).unwrap();
    assert_eq!(moov.trak[0].tkhd.width.integer(), 320 * 4 / 3);
    let Codec::Avc1(avc1) = &moov.trak[0].mdia.minf.stbl.stsd.codecs[0] else {
        panic!()
    };
    let pasp = avc1.pasp.as_ref().expect("pasp");
    assert_eq!((pasp.h_spacing, pasp.v_spacing), (4, 3));
}
