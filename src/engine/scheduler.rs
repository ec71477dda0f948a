//! The stream scheduler: which segment each stream fetches next (the main stream from the level
//! the ABR picks, the others from their selected rendition), what to do with a loaded segment,
//! and when every stream has ended.

use std::rc::Rc;

use crate::abr::SegmentSample;
use crate::error::ErrorCategory;

use super::init_segments::InitNeed;
use super::keys::KeyNeed;
use super::levels::{LevelPlaylist, PlaylistOwner};
use super::loader::{Request, RequestId};
use super::stream::{ParkedBody, SegmentFetch};
use super::timeline::{Seg, EDGE};
use super::types::{ErrorCause, Event, Output, StreamKind, SwitchReason};
use super::{Engine, SegmentRemuxer};

impl<R: SegmentRemuxer> Engine<R> {
    /// The playlist a stream fetches from now, if loaded.
    pub(super) fn playlist_of(&self, stream: StreamKind) -> Option<&LevelPlaylist> {
        self.slot(self.owner_of(stream)?)?.playlist.as_ref()
    }

    /// The playlist of the level in use, if loaded.
    pub(super) fn current_playlist(&self) -> Option<&LevelPlaylist> {
        self.playlist_of(StreamKind::Main)
    }

    /// Fetch the next segment of every stream whose buffer is below the goal.
    pub(super) fn schedule(&mut self) {
        if self.load_stopped {
            return;
        }
        self.schedule_stream(StreamKind::Main);
        if self.alt_audio.is_some() {
            self.schedule_stream(StreamKind::Audio);
        }
        self.schedule_subtitles();
    }

    fn schedule_stream(&mut self, kind: StreamKind) {
        if self.failed || self.auth.holding || self.levels.is_empty() {
            return;
        }
        let Some(st) = self.stream(kind) else {
            return;
        };
        if st.fetch.is_some() || !self.manifest.timeline_set {
            return;
        }
        // Back-pressure: do not fetch while appends pile up.
        let pending: usize = self
            .buffer
            .tracks
            .iter()
            .map(|t| t.pending_appends(kind))
            .sum();
        if pending > 1 {
            return;
        }
        let next_time = st.next_time;
        if next_time - self.playhead.position >= self.buffer_goal() {
            return;
        }
        // Nothing left to fetch in a VOD: no decision, no switch for a segment that does not exist.
        let at_end = self
            .playlist_of(kind)
            .is_some_and(|p| p.fresh && !p.live && p.find(next_time).is_none());
        if at_end {
            return;
        }
        let owner = match kind {
            StreamKind::Main => match self.decide_level() {
                Some(level) => PlaylistOwner::Level(level),
                None => return, // the new level's playlist is loading
            },
            StreamKind::Audio => match self.owner_of(kind) {
                Some(owner) => owner,
                None => return,
            },
        };
        let Some(slot) = self.slot(owner) else {
            return;
        };
        let Some(first) = slot.fresh().map(|p| p.segments.front().map(|s| s.start)) else {
            if slot.req.is_none() {
                self.load_playlist(owner);
            }
            return;
        };
        // Fell behind a live window: jump to its start.
        if let Some(t) = first.filter(|&t| next_time + EDGE < t) {
            if let Some(st) = self.stream_mut(kind) {
                st.jump_to(t);
            }
            if self.playhead.position < t {
                self.playhead.position = t;
                self.set_position(t);
            }
        }
        // Already buffered from here on (after a seek back): continue after that run.
        let Some(mut from) = self.stream(kind).map(|s| s.next_time) else {
            return;
        };
        let tol = self.cfg.hole_tolerance;
        if let Some(e) = self.stream_buffered(kind).end_from(from, tol) {
            if e > from + 1.0 {
                from = e;
                if let Some(st) = self.stream_mut(kind) {
                    st.jump_to(e);
                }
                if e - self.playhead.position >= self.buffer_goal() {
                    return;
                }
            }
        }
        // An audio rendition keeps pace with the video: a segment that starts past what the
        // main stream has buffered waits. The element plays only what both hold, and audio
        // running ahead takes the link from the video when it matters most (the start, a slow
        // link): it made playback stall right after a fast first frame.
        if kind == StreamKind::Audio {
            let position = self.playhead.position;
            let main = self.stream_buffered(StreamKind::Main);
            let main_end = main.end_from(position, tol).unwrap_or(position);
            if from > main_end + tol {
                return;
            }
        }
        let next = self
            .slot(owner)
            .and_then(|s| s.playlist.as_ref())
            .and_then(|p| next_segment(p, from));
        let Some((t, seg)) = next else {
            return; // at the end (VOD) or waiting for a reload (live)
        };
        let init = match self.init_for(kind, &seg) {
            InitNeed::None => None,
            InitNeed::Ready(data) => Some(data),
            InitNeed::Loading => return,
        };
        // The key and the segment travel at once: its bytes wait for the key (one round trip
        // less before the first frame).
        if let Some(k) = seg.key.as_ref().map(|k| Rc::clone(&k.key)) {
            let _ = self.key_for(&k);
        }
        if kind == StreamKind::Main {
            self.switching.forced_next = None;
        }
        if let Some(st) = self.stream_mut(kind).filter(|st| t != st.next_time) {
            st.jump_to(t);
        }
        let request = owner.segment_request(seg.sequence);
        let level = owner.index();
        let id = self.new_request(request, seg.uri.clone(), seg.byte_range);
        let now = self.now;
        if let Some(st) = self.stream_mut(kind) {
            st.parked = None;
            st.fetch = Some(SegmentFetch {
                id,
                level,
                seg,
                init,
                last_abandon_check: now,
            });
        }
    }

