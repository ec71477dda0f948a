use super::*;

fn parse(text: &str) -> WebVtt {
    WebVtt::parse(text.as_bytes(), "sub_00001.vtt").unwrap()
}

fn times(v: &WebVtt) -> Vec<(f64, f64)> {
    v.cues.iter().map(|c| (c.start, c.end)).collect()
}

#[test]
fn header_with_bom_text_and_map_in_either_order() {
    let a = parse(
        "\u{feff}WEBVTT - made by hand\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n\
         00:01.000 --> 00:02.000\nHi\n",
    );
    let b = parse(
        "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00.000,MPEGTS:900000\n\n00:01.000 --> 00:02.000\nHi\n",
    );
    let map = Some(TimestampMap {
        mpegts: 900_000,
        local_ms: 0,
    });
    assert_eq!(a.timestamp_map, map);
    assert_eq!(b.timestamp_map, map);
    assert_eq!(times(&a), [(1.0, 2.0)]);
    assert!(a.warnings.is_empty() && b.warnings.is_empty());
}

#[test]
fn local_time_in_the_map_takes_both_timestamp_forms() {
    let a = parse("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:01:00:02.500\n");
    let b = parse("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:02.500\n");
    assert_eq!(a.timestamp_map.map(|m| m.local_ms), Some(3_602_500));
    assert_eq!(b.timestamp_map.map(|m| m.local_ms), Some(2_500));
}

#[test]
fn bad_map_is_a_warning_naming_segment_and_line() {
    let v =
        parse("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:abc,LOCAL:00:00.000\n\n00:01.000 --> 00:02.000\nx\n");
    assert_eq!(v.timestamp_map, None);
    assert_eq!(v.cues.len(), 1);
    let w = &v.warnings[0];
    assert_eq!((w.segment.as_str(), w.line), ("sub_00001.vtt", 2));
    assert!(matches!(w.problem, CueProblem::BadTimestampMap(_)));
}

#[test]
fn missing_header_is_an_error_naming_the_segment() {
    for text in [
        "",
        "WEBVTTX\n",
        "1\n00:01.000 --> 00:02.000\nx\n",
        "webvtt\n",
    ] {
        let e = WebVtt::parse(text.as_bytes(), "seg 7").unwrap_err();
        assert_eq!(
            e,
            WebVttError::MissingHeader {
                segment: "seg 7".into()
            }
        );
        assert!(e.to_string().contains("seg 7"));
        assert_eq!(e.category(), ErrorCategory::Malformed);
    }
}

#[test]
fn identifiers_hours_optional_and_multi_line_text() {
    let v = parse(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nline one\nline two\n\n\
         intro-cue\n01:02.000 --> 01:03.000\nthree\n\n100:00:00.000 --> 100:00:01.000\nlate\n",
    );
    assert_eq!(
        times(&v),
        [(1.0, 2.5), (62.0, 63.0), (360_000.0, 360_001.0)]
    );
    assert_eq!(v.cues[0].text, "line one\nline two");
    assert_eq!(v.cues[1].text, "three");
}

#[test]
fn line_setting_number_kept_percentage_and_others_ignored() {
    let v = parse(
        "WEBVTT\n\n00:01.000 --> 00:02.000 align:start line:3 position:10%\na\n\n\
         00:02.000 --> 00:03.000 line:-2,end\nb\n\n\
         00:03.000 --> 00:04.000 line:84.5% size:35%\nc\n\n\
         00:04.000 --> 00:05.000 vertical:rl region:r1 line:x\nd\n",
    );
    let lines: Vec<_> = v.cues.iter().map(|c| c.line).collect();
    assert_eq!(lines, [Some(3), Some(-2), None, None]);
    assert!(v.warnings.is_empty());
}

#[test]
fn timing_lines_take_spaces_and_tabs_around_their_parts() {
    let v = parse(
        "WEBVTT\t- tabbed header\n\n \t00:01.000\t-->  00:02.000\t \tsize:5% \tline:4  line:7 \na\n\n\
         00:03.000 --> 00:04.000\t\nb\n\n\
         00:05 .000 --> 00:06.000\nc\n\n\
         00:07.000 -->\t00:08.000 x\rd\r\n",
    );
    assert_eq!(times(&v), [(1.0, 2.0), (3.0, 4.0), (7.0, 8.0)]);
    let lines: Vec<_> = v.cues.iter().map(|c| c.line).collect();
    assert_eq!(lines, [Some(4), None, None]);
    assert_eq!(v.cues[2].text, "d");
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(matches!(v.warnings[0].problem, CueProblem::BadTiming(_)));
    assert!(WebVtt::parse(b"WEBVTTX\n", "s").is_err());
}

#[test]
fn tags_removed_and_entities_decoded() {
    let v = parse(
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Roger Bingham>We are in <b>New</b> York</v>\n\
         <c.yellow.bg_blue>Tom &amp; Jerry &lt;3 &gt;&nbsp;&lrm;x</c> <00:01.500><i>late</i>\n\
         &unknown; & alone &#233;\n",
    );
    assert_eq!(
        v.cues[0].text,
        "We are in New York\nTom & Jerry <3 >\u{a0}\u{200e}x late\n&unknown; & alone é"
    );
}

