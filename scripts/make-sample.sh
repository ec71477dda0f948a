#!/usr/bin/env bash
# make-sample.sh [shape] [input.mp4] [outdir]        (or: make-sample.sh --shape SHAPE [input.mp4] [outdir])
#
# Turns an mp4 (default: a generated 60 s testsrc2 pattern with a 440 Hz tone) into the shapes of the
# MediaConvert jobs the player is built for (see docs/design-devcdn.md, "Sample stream"). SHAPE is
# recognised by name, so `make-sample.sh` and `make-sample.sh '' sample` still make the default `ts`.
#
# The shapes MediaConvert's settings express are job JSON run by the job emulator: ts
# (tests/fixtures/jobs/vod-sample.json, the seed's job), aes (aes.json), cmaf (cmaf.json),
# cmaf-single-file (cmaf-single-file.json), apple-alt-audio (apple-alt-audio.json), webvtt
# (webvtt.json), webvtt-match-video (webvtt-match-video.json), cc608 (cc608.json) and cmaf-cc608
# (cmaf-cc608.json), the last two on the source with 608 captions (below), each
# `pipeline run --input <source> --out <outdir> --job <json> --dt <stamp> --cache
# <outdir>/<base>/.encodes` on <outdir>/<base>/.source/<base>.mov (the input, or the pattern, with a
# second audio track, a 660 Hz tone, for the jobs' second audio selector). The ladder is encoded
# once: the jobs share the emulator's encode cache. The other shapes are post-steps on the ts
# ladder, each for a stated reason (docs/design-devcdn.md, "Sample stream").
#
# ts (default; job vod-sample.json): the Apple HLS output group, MPEG-TS with the audio muxed into every rendition
#   <outdir>/<base>/Default/HLS/<base>.m3u8                 master (BANDWIDTH, AVERAGE-BANDWIDTH, CODECS,
#                                                           RESOLUTION, FRAME-RATE)
#   <outdir>/<base>/Default/HLS/<base>_360.m3u8 (540, 720)  VOD media playlists, MEDIA-SEQUENCE 1, integer EXTINF
#   <outdir>/<base>/Default/HLS/<base>_360<stamp>_00001.ts  10 s MPEG-TS segments, PMT 480 / video 481 / audio 482
#                                                           (<stamp> = $SAMPLE_STAMP, default 20250101T120000)
#   <outdir>/<base>/Default/MP4/<base>.mp4                  720p 3 Mbps, moov at front (its own encode)
#   <outdir>/<base>/Default/Thumbnails/<base>.0000000.jpg   1280x720 JPEG every 5 s (7-digit counter)
#
# cmaf (job cmaf.json): the CMAF output group (SegmentControl SEGMENTED_FILES, FragmentLength 2), video-only renditions and two audio
#   renditions in two languages, every one with its own playlist, EXT-X-MAP init and segments
#   <outdir>/<base>/Default/CMAF/<base>.m3u8                master (VERSION 6, AUDIO="program_audio_0")
#   <outdir>/<base>/Default/CMAF/<base>_360.m3u8            video media playlist (540, 720)
#   <outdir>/<base>/Default/CMAF/<base>_360init.cmfv        its init segment (ftyp + moov)
#   <outdir>/<base>/Default/CMAF/<base>_360_000000001.cmfv  10 s segments of fragments (one per GOP)
#   <outdir>/<base>/Default/CMAF/<base>_eng.m3u8, <base>_enginit.cmfa, <base>_eng_000000001.cmfa
#                                                           English: the 440 Hz tone (fra: French, 660 Hz)
#
# cmaf-single-file (alias cmaf-byterange; job cmaf-single-file.json): the same with SegmentControl SINGLE_FILE, one file per
#   rendition (the init and the segments above, byte for byte) addressed by EXT-X-BYTERANGE
#   <outdir>/<base>/Default/CMAF-SingleFile/<base>.m3u8, <base>_360.m3u8, <base>_360.cmfv, <base>_eng.cmfa, ...
#
# apple-alt-audio (alias apple; job apple-alt-audio.json): the Apple HLS output group with AudioTrackType
#   ALTERNATE_AUDIO_* (English from audio selector 1, French from selector 2):
#   video-only MPEG-TS renditions (PMT 480 / video 481) and two audio-only MPEG-TS renditions
#   (AudioOnlyContainer M2TS, PMT 480 / audio 482), English DEFAULT=YES, French DEFAULT=NO
#   <outdir>/<base>/Default/HLS-AltAudio/<base>.m3u8, <base>_360.m3u8, <base>_360<stamp>_00001.ts,
#   <base>_eng.m3u8, <base>_eng<stamp>_00001.ts, ...
#
# aes (job aes.json): the ts ladder encrypted as MediaConvert's static key provider does (EncryptionMethod
#   AES128, InitializationVectorInManifest EXCLUDE): one #EXT-X-KEY:METHOD=AES-128,URI="key1.key",
#   KEYFORMAT="identity",KEYFORMATVERSIONS="1" without IV (the IV is the media sequence number), every
#   segment AES-128-CBC with PKCS#7 padding; the key file beside the playlists, behind the same cookies
#   <outdir>/<base>/Default/HLS-AES/<base>.m3u8, <base>_360.m3u8, <base>_360<stamp>_00001.ts, key1.key
#
# aes-rotation (post-step: a static key provider has one key, MediaConvert rotates keys only through
#   SPEKE): the ts ladder copied with a new key every 2 segments (<base>_key1.key, _key2.key,
#   _key3.key); the even keys' tags carry an explicit IV=0x... (a constant IV), the others none
#   <outdir>/<base>/Default/HLS-AES-Rotation/...
#
# cmaf-aes (post-step): the cmaf group with init and media segments AES-128 encrypted as whole files, one key with
#   an explicit IV (RFC 8216 requires it for an encrypted EXT-X-MAP); not a MediaConvert shape
#   (its CMAF group encrypts per sample), the HLS form other packagers write for fMP4
#   <outdir>/<base>/Default/CMAF-AES/...
#
# The post-steps' keys are derived from the shape's name (stable across runs); the .key files are
# their only record. aes.json's key is in the job JSON.
#
# webvtt (job webvtt.json, the cue files copied to <outdir>/captions/, the bucket's captions/ prefix
#   the job's caption selectors name): the ts ladder (the same MPEG-TS bytes) with two WebVTT subtitle renditions as MediaConvert's
#   Apple HLS group writes them with CaptionSegmentLengthControl LARGE_SEGMENTS: 300 s segments (one
#   for the 60 s sample), each starting X-TIMESTAMP-MAP=MPEGTS:<the video's first PTS>,LOCAL:00:00:00.000,
#   TARGETDURATION the video's; SUBTITLES="subs" on every variant, the renditions after them
#   (English DEFAULT=YES, Español DEFAULT=NO; cues from scripts/captions/webvtt_<lang>.vtt)
#   <outdir>/<base>/Default/HLS-WebVTT/<base>.m3u8, <base>_360.m3u8, <base>_360<stamp>_00001.ts,
#   <base>_subs_eng.m3u8, <base>_subs_eng_00001.vtt, <base>_subs_spa.m3u8, ...
#
# webvtt-match-video (job webvtt-match-video.json): the same with CaptionSegmentLengthControl MATCH_VIDEO: WebVTT segments cut where
#   the video's are (10 s, EXTINF as the video playlist's), a cue across a cut in both segments
#   <outdir>/<base>/Default/HLS-WebVTT-MatchVideo/<base>_subs_eng_00001.vtt ... _00006.vtt, ...
#
# cc608 (job cc608.json on <outdir>/<base>/.source-608/<base>.mov: the source carries 608, as a
#   broadcast source would, since MediaConvert passes 608 through and no setting writes it from a cue
#   script; the source's video gets CC1 pop-on captions (GA94 SEI) from scripts/captions/cc608.vtt
#   by `hlsplay inject-608`, its audio copied): the Apple HLS group with an EMBEDDED caption selector
#   and EMBEDDED caption destinations, so the encodes keep the captions (checked with ffmpeg's 608
#   decoder on the 360 rung), and CaptionLanguageSetting INSERT: CLOSED-CAPTIONS="cc" on every variant,
#   EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",LANGUAGE="eng",NAME="English",INSTREAM-ID="CC1".
#   Its own encodes (another source): the same ladder settings, not the ts ladder's bytes
#   <outdir>/<base>/Default/HLS-608/<base>.m3u8, <base>_360.m3u8, <base>_360<stamp>_00001.ts, ...
#
# cmaf-cc608 (job cmaf-cc608.json on the same captioned source): the CMAF group of cmaf.json with the
#   EMBEDDED caption selector and EMBEDDED caption destinations on its video outputs, so the
#   fragments' samples keep the GA94 SEI (checked with ffmpeg's 608 decoder on the 360 rung, init and
#   segments joined). The master says nothing of the captions (no CLOSED-CAPTIONS: CmafGroupSettings
#   has no CaptionLanguageSetting); a player finds them in the video. It packages cc608's encodes
#   <outdir>/<base>/Default/CMAF-608/<base>.m3u8, <base>_360.m3u8, <base>_360init.cmfv,
#   <base>_360_000000001.cmfv, <base>_eng.m3u8, ...
#
# Cue times in scripts/captions/ count from the first video frame (cue time 0 = its PTS).
#
# all: every shape above.
#
# Ladder (the seed's job): 640x360 / 960x540 / 1280x720 at 1 / 2 / 3 Mbps CBR, H.264 Main, 2 B-frames,
# GOP 90 frames, closed GOP, keyframes forced every 10 s so segments are cut at 10 s as MediaConvert's
# segment control does; AAC-LC 96 kbps 48 kHz stereo muxed into every rendition. Every shape carries
# the very same video bitstream (the jobs package the cached encodes, the post-steps copy the ts
# ladder's; cc608 and cmaf-cc608, encoded from the captioned source, excepted), so a comparison between shapes compares packaging only; separate audio is encoded from
# the source (English: track 1, French: track 2, the 660 Hz tone) with the same AAC settings.
#
# Idempotent: one stamp file per shape records its parameters; when they match, nothing is done.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

