//! CEA-608 line 21 captions (ANSI/CTA-608-E) to [`Cue`]s: one decoder per caption channel
//! (CC1-CC4), fed the byte pairs of its field in display order with their times.
//!
//! What the screen shows becomes cues: a cue starts when its text appears and ends when it is
//! erased, replaced or rolled away.
//! - **Pop-on** (RCL … EOC): captions are built off screen and swapped in by EOC; a cue runs
//!   from that EOC to the next EOC or erase (EDM).
//! - **Roll-up** (RU2/RU3/RU4) and **paint-on** (RDC): characters appear as they arrive. One cue
//!   per position of the roll: from the CR that rolled the lines into place (or, on an empty
//!   screen, the first character) to the next CR or erase, with the text the screen held then.
//!   A cue per character would be exact but unreadable as a cue list.
//!
//! Colours, underline, italics and flash are ignored; a mid-row code is the space it occupies.
mod charset;
mod screen;

use super::Cue;
use screen::{Memory, ROWS};

/// A CEA-608 field: `cc_type` 0 (field 1) or 1 (field 2) in ATSC A/53 `cc_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    One,
    Two,
}

/// A caption channel: CC1/CC2 in field 1, CC3/CC4 in field 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Cc1,
    Cc2,
    Cc3,
    Cc4,
}

impl Channel {
    /// The field that carries this channel.
    pub fn field(self) -> Field {
        match self {
            Channel::Cc1 | Channel::Cc2 => Field::One,
            Channel::Cc3 | Channel::Cc4 => Field::Two,
        }
    }

    /// The data channel within the field (0 or 1): bit 3 of a control code's first byte.
    fn data_channel(self) -> u8 {
        match self {
            Channel::Cc1 | Channel::Cc3 => 0,
            Channel::Cc2 | Channel::Cc4 => 1,
        }
    }

    /// `"CC1"` … `"CC4"`, the `INSTREAM-ID` of an HLS `CLOSED-CAPTIONS` rendition.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Cc1 => "CC1",
            Channel::Cc2 => "CC2",
            Channel::Cc3 => "CC3",
            Channel::Cc4 => "CC4",
        }
    }

    /// From an `INSTREAM-ID` (`"CC1"` … `"CC4"`).
    pub fn from_name(name: &str) -> Option<Channel> {
        Some(match name {
            "CC1" => Channel::Cc1,
            "CC2" => Channel::Cc2,
            "CC3" => Channel::Cc3,
            "CC4" => Channel::Cc4,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No caption mode received yet (joined mid-stream): characters are not shown anywhere.
    None,
    PopOn,
    PaintOn,
    /// Roll-up with this many rows (2-4).
    RollUp(usize),
    /// Text service (TR/RTD): not captions.
    Text,
}

/// Which service the field's characters currently belong to (data channel switching).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Channel(u8),
    /// Extended data services (field 2, first bytes 0x01-0x0F): not captions.
    Xds {
        resume: u8,
    },
}

/// A pop-on caption on screen since `start`.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    start: f64,
    text: String,
    line: usize,
}

/// The CEA-608 decoder of one channel (see the module docs).
#[derive(Debug, Clone)]
pub struct Cea608Decoder {
    channel: Channel,
    mode: Mode,
    displayed: Memory,
    buffered: Memory,
    row: usize,
    col: usize,
    stream: Stream,
    /// The previous pair when it was a control code: its repetition is ignored once.
    last_control: Option<[u8; 2]>,
    /// Pop-on: the caption swapped in by EOC.
    shown: Option<Shown>,
    /// Roll-up / paint-on: since when the displayed memory has shown what it shows.
    since: Option<f64>,
    cues: Vec<Cue>,
}

/// The row roll-up captions start on without a preamble address code (row 15).
const BASE_ROW: usize = ROWS - 1;

impl Cea608Decoder {
    pub fn new(channel: Channel) -> Self {
        Cea608Decoder {
            channel,
            mode: Mode::None,
            displayed: Memory::default(),
            buffered: Memory::default(),
            row: BASE_ROW,
            col: 0,
            stream: Stream::Channel(0),
            last_control: None,
            shown: None,
            since: None,
            cues: Vec::new(),
        }
    }

    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Forget the screen and the mode (a seek or a discontinuity): nothing shown continues.
    /// Cues already complete stay to be taken.
    pub fn reset(&mut self) {
        let cues = std::mem::take(&mut self.cues);
        *self = Cea608Decoder::new(self.channel);
        self.cues = cues;
    }

