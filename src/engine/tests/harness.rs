//! A hand-driven engine for tests that need to see every output.
//!
//! [`Harness`] owns an `Engine<SimRemuxer>` and a clock. Each input is fed at `now` and the
//! outputs are drained up to the next `Timeout`; requests are found by what they fetch (never
//! by a guessed `RequestId`) and answered by id; appends and removes are acknowledged against a
//! model of the SourceBuffer (`buffered`); the playhead is reported from `position`. Every
//! output is logged with the time and playhead position it came out at, so a test can assert
//! over a whole run. [`Harness::play`] is a small player: it serves the harness's content one
//! tick after each request, acknowledges the buffer operations, moves the playhead over what
//! is buffered and fires the engine's timers.

use std::collections::VecDeque;
use std::rc::Rc;

use super::*;

/// The master playlist [`Harness::load_vod`] loads.
pub(super) const MASTER_URL: &str = "https://c/v/master.m3u8";

/// A master playlist of two levels, 1.1 and 2.1 Mbps.
pub(super) const MASTER: &str = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1096000,RESOLUTION=640x360\nl0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2096000,RESOLUTION=960x540\nl1.m3u8\n";

/// A VOD media playlist of `n` 10-second segments `seg0.ts`, `seg1.ts`...
pub(super) fn media_playlist(n: usize) -> String {
    let mut s = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    for i in 0..n {
        s.push_str(&format!("#EXTINF:10,\nseg{i}.ts\n"));
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

/// A VOD subtitle playlist of `n` 10-second WebVTT segments `sub0.vtt`, `sub1.vtt`...
pub(super) fn vtt_playlist(n: usize) -> String {
    media_playlist(n)
        .replace(".ts", ".vtt")
        .replace("seg", "sub")
}

/// Whole seconds as a WebVTT timestamp.
pub(super) fn vtt_time(s: u64) -> String {
    format!("{:02}:{:02}:{:02}.000", s / 3600, s / 60 % 60, s % 60)
}

/// Subtitle segment `i` (10 s from 10 × `i`): a cue `cue i` at 10i+1..10i+3, and the cue
/// `across` at 19..21 in segments 1 and 2 (a cue spanning a boundary is in both, as
/// MediaConvert writes it).
pub(super) fn vtt_segment(i: u64) -> String {
    let t = i * 10;
    let mut s = format!(
        "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n{} --> {}\ncue {i}\n",
        vtt_time(t + 1),
        vtt_time(t + 3)
    );
    if i == 1 || i == 2 {
        s.push_str("\n00:00:19.000 --> 00:00:21.000\nacross\n");
    }
    s
}

/// `playlist` as fMP4 behind the init segment `<stem of url>-init.mp4`.
pub(super) fn with_map(playlist: &str, url: &str) -> String {
    let file = url.rsplit('/').next().unwrap_or_default();
    let stem = file.trim_end_matches(".m3u8");
    let map = format!("#EXT-X-TARGETDURATION:10\n#EXT-X-MAP:URI=\"{stem}-init.mp4\"\n");
    playlist
        .replacen("#EXT-X-TARGETDURATION:10\n", &map, 1)
        .replace(".ts\n", ".m4s\n")
}

/// `playlist` with `#EXT-X-KEY:METHOD=AES-128,URI="k.key",IV=<iv>` before the first line
/// starting with `before`.
pub(super) fn with_key(playlist: &str, before: &str, iv: [u8; 16]) -> String {
    let hex: String = iv.iter().map(|b| format!("{b:02x}")).collect();
    let tag = format!("#EXT-X-KEY:METHOD=AES-128,URI=\"k.key\",IV=0x{hex}\n");
    playlist.replacen(before, &format!("{tag}{before}"), 1)
}

/// What the harness serves for an init segment: its URL, so a test can tell which one was
/// pushed.
pub(super) fn init_of(url: &str) -> Vec<u8> {
    format!("init of {url}").into_bytes()
}

/// `plain` encrypted with AES-128-CBC and PKCS#7 padding under `key`, and the IV that makes it
/// decrypt. Built backwards with the decryption alone (the crate has no encryption): CBC
/// decrypts block i as D(C[i]) xor C[i-1], so from a fixed last block each previous one is
/// D(C[i]) xor P[i], down to the IV.
pub(super) fn encrypted(key: &[u8; 16], plain: &[u8]) -> (Vec<u8>, [u8; 16]) {
    let pad = 16 - plain.len() % 16;
    let mut padded = plain.to_vec();
    padded.resize(plain.len() + pad, pad as u8);
    let blocks: Vec<[u8; 16]> = padded
        .chunks_exact(16)
        .map(|c| <[u8; 16]>::try_from(c).unwrap())
        .collect();
    let mut cipher = vec![[0x5a; 16]; blocks.len()];
    let mut next = [0x5a; 16];
    for i in (0..blocks.len()).rev() {
        cipher[i] = next;
        // D(C[i]): CBC with a zero IV releases block i decrypted once another block follows.
        let mut d = crate::crypto::CbcDecryptor::new(key, [0; 16]).unwrap();
        let mut out = Vec::new();
        d.push(&[next, [0; 16]].concat(), &mut out);
        next = std::array::from_fn(|j| out[j] ^ blocks[i][j]);
    }
    (cipher.concat(), next)
}

/// A live media playlist (no ENDLIST) of `n` 10-second segments from media sequence `first`.
pub(super) fn live_playlist(first: u64, n: u64) -> String {
    let mut s = format!("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:{first}\n");
    for i in first..first + n {
        s.push_str(&format!("#EXTINF:10,\nseg{i}.ts\n"));
    }
    s
}

/// Seconds between the steps of [`Harness::play`]; a request is answered one tick after it is
/// sent.
pub(super) const TICK: f64 = 0.25;

/// A fetch the engine asked for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fetch {
    pub(super) req: RequestId,
    pub(super) kind: RequestKind,
    pub(super) url: String,
    pub(super) range: Option<crate::playlist::ByteRange>,
    /// When it was (last) sent: a retry reuses the id.
    pub(super) at: f64,
}

impl Fetch {
    /// The level of a segment fetch.
    pub(super) fn segment_level(&self) -> Option<usize> {
        match self.kind {
            RequestKind::Segment { level, .. } => Some(level),
            _ => None,
        }
    }

    /// The media sequence number of a segment fetch (of the main or the audio stream).
    pub(super) fn sequence(&self) -> Option<u64> {
        match self.kind {
            RequestKind::Segment { sequence, .. } | RequestKind::AudioSegment { sequence, .. } => {
                Some(sequence)
            }
            _ => None,
        }
    }
}

/// An output as it came out: when, and where the playhead was.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Logged {
    pub(super) at: f64,
    pub(super) position: f64,
    pub(super) output: Output,
}

