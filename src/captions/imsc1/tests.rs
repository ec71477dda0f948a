use super::*;

const AT_ZERO: TtmlPlacement = TtmlPlacement {
    origin: 0.0,
    sample_end: None,
};

fn doc(tt_attrs: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tt xmlns=\"http://www.w3.org/ns/ttml\" \
         xmlns:ttp=\"http://www.w3.org/ns/ttml#parameter\" {tt_attrs}>\n<head/>\n<body>\n{body}\n</body>\n</tt>\n"
    )
}

fn cues(tt_attrs: &str, body: &str) -> Vec<Cue> {
    parse_at(tt_attrs, body, AT_ZERO).cues
}

fn parse_at(tt_attrs: &str, body: &str, placement: TtmlPlacement) -> Imsc1 {
    Imsc1::parse(doc(tt_attrs, body).as_bytes(), "seg 3", placement).unwrap()
}

fn times(c: &[Cue]) -> Vec<(f64, f64)> {
    c.iter()
        .map(|c| ((c.start * 1e6).round() / 1e6, (c.end * 1e6).round() / 1e6))
        .collect()
}

#[test]
fn clock_times_with_fractions_and_frames() {
    let c = cues(
        "ttp:frameRate=\"25\"",
        "<div><p begin=\"00:00:01.500\" end=\"00:00:02.250\">a</p>\
         <p begin=\"00:00:03:05\" end=\"00:00:04:00\">b</p>\
         <p begin=\"01:00:00\" end=\"01:00:01.5\">c</p></div>",
    );
    assert_eq!(times(&c), [(1.5, 2.25), (3.2, 4.0), (3600.0, 3601.5)]);
}

#[test]
fn frame_rate_multiplier_and_sub_frames() {
    // 30 * 1000/1001 fps: frame 15 is 0.5005 s; half a frame (sub-frame 1 of 2) 16.68 ms.
    let c = cues(
        "ttp:frameRate=\"30\" ttp:frameRateMultiplier=\"1000 1001\" ttp:subFrameRate=\"2\"",
        "<div><p begin=\"00:00:00:15\" end=\"00:00:01:00.1\">a</p></div>",
    );
    assert_eq!(times(&c), [(0.5005, 1.016683)]);
}

#[test]
fn offset_times_in_every_metric() {
    let c = cues(
        "ttp:tickRate=\"10000000\" ttp:frameRate=\"30\"",
        "<p begin=\"10s\" end=\"10500ms\">s</p><p begin=\"0.5m\" end=\"0.01h\">m</p>\
         <p begin=\"90f\" end=\"120000000t\">f</p>",
    );
    assert_eq!(times(&c), [(10.0, 10.5), (30.0, 36.0), (3.0, 12.0)]);
}

#[test]
fn ticks_default_to_frame_rate_times_sub_frames_or_one() {
    let with_frames = cues(
        "ttp:frameRate=\"50\"",
        "<p begin=\"100t\" end=\"150t\">a</p>",
    );
    let plain = cues("", "<p begin=\"2t\" end=\"3t\">a</p>");
    assert_eq!(times(&with_frames), [(2.0, 3.0)]);
    assert_eq!(times(&plain), [(2.0, 3.0)]);
}

#[test]
fn dur_and_times_inherited_from_body_and_div() {
    let d = "<tt xmlns=\"http://www.w3.org/ns/ttml\"><body begin=\"10s\"><div begin=\"5s\" end=\"20s\">\
             <p begin=\"1s\" dur=\"2s\">a</p><p begin=\"3s\">to div end</p>\
             <p begin=\"4s\" end=\"30s\">clipped</p><p begin=\"6s\" end=\"9s\" dur=\"1s\">dur wins</p>\
             </div></body></tt>";
    let c = Imsc1::parse(d.as_bytes(), "s", AT_ZERO).unwrap().cues;
    assert_eq!(
        times(&c),
        [(16.0, 18.0), (18.0, 30.0), (19.0, 30.0), (21.0, 22.0)]
    );
}

#[test]
fn line_breaks_spans_entities_and_whitespace() {
    let c = cues(
        "",
        "<p begin=\"0s\" end=\"1s\">\n   <span tts:color=\"yellow\">Tom &amp;</span>\n  Jerry<br/>\n  &lt;laughs&gt;   &#233;  </p>\
         <p begin=\"1s\" end=\"2s\" xml:space=\"preserve\">a  b</p>",
    );
    assert_eq!(c[0].text, "Tom & Jerry\n<laughs> é");
    assert_eq!(c[1].text, "a  b");
}

#[test]
fn namespace_prefixed_elements() {
    let d = "<tt:tt xmlns:tt=\"http://www.w3.org/ns/ttml\" xmlns:ttp=\"http://www.w3.org/ns/ttml#parameter\" ttp:tickRate=\"90000\">\
             <tt:body><tt:div><tt:p begin=\"90000t\" end=\"180000t\">x<tt:br/>y</tt:p></tt:div></tt:body></tt:tt>";
    let c = Imsc1::parse(d.as_bytes(), "s", AT_ZERO).unwrap().cues;
    assert_eq!(times(&c), [(1.0, 2.0)]);
    assert_eq!(c[0].text, "x\ny");
}

