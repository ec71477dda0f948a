//! Tags written here byte by byte: v2.3 (plain frame sizes) and v2.4 (syncsafe), unsynchronised,
//! extended headers, footers, truncations.
use super::*;

fn syncsafe_bytes(n: usize) -> [u8; 4] {
    [
        (n >> 21) as u8 & 0x7F,
        (n >> 14) as u8 & 0x7F,
        (n >> 7) as u8 & 0x7F,
        n as u8 & 0x7F,
    ]
}

fn tag(major: u8, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut t = vec![b'I', b'D', b'3', major, 0, flags];
    t.extend(syncsafe_bytes(body.len()));
    t.extend_from_slice(body);
    t
}

fn frame(major: u8, id: &[u8; 4], format: u8, data: &[u8]) -> Vec<u8> {
    let mut f = id.to_vec();
    if major == 4 {
        f.extend(syncsafe_bytes(data.len()));
    } else {
        f.extend((data.len() as u32).to_be_bytes());
    }
    f.extend([0, format]);
    f.extend_from_slice(data);
    f
}

fn ts_priv(ts: u64) -> Vec<u8> {
    let mut d = TRANSPORT_STREAM_TIMESTAMP_OWNER.to_vec();
    d.push(0);
    d.extend(ts.to_be_bytes());
    d
}

/// Parsed, with the frames copied out (so the tag may be a temporary).
fn owned(bytes: &[u8]) -> Tag<'static> {
    let t = parse(bytes).unwrap();
    Tag {
        header: t.header,
        frames: t.frames.into_iter().map(Frame::into_owned).collect(),
    }
}

/// Insert `00` after every `FF` (the writer's side of unsynchronisation).
fn unsync(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &x in b {
        out.push(x);
        if x == 0xFF {
            out.push(0);
        }
    }
    out
}

#[test]
fn v24_priv_timestamp_and_syncsafe_sizes() {
    // 200 data bytes: syncsafe 00 00 01 48, so a plain reading would be wrong.
    let text = [b'x'; 200];
    let mut body = frame(4, b"TXXX", 0, &text);
    body.extend(frame(4, b"PRIV", 0, &ts_priv(123_456)));
    body.extend([0; 16]); // padding
    let bytes = tag(4, 0, &body);
    let t = parse(&bytes).unwrap();
    assert_eq!(t.header.major, 4);
    assert_eq!(t.header.tag_len(), bytes.len());
    assert_eq!(t.frames.len(), 2);
    assert_eq!(t.frame(b"TXXX").unwrap().data.len(), 200);
    assert_eq!(t.frames[1].offset, 10 + 10 + 200);
    let p = t.frame(b"PRIV").unwrap().private().unwrap();
    assert_eq!(p.owner, TRANSPORT_STREAM_TIMESTAMP_OWNER);
    assert_eq!(t.transport_stream_timestamp().unwrap(), Some(123_456));
}

#[test]
fn v23_plain_frame_sizes() {
    let mut body = frame(3, b"TIT2", 0, &[b'y'; 200]);
    body.extend(frame(3, b"PRIV", 0, &ts_priv(90_000)));
    let bytes = tag(3, 0, &body);
    let t = parse(&bytes).unwrap();
    assert_eq!(t.frames.len(), 2);
    assert_eq!(t.frames[0].data.len(), 200);
    assert_eq!(t.transport_stream_timestamp().unwrap(), Some(90_000));
}

#[test]
fn header_size_is_syncsafe() {
    let h = Header::parse(&[b'I', b'D', b'3', 4, 0, 0, 0, 0, 2, 1]).unwrap();
    assert_eq!(h.size, 257);
    assert_eq!(h.tag_len(), 267);
    assert_eq!(
        Header::parse(&[b'I', b'D', b'3', 4, 0, 0, 0, 0x80, 0, 0]),
        Err(Id3Error::Malformed {
            what: "tag size (not syncsafe)",
            offset: 7
        })
    );
}

#[test]
fn timestamp_is_masked_to_33_bits() {
    let bytes = tag(4, 0, &frame(4, b"PRIV", 0, &ts_priv((1 << 33) + 5)));
    assert_eq!(
        parse(&bytes).unwrap().transport_stream_timestamp().unwrap(),
        Some(5)
    );
}

