//! Model management in the app: importing a `.gguf` chosen by the user (a USB stick in a lab).

use std::path::Path;

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

impl App {
    /// Checks a model file (GGUF signature, CPU, memory) and copies it into the models folder,
    /// atomically; the checksum is computed and compared with the manifest.
    pub fn import_model(&mut self, source: &Path) -> Result<ImportedModelDto> {
        let bytes = crossway_tutor::llm::preflight(source)
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?;
        let name =
            source.file_name().map(|n| n.to_string_lossy().into_owned()).filter(|n| n.ends_with(".gguf")).ok_or_else(
                || AppError::invalid(format!("{}: a model file name must end in .gguf", source.display())),
            )?;
        let dir = &self.config.models_dir;
        std::fs::create_dir_all(dir)?;
        let target = dir.join(&name);
        let partial = dir.join(format!("{name}.importing"));
        std::fs::copy(source, &partial)?;
        let sha256 = crossway_tutor::manifest::sha256_file(&partial)?;
        let known = crossway_tutor::manifest::read_manifest(&dir.join("manifest.toml"))
            .unwrap_or_default()
            .into_iter()
            .find(|m| m.sha256 == sha256 && m.bytes == bytes);
        std::fs::rename(&partial, &target)?;
        if let Some(m) = &known {
            std::fs::write(dir.join(format!("{name}.verified")), &m.sha256)?;
        }
        Ok(ImportedModelDto { file: target.display().to_string(), bytes, sha256, known_as: known.map(|m| m.name) })
    }
}
