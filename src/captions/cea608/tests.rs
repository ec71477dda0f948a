use super::*;

/// Sets bit 7 so the byte has odd parity.
fn par(b: u8) -> u8 {
    if b.count_ones() % 2 == 0 {
        b | 0x80
    } else {
        b
    }
}

/// Pairs of CC1 (field 1) from control codes (sent twice) and text (two characters a pair).
struct Enc(Vec<[u8; 2]>);

impl Enc {
    fn new() -> Self {
        Enc(Vec::new())
    }
    fn ctrl(mut self, hi: u8, lo: u8) -> Self {
        self.0.push([par(hi), par(lo)]);
        self.0.push([par(hi), par(lo)]);
        self
    }
    fn text(mut self, t: &str) -> Self {
        let b = t.as_bytes();
        for c in b.chunks(2) {
            self.0.push([par(c[0]), par(*c.get(1).unwrap_or(&0))]);
        }
        self
    }
    fn raw(mut self, hi: u8, lo: u8) -> Self {
        self.0.push([par(hi), par(lo)]);
        self
    }
    /// Feeds the pairs one frame (1/30 s) apart from `t0`; returns the time after the last.
    fn feed(self, d: &mut Cea608Decoder, t0: f64) -> f64 {
        let mut t = t0;
        for p in self.0 {
            d.push(t, Field::One, p);
            t += 1.0 / 30.0;
        }
        t
    }
}

const RCL: u8 = 0x20;
const EOC: u8 = 0x2F;
const EDM: u8 = 0x2C;
const CR: u8 = 0x2D;
const ENM: u8 = 0x2E;

fn texts(cues: &[Cue]) -> Vec<&str> {
    cues.iter().map(|c| c.text.as_str()).collect()
}

#[test]
fn pop_on_caption_shows_from_eoc_to_edm() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, ENM)
        .ctrl(0x14, 0x70) // row 15, indent 0
        .text("Hello")
        .feed(&mut d, 0.0);
    let eoc_at = t;
    let t = Enc::new().ctrl(0x14, EOC).feed(&mut d, t);
    assert!(d.take_cues().is_empty(), "nothing ends before the erase");
    let edm_at = t + 1.0;
    Enc::new().ctrl(0x14, EDM).feed(&mut d, edm_at);
    let cues = d.flush(10.0);
    assert_eq!(cues.len(), 1);
    assert_eq!(cues[0].text, "Hello");
    assert_eq!(cues[0].line, Some(14));
    assert!((cues[0].start - eoc_at).abs() < 1e-9);
    assert!((cues[0].end - edm_at).abs() < 1e-9);
}

#[test]
fn a_doubled_control_code_acts_once_and_a_third_acts_again() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    // Two rows of pop-on text; a doubled BS removes one character, not two.
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("abcd")
        .ctrl(0x14, 0x21)
        .ctrl(0x14, EOC)
        .feed(&mut d, 0.0);
    let cues = d.flush(t + 1.0);
    assert_eq!(texts(&cues), ["abc"]);
    // A third identical pair right after the repeated one is a new command.
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("abcd")
        .ctrl(0x14, 0x21)
        .raw(0x14, 0x21)
        .ctrl(0x14, EOC)
        .feed(&mut d, 0.0);
    assert_eq!(texts(&d.flush(t + 1.0)), ["ab"]);
}

#[test]
fn roll_up_cues_follow_the_carriage_returns() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, 0x25) // RU2
        .ctrl(0x14, CR)
        .ctrl(0x14, 0x70)
        .text("one")
        .feed(&mut d, 0.0);
    let cr1 = t;
    let t = Enc::new().ctrl(0x14, CR).text("two").feed(&mut d, t);
    let cr2 = t;
    let t = Enc::new().ctrl(0x14, CR).text("three").feed(&mut d, t);
    let cues = d.flush(t + 1.0);
    assert_eq!(texts(&cues), ["one", "one\ntwo", "two\nthree"]);
    assert!((cues[0].end - cr1).abs() < 1e-9);
    assert!(
        (cues[1].start - cr1).abs() < 1e-9,
        "the rolled line shows from the CR"
    );
    assert!((cues[1].end - cr2).abs() < 1e-9);
    assert_eq!(cues[2].line, Some(13), "two rows ending on row 15");
}

