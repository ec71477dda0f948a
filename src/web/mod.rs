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
mod text_tracks;
#[cfg(feature = "bench-api")]
pub mod transmuxer;

pub use player::Player;

/// Talc instead of std's dlmalloc: 2.9 KB gzip smaller, remux throughput and memory the same
/// (`bench/remux-vs-muxjs.mjs`). Its `disable-realloc-in-place` feature saves 160 B more but
/// grows the heap of repeated remuxes by a quarter, so it stays off. Single-threaded wasm only
/// (no `atomics`), which is how the package is built.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// `a, b, c`: the "known: ..." part of an unknown-name error. A loop rather than `[&str]::join`,
/// whose generic copy routine costs the wasm 1 KB raw.
pub(crate) fn comma_list(names: &[&str]) -> String {
    let mut list = String::new();
    for name in names {
        if !list.is_empty() {
            list.push_str(", ");
        }
        list.push_str(name);
    }
    list
}

/// The crate version, for diagnostics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
