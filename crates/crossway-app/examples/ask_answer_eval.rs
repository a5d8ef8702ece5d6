//! Measures the on-device model's answers to questions from the pack's passages (issue #15,
//! docs/quality.md "Ask — generated answers").
//!
//! ```text
//! cargo run --release -p crossway-app --example ask_answer_eval -- \
//!     [--model models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf] [--threads 2] [--limit N] [--dump answers.md]
//! ```
//! For every question of the ask set that the course covers (as the shipped retrieval decides),
//! the model writes its answer from the passages shown, exactly as the app asks it
//! (`answer_job` → `Tutor::answer` → `checks::answer::judge`). Prints per language the share
//! shown after the checks, the reasons for withholding, and the time to the first piece and to
//! the whole answer (median, p90). `--dump` writes every question, its passages' KPs, the raw
//! text and the verdict, for reading by hand.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crossway_app::ask_set::load_set;
use crossway_app::checks::answer::{check, judge};
use crossway_app::ExplainEvent;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn quantile(v: &mut [u64], q: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let model = arg("--model")
        .map(PathBuf::from)
        .or_else(crossway_app::default_model_path)
        .ok_or("no model: pass --model PATH")?;
    let threads: usize = arg("--threads").map_or(Ok(2), |t| t.parse()).map_err(|e| format!("--threads: {e}"))?;
    let limit: usize = arg("--limit").map_or(Ok(usize::MAX), |t| t.parse()).map_err(|e| format!("--limit: {e}"))?;
    let pack_dir = root.join("content-packs/cbec-core");
    let set = load_set().map_err(|e| e.message)?;
    let tutor = crossway_app::Tutor::start(model.clone(), threads).map_err(|e| e.to_string())?;
    println!("model {} · {threads} threads · ask set {} questions", model.display(), set.len());
    let mut dump = String::new();
    let mut rows: Vec<(String, Option<String>, u64, u64)> = Vec::new(); // lang, withheld, first, whole
    for q in set.iter().filter(|q| !q.kps.is_empty()).take(limit) {
        let a = crossway_app::ask_pack(&pack_dir, &q.text, None).map_err(|e| e.message)?;
        let Some(job) = crossway_app::answer_job(&a) else { continue };
        let started = Instant::now();
        let events = tutor.answer(job.clone()).map_err(|e| e.to_string())?;
        let mut first = None;
        let outcome = loop {
            match events.recv().map_err(|_| "the tutor stopped")? {
                ExplainEvent::Piece(_) => {
                    first.get_or_insert(started.elapsed().as_millis() as u64);
                }
                ExplainEvent::Done(t) => break Ok(t),
                ExplainEvent::Failed(e) => break Err(e),
            }
        };
        let whole = started.elapsed().as_millis() as u64;
        let raw = outcome.clone().unwrap_or_default();
        let v = judge(&job, outcome).map_err(|e| e.to_string())?;
        let withheld = v.withheld.map(|w| w.as_str().to_string());
        let c = check(&job, v.text.as_deref().unwrap_or(&raw));
        let _ = writeln!(
            dump,
            "## {} ({})\n\nKPs shown: {}\n\n> {}\n\n→ {} · unsupported {:.2} {:?} · invented {:?}\n",
            q.text,
            q.lang,
            a.passages.iter().map(|p| p.kp.as_str()).collect::<Vec<_>>().join(", "),
            raw.replace('\n', " "),
            withheld.as_deref().unwrap_or("shown"),
            c.unsupported_share,
            c.unsupported,
            c.invented
        );
        rows.push((q.lang.clone(), withheld, first.unwrap_or(whole), whole));
    }
    println!("| lang | answered | shown after the checks | withheld (reason: n) | first piece median / p90 | whole median / p90 |");
    println!("|---|---|---|---|---|---|");
    for lang in ["en", "zh-CN"] {
        let part: Vec<_> = rows.iter().filter(|r| r.0 == lang).collect();
        let shown = part.iter().filter(|r| r.1.is_none()).count();
        let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
        for r in &part {
            if let Some(w) = &r.1 {
                *reasons.entry(w.as_str()).or_default() += 1;
            }
        }
        let mut first: Vec<u64> = part.iter().map(|r| r.2).collect();
        let mut whole: Vec<u64> = part.iter().map(|r| r.3).collect();
        println!(
            "| {lang} | {} | {shown} ({:.0}%) | {} | {} / {} ms | {} / {} ms |",
            part.len(),
            100.0 * shown as f64 / part.len().max(1) as f64,
            reasons.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", "),
            quantile(&mut first, 0.5),
            quantile(&mut first, 0.9),
            quantile(&mut whole, 0.5),
            quantile(&mut whole, 0.9)
        );
    }
    if let Some(path) = arg("--dump") {
        std::fs::write(&path, dump).map_err(|e| format!("{path}: {e}"))?;
        println!("answers written to {path}");
    }
    Ok(())
}
