//! Audio tracks: the master playlist's EXT-X-MEDIA TYPE=AUDIO renditions, the ones the
//! current level offers (its AUDIO group: hls.js's `audioTracks`), which one plays, and the
//! audio stream that fetches it when it has its own playlist (a rendition without a URI is the
//! audio muxed into the variants).
//!
//! The choice: the language asked for (`preferred_audio_languages`), else DEFAULT=YES, else
//! the group's first; a level switch into another group keeps the language (then the name).
//! A switch by the app flushes the audio buffered ahead of the playhead (less a guard, so the
//! element does not run dry while the new rendition loads) and fetches the new rendition from
//! the playhead; video is not touched. Between renditions with their own playlists a group
//! change continues where the audio stream was, as a level switch does.

use crate::playlist::{MasterPlaylist, MediaType};

use super::language::same_language;
use super::levels::{MediaSlot, PlaylistOwner};
use super::media::TrackKind;
use super::stream::Stream;
use super::types::{AudioTrackInfo, Event, StreamKind, TrackId};
use super::{Engine, SegmentRemuxer};

/// Seconds of the old rendition kept ahead of the playhead when the app switches: the new
/// one's first segment replaces them, and the element keeps playing meanwhile.
pub(super) const SWITCH_GUARD_S: f64 = 1.0;

/// One EXT-X-MEDIA TYPE=AUDIO rendition.
#[derive(Debug, Clone)]
pub(super) struct AudioTrack {
    pub(super) group_id: String,
    pub(super) name: String,
    pub(super) lang: Option<String>,
    pub(super) default: bool,
    pub(super) autoselect: bool,
    pub(super) channels: Option<String>,
    /// Its own media playlist; `None` when the audio is muxed into the variants.
    pub(super) media: Option<MediaSlot>,
}

impl AudioTrack {
    fn info(&self, id: usize) -> AudioTrackInfo {
        AudioTrackInfo {
            id,
            group_id: self.group_id.clone(),
            name: self.name.clone(),
            lang: self.lang.clone(),
            default: self.default,
            autoselect: self.autoselect,
            channels: self.channels.clone(),
            has_playlist: self.media.is_some(),
        }
    }

