#!/bin/sh
# Microseconds per decision of the ABR rule (`abr::Lookahead`, default `AbrConfig`) in wasm, on
# the 6-rung Pensieve ladder with 4 s segments: the same loop as `hlsplay simulate
# --decision-cost` (native), compiled to wasm32 in a throwaway crate and timed under node (V8).
# Usage: sh scripts/abr-decision-cost-wasm.sh   (needs the wasm32-unknown-unknown target and node)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src"
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "abr-cost"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[dependencies]
hlsplay = { path = "$root" }
[workspace]
TOML
cat > "$dir/src/lib.rs" <<'RS'
use hlsplay::abr::{Abr, AbrConfig, AbrContext, AbrLevel, Lookahead, SegmentSample};

/// `n` decisions at varied buffers and current levels, after 8 samples (as the native timing).
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    let levels: Vec<AbrLevel> = [300e3, 750e3, 1200e3, 1850e3, 2850e3, 4300e3]
        .iter()
        .map(|&b| AbrLevel { bitrate: b, avg_bitrate: None })
        .collect();
    let allowed = [true; 6];
    let mut rule = Lookahead::new(AbrConfig::default());
    for k in 0..8u64 {
        rule.on_sample(&SegmentSample {
            level: 3,
            bytes: 900_000 + 20_000 * k,
            ttfb_s: 0.08,
            load_s: 2.5,
            duration: 4.0,
        });
    }
    let mut sink = 0u32;
    for i in 0..n as usize {
        let ctx = AbrContext {
            now: 100.0 + i as f64,
            levels: &levels,
            allowed: &allowed,
            current: Some(i % 6),
            buffer: (i % 30) as f64,
            buffer_goal: 30.0,
            segment_duration: 4.0,
            remaining: Some(120.0),
        };
        sink = sink.wrapping_add(rule.choose(&ctx) as u32);
    }
    sink
}
RS
target=${CARGO_TARGET_DIR:-$dir/target}
(cd "$dir" && CARGO_TARGET_DIR=$target cargo build --release -q --target wasm32-unknown-unknown)
WASM="$target/wasm32-unknown-unknown/release/abr_cost.wasm" node --input-type=module -e '
import { readFileSync } from "node:fs";
const mod = await WebAssembly.compile(readFileSync(process.env.WASM));
const imports = {};
for (const imp of WebAssembly.Module.imports(mod)) {
  (imports[imp.module] ??= {})[imp.name] = () => { throw new Error("unexpected import " + imp.name); };
}
const { exports } = await WebAssembly.instantiate(mod, imports);
exports.run(2000); // let V8 tier up
const n = 20000;
const t0 = performance.now();
exports.run(n);
const us = ((performance.now() - t0) * 1000) / n;
console.log(JSON.stringify({ decision_cost_us: +us.toFixed(1), rule: "ours", rungs: 6, target: "wasm (node " + process.version + ")" }));
'
