#!/usr/bin/env bash
# make-sample.sh [input.mp4] [outdir]
#
# Turns an mp4 (default: a generated 60 s testsrc2 pattern with a 440 Hz tone) into the shape of the
# MediaConvert job the player is built for (see docs/design-devcdn.md, "Sample stream"):
#
#   <outdir>/<base>/Default/HLS/<base>.m3u8                 master (BANDWIDTH, AVERAGE-BANDWIDTH, CODECS,
#                                                           RESOLUTION, FRAME-RATE)
#   <outdir>/<base>/Default/HLS/<base>_360.m3u8 (540, 720)  VOD media playlists, MEDIA-SEQUENCE 1, integer EXTINF
#   <outdir>/<base>/Default/HLS/<base>_360<stamp>_00001.ts  10 s MPEG-TS segments, PMT 480 / video 481 / audio 482
#                                                           (<stamp> = $SAMPLE_STAMP, default 20250101T120000)
#   <outdir>/<base>/Default/MP4/<base>.mp4                  720p 3 Mbps, moov at front
#   <outdir>/<base>/Default/Thumbnails/<base>.0000000.jpg   1280x720 JPEG every 5 s (7-digit counter)
#
# Ladder: 640x360 / 960x540 / 1280x720 at 1 / 2 / 3 Mbps (constrained to CBR-like with maxrate/bufsize),
# H.264 Main, 2 B-frames, GOP 90 frames, closed GOP, keyframes forced every 10 s so segments are cut at
# 10 s as MediaConvert's segment control does; AAC-LC 96 kbps 48 kHz stereo muxed into every rendition.
#
# Idempotent: a stamp file records the parameters; when it matches, nothing is done.
set -euo pipefail

SCRIPT_VERSION=5
# MediaConvert puts the job's completion time into segment names (<base>_360<stamp>_00001.ts); a fixed
# default keeps the sample reproducible, and players must take URIs from the playlist anyway.
STAMP=${SAMPLE_STAMP:-20250101T120000}
DURATION=${SAMPLE_DURATION:-60}
input=${1:-}
outdir=${2:-sample}

if [[ -n "$input" ]]; then
  [[ -f "$input" ]] || { echo "make-sample: input not found: $input" >&2; exit 2; }
  base=$(basename "$input"); base=${base%.*}
  input_id="file:$(realpath "$input"):$(stat -c '%s:%Y' "$input")"
  input_args=(-i "$input")
  # Source frame rate as a fraction (e.g. 30/1, 30000/1001).
  fps_frac=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$input")
  has_audio=$(ffprobe -v error -select_streams a:0 -show_entries stream=index -of csv=p=0 "$input")
