//! The on-device model in the study loop: what a grading job needs from the pack, and the verdict
//! that comes back. The model itself runs on the tutor's worker thread, owned by the shell (the
//! desktop keeps it outside the `App` lock so the window stays responsive while it grades).

use std::path::PathBuf;

use crossway_content::ItemBody;

use crate::{App, AppError, Result};

/// The grader label of answers whose rubric points the model judged, with its calibration.
pub const MODEL_GRADER: &str = "model";
/// The same for a model Crossway has no calibration for (an imported one): its raw readings.
pub const UNCALIBRATED_MODEL_GRADER: &str = "model_uncalibrated";

/// What the worker needs to grade one free-text answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeTextJob {
    pub question: String,
    pub reference: String,
    pub rubric: Vec<String>,
    pub answer: String,
    pub lang: String,
    /// The answer's lexical score and the words' evidence on each point: with a model's reading
    /// they give the point's calibrated verdict as soon as it is read ([`FreeTextJob::judge`]).
    pub evidence: Vec<crossway_tutor::verdict::PointEvidence>,
}

impl FreeTextJob {
    /// The calibrated verdict on point `index` once `model` has read it — the same verdict the
    /// recorded grade will carry, so what streams into the window is what stays.
    pub fn judge(
        &self,
        index: usize,
        model: &str,
        reading: crossway_tutor::llm::PointReading,
    ) -> Option<crossway_tutor::verdict::PointVerdict> {
        let mut e = *self.evidence.get(index)?;
        e.model = Some(reading);
        Some(crossway_tutor::verdict::judge_point(crossway_tutor::calibrated::calibration(Some(model), &self.lang), &e))
    }
}

/// The model's raw reading per rubric point (probabilities that the answer states it and that it
/// contradicts it), with the model's name.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelVerdict {
    pub p_met: Vec<f64>,
    /// Empty in answers recorded before the three-way reading (read as 0).
    pub p_contra: Vec<f64>,
    pub model: String,
    pub ms: u64,
    /// Prompt tokens served from the prefix cache (an earlier answer to the item, or its warm-up).
    pub cached_tokens: u64,
}

impl ModelVerdict {
    /// How an answer's payload keeps the verdict (`{"model": {"name", "p_met", "ms", "cached_tokens"}}`).
    pub(crate) fn to_payload(&self) -> serde_json::Value {
        serde_json::json!({ "name": self.model, "p_met": self.p_met, "p_contra": self.p_contra, "ms": self.ms, "cached_tokens": self.cached_tokens })
    }

    /// The readings per point, as the tutor's verdicts take them.
    pub fn readings(&self) -> Vec<crossway_tutor::llm::PointReading> {
        crossway_tutor::llm::PointReading::zip(&self.p_met, &self.p_contra)
    }