    /// One decision per segment: the level is announced when its first fetch goes out, so
    /// deciding again while its playlist loads replaces the pending switch. `None` while the
    /// chosen level's playlist loads.
    fn decide_level(&mut self) -> Option<usize> {
        let n = self.levels.len();
        let (level, reason) = if let Some(l) = self.switching.forced_next.filter(|&l| l < n) {
            (l, SwitchReason::Abandon)
        } else if let Some(m) = self.switching.manual.filter(|&m| m < n) {
            (m, SwitchReason::Manual)
        } else {
            (self.choose_level(), SwitchReason::Abr)
        };
        let reason = match self.switching.pending {
            Some((l, r)) if l == level => r,
            _ => reason,
        };
        self.switch_to(level, reason);
        (self.switching.current == Some(level)).then_some(level)
    }

    /// A whole segment arrived (or the end of one streamed as chunks).
    pub(super) fn on_segment(&mut self, r: Request, level: usize, sequence: u64, data: Vec<u8>) {
        let now = self.now;
        self.segment_done(r, level, sequence, data, now);
    }

    /// The segment of request `r`, whose body was complete at `arrived_at` (earlier than now
    /// when it waited for its key: the wait is not the network's and the ABR must not see it).
    pub(super) fn segment_done(
        &mut self,
        r: Request,
        level: usize,
        sequence: u64,
        data: Vec<u8>,
        arrived_at: f64,
    ) {
        // Only the fetch this answers: a stale answer must not drop the current fetch.
        let Some(kind) = self.stream_fetching(r.id).map(|s| s.kind) else {
            return;
        };
        // A body complete before its key waits for it (`on_key` takes it then).
        let key = self.fetch_key(kind);
        if let Some(KeyNeed::Loading) = key {
            if let Some(st) = self.stream_mut(kind) {
                st.parked = Some(ParkedBody {
                    request: r,
                    level,
                    sequence,
                    data,
                    arrived_at,
                });
            }
            return;
        }
        let key = key.and_then(KeyNeed::ready);
        let Some(fetch) = self.stream_mut(kind).and_then(|s| s.fetch.take()) else {
            return;
        };
        let load_s = (arrived_at - r.sent_at).max(0.0);
        let ttfb_s = match r.first_byte_at {
            Some(fb) => (fb - r.sent_at).max(0.0),
            None => self.abr.ttfb_s().min(load_s * 0.5),
        };
        // Streamed: the chunks had the body; a body given again is only read past them.
        let streaming = self.stream(kind).and_then(|s| s.streaming.as_ref());
        if streaming.is_some_and(|s| s.id != r.id) {
            self.drop_stream(kind);
        }
        let seen = self
            .stream(kind)
            .and_then(|s| s.streaming.as_ref())
            .map(|s| usize::try_from(s.bytes).unwrap_or(usize::MAX));
        if let Some(rest) = seen.and_then(|seen| data.get(seen..).filter(|d| !d.is_empty())) {
            self.push_chunk(kind, r.id, level, rest, &r.url);
        }
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        let streamed = st.streaming.take();
        let bytes = streamed
            .as_ref()
            .map_or(0, |s| s.bytes)
            .max(data.len() as u64);
        st.next_time = fetch.seg.end();
        if kind == StreamKind::Main {
            // The ABR measures the main stream (as hls.js does), but not a segment fetched
            // before: the browser's cache may have answered it (`fetch_history`).
            if !self.fetched.fetched_again(level, sequence) {
                self.abr.on_sample(&SegmentSample {
                    level,
                    bytes,
                    ttfb_s,
                    load_s,
                    duration: fetch.seg.duration,
                });
            }
            self.event(Event::SegmentLoaded {
                level,
                sequence,
                bytes,
                ttfb_s,
                load_s,
                start: fetch.seg.start,
                duration: fetch.seg.duration,
            });
            let bps = self.abr.estimate_bps();
            self.event(Event::BandwidthEstimate { bps });
        }
        let shared = self.shared_offset(&fetch.seg);
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        let (tail, result) = match streamed {
            Some(s) => st.finish_streamed(s),
            None => (
                None,
                st.push_whole(&fetch, key.as_ref(), level, shared, &data),
            ),
        };
        if let Some(out) = tail {
            self.record_offset(kind);
            self.queue_output(out, kind, (level, fetch.seg.sequence), &r.url);
        }
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        match result {
            Ok(out) => {
                st.remux_errors = 0;
                if let Some(k) = fetch.seg.key.as_ref() {
                    self.keys.decrypted(&k.key.uri);
                }
                self.record_offset(kind);
                self.queue_output(out, kind, (level, fetch.seg.sequence), &r.url);
                if kind == StreamKind::Main {
                    self.frags.completed(level, fetch.seg.sequence);
                    self.report_buffered();
                }
            }
            // An encrypted segment that does not demux is taken for a wrong key.
            Err(e) if fetch.seg.key.is_some() && e.category == ErrorCategory::Malformed => {
                st.next_non_contiguous = true;
                self.decrypt_failed(kind, &fetch, &e, &r.url);
            }
            Err(e) => {
                st.remux_errors += 1;
                st.next_non_contiguous = true;
                let fatal = st.remux_errors >= self.cfg.max_remux_errors;
                let details = e.message.clone();
                self.error(ErrorCause::Remux(e), details, fatal, Some(&r.url));
            }
        }
    }

