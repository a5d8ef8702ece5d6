//! The one error type both shells show: a stable code the UI can act on and a clear message.

use serde::Serialize;

/// Only the codes a shell acts on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    PackInvalid,
    DatabaseTooNew,
    DatabaseDamaged,
    DatabaseLocked,
    /// A profile with a PIN that was not given in this session.
    ProfileLocked,
    /// A teacher's action without the teacher unlocked (or on an install without a teacher).
    TeacherOnly,
    /// Too many wrong PINs: `details[0]` is the seconds left to wait.
    PinWait,
    /// The disk holding the data folder is full: `details[0]` is the file. The screen stays.
    DiskFull,
    /// The database or its folder cannot be written: `details[0]` is the file.
    ReadOnly,
    /// The data folder cannot be opened or created (missing, a file, no permission):
    /// `details[0]` is the path.
    DataFolder,
    /// The user stopped a long operation (a model import); nothing was left half done.
    Cancelled,
    Io,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// For `pack_invalid`: every problem as `path:line: message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: Vec::new() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found: {id}"))
    }
}

impl From<crossway_store::StoreError> for AppError {
    fn from(e: crossway_store::StoreError) -> Self {
        use crossway_store::StoreError as S;
        let (code, path) = match &e {
            S::NewerSchema { path, .. } => (ErrorCode::DatabaseTooNew, Some(path)),
            S::Corrupt { path, .. } | S::Empty { path } => (ErrorCode::DatabaseDamaged, Some(path)),
            S::CannotOpen { path } => (ErrorCode::DataFolder, Some(path)),
            S::ReadOnly { path } => (ErrorCode::ReadOnly, Some(path)),
            S::DiskFull { path } => (ErrorCode::DiskFull, Some(path)),
            S::Locked { path } => (ErrorCode::DatabaseLocked, Some(path)),
            S::NotFound { .. } => (ErrorCode::NotFound, None),
            _ => (ErrorCode::Internal, None),
        };
        // The file is the first detail, so a shell can say where without parsing the message.
        let details = path.map(|p| vec![p.display().to_string()]).unwrap_or_default();
        Self { code, message: e.to_string(), details }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        Self::new(ErrorCode::Io, e.to_string())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