    /// The verdict stored with an answer, if the model graded it.
    pub(crate) fn from_payload(payload: &serde_json::Value) -> Option<Self> {
        let m = payload.get("model")?;
        Some(Self {
            model: m.get("name")?.as_str()?.to_string(),
            p_met: m.get("p_met")?.as_array()?.iter().filter_map(|x| x.as_f64()).collect(),
            p_contra: m
                .get("p_contra")
                .and_then(|x| x.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                .unwrap_or_default(),
            ms: m.get("ms").and_then(|x| x.as_u64()).unwrap_or(0),
            cached_tokens: m.get("cached_tokens").and_then(|x| x.as_u64()).unwrap_or(0),
        })
    }
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
    /// The model file the tutor should load: the one `app_status` shows, if any — the model
    /// chosen in Settings when it is still there, else the default.
    pub fn model_path(&self) -> Option<PathBuf> {
        match crossway_tutor::model_status_with(&self.config.models_dir, self.chosen_model().as_deref()) {
            crossway_tutor::ModelStatus::Found { file, .. } => Some(file),
            _ => None,
        }
    }

    /// Where the install keeps the model chosen in Settings (a file name).
    fn choice_file(&self) -> PathBuf {
        self.config.data_dir.join("model-choice")
    }

    /// The model file name chosen in Settings, if any.
    pub(crate) fn chosen_model(&self) -> Option<String> {
        std::fs::read_to_string(self.choice_file()).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    /// The models in the models folder, with size, memory need, the manifest's words on speed
    /// and quality, and which one is in use.
    pub fn models(&self) -> Vec<crossway_tutor::ModelChoice> {
        crossway_tutor::available_models(&self.config.models_dir, self.model_path().as_deref())
    }

    /// Chooses the model the tutor loads (from now on, and at every start). Refused with the
    /// reason — and nothing changed — when the file is not a GGUF model in the models folder or
    /// this computer lacks the memory to load it now.
    pub fn choose_model(&mut self, file: &str) -> Result<crossway_tutor::ModelChoice> {
        let found = self.models().into_iter().find(|m| m.file == file).ok_or_else(|| {
            AppError::not_found("model", format!("{file} (not in {})", self.config.models_dir.display()))
        })?;
        crossway_tutor::llm::preflight(&self.config.models_dir.join(file))
            .map_err(|e| AppError::new(crate::ErrorCode::InvalidInput, e.to_string()))?;
        // Written whole, then renamed: a crash leaves the old choice or the new one.
        let tmp = self.config.data_dir.join("model-choice.tmp");
        std::fs::write(&tmp, file)?;
        std::fs::rename(&tmp, self.choice_file())?;
        Ok(crossway_tutor::ModelChoice { in_use: true, ..found })
    }

    /// The grading job for a free-text answer to a lesson item or a simulation step, in the
    /// answer's language. Checks the answer like `submit_answer` does.
    pub fn free_text_job(&self, item_id: &str, answer: &str) -> Result<FreeTextJob> {
        let pack = self.active_pack()?;
        let item = pack.item_or_step(item_id).ok_or_else(|| AppError::not_found("item", item_id))?;
        let ItemBody::FreeText { reference, rubric, .. } = &item.body else {
            return Err(AppError::invalid(format!("{item_id} is not a free-text item")));
        };
        crate::practice::check_free_text(answer)?;
        let lang = crate::practice::answer_locale(answer);
        let points: Vec<&str> = rubric.iter().map(|p| p.get(lang)).collect();
        let lexical = crate::practice::lexical_grade(item, answer, lang);
        Ok(FreeTextJob {
            question: item.stem.get(lang).to_string(),
            reference: reference.get(lang).to_string(),
            rubric: points.iter().map(|p| p.to_string()).collect(),
            answer: answer.to_string(),
            lang: lang.to_string(),
            evidence: crossway_tutor::verdict::evidence(&points, answer, lexical.score, None),
        })
    }
}

impl App {
    /// The warm-up for a free-text item (a lesson item or a simulation step) shown to the learner:
    /// its question and reference, and the answer as typed so far. In the answer's language once
    /// it has Chinese in it, else in `lang` (the window's; when the answer turns out to be in the
    /// other language, grading decodes the prefix itself).
    pub fn warm_job(&self, item_id: &str, lang: &str, typed: &str) -> Result<crossway_tutor::worker::WarmJob> {
        let pack = self.active_pack()?;
        let item = pack.item_or_step(item_id).ok_or_else(|| AppError::not_found("item", item_id))?;
        let ItemBody::FreeText { reference, .. } = &item.body else {
            return Err(AppError::invalid(format!("{item_id} is not a free-text item")));
        };
        let lang = if lang == "zh-CN" || crate::practice::answer_locale(typed) == "zh-CN" { "zh-CN" } else { "en" };
        Ok(crossway_tutor::worker::WarmJob {
            question: item.stem.get(lang).to_string(),
            reference: reference.get(lang).to_string(),
            typed: typed.chars().take(4000).collect(),
            lang: lang.to_string(),
        })
    }

    /// What the model may use to explain a recorded free-text attempt: the item, the answer, the
    /// rubric points it missed (as graded) and the start of the KP's lesson, in the answer's
    /// language.
    /// The window shows what the model writes only if it passes [`crossway_tutor::checks::judge`].
    pub fn explain_job(&self, learner_id: i64, attempt_id: i64) -> Result<crossway_tutor::worker::ExplainJob> {
        let pack = self.active_pack()?;
        let a = self
            .store
            .db()
            .attempts(learner_id)?
            .into_iter()
            .find(|a| a.id == attempt_id)
            .ok_or_else(|| AppError::not_found("attempt", attempt_id))?;
        let item = pack.item_or_step(&a.item_id).ok_or_else(|| AppError::not_found("item", &a.item_id))?;
        let ItemBody::FreeText { reference, .. } = &item.body else {
            return Err(AppError::invalid(format!("{} is not a free-text item", item.id)));
        };
        let answer: crossway_content::Answer = a
            .payload
            .get("answer")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .ok_or_else(|| AppError::invalid(format!("attempt {attempt_id} has no stored answer")))?;
        let crossway_content::Answer::FreeText { text } = &answer else {
            return Err(AppError::invalid(format!("attempt {attempt_id} is not a free-text answer")));
        };
        let lang = crate::practice::answer_locale(text);
        let model = ModelVerdict::from_payload(&a.payload);
        let graded = crate::practice::grade_answer(item, &answer, model.as_ref())?;
        let missed: Vec<String> =
            graded.rubric.iter().filter(|p| !p.met).map(|p| p.text.get(lang).to_string()).collect();
        let lesson: String =
            pack.kp(&item.kp).map(|k| k.lesson.get(lang)).unwrap_or_default().chars().take(900).collect();
        Ok(crossway_tutor::worker::ExplainJob {
            question: item.stem.get(lang).to_string(),
            reference: reference.get(lang).to_string(),
            answer: text.clone(),
            missed,
            lesson,
            lang: lang.to_string(),
            // A Chinese character is often a token of its own: the same few sentences need more.
            max_tokens: if lang == "zh-CN" { 160 } else { 96 },
        })
    }
}