/// A `Remove` the engine asked for, with the time and playhead position it was asked at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Removal {
    pub(super) at: f64,
    pub(super) position: f64,
    pub(super) track: TrackId,
    pub(super) start: f64,
    pub(super) end: f64,
}

/// An `Append` not yet acknowledged.
#[derive(Debug, Clone)]
pub(super) struct PendingAppend {
    pub(super) track: TrackId,
    pub(super) data: Rc<Vec<u8>>,
    /// The media range it holds; `None` for an init segment.
    pub(super) range: Option<(f64, f64)>,
}

/// What [`Harness::serve`] answers: [`MASTER`], and level playlists of `segments` 10-second
/// segments of `segment_bytes` each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Content {
    pub(super) segments: usize,
    pub(super) segment_bytes: u64,
    /// fMP4 level playlists: `EXT-X-MAP:URI="<playlist stem>-init.mp4"`.
    pub(super) fmp4: bool,
    /// AES-128: level playlists carry `EXT-X-KEY` (URI `k.key`, this key) and the segments
    /// are encrypted with it ([`encrypted`]).
    pub(super) key: Option<[u8; 16]>,
    /// Key requests answer these 16 bytes instead of `key`.
    pub(super) wrong_key: Option<[u8; 16]>,
}

impl Default for Content {
    fn default() -> Self {
        // 100 KB a tick is 3.2 Mbps: more than the top level needs.
        Content {
            segments: 20,
            segment_bytes: 100_000,
            fmp4: false,
            key: None,
            wrong_key: None,
        }
    }
}

