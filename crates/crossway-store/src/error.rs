use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: this database was written by a newer Crossway (schema version {found}; this build \
         understands up to {supported}). Nothing was changed. Update Crossway, or restore a backup."
    )]
    NewerSchema { path: PathBuf, found: i64, supported: usize },
    #[error(
        "{path}: not a Crossway database, or the file is damaged ({detail}). Nothing was changed. \
         Move the file aside to start fresh, or restore a backup."
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path}: the file is empty (0 bytes), so it holds no Crossway data — perhaps a copy or a \
         disk that filled up was interrupted. Nothing was changed. Restore a backup \
         (`crossway.sqlite3.before-v…` beside it) or move the empty file aside to start fresh."
    )]
    Empty { path: PathBuf },
    #[error(
        "{path}: cannot open or create the database file (the data folder may be missing, read-only \
         or not a folder). Make the folder writable, or point XDG_DATA_HOME at one that is."
    )]
    CannotOpen { path: PathBuf },
    #[error(
        "{path}: the database is read-only, so your progress cannot be saved. Make the file and \
         its folder writable (for example `chmod u+w`), then retry."
    )]
    ReadOnly { path: PathBuf },
    #[error(
        "{path}: the disk is full, so your last change was not saved (nothing was lost). Free some space and retry."
    )]
    DiskFull { path: PathBuf },
    #[error("{path}: the database is locked by another program; close other Crossway windows and retry")]
    Locked { path: PathBuf },
    #[error("{what} not found: {id}")]
    NotFound { what: &'static str, id: String },
    #[error("stored {what} is unreadable: {value}")]
    BadValue { what: &'static str, value: String },
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Turns a low-level error on opening `path` into the message a user can act on.
    pub(crate) fn classify(e: rusqlite::Error, path: &Path) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::NotADatabase | C::DatabaseCorrupt) => {
                StoreError::Corrupt { path: path.to_path_buf(), detail: e.to_string() }
            }
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Locked { path: path.to_path_buf() },
            Some(C::CannotOpen) => StoreError::CannotOpen { path: path.to_path_buf() },
            Some(C::ReadOnly) => StoreError::ReadOnly { path: path.to_path_buf() },
            Some(C::DiskFull) => StoreError::DiskFull { path: path.to_path_buf() },
            _ => StoreError::Sqlite(e),
        }
    }
}

/// `Option` → `NotFound` for queries that must find a row.
pub(crate) trait OrNotFound<T> {
    fn or_not_found(self, what: &'static str, id: impl ToString) -> Result<T, StoreError>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_not_found(self, what: &'static str, id: impl ToString) -> Result<T, StoreError> {
        self.ok_or_else(|| StoreError::NotFound { what, id: id.to_string() })
    }
}
