//! A small CEA-608 encoder: scripted captions (pop-on, roll-up; basic, special and extended
//! characters) on one channel become the byte pairs of its field, one pair a frame, as a
//! caption encoder sends them (control codes twice, two characters a pair, padding between),
//! and the pairs go into H.264 SEI as ATSC A/53 `cc_data`. `hlsplay inject-608` captions the
//! 608 sample with it; the tests (`tests/cea608_common` includes this file by `#[path]`) made
//! `tests/fixtures/ts/cea608_bf.ts` and their synthetic SEI with it.

/// Odd parity in bit 7.
pub fn par(b: u8) -> u8 {
    if b.count_ones() % 2 == 0 {
        b | 0x80
    } else {
        b
    }
}

pub const PAD: [u8; 2] = [0x80, 0x80];

/// The pairs of one channel, one per frame.
pub struct Channel608 {
    /// Bit 3 of control codes' first byte: 0 for CC1/CC3, 1 for CC2/CC4.
    data_channel: u8,
    /// Misc control codes' first byte: 0x14 in field 1, 0x15 in field 2.
    misc: u8,
    pub pairs: Vec<[u8; 2]>,
    /// A pending single character waiting for a partner in its pair.
    half: Option<u8>,
}

impl Channel608 {
    /// `field2`: CC3/CC4. `second`: CC2/CC4.
    pub fn new(field2: bool, second: bool) -> Self {
        Channel608 {
            data_channel: u8::from(second),
            misc: if field2 { 0x15 } else { 0x14 },
            pairs: Vec::new(),
            half: None,
        }
    }

    /// The frame the next pair goes out at (a pending single character counts as sent).
    pub fn next_frame(&self) -> usize {
        self.pairs.len() + usize::from(self.half.is_some())
    }

    /// The pairs, a pending single character sent.
    pub fn finish(mut self) -> Vec<[u8; 2]> {
        self.close_half();
        self.pairs
    }

    fn close_half(&mut self) {
        if let Some(c) = self.half.take() {
            self.pairs.push([par(c), par(0)]);
        }
    }

    /// Pads up to frame `frame` (the next pair goes out at `frame`).
    pub fn at(&mut self, frame: usize) -> &mut Self {
        self.close_half();
        assert!(
            self.pairs.len() <= frame,
            "script overlaps at frame {frame}"
        );
        self.pairs.resize(frame, PAD);
        self
    }

    /// A control code, sent twice.
    pub fn ctrl(&mut self, hi: u8, lo: u8) -> &mut Self {
        self.close_half();
        let hi = hi | (self.data_channel << 3);
        self.pairs.push([par(hi), par(lo)]);
        self.pairs.push([par(hi), par(lo)]);
        self
    }

    pub fn misc(&mut self, lo: u8) -> &mut Self {
        let misc = self.misc;
        self.ctrl(misc, lo)
    }

    /// Preamble address code for `row` (1-15), `indent` a multiple of 4.
    pub fn pac(&mut self, row: u8, indent: u8) -> &mut Self {
        const FIRST: [u8; 15] = [
            0x11, 0x11, 0x12, 0x12, 0x15, 0x15, 0x16, 0x16, 0x17, 0x17, 0x10, 0x13, 0x13, 0x14,
            0x14,
        ];
        // Rows in the second of a pair (and row 12 after 11's lone 0x10) set bit 5.
        let second = match row {
            11 => false,
            12..=15 => row % 2 == 1,
            _ => row % 2 == 0,
        };
        let lo = 0x40 | (u8::from(second) << 5) | 0x10 | ((indent / 4) << 1);
        self.ctrl(FIRST[usize::from(row - 1)], lo)
    }

    /// Text in the basic set plus the special and extended characters this knows; extended
    /// characters send their standard fallback first, as the standard asks.
    pub fn text(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            if let Some(b) = basic(c) {
                match self.half.take() {
                    Some(first) => self.pairs.push([par(first), par(b)]),
                    None => self.half = Some(b),
                }
            } else if let Some(lo) = special(c) {
                self.ctrl(0x11, lo);
            } else if let Some((hi, lo, fallback)) = extended(c) {
                self.text(fallback);
                self.ctrl(hi, lo);
            } else {
                panic!("no 608 code for {c:?}");
            }
        }
        self
    }
}

/// Whether [`Channel608::text`] can send `c` (else it panics).
pub fn encodable(c: char) -> bool {
    basic(c).is_some() || special(c).is_some() || extended(c).is_some()
}

fn basic(c: char) -> Option<u8> {
    Some(match c {
        'á' => 0x2A,
        'é' => 0x5C,
        'í' => 0x5E,
        'ó' => 0x5F,
        'ú' => 0x60,
        'ç' => 0x7B,
        'ñ' => 0x7E,
        '\u{2019}' => 0x27,
        ' '..='~' if !"'*\\^_`{|}~".contains(c) => c as u8,
        _ => return None,
    })
}

fn special(c: char) -> Option<u8> {
    Some(match c {
        '®' => 0x30,
        '°' => 0x31,
        '½' => 0x32,
        '¿' => 0x33,
        '♪' => 0x37,
        'à' => 0x38,
        'è' => 0x3A,
        'ê' => 0x3C,
        _ => return None,
    })
}

fn extended(c: char) -> Option<(u8, u8, &'static str)> {
    Some(match c {
        'É' => (0x12, 0x21, "E"),
        '¡' => (0x12, 0x27, "!"),
        '«' => (0x12, 0x3E, "\""),
        '»' => (0x12, 0x3F, "\""),
        'Ü' => (0x12, 0x24, "U"),
        'ß' => (0x13, 0x34, "s"),
        'ö' => (0x13, 0x33, "o"),
        'Å' => (0x13, 0x38, "A"),
        'ø' => (0x13, 0x3B, "o"),
        _ => return None,
    })
}

pub const RCL: u8 = 0x20;
pub const RU2: u8 = 0x25;
pub const RU3: u8 = 0x26;
pub const EDM: u8 = 0x2C;
pub const CR: u8 = 0x2D;
pub const ENM: u8 = 0x2E;
pub const EOC: u8 = 0x2F;

/// An H.264 SEI NAL unit (header included, emulation prevention applied) with one
/// `user_data_registered_itu_t_t35` message: ATSC A/53 GA94 `cc_data` with these
/// (cc_type, pair) constructs, all valid.
pub fn sei_nal(pairs: &[(u8, [u8; 2])]) -> Vec<u8> {
    let mut payload = vec![0xB5, 0x00, 0x31, b'G', b'A', b'9', b'4', 0x03];
    payload.push(0xC0 | pairs.len() as u8); // reserved, process_cc_data_flag, cc_count
    payload.push(0xFF); // em_data
    for (cc_type, [a, b]) in pairs {
        payload.extend([0xFC | cc_type, *a, *b]);
    }
    payload.push(0xFF); // marker_bits
    let mut rbsp = vec![4, payload.len() as u8];
    rbsp.extend(payload);
    rbsp.push(0x80);
    let mut nal = vec![0x06];
    let mut zeros = 0;
    for b in rbsp {
        if zeros >= 2 && b <= 3 {
            nal.push(3);
            zeros = 0;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        nal.push(b);
    }
    nal
}
