//! The output timeline: 33-bit PTS/DTS unwrapped against the last timestamp seen, then mapped
//! by one offset (set by the first segment and after each discontinuity, see the module docs).
use super::{RemuxError, RemuxWarning, Seg, Transmuxer};
use crate::ts::TS_MASK;

/// A contiguous segment whose timestamps are this far from where the previous one ended has
/// an unsignalled discontinuity: it is placed right after the previous one.
const MAX_JUMP_90K: i64 = 10 * 90_000;

/// Timeline state saved when a segment starts, for [`Transmuxer::abort_segment`].
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Timeline {
    offset: Option<i64>,
    imposed: Option<i64>,
    reference: Option<i64>,
    video_next: Option<i64>,
    video_duration: u32,
    audio_next: Option<i64>,
    need_key: bool,
}

/// Unwrap a 33-bit timestamp to the value nearest the reference (which follows it).
fn unwrap_ts(reference: &mut Option<i64>, raw: u64) -> i64 {
    let raw = (raw & TS_MASK) as i64;
    let v = match *reference {
        None => raw,
        Some(r) => {
            let period = 1i64 << 33;
            let base = r - r.rem_euclid(period);
            let mut v = base + raw;
            if v - r > period / 2 {
                v -= period;
            } else if r - v > period / 2 {
                v += period;
            }
            v
        }
    };
    *reference = Some(v);
    v
}

impl Transmuxer {
    /// Timeline state a segment may change (restored by [`Self::abort_segment`]).
    pub(super) fn timeline(&self) -> Timeline {
        Timeline {
            offset: self.offset,
            imposed: self.imposed,
            reference: self.reference,
            video_next: self.video_next,
            video_duration: self.video_duration,
            audio_next: self.audio_next,
            need_key: self.need_key,
        }
    }

    /// Put the timeline back as [`Self::timeline`] saved it.
    pub(super) fn restore(&mut self, t: Timeline) {
        self.offset = t.offset;
        self.imposed = t.imposed;
        self.reference = t.reference;
        self.video_next = t.video_next;
        self.video_duration = t.video_duration;
        self.audio_next = t.audio_next;
        self.need_key = t.need_key;
    }

    /// Unwrap every timestamp in stream order: video from the reference, audio from the
    /// reference or else the first video DTS. Returns the first video DTS of the segment.
    pub(super) fn unwrap_timestamps(&mut self, seg: &mut Seg, fin: bool) -> Option<i64> {
        for f in self
            .demux
            .video
            .frames
            .get(self.v_ts.len()..)
            .unwrap_or(&[])
        {
            let dts = f.dts.map(|d| unwrap_ts(&mut seg.v_ref, d));
            let pts = f.pts.map(|p| unwrap_ts(&mut seg.v_ref, p));
            self.v_ts.push((dts, pts));
        }
        let first_video = self.v_ts.iter().find_map(|t| t.0);
        if seg.a_ref.is_none()
            && (fin || seg.start_ref.is_some() || first_video.is_some() || self.audio_only())
        {
            seg.a_ref = Some(seg.start_ref.or(first_video));
        }
        if let Some(r) = seg.a_ref.as_mut() {
            for f in self
                .demux
                .audio
                .frames
                .get(self.a_ts.len()..)
                .unwrap_or(&[])
            {
                self.a_ts.push(f.pts.map(|p| unwrap_ts(r, p)));
            }
        }
        if fin {
            self.reference = match (seg.v_ref, seg.a_ref.flatten()) {
                (Some(v), Some(a)) => Some(v.max(a)),
                (v, a) => a.or(v),
            };
        }
        first_video
    }

    /// The segment's mapping offset (output = unwrapped + offset), set once the first frame of
    /// every track is known (`None`: not yet). A contiguous segment keeps the stream's mapping
    /// unless its timestamps jumped; the first segment and a discontinuity map the segment's
    /// earliest timestamp to its playlist start.
    pub(super) fn map_timeline(
        &mut self,
        seg: &mut Seg,
        fin: bool,
        first_video: Option<i64>,
    ) -> Result<Option<i64>, RemuxError> {
        if let Some(o) = seg.offset {
            return Ok(Some(o));
        }
        let info = seg.info;
        let first_audio = self.a_ts.iter().find_map(|t| *t);
        // The mapping needs the first frame of every track (min of both).
        let ready = (first_video.is_some() || first_audio.is_some())
            && (first_video.is_some() || !self.demux.has_video())
            && (first_audio.is_some() || !self.demux.has_audio());
        if !(fin || ready) {
            return Ok(None);
        }
        let Some(first) = [first_video, first_audio].into_iter().flatten().min() else {
            return Err(RemuxError::NoFrames { len: seg.received });
        };
        let offset = match self.offset {
            Some(o) if !info.discontinuity => match self.expected_next_90k() {
                Some(e)
                    if seg.contiguous
                        && !info.rendition_switch
                        && (first + o - e).abs() > MAX_JUMP_90K =>
                {
                    seg.warnings.push(RemuxWarning::TimestampJump {
                        ms: (first + o - e) / 90,
                    });
                    self.video_next = None;
                    self.audio_next = None;
                    e - first
                }
                _ => o,
            },
            // A mapping point: the one another stream set, else the earliest timestamp on
            // the segment's playlist start.
            _ => self.imposed.take().unwrap_or(seg.start_90k - first),
        };
        self.offset = Some(offset);
        seg.offset = Some(offset);
        // A new audio configuration (sample rate) restarts the audio timeline in its
        // own units.
        if self.audio_written.is_some() && self.demux.audio.config != self.audio_written {
            self.audio_next = None;
        }
        seg.video_next_start = self.video_next;
        seg.expected = self.audio_next;
        Ok(Some(offset))
    }

    /// Where the next segment is expected to start on the output timeline (90 kHz): the
    /// earlier of the video and audio ends.
    fn expected_next_90k(&self) -> Option<i64> {
        let audio = self
            .audio_next
            .zip(self.audio_written)
            .map(|(n, c)| n * 90_000 / i64::from(c.sample_rate.max(1)));
        match (self.video_next, audio) {
            (Some(v), Some(a)) => Some(v.min(a)),
            (v, a) => v.or(a),
        }
    }
}