pub(super) struct Harness {
    pub(super) engine: Engine<SimRemuxer>,
    pub(super) now: f64,
    /// The playhead reported by [`Harness::media`] (moved by `SetPosition` and by `play`).
    pub(super) position: f64,
    /// What the SourceBuffer holds: acknowledged appends, less completed removes.
    pub(super) buffered: Ranges,
    pub(super) content: Content,
    /// SourceBuffer quota in seconds of media: [`Harness::ack_appends`] fails an append that
    /// would go beyond it with a QuotaExceededError, as a browser does.
    pub(super) quota_seconds: Option<f64>,
    /// Every output so far.
    pub(super) log: Vec<Logged>,
    /// `EndOfStream` was asked for (and nothing appended since).
    pub(super) ended: bool,
    /// Panic when the engine breaks a SourceBuffer rule: an append or a remove on a
    /// SourceBuffer that was not added or is still updating (off for random inputs, which
    /// acknowledge operations that were never asked for).
    pub(super) strict: bool,
    added: Vec<TrackId>,
    open: Vec<Fetch>,
    pub(super) appends: Vec<PendingAppend>,
    removes: Vec<Removal>,
    /// The engine's last `Timeout`.
    deadline: Option<f64>,
    /// `seeking` events caused by `SetPosition`, reported back by `play` as the element does.
    echoes: VecDeque<Input>,
}

impl Harness {
    /// An engine with the default configuration and this project's ABR.
    pub(super) fn new() -> Self {
        Self::with_config(EngineConfig::default())
    }

    pub(super) fn with_config(cfg: EngineConfig) -> Self {
        let abr = AbrKind::Ours.build(&cfg.abr);
        Self::with_abr(cfg, abr)
    }

    /// Muxed segments remux to a video and an audio SourceBuffer (as in the browser).
    pub(super) fn split_tracks() -> Self {
        Self::split_tracks_with(EngineConfig::default())
    }

    /// [`Harness::split_tracks`] with this configuration.
    pub(super) fn split_tracks_with(cfg: EngineConfig) -> Self {
        let mut h = Self::new();
        let abr = AbrKind::Ours.build(&cfg.abr);
        let mut remux = SimRemuxer::default();
        remux.split = true;
        h.engine = Engine::new(cfg, remux, abr);
        h
    }

    pub(super) fn with_abr(cfg: EngineConfig, abr: Box<dyn crate::abr::Abr>) -> Self {
        Harness {
            engine: Engine::new(cfg, SimRemuxer::default(), abr),
            now: 0.0,
            position: 0.0,
            buffered: Ranges::default(),
            content: Content::default(),
            quota_seconds: None,
            log: Vec::new(),
            ended: false,
            strict: true,
            added: Vec::new(),
            open: Vec::new(),
            appends: Vec::new(),
            removes: Vec::new(),
            deadline: None,
            echoes: VecDeque::new(),
        }
    }

    // ----- feeding and draining -----------------------------------------------------------------

    /// Feed one input at `now`; the outputs up to the next `Timeout`.
    pub(super) fn input(&mut self, input: Input) -> Vec<Output> {
        self.engine.handle_input(self.now, input);
        self.drive()
    }

    /// Every output until `Timeout` (or none left), logged and tracked.
    pub(super) fn drive(&mut self) -> Vec<Output> {
        let mut outs = Vec::new();
        self.deadline = None;
        while let Some(o) = self.engine.poll_output() {
            if let Output::Timeout(at) = o {
                self.deadline = Some(at);
                break;
            }
            self.track(&o);
            self.log.push(Logged {
                at: self.now,
                position: self.position,
                output: o.clone(),
            });
            outs.push(o);
            assert!(outs.len() < 10_000, "output loop");
        }
        outs
    }

