//! The desktop shell: one window, thin commands over crossway-app, nothing else.
//! Invariant: no business logic here; every command is a few lines calling `App`.

mod commands;
mod open;
mod state;

use std::path::PathBuf;

use tauri::Manager;

pub use state::{AppState, TutorSlot, TutorStatus};

/// On Linux without X11 or Wayland, the text telling the user how to run Crossway; `None` when
/// a display is available.
pub fn missing_display() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let has = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    if has("DISPLAY") || has("WAYLAND_DISPLAY") {
        return None;
    }
    Some(
        "Crossway needs a graphical display, and none was found (DISPLAY and WAYLAND_DISPLAY are unset).\n\
         - On a desktop, start Crossway from your desktop session.\n\
         - On a headless machine (tests, servers, SSH), run it under a virtual display:\n    \
           xvfb-run -a crossway-desktop\n  \
           (Debian/Ubuntu: sudo apt-get install xvfb xauth)"
            .to_string(),
    )
}

/// Loads the model on a background thread (the window opens at once and grades with the
/// fallback until the model is ready); the window hears `tutor-status` events.
pub(crate) fn start_tutor(app: tauri::AppHandle, model: Option<PathBuf>) {
    use tauri::Emitter;
    let slot = app.state::<TutorSlot>();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let Some(model) = model else {
        *slot.status.lock().unwrap_or_else(|e| e.into_inner()) =
            TutorStatus { state: "none", model: None, message: None, load_ms: None, threads };
        return;
    };
    let name = model.file_name().map(|n| n.to_string_lossy().into_owned());
    let loading = TutorStatus { state: "loading", model: name.clone(), message: None, load_ms: None, threads };
    *slot.status.lock().unwrap_or_else(|e| e.into_inner()) = loading.clone();
    let _ = app.emit("tutor-status", &loading);
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let result = crossway_app::Tutor::start(model, threads);
        let slot = app.state::<TutorSlot>();
        let status = match result {
            Ok(tutor) => {
                *slot.tutor.lock().unwrap_or_else(|e| e.into_inner()) = Some(tutor);
                let ms = started.elapsed().as_millis() as u64;
                TutorStatus { state: "ready", model: name, message: None, load_ms: Some(ms), threads }
            }
            Err(e) => {
                eprintln!("Crossway: the model did not load ({e}); free text is graded without it");
                TutorStatus { state: "failed", model: name, message: Some(e.to_string()), load_ms: None, threads }
            }
        };
        *slot.status.lock().unwrap_or_else(|e| e.into_inner()) = status.clone();
        let _ = app.emit("tutor-status", &status);
    });
}

pub fn run() {
    tauri::Builder::default()
        // Native file and folder pickers; the capability grants only `dialog:allow-open`.
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let resource_dir = app.path().resource_dir().ok();
            let state = AppState::open(resource_dir);
            let model = state.with(|a| Ok(a.model_path())).ok().flatten();
            state.start_backup();
            app.manage(state);
            app.manage(TutorSlot::default());
            app.manage(commands::packs::ImportSlot::default());
            start_tutor(app.handle().clone(), model);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::packs::app_status,
            commands::packs::list_roles,
            commands::learners::list_learners,
            commands::learners::create_learner,
            commands::learners::export_learner,
            commands::learners::delete_learner,
            commands::learners::preview_goal,
            commands::learners::set_goal,
            commands::study::get_path,
            commands::study::get_lesson,
            commands::study::submit_answer,
            commands::study::list_attempts,
            commands::study::industry_updates,
            commands::study::placement_next,
            commands::study::placement_answer,
            commands::assess::list_simulations,
            commands::assess::start_simulation,
            commands::assess::simulation_hint,
            commands::assess::answer_simulation_step,
            commands::assess::finish_simulation,
            commands::assess::get_indicators,
            commands::assess::get_method_blend,
            commands::assess::set_method_preferences,
            commands::assess::record_study,
            commands::assess::send_feedback,
            commands::assess::list_group_tasks,
            commands::assess::create_group_task,
            commands::assess::submit_contribution,
            commands::assess::peer_review,
            commands::assess::get_knowledge_map,
            commands::assess::get_progress,
            commands::assess::get_profile,
            commands::assess::set_background,
            commands::packs::install_pack,
            commands::class::teacher_status,
            commands::class::create_teacher,
            commands::class::unlock_teacher,
            commands::class::lock_teacher,
            commands::class::create_class,
            commands::class::list_classes,
            commands::class::class_report,
            commands::class::import_summaries,
            commands::class::join_class,
            commands::class::learner_classes,
            commands::class::export_class_summary,
            commands::class::open_class_window,
            commands::packs::import_model,
            commands::packs::cancel_import,
            commands::packs::list_models,
            commands::packs::choose_model,
            commands::learners::check_pin,
            commands::learners::lock_learner,
            commands::learners::set_pin,
            commands::assess::get_simulation_run,
            commands::study::tutor_status,
            commands::study::submit_free_text,
            commands::study::explain_answer,
            commands::study::warm_free_text,
            commands::words::ask_question,
            commands::words::answer_question,
            commands::words::describe_yourself,
            commands::words::confirm_description,
            commands::words::get_description,
            commands::words::rate_answer,
            commands::words::list_questions,
            commands::words::list_notes,
            commands::words::add_note,
            commands::words::edit_note,
            commands::words::delete_note,
            commands::data::data_problem,
            commands::data::list_backups,
            commands::data::restore_backup,
            commands::data::start_fresh,
            commands::data::retry_open,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Crossway could not start its window: {e}");
            std::process::exit(1);
        });
}
