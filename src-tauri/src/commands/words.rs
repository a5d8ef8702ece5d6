//! The learner's own words (issue #15): questions to the tutor and notes on lessons.

use crossway_app::{AppError, AskDto, NoteDto, QuestionDto};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn ask_question(
    state: State<'_, AppState>,
    learner_id: i64,
    question: String,
    kp: Option<String>,
) -> Result<AskDto, AppError> {
    state.with(|app| app.ask(learner_id, &question, kp.as_deref()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn rate_answer(
    state: State<'_, AppState>,
    learner_id: i64,
    question_id: i64,
    helpful: bool,
) -> Result<(), AppError> {
    state.with(|app| app.rate_answer(learner_id, question_id, helpful))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_questions(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<QuestionDto>, AppError> {
    state.with(|app| app.questions(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_notes(
    state: State<'_, AppState>,
    learner_id: i64,
    kp: Option<String>,
    search: Option<String>,
) -> Result<Vec<NoteDto>, AppError> {
    state.with(|app| app.notes(learner_id, kp.as_deref(), search.as_deref()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn add_note(state: State<'_, AppState>, learner_id: i64, kp: String, body: String) -> Result<NoteDto, AppError> {
    state.with(|app| app.add_note(learner_id, &kp, &body))
}

#[tauri::command(rename_all = "snake_case")]
pub fn edit_note(state: State<'_, AppState>, learner_id: i64, note_id: i64, body: String) -> Result<NoteDto, AppError> {
    state.with(|app| app.edit_note(learner_id, note_id, &body))
}

#[tauri::command(rename_all = "snake_case")]
pub fn delete_note(state: State<'_, AppState>, learner_id: i64, note_id: i64) -> Result<(), AppError> {
    state.with(|app| app.delete_note(learner_id, note_id))
}
