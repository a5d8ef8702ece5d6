use crossway_app::{AppError, ImportedModelDto, InstallDto, ModelChoice, RoleDto, StatusDto};
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn app_status(state: State<'_, AppState>) -> Result<StatusDto, AppError> {
    state.with(|app| Ok(app.status()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_roles(state: State<'_, AppState>) -> Result<Vec<RoleDto>, AppError> {
    state.with(|app| app.roles())
}

/// Installs or updates a content pack from a folder on this computer.
#[tauri::command(rename_all = "snake_case")]
pub fn install_pack(state: State<'_, AppState>, path: String) -> Result<InstallDto, AppError> {
    state.with(|app| app.install_pack_with_changes(std::path::Path::new(path.trim())))
}

/// Checks a `.gguf` file and copies it into the models folder.
#[tauri::command(rename_all = "snake_case")]
pub fn import_model(state: State<'_, AppState>, path: String) -> Result<ImportedModelDto, AppError> {
    state.with(|app| app.import_model(std::path::Path::new(path.trim())))
}

/// The models in the models folder, for Settings.
#[tauri::command(rename_all = "snake_case")]
pub fn list_models(state: State<'_, AppState>) -> Result<Vec<ModelChoice>, AppError> {
    state.with(|app| Ok(app.models()))
}

/// Chooses the model the tutor uses and loads it in the background (the old one is let go
/// first; free text is graded without a model until the new one is ready).
#[tauri::command(rename_all = "snake_case")]
pub fn choose_model(
    app_handle: tauri::AppHandle,
    state: State<'_, AppState>,
    tutor: State<'_, crate::TutorSlot>,
    file: String,
) -> Result<ModelChoice, AppError> {
    let (choice, path) = state.with(|app| {
        let c = app.choose_model(file.trim())?;
        Ok((c, app.model_path()))
    })?;
    // Dropping the worker waits for its current job; then the new model loads on its own thread.
    drop(tutor.tutor.lock().unwrap_or_else(|e| e.into_inner()).take());
    crate::start_tutor(app_handle, path);
    Ok(choice)
}
