//! The simulated MediaSource: the rules a browser enforces that the engine must respect —
//! SourceBuffers only once the MediaSource is open, an append or a remove only on a
//! SourceBuffer that exists and is not updating, the duration only while none is updating —
//! and what each SourceBuffer holds (the element's `buffered` is their intersection).

use std::collections::BTreeSet;

use crate::engine::{Input, Ranges, TrackId, TrackKind};

/// One simulated SourceBuffer.
#[derive(Debug, Clone)]
pub struct SimSourceBuffer {
    pub kind: TrackKind,
    pub mime: String,
    pub buffered: Ranges,
}

#[derive(Debug, Default)]
pub struct MseModel {
    open: bool,
    pub buffers: Vec<(TrackId, SimSourceBuffer)>,
    updating: BTreeSet<usize>,
    /// Every rule the engine broke, in order (tests assert there is none).
    pub violations: Vec<String>,
    /// Every duration set.
    pub durations: Vec<f64>,
    /// An append was made: no SourceBuffer can be added any more.
    appended: bool,
    /// Every `changeType`: the SourceBuffer and its new MIME type.
    pub codec_changes: Vec<(TrackId, String)>,
    /// Every `abort()` (parser reset), by SourceBuffer.
    pub parser_resets: Vec<TrackId>,
}

impl MseModel {
    /// An input on its way to the engine: what it tells the model.
    pub fn on_input(&mut self, input: &Input) {
        match input {
            Input::SourceOpen => self.open = true,
            Input::AppendDone { track }
            | Input::AppendFailed { track, .. }
            | Input::RemoveDone { track }
            | Input::RemoveFailed { track } => {
                self.updating.remove(&track.0);
            }
            _ => {}
        }
    }

    pub fn add_source_buffer(&mut self, track: TrackId, kind: TrackKind, mime: &str) {
        if !self.open {
            self.violations
                .push(format!("addSourceBuffer({mime}) before sourceopen"));
        }
        if self.appended {
            // Chromium: "This MediaSource has reached the limit of SourceBuffer objects".
            self.violations
                .push(format!("addSourceBuffer({mime}) after media was appended"));
        }
        if self.buffers.iter().any(|(t, _)| *t == track) {
            self.violations
                .push(format!("track {} added twice", track.0));
        }
        let sb = SimSourceBuffer {
            kind,
            mime: mime.to_string(),
            buffered: Ranges::default(),
        };
        self.buffers.push((track, sb));
    }

    /// An append or a remove starts on `track`: it must exist and be idle.
    pub fn start_op(&mut self, track: TrackId, what: &str) {
        self.appended |= what == "appendBuffer";
        if !self.buffers.iter().any(|(t, _)| *t == track) {
            self.violations
                .push(format!("{what} on track {} that was never added", track.0));
        }
        if !self.updating.insert(track.0) {
            self.violations
                .push(format!("{what} on track {} while it is updating", track.0));
        }
    }

    /// `changeType(mime)`: synchronous, only on an idle SourceBuffer.
    pub fn change_type(&mut self, track: TrackId, mime: &str) {
        if self.updating.contains(&track.0) {
            self.violations.push(format!(
                "changeType on track {} while it is updating",
                track.0
            ));
        }
        match self.buffer_mut(track) {
            Some(b) => b.mime = mime.to_string(),
            None => self.violations.push(format!(
                "changeType on track {} that was never added",
                track.0
            )),
        }
        self.codec_changes.push((track, mime.to_string()));
    }

    /// `abort()`: synchronous; the engine only calls it on an idle SourceBuffer.
    pub fn reset_parser(&mut self, track: TrackId) {
        if self.updating.contains(&track.0) {
            self.violations
                .push(format!("abort on track {} while it is updating", track.0));
        }
        self.parser_resets.push(track);
    }

    pub fn set_duration(&mut self, d: f64) {
        if !self.open {
            self.violations
                .push("duration set before sourceopen".into());
        }
        if !self.updating.is_empty() {
            self.violations
                .push("duration set while a SourceBuffer is updating".into());
        }
        self.durations.push(d);
    }

    pub fn buffer_mut(&mut self, track: TrackId) -> Option<&mut SimSourceBuffer> {
        self.buffers
            .iter_mut()
            .find(|(t, _)| *t == track)
            .map(|(_, b)| b)
    }

    /// The element's buffered ranges: what every SourceBuffer holds.
    pub fn buffered(&self) -> Ranges {
        Ranges::intersection(self.buffers.iter().map(|(_, b)| &b.buffered))
    }
}
