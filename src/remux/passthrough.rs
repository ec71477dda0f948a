//! fMP4 (CMAF) segments behind an `EXT-X-MAP` init segment, passed through to MSE: each
//! `moof` + `mdat` is copied with its `tfdt`s moved onto the output timeline; `styp`, `sidx`,
//! `prft`, `emsg` and other top-level boxes are dropped.
//!
//! Timeline, as for TS ([`super::Transmuxer`]): the mapping (seconds added to media time) is
//! set by the first segment, after [`Passthrough::reset`] and on `discontinuity`, so that the
//! earliest presentation time of the segment's first fragment (min over its tracks) lands on
//! `SegmentInfo::start` — or later, when that would put a decode time before 0 (B-frames with
//! positive composition offsets at time 0: then the earliest decode time lands on 0). Every
//! other segment keeps the mapping (renditions share timestamps). Nothing else is changed:
//! holes and overlaps are the encoder's, as is each fragment's sample table.
//!
//! Progressive: a chunk that completes a `moof` and begins its `mdat` outputs them at once, and
//! the `mdat` body follows chunk by chunk as it arrives (MSE parsers take each sample as its
//! bytes come: the first frame is shown without waiting for a whole fragment, which CMAF
//! encoders make a GOP or a segment long). A segment given up in the middle of an `mdat` leaves
//! the SourceBuffer's parser mid-box: [`Passthrough::mid_fragment`] says so, and the engine
//! resets the parser (`SourceBuffer.abort()`) before anything else is appended.
use super::output::{add_codec, mime_type};
use super::{
    fmp4_captions, CcData, RemuxError, RemuxOutput, RemuxWarning, SegmentInfo, TrackKind,
    TrackOutput, MAX_SEGMENT_BYTES,
};
use crate::fmp4::boxes::{BoxError, Boxes, FourCc};
use crate::fmp4::moof::{check_sample_data, read_moof, Moof, Traf};
use crate::fmp4::moov::{read_init, Handler, InitSegment};
use crate::fmp4::segment::{fragment_head, next_top_level, TopLevel};
use crate::fmp4::tfdt::write_shifted_moof;
use std::ops::Range;

/// The init segment pushed last.
#[derive(Debug)]
struct Init {
    segment: InitSegment,
    /// `ftyp` + `moov` as given (other top-level boxes are left out).
    bytes: Vec<u8>,
    kind: TrackKind,
    codecs: String,
    mime: String,
}

/// The segment being pushed.
#[derive(Debug, Default)]
struct Segment {
    active: bool,
    info: SegmentInfo,
    /// The mapping and imposed mapping before the segment (for `abort_segment`).
    saved: (Option<f64>, Option<f64>),
    received: usize,
    /// Segment bytes before `Passthrough::pending`, for error offsets.
    scanned: usize,
    /// This segment sets the mapping (on its first fragment).
    remap: bool,
    fragments: usize,
    end: f64,
    warnings: Vec<RemuxWarning>,
}

/// A fragment output up to part of its `mdat` body.
#[derive(Debug, Clone, Copy)]
struct Open {
    /// Body bytes still to pass on.
    left: usize,
    /// Where the `mdat` is in the segment (for the error if the segment ends first).
    mdat_at: u64,
    /// The fragment's output range (each part of it is appended as that range).
    start: f64,
    end: f64,
}

/// What one call writes.
struct Emit {
    data: Vec<u8>,
    start: f64,
    end: f64,
    captions: Vec<CcData>,
}

/// The open fragment's bytes from its `moof` on, kept to read its captions once the `mdat` is
/// whole (only for a stream whose video can carry them).
#[derive(Debug)]
struct HeldFragment {
    bytes: Vec<u8>,
    /// Where the moof is in the segment, and what it says.
    at: u64,
    moof: Moof,
}

/// fMP4 passthrough for the segments of one stream (see the module docs).
#[derive(Debug, Default)]
pub struct Passthrough {
    init: Option<Init>,
    /// The init bytes go with the next output.
    init_pending: bool,
    /// Output seconds = media seconds + offset.
    offset: Option<f64>,
    /// Used instead of placing the next segment that sets the mapping.
    imposed: Option<f64>,
    seg: Segment,
    /// Bytes of the current segment not consumed yet (an incomplete box).
    pending: Vec<u8>,
    /// The fragment whose `mdat` body is being passed on.
    open: Option<Open>,
    held: Option<HeldFragment>,
}

impl Passthrough {
    pub fn new() -> Self {
        Self::default()
    }

