//! The only crate that knows SQL. One SQLite file per install holds every learner's profile,
//! events, mastery and retention state, and the list of installed packs.
//!
//! Invariants: WAL journal, `synchronous = FULL` (an acknowledged write survives a crash or power
//! loss), foreign keys on; every multi-row change goes through [`Store::transact`]; a database
//! written by a newer Crossway is refused, never modified.

mod assessment;
pub mod backup;
mod classes;
mod error;
mod events;
mod learners;
mod mastery;
mod migrations;
mod packs;
mod retention;
mod search;
mod words;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use assessment::{
    FeedbackRow, GroupMemberRow, GroupTaskRow, NewFeedback, PackAttemptRow, PeerReviewRow, SimRunRow, StudySessionRow,
};
pub use classes::{ClassRow, MembershipRow, SummaryRow, SummaryStored, TeacherRow};
pub use error::StoreError;
pub use events::{AttemptRow, NewAttempt, Recorded};
pub use learners::{LearnerRow, NewLearner};
pub use mastery::{KpParamsRow, MasteryRow};
pub use migrations::{create_at_version, stamp_version, SCHEMA_VERSION};
pub use packs::{FactChangeRow, InstalledPack};
pub use retention::RetentionRow;
pub use search::{search_terms, NewPassage, PassageHit};
pub use words::{NewQuestion, NoteRow, QuestionRow};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The file name of the database inside Crossway's data folder.
pub const DB_FILE: &str = "crossway.sqlite3";

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A connection (or an open transaction) to run domain queries on. Reads use
/// [`Store::db`]; writes go through [`Store::transact`].
pub struct Db<'a>(&'a Connection);

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// Before migrating a database that already holds data, a copy is kept beside it
    /// (`<file>.before-v<N>`).
    ///
    /// A file that exists but is empty, damaged or from a newer build is refused **before
    /// anything is written to it** (the journal mode is set only after the version check: setting
    /// WAL on a rollback-journal file, such as a `VACUUM INTO` backup, rewrites its header).
    pub fn open(path: &Path) -> Result<Self> {
        let existed = match std::fs::metadata(path) {
            Ok(m) if m.is_file() && m.len() == 0 => return Err(StoreError::Empty { path: path.to_path_buf() }),
            // A folder, pipe or device where the file should be: SQLite would give a bare I/O error.
            Ok(m) if !m.is_file() => return Err(StoreError::CannotOpen { path: path.to_path_buf() }),
            Ok(_) => true,
            Err(_) => false,
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| read_only_if_so(StoreError::classify(e, path), existed))?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(|e| StoreError::classify(e, path))?;
        // Reading a WAL file's header needs its `-shm`, which a read-only folder cannot hold.
        migrations::check_version(&conn, path).map_err(|e| read_only_if_so(e, existed))?;
        // SQLite falls back to read-only when the file or its folder cannot be written (a
        // read-only mount): refuse here, with the reason, rather than at the learner's first answer.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly { path: path.to_path_buf() });
        }
        configure(&conn).map_err(|e| StoreError::classify(e, path))?;
        migrations::run(&mut conn, path, existed)?;
        Ok(Self { conn, path: path.to_path_buf() })
    }

    /// A database in memory with the current schema (the CLI's `ask --pack`, which stores nothing).
    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrations::migrations().to_latest(&mut conn)?;
        Ok(Self { conn, path: PathBuf::from(":memory:") })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn db(&self) -> Db<'_> {
        Db(&self.conn)
    }

    /// Runs `f` in one immediate transaction: committed when `f` returns `Ok`, rolled back on
    /// `Err` (and on panic).
    pub fn transact<T, E>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let path = self.path.clone();
        // A file SQLite could open only for reading (a read-only mount or file) fails on the
        // first write inside `f` with a bare error; say what happened before trying.
        if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly { path }.into());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::classify(e, &path))?;
        let out = f(&Db(&tx))?;
        tx.commit().map_err(|e| StoreError::classify(e, &path))?;
        Ok(out)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when the file is sound.
    pub fn check_integrity(&self) -> Result<()> {
        let msg: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if msg == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt { path: self.path.clone(), detail: msg })
        }
    }
}

/// "Cannot open" an existing file that cannot be written is said as read-only (what to fix).
fn read_only_if_so(e: StoreError, existed: bool) -> StoreError {
    match e {
        StoreError::CannotOpen { path } if existed && cannot_write(&path) => StoreError::ReadOnly { path },
        other => other,
    }
}

/// Whether an existing database file cannot be written (a read-only mount or file, or a folder
/// that cannot take the `-wal`/`-shm` beside it). Opening for writing writes nothing.
fn cannot_write(path: &Path) -> bool {
    // Only a plain file is opened to ask (opening a FIFO for writing would wait for a reader).
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let file_refused = std::fs::OpenOptions::new().write(true).open(path).is_err();
    let folder_read_only = path
        .parent()
        .and_then(|d| std::fs::metadata(if d.as_os_str().is_empty() { Path::new(".") } else { d }).ok())
        .is_some_and(|m| m.permissions().readonly());
    file_refused || folder_read_only
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    debug_assert_eq!(mode.to_lowercase(), "wal");
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// The current time as stored (RFC 3339, UTC, milliseconds).
pub(crate) fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn parse_ts(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| StoreError::BadValue { what: "timestamp", value: s.to_string() })
}
