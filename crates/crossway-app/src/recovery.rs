//! When the database cannot be used, and the copies that let a learner go back.
//!
//! - **Daily backup**: the first start of a day snapshots the database into `backups/`
//!   (`crossway-YYYY-MM-DD.sqlite3`, the newest [`KEEP`] kept), off the window's lock
//!   ([`BackupJob`]). Upgrades also leave `crossway.sqlite3.before-v<N>` beside the database.
//! - **What happened**: [`data_problem`] joins the error that kept the database from opening with
//!   every backup there is, each read without modifying it (learners, answers, or why it is not
//!   usable), so a shell can say what happened, where the backup is and what to do.
//! - **One action back**: [`restore_backup`] sets the current files aside in `set-aside/` (never
//!   deleted), copies the chosen backup into place, and on any failure puts everything back.
//!   [`start_fresh`] only sets them aside.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use crossway_store::backup::{self, FileSummary};
pub use crossway_store::DB_FILE;
use serde::Serialize;

use crate::{AppError, ErrorCode, Result};

pub const BACKUP_DIR: &str = "backups";
pub const SET_ASIDE_DIR: &str = "set-aside";
/// Daily backups kept.
pub const KEEP: usize = 7;

/// One backup a learner could restore.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupDto {
    /// The key to restore it by: its path relative to the data folder.
    pub file: String,
    pub path: String,
    /// When the file was written (its modification time, RFC 3339).
    pub taken: Option<String>,
    pub bytes: u64,
    /// `None` when the file is not usable (`problem` says why).
    pub learners: Option<i64>,
    pub answers: Option<i64>,
    pub problem: Option<String>,
}

/// Why the database could not be used, with what there is to go back to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataProblemDto {
    pub error: AppError,
    pub data_dir: String,
    pub database: String,
    /// Newest first; usable ones before unusable ones.
    pub backups: Vec<BackupDto>,
    /// Where restore and "start fresh" move the current files.
    pub set_aside_dir: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreDto {
    /// The backup now in place (`None` for a fresh start).
    pub restored_from: Option<String>,
    /// The files moved aside (the database and its `-wal`/`-shm`), kept for a later look.
    pub set_aside: Vec<String>,
}

/// The daily snapshot, prepared under the app's lock and run off it.
#[derive(Debug, Clone)]
pub struct BackupJob {
    pub(crate) db: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) today: NaiveDate,
}

impl BackupJob {
    /// Takes today's backup unless there is one; keeps the newest [`KEEP`]. Returns the file
    /// written, `None` when today's backup already existed.
    pub fn run(&self) -> Result<Option<PathBuf>> {
        if !self.db.is_file() {
            return Ok(None);
        }
        let dest = self.dir.join(format!("crossway-{}.sqlite3", self.today.format("%Y-%m-%d")));
        if dest.exists() {
            return Ok(None);
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| io(e, &self.dir))?;
        backup::snapshot(&self.db, &dest)?;
        prune(&self.dir)?;
        Ok(Some(dest))
    }
}

impl crate::App {
    /// Today's backup job (today by the app's clock, in UTC).
    pub fn backup_job(&self) -> BackupJob {
        BackupJob {
            db: self.store.path().to_path_buf(),
            dir: self.data_dir().join(BACKUP_DIR),
            today: self.now().date_naive(),
        }
    }

    /// Every backup of this install (Settings lists them).
    pub fn backups(&self) -> Vec<BackupDto> {
        list_backups(self.data_dir())
    }
}

/// Removes all but the newest [`KEEP`] daily backups (and any `.partial` left by a crash).
fn prune(dir: &Path) -> Result<()> {
    let mut daily: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(e, dir))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_daily(p) || p.extension().is_some_and(|x| x == "partial"))
        .collect();
    daily.sort();
    let partials: Vec<PathBuf> = daily.iter().filter(|p| !is_daily(p)).cloned().collect();
    daily.retain(|p| is_daily(p));
    let excess = daily.len().saturating_sub(KEEP);
    for old in daily.iter().take(excess).chain(partials.iter()) {
        std::fs::remove_file(old).map_err(|e| io(e, old))?;
    }
    Ok(())
}

