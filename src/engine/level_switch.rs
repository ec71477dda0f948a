//! hls.js's immediate level switch (`currentLevel = n`): the level is pinned and what the main
//! stream buffered ahead of the playhead is replaced by it, instead of playing out first.
use super::audio_tracks::SWITCH_GUARD_S;
use super::media::SegmentRemuxer;
use super::types::TrackId;
use super::{Engine, StreamKind};

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn switch_level_now(&mut self, level: usize) {
        self.switching.manual = Some(level);
        if level >= self.levels.len() {
            // Before the master playlist (or out of range): only the pin, clamped where used.
            return;
        }
        let position = self.playhead.position;
        // A guard second kept, so the playhead does not run dry while the new level loads.
        let from = position + SWITCH_GUARD_S;
        let mut main: Vec<usize> = Vec::new();
        for (i, t) in self.buffer.tracks.iter().enumerate() {
            if t.stream == StreamKind::Main {
                main.push(i);
            }
        }
        for i in main {
            self.remove_ahead(TrackId(i), from);
        }
        let fetch = self.main.fetch.as_ref().map(|f| f.id);
        let init = self.main.init_fetch.take().map(|f| f.id);
        for id in fetch.into_iter().chain(init) {
            self.abort(id);
        }
        self.main.jump_to(position);
    }
}
