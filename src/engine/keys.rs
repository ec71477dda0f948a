//! Decryption keys (EXT-X-KEY): each key URI is fetched once through the same loader as the
//! segments (credentials mode, retries, the refresh after a CDN refusal, redacted URLs), shared
//! by every request that needs it while in flight, and kept. A segment is fetched together with
//! its key, its bytes held until the key is in; an init segment waits for its key. A segment
//! that does not decrypt is fetched again once, with its key fetched again too (a key rotated on
//! the origin, a stale cached one), then it is fatal.

use std::fmt;
use std::rc::Rc;

use crate::playlist::{Key, KeyMethod};

use super::auth::redact_url;
use super::decisions::Decision;
use super::loader::{Request, RequestId, RequestKind};
use super::media::RemuxFailure;
use super::stream::SegmentFetch;
use super::types::{ErrorCause, StreamKind};
use super::{Engine, SegmentRemuxer};

/// Keys kept: a live stream that rotates keys would otherwise hold every key it ever used.
const CACHED_KEYS: usize = 16;

/// How a segment (or init segment) is encrypted: its EXT-X-KEY and the IV it uses.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SegKey {
    pub(super) key: Rc<Key>,
    pub(super) iv: [u8; 16],
}

/// A key's bytes. Its `Debug` prints the length only: key bytes never reach an event, a log
/// line or a message.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct KeyBytes(Rc<[u8]>);

impl KeyBytes {
    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyBytes({} bytes)", self.0.len())
    }
}

#[derive(Debug)]
enum Entry {
    /// In flight, for a key of this method (its length is checked on arrival).
    Loading(RequestId, KeyMethod),
    Ready(KeyBytes),
}

/// Keys by URI, oldest first, and the URIs refetched after a segment failed to decrypt.
#[derive(Debug, Default)]
pub(super) struct Keys {
    entries: Vec<(String, Entry)>,
    refetched: Vec<String>,
}

/// What a segment's key is now.
pub(super) enum KeyNeed {
    Ready(KeyBytes),
    /// Its request is in flight.
    Loading,
}

impl KeyNeed {
    pub(super) fn ready(self) -> Option<KeyBytes> {
        match self {
            KeyNeed::Ready(bytes) => Some(bytes),
            KeyNeed::Loading => None,
        }
    }
}

impl Keys {
    fn get(&self, uri: &str) -> Option<&Entry> {
        self.entries.iter().find(|(u, _)| u == uri).map(|(_, e)| e)
    }

    /// Drop the entry of `uri`, if any (one copy of the `retain` for both callers).
    fn forget(&mut self, uri: &str) {
        self.entries.retain(|(u, _)| u != uri);
    }

    fn set(&mut self, uri: &str, entry: Entry) {
        self.forget(uri);
        if self.entries.len() >= CACHED_KEYS {
            // The oldest key that is not loading: a request in flight must find its entry.
            if let Some(i) = self
                .entries
                .iter()
                .position(|(_, e)| matches!(e, Entry::Ready(_)))
            {
                self.entries.remove(i);
            }
        }
        self.entries.push((uri.to_string(), entry));
    }

    /// The key URI a request in flight loads, and the key's method.
    fn loading(&self, id: RequestId) -> Option<(String, KeyMethod)> {
        self.entries.iter().find_map(|(u, e)| match e {
            Entry::Loading(l, method) if *l == id => Some((u.clone(), *method)),
            _ => None,
        })
    }

    /// Forget the key of `uri` so that it is fetched again: `true` the first time for that URI
    /// since it last decrypted a segment, `false` when it was refetched already.
    fn refetch(&mut self, uri: &str) -> bool {
        if self.refetched.iter().any(|u| u == uri) {
            return false;
        }
        self.forget(uri);
        self.refetched.push(uri.to_string());
        true
    }

