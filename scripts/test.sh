#!/usr/bin/env bash
# Installs what the tests need (system packages, a virtual display, the WebDriver bridge, UI
# packages), builds the app, and runs the whole suite: formatting, lints, the UI type check,
# every unit/integration test and the end-to-end test in the real window under Xvfb.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_build_deps
ensure_apt xvfb xauth webkit2gtk-driver strace iproute2 util-linux
if ! command -v tauri-driver >/dev/null; then
  say "Installing tauri-driver (WebDriver bridge for the end-to-end test)"
  cargo install --locked tauri-driver --version '^2'
fi
export PATH="$HOME/.cargo/bin:$PATH"

build_ui
fetch_model test
say "Installing the test Learning Record Store (Ralph, for the xAPI send tests)"
bash "$ROOT/scripts/lrs.sh" install
say "Checking formatting and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings

say "Building the app for the end-to-end test"
cargo build --locked -p crossway-desktop --features custom-protocol
export CROSSWAY_DESKTOP_BIN="$CARGO_TARGET_DIR/debug/crossway-desktop"

say "Running every test (end-to-end included, under Xvfb)"
LOG="$CARGO_TARGET_DIR/test-output.log"
mkdir -p "$CARGO_TARGET_DIR"
set +e
xvfb-run -a -s "-screen 0 1920x1080x24" cargo test --locked --workspace --no-fail-fast -- --include-ignored 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run (cargo prints one per test binary, the last often "0 passed").
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' "$LOG"
say "Screenshots of the main screens: $CARGO_TARGET_DIR/e2e/"
exit "$status"
