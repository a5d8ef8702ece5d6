use std::sync::Mutex;

use crossway_app::{App, AppError, ErrorCode};

/// The one managed state: the opened app, or the error that kept it from opening (shown by the
/// window instead of crashing, e.g. a database from a newer Crossway).
pub struct AppState {
    app: Mutex<Result<App, AppError>>,
}

impl AppState {
    pub fn new(app: Result<App, AppError>) -> Self {
        Self { app: Mutex::new(app) }
    }

    /// Like [`AppState::with`] for a command on one learner's data: refused while that profile is
    /// locked with a PIN that was not given in this session (`App::require_unlocked`).
    pub fn for_learner<T>(
        &self,
        learner_id: i64,
        f: impl FnOnce(&mut App) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.with(|app| {
            app.require_unlocked(learner_id)?;
            f(app)
        })
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut App) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut guard = self.app.lock().map_err(|_| {
            AppError::new(ErrorCode::Internal, "an earlier request failed unexpectedly; restart Crossway")
        })?;
        match guard.as_mut() {
            Ok(app) => f(app),
            Err(e) => Err(e.clone()),
        }
    }
}

/// The on-device model, loaded in the background at start-up and kept outside the `App` lock:
/// grading takes seconds and must not block the rest of the window.
#[derive(Default)]
pub struct TutorSlot {
    pub status: std::sync::Mutex<TutorStatus>,
    pub tutor: std::sync::Mutex<Option<crossway_app::Tutor>>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct TutorStatus {
    /// none | loading | ready | failed
    pub state: &'static str,
    /// The model's file name.
    pub model: Option<String>,
    /// Why it failed (a preflight or load error), or how long loading took.
    pub message: Option<String>,
    pub threads: usize,
}
