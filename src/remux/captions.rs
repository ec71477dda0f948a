//! CEA-608 caption bytes from the video's SEI (ATSC A/53 `GA94` `cc_data`, found by the H.264
//! parser), handed out in display order and on the output timeline.
//!
//! Caption data rides in each access unit in decode order, but is meant for the picture it is
//! shown with: with B-frames the two orders differ, and 608 bytes taken in decode order would
//! come out scrambled. Each pair gets its frame's presentation time, mapped exactly as the
//! video sample is, and pairs are released sorted by that time. A pair can be released once no
//! later frame can show before it: every later frame has a greater decode time, and a frame
//! never shows before it decodes, so pairs shown at or before the newest emitted decode time
//! are final. The segment end releases the rest.
use super::{Seg, Transmuxer};
use crate::captions::Field;

/// One CEA-608 byte pair (parity bits included) at the time its picture is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CcData {
    /// Seconds on the output timeline: the presentation time of the picture carrying it.
    pub time: f64,
    /// `cc_type` 0 is field 1 (CC1/CC2, T1/T2), 1 is field 2 (CC3/CC4, T3/T4).
    pub field: Field,
    pub pair: [u8; 2],
}

/// A pair waiting for release, at its 90 kHz output presentation time.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingCc {
    pts: i64,
    field: Field,
    pair: [u8; 2],
}

impl Transmuxer {
    /// Queue the caption pairs of the elementary stream's frame `frame`, shown at `pts`
    /// (output 90 kHz). Frames are visited in decode order; frames without captions cost a
    /// comparison.
    pub(super) fn collect_captions(&mut self, seg: &mut Seg, frame: usize, pts: i64) {
        let es = &self.demux.video;
        while let Some(f) = es.cc_frames.get(seg.cc_done) {
            let at = f.frame as usize;
            if at > frame {
                break;
            }
            seg.cc_done += 1;
            if at < frame {
                continue;
            }
            let triplets = es.cc.get(f.start as usize..f.end as usize).unwrap_or(&[]);
            for t in triplets {
                let field = if t.cc_type == 0 {
                    Field::One
                } else {
                    Field::Two
                };
                // After every pair shown no later: stable for pairs of one picture.
                let pos = self.captions.partition_point(|c| c.pts <= pts);
                self.captions.insert(
                    pos,
                    PendingCc {
                        pts,
                        field,
                        pair: t.data,
                    },
                );
            }
        }
    }

    /// The pairs that are final: shown at or before `decoded_up_to` (the newest decode time
    /// emitted, 90 kHz), or all at the segment end. No allocation when there are none.
    pub(super) fn release_captions(
        &mut self,
        fin: bool,
        decoded_up_to: Option<i64>,
    ) -> Vec<CcData> {
        let n = if fin {
            self.captions.len()
        } else {
            match decoded_up_to {
                Some(d) => self.captions.partition_point(|c| c.pts <= d),
                None => 0,
            }
        };
        if n == 0 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(n);
        for c in self.captions.drain(..n) {
            out.push(CcData {
                time: c.pts as f64 / 90_000.0,
                field: c.field,
                pair: c.pair,
            });
        }
        out
    }
}
