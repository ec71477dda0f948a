//! The stream scheduler: which segment to fetch next and from which level, what to do with a
//! loaded segment, and when the stream has ended.

use crate::abr::SegmentSample;

use super::levels::LevelPlaylist;
use super::loader::{Request, RequestKind};
use super::media::{RemuxFailure, SegmentInfo};
use super::stream::SegmentFetch;
use super::timeline::{Seg, EDGE};
use super::types::{ErrorKind, Event, Output, SwitchReason};
use super::{Engine, SegmentRemuxer, Track};

impl<R: SegmentRemuxer> Engine<R> {
    /// The playlist of the level in use, if loaded.
    pub(super) fn current_playlist(&self) -> Option<&LevelPlaylist> {
        self.switching
            .current
            .and_then(|c| self.levels.get(c))
            .and_then(|l| l.playlist.as_ref())
    }

    /// Fetch the next segment when the buffer is below the goal.
    pub(super) fn schedule(&mut self) {
        if self.failed || self.auth.holding || self.main.fetch.is_some() || self.levels.is_empty() {
            return;
        }
        if !self.manifest.timeline_set {
            return;
        }
        // Back-pressure: do not fetch while appends pile up.
        let pending: usize = self.buffer.tracks.iter().map(Track::pending_appends).sum();
        if pending > 1 {
            return;
        }
        if self.main.next_time - self.playhead.position >= self.buffer.goal {
            return;
        }
        // Nothing left to fetch in a VOD: no decision, no switch for a segment that does not exist.
        let next_time = self.main.next_time;
        let at_end = self
            .current_playlist()
            .is_some_and(|p| p.fresh && !p.live && p.find(next_time).is_none());
        if at_end {
            return;
        }
        let Some(level) = self.decide_level() else {
            return; // the new level's playlist is loading
        };
        let Some(lv) = self.levels.get(level) else {
            return;
        };
        let Some(first) = lv
            .playlist
            .as_ref()
            .filter(|p| p.fresh)
            .map(|p| p.segments.front().map(|s| s.start))
        else {
            if lv.playlist_req.is_none() {
                self.load_playlist(level);
            }
            return;
        };
        // Fell behind a live window: jump to its start.
        if let Some(t) = first.filter(|&t| self.main.next_time + EDGE < t) {
            self.main.next_time = t;
            self.main.next_non_contiguous = true;
            if self.playhead.position < t {
                self.playhead.position = t;
                self.set_position(t);
            }
        }
        // Already buffered from here on (after a seek back): continue after that run.
        if let Some(e) = self
            .buffer
            .buffered
            .end_from(self.main.next_time, self.cfg.hole_tolerance)
        {
            if e > self.main.next_time + 1.0 {
                self.main.next_time = e;
                self.main.next_non_contiguous = true;
                if self.main.next_time - self.playhead.position >= self.buffer.goal {
                    return;
                }
            }
        }
        let from = self.main.next_time;
        let Some((t, seg)) = self.current_playlist().and_then(|p| next_segment(p, from)) else {
            return; // at the end (VOD) or waiting for a reload (live)
        };
        if t != self.main.next_time {
            self.main.next_time = t;
            self.main.next_non_contiguous = true;
        }
        self.switching.forced_next = None;
        let kind = RequestKind::Segment {
            level,
            sequence: seg.sequence,
        };
        let id = self.new_request(kind, seg.uri.clone(), seg.byte_range);
        self.main.fetch = Some(SegmentFetch {
            id,
            level,
            seg,
            last_abandon_check: self.now,
        });
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
        // Only the fetch this answers: a stale answer must not drop the current fetch.
        if self.main.fetch.as_ref().map(|f| f.id) != Some(r.id) {
            return;
        }
        let Some(fetch) = self.main.fetch.take() else {
            return;
        };
        let load_s = (self.now - r.sent_at).max(0.0);
        let ttfb_s = match r.first_byte_at {
            Some(fb) => (fb - r.sent_at).max(0.0),
            None => self.abr.ttfb_s().min(load_s * 0.5),
        };
        // Streamed: the chunks had the body; a body given again is only read past them.
        if self.main.streaming.as_ref().is_some_and(|s| s.id != r.id) {
            self.drop_stream();
        }
        if let Some(s) = self.main.streaming.as_ref() {
            let seen = usize::try_from(s.bytes).unwrap_or(usize::MAX);
            if let Some(rest) = data.get(seen..).filter(|d| !d.is_empty()) {
                self.push_chunk(r.id, level, rest, &r.url);
            }
        }
        let streamed = self.main.streaming.take();
        let bytes = streamed
            .as_ref()
            .map_or(0, |s| s.bytes)
            .max(data.len() as u64);
        self.abr.on_sample(&SegmentSample {
            level,
            bytes,
            ttfb_s,
            load_s,
            duration: fetch.seg.duration,
        });
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
        self.main.next_time = fetch.seg.end();
        let result = match streamed {
            Some(s) => match s.failed {
                Some(e) => Err(RemuxFailure(e)),
                None => self.main.remux.finish_segment(&s.info),
            },
            None => {
                let info = self.segment_info(&fetch.seg, level);
                self.main.remux.push(&data, &info)
            }
        };
        match result {
            Ok(out) => {
                self.main.remux_errors = 0;
                self.queue_output(out, level, &r.url);
            }
            Err(e) => {
                self.main.remux_errors += 1;
                let fatal = self.main.remux_errors >= self.cfg.max_remux_errors;
                self.main.next_non_contiguous = true;
                self.error(ErrorKind::Remux, e.0, fatal, Some(&r.url));
            }
        }
    }

    /// What the remuxer is told about the next segment it gets.
    pub(super) fn segment_info(&mut self, seg: &Seg, level: usize) -> SegmentInfo {
        let info = SegmentInfo {
            start: seg.start,
            discontinuity: seg.discontinuity,
            rendition_switch: self.main.last_pushed_level.is_some_and(|l| l != level),
            non_contiguous: std::mem::take(&mut self.main.next_non_contiguous),
        };
        self.main.last_pushed_level = Some(level);
        info
    }

    /// `EndOfStream` once the last segment is in and every SourceBuffer is idle.
    pub(super) fn end_of_stream(&mut self) {
        if self.buffer.eos_sent || self.main.fetch.is_some() {
            return;
        }
        let Some(p) = self.current_playlist() else {
            return;
        };
        if p.live || p.segments.is_empty() || self.main.next_time + EDGE < p.end() {
            return;
        }
        if self.buffer.tracks.is_empty() || !self.buffer.tracks.iter().all(Track::idle) {
            return;
        }
        self.buffer.eos_sent = true;
        self.out.push_back(Output::EndOfStream);
        self.event(Event::Ended);
    }
}

/// The segment to fetch for time `t`: the one holding it, past any `EXT-X-GAP` segments, with
/// the time it starts being fetched for. `None` at the end (VOD) or until a reload (live).
fn next_segment(p: &LevelPlaylist, mut t: f64) -> Option<(f64, Seg)> {
    loop {
        let s = p.find(t)?;
        if s.gap {
            t = s.end();
            continue;
        }
        return Some((t, s.clone()));
    }
}
