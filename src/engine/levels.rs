//! Levels (the variants of the master playlist) and the media playlists of levels and audio
//! tracks: the manifest, loading and reloading media playlists, placing them on the timeline.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::playlist::{
    Key, Map, MasterPlaylist, MediaPlaylist, Playlist, PlaylistError, PlaylistErrorKind, Variables,
};

use super::keys::SegKey;
use super::loader::{Request, RequestId, RequestKind};
use super::parse::{describe, parse_typed};
use super::sort;
use super::timeline::{self, Seg};
use super::types::{ErrorCause, Event, LevelInfo, StreamKind, SwitchReason};
use super::{Engine, SegmentRemuxer};

/// The playlist the player was given.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pub(super) url: Option<String>,
    pub(super) req: Option<RequestId>,
    /// The first media playlist placed the timeline (and the playhead, for live).
    pub(super) timeline_set: bool,
    pub(super) live_ended_sent: bool,
    /// The master playlist's EXT-X-DEFINE variables, which media playlists may IMPORT.
    pub(super) variables: Variables,
}

/// A loaded media playlist on the engine's timeline.
#[derive(Debug, Clone)]
pub(super) struct LevelPlaylist {
    pub(super) segments: VecDeque<Seg>,
    pub(super) target_duration: f64,
    pub(super) live: bool,
    /// Loaded recently enough to fetch from (live playlists go stale when not reloaded).
    pub(super) fresh: bool,
    /// When a load last found new segments (engine clock): the live edge was at `end()` then.
    pub(super) advanced_at: f64,
}

impl LevelPlaylist {
    pub(super) fn end(&self) -> f64 {
        self.segments.back().map_or(0.0, Seg::end)
    }
    pub(super) fn find(&self, t: f64) -> Option<&Seg> {
        timeline::find(&self.segments, t)
    }
}

/// A media playlist's URI, what was loaded from it, and its (re)load state.
#[derive(Debug, Clone)]
pub(super) struct MediaSlot {
    pub(super) uri: String,
    pub(super) playlist: Option<LevelPlaylist>,
    pub(super) req: Option<RequestId>,
    pub(super) reload_at: Option<f64>,
}

impl MediaSlot {
    pub(super) fn new(uri: String) -> Self {
        MediaSlot {
            uri,
            playlist: None,
            req: None,
            reload_at: None,
        }
    }

    /// Loaded recently enough to fetch from.
    pub(super) fn fresh(&self) -> Option<&LevelPlaylist> {
        self.playlist.as_ref().filter(|p| p.fresh)
    }
}

/// Whose media playlist: a level's, an audio track's or a subtitle track's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PlaylistOwner {
    Level(usize),
    Audio(usize),
    Subtitle(usize),
}

impl PlaylistOwner {
    pub(super) fn request_kind(self) -> RequestKind {
        match self {
            PlaylistOwner::Level(level) => RequestKind::LevelPlaylist { level },
            PlaylistOwner::Audio(track) => RequestKind::AudioPlaylist { track },
            PlaylistOwner::Subtitle(track) => RequestKind::SubtitlePlaylist { track },
        }
    }

    /// The request for one of its segments.
    pub(super) fn segment_request(self, sequence: u64) -> RequestKind {
        match self {
            PlaylistOwner::Level(level) => RequestKind::Segment { level, sequence },
            PlaylistOwner::Audio(track) => RequestKind::AudioSegment { track, sequence },
            PlaylistOwner::Subtitle(track) => RequestKind::SubtitleSegment { track, sequence },
        }
    }

    /// The level or audio track index.
    pub(super) fn index(self) -> usize {
        match self {
            PlaylistOwner::Level(i) | PlaylistOwner::Audio(i) | PlaylistOwner::Subtitle(i) => i,
        }
    }
}

/// A slot's loaded segments.
fn loaded(slot: &MediaSlot) -> Option<&VecDeque<Seg>> {
    slot.playlist.as_ref().map(|p| &p.segments)
}

/// The segments of the loaded playlists among `slots`, added to `out`. `&mut dyn`: one loop for
/// the levels, audio and subtitle slots.
fn add_loaded<'a>(
    out: &mut Vec<&'a VecDeque<Seg>>,
    slots: &mut dyn Iterator<Item = &'a MediaSlot>,
) {
    for slot in slots {
        out.extend(loaded(slot));
    }
}

