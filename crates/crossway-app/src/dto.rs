//! What the shells receive. Plain data, serialised with snake_case keys; `ui/src/ipc.ts` mirrors
//! these types.

use crossway_core::{Action, LocalizedText, Reason};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnerDto {
    pub id: i64,
    pub name: String,
    pub locale: String,
    pub goal_role: Option<String>,
    pub weekly_minutes: u32,
    pub attempts: u64,
    /// The profile is locked with a PIN in the window.
    pub has_pin: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewLearnerDto {
    pub name: String,
    pub locale: String,
    pub goal_role: Option<String>,
    pub weekly_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleDto {
    pub id: String,
    pub title: LocalizedText,
    pub required_kps: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackDto {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    pub as_of: String,
    pub knowledge_points: usize,
    pub items: usize,
    pub simulations: usize,
    /// Newest first, as the pack lists it.
    pub changelog: Vec<ChangelogDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusDto {
    pub data_dir: String,
    pub database: String,
    pub packs: Vec<PackDto>,
    pub model: crossway_tutor::ModelStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathDto {
    pub learner_id: i64,
    pub goal_role: Option<String>,
    pub goal_title: Option<LocalizedText>,
    pub goal_minutes: u32,
    pub weekly_minutes: u32,
    pub steps: Vec<StepDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepDto {
    pub kp: String,
    pub title: LocalizedText,
    pub module: LocalizedText,
    pub action: Action,
    /// The method to start with (the learner's measured best), if any.
    pub method: Option<crossway_core::methods::Method>,
    pub minutes: u32,
    pub week: u32,
    pub for_goal: bool,
    pub mastery: f64,
    /// Structured reasons; each KP id they name is in `kp_titles` for rendering.
    pub reasons: Vec<Reason>,
    pub kp_titles: Vec<(String, LocalizedText)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LessonDto {
    pub kp: String,
    pub title: LocalizedText,
    pub prerequisites: Vec<String>,
    pub module: LocalizedText,
    pub minutes: u32,
    /// Sanitized HTML, one per locale: the lesson, a worked example, a study-group prompt and a
    /// printable workshop activity.
    pub html: LocalizedText,
    pub example_html: LocalizedText,
    pub discussion_html: LocalizedText,
    pub workshop_html: LocalizedText,
    /// Facts that can change, with source and date.
    pub facts: Vec<crossway_content::Fact>,
    pub sources: Vec<crossway_content::Source>,
    pub as_of: String,
    pub items: Vec<ItemDto>,
}

/// An item as shown to a learner: no key, no explanations until answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDto {
    pub id: String,
    pub kind: String,
    pub stem: LocalizedText,
    pub options: Vec<LocalizedText>,
    pub unit: Option<String>,
    pub rubric_points: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubmitAnswerDto {
    pub item_id: String,
    pub answer: crossway_content::Answer,
    /// Chosen by the client once per submission; resubmitting it changes nothing.
    pub idempotency_key: String,
    /// Time spent on the item, as the window measured it.
    #[serde(default)]
    pub seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptResultDto {
    pub attempt_id: i64,
    /// True when this submission had already been recorded.
    pub duplicate: bool,
    pub item_id: String,
    pub kp: String,
    pub correct: bool,
    pub score: f64,
    pub correct_answer: LocalizedText,
    pub error_cause: Option<LocalizedText>,
    pub explanation: Option<LocalizedText>,
    /// For free text: the verdict per rubric point, and how it was reached.
    pub rubric: Vec<RubricPointDto>,
    pub grader: String,
    pub confidence: Option<f64>,
    pub needs_review: bool,
    pub mastery_before: f64,
    pub mastery_after: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricPointDto {
    pub text: LocalizedText,
    pub met: bool,
    /// `met`, `missing` or `contradicted` (the answer says something that conflicts with it).
    pub state: String,
    /// For a missed point: the sentence of the KP's lesson that says most about it, in both
    /// languages (`lesson_notes::lesson_notes`); `None` when met or when the lesson has none.
    pub lesson: Option<LocalizedText>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptDto {
    pub id: i64,
    pub item_id: String,
    pub kp: String,
    pub score: f64,
    pub occurred_at: String,
}

/// The result of installing a pack: what is installed now and what changed since the old version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstallDto {
    pub pack: PackDto,
    pub previous_version: Option<String>,
    /// Changelog entries newer than the previous version (all of them on a first install).
    pub changelog: Vec<ChangelogDto>,
    pub diff: Option<crossway_content::PackDiff>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangelogDto {
    pub version: String,
    pub date: String,
    pub notes: LocalizedText,
}

/// A changed fact on a knowledge point the learner had learned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactUpdateDto {
    pub kp: String,
    pub kp_title: LocalizedText,
    /// The fact's current text (none when it was removed).
    pub fact: Option<LocalizedText>,
    pub change: String,
    pub from_version: String,
    pub to_version: String,
    pub old_as_of: Option<String>,
    pub new_as_of: Option<String>,
    pub mastery: f64,
}

/// How a goal change would change (or changed) the path, with the titles of the KPs it names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalPreviewDto {
    pub diff: crossway_core::PathDiff,
    pub titles: Vec<(String, LocalizedText)>,
}

/// A goal change: the learner as saved and how the path changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalChangeDto {
    pub learner: LearnerDto,
    pub preview: GoalPreviewDto,
}
