//! Captions and subtitles as cues on the player's timeline: the formats parsed here (WebVTT
//! renditions, CEA-608 carried in the video, IMSC1 in fMP4) all end as [`Cue`]s.
mod cea608;
mod cue;
mod cue_store;
mod entities;
mod imsc1;
mod text;
mod timestamp_map;
mod warning;
mod webvtt;
mod xml;

pub use cea608::{Cea608Decoder, Channel, Field};
pub use cue::Cue;
pub use cue_store::{CueId, CueStore, StoredCue};
pub use imsc1::{Imsc1, Imsc1Error, TtmlPlacement};
pub use timestamp_map::{TimelineMapping, TimestampMap};
pub use warning::{CueProblem, CueWarning};
pub use webvtt::{WebVtt, WebVttError};
