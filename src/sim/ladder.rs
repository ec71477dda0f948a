//! The content a simulation plays: levels (bitrate, resolution) and every segment's size.

use crate::engine::{parse_playlist, resolve};
use crate::playlist::Playlist;

use crate::engine::Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct LadderLevel {
    /// BANDWIDTH, bits per second: also the level's value in the QoE.
    pub bandwidth: u64,
    pub width: u32,
    pub height: u32,
    /// Bytes of each segment.
    pub segment_bytes: Vec<u64>,
}

/// An alternate audio rendition (EXT-X-MEDIA TYPE=AUDIO with its own playlist).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioRung {
    pub name: String,
    pub lang: String,
    /// Bits per second: segment sizes are `bandwidth x duration / 8`.
    pub bandwidth: u64,
    pub default: bool,
    /// HE-AAC (`mp4a.40.5`) instead of AAC-LC.
    pub he_aac: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    pub levels: Vec<LadderLevel>,
    /// Duration of each segment, seconds (shared by all levels).
    pub durations: Vec<f64>,
    /// Audio renditions with their own playlists (empty: audio muxed into the levels).
    pub audio: Vec<AudioRung>,
    /// fMP4 segments behind an EXT-X-MAP init segment per rendition (CMAF), else MPEG-TS.
    pub fmp4: bool,
}

impl Ladder {
    /// Sizes from bitrates: `bitrate x duration / 8`, scaled by a seeded VBR factor in
    /// `[1 - vbr, 1 + vbr]` (the same factor for every level: scene complexity).
    pub fn from_bitrates(
        levels: &[(u64, u32, u32)],
        durations: Vec<f64>,
        vbr: f64,
        seed: u64,
    ) -> Ladder {
        let mut rng = Rng::new(seed);
        let factors: Vec<f64> = durations
            .iter()
            .map(|_| 1.0 - vbr + 2.0 * vbr * rng.next_f64())
            .collect();
        let levels = levels
            .iter()
            .map(|&(bw, w, h)| LadderLevel {
                bandwidth: bw,
                width: w,
                height: h,
                segment_bytes: durations
                    .iter()
                    .zip(&factors)
                    .map(|(d, f)| (bw as f64 * d / 8.0 * f).round() as u64)
                    .collect(),
            })
            .collect();
        Ladder {
            levels,
            durations,
            audio: Vec::new(),
            fmp4: false,
        }
    }

    /// The same ladder with separate audio renditions (as the CMAF group writes it): one per
    /// `(name, language)`, 128 kbps, the first the default.
    pub fn with_audio(mut self, renditions: &[(&str, &str)]) -> Ladder {
        self.audio = renditions
            .iter()
            .enumerate()
            .map(|(i, (name, lang))| AudioRung {
                name: name.to_string(),
                lang: lang.to_string(),
                bandwidth: 128_000,
                default: i == 0,
                he_aac: false,
            })
            .collect();
        self
    }

    /// The same ladder as CMAF: fMP4 segments behind one init segment per rendition.
    pub fn with_fmp4(mut self) -> Ladder {
        self.fmp4 = true;
        self
    }

    /// Bytes of audio segment `segment` of rendition `track`.
    pub fn audio_bytes(&self, track: usize, segment: usize) -> Option<u64> {
        let a = self.audio.get(track)?;
        let d = self.durations.get(segment)?;
        Some((a.bandwidth as f64 * d / 8.0).round() as u64)
    }

    /// AWS MediaConvert's sample job: 1.0 / 2.0 / 3.0 Mbps video + 96 kbps audio muxed,
    /// 360p/540p/720p, 10 s segments, `duration` seconds (the last segment may be shorter),
    /// +-10% VBR noise.
    pub fn mediaconvert(duration: f64, seed: u64) -> Ladder {
        let n = (duration / 10.0).ceil().max(1.0) as usize;
        let durations = (0..n)
            .map(|i| (duration - i as f64 * 10.0).min(10.0))
            .collect();
        Ladder::from_bitrates(
            &[
                (1_096_000, 640, 360),
                (2_096_000, 960, 540),
                (3_096_000, 1280, 720),
            ],
            durations,
            0.1,
            seed,
        )
    }