#[test]
fn v23_unsynchronised_tag() {
    // The timestamp contains FF E0, which the writer must unsynchronise to FF 00 E0.
    let ts = 0x1_FFE0_0000u64;
    let body = frame(3, b"PRIV", 0, &ts_priv(ts));
    let stored = unsync(&body);
    assert!(stored.len() > body.len());
    let bytes = tag(3, FLAG_UNSYNC, &stored);
    let t = parse(&bytes).unwrap();
    assert_eq!(t.transport_stream_timestamp().unwrap(), Some(ts));
    assert_eq!(t.header.tag_len(), bytes.len());
}

#[test]
fn v24_unsynchronised_frame_with_data_length_indicator() {
    let ts = 0x1_FFFF_FF00u64;
    let data = ts_priv(ts);
    let mut content = syncsafe_bytes(data.len()).to_vec();
    content.extend(unsync(&data));
    // Format flags: unsynchronisation (0x02) + data length indicator (0x01).
    let bytes = tag(4, 0, &frame(4, b"PRIV", 0x03, &content));
    let t = parse(&bytes).unwrap();
    assert_eq!(t.frames[0].data.as_ref(), data.as_slice());
    assert_eq!(t.transport_stream_timestamp().unwrap(), Some(ts));
}

#[test]
fn extended_headers_are_skipped() {
    let priv_frame = |major| frame(major, b"PRIV", 0, &ts_priv(7));
    // v2.3: size 6 without its own 4 bytes (flags 2 bytes, padding size 4 bytes).
    let mut body = vec![0, 0, 0, 6, 0, 0, 0, 0, 0, 0];
    body.extend(priv_frame(3));
    let t3 = owned(&tag(3, FLAG_EXTENDED, &body));
    assert_eq!(t3.transport_stream_timestamp().unwrap(), Some(7));
    // v2.4: syncsafe size 6 including itself (flag byte count 1, flags 0).
    let mut body = vec![0, 0, 0, 6, 1, 0];
    body.extend(priv_frame(4));
    let t4 = owned(&tag(4, FLAG_EXTENDED, &body));
    assert_eq!(t4.transport_stream_timestamp().unwrap(), Some(7));
    assert_eq!(t4.frames[0].offset, 16);
    // An extended header larger than the tag.
    let err = parse(&tag(4, FLAG_EXTENDED, &[0, 0, 1, 0, 1, 0])).unwrap_err();
    assert_eq!(
        err,
        Id3Error::Malformed {
            what: "extended header size",
            offset: 10
        }
    );
}

#[test]
fn footer_counts_in_the_tag_length() {
    let mut bytes = tag(4, FLAG_FOOTER, &frame(4, b"PRIV", 0, &ts_priv(1)));
    let footer: Vec<u8> = [b"3DI".as_slice(), &bytes[3..10]].concat();
    bytes.extend(footer);
    bytes.extend([0xFF, 0xF1]); // audio after the tag
    let (tags, len) = leading_tags(&bytes).unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(len, bytes.len() - 2);
}

#[test]
fn truncated_tag_and_frame_name_the_offset() {
    let bytes = tag(4, 0, &frame(4, b"PRIV", 0, &ts_priv(1)));
    let err = parse(&bytes[..40]).unwrap_err();
    assert_eq!(
        err,
        Id3Error::Truncated {
            what: "tag",
            offset: 0,
            needed: bytes.len(),
            available: 40
        }
    );
    assert!(err.to_string().starts_with("malformed: "), "{err}");
    let err = parse(&bytes[..6]).unwrap_err();
    assert!(
        matches!(
            err,
            Id3Error::Truncated {
                what: "tag header",
                ..
            }
        ),
        "{err:?}"
    );
    // A frame declaring more bytes than the tag holds.
    let mut body = frame(4, b"TIT2", 0, b"abc");
    body[7] = 100;
    let err = parse(&tag(4, 0, &body)).unwrap_err();
    assert_eq!(
        err,
        Id3Error::Truncated {
            what: "frame",
            offset: 10,
            needed: 110,
            available: 13
        }
    );
    assert_eq!(
        err.to_string(),
        "malformed: ID3 frame at byte 10 truncated: 110 bytes needed, 13 there"
    );
}

