//! What wakes the engine: every deadline it keeps, named, and what to do when they pass.

use super::loader::{FailureClass, Request, RequestId, RequestKind, RequestState};
use super::types::Output;
use super::{Engine, SegmentRemuxer};

/// A deadline the engine keeps, as reported by [`Engine::next_timer`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timer {
    /// A request's TTFB, idle or total timeout, or its retry time.
    Request(RequestId),
    /// A live playlist reload.
    PlaylistReload,
    /// The periodic abandon check of the segment in flight.
    AbandonCheck,
    /// The proactive credentials refresh ahead of their expiry.
    CredentialsExpiry,
    /// Appends paused after a QuotaExceededError with nothing to evict.
    QuotaBackoff,
    /// A stuck playhead is nudged (or declared stalled).
    Stall,
}

impl<R: SegmentRemuxer> Engine<R> {
    /// The soonest deadline and what it is for (never before `now`).
    pub fn next_timer(&self) -> Option<(f64, Timer)> {
        if self.failed {
            return None;
        }
        let mut soonest: Option<(f64, Timer)> = None;
        let mut consider = |t: f64, why: Timer| {
            if soonest.map_or(true, |(a, _)| t < a) {
                soonest = Some((t, why));
            }
        };
        for r in self.requests.values() {
            // Held requests are resent when credentials are back, not at their retry time.
            let held = matches!(r.state, RequestState::RetryAt(_)) && self.auth.holding;
            if let Some(d) = r.deadline(self.policy(r.kind)).filter(|_| !held) {
                consider(d, Timer::Request(r.id));
            }
        }
        let reloading = !self.auth.holding && !self.load_stopped;
        if let Some(t) = self.next_reload().filter(|_| reloading) {
            consider(t, Timer::PlaylistReload);
        }
        if let Some(f) = &self.main.fetch {
            let t = f.last_abandon_check + self.cfg.abandon_check_interval;
            consider(t, Timer::AbandonCheck);
        }
        if let Some(t) = self.auth.proactive_at(self.cfg.credentials_refresh_margin) {
            consider(t, Timer::CredentialsExpiry);
        }
        if let Some(t) = self.buffer.quota_blocked_until {
            consider(t, Timer::QuotaBackoff);
        }
        if let Some(s) = self.playhead.stall_since {
            consider(s + self.cfg.stall_timeout, Timer::Stall);
        }
        soonest.map(|(t, why)| (t.max(self.now), why))
    }

    /// Act on every deadline that has passed.
    pub(super) fn check_timers(&mut self) {
        self.check_request_deadlines();
        if self.failed {
            return;
        }
        if !self.auth.holding && !self.load_stopped {
            self.reload_due_playlists();
        }
        self.check_credentials_expiry();
        if self
            .buffer
            .quota_blocked_until
            .is_some_and(|t| t <= self.now)
        {
            self.buffer.quota_blocked_until = None;
        }
        if self.main.fetch.is_some() {
            self.check_abandon();
        }
        self.check_stall();
    }

    /// Timeouts abort and fail their request; retries whose time has come are resent.
    fn check_request_deadlines(&mut self) {
        let now = self.now;
        let mut due: Vec<(RequestId, RequestState, bool, bool)> = Vec::new();
        for r in self.requests.values() {
            let policy = self.policy(r.kind);
            if r.deadline(policy).is_some_and(|d| d <= now) {
                due.push((
                    r.id,
                    r.state,
                    r.first_byte_at.is_none(),
                    r.idle_expired(policy, now),
                ));
            }
        }
        for (id, state, no_first_byte, idle) in due {
            match state {
                RequestState::InFlight => {
                    self.out.push_back(Output::Abort { req: id });
                    // What arrived still measured the link (silence included).
                    let main_segment = |r: &&Request| matches!(r.kind, RequestKind::Segment { .. });
                    if let Some(r) = self.requests.get(id).filter(main_segment) {
                        if let Some(fb) = r.first_byte_at {
                            self.abr.on_partial(r.loaded, now - fb);
                        }
                    }
                    let ttfb = no_first_byte;
                    self.on_failure(id, FailureClass::Timeout { ttfb, idle }, None);
                    if self.failed {
                        return;
                    }
                }
                RequestState::RetryAt(_) if !self.auth.holding => self.send(id),
                _ => {}
            }
        }
    }
}