    /// From a master playlist: variants' bitrates and resolutions; durations from the first
    /// variant's media playlist when `read` finds it (else 10 s segments over `duration`; one
    /// found but unparsable is an error naming it and the line);
    /// sizes from each segment's EXT-X-BYTERANGE length, else from `size_of` (the segment
    /// files) when found, else from the bitrate.
    pub fn from_master(
        master_url: &str,
        master: &[u8],
        duration: f64,
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
        size_of: &dyn Fn(&str) -> Option<u64>,
    ) -> Result<Ladder, String> {
        let Playlist::Master(m) = parse_playlist(master, master_url, false)? else {
            return Err(format!("{master_url}: not a master playlist"));
        };
        let mut variants = m.variants;
        variants.sort_by_key(|v| v.bandwidth);
        let mut durations: Option<Vec<f64>> = None;
        let mut levels = Vec::new();
        for v in &variants {
            // A media playlist that is there but broken is an error, not a silent fallback to
            // nominal sizes: the ladder would no longer be the one asked for.
            let media = match read(&v.uri) {
                Some(b) => match parse_playlist(&b, &v.uri, false)? {
                    Playlist::Media(p) => Some(p),
                    Playlist::Master(_) => return Err(format!("{}: not a media playlist", v.uri)),
                },
                None => None,
            };
            let durs: Vec<f64> = match (&durations, &media) {
                (Some(d), _) => d.clone(),
                (None, Some(p)) if !p.segments.is_empty() => {
                    p.segments.iter().map(|s| s.duration).collect()
                }
                _ => Ladder::mediaconvert(duration, 0).durations,
            };
            let sizes: Vec<u64> = durs
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    media
                        .as_ref()
                        .and_then(|p| p.segments.get(i))
                        .and_then(|s| match s.byte_range {
                            // A byte range is the segment's real size (one file per rendition).
                            Some(r) => Some(r.length),
                            None => size_of(&resolve(&v.uri, &s.uri)),
                        })
                        .unwrap_or((v.bandwidth as f64 * d / 8.0) as u64)
                })
                .collect();
            durations.get_or_insert(durs);
            let (w, h) = v.resolution.map_or((0, 0), |r| (r.width, r.height));
            levels.push(LadderLevel {
                bandwidth: v.bandwidth,
                width: w,
                height: h,
                segment_bytes: sizes,
            });
        }
        Ok(Ladder {
            levels,
            durations: durations.unwrap_or_default(),
            audio: Vec::new(),
            fmp4: false,
        })
    }

    pub fn duration(&self) -> f64 {
        self.durations.iter().sum()
    }

    pub fn mbps(&self, level: usize) -> f64 {
        self.levels
            .get(level)
            .map_or(0.0, |l| l.bandwidth as f64 / 1e6)
    }

    pub fn bytes(&self, level: usize, segment: usize) -> u64 {
        self.levels
            .get(level)
            .and_then(|l| l.segment_bytes.get(segment))
            .copied()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mediaconvert_ladder_shape() {
        let l = Ladder::mediaconvert(600.0, 1);
        assert_eq!(l.levels.len(), 3);
        assert_eq!(l.durations.len(), 60);
        let b = l.bytes(2, 0) as f64;
        assert!(b > 3.096e6 * 10.0 / 8.0 * 0.89 && b < 3.096e6 * 10.0 / 8.0 * 1.11);
        assert_eq!(Ladder::mediaconvert(605.0, 1).durations.last(), Some(&5.0));
    }
    #[test]
    fn byte_ranges_are_the_real_sizes() {
        // The Pensieve video: sizes from video_sizes.txt, not bitrate x duration.
        let files = [
            include_str!("../../tests/fixtures/ladders/pensieve/l0.m3u8"),
            include_str!("../../tests/fixtures/ladders/pensieve/l1.m3u8"),
            include_str!("../../tests/fixtures/ladders/pensieve/l2.m3u8"),
            include_str!("../../tests/fixtures/ladders/pensieve/l3.m3u8"),
            include_str!("../../tests/fixtures/ladders/pensieve/l4.m3u8"),
            include_str!("../../tests/fixtures/ladders/pensieve/l5.m3u8"),
        ];
        let master = include_str!("../../tests/fixtures/ladders/pensieve/master.m3u8");
        let read = |url: &str| {
            let i: usize = url
                .strip_prefix("https://l.test/l")?
                .strip_suffix(".m3u8")?
                .parse()
                .ok()?;
            files.get(i).map(|t| t.as_bytes().to_vec())
        };
        let l = Ladder::from_master(
            "https://l.test/master.m3u8",
            master.as_bytes(),
            600.0,
            &read,
            &|_| None,
        )
        .unwrap();
        assert_eq!(l.levels.len(), 6);
        assert_eq!(l.durations, vec![4.0; 49]);
        assert_eq!(l.bytes(0, 0), 181_801);
        assert_eq!(l.bytes(0, 48), 112_270);
        assert_eq!(l.bytes(5, 0), 2_354_772);
        assert_eq!(l.mbps(5), 4.3);
    }

    #[test]
    fn a_broken_media_playlist_is_an_error_naming_it() {
        let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000\nl0.m3u8\n";
        let read = |_: &str| Some(b"#EXTM3U\n#EXTINF:abc,\ns.ts\n".to_vec());
        let e = Ladder::from_master(
            "https://l.test/m.m3u8",
            master.as_bytes(),
            60.0,
            &read,
            &|_| None,
        )
        .unwrap_err();
        assert!(e.contains("l0.m3u8"), "{e}");
    }
}
