//! The buffer as the engine sees it: one operation queue per SourceBuffer (`appendBuffer` and
//! `remove` are asynchronous: one at a time, each acknowledged), what is buffered, eviction
//! behind the playhead and QuotaExceededError handling.

use std::collections::VecDeque;
use std::rc::Rc;

use super::codec_change::needs_change_type;
use super::fixed;
use super::media::{RemuxOutput, TrackKind, TrackOutput};
use super::ranges::Ranges;
use super::then_one::ThenOne;
use super::types::{ErrorCause, Event, Output, SourceBufferOp, StreamKind, TrackId};
use super::{Engine, SegmentRemuxer};

/// One queued SourceBuffer operation.
#[derive(Debug, Clone, PartialEq)]
pub enum BufferOp {
    Append {
        /// Shared with the `Output::Append` so a quota retry needs no copy.
        data: Rc<Vec<u8>>,
        /// Media range, `None` for an init segment.
        range: Option<(f64, f64)>,
        /// Level (or audio track) of the segment, for events.
        level: usize,
        /// Its media sequence number, for `FragBuffered`.
        sequence: u64,
        /// The stream it came from (back-pressure is per stream).
        stream: StreamKind,
    },
    Remove {
        start: f64,
        end: f64,
    },
    /// `changeType(mime)` before the init segment of another codec (`from`: the codecs it
    /// replaces).
    ChangeType {
        from: String,
        mime: String,
    },
    /// `abort()`: the parser drops a fragment given in part (its stream gave it up mid-`mdat`),
    /// so the next append starts a new box. Synchronous, like `ChangeType`.
    ResetParser,
}

/// A SourceBuffer and its queue.
#[derive(Debug, Clone)]
pub struct Track {
    pub kind: TrackKind,
    /// The stream whose segments it holds.
    pub stream: StreamKind,
    /// What the engine appended to it and has not removed.
    pub buffered: Ranges,
    pub mime: String,
    /// The codecs of `mime` (`avc1.4d401f,mp4a.40.2`).
    pub codecs: String,
    pub queue: VecDeque<BufferOp>,
    /// The operation handed to the media layer and not yet acknowledged.
    pub in_progress: Option<BufferOp>,
    /// Consecutive quota failures without a successful append.
    pub quota_failures: u32,
    /// The playhead at the last quota failure.
    pub quota_failed_at: f64,
    /// `AddSourceBuffer` was sent (it waits for the MediaSource to open).
    pub added: bool,
    /// Consecutive failed removes: eviction stops on this SourceBuffer after a few.
    pub remove_failures: u32,
    /// The codecs before the last `ChangeType` handed out (named if it fails).
    pub changed_from: Option<String>,
}

impl Track {
    pub fn new(kind: TrackKind, stream: StreamKind, mime: String, codecs: String) -> Self {
        Track {
            kind,
            stream,
            buffered: Ranges::default(),
            mime,
            codecs,
            queue: VecDeque::new(),
            in_progress: None,
            quota_failures: 0,
            quota_failed_at: f64::NEG_INFINITY,
            added: false,
            remove_failures: 0,
            changed_from: None,
        }
    }

    pub fn idle(&self) -> bool {
        self.in_progress.is_none() && self.queue.is_empty()
    }

    /// The operations queued, then the one under way.
    fn ops(&self) -> ThenOne<std::collections::vec_deque::Iter<'_, BufferOp>> {
        ThenOne(self.queue.iter(), self.in_progress.as_ref())
    }

    /// Media ranges of the appends queued or under way.
    fn pending_ranges(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.ops().filter_map(|op| match op {
            BufferOp::Append { range, .. } => *range,
            BufferOp::Remove { .. } | BufferOp::ChangeType { .. } | BufferOp::ResetParser => None,
        })
    }

    /// Whether an append of segment `sequence` of `level` of `stream` is queued or under way.
    fn appending(&self, stream: StreamKind, level: usize, sequence: u64) -> bool {
        self.ops().any(|op| {
            matches!(op, BufferOp::Append { stream: s, level: l, sequence: n, .. }
                if *s == stream && *l == level && *n == sequence)
        })
    }

    /// Queued media appends from `stream` (init segments and removes not counted).
    pub fn pending_appends(&self, stream: StreamKind) -> usize {
        self.ops()
            .filter(|op| {
                matches!(op, BufferOp::Append { range: Some(_), stream: s, .. } if *s == stream)
            })
            .count()
    }
}

