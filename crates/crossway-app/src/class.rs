//! Classes and the class view (issue #18).
//!
//! A teacher keeps classes on their install. Each class has a **class code** (24 characters:
//! the 8-character class id, then a 16-character secret, 80 random bits) that the teacher hands
//! out. A learner on another machine joins with the code and exports a **class summary**: the
//! numbers of `crossway_core::class::LearnerSummary` under a random pseudonym per class — no name,
//! no answer text, no note, no question — signed with HMAC-SHA256 under the class secret. The
//! teacher imports a folder of summaries: the same file twice changes nothing, a newer export of
//! the same learner replaces the older one, and a changed, foreign-class, foreign-pack or
//! malformed file is refused with the reason. On a lab install (`local_learners`) the class view
//! reads the install's own learners directly. Either way the view is built by
//! `crossway_core::class::report`, which hides every number describing fewer than 3 learners.
//!
//! The signature stops a file changed after export (and files for another class); it cannot stop
//! a learner who holds the class code from writing a summary by hand (docs/security.md).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, Utc};
use crossway_core::class::{self, FirstAnswer, IndicatorValues, KpActivity, LearnerSummary, WeekActivity};
use crossway_core::indicators::Dimension;
use crossway_core::LocalizedText;
use crossway_store::{ClassRow, MembershipRow, SummaryRow, SummaryStored};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::pin::hex;
use crate::{App, AppError, ErrorCode, Result};

/// The format line of a class summary file.
pub const SUMMARY_FORMAT: &str = "crossway-class-summary/1";
/// Larger files are refused unread (a summary of the whole pack is ~60 KB).
const MAX_SUMMARY_BYTES: u64 = 4 << 20;
/// Weeks of activity the class view shows.
const WEEKS: i64 = 12;
/// Crockford's base 32 (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassDto {
    pub id: String,
    pub name: String,
    /// The code learners join with (shown to the teacher only).
    pub code: String,
    pub pack: String,
    pub goal_roles: Vec<String>,
    pub local_learners: bool,
    /// Summaries imported from learners' machines.
    pub summaries: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MembershipDto {
    pub class: String,
    pub pseudonym: String,
    pub joined_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryFileDto {
    pub path: String,
    pub class: String,
    pub pseudonym: String,
    pub kps: usize,
    pub items: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefusedFileDto {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SummaryImportDto {
    pub new: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub refused: Vec<RefusedFileDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassReportDto {
    /// The class, or `None` for the install's learners when it keeps no class.
    pub class: Option<String>,
    pub class_name: Option<String>,
    pub pack: String,
    /// Learners read from this install / from imported summaries.
    pub local: usize,
    pub imported: usize,
    pub report: class::ClassReport,
    /// Names of the modules, KPs and roles in the report, both languages.
    pub titles: BTreeMap<String, LocalizedText>,
    /// The KP of every item in the report.
    pub item_kp: BTreeMap<String, String>,
    /// Files or stored summaries that could not be used, with the reason.
    pub refused: Vec<RefusedFileDto>,
    pub ms: f64,
}

/// The signed part of a summary file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signed {
    class: String,
    pack: String,
    pack_version: String,
    learner: String,
    exported_at: DateTime<Utc>,
    summary: LearnerSummary,
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'a str,
    signed: &'a RawValue,
    /// HMAC-SHA256 of `signed`'s exact bytes under the class secret, hex.
    mac: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn<'a> {
    format: String,
    #[serde(borrow)]
    signed: &'a RawValue,
    mac: String,
}

pub(crate) fn random_code(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("the system's random source failed: {e}")))?;
    Ok(bytes.iter().map(|b| ALPHABET[usize::from(b & 31)] as char).collect())
}

fn mac_of(secret: &str, bytes: &[u8]) -> Result<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("cannot key the signature: {e}")))?;
    mac.update(bytes);
    Ok(mac)
}