    /// `Input::StopLoad`: the segments in flight (every stream's and the subtitles') are
    /// aborted; they are fetched again from where their streams stand after `start_load`.
    pub(super) fn stop_load(&mut self) {
        self.load_stopped = true;
        let mut ids: Vec<RequestId> = Vec::new();
        for s in self.streams() {
            ids.extend(s.fetch.as_ref().map(|f| f.id));
        }
        ids.extend(self.subtitles.fetch_id());
        for id in ids {
            self.abort(id);
        }
    }

    /// `Input::StartLoad`: fetching resumes (a live playlist whose reload fell due meanwhile is
    /// reloaded at once), from `position` when given.
    pub(super) fn start_load(&mut self, position: Option<f64>) {
        self.load_stopped = false;
        if let Some(p) = position.filter(|p| p.is_finite() && *p >= 0.0) {
            self.on_seek(p);
            self.set_position(p);
        }
    }

    /// `EndOfStream` once every stream has its last segment in and every SourceBuffer is idle.
    pub(super) fn end_of_stream(&mut self) {
        if self.buffer.eos_sent {
            return;
        }
        let all_done = self.streams().all(|s| {
            s.fetch.is_none()
                && self.playlist_of(s.kind).is_some_and(|p| {
                    !p.live && !p.segments.is_empty() && s.next_time + EDGE >= p.end()
                })
        });
        if !all_done {
            return;
        }
        let tracks = &self.buffer.tracks;
        if tracks.is_empty() || !tracks.iter().all(|t| t.idle()) {
            return;
        }
        self.buffer.eos_sent = true;
        self.out.push_back(Output::EndOfStream);
        self.event(Event::Ended);
        self.flush_captions(self.main.next_time);
    }
}

/// The segment to fetch for time `t`: the one holding it, past any `EXT-X-GAP` segments, with
/// the time it starts being fetched for. `None` at the end (VOD) or until a reload (live).
pub(super) fn next_segment(p: &LevelPlaylist, mut t: f64) -> Option<(f64, Seg)> {
    loop {
        let s = p.find(t)?;
        if s.gap {
            t = s.end();
            continue;
        }
        return Some((t, s.clone()));
    }
}
