//! The on-device model in the study loop: what a grading job needs from the pack, and the verdict
//! that comes back. The model itself runs on the tutor's worker thread, owned by the shell (the
//! desktop keeps it outside the `App` lock so the window stays responsive while it grades).

use std::path::PathBuf;

use crossway_content::ItemBody;

use crate::{App, AppError, Result};

/// The grader label of answers whose rubric points the model judged.
pub const MODEL_GRADER: &str = "model";

/// What the worker needs to grade one free-text answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeTextJob {
    pub question: String,
    pub reference: String,
    pub rubric: Vec<String>,
    pub answer: String,
    pub lang: String,
}

/// The model's verdict per rubric point (probability that it is met), with the model's name.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelVerdict {
    pub p_met: Vec<f64>,
    pub model: String,
    pub ms: u64,
}

impl FreeTextJob {
    pub fn into_grade_job(self, deadline: Option<std::time::Instant>) -> crossway_tutor::worker::GradeJob {
        crossway_tutor::worker::GradeJob {
            question: self.question,
            reference: self.reference,
            answer: self.answer,
            rubric: self.rubric,
            lang: self.lang,
            deadline,
        }
    }
}

impl App {
    /// The model file the tutor should load: the one `app_status` shows, if any.
    pub fn model_path(&self) -> Option<PathBuf> {
        match crossway_tutor::model_status(&self.config.models_dir) {
            crossway_tutor::ModelStatus::Found { file, .. } => Some(file),
            _ => None,
        }
    }

    /// The grading job for a free-text answer to a lesson item or a simulation step, in the
    /// answer's language. Checks the answer like `submit_answer` does.
    pub fn free_text_job(&self, item_id: &str, answer: &str) -> Result<FreeTextJob> {
        let pack = self.active_pack()?;
        let item = pack
            .item(item_id)
            .or_else(|| pack.simulations.iter().flat_map(|s| s.steps.iter()).find(|s| s.id == item_id))
            .ok_or_else(|| AppError::not_found("item", item_id))?;
        let ItemBody::FreeText { reference, rubric } = &item.body else {
            return Err(AppError::invalid(format!("{item_id} is not a free-text item")));
        };
        if answer.trim().is_empty() {
            return Err(AppError::invalid("the answer is empty"));
        }
        if answer.chars().count() > 4000 {
            return Err(AppError::invalid("the answer is longer than 4000 characters"));
        }
        let lang = if answer.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) { "zh-CN" } else { "en" };
        Ok(FreeTextJob {
            question: item.stem.get(lang).to_string(),
            reference: reference.get(lang).to_string(),
            rubric: rubric.iter().map(|p| p.get(lang).to_string()).collect(),
            answer: answer.to_string(),
            lang: lang.to_string(),
        })
    }
}