/// Every SourceBuffer and what the engine knows about the buffer.
#[derive(Debug)]
pub(super) struct Buffer {
    /// The element's buffered ranges, updated by appends and removes between reports.
    pub(super) buffered: Ranges,
    pub(super) tracks: Vec<Track>,
    /// `EndOfStream` was sent and nothing appended since (an append reopens the MediaSource).
    pub(super) eos_sent: bool,
    /// Seconds to keep ahead (shrinks on QuotaExceededError).
    pub(super) goal: f64,
    /// Most seconds kept ahead, whatever `max_buffer_size` allows (shrinks on
    /// QuotaExceededError).
    pub(super) max_goal: f64,
    /// After a QuotaExceededError with nothing to evict: no append before this time.
    pub(super) quota_blocked_until: Option<f64>,
    /// The MediaSource is open (`Input::SourceOpen`).
    pub(super) source_open: bool,
    /// A duration to set once the MediaSource is open and no SourceBuffer is updating.
    pub(super) duration: Option<f64>,
    pub(super) duration_sent: bool,
}

/// Seconds to fetch ahead at a level of `peak` bits/s: `goal`, or what `max_bytes` hold at
/// that rate when longer, at most `max_goal` (hls.js's `getMaxBufferLength`).
pub fn fetch_goal(goal: f64, max_goal: f64, max_bytes: u64, peak: u64) -> f64 {
    let by_size = if peak > 0 {
        max_bytes as f64 * 8.0 / peak as f64
    } else {
        0.0
    };
    by_size.max(goal).min(max_goal)
}

/// Failed removes in a row after which a SourceBuffer is no longer evicted.
const MAX_REMOVE_FAILURES: u32 = 3;

