//! Playlist differences found by running the peers' test suites (issue 18), one named test each.
//! The playlists here are written for these tests; the peer files themselves are checked by
//! `tests/peer_playlists.rs` when `../shared/peer-data` is there. Like `tests/playlist.rs`, these
//! run natively and in wasm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code

use hlsplay::playlist::{
    merge_live, parse, parse_master, parse_media, MediaPlaylist, ParseOptions, PlaylistErrorKind,
    Skip,
};

const URL: &str = "https://cdn.example.com/live/index.m3u8";

fn media(text: &str) -> MediaPlaylist {
    parse_media(text.as_bytes(), URL, &ParseOptions::default()).unwrap()
}

fn error(text: &str) -> String {
    parse(text.as_bytes(), URL, &ParseOptions::default())
        .unwrap_err()
        .to_string()
}

fn sequences(p: &MediaPlaylist) -> Vec<(u64, String)> {
    p.segments
        .iter()
        .map(|s| (s.sequence, s.uri.rsplit('/').next().unwrap().to_string()))
        .collect()
}

/// A full live window of segments 20..=29 (4 s each, a discontinuity before 26).
fn full_window() -> MediaPlaylist {
    let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:20\n#EXT-X-DISCONTINUITY-SEQUENCE:7\n");
    for n in 20..30 {
        if n == 26 {
            text.push_str("#EXT-X-DISCONTINUITY\n");
        }
        text.push_str(&format!("#EXTINF:4.0,\ns{n}.ts\n"));
    }
    media(&text)
}

/// The delta update of the window one segment later: 21..=27 skipped, 28..=30 listed.
const DELTA: &str = "#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=24
#EXT-X-MEDIA-SEQUENCE:21
#EXT-X-DISCONTINUITY-SEQUENCE:7
#EXT-X-SKIP:SKIPPED-SEGMENTS=7
#EXTINF:4.0,
s28.ts
#EXTINF:4.0,
s29.ts
#EXTINF:4.0,
s30.ts
";

/// hls.js llhls-skip / m3u8-parser llhlsDelta: EXT-X-SKIP was an unknown tag, so the listed
/// segments were numbered from MEDIA-SEQUENCE as if nothing was skipped.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_llhls_skip_numbers_the_listed_segments_after_the_skipped_ones() {
    let p = media(DELTA);
    assert_eq!(
        p.skip,
        Some(Skip {
            index: 0,
            count: 7,
            first_sequence: 21,
            line: 6
        })
    );
    let seq: Vec<u64> = p.segments.iter().map(|s| s.sequence).collect();
    assert_eq!(seq, [28, 29, 30]);
    // Until merged, each skipped segment counts one target duration.
    assert_eq!(p.segments[0].start, 28.0);
}

/// hls.js media-sequence-after-skip and disc-seq-after-skip: the sequence tags may follow the
/// EXT-X-SKIP (it is not a segment).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_media_sequence_after_skip_is_accepted() {
    let p = media("#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXT-X-SKIP:SKIPPED-SEGMENTS=191\n#EXT-X-MEDIA-SEQUENCE:7126\n#EXT-X-DISCONTINUITY-SEQUENCE:9\n#EXTINF:2.9,\na.m4s\n");
    assert_eq!(p.segments[0].sequence, 7317);
    assert_eq!(p.segments[0].discontinuity_sequence, 9);
}

/// hls.js skip-after-first-segment: the skipped segments sit between two listed ones.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_skip_after_first_segment_leaves_the_gap_in_the_middle() {
    let p = media("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:102\n#EXTINF:6,\nf102.ts\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:6,\nf106.ts\n");
    assert_eq!(
        sequences(&p),
        [(102, "f102.ts".to_string()), (106, "f106.ts".to_string())]
    );
    assert_eq!(p.skip.map(|s| (s.index, s.first_sequence)), Some((1, 103)));
    assert_eq!(p.segments[1].start, 6.0 + 3.0 * 6.0);
}

