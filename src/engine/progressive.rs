//! Progressive segments: body bytes pushed to the remuxer as they arrive, fragments appended
//! as they complete, and the state to undo when the segment is given up.

use super::decryption::BodyCipher;
use super::keys::{KeyBytes, KeyNeed};
use super::loader::{RequestId, RequestState};
use super::media::{RemuxFailure, RemuxOutput, SegmentInfo};
use super::stream::{SegmentFetch, Stream};
use super::types::StreamKind;
use super::{Engine, SegmentRemuxer};

/// A segment pushed to the remuxer as its bytes arrive.
#[derive(Debug, Clone)]
pub(super) struct Streaming {
    pub(super) id: RequestId,
    pub(super) info: SegmentInfo,
    /// Body bytes received as chunks.
    pub(super) bytes: u64,
    /// A remux failure mid-segment: reported when the download ends, the rest is ignored.
    pub(super) failed: Option<RemuxFailure>,
    /// The body's decryption, as its bytes arrive.
    pub(super) cipher: BodyCipher,
    /// Stream state taken by the first chunk, restored when the segment is given up.
    prev_level: Option<usize>,
    prev_non_contiguous: bool,
    prev_domain: Option<u64>,
}

impl<R: SegmentRemuxer> Engine<R> {
    /// Segment bytes as they arrive: remuxed and appended fragment by fragment.
    pub(super) fn on_chunk(&mut self, id: RequestId, data: Vec<u8>) {
        if !self.cfg.progressive {
            return;
        }
        let Some(r) = self.requests.get(id) else {
            return;
        };
        if r.state != RequestState::InFlight || !r.kind.is_media_segment() {
            return;
        }
        let url = r.url.clone();
        let Some((kind, level)) = self
            .stream_fetching(id)
            .and_then(|s| Some((s.kind, s.fetch.as_ref()?.level)))
        else {
            return;
        };
        self.push_chunk(kind, id, level, &data, &url);
    }

    pub(super) fn push_chunk(
        &mut self,
        kind: StreamKind,
        id: RequestId,
        level: usize,
        data: &[u8],
        url: &str,
    ) {
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        if st.streaming.as_ref().is_some_and(|s| s.id != id) {
            self.drop_stream(kind);
        }
        let fetch = self.stream(kind).and_then(|s| s.fetch.as_ref());
        let sequence = fetch.map_or(0, |f| f.seg.sequence);
        let shared = fetch.and_then(|f| self.shared_offset(&f.seg));
        let key = self.fetch_key(kind).and_then(KeyNeed::ready);
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        if st.streaming.is_none() {
            let Some(fetch) = st.fetch.as_ref() else {
                return;
            };
            let (seg, init) = (fetch.seg.clone(), fetch.init.clone());
            let (prev_level, prev_non_contiguous) = (st.last_pushed_level, st.next_non_contiguous);
            let prev_domain = st.mapped_domain;
            let mut failed = st.push_init(&seg, init.as_ref()).err();
            let mut info = st.segment_info(&seg, level, shared);
            let cipher = match BodyCipher::new(seg.key.as_ref(), key.as_ref()) {
                Ok((cipher, sample_aes)) => {
                    info.sample_aes = sample_aes;
                    cipher
                }
                Err(e) => {
                    failed = failed.or(Some(e));
                    BodyCipher::Clear
                }
            };
            st.streaming = Some(Streaming {
                id,
                info,
                bytes: 0,
                failed,
                cipher,
                prev_level,
                prev_non_contiguous,
                prev_domain,
            });
        }
        let Some(s) = st.streaming.as_mut() else {
            return;
        };
        s.bytes += data.len() as u64;
        if s.failed.is_some() {
            return;
        }
        // The key came in since the bytes before: they go first.
        let seg_key = st.fetch.as_ref().and_then(|f| f.seg.key.as_ref());
        let held = match (seg_key, key.as_ref()) {
            (Some(k), Some(bytes)) if s.cipher.awaiting_key() => {
                match s.cipher.key_arrived(k, bytes) {
                    Ok((sample_aes, held)) => {
                        s.info.sample_aes = sample_aes;
                        Some(held)
                    }
                    Err(e) => {
                        s.failed = Some(e);
                        return;
                    }
                }
            }
            _ => None,
        };
        let info = s.info;
        let joined;
        let data = match held {
            Some(mut held) => {
                held.extend_from_slice(data);
                joined = held;
                &joined[..]
            }
            None => data,
        };
        let plain = s.cipher.push(data);
        if plain.is_empty() {
            return; // waiting for the key
        }
        match st.remux.push_chunk(plain, &info) {
            Ok(Some(out)) => {
                self.record_offset(kind);
                self.queue_output(out, kind, (level, sequence), url);
            }
            Ok(None) => {}
            Err(e) => {
                if let Some(s) = st.streaming.as_mut() {
                    s.failed = Some(e);
                }
                self.abort_remux(kind);
            }
        }
    }

