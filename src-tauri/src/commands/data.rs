//! The data folder when its database cannot be used: the problem with its backups, restore one,
//! start fresh, try again. Each reopens the folder and starts the model if none is loaded.

use crossway_app::recovery::{self, BackupDto, DataProblemDto, RestoreDto};
use crossway_app::AppError;
use tauri::State;

use crate::{AppState, TutorSlot};

/// Why the database could not be opened (with every backup), or `None` when it is open.
#[tauri::command(rename_all = "snake_case")]
pub fn data_problem(state: State<'_, AppState>) -> Result<Option<DataProblemDto>, AppError> {
    state.problem()
}

/// This install's backups, newest first (Settings).
#[tauri::command(rename_all = "snake_case")]
pub fn list_backups(state: State<'_, AppState>) -> Result<Vec<BackupDto>, AppError> {
    state.backups()
}

/// Puts the backup `file` (a key from `list_backups`) in place; the current files are set aside.
#[tauri::command(rename_all = "snake_case")]
pub fn restore_backup(
    app_handle: tauri::AppHandle,
    state: State<'_, AppState>,
    tutor: State<'_, TutorSlot>,
    file: String,
) -> Result<Option<RestoreDto>, AppError> {
    reopen(app_handle, &state, &tutor, |dir| recovery::restore_backup(dir, &file).map(Some))
}

/// Sets the current database aside and starts with an empty one.
#[tauri::command(rename_all = "snake_case")]
pub fn start_fresh(
    app_handle: tauri::AppHandle,
    state: State<'_, AppState>,
    tutor: State<'_, TutorSlot>,
) -> Result<Option<RestoreDto>, AppError> {
    reopen(app_handle, &state, &tutor, |dir| recovery::start_fresh(dir).map(Some))
}

/// Opens the data folder again (after the learner freed space or made it writable).
#[tauri::command(rename_all = "snake_case")]
pub fn retry_open(
    app_handle: tauri::AppHandle,
    state: State<'_, AppState>,
    tutor: State<'_, TutorSlot>,
) -> Result<Option<RestoreDto>, AppError> {
    reopen(app_handle, &state, &tutor, |_| Ok(None))
}

/// Runs `change` on the closed data folder, opens it again, and starts the model if none is
/// loaded (a window that could not open its data had none).
fn reopen(
    app_handle: tauri::AppHandle,
    state: &AppState,
    tutor: &TutorSlot,
    change: impl FnOnce(&std::path::Path) -> Result<Option<RestoreDto>, AppError>,
) -> Result<Option<RestoreDto>, AppError> {
    let done = state.reopen_after(change)?;
    start_model_if_none(app_handle, state, tutor);
    Ok(done)
}

fn start_model_if_none(app_handle: tauri::AppHandle, state: &AppState, tutor: &TutorSlot) {
    let loaded = tutor.tutor.lock().unwrap_or_else(|e| e.into_inner()).is_some();
    let loading = tutor.status.lock().unwrap_or_else(|e| e.into_inner()).state == "loading";
    if !loaded && !loading {
        crate::start_tutor(app_handle, state.with(|a| Ok(a.model_path())).ok().flatten());
    }
}