fn is_daily(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n.strip_prefix("crossway-")
            .and_then(|r| r.strip_suffix(".sqlite3"))
            .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
    })
}

/// Every backup in `data_dir`: the daily ones in `backups/` and the upgrade copies beside the
/// database, each inspected read-only. Newest first; unusable ones last.
pub fn list_backups(data_dir: &Path) -> Vec<BackupDto> {
    let mut out: Vec<(Option<std::time::SystemTime>, BackupDto)> =
        backup_files(data_dir).into_iter().map(|(file, path)| describe(file, &path)).collect();
    out.sort_by(|(ta, a), (tb, b)| a.problem.is_some().cmp(&b.problem.is_some()).then(tb.cmp(ta)));
    out.into_iter().map(|(_, d)| d).collect()
}

/// The backups' keys (paths relative to the data folder) and files, not yet read.
fn backup_files(data_dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(data_dir.join(BACKUP_DIR)).into_iter().flatten().flatten() {
        let p = entry.path();
        if is_daily(&p) {
            found.push((format!("{BACKUP_DIR}/{}", entry.file_name().to_string_lossy()), p));
        }
    }
    for entry in std::fs::read_dir(data_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{DB_FILE}.before-v")) && !name.ends_with(".partial") {
            found.push((name, entry.path()));
        }
    }
    found
}

/// One backup, read without modifying it, with its modification time for sorting.
fn describe(file: String, path: &Path) -> (Option<std::time::SystemTime>, BackupDto) {
    let meta = std::fs::metadata(path).ok();
    let modified = meta.as_ref().and_then(|m| m.modified().ok());
    let (learners, answers, problem) = match backup::inspect(path) {
        Ok(FileSummary { learners, answers, .. }) => (Some(learners), Some(answers), None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    let dto = BackupDto {
        file,
        path: path.display().to_string(),
        taken: modified.map(|t| DateTime::<Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        bytes: meta.map_or(0, |m| m.len()),
        learners,
        answers,
        problem,
    };
    (modified, dto)
}

/// The problem to show instead of the learner's screens.
pub fn data_problem(data_dir: &Path, error: AppError) -> DataProblemDto {
    DataProblemDto {
        error,
        data_dir: data_dir.display().to_string(),
        database: data_dir.join(DB_FILE).display().to_string(),
        backups: list_backups(data_dir),
        set_aside_dir: data_dir.join(SET_ASIDE_DIR).display().to_string(),
    }
}

/// Puts the backup `file` (a key from [`list_backups`]) in place of the database. The database
/// must not be open. The current files are moved to `set-aside/` first; if the copy fails they are
/// moved back, so the data folder is as it was.
pub fn restore_backup(data_dir: &Path, file: &str) -> Result<RestoreDto> {
    // Only a listed backup, and only that one is read.
    let (_, chosen) = backup_files(data_dir)
        .into_iter()
        .find(|(key, _)| key == file)
        .map(|(key, path)| describe(key, &path))
        .ok_or_else(|| AppError::not_found("backup", file))?;
    if let Some(problem) = chosen.problem {
        return Err(AppError::new(
            ErrorCode::DatabaseDamaged,
            format!("{file}: this backup cannot be restored ({problem}); choose another one"),
        ));
    }
    let source = PathBuf::from(&chosen.path);
    let moved = set_aside(data_dir, Utc::now())?;
    let db = data_dir.join(DB_FILE);
    let staging = data_dir.join(format!("{DB_FILE}.restoring"));
    let copied = std::fs::copy(&source, &staging)
        .and_then(|_| std::fs::File::open(&staging)?.sync_all())
        .and_then(|_| std::fs::rename(&staging, &db))
        .and_then(|_| sync_dir(data_dir));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&staging);
        put_back(&moved);
        return Err(io(e, &db));
    }
    Ok(RestoreDto {
        restored_from: Some(chosen.file),
        set_aside: moved.iter().map(|(_, to)| to.display().to_string()).collect(),
    })
}

/// Moves the database files aside so the next open starts with an empty database.
pub fn start_fresh(data_dir: &Path) -> Result<RestoreDto> {
    let moved = set_aside(data_dir, Utc::now())?;
    Ok(RestoreDto { restored_from: None, set_aside: moved.iter().map(|(_, to)| to.display().to_string()).collect() })
}

/// Moves `crossway.sqlite3` and its `-wal`/`-shm` into `set-aside/`, named by `now`. Returns
/// (from, to) pairs; on a failure part-way, what was moved is moved back.
fn set_aside(data_dir: &Path, now: DateTime<Utc>) -> Result<Vec<(PathBuf, PathBuf)>> {
    let dir = data_dir.join(SET_ASIDE_DIR);
    let stamp = now.format("%Y%m%dT%H%M%S%3fZ");
    let mut moved = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let from = data_dir.join(format!("{DB_FILE}{suffix}"));
        if std::fs::symlink_metadata(&from).is_err() {
            continue;
        }
        let to = dir.join(format!("crossway-{stamp}.sqlite3{suffix}"));
        let step = std::fs::create_dir_all(&dir).and_then(|_| std::fs::rename(&from, &to));
        if let Err(e) = step {
            put_back(&moved);
            return Err(io(e, &from));
        }
        moved.push((from, to));
    }
    Ok(moved)
}