    /// One byte pair of `field` (parity bits included) shown at `time` seconds. Pairs of the
    /// other field are ignored, so a caller may push every pair of a stream.
    pub fn push(&mut self, time: f64, field: Field, pair: [u8; 2]) {
        if field != self.channel.field() {
            return;
        }
        let [hi, lo] = pair;
        // A bad second byte loses the pair; a bad first byte shows as a solid block
        // (CTA-608-E: characters with parity errors are replaced by 0x7F).
        if !odd_parity(lo) {
            self.last_control = None;
            return;
        }
        let hi = if odd_parity(hi) { hi & 0x7F } else { 0x7F };
        let lo = lo & 0x7F;
        if hi == 0 && lo == 0 {
            return; // padding
        }
        if (0x10..=0x1F).contains(&hi) {
            // Control codes are sent twice in a row; the repetition is not a second command.
            if self.last_control == Some([hi, lo]) {
                self.last_control = None;
                return;
            }
            self.last_control = Some([hi, lo]);
            self.control(time, hi, lo);
            return;
        }
        self.last_control = None;
        if (0x01..=0x0F).contains(&hi) {
            self.xds(hi);
            return;
        }
        if self.stream != Stream::Channel(self.channel.data_channel()) {
            return;
        }
        for b in [hi, lo] {
            if let Some(c) = charset::basic(b) {
                self.put(time, c);
            }
        }
    }

    /// The cues complete so far (the one on screen is not: see [`Self::flush`]).
    pub fn take_cues(&mut self) -> Vec<Cue> {
        std::mem::take(&mut self.cues)
    }

    /// The end of the data at `time`: what is on screen ends there. Returns every cue not
    /// taken yet.
    pub fn flush(&mut self, time: f64) -> Vec<Cue> {
        self.end_shown(time);
        self.commit(time);
        self.since = None;
        self.take_cues()
    }

    /// Extended data services packets interleave with field 2 captions: their bytes are no
    /// caption text, and the caption data after the end code continues its channel.
    fn xds(&mut self, hi: u8) {
        let resume = match self.stream {
            Stream::Channel(c) => c,
            Stream::Xds { resume } => resume,
        };
        self.stream = if hi == 0x0F {
            Stream::Channel(resume)
        } else {
            Stream::Xds { resume }
        };
    }

    fn control(&mut self, time: f64, hi: u8, lo: u8) {
        let data_channel = (hi >> 3) & 1;
        self.stream = Stream::Channel(data_channel);
        if data_channel != self.channel.data_channel() {
            return;
        }
        let hi = hi & !0x08;
        match (hi, lo) {
            // Preamble address code: row and indent (attributes ignored).
            (0x10..=0x17, 0x40..=0x7F) => self.preamble(time, hi, lo),
            // Mid-row code: attributes change, and the code occupies a space.
            (0x11, 0x20..=0x2F) => self.put(time, ' '),
            (0x11, 0x30..=0x3F) => {
                if let Some(c) = charset::special(lo) {
                    self.put(time, c);
                }
            }
            // Extended characters replace the standard character sent before them for
            // decoders without the extended sets.
            (0x12 | 0x13, 0x20..=0x3F) => {
                if let Some(c) = charset::extended(hi - 0x12, lo) {
                    self.col = self.col.saturating_sub(1);
                    self.put(time, c);
                }
            }
            // Miscellaneous control codes: 0x14 in field 1, 0x15 in field 2 (0x14 accepted in
            // both, as streams do).
            (0x14 | 0x15, 0x20..=0x2F) => self.command(time, lo),
            // Tab offsets 1-3: the cursor moves right.
            (0x17, 0x21..=0x23) => {
                self.col = (self.col + usize::from(lo - 0x20)).min(screen::COLUMNS - 1);
            }
            // Background / foreground attribute codes: shown as a space like mid-row codes.
            (0x17, 0x2E | 0x2F) => self.put(time, ' '),
            _ => {}
        }
    }

    fn command(&mut self, time: f64, lo: u8) {
        match lo {
            // RCL: resume caption loading (pop-on).
            0x20 => self.set_mode(time, Mode::PopOn),
            // BS: backspace.
            0x21 if self.col > 0 => {
                self.col -= 1;
                let (row, col) = (self.row, self.col);
                self.edit(time, |m| m.set(row, col, '\0'));
            }
            // DER: delete to end of row.
            0x24 => {
                let (row, col) = (self.row, self.col);
                self.edit(time, |m| m.clear_from(row, col));
            }
            // RU2-RU4.
            0x25..=0x27 => self.set_mode(time, Mode::RollUp(usize::from(lo - 0x23))),
            // RDC: resume direct captioning (paint-on).
            0x29 => self.set_mode(time, Mode::PaintOn),
            // TR / RTD: text restart / resume text display.
            0x2A | 0x2B => self.mode = Mode::Text,
            // EDM: erase displayed memory.
            0x2C => {
                self.end_shown(time);
                self.commit(time);
                self.displayed.clear();
                self.since = None;
            }
            // CR: carriage return.
            0x2D => self.carriage_return(time),
            // ENM: erase non-displayed memory.
            0x2E => self.buffered.clear(),
            // EOC: end of caption, the memories swap.
            0x2F => self.end_of_caption(time),
            // AOF, AON, FON: nothing to show.
            _ => {}
        }
    }