    /// A segment decrypted with the key of `uri`: a later failure gets its own refetch.
    pub(super) fn decrypted(&mut self, uri: &str) {
        self.refetched.retain(|u| u != uri);
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    /// The bytes of `key`, from the cache or, the first time, requested here.
    pub(super) fn key_for(&mut self, key: &Key) -> KeyNeed {
        match self.keys.get(&key.uri) {
            Some(Entry::Ready(bytes)) => return KeyNeed::Ready(bytes.clone()),
            Some(Entry::Loading(..)) => return KeyNeed::Loading,
            None => {}
        }
        let id = self.new_request(RequestKind::Key, key.uri.clone(), None);
        if self.debugging() {
            let url = redact_url(&key.uri);
            self.decided(Decision::KeyFetch { url });
        }
        self.keys.set(&key.uri, Entry::Loading(id, key.method));
        KeyNeed::Loading
    }

    /// The key of the segment stream `kind` is fetching (requested here if it is not in):
    /// `None` for a clear segment.
    pub(super) fn fetch_key(&mut self, kind: StreamKind) -> Option<KeyNeed> {
        let fetch = self.stream(kind)?.fetch.as_ref()?;
        let key = Rc::clone(&fetch.seg.key.as_ref()?.key);
        Some(self.key_for(&key))
    }

    /// A key arrived: kept when it has the length its method needs, else a fatal `key` error
    /// naming the URL and the length (an HTML error page served with a 200 lands here).
    pub(super) fn on_key(&mut self, r: &Request, data: Vec<u8>) {
        let Some((uri, method)) = self.keys.loading(r.id) else {
            return; // not the request the cache waits for
        };
        let want = method.key_len();
        if data.len() != want {
            let len = data.len();
            let details = format!("the key is {len} bytes; {want} expected");
            self.error(ErrorCause::Key { len }, details, true, Some(&r.url));
            return;
        }
        self.keys.set(&uri, Entry::Ready(KeyBytes(data.into())));
        // Segments fetched alongside the key: their bytes held so far go to the remuxer, and a
        // body that completed meanwhile is taken as it arrived.
        for kind in [StreamKind::Main, StreamKind::Audio] {
            let Some(st) = self.stream_mut(kind) else {
                continue;
            };
            let waits = |k: &Option<SegKey>| k.as_ref().is_some_and(|k| k.key.uri == uri);
            if !st.fetch.as_ref().is_some_and(|f| waits(&f.seg.key)) {
                continue;
            }
            let held = st.streaming.as_ref().filter(|s| s.cipher.awaiting_key());
            if let Some((id, level)) = held.zip(st.fetch.as_ref()).map(|(s, f)| (s.id, f.level)) {
                // The request is over when its body was parked: its URL is there.
                let parked_url = st.parked.as_ref().map(|p| p.request.url.clone());
                let url = self.requests.get(id).map(|r| r.url.clone());
                self.push_chunk(
                    kind,
                    id,
                    level,
                    &[],
                    &url.or(parked_url).unwrap_or_default(),
                );
            }
            if let Some(p) = self.stream_mut(kind).and_then(|st| st.parked.take()) {
                self.segment_done(p.request, p.level, p.sequence, p.data, p.arrived_at);
            }
        }
    }

    /// Segment `fetch` of stream `kind` did not decrypt (bad padding, or it does not demux
    /// after decryption): fetched again with its key fetched again, once; then fatal.
    pub(super) fn decrypt_failed(
        &mut self,
        kind: StreamKind,
        fetch: &SegmentFetch,
        failure: &RemuxFailure,
        url: &str,
    ) {
        let Some(key) = fetch.seg.key.as_ref() else {
            return;
        };
        let sequence = fetch.seg.sequence;
        let key_url = redact_url(&key.key.uri);
        let first = self.keys.refetch(&key.key.uri);
        let what = format!(
            "segment {sequence} does not decrypt with the key {key_url}: {}",
            failure.message
        );
        let cause = ErrorCause::Decrypt { sequence };
        if !first {
            self.error(
                cause,
                format!("{what}; again after refetching the key"),
                true,
                Some(url),
            );
            return;
        }
        self.error(
            cause,
            format!("{what}; refetching the key and the segment"),
            false,
            Some(url),
        );
        if let Some(st) = self.stream_mut(kind) {
            st.jump_to(fetch.seg.start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_bytes_debug_prints_the_length_not_the_bytes() {
        let k = KeyBytes(vec![0xab; 16].into());
        let shown = format!("{k:?}");
        assert_eq!(shown, "KeyBytes(16 bytes)");
        assert!(!shown.contains("ab") && !shown.contains("171"));
    }

    #[test]
    fn a_key_uri_is_refetched_once_until_a_segment_decrypts_with_it() {
        let mut keys = Keys::default();
        keys.set("k1", Entry::Ready(KeyBytes(vec![1; 16].into())));
        assert!(keys.refetch("k1"));
        assert!(keys.get("k1").is_none(), "the refetch forgets the key");
        assert!(
            !keys.refetch("k1"),
            "a second failure is not refetched again"
        );
        keys.decrypted("k1");
        assert!(
            keys.refetch("k1"),
            "after a segment decrypted, a new failure refetches"
        );
    }

    #[test]
    fn the_cache_is_bounded_and_keeps_keys_in_flight() {
        let mut keys = Keys::default();
        keys.set("loading", Entry::Loading(RequestId(1), KeyMethod::Aes128));
        for i in 0..CACHED_KEYS + 4 {
            keys.set(&format!("k{i}"), Entry::Ready(KeyBytes(vec![0; 16].into())));
        }
        assert_eq!(keys.entries.len(), CACHED_KEYS);
        assert_eq!(
            keys.loading(RequestId(1)).map(|l| l.0).as_deref(),
            Some("loading")
        );
        assert!(keys.get("k0").is_none() && keys.get("k19").is_some());
    }
}
