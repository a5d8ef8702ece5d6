#!/usr/bin/env bash
# Installs what is missing (system packages, UI packages), builds Crossway in release mode with the
# bundled content pack, and launches it. Safe to run again: it only does what is not done yet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_build_deps
build_ui
fetch_model default
say "Building Crossway (release; the first build takes several minutes)"
cargo build --release --locked -p crossway-desktop --features custom-protocol
BIN="$CARGO_TARGET_DIR/release/crossway-desktop"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # The binary explains this too; say it here so nobody waits for a window that cannot open.
  "$BIN" || true
  exit 1
fi
say "Starting Crossway"
exec "$BIN" "$@"
