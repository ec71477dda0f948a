//! Subtitle and caption tracks (hls.js's `subtitleTracks`): the master playlist's EXT-X-MEDIA
//! TYPE=SUBTITLES renditions (WebVTT, or IMSC1 in fMP4 for CMAF), its TYPE=CLOSED-CAPTIONS
//! renditions (CEA-608 in the video, INSTREAM-ID CC1-CC4), and a `captions` track "CC1" added
//! when 608 data turns up in a stream that declared none.
//!
//! One track is shown at a time: the app's choice (`subtitleTrack`), else a FORCED track in the
//! audio's language (forced narrative is shown even with subtitles off). The shown track's
//! playlist is loaded and its segments fetched ahead with the buffer goal through the same
//! requests as media (credentials, retries, the refresh after a refusal), placed on the timeline
//! with the mapping the video's remuxer set for the segment's discontinuity domain (a segment
//! waits until the video has placed its domain), and held per track in a [`CueStore`] that drops
//! the cues segments repeat. Caption tracks are decoded from every video segment whether shown
//! or not: the bytes come with the video and are not fetched again. The engine says which cues
//! to add and remove (`Output::AddCues` / `RemoveCues`) and which track to show
//! (`Output::ShowSubtitleTrack`); cues behind the back buffer are removed with it. A bad cue is
//! a non-fatal `parse` error naming the segment and the line; a subtitle request that fails for
//! good is a non-fatal error too: subtitles never stop playback.

use std::rc::Rc;

use crate::captions::{
    Cea608Decoder, Channel, Cue, CueStore, CueWarning, Imsc1, TimelineMapping, TtmlPlacement,
    WebVtt,
};
use crate::fmp4::moov::{read_init, InitTrack};
use crate::fmp4::stpp;
use crate::playlist::{Map, MasterPlaylist, MediaType};
use crate::remux::CcData;

use super::language::same_language;
use super::levels::{MediaSlot, PlaylistOwner};
use super::loader::{Request, RequestId, RequestKind};
use super::scheduler::next_segment;
use super::timeline::{Seg, EDGE};
use super::types::{ErrorCause, Event, Output, SubtitleKind, SubtitleTrackInfo};
use super::{Engine, SegmentRemuxer};

/// Cues behind the back buffer are dropped each time the playhead has moved this far.
const EVICT_STEP_S: f64 = 10.0;

/// Where a track's cues come from.
#[derive(Debug)]
enum Source {
    /// A media playlist of WebVTT (or fMP4 IMSC1) segments.
    Playlist(MediaSlot),
    /// A CEA-608 channel of the video.
    Cea608(Box<Cea608Decoder>),
}

#[derive(Debug)]
pub(super) struct SubtitleTrack {
    name: String,
    lang: Option<String>,
    group_id: String,
    default: bool,
    forced: bool,
    autoselect: bool,
    source: Source,
    cues: CueStore,
}

impl SubtitleTrack {
    fn info(&self, id: usize) -> SubtitleTrackInfo {
        SubtitleTrackInfo {
            id,
            name: self.name.clone(),
            lang: self.lang.clone(),
            group_id: self.group_id.clone(),
            default: self.default,
            forced: self.forced,
            autoselect: self.autoselect,
            kind: match self.source {
                Source::Playlist(_) => SubtitleKind::Subtitles,
                Source::Cea608(_) => SubtitleKind::Captions,
            },
        }
    }

    fn speaks(&self, want: &str) -> bool {
        self.lang.as_deref().is_some_and(|l| same_language(l, want))
    }

    fn slot(&self) -> Option<&MediaSlot> {
        match &self.source {
            Source::Playlist(slot) => Some(slot),
            Source::Cea608(_) => None,
        }
    }
}

/// The subtitle segment in flight.
#[derive(Debug)]
struct SubtitleFetch {
    id: RequestId,
    seg: Seg,
}

/// The init segment (EXT-X-MAP) of the shown track's fMP4 segments.
#[derive(Debug)]
struct TextInit {
    map: Rc<Map>,
    req: Option<RequestId>,
    /// Its `stpp` track, once loaded (`None` while loading or when it has none).
    track: Option<InitTrack>,
}