#[test]
fn back_to_back_tags_and_shifted_offsets() {
    let first = tag(4, 0, &frame(4, b"TIT2", 0, b"\x03title"));
    let second = tag(3, 0, &frame(3, b"PRIV", 0, &ts_priv(42)));
    let mut bytes = [first.clone(), second.clone()].concat();
    bytes.extend([0xFF, 0xF1, 0x50]);
    let (tags, len) = leading_tags(&bytes).unwrap();
    assert_eq!(len, first.len() + second.len());
    assert_eq!(tags[0].transport_stream_timestamp().unwrap(), None);
    assert_eq!(tags[1].transport_stream_timestamp().unwrap(), Some(42));
    // The second tag cut short: the error points at it, from the start of the whole buffer.
    let cut = &bytes[..first.len() + 20];
    assert_eq!(
        leading_tags(cut).unwrap_err(),
        Id3Error::Truncated {
            what: "tag",
            offset: first.len() as u64,
            needed: second.len(),
            available: 20
        }
    );
    assert_eq!(leading_tags(&[0xFF, 0xF1]).unwrap().1, 0);
}

#[test]
fn malformed_timestamp_and_frame_id() {
    let mut data = ts_priv(1);
    data.pop();
    let t = owned(&tag(4, 0, &frame(4, b"PRIV", 0, &data)));
    assert_eq!(
        t.transport_stream_timestamp(),
        Err(Id3Error::Malformed {
            what: "transport stream timestamp (PRIV data is not 8 bytes)",
            offset: 10
        })
    );
    let err = parse(&tag(4, 0, &frame(4, b"pr!v", 0, b"x"))).unwrap_err();
    assert!(
        matches!(err, Id3Error::Malformed { offset: 10, .. }),
        "{err:?}"
    );
    // A PRIV frame without the owner's terminator has no owner.
    let t = owned(&tag(4, 0, &frame(4, b"PRIV", 0, b"owner")));
    assert!(t.frames[0].private().is_none());
    assert_eq!(t.transport_stream_timestamp(), Ok(None));
}

#[test]
fn compressed_or_encrypted_frames_are_opaque() {
    // v2.3 compression adds a 4-byte decompressed size.
    let mut content = 100u32.to_be_bytes().to_vec();
    content.extend(ts_priv(9));
    let t = owned(&tag(3, 0, &frame(3, b"PRIV", 0x80, &content)));
    assert!(t.frames[0].opaque);
    assert_eq!(t.transport_stream_timestamp(), Ok(None));
    // v2.4 encryption: one method byte more than the frame holds.
    let err = parse(&tag(4, 0, &frame(4, b"PRIV", 0x04, &[]))).unwrap_err();
    assert!(
        matches!(err, Id3Error::Malformed { offset: 10, .. }),
        "{err:?}"
    );
}

#[test]
fn sniff_is_strict_and_incremental() {
    let bytes = tag(4, 0, &frame(4, b"PRIV", 0, &ts_priv(1)));
    for n in 0..10 {
        assert_eq!(sniff(&bytes[..n]), Sniff::NeedMore, "{n} bytes");
    }
    assert!(matches!(sniff(&bytes), Sniff::Tag(h) if h.tag_len() == bytes.len()));
    for not in [
        &b"IDX"[..],
        b"ID3\x05",
        b"ID3\x04\xFF",
        b"ID3\x04\x00\x01",
        b"ID3\x04\x00\x00\x00\x00\x90",
    ] {
        assert_eq!(sniff(not), Sniff::NotATag, "{not:x?}");
    }
}

#[test]
fn v22_is_recognised_but_not_read() {
    let bytes = tag(2, 0, b"TT2\x00\x00\x02\x00a");
    assert_eq!(Header::parse(&bytes).unwrap().tag_len(), bytes.len());
    let err = parse(&bytes).unwrap_err();
    assert_eq!(
        err,
        Id3Error::UnsupportedVersion {
            offset: 3,
            major: 2
        }
    );
    assert_eq!(err.category(), ErrorCategory::Unsupported);
}

#[test]
fn every_message_starts_with_its_category() {
    let errors = [
        Id3Error::NotATag { offset: 0 },
        Id3Error::Truncated {
            what: "tag",
            offset: 0,
            needed: 1,
            available: 0,
        },
        Id3Error::UnsupportedVersion {
            offset: 3,
            major: 2,
        },
        Id3Error::Malformed {
            what: "x",
            offset: 1,
        },
    ];
    for err in errors {
        let prefix = format!("{}: ", err.category().as_str());
        assert!(err.to_string().starts_with(&prefix), "{err}");
        assert!(err.shifted(5).to_string().contains("byte"));
    }
}