    fn track(&mut self, o: &Output) {
        if let Output::Append { track, .. } | Output::Remove { track, .. } = o {
            let updating = self.appends.iter().any(|a| a.track == *track)
                || self.removes.iter().any(|r| r.track == *track);
            assert!(
                !self.strict || (self.added.contains(track) && !updating),
                "{o:?} on a SourceBuffer not added or still updating"
            );
        }
        match o {
            Output::AddSourceBuffer { track, .. } => self.added.push(*track),
            Output::Fetch {
                req,
                kind,
                url,
                range,
            } => {
                self.open.retain(|f| f.req != *req);
                self.open.push(Fetch {
                    req: *req,
                    kind: *kind,
                    url: url.clone(),
                    range: *range,
                    at: self.now,
                });
            }
            Output::Abort { req } => self.open.retain(|f| f.req != *req),
            Output::Append { track, data } => {
                self.ended = false;
                self.appends.push(PendingAppend {
                    track: *track,
                    data: Rc::clone(data),
                    range: sim::remux::appended_range(data).ok().flatten(),
                });
            }
            Output::Remove { track, start, end } => {
                self.ended = false;
                self.removes.push(Removal {
                    at: self.now,
                    position: self.position,
                    track: *track,
                    start: *start,
                    end: *end,
                });
            }
            Output::SetPosition(t) => {
                self.position = *t;
                self.echoes.push_back(Input::Seek { position: *t });
            }
            Output::EndOfStream => self.ended = true,
            _ => {}
        }
    }

    /// Load `url` and open the MediaSource (SourceBuffers and appends wait for it).
    pub(super) fn load(&mut self, url: &str) -> Vec<Output> {
        let mut outs = self.input(Input::Load { url: url.into() });
        outs.extend(self.input(Input::SourceOpen));
        outs
    }

    /// Load [`MASTER`] and the first level's playlist; the outputs after that playlist (the
    /// first segment's fetch among them).
    pub(super) fn load_vod(&mut self) -> Vec<Output> {
        self.load(MASTER_URL);
        let manifest = self.fetch_of(|k| matches!(k, RequestKind::Manifest));
        self.answer(manifest, MASTER);
        let playlist = self.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
        self.serve(playlist)
    }

    /// Load [`MASTER`] and answer the first level's playlist with `playlist`.
    pub(super) fn load_with(&mut self, playlist: &str) -> Vec<Output> {
        self.load(MASTER_URL);
        let manifest = self.fetch_of(|k| matches!(k, RequestKind::Manifest));
        self.answer(manifest, MASTER);
        let level = self.fetch_of(|k| matches!(k, RequestKind::LevelPlaylist { .. }));
        self.answer(level, playlist)
    }

    /// Start a VOD and complete its first segment's fetch and appends (at 1 s).
    pub(super) fn play_one_segment(&mut self) -> Vec<Output> {
        let mut outs = self.load_vod();
        self.advance_to(1.0);
        let seg = self.fetch_of(RequestKind::is_segment);
        outs.extend(self.serve(seg));
        outs.extend(self.ack_appends());
        outs
    }

    // ----- requests ------------------------------------------------------------------------------

    /// Fetches sent and not yet answered, failed or aborted, oldest first.
    pub(super) fn open_fetches(&self) -> &[Fetch] {
        &self.open
    }

    /// The newest open fetch whose kind matches.
    pub(super) fn find_fetch(&self, kind: impl Fn(&RequestKind) -> bool) -> Option<Fetch> {
        self.open.iter().rev().find(|f| kind(&f.kind)).cloned()
    }

    /// The id of the newest open fetch whose kind matches; panics when there is none.
    pub(super) fn fetch_of(&self, kind: impl Fn(&RequestKind) -> bool) -> RequestId {
        match self.find_fetch(kind) {
            Some(f) => f.req,
            None => panic!("no such fetch open; open: {:?}", self.open),
        }
    }