#[test]
fn unclosed_tag_drops_the_rest_of_its_line() {
    let v = parse("WEBVTT\n\n00:01.000 --> 00:02.000\nkept <b never closed\nnext line\n");
    assert_eq!(v.cues[0].text, "kept \nnext line");
}

#[test]
fn note_style_and_region_blocks_skipped() {
    let v = parse(
        "WEBVTT\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r1 width:40%\n\n\
         NOTE this is a comment\nstill the note\n\nNOTE\n\n00:01.000 --> 00:02.000\nonly cue\n",
    );
    assert_eq!(v.cues.len(), 1);
    assert_eq!(v.cues[0].text, "only cue");
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
}

#[test]
fn crlf_and_cr_line_ends() {
    let crlf = parse(
        "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\na\r\nb\r\n\r\n00:03.000 --> 00:04.000\r\nc\r\n",
    );
    let cr = parse("WEBVTT\r\r00:01.000 --> 00:02.000\ra\rb\r\r00:03.000 --> 00:04.000\rc\r");
    assert_eq!(crlf, cr);
    assert_eq!(times(&crlf), [(1.0, 2.0), (3.0, 4.0)]);
    assert_eq!(crlf.cues[0].text, "a\nb");
}

#[test]
fn bad_cues_are_warnings_with_their_line_and_parsing_goes_on() {
    let v = parse(
        "WEBVTT\n\n00:01.000 -> 00:02.000\nno arrow\n\n\
         00:02.000 --> 00:01.000\nbackwards\n\n\
         00:03.000 --> 00:03.000\nempty span\n\n\
         00:61.000 --> 01:02.000\nbad seconds\n\n\
         00:04.00 --> 00:05.000\ntwo digit ms\n\n\
         00:06.000 --> 00:07.000\ngood\n",
    );
    assert_eq!(times(&v), [(6.0, 7.0)]);
    let lines: Vec<_> = v.warnings.iter().map(|w| w.line).collect();
    // The first block has no timing line at all (line 3); the others' timing lines.
    assert_eq!(lines, [3, 6, 9, 12, 15]);
    assert!(matches!(v.warnings[0].problem, CueProblem::NoTiming));
    assert_eq!(
        v.warnings[1].problem,
        CueProblem::EndNotAfterStart {
            start_ms: 2000,
            end_ms: 1000
        }
    );
    assert!(matches!(v.warnings[3].problem, CueProblem::BadTiming(_)));
    assert!(v.warnings[1]
        .to_string()
        .starts_with("segment sub_00001.vtt, line 6:"));
}

#[test]
fn cue_without_blank_line_before_the_next_or_after_the_header() {
    let v = parse("WEBVTT\n00:01.000 --> 00:02.000\na\n00:02.000 --> 00:03.000\nb\n");
    assert_eq!(times(&v), [(1.0, 2.0), (2.0, 3.0)]);
    assert_eq!(v.cues[1].text, "b");
}

#[test]
fn warnings_are_bounded() {
    let mut text = String::from("WEBVTT\n\n");
    for _ in 0..1000 {
        text.push_str("junk\n\n");
    }
    let v = parse(&text);
    assert_eq!(v.warnings.len(), 33);
    assert_eq!(
        v.warnings.last().unwrap().problem,
        CueProblem::More(1000 - 32)
    );
}

#[test]
fn invalid_utf8_and_odd_bytes_do_not_panic() {
    let v = WebVtt::parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\xfe ok\n", "s").unwrap();
    assert_eq!(v.cues[0].text, "\u{fffd}\u{fffd} ok");
    for text in [
        "WEBVTT\n\n-->",
        "WEBVTT\n\nx\n-->\n",
        "WEBVTT\n\n99999999999:00:00.000 --> 1\n",
        "WEBVTT\n\n00:01.000 --> 00:02.000 line:99999999999\nx",
    ] {
        let _ = parse(text);
    }
}

#[test]
fn on_timeline_applies_the_map_and_mapping() {
    let v = parse("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:183600,LOCAL:00:00:00.000\n\n00:00:05.000 --> 00:00:07.000\nx\n");
    // The remuxer placed the video's first PTS (2.04 s) at 0.
    let mapping = TimelineMapping {
        offset: -2.04,
        segment_start: 0.0,
    };
    let cues = v.on_timeline(&mapping);
    assert!((cues[0].start - 5.0).abs() < 1e-9 && (cues[0].end - 7.0).abs() < 1e-9);
    assert_eq!(cues[0].text, "x");
}

#[test]
fn note_right_above_a_timing_line_is_an_identifier_and_a_timing_line_ends_a_skipped_block() {
    let v = parse(
        "WEBVTT\n\nNOTE not a comment\n00:01.000 --> 00:02.000\na\n\n\
         STYLE\n::cue {}\nmore\n00:03.000 --> 00:04.000\nb\n",
    );
    assert_eq!(times(&v), [(1.0, 2.0), (3.0, 4.0)]);
    assert!(v.warnings.is_empty());
}