/// hls.js dup-skip and segment-before-skip: errors there, errors here, with the line.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_dup_skip_and_segment_before_skip_are_errors() {
    assert_eq!(
        error("#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n#EXTINF:4\n2.mp4\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:4\n6.mp4\n"),
        "line 6: duplicate EXT-X-SKIP (first at line 3)"
    );
    assert_eq!(
        error("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nf102.ts\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXT-X-MEDIA-SEQUENCE:102\n"),
        "line 6: EXT-X-MEDIA-SEQUENCE after the first segment"
    );
    assert_eq!(
        error("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-SKIP:COUNT=3\n"),
        "line 3: EXT-X-SKIP without SKIPPED-SEGMENTS"
    );
    assert_eq!(
        error("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:6,\na.ts\n"),
        "line 4: EXT-X-SKIP between the EXTINF at line 3 and its URI"
    );
}

/// The live merge puts the skipped segments back from the previous playlist: same URIs, same
/// durations, the discontinuity numbering of the whole window, `start` continuous.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn merge_live_rebuilds_segments_an_ext_x_skip_left_out() {
    let previous = full_window();
    let out = merge_live(&previous, media(DELTA)).unwrap();
    let p = &out.playlist;
    assert_eq!(p.skip, None);
    let want: Vec<(u64, String)> = (21..31).map(|n| (n, format!("s{n}.ts"))).collect();
    assert_eq!(sequences(p), want);
    let disc: Vec<u64> = p
        .segments
        .iter()
        .map(|s| s.discontinuity_sequence)
        .collect();
    assert_eq!(disc, [7, 7, 7, 7, 7, 8, 8, 8, 8, 8]);
    let starts: Vec<f64> = p.segments.iter().map(|s| s.start).collect();
    let want_starts: Vec<f64> = (1..11).map(|i| f64::from(i) * 4.0).collect();
    assert_eq!(starts, want_starts);
    assert_eq!((out.added, out.removed, out.overlapping), (1, 1, 9));
}

/// A delta update whose skipped segments the previous playlist does not hold (it is too old, or
/// was itself a delta) cannot be rebuilt: a clear `unsupported` error on the EXT-X-SKIP line,
/// never a playlist with a hole in it.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn merge_live_refuses_a_delta_update_it_cannot_rebuild() {
    let short = media("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:25\n#EXTINF:4,\ns25.ts\n#EXTINF:4,\ns26.ts\n#EXTINF:4,\ns27.ts\n");
    let e = merge_live(&short, media(DELTA)).unwrap_err();
    assert!(matches!(e.kind, PlaylistErrorKind::Unsupported(_)));
    assert_eq!(
        e.to_string(),
        "line 6: unsupported: EXT-X-SKIP left out segments 21..=27, but the previous playlist holds 25..=27: the delta update cannot be rebuilt (reload without _HLS_skip)"
    );
    let e = merge_live(&media(DELTA), media(DELTA)).unwrap_err();
    assert!(
        e.to_string().contains("is itself an unmerged delta update"),
        "{e}"
    );
}

/// hls.js discontinuity and discontinuity-sequence: `#EXTM3U` twice at the top.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_repeated_extm3u_is_accepted() {
    let p =
        media("#EXTM3U\n#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n#EXT-X-ENDLIST\n");
    assert_eq!(p.segments.len(), 1);
}

/// grafov media-playlist-with-cue-out-in-without-oatcls and hls.js extinf-no-comma: a last
/// EXTINF without its URI (a live playlist read while being written, or before ENDLIST) was a
/// fatal error; the segment is now dropped with a warning naming the line.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn grafov_trailing_extinf_without_uri_is_dropped_with_a_warning() {
    for (file, line) in [
        (
            include_str!("fixtures/playlists/corner/extinf_at_end_cut_mid_write.m3u8"),
            6,
        ),
        (
            include_str!("fixtures/playlists/corner/extinf_before_endlist.m3u8"),
            4,
        ),
    ] {
        let p = media(file);
        let at_end = usize::from(line == 6);
        assert_eq!(p.segments.len(), at_end);
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(
            p.warnings[0].to_string(),
            format!(
                "line {line}: EXTINF without a URI at the end of the playlist: segment dropped"
            )
        );
    }
    // Between segments it is still an error: a URI may not be guessed.
    assert_eq!(
        error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXTINF:4,\na.ts\n"),
        "line 3: EXTINF not followed by a URI"
    );
}

