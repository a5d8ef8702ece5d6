//! `crossway xapi send`: a teacher's opt-in send of xAPI statements to the school's own LRS —
//! the one command that opens a network socket (through `crossway-lrs`; the desktop app never
//! does). Statements come from a database (every learner on the install, pseudonymous unless
//! `--named`) or from a learner's export file.

use std::path::{Path, PathBuf};

use crate::print_line as out;

pub struct SendArgs {
    pub lrs: String,
    pub user: String,
    pub password_file: PathBuf,
    pub db: Option<PathBuf>,
    pub export: Option<PathBuf>,
    pub named: Option<String>,
    pub batch: Option<usize>,
    pub json: bool,
}

fn statements(db: Option<&Path>, export: Option<&Path>, named: Option<&str>) -> Result<Vec<serde_json::Value>, String> {
    match (db, export) {
        (Some(db), None) => {
            let app = crossway_app::App::open_database(db).map_err(|e| e.message)?;
            let actor = match named {
                Some(home) => crossway_app::xapi::Actor::Named { home_page: home.to_string() },
                None => crossway_app::xapi::Actor::Pseudonymous,
            };
            app.install_statements(&actor).map_err(|e| e.message)
        }
        (None, Some(file)) => {
            if named.is_some() {
                return Err("--named works with --db: an export file's statements are sent as they are".into());
            }
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("{}: cannot read it ({e})", file.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a Crossway learner export ({e})", file.display()))?;
            if v["format"] != "crossway-learner-export/1" {
                return Err(format!(
                    "{}: not a Crossway learner export (no \"format\": \"crossway-learner-export/1\")",
                    file.display()
                ));
            }
            v["xapi"].as_array().cloned().ok_or_else(|| format!("{}: the export has no \"xapi\" list", file.display()))
        }
        _ => Err("give either --db FILE or an EXPORT.json file".into()),
    }
}

pub fn send(a: SendArgs) -> Result<(), String> {
    let password = std::fs::read_to_string(&a.password_file)
        .map_err(|e| format!("{}: cannot read the password file ({e})", a.password_file.display()))?;
    let password = password.lines().next().unwrap_or_default().to_string();
    if password.is_empty() {
        return Err(format!(
            "{}: the password file is empty (the password is its first line)",
            a.password_file.display()
        ));
    }
    let all = statements(a.db.as_deref(), a.export.as_deref(), a.named.as_deref())?;
    let mut lrs = crossway_lrs::Lrs::new(&a.lrs, &a.user, &password).map_err(|e| e.to_string())?;
    if let Some(b) = a.batch {
        if !(1..=1000).contains(&b) {
            return Err(format!("--batch {b}: give 1 to 1000 statements per request"));
        }
        lrs.batch = b;
    }
    let report = lrs.send(&all).map_err(|e| e.to_string())?;
    if a.json {
        out(&serde_json::to_string(&report).map_err(|e| e.to_string())?);
    } else {
        out(&format!(
            "{} statements: {} sent, {} already there, {} rejected ({:.0} ms)",
            all.len(),
            report.sent,
            report.already_there,
            report.rejected.len(),
            report.ms
        ));
        for r in &report.rejected {
            out(&format!("  rejected {} (HTTP {}): {}", r.id, r.status, r.reason));
        }
    }
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(format!("the LRS rejected {} statements (listed above)", report.rejected.len()))
    }
}
