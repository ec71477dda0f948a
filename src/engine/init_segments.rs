//! EXT-X-MAP init segments of fMP4 renditions: fetched once per URI and byte range, kept in a
//! small cache (a level switch back, or a seek across renditions, needs them again), and given
//! to a stream's remuxer before the first segment that uses a different one.

use std::rc::Rc;

use crate::playlist::Map;

use super::decryption::BodyCipher;
use super::keys::{KeyBytes, KeyNeed, SegKey};
use super::loader::{Request, RequestId, RequestKind};
use super::media::RemuxFailure;
use super::stream::Stream;
use super::timeline::Seg;
use super::types::{ErrorCause, StreamKind};
use super::{Engine, SegmentRemuxer};

/// Init segments kept: a few levels and audio tracks' worth; the oldest goes first.
const CACHED_INITS: usize = 8;

/// Loaded init segments, most recently used last, each map once. A `Vec` moved by `remove`
/// (8 entries at most): `VecDeque`'s `remove` and `retain` are 1.3 KB raw of wasm used only here.
#[derive(Debug, Default)]
pub(super) struct InitCache {
    entries: Vec<(Rc<Map>, Rc<Vec<u8>>)>,
}

impl InitCache {
    pub(super) fn get(&mut self, map: &Map) -> Option<Rc<Vec<u8>>> {
        let entry = self.entries.remove(self.position(map)?);
        let data = Rc::clone(&entry.1);
        self.entries.push(entry);
        Some(data)
    }

    fn insert(&mut self, map: Rc<Map>, data: Vec<u8>) {
        if let Some(i) = self.position(&map) {
            self.entries.remove(i);
        } else if self.entries.len() >= CACHED_INITS {
            self.entries.remove(0);
        }
        self.entries.push((map, Rc::new(data)));
    }

    fn position(&self, map: &Map) -> Option<usize> {
        self.entries.iter().position(|(m, _)| **m == *map)
    }
}

/// What a segment needs before its bytes can go to the remuxer.
pub(super) enum InitNeed {
    /// No EXT-X-MAP: MPEG-TS or packed audio.
    None,
    Ready(Rc<Vec<u8>>),
    /// Its request is in flight.
    Loading,
}

/// The init segment a stream is fetching.
#[derive(Debug, Clone)]
pub(super) struct InitFetch {
    pub(super) id: RequestId,
    pub(super) map: Rc<Map>,
    /// Its key (loaded before it was requested) and IV, when it is encrypted.
    key: Option<(SegKey, KeyBytes)>,
    /// The media segment it was fetched for (named when it does not decrypt).
    sequence: u64,
}

impl<R: SegmentRemuxer> Engine<R> {
    /// The init segment `seg` needs, from the cache or, the first time, requested here.
    pub(super) fn init_for(&mut self, kind: StreamKind, seg: &Seg) -> InitNeed {
        let Some(map) = seg.map.as_ref() else {
            return InitNeed::None;
        };
        if let Some(data) = self.inits.get(map) {
            return InitNeed::Ready(data);
        }
        let loading = self
            .stream(kind)
            .and_then(|s| s.init_fetch.as_ref())
            .is_some_and(|f| *f.map == **map);
        if !loading {
            // An encrypted init segment waits for its key. Its IV is the tag's (required by
            // RFC 8216bis); without one, the sequence number of the segment that needs it.
            let key = match map.key.as_ref() {
                None => None,
                Some(k) => match self.key_for(k) {
                    KeyNeed::Ready(bytes) => {
                        let iv = k.iv(seg.sequence);
                        Some((
                            SegKey {
                                key: Rc::new(k.clone()),
                                iv,
                            },
                            bytes,
                        ))
                    }
                    KeyNeed::Loading => return InitNeed::Loading,
                },
            };
            let id = self.new_request(
                RequestKind::InitSegment { stream: kind },
                map.uri.clone(),
                map.byte_range,
            );
            let fetch = InitFetch {
                id,
                map: Rc::clone(map),
                key,
                sequence: seg.sequence,
            };
            if let Some(st) = self.stream_mut(kind) {
                if let Some(old) = st.init_fetch.replace(fetch) {
                    self.abort(old.id);
                }
            }
        }
        InitNeed::Loading
    }

    /// An init segment arrived: decrypted if it is encrypted, cached for the stream's next
    /// segment.
    pub(super) fn on_init_segment(&mut self, r: &Request, kind: StreamKind, data: Vec<u8>) {
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        if !st.init_fetch.as_ref().is_some_and(|f| f.id == r.id) {
            return;
        }
        let Some(f) = st.init_fetch.take() else {
            return;
        };
        let plain = match f.key.as_ref() {
            None => Ok(data),
            Some((k, bytes)) => BodyCipher::new(Some(k), Some(bytes))
                .and_then(|(mut cipher, _)| Ok(cipher.whole(&data)?.into_owned())),
        };
        match plain {
            Ok(plain) => self.inits.insert(f.map, plain),
            Err(e) => {
                let sequence = f.sequence;
                let details =
                    format!("the init segment of segment {sequence} does not decrypt: {e}");
                self.error(
                    ErrorCause::Decrypt { sequence },
                    details,
                    true,
                    Some(&r.url),
                );
            }
        }
    }
}

impl<R: SegmentRemuxer> Stream<R> {
    /// Give the remuxer the init segment of `seg` when it differs from the last one given.
    pub(super) fn push_init(
        &mut self,
        seg: &Seg,
        init: Option<&Rc<Vec<u8>>>,
    ) -> Result<(), RemuxFailure> {
        let (Some(map), Some(data)) = (seg.map.as_ref(), init) else {
            return Ok(());
        };
        if self.pushed_map.as_ref().is_some_and(|m| **m == **map) {
            return Ok(());
        }
        self.pushed_map = None;
        self.remux.push_init(data)?;
        self.pushed_map = Some(Rc::clone(map));
        Ok(())
    }
}
