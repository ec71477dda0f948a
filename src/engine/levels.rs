//! Levels (the variants of the master playlist) and their media playlists: the manifest,
//! loading and reloading level playlists, installing them on the timeline.

use std::collections::VecDeque;

use crate::playlist::{MediaPlaylist, Playlist};

use super::loader::{Request, RequestId, RequestKind};
use super::parse::parse_playlist;
use super::sort;
use super::timeline::{self, Seg};
use super::types::{ErrorKind, Event, LevelInfo, SwitchReason};
use super::{Engine, SegmentRemuxer};

/// The playlist the player was given.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pub(super) url: Option<String>,
    pub(super) req: Option<RequestId>,
    /// The first media playlist placed the timeline (and the playhead, for live).
    pub(super) timeline_set: bool,
    pub(super) live_ended_sent: bool,
}

/// A loaded media playlist on the engine's timeline.
#[derive(Debug, Clone)]
pub(super) struct LevelPlaylist {
    pub(super) segments: VecDeque<Seg>,
    pub(super) target_duration: f64,
    pub(super) live: bool,
    /// Loaded recently enough to fetch from (live playlists go stale when not reloaded).
    pub(super) fresh: bool,
}

impl LevelPlaylist {
    pub(super) fn end(&self) -> f64 {
        self.segments.back().map_or(0.0, Seg::end)
    }
    pub(super) fn find(&self, t: f64) -> Option<&Seg> {
        timeline::find(&self.segments, t)
    }
}

/// A variant of the master playlist.
#[derive(Debug, Clone)]
pub(super) struct Level {
    pub(super) uri: String,
    pub(super) bandwidth: u64,
    pub(super) average_bandwidth: Option<u64>,
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) codecs: Option<String>,
    pub(super) playlist: Option<LevelPlaylist>,
    pub(super) playlist_req: Option<RequestId>,
    pub(super) reload_at: Option<f64>,
    pub(super) penalised_until: f64,
}

