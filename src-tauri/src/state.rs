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
