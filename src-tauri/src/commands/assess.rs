use crossway_app::{AppError, BackgroundDto, Indicator, LocalizedText, Method, ProfileDto};
use crossway_app::{
    AttemptResultDto, BlendDto, FeedbackDto, FeedbackInDto, GroupTaskDto, KnowledgeMapDto, NewGroupTaskDto,
    PeerReviewInDto, ProgressDto, SimulationResultDto, SimulationRunDto, SimulationSummaryDto, StudySessionDto,
    SubmitAnswerDto,
};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn list_simulations(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<SimulationSummaryDto>, AppError> {
    state.for_learner(learner_id, |app| app.simulations(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn start_simulation(
    state: State<'_, AppState>,
    learner_id: i64,
    sim_id: String,
) -> Result<SimulationRunDto, AppError> {
    state.for_learner(learner_id, |app| app.start_simulation(learner_id, &sim_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_simulation_run(
    state: State<'_, AppState>,
    learner_id: i64,
    run_id: i64,
) -> Result<SimulationRunDto, AppError> {
    state.for_learner(learner_id, |app| app.simulation_run(learner_id, run_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn simulation_hint(
    state: State<'_, AppState>,
    learner_id: i64,
    run_id: i64,
    step_id: String,
) -> Result<LocalizedText, AppError> {
    state.for_learner(learner_id, |app| app.simulation_hint(learner_id, run_id, &step_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn answer_simulation_step(
    state: State<'_, AppState>,
    learner_id: i64,
    run_id: i64,
    submission: SubmitAnswerDto,
) -> Result<AttemptResultDto, AppError> {
    state.for_learner(learner_id, |app| app.answer_simulation_step(learner_id, run_id, submission))
}

#[tauri::command(rename_all = "snake_case")]
pub fn finish_simulation(
    state: State<'_, AppState>,
    learner_id: i64,
    run_id: i64,
) -> Result<SimulationResultDto, AppError> {
    state.for_learner(learner_id, |app| app.finish_simulation(learner_id, run_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_indicators(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<Indicator>, AppError> {
    state.for_learner(learner_id, |app| app.indicators(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_method_blend(state: State<'_, AppState>, learner_id: i64) -> Result<BlendDto, AppError> {
    state.for_learner(learner_id, |app| app.method_blend(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_method_preferences(
    state: State<'_, AppState>,
    learner_id: i64,
    methods: Vec<String>,
) -> Result<Vec<Method>, AppError> {
    state.for_learner(learner_id, |app| app.set_method_preferences(learner_id, methods))
}

#[tauri::command(rename_all = "snake_case")]
pub fn record_study(state: State<'_, AppState>, learner_id: i64, session: StudySessionDto) -> Result<bool, AppError> {
    state.for_learner(learner_id, |app| app.record_study(learner_id, session))
}

#[tauri::command(rename_all = "snake_case")]
pub fn send_feedback(
    state: State<'_, AppState>,
    learner_id: i64,
    feedback: FeedbackInDto,
) -> Result<FeedbackDto, AppError> {
    state.for_learner(learner_id, |app| app.send_feedback(learner_id, feedback))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_group_tasks(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<GroupTaskDto>, AppError> {
    state.for_learner(learner_id, |app| app.group_tasks(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn create_group_task(state: State<'_, AppState>, task: NewGroupTaskDto) -> Result<GroupTaskDto, AppError> {
    state.with(|app| app.create_group_task(task))
}

#[tauri::command(rename_all = "snake_case")]
pub fn submit_contribution(
    state: State<'_, AppState>,
    learner_id: i64,
    task_id: i64,
    text: String,
) -> Result<GroupTaskDto, AppError> {
    state.for_learner(learner_id, |app| app.submit_contribution(learner_id, task_id, &text))
}

#[tauri::command(rename_all = "snake_case")]
pub fn peer_review(
    state: State<'_, AppState>,
    learner_id: i64,
    task_id: i64,
    review: PeerReviewInDto,
) -> Result<GroupTaskDto, AppError> {
    state.for_learner(learner_id, |app| app.peer_review(learner_id, task_id, review))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_knowledge_map(state: State<'_, AppState>, learner_id: i64) -> Result<KnowledgeMapDto, AppError> {
    state.for_learner(learner_id, |app| app.knowledge_map(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_progress(state: State<'_, AppState>, learner_id: i64) -> Result<ProgressDto, AppError> {
    state.for_learner(learner_id, |app| app.progress(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_profile(state: State<'_, AppState>, learner_id: i64) -> Result<ProfileDto, AppError> {
    state.for_learner(learner_id, |app| app.profile(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_background(
    state: State<'_, AppState>,
    learner_id: i64,
    background: BackgroundDto,
) -> Result<BackgroundDto, AppError> {
    state.for_learner(learner_id, |app| app.set_background(learner_id, background))
}
