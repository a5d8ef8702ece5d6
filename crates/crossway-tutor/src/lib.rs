//! The on-device tutor: model management and free-text grading.
//!
//! - [`manifest`]: `models/manifest.toml` (what models exist, where they come from, checksums).
//! - [`llm`]: rubric grading through llama.cpp (`llama-cpp-2`): per-point yes/no/wrong
//!   probabilities read from the next-token logits (the points after the first side by side), with the shared prompt prefix kept in the KV cache (and
//!   warmed while the learner types); short grounded explanations of what an answer missed.
//! - [`mod@write`]: what the model writes, streamed: explanations, answers from passages.
//! - [`worker`]: one thread owning the model and its context; grading, warm-up and explanation
//!   jobs in, events out (each rubric point as it is scored), cancellation and deadlines. The
//!   desktop shell and `crossway grade` drive it.
//! - [`checks`]: what the model wrote, checked before the learner sees it as settled
//!   (explanations; answers to a learner's question from the pack's passages).
//! - [`describe`]: a learner's self-description read into a proposed profile of the pack's ids
//!   (keywords without a model; the model under a grammar of the pack's ids).
//! - [`keyword`]: what the words alone say about a rubric point (coverage, conflicts), which
//!   [`verdict`] calibrates, and the lexical estimate from [`lexical`] / [`examples`] when there
//!   is a reference answer.
//! - [`lexical`]: cheap overlap features and small logistic models fitted on the eval sets'
//!   `train` splits (weights generated into `lexical_weights.rs` by `scripts/fit_lexical.py`).
//! - [`examples`]: the same, also comparing with an item's graded example answers.
//! - [`verdict`]: the judgement: per rubric point a calibrated P(met) / P(contradicted) and a
//!   state, per (model, language), fitted on the hand-labelled per-point set (generated into
//!   `point_calibration.rs`), and the one combination rule that turns them into the score;
//!   [`calibrated`]: the shipped calibrations looked up, and an answer graded with them.

pub mod calibrated;
pub mod checks;
pub mod describe;
pub mod examples;
pub mod gguf;
pub mod keyword;
pub mod lexical;
mod lexical_weights;
pub mod llm;
pub mod manifest;
mod point_calibration;
pub mod pointset;
pub mod verdict;
pub mod worker;
pub mod write;

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
    model_status_with(models_dir, None)
}

/// Like [`model_status`], but the file `chosen` (a file name in `models_dir`, picked in Settings)
/// comes first when it is there.
pub fn model_status_with(models_dir: &Path, chosen: Option<&str>) -> ModelStatus {
    let known = manifest::read_manifest(&models_dir.join("manifest.toml")).unwrap_or_default();
    let chosen = chosen.filter(|c| !c.contains('/') && c.ends_with(".gguf")).map(|c| models_dir.join(c));
    let default = known.iter().find(|m| m.role == "default").map(|m| models_dir.join(&m.file));
    let found = chosen.filter(|p| p.is_file()).or(default.filter(|p| p.is_file())).or_else(|| {
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

/// A model the learner can choose in Settings: what it is and what it costs, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelChoice {
    /// The file name in the models folder.
    pub file: String,
    /// The manifest's name, if it is a known model.
    pub name: Option<String>,
    /// `default`, `large`, `test`, or `None` for an imported model.
    pub role: Option<String>,
    pub bytes: u64,
    /// Memory it needs loaded: the file (memory-mapped) plus context and compute buffers.
    pub ram_mib: u64,
    /// Free memory now, if known; the model is refused when `ram_mib` is more.
    pub available_mib: Option<u64>,
    pub verified: bool,
    /// The manifest's description of its measured speed and quality, in both languages.
    pub about_en: Option<String>,
    pub about_zh: Option<String>,
    /// The one the app uses now.
    pub in_use: bool,
    /// Crossway has a calibration for it (see [`verdict::model_key`]).
    pub calibrated: bool,
}

/// Every `.gguf` in `models_dir`, known models first (default, large, then the rest by name).
pub fn available_models(models_dir: &Path, in_use: Option<&Path>) -> Vec<ModelChoice> {
    let known = manifest::read_manifest(&models_dir.join("manifest.toml")).unwrap_or_default();
    let available_mib = llm::available_memory_mib();
    let mut out: Vec<ModelChoice> = std::fs::read_dir(models_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "gguf") && p.is_file())
        .map(|p| {
            let file = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            let entry = known.iter().find(|m| m.file == file);
            let marker = models_dir.join(format!("{file}.verified"));
            ModelChoice {
                name: entry.map(|m| m.name.clone()),
                role: entry.map(|m| m.role.clone()),
                bytes,
                ram_mib: llm::needed_memory_mib(bytes),
                available_mib,
                verified: entry.is_some_and(|m| {
                    m.bytes == bytes && std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == m.sha256)
                }),
                about_en: entry.and_then(|m| m.about_en.clone()),
                about_zh: entry.and_then(|m| m.about_zh.clone()),
                in_use: in_use.is_some_and(|u| u == p),
                calibrated: verdict::model_key(&file).is_some_and(|k| calibrated::calibration_for(k, "en").is_some()),
                file,
            }
        })
        .collect();
    let rank = |c: &ModelChoice| match c.role.as_deref() {
        Some("default") => 0,
        Some("large") => 1,
        Some(_) => 3,
        None => 2,
    };
    out.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.file.cmp(&b.file)));
    out
}
