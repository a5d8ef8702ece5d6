//! The on-device tutor: model management and free-text grading.
//!
//! Walking-skeleton state: no llama.cpp yet (the tutor issue adds the `llama-cpp-2` worker, the
//! model manifest and `cargo xtask fetch-model`). What exists is the honest no-model path: the
//! app reports that no model is installed, and free-text answers are checked by the clearly
//! labelled keyword grader in [`keyword`], which never claims to be a model's judgement.

pub mod keyword;
pub mod llm;
pub mod manifest;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// What the app can say about the grading model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ModelStatus {
    /// No `.gguf` model in the models folder: free text falls back to the keyword check.
    NotInstalled { models_dir: PathBuf },
    /// A model file is present; loading it arrives with the tutor issue.
    Found { file: PathBuf, bytes: u64 },
}

/// Looks for a `.gguf` model in `models_dir`.
pub fn model_status(models_dir: &Path) -> ModelStatus {
    let found = std::fs::read_dir(models_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "gguf"))
        .min();
    match found {
        Some(file) => {
            let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            ModelStatus::Found { file, bytes }
        }
        None => ModelStatus::NotInstalled { models_dir: models_dir.to_path_buf() },
    }
}
