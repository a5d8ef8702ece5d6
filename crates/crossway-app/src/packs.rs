//! Installing content packs: validate, copy into the data folder, record — or change nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossway_content::{diff_packs, load_pack, Pack};
use crossway_store::{FactChangeRow, InstalledPack};

use crate::{App, AppError, ChangelogDto, ErrorCode, FactUpdateDto, InstallDto, PackDto, Result};

/// `MAJOR.MINOR.PATCH` as numbers, for ordering (validation guarantees the shape).
fn version_key(v: &str) -> (u64, u64, u64) {
    let mut it = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0), it.next().unwrap_or(0))
}

pub(crate) fn pack_dto(p: &Pack) -> PackDto {
    PackDto {
        id: p.manifest.id.clone(),
        version: p.manifest.version.clone(),
        title: p.manifest.title.clone(),
        as_of: p.manifest.as_of.to_string(),
        knowledge_points: p.kps.len(),
        items: p.items.len(),
        simulations: p.simulations.len(),
        changelog: p
            .manifest
            .changelog
            .iter()
            .map(|c| crate::ChangelogDto {
                version: c.version.clone(),
                date: c.date.to_string(),
                notes: c.notes.clone(),
            })
            .collect(),
    }
}

/// Loads a pack, turning diagnostics into one `pack_invalid` error that lists them all.
pub(crate) fn load_valid(dir: &Path) -> Result<Pack> {
    load_pack(dir).into_result().map_err(|diags| {
        let details: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        AppError {
            code: ErrorCode::PackInvalid,
            message: format!(
                "the content pack in {} has {} problem(s); nothing was installed",
                dir.display(),
                details.len()
            ),
            details,
        }
    })
}

impl App {
    /// `pack`, unless it is older than the installed version of the same pack.
    fn newer_than_installed(&self, pack: Pack) -> Result<Pack> {
        if let Some(prev) = self.packs.iter().find(|p| p.manifest.id == pack.manifest.id) {
            if version_key(&pack.manifest.version) < version_key(&prev.manifest.version) {
                return Err(AppError::invalid(format!(
                    "pack `{}` {} is older than the installed version {}; nothing was installed",
                    pack.manifest.id, pack.manifest.version, prev.manifest.version
                )));
            }
        }
        Ok(pack)
    }

    pub(crate) fn load_installed_packs(&mut self) -> Result<()> {
        let mut packs = Vec::new();
        for row in self.store.db().installed_packs()? {
            let pack = load_valid(Path::new(&row.dir)).map_err(|mut e| {
                e.message = format!("installed pack `{}` {} is damaged: {}", row.id, row.version, e.message);
                e
            })?;
            packs.push(Arc::new(pack));
        }
        self.packs = packs;
        Ok(())
    }

    /// Validates the pack in `dir` and installs a copy of it. A pack with any problem changes
    /// nothing; the error lists every problem as `path:line: message`.
    pub fn install_pack(&mut self, dir: &Path) -> Result<PackDto> {
        Ok(self.install_pack_with_changes(dir)?.pack)
    }

