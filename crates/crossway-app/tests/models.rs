//! Importing a model with progress and cancel, on the real test model file.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crossway_app::{import_model_file, ErrorCode, ImportProgress};

fn test_model() -> std::path::PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.is_file(), "run `cargo xtask fetch-model test`");
    p
}

#[test]
fn an_import_reports_its_progress_to_the_last_byte_and_checks_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen: Vec<ImportProgress> = Vec::new();
    let r = import_model_file(dir.path(), &test_model(), &AtomicBool::new(false), &mut |p| seen.push(p)).unwrap();
    let total = std::fs::metadata(test_model()).unwrap().len();
    assert_eq!(r.bytes, total);
    assert_eq!(r.sha256, "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", "hashed while copying");
    assert_eq!(seen.first(), Some(&ImportProgress { copied: 0, total }));
    assert_eq!(seen.last(), Some(&ImportProgress { copied: total, total }));
    assert!(seen.windows(2).all(|w| w[0].copied < w[1].copied), "progress only moves forward");
    assert!(seen.len() as u64 >= total >> 20, "at least one report per MiB: {}", seen.len());
    let copy = dir.path().join("SmolLM2-135M-Instruct.Q4_1.gguf");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), total);
    assert_eq!(crossway_tutor::manifest::sha256_file(&copy).unwrap(), r.sha256);
}

#[test]
fn a_cancelled_import_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let mut reports = 0;
    let err = import_model_file(dir.path(), &test_model(), &cancel, &mut |p| {
        reports += 1;
        // The learner presses Cancel once 8 MiB are across.
        if p.copied >= 8 << 20 {
            cancel.store(true, Ordering::Relaxed);
        }
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(err.message.contains("nothing was copied"), "{}", err.message);
    assert!(reports > 8, "it was under way when cancelled");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "no model and no partial file: {left:?}");
}
