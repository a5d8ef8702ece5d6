use crossway_app::{AppError, ExportFileDto, GoalChangeDto, GoalPreviewDto, LearnerDto, NewLearnerDto};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn list_learners(state: State<'_, AppState>) -> Result<Vec<LearnerDto>, AppError> {
    state.with(|app| app.learners())
}

#[tauri::command(rename_all = "snake_case")]
pub fn create_learner(state: State<'_, AppState>, learner: NewLearnerDto) -> Result<LearnerDto, AppError> {
    state.with(|app| app.create_learner(learner))
}

#[tauri::command(rename_all = "snake_case")]
pub fn preview_goal(
    state: State<'_, AppState>,
    learner_id: i64,
    role: Option<String>,
) -> Result<GoalPreviewDto, AppError> {
    state.for_learner(learner_id, |app| app.preview_goal(learner_id, role.as_deref()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_goal(state: State<'_, AppState>, learner_id: i64, role: Option<String>) -> Result<GoalChangeDto, AppError> {
    state.for_learner(learner_id, |app| app.set_goal(learner_id, role))
}

#[tauri::command(rename_all = "snake_case")]
pub fn export_learner(state: State<'_, AppState>, learner_id: i64) -> Result<ExportFileDto, AppError> {
    state.for_learner(learner_id, |app| app.export_learner_to_file(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn delete_learner(state: State<'_, AppState>, learner_id: i64) -> Result<(), AppError> {
    state.for_learner(learner_id, |app| app.delete_learner(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn check_pin(state: State<'_, AppState>, learner_id: i64, pin: String) -> Result<bool, AppError> {
    state.with(|app| app.check_pin(learner_id, &pin))
}

/// Locks a profile with a PIN again (the window's "switch learner").
#[tauri::command(rename_all = "snake_case")]
pub fn lock_learner(state: State<'_, AppState>, learner_id: i64) -> Result<(), AppError> {
    state.with(|app| {
        app.lock_learner(learner_id);
        Ok(())
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_pin(
    state: State<'_, AppState>,
    learner_id: i64,
    current: Option<String>,
    new: Option<String>,
) -> Result<bool, AppError> {
    state.with(|app| app.set_pin(learner_id, current.as_deref(), new.as_deref()))
}