/// hls.js spaces-in-uri: the resolved URL is the one `fetch` requests (WHATWG URL parser).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_spaces_in_uri_resolve_to_the_whatwg_form() {
    let p = media("#EXTM3U\n#EXT-X-TARGETDURATION:7\n#EXTINF:6,\nplain 5.ts\n#EXTINF:6,\nmy clip 6.ts?t=a b\n");
    assert_eq!(
        p.segments[0].uri,
        "https://cdn.example.com/live/plain%205.ts"
    );
    assert_eq!(
        p.segments[1].uri,
        "https://cdn.example.com/live/my%20clip%206.ts?t=a%20b"
    );
}

/// Errors about the whole file said `line 0:`. They now name the line where the problem shows
/// (the header line, the last line), and those not on any line have no line prefix.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn whole_file_errors_do_not_say_line_0() {
    assert_eq!(error(""), "line 1: not a playlist: missing #EXTM3U");
    assert_eq!(
        error("#EXTM3U\n#EXT-X-VERSION:3\n\n"),
        "line 2: end of a media playlist without EXT-X-TARGETDURATION"
    );
    let media_text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n";
    let e = parse_master(media_text.as_bytes(), URL, &ParseOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a master playlist, found a media playlist"
    );
    let tight = ParseOptions {
        limits: hlsplay::playlist::Limits {
            max_playlist_bytes: 4,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = parse(media_text.as_bytes(), URL, &tight).unwrap_err();
    assert_eq!(
        e.to_string(),
        "limit exceeded: playlist is 32 bytes, more than 4"
    );
}

/// grafov master-with-hlsv7 and media-playlist-with-discontinuity, m3u8-parser master: comment
/// lines before `#EXTM3U` are read past.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn grafov_comments_before_the_header_are_accepted() {
    let p = media(
        "# https://example.com/notes\n#\n#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n",
    );
    assert_eq!(p.segments[0].line, 6);
}

/// hls.js bad-pdt: a PROGRAM-DATE-TIME that is not a date is ignored (it only labels time),
/// with a warning, instead of refusing the playlist.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_bad_pdt_is_ignored_with_a_warning() {
    let p = media(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10\n#EXT-X-PROGRAM-DATE-TIME:foo\nf0.ts\n",
    );
    assert_eq!(p.segments[0].program_date_time, None);
    assert_eq!(
        p.warnings[0].to_string(),
        "line 4: EXT-X-PROGRAM-DATE-TIME is not an ISO 8601 date-time: `foo`: ignored"
    );
}

/// hls.js define-undefined-ref: `{$name}` without EXT-X-DEFINE was fetched literally; now a
/// reference with no definition above it is an error naming the line (RFC 8216bis: "MUST fail").
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_undefined_variable_reference_is_refused() {
    assert_eq!(
        error("#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:4\na{$bar}.mp4\n"),
        "line 4: variable reference `{$bar}` with no EXT-X-DEFINE of it above"
    );
    assert_eq!(
        error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",URI=\"{$host}/a.m3u8\"\n"),
        "line 4: variable reference `{$host}` with no EXT-X-DEFINE of it above"
    );
}

/// grafov master-with-i-frame-stream-inf: one I-frame variant with `BANDWIDTH="INVALIDBW"`
/// refused the whole master; I-frame variants are for trick play only, so it is left out with a
/// warning and the master plays.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn grafov_bad_i_frame_variant_is_left_out_with_a_warning() {
    let text = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1280000\nlow.m3u8\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,URI=\"low-i.m3u8\"\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=\"lots\",URI=\"hi-i.m3u8\"\n";
    let m = parse_master(text.as_bytes(), URL, &ParseOptions::default()).unwrap();
    assert_eq!(m.variants.len(), 1);
    assert_eq!(m.i_frame_variants.len(), 1);
    assert_eq!(
        m.warnings[0].to_string(),
        "line 5: EXT-X-I-FRAME-STREAM-INF: bad BANDWIDTH `lots`: I-frame variant left out"
    );
}

