//! The samples of a fragmented MP4 file read back with mp4-atom, an implementation independent
//! of ours: what the tests compare outputs by.
use mp4_atom::{Any, Decode};

/// Every sample of a fragmented MP4 stream: (track, decode time, duration, cto, flags as the
/// `trun` gives them, bytes).
pub type SampleRow = (u32, u64, u32, i64, Option<u32>, Vec<u8>);

pub fn samples(file: &[u8]) -> Vec<SampleRow> {
    let mut rows = Vec::new();
    let mut buf = file;
    while !buf.is_empty() {
        let at = file.len() - buf.len();
        let Any::Moof(moof) = Any::decode(&mut buf).unwrap() else {
            continue;
        };
        for traf in &moof.traf {
            let mut t = traf.tfdt.as_ref().unwrap().base_media_decode_time;
            for run in &traf.trun {
                let mut off = at + run.data_offset.unwrap() as usize;
                for s in run.samples.iter() {
                    let (d, size) = (s.duration.unwrap(), s.size.unwrap() as usize);
                    rows.push((
                        traf.tfhd.track_id,
                        t,
                        d,
                        s.cts.unwrap_or(0),
                        s.flags,
                        file[off..off + size].to_vec(),
                    ));
                    t += u64::from(d);
                    off += size;
                }
            }
        }
    }
    rows
}