die() { echo "make-sample: $*" >&2; exit 2; }

# The shape a name stands for, or failure when the name is not one.
shape_of() {
  case $1 in
    ts) echo ts ;;
    cmaf) echo cmaf ;;
    cmaf-single-file | cmaf-byterange) echo cmaf-single-file ;;
    apple-alt-audio | apple) echo apple-alt-audio ;;
    aes) echo aes ;;
    aes-rotation) echo aes-rotation ;;
    cmaf-aes) echo cmaf-aes ;;
    webvtt) echo webvtt ;;
    webvtt-match-video) echo webvtt-match-video ;;
    cc608) echo cc608 ;;
    cmaf-cc608) echo cmaf-cc608 ;;
    all) echo all ;;
    *) return 1 ;;
  esac
}

shape=
args=()
while (($#)); do
  case $1 in
    --shape) (($# >= 2)) || die "--shape needs a name"; shape=$2; shift 2 ;;
    --shape=*) shape=${1#--shape=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z "$shape" ]] && ((${#args[@]})) && shape_of "${args[0]}" >/dev/null; then
  shape=${args[0]}
  args=("${args[@]:1}")
fi
shape=${shape:-ts}
requested=$(shape_of "$shape") || die "unknown shape '$shape' (ts, cmaf, cmaf-single-file, apple-alt-audio, aes, aes-rotation, cmaf-aes, webvtt, webvtt-match-video, cc608, cmaf-cc608, all)"
((${#args[@]} <= 2)) || die "too many arguments (make-sample.sh [shape] [input.mp4] [outdir]; --help)"
# `${args[0]-}`: an empty array has no element 0, and `set -u` would stop here.
input=${args[0]-}
outdir=${args[1]-}
outdir=${outdir:-sample}

# MediaConvert puts the job's completion time into segment names (<base>_360<stamp>_00001.ts); a fixed
# default keeps the sample reproducible, and players must take URIs from the playlist anyway.
STAMP=${SAMPLE_STAMP:-20250101T120000}
DURATION=${SAMPLE_DURATION:-60}

if [[ -n "$input" ]]; then
  [[ -f "$input" ]] || { echo "make-sample: input not found: $input" >&2; exit 2; }
  base=$(basename "$input"); base=${base%.*}
  input_id="file:$(realpath "$input"):$(stat -c '%s:%Y' "$input")"
  # Source frame rate as a fraction (e.g. 30/1, 30000/1001).
  fps_frac=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$input")
  has_audio=$(ffprobe -v error -select_streams a:0 -show_entries stream=index -of csv=p=0 "$input")
else
  base=testpattern
  input_id="lavfi:testsrc2+sine:${DURATION}s"
  fps_frac=30/1
  has_audio=yes
fi

root="$outdir/$base/Default"
hls="$root/HLS"
ts_stamp="$outdir/$base/.make-sample-stamp"

# H.264 CODECS from the first SPS of a segment: profile_idc, constraint flags, level_idc in hex.
codec_of() {
  local sps
  sps=$(ffmpeg -v error -i "$1" -map 0:v:0 -c:v copy -bsf:v h264_mp4toannexb -frames:v 1 -f h264 - \
        | od -An -tx1 -v | tr -d ' \n' | grep -o '0000000167[0-9a-f]\{6\}\|00000167[0-9a-f]\{6\}' | head -1)
  sps=${sps: -6}
  [[ ${#sps} -eq 6 ]] || { echo "make-sample: no SPS found in $1" >&2; exit 1; }
  echo "avc1.$sps"
}

# Shapes already made (or found up to date) in this run: the others depend on them.
declare -A made=()

# ---- the MediaConvert job emulator (tools/pipeline) ------------------------------------------------

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS_DIR="$REPO_DIR/tests/fixtures/jobs"
# The cue scripts of the caption shapes (the WebVTT of each subtitle language, the 608 captions),
# times from the first frame shown: the tests assert on them.
CAPTIONS_DIR="$REPO_DIR/scripts/captions"
# The H.264 encodes the emulator keeps across this script's jobs: a shape asking for the ladder's
# renditions (same input, sizes and H264Settings) packages them instead of encoding them again.
ENCODES="$outdir/$base/.encodes"

# `pipeline run` (tools/pipeline) of this checkout, built if needed.
pipeline_run() {
  cargo run -q --manifest-path "$REPO_DIR/Cargo.toml" -p pipeline -- run "$@"
}

# What decides the emulator's files: its sources and the job JSON $1.
emulator_id() {
  cat "$REPO_DIR"/tools/pipeline/src/mediaconvert/*.rs "$1" | sha256sum | cut -c1-16
}

# The file the jobs run on (named <base>.mov: MediaConvert names the outputs after it), as a user's
# upload would be, with two audio tracks for the jobs' two audio selectors: track 1 the input's audio
# (the generated pattern's: a 440 Hz tone; silence for an input without audio), track 2 a 660 Hz tone
# (the French rendition, audibly not the English one). The generated pattern is testsrc2 1280x720
# 30 fps, near-lossless; an input's video is copied.
source_file=
make_source() {
  source_file="$outdir/$base/.source/$base.mov"
  local stamp="$outdir/$base/.source/stamp" dur=$DURATION
  local params="input=$input_id tracks=input-or-440,660 x264-crf-8 pcm"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$params" && -f "$source_file" ]]; then return 0; fi
  rm -rf "$outdir/$base/.source" "$ENCODES"
  mkdir -p "$outdir/$base/.source"
  echo "make-sample: the source: $source_file"
  # inputs: the video's and track 1's, then the 660 Hz tone (input index $tone); outputs: the maps.
  local inputs=() maps=() tone=2
  if [[ -n "$input" ]]; then
    dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$input")
    inputs=(-i "$input")
    maps=(-map 0:v:0 -c:v copy)
    if [[ -n "$has_audio" ]]; then maps+=(-map 0:a:0) tone=1; else
      inputs+=(-f lavfi -t "$dur" -i "anullsrc=channel_layout=stereo:sample_rate=48000")
      maps+=(-map 1:a)
    fi
  else
    inputs=(-f lavfi -i "testsrc2=size=1280x720:rate=30:duration=${dur}"
            -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=${dur}")
    maps=(-map 0:v -c:v libx264 -preset ultrafast -crf 8 -pix_fmt yuv420p -map 1:a)
  fi
  ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" \
    -f lavfi -i "sine=frequency=660:sample_rate=48000:duration=${dur}" \
    "${maps[@]}" -map "$tone:a" -c:a pcm_s16le -ac 2 -ar 48000 "$source_file"
  printf '%s' "$params" >"$stamp"
}

# Runs the job JSON $1 on the source, unless the stamp $2 says it has been with these parameters;
# the master $3 is what must be there.
# What a job's output is made from: the job JSON and the emulator, the source, the stamp, and the
# sidecar caption files it names (copied to <outdir>/captions/, the bucket's captions/ prefix).
job_params() { # job
  local sidecars=
  if grep -q 's3://vod/captions/' "$1"; then
    sidecars=" captions=$(cat "$CAPTIONS_DIR"/webvtt_*.vtt | sha256sum | cut -c1-16)"
  fi
  echo "job=$(basename "$1") emulator=$(emulator_id "$1") source=[$(cat "$outdir/$base/.source/stamp" 2>/dev/null)] stamp=$STAMP$sidecars"
}

run_job() { # job stamp master
  local job=$1 stamp=$2 master=$3 params
  make_source
  if grep -q 's3://vod/captions/' "$job"; then
    mkdir -p "$outdir/captions"
    cp "$CAPTIONS_DIR"/webvtt_*.vtt "$outdir/captions/"
  fi
  params=$(job_params "$job")
  if up_to_date "$stamp" "$params" "$master"; then
    echo "make-sample: up to date: $master"
    return 0
  fi
  rm -f "$stamp"
  echo "make-sample: $(basename "$job") on $source_file (pipeline run)"
  pipeline_run --input "$source_file" --out "$outdir" --job "$job" --dt "$STAMP" --cache "$ENCODES" >/dev/null
  printf '%s' "$params" >"$stamp"
  echo "make-sample: done: $master"
}

up_to_date() { # stamp params master
  [[ -f "$1" && "$(cat "$1")" == "$2" && -f "$3" ]]
}

# ---- ts: the seed's job, the ladder every shape not run as a job is built from ----------------------

make_ts() {
  [[ -z "${made[make_ts]:-}" ]] || return 0
  made[make_ts]=1
  # The job's groups only: the other shapes' folders sit beside them (and are made from them).
  if ! up_to_date "$ts_stamp" "$(job_params "$JOBS_DIR/vod-sample.json")" "$hls/$base.m3u8"; then
    rm -rf "$hls" "$root/MP4" "$root/Thumbnails"
  fi
  run_job "$JOBS_DIR/vod-sample.json" "$ts_stamp" "$hls/$base.m3u8"
}

# ---- what the shapes with separate audio share ------------------------------------------------------

RUNGS="360:640x360:1000 540:960x540:2000 720:1280x720:3000"
AUDIO_KBPS=96
SEGMENT_S=10
# MediaConvert's MinFinalSegmentLength: a last segment shorter than this joins the one before (the
# audio runs one AAC frame past the video, which would otherwise make a 21 ms segment).
MIN_FINAL_S=1

# The concat: input of one rung of the ts ladder (its segments in playlist order).
ladder_input() {
  echo "concat:$(grep -v '^#' "$hls/${base}_$1.m3u8" | sed "s|^|$hls/|" | paste -sd'|')"
}

frame_rate_of() { awk -F/ '{ d = ($2 == "" ? 1 : $2); printf "%.3f", $1 / d }' <<<"$fps_frac"; }

# Writes a media playlist from a table of segments (lines `uri duration bytes [offset]`, offset for
# byte ranges) and prints its peak bitrate (bits/s over the segments of 1 s or more).
#   write_media_playlist TABLE OUT VERSION [MAP_URI [MAP_BYTERANGE]]
write_media_playlist() {
  local table=$1 out=$2 version=$3 map_uri=${4:-} map_range=${5:-}
  awk -v version="$version" -v map_uri="$map_uri" -v map_range="$map_range" -v out="$out" '
    { uri[NR] = $1; d[NR] = $2; size[NR] = $3; off[NR] = $4
      r = int($2 + 0.5); if (r < 1) r = 1; rounded[NR] = r; if (r > target) target = r
      if ($2 >= 1) { bps = $3 * 8 / $2; if (bps > peak) peak = bps } }
    END {
      print "#EXTM3U" > out
      print "#EXT-X-VERSION:" version > out
      print "#EXT-X-TARGETDURATION:" target > out
      print "#EXT-X-MEDIA-SEQUENCE:1" > out
      print "#EXT-X-PLAYLIST-TYPE:VOD" > out
      if (map_uri != "") {
        if (map_range != "") printf "#EXT-X-MAP:URI=\"%s\",BYTERANGE=\"%s\"\n", map_uri, map_range > out
        else printf "#EXT-X-MAP:URI=\"%s\"\n", map_uri > out
      }
      for (i = 1; i <= NR; i++) {
        printf "#EXTINF:%d,\n", rounded[i] > out
        if (off[i] != "") printf "#EXT-X-BYTERANGE:%d@%d\n", size[i], off[i] > out
        print uri[i] > out
      }
      print "#EXT-X-ENDLIST" > out
      printf "%d\n", peak
    }' "$table"
}

# The shared part of a shape's master: BANDWIDTH = the video rendition's peak + the largest audio
# peak; AVERAGE-BANDWIDTH 1.1 x configured video + audio, as for the ts ladder.
bandwidths() { # video_peak audio_peak kbps
  local peak=$(($1 + $2)) avg=$(( ($3 * 1000 + AUDIO_KBPS * 1000) * 11 / 10 ))
  (( peak < avg )) && peak=$avg
  echo "$peak $avg"
}

# ---- cmaf, cmaf-single-file: the CMAF output group --------------------------------------------------

# A job's group folder: redone (emptied first) when its stamp is stale, then the job run.
make_job_shape() { # shape job dir
  local shape=$1 job=$2 dir=$3 stamp="$outdir/$base/.make-sample-$1-stamp"
  make_ts
  if ! up_to_date "$stamp" "$(job_params "$job")" "$dir/$base.m3u8"; then
    rm -rf "$dir"
  fi
  run_job "$job" "$stamp" "$dir/$base.m3u8"
}

make_cmaf() {
  [[ -z "${made[make_cmaf]:-}" ]] || return 0
  made[make_cmaf]=1
  make_job_shape cmaf "$JOBS_DIR/cmaf.json" "$root/CMAF"
}

make_cmaf_single_file() {
  [[ -z "${made[make_cmaf_single_file]:-}" ]] || return 0
  made[make_cmaf_single_file]=1
  make_job_shape cmaf-single-file "$JOBS_DIR/cmaf-single-file.json" "$root/CMAF-SingleFile"
}

# ---- MPEG-TS playlists of the post-steps ----------------------------------------------------------------

# Rewrites ffmpeg's media playlist $2 (segments in directory $1) into a segment table, folding a last
# segment shorter than MIN_FINAL_S into the one before (MPEG-TS segments concatenate).
ts_table() { # dir ffmpeg_playlist
  local dir=$1 list=$2 n last_uri last_dur prev_uri prev_dur rows
  mapfile -t rows < <(awk '/^#EXTINF:/ { sub(/^#EXTINF:/, ""); sub(/,.*/, ""); d = $0; next } /^[^#]/ { print $0, d }' "$list")
  n=${#rows[@]}
  if ((n > 1)); then
    read -r last_uri last_dur <<<"${rows[n - 1]}"
    if awk -v d="$last_dur" -v m="$MIN_FINAL_S" 'BEGIN { exit !(d < m) }'; then
      read -r prev_uri prev_dur <<<"${rows[n - 2]}"
      cat "$dir/$last_uri" >>"$dir/$prev_uri"
      rm "$dir/$last_uri"
      rows[n - 2]="$prev_uri $(awk -v a="$prev_dur" -v b="$last_dur" 'BEGIN { printf "%.6f", a + b }')"
      unset 'rows[n - 1]'
    fi
  fi
  local row uri dur
  for row in "${rows[@]}"; do
    read -r uri dur <<<"$row"
    echo "$uri $dur $(stat -c %s "$dir/$uri")"
  done
}

# ---- apple-alt-audio: the Apple HLS group with alternate audio renditions ----------------------------------

make_apple_alt_audio() {
  [[ -z "${made[make_apple_alt_audio]:-}" ]] || return 0
  made[make_apple_alt_audio]=1
  make_job_shape apple-alt-audio "$JOBS_DIR/apple-alt-audio.json" "$root/HLS-AltAudio"
}

# ---- aes, aes-rotation, cmaf-aes: AES-128 copies of the ts and cmaf groups ---------------------------------

AES_VERSION=1
AES_ROTATE_SEGMENTS=2 # aes-rotation: a new key every this many segments (6 segments: 3 keys)

# 16 bytes as 32 hex digits, derived from a label: a rerun writes the same keys, IVs and encrypted
# bytes, so stamps and tests stay valid. Test keys, public by construction; never printed.
derived_hex() { printf 'hlsplay sample %s' "$1" | sha256sum | cut -c1-32; }

# The tag as MediaConvert's static key provider writes it (KeyFormat identity, KeyFormatVersions 1);
# IV=0x... only when given (InitializationVectorInManifest INCLUDE with a ConstantInitializationVector).
key_tag() { # uri [iv_hex]
  local iv=
  [[ -n "${2:-}" ]] && iv=",IV=0x${2^^}"
  printf '#EXT-X-KEY:METHOD=AES-128,URI="%s"%s,KEYFORMAT="identity",KEYFORMATVERSIONS="1"\n' "$1" "$iv"
}

# Whole-file AES-128-CBC with PKCS#7 padding (openssl enc pads by default).
aes_encrypt() { # in out key_hex iv_hex
  openssl enc -aes-128-cbc -K "$3" -iv "$4" -in "$1" -out "$2"
}

# Key n of a shape (hex, in aes_key[n]), its explicit IV (aes_iv[n], empty: none) and its file
# <base>_key<n>.key in $dst, made once per shape. $ivs: which keys have an explicit IV (see below).
declare -A aes_key=() aes_iv=()
aes_key_for() { # shape dst ivs n
  local shape=$1 dst=$2 ivs=$3 n=$4
  [[ -n "${aes_key[$n]:-}" ]] && return 0
  aes_key[$n]=$(derived_hex "$shape key $n")
  aes_iv[$n]=
  if [[ $ivs == all || ($ivs == even && $((n % 2)) == 0) ]]; then aes_iv[$n]=$(derived_hex "$shape iv $n"); fi
  printf '%b' "$(sed 's/../\\x&/g' <<<"${aes_key[$n]}")" >"$dst/${base}_key$n.key"
}

# Copies the group folder $src into $dst encrypted. Each media playlist gets EXT-X-KEY tags and at
# least VERSION 5 (RFC 8216 section 7: KEYFORMAT needs it); each segment and init segment is
# encrypted with the key in effect for it. Key n (from 1) is <base>_key<n>.key beside the playlists
# (a relative URI: on the same CDN path, behind the same signed cookies); a new key every $rotate
# segments (0: one key). $ivs says which keys carry an explicit IV: none (the IV is then the
# segment's media sequence number, big-endian), even (keys 2, 4, ...) or all. The master is copied.
encrypt_group() { # shape src dst rotate ivs
  local shape=$1 src=$2 dst=$3 rotate=$4 ivs=$5
  local playlist name line seq index period shown uri iv
  aes_key=() aes_iv=()
  for playlist in "$src/${base}"_*.m3u8; do
    name=$(basename "$playlist")
    seq=1 index=0 shown=0
    while IFS= read -r line; do
      case $line in
        '#EXT-X-VERSION:'*) ((${line#*:} >= 5)) || line='#EXT-X-VERSION:5' ;;
        '#EXT-X-MEDIA-SEQUENCE:'*) seq=${line#*:} ;;
        '#EXT-X-BYTERANGE:'*) die "$shape: $playlist: byte ranges are not supported (whole files are encrypted)" ;;
        '#EXT-X-MAP:'*)
          uri=$(sed -n 's/^#EXT-X-MAP:URI="\([^"]*\)".*/\1/p' <<<"$line")
          aes_key_for "$shape" "$dst" "$ivs" 1
          # RFC 8216 section 4.3.2.5: an encrypted init segment needs the IV in the key tag before it.
          [[ -n "${aes_iv[1]}" ]] || die "$shape: $playlist: an encrypted EXT-X-MAP needs an explicit IV (use ivs=all)"
          key_tag "${base}_key1.key" "${aes_iv[1]}"
          shown=1
          aes_encrypt "$src/$uri" "$dst/$uri" "${aes_key[1]}" "${aes_iv[1]}"
          ;;
        '#EXTINF:'*)
          period=1
          ((rotate > 0)) && period=$((index / rotate + 1))
          if ((period != shown)); then
            aes_key_for "$shape" "$dst" "$ivs" "$period"
            key_tag "${base}_key$period.key" "${aes_iv[$period]}"
            shown=$period
          fi
          ;;
        '#'* | '') ;;
        *)
          iv=${aes_iv[$shown]}
          [[ -n "$iv" ]] || iv=$(printf '%032x' $((seq + index)))
          aes_encrypt "$src/$line" "$dst/$line" "${aes_key[$shown]}" "$iv"
          index=$((index + 1))
          ;;
      esac
      printf '%s\n' "$line"
    done <"$playlist" >"$dst/$name"
  done
  cp "$src/$base.m3u8" "$dst/$base.m3u8"
}

make_encrypted() { # shape src dst src_stamp rotate ivs
  local shape=$1 src=$2 dst=$3 from=$4 rotate=$5 ivs=$6
  local stamp="$outdir/$base/.make-sample-$shape-stamp"
  local params="$shape version=$AES_VERSION from=[$(cat "$from")] rotate=$rotate ivs=$ivs"
  if up_to_date "$stamp" "$params" "$dst/$base.m3u8"; then
    echo "make-sample: up to date: $dst/$base.m3u8"
    return 0
  fi
  rm -rf "$dst" "$stamp"
  mkdir -p "$dst"
  echo "make-sample: AES-128 copy of $src into $dst"
  encrypt_group "$shape" "$src" "$dst" "$rotate" "$ivs"
  printf '%s' "$params" >"$stamp"
  echo "make-sample: done: $dst/$base.m3u8 (key files: $(ls "$dst"/*.key | wc -l))"
}

make_aes() {
  [[ -z "${made[make_aes]:-}" ]] || return 0
  made[make_aes]=1
  # MediaConvert's own encryption: the seed's HLS group with a static key, its renditions packaged
  # from the ladder's encodes.
  make_job_shape aes "$JOBS_DIR/aes.json" "$root/HLS-AES"
}

make_aes_rotation() {
  [[ -z "${made[make_aes_rotation]:-}" ]] || return 0
  made[make_aes_rotation]=1
  make_ts
  make_encrypted aes-rotation "$hls" "$root/HLS-AES-Rotation" "$ts_stamp" "$AES_ROTATE_SEGMENTS" even
}

make_cmaf_aes() {
  [[ -z "${made[make_cmaf_aes]:-}" ]] || return 0
  made[make_cmaf_aes]=1
  make_cmaf
  make_encrypted cmaf-aes "$root/CMAF" "$root/CMAF-AES" "$outdir/$base/.make-sample-cmaf-stamp" 0 all
}

# ---- webvtt, cc608: captions and subtitles -------------------------------------------------------------

CAPTIONS_VERSION=1

# The ladder's duration (seconds), as ffprobe measures the first rung's segments joined (the
# playlist's EXTINF are rounded).
ladder_duration() {
  ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$(ladder_input "$1")"
}

# Cue blocks of a WebVTT file, one a line: `start end text` (seconds; text lines joined by \n).
vtt_cues() {
  awk '
    function secs(s,   n, p, t, i) { n = split(s, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; return t }
    /-->/ { split($0, f, /[ \t]+-->[ \t]+/); split(f[2], g, /[ \t]/); start = secs(f[1]); end = secs(g[1]); text = ""; intext = 1; next }
    intext && /^[ \t\r]*$/ { print start, end, text; intext = 0; next }
    intext { sub(/\r$/, ""); sub(/[ \t]+$/, ""); text = (text == "" ? $0 : text "\\n" $0) }
    END { if (intext) print start, end, text }' "$1"
}

make_webvtt() {
  [[ -z "${made[make_webvtt]:-}" ]] || return 0
  made[make_webvtt]=1
  make_job_shape webvtt "$JOBS_DIR/webvtt.json" "$root/HLS-WebVTT"
}

make_webvtt_match_video() {
  [[ -z "${made[make_webvtt_match_video]:-}" ]] || return 0
  made[make_webvtt_match_video]=1
  make_job_shape webvtt-match-video "$JOBS_DIR/webvtt-match-video.json" "$root/HLS-WebVTT-MatchVideo"
}

# `hlsplay` (tools/cli) of this checkout, built if needed.
hlsplay_cli() {
  cargo run -q --manifest-path "$REPO_DIR/Cargo.toml" -p hlsplay-cli -- "$@"
}

# ffmpeg's 608 decoder (CC1) on a TS file or a fragmented MP4 (init and segments joined) against a
# cue script: same cues, same texts, start and end within one frame. Fails the run otherwise; $3
# names the shape in the messages.
check_608() { # ts_or_mp4 script.vtt shape
  local got want shape=$3
  got=$(ffmpeg -v error -f lavfi -i "movie=$1[out0+subcc]" -map 0:s -f webvtt - | vtt_cues /dev/stdin)
  want=$(vtt_cues "$2")
  awk -v shape="$shape" -v frame="$(awk -F/ '{ d = ($2 == "" ? 1 : $2); printf "%.6f", d / $1 }' <<<"$fps_frac")" '
    NR == FNR { want[++n] = $0; next }
    { got[++m] = $0 }
    function abs(x) { return x < 0 ? -x : x }
    END {
      if (m != n) { printf "make-sample: %s: ffmpeg decodes %d captions, the script has %d\n", shape, m, n > "/dev/stderr"; exit 1 }
      for (i = 1; i <= n; i++) {
        split(want[i], w, " "); split(got[i], g, " ")
        wt = want[i]; sub(/^[^ ]+ [^ ]+ /, "", wt); gt = got[i]; sub(/^[^ ]+ [^ ]+ /, "", gt)
        if (wt != gt || abs(w[1] - g[1]) > frame + 0.0005 || abs(w[2] - g[2]) > frame + 0.0005) {
          printf "make-sample: %s: caption %d is [%s], the script says [%s]\n", shape, i, got[i], want[i] > "/dev/stderr"; exit 1
        }
      }
      printf "make-sample: %s: ffmpeg decodes the %d captions of the script (times within one frame)\n", shape, n
    }' <(printf '%s\n' "$want") <(printf '%s\n' "$got")
}

# The source with CEA-608 in its H.264, as a broadcast source would carry it (MediaConvert passes 608
# through; no job setting writes 608 from a cue script): the source's video, copied to MPEG-TS, gets
# the cues of scripts/captions/cc608.vtt that fit it (CC1 pop-on, GA94 SEI) from `hlsplay
# inject-608`, and is put back beside the source's two audio tracks, copied. Named <base>.mov in its
# own folder: MediaConvert names the outputs after the input.
cc608_source=
make_cc608_source() {
  make_source
  local dir="$outdir/$base/.source-608" stamp="$outdir/$base/.source-608/stamp" sums dur
  cc608_source="$dir/$base.mov"
  sums=$(cat "$CAPTIONS_DIR/cc608.vtt" "$REPO_DIR"/tools/cli/src/cea608_{encoder,inject}.rs "$REPO_DIR/tools/cli/src/mpegts_writer.rs" | sha256sum | cut -c1-16)
  local params="source=[$(cat "$outdir/$base/.source/stamp")] captions=$sums version=$CAPTIONS_VERSION"
  if up_to_date "$stamp" "$params" "$cc608_source"; then return 0; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "make-sample: the source with CEA-608 captions in its H.264 (hlsplay inject-608): $cc608_source"
  # The cues that fit the video (a shorter SAMPLE_DURATION keeps the first ones).
  dur=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$source_file")
  { echo WEBVTT; vtt_cues "$CAPTIONS_DIR/cc608.vtt" | awk -v d="$dur" '$2 <= d - 0.5 {
      t = $0; sub(/^[^ ]+ [^ ]+ /, "", t); gsub(/\\n/, "\n", t); printf "\n%.3f --> %.3f\n%s\n", $1, $2, t }' \
      | awk '/-->/ { split($0, f, " "); printf "%02d:%02d:%06.3f --> %02d:%02d:%06.3f\n", int(f[1] / 3600), int(f[1] / 60) % 60, f[1] - 60 * int(f[1] / 60), int(f[3] / 3600), int(f[3] / 60) % 60, f[3] - 60 * int(f[3] / 60); next } { print }'
  } >"$dir/captions.vtt"
  ffmpeg -hide_banner -loglevel error -y -i "$source_file" -map 0:v:0 -c copy -f mpegts "$dir/video.ts"
  hlsplay_cli inject-608 "$dir/video.ts" --captions "$dir/captions.vtt" -o "$dir/video-608.ts"
  ffmpeg -hide_banner -loglevel error -y -i "$dir/video-608.ts" -i "$source_file" \
    -map 0:v:0 -map 1:a -c copy "$cc608_source"
  rm -f "$dir/video.ts" "$dir/video-608.ts"
  printf '%s' "$params" >"$stamp"
}

# A job on the captioned source (cc608.json, cmaf-cc608.json): its group folder $3 made (or found up
# to date), then ffmpeg's own 608 decoder must read the script's captions from the lowest rung: what
# a player must show. $4 says how that rung's file is made (ts: the segments joined; fmp4: the init
# segment, then the segments).
make_608_job() { # shape job dir how
  local shape=$1 job=$2 dir=$3 how=$4 stamp="$outdir/$base/.make-sample-$1-stamp"
  make_cc608_source
  # The job runs on the captioned source (run_job's input), its parameters those of that source.
  local plain=$source_file params check
  source_file=$cc608_source
  params="$(job_params "$job") source608=[$(cat "$outdir/$base/.source-608/stamp")]"
  if ! up_to_date "$stamp" "$params" "$dir/$base.m3u8"; then
    rm -rf "$dir" "$stamp"
    echo "make-sample: $(basename "$job") on $source_file (pipeline run)"
    pipeline_run --input "$source_file" --out "$outdir" --job "$job" --dt "$STAMP" --cache "$ENCODES" >/dev/null
    check="$outdir/$base/.source-608/check-$shape.$how"
    if [[ $how == fmp4 ]]; then
      sed -n 's/^#EXT-X-MAP:URI="\([^"]*\)".*/\1/p' "$dir/${base}_360.m3u8" | sed "s|^|$dir/|" | xargs cat >"$check"
    else
      : >"$check"
    fi
    grep -v '^#' "$dir/${base}_360.m3u8" | sed "s|^|$dir/|" | xargs cat >>"$check"
    check_608 "$check" "$outdir/$base/.source-608/captions.vtt" "$shape"
    rm -f "$check"
    printf '%s' "$params" >"$stamp"
    echo "make-sample: done: $dir/$base.m3u8"
  else
    echo "make-sample: up to date: $dir/$base.m3u8"
  fi
  source_file=$plain
}

make_cc608() {
  [[ -z "${made[make_cc608]:-}" ]] || return 0
  made[make_cc608]=1
  make_608_job cc608 "$JOBS_DIR/cc608.json" "$root/HLS-608" ts
}

# After cc608: its encodes (the captioned source's ladder, in the cache) are packaged, not made again.
make_cmaf_cc608() {
  [[ -z "${made[make_cmaf_cc608]:-}" ]] || return 0
  made[make_cmaf_cc608]=1
  make_608_job cmaf-cc608 "$JOBS_DIR/cmaf-cc608.json" "$root/CMAF-608" fmp4
}

case $requested in
  ts) make_ts ;;
  cmaf) make_cmaf ;;
  cmaf-single-file) make_cmaf_single_file ;;
  apple-alt-audio) make_apple_alt_audio ;;
  aes) make_aes ;;
  aes-rotation) make_aes_rotation ;;
  cmaf-aes) make_cmaf_aes ;;
  webvtt) make_webvtt ;;
  webvtt-match-video) make_webvtt_match_video ;;
  cc608) make_cc608 ;;
  cmaf-cc608) make_cmaf_cc608 ;;
  all) make_ts; make_cmaf; make_cmaf_single_file; make_apple_alt_audio; make_aes; make_aes_rotation; make_cmaf_aes; make_webvtt; make_webvtt_match_video; make_cc608; make_cmaf_cc608 ;;
esac
