use crossway_app::{
    AppError, AttemptDto, AttemptResultDto, FactUpdateDto, LessonDto, PathDto, PlacementAnswerDto, PlacementStepDto,
    SubmitAnswerDto,
};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn get_path(state: State<'_, AppState>, learner_id: i64) -> Result<PathDto, AppError> {
    state.for_learner(learner_id, |app| app.path(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_lesson(state: State<'_, AppState>, learner_id: i64, kp: String) -> Result<LessonDto, AppError> {
    state.for_learner(learner_id, |app| app.lesson_for(learner_id, &kp))
}

#[tauri::command(rename_all = "snake_case")]
pub fn submit_answer(
    state: State<'_, AppState>,
    learner_id: i64,
    submission: SubmitAnswerDto,
) -> Result<AttemptResultDto, AppError> {
    state.for_learner(learner_id, |app| app.submit_answer(learner_id, submission))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_attempts(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<AttemptDto>, AppError> {
    state.for_learner(learner_id, |app| app.attempts(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn placement_next(state: State<'_, AppState>, learner_id: i64) -> Result<PlacementStepDto, AppError> {
    state.for_learner(learner_id, |app| app.placement_next(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn placement_answer(
    state: State<'_, AppState>,
    learner_id: i64,
    answer: PlacementAnswerDto,
) -> Result<PlacementStepDto, AppError> {
    state.for_learner(learner_id, |app| app.placement_answer(learner_id, answer))
}

#[tauri::command(rename_all = "snake_case")]
pub fn industry_updates(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<FactUpdateDto>, AppError> {
    state.for_learner(learner_id, |app| app.industry_updates(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn tutor_status(tutor: State<'_, crate::TutorSlot>) -> crate::TutorStatus {
    tutor.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// One rubric point judged, streamed to the window as soon as the model has read it: its
/// calibrated verdict (`met`, `missing` or `contradicted`) and P(met) — what the recorded grade
/// will carry.
#[derive(Clone, serde::Serialize)]
pub struct PointEvent {
    pub index: usize,
    pub state: &'static str,
    pub p_met: f64,
}

/// Grades a free-text answer with the on-device model — each rubric point streamed over
/// `on_point` — then records it (with the calibrated fallback score, see `practice.rs`). Without
/// a ready model, or if it fails or takes longer than 60 s, the answer is graded without it.
/// Runs off the main thread; the `App` lock is held only to prepare and to record.
#[tauri::command(async, rename_all = "snake_case")]
pub fn submit_free_text(
    state: State<'_, AppState>,
    tutor: State<'_, crate::TutorSlot>,
    learner_id: i64,
    submission: SubmitAnswerDto,
    run_id: Option<i64>,
    on_point: tauri::ipc::Channel<PointEvent>,
) -> Result<AttemptResultDto, AppError> {
    let text = match &submission.answer {
        crossway_app::Answer::FreeText { text } => text.clone(),
        _ => return Err(AppError::new(crossway_app::ErrorCode::InvalidInput, "not a free-text answer")),
    };
    let job = state.for_learner(learner_id, |app| app.free_text_job(&submission.item_id, &text))?;
    let verdict = {
        let guard = tutor.tutor.lock().unwrap_or_else(|e| e.into_inner());
        let model = tutor.status.lock().unwrap_or_else(|e| e.into_inner()).model.clone().unwrap_or_default();
        match guard.as_ref() {
            Some(t) => {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                let judge = job.clone();
                match t.grade(job.into_grade_job(Some(deadline))) {
                    Ok(running) => {
                        let mut verdict = None;
                        while let Ok(event) = running.events.recv() {
                            match event {
                                crossway_app::GradeEvent::Point { index, reading } => {
                                    if let Some(v) = judge.judge(index, &model, reading) {
                                        let _ = on_point.send(PointEvent {
                                            index,
                                            state: v.state.as_str(),
                                            p_met: v.p_met,
                                        });
                                    }
                                }
                                crossway_app::GradeEvent::Done(v) => {
                                    verdict = Some(crossway_app::ModelVerdict {
                                        p_met: v.p_met,
                                        p_contra: v.p_contra,
                                        model: model.clone(),
                                        ms: v.ms as u64,
                                        cached_tokens: v.cached_tokens as u64,
                                    });
                                    break;
                                }
                                other => {
                                    eprintln!("Crossway: model grading stopped ({other:?}); grading without it");
                                    break;
                                }
                            }
                        }
                        verdict
                    }
                    Err(e) => {
                        eprintln!("Crossway: the model could not take the job ({e}); grading without it");
                        None
                    }
                }
            }
            None => None,
        }
    };
    state.for_learner(learner_id, |app| match run_id {
        Some(run) => app.answer_simulation_step_with_model(learner_id, run, submission, verdict),
        None => app.submit_answer_with_model(learner_id, submission, verdict),
    })
}

/// Prefills the on-device model's cache for a free-text question while the learner writes (its
/// system prompt, question and reference, and the answer as `typed` so far), so that grading
/// after "Check" only has the last words and the rubric points left. Returns whether a warm-up was queued: not without a
/// ready model, and not while the model is grading (the learner has already answered). Off the
/// main thread, like every command that takes the `App` lock on the way to the model.
#[tauri::command(async, rename_all = "snake_case")]
pub fn warm_free_text(
    state: State<'_, AppState>,
    tutor: State<'_, crate::TutorSlot>,
    item_id: String,
    lang: String,
    typed: Option<String>,
) -> Result<bool, AppError> {
    let job = state.with(|app| app.warm_job(&item_id, &lang, typed.as_deref().unwrap_or_default()))?;
    let Ok(guard) = tutor.tutor.try_lock() else { return Ok(false) };
    Ok(guard.as_ref().is_some_and(|t| t.warm(job).is_ok()))
}

/// A short explanation of what a recorded free-text answer missed, written by the on-device
/// model from the item, the missed rubric points and the lesson only, streamed piece by piece
/// over `on_piece`, then checked (`crossway_app::checks::judge`): the result carries the
/// text that passed, or why it was withheld.
/// Without a ready model: an error the window shows.
#[tauri::command(async, rename_all = "snake_case")]
pub fn explain_answer(
    state: State<'_, AppState>,
    tutor: State<'_, crate::TutorSlot>,
    learner_id: i64,
    attempt_id: i64,
    on_piece: tauri::ipc::Channel<String>,
) -> Result<crossway_app::ExplanationDto, AppError> {
    let job = state.for_learner(learner_id, |app| app.explain_job(learner_id, attempt_id))?;
    let guard = tutor.tutor.lock().unwrap_or_else(|e| e.into_inner());
    let t = guard.as_ref().ok_or_else(|| {
        AppError::new(crossway_app::ErrorCode::InvalidInput, "the on-device model is not loaded; see Settings → model")
    })?;
    let internal = |e: &dyn std::fmt::Display| AppError::new(crossway_app::ErrorCode::Internal, e.to_string());
    let events = t.explain(job.clone()).map_err(|e| internal(&e))?;
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
    crossway_app::checks::judge(&job, outcome).map_err(|e| internal(&e))
}
