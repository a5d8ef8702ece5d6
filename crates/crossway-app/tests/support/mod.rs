//! Test support shared by the crates' integration tests (the CLI's include it by path).

use std::path::{Path, PathBuf};

/// The frozen cbec-core 1.0.0 release, as learners who installed it have it: unpacked from
/// `tests/fixtures/cbec-core-1.0.0.tar.gz` (a `git archive` of the pack at its last 1.0.0 commit)
/// into `into`. Returns the pack folder.
pub fn release_1_0_0(into: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crossway-app/tests/fixtures/cbec-core-1.0.0.tar.gz");
    let file = std::fs::File::open(&fixture).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    tar::Archive::new(flate2::read::GzDecoder::new(file)).unpack(into).unwrap();
    into.join("cbec-core-1.0.0")
}
