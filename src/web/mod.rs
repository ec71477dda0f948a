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
mod remote;
mod session;
mod text_tracks;
#[cfg(feature = "bench-api")]
pub mod transmuxer;
mod wire;
mod worker;

pub use player::Player;

// The package's types (`PlayerConfig`, `PlayerEvents`, `Level`, …), from `crate::api`'s table,
// appended to `hlsplay.d.ts`.
#[wasm_bindgen(typescript_custom_section)]
const SHAPES_TS: &str = crate::api::SHAPES_TS;
#[wasm_bindgen(typescript_custom_section)]
const RETRY_TS: &str = crate::api::RETRY_TS;
#[wasm_bindgen(typescript_custom_section)]
const CONFIG_TS: &str = crate::api::CONFIG_TS;
#[wasm_bindgen(typescript_custom_section)]
const EVENTS_TS: &str = crate::api::EVENTS_TS;
#[wasm_bindgen(typescript_custom_section)]
const PLAYER_TS: &str = crate::api::PLAYER_TS;

/// Talc instead of std's dlmalloc: 2.9 KB gzip smaller, remux throughput and memory the same
/// (`bench/remux-vs-muxjs.mjs`). Its `disable-realloc-in-place` feature saves 160 B more but
/// grows the heap of repeated remuxes by a quarter, so it stays off. Single-threaded wasm only
/// (no `atomics`), which is how the package is built.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The crate version, for diagnostics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
