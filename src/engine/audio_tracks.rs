//! Audio tracks: the master playlist's EXT-X-MEDIA TYPE=AUDIO renditions, which one is
//! selected, and the audio stream that fetches it when it has its own playlist (a rendition
//! without a URI is the audio muxed into the variants).

use crate::playlist::{MasterPlaylist, MediaType};

use super::levels::{MediaSlot, PlaylistOwner};
use super::stream::Stream;
use super::types::{AudioTrackInfo, StreamKind};
use super::{Engine, SegmentRemuxer};

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
    pub(super) fn info(&self) -> AudioTrackInfo {
        AudioTrackInfo {
            group_id: self.group_id.clone(),
            name: self.name.clone(),
            lang: self.lang.clone(),
            default: self.default,
            autoselect: self.autoselect,
            channels: self.channels.clone(),
            has_playlist: self.media.is_some(),
        }
    }
}

/// Every audio rendition and the one in use.
#[derive(Debug, Default)]
pub(super) struct AudioTracks {
    pub(super) tracks: Vec<AudioTrack>,
    pub(super) selected: Option<usize>,
}

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn set_audio_tracks(&mut self, m: &MasterPlaylist) {
        self.audio.tracks = m
            .renditions
            .iter()
            .filter(|r| r.media_type == MediaType::Audio)
            .map(|r| AudioTrack {
                group_id: r.group_id.clone(),
                name: r.name.clone(),
                lang: r.language.clone(),
                default: r.default,
                autoselect: r.autoselect,
                channels: r.channels.clone(),
                media: r.uri.clone().map(MediaSlot::new),
            })
            .collect();
    }

    /// The audio rendition `level` plays by default: its group's DEFAULT=YES one, else the
    /// group's first.
    fn default_audio_track(&self, level: usize) -> Option<usize> {
        let group = self.levels.get(level)?.audio_group.as_deref()?;
        let in_group = |t: &&AudioTrack| t.group_id == group;
        let tracks = &self.audio.tracks;
        let default = tracks.iter().position(|t| in_group(&t) && t.default);
        default.or_else(|| tracks.iter().position(|t| in_group(&t)))
    }

    /// Select the start level's default audio track; a track with its own playlist gets an
    /// audio stream, which starts loading that playlist.
    pub(super) fn select_default_audio(&mut self, level: usize) {
        let Some(track) = self.default_audio_track(level) else {
            return;
        };
        self.audio.selected = Some(track);
        let own_playlist = self
            .audio
            .tracks
            .get(track)
            .is_some_and(|t| t.media.is_some());
        if own_playlist {
            let mut stream = Stream::new(self.main.remux.fresh());
            stream.kind = StreamKind::Audio;
            stream.next_time = self.main.next_time;
            self.alt_audio = Some(stream);
            if !self.auth.holding {
                self.load_playlist(PlaylistOwner::Audio(track));
            }
        }
    }
}
