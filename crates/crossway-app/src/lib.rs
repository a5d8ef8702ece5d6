//! Crossway's use-cases: the one API both shells (desktop and CLI) call. Joins the pure core and
//! content crates with the store and the tutor; owns the clock and the data folder.

mod ask;
pub mod ask_set;
mod assessment;
pub mod calibration;
mod class;
mod dashboard;
mod data;
pub mod describe;
mod dto;
mod error;
mod feedback;
mod grading;
pub mod kt;
mod lesson_notes;
mod lines;
mod models;
mod notes;
mod packs;
mod pin;
mod placement;
mod practice;
mod profile;
mod profile_plan;
pub mod recovery;
mod refit;
mod simulations;
mod synth;
mod teacher;
mod tutor;
pub mod xapi;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossway_content::Pack;
use crossway_core::{BktParams, Mastery};
use crossway_store::{NewLearner, Store, DB_FILE};

pub use ask::{
    answer_job, ask_pack, question_lang, AskDto, PassageDto, QuestionDto, SourceRefDto, ANSWER_PASSAGE_CHARS_EN,
    ANSWER_PASSAGE_CHARS_ZH,
};
pub use assessment::{BlendDto, StudySessionDto};
pub use class::*;
/// Core types the shells pass through.
pub use crossway_content::Answer;
pub use crossway_core::{indicators::Indicator, methods::Method, LocalizedText};
pub use crossway_tutor::checks;
pub use crossway_tutor::checks::ExplanationDto;
/// The tutor's worker thread (the model) and its events, for the shells.
pub use crossway_tutor::worker::{AnswerJob, ExplainEvent, GradeEvent, Tutor, WarmEvent, WarmJob};
pub use crossway_tutor::ModelChoice;
pub use dashboard::{IndicatorPointDto, KnowledgeMapDto, MapNodeDto, ModuleProgressDto, ProgressDto, WeekDto};
pub use data::{AttemptExport, ExportFileDto, LearnerExport, MasteryExport};
pub use dto::*;
pub use error::{AppError, ErrorCode, Result};
pub use feedback::*;
pub use grading::{default_model_path, grade_batch, GradeInput, GradeOutput};
pub use lesson_notes::lesson_sentences;
pub use models::{import_model_file, ImportProgress, ImportedModelDto};
pub use notes::NoteDto;
pub use placement::{PlacementAnswerDto, PlacementStepDto, PlacementSummaryDto};
pub use profile::{
    BackgroundDto, BehaviourDto, GoalProfileDto, IncomingAttempt, IngestReport, ProfileDto, Rejected, RequirementDto,
};
pub use profile_plan::{plan_for_profile, simulate_methods, simulate_pack, PlanOutput, ProfileFile};
pub use refit::{FittedKp, RefitReport, MIN_ANSWERS, MIN_LEARNERS};
pub use simulations::{SimStepDto, SimStepScoreDto, SimulationResultDto, SimulationRunDto, SimulationSummaryDto};
pub use synth::synth_pack;
pub use teacher::TeacherDto;
pub use tutor::{FreeTextJob, ModelVerdict, MODEL_GRADER};

/// Where the app keeps its files and which pack to install on first run.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Holds the database, installed packs and (later) models.
    pub data_dir: PathBuf,
    /// Installed when no pack is installed yet.
    pub default_pack: Option<PathBuf>,
    /// Where model files are looked for.
    pub models_dir: PathBuf,
}

impl AppConfig {
    /// The per-user data folder (`$XDG_DATA_HOME/crossway` on Linux), or `CROSSWAY_DATA_DIR`.
    pub fn default_data_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("CROSSWAY_DATA_DIR") {
            return Some(PathBuf::from(d));
        }
        dirs::data_dir().map(|d| d.join("crossway"))
    }
}

