//! Installing content packs: validate, copy into the data folder, record — or change nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossway_content::{load_pack, Pack};
use crossway_store::InstalledPack;

use crate::{App, AppError, ErrorCode, PackDto, Result};

pub(crate) fn pack_dto(p: &Pack) -> PackDto {
    PackDto {
        id: p.manifest.id.clone(),
        version: p.manifest.version.clone(),
        title: p.manifest.title.clone(),
        as_of: p.manifest.as_of.to_string(),
        knowledge_points: p.kps.len(),
        items: p.items.len(),
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
        let pack = load_valid(dir)?;
        let packs_dir = self.config.data_dir.join("packs").join(&pack.manifest.id);
        fs::create_dir_all(&packs_dir)?;
        let dest = packs_dir.join(&pack.manifest.version);
        // Copy into a fresh folder first, then swap it in, so a failure leaves the old copy.
        let staging = packs_dir.join(format!(".staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        copy_pack_files(dir, &staging)?;
        let installed = load_valid(&staging)?;
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
        if let Err(e) = self.store.transact(|db| db.put_installed_pack(&row)) {
            let _ = fs::remove_dir_all(&dest);
            if had_old {
                let _ = fs::rename(&old, &dest);
            }
            return Err(e.into());
        }
        let _ = fs::remove_dir_all(&old);
        let dto = pack_dto(&installed);
        self.packs.retain(|p| p.manifest.id != installed.manifest.id);
        self.packs.push(Arc::new(installed));
        self.packs.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        Ok(dto)
    }
}

/// Copies the pack's own files (manifest, lessons, items), nothing else.
fn copy_pack_files(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    fs::copy(from.join("pack.toml"), to.join("pack.toml"))?;
    for sub in ["kps", "items"] {
        let src: PathBuf = from.join(sub);
        let dst = to.join(sub);
        fs::create_dir_all(&dst)?;
        for entry in fs::read_dir(&src)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                fs::copy(entry.path(), dst.join(entry.file_name()))?;
            }
        }
    }
    Ok(())
}