    /// The init segment (EXT-X-MAP) of the segments pushed next; its bytes go with the next
    /// output. A bad init leaves the previous one in place.
    pub fn push_init(&mut self, init: &[u8]) -> Result<(), RemuxError> {
        if init.len() > MAX_SEGMENT_BYTES {
            return Err(RemuxError::TooLarge {
                len: init.len(),
                max: MAX_SEGMENT_BYTES,
            });
        }
        let segment = read_init(init)?;
        // Video codecs first, then audio (the tracks that have a codec string).
        let mut codecs = String::new();
        for handler in [Handler::Video, Handler::Audio] {
            for t in segment.tracks.iter().filter(|t| t.handler == handler) {
                add_codec(&mut codecs, t.codec.as_deref().unwrap_or_default());
            }
        }
        let has = |h: Handler| segment.tracks.iter().any(|t| t.handler == h);
        let (video, audio) = (has(Handler::Video), has(Handler::Audio));
        let kind = match (video, audio) {
            (true, true) => TrackKind::Combined,
            (true, false) => TrackKind::Video,
            (false, true) => TrackKind::Audio,
            (false, false) => return Err(RemuxError::NoMediaTracks),
        };
        let mime = mime_type(video, &codecs);
        let mut bytes = Vec::new();
        if let Some(ftyp) = &segment.ftyp {
            bytes.extend_from_slice(init.get(ftyp.clone()).unwrap_or_default());
        }
        bytes.extend_from_slice(init.get(segment.moov.clone()).unwrap_or_default());
        self.init = Some(Init {
            segment,
            bytes,
            kind,
            codecs,
            mime,
        });
        self.init_pending = true;
        Ok(())
    }

    /// Seconds added to media time to get output time (`None` until the first segment).
    pub fn offset(&self) -> Option<f64> {
        self.offset
    }

    /// The next segment that sets the mapping (the first, or one after `reset` or with
    /// `discontinuity`) uses `offset` instead of its own placement: how the engine keeps an
    /// audio rendition on the main stream's timeline. A non-finite offset is ignored.
    pub fn impose_offset(&mut self, offset: f64) {
        if offset.is_finite() {
            self.imposed = Some(offset);
        }
    }

    /// Forget everything, the init segment included (the engine pushes it again).
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// One whole segment: the same bytes as [`Self::push_chunk`] with any split followed by
    /// [`Self::finish_segment`].
    pub fn push(&mut self, segment: &[u8], info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        self.abort_segment();
        if segment.len() > MAX_SEGMENT_BYTES {
            return Err(RemuxError::TooLarge {
                len: segment.len(),
                max: MAX_SEGMENT_BYTES,
            });
        }
        self.begin(info)?;
        self.seg.received = segment.len();
        let out = self.finish_with(segment);
        self.end_segment(out)
    }

    /// Bytes of the current segment as they arrive: the fragments completed by them, or `None`.
    /// The first push of a segment starts it with `info`; end it with
    /// [`Self::finish_segment`] or [`Self::abort_segment`].
    pub fn push_chunk(
        &mut self,
        data: &[u8],
        info: &SegmentInfo,
    ) -> Result<Option<RemuxOutput>, RemuxError> {
        if !self.seg.active {
            self.begin(info)?;
        }
        self.seg.received = self.seg.received.saturating_add(data.len());
        if self.seg.received > MAX_SEGMENT_BYTES {
            return Err(RemuxError::TooLarge {
                len: self.seg.received,
                max: MAX_SEGMENT_BYTES,
            });
        }
        let mut emit = Emit::new();
        let data = self.continue_mdat(data, &mut emit);
        if self.open.is_some() {
            return Ok(Some(self.output(emit)));
        }
        self.pending.extend_from_slice(data);
        let pending = std::mem::take(&mut self.pending);
        let used = self.scan(&pending, false, &mut emit);
        self.pending = pending;
        self.pending.drain(..used?.min(self.pending.len()));
        Ok((!emit.data.is_empty()).then(|| self.output(emit)))
    }

    /// End of the current segment: the fragments not output yet (`tracks` empty when the
    /// chunks output them all).
    pub fn finish_segment(&mut self, info: &SegmentInfo) -> Result<RemuxOutput, RemuxError> {
        if !self.seg.active {
            self.begin(info)?;
        }
        if let Some(open) = self.open {
            let cut = BoxError::malformed(
                FourCc::new(b"mdat"),
                open.mdat_at,
                "its size runs past the end of the segment",
            );
            return self.end_segment(Err(cut.into()));
        }
        let pending = std::mem::take(&mut self.pending);
        let out = self.finish_with(&pending);
        self.end_segment(out)
    }

