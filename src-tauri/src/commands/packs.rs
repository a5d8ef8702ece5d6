use crossway_app::{AppError, ImportedModelDto, InstallDto, RoleDto, StatusDto};
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