    /// Give up the streamed segment (failed, aborted, abandoned, retried): the remuxer forgets
    /// it and the next push is decided as if it had never started. Appended fragments stay:
    /// the retry's frames replace them in the SourceBuffer.
    pub(super) fn drop_stream(&mut self, kind: StreamKind) {
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        if let Some(s) = st.streaming.take() {
            st.last_pushed_level = s.prev_level;
            st.next_non_contiguous |= s.prev_non_contiguous;
            st.mapped_domain = s.prev_domain;
            self.abort_remux(kind);
        }
    }

    /// The remuxer forgets `kind`'s partial segment; when its output stopped inside a fragment,
    /// that stream's SourceBuffers reset their parser before the next append.
    fn abort_remux(&mut self, kind: StreamKind) {
        let Some(st) = self.stream_mut(kind) else {
            return;
        };
        let cut = st.remux.mid_fragment();
        st.remux.abort_segment();
        if cut {
            self.reset_parsers(kind);
        }
    }

    /// Drop the streamed segment of request `id`, whichever stream it belongs to.
    pub(super) fn drop_stream_of(&mut self, id: RequestId) {
        let kinds = self.stream_kinds(&|s| s.streaming.as_ref().is_some_and(|st| st.id == id));
        for k in kinds {
            self.drop_stream(k);
        }
    }
}

impl<R: SegmentRemuxer> Stream<R> {
    /// The end of a streamed segment's body: the plaintext held back for the padding goes to
    /// the remuxer, then the remuxer's rest. Returns the output of the first (to queue before
    /// the rest) and the rest.
    pub(super) fn finish_streamed(
        &mut self,
        mut s: Streaming,
    ) -> (Option<RemuxOutput>, Result<RemuxOutput, RemuxFailure>) {
        if let Some(e) = s.failed.take() {
            return (None, Err(e));
        }
        let tail_out = match s.cipher.finish() {
            Ok([]) => None,
            Ok(tail) => match self.remux.push_chunk(tail, &s.info) {
                Ok(out) => out,
                Err(e) => return (None, Err(e)),
            },
            Err(e) => return (None, Err(e)),
        };
        (tail_out, self.remux.finish_segment(&s.info))
    }

    /// A segment that arrived whole: its init, decryption and remux.
    pub(super) fn push_whole(
        &mut self,
        fetch: &SegmentFetch,
        key: Option<&KeyBytes>,
        level: usize,
        shared: Option<f64>,
        data: &[u8],
    ) -> Result<RemuxOutput, RemuxFailure> {
        self.push_init(&fetch.seg, fetch.init.as_ref())?;
        let mut info = self.segment_info(&fetch.seg, level, shared);
        let (mut cipher, sample_aes) = BodyCipher::new(fetch.seg.key.as_ref(), key)?;
        info.sample_aes = sample_aes;
        let body = cipher.whole(data)?;
        self.remux.push(&body, &info)
    }
}
