//! Delta updates: a small folder that turns an installed pack version into the next one, for
//! distributing fact corrections without re-shipping the whole pack (e.g. a teacher's USB stick).
//!
//! ```text
//! cbec-core-1.1.0/
//!   update.toml      base, base_version, version, as_of, changelog entry
//!   kps/*.md         knowledge-point files that replace (or add to) the base's
//!   items/*.toml     item files that replace (or add to) the base's
//! ```
//! [`materialize_update`] writes the full new pack; it is then validated and installed like any
//! other pack.

use std::fs;
use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateManifest {
    base: String,
    base_version: String,
    version: String,
    as_of: String,
    changelog: toml::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{path}: {message}")]
    Bad { path: String, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn bad(path: &Path, message: impl Into<String>) -> UpdateError {
    UpdateError::Bad { path: path.display().to_string(), message: message.into() }
}

/// Writes `base` with `update` applied into `out` (which must not exist yet).
pub fn materialize_update(base: &Path, update: &Path, out: &Path) -> Result<(), UpdateError> {
    let um_path = update.join("update.toml");
    let um: UpdateManifest = toml::from_str(&fs::read_to_string(&um_path)?).map_err(|e| bad(&um_path, e.message()))?;
    let base_manifest_path = base.join("pack.toml");
    let mut manifest: toml::Table =
        toml::from_str(&fs::read_to_string(&base_manifest_path)?).map_err(|e| bad(&base_manifest_path, e.message()))?;
    let field = |m: &toml::Table, k: &str| m.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    if field(&manifest, "id") != um.base || field(&manifest, "version") != um.base_version {
        return Err(bad(
            &um_path,
            format!(
                "this update applies to {} {}, but the base is {} {}",
                um.base,
                um.base_version,
                field(&manifest, "id"),
                field(&manifest, "version")
            ),
        ));
    }
    copy_tree(base, out)?;
    for sub in ["kps", "items", "simulations"] {
        let dir = update.join(sub);
        if dir.is_dir() {
            fs::create_dir_all(out.join(sub))?;
            for e in fs::read_dir(&dir)? {
                let e = e?;
                if e.file_type()?.is_file() {
                    fs::copy(e.path(), out.join(sub).join(e.file_name()))?;
                }
            }
        }
    }
    manifest.insert("version".into(), toml::Value::String(um.version));
    manifest.insert("as_of".into(), toml::Value::String(um.as_of));
    if let Some(toml::Value::Array(log)) = manifest.get_mut("changelog") {
        log.push(um.changelog);
    }
    let text = toml::to_string(&manifest).map_err(|e| bad(&base_manifest_path, e.to_string()))?;
    fs::write(out.join("pack.toml"), text)?;
    Ok(())
}

/// Copies a folder and everything under it (a pack, its update, a test's working copy).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}
