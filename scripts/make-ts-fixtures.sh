#!/bin/sh
# Regenerates the MPEG-TS fixtures of tests/fixtures/ts (see the README there). ffmpeg 5.1.
set -eu
cd "$(dirname "$0")/../tests/fixtures/ts"
FF="ffmpeg -hide_banner -loglevel error -y"
V="-f lavfi -i testsrc2=size=320x180:rate=30"
A48="-f lavfi -i sine=frequency=440:sample_rate=48000"
A44="-f lavfi -i sine=frequency=330:sample_rate=44100"
X264="-c:v libx264 -preset veryfast -pix_fmt yuv420p -sc_threshold 0"
# Main profile, 2 B-frames, AAC-LC 48 kHz stereo (the MediaConvert shape).
$FF $V $A48 -t 2 $X264 -profile:v main -bf 2 -g 30 -b:v 300k -c:a aac -b:a 64k -ac 2 -f mpegts main_bf2.ts
# High profile, 2 B-frames, JVT scaling matrices (exercises the SPS scaling-list path), 8x8 transform.
$FF $V $A48 -t 2 $X264 -profile:v high -bf 2 -g 30 -b:v 300k -x264-params cqm=jvt -c:a aac -b:a 64k -ac 2 -f mpegts high_bf2.ts
# No B-frames (Baseline), AAC-LC 44.1 kHz mono.
$FF $V $A44 -t 2 $X264 -profile:v baseline -bf 0 -g 30 -b:v 300k -c:a aac -b:a 48k -ac 1 -f mpegts nobf_aac44_mono.ts
# MP3 audio (stream type 0x03/0x04).
$FF $V $A44 -t 2 $X264 -profile:v main -bf 2 -g 30 -b:v 300k -c:a libmp3lame -b:a 64k -ac 2 -f mpegts mp3.ts
# Audio only and video only.
$FF $A48 -t 2 -c:a aac -b:a 64k -ac 2 -f mpegts audio_only.ts
$FF $V -t 2 $X264 -profile:v main -bf 2 -g 30 -b:v 300k -f mpegts video_only.ts
# Timestamps crossing the 2^33 rollover (2^33 / 90000 = 95443.7177 s) about one second in.
$FF $V $A48 -t 2 $X264 -profile:v main -bf 2 -g 30 -b:v 300k -c:a aac -b:a 64k -ac 2 -output_ts_offset 95441.4 -f mpegts rollover.ts
# Three segments cut mid-GOP (keyframes every 2 s, cuts every 1 s at any frame).
$FF $V $A48 -t 3 $X264 -profile:v main -bf 2 -g 60 -keyint_min 60 -b:v 300k -c:a aac -b:a 64k -ac 2 \
  -f segment -segment_time 1 -break_non_keyframes 1 -segment_format mpegts midgop_%d.ts
# A 3-segment HLS run as ffmpeg's HLS muxer cuts it (1 s segments, a keyframe at each start).
$FF $V $A48 -t 3 $X264 -profile:v main -bf 2 -g 30 -keyint_min 30 -b:v 300k -c:a aac -b:a 64k -ac 2 \
  -f hls -hls_time 1 -hls_playlist_type vod -hls_segment_filename 'run_%d.ts' run.m3u8
rm -f run.m3u8