    /// The id of the newest open fetch whose URL ends with `suffix`; panics when there is none.
    pub(super) fn fetch_of_url(&self, suffix: &str) -> RequestId {
        match self.open.iter().rev().find(|f| f.url.ends_with(suffix)) {
            Some(f) => f.req,
            None => panic!("no fetch of *{suffix} open; open: {:?}", self.open),
        }
    }

    fn close(&mut self, req: RequestId) {
        self.open.retain(|f| f.req != req);
    }

    /// The request succeeded with this body.
    pub(super) fn answer(&mut self, req: RequestId, data: impl Into<Vec<u8>>) -> Vec<Output> {
        self.close(req);
        self.input(Input::Loaded {
            req,
            data: data.into(),
        })
    }

    /// The request failed with this status (0: no response) and error body.
    pub(super) fn fail(&mut self, req: RequestId, status: u16, body: Option<&str>) -> Vec<Output> {
        self.close(req);
        self.input(Input::LoadFailed {
            req,
            status,
            body: body.map(str::to_string),
        })
    }

    /// `loaded` bytes of the response arrived (cumulative).
    pub(super) fn progress(&mut self, req: RequestId, loaded: u64) -> Vec<Output> {
        self.input(Input::Progress {
            req,
            loaded,
            total: None,
        })
    }

    /// The harness's content for a fetch.
    pub(super) fn body_for(&self, f: &Fetch) -> Vec<u8> {
        match f.kind {
            RequestKind::Manifest if f.url.ends_with("master.m3u8") => MASTER.as_bytes().to_vec(),
            RequestKind::Manifest
            | RequestKind::LevelPlaylist { .. }
            | RequestKind::AudioPlaylist { .. } => {
                let mut text = media_playlist(self.content.segments);
                if let Some(key) = self.content.key {
                    let (_, iv) = encrypted(&key, &self.plain_segment());
                    text = with_key(&text, "#EXTINF", iv);
                }
                if !self.content.fmp4 {
                    return text.into_bytes();
                }
                text = with_map(&text, &f.url);
                if let Some(key) = self.content.key {
                    // The init segment is encrypted too, with its own IV.
                    let init = init_of(&f.url.replace(".m3u8", "-init.mp4"));
                    text = with_key(&text, "#EXT-X-MAP", encrypted(&key, &init).1);
                }
                text.into_bytes()
            }
            RequestKind::Segment { .. } => match self.content.key {
                Some(key) => encrypted(&key, &self.plain_segment()).0,
                None => self.plain_segment(),
            },
            RequestKind::AudioSegment { .. } => {
                sim::remux::audio_segment_bytes(self.content.segment_bytes, 10.0)
            }
            RequestKind::InitSegment { .. } => match self.content.key {
                Some(key) => encrypted(&key, &init_of(&f.url)).0,
                None => init_of(&f.url),
            },
            RequestKind::Key => {
                let key = self.content.wrong_key.or(self.content.key);
                key.unwrap_or_default().to_vec()
            }
            RequestKind::SubtitlePlaylist { .. } => {
                vtt_playlist(self.content.segments).into_bytes()
            }
            RequestKind::SubtitleSegment { sequence, .. } => vtt_segment(sequence).into_bytes(),
            RequestKind::SubtitleInit { .. } => Vec::new(),
        }
    }

    fn plain_segment(&self) -> Vec<u8> {
        sim::remux::segment_bytes(self.content.segment_bytes, 10.0)
    }

    /// Answer an open request with the harness's content for it.
    pub(super) fn serve(&mut self, req: RequestId) -> Vec<Output> {
        let Some(f) = self.open.iter().find(|f| f.req == req).cloned() else {
            panic!("request {req:?} is not open; open: {:?}", self.open);
        };
        let body = self.body_for(&f);
        self.answer(req, body)
    }

