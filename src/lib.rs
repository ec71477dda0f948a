//! # hlsplay
//!
//! An HLS player for the web. A sans-IO core (playlists, MPEG-TS to fMP4 remux, ABR, the player
//! engine) that never touches a clock, the network or the DOM, under a thin browser layer
//! (`web`, wasm32 only) that performs the core's outputs and reports its inputs.
//!
//! Driving contract ([`engine`]): after every `handle_input(now, ..)` / `handle_timeout(now)` the
//! caller drains `poll_output()` until it returns `Output::Timeout(at)` or `None`.
#![cfg_attr(not(target_arch = "wasm32"), forbid(unsafe_code))]

pub mod abr;
pub mod api;
pub mod captions;
pub mod crypto;
pub mod engine;
pub mod error;
pub mod fmp4;
pub mod id3;
pub mod playlist;
pub mod remux;
#[cfg(not(target_arch = "wasm32"))]
pub mod sim;
pub mod ts;

pub use error::ErrorCategory;

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use web::*;