fn put_back(moved: &[(PathBuf, PathBuf)]) {
    for (from, to) in moved.iter().rev() {
        let _ = std::fs::rename(to, from);
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A file-system error on `path`, said as what the learner can do about it.
fn io(e: std::io::Error, path: &Path) -> AppError {
    let shown = path.display().to_string();
    let (code, message) = match e.raw_os_error() {
        Some(28) => (ErrorCode::DiskFull, format!("{shown}: the disk is full ({e}); free some space and retry")),
        Some(30) | Some(13) | Some(1) => {
            (ErrorCode::ReadOnly, format!("{shown}: cannot be written ({e}); make the data folder writable and retry"))
        }
        _ => (ErrorCode::Io, format!("{shown}: {e}")),
    };
    AppError { code, message, details: vec![shown] }
}

/// `crossway data check`: the database read without modifying it, and the backups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataCheckDto {
    pub data_dir: String,
    pub database: String,
    /// ok | missing (a first start creates it) | problem
    pub state: &'static str,
    pub schema_version: Option<i64>,
    pub learners: Option<i64>,
    pub answers: Option<i64>,
    pub error: Option<AppError>,
    pub backups: Vec<BackupDto>,
}

/// Reads the data folder's database without writing to it (no migration, no journal change).
pub fn check(data_dir: &Path) -> DataCheckDto {
    let db = data_dir.join(DB_FILE);
    let mut out = DataCheckDto {
        data_dir: data_dir.display().to_string(),
        database: db.display().to_string(),
        state: "ok",
        schema_version: None,
        learners: None,
        answers: None,
        error: None,
        backups: list_backups(data_dir),
    };
    if data_dir.exists() && !data_dir.is_dir() {
        out.state = "problem";
        out.error = Some(AppError {
            code: ErrorCode::DataFolder,
            message: format!("{}: the data folder is a file, not a folder", data_dir.display()),
            details: vec![data_dir.display().to_string()],
        });
        return out;
    }
    if std::fs::symlink_metadata(&db).is_err() {
        out.state = "missing";
        return out;
    }
    match backup::inspect(&db) {
        Ok(s) => {
            out.schema_version = Some(s.schema_version);
            out.learners = Some(s.learners);
            out.answers = Some(s.answers);
        }
        Err(e) => {
            out.state = "problem";
            out.error = Some(e.into());
        }
    }
    out
}