/// hls.js multi-session-data: an EXT-X-SESSION-DATA with both VALUE and URI refused the master;
/// session data is not used for playback, so both are kept with a warning.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_session_data_with_value_and_uri_is_kept_with_a_warning() {
    let text = "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"x\",VALUE=\"v\",URI=\"d.json\"\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n";
    let m = parse_master(text.as_bytes(), URL, &ParseOptions::default()).unwrap();
    let d = &m.session_data[0];
    assert_eq!(d.value.as_deref(), Some("v"));
    assert_eq!(
        d.uri.as_deref(),
        Some("https://cdn.example.com/live/d.json")
    );
    assert_eq!(m.warnings.len(), 1);
}

/// hls.js dup-endlist, dup-part-inf, dup-server-control: tags that may appear once appeared
/// twice and were accepted here; hls.js refuses them, and so do we, naming both lines.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hlsjs_duplicate_endlist_part_inf_and_server_control_are_errors() {
    let head = "#EXTM3U\n#EXT-X-TARGETDURATION:5\n";
    for (tail, want) in [
        (
            "#EXTINF:4\n1.mp4\n#EXT-X-ENDLIST\n#EXT-X-ENDLIST\n",
            "line 6: duplicate EXT-X-ENDLIST",
        ),
        (
            "#EXT-X-PART-INF:PART-TARGET=1.0\n#EXT-X-PART-INF:PART-TARGET=0.5\n",
            "line 4: duplicate EXT-X-PART-INF (first at line 3)",
        ),
        (
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=24\n",
            "line 4: duplicate EXT-X-SERVER-CONTROL (first at line 3)",
        ),
    ] {
        assert_eq!(error(&format!("{head}{tail}")), want);
    }
}

/// hls.js `targetduration-decimal` / `targetduration-min1`: a decimal TARGETDURATION was refused,
/// so a stream hls.js plays did not play. It is read as the next whole second (at least 1), with
/// a warning naming the line; a value that is no number at all is still an error.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_decimal_target_duration_is_read_as_the_next_whole_second_with_a_warning() {
    for (value, seconds) in [("2.5", 3), ("0.5", 1), ("6.0", 6), ("10.001", 11)] {
        let p = media(&format!(
            "#EXTM3U\n#EXT-X-TARGETDURATION:{value}\n#EXTINF:2.5,\na.ts\n#EXT-X-ENDLIST\n"
        ));
        assert_eq!(p.target_duration, seconds, "{value}");
        assert_eq!(p.segments.len(), 1);
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(
            p.warnings[0].to_string(),
            format!("line 2: EXT-X-TARGETDURATION is not a decimal integer: `{value}`: read as {seconds}")
        );
    }
    assert!(
        media("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n")
            .warnings
            .is_empty()
    );
    for bad in ["-2", "2.5s", "", "1e3", ".", "NaN"] {
        assert_eq!(
            error(&format!(
                "#EXTM3U\n#EXT-X-TARGETDURATION:{bad}\n#EXTINF:4,\na.ts\n"
            )),
            format!("line 2: EXT-X-TARGETDURATION is not a decimal integer: `{bad}`"),
            "{bad}"
        );
    }
}

/// hls.js `map-no-uri`: a bare `#EXT-X-MAP` in front of TS segments refused the playlist, which
/// hls.js plays. The tag is ignored with a warning naming its line, and a map already in force
/// stays in force.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_ext_x_map_without_uri_is_ignored_with_a_warning() {
    let p = media(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n#EXT-X-MAP\na.ts\n#EXTINF:10,\nb.ts\n",
    );
    assert_eq!(p.segments.len(), 2);
    assert!(p.segments.iter().all(|s| s.map.is_none()));
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(
        p.warnings[0].to_string(),
        "line 4: EXT-X-MAP without URI: ignored"
    );
    let p = media(concat!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\na.m4s\n",
        "#EXT-X-MAP:BYTERANGE=\"10@0\"\n#EXTINF:4,\nb.m4s\n"
    ));
    let maps: Vec<_> = p
        .segments
        .iter()
        .map(|s| s.map.as_ref().map(|m| m.uri.as_str()))
        .collect();
    assert_eq!(
        maps,
        [Some("https://cdn.example.com/live/init.mp4"); 2],
        "the earlier map stays"
    );
    assert_eq!(p.warnings.len(), 1);
}