    fn set_mode(&mut self, time: f64, mode: Mode) {
        let was = self.mode;
        self.mode = mode;
        match (was, mode) {
            (Mode::RollUp(_), Mode::RollUp(depth)) => {
                // A new depth: rows above the window go.
                let base = self.row;
                self.edit(time, |m| m.keep_window(base, depth));
            }
            (_, Mode::RollUp(_)) => {
                // Entering roll-up erases both memories; the cursor goes to the base row.
                self.end_shown(time);
                self.commit(time);
                self.displayed.clear();
                self.buffered.clear();
                self.since = None;
                self.row = BASE_ROW;
                self.col = 0;
            }
            (Mode::RollUp(_), Mode::PopOn | Mode::PaintOn) => {
                // Leaving roll-up erases the roll-up captions.
                self.commit(time);
                self.displayed.clear();
                self.since = None;
            }
            (Mode::PopOn | Mode::None | Mode::Text, Mode::PaintOn) => {
                // Paint-on edits what pop-on showed: it is a paint-on screen from now on.
                self.since = self.end_shown(time).then_some(time).or(self.since);
            }
            _ => {}
        }
    }

    fn preamble(&mut self, time: f64, hi: u8, lo: u8) {
        // Rows by first byte (CTA-608-E Table 53); bit 5 of the second byte is the odd row.
        let pair_row = match hi {
            0x11 => 0,
            0x12 => 2,
            0x15 => 4,
            0x16 => 6,
            0x17 => 8,
            0x10 => 10,
            0x13 => 11,
            _ => 13, // 0x14
        };
        let next = usize::from(lo & 0x20 != 0);
        if hi == 0x10 && next == 1 {
            return; // no second row for 0x10
        }
        let row = pair_row + next;
        if let Mode::RollUp(depth) = self.mode {
            // The roll-up window moves to the new base row with its text.
            if row != self.row {
                let from = self.row;
                self.edit(time, |m| m.move_window(from, row, depth));
            }
        }
        self.row = row;
        // Indent codes (bit 4) place the cursor at a multiple of four columns.
        self.col = if lo & 0x10 != 0 {
            usize::from((lo & 0x0E) >> 1) * 4
        } else {
            0
        };
    }

    fn carriage_return(&mut self, time: f64) {
        self.col = 0;
        let Mode::RollUp(depth) = self.mode else {
            return; // pop-on and paint-on: no effect on the memory
        };
        self.commit(time);
        let base = self.row;
        self.displayed.roll_up(base, depth);
        self.since = (!self.displayed.is_empty()).then_some(time);
    }

    fn end_of_caption(&mut self, time: f64) {
        self.end_shown(time);
        self.commit(time);
        self.since = None;
        std::mem::swap(&mut self.displayed, &mut self.buffered);
        self.mode = Mode::PopOn;
        self.col = 0;
        self.shown = self.displayed.render().map(|(text, line)| Shown {
            start: time,
            text,
            line,
        });
    }

    /// A character at the cursor of the memory the mode writes to.
    fn put(&mut self, time: f64, c: char) {
        let (row, col) = (self.row, self.col);
        match self.mode {
            Mode::PopOn => self.buffered.set(row, col, c),
            Mode::PaintOn | Mode::RollUp(_) => self.edit(time, |m| m.set(row, col, c)),
            Mode::None | Mode::Text => return,
        }
        self.col = (col + 1).min(screen::COLUMNS - 1);
    }

    /// A change to the memory the mode writes to. Roll-up and paint-on write on screen, so
    /// the first change to an empty screen starts what shows.
    fn edit(&mut self, time: f64, f: impl FnOnce(&mut Memory)) {
        match self.mode {
            Mode::PopOn => f(&mut self.buffered),
            Mode::PaintOn | Mode::RollUp(_) => {
                f(&mut self.displayed);
                if self.since.is_none() && !self.displayed.is_empty() {
                    self.since = Some(time);
                }
            }
            Mode::None | Mode::Text => {}
        }
    }

    /// Ends the pop-on caption on screen at `time`; true when there was one.
    fn end_shown(&mut self, time: f64) -> bool {
        let Some(shown) = self.shown.take() else {
            return false;
        };
        self.push_cue(shown.start, time, shown.text, shown.line);
        true
    }

    /// Roll-up / paint-on: what the screen showed since `since` becomes a cue ending at `time`.
    fn commit(&mut self, time: f64) {
        let Some(start) = self.since else {
            return;
        };
        if let Some((text, line)) = self.displayed.render() {
            self.push_cue(start, time, text, line);
        }
        self.since = Some(time);
    }

    fn push_cue(&mut self, start: f64, end: f64, text: String, line: usize) {
        if end > start {
            self.cues.push(Cue {
                start,
                end,
                text,
                line: i32::try_from(line).ok(),
            });
        }
    }
}

/// Each 608 byte carries odd parity in bit 7.
fn odd_parity(b: u8) -> bool {
    b.count_ones() % 2 == 1
}

#[cfg(test)]
mod tests;
