//! Level choice: the ABR context, the cap to the element's size, penalties, the emergency
//! abandon, and switches (announced when they take effect).

use crate::abr::{AbrContext, AbrLevel, LoadProgress};

use super::levels::PlaylistOwner;
use super::loader::RequestState;
use super::types::{ErrorCause, Event, SwitchReason};
use super::{Engine, SegmentRemuxer};

/// Which level is in use and what may change it.
#[derive(Debug, Default)]
pub(super) struct Switching {
    /// The level segments are fetched from.
    pub(super) current: Option<usize>,
    /// The next fetch must come from this level (after an abandon or a body timeout).
    pub(super) forced_next: Option<usize>,
    /// A switch decided while the new level's playlist loads: announced when it takes effect
    /// (the first fetch from that level), replaced if the next decision differs.
    pub(super) pending: Option<(usize, SwitchReason)>,
    /// A level the app forced (`SetLevel`).
    pub(super) manual: Option<usize>,
    /// Level of the last media appended (`LevelSwitched` when it changes).
    pub(super) last_appended: Option<usize>,
    /// The element's size in device pixels, for the cap.
    pub(super) element: Option<(f64, f64)>,
    /// The app's cap on automatic choice (`SetLevelCap`).
    pub(super) app_cap: Option<usize>,
}

/// What the ABR rule looks at, owned so it is built once per decision.
pub(super) struct AbrInputs {
    levels: Vec<AbrLevel>,
    allowed: Vec<bool>,
    current: Option<usize>,
    buffer: f64,
    buffer_goal: f64,
    remaining: Option<f64>,
    now: f64,
}

impl AbrInputs {
    fn context(&self, segment_duration: f64) -> AbrContext<'_> {
        AbrContext {
            now: self.now,
            levels: &self.levels,
            allowed: &self.allowed,
            current: self.current,
            buffer: self.buffer,
            buffer_goal: self.buffer_goal,
            segment_duration,
            remaining: self.remaining,
        }
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    pub(super) fn on_element_size(&mut self, width: f64, height: f64, device_pixel_ratio: f64) {
        let dpr = if device_pixel_ratio > 0.0 {
            device_pixel_ratio
        } else {
            1.0
        };
        self.switching.element =
            (width > 0.0 && height > 0.0).then_some((width * dpr, height * dpr));
    }

    fn abr_inputs(&self) -> AbrInputs {
        let mut levels = Vec::with_capacity(self.levels.len());
        for l in &self.levels {
            levels.push(AbrLevel {
                bitrate: l.bandwidth as f64,
                avg_bitrate: l.average_bandwidth.map(|b| b as f64),
            });
        }
        AbrInputs {
            levels,
            allowed: self.allowed(),
            current: self.switching.current,
            buffer: self.forward_buffer(),
            buffer_goal: self.buffer_goal(),
            remaining: self.remaining_content(),
            now: self.now,
        }
    }

    /// Levels the ABR may pick: not penalised, not above the element-size cap or the app's.
    pub(super) fn allowed(&self) -> Vec<bool> {
        let cap = self.max_auto_level().unwrap_or(0);
        let mut allowed = Vec::with_capacity(self.levels.len());
        for (i, l) in self.levels.iter().enumerate() {
            allowed.push(l.penalised_until <= self.now && i <= cap);
        }
        allowed
    }

    /// The highest level automatic choice may pick (hls.js's `maxAutoLevel`): the lower of the
    /// element-size cap and the app's; the top level when neither applies, `None` before the
    /// levels are known.
    pub fn max_auto_level(&self) -> Option<usize> {
        let top = self.levels.len().checked_sub(1)?;
        let app = self.switching.app_cap.unwrap_or(top);
        Some(self.cap_index().unwrap_or(top).min(app))
    }

    /// Highest level worth showing in the element: the first whose picture covers it.
    fn cap_index(&self) -> Option<usize> {
        if !self.cfg.cap_to_element {
            return None;
        }
        let (w, h) = self.switching.element?;
        let covering = self.levels.iter().position(|l| match (l.width, l.height) {
            (Some(lw), Some(lh)) => f64::from(lw) >= w || f64::from(lh) >= h,
            _ => true,
        });
        Some(covering.unwrap_or(self.levels.len().saturating_sub(1)))
    }

    fn next_duration(&self) -> f64 {
        self.switching
            .current
            .and_then(|c| self.levels.get(c))
            .and_then(|l| l.media.playlist.as_ref())
            .and_then(|p| {
                p.find(self.main.next_time)
                    .map(|s| s.duration)
                    .or(Some(p.target_duration))
            })
            .unwrap_or(10.0)
    }

