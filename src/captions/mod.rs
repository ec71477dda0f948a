//! Captions and subtitles as cues on the player's timeline: the formats parsed here (WebVTT
//! renditions, CEA-608 carried in the video, IMSC1 in fMP4) all end as [`Cue`]s.
mod cea608;
mod cue;

pub use cea608::{Cea608Decoder, Channel, Field};
pub use cue::Cue;
