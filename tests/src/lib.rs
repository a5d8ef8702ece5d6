//! Cross-crate and end-to-end tests for Crossway. The tests live in `tests/tests/`; this library
//! holds what they share: a minimal W3C WebDriver client (enough to drive the real window through
//! `tauri-driver`) and paths into the workspace.

use std::path::PathBuf;

/// The workspace root (tests run in this crate's folder).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

/// The cargo target folder (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

pub mod trace;
pub mod webdriver;
pub mod window;
