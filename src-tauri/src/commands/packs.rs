use crossway_app::{AppError, ImportProgress, ImportedModelDto, InstallDto, ModelChoice, RoleDto, StatusDto};
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

/// The model import under way, if any: `cancel_import` sets its flag.
#[derive(Default)]
pub struct ImportSlot {
    cancel: std::sync::Mutex<Option<std::sync::Arc<std::sync::atomic::AtomicBool>>>,
}

/// Checks a `.gguf` file and copies it into the models folder, off the main thread and without
/// the app lock, sending `{copied, total}` over the channel about every 8 MiB (and at the end).
#[tauri::command(async, rename_all = "snake_case")]
pub fn import_model(
    state: State<'_, AppState>,
    imports: State<'_, ImportSlot>,
    path: String,
    on_progress: tauri::ipc::Channel<ImportProgress>,
) -> Result<ImportedModelDto, AppError> {
    let dir = state.with(|app| Ok(app.models_dir().to_path_buf()))?;
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    *imports.cancel.lock().unwrap_or_else(|e| e.into_inner()) = Some(cancel.clone());
    let mut sent = 0u64;
    let result = crossway_app::import_model_file(&dir, std::path::Path::new(path.trim()), &cancel, &mut |p| {
        if p.copied == 0 || p.copied == p.total || p.copied - sent >= 8 << 20 {
            sent = p.copied;
            let _ = on_progress.send(p);
        }
    });
    // Let go of the flag only if it is still ours (another import may have started since).
    let mut slot = imports.cancel.lock().unwrap_or_else(|e| e.into_inner());
    if slot.as_ref().is_some_and(|c| std::sync::Arc::ptr_eq(c, &cancel)) {
        slot.take();
    }
    result
}

/// Stops the model import under way; it removes its partial copy. Nothing happens when none runs.
#[tauri::command(rename_all = "snake_case")]
pub fn cancel_import(imports: State<'_, ImportSlot>) {
    if let Some(c) = imports.cancel.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        c.store(true, std::sync::atomic::Ordering::Relaxed);
    }
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
