//! The simulated CDN: the playlists and segments it serves at the current virtual time (VOD,
//! live windows, alternate audio renditions) and the faults and cookie expiry it applies.

use super::network::Response;
use super::{remux, FaultKind, Sim, BASE, EPS};

impl Sim<'_> {
    /// Segment index and level from a simulated URL.
    pub(super) fn parse_segment_url(url: &str) -> Option<(usize, usize)> {
        Self::parse_media_url(url, 'l')
    }

    /// Segment index and audio rendition from a simulated URL.
    pub(super) fn parse_audio_url(url: &str) -> Option<(usize, usize)> {
        Self::parse_media_url(url, 'a')
    }

    fn parse_media_url(url: &str, prefix: char) -> Option<(usize, usize)> {
        let rest = url.strip_prefix(BASE)?.strip_prefix(prefix)?;
        let (level, file) = rest.split_once('/')?;
        let idx = file
            .strip_suffix(".ts")
            .or_else(|| file.strip_suffix(".m4s"))?;
        Some((level.parse().ok()?, idx.parse().ok()?))
    }

    /// Whether a simulated URL is an init segment (`l0/init.mp4`, `a1/init.mp4`).
    fn is_init_url(url: &str) -> bool {
        url.starts_with(BASE) && url.ends_with("/init.mp4")
    }

    pub(super) fn body(&self, url: &str, size: u64) -> Vec<u8> {
        let duration = |idx: usize| self.ladder.durations.get(idx).copied().unwrap_or(0.0);
        if let Some((_, idx)) = Self::parse_segment_url(url) {
            return match self.ladder.audio.is_empty() {
                true => remux::segment_bytes(size, duration(idx)),
                false => remux::video_segment_bytes(size, duration(idx)),
            };
        }
        if let Some((track, idx)) = Self::parse_audio_url(url) {
            let he_aac = self.ladder.audio.get(track).is_some_and(|a| a.he_aac);
            return match he_aac {
                true => remux::he_aac_segment_bytes(size, duration(idx)),
                false => remux::audio_segment_bytes(size, duration(idx)),
            };
        }
        if Self::is_init_url(url) {
            return remux::init_bytes(url);
        }
        self.text(url).unwrap_or_default().into_bytes()
    }

    /// Playlist texts, as the CDN has them at `now`.
    fn text(&self, url: &str) -> Option<String> {
        let file = url.strip_prefix(BASE)?;
        if file == "master.m3u8" {
            return Some(self.master_text());
        }
        let (prefix, count) = match file.chars().next()? {
            'a' => ('a', self.ladder.audio.len()),
            _ => ('l', self.ladder.levels.len()),
        };
        let level: usize = file
            .strip_prefix(prefix)?
            .strip_suffix(".m3u8")?
            .parse()
            .ok()?;
        if level >= count {
            return None;
        }
        let td = self
            .ladder
            .durations
            .iter()
            .copied()
            .fold(1.0f64, f64::max)
            .ceil();
        let n = self.ladder.durations.len();
        let (first, last, ended, kind) = match &self.cfg.live {
            None => (0, n, true, "#EXT-X-PLAYLIST-TYPE:VOD\n"),
            Some(live) => {
                let mut avail: usize = 0;
                let mut t = 0.0;
                for d in &self.ladder.durations {
                    if t + d > self.now + live.start_offset + 1e-9 {
                        break;
                    }
                    t += d;
                    avail += 1;
                }
                let first = live.window.map_or(0, |w| avail.saturating_sub(w));
                let kind = if live.window.is_none() {
                    "#EXT-X-PLAYLIST-TYPE:EVENT\n"
                } else {
                    ""
                };
                (first, avail, live.ends && avail == n, kind)
            }
        };
        let mut s = format!("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{td}\n#EXT-X-MEDIA-SEQUENCE:{first}\n{kind}");
        let ext = if self.ladder.fmp4 {
            s.push_str(&format!("#EXT-X-MAP:URI=\"{prefix}{level}/init.mp4\"\n"));
            "m4s"
        } else {
            "ts"
        };
        for i in first..last {
            let d = self.ladder.durations.get(i).copied().unwrap_or(0.0);
            s.push_str(&format!("#EXTINF:{d:.3},\n{prefix}{level}/{i}.{ext}\n"));
        }
        if ended {
            s.push_str("#EXT-X-ENDLIST\n");
        }
        Some(s)
    }

    /// The master playlist: the levels, and the audio renditions when the ladder has some.
    fn master_text(&self) -> String {
        let mut s = String::from("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (i, a) in self.ladder.audio.iter().enumerate() {
            let default = if a.default { "YES" } else { "NO" };
            s.push_str(&format!(
                "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"{}\",LANGUAGE=\"{}\",DEFAULT={default},AUTOSELECT=YES,URI=\"a{i}.m3u8\"\n",
                a.name, a.lang
            ));
        }
        let (codecs, group) = if self.ladder.audio.is_empty() {
            ("avc1.4d401e,mp4a.40.2", "")
        } else {
            ("avc1.4d401e", ",AUDIO=\"aud\"")
        };
        for (i, l) in self.ladder.levels.iter().enumerate() {
            s.push_str(&format!(
                "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={}x{},CODECS=\"{codecs}\"{group}\nl{i}.m3u8\n",
                l.bandwidth, l.width, l.height
            ));
        }
        s
    }

    pub(super) fn response(&mut self, url: &str) -> Response {
        if self.cached.contains(url) {
            if let r @ Response::Cached { .. } = self.response_from_cache(url) {
                return r;
            }
        }
        match self.response_inner(url) {
            (Response::Ok { size }, Some(after)) => Response::Partial {
                size,
                stall_after: after.min(size.saturating_sub(1)),
            },
            (r, _) => r,
        }
    }

    /// The response, and where a `StallBody` fault cuts its body.
    fn response_inner(&mut self, url: &str) -> (Response, Option<u64>) {
        let now = self.now;
        let mut cut = None;
        for (i, f) in self.cfg.faults.iter().enumerate() {
            let count = self.fault_counts.get(i).copied().unwrap_or(0);
            if now + EPS >= f.from
                && now < f.until
                && url.contains(&f.url_contains)
                && f.max_count.map_or(true, |m| count < m)
            {
                if let Some(c) = self.fault_counts.get_mut(i) {
                    *c += 1;
                }
                match &f.kind {
                    FaultKind::Status(s, body) => {
                        let r = Response::Fail {
                            status: *s,
                            body: body.clone(),
                        };
                        return (r, None);
                    }
                    FaultKind::Stall => return (Response::Stall, None),
                    FaultKind::Cached => return (self.response_from_cache(url), None),
                    FaultKind::StallBody(after) => {
                        cut = Some(*after);
                        break;
                    }
                }
            }
        }
        (self.response_clean(url), cut)
    }

    /// `url` from the browser's cache: what the CDN would serve, its 200s as cache hits.
    fn response_from_cache(&self, url: &str) -> Response {
        match self.response_clean(url) {
            Response::Ok { size } => Response::Cached { size },
            other => other,
        }
    }

    /// The response without injected faults.
    fn response_clean(&self, url: &str) -> Response {
        let now = self.now;
        if let (Some(exp), Some(a)) = (self.cookie_expires, &self.cfg.auth) {
            if now >= exp {
                return Response::Fail {
                    status: 403,
                    body: a.refusal_body.clone(),
                };
            }
        }
        if let Some((level, idx)) = Self::parse_segment_url(url) {
            if level < self.ladder.levels.len() && idx < self.ladder.durations.len() {
                return Response::Ok {
                    size: self.ladder.bytes(level, idx).max(12),
                };
            }
            return Response::Fail {
                status: 404,
                body: None,
            };
        }
        if let Some((track, idx)) = Self::parse_audio_url(url) {
            return match self.ladder.audio_bytes(track, idx) {
                Some(size) => Response::Ok { size: size.max(20) },
                None => Response::Fail {
                    status: 404,
                    body: None,
                },
            };
        }
        if Self::is_init_url(url) {
            return Response::Ok {
                size: remux::init_bytes(url).len() as u64,
            };
        }
        match self.text(url) {
            Some(t) => Response::Ok {
                size: t.len() as u64,
            },
            None => Response::Fail {
                status: 404,
                body: None,
            },
        }
    }
}
