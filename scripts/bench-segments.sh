#!/bin/sh
# 720p MPEG-TS segments for the remux benchmarks (MediaConvert-like: Main, 2 B-frames, 3 Mbps,
# AAC 48 kHz, 10 s segments). Output: bench/segments/seg_*.ts (git-ignored).
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/segments
[ -f bench/segments/seg_2.ts ] && exit 0
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -profile:v main -bf 2 -g 90 -keyint_min 90 -sc_threshold 0 \
  -b:v 3000k -maxrate 3000k -bufsize 6000k -c:a aac -b:a 96k -ac 2 -ar 48000 \
  -f hls -hls_time 10 -hls_playlist_type vod -hls_segment_filename 'bench/segments/seg_%d.ts' bench/segments/index.m3u8