    /// With the playhead where it is, serve every request a tick after it was sent and
    /// acknowledge every append, until nothing is open: the buffer fills up to the goal.
    pub(super) fn fill(&mut self) -> Vec<Output> {
        let mut outs = Vec::new();
        for _ in 0..1000 {
            let due: Vec<RequestId> = self.open.iter().map(|f| f.req).collect();
            if due.is_empty() {
                return outs;
            }
            self.advance_to(self.now + TICK);
            for req in due {
                outs.extend(self.serve(req));
            }
            outs.extend(self.ack_appends());
        }
        panic!("requests never stop: {:?}", self.open);
    }

    // ----- buffer --------------------------------------------------------------------------------

    /// Appends handed out and not yet acknowledged.
    pub(super) fn pending_appends(&self) -> &[PendingAppend] {
        &self.appends
    }

    /// Removes handed out and not yet acknowledged.
    pub(super) fn pending_removes(&self) -> &[Removal] {
        &self.removes
    }

    /// Acknowledge every append, and the appends that follow, until none is left: `AppendDone`,
    /// or `AppendFailed` (QuotaExceededError) when the append would go beyond `quota_seconds`.
    /// Removes are left pending.
    pub(super) fn ack_appends(&mut self) -> Vec<Output> {
        let mut outs = Vec::new();
        for _ in 0..1000 {
            if self.appends.is_empty() {
                return outs;
            }
            for a in std::mem::take(&mut self.appends) {
                let held: f64 = self.buffered.as_slice().iter().map(|&(s, e)| e - s).sum();
                let over = a.range.is_some_and(|(s, e)| {
                    self.quota_seconds
                        .is_some_and(|q| held + (e - s) > q + 1e-9)
                });
                if over {
                    outs.extend(self.input(Input::AppendFailed {
                        track: a.track,
                        quota_exceeded: true,
                    }));
                    continue;
                }
                if let Some((s, e)) = a.range {
                    self.buffered.add(s, e);
                }
                outs.extend(self.input(Input::AppendDone { track: a.track }));
            }
        }
        panic!("appends never stop: {:?}", self.appends);
    }

    /// Answer every pending append with `AppendFailed`.
    pub(super) fn fail_appends(&mut self, quota_exceeded: bool) -> Vec<Output> {
        let mut outs = Vec::new();
        for a in std::mem::take(&mut self.appends) {
            outs.extend(self.input(Input::AppendFailed {
                track: a.track,
                quota_exceeded,
            }));
        }
        outs
    }

    /// Complete every pending remove (the range leaves `buffered`) with `RemoveDone`.
    pub(super) fn ack_removes(&mut self) -> Vec<Output> {
        let mut outs = Vec::new();
        for r in std::mem::take(&mut self.removes) {
            self.buffered.remove(r.start, r.end);
            outs.extend(self.input(Input::RemoveDone { track: r.track }));
        }
        outs
    }

    // ----- the media element ---------------------------------------------------------------------

    /// Report the media element: `position`, playing, `buffered`.
    pub(super) fn media(&mut self) -> Vec<Output> {
        self.input(Input::Media {
            position: self.position,
            paused: false,
            buffered: self.buffered.as_slice().to_vec(),
        })
    }

    /// Move the playhead to `position` and report it.
    pub(super) fn media_at(&mut self, position: f64) -> Vec<Output> {
        self.position = position;
        self.media()
    }

    /// Report a playhead and buffered ranges of the test's choosing (the model is not changed).
    pub(super) fn media_with(&mut self, position: f64, buffered: &[(f64, f64)]) -> Vec<Output> {
        self.position = position;
        self.input(Input::Media {
            position,
            paused: false,
            buffered: buffered.to_vec(),
        })
    }

    /// The user seeks to `position`.
    pub(super) fn seek(&mut self, position: f64) -> Vec<Output> {
        self.position = position;
        self.input(Input::Seek { position })
    }

    // ----- time ----------------------------------------------------------------------------------

    /// Move the clock (never back); no timer is fired.
    pub(super) fn advance_to(&mut self, t: f64) {
        self.now = self.now.max(t);
    }

    /// Move the clock to `t` and fire the engine's timer there (whether due or not).
    pub(super) fn timeout_at(&mut self, t: f64) -> Vec<Output> {
        self.advance_to(t);
        self.engine.handle_timeout(self.now);
        self.drive()
    }

