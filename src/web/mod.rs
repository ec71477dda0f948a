//! The browser layer (wasm32 only): JS bindings over the sans-IO core.
use wasm_bindgen::prelude::*;

/// The crate version, for diagnostics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

pub mod transmuxer;