else
  base=testpattern
  input_id="lavfi:testsrc2+sine:${DURATION}s"
  input_args=(-f lavfi -i "testsrc2=size=1280x720:rate=30:duration=${DURATION}"
              -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=${DURATION}")
  fps_frac=30/1
  has_audio=yes
fi

root="$outdir/$base/Default"
hls="$root/HLS"
stamp="$outdir/$base/.make-sample-stamp"
params="version=$SCRIPT_VERSION input=$input_id ladder=360:1000k,540:2000k,720:3000k gop=90 bf=2 seg=10 aac=96k/48000/2 thumbs=5s stamp=$STAMP"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$params" && -f "$hls/$base.m3u8" ]]; then
  echo "make-sample: up to date: $hls/$base.m3u8"
  exit 0
fi

rm -rf "${outdir:?}/$base"
mkdir -p "$hls" "$root/MP4" "$root/Thumbnails"
tmp="$outdir/$base/.work"
mkdir -p "$tmp"

if [[ -n "$input" ]]; then
  if [[ -n "$has_audio" ]]; then amap="0:a:0"; else
    # MediaConvert's job always has an audio track; give a silent one to a silent input.
    input_args+=(-f lavfi -i "anullsrc=channel_layout=stereo:sample_rate=48000")
    amap="1:a"
  fi
else
  amap="1:a"
fi

# Frame-exact GOP of 90 frames; extra IDR at every 10 s so every segment starts a closed GOP at 10 s.
echo "make-sample: encoding the ladder into $hls"
ffmpeg -hide_banner -loglevel error -y "${input_args[@]}" \
  -filter_complex "[0:v]split=3[a][b][c];[a]scale=640:360,setsar=1[v1];[b]scale=960:540,setsar=1[v2];[c]scale=1280:720,setsar=1[v3]" \
  -map "[v1]" -map "[v2]" -map "[v3]" -map "$amap" -map "$amap" -map "$amap" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -profile:v main -bf 2 -refs 3 -g 90 -keyint_min 90 \
  -sc_threshold 0 -flags +cgop -force_key_frames "expr:gte(t,n_forced*10)" \
  -b:v:0 1000k -maxrate:v:0 1000k -bufsize:v:0 2000k -level:v:0 3.0 \
  -b:v:1 2000k -maxrate:v:1 2000k -bufsize:v:1 4000k -level:v:1 3.1 \
  -b:v:2 3000k -maxrate:v:2 3000k -bufsize:v:2 6000k -level:v:2 3.1 \
  -c:a aac -b:a 96k -ac 2 -ar 48000 -shortest \
  -f hls -hls_time 10 -hls_playlist_type vod -hls_segment_type mpegts -start_number 1 \
  -hls_segment_options "mpegts_pmt_start_pid=480:mpegts_start_pid=481" \
  -hls_segment_filename "$hls/${base}_%v${STAMP}_%05d.ts" \
  -var_stream_map "v:0,a:0,name:360 v:1,a:1,name:540 v:2,a:2,name:720" "$tmp/ffmpeg_%v.m3u8"

# FRAME-RATE with 3 decimals, from the source rate fraction.
frame_rate=$(awk -F/ '{ d = ($2 == "" ? 1 : $2); printf "%.3f", $1 / d }' <<<"$fps_frac")

# H.264 CODECS from the first SPS of a segment: profile_idc, constraint flags, level_idc in hex.
codec_of() {
  local sps
  sps=$(ffmpeg -v error -i "$1" -map 0:v:0 -c:v copy -bsf:v h264_mp4toannexb -frames:v 1 -f h264 - \
        | od -An -tx1 -v | tr -d ' \n' | grep -o '0000000167[0-9a-f]\{6\}\|00000167[0-9a-f]\{6\}' | head -1)
  sps=${sps: -6}
  [[ ${#sps} -eq 6 ]] || { echo "make-sample: no SPS found in $1" >&2; exit 1; }
  echo "avc1.$sps"
}

master="#EXTM3U
#EXT-X-VERSION:3
#EXT-X-INDEPENDENT-SEGMENTS"
for spec in 360:640x360:1000 540:960x540:2000 720:1280x720:3000; do
  IFS=: read -r name res kbps <<<"$spec"
  src="$tmp/ffmpeg_$name.m3u8"
  out="$hls/${base}_$name.m3u8"
  # Rewrite ffmpeg's media playlist in MediaConvert's shape: integer EXTINF (rounded), TARGETDURATION
  # the largest of them, and the peak segment bitrate for BANDWIDTH.
  read -r target peak < <(awk -v dir="$hls" '
    /^#EXTINF:/ { sub(/^#EXTINF:/, ""); sub(/,.*/, ""); d = $0; next }
    /^[^#]/ && d != "" {
      cmd = "stat -c %s \"" dir "/" $0 "\""; cmd | getline size; close(cmd)
      r = int(d + 0.5); if (r < 1) r = 1; if (r > t) t = r
      # A last sliver of a segment would claim an absurd peak; judge peaks on full-length ones.
      if (d >= 1) { bps = size * 8 / d; if (bps > p) p = bps }
      d = ""
    }
    END { printf "%d %d\n", t, p }' "$src")
  {
    echo "#EXTM3U"
    echo "#EXT-X-VERSION:3"
    echo "#EXT-X-TARGETDURATION:$target"
    echo "#EXT-X-MEDIA-SEQUENCE:1"
    echo "#EXT-X-PLAYLIST-TYPE:VOD"
    awk '/^#EXTINF:/ { sub(/^#EXTINF:/, ""); sub(/,.*/, ""); r = int($0 + 0.5); printf "#EXTINF:%d,\n", (r < 1 ? 1 : r); next }
         /^[^#]/ { print }' "$src"
    echo "#EXT-X-ENDLIST"
  } >"$out"
  first_seg=$(grep -v '^#' "$out" | head -1)
  codecs="$(codec_of "$hls/$first_seg"),mp4a.40.2"
  # AVERAGE-BANDWIDTH as MediaConvert writes it: 1.1 x configured video + audio.
  avg=$(( (kbps * 1000 + 96000) * 11 / 10 ))
  # BANDWIDTH is a peak: never below the average (a CBR encode can come in under 1.1 x configured).
  (( peak < avg )) && peak=$avg
  master+="
#EXT-X-STREAM-INF:BANDWIDTH=$peak,AVERAGE-BANDWIDTH=$avg,CODECS=\"$codecs\",RESOLUTION=$res,FRAME-RATE=$frame_rate
${base}_$name.m3u8"
done
printf '%s\n' "$master" >"$hls/$base.m3u8"

echo "make-sample: MP4 (720p, moov first) and thumbnails"
# The progressive MP4 is the 720p rendition itself, remuxed: same encode as MediaConvert's 720p output.
concat=$(grep -v '^#' "$hls/${base}_720.m3u8" | sed "s|^|$hls/|" | paste -sd'|')
ffmpeg -hide_banner -loglevel error -y -i "concat:$concat" -map 0 -c copy -bsf:a aac_adtstoasc \
  -movflags +faststart "$root/MP4/$base.mp4"
# Frame capture: one 1280x720 JPEG every 5 s of media time, counter from 0 with 7 digits.
ffmpeg -hide_banner -loglevel error -y -i "$root/MP4/$base.mp4" -map 0:v:0 \
  -vf "fps=1/5:round=down,scale=1280:720" -q:v 3 -start_number 0 "$root/Thumbnails/$base.%07d.jpg"

rm -rf "$tmp"
printf '%s' "$params" >"$stamp"
echo "make-sample: done: $hls/$base.m3u8"
