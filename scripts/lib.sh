# Shared by the scripts: installs what the project needs on a fresh Debian machine, skipping what is
# already there. Source it; then call `need_rust_wasm`, `need_debian_packages`, `need_npm_packages`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen CLI must match the crate exactly: read the version from Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

need_rust_wasm() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for component in clippy rustfmt; do
    rustup component list --installed | grep -q "^$component" || rustup component add "$component"
  done
  local want have
  want=$(wasm_bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (a few minutes, once)"
    # No --locked: one of its pinned dependency versions is not served by the registry.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

need_debian_packages() {
  local missing=()
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

need_npm_packages() {
  local stamp="$ROOT/node_modules/.hlsplay-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$ROOT/package-lock.json"; then
    log "installing npm dev packages from package-lock.json"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$ROOT/package-lock.json" "$stamp"
  fi
}

# The AWS CLI (PyPI `awscli`) in a venv of its own under target/: the pipeline's test uploads with
# it, and `aws s3 cp ... --endpoint-url` is how the demo's S3 endpoint is used from a shell.
AWSCLI_VENV="$ROOT/target/awscli-venv"
AWSCLI_VERSION=1.46.3
need_awscli() {
  if [ "$("$AWSCLI_VENV/bin/pip" show awscli 2>/dev/null | awk '/^Version:/ { print $2 }')" = "$AWSCLI_VERSION" ]; then
    return 0
  fi
  command -v python3 >/dev/null || { log "installing python3"; as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; }
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    log "installing python3-venv"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  log "installing awscli $AWSCLI_VERSION into $AWSCLI_VENV"
  python3 -m venv "$AWSCLI_VENV"
  "$AWSCLI_VENV/bin/pip" install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
}
