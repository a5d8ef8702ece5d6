//! Opening the data folder: where it is, the pack installed on first run, where models live.

use std::path::PathBuf;

use crossway_app::{App, AppConfig, AppError, ErrorCode};

/// The per-user data folder, or the error the window shows when there is none.
pub(crate) fn data_dir() -> Result<PathBuf, AppError> {
    AppConfig::default_data_dir()
        .ok_or_else(|| AppError::new(ErrorCode::DataFolder, "cannot find a data folder for this user (is HOME set?)"))
}

/// The pack installed on first run: the bundled resource, or the source tree's copy in a
/// development build, or `CROSSWAY_DEFAULT_PACK`.
fn default_pack(resource_dir: Option<PathBuf>) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CROSSWAY_DEFAULT_PACK").map(PathBuf::from),
        resource_dir.map(|d| d.join("content-packs/cbec-core")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content-packs/cbec-core")),
    ];
    candidates.into_iter().flatten().find(|p| p.join("pack.toml").is_file())
}

/// Where models live: `CROSSWAY_MODELS_DIR`, else the data folder's `models/` when it holds a
/// model, else the source tree's `models/` (where `scripts/run.sh` fetches the default model).
fn models_dir(data_dir: &std::path::Path) -> PathBuf {
    if let Some(d) = std::env::var_os("CROSSWAY_MODELS_DIR") {
        return PathBuf::from(d);
    }
    let own = data_dir.join("models");
    let has_model = |d: &std::path::Path| {
        std::fs::read_dir(d).into_iter().flatten().flatten().any(|e| e.path().extension().is_some_and(|x| x == "gguf"))
    };
    if has_model(&own) {
        return own;
    }
    let source_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models");
    if has_model(&source_tree) {
        return source_tree;
    }
    own
}

pub(crate) fn open_app(resource_dir: Option<&std::path::Path>) -> Result<App, AppError> {
    let data_dir = data_dir()?;
    let models_dir = models_dir(&data_dir);
    let mut app = App::open(AppConfig {
        data_dir,
        default_pack: default_pack(resource_dir.map(std::path::Path::to_path_buf)),
        models_dir,
    })?;
    // A classroom install learns its own mastery parameters once enough learners answered a KP.
    if let Err(e) = app.refit_mastery_model() {
        eprintln!("Crossway: refitting the mastery model failed ({}); the pack's priors stay in use", e.message);
    }
    Ok(app)
}