/// Every subtitle track, the one shown and its fetch cursor.
#[derive(Debug, Default)]
pub(super) struct Subtitles {
    tracks: Vec<SubtitleTrack>,
    /// The app's choice (`subtitleTrack`); `None`: off.
    selected: Option<usize>,
    /// The track whose cues are shown: `selected`, else a FORCED one.
    pub(super) shown: Option<usize>,
    /// Playlist time of the next subtitle segment to fetch.
    next_time: f64,
    fetch: Option<SubtitleFetch>,
    init: Option<TextInit>,
    /// The shown track's playlist or init segment failed for good: nothing more is fetched
    /// for it until another track is shown.
    given_up: bool,
    /// The playhead at the last pass over the back buffer.
    evicted_at: f64,
}

impl Subtitles {
    pub(super) fn slot(&self, track: usize) -> Option<&MediaSlot> {
        self.tracks.get(track)?.slot()
    }

    pub(super) fn slot_mut(&mut self, track: usize) -> Option<&mut MediaSlot> {
        match &mut self.tracks.get_mut(track)?.source {
            Source::Playlist(slot) => Some(slot),
            Source::Cea608(_) => None,
        }
    }

    /// Every subtitle playlist slot.
    pub(super) fn slots(&self) -> impl Iterator<Item = &MediaSlot> {
        self.tracks.iter().filter_map(SubtitleTrack::slot)
    }

    /// Every subtitle playlist slot, with its owner.
    pub(super) fn for_each_slot(&self, f: &mut dyn FnMut(PlaylistOwner, &MediaSlot)) {
        for (i, t) in self.tracks.iter().enumerate() {
            if let Some(s) = t.slot() {
                f(PlaylistOwner::Subtitle(i), s);
            }
        }
    }

    /// The subtitle segment in flight.
    pub(super) fn fetch_id(&self) -> Option<RequestId> {
        self.fetch.as_ref().map(|f| f.id)
    }

    /// A request ended (aborted): no longer in flight.
    pub(super) fn forget_request(&mut self, id: RequestId) {
        if self.fetch.as_ref().is_some_and(|f| f.id == id) {
            self.fetch = None;
        }
        if let Some(init) = self.init.as_mut().filter(|i| i.req == Some(id)) {
            init.req = None;
        }
    }
}

fn track(r: &crate::playlist::Rendition, source: Source) -> SubtitleTrack {
    SubtitleTrack {
        name: r.name.clone(),
        lang: r.language.clone(),
        group_id: r.group_id.clone(),
        default: r.default,
        forced: r.forced,
        autoselect: r.autoselect,
        source,
        cues: CueStore::new(),
    }
}

impl<R: SegmentRemuxer> Engine<R> {
    /// The tracks of the first variant's SUBTITLES and CLOSED-CAPTIONS groups (every
    /// rendition of the type when the variant names no group), in playlist order.
    pub(super) fn set_subtitle_tracks(&mut self, m: &MasterPlaylist) {
        let first = m.variants.first();
        let subtitles = first.and_then(|v| v.subtitles.as_deref());
        let captions = first.and_then(|v| v.closed_captions.as_deref());
        let in_group = |group: Option<&str>, r: &crate::playlist::Rendition| {
            group.map_or(true, |g| g == r.group_id)
        };
        for r in &m.renditions {
            let source = match r.media_type {
                MediaType::Subtitles if in_group(subtitles, r) => match &r.uri {
                    Some(uri) => Source::Playlist(MediaSlot::new(uri.clone())),
                    None => continue,
                },
                MediaType::ClosedCaptions if in_group(captions, r) => {
                    match r.instream_id.as_deref().and_then(Channel::from_name) {
                        Some(ch) => Source::Cea608(Box::new(Cea608Decoder::new(ch))),
                        None => continue, // CEA-708 SERVICEn: not decoded
                    }
                }
                _ => continue,
            };
            self.subtitles.tracks.push(track(r, source));
        }
    }

    /// After the manifest: announce the tracks and make the first choice.
    pub(super) fn start_subtitles(&mut self) {
        if self.subtitles.tracks.is_empty() {
            return;
        }
        let subtitle_tracks = self.subtitle_track_list();
        self.event(Event::SubtitleTracksUpdated { subtitle_tracks });
        let choice = self.choose_subtitles();
        if choice.is_some() {
            self.subtitles.selected = choice;
            self.event(Event::SubtitleTrackSwitch { id: choice });
        }
        self.update_shown();
    }

