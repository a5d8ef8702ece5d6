//! Model management in the app: importing a `.gguf` chosen by the user (a USB stick in a lab).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::{App, AppError, ErrorCode, Result};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedModelDto {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// The manifest's name when the checksum matches a known model.
    pub known_as: Option<String>,
}

/// How far a model import has come: bytes copied (and hashed) of the file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportProgress {
    pub copied: u64,
    pub total: u64,
}

/// Checks a model file (GGUF header, CPU, memory) and copies it into `models_dir` in one pass
/// that also computes its sha256, reporting progress after every 1 MiB and stopping as soon as
/// `cancel` is set. The copy is written as `<name>.importing` and renamed only when complete, so
/// a cancelled, failed or killed import leaves no model file behind (and removes its partial).
/// Needs no `App`: the window runs it without holding the app lock for a gigabyte's copy.
pub fn import_model_file(
    models_dir: &Path,
    source: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportedModelDto> {
    let bytes =
        crossway_tutor::llm::preflight(source).map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".gguf"))
        .ok_or_else(|| AppError::invalid(format!("{}: a model file name must end in .gguf", source.display())))?;
    std::fs::create_dir_all(models_dir)?;
    let target = models_dir.join(&name);
    let partial = models_dir.join(format!("{name}.importing"));
    let copied = copy_hashing(source, &partial, bytes, cancel, progress);
    let sha256 = match copied {
        Ok(sha) => sha,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let known = crossway_tutor::manifest::read_manifest(&models_dir.join("manifest.toml"))
        .unwrap_or_default()
        .into_iter()
        .find(|m| m.sha256 == sha256 && m.bytes == bytes);
    std::fs::rename(&partial, &target)?;
    if let Some(m) = &known {
        std::fs::write(models_dir.join(format!("{name}.verified")), &m.sha256)?;
    }
    Ok(ImportedModelDto { file: target.display().to_string(), bytes, sha256, known_as: known.map(|m| m.name) })
}

fn copy_hashing(
    source: &Path,
    partial: &Path,
    total: u64,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<String> {
    use sha2::Digest;
    use std::io::{Read, Write};
    let mut from = std::fs::File::open(source)?;
    let mut to = std::fs::File::create(partial)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut copied = 0u64;
    progress(ImportProgress { copied, total });
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(AppError::new(ErrorCode::Cancelled, "the import was cancelled; nothing was copied"));
        }
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        to.write_all(&buf[..n])?;
        hasher.update(&buf[..n]);
        copied += n as u64;
        progress(ImportProgress { copied, total });
    }
    to.sync_all()?;
    if copied != total {
        return Err(AppError::new(
            ErrorCode::Io,
            format!("{}: the file changed while it was copied ({copied} of {total} bytes)", source.display()),
        ));
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

impl App {
    /// [`import_model_file`] into this app's models folder, without progress or cancel.
    pub fn import_model(&mut self, source: &Path) -> Result<ImportedModelDto> {
        import_model_file(&self.config.models_dir, source, &AtomicBool::new(false), &mut |_| {})
    }

    /// The folder models are imported into and loaded from.
    pub fn models_dir(&self) -> &Path {
        &self.config.models_dir
    }
}
