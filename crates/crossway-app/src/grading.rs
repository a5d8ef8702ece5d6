//! `crossway grade --batch`: grading free-text answers in bulk, with the on-device model or the
//! no-model fallback (rubric points by keyword overlap, the score from the calibrated lexical model
//! against the reference answer), in the JSON-lines shapes of the CLI contract (docs/cli.md).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crossway_tutor::keyword;
use crossway_tutor::lexical::Lang;
use crossway_tutor::llm::{LlmGrader, RubricPrompt};
use serde::{Deserialize, Serialize};

use crate::{AppError, ErrorCode, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct GradeInput {
    pub id: serde_json::Value,
    pub question: String,
    pub reference_answer: String,
    #[serde(default)]
    pub rubric: Option<Vec<String>>,
    pub answer: String,
    pub max_score: f64,
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeOutput {
    pub id: serde_json::Value,
    pub score: f64,
    pub max_score: f64,
    pub confidence: f64,
    pub abstained: bool,
    pub met: Vec<String>,
    pub missed: Vec<String>,
    pub feedback: String,
    pub ms: u128,
    /// `model:<file>` or `keyword`.
    pub grader: String,
}

/// Below this confidence a grade is marked abstained ("needs review"). Not yet calibrated on the
/// eval sets' train splits (tutor issue); chosen so that undecided points (p near 0.5) abstain.
pub const ABSTAIN_BELOW: f64 = 0.2;

/// The default model: `models/<file of the manifest's default>` under `CROSSWAY_MODELS_DIR` or the
/// source tree's `models/` folder.
pub fn default_model_path() -> Option<PathBuf> {
    let dir = std::env::var_os("CROSSWAY_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models"));
    let models = crossway_tutor::manifest::read_manifest(&dir.join("manifest.toml"))
        .or_else(|_| {
            crossway_tutor::manifest::read_manifest(
                &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/manifest.toml"),
            )
        })
        .ok()?;
    let m = models.into_iter().find(|m| m.role == "default")?;
    Some(dir.join(m.file))
}

/// Grades every line of `input` into `output`, one line out per line in, same order. A malformed
/// line is a user error naming its line number; nothing after it is graded.
pub fn grade_batch(input: impl BufRead, mut output: impl Write, model: Option<&Path>, threads: usize) -> Result<usize> {
    let grader = match model {
        Some(path) => {
            Some(LlmGrader::load(path, threads).map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?)
        }
        None => None,
    };
    let mut ctx = match &grader {
        Some(g) => Some(g.new_context().map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?),
        None => None,
    };
    let mut cache = Vec::new();
    let grader_name = model
        .and_then(|p| p.file_name())
        .map(|f| format!("model:{}", f.to_string_lossy()))
        .unwrap_or_else(|| keyword::METHOD.to_string());
    let mut n = 0;
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let item: GradeInput =
            serde_json::from_str(&line).map_err(|e| AppError::invalid(format!("input line {}: {e}", i + 1)))?;
        if !(item.max_score.is_finite() && item.max_score > 0.0) {
            return Err(AppError::invalid(format!("input line {}: max_score must be a positive number", i + 1)));
        }
        let started = Instant::now();
        let points: Vec<String> = match &item.rubric {
            Some(r) if !r.is_empty() => r.clone(),
            _ => vec![format!("Says what the reference answer says: {}", item.reference_answer)],
        };
        let lang = item.lang.clone().unwrap_or_else(|| crate::practice::answer_locale(&item.question).to_string());
        let refs: Vec<&str> = points.iter().map(String::as_str).collect();
        // Per-point probabilities, the confidence, whether to abstain, and (without a model) the
        // calibrated lexical score as a share of the marks, from one grading run.
        let (p_met, confidence, abstained, share): (Vec<f64>, f64, bool, Option<f64>) = match (&grader, ctx.as_mut()) {
            (Some(g), Some(ctx)) => {
                let prompt = RubricPrompt {
                    question: &item.question,
                    reference: &item.reference_answer,
                    answer: &item.answer,
                    rubric: &refs,
                    lang: &lang,
                };
                let p = g
                    .grade(ctx, &mut cache, &prompt, |_, _| {})
                    .map_err(|e| AppError::new(ErrorCode::Internal, format!("input line {}: {e}", i + 1)))?
                    .p_met;
                let c = p.iter().map(|x| (x - 0.5).abs() * 2.0).fold(1.0, f64::min);
                (p, c, c < ABSTAIN_BELOW, None)
            }
            _ => {
                // Rubric points met by keyword overlap; the score from the calibrated lexical model
                // against the reference answer (docs/quality.md).
                let g = keyword::grade_with_reference(
                    &refs,
                    Some(&item.question),
                    &[item.reference_answer.as_str()],
                    &item.answer,
                    Lang::from_tag(&lang),
                );
                (g.met.iter().map(|&m| if m { 1.0 } else { 0.0 }).collect(), g.confidence, g.abstained, Some(g.score))
            }
        };
        let (met, missed): (Vec<_>, Vec<_>) = points.iter().zip(&p_met).partition(|(_, p)| **p >= 0.5);
        let met: Vec<String> = met.into_iter().map(|(t, _)| t.clone()).collect();
        let missed: Vec<String> = missed.into_iter().map(|(t, _)| t.clone()).collect();
        let score = item.max_score * share.unwrap_or(met.len() as f64 / points.len() as f64);
        let feedback = feedback_text(&lang, &met, &missed);
        let out = GradeOutput {
            id: item.id,
            score,
            max_score: item.max_score,
            confidence,
            abstained,
            met,
            missed,
            feedback,
            ms: started.elapsed().as_millis(),
            grader: grader_name.clone(),
        };
        let text = serde_json::to_string(&out).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        writeln!(output, "{text}")?;
        n += 1;
    }
    output.flush()?;
    Ok(n)
}

/// Feedback built only from the rubric (never invented): what was covered and what is missing.
fn feedback_text(lang: &str, met: &[String], missed: &[String]) -> String {
    let zh = lang == "zh-CN";
    let clean = |v: &[String]| -> Vec<String> {
        v.iter().map(|p| p.trim().trim_end_matches(['.', '。']).to_string()).collect()
    };
    let (met, missed) = (clean(met), clean(missed));
    let mut s = String::new();
    if !met.is_empty() {
        s.push_str(if zh { "已答到：" } else { "Covered: " });
        s.push_str(&met.join(if zh { "；" } else { "; " }));
        s.push_str(if zh { "。" } else { ". " });
    }
    if !missed.is_empty() {
        s.push_str(if zh { "还缺少：" } else { "Missing: " });
        s.push_str(&missed.join(if zh { "；" } else { "; " }));
        s.push_str(if zh { "。" } else { "." });
    }
    s.trim().to_string()
}
