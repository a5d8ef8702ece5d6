use crossway_app::{AppError, RoleDto, StatusDto};
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
