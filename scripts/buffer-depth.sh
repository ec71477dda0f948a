#!/bin/sh
# What buffer depth buys on the real traces (docs/design-engine.md, "Buffer depth by bytes"):
# mean QoE per trace over each whole Pensieve set x ladder, for ours and the hls.js rule at the
# 30 s goal and at hls.js's 60 MB / 600 s. Prints a markdown table. Needs the peer data.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -q -p hlsplay-cli
bin=${CARGO_TARGET_DIR:-target}/release/hlsplay
# The summary line's mean QoE of `rule`, one decimal.
mean() {
  grep '"summary":true' | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      console.log(JSON.parse(s)[process.argv[1]].mean_qoe.toFixed(1));
    });' "$1"
}
echo '| set, ladder | ours, 30 s | ours, 60 MB | hls.js rule, 60 MB (hls.js as shipped) | hls.js rule, 30 s |'
echo '|---|---|---|---|---|'
for ladder in mediaconvert vod-aws-1080p pensieve; do
  for set in norway fcc; do
    shallow=$("$bin" simulate --traces "$set" --ladder "$ladder" --abr ours,hlsjs)
    deep=$("$bin" simulate --traces "$set" --ladder "$ladder" --abr ours,hlsjs \
      --set max_buffer_size=60000000 --set max_buffer_length=600)
    echo "| $set, $ladder | $(echo "$shallow" | mean ours) | $(echo "$deep" | mean ours) |" \
      "$(echo "$deep" | mean hlsjs) | $(echo "$shallow" | mean hlsjs) |"
  done
done
