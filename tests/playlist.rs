//! Playlist parser tests over the fixtures in tests/fixtures/playlists (see its README).
//! Fixtures are compiled in (`include_bytes!`) so the same tests run natively and in wasm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

use hlsplay::playlist::{
    self, codecs, merge_live, parse, parse_master, parse_media, KeyMethod, MediaType, ParseOptions,
    Playlist, PlaylistErrorKind, PlaylistType, Resolution,
};

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/playlists/",
            $path
        ))
        .as_slice()
    };
}

const CDN: &str = "https://cdn.example.com/video/Default/HLS/";

fn opts() -> ParseOptions {
    ParseOptions::default()
}

fn master(bytes: &[u8], url: &str) -> playlist::MasterPlaylist {
    parse_master(bytes, url, &opts()).unwrap()
}

fn media(bytes: &[u8], url: &str) -> playlist::MediaPlaylist {
    parse_media(bytes, url, &opts()).unwrap()
}

fn error(bytes: &[u8]) -> String {
    parse(bytes, "https://cdn.example.com/v/x.m3u8", &opts())
        .unwrap_err()
        .to_string()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn mediaconvert_master_legacy_codecs_and_muxed_audio_group() {
    let url = format!("{CDN}big_buck_bunny.m3u8");
    let m = master(fixture!("mediaconvert_master.m3u8"), &url);
    assert_eq!(m.version, Some(3));
    assert!(m.independent_segments);
    assert_eq!(m.variants.len(), 3);
    let v = &m.variants[0];
    assert_eq!(v.uri, format!("{CDN}big_buck_bunny_360.m3u8"));
    assert_eq!(v.bandwidth, 1_320_000);
    assert_eq!(v.average_bandwidth, Some(1_205_600));
    assert_eq!(v.codecs.as_deref(), Some("avc1.4d001e,mp4a.40.2"));
    assert_eq!(
        v.resolution,
        Some(Resolution {
            width: 640,
            height: 360
        })
    );
    assert_eq!(v.frame_rate, Some(30.0));
    assert_eq!(v.audio.as_deref(), Some("program_audio"));
    assert_eq!(v.line, 4);
    assert_eq!(
        m.variants[2].codecs.as_deref(),
        Some("avc1.4d401f,mp4a.40.2")
    );
    assert_eq!(
        m.variants[2].resolution,
        Some(Resolution {
            width: 1280,
            height: 720
        })
    );
    // The audio group has no EXT-X-MEDIA: muxed audio, not an error.
    assert!(m.renditions.is_empty());
    assert!(m.audio_renditions(v).is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn mediaconvert_variants_integer_extinf_timestamped_names() {
    for (bytes, rendition) in [
        (fixture!("mediaconvert_360.m3u8"), "360"),
        (fixture!("mediaconvert_540.m3u8"), "540"),
        (fixture!("mediaconvert_720.m3u8"), "720"),
    ] {
        let p = media(bytes, &format!("{CDN}big_buck_bunny_{rendition}.m3u8"));
        assert_eq!(p.version, Some(3));
        assert_eq!(p.target_duration, 11);
        assert_eq!(p.media_sequence, 1);
        assert_eq!(p.playlist_type, Some(PlaylistType::Vod));
        assert!(p.ended);
        assert!(!p.is_live());
        assert_eq!(p.segments.len(), 7);
        let durations: Vec<f64> = p.segments.iter().map(|s| s.duration).collect();
        assert_eq!(durations, [10.0, 10.0, 11.0, 10.0, 9.0, 10.0, 4.0]);
        assert_eq!(p.duration(), 64.0);
        let first = &p.segments[0];
        assert_eq!(
            first.uri,
            format!("{CDN}big_buck_bunny_{rendition}20261125T075512_00001.ts")
        );
        assert_eq!(
            (first.sequence, first.start, first.title.as_deref()),
            (1, 0.0, None)
        );
        let last = &p.segments[6];
        assert_eq!((last.sequence, last.start), (7, 60.0));
        assert!(p
            .segments
            .iter()
            .all(|s| s.key.is_none() && s.map.is_none() && s.byte_range.is_none()));
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn renditions_link_to_variants_whatever_their_order() {
    let m = master(
        fixture!("master_media_after_stream_inf.m3u8"),
        "https://h.example/a/master.m3u8",
    );
    assert_eq!(m.variants.len(), 2);
    let v720 = &m.variants[1];
    assert_eq!(v720.codecs.as_deref(), Some("avc1.640028,mp4a.40.2"));
    assert_eq!(v720.subtitles.as_deref(), Some("subs"));
    assert_eq!(v720.closed_captions.as_deref(), Some("NONE"));
    assert_eq!(v720.hdcp_level.as_deref(), Some("NONE"));
    assert_eq!(v720.video_range.as_deref(), Some("SDR"));
    assert_eq!(v720.frame_rate, Some(29.97));
    let audio = m.audio_renditions(v720);
    let names: Vec<&str> = audio.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["English", "Deutsch"]);
    assert_eq!(
        audio[0].uri.as_deref(),
        Some("https://h.example/a/audio_en.m3u8")
    );
    assert_eq!(audio[0].language.as_deref(), Some("en"));
    assert_eq!(audio[0].channels.as_deref(), Some("2"));
    assert!(audio[0].default && audio[0].autoselect);
    assert!(!audio[1].default && audio[1].autoselect);
    let subs: Vec<_> = m
        .renditions_in_group(MediaType::Subtitles, "subs")
        .collect();
    assert_eq!(subs.len(), 1);
    assert_eq!(
        subs[0].uri.as_deref(),
        Some("https://h.example/a/subs_en.m3u8")
    );
    assert_eq!(m.i_frame_variants.len(), 1);
    assert_eq!(
        m.i_frame_variants[0].uri,
        "https://h.example/a/iframe_360.m3u8"
    );
    assert_eq!(m.i_frame_variants[0].codecs.as_deref(), Some("avc1.4d401e"));
    assert_eq!(m.session_data.len(), 2);
    assert_eq!(m.session_data[0].value.as_deref(), Some("Example"));
    assert_eq!(
        m.session_data[1].uri.as_deref(),
        Some("https://h.example/a/lyrics.json")
    );
    let start = m.start.unwrap();
    assert_eq!((start.time_offset, start.precise), (-12.5, true));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rfc8216_section8_examples() {
    let base = "http://example.com/p/playlist.m3u8";
    let p = media(fixture!("rfc8216/8.1_simple_media.m3u8"), base);
    assert_eq!(p.segments.len(), 3);
    assert_eq!(p.segments[2].uri, "http://media.example.com/third.ts");
    assert!((p.segments[2].start - 18.018).abs() < 1e-9);
    assert!(p.ended);

    let p = media(fixture!("rfc8216/8.2_live_media.m3u8"), base);
    assert!(p.is_live());
    assert_eq!(
        p.segments.iter().map(|s| s.sequence).collect::<Vec<_>>(),
        [2680, 2681, 2682]
    );

    let p = media(fixture!("rfc8216/8.3_encrypted_media.m3u8"), base);
    let keys: Vec<&str> = p
        .segments
        .iter()
        .map(|s| s.key.as_ref().unwrap().uri.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "https://priv.example.com/key.php?r=52",
            "https://priv.example.com/key.php?r=52",
            "https://priv.example.com/key.php?r=52",
            "https://priv.example.com/key.php?r=53"
        ]
    );
    assert_eq!(p.segments[3].sequence, 7797);

    let m = master(fixture!("rfc8216/8.4_master.m3u8"), base);
    assert_eq!(m.variants.len(), 4);
    assert_eq!(m.variants[3].codecs.as_deref(), Some("mp4a.40.5"));
    assert_eq!(m.variants[3].uri, "http://example.com/audio-only.m3u8");

    let m = master(fixture!("rfc8216/8.5_master_i_frames.m3u8"), base);
    assert_eq!(m.variants.len(), 4);
    assert_eq!(m.i_frame_variants.len(), 3);
    assert_eq!(
        m.i_frame_variants[1].uri,
        "http://example.com/p/mid/iframe.m3u8"
    );
    assert_eq!(m.i_frame_variants[1].bandwidth, 150_000);

    let m = master(fixture!("rfc8216/8.6_master_alternative_audio.m3u8"), base);
    assert_eq!(m.renditions.len(), 3);
    assert_eq!(m.audio_renditions(&m.variants[0]).len(), 3);
    assert_eq!(m.variants[0].codecs.as_deref(), Some("..."));

    let m = master(fixture!("rfc8216/8.7_master_alternative_video.m3u8"), base);
    assert_eq!(m.variants.len(), 3);
    assert_eq!(m.renditions_in_group(MediaType::Video, "mid").count(), 3);
    assert!(m.audio_renditions(&m.variants[0]).is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ffmpeg_generated_ladder() {
    let base = "http://localhost:9090/ffmpeg/master.m3u8";
    let m = master(fixture!("ffmpeg/master.m3u8"), base);
    let uris: Vec<&str> = m.variants.iter().map(|v| v.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "http://localhost:9090/ffmpeg/v360/index.m3u8",
            "http://localhost:9090/ffmpeg/v540/index.m3u8",
            "http://localhost:9090/ffmpeg/v720/index.m3u8"
        ]
    );
    assert_eq!(
        m.variants[0].codecs.as_deref(),
        Some("avc1.4d401e,mp4a.40.2")
    );
    for bytes in [
        fixture!("ffmpeg/v360/index.m3u8"),
        fixture!("ffmpeg/v540/index.m3u8"),
        fixture!("ffmpeg/v720/index.m3u8"),
    ] {
        let p = media(bytes, "http://localhost:9090/ffmpeg/v360/index.m3u8");
        assert_eq!(
            (p.target_duration, p.media_sequence, p.ended),
            (12, 0, true)
        );
        assert_eq!(p.segments.len(), 1);
        assert_eq!(p.segments[0].duration, 12.0);
        assert_eq!(
            p.segments[0].uri,
            "http://localhost:9090/ffmpeg/v360/seg_00000.ts"
        );
    }
}

/// m3u8-rs failure: a byte-order mark made the whole playlist fail. Also CRLF, blank lines,
/// trailing spaces and a missing final newline.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bom_crlf_blank_lines_trailing_spaces_no_final_newline_are_fine() {
    let p = media(
        fixture!("corner/bom_crlf_blank_trailing_no_final_newline.m3u8"),
        "http://h/a/b.m3u8",
    );
    assert_eq!(p.version, Some(3));
    assert_eq!(p.target_duration, 10);
    assert_eq!(p.segments.len(), 2);
    assert_eq!(p.segments[0].uri, "http://h/a/seg5.ts");
    assert_eq!(p.segments[1].uri, "http://h/a/seg6.ts");
    assert_eq!(
        (
            p.segments[1].sequence,
            p.segments[1].start,
            p.segments[1].duration
        ),
        (6, 10.0, 4.5)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn byterange_implicit_offsets_are_computed() {
    let p = media(
        fixture!("corner/byterange_implicit_offsets.m3u8"),
        "http://h/v/i.m3u8",
    );
    let ranges: Vec<(u64, u64)> = p
        .segments
        .iter()
        .map(|s| {
            let r = s.byte_range.unwrap();
            (r.offset, r.length)
        })
        .collect();
    assert_eq!(
        ranges,
        [(0, 75232), (75232, 82112), (157344, 69864), (500, 1000)]
    );
    assert_eq!(
        p.segments[1].byte_range.unwrap().http_range(),
        "bytes=75232-157343"
    );
}

/// m3u8-rs failure: EXT-X-KEY and EXT-X-MAP applied only to the next segment instead of every
/// later one.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn key_and_map_are_carried_forward_to_later_segments() {
    let p = media(
        fixture!("corner/key_and_map_carried_forward.m3u8"),
        "http://h/v/i.m3u8",
    );
    let s = &p.segments;
    assert_eq!(s.len(), 5);
    let k1 = s[0].key.as_ref().unwrap();
    assert_eq!(k1.method, KeyMethod::Aes128);
    assert_eq!(k1.uri, "http://h/v/keys/k1.bin");
    assert_eq!(k1.iv.as_deref(), Some("0x00000000000000000000000000000001"));
    assert_eq!(s[1].key, s[0].key);
    let mut iv = [0u8; 16];
    iv[15] = 1;
    assert_eq!(s[0].aes_iv(), Some(iv), "written IV");
    assert_eq!(s[2].aes_iv(), None, "unencrypted");
    let mut iv = [0u8; 16];
    iv[15] = 3;
    assert_eq!(s[3].aes_iv(), Some(iv), "no IV: the media sequence number");
    assert_eq!(s[2].key, None, "METHOD=NONE ends encryption");
    let k2 = s[3].key.as_ref().unwrap();
    assert_eq!(k2.method, KeyMethod::SampleAes);
    assert_eq!(k2.uri, "https://keys.example.com/k2");
    assert_eq!(k2.keyformat.as_deref(), Some("identity"));
    assert_eq!(k2.keyformat_versions.as_deref(), Some("1"));
    assert_eq!(s[4].key, s[3].key);
    let map1 = s[0].map.as_ref().unwrap();
    assert_eq!(map1.uri, "http://h/v/init.mp4");
    assert_eq!(
        map1.byte_range.map(|r| (r.offset, r.length)),
        Some((0, 720))
    );
    for seg in &s[1..3] {
        assert_eq!(seg.map.as_ref(), Some(map1));
    }
    for seg in &s[3..] {
        assert_eq!(seg.map.as_ref().unwrap().uri, "http://h/v/init2.mp4");
        assert_eq!(seg.map.as_ref().unwrap().byte_range, None);
    }
    // The key in force where EXT-X-MAP is written encrypts the init segment: none for the
    // first map (the key follows it), k2 for the second.
    assert_eq!(map1.key, None);
    assert_eq!(s[3].map.as_ref().unwrap().key.as_ref(), Some(k2));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn aes_256_keys_are_accepted_and_ctr_mode_is_refused_on_its_line() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:7\n\
        #EXT-X-KEY:METHOD=AES-256,URI=\"k.key\"\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n";
    let p = media(text.as_bytes(), "http://h/v/i.m3u8");
    let key = p.segments[0].key.as_ref().unwrap();
    assert_eq!(key.method, KeyMethod::Aes256);
    assert_eq!(key.method.key_len(), 32);
    assert_eq!(KeyMethod::Aes128.key_len(), 16);
    assert_eq!(p.segments[0].aes_iv(), Some(7u128.to_be_bytes()));
    let ctr = text.replace("AES-256,", "AES-256-CTR,");
    assert_eq!(
        error(ctr.as_bytes()),
        "line 4: unsupported: EXT-X-KEY METHOD=AES-256-CTR"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn discontinuities_date_times_gaps_and_titles() {
    let p = media(
        fixture!("corner/discontinuity_date_time_gap_titles.m3u8"),
        "http://h/e.m3u8",
    );
    assert_eq!(p.playlist_type, Some(PlaylistType::Event));
    assert!(p.is_live());
    assert_eq!(p.discontinuity_sequence, 7);
    let s = &p.segments;
    assert_eq!(s.len(), 5);
    assert_eq!(s[0].title.as_deref(), Some("Opening titles"));
    assert_eq!(
        s[0].program_date_time.as_deref(),
        Some("2026-11-25T08:00:00.000Z")
    );
    assert_eq!(s[1].program_date_time, None);
    assert_eq!(s[2].title.as_deref(), Some("Advert, with a comma"));
    assert_eq!(
        s[2].program_date_time.as_deref(),
        Some("2026-11-25T08:10:00.000+00:00")
    );
    let disc: Vec<(bool, u64)> = s
        .iter()
        .map(|s| (s.discontinuity, s.discontinuity_sequence))
        .collect();
    assert_eq!(
        disc,
        [(false, 7), (false, 7), (true, 8), (false, 8), (true, 9)]
    );
    let gaps: Vec<bool> = s.iter().map(|s| s.gap).collect();
    assert_eq!(gaps, [false, false, false, true, false]);
    assert_eq!(s[4].sequence, 104);
    assert!((s[4].start - 23.005).abs() < 1e-9);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unknown_tags_are_ignored_without_losing_anything_else() {
    let p = media(
        fixture!("corner/unknown_tags_and_comments.m3u8"),
        "http://h/l.m3u8",
    );
    assert_eq!(p.version, Some(7));
    assert_eq!(p.target_duration, 4);
    let uris: Vec<&str> = p.segments.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(
        uris,
        ["http://h/one.ts", "http://h/two.ts", "http://h/three.ts"]
    );
    assert_eq!(p.segments[2].line, 17);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn signed_query_is_carried_to_the_same_origin_only() {
    let url = "https://cdn.example.com/video/master.m3u8?Policy=eyJTdGF0~&Signature=abc-_~&Key-Pair-Id=K1&lang=en";
    let bytes = fixture!("corner/signed_master.m3u8");
    let signed = ParseOptions {
        propagate_signed_query: true,
        ..ParseOptions::default()
    };
    let m = parse_master(bytes, url, &signed).unwrap();
    let uris: Vec<&str> = m.variants.iter().map(|v| v.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "https://cdn.example.com/video/low/index.m3u8?Policy=eyJTdGF0~&Signature=abc-_~&Key-Pair-Id=K1",
            // Already signed: keeps its own.
            "https://cdn.example.com/video/mid/index.m3u8?Expires=1&Signature=own&Key-Pair-Id=K2",
            // Third party: never receives our signature.
            "https://thirdparty.example.net/hi/index.m3u8",
            // Protocol-relative, same origin, own query kept, fragment dropped.
            "https://cdn.example.com/video/top/index.m3u8?token=abc&Policy=eyJTdGF0~&Signature=abc-_~&Key-Pair-Id=K1",
        ]
    );
    // Off by default.
    let m = master(bytes, url);
    assert_eq!(
        m.variants[0].uri,
        "https://cdn.example.com/video/low/index.m3u8"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn uris_resolve_per_rfc3986() {
    let text = b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n\
#EXTINF:1,\nrel.ts\n#EXTINF:1,\n../up.ts\n#EXTINF:1,\n./here.ts\n#EXTINF:1,\n/abs/path.ts\n\
#EXTINF:1,\n//other.example/p.ts\n#EXTINF:1,\nhttps://x.example/a/../b.ts\n#EXTINF:1,\n?only=query\n\
#EXTINF:1,\nfrag.ts#t=1\n";
    let p = media(text, "http://cdn.example.com:8080/a/b/index.m3u8?s=1");
    let uris: Vec<&str> = p.segments.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "http://cdn.example.com:8080/a/b/rel.ts",
            "http://cdn.example.com:8080/a/up.ts",
            "http://cdn.example.com:8080/a/b/here.ts",
            "http://cdn.example.com:8080/abs/path.ts",
            "http://other.example/p.ts",
            "https://x.example/b.ts",
            "http://cdn.example.com:8080/a/b/index.m3u8?only=query",
            "http://cdn.example.com:8080/a/b/frag.ts",
        ]
    );
    assert_eq!(
        playlist::url::resolve("https://a.example/x/y.m3u8", "../z.ts").unwrap(),
        "https://a.example/z.ts"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn parse_master_and_parse_media_refuse_the_other_kind() {
    let url = "http://h/x.m3u8";
    let e = parse_master(fixture!("rfc8216/8.1_simple_media.m3u8"), url, &opts()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a master playlist, found a media playlist"
    );
    let e = parse_media(fixture!("rfc8216/8.4_master.m3u8"), url, &opts()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a media playlist, found a master playlist"
    );
    assert!(matches!(
        parse(fixture!("rfc8216/8.4_master.m3u8"), url, &opts()),
        Ok(Playlist::Master(_))
    ));
    assert!(matches!(
        parse(fixture!("rfc8216/8.1_simple_media.m3u8"), url, &opts()),
        Ok(Playlist::Media(_))
    ));
}

/// m3u8-rs failure: a STREAM-INF without BANDWIDTH was silently dropped.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn stream_inf_without_bandwidth_is_an_error_not_a_drop() {
    assert_eq!(
        error(fixture!("bad/stream_inf_without_bandwidth.m3u8")),
        "line 7: EXT-X-STREAM-INF without BANDWIDTH"
    );
}

/// m3u8-rs failure: `#EXTINF:abc` was read as a duration of 0.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn extinf_abc_is_an_error_not_zero() {
    assert_eq!(
        error(fixture!("bad/extinf_abc.m3u8")),
        "line 6: EXTINF duration is not a non-negative decimal number: `abc`"
    );
}

/// m3u8-rs failure: a KEY without METHOD became an "unknown" method.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn key_without_method_is_an_error() {
    assert_eq!(
        error(fixture!("bad/key_without_method.m3u8")),
        "line 4: EXT-X-KEY without METHOD"
    );
}

/// m3u8-rs failure: errors were parser byte dumps with no line number. Every bad fixture's error
/// names its line and the problem.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_malformed_fixture_errors_with_its_line_and_problem() {
    let cases: &[(&[u8], &str)] = &[
        (fixture!("bad/no_header.m3u8"), "line 1: not a playlist: missing #EXTM3U"),
        (fixture!("bad/empty.m3u8"), "line 1: not a playlist: missing #EXTM3U"),
        // Binary data is "not a playlist" rather than "invalid UTF-8".
        (b"\x47\x40\x00\x10\xff\xfe", "line 1: not a playlist: missing #EXTM3U"),
        // Comments may come first; then the header must.
        (b"# made by hand\n\n#EXT-X-VERSION:3\n#EXTM3U\n", "line 3: not a playlist: missing #EXTM3U"),
        (fixture!("bad/stream_inf_without_uri.m3u8"), "line 3: EXT-X-STREAM-INF not followed by a URI"),
        (fixture!("bad/stream_inf_at_end.m3u8"), "line 5: EXT-X-STREAM-INF not followed by a URI"),
        (fixture!("bad/extinf_without_uri.m3u8"), "line 4: EXTINF not followed by a URI"),
        (fixture!("bad/uri_without_extinf.m3u8"), "line 6: URI line without EXTINF"),
        (fixture!("bad/uri_in_master_without_stream_inf.m3u8"), "line 5: URI line without EXT-X-STREAM-INF"),
        (fixture!("bad/duplicate_attribute.m3u8"), "line 3: EXT-X-STREAM-INF: duplicate attribute BANDWIDTH"),
        (fixture!("bad/unterminated_quote.m3u8"), "line 3: EXT-X-STREAM-INF: unterminated quoted string in CODECS"),
        (fixture!("bad/bandwidth_not_a_number.m3u8"), "line 3: EXT-X-STREAM-INF: bad BANDWIDTH `1.5M`"),
        (fixture!("bad/targetduration_not_a_number.m3u8"), "line 3: EXT-X-TARGETDURATION is not a decimal integer: `ten`"),
        (fixture!("bad/negative_duration.m3u8"), "line 4: EXTINF duration is not a non-negative decimal number: `-1`"),
        (fixture!("bad/nan_duration.m3u8"), "line 4: EXTINF duration is not a non-negative decimal number: `NaN`"),
        (fixture!("bad/inf_duration.m3u8"), "line 4: EXTINF duration is not a non-negative decimal number: `inf`"),
        (fixture!("bad/resolution_not_wxh.m3u8"), "line 3: EXT-X-STREAM-INF: RESOLUTION is not WxH: `640*360`"),
        (
            fixture!("bad/master_and_media_mixed.m3u8"),
            "line 4: master and media tags mixed: EXT-X-STREAM-INF in a media playlist (EXT-X-TARGETDURATION at line 3)",
        ),
        (fixture!("bad/missing_targetduration.m3u8"), "line 6: end of a media playlist without EXT-X-TARGETDURATION"),
        (fixture!("bad/media_missing_type.m3u8"), "line 3: EXT-X-MEDIA without TYPE"),
        (fixture!("bad/media_missing_group_id.m3u8"), "line 3: EXT-X-MEDIA without GROUP-ID"),
        (fixture!("bad/media_missing_name.m3u8"), "line 3: EXT-X-MEDIA without NAME"),
        (fixture!("bad/closed_captions_with_uri.m3u8"), "line 3: EXT-X-MEDIA TYPE=CLOSED-CAPTIONS with URI"),
        (fixture!("bad/key_without_method.m3u8"), "line 4: EXT-X-KEY without METHOD"),
        (
            fixture!("bad/byterange_implicit_without_previous.m3u8"),
            "line 8: EXT-X-BYTERANGE without offset and no previous range of the same URI",
        ),
        (
            fixture!("bad/scheme_file.m3u8"),
            "line 5: URI scheme `file` not allowed (only http and https): file:///etc/passwd",
        ),
        (
            fixture!("bad/scheme_data.m3u8"),
            "line 5: URI scheme `data` not allowed (only http and https): data:video/mp2t;base64,AAAA",
        ),
        (
            fixture!("bad/scheme_javascript.m3u8"),
            "line 4: URI scheme `javascript` not allowed (only http and https): javascript:alert(1)",
        ),
        (fixture!("bad/invalid_utf8.m3u8"), "line 5: invalid UTF-8"),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg{$n}.ts\n",
            "line 4: variable reference `{$n}` with no EXT-X-DEFINE of it above",
        ),
        (
            b"#EXTM3U\n#EXT-X-DEFINE:NAME=\"t\",VALUE=\"1\"\n#EXT-X-DEFINE:NAME=\"t\",VALUE=\"2\"\n",
            "line 3: EXT-X-DEFINE: variable `t` defined twice",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI=\"k\"\n",
            "line 3: unsupported: EXT-X-KEY METHOD=SAMPLE-AES-CTR",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n",
            "line 3: unsupported: EXT-X-KEY KEYFORMAT=\"com.apple.streamingkeydelivery\" (DRM key systems)",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128\n",
            "line 3: EXT-X-KEY without URI",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0xZZ\n",
            "line 3: EXT-X-KEY: bad IV `0xZZ`",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n#EXT-X-MEDIA-SEQUENCE:3\n",
            "line 5: EXT-X-MEDIA-SEQUENCE after the first segment",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-TARGETDURATION:5\n",
            "line 3: duplicate EXT-X-TARGETDURATION",
        ),
        (
            b"#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"en\"\n",
            "line 2: EXT-X-MEDIA TYPE=SUBTITLES without URI",
        ),
        (
            b"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"a.m3u8\"\n",
            "line 2: end of a master playlist without EXT-X-STREAM-INF",
        ),
        (b"#EXTM3U\n", "line 1: end of a media playlist without EXT-X-TARGETDURATION"),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:LIVE\n",
            "line 3: EXT-X-PLAYLIST-TYPE is not VOD or EVENT: `LIVE`",
        ),
        (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg\t1.ts\n",
            "line 4: control character in URI: seg\u{fffd}1.ts",
        ),
        (
            b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=fast\nv.m3u8\n",
            "line 2: EXT-X-STREAM-INF: FRAME-RATE is not a non-negative decimal number: `fast`",
        ),
        (
            b"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",DEFAULT=yes\n",
            "line 2: EXT-X-MEDIA: DEFAULT is not YES or NO: `yes`",
        ),
        (
            b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXT-X-SESSION-DATA:DATA-ID=\"x\"\n",
            "line 4: EXT-X-SESSION-DATA without VALUE or URI",
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(error(bytes), *want);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn limits_end_in_a_limit_error() {
    let mut small = ParseOptions::default();
    small.limits.max_segments = 2;
    let e = parse(fixture!("mediaconvert_360.m3u8"), "http://h/a.m3u8", &small).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 11: limit exceeded: more than 2 segments"
    );
    assert!(matches!(e.kind, PlaylistErrorKind::Limit(_)));

    let mut small = ParseOptions::default();
    small.limits.max_variants = 2;
    let e = parse(
        fixture!("mediaconvert_master.m3u8"),
        "http://h/a.m3u8",
        &small,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 9: limit exceeded: more than 2 variants"
    );

    let mut small = ParseOptions::default();
    small.limits.max_renditions = 1;
    let e = parse(
        fixture!("master_media_after_stream_inf.m3u8"),
        "http://h/a.m3u8",
        &small,
    )
    .unwrap_err();
    assert_eq!(e.line, 9);

    let mut small = ParseOptions::default();
    small.limits.max_playlist_bytes = 100;
    let e = parse(fixture!("mediaconvert_360.m3u8"), "http://h/a.m3u8", &small).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(matches!(e.kind, PlaylistErrorKind::Limit(_)));

    let mut small = ParseOptions::default();
    small.limits.max_line_bytes = 40;
    let e = parse(
        fixture!("mediaconvert_master.m3u8"),
        "http://h/a.m3u8",
        &small,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 4: limit exceeded: line is 150 bytes, more than 40"
    );

    let defaults = ParseOptions::default().limits;
    assert_eq!(
        (
            defaults.max_playlist_bytes,
            defaults.max_line_bytes,
            defaults.max_segments
        ),
        (16 << 20, 64 << 10, 100_000)
    );
    assert_eq!(
        (defaults.max_variants, defaults.max_renditions),
        (1000, 1000)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn live_reload_merge_keeps_start_continuous() {
    let url = "http://h/live.m3u8";
    let a = media(fixture!("corner/live_window_a.m3u8"), url);
    let b = media(fixture!("corner/live_window_b.m3u8"), url);
    let out = merge_live(&a, b).unwrap();
    assert!(out.changed);
    assert_eq!(
        (out.added, out.removed, out.skipped, out.overlapping),
        (2, 1, 0, 2)
    );
    let starts: Vec<(u64, f64)> = out
        .playlist
        .segments
        .iter()
        .map(|s| (s.sequence, s.start))
        .collect();
    assert_eq!(starts, [(11, 4.0), (12, 8.0), (13, 12.0), (14, 15.5)]);

    // The same playlist again: unchanged, so the engine halves its reload interval.
    let again = media(fixture!("corner/live_window_b.m3u8"), url);
    let out2 = merge_live(&out.playlist, again).unwrap();
    assert!(!out2.changed);
    assert_eq!((out2.added, out2.removed, out2.overlapping), (0, 0, 4));
    assert_eq!(out2.playlist, out.playlist);

    // Went backwards: a stale cache answered with the older window.
    let older = media(fixture!("corner/live_window_a.m3u8"), url);
    let e = merge_live(&out.playlist, older).unwrap_err();
    assert!(matches!(
        e.kind,
        PlaylistErrorKind::ReloadWentBackwards {
            previous: 11,
            reloaded: 10,
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "live reload went backwards: media sequence 10 (last segment 12) after 11 (last segment 14)"
    );

    // No overlap: 15..=19 were missed; start keeps moving forward by the target duration each.
    // (`added` once counted the missed sequence numbers as added segments.)
    let gap = media(fixture!("corner/live_window_gap.m3u8"), url);
    let out3 = merge_live(&out.playlist, gap).unwrap();
    assert!(out3.changed);
    assert_eq!(
        (out3.skipped, out3.overlapping, out3.added, out3.removed),
        (5, 0, 2, 4)
    );
    assert_eq!(out3.playlist.segments[0].start, 19.5 + 5.0 * 4.0);
    assert_eq!(out3.playlist.segments[1].start, 43.5);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn live_reload_with_endlist_is_a_change() {
    let url = "http://h/live.m3u8";
    let a = media(fixture!("corner/live_window_a.m3u8"), url);
    let mut text = fixture!("corner/live_window_a.m3u8").to_vec();
    text.extend_from_slice(b"#EXT-X-ENDLIST\n");
    let ended = media(&text, url);
    let out = merge_live(&a, ended).unwrap();
    assert!(out.changed);
    assert!(out.playlist.ended);
    assert_eq!((out.added, out.removed), (0, 0));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn codecs_normalize_is_public() {
    assert_eq!(codecs::normalize("avc1.77.30"), "avc1.4d001e");
    assert_eq!(codecs::normalize("avc1.100.40"), "avc1.640028");
    assert_eq!(
        codecs::normalize("avc1.4D401F,mp4a.40.2"),
        "avc1.4d401f,mp4a.40.2"
    );
}

/// A live window sliding over a long stream, reloaded many times: after each merge every
/// segment's `start` equals its position on the full stream's timeline.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sliding_window_merges_match_the_full_timeline() {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut rand = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let durations: Vec<String> = (0..200)
        .map(|_| format!("{}.{:03}", 2 + rand(3), rand(1000)))
        .collect();
    let mut full_start = vec![0.0];
    for d in &durations {
        let next = full_start.last().unwrap() + d.parse::<f64>().unwrap();
        full_start.push(next);
    }
    let window = |first: usize, len: usize| {
        let mut text = format!("#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXT-X-MEDIA-SEQUENCE:{first}\n");
        for (i, d) in durations.iter().enumerate().skip(first).take(len) {
            text.push_str(&format!("#EXTINF:{d},\nseg{i}.ts\n"));
        }
        media(text.as_bytes(), "https://live.example/ch1/index.m3u8")
    };
    let mut current = window(0, 6);
    let (mut first, mut reloads, mut unchanged) = (0, 0, 0);
    while first + 6 < durations.len() {
        // 0 = the server has not moved yet; never past the end of the stream.
        let step = (rand(3) as usize).min(durations.len() - 6 - first);
        first += step;
        let out = merge_live(&current, window(first, 6)).unwrap();
        assert_eq!(out.changed, step != 0);
        assert_eq!((out.added, out.removed, out.skipped), (step, step, 0));
        for s in &out.playlist.segments {
            assert_eq!(
                s.start, full_start[s.sequence as usize],
                "segment {}",
                s.sequence
            );
        }
        unchanged += usize::from(!out.changed);
        reloads += 1;
        current = out.playlist;
    }
    assert!(
        reloads > 50 && unchanged > 10,
        "{reloads} reloads, {unchanged} unchanged"
    );
}

/// EXT-X-DEFINE (RFC 8216bis §4.4.2.3): NAME/VALUE and QUERYPARAM in a master, substituted in
/// URIs and quoted attributes; a media playlist IMPORTs the master's variables.
#[test]
fn ext_x_define_variables_are_substituted_in_uris_and_quoted_attributes() {
    let m = master(
        b"#EXTM3U
#EXT-X-DEFINE:NAME=\"codec\",VALUE=\"avc1.64001f\"
#EXT-X-DEFINE:QUERYPARAM=\"token\"
#EXT-X-DEFINE:NAME=\"lang\",VALUE=\"en\"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"{$lang}\",LANGUAGE=\"{$lang}\",URI=\"audio_{$lang}.m3u8?token={$token}\"
#EXT-X-STREAM-INF:BANDWIDTH=1000000,CODECS=\"{$codec},mp4a.40.2\",AUDIO=\"a\"
v_{$lang}/360.m3u8?token={$token}
",
        &format!("{CDN}master.m3u8?token=t%2Bk&x=1"),
    );
    assert_eq!(m.variants[0].uri, format!("{CDN}v_en/360.m3u8?token=t%2Bk"));
    assert_eq!(
        m.variants[0].codecs.as_deref(),
        Some("avc1.64001f,mp4a.40.2")
    );
    let audio = &m.renditions[0];
    assert_eq!(audio.language.as_deref(), Some("en"));
    assert_eq!(
        audio.uri.as_deref(),
        Some(format!("{CDN}audio_en.m3u8?token=t%2Bk").as_str())
    );
    let names: Vec<&str> = m.variables.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["codec", "token", "lang"]);

    let options = ParseOptions {
        variables: m.variables.clone(),
        ..ParseOptions::default()
    };
    let p = parse_media(
        b"#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-DEFINE:IMPORT=\"token\"
#EXTINF:4,
seg0.ts?token={$token}
#EXT-X-ENDLIST
",
        &format!("{CDN}v_en/360.m3u8?token=t%2Bk"),
        &options,
    )
    .unwrap();
    assert_eq!(p.segments[0].uri, format!("{CDN}v_en/seg0.ts?token=t%2Bk"));
    // Without the master's variables the same playlist is refused, naming the line.
    let e = parse_media(
        b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-DEFINE:IMPORT=\"token\"\n",
        CDN,
        &opts(),
    );
    assert!(e
        .unwrap_err()
        .to_string()
        .starts_with("line 3: EXT-X-DEFINE: IMPORT=\"token\""));
}