    /// Installs a pack like [`App::install_pack`] and reports what changed since the installed
    /// version: the changelog entries in between and the diff. Facts that changed are recorded so
    /// the path can schedule refresh reviews; progress is kept because it is keyed by stable ids.
    pub fn install_pack_with_changes(&mut self, dir: &Path) -> Result<InstallDto> {
        self.require_teacher_if_any()?;
        // Copy first, then validate the copy — once, and exactly the bytes that get installed —
        // reporting problems at the source's paths; a failure leaves nothing behind.
        let all_packs = self.config.data_dir.join("packs");
        fs::create_dir_all(&all_packs)?;
        let staging = all_packs.join(format!(".staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        let validated = match copy_pack_files(dir, &staging) {
            Ok(true) => load_valid(&staging).map_err(|e| at_source(e, &staging, dir)),
            // A link, special or oversized file was not copied: the source's own validation says
            // where and why (and if it passes — the file is not part of the pack — the copy is checked).
            Ok(false) => load_valid(dir).and_then(|_| load_valid(&staging).map_err(|e| at_source(e, &staging, dir))),
            Err(e) => Err(e),
        };
        let installed = match validated.and_then(|pack| self.newer_than_installed(pack)) {
            Ok(p) => p,
            Err(e) => {
                let _ = fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let previous = self.packs.iter().find(|p| p.manifest.id == installed.manifest.id).cloned();
        let diff = previous.as_ref().map(|prev| diff_packs(prev, &installed));
        let packs_dir = all_packs.join(&installed.manifest.id);
        if let Err(e) = fs::create_dir_all(&packs_dir) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e.into());
        }
        let dest = packs_dir.join(&installed.manifest.version);
        let old = packs_dir.join(format!(".old-{}", std::process::id()));
        let had_old = dest.exists();
        if had_old {
            fs::rename(&dest, &old)?;
        }
        fs::rename(&staging, &dest)?;
        let installed = Pack { root: dest.clone(), ..installed };
        let row = InstalledPack {
            id: installed.manifest.id.clone(),
            version: installed.manifest.version.clone(),
            title_en: installed.manifest.title.en.clone(),
            title_zh: installed.manifest.title.zh_cn.clone(),
            as_of: installed.manifest.as_of.to_string(),
            dir: dest.display().to_string(),
            installed_at: self.now(),
        };
        let now = self.now();
        let fact_rows: Vec<FactChangeRow> = diff
            .iter()
            .flat_map(|d| {
                // A changed or added fact is recorded for its home KP and every KP that shows it.
                // A re-checked one says the same as before, a removed one is nothing to relearn.
                d.facts_changed.iter().filter(|f| matches!(f.change.as_str(), "changed" | "added")).flat_map(move |f| {
                    std::iter::once(&f.kp).chain(&f.shown_in).map(move |kp| FactChangeRow {
                        pack_id: d.new.id.clone(),
                        from_version: d.old.version.clone(),
                        to_version: d.new.version.clone(),
                        kp_id: kp.clone(),
                        fact_id: f.fact.clone(),
                        change: f.change.clone(),
                        old_as_of: f.old_as_of.clone(),
                        new_as_of: f.new_as_of.clone(),
                        recorded_at: now,
                    })
                })
            })
            .collect();
        let written = self.store.transact(|db| -> crate::Result<()> {
            db.put_installed_pack(&row)?;
            for f in &fact_rows {
                db.record_fact_change(f)?;
            }
            crate::ask::index_pack(db, &installed, now)?;
            Ok(())
        });
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&dest);
            if had_old {
                let _ = fs::rename(&old, &dest);
            }
            return Err(e);
        }
        let _ = fs::remove_dir_all(&old);
        let dto = pack_dto(&installed);
        let since = previous.as_ref().map(|p| version_key(&p.manifest.version));
        let changelog = installed
            .manifest
            .changelog
            .iter()
            .filter(|c| since.is_none_or(|v| version_key(&c.version) > v))
            .map(|c| ChangelogDto { version: c.version.clone(), date: c.date.to_string(), notes: c.notes.clone() })
            .collect();
        self.packs.retain(|p| p.manifest.id != installed.manifest.id);
        self.packs.push(Arc::new(installed));
        self.packs.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        Ok(InstallDto { pack: dto, previous_version: previous.map(|p| p.manifest.version.clone()), changelog, diff })
    }

    /// Facts that changed in a pack update, on knowledge points this learner had already learned
    /// (mastery at or above level 1): the "industry update" notice and refresh reviews use it.
    pub fn industry_updates(&self, learner_id: i64) -> Result<Vec<FactUpdateDto>> {
        self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?;
        let mastery = self.mastery_map(learner_id)?;
        let learned = crossway_core::Level(1).mastery_threshold();
        let mut out = Vec::new();
        for c in self.store.db().fact_changes(&pack.manifest.id)? {
            let Some(m) = mastery.get(&c.kp_id) else { continue };
            // Learned means practised and mastered; a high prior alone is not something they learned.
            if m.attempts == 0 || m.p < learned {
                continue;
            }
            let kp = pack.kp(&c.kp_id);
            out.push(FactUpdateDto {
                kp: c.kp_id.clone(),
                kp_title: kp.map(|k| k.title.clone()).unwrap_or_default(),
                fact: pack.fact(&c.fact_id).map(|(_, f)| f.text.clone()),
                change: c.change,
                from_version: c.from_version,
                to_version: c.to_version,
                old_as_of: c.old_as_of,
                new_as_of: c.new_as_of,
                mastery: m.p,
            });
        }
        Ok(out)
    }
}

/// Copies the pack's own files (manifest, lessons, items, simulations), nothing else. Returns
/// `false` when it met something it does not copy — a symbolic link, a device or pipe, a file
/// larger than a pack file may be — so the caller can let validation of the source say why.
fn copy_pack_files(from: &Path, to: &Path) -> Result<bool> {
    fs::create_dir_all(to)?;
    let manifest = from.join("pack.toml");
    if crossway_content::plain_file(&manifest).is_err() {
        return Ok(false);
    }
    fs::copy(&manifest, to.join("pack.toml"))?;
    let mut clean = true;
    for sub in ["kps", "items", "simulations"] {
        let src: PathBuf = from.join(sub);
        match fs::symlink_metadata(&src) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                clean = false;
                continue;
            }
            Err(_) => continue,
        }
        let dst = to.join(sub);
        fs::create_dir_all(&dst)?;
        for entry in fs::read_dir(&src)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                continue;
            }
            if crossway_content::plain_file(&entry.path()).is_ok() {
                fs::copy(entry.path(), dst.join(entry.file_name()))?;
            } else {
                clean = false;
            }
        }
    }
    Ok(clean)
}

/// An error about the staging copy, said about the folder the learner chose.
fn at_source(mut e: AppError, staging: &Path, source: &Path) -> AppError {
    let (from, to) = (staging.display().to_string(), source.display().to_string());
    e.message = e.message.replace(&from, &to);
    for d in &mut e.details {
        *d = d.replace(&from, &to);
    }
    e
}
