//! The on-device tutor: model management and free-text grading.
//!
//! - [`manifest`]: `models/manifest.toml` (what models exist, where they come from, checksums).
//! - [`llm`]: rubric grading through llama.cpp (`llama-cpp-2`): per-point yes/no probabilities
//!   read from the next-token logits, with the shared prompt prefix kept in the KV cache (and
//!   warmed while the learner types); short grounded explanations of what an answer missed.
//! - [`worker`]: one thread owning the model and its context; grading, warm-up and explanation
//!   jobs in, events out (each rubric point as it is scored), cancellation and deadlines. The
//!   desktop shell and `crossway grade` drive it.
//! - [`keyword`]: the per-rubric-point verdicts of the no-model fallback, with the score from
//!   [`lexical`] / [`examples`] when there is a reference answer (with a model, the app keeps
//!   that score and takes the points from the model: docs/quality.md).
//! - [`lexical`]: cheap overlap features and small logistic models fitted on the eval sets'
//!   `train` splits (weights generated into `lexical_weights.rs` by `scripts/fit_lexical.py`).
//! - [`examples`]: the same, also comparing with an item's graded example answers.

pub mod examples;
pub mod keyword;
pub mod lexical;
mod lexical_weights;
pub mod llm;
pub mod manifest;
pub mod worker;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// What the app can say about the grading model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ModelStatus {
    /// No `.gguf` model in the models folder: free text falls back to the keyword check.
    NotInstalled { models_dir: PathBuf },
    /// A model file is present. `verified` is true when its sha256 matched the manifest (checked by
    /// `cargo xtask fetch-model`, recorded beside the file).
    Found {
        file: PathBuf,
        bytes: u64,
        name: Option<String>,
        quantization: Option<String>,
        licence: Option<String>,
        verified: bool,
    },
}

/// Looks for a model in `models_dir`: the manifest's default model first, else any `.gguf`.
pub fn model_status(models_dir: &Path) -> ModelStatus {
    let known = manifest::read_manifest(&models_dir.join("manifest.toml")).unwrap_or_default();
    let default = known.iter().find(|m| m.role == "default").map(|m| models_dir.join(&m.file));
    let found = default.filter(|p| p.is_file()).or_else(|| {
        std::fs::read_dir(models_dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "gguf"))
            .min()
    });
    let Some(file) = found else { return ModelStatus::NotInstalled { models_dir: models_dir.to_path_buf() } };
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let entry = known.iter().find(|m| m.file == name);
    let marker = models_dir.join(format!("{name}.verified"));
    let verified =
        entry.is_some_and(|m| m.bytes == bytes && std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == m.sha256));
    ModelStatus::Found {
        file,
        bytes,
        name: entry.map(|m| m.name.clone()),
        quantization: entry.map(|m| m.quantization.clone()),
        licence: entry.map(|m| m.licence.clone()),
        verified,
    }
}
