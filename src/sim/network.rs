//! The simulated link and CDN: requests wait their time to first byte, then share the trace's
//! throughput equally with the other transfers in their body phase. Faults and credential
//! expiry are decided when a request is sent.

use crate::engine::RequestId;

use super::trace::Trace;

/// How a request ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// 200 with a body of this many bytes (built when complete).
    Ok { size: u64 },
    /// HTTP error (or 0 for no response) at the first byte, with an optional body.
    Fail { status: u16, body: Option<String> },
    /// Never answers.
    Stall,
    /// 200 with a body of `size` bytes that stops after `stall_after` bytes and never finishes.
    Partial { size: u64, stall_after: u64 },
    /// 200 from the browser's HTTP cache: the whole body at the first byte, off the link.
    Cached { size: u64 },
}

impl Response {
    /// Bytes the body will deliver, if it has one.
    fn deliverable(&self) -> Option<f64> {
        match *self {
            Response::Ok { size } => Some(size as f64),
            Response::Partial { size, stall_after } => Some(stall_after.min(size) as f64),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Transfer {
    pub id: RequestId,
    pub url: String,
    pub response: Response,
    pub sent_at: f64,
    pub first_byte_at: f64,
    pub received: f64,
    pub next_progress: f64,
    /// Bytes reported so far (`None`: not even the headers): a browser reports the headers,
    /// then only chunks that arrived.
    pub reported: Option<u64>,
}

impl Transfer {
    fn size(&self) -> f64 {
        self.response.deliverable().unwrap_or(0.0)
    }
    /// In its body phase and still receiving.
    fn receiving(&self, now: f64) -> bool {
        self.first_byte_at <= now + EPS
            && self
                .response
                .deliverable()
                .is_some_and(|d| self.received < d - 1e-6)
    }

    /// Reports the bytes received when they grew (a browser reports nothing new otherwise) and
    /// schedules the next report.
    fn report_progress(&mut self, now: f64, interval: f64, total: u64, events: &mut Vec<NetEvent>) {
        let loaded = self.received as u64;
        if self.reported.map_or(true, |r| loaded > r) {
            self.reported = Some(loaded);
            events.push(NetEvent::Progress {
                id: self.id,
                loaded,
                total,
            });
        }
        self.next_progress = now + interval;
    }
}

/// What happened on the link at a given instant.
#[derive(Debug, Clone, PartialEq)]
pub enum NetEvent {
    Progress {
        id: RequestId,
        loaded: u64,
        total: u64,
    },
    Done {
        id: RequestId,
        url: String,
        size: u64,
    },
    Failed {
        id: RequestId,
        status: u16,
        body: Option<String>,
    },
}

#[derive(Debug, Default)]
pub struct Network {
    pub transfers: Vec<Transfer>,
    pub progress_interval: f64,
    /// Peak number of concurrent transfers seen.
    pub peak_concurrency: usize,
}

const EPS: f64 = 1e-9;

impl Network {
    pub fn new(progress_interval: f64) -> Self {
        Network {
            transfers: Vec::new(),
            progress_interval,
            peak_concurrency: 0,
        }
    }

    pub fn start(&mut self, id: RequestId, url: String, response: Response, now: f64, ttfb: f64) {
        self.transfers.push(Transfer {
            id,
            url,
            response,
            sent_at: now,
            first_byte_at: now + ttfb,
            received: 0.0,
            next_progress: now + ttfb,
            reported: None,
        });
        self.peak_concurrency = self.peak_concurrency.max(self.transfers.len());
    }

    pub fn cancel(&mut self, id: RequestId) {
        self.transfers.retain(|t| t.id != id);
    }

    fn body_phase(&self, now: f64) -> usize {
        self.transfers.iter().filter(|t| t.receiving(now)).count()
    }

    /// The next instant something happens on the link (not counting rate changes).
    pub fn next_event(&self, now: f64, trace: &Trace) -> f64 {
        let n = self.body_phase(now).max(1) as f64;
        let share = trace.bytes_per_s(now) / n;
        let mut next = f64::INFINITY;
        for t in &self.transfers {
            if t.first_byte_at > now + EPS {
                if !matches!(t.response, Response::Stall) {
                    next = next.min(t.first_byte_at);
                }
                continue;
            }
            if let Response::Ok { .. } = t.response {
                if share > 0.0 {
                    next = next.min(now + (t.size() - t.received).max(0.0) / share);
                }
                next = next.min(t.next_progress);
            } else if t.receiving(now) {
                if share > 0.0 {
                    next = next.min(now + (t.size() - t.received).max(0.0) / share);
                }
                next = next.min(t.next_progress);
            }
        }
        next
    }

    /// Move bytes from `now` to `to` (the rate is constant in between).
    pub fn advance(&mut self, now: f64, to: f64, trace: &Trace) {
        let dt = to - now;
        if dt <= 0.0 {
            return;
        }
        let n = self.body_phase(now).max(1) as f64;
        let share = trace.bytes_per_s(now) / n;
        for t in &mut self.transfers {
            if t.receiving(now) {
                t.received = (t.received + share * dt).min(t.size());
            }
        }
    }

    /// Events due at `now`.
    pub fn collect(&mut self, now: f64) -> Vec<NetEvent> {
        let mut events = Vec::new();
        let interval = self.progress_interval;
        self.transfers.retain_mut(|t| {
            if t.first_byte_at > now + EPS {
                return true;
            }
            match &t.response {
                Response::Stall => true,
                Response::Cached { size } => {
                    events.push(NetEvent::Done {
                        id: t.id,
                        url: t.url.clone(),
                        size: *size,
                    });
                    false
                }
                Response::Fail { status, body } => {
                    events.push(NetEvent::Failed {
                        id: t.id,
                        status: *status,
                        body: body.clone(),
                    });
                    false
                }
                Response::Ok { size } => {
                    let size = *size;
                    if t.received >= size as f64 - 1e-6 {
                        events.push(NetEvent::Done {
                            id: t.id,
                            url: t.url.clone(),
                            size,
                        });
                        return false;
                    }
                    if t.next_progress <= now + EPS {
                        t.report_progress(now, interval, size, &mut events);
                    }
                    true
                }
                Response::Partial { size, .. } => {
                    let size = *size;
                    let receiving = t.received < t.size() - 1e-6;
                    if t.next_progress <= now + EPS || !receiving {
                        t.report_progress(now, interval, size, &mut events);
                    }
                    true
                }
            }
        });
        events
    }
}
