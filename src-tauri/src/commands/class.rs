//! Classroom installs (issue #18): the teacher profile, classes, summaries and the class view.
//! Every teacher command is checked in the app layer (`App::require_teacher`); none returns a
//! learner's records — the class view is aggregates only.

use crossway_app::{AppError, ClassDto, ClassReportDto, MembershipDto, SummaryFileDto, SummaryImportDto, TeacherDto};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn teacher_status(state: State<'_, AppState>) -> Result<Option<TeacherDto>, AppError> {
    state.with(|app| app.teacher())
}

#[tauri::command(rename_all = "snake_case")]
pub fn create_teacher(state: State<'_, AppState>, name: String, pin: String) -> Result<TeacherDto, AppError> {
    state.with(|app| app.create_teacher(&name, &pin))
}

#[tauri::command(rename_all = "snake_case")]
pub fn unlock_teacher(state: State<'_, AppState>, pin: String) -> Result<bool, AppError> {
    state.with(|app| app.unlock_teacher(&pin))
}

#[tauri::command(rename_all = "snake_case")]
pub fn lock_teacher(state: State<'_, AppState>) -> Result<(), AppError> {
    state.with(|app| {
        app.lock_teacher();
        Ok(())
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn create_class(
    state: State<'_, AppState>,
    name: String,
    goal_roles: Vec<String>,
    local_learners: bool,
) -> Result<ClassDto, AppError> {
    state.with(|app| app.create_class(&name, &goal_roles, local_learners))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_classes(state: State<'_, AppState>) -> Result<Vec<ClassDto>, AppError> {
    state.with(|app| app.classes())
}

#[tauri::command(rename_all = "snake_case")]
pub fn class_report(state: State<'_, AppState>, class_id: String) -> Result<ClassReportDto, AppError> {
    state.with(|app| app.class_report(&class_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn import_summaries(
    state: State<'_, AppState>,
    class_id: String,
    path: String,
) -> Result<SummaryImportDto, AppError> {
    state.with(|app| app.import_summaries(&class_id, std::path::Path::new(path.trim())))
}

#[tauri::command(rename_all = "snake_case")]
pub fn join_class(state: State<'_, AppState>, learner_id: i64, code: String) -> Result<MembershipDto, AppError> {
    state.for_learner(learner_id, |app| app.join_class(learner_id, &code))
}

#[tauri::command(rename_all = "snake_case")]
pub fn learner_classes(state: State<'_, AppState>, learner_id: i64) -> Result<Vec<MembershipDto>, AppError> {
    state.for_learner(learner_id, |app| app.learner_classes(learner_id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn export_class_summary(
    state: State<'_, AppState>,
    learner_id: i64,
    class_id: String,
) -> Result<SummaryFileDto, AppError> {
    state.for_learner(learner_id, |app| app.export_class_summary(learner_id, &class_id))
}

/// Opens the teacher's class view in a window of its own (label `class`), or brings it to the
/// front. That window's capability (`capabilities/class.json`) grants the teacher's commands and
/// nothing that reads a learner's records, so even a script in it cannot ask for them; the main
/// window's capability does not grant the teacher's commands. Async: on Linux a window must
/// not be built on the main thread's command path.
#[tauri::command(async, rename_all = "snake_case")]
pub fn open_class_window(app: tauri::AppHandle) -> Result<(), AppError> {
    use tauri::Manager;
    let internal = |e: tauri::Error| AppError::new(crossway_app::ErrorCode::Internal, e.to_string());
    if let Some(w) = app.get_webview_window(CLASS_WINDOW) {
        return w.set_focus().map_err(internal);
    }
    tauri::WebviewWindowBuilder::new(&app, CLASS_WINDOW, tauri::WebviewUrl::App("index.html#class".into()))
        .title("Crossway — class view / 班级概览")
        .inner_size(1100.0, 800.0)
        .min_inner_size(720.0, 520.0)
        .build()
        .map_err(internal)?;
    Ok(())
}

/// The label of the teacher's window (its capability names it).
pub const CLASS_WINDOW: &str = "class";