/// A variant of the master playlist.
#[derive(Debug, Clone)]
pub(super) struct Level {
    pub(super) media: MediaSlot,
    pub(super) bandwidth: u64,
    pub(super) average_bandwidth: Option<u64>,
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) codecs: Option<String>,
    /// GROUP-ID of its audio renditions.
    pub(super) audio_group: Option<String>,
    pub(super) penalised_until: f64,
}

impl Level {
    fn new(uri: String, bandwidth: u64) -> Self {
        Level {
            media: MediaSlot::new(uri),
            bandwidth,
            average_bandwidth: None,
            width: None,
            height: None,
            codecs: None,
            audio_group: None,
            penalised_until: f64::NEG_INFINITY,
        }
    }

    pub(super) fn info(&self) -> LevelInfo {
        LevelInfo {
            bandwidth: self.bandwidth,
            average_bandwidth: self.average_bandwidth,
            width: self.width,
            height: self.height,
            codecs: self.codecs.clone(),
        }
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn on_load(&mut self, url: String) {
        if self.manifest.url.is_some() {
            return;
        }
        self.manifest.url = Some(url.clone());
        self.manifest.req = Some(self.new_request(RequestKind::Manifest, url, None));
    }

    pub(super) fn on_manifest(&mut self, r: &Request, data: &[u8]) {
        let none = Variables::default();
        match parse_typed(data, &r.url, self.cfg.propagate_signed_query, &none) {
            Ok(Playlist::Master(m)) => self.on_master(m),
            Ok(Playlist::Media(p)) => {
                // A media playlist given directly: one level, already loaded. Installed as the
                // level about to start (so not marked stale), then started without a refetch.
                self.levels = vec![Level::new(r.url.clone(), 0)];
                let levels = self.levels();
                self.event(Event::ManifestParsed { levels });
                self.switching.pending = Some((0, SwitchReason::Start));
                self.install_playlist(PlaylistOwner::Level(0), p);
                self.switch_to(0, SwitchReason::Start);
            }
            Err(e) => self.playlist_error(e, &r.url),
        }
    }

    /// A playlist that did not parse: fatal, naming the URL and the line.
    fn playlist_error(&mut self, e: PlaylistError, url: &str) {
        let details = describe(&e, url);
        self.error(ErrorCause::Playlist(e), details, true, Some(url));
    }

    fn on_master(&mut self, mut m: MasterPlaylist) {
        self.manifest.variables = std::mem::take(&mut m.variables);
        self.set_audio_tracks(&m);
        self.set_subtitle_tracks(&m);
        let mut variants = m.variants;
        sort::sort_stable_by(&mut variants, |a, b| a.bandwidth < b.bandwidth);
        self.levels = variants
            .into_iter()
            .map(|v| Level {
                average_bandwidth: v.average_bandwidth,
                width: v.resolution.map(|r| r.width),
                height: v.resolution.map(|r| r.height),
                codecs: v.codecs,
                audio_group: v.audio,
                ..Level::new(v.uri, v.bandwidth)
            })
            .collect();
        let levels = self.levels();
        self.event(Event::ManifestParsed { levels });
        let wanted = self.switching.manual.or(self.cfg.start_level);
        let start = match wanted.filter(|&l| l < self.levels.len()) {
            Some(l) => l,
            None => self.choose_level(),
        };
        self.switch_to(start, SwitchReason::Start);
        // After the audio choice: a FORCED subtitle track follows the audio's language.
        self.start_subtitles();
    }

    pub(super) fn on_media_playlist(&mut self, r: &Request, owner: PlaylistOwner, data: &[u8]) {
        if let Some(s) = self.slot_mut(owner) {
            s.req = None;
        }
        let variables = &self.manifest.variables;
        match parse_typed(data, &r.url, self.cfg.propagate_signed_query, variables) {
            Ok(Playlist::Media(p)) => self.install_playlist(owner, p),
            Ok(Playlist::Master(_)) => {
                let e = PlaylistError::new(
                    0,
                    PlaylistErrorKind::WrongKind {
                        expected: "media",
                        found: "master",
                    },
                );
                let details = "expected a media playlist, got a master playlist".into();
                self.error(ErrorCause::Playlist(e), details, true, Some(&r.url));
            }
            Err(e) => self.playlist_error(e, &r.url),
        }
    }

    pub(super) fn slot(&self, owner: PlaylistOwner) -> Option<&MediaSlot> {
        match owner {
            PlaylistOwner::Level(i) => self.levels.get(i).map(|l| &l.media),
            PlaylistOwner::Audio(i) => self.audio.tracks.get(i)?.media.as_ref(),
            PlaylistOwner::Subtitle(i) => self.subtitles.slot(i),
        }
    }

    pub(super) fn slot_mut(&mut self, owner: PlaylistOwner) -> Option<&mut MediaSlot> {
        match owner {
            PlaylistOwner::Level(i) => self.levels.get_mut(i).map(|l| &mut l.media),
            PlaylistOwner::Audio(i) => self.audio.tracks.get_mut(i)?.media.as_mut(),
            PlaylistOwner::Subtitle(i) => self.subtitles.slot_mut(i),
        }
    }

    /// The playlist owner each stream fetches from now.
    pub(super) fn owner_of(&self, stream: StreamKind) -> Option<PlaylistOwner> {
        match stream {
            StreamKind::Main => self.switching.current.map(PlaylistOwner::Level),
            StreamKind::Audio => self.audio.selected.map(PlaylistOwner::Audio),
        }
    }

    /// Install a (re)loaded media playlist, anchoring its timeline by media sequence number.
    pub(super) fn install_playlist(&mut self, owner: PlaylistOwner, p: MediaPlaylist) {
        let now = self.now;
        let Some(slot) = self.slot(owner) else {
            return;
        };
        let old = slot.playlist.as_ref();
        let old_last = old.and_then(|o| o.segments.back().map(|s| s.sequence));
        // Media sequence numbers line up between renditions of one kind (a ladder's levels,
        // the audio renditions), not between video and audio: a VOD audio playlist numbered
        // from 0 beside video numbered from 1 would land a segment late. A live audio playlist
        // has nothing better than the levels' numbers to find its window by.
        let mut others = Vec::new();
        match owner {
            PlaylistOwner::Level(_) => {}
            PlaylistOwner::Audio(_) => add_loaded(
                &mut others,
                &mut self.audio.tracks.iter().filter_map(|t| t.media.as_ref()),
            ),
            PlaylistOwner::Subtitle(_) => add_loaded(&mut others, &mut self.subtitles.slots()),
        }
        // The levels: a level's own kind; for a live rendition, after its own kind's.
        if matches!(owner, PlaylistOwner::Level(_)) || p.is_live() {
            add_loaded(&mut others, &mut self.levels.iter().map(|l| &l.media));
        }
        let offset = timeline::anchor_offset(
            &p.segments,
            p.target_duration as f64,
            old.map(|o| &o.segments),
            others,
        );
        // One shared map and key per run of segments that use it (a playlist has one or a few).
        let mut map: Option<Rc<Map>> = None;
        let mut key: Option<Rc<Key>> = None;
        let mut segments: VecDeque<Seg> = VecDeque::with_capacity(p.segments.len());
        for s in &p.segments {
            map = shared(&s.map, map.take());
            key = shared(&s.key, key.take());
            segments.push_back(Seg {
                sequence: s.sequence,
                start: s.start + offset,
                duration: s.duration,
                uri: s.uri.clone(),
                byte_range: s.byte_range,
                map: map.clone(),
                discontinuity: s.discontinuity,
                discontinuity_sequence: s.discontinuity_sequence,
                gap: s.gap,
                key: key.as_ref().map(|k| SegKey {
                    key: Rc::clone(k),
                    iv: k.iv(s.sequence),
                }),
            });
        }
        let new_last = segments.back().map(|s| s.sequence);
        let live = p.is_live();
        let td = (p.target_duration as f64).max(1.0);
        let changed = new_last != old_last;
        let was_live = old.is_some_and(|o| o.live);
        let advanced_at = match old {
            Some(o) if !changed => o.advanced_at,
            _ => now,
        };
        let lp = LevelPlaylist {
            segments,
            target_duration: td,
            live,
            fresh: true,
            advanced_at,
        };
        let main = matches!(owner, PlaylistOwner::Level(_));
        if let PlaylistOwner::Level(level) = owner {
            self.event(Event::LevelLoaded {
                level,
                live,
                total_duration: lp.segments.iter().map(|s| s.duration).sum(),
                target_duration: p.target_duration as f64,
                first_sequence: lp.segments.front().map(|s| s.sequence),
                last_sequence: new_last,
            });
        }
        let first_timeline = main && !self.manifest.timeline_set && !lp.segments.is_empty();
        let total = lp.end();
        let live_start = live
            .then(|| timeline::live_start(&lp.segments, self.cfg.live_edge_target_durations * td));
        // Only the playlist in use (or about to be) is kept fresh: a playlist that arrives for
        // a switch that was replaced meanwhile is not reloaded.
        let wanted = match owner {
            PlaylistOwner::Level(level) => {
                self.switching.current == Some(level)
                    || self.switching.pending.is_some_and(|(l, _)| l == level)
            }
            PlaylistOwner::Audio(track) => self.audio.selected == Some(track),
            PlaylistOwner::Subtitle(track) => self.subtitles.shown == Some(track),
        };
        if let Some(s) = self.slot_mut(owner) {
            s.playlist = Some(lp);
            s.reload_at = live.then_some(now + if changed { td } else { td / 2.0 });
        }
        if !wanted {
            self.mark_stale_if_live(owner);
        }
        if main && was_live && !live && !self.manifest.live_ended_sent {
            self.manifest.live_ended_sent = true;
            self.event(Event::LiveEnded);
        }
        if first_timeline {
            self.manifest.timeline_set = true;
            for s in self.streams_mut() {
                s.next_time = live_start.unwrap_or(s.next_time.max(0.0));
            }
            if let Some(t) = live_start {
                self.playhead.position = t;
                self.set_position(t);
            }
        }
        if main && !live && !self.buffer.duration_sent {
            self.buffer.duration_sent = true;
            self.buffer.duration = Some(total);
        }
    }

    pub(super) fn load_playlist(&mut self, owner: PlaylistOwner) {
        let Some(s) = self.slot_mut(owner) else {
            return;
        };
        s.reload_at = None;
        if s.req.is_some() {
            return;
        }
        let uri = s.uri.clone();
        let id = self.new_request(owner.request_kind(), uri, None);
        if let Some(s) = self.slot_mut(owner) {
            s.req = Some(id);
        }
    }

    /// Every playlist slot, with its owner. `&mut dyn` and plain loops: one copy of the walk
    /// for its callers (a `chain` of the three lists was copied into each).
    fn for_each_owner(&self, f: &mut dyn FnMut(PlaylistOwner, &MediaSlot)) {
        for (i, l) in self.levels.iter().enumerate() {
            f(PlaylistOwner::Level(i), &l.media);
        }
        for (i, t) in self.audio.tracks.iter().enumerate() {
            if let Some(m) = &t.media {
                f(PlaylistOwner::Audio(i), m);
            }
        }
        self.subtitles.for_each_slot(f);
    }

    /// The playlists whose slot `keep` accepts.
    fn owners_where(&self, keep: &dyn Fn(&MediaSlot) -> bool) -> Vec<PlaylistOwner> {
        let mut found = Vec::new();
        self.for_each_owner(&mut |o, s| {
            if keep(s) {
                found.push(o);
            }
        });
        found
    }

    /// The soonest live playlist reload, if any.
    pub(super) fn next_reload(&self) -> Option<f64> {
        let mut soonest: Option<f64> = None;
        self.for_each_owner(&mut |_, s| {
            if let Some(t) = s.reload_at.filter(|_| s.req.is_none()) {
                soonest = Some(soonest.map_or(t, |m| m.min(t)));
            }
        });
        soonest
    }

    /// Reload every live playlist that is due.
    pub(super) fn reload_due_playlists(&mut self) {
        let now = self.now;
        let due = self.owners_where(&|s| s.req.is_none() && s.reload_at.is_some_and(|t| t <= now));
        for o in due {
            self.load_playlist(o);
        }
    }

    /// The request that loads a playlist ended (aborted, failed): no longer in flight.
    pub(super) fn forget_playlist_request(&mut self, id: RequestId) {
        for o in self.owners_where(&|s| s.req == Some(id)) {
            if let Some(s) = self.slot_mut(o) {
                s.req = None;
            }
        }
    }

    /// A live playlist no longer wanted is not reloaded; it goes stale.
    pub(super) fn mark_stale_if_live(&mut self, owner: PlaylistOwner) {
        if let Some(s) = self.slot_mut(owner) {
            if let Some(p) = s.playlist.as_mut().filter(|p| p.live) {
                p.fresh = false;
                s.reload_at = None;
            }
        }
    }
}

/// `value` behind the `Rc` of the previous segment when it is the same (runs of segments share
/// one EXT-X-MAP or EXT-X-KEY), else in a new one.
fn shared<T: Clone + PartialEq>(value: &Option<T>, prev: Option<Rc<T>>) -> Option<Rc<T>> {
    match (value, prev) {
        (Some(v), Some(prev)) if *prev == *v => Some(prev),
        (Some(v), _) => Some(Rc::new(v.clone())),
        (None, _) => None,
    }
}
