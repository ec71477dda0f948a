use super::*;
use crate::fmp4::moov::read_init;

/// A box: size, type, body.
fn bx(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let body: Vec<u8> = parts.concat();
    let mut b = (8 + body.len() as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend(body);
    b
}

/// A full box: version and flags, then the body.
fn full(kind: &[u8; 4], version: u8, flags: u32, parts: &[&[u8]]) -> Vec<u8> {
    let mut vf = flags.to_be_bytes();
    vf[0] = version;
    let mut all: Vec<&[u8]> = vec![&vf];
    all.extend_from_slice(parts);
    bx(kind, &all)
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

/// An init segment with one `stpp` track (id 2, timescale 1000).
pub(crate) fn init() -> Vec<u8> {
    let stpp = bx(
        b"stpp",
        &[
            &[0; 6],
            &1u16.to_be_bytes(),
            b"http://www.w3.org/ns/ttml\0\0\0",
        ],
    );
    let stsd = full(b"stsd", 0, 0, &[&u32s(&[1]), &stpp]);
    let minf = bx(b"minf", &[&bx(b"stbl", &[&stsd])]);
    let mdia = bx(
        b"mdia",
        &[
            &full(b"mdhd", 0, 0, &[&u32s(&[0, 0, 1000, 0, 0])]),
            &full(b"hdlr", 0, 0, &[&u32s(&[0]), b"subt", &[0; 13]]),
            &minf,
        ],
    );
    let trak = bx(
        b"trak",
        &[&full(b"tkhd", 0, 3, &[&u32s(&[0, 0, 2, 0, 0])]), &mdia],
    );
    let mvex = bx(b"mvex", &[&full(b"trex", 0, 0, &[&u32s(&[2, 1, 0, 0, 0])])]);
    [
        bx(b"ftyp", &[b"iso6", &u32s(&[0])]),
        bx(b"moov", &[&trak, &mvex]),
    ]
    .concat()
}

/// A fragment of track 2 at `tfdt` with samples of (duration, document).
pub(crate) fn fragment(tfdt: u64, samples: &[(u32, &str)]) -> Vec<u8> {
    let entries: Vec<u32> = samples
        .iter()
        .flat_map(|(d, s)| [*d, s.len() as u32])
        .collect();
    let trun_len = 8 + 4 + 4 + 4 + 4 * entries.len();
    let tfhd = full(b"tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF, &[&u32s(&[2])]);
    let tfdt = full(b"tfdt", 1, 0, &[&tfdt.to_be_bytes()]);
    let mfhd = full(b"mfhd", 0, 0, &[&u32s(&[1])]);
    let moof_len = 8 + mfhd.len() + 8 + tfhd.len() + tfdt.len() + trun_len;
    let count = samples.len() as u32;
    let data_offset = (moof_len + 8) as u32;
    let trun = full(
        b"trun",
        0,
        TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE,
        &[&u32s(&[count, data_offset]), &u32s(&entries)],
    );
    let moof = bx(b"moof", &[&mfhd, &bx(b"traf", &[&tfhd, &tfdt, &trun])]);
    assert_eq!(moof.len(), moof_len);
    let docs: Vec<u8> = samples.iter().flat_map(|(_, s)| s.bytes()).collect();
    [moof, bx(b"mdat", &[&docs])].concat()
}

#[test]
fn finds_the_stpp_track_and_reads_each_sample_with_its_time() {
    let init = read_init(&init()).unwrap();
    let track = stpp_track(&init).unwrap();
    assert_eq!((track.track_id, track.timescale), (2, 1000));
    let segment = [
        bx(b"styp", &[b"cmfs"]),
        fragment(60_000, &[(2_000, "<tt>a</tt>"), (4_000, "<tt>bb</tt>")]),
        fragment(66_000, &[(6_000, "<tt>c</tt>")]),
    ]
    .concat();
    let samples = text_samples(&segment, track).unwrap();
    let got: Vec<_> = samples
        .iter()
        .map(|s| (s.start(), s.end(), s.data))
        .collect();
    assert_eq!(
        got,
        [
            (60.0, 62.0, b"<tt>a</tt>".as_slice()),
            (62.0, 66.0, b"<tt>bb</tt>".as_slice()),
            (66.0, 72.0, b"<tt>c</tt>".as_slice()),
        ]
    );
}

#[test]
fn other_tracks_fragments_are_skipped_and_damage_is_an_error() {
    let init = read_init(&init()).unwrap();
    let track = stpp_track(&init).unwrap();
    let mut other = track.clone();
    other.track_id = 9;
    let segment = fragment(0, &[(1_000, "<tt/>")]);
    assert!(text_samples(&segment, &other).unwrap().is_empty());
    // Cut inside the mdat: the sample runs past the end.
    let cut = segment.get(..segment.len() - 2).unwrap();
    assert!(text_samples(cut, track).is_err());
}

#[test]
fn a_run_of_default_samples_is_bounded() {
    let init = read_init(&init()).unwrap();
    let track = stpp_track(&init).unwrap();
    // 2^32-1 samples of the default size 0, no per-sample fields.
    let tfhd = full(b"tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF, &[&u32s(&[2])]);
    let tfdt = full(b"tfdt", 0, 0, &[&u32s(&[0])]);
    let trun = full(b"trun", 0, 0, &[&u32s(&[u32::MAX])]);
    let segment = bx(b"moof", &[&bx(b"traf", &[&tfhd, &tfdt, &trun])]);
    let e = text_samples(&segment, track).unwrap_err();
    assert_eq!(e.category, ErrorCategory::Limit);
}

#[test]
fn samples_read_as_imsc1_cues_once_on_the_timeline() {
    use crate::captions::{CueStore, Imsc1, TtmlPlacement};
    let init = read_init(&init()).unwrap();
    let track = stpp_track(&init).unwrap();
    // Two 6 s samples; the cue from 5 s to 7 s is in both (times on the track's timeline).
    let doc = |body: &str| {
        format!("<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><div>{body}</div></body></tt>")
    };
    let first = doc("<p begin=\"1s\" end=\"2s\">a</p><p begin=\"5s\" end=\"7s\">across</p>");
    let second = doc("<p begin=\"5s\" end=\"7s\">across</p><p begin=\"8s\" end=\"9s\">b</p>");
    let segment = [
        fragment(0, &[(6_000, &first)]),
        fragment(6_000, &[(6_000, &second)]),
    ]
    .concat();
    let mut store = CueStore::new();
    for s in text_samples(&segment, track).unwrap() {
        let placement = TtmlPlacement {
            origin: 30.0,
            sample_end: Some(s.end()),
        };
        store.add(Imsc1::parse(s.data, "seg 1", placement).unwrap().cues);
    }
    let got: Vec<_> = store
        .cues()
        .iter()
        .map(|c| (c.cue.start, c.cue.end, c.cue.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [(31.0, 32.0, "a"), (35.0, 37.0, "across"), (38.0, 39.0, "b")]
    );
}
