//! Measures "ask the tutor" retrieval on the ask set (docs/quality.md, "Ask").
//!
//! ```text
//! cargo run --release -p crossway-app --example ask_eval [-- --misses]
//! ```
//! For both searches (FTS5 over words + Chinese bigrams, the shipped one; FTS5's trigram
//! tokenizer) and each language: the "covered" threshold fitted on `train`, and on `test` the
//! share of covered questions whose right KP is among the passages shown (and that are not
//! wrongly called uncovered), and the share of uncovered questions answered "not covered".
//! The shipped thresholds are `ask::COVERED_MIN_EN/ZH`. `--misses` lists the test questions
//! the shipped search gets wrong.

use std::path::Path;

use crossway_app::ask_set::{figures, fit_threshold, load_set, measure, AskRow, Search};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let misses = std::env::args().any(|a| a == "--misses");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pack = crossway_content::load_pack(&root.join("content-packs/cbec-core"))
        .into_result()
        .map_err(|e| format!("{e:?}"))?;
    let set = load_set().map_err(|e| e.message)?;
    println!("ask set: {} questions", set.len());
    println!("| search | lang | threshold (train) | right KP in top 3, test | \"not covered\", test | covered refused, test |");
    println!("|---|---|---|---|---|---|");
    for search in [Search::Bigram, Search::Trigram] {
        let started = std::time::Instant::now();
        let rows = measure(&pack, &set, search).map_err(|e| e.message)?;
        let per_q = started.elapsed().as_secs_f64() * 1000.0 / set.len() as f64;
        for lang in ["en", "zh-CN"] {
            let part = |split: &str| -> Vec<&AskRow> {
                rows.iter().filter(|r| r.question.lang == lang && r.question.split == split).collect()
            };
            let (train, test) = (part("train"), part("test"));
            let t = fit_threshold(train.iter().copied());
            let f = figures(test.iter().copied(), t);
            println!(
                "| {search:?} | {lang} | {t:.3} | {}/{} = {:.3} | {}/{} = {:.3} | {}/{} |",
                f.hits,
                f.covered,
                f.hit_rate(),
                f.refused,
                f.uncovered,
                f.refusal_rate(),
                f.wrongly_refused,
                f.covered
            );
            if misses && search == Search::Bigram {
                let shipped = crossway_app::ask_set::shipped_threshold(lang);
                for r in &test {
                    let says = r.best >= shipped;
                    if r.covered() != says || (r.covered() && !r.hit()) {
                        println!(
                            "    miss: {:?} want {:?} got {:?} best {:.3}",
                            r.question.text, r.question.kps, r.shown, r.best
                        );
                    }
                }
            }
        }
        eprintln!("{search:?}: {per_q:.2} ms per question (index built once, in memory)");
    }
    Ok(())
}
