//! The playhead: the element's reports, gaps jumped, stalls nudged, seeks (the user's, and the
//! engine's own coming back as `seeking`).

use std::collections::VecDeque;

use super::fixed;
use super::levels::LevelPlaylist;
use super::ranges::Ranges;
use super::stream::Stream;
use super::timeline::EDGE;
use super::types::{ErrorCause, Event, Output};
use super::{Engine, SegmentRemuxer};

/// Positions the engine set itself that may still come back as seeks.
const OWN_SEEKS_KEPT: usize = 4;
/// Skipped ranges remembered for gap jumping.
const SKIPPED_KEPT: usize = 16;

/// What the engine knows of the playhead.
#[derive(Debug)]
pub(super) struct Playhead {
    pub(super) position: f64,
    pub(super) paused: bool,
    /// Positions the engine set itself: the element reports them back as seeks.
    own_seeks: VecDeque<f64>,
    stall_pos: f64,
    pub(super) stall_since: Option<f64>,
    nudges: u32,
    /// Ranges left out on purpose (missing segments skipped): jumped whatever their size.
    skipped: VecDeque<(f64, f64)>,
}

impl Default for Playhead {
    fn default() -> Self {
        Playhead {
            position: 0.0,
            paused: false,
            own_seeks: VecDeque::new(),
            stall_pos: f64::NAN,
            stall_since: None,
            nudges: 0,
            skipped: VecDeque::new(),
        }
    }
}

impl Playhead {
    /// A range left out on purpose: the hole it leaves is jumped whatever its size.
    pub(super) fn skipped(&mut self, start: f64, end: f64) {
        self.skipped.push_back((start, end));
        while self.skipped.len() > SKIPPED_KEPT {
            self.skipped.pop_front();
        }
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn on_media(&mut self, position: f64, paused: bool, buffered: Vec<(f64, f64)>) {
        if position.is_finite() {
            self.playhead.position = position.max(0.0);
        }
        self.playhead.paused = paused;
        self.buffer.buffered = Ranges::from_vec(buffered);
        self.check_gap();
        self.check_stall();
        if let Some(f) = self.frags.entered(self.playhead.position) {
            self.event(Event::FragChanged {
                level: f.level,
                sequence: f.sequence,
                start: f.start,
                duration: f.end - f.start,
            });
        }
    }

    /// Jump a hole ahead of the playhead when it is small, was left out on purpose, or will
    /// not be filled.
    fn check_gap(&mut self) {
        let tol = self.cfg.hole_tolerance;
        let position = self.playhead.position;
        if self.buffer.buffered.end_from(position, tol).is_some() {
            return;
        }
        let Some(next) = self.buffer.buffered.next_start_after(position) else {
            return;
        };
        let skipped = self
            .playhead
            .skipped
            .iter()
            .any(|&(s, e)| s <= position + tol && e >= next - tol);
        if next - position <= self.cfg.max_gap_jump || skipped || self.nothing_coming_for(position)
        {
            self.playhead.position = next;
            self.set_position(next);
            self.event(Event::GapJumped {
                from: position,
                to: next,
            });
        }
    }

    /// Every stream has appended past `position` and fetches nothing that covers it: what
    /// it appended there was cut short (video frames before a keyframe the remuxer had to
    /// drop), and no request will bring that media.
    fn nothing_coming_for(&self, position: f64) -> bool {
        let tol = self.cfg.hole_tolerance;
        let past = |s: &Stream<R>| {
            s.next_time > position + tol
                && !(s.fetch.as_ref()).is_some_and(|f| f.seg.start <= position + tol)
        };
        self.streams().all(past)
    }

    /// A playhead that does not move with data buffered is nudged forward, then declared stuck.
    /// Only what the element holds counts: appends still queued (held until every stream's
    /// SourceBuffer is known, or waiting on a busy one) cannot be played, nudged or not.
    pub(super) fn check_stall(&mut self) {
        let tol = self.cfg.hole_tolerance;
        let with_data = self.buffer.buffered.ahead(self.playhead.position, tol) > 0.5;
        let now = self.now;
        let ph = &mut self.playhead;
        // Only forward motion is progress: an element that ignores a nudge reports the old time.
        let progressed = ph.stall_pos.is_nan() || ph.position > ph.stall_pos + 0.01;
        if ph.paused || !with_data || progressed {
            if progressed {
                ph.nudges = 0;
            }
            ph.stall_pos = ph.position;
            ph.stall_since = (!ph.paused && with_data).then_some(now);
            return;
        }
        let Some(since) = ph.stall_since else {
            ph.stall_since = Some(now);
            return;
        };
        if now - since < self.cfg.stall_timeout {
            return;
        }
        ph.nudges += 1;
        if ph.nudges > self.cfg.max_nudges {
            let details = format!(
                "playhead stuck at {} s with data buffered",
                fixed::Fixed(ph.position, 2)
            );
            let cause = ErrorCause::Stall {
                position: ph.position,
            };
            self.error(cause, details, true, None);
            return;
        }
        let to = ph.position + self.cfg.nudge_step * f64::from(ph.nudges);
        ph.position = to;
        ph.stall_pos = to;
        ph.stall_since = Some(now);
        self.set_position(to);
        self.event(Event::StallNudged { to });
    }

    /// Move the playhead; the `seeking` this causes comes back as a `Seek` and is recognised.
    pub(super) fn set_position(&mut self, t: f64) {
        let own = &mut self.playhead.own_seeks;
        own.push_back(t);
        while own.len() > OWN_SEEKS_KEPT {
            own.pop_front();
        }
        self.out.push_back(Output::SetPosition(t));
    }

    pub(super) fn on_seek(&mut self, target: f64) {
        let target = if target.is_finite() {
            target.max(0.0)
        } else {
            0.0
        };
        let ph = &mut self.playhead;
        // The echo of our own SetPosition (gap jump, nudge, live start): not a user seek. The
        // element may round currentTime a little.
        if let Some(i) = ph.own_seeks.iter().position(|&t| (t - target).abs() < 0.01) {
            // The echo and the older ones (a few at most); not `drain(..=i)`, whose drop brings
            // VecDeque's wrap-around copy code (1 KB raw) for this one use.
            for _ in 0..=i {
                ph.own_seeks.pop_front();
            }
            ph.position = target;
            return;
        }
        ph.own_seeks.clear();
        ph.position = target;
        ph.stall_since = None;
        ph.nudges = 0;
        let tol = self.cfg.hole_tolerance;
        // Past the end of a VOD: load the last segment (the element clamps to the duration).
        let end = self
            .current_playlist()
            .filter(|p| !p.live)
            .map(LevelPlaylist::end);
        let target = match end {
            Some(e) if target >= e => (e - EDGE * 2.0).max(0.0),
            _ => target,
        };
        self.subtitles_seek(target);
        let resume_at = self.buffer.buffered.end_from(target, tol).unwrap_or(target);
        // Every stream resumes there: a segment in flight that holds that time is kept.
        let kinds = self.stream_kinds(&|_| true);
        for kind in kinds {
            let Some(st) = self.stream(kind) else {
                continue;
            };
            let fetch = st.fetch.as_ref();
            let in_flight_fits = fetch
                .is_some_and(|f| f.seg.start <= resume_at + tol && f.seg.end() > resume_at + EDGE);
            if in_flight_fits {
                continue;
            }
            if let Some(id) = fetch.map(|f| f.id) {
                self.abort(id);
            }
            if let Some(st) = self.stream_mut(kind) {
                if (resume_at - st.next_time).abs() > EDGE {
                    st.next_non_contiguous = true;
                }
                st.next_time = resume_at;
            }
        }
    }
}
