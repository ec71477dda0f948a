//! `hlsplay inject-608 IN.ts --captions CAPTIONS.vtt -o OUT.ts`: CEA-608 captions into the
//! H.264 of an MPEG-TS stream, as a caption inserter puts them there. The cues of a WebVTT file
//! become CC1 pop-on captions (each loaded into non-displayed memory ahead of time, shown by
//! End Of Caption on the frame nearest its start, erased on the frame nearest its end unless the
//! next replaces it), and every access unit gets an SEI with one GA94 `cc_data` pair per field
//! for its display position. Cue times count from the first frame shown (its PTS is cue time 0,
//! ffmpeg's zero for `movie=IN.ts[out0+subcc]`). OUT.ts holds the video alone, timestamps kept:
//! mux the audio back with ffmpeg (`-copyts`). Used by `scripts/make-sample.sh cc608`.
use super::cea608_encoder::{sei_nal, Channel608, EDM, ENM, EOC, PAD, RCL};
use super::mpegts_writer::Mux;
use hlsplay::captions::{Cue, WebVtt};
use hlsplay::ts::{Demuxer, EsFrame, TS_MASK};

pub const USAGE: &str = "  inject-608 IN.ts --captions CAPTIONS.vtt -o OUT.ts   CEA-608 (CC1 pop-on) captions into the H.264 of IN.ts\n";

/// Characters on one row of the 608 caption grid.
const ROW_CHARS: usize = 32;
/// Rows a pop-on caption may use here (the bottom ones).
const MAX_ROWS: usize = 4;

pub fn run(args: &[String]) -> Result<(), String> {
    let (mut input, mut captions, mut output) = (None, None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--captions" => {
                captions = Some(it.next().ok_or("inject-608: --captions needs a file")?)
            }
            "-o" => output = Some(it.next().ok_or("inject-608: -o needs a file")?),
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(format!("inject-608: unknown option `{other}`"));
            }
            other if input.is_none() => input = Some(other),
            other => return Err(format!("inject-608: one input only (`{other}`)")),
        }
    }
    let input = input.ok_or("inject-608: no input TS")?;
    let captions = captions.ok_or("inject-608: --captions CAPTIONS.vtt is required")?;
    let output = output.ok_or("inject-608: -o OUT.ts is required")?;
    let read = |path: &str| {
        std::fs::read(path).map_err(|e| format!("inject-608: cannot read {path}: {e}"))
    };
    let vtt = WebVtt::parse(&read(captions)?, captions).map_err(|e| format!("inject-608: {e}"))?;
    if let Some(w) = vtt.warnings.first() {
        return Err(format!("inject-608: {w}"));
    }
    let video =
        CaptionedVideo::read(&read(input)?).map_err(|e| format!("inject-608: {input}: {e}"))?;
    let field1 =
        pop_on(&vtt.cues, &video.times()).map_err(|e| format!("inject-608: {captions}: {e}"))?;
    let out = video.write(&field1, &[]);
    std::fs::write(output, out).map_err(|e| format!("inject-608: cannot write {output}: {e}"))?;
    eprintln!(
        "inject-608: {} captions into {} frames of {input} -> {output}",
        vtt.cues.len(),
        video.frames.len()
    );
    Ok(())
}

/// The video of a TS stream, ready to be written again with caption SEI.
pub struct CaptionedVideo {
    pub frames: Vec<EsFrame>,
    /// Length-prefixed NAL units of every frame, back to back (`EsFrame::offset`, `size`).
    data: Vec<u8>,
    sps: Vec<u8>,
    pps: Vec<Vec<u8>>,
    /// The display position of each frame (decode order in, rank by PTS out).
    display: Vec<usize>,
    /// PTS of each frame, unwrapped from the first (90 kHz).
    pts: Vec<u64>,
    dts: Vec<u64>,
}

impl CaptionedVideo {
    pub fn read(ts: &[u8]) -> Result<Self, String> {
        let mut demux = Demuxer::new();
        demux.push(ts);
        demux.finish_segment().map_err(|e| e.to_string())?;
        let es = demux.video;
        if es.frames.is_empty() {
            return Err("no H.264 video".into());
        }
        let (mut pts, mut dts) = (Vec::new(), Vec::new());
        let unwrap = |t: u64, near: u64| -> u64 {
            // Timestamps within a stream are near each other: undo a 33-bit wrap.
            let t = t & TS_MASK;
            if t + (1 << 32) < near {
                t + (1 << 33)
            } else {
                t
            }
        };
        for (i, f) in es.frames.iter().enumerate() {
            let (Some(p), Some(d)) = (f.pts, f.dts.or(f.pts)) else {
                return Err(format!("frame {i} (decode order) has no PTS"));
            };
            let near = dts.last().copied().unwrap_or(d);
            pts.push(unwrap(p, near));
            dts.push(unwrap(d, near));
        }
        let mut by_pts: Vec<usize> = (0..es.frames.len()).collect();
        by_pts.sort_by_key(|&i| pts.get(i).copied());
        let mut display = vec![0; es.frames.len()];
        for (rank, &i) in by_pts.iter().enumerate() {
            if let Some(d) = display.get_mut(i) {
                *d = rank;
            }
        }
        Ok(CaptionedVideo {
            frames: es.frames,
            data: es.data,
            sps: es.sps,
            pps: es.pps,
            display,
            pts,
            dts,
        })
    }

    /// Seconds from the first frame shown to each frame, in display order.
    pub fn times(&self) -> Vec<f64> {
        let mut pts = self.pts.clone();
        pts.sort_unstable();
        let first = pts.first().copied().unwrap_or(0);
        pts.iter().map(|&p| (p - first) as f64 / 90_000.0).collect()
    }

