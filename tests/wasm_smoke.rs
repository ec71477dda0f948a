//! Runs in wasm (node and headless Chromium): the crate's JS-facing surface initialises and answers.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn version_matches_the_crate() {
    assert_eq!(hlsplay::version(), env!("CARGO_PKG_VERSION"));
}
