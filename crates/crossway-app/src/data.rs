//! The learner's own data (F17): export everything — as Crossway JSON and as xAPI statements an
//! LMS can take in — and delete a learner completely.

use serde::Serialize;

use crate::{App, AttemptDto, LearnerDto, ProfileDto, Result};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportFileDto {
    pub path: String,
    pub attempts: usize,
    pub statements: usize,
}

/// Everything Crossway stores about one learner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnerExport {
    pub format: &'static str,
    pub exported_at: String,
    pub learner: LearnerDto,
    pub profile: ProfileDto,
    pub mastery: Vec<MasteryExport>,
    pub attempts: Vec<AttemptExport>,
    /// The learner's records as xAPI 1.0.3 statements under their pseudonym, without free text
    /// (`xapi.rs`).
    pub xapi: Vec<serde_json::Value>,
    /// Time spent per method and KP.
    pub study_sessions: Vec<serde_json::Value>,
    pub simulation_runs: Vec<serde_json::Value>,
    /// Ratings, error reports and grade disputes the learner sent.
    pub feedback: Vec<crate::FeedbackDto>,
    /// Group tasks with the learner's role and part, and the peer reviews they gave and received.
    pub group_tasks: Vec<serde_json::Value>,
    pub indicators: Vec<crossway_core::indicators::Indicator>,
    /// The learner's notes on lessons.
    pub notes: Vec<crate::NoteDto>,
    /// The questions the learner asked, with the passages shown and whether they helped.
    pub questions: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MasteryExport {
    pub kp: String,
    pub p: f64,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptExport {
    #[serde(flatten)]
    pub attempt: AttemptDto,
    pub payload: serde_json::Value,
}

impl App {
    /// All of one learner's data, for them to keep or to move to an LMS.
    pub fn export_learner(&self, learner_id: i64) -> Result<LearnerExport> {
        let learner = self.learner(learner_id)?;
        let profile = self.profile(learner_id)?;
        let db = self.store.db();
        let mastery = db
            .mastery(learner_id)?
            .into_iter()
            .map(|(kp, m)| MasteryExport { kp, p: m.p, attempts: m.attempts })
            .collect();
        let rows = db.attempts(learner_id)?;
        let xapi = self.statements(learner_id, &crate::xapi::Actor::Pseudonymous)?;
        let notes = self.notes(learner_id, None, None)?;
        let questions: Vec<crossway_store::QuestionRow> = db.questions(learner_id)?;
        let questions = questions
            .into_iter()
            .map(|q| {
                serde_json::json!({
                    "id": q.id, "text": q.text, "lang": q.lang, "asked_on": q.kp_scope, "kp": q.kp_id,
                    "covered": q.covered, "passages": q.passages, "answer": q.answer, "withheld": q.withheld,
                    "helpful": q.helpful, "asked_at": q.asked_at.to_rfc3339(),
                })
            })
            .collect();
        let attempts = rows
            .into_iter()
            .map(|a| AttemptExport {
                attempt: AttemptDto {
                    id: a.id,
                    item_id: a.item_id,
                    kp: a.kp_id,
                    score: a.score,
                    occurred_at: a.occurred_at.to_rfc3339(),
                },
                payload: a.payload,
            })
            .collect();
        let study_sessions = db
            .study_sessions(learner_id)?
            .into_iter()
            .map(|s| serde_json::json!({ "kp": s.kp_id, "occurred_at": s.occurred_at.to_rfc3339(), "details": s.payload }))
            .collect();
        let simulation_runs = db
            .simulation_runs(learner_id)?
            .into_iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "simulation": r.sim_id, "started_at": r.started_at.to_rfc3339(),
                    "finished_at": r.finished_at.map(|t| t.to_rfc3339()), "hints": r.hints,
                    "accuracy": r.accuracy, "efficiency": r.efficiency, "score": r.score, "minutes": r.minutes,
                })
            })
            .collect();
        let mut group_tasks = Vec::new();
        for t in db.group_tasks_of(learner_id)? {
            let reviews: Vec<serde_json::Value> = db
                .peer_reviews(t.id)?
                .into_iter()
                .filter(|r| r.reviewer_id == learner_id || r.reviewee_id == learner_id)
                .map(|r| {
                    serde_json::json!({
                        "reviewer": r.reviewer_id, "reviewee": r.reviewee_id, "contribution": r.contribution,
                        "quality": r.quality, "communication": r.communication, "comment": r.comment,
                        "at": r.created_at.to_rfc3339(),
                    })
                })
                .collect();
            let me = t.members.iter().find(|m| m.learner_id == learner_id);
            group_tasks.push(serde_json::json!({
                "id": t.id, "title": t.title, "kp": t.kp_id, "role": me.map(|m| m.role.clone()),
                "contribution": me.and_then(|m| m.contribution.clone()), "reviews": reviews,
            }));
        }
        Ok(LearnerExport {
            study_sessions,
            simulation_runs,
            feedback: self.my_feedback(learner_id)?,
            group_tasks,
            indicators: self.indicators(learner_id)?,
            notes,
            questions,
            format: "crossway-learner-export/1",
            exported_at: self.now().to_rfc3339(),
            learner,
            profile,
            mastery,
            attempts,
            xapi,
        })
    }

    /// Writes the export to `<data folder>/exports/` and returns the file's path.
    pub fn export_learner_to_file(&self, learner_id: i64) -> Result<ExportFileDto> {
        let export = self.export_learner(learner_id)?;
        let dir = self.config.data_dir.join("exports");
        std::fs::create_dir_all(&dir)?;
        let stamp = self.now().format("%Y%m%d-%H%M%S");
        let path = dir.join(format!("crossway-learner-{learner_id}-{stamp}.json"));
        let partial = path.with_extension("json.partial");
        let text = serde_json::to_string_pretty(&export)
            .map_err(|e| crate::AppError::new(crate::ErrorCode::Internal, e.to_string()))?;
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &path)?;
        Ok(ExportFileDto {
            path: path.display().to_string(),
            attempts: export.attempts.len(),
            statements: export.xapi.len(),
        })
    }

    /// Deletes the learner and everything recorded about them, in one transaction.
    pub fn delete_learner(&mut self, learner_id: i64) -> Result<()> {
        self.placements.remove(&learner_id);
        self.store.transact(|db| db.delete_learner(learner_id))?;
        Ok(())
    }
}