    /// `subtitleTracks`.
    pub(super) fn subtitle_track_list(&self) -> Vec<SubtitleTrackInfo> {
        // A loop, not `map` + `collect`: one generic instance fewer in the wasm.
        let mut list = Vec::with_capacity(self.subtitles.tracks.len());
        for (i, t) in self.subtitles.tracks.iter().enumerate() {
            list.push(t.info(i));
        }
        list
    }

    /// `subtitleTrack`: the app's choice (`None`: off).
    pub(super) fn selected_subtitle_track(&self) -> Option<usize> {
        self.subtitles.selected
    }

    /// The first choice: a track in `subtitle_language`; without one, a DEFAULT=YES,
    /// AUTOSELECT=YES track in a language of `subtitle_default_languages`; else off.
    fn choose_subtitles(&self) -> Option<usize> {
        let tracks = &self.subtitles.tracks;
        let find =
            |f: &dyn Fn(&SubtitleTrack) -> bool| tracks.iter().position(|t| !t.forced && f(t));
        match &self.cfg.subtitle_language {
            Some(want) => find(&|t| t.speaks(want)),
            None => find(&|t| {
                let langs = &self.cfg.subtitle_default_languages;
                t.default && t.autoselect && langs.iter().any(|l| t.speaks(l))
            }),
        }
    }

    /// With subtitles off: a FORCED track in the audio's language, else in the preferred
    /// subtitle language or the browser's.
    fn forced_track(&self) -> Option<usize> {
        let audio = self.audio.selected.and_then(|a| self.audio.tracks.get(a));
        let audio_lang = audio.and_then(|a| a.lang.as_deref());
        let cfg = &self.cfg;
        let tracks = &self.subtitles.tracks;
        let forced = |l: &str| tracks.iter().position(|t| t.forced && t.speaks(l));
        // Plain steps, not an iterator chain: the chain's generic code costs the wasm 0.8 KB raw.
        if let Some(t) = audio_lang.and_then(forced) {
            return Some(t);
        }
        if let Some(t) = cfg.subtitle_language.as_deref().and_then(forced) {
            return Some(t);
        }
        cfg.subtitle_default_languages
            .iter()
            .find_map(|l| forced(l))
    }

    /// The app chose track `id` (`None`: off).
    pub(super) fn set_subtitle_track(&mut self, id: Option<usize>) {
        let id = id.filter(|&i| i < self.subtitles.tracks.len());
        if id == self.subtitles.selected {
            return;
        }
        self.subtitles.selected = id;
        self.event(Event::SubtitleTrackSwitch { id });
        self.update_shown();
    }

    /// Show the chosen track (or the forced one); a new shown track is fetched from the
    /// playhead, what the others hold stays (their cues are not shown).
    fn update_shown(&mut self) {
        let subs = &self.subtitles;
        let want = match subs.selected {
            Some(t) => Some(t),
            None => self.forced_track(),
        };
        if want == subs.shown {
            return;
        }
        if let Some(old) = self.subtitles.shown {
            self.mark_stale_if_live(PlaylistOwner::Subtitle(old));
        }
        let subs = &mut self.subtitles;
        subs.shown = want;
        subs.given_up = false;
        subs.next_time = self.playhead.position;
        let fetch = subs.fetch.take().map(|f| f.id);
        let init = subs.init.take().and_then(|i| i.req);
        if let Some(id) = fetch {
            self.abort(id);
        }
        if let Some(id) = init {
            self.abort(id);
        }
        self.out.push_back(Output::ShowSubtitleTrack(want));
    }

    /// After a seek: fetch from the new position (the cues held stay: they are on the
    /// timeline); the 608 decoders start over, as the video does.
    pub(super) fn subtitles_seek(&mut self, target: f64) {
        let subs = &mut self.subtitles;
        for t in &mut subs.tracks {
            if let Source::Cea608(d) = &mut t.source {
                d.reset();
            }
        }
        let holds = |f: &SubtitleFetch| f.seg.start <= target + EDGE && f.seg.end() > target;
        if subs.fetch.as_ref().is_some_and(holds) {
            return;
        }
        subs.next_time = target;
        if let Some(id) = subs.fetch.take().map(|f| f.id) {
            self.abort(id);
        }
    }

