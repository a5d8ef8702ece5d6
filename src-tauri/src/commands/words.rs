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
    state.for_learner(learner_id, |app| app.ask(learner_id, &question, kp.as_deref()))
}

/// The on-device model's answer to a recorded question, written from the passages already on
/// screen only, streamed piece by piece over `on_piece`, then checked
/// (`crossway_app::checks::answer::judge`) and recorded: the result carries the text that passed,
/// or why it was withheld. `None` when the course does not cover the question (no model may
/// answer it) or no model is ready — the passages stand alone.
#[tauri::command(async, rename_all = "snake_case")]
pub fn answer_question(
    state: State<'_, AppState>,
    tutor: State<'_, crate::TutorSlot>,
    learner_id: i64,
    question_id: i64,
    on_piece: tauri::ipc::Channel<String>,
) -> Result<Option<crossway_app::checks::answer::AnswerVerdict>, AppError> {
    let Some(job) = state.for_learner(learner_id, |app| app.answer_job(learner_id, question_id))? else {
        return Ok(None);
    };
    let internal = |e: &dyn std::fmt::Display| AppError::new(crossway_app::ErrorCode::Internal, e.to_string());
    let events = {
        let guard = tutor.tutor.lock().unwrap_or_else(|e| e.into_inner());
        let Some(t) = guard.as_ref() else { return Ok(None) };
        t.answer(job.clone()).map_err(|e| internal(&e))?
    };
    let outcome = loop {
        match events.recv() {
            Ok(crossway_app::ExplainEvent::Piece(p)) => {
                let _ = on_piece.send(p);
            }
            Ok(crossway_app::ExplainEvent::Done(text)) => break Ok(text),
            Ok(crossway_app::ExplainEvent::Failed(e)) => break Err(e),
            Err(_) => return Err(internal(&"the tutor stopped")),
        }
    };
    let verdict = crossway_app::checks::answer::judge(&job, outcome).map_err(|e| internal(&e))?;
    state.for_learner(learner_id, |app| app.record_answer(learner_id, question_id, &verdict))?;
    Ok(Some(verdict))
}

#[tauri::command(rename_all = "snake_case")]
pub fn rate_answer(
    state: State<'_, AppState>,
    learner_id: i64,
    question_id: i64,
    helpful: bool,
) -> Result<(), AppError> {
    state.for_learner(learner_id, |app| app.rate_answer(learner_id, question_id, helpful))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_questions(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<QuestionDto>, AppError> {
    state.for_learner(learner_id, |app| app.questions(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_notes(
    state: State<'_, AppState>,
    learner_id: i64,
    kp: Option<String>,
    search: Option<String>,
) -> Result<Vec<NoteDto>, AppError> {
    state.for_learner(learner_id, |app| app.notes(learner_id, kp.as_deref(), search.as_deref()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn add_note(state: State<'_, AppState>, learner_id: i64, kp: String, body: String) -> Result<NoteDto, AppError> {
    state.for_learner(learner_id, |app| app.add_note(learner_id, &kp, &body))
}

#[tauri::command(rename_all = "snake_case")]
pub fn edit_note(state: State<'_, AppState>, learner_id: i64, note_id: i64, body: String) -> Result<NoteDto, AppError> {
    state.for_learner(learner_id, |app| app.edit_note(learner_id, note_id, &body))
}

#[tauri::command(rename_all = "snake_case")]
pub fn delete_note(state: State<'_, AppState>, learner_id: i64, note_id: i64) -> Result<(), AppError> {
    state.for_learner(learner_id, |app| app.delete_note(learner_id, note_id))
}

/// "Describe yourself": what Crossway understood from the learner's own words — a proposal only
/// (`confirm_description` applies what the learner confirms). Read by the pack's word lists: on
/// the self-description set they named every field at least as well as the 0.5B default model
/// (docs/quality.md "Describe yourself"), so the window does not spend the model's 3 s on it;
/// `crossway describe --model` measures the model's reading.
#[tauri::command(rename_all = "snake_case")]
pub fn describe_yourself(
    state: State<'_, AppState>,
    text: String,
) -> Result<crossway_app::describe::DescriptionDto, AppError> {
    let started = std::time::Instant::now();
    state.with(|app| {
        let d = app.describe(&text, None, 0)?;
        Ok(crossway_app::describe::DescriptionDto { ms: started.elapsed().as_millis() as u64, ..d })
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn confirm_description(
    state: State<'_, AppState>,
    learner_id: i64,
    description: crossway_app::describe::ConfirmedDescription,
) -> Result<crossway_app::describe::ConfirmedDescription, AppError> {
    state.for_learner(learner_id, |app| app.confirm_description(learner_id, description))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_description(
    state: State<'_, AppState>,
    learner_id: i64,
) -> Result<Option<crossway_app::describe::ConfirmedDescription>, AppError> {
    state.for_learner(learner_id, |app| app.described(learner_id))
}