impl Buffer {
    pub(super) fn new(goal: f64, max_goal: f64) -> Self {
        Buffer {
            buffered: Ranges::default(),
            tracks: Vec::new(),
            eos_sent: false,
            goal,
            max_goal,
            quota_blocked_until: None,
            source_open: false,
            duration: None,
            duration_sent: false,
        }
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    /// Queue the appends of a remux output.
    pub(super) fn queue_output(
        &mut self,
        out: RemuxOutput,
        stream: StreamKind,
        (level, sequence): (usize, u64),
        url: &str,
    ) {
        if stream == StreamKind::Main && !out.captions.is_empty() {
            self.on_cc_data(&out.captions);
        }
        if stream == StreamKind::Main && !out.tracks.is_empty() {
            self.frags.add(level, sequence, out.start, out.end);
        }
        if !out.tracks.is_empty() {
            // Appending reopens an ended MediaSource: the end is signalled again.
            self.buffer.eos_sent = false;
        }
        for w in out.warnings {
            self.error(ErrorCause::RemuxWarning, w, false, Some(url));
        }
        for t in out.tracks {
            // The variants' muxed audio is not played while a rendition of its own is.
            if stream == StreamKind::Main && t.kind == TrackKind::Audio && self.alt_audio.is_some()
            {
                continue;
            }
            let track = self.ensure_track(t.kind, stream, &t);
            if let Some(tr) = self.buffer.tracks.get_mut(track.0) {
                if tr.codecs != t.codecs {
                    if tr.added && needs_change_type(&tr.codecs, &t.codecs) {
                        tr.queue.push_back(BufferOp::ChangeType {
                            from: tr.codecs.clone(),
                            mime: t.mime.clone(),
                        });
                    }
                    tr.mime = t.mime;
                    tr.codecs = t.codecs;
                }
                if let Some(init) = t.init {
                    tr.queue.push_back(BufferOp::Append {
                        data: Rc::new(init),
                        range: None,
                        level,
                        sequence,
                        stream,
                    });
                }
                if !t.data.is_empty() {
                    tr.queue.push_back(BufferOp::Append {
                        data: Rc::new(t.data),
                        range: Some((out.start, out.end)),
                        level,
                        sequence,
                        stream,
                    });
                }
            }
        }
    }

    fn ensure_track(&mut self, kind: TrackKind, stream: StreamKind, out: &TrackOutput) -> TrackId {
        if let Some(i) = self.buffer.tracks.iter().position(|t| t.kind == kind) {
            return TrackId(i);
        }
        let id = TrackId(self.buffer.tracks.len());
        let track = Track::new(kind, stream, out.mime.clone(), out.codecs.clone());
        self.buffer.tracks.push(track);
        id
    }

    /// What `stream`'s SourceBuffers all hold (the element's buffered while there is one
    /// stream): a stream continues after what is buffered of its own media.
    pub(super) fn stream_buffered(&self, stream: StreamKind) -> Ranges {
        if self.buffer.tracks.len() <= 1 {
            return self.buffer.buffered.clone();
        }
        let own = self.buffer.tracks.iter().filter(|t| t.stream == stream);
        Ranges::intersection(own.map(|t| &t.buffered))
    }

    /// `addSourceBuffer` refused the track's codecs: nothing can play.
    pub(super) fn on_add_source_buffer_failed(&mut self, track: TrackId, reason: String) {
        let mime = self
            .buffer
            .tracks
            .get(track.0)
            .map_or("", |t| t.mime.as_str());
        let details = format!("addSourceBuffer('{mime}') failed: {reason}");
        let op = SourceBufferOp::Add;
        self.error(ErrorCause::SourceBuffer { track, op }, details, true, None);
    }

    /// `changeType` failed (or the browser has none): the next codec cannot be played.
    pub(super) fn on_change_type_failed(&mut self, track: TrackId, reason: String) {
        let Some(t) = self.buffer.tracks.get(track.0) else {
            return;
        };
        let from = t.changed_from.as_deref().unwrap_or_default();
        let details = format!(
            "cannot switch the {} SourceBuffer from {from} to {}: {reason}",
            t.kind.as_str(),
            t.codecs
        );
        let op = SourceBufferOp::ChangeType;
        self.error(ErrorCause::SourceBuffer { track, op }, details, true, None);
    }

    /// Seconds buffered ahead of the playhead, counting appends still queued (a segment just
    /// loaded is as good as buffered for the next decision).
    pub(super) fn forward_buffer(&self) -> f64 {
        let tol = self.cfg.hole_tolerance;
        if self.buffer.tracks.len() > 1 {
            // Several SourceBuffers: the element plays what all of them hold.
            return self
                .buffer
                .tracks
                .iter()
                .map(|t| {
                    let mut r = t.buffered.clone();
                    for (s, e) in t.pending_ranges() {
                        r.add(s, e);
                    }
                    r.ahead(self.playhead.position, tol)
                })
                .fold(f64::INFINITY, f64::min);
        }
        let mut ranges: Option<Ranges> = None;
        for (s, e) in self.buffer.tracks.iter().flat_map(Track::pending_ranges) {
            ranges
                .get_or_insert_with(|| self.buffer.buffered.clone())
                .add(s, e);
        }
        ranges
            .as_ref()
            .unwrap_or(&self.buffer.buffered)
            .ahead(self.playhead.position, tol)
    }

    /// Hand each idle SourceBuffer its next queued operation.
    pub(super) fn pump_tracks(&mut self) {
        // Browsers take no new SourceBuffer once media is appended: every stream's first output
        // is in (its SourceBuffer known) before any is added.
        let every_stream_known = self
            .streams()
            .all(|s| self.buffer.tracks.iter().any(|t| t.stream == s.kind));
        if !self.buffer.source_open || !every_stream_known {
            return;
        }
        for (i, t) in self.buffer.tracks.iter_mut().enumerate() {
            if !t.added {
                t.added = true;
                self.out.push_back(Output::AddSourceBuffer {
                    track: TrackId(i),
                    kind: t.kind,
                    mime: t.mime.clone(),
                });
            }
        }
        if self.buffer.tracks.iter().all(|t| t.in_progress.is_none()) {
            if let Some(d) = self.buffer.duration.take() {
                self.out.push_back(Output::SetDuration(d));
            }
        }
        if self.buffer.quota_blocked_until.is_some() {
            return;
        }
        for (i, t) in self.buffer.tracks.iter_mut().enumerate() {
            if t.in_progress.is_some() {
                continue;
            }
            let track = TrackId(i);
            // `changeType` and `abort` are synchronous: the next operation follows at once.
            loop {
                match t.queue.front() {
                    Some(BufferOp::ChangeType { from, mime }) => {
                        t.changed_from = Some(from.clone());
                        let mime = mime.clone();
                        self.out.push_back(Output::ChangeType { track, mime });
                    }
                    Some(BufferOp::ResetParser) => {
                        self.out.push_back(Output::ResetParser { track })
                    }
                    _ => break,
                }
                t.queue.pop_front();
            }
            let Some(op) = t.queue.pop_front() else {
                continue;
            };
            match &op {
                BufferOp::Append { data, .. } => self.out.push_back(Output::Append {
                    track,
                    data: Rc::clone(data),
                }),
                BufferOp::Remove { start, end } => self.out.push_back(Output::Remove {
                    track,
                    start: *start,
                    end: *end,
                }),
                BufferOp::ChangeType { .. } | BufferOp::ResetParser => {} // handed out above
            }
            t.in_progress = Some(op);
        }
    }

    pub(super) fn on_append_done(&mut self, track: TrackId) {
        let Some(t) = self.buffer.tracks.get_mut(track.0) else {
            return;
        };
        let Some(op) = t.in_progress.take() else {
            return;
        };
        t.quota_failures = 0;
        let kind = t.kind;
        if let BufferOp::Append {
            range: Some((s, e)),
            level,
            stream,
            ..
        } = op
        {
            t.buffered.add(s, e);
            if self.buffer.tracks.len() > 1 {
                let all = self.buffer.tracks.iter().map(|t| &t.buffered);
                self.buffer.buffered = Ranges::intersection(all);
            } else {
                self.buffer.buffered.add(s, e);
            }
            self.event(Event::BufferAppended {
                track,
                start: s,
                end: e,
            });
            match stream {
                StreamKind::Main => {
                    self.level_appended(level);
                    if let Some(muxed) = self.audio.selected.filter(|_| kind == TrackKind::Audio) {
                        self.audio_appended(muxed);
                    }
                }
                StreamKind::Audio => self.audio_appended(level),
            }
            self.report_buffered();
        }
    }

    /// `FragBuffered` for each main-stream segment fetched whole and now wholly appended.
    pub(super) fn report_buffered(&mut self) {
        while let Some(f) = {
            let tracks = &self.buffer.tracks;
            let pending = |level, sequence| {
                let appending = |t: &Track| t.appending(StreamKind::Main, level, sequence);
                tracks.iter().any(appending)
            };
            self.frags.take_buffered(&pending)
        } {
            self.event(Event::FragBuffered {
                level: f.level,
                sequence: f.sequence,
                start: f.start,
                duration: f.end - f.start,
            });
        }
    }

    pub(super) fn on_remove_done(&mut self, track: TrackId) {
        if let Some(t) = self.buffer.tracks.get_mut(track.0) {
            if matches!(t.in_progress, Some(BufferOp::Remove { .. })) {
                t.in_progress = None;
                t.remove_failures = 0;
            }
        }
    }

    /// Eviction is best effort: a range that could not go stays buffered (the next `Media`
    /// report says so). After a few failures in a row the SourceBuffer is no longer evicted,
    /// so a browser that keeps refusing is not asked every report.
    pub(super) fn on_remove_failed(&mut self, track: TrackId) {
        let Some(t) = self.buffer.tracks.get_mut(track.0) else {
            return;
        };
        if !matches!(t.in_progress, Some(BufferOp::Remove { .. })) {
            return;
        }
        t.in_progress = None;
        t.remove_failures += 1;
        let details = if t.remove_failures >= MAX_REMOVE_FAILURES {
            format!("SourceBuffer.remove failed {MAX_REMOVE_FAILURES} times; no more eviction")
        } else {
            "SourceBuffer.remove failed; the range stays buffered".to_string()
        };
        let op = SourceBufferOp::Remove;
        self.error(ErrorCause::SourceBuffer { track, op }, details, false, None);
    }

    pub(super) fn on_append_failed(&mut self, track: TrackId, quota: bool) {
        let position = self.playhead.position;
        let min_goal = self.cfg.min_buffer_goal;
        let max_failures = self.cfg.max_quota_failures;
        let Some(t) = self.buffer.tracks.get_mut(track.0) else {
            return;
        };
        let Some(op) = t.in_progress.take() else {
            return;
        };
        if !quota {
            let cause = ErrorCause::SourceBuffer {
                track,
                op: SourceBufferOp::Append,
            };
            let details = "appendBuffer failed (decode error)".into();
            self.error(cause, details, true, None);
            return;
        }
        t.queue.push_front(op);
        // Evict what is behind the playhead first; with nothing left, shrink the goal.
        let cutoff = position - 1.0;
        let evictable = self
            .buffer
            .buffered
            .start()
            .is_some_and(|s| s < cutoff - 0.5);
        if evictable {
            if let Some(t) = self.buffer.tracks.get_mut(track.0) {
                t.queue.push_front(BufferOp::Remove {
                    start: 0.0,
                    end: cutoff,
                });
                t.buffered.remove(0.0, cutoff);
            }
            self.buffer.buffered.remove(0.0, cutoff);
        } else {
            // Never above the app's `max_buffer_length`, even when that is below `min_goal`.
            let halved = (self.buffer_goal() * 0.5)
                .max(min_goal)
                .min(self.buffer.max_goal);
            self.buffer.goal = self.buffer.goal.min(halved);
            self.buffer.max_goal = halved;
            self.buffer.quota_blocked_until = Some(self.now + 1.0);
        }
        // A failure in a row, unless more is buffered ahead than the goal (it just shrank, or
        // the bytes allowed more) and the playhead moved since the last failure: then the
        // SourceBuffer makes room as it plays and the wait is no failure. A playhead that stands
        // still counts.
        let draining = self.forward_buffer() > self.buffer_goal();
        let Some(t) = self.buffer.tracks.get_mut(track.0) else {
            return;
        };
        t.quota_failures = if draining && position > t.quota_failed_at {
            0
        } else {
            t.quota_failures + 1
        };
        t.quota_failed_at = position;
        let failures = t.quota_failures;
        let goal = fixed::Fixed(self.buffer_goal(), 0);
        let quota = ErrorCause::SourceBuffer {
            track,
            op: SourceBufferOp::Quota,
        };
        if failures > max_failures {
            let details =
                format!("QuotaExceededError {failures} times in a row; buffer goal {goal} s");
            self.error(quota, details, true, None);
        } else {
            let details = format!("QuotaExceededError; evicting and retrying (goal {goal} s)");
            self.error(quota, details, false, None);
        }
    }

    /// Drop what `track` has queued and buffered from `from` on (an audio track switch).
    /// Queued appends that start before `from` stay: the remove after them trims them.
    pub(super) fn remove_ahead(&mut self, track: TrackId, from: f64) {
        let Some(t) = self.buffer.tracks.get_mut(track.0) else {
            return;
        };
        let queued = t.queue.len();
        // Each queued op once round the queue, in order, those kept back at its end: not
        // `VecDeque::retain`, whose in-place shuffle is 0.8 KB raw of wasm for this one use.
        for _ in 0..queued {
            let Some(op) = t.queue.pop_front() else {
                break;
            };
            let keep = match &op {
                BufferOp::Append {
                    range: Some((s, _)),
                    ..
                } => *s < from,
                _ => true,
            };
            if keep {
                t.queue.push_back(op);
            }
        }
        // The rest of a fragment whose start was appended may be among the dropped.
        if t.queue.len() < queued {
            t.queue.push_back(BufferOp::ResetParser);
        }
        t.queue.push_back(BufferOp::Remove {
            start: from,
            end: f64::INFINITY,
        });
        t.buffered.remove(from, f64::INFINITY);
        self.buffer.buffered.remove(from, f64::INFINITY);
        self.pump_tracks();
    }

    /// `stream` gave up a segment whose last output ended inside a fragment: each of its
    /// SourceBuffers drops that part before its next append.
    pub(super) fn reset_parsers(&mut self, stream: StreamKind) {
        for t in self.buffer.tracks.iter_mut().filter(|t| t.stream == stream) {
            t.queue.push_back(BufferOp::ResetParser);
        }
        self.pump_tracks();
    }

    /// Remove what is more than the back buffer behind the playhead.
    pub(super) fn evict(&mut self) {
        let Some(back) = self.cfg.back_buffer else {
            return;
        };
        // After EndOfStream nothing more is appended, so there is nothing to make room for, and
        // remove() would reopen the ended MediaSource: the element would wait at the end of the
        // buffer instead of ending. (A seek back that refetches appends, which re-arms both.)
        if self.buffer.eos_sent {
            return;
        }
        let cutoff = self.playhead.position - back;
        // Hysteresis: remove in chunks of at least 10 s, not on every tick.
        if !self
            .buffer
            .buffered
            .start()
            .is_some_and(|s| s < cutoff - 10.0)
        {
            return;
        }
        for t in &mut self.buffer.tracks {
            if t.remove_failures >= MAX_REMOVE_FAILURES {
                continue;
            }
            let pending = t.ops().any(|op| matches!(op, BufferOp::Remove { .. }));
            if !pending {
                t.queue.push_back(BufferOp::Remove {
                    start: 0.0,
                    end: cutoff,
                });
                t.buffered.remove(0.0, cutoff);
            }
        }
        self.buffer.buffered.remove(0.0, cutoff);
        self.pump_tracks();
    }
}