    /// Fetch the shown track's next segment while it is within the buffer goal.
    pub(super) fn schedule_subtitles(&mut self) {
        if self.subtitles.tracks.is_empty() {
            return;
        }
        self.update_shown();
        let subs = &self.subtitles;
        let Some(track) = subs.shown else {
            return;
        };
        if subs.fetch.is_some() || subs.given_up || self.auth.holding {
            return;
        }
        if !self.manifest.timeline_set {
            return;
        }
        let Some(slot) = subs.slot(track) else {
            return; // captions: they come with the video
        };
        let owner = PlaylistOwner::Subtitle(track);
        let Some(playlist) = slot.fresh() else {
            if slot.req.is_none() {
                self.load_playlist(owner);
            }
            return;
        };
        let position = self.playhead.position;
        let from = subs.next_time.max(position);
        if from - position >= self.buffer_goal() {
            return;
        }
        let Some((t, seg)) = next_segment(playlist, from) else {
            return;
        };
        // Cue times are placed with the video's mapping of the segment's domain.
        if self.shared_offset(&seg).is_none() {
            return;
        }
        if let Some(map) = seg.map.clone() {
            if !self.text_init_ready(track, map) {
                return;
            }
        }
        let kind = owner.segment_request(seg.sequence);
        let id = self.new_request(kind, seg.uri.clone(), seg.byte_range);
        self.subtitles.next_time = t;
        self.subtitles.fetch = Some(SubtitleFetch { id, seg });
    }

    /// Whether the `stpp` init segment `map` is loaded; requests it when not.
    fn text_init_ready(&mut self, track: usize, map: Rc<Map>) -> bool {
        match &self.subtitles.init {
            Some(i) if *i.map == *map => return i.track.is_some(),
            _ => {}
        }
        let kind = RequestKind::SubtitleInit { track };
        let id = self.new_request(kind, map.uri.clone(), map.byte_range);
        self.subtitles.init = Some(TextInit {
            map,
            req: Some(id),
            track: None,
        });
        false
    }

    /// A subtitle request's body arrived.
    pub(super) fn on_subtitle_loaded(&mut self, r: &Request, data: &[u8]) {
        match r.kind {
            RequestKind::SubtitleInit { .. } => self.on_text_init(r, data),
            RequestKind::SubtitleSegment { track, .. } => {
                let subs = &mut self.subtitles;
                if subs.fetch.as_ref().map(|f| f.id) != Some(r.id) {
                    return;
                }
                let Some(fetch) = subs.fetch.take() else {
                    return;
                };
                subs.next_time = fetch.seg.end();
                let offset = self.shared_offset(&fetch.seg).unwrap_or(0.0);
                let url = super::redact_url(&r.url);
                let cues = match fetch.seg.map.is_some() {
                    true => self.imsc1_cues(data, &url, offset),
                    false => self.webvtt_cues(data, &url, offset, fetch.seg.start),
                };
                self.add_cues(track, cues);
            }
            _ => {}
        }
    }

    fn on_text_init(&mut self, r: &Request, data: &[u8]) {
        let Some(init) = self.subtitles.init.as_mut().filter(|i| i.req == Some(r.id)) else {
            return;
        };
        init.req = None;
        let init_segment = read_init(data).ok();
        init.track = init_segment.as_ref().and_then(stpp::stpp_track).cloned();
        if init.track.is_none() {
            self.subtitles.given_up = true;
            let details = "subtitle init segment without a readable stpp (IMSC1) track".into();
            self.error(
                ErrorCause::Subtitle { line: 0 },
                details,
                false,
                Some(&r.url),
            );
        }
    }

    fn webvtt_cues(&mut self, data: &[u8], url: &str, offset: f64, start: f64) -> Vec<Cue> {
        match WebVtt::parse(data, url) {
            Ok(vtt) => {
                self.cue_warnings(&vtt.warnings, url);
                let mapping = TimelineMapping {
                    offset,
                    segment_start: start,
                };
                vtt.on_timeline(&mapping)
            }
            Err(e) => {
                self.error(
                    ErrorCause::Subtitle { line: 1 },
                    e.to_string(),
                    false,
                    Some(url),
                );
                Vec::new()
            }
        }
    }

    fn imsc1_cues(&mut self, data: &[u8], url: &str, origin: f64) -> Vec<Cue> {
        let Some(track) = self.subtitles.init.as_ref().and_then(|i| i.track.clone()) else {
            return Vec::new();
        };
        let samples = match stpp::text_samples(data, &track) {
            Ok(s) => s,
            Err(e) => {
                let details = e.to_string();
                self.error(ErrorCause::Subtitle { line: 0 }, details, false, Some(url));
                return Vec::new();
            }
        };
        let mut cues = Vec::new();
        for s in samples {
            let placement = TtmlPlacement {
                origin,
                sample_end: Some(origin + s.end()),
            };
            match Imsc1::parse(s.data, url, placement) {
                Ok(doc) => {
                    self.cue_warnings(&doc.warnings, url);
                    cues.extend(doc.cues);
                }
                Err(e) => self.error(
                    ErrorCause::Subtitle { line: 0 },
                    e.to_string(),
                    false,
                    Some(url),
                ),
            }
        }
        cues
    }

