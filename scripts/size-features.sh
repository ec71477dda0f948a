#!/usr/bin/env bash
# The gzip cost of each optional remux feature in the npm package: the package is built as it is,
# then once per feature with that feature cut off where the remuxer dispatches to it (a few lines
# replaced in a scratch copy of the tree, so the rest of the code is untouched and the optimiser
# drops everything only that feature reaches). Cost = full size - size without the feature.
# Run from a checkout: `bash scripts/size-features.sh` (about a minute per variant). The wasm of
# each variant before wasm-opt, with its names, is left in $WORK (default /tmp/hlsplay-size) for
# `twiggy diff`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_rust_wasm
need_npm_packages

WORK=${SIZE_WORK:-${TMPDIR:-/tmp}/hlsplay-size}
mkdir -p "$WORK/target"

# Replace exact text in a file of the copy; fails when the text is not there (the stub must be
# updated with the code it cuts).
cut_text() {
  local file=$1 from=$2 to=$3
  FROM=$from TO=$to perl -0pi -e 'BEGIN { $n = 0 } $n += s/\Q$ENV{FROM}\E/$ENV{TO}/g; END { exit($n ? 0 : 1) }' "$file" ||
    { echo "size-features: '$from' not found in $file" >&2; exit 1; }
}

# Build the package from a copy of the working tree (tracked and new files) with `stub` applied;
# prints wasm and JS gzip bytes.
measure() {
  local name=$1 stub=$2 dir="$WORK/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$dir"
  ln -s "$ROOT/node_modules" "$dir/node_modules"
  ln -s "$WORK/target" "$dir/target"
  (cd "$dir" && $stub)
  # The variants share one target dir: new mtimes make cargo rebuild the crate for each (tar
  # keeps the originals, which an earlier variant's build may be newer than).
  find "$dir/src" -type f -exec touch {} +
  log "building '$name'"
  # Over the budget is expected for the full build; the sizes are read below.
  (cd "$dir" && bash scripts/build-pkg.sh >/dev/null 2>&1) || true
  # Kept with its names for `twiggy diff "$WORK/no_fmp4.wasm" "$WORK/full.wasm"`.
  cp "$WORK/target/wasm32-unknown-unknown/wasm/hlsplay.wasm" "$WORK/$name.wasm"
  (cd "$dir" && node -e '
    const { readFileSync } = require("node:fs");
    const { gzipSync, constants } = require("node:zlib");
    const gz = (f) => gzipSync(readFileSync(f), { level: constants.Z_BEST_COMPRESSION }).length;
    console.log(gz("pkg/hlsplay_bg.wasm"), gz("pkg/hlsplay.js"));')
}

full() { :; }

# fMP4 reader + passthrough: the Remuxer never reaches Passthrough's segment and init paths.
no_fmp4() {
  local f=src/remux/remuxer.rs
  cut_text $f 'self.fmp4.push_init(init)' 'Err(super::RemuxError::NoInit)'
  cut_text $f 'Format::Fmp4 => self.fmp4.push(segment, info),' 'Format::Fmp4 => Err(super::RemuxError::NoInit),'
  cut_text $f 'Format::Fmp4 => self.fmp4.push_chunk(data, info),' 'Format::Fmp4 => Ok(None),'
  cut_text $f 'Format::Fmp4 => self.fmp4.finish_segment(info),' 'Format::Fmp4 => Err(super::RemuxError::NoInit),'
}

# Packed audio + ID3: the Transmuxer never runs the packed audio parser.
no_packed() {
  local f=src/remux/packed_audio.rs
  cut_text $f 'let r = self.packed_steps(data);' 'let r: Result<(), PackedError> = Err(PackedError::NoAudio { offset: 0 });'
  cut_text $f 'Format::Packed => Ok(self.finish_packed()?),' 'Format::Packed => Err(RemuxError::NoInit),'
}

sizes=$(measure full full)
read -r full_wasm full_js <<<"$sizes"
printf '%-28s %8s %8s %8s\n' variant wasm js total
printf '%-28s %8d %8d %8d\n' full "$full_wasm" "$full_js" $((full_wasm + full_js))
for v in no_fmp4 no_packed; do
  sizes=$(measure "$v" "$v")
  read -r wasm js <<<"$sizes"
  printf '%-28s %8d %8d %8d  (feature: %d bytes)\n' "$v" "$wasm" "$js" $((wasm + js)) \
    $((full_wasm + full_js - wasm - js))
done