/// The class code shown to the teacher: id and secret in groups of four.
fn code_of(id: &str, secret: &str) -> String {
    let all: Vec<char> = format!("{id}{secret}").chars().collect();
    all.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A typed class code → (class id, secret). Case, spaces and dashes do not matter; O and I/L are
/// read as 0 and 1.
pub fn parse_class_code(code: &str) -> Result<(String, String)> {
    let clean: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if clean.len() != 24 || !clean.bytes().all(|b| ALPHABET.contains(&b)) {
        return Err(AppError::invalid(
            "a class code is 24 letters and digits (as XXXX-XXXX-XXXX-XXXX-XXXX-XXXX): ask your teacher for it again",
        ));
    }
    Ok((clean[..8].to_string(), clean[8..].to_string()))
}

fn week_key(t: DateTime<Utc>) -> String {
    let w = t.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

fn refused(file: &Path, reason: impl Into<String>) -> RefusedFileDto {
    RefusedFileDto { file: file.display().to_string(), reason: reason.into() }
}

impl App {
    fn class_dto(&self, c: &ClassRow) -> Result<ClassDto> {
        Ok(ClassDto {
            id: c.id.clone(),
            name: c.name.clone(),
            code: code_of(&c.id, &c.secret),
            pack: c.pack_id.clone(),
            goal_roles: c.goal_roles.clone(),
            local_learners: c.local_learners,
            summaries: self.store.db().summaries(&c.id)?.len(),
        })
    }

    /// A new class for the active pack (teacher only). `goal_roles` must be the pack's roles.
    pub fn create_class(&mut self, name: &str, goal_roles: &[String], local_learners: bool) -> Result<ClassDto> {
        self.require_teacher()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(AppError::invalid("a class name is 1 to 80 characters"));
        }
        let pack = self.active_pack()?.clone();
        if let Some(r) = goal_roles.iter().find(|r| pack.role(r).is_none()) {
            return Err(AppError::invalid(format!("{r} is not a role of the pack {}", pack.manifest.id)));
        }
        let row = ClassRow {
            id: random_code(8)?,
            name: name.to_string(),
            pack_id: pack.manifest.id.clone(),
            goal_roles: goal_roles.to_vec(),
            secret: random_code(16)?,
            local_learners,
            created_at: self.now(),
        };
        self.store.transact(|db| db.insert_class(&row))?;
        self.class_dto(&row)
    }

    /// The classes this install keeps, with their codes (teacher only).
    pub fn classes(&self) -> Result<Vec<ClassDto>> {
        self.require_teacher()?;
        self.store.db().classes()?.iter().map(|c| self.class_dto(c)).collect()
    }

    /// A learner joins a class kept on another machine with its code; their pseudonym for that
    /// class is drawn at random. Joining again keeps the pseudonym.
    pub fn join_class(&mut self, learner_id: i64, code: &str) -> Result<MembershipDto> {
        self.store.db().learner(learner_id)?;
        let (class_id, secret) = parse_class_code(code)?;
        let existing = self.store.db().memberships(learner_id)?.into_iter().find(|m| m.class_id == class_id);
        let m = MembershipRow {
            learner_id,
            class_id: class_id.clone(),
            secret,
            pseudonym: existing
                .as_ref()
                .map_or_else(|| random_code(16).map(|p| format!("p-{p}")), |m| Ok(m.pseudonym.clone()))?,
            joined_at: existing.map_or_else(|| self.now(), |m| m.joined_at),
        };
        self.store.transact(|db| db.insert_membership(&m))?;
        Ok(MembershipDto { class: m.class_id, pseudonym: m.pseudonym, joined_at: m.joined_at.to_rfc3339() })
    }

    /// The classes a learner joined.
    pub fn learner_classes(&self, learner_id: i64) -> Result<Vec<MembershipDto>> {
        Ok(self
            .store
            .db()
            .memberships(learner_id)?
            .into_iter()
            .map(|m| MembershipDto { class: m.class_id, pseudonym: m.pseudonym, joined_at: m.joined_at.to_rfc3339() })
            .collect())
    }

    /// The numbers of one learner the class view needs, from their records.
    pub fn learner_summary(&self, learner_id: i64) -> Result<LearnerSummary> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?;
        let db = self.store.db();
        // Stored rows only: KPs answered or seeded by a placement check (not the pack's priors).
        let mastery = db.mastery(learner_id)?.into_iter().map(|(kp, m)| (kp, m.p)).collect();
        let attempts = db.attempts(learner_id)?;
        let disputed: HashSet<i64> = db
            .feedback_of_learner(learner_id)?
            .into_iter()
            .filter(|f| f.kind == "dispute")
            .filter_map(|f| f.attempt_id)
            .collect();
        let disputed_items: HashSet<&str> =
            attempts.iter().filter(|a| disputed.contains(&a.id)).map(|a| a.item_id.as_str()).collect();
        let mut seen = HashSet::new();
        let items = attempts
            .iter()
            .filter(|a| a.payload.get("placement").is_none() && pack.item_or_step(&a.item_id).is_some())
            .filter(|a| seen.insert(a.item_id.as_str()))
            .map(|a| FirstAnswer {
                item: a.item_id.clone(),
                score: a.score,
                seconds: a.payload.get("seconds").and_then(|s| s.as_f64()).filter(|s| s.is_finite() && *s >= 0.0),
                disputed: disputed_items.contains(a.item_id.as_str()),
            })
            .collect();
        let mut kps: BTreeMap<String, KpActivity> = BTreeMap::new();
        for a in attempts.iter().filter(|a| a.score < 0.5) {
            kps.entry(a.kp_id.clone()).or_default().wrong += 1;
        }
        for q in db.questions(learner_id)? {
            if let Some(kp) = q.kp_id {
                kps.entry(kp).or_default().questions += 1;
            }
        }
        let ev = self.evidence(learner_id)?;
        let mut indicators = IndicatorValues::default();
        for i in crossway_core::indicators::indicators(&ev, self.now()) {
            let slot = match i.dimension {
                Dimension::Knowledge => &mut indicators.knowledge,
                Dimension::Skill => &mut indicators.skill,
                Dimension::Attitude => &mut indicators.attitude,
                Dimension::Teamwork => &mut indicators.teamwork,
            };
            *slot = i.value;
        }
        let mut weeks: BTreeMap<String, WeekActivity> = BTreeMap::new();
        for a in &ev.answers {
            let w = weeks.entry(week_key(a.at)).or_default();
            w.answers += 1;
            w.minutes += a.minutes.unwrap_or(crossway_core::indicators::DEFAULT_ANSWER_MINUTES);
        }
        for (at, minutes) in ev.study.iter().map(|s| (s.at, s.minutes)).chain(ev.runs.iter().map(|r| (r.at, r.minutes)))
        {
            weeks.entry(week_key(at)).or_default().minutes += minutes;
        }
        Ok(LearnerSummary { goal_role: learner.goal_role, mastery, items, kps, indicators, weeks })
    }

    /// Writes the learner's signed class summary for a class they joined into
    /// `<data folder>/exports/`, to hand to the teacher.
    pub fn export_class_summary(&self, learner_id: i64, class_id: &str) -> Result<SummaryFileDto> {
        let m = self
            .store
            .db()
            .memberships(learner_id)?
            .into_iter()
            .find(|m| m.class_id == class_id)
            .ok_or_else(|| AppError::not_found("class joined by this learner", class_id))?;
        let pack = self.active_pack()?;
        let summary = self.learner_summary(learner_id)?;
        let (kps, items) = (summary.mastery.len(), summary.items.len());
        let signed = Signed {
            class: m.class_id.clone(),
            pack: pack.manifest.id.clone(),
            pack_version: pack.manifest.version.clone(),
            learner: m.pseudonym.clone(),
            exported_at: self.now(),
            summary,
        };
        let text = internal(serde_json::to_string_pretty(&signed))?;
        let raw = internal(RawValue::from_string(text))?;
        let mac = hex(&mac_of(&m.secret, raw.get().as_bytes())?.finalize().into_bytes());
        let file = internal(serde_json::to_string_pretty(&FileOut { format: SUMMARY_FORMAT, signed: &raw, mac }))?;
        let dir = self.config.data_dir.join("exports");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("crossway-class-{}-{}.json", m.class_id, m.pseudonym));
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, file)?;
        std::fs::rename(&partial, &path)?;
        Ok(SummaryFileDto { path: path.display().to_string(), class: m.class_id, pseudonym: m.pseudonym, kps, items })
    }

    /// Imports every `*.json` summary in `dir` into a class (teacher only).
    pub fn import_summaries(&mut self, class_id: &str, dir: &Path) -> Result<SummaryImportDto> {
        self.require_teacher()?;
        let class = self.store.db().class(class_id)?;
        let mut out = SummaryImportDto::default();
        let mut rows = Vec::new();
        for file in summary_files(dir)? {
            match read_summary(&file, std::slice::from_ref(&class)) {
                Ok((signed, sha256, body)) => rows.push(SummaryRow {
                    class_id: class.id.clone(),
                    pseudonym: signed.learner,
                    exported_at: signed.exported_at,
                    sha256,
                    body,
                }),
                Err(reason) => out.refused.push(refused(&file, reason)),
            }
        }
        let now = self.now();
        let outcomes =
            self.store.transact(|db| rows.iter().map(|r| db.store_summary(r, now)).collect::<Result<Vec<_>, _>>())?;
        for o in outcomes {
            match o {
                SummaryStored::New => out.new += 1,
                SummaryStored::Replaced => out.replaced += 1,
                SummaryStored::Unchanged => out.unchanged += 1,
            }
        }
        Ok(out)
    }

    /// The class view (teacher only): the class's learners on this install and its imported
    /// summaries, every number over at least 3 learners.
    pub fn class_report(&self, class_id: &str) -> Result<ClassReportDto> {
        self.require_teacher()?;
        let class = self.store.db().class(class_id)?;
        self.build_class_report(Some(class), None)
    }

    /// `crossway class report --db FILE [--summaries DIR]`: the same view for whoever holds the
    /// database file (which already holds every learner's records, so no PIN would protect
    /// anything here): one class by id, the only class, or — on an install without classes — its
    /// learners. Summaries in `dir` are checked against the install's classes and counted
    /// without being stored.
    pub fn class_report_of_file(&self, class_id: Option<&str>, dir: Option<&Path>) -> Result<ClassReportDto> {
        let classes = self.store.db().classes()?;
        let class = match class_id {
            Some(id) => Some(self.store.db().class(id)?),
            None if classes.len() > 1 => {
                let ids: Vec<&str> = classes.iter().map(|c| c.id.as_str()).collect();
                return Err(AppError::invalid(format!(
                    "this install keeps {} classes ({}): choose one with --class",
                    classes.len(),
                    ids.join(", ")
                )));
            }
            None => classes.into_iter().next(),
        };
        self.build_class_report(class, dir)
    }

    fn build_class_report(&self, class: Option<ClassRow>, dir: Option<&Path>) -> Result<ClassReportDto> {
        let started = Instant::now();
        let pack = self.active_pack()?.clone();
        if let Some(c) = class.as_ref().filter(|c| c.pack_id != pack.manifest.id) {
            return Err(AppError::invalid(format!(
                "class {} studies the pack {}, but the active pack is {}: install it first",
                c.id, c.pack_id, pack.manifest.id
            )));
        }
        let mut learners = Vec::new();
        let mut refused_files = Vec::new();
        // Learners on this install: all of them on a lab install (or without a class), else those
        // who joined the class here.
        let mut local_pseudonyms = HashSet::new();
        for l in self.store.db().learners()? {
            let member = match &class {
                Some(c) => self.store.db().memberships(l.id)?.into_iter().find(|m| m.class_id == c.id),
                None => None,
            };
            if class.as_ref().is_none_or(|c| c.local_learners) || member.is_some() {
                if let Some(m) = member {
                    local_pseudonyms.insert(m.pseudonym);
                }
                learners.push(self.learner_summary(l.id)?);
            }
        }
        let local = learners.len();
        let mut imported: BTreeMap<String, LearnerSummary> = BTreeMap::new();
        if let Some(c) = &class {
            for s in self.store.db().summaries(&c.id)? {
                match serde_json::from_str::<Signed>(&s.body) {
                    Ok(signed) => {
                        imported.insert(s.pseudonym, signed.summary);
                    }
                    Err(e) => refused_files.push(RefusedFileDto {
                        file: format!("stored summary {}", s.pseudonym),
                        reason: format!("unreadable: {e}"),
                    }),
                }
            }
        }
        if let Some(dir) = dir {
            let classes = self.store.db().classes()?;
            for file in summary_files(dir)? {
                match read_summary(&file, &classes) {
                    Ok((signed, _, _)) if class.as_ref().is_some_and(|c| c.id == signed.class) => {
                        imported.insert(signed.learner, signed.summary);
                    }
                    Ok((signed, _, _)) => {
                        refused_files.push(refused(&file, format!("for class {}, not the one reported", signed.class)))
                    }
                    Err(reason) => refused_files.push(refused(&file, reason)),
                }
            }
        }
        imported.retain(|p, _| !local_pseudonyms.contains(p));
        let imported_n = imported.len();
        learners.extend(imported.into_values());

        let modules: Vec<(String, Vec<String>)> = pack
            .modules
            .iter()
            .map(|m| (m.id.clone(), pack.kps.iter().filter(|k| k.module == m.id).map(|k| k.id.clone()).collect()))
            .collect();
        let roles: Vec<crossway_core::Role> = match &class {
            Some(c) if !c.goal_roles.is_empty() => c.goal_roles.iter().filter_map(|r| pack.role(r).cloned()).collect(),
            // Without goal roles: the roles the learners chose.
            _ => {
                let chosen: HashSet<&str> = learners.iter().filter_map(|l| l.goal_role.as_deref()).collect();
                pack.roles.iter().filter(|r| chosen.contains(r.id.as_str())).cloned().collect()
            }
        };
        let now = self.now();
        let weeks: Vec<String> = (0..WEEKS).rev().map(|k| week_key(now - Duration::weeks(k))).collect();
        let mut report = class::report(&learners, &class::Scope { modules: &modules, roles: &roles, weeks: &weeks });
        report.items.retain(|i| pack.item_or_step(&i.item).is_some());

        let mut titles = BTreeMap::new();
        for m in &pack.modules {
            titles.insert(m.id.clone(), m.title.clone());
        }
        for k in &pack.kps {
            titles.insert(k.id.clone(), k.title.clone());
        }
        for r in &roles {
            titles.insert(r.id.clone(), r.title.clone());
        }
        let item_kp = report
            .items
            .iter()
            .filter_map(|i| pack.item_or_step(&i.item).map(|it| (i.item.clone(), it.kp.clone())))
            .collect();
        Ok(ClassReportDto {
            class_name: class.as_ref().map(|c| c.name.clone()),
            class: class.map(|c| c.id),
            pack: pack.manifest.id.clone(),
            local,
            imported: imported_n,
            report,
            titles,
            item_kp,
            refused: refused_files,
            ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

fn internal<T>(r: std::result::Result<T, serde_json::Error>) -> Result<T> {
    r.map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

/// The `*.json` files directly in `dir`, sorted.
fn summary_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: cannot read the folder ({e})", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and checks one summary file against the classes it may belong to; the reason on refusal.
/// Returns the signed part, the file's sha256 and the signed text to store.
fn read_summary(file: &Path, classes: &[ClassRow]) -> std::result::Result<(Signed, String, String), String> {
    let meta = std::fs::symlink_metadata(file).map_err(|e| format!("cannot read it ({e})"))?;
    if !meta.file_type().is_file() {
        return Err("not a plain file (a link, folder or device): copy the summary file itself".into());
    }
    if meta.len() > MAX_SUMMARY_BYTES {
        return Err(format!("{} bytes: larger than any class summary ({MAX_SUMMARY_BYTES} at most)", meta.len()));
    }
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read it ({e})"))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "not a Crossway class summary: not UTF-8 text".to_string())?;
    let outer: FileIn<'_> = serde_json::from_str(text).map_err(|e| format!("not a Crossway class summary: {e}"))?;
    if outer.format != SUMMARY_FORMAT {
        return Err(format!(
            "format {:?} is not one this Crossway reads ({SUMMARY_FORMAT}): update Crossway",
            outer.format
        ));
    }
    let signed: Signed = serde_json::from_str(outer.signed.get())
        .map_err(|e| format!("not a Crossway class summary: {e} (in \"signed\")"))?;
    let class = classes.iter().find(|c| c.id == signed.class).ok_or_else(|| {
        format!("for class {}, which this install does not keep: import it into that class's install", signed.class)
    })?;
    let mac = (0..outer.mac.len() / 2)
        .map(|i| outer.mac.get(2 * i..2 * i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .filter(|m| m.len() == 32)
        .ok_or("its signature is not 64 hex digits: the file was changed after it was exported")?;
    mac_of(&class.secret, outer.signed.get().as_bytes()).map_err(|e| e.message)?.verify_slice(&mac).map_err(|_| {
        "the signature does not match: the file was changed after it was exported, or made with another class code"
            .to_string()
    })?;
    if signed.pack != class.pack_id {
        return Err(format!("for the pack {}, but class {} studies {}", signed.pack, class.id, class.pack_id));
    }
    if !signed.learner.starts_with("p-") || signed.learner.len() != 18 {
        return Err(format!("the learner id {:?} is not a class pseudonym", signed.learner));
    }
    if let Some(problem) = signed.summary.problem() {
        return Err(problem);
    }
    let sha = hex(&Sha256::digest(&bytes));
    let body = outer.signed.get().to_string();
    Ok((signed, sha, body))
}