    /// Forget a partially pushed segment: the mapping is as before it. Output already given
    /// stays given (the init segment is not sent again).
    pub fn abort_segment(&mut self) {
        if self.seg.active {
            (self.offset, self.imposed) = self.seg.saved;
        }
        self.seg.active = false;
        self.pending.clear();
        self.open = None;
        self.held = None;
    }

    /// The bytes output so far end inside an `mdat`: a SourceBuffer given them waits for the
    /// rest, so its parser must be reset before this segment is given up.
    pub fn mid_fragment(&self) -> bool {
        self.open.is_some()
    }

    /// Pass on the front of `data` that belongs to the open `mdat`; the rest is returned.
    fn continue_mdat<'a>(&mut self, data: &'a [u8], emit: &mut Emit) -> &'a [u8] {
        let Some(open) = self.open.as_mut() else {
            return data;
        };
        let (body, rest) = data.split_at(open.left.min(data.len()));
        emit.data.extend_from_slice(body);
        (emit.start, emit.end) = (open.start, open.end);
        open.left -= body.len();
        self.seg.scanned += body.len();
        if let Some(held) = self.held.as_mut() {
            held.bytes.extend_from_slice(body);
        }
        if open.left == 0 {
            self.open = None;
            if let Some(held) = self.held.take() {
                self.held_captions(&held, emit);
            }
        }
        rest
    }

    fn begin(&mut self, info: &SegmentInfo) -> Result<(), RemuxError> {
        if self.init.is_none() {
            return Err(RemuxError::NoInit);
        }
        let mut warnings = std::mem::take(&mut self.seg.warnings);
        warnings.clear();
        self.seg = Segment {
            active: true,
            info: *info,
            saved: (self.offset, self.imposed),
            remap: self.offset.is_none() || info.discontinuity,
            end: info.start.max(0.0),
            warnings,
            ..Segment::default()
        };
        self.pending.clear();
        self.open = None;
        self.held = None;
        Ok(())
    }

    /// Scan the last bytes of the segment and make the final output.
    fn finish_with(&mut self, rest: &[u8]) -> Result<RemuxOutput, RemuxError> {
        let mut emit = Emit::new();
        self.scan(rest, true, &mut emit)?;
        if self.seg.fragments == 0 {
            return Err(RemuxError::NoFragments {
                len: self.seg.received,
            });
        }
        if emit.data.is_empty() {
            let at = self.seg.end;
            return Ok(RemuxOutput {
                tracks: Vec::new(),
                start: at,
                end: at,
                warnings: std::mem::take(&mut self.seg.warnings),
                captions: emit.captions,
            });
        }
        Ok(self.output(emit))
    }

    /// The segment is over; a failure puts the mapping back as before it.
    fn end_segment(
        &mut self,
        out: Result<RemuxOutput, RemuxError>,
    ) -> Result<RemuxOutput, RemuxError> {
        if out.is_err() {
            self.abort_segment();
        }
        self.seg.active = false;
        out
    }

    /// Write every complete fragment at the front of `bytes` (the segment's bytes from
    /// `seg.scanned` on); returns how many bytes were consumed.
    fn scan(&mut self, bytes: &[u8], end: bool, emit: &mut Emit) -> Result<usize, RemuxError> {
        let mut pos = 0;
        while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
            let at = (self.seg.scanned + pos) as u64;
            match next_top_level(rest, at, end)? {
                TopLevel::NeedMore => {
                    if let (false, Some(head)) = (end, fragment_head(rest, at)) {
                        let body = head.mdat_body as u64..head.len as u64;
                        let (from, to) = self.fragment(rest, head.moof_len, body, at, emit)?;
                        self.open = Some(Open {
                            left: head.len - rest.len(),
                            mdat_at: at + head.mdat_at as u64,
                            start: from,
                            end: to,
                        });
                        pos += rest.len();
                    }
                    break;
                }
                TopLevel::Skip { len } => pos += len,
                TopLevel::Fragment {
                    moof_len,
                    mdat_body,
                    len,
                } => {
                    let whole = rest.get(..len).unwrap_or(&[]);
                    let body = mdat_body as u64..len as u64;
                    self.fragment(whole, moof_len, body, at, emit)?;
                    pos += len;
                }
            }
        }
        self.seg.scanned += pos;
        Ok(pos)
    }

    /// One `moof` (at byte `at`, `moof_len` bytes) and what follows it through its `mdat`
    /// (whose body is at `body` from the moof start): `fragment` holds the moof and the bytes
    /// after it received so far. A whole fragment's captions are read here; one that can carry
    /// them and is not whole yet is held until its `mdat` is.
    fn fragment(
        &mut self,
        fragment: &[u8],
        moof_len: usize,
        body: Range<u64>,
        at: u64,
        emit: &mut Emit,
    ) -> Result<(f64, f64), RemuxError> {
        let (moof_bytes, mdat) = fragment.split_at(moof_len.min(fragment.len()));
        let init = self.init.as_ref().ok_or(RemuxError::NoInit)?;
        let moof_box = Boxes::new(moof_bytes, at)
            .next()
            .ok_or(RemuxError::NoFragments {
                len: moof_bytes.len(),
            })??;
        let moof = read_moof(&moof_box, &init.segment)?;
        let whole = fragment.len() as u64 >= body.end;
        check_sample_data(&moof, at, body)?;
        if self.seg.fragments == 0 {
            for t in &moof.trafs {
                if t.handler == Handler::Video && t.first_sync == Some(false) {
                    self.seg
                        .warnings
                        .push(RemuxWarning::SegmentStartsWithoutSyncSample {
                            track_id: t.track_id,
                        });
                }
            }
            if self.seg.remap {
                self.offset = Some(match self.imposed.take() {
                    Some(o) => o,
                    None => placement(&moof, self.seg.info.start.max(0.0)),
                });
            }
        }
        let offset = self.offset.unwrap_or(0.0);
        let delta = |t: &Traf| shift(offset, t);
        write_shifted_moof(&mut emit.data, moof_bytes, at, &moof, delta)?;
        emit.data.extend_from_slice(mdat);
        if whole {
            fmp4_captions::read(
                fragment,
                at,
                &moof,
                &init.segment,
                offset,
                &mut emit.captions,
            )?;
        }
        let (mut start, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
        for t in moof.trafs.iter().filter(|t| t.sample_count > 0) {
            let (ts, d) = (f64::from(t.timescale), delta(t));
            start = start.min(t.earliest_presentation().saturating_add(d) as f64 / ts);
            end = end.max(t.presentation_end().saturating_add(d) as f64 / ts);
        }
        emit.start = emit.start.min(start);
        emit.end = emit.end.max(end);
        self.seg.fragments += 1;
        if !whole && fmp4_captions::may_carry(&init.segment) {
            self.held = Some(HeldFragment {
                bytes: fragment.to_vec(),
                at,
                moof,
            });
        }
        Ok((start, end))
    }

    /// The captions of a fragment passed on progressively, now that its `mdat` is whole. Its
    /// moof was read and checked when it opened, so nothing here fails that did not fail then.
    fn held_captions(&self, held: &HeldFragment, emit: &mut Emit) {
        let Some(init) = &self.init else { return };
        let offset = self.offset.unwrap_or(0.0);
        let (bytes, segment) = (&held.bytes, &init.segment);
        let _ = fmp4_captions::read(
            bytes,
            held.at,
            &held.moof,
            segment,
            offset,
            &mut emit.captions,
        );
    }

    /// One output: the data written, with the init bytes the first time after `push_init`.
    fn output(&mut self, emit: Emit) -> RemuxOutput {
        let (start, end) = if emit.start.is_finite() {
            (emit.start, emit.end)
        } else {
            (self.seg.end, self.seg.end)
        };
        self.seg.end = end;
        let mut tracks = Vec::new();
        if let Some(init) = &self.init {
            tracks.push(TrackOutput {
                kind: init.kind,
                codecs: init.codecs.clone(),
                mime: init.mime.clone(),
                init: self.init_pending.then(|| init.bytes.clone()),
                data: emit.data,
            });
        }
        self.init_pending = false;
        RemuxOutput {
            tracks,
            start,
            end,
            warnings: std::mem::take(&mut self.seg.warnings),
            captions: emit.captions,
        }
    }
}

impl Emit {
    fn new() -> Self {
        Emit {
            data: Vec::new(),
            start: f64::INFINITY,
            end: f64::NEG_INFINITY,
            captions: Vec::new(),
        }
    }
}

/// A track's shift onto the output timeline, in its timescale.
pub(super) fn shift(offset: f64, t: &Traf) -> i64 {
    (offset * f64::from(t.timescale)).round() as i64
}

/// The mapping that puts the fragment's earliest presentation time on `start`, moved later if
/// a track's decode time would fall before 0.
fn placement(moof: &Moof, start: f64) -> f64 {
    let mut earliest = f64::INFINITY;
    let mut floor = f64::NEG_INFINITY;
    for t in &moof.trafs {
        let ts = f64::from(t.timescale);
        earliest = earliest.min(t.earliest_presentation() as f64 / ts);
        floor = floor.max(-(t.decode_start() as f64) / ts);
    }
    if !earliest.is_finite() {
        return start;
    }
    (start - earliest).max(floor)
}
