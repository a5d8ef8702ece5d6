//! Fits and reports the per-point calibrations (docs/quality.md "Per-point set").
//!
//! ```text
//! cargo run --release -p crossway-app --example fit_points -- [--read MODEL.gguf] [--threads N] [--write]
//! ```
//! `--read` runs the model over the hand-labelled set through the app's grading prompt and keeps
//! its readings beside the set (`readings-<key>.json`, a fixture: the fit needs no model after).
//! Then every calibration is fitted on `train`, reported on the held-out items, and with `--write`
//! written to crates/crossway-tutor/src/point_calibration.rs.

use std::path::{Path, PathBuf};

use crossway_app::calibration;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pack = crossway_content::load_pack(&root.join("content-packs/cbec-core"))
        .into_result()
        .map_err(|e| format!("{e:?}"))?;
    let dir = crossway_tutor::pointset::default_dir();
    if let Some(model) = arg("--read") {
        let model = PathBuf::from(model);
        let name = model.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let key =
            crossway_tutor::verdict::model_key(&name).ok_or(format!("{name}: not a model Crossway calibrates"))?;
        let threads: usize = arg("--threads").and_then(|t| t.parse().ok()).unwrap_or(2);
        let grader = crossway_tutor::llm::LlmGrader::load(&model, threads).map_err(|e| e.to_string())?;
        let set = crossway_tutor::pointset::load(&dir)?;
        let started = std::time::Instant::now();
        let mut n = 0;
        let readings = calibration::read_with_model(&grader, key, &pack, &set, |id| {
            n += 1;
            if n % 20 == 0 {
                eprintln!("{n}/{} read ({id}), {:.0} s", set.len(), started.elapsed().as_secs_f64());
            }
        })
        .map_err(|e| e.to_string())?;
        let path = calibration::readings_path(&dir, key);
        readings.write(&path).map_err(|e| e.to_string())?;
        let mut ms: Vec<u64> = readings.answers.values().map(|r| r.ms).collect();
        ms.sort_unstable();
        eprintln!(
            "{}: {} answers, {:.0} s; per answer (all points, prefix cached per item) median {} ms",
            path.display(),
            ms.len(),
            started.elapsed().as_secs_f64(),
            ms.get(ms.len() / 2).copied().unwrap_or(0)
        );
    }
    let (cals, reports) = calibration::fit_everything(&pack, &dir).map_err(|e| e.to_string())?;
    println!("| model | lang | held-out points | balanced acc (met) | ECE | contradiction recall / precision | 3-state acc | answers pass/fail right | contradicting answers passed | needs review |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in &reports {
        println!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.2} / {:.2} | {:.3} | {}/{} | {}/{} | {} |",
            r.model,
            r.lang,
            r.points,
            r.balanced_accuracy,
            r.ece,
            r.contra_recall,
            r.contra_precision,
            r.state_accuracy,
            r.answers_right,
            r.answers,
            r.contradicting_passed,
            r.contradicting_answers,
            r.needs_review
        );
    }
    if args.iter().any(|a| a == "--write") {
        let path = root.join("crates/crossway-tutor/src/point_calibration.rs");
        std::fs::write(&path, calibration::generated_source(&cals)).map_err(|e| e.to_string())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
