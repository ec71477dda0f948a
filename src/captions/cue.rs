/// One caption or subtitle cue, what a `VTTCue` is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Seconds on the player's timeline (the media element's clock).
    pub start: f64,
    /// Seconds on the player's timeline; greater than `start`.
    pub end: f64,
    /// The text, lines separated by `\n`, markup removed.
    pub text: String,
    /// The line the cue is placed on, counted from the top (0-based), when the format says:
    /// a CEA-608 row or a WebVTT `line:` setting given as a number (negative counts from the
    /// bottom, as WebVTT and `VTTCue.line` do). `None` leaves it to the renderer.
    pub line: Option<i32>,
}
