use crossway_app::{
    AppError, AttemptDto, AttemptResultDto, FactUpdateDto, LessonDto, PathDto, PlacementAnswerDto, PlacementStepDto,
    SubmitAnswerDto,
};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn get_path(state: State<'_, AppState>, learner_id: i64) -> Result<PathDto, AppError> {
    state.with(|app| app.path(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_lesson(state: State<'_, AppState>, learner_id: i64, kp: String) -> Result<LessonDto, AppError> {
    state.with(|app| app.lesson_for(learner_id, &kp))
}

#[tauri::command(rename_all = "snake_case")]
pub fn submit_answer(
    state: State<'_, AppState>,
    learner_id: i64,
    submission: SubmitAnswerDto,
) -> Result<AttemptResultDto, AppError> {
    state.with(|app| app.submit_answer(learner_id, submission))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_attempts(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<AttemptDto>, AppError> {
    state.with(|app| app.attempts(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn placement_next(state: State<'_, AppState>, learner_id: i64) -> Result<PlacementStepDto, AppError> {
    state.with(|app| app.placement_next(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn placement_answer(
    state: State<'_, AppState>,
    learner_id: i64,
    answer: PlacementAnswerDto,
) -> Result<PlacementStepDto, AppError> {
    state.with(|app| app.placement_answer(learner_id, answer))
}

#[tauri::command(rename_all = "snake_case")]
pub fn industry_updates(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<FactUpdateDto>, AppError> {
    state.with(|app| app.industry_updates(learner_id))
}
