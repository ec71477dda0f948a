//! The browser layer (wasm32 only): JS bindings over the sans-IO core. Everything here performs
//! the engine's outputs or reports inputs; no player logic lives here.
use wasm_bindgen::prelude::*;

mod config;
#[cfg(feature = "bench-api")]
pub mod decryptor;
mod dom;
mod events;
mod fetch;
mod media_events;
mod mse;
mod player;
mod session;
#[cfg(feature = "bench-api")]
pub mod transmuxer;

pub use player::Player;

/// The crate version, for diagnostics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