    /// Content after the next segment, for a VOD.
    fn remaining_content(&self) -> Option<f64> {
        let p = self
            .switching
            .current
            .and_then(|c| self.levels.get(c))?
            .media
            .playlist
            .as_ref()?;
        (!p.live).then(|| (p.end() - self.main.next_time - self.next_duration()).max(0.0))
    }

    pub(super) fn choose_level(&mut self) -> usize {
        let inputs = self.abr_inputs();
        let ctx = inputs.context(self.next_duration());
        self.abr
            .choose(&ctx)
            .min(self.levels.len().saturating_sub(1))
    }

    /// The emergency abandon: give up the segment in flight for a lower level when it would
    /// arrive after the buffer runs dry.
    pub(super) fn check_abandon(&mut self) {
        let Some(f) = &self.main.fetch else {
            return;
        };
        let (id, level, duration) = (f.id, f.level, f.seg.duration);
        if let Some(f) = self.main.fetch.as_mut() {
            f.last_abandon_check = self.now;
        }
        if self.switching.manual.is_some() {
            return;
        }
        let Some(r) = self.requests.get(id) else {
            return;
        };
        if r.state != RequestState::InFlight {
            return;
        }
        let inputs = self.abr_inputs();
        let expected = r.total.map(|t| t as f64).unwrap_or_else(|| {
            inputs.levels.get(level).map_or(0.0, |l| l.size_rate()) * duration / 8.0
        });
        let progress = LoadProgress {
            level,
            loaded: r.loaded,
            expected,
            elapsed: self.now - r.sent_at,
            ttfb_s: r.first_byte_at.map(|f| f - r.sent_at),
            duration,
        };
        let ctx = inputs.context(duration);
        if let Some(lower) = self.abr.abandon(&ctx, &progress).filter(|&l| l < level) {
            self.abort(id);
            self.switching.forced_next = Some(lower);
            self.switch_to(lower, SwitchReason::Abandon);
        }
    }

    /// Switch to `level`: at once when its playlist is ready (or at the start), else once it
    /// is (the switch is pending until then, and a later decision replaces it).
    pub(super) fn switch_to(&mut self, level: usize, reason: SwitchReason) {
        let ready = self.switching.current.is_none()
            || self
                .levels
                .get(level)
                .and_then(|l| l.media.playlist.as_ref())
                .is_some_and(|p| p.fresh);
        if let Some((old, _)) = self.switching.pending.filter(|&(l, _)| l != level) {
            self.switching.pending = None;
            self.mark_stale_if_live(PlaylistOwner::Level(old));
        }
        if self.switching.current == Some(level) {
            // Back to the level in use before a pending switch took effect: nothing to announce.
            self.switching.pending = None;
        } else if !ready {
            self.switching.pending = Some((level, reason));
        } else {
            self.switching.pending = None;
            let from = self.switching.current;
            if let Some(old) = from.and_then(|f| self.levels.get_mut(f)) {
                // A live playlist not reloaded goes stale.
                if let Some(p) = old.media.playlist.as_mut().filter(|p| p.live) {
                    p.fresh = false;
                    old.media.reload_at = None;
                }
            }
            self.switching.current = Some(level);
            self.event(Event::LevelSwitching {
                from,
                to: level,
                reason,
            });
            self.decided_level(from, level, reason);
            self.on_audio_group(level);
        }
        let needs = self.levels.get(level).is_some_and(|l| {
            l.media.playlist.as_ref().map_or(true, |p| !p.fresh) && l.media.req.is_none()
        });
        if needs && !self.auth.holding {
            self.load_playlist(PlaylistOwner::Level(level));
        }
    }

    /// Media of `level` reached the buffer: `LevelSwitched` when that is news.
    pub(super) fn level_appended(&mut self, level: usize) {
        if self.switching.last_appended != Some(level) {
            self.switching.last_appended = Some(level);
            self.event(Event::LevelSwitched { level });
        }
    }

    /// Avoid `level` for a while; `false` when it was the only level.
    pub(super) fn penalise(&mut self, level: usize) -> bool {
        if self.levels.len() <= 1 {
            return false;
        }
        let until = self.now + self.cfg.level_penalty_s;
        if let Some(l) = self.levels.get_mut(level) {
            l.penalised_until = until;
        }
        true
    }

    /// A level's playlist failed: avoid it and move on, or stop when no level is left.
    pub(super) fn level_failed(
        &mut self,
        level: usize,
        details: String,
        url: &str,
        cause: ErrorCause,
    ) {
        if self.penalise(level) && self.allowed().iter().any(|&a| a) {
            let details = format!("{details}; level {level} penalised");
            self.error(cause, details, false, Some(url));
            if self.switching.current == Some(level) {
                let next = self.choose_level();
                self.switch_to(next, SwitchReason::Penalty);
            }
        } else {
            self.error(cause, details, true, Some(url));
        }
    }
}