    /// Fire every timer due up to `t`, each at its time; the clock ends at `t`.
    pub(super) fn fire_timers_until(&mut self, t: f64) -> Vec<Output> {
        let mut outs = Vec::new();
        for _ in 0..10_000 {
            match self.deadline.filter(|&d| d <= t) {
                Some(d) => outs.extend(self.timeout_at(d)),
                None => {
                    self.advance_to(t);
                    return outs;
                }
            }
        }
        panic!("timers never stop before {t}");
    }

    // ----- a small player --------------------------------------------------------------------------

    /// Run the player until `until`, a tick at a time: timers fire at their time; the playhead
    /// moves over what is buffered; every open request is served one tick after it was sent;
    /// appends and removes are acknowledged; the element's state is reported.
    pub(super) fn play(&mut self, until: f64) {
        while self.now + 1e-9 < until {
            let next = (self.now + TICK).min(until);
            while let Some(d) = self.deadline.filter(|&d| d <= next) {
                self.play_to(d);
                self.engine.handle_timeout(self.now);
                self.drive();
                self.echo();
            }
            self.play_to(next);
            let due: Vec<RequestId> = self
                .open
                .iter()
                .filter(|f| f.at < self.now - 1e-9)
                .map(|f| f.req)
                .collect();
            for req in due {
                self.serve(req);
            }
            self.ack_appends();
            self.ack_removes();
            self.ack_appends();
            self.echo();
            self.media();
        }
    }

    /// Move the clock to `t`, the playhead with it over what is buffered.
    fn play_to(&mut self, t: f64) {
        let dt = (t - self.now).max(0.0);
        let ahead = self
            .buffered
            .ahead(self.position, self.engine.cfg.hole_tolerance);
        self.position += dt.min(ahead);
        self.advance_to(t);
    }

    /// Report the seeks the engine's own `SetPosition`s caused.
    fn echo(&mut self) {
        while let Some(i) = self.echoes.pop_front() {
            self.input(i);
        }
    }

    /// Forget the outputs seen and the buffer operations pending (for long random runs); open
    /// fetches are kept.
    pub(super) fn forget_outputs(&mut self) {
        self.log.clear();
        self.appends.clear();
        self.removes.clear();
        self.echoes.clear();
    }

    // ----- the log -------------------------------------------------------------------------------

    /// Every `Remove` asked for so far.
    pub(super) fn removals(&self) -> Vec<Removal> {
        self.log
            .iter()
            .filter_map(|l| match l.output {
                Output::Remove { track, start, end } => Some(Removal {
                    at: l.at,
                    position: l.position,
                    track,
                    start,
                    end,
                }),
                _ => None,
            })
            .collect()
    }

    /// Every media segment fetch sent so far (retries included).
    pub(super) fn segment_fetches(&self) -> Vec<Fetch> {
        self.fetches(RequestKind::is_media_segment)
    }

    /// Every fetch of a matching kind sent so far (retries included).
    pub(super) fn fetches(&self, kind: impl Fn(&RequestKind) -> bool) -> Vec<Fetch> {
        self.log
            .iter()
            .filter_map(|l| match &l.output {
                Output::Fetch {
                    req,
                    kind: k,
                    url,
                    range,
                } if kind(k) => Some(Fetch {
                    req: *req,
                    kind: *k,
                    url: url.clone(),
                    range: *range,
                    at: l.at,
                }),
                _ => None,
            })
            .collect()
    }

    /// Every debug line so far (`Output::Debug`, with `EngineConfig::debug`).
    pub(super) fn debug_lines(&self) -> Vec<String> {
        self.log
            .iter()
            .filter_map(|l| match &l.output {
                Output::Debug(d) => Some(d.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Every event so far, with its time.
    pub(super) fn events(&self) -> impl Iterator<Item = (f64, &Event)> + '_ {
        self.log.iter().filter_map(|l| match &l.output {
            Output::Event(e) => Some((l.at, e)),
            _ => None,
        })
    }
}