#[test]
fn origin_places_track_time_and_sample_end_closes_open_paragraphs() {
    let placement = TtmlPlacement {
        origin: 100.0,
        sample_end: Some(8.0),
    };
    let v = parse_at(
        "",
        "<p begin=\"6s\" end=\"7s\">a</p><p begin=\"7s\">open</p>",
        placement,
    );
    assert_eq!(times(&v.cues), [(106.0, 107.0), (107.0, 108.0)]);
    assert!(v.warnings.is_empty());
}

#[test]
fn bad_paragraphs_are_warnings_naming_segment_and_line() {
    let v = parse_at(
        "",
        "<p begin=\"1x\" end=\"2s\">bad begin</p>\n<p begin=\"3s\">no end</p>\n\
         <p begin=\"5s\" end=\"4s\">backwards</p>\n<p begin=\"6s\" end=\"7s\">good</p>",
        AT_ZERO,
    );
    assert_eq!(
        v.cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        ["good"]
    );
    let got: Vec<_> = v
        .warnings
        .iter()
        .map(|w| (w.line, w.problem.clone()))
        .collect();
    // doc() puts <body> on line 4, so the paragraphs start on line 5.
    assert_eq!(got[0], (5, CueProblem::BadTime("1x".into())));
    assert_eq!(got[1], (5, CueProblem::NoEnd), "bad begin: no time at all");
    assert_eq!(got[2], (6, CueProblem::NoEnd));
    assert_eq!(
        got[3],
        (
            7,
            CueProblem::EndNotAfterStart {
                start_ms: 5000,
                end_ms: 4000
            }
        )
    );
    assert!(v.warnings[0]
        .to_string()
        .starts_with("segment seg 3, line 5:"));
}

#[test]
fn not_ttml_is_an_error_and_broken_xml_keeps_earlier_cues() {
    for d in [
        "",
        "<html></html>",
        "plain text",
        "<?xml version=\"1.0\"?><!-- only -->",
    ] {
        let e = Imsc1::parse(d.as_bytes(), "seg 9", AT_ZERO).unwrap_err();
        assert_eq!(
            e,
            Imsc1Error::NotTtml {
                segment: "seg 9".into()
            }
        );
        assert_eq!(e.category(), ErrorCategory::Malformed);
    }
    let d = "<tt><body><p begin=\"0s\" end=\"1s\">kept</p>\n<p begin=\"1s\" end=\"2s\">lost <span";
    let v = Imsc1::parse(d.as_bytes(), "s", AT_ZERO).unwrap();
    assert_eq!(v.cues.len(), 1);
    assert_eq!(v.warnings[0].line, 2);
    assert_eq!(v.warnings[0].problem, CueProblem::Xml("tag not closed"));
}

#[test]
fn deep_nesting_stops_without_recursion() {
    let mut d = String::from("<tt><body>");
    for _ in 0..10_000 {
        d.push_str("<span>");
    }
    let v = Imsc1::parse(d.as_bytes(), "s", AT_ZERO).unwrap();
    assert!(v.cues.is_empty());
    assert_eq!(
        v.warnings[0].problem,
        CueProblem::Xml("elements nested too deep")
    );
}

#[test]
fn time_expressions_reject_what_ttml_does_not_allow() {
    let r = Rates::default();
    for bad in [
        "",
        "s",
        "-1s",
        "1e3s",
        "1:00:00",
        "00:00:00:00:00",
        "00:0:01",
        "1.5.5s",
        "10 s",
        "ms",
    ] {
        assert_eq!(time_expression(bad, r), None, "{bad}");
    }
    assert_eq!(time_expression(" 2.5s ", r), Some(2.5));
    assert_eq!(time_expression("100:00:00.000", r), Some(360_000.0));
}

#[test]
fn rates_with_an_exponent_or_a_sign_fall_back_to_the_defaults() {
    // Not TTML numbers: ticks count at 1 per second, frames at 30 per second.
    let d = "<tt ttp:tickRate=\"1e-300\" ttp:frameRate=\"-25\"><body>\
             <p begin=\"10t\" end=\"450f\">x</p></body></tt>";
    let v = Imsc1::parse(d.as_bytes(), "s", AT_ZERO).unwrap();
    assert_eq!(times(&v.cues), [(10.0, 15.0)]);
}

/// Found by the `imsc1` fuzz target: at a tick rate of 1e33 a paragraph's begin and end were
/// apart (5.95e-25 and 6.25e-25 s) but one instant at the segment's origin (1000 s), and a cue
/// of no length came out.
#[test]
fn times_that_meet_at_the_origin_are_not_a_cue() {
    let placement = TtmlPlacement {
        origin: 1000.0,
        sample_end: None,
    };
    let v = parse_at(
        "ttp:tickRate=\"1000000000000000000000000000000000\"",
        "<p begin=\"595000000t\" end=\"625000000t\">x</p><p begin=\"1s\" end=\"2s\">y</p>",
        placement,
    );
    assert_eq!(times(&v.cues), [(1001.0, 1002.0)]);
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
}