    /// Each cue left out is a non-fatal `parse` error naming the segment and the line.
    fn cue_warnings(&mut self, warnings: &[CueWarning], url: &str) {
        for w in warnings {
            let cause = ErrorCause::Subtitle { line: w.line };
            self.error(cause, w.to_string(), false, Some(url));
        }
    }

    /// Hold `cues` for `track`; the new ones go to its `TextTrack`.
    fn add_cues(&mut self, track: usize, cues: Vec<Cue>) {
        let Some(t) = self.subtitles.tracks.get_mut(track) else {
            return;
        };
        let cues = t.cues.add(cues);
        if !cues.is_empty() {
            self.out.push_back(Output::AddCues { track, cues });
        }
    }

    /// A subtitle request failed for good: a non-fatal error, and the cursor goes on (a
    /// segment is skipped; a playlist or init segment stops this track's fetching).
    pub(super) fn subtitle_given_up(
        &mut self,
        id: RequestId,
        cause: ErrorCause,
        mut details: String,
    ) {
        let Some(r) = self.requests.remove(id) else {
            return;
        };
        let subs = &mut self.subtitles;
        match r.kind {
            RequestKind::SubtitleSegment { .. } => {
                if let Some(f) = subs.fetch.take_if(|f| f.id == id) {
                    subs.next_time = f.seg.end();
                }
            }
            _ => {
                subs.given_up = true;
                subs.forget_request(id);
                self.forget_playlist_request(id);
            }
        }
        details.push_str("; subtitles go on without it");
        self.error(cause, details, false, Some(&r.url));
    }

    /// CEA-608 pairs from a video segment: decoded on every caption track (a stream with
    /// captions and no CLOSED-CAPTIONS rendition gets a "CC1" track first).
    pub(super) fn on_cc_data(&mut self, pairs: &[CcData]) {
        let subs = &mut self.subtitles;
        let declared = subs
            .tracks
            .iter()
            .any(|t| matches!(t.source, Source::Cea608(_)));
        if !declared {
            subs.tracks.push(SubtitleTrack {
                name: "CC1".into(),
                lang: None,
                group_id: String::new(),
                default: false,
                forced: false,
                autoselect: false,
                source: Source::Cea608(Box::new(Cea608Decoder::new(Channel::Cc1))),
                cues: CueStore::new(),
            });
            let subtitle_tracks = self.subtitle_track_list();
            self.event(Event::SubtitleTracksUpdated { subtitle_tracks });
        }
        self.decode_captions(&mut |d| {
            for p in pairs {
                d.push(p.time, p.field, p.pair);
            }
            d.take_cues()
        });
    }

    /// The end of the video: the captions on screen end there.
    pub(super) fn flush_captions(&mut self, at: f64) {
        self.decode_captions(&mut |d| d.flush(at));
    }

    /// (`dyn`: one copy in the wasm for both callers.)
    fn decode_captions(&mut self, f: &mut dyn FnMut(&mut Cea608Decoder) -> Vec<Cue>) {
        for i in 0..self.subtitles.tracks.len() {
            let cues = match self.subtitles.tracks.get_mut(i).map(|t| &mut t.source) {
                Some(Source::Cea608(d)) => f(d),
                _ => continue,
            };
            self.add_cues(i, cues);
        }
    }

    /// Drop the cues that end behind the back buffer (each time the playhead moved 10 s).
    pub(super) fn evict_cues(&mut self) {
        let (Some(back), false) = (self.cfg.back_buffer, self.subtitles.tracks.is_empty()) else {
            return;
        };
        let position = self.playhead.position;
        if (position - self.subtitles.evicted_at).abs() < EVICT_STEP_S {
            return;
        }
        self.subtitles.evicted_at = position;
        for (track, t) in self.subtitles.tracks.iter_mut().enumerate() {
            let ids = t.cues.remove_before(position - back);
            if !ids.is_empty() {
                self.out.push_back(Output::RemoveCues { track, ids });
            }
        }
    }
}