    /// Same language, or both without one.
    fn same_language_as(&self, other: &AudioTrack) -> bool {
        match (&self.lang, &other.lang) {
            (Some(a), Some(b)) => same_language(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

/// Every audio rendition and the one in use.
#[derive(Debug, Default)]
pub(super) struct AudioTracks {
    pub(super) tracks: Vec<AudioTrack>,
    /// The rendition in use (an index into `tracks`).
    pub(super) selected: Option<usize>,
    /// The AUDIO group of the level in use, as last announced.
    group: Option<String>,
    /// A switch announced and not yet heard: the rendition whose first append completes it.
    switching: Option<usize>,
}

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn set_audio_tracks(&mut self, m: &MasterPlaylist) {
        // Push loops here, not `map` + `collect`: each collect is a copy of std's code in the
        // package.
        let mut tracks = Vec::new();
        for r in &m.renditions {
            if r.media_type != MediaType::Audio {
                continue;
            }
            tracks.push(AudioTrack {
                group_id: r.group_id.clone(),
                name: r.name.clone(),
                lang: r.language.clone(),
                default: r.default,
                autoselect: r.autoselect,
                channels: r.channels.clone(),
                media: r.uri.clone().map(MediaSlot::new),
            });
        }
        self.audio.tracks = tracks;
    }

    /// The renditions of the level in use (indices into `tracks`), in playlist order.
    fn group_tracks(&self) -> Vec<usize> {
        let Some(group) = self.audio.group.as_deref() else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        for (i, t) in self.audio.tracks.iter().enumerate() {
            if t.group_id == group {
                ids.push(i);
            }
        }
        ids
    }

    /// The audio tracks the app sees: the current level's group, `id` their position.
    pub(super) fn audio_track_list(&self) -> Vec<AudioTrackInfo> {
        let mut list = Vec::new();
        for (id, i) in self.group_tracks().into_iter().enumerate() {
            if let Some(t) = self.audio.tracks.get(i) {
                list.push(t.info(id));
            }
        }
        list
    }

    /// The position of rendition `track` in the app's list.
    fn audio_id(&self, track: usize) -> Option<usize> {
        self.group_tracks().iter().position(|&i| i == track)
    }

    /// The app's index of the track in use.
    pub(super) fn audio_track_id(&self) -> Option<usize> {
        self.audio.selected.and_then(|t| self.audio_id(t))
    }

    /// The rendition to play from the current group: like `keep` (a level switch), else in a
    /// preferred language, else DEFAULT=YES, else the first.
    fn choose_audio(&self, keep: Option<&AudioTrack>) -> Option<usize> {
        let group = self.group_tracks();
        let tracks = &self.audio.tracks;
        let find = |f: &dyn Fn(&AudioTrack) -> bool| {
            group
                .iter()
                .copied()
                .find(|&i| tracks.get(i).is_some_and(f))
        };
        if let Some(k) = keep {
            let like = find(&|t| t.same_language_as(k) && t.name == k.name)
                .or_else(|| find(&|t| t.same_language_as(k)))
                .or_else(|| find(&|t| t.name == k.name));
            if like.is_some() {
                return like;
            }
        }
        let preferred =
            self.cfg.preferred_audio_languages.iter().find_map(|want| {
                find(&|t| t.lang.as_deref().is_some_and(|l| same_language(l, want)))
            });
        preferred
            .or_else(|| find(&|t| t.default))
            .or_else(|| group.first().copied())
    }

    /// The level in use is now `level`: when its AUDIO group differs, announce the group's
    /// tracks and move to the matching rendition (at the start: the preferred one).
    pub(super) fn on_audio_group(&mut self, level: usize) {
        let group = self.levels.get(level).and_then(|l| l.audio_group.clone());
        if group == self.audio.group {
            return;
        }
        self.audio.group = group;
        let audio_tracks = self.audio_track_list();
        self.event(Event::AudioTracksUpdated { audio_tracks });
        // Borrowed, not cloned: a clone would copy the track's whole segment list.
        let keep = self.audio.selected.and_then(|t| self.audio.tracks.get(t));
        let Some(track) = self.choose_audio(keep) else {
            return;
        };
        if self.audio.selected == Some(track) {
            return;
        }
        // The first choice is not a switch: nothing to announce.
        let starting = self.audio.selected.is_none();
        if !starting {
            if let Some(id) = self.audio_id(track) {
                self.event(Event::AudioTrackSwitching { id });
            }
        }
        // Between two renditions with playlists the audio stream just continues.
        let flush = !starting && self.has_playlist(track) != self.alt_audio.is_some();
        self.select_audio(track, flush, !starting);
    }

    /// The app chose track `id` of [`Self::audio_track_list`].
    pub(super) fn set_audio_track(&mut self, id: usize) {
        let Some(track) = self.group_tracks().get(id).copied() else {
            return;
        };
        if self.audio.selected == Some(track) {
            return;
        }
        self.event(Event::AudioTrackSwitching { id });
        self.select_audio(track, self.audio.selected.is_some(), true);
    }

    fn has_playlist(&self, track: usize) -> bool {
        self.audio
            .tracks
            .get(track)
            .is_some_and(|t| t.media.is_some())
    }

    /// Play rendition `track`. `flush`: drop the audio buffered ahead of the playhead and
    /// fetch from the playhead (an app's switch); else continue where the audio is.
    /// `announce`: `AudioTrackSwitched` once it is heard.
    fn select_audio(&mut self, track: usize, flush: bool, announce: bool) {
        self.audio.selected = Some(track);
        self.audio.switching = announce.then_some(track);
        let position = self.playhead.position;
        if flush {
            self.flush_audio(position + SWITCH_GUARD_S);
        }
        if !self.has_playlist(track) {
            // The variants' muxed audio: the main stream refetches what it has ahead.
            if let Some(old) = self.alt_audio.take() {
                self.stop_stream(old);
                self.set_audio_source(StreamKind::Main);
                if let Some(id) = self.main.fetch.as_ref().map(|f| f.id) {
                    self.abort(id);
                }
                self.main.jump_to(position);
            }
            return;
        }
        match self.alt_audio.as_mut() {
            Some(st) if flush => {
                let (fetch, init) = (st.fetch.take(), st.init_fetch.take());
                st.jump_to(position);
                self.drop_stream(StreamKind::Audio);
                for id in fetch.map(|f| f.id).into_iter().chain(init.map(|f| f.id)) {
                    self.abort(id);
                }
            }
            Some(_) => {}
            None => {
                let mut stream = Stream::new(self.main.remux.fresh());
                stream.kind = StreamKind::Audio;
                stream.next_time = match flush {
                    true => position,
                    false => self.main.next_time,
                };
                self.alt_audio = Some(stream);
                self.set_audio_source(StreamKind::Audio);
            }
        }
        let owner = PlaylistOwner::Audio(track);
        let loaded = self
            .slot(owner)
            .is_some_and(|s| s.fresh().is_some() || s.req.is_some());
        if !loaded && !self.auth.holding {
            self.load_playlist(owner);
        }
    }

    /// Forget a stream that stops: its requests in flight are aborted.
    fn stop_stream(&mut self, st: Stream<R>) {
        if st.remux.mid_fragment() {
            self.reset_parsers(st.kind);
        }
        let ids = st.fetch.map(|f| f.id).into_iter();
        for id in ids.chain(st.init_fetch.map(|f| f.id)) {
            self.abort(id);
        }
    }

    /// The audio SourceBuffer is fed by `stream` from now on.
    fn set_audio_source(&mut self, stream: StreamKind) {
        for t in &mut self.buffer.tracks {
            if t.kind == TrackKind::Audio {
                t.stream = stream;
            }
        }
    }

    /// Drop the audio queued and buffered from `from` on.
    fn flush_audio(&mut self, from: f64) {
        let Some(i) = self
            .buffer
            .tracks
            .iter()
            .position(|t| t.kind == TrackKind::Audio)
        else {
            return;
        };
        self.remove_ahead(TrackId(i), from);
    }

    /// Rendition `track`'s first append is in (for muxed audio: the main stream's next append
    /// to the audio SourceBuffer): the switch is heard.
    pub(super) fn audio_appended(&mut self, track: usize) {
        if self.audio.switching != Some(track) {
            return;
        }
        self.audio.switching = None;
        if let Some(id) = self.audio_id(track) {
            self.event(Event::AudioTrackSwitched { id });
        }
    }
}