    /// The video as a TS stream (PAT, PMT, video PES), each access unit with an SEI carrying the
    /// pairs of its display position (padding past the end of `field1` / `field2`), and the
    /// SPS and PPS before every keyframe.
    pub fn write(&self, field1: &[[u8; 2]], field2: &[[u8; 2]]) -> Vec<u8> {
        let mut mux = Mux::default();
        mux.psi(true, false);
        for (i, f) in self.frames.iter().enumerate() {
            let k = self.display.get(i).copied().unwrap_or(0);
            let pairs = [
                (0u8, field1.get(k).copied().unwrap_or(PAD)),
                (1u8, field2.get(k).copied().unwrap_or(PAD)),
            ];
            let mut au = vec![0, 0, 0, 1, 0x09, 0xF0];
            if f.key {
                for nal in std::iter::once(&self.sps).chain(&self.pps) {
                    au.extend([0, 0, 0, 1]);
                    au.extend_from_slice(nal);
                }
            }
            au.extend([0, 0, 0, 1]);
            au.extend(sei_nal(&pairs));
            let (start, size) = (f.offset as usize, f.size as usize);
            let mut rest = self.data.get(start..start + size).unwrap_or(&[]);
            while let Some((len, tail)) = rest.split_first_chunk::<4>() {
                let n = (u32::from_be_bytes(*len) as usize).min(tail.len());
                let (nal, tail) = tail.split_at(n);
                au.extend([0, 0, 0, 1]);
                au.extend_from_slice(nal);
                rest = tail;
            }
            let (pts, dts) = (self.pts.get(i), self.dts.get(i));
            mux.video(pts.copied().unwrap_or(0), dts.copied().unwrap_or(0), &au);
        }
        mux.out
    }
}

/// The field 1 pairs (one per frame, display order) that show `cues` as CC1 pop-on captions on
/// frames at `times` (seconds from the first, ascending). A cue starts and ends on the frames
/// nearest its times; its text (up to four rows of 32 characters, the bottom rows) is loaded
/// while the one before is still shown.
pub fn pop_on(cues: &[Cue], times: &[f64]) -> Result<Vec<[u8; 2]>, String> {
    let frame = |t: f64| -> usize {
        let i = times.partition_point(|&x| x < t);
        match (i.checked_sub(1).and_then(|j| times.get(j)), times.get(i)) {
            (Some(&before), Some(&after)) if t - before <= after - t => i - 1,
            (Some(_), None) => i - 1,
            _ => i,
        }
    };
    let last = times.last().copied().unwrap_or(0.0);
    let mut cc1 = Channel608::new(false, false);
    // The frame that erases the caption on screen, still to be sent.
    let mut erase: Option<usize> = None;
    let mut previous_end = f64::NEG_INFINITY;
    for (n, cue) in cues.iter().enumerate() {
        let what = || format!("cue {} ({:.3} --> {:.3})", n + 1, cue.start, cue.end);
        if cue.start < previous_end {
            return Err(format!(
                "{}: overlaps the cue before (608 pop-on shows one caption at a time)",
                what()
            ));
        }
        if cue.end > last + 1.0 {
            return Err(format!("{}: ends after the video ({last:.3} s)", what()));
        }
        previous_end = cue.end;
        let rows = rows(&cue.text).map_err(|e| format!("{}: {e}", what()))?;
        let (start, end) = (frame(cue.start), frame(cue.end));
        if end < start + 2 {
            return Err(format!("{}: shorter than two frames", what()));
        }
        let mut probe = Channel608::new(false, false);
        load(&mut probe, &rows);
        let load_pairs = probe.next_frame();
        // Erase the caption on screen first when the loading would run past its end.
        if let Some(at) = erase.filter(|&at| cc1.next_frame() + load_pairs > at) {
            cc1.at(at).misc(EDM);
            erase = None;
        }
        if cc1.next_frame() + load_pairs > start {
            return Err(format!(
                "{}: its {load_pairs} pairs of codes and text need {load_pairs} frames after what comes before",
                what()
            ));
        }
        load(&mut cc1, &rows);
        // A caption that ends as this one starts is replaced, not erased.
        if let Some(at) = erase.take().filter(|&at| at < start) {
            cc1.at(at).misc(EDM);
        }
        if cc1.next_frame() > start {
            return Err(format!("{}: too close to the cue before", what()));
        }
        cc1.at(start).misc(EOC);
        erase = Some(end);
    }
    if let Some(at) = erase {
        cc1.at(at).misc(EDM);
    }
    Ok(cc1.finish())
}

/// Clear the non-displayed memory and write the rows there, the last on row 15.
fn load(ch: &mut Channel608, rows: &[&str]) {
    ch.misc(RCL).misc(ENM);
    for (i, row) in rows.iter().enumerate() {
        let row_number = (15 + i + 1 - rows.len()) as u8;
        ch.pac(row_number, 0).text(row);
    }
}

/// The cue's lines, checked against what 608 can show.
fn rows(text: &str) -> Result<Vec<&str>, String> {
    let rows: Vec<&str> = text.lines().collect();
    if rows.is_empty() || rows.len() > MAX_ROWS {
        return Err(format!("{} lines (1 to {MAX_ROWS} allowed)", rows.len()));
    }
    for row in &rows {
        if row.chars().count() > ROW_CHARS {
            return Err(format!(
                "line {row:?} is longer than {ROW_CHARS} characters"
            ));
        }
        if let Some(c) = row.chars().find(|&c| !super::cea608_encoder::encodable(c)) {
            return Err(format!("{c:?} has no CEA-608 code"));
        }
    }
    Ok(rows)
}
