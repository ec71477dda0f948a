//! Signed-cookie credentials: one de-duplicated refresh when the CDN refuses a request (the
//! refused requests wait and are resent with the same id and URL), a proactive refresh ahead
//! of a known expiry, and the error when a refresh fails.

use super::auth::{redact_url, Refusal};
use super::decisions::Decision;
use super::loader::{RequestId, RequestState};
use super::types::{ErrorCause, Event, Output, PlayerError};
use super::{Engine, SegmentRemuxer};

impl<R: SegmentRemuxer> Engine<R> {
    /// The CDN refused `id`: hold it (and every new request) until the app refreshes the
    /// credentials; ask for the refresh once.
    pub(super) fn hold_for_credentials(
        &mut self,
        id: RequestId,
        status: u16,
        body: Option<&str>,
        url: &str,
    ) {
        if let Some(r) = self.requests.get_mut(id) {
            r.state = RequestState::WaitingCredentials;
        }
        // The first refusal explains a refresh that fails.
        if self.auth.refusal.is_none() {
            self.auth.refusal = Some(Refusal::new(status, body, url));
        }
        self.auth.holding = true;
        if !self.auth.refreshing {
            self.auth.refreshing = true;
            self.out.push_back(Output::RefreshCredentials);
            self.event(Event::CredentialsRefreshNeeded { reactive: true });
            if self.debugging() {
                let refused = Some(redact_url(url));
                self.decided(Decision::CredentialsRefresh { refused });
            }
        }
    }

    /// Ahead of a known expiry, ask for fresh credentials without holding anything.
    pub(super) fn check_credentials_expiry(&mut self) {
        if let Some(t) = self.auth.proactive_at(self.cfg.credentials_refresh_margin) {
            if t <= self.now {
                self.auth.refreshing = true;
                self.auth.proactive_sent = true;
                self.out.push_back(Output::RefreshCredentials);
                self.event(Event::CredentialsRefreshNeeded { reactive: false });
                if self.debugging() {
                    self.decided(Decision::CredentialsRefresh { refused: None });
                }
            }
        }
    }

    pub(super) fn on_credentials_refreshed(&mut self, expires: Option<f64>) {
        self.auth.refreshing = false;
        self.auth.holding = false;
        self.auth.refusal = None;
        if expires.is_some() {
            self.auth.expires = expires;
            self.auth.proactive_sent = false;
        }
        let mut waiting: Vec<RequestId> = Vec::new();
        for r in self.requests.values() {
            if r.state == RequestState::WaitingCredentials {
                waiting.push(r.id);
            }
        }
        for id in waiting {
            if let Some(r) = self.requests.get_mut(id) {
                r.auth_retried = true;
            }
            self.send(id);
        }
    }

    pub(super) fn on_credentials_failed(&mut self, reason: String) {
        let reactive = self.auth.holding;
        self.auth.refreshing = false;
        self.auth.holding = false;
        // After a refusal, the refusal is the news (its code tells the app what is wrong); the
        // refresh failing is why it could not be fixed.
        match self.auth.refusal.take().filter(|_| reactive) {
            Some(refusal) => {
                let details = format!(
                    "{}; refreshing credentials failed: {reason}",
                    refusal.describe()
                );
                let cause = ErrorCause::Refused {
                    status: refusal.status,
                    code: refusal.code,
                };
                self.event(Event::Error(PlayerError {
                    kind: cause.kind(),
                    details,
                    fatal: true,
                    url: Some(refusal.url),
                    cause,
                }));
                self.fail();
            }
            None => self.error(
                ErrorCause::CredentialsRefresh,
                format!("credentials refresh failed: {reason}"),
                reactive,
                None,
            ),
        }
    }
}
