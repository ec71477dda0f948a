//! Captions and subtitles as cues on the player's timeline: the formats parsed here (WebVTT
//! renditions, CEA-608 carried in the video, IMSC1 in fMP4) all end as [`Cue`]s.
mod cue;
mod cue_store;
mod entities;
mod timestamp_map;
mod warning;
mod webvtt;

pub use cue::Cue;
pub use cue_store::{CueId, CueStore, StoredCue};
pub use timestamp_map::{TimelineMapping, TimestampMap};
pub use warning::{CueProblem, CueWarning};
pub use webvtt::{WebVtt, WebVttError};