impl Level {
    fn new(uri: String, bandwidth: u64) -> Self {
        Level {
            uri,
            bandwidth,
            average_bandwidth: None,
            width: None,
            height: None,
            codecs: None,
            playlist: None,
            playlist_req: None,
            reload_at: None,
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
        match parse_playlist(data, &r.url, self.cfg.propagate_signed_query) {
            Ok(Playlist::Master(m)) => {
                let mut variants = m.variants;
                sort::sort_stable_by(&mut variants, |a, b| a.bandwidth < b.bandwidth);
                self.levels = variants
                    .into_iter()
                    .map(|v| Level {
                        average_bandwidth: v.average_bandwidth,
                        width: v.resolution.map(|r| r.width),
                        height: v.resolution.map(|r| r.height),
                        codecs: v.codecs,
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
            }
            Ok(Playlist::Media(p)) => {
                // A media playlist given directly: one level, already loaded.
                self.levels = vec![Level::new(r.url.clone(), 0)];
                let levels = self.levels();
                self.event(Event::ManifestParsed { levels });
                self.switch_to(0, SwitchReason::Start);
                self.install_playlist(0, p);
            }
            Err(e) => self.error(ErrorKind::Parse, e, true, Some(&r.url)),
        }
    }

    pub(super) fn on_level_playlist(&mut self, r: &Request, level: usize, data: &[u8]) {
        if let Some(l) = self.levels.get_mut(level) {
            l.playlist_req = None;
        }
        match parse_playlist(data, &r.url, self.cfg.propagate_signed_query) {
            Ok(Playlist::Media(p)) => self.install_playlist(level, p),
            Ok(Playlist::Master(_)) => self.error(
                ErrorKind::Parse,
                "expected a media playlist, got a master playlist".into(),
                true,
                Some(&r.url),
            ),
            Err(e) => self.error(ErrorKind::Parse, e, true, Some(&r.url)),
        }
    }

    /// Install a (re)loaded media playlist, anchoring its timeline by media sequence number.
    pub(super) fn install_playlist(&mut self, level: usize, p: MediaPlaylist) {
        let now = self.now;
        let Some(l) = self.levels.get(level) else {
            return;
        };
        let old_last = l
            .playlist
            .as_ref()
            .and_then(|o| o.segments.back().map(|s| s.sequence));
        let offset = timeline::anchor_offset(
            &p.segments,
            p.target_duration as f64,
            l.playlist.as_ref().map(|o| &o.segments),
            self.levels
                .iter()
                .filter_map(|o| o.playlist.as_ref().map(|p| &p.segments)),
        );
        let segments: VecDeque<Seg> = p
            .segments
            .iter()
            .map(|s| Seg {
                sequence: s.sequence,
                start: s.start + offset,
                duration: s.duration,
                uri: s.uri.clone(),
                byte_range: s.byte_range,
                discontinuity: s.discontinuity,
                gap: s.gap,
            })
            .collect();
        let new_last = segments.back().map(|s| s.sequence);
        let live = p.is_live();
        let td = (p.target_duration as f64).max(1.0);
        let changed = new_last != old_last;
        let was_live = l.playlist.as_ref().is_some_and(|o| o.live);
        let lp = LevelPlaylist {
            segments,
            target_duration: td,
            live,
            fresh: true,
        };
        let first_timeline = !self.manifest.timeline_set && !lp.segments.is_empty();
        let total = lp.end();
        let live_start = live
            .then(|| timeline::live_start(&lp.segments, self.cfg.live_edge_target_durations * td));
        // Only the level in use (or about to be) is kept fresh: a playlist that arrives for a
        // switch that was replaced meanwhile is not reloaded.
        let wanted = self.switching.current == Some(level)
            || self.switching.pending.is_some_and(|(l, _)| l == level);
        if let Some(l) = self.levels.get_mut(level) {
            l.playlist = Some(lp);
            l.reload_at = live.then_some(now + if changed { td } else { td / 2.0 });
        }
        if !wanted {
            self.mark_stale_if_live(level);
        }
        if was_live && !live && !self.manifest.live_ended_sent {
            self.manifest.live_ended_sent = true;
            self.event(Event::LiveEnded);
        }
        if first_timeline {
            self.manifest.timeline_set = true;
            if let Some(t) = live_start {
                self.main.next_time = t;
                self.playhead.position = t;
                self.set_position(t);
            } else {
                self.main.next_time = self.main.next_time.max(0.0);
            }
        }
        if !live && !self.buffer.duration_sent {
            self.buffer.duration_sent = true;
            self.buffer.duration = Some(total);
        }
    }

    pub(super) fn load_playlist(&mut self, level: usize) {
        let Some(l) = self.levels.get_mut(level) else {
            return;
        };
        l.reload_at = None;
        if l.playlist_req.is_some() {
            return;
        }
        let uri = l.uri.clone();
        let id = self.new_request(RequestKind::LevelPlaylist { level }, uri, None);
        if let Some(l) = self.levels.get_mut(level) {
            l.playlist_req = Some(id);
        }
    }

    /// Reload every live playlist that is due.
    pub(super) fn reload_due_playlists(&mut self) {
        let now = self.now;
        let reloads: Vec<usize> = self
            .levels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.playlist_req.is_none() && l.reload_at.is_some_and(|t| t <= now))
            .map(|(i, _)| i)
            .collect();
        for i in reloads {
            self.load_playlist(i);
        }
    }

    /// A live level no longer wanted is not reloaded; its playlist goes stale.
    pub(super) fn mark_stale_if_live(&mut self, level: usize) {
        if let Some(l) = self.levels.get_mut(level) {
            if let Some(p) = l.playlist.as_mut().filter(|p| p.live) {
                p.fresh = false;
                l.reload_at = None;
            }
        }
    }
}