#[test]
fn paint_on_shows_characters_as_they_arrive_until_erased() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, 0x29) // RDC
        .ctrl(0x11, 0x50) // row 1
        .feed(&mut d, 0.0);
    let first_char = t;
    let t = Enc::new().text("paint").feed(&mut d, t);
    Enc::new().ctrl(0x14, EDM).feed(&mut d, t + 2.0);
    let cues = d.flush(t + 5.0);
    assert_eq!(texts(&cues), ["paint"]);
    assert_eq!(cues[0].line, Some(0));
    assert!((cues[0].start - first_char).abs() < 1e-9);
    assert!((cues[0].end - (t + 2.0)).abs() < 1e-9);
}

#[test]
fn special_and_extended_characters_with_the_backspace_rule() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("caf")
        .text("e") // fallback for decoders without the extended set
        .ctrl(0x12, 0x21) // É replaces it... (Spanish/French set)
        .ctrl(0x11, 0x37) // ♪
        .text(" ")
        .text("A")
        .ctrl(0x13, 0x31) // ä replaces the A (Portuguese/German/Danish set)
        .raw(0x7d, 0x2a) // basic 608: Ñ á
        .ctrl(0x14, EOC)
        .feed(&mut d, 0.0);
    assert_eq!(texts(&d.flush(t + 1.0)), ["cafÉ♪ äÑá"]);
}

#[test]
fn mid_row_codes_and_preamble_indent_are_spaces_and_columns() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x13, 0x54) // row 12, indent 8
        .text("a")
        .ctrl(0x11, 0x2E) // mid-row: italics, a space
        .text("b")
        .ctrl(0x14, 0x78) // row 15 (0x14 + bit 5), indent 16
        .text("c")
        .ctrl(0x14, EOC)
        .feed(&mut d, 0.0);
    let cues = d.flush(t + 1.0);
    assert_eq!(texts(&cues), ["a b\nc"]);
    assert_eq!(cues[0].line, Some(11), "row 12 is line 11 counted from 0");
}

#[test]
fn channels_are_kept_apart_by_the_control_codes_data_channel() {
    let pairs = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("one")
        .ctrl(0x1C, RCL) // CC2
        .ctrl(0x1C, 0x70)
        .text("two")
        .ctrl(0x1C, EOC)
        .ctrl(0x14, EOC);
    let mut cc1 = Cea608Decoder::new(Channel::Cc1);
    let mut cc2 = Cea608Decoder::new(Channel::Cc2);
    let mut cc3 = Cea608Decoder::new(Channel::Cc3);
    for (i, p) in pairs.0.iter().enumerate() {
        for d in [&mut cc1, &mut cc2, &mut cc3] {
            d.push(i as f64 / 30.0, Field::One, *p);
        }
    }
    assert_eq!(texts(&cc1.flush(9.0)), ["one"]);
    assert_eq!(texts(&cc2.flush(9.0)), ["two"]);
    assert!(cc3.flush(9.0).is_empty(), "CC3 is in field 2");
}

#[test]
fn field_two_carries_cc3_and_skips_xds() {
    let mut d = Cea608Decoder::new(Channel::Cc3);
    let p = |hi, lo| [par(hi), par(lo)];
    let seq = [
        p(0x15, RCL),
        p(0x15, RCL),
        p(0x15, 0x70),
        p(0x15, 0x70),
        p(b'h', b'i'),
        p(0x01, 0x03), // XDS start: its bytes are not text
        p(b'x', b'x'),
        p(0x0F, 0x1d), // XDS end
        p(b'!', 0),
        p(0x15, EOC),
        p(0x15, EOC),
    ];
    for (i, pair) in seq.iter().enumerate() {
        d.push(i as f64, Field::Two, *pair);
        d.push(i as f64, Field::One, p(b'n', b'o'));
    }
    assert_eq!(texts(&d.flush(20.0)), ["hi!"]);
}

#[test]
fn parity_errors_show_a_solid_block_or_lose_the_pair() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let mut t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .feed(&mut d, 0.0);
    d.push(t, Field::One, [b'c', par(b'b')]); // 'c' (0x63) has even parity
    t += 0.1;
    d.push(t, Field::One, [par(b'c'), b'd' | 0x80]); // 'd' has even parity then
    t += 0.1;
    let t = Enc::new().ctrl(0x14, EOC).feed(&mut d, t);
    assert_eq!(texts(&d.flush(t + 1.0)), ["\u{2588}b"]);
}

