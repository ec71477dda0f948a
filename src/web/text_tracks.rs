//! Subtitle and caption tracks as the element's own `TextTrack`s (`addTextTrack(kind, NAME,
//! LANGUAGE)`), filled with `VTTCue`s: the browser renders them, and its CC menu and the
//! page's `video.textTracks` see them. The engine decides which cues exist and which track
//! shows; this only performs `AddCues`, `RemoveCues` and `ShowSubtitleTrack`.
use web_sys::{HtmlVideoElement, TextTrack, TextTrackKind, TextTrackMode, VttCue};

use crate::captions::{CueId, StoredCue};
use crate::engine::{SubtitleKind, SubtitleTrackInfo};

/// Rows of the CEA-608 caption screen.
const ROWS_608: i32 = 15;

/// One engine track's `TextTrack` and the `VTTCue`s added to it, by the engine's cue id.
struct Shown {
    track: TextTrack,
    /// CEA-608: its cues' lines are caption rows (0-14 from the top), placed from the bottom.
    captions: bool,
    cues: Vec<(CueId, VttCue)>,
}

/// The `TextTrack`s of one loaded stream, `subtitleTracks` order.
#[derive(Default)]
pub struct TextTracks {
    tracks: Vec<Shown>,
    showing: Option<usize>,
}

impl TextTracks {
    /// Tracks are only ever added (ids are stable): a `TextTrack` for each new one.
    pub fn update(&mut self, video: &HtmlVideoElement, list: &[SubtitleTrackInfo]) {
        for t in list.iter().skip(self.tracks.len()) {
            let kind = match t.kind {
                SubtitleKind::Subtitles => TextTrackKind::Subtitles,
                SubtitleKind::Captions => TextTrackKind::Captions,
            };
            let lang = t.lang.as_deref().unwrap_or("");
            let track = video.add_text_track_with_label_and_language(kind, &t.name, lang);
            track.set_mode(TextTrackMode::Disabled);
            self.tracks.push(Shown {
                track,
                captions: t.kind == SubtitleKind::Captions,
                cues: Vec::new(),
            });
        }
        self.show(self.showing);
    }

    pub fn add(&mut self, track: usize, cues: Vec<StoredCue>) {
        let Some(t) = self.tracks.get_mut(track) else {
            return;
        };
        for c in cues {
            let Ok(cue) = VttCue::new(c.cue.start, c.cue.end, &c.cue.text) else {
                continue;
            };
            // The 608 screen's 15 rows end at the bottom: row 14 is the last line (-1).
            if let Some(line) = c.cue.line {
                let line = if t.captions { line - ROWS_608 } else { line };
                cue.set_line_f64(f64::from(line));
            }
            t.track.add_cue(&cue);
            t.cues.push((c.id, cue));
        }
    }

    pub fn remove(&mut self, track: usize, ids: &[CueId]) {
        let Some(t) = self.tracks.get_mut(track) else {
            return;
        };
        let text_track = &t.track;
        t.cues.retain(|(id, cue)| {
            let gone = ids.contains(id);
            if gone {
                let _ = text_track.remove_cue(cue);
            }
            !gone
        });
    }

    /// `showing` for the track shown, `disabled` for the others.
    pub fn show(&mut self, showing: Option<usize>) {
        self.showing = showing;
        for (i, t) in self.tracks.iter().enumerate() {
            let mode = match Some(i) == showing {
                true => TextTrackMode::Showing,
                false => TextTrackMode::Disabled,
            };
            t.track.set_mode(mode);
        }
    }
}

/// A `TextTrack` cannot be taken off the element: the stream's cues are, and its tracks
/// disabled (a later `load()` adds its own).
impl Drop for TextTracks {
    fn drop(&mut self) {
        // The cues go with `self` (no `drain`: its generic code for this one use).
        for t in &self.tracks {
            for (_, cue) in &t.cues {
                let _ = t.track.remove_cue(cue);
            }
            t.track.set_mode(TextTrackMode::Disabled);
        }
    }
}
