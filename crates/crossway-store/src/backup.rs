//! Copies of the database: a consistent snapshot of a live file (`VACUUM INTO`, through its own
//! read-only connection, so a writer in the app is never blocked for long), and a read-only look
//! at a file — a backup, or a database that failed to open — that never writes to it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::{migrations, Result, StoreError};

/// What a database file holds, read without modifying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub schema_version: i64,
    pub learners: i64,
    /// Graded answers (attempts) over all learners.
    pub answers: i64,
}

/// Writes a consistent copy of the database at `src` to `dest`: first to `dest.partial`, then
/// renamed, so `dest` is either absent or complete (a full disk or a crash leaves no half file).
pub fn snapshot(src: &Path, dest: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| StoreError::classify(e, src))?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| StoreError::classify(e, src))?;
    migrations::check_version(&conn, src)?;
    let partial = partial_path(dest);
    let _ = std::fs::remove_file(&partial);
    let result = conn
        .execute("VACUUM INTO ?1", [partial.to_string_lossy()])
        .map_err(|e| StoreError::classify(e, dest))
        .and_then(|_| {
            std::fs::File::open(&partial)
                .and_then(|f| f.sync_all())
                .and_then(|_| std::fs::rename(&partial, dest))
                .map_err(|e| io_error(e, dest))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Reads `path` without changing a byte of it: schema version, integrity, and how many learners
/// and answers it holds. A file that is empty, not a database, damaged or from a newer build gives
/// the same error [`crate::Store::open`] would.
pub fn inspect(path: &Path) -> Result<FileSummary> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == 0 => return Err(StoreError::Empty { path: path.to_path_buf() }),
        Ok(m) if !m.is_file() => return Err(StoreError::CannotOpen { path: path.to_path_buf() }),
        Ok(_) => {}
        Err(_) => return Err(StoreError::NotFound { what: "database file", id: path.display().to_string() }),
    }
    // A live database in WAL mode needs its `-shm` beside it even to read; a backup made by
    // `VACUUM INTO` is a rollback-journal file and is opened as it is.
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| StoreError::classify(e, path))?;
    let schema_version = migrations::check_version(&conn, path)?;
    let check: String =
        conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| StoreError::classify(e, path))?;
    if check != "ok" {
        return Err(StoreError::Corrupt { path: path.to_path_buf(), detail: check });
    }
    if schema_version == 0 {
        return Ok(FileSummary { schema_version, learners: 0, answers: 0 });
    }
    let count =
        |sql: &str| -> Result<i64> { conn.query_row(sql, [], |r| r.get(0)).map_err(|e| StoreError::classify(e, path)) };
    Ok(FileSummary {
        schema_version,
        learners: count("SELECT count(*) FROM learners")?,
        answers: count("SELECT count(*) FROM events WHERE kind = 'attempt'")?,
    })
}

fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    dest.with_file_name(name)
}

fn io_error(e: std::io::Error, path: &Path) -> StoreError {
    // ENOSPC (28) and EROFS (30) on Linux: said as such, like SQLite's own codes.
    match e.raw_os_error() {
        Some(28) => StoreError::DiskFull { path: path.to_path_buf() },
        Some(30) => StoreError::ReadOnly { path: path.to_path_buf() },
        _ => StoreError::CannotOpen { path: path.to_path_buf() },
    }
}
