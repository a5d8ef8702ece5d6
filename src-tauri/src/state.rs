use std::path::PathBuf;
use std::sync::Mutex;

use crossway_app::recovery::{self, BackupDto, DataProblemDto, RestoreDto};
use crossway_app::{App, AppError, ErrorCode};

/// The one managed state: the opened app, or the error that kept it from opening (the window
/// shows it with the backups there are instead of crashing, e.g. a damaged database).
pub struct AppState {
    app: Mutex<Result<App, AppError>>,
    /// The bundled resources (the default pack), to open the data folder again after a restore.
    resource_dir: Option<PathBuf>,
}

impl AppState {
    /// Opens the user's data folder; a failure is kept, not raised.
    pub fn open(resource_dir: Option<PathBuf>) -> Self {
        let app = crate::open::open_app(resource_dir.as_deref());
        Self { app: Mutex::new(app), resource_dir }
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
        let mut guard = self.lock()?;
        match guard.as_mut() {
            Ok(app) => f(app),
            Err(e) => Err(e.clone()),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Result<App, AppError>>, AppError> {
        self.app
            .lock()
            .map_err(|_| AppError::new(ErrorCode::Internal, "an earlier request failed unexpectedly; restart Crossway"))
    }

    /// Today's backup, taken on its own thread (a read-only connection; the window is not held).
    pub fn start_backup(&self) {
        if let Ok(job) = self.with(|app| Ok(app.backup_job())) {
            std::thread::spawn(move || {
                if let Err(e) = job.run() {
                    eprintln!("Crossway: today's backup was not taken ({})", e.message);
                }
            });
        }
    }

    /// Why the data folder could not be opened, with its backups; `None` when it is open.
    pub fn problem(&self) -> Result<Option<DataProblemDto>, AppError> {
        let guard = self.lock()?;
        match guard.as_ref() {
            Ok(_) => Ok(None),
            Err(e) => Ok(Some(recovery::data_problem(&crate::open::data_dir()?, e.clone()))),
        }
    }

    pub fn backups(&self) -> Result<Vec<BackupDto>, AppError> {
        Ok(recovery::list_backups(&crate::open::data_dir()?))
    }

    /// Closes the database (if open), runs `change` on the data folder, and opens it again. A
    /// failed change leaves the app as it was (the database reopened); a failed reopen is kept
    /// and shown like a failure at start.
    pub fn reopen_after(
        &self,
        change: impl FnOnce(&std::path::Path) -> Result<Option<RestoreDto>, AppError>,
    ) -> Result<Option<RestoreDto>, AppError> {
        let mut guard = self.lock()?;
        // Dropping the app closes its connection, so the files can be moved.
        *guard = Err(AppError::new(ErrorCode::Internal, "the data folder is being reopened"));
        let changed = crate::open::data_dir().and_then(|dir| change(&dir));
        *guard = crate::open::open_app(self.resource_dir.as_deref());
        let reopened = guard.as_ref().map(|_| ()).map_err(Clone::clone);
        drop(guard);
        let done = changed?;
        reopened?;
        self.start_backup();
        Ok(done)
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
    /// Why it failed (a preflight or load error; English, shown as technical detail).
    pub message: Option<String>,
    /// How long loading took, once ready (the window says it in the learner's language).
    pub load_ms: Option<u64>,
    pub threads: usize,
}
