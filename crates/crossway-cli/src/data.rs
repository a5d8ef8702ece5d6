//! `crossway data check` and `crossway data restore`: the data folder's database read without
//! modifying it, its backups, and putting one back (the current file set aside, never deleted).

use std::path::{Path, PathBuf};

use crossway_app::recovery;

use crate::UserError;

pub fn data_dir(given: Option<PathBuf>) -> Result<PathBuf, UserError> {
    given
        .or_else(crossway_app::AppConfig::default_data_dir)
        .ok_or_else(|| "cannot find the data folder (is HOME set?); pass --data-dir DIR".to_string())
}

/// Prints the state of the database and the backups; an error (exit 1) when it cannot be used.
pub fn check(dir: &Path, json: bool) -> Result<(), UserError> {
    let c = recovery::check(dir);
    if json {
        crate::print_line(&serde_json::to_string(&c).map_err(|e| e.to_string())?);
    } else {
        match (c.state, &c.error) {
            ("missing", _) => {
                crate::print_line(&format!("{}: no database yet (Crossway creates it on first start)", c.database))
            }
            (_, Some(_)) => crate::print_line(&format!("{}: cannot be used (the reason is on stderr)", c.database)),
            _ => crate::print_line(&format!(
                "ok: {} — {} learners, {} answers (schema version {})",
                c.database,
                c.learners.unwrap_or(0),
                c.answers.unwrap_or(0),
                c.schema_version.unwrap_or(0)
            )),
        }
        if c.backups.is_empty() {
            crate::print_line(&format!(
                "backups: none yet in {} (the desktop app takes one each day it is opened)",
                dir.join(recovery::BACKUP_DIR).display()
            ));
        } else {
            crate::print_line("backups (newest first):");
            for b in &c.backups {
                let what = match (&b.problem, b.learners, b.answers) {
                    (Some(p), _, _) => format!("not usable: {p}"),
                    (None, l, a) => format!("{} learners, {} answers", l.unwrap_or(0), a.unwrap_or(0)),
                };
                crate::print_line(&format!("  {}  {}  {}", b.file, b.taken.as_deref().unwrap_or("?"), what));
            }
        }
        if c.error.is_some() {
            if let Some(b) = c.backups.iter().find(|b| b.problem.is_none()) {
                crate::print_line(&format!(
                    "to restore the newest usable backup (close Crossway first): crossway data restore {}{}",
                    b.file,
                    dir_arg(dir)
                ));
            }
        }
    }
    match c.error {
        Some(e) => Err(e.message),
        None => Ok(()),
    }
}

fn dir_arg(dir: &Path) -> String {
    if crossway_app::AppConfig::default_data_dir().as_deref() == Some(dir) {
        String::new()
    } else {
        format!(" --data-dir {}", dir.display())
    }
}

/// Restores the backup `file` (as `data check` lists it).
pub fn restore(dir: &Path, file: &str) -> Result<(), UserError> {
    let r = recovery::restore_backup(dir, file).map_err(|e| e.message)?;
    crate::print_line(&format!("restored {} into {}", file, dir.join(recovery::DB_FILE).display()));
    for kept in &r.set_aside {
        crate::print_line(&format!("the previous file is kept at {kept}"));
    }
    Ok(())
}