pub struct App {
    store: Store,
    config: AppConfig,
    packs: Vec<Arc<Pack>>,
    params: BktParams,
    clock: fn() -> DateTime<Utc>,
    /// Running placement checks, by learner.
    placements: std::collections::HashMap<i64, crossway_core::placement::Placement>,
    /// Mastery parameters fitted from this install's answers (see `refit.rs`), by KP.
    fitted: std::collections::HashMap<String, BktParams>,
    /// Profiles with a PIN opened in this session (`pin.rs`).
    unlocked: std::collections::HashSet<i64>,
    /// The install's teacher profile opened in this session (`teacher.rs`).
    teacher_unlocked: bool,
}

impl App {
    /// Opens the data folder: the database (created or upgraded), the installed packs, and on
    /// first run the default pack.
    pub fn open(config: AppConfig) -> Result<Self> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| AppError {
            code: ErrorCode::DataFolder,
            message: format!(
                "{}: cannot open or create the data folder ({e}). Make sure it is a writable folder (not a file), \
                 or point CROSSWAY_DATA_DIR at one that is.",
                config.data_dir.display()
            ),
            details: vec![config.data_dir.display().to_string()],
        })?;
        let store = Store::open(&config.data_dir.join(DB_FILE))?;
        Self::with_store(config, store)
    }

    /// Opens an existing database file (any name) with the packs installed beside it, as
    /// `crossway pack report --db FILE` does. Never creates a database.
    pub fn open_database(db: &Path) -> Result<Self> {
        if !db.is_file() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("{}: no such database file (Crossway keeps it in its data folder as {DB_FILE})", db.display()),
            ));
        }
        let dir = db.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let store = Store::open(db)?;
        let config = AppConfig { models_dir: dir.join("models"), data_dir: dir, default_pack: None };
        Self::with_store(config, store)
    }

    fn with_store(config: AppConfig, store: Store) -> Result<Self> {
        let mut app = App {
            store,
            config,
            packs: Vec::new(),
            params: BktParams::default(),
            clock: Utc::now,
            placements: Default::default(),
            fitted: Default::default(),
            unlocked: Default::default(),
            teacher_unlocked: false,
        };
        app.load_installed_packs()?;
        if app.packs.is_empty() {
            if let Some(default) = app.config.default_pack.clone() {
                app.install_pack(&default)?;
            }
        }
        app.index_missing_packs()?;
        app.load_fitted_params()?;
        Ok(app)
    }

    /// Replaces the clock (tests).
    pub fn set_clock(&mut self, clock: fn() -> DateTime<Utc>) {
        self.clock = clock;
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    pub fn status(&self) -> StatusDto {
        StatusDto {
            data_dir: self.config.data_dir.display().to_string(),
            database: self.store.path().display().to_string(),
            packs: self.packs.iter().map(|p| packs::pack_dto(p)).collect(),
            model: crossway_tutor::model_status_with(&self.config.models_dir, self.chosen_model().as_deref()),
        }
    }

    /// The pack learners study from. Several installed packs are kept, but paths span one pack
    /// (the first by id) until multi-pack paths exist.
    pub(crate) fn active_pack(&self) -> Result<&Arc<Pack>> {
        self.packs.first().ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, "no content pack is installed; install one from a folder")
        })
    }

    pub fn roles(&self) -> Result<Vec<RoleDto>> {
        let pack = self.active_pack()?;
        Ok(pack
            .roles
            .iter()
            .map(|r| RoleDto { id: r.id.clone(), title: r.title.clone(), required_kps: r.requires.len() })
            .collect())
    }

    pub fn learners(&self) -> Result<Vec<LearnerDto>> {
        let db = self.store.db();
        db.learners()?
            .into_iter()
            .map(|l| {
                let attempts = db.attempt_count(l.id)?;
                let has_pin = self.has_pin(l.id)?;
                Ok(LearnerDto { has_pin, ..learner_dto(l, attempts) })
            })
            .collect()
    }

    pub fn learner(&self, id: i64) -> Result<LearnerDto> {
        let db = self.store.db();
        let l = db.learner(id)?;
        let n = db.attempt_count(id)?;
        Ok(LearnerDto { has_pin: self.has_pin(id)?, ..learner_dto(l, n) })
    }

    pub fn create_learner(&mut self, new: NewLearnerDto) -> Result<LearnerDto> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(AppError::invalid("a learner's name must be 1 to 80 characters"));
        }
        if !crossway_content::LOCALES.contains(&new.locale.as_str()) {
            return Err(AppError::invalid(format!("unknown language `{}` (use en or zh-CN)", new.locale)));
        }
        let weekly = new.weekly_minutes.unwrap_or(300);
        if !(10..=5040).contains(&weekly) {
            return Err(AppError::invalid("weekly study time must be between 10 and 5040 minutes"));
        }
        if let Some(role) = &new.goal_role {
            self.check_role(role)?;
        }
        let now = self.now();
        let pseudonym = format!("p-{}", class::random_code(16)?.to_lowercase());
        let row = self.store.transact(|db| {
            let row = db.create_learner(&NewLearner {
                name,
                locale: &new.locale,
                goal_role: new.goal_role.as_deref(),
                weekly_minutes: weekly,
                now,
            })?;
            db.set_profile_fact(row.id, xapi::PSEUDONYM_FACT, &serde_json::json!(pseudonym), now)?;
            Ok::<_, crossway_store::StoreError>(row)
        })?;
        Ok(learner_dto(row, 0))
    }

    /// Changes the goal and re-plans at once; returns the learner and how the path changed.
    pub fn set_goal(&mut self, learner_id: i64, role: Option<String>) -> Result<GoalChangeDto> {
        let preview = self.preview_goal(learner_id, role.as_deref())?;
        self.store.transact(|db| db.set_goal(learner_id, role.as_deref()))?;
        Ok(GoalChangeDto { learner: self.learner(learner_id)?, preview })
    }

    pub(crate) fn check_role(&self, role: &str) -> Result<()> {
        if self.active_pack()?.role(role).is_none() {
            return Err(AppError::invalid(format!("unknown goal role `{role}`")));
        }
        Ok(())
    }

    /// The learner's mastery per KP: stored estimates, and the pack's prior for every KP not yet seen.
    pub(crate) fn mastery_map(&self, learner_id: i64) -> Result<std::collections::HashMap<String, Mastery>> {
        let mut map: std::collections::HashMap<String, Mastery> = self
            .store
            .db()
            .mastery(learner_id)?
            .into_iter()
            .map(|(kp, m)| (kp, Mastery { p: m.p, attempts: m.attempts, correct: m.correct }))
            .collect();
        if let Ok(pack) = self.active_pack() {
            for kp in &pack.kps {
                map.entry(kp.id.clone()).or_insert_with(|| Mastery::prior(&self.params_for(&kp.id)));
            }
        }
        Ok(map)
    }

    /// The mastery-model parameters of a KP: fitted from this install's answers when there were
    /// enough, else the pack's priors, else the defaults.
    pub(crate) fn params_for(&self, kp: &str) -> BktParams {
        if let Some(p) = self.fitted.get(kp) {
            return *p;
        }
        self.active_pack().ok().and_then(|p| p.kp(kp)).map_or(self.params, |k| k.bkt)
    }

    pub fn attempts(&self, learner_id: i64) -> Result<Vec<AttemptDto>> {
        self.store.db().learner(learner_id)?;
        Ok(self
            .store
            .db()
            .attempts(learner_id)?
            .into_iter()
            .map(|a| AttemptDto {
                id: a.id,
                item_id: a.item_id,
                kp: a.kp_id,
                score: a.score,
                occurred_at: a.occurred_at.to_rfc3339(),
            })
            .collect())
    }
}

fn learner_dto(l: crossway_store::LearnerRow, attempts: u64) -> LearnerDto {
    LearnerDto {
        id: l.id,
        name: l.name,
        locale: l.locale,
        goal_role: l.goal_role,
        weekly_minutes: l.weekly_minutes,
        attempts,
        has_pin: false,
    }
}
