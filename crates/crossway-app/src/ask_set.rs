//! The ask evaluation set (`data/ask/questions.toml`: learner-style questions with the KPs whose
//! lessons answer them, and questions the course does not cover) and its measurement: is the
//! right KP among the passages shown, is "not covered" said when it should be, and the coverage
//! threshold fitted on the `train` half. Used by `examples/ask_eval.rs` (docs/quality.md, "Ask")
//! and by the ask tests, which fail when retrieval falls below the recorded floors.

use std::path::PathBuf;

use crossway_content::Pack;
use crossway_store::{PassageHit, Store};
use serde::Deserialize;

use crate::ask::{find, index_pack, pick, SHOWN};
use crate::{AppError, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct AskQuestion {
    pub text: String,
    pub lang: String,
    /// Empty: the course does not cover it.
    pub kps: Vec<String>,
    pub split: String,
}

#[derive(Deserialize)]
struct File {
    questions: Vec<AskQuestion>,
}

pub fn set_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/ask/questions.toml")
}

/// The evaluation set.
pub fn load_set() -> Result<Vec<AskQuestion>> {
    let path = set_path();
    let text = std::fs::read_to_string(&path)?;
    let f: File = toml::from_str(&text).map_err(|e| AppError::invalid(format!("{}: {e}", path.display())))?;
    Ok(f.questions)
}

/// Which search to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// The shipped one: FTS5 over words and Chinese character bigrams.
    Bigram,
    /// FTS5's trigram tokenizer over the raw text.
    Trigram,
}

/// One question's result.
#[derive(Debug, Clone)]
pub struct AskRow {
    pub question: AskQuestion,
    /// The KPs of the passages shown, best first.
    pub shown: Vec<String>,
    /// The best shown passage's coverage (0 when nothing matched).
    pub best: f64,
}

impl AskRow {
    pub fn covered(&self) -> bool {
        !self.question.kps.is_empty()
    }

    /// A right KP is among the passages shown.
    pub fn hit(&self) -> bool {
        self.shown.iter().any(|k| self.question.kps.contains(k))
    }
}

/// Every question of `set` searched in `pack` (indexed in memory).
pub fn measure(pack: &Pack, set: &[AskQuestion], search: Search) -> Result<Vec<AskRow>> {
    let mut store = Store::open_in_memory()?;
    store.transact(|db| index_pack(db, pack, chrono::Utc::now()))?;
    let db = store.db();
    set.iter()
        .map(|q| {
            let hits: Vec<PassageHit> = match search {
                Search::Bigram => find(&db, pack, &q.text, &q.lang, None)?,
                // The same selection as the app's over the trigram index's candidates.
                Search::Trigram => {
                    pick(Vec::new(), db.search_passages_trigram(&pack.manifest.id, &q.lang, &q.text, SHOWN * 4)?, None)
                }
            };
            Ok(AskRow {
                question: q.clone(),
                shown: hits.iter().map(|h| h.kp_id.clone()).collect(),
                best: hits.iter().map(|h| h.kp_coverage).fold(0.0, f64::max),
            })
        })
        .collect()
}

/// Figures for one language and split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AskFigures {
    pub covered: usize,
    /// Covered questions with a right KP among the passages shown.
    pub hits: usize,
    pub uncovered: usize,
    /// Uncovered questions answered "not covered" at the threshold.
    pub refused: usize,
    /// Covered questions wrongly answered "not covered" at the threshold.
    pub wrongly_refused: usize,
}

impl AskFigures {
    pub fn hit_rate(&self) -> f64 {
        self.hits as f64 / self.covered.max(1) as f64
    }
    pub fn refusal_rate(&self) -> f64 {
        self.refused as f64 / self.uncovered.max(1) as f64
    }
}

pub fn figures<'a>(rows: impl IntoIterator<Item = &'a AskRow>, threshold: f64) -> AskFigures {
    let mut f = AskFigures { covered: 0, hits: 0, uncovered: 0, refused: 0, wrongly_refused: 0 };
    for r in rows {
        let says_covered = r.best >= threshold;
        if r.covered() {
            f.covered += 1;
            f.hits += usize::from(r.hit() && says_covered);
            f.wrongly_refused += usize::from(!says_covered);
        } else {
            f.uncovered += 1;
            f.refused += usize::from(!says_covered);
        }
    }
    f
}

/// The threshold that best separates covered from uncovered questions in `rows` (balanced
/// accuracy; the middle of the best interval, on a 0.01 grid).
pub fn fit_threshold<'a>(rows: impl IntoIterator<Item = &'a AskRow> + Clone) -> f64 {
    let mut best = (f64::MIN, Vec::new());
    for step in 1..100 {
        let t = step as f64 / 100.0;
        let f = figures(rows.clone(), t);
        let kept = 1.0 - f.wrongly_refused as f64 / f.covered.max(1) as f64;
        let score = (kept + f.refusal_rate()) / 2.0;
        if score > best.0 + 1e-12 {
            best = (score, vec![t]);
        } else if (score - best.0).abs() <= 1e-12 {
            best.1.push(t);
        }
    }
    let ts = best.1;
    (ts[0] + ts[ts.len() - 1]) / 2.0
}

/// The threshold the app ships for `lang`.
pub use crate::ask::covered_min as shipped_threshold;