#[test]
fn reset_forgets_the_screen_but_keeps_complete_cues() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("x")
        .ctrl(0x14, EOC)
        .ctrl(0x14, EDM)
        .ctrl(0x14, RCL)
        .text("y")
        .feed(&mut d, 0.0);
    d.reset();
    // Text without a mode after the reset goes nowhere.
    let t = Enc::new().text("z").ctrl(0x14, EOC).feed(&mut d, t);
    assert_eq!(texts(&d.flush(t + 1.0)), ["x"]);
}

#[test]
fn random_pairs_never_panic() {
    let mut seed = 0x1234_5678_u32;
    for ch in [Channel::Cc1, Channel::Cc2, Channel::Cc3, Channel::Cc4] {
        let mut d = Cea608Decoder::new(ch);
        for i in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [a, b, f, _] = seed.to_le_bytes();
            let field = if f & 1 == 0 { Field::One } else { Field::Two };
            d.push(f64::from(i) / 30.0, field, [a, b]);
        }
        for c in d.flush(1e6) {
            assert!(c.end > c.start);
            assert!(c.text.lines().count() <= 15);
        }
    }
}

#[test]
fn a_preamble_on_another_row_moves_the_roll_up_window_with_its_text() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, 0x25) // RU2, base row 15
        .text("one")
        .ctrl(0x14, CR)
        .ctrl(0x12, 0x50) // row 3
        .text("two")
        .ctrl(0x14, CR)
        .feed(&mut d, 0.0);
    let cues = d.flush(t + 1.0);
    assert_eq!(texts(&cues), ["one", "one\ntwo", "two"]);
    assert_eq!(cues[1].line, Some(1), "rows 2-3 after the move to row 3");
}

#[test]
fn a_smaller_roll_up_depth_drops_the_rows_above_the_new_window() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, 0x26) // RU3
        .text("a")
        .ctrl(0x14, CR)
        .text("b")
        .ctrl(0x14, CR)
        .text("c")
        .ctrl(0x14, 0x25) // RU2: "a" leaves
        .ctrl(0x14, CR)
        .feed(&mut d, 0.0);
    let cues = d.flush(t + 1.0);
    assert_eq!(texts(&cues), ["a", "a\nb", "b\nc", "c"]);
}

#[test]
fn text_service_data_is_not_caption_text() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("cap")
        .ctrl(0x14, 0x2A) // TR: text service T1
        .text("TEXT")
        .ctrl(0x14, RCL)
        .text("tion")
        .ctrl(0x14, EOC)
        .feed(&mut d, 0.0);
    assert_eq!(texts(&d.flush(t + 1.0)), ["caption"]);
}

#[test]
fn tab_offsets_move_and_delete_to_end_of_row_erases() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("ab")
        .ctrl(0x17, 0x22) // TO2
        .text("cdef")
        .ctrl(0x14, 0x21) // BS
        .ctrl(0x14, 0x21)
        .ctrl(0x14, 0x24) // DER (nothing after the cursor now)
        .ctrl(0x14, 0x70) // back to column 0
        .text("x")
        .ctrl(0x14, 0x24) // DER: everything after "x" goes
        .ctrl(0x14, EOC)
        .feed(&mut d, 0.0);
    assert_eq!(texts(&d.flush(t + 1.0)), ["x"]);
}

#[test]
fn leaving_roll_up_for_pop_on_erases_the_roll_up_lines() {
    let mut d = Cea608Decoder::new(Channel::Cc1);
    let t = Enc::new()
        .ctrl(0x14, 0x25)
        .text("rolling")
        .feed(&mut d, 0.0);
    let rcl_at = t;
    let t = Enc::new()
        .ctrl(0x14, RCL)
        .ctrl(0x14, 0x70)
        .text("pop")
        .ctrl(0x14, EOC)
        .feed(&mut d, t);
    let cues = d.flush(t + 1.0);
    assert_eq!(texts(&cues), ["rolling", "pop"]);
    assert!((cues[0].end - rcl_at).abs() < 1e-9);
}
