//! Requests in flight: creating, sending, aborting, progress, and routing a loaded body to
//! what asked for it. Failures and retries are in `failure.rs`.

use crate::playlist::ByteRange;

use super::levels::PlaylistOwner;
use super::loader::{Request, RequestId, RequestKind, RequestState, RetryPolicy};
use super::small_map::SmallMap;
use super::types::{ErrorCause, Output};
use super::{Engine, SegmentRemuxer};

/// Every request the engine has not finished with, by id.
#[derive(Debug)]
pub(super) struct Requests {
    next_id: u64,
    map: SmallMap<RequestId, Request>,
}

impl Default for Requests {
    fn default() -> Self {
        Requests {
            next_id: 1,
            map: SmallMap::new(),
        }
    }
}

impl Requests {
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }
    pub(super) fn ids(&self) -> Vec<RequestId> {
        self.map.keys().copied().collect()
    }
    pub(super) fn clear(&mut self) {
        self.map.clear();
    }
    pub(super) fn get(&self, id: RequestId) -> Option<&Request> {
        self.map.get(&id)
    }
    pub(super) fn get_mut(&mut self, id: RequestId) -> Option<&mut Request> {
        self.map.get_mut(&id)
    }
    pub(super) fn remove(&mut self, id: RequestId) -> Option<Request> {
        self.map.remove(&id)
    }
    pub(super) fn values(&self) -> impl Iterator<Item = &Request> {
        self.map.values()
    }
    fn add(&mut self, kind: RequestKind, url: String, range: Option<ByteRange>) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.map.insert(id, Request::new(id, kind, url, range));
        id
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn policy(&self, kind: RequestKind) -> &RetryPolicy {
        if kind.is_segment() {
            &self.cfg.segment_retry
        } else {
            &self.cfg.playlist_retry
        }
    }

    pub(super) fn new_request(
        &mut self,
        kind: RequestKind,
        url: String,
        range: Option<ByteRange>,
    ) -> RequestId {
        let id = self.requests.add(kind, url, range);
        self.send(id);
        id
    }

    /// Send (or resend) a request.
    pub(super) fn send(&mut self, id: RequestId) {
        if self.requests.get(id).is_some_and(|r| r.kind.is_segment()) {
            // A (re)sent segment request starts its body over.
            self.drop_stream_of(id);
        }
        let now = self.now;
        let Some(r) = self.requests.get_mut(id) else {
            return;
        };
        r.state = RequestState::InFlight;
        r.sent_at = now;
        r.reset_progress();
        let out = Output::Fetch {
            req: id,
            kind: r.kind,
            url: r.url.clone(),
            range: r.range,
        };
        self.out.push_back(out);
    }

    pub(super) fn abort(&mut self, id: RequestId) {
        self.drop_stream_of(id);
        if let Some(r) = self.requests.remove(id) {
            // What arrived still measured the link (the ABR measures the main stream only).
            let audio = matches!(r.kind, RequestKind::AudioSegment { .. }) || r.kind.is_subtitle();
            if let Some(fb) = r.first_byte_at.filter(|_| !audio) {
                self.abr.on_partial(r.loaded, self.now - fb);
            }
            self.out.push_back(Output::Abort { req: id });
        }
        for s in self.streams_mut() {
            if s.fetch.as_ref().is_some_and(|f| f.id == id) {
                s.fetch = None;
                s.parked = None;
            }
        }
        self.forget_playlist_request(id);
        self.subtitles.forget_request(id);
    }

    pub(super) fn on_progress(&mut self, id: RequestId, loaded: u64, total: Option<u64>) {
        let now = self.now;
        let Some(r) = self.requests.get_mut(id) else {
            return;
        };
        if r.state != RequestState::InFlight {
            return;
        }
        if r.first_byte_at.is_none() {
            r.first_byte_at = Some(now);
        }
        if r.last_progress_at.is_none() || loaded > r.loaded {
            r.last_progress_at = Some(now);
        }
        r.loaded = r.loaded.max(loaded);
        r.total = total.or(r.total);
        let segment = r.kind.is_segment();
        let limit = if segment {
            self.cfg.max_segment_bytes
        } else {
            self.cfg.max_playlist_bytes
        };
        let size = r.total.unwrap_or(0).max(r.loaded);
        if size > limit {
            let url = r.url.clone();
            self.abort(id);
            let details = format!("response of {size} bytes is larger than the {limit}-byte limit");
            let cause = ErrorCause::Limit { size, limit };
            self.error(cause, details, true, Some(&url));
            return;
        }
        if segment {
            self.check_abandon();
        }
    }

    pub(super) fn on_loaded(&mut self, id: RequestId, data: Vec<u8>) {
        let Some(r) = self.requests.remove(id) else {
            return; // aborted or unknown: stale
        };
        match r.kind {
            RequestKind::Manifest => {
                self.manifest.req = None;
                self.on_manifest(&r, &data);
            }
            RequestKind::LevelPlaylist { level } => {
                self.on_media_playlist(&r, PlaylistOwner::Level(level), &data)
            }
            RequestKind::AudioPlaylist { track } => {
                self.on_media_playlist(&r, PlaylistOwner::Audio(track), &data)
            }
            RequestKind::Segment { level, sequence } => self.on_segment(r, level, sequence, data),
            RequestKind::AudioSegment { track, sequence } => {
                self.on_segment(r, track, sequence, data)
            }
            RequestKind::InitSegment { stream } => self.on_init_segment(&r, stream, data),
            RequestKind::SubtitlePlaylist { track } => {
                self.on_media_playlist(&r, PlaylistOwner::Subtitle(track), &data)
            }
            RequestKind::SubtitleSegment { .. } | RequestKind::SubtitleInit { .. } => {
                self.on_subtitle_loaded(&r, &data)
            }
            RequestKind::Key => self.on_key(&r, data),
        }
    }
}
