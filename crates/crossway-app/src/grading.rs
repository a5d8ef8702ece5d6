//! `crossway grade --batch`: grading free-text answers in bulk, with the on-device model or the
//! no-model fallback (rubric points by keyword overlap, the score from the calibrated lexical model
//! against the reference answer), in the JSON-lines shapes of the CLI contract (docs/cli.md).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crossway_tutor::keyword;
use crossway_tutor::lexical::Lang;
use crossway_tutor::llm::{LlmGrader, LlmVerdicts, PointReading, RubricPrompt};
use crossway_tutor::verdict::PointState;
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
    /// Graded example answers to the same question (optional): `{"text", "grade"}` with grade
    /// correct | partly_correct | contradictory | incorrect, or `{"text", "share"}` with the share
    /// of the marks in [0, 1].
    #[serde(default)]
    pub examples: Vec<ExampleInput>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExampleInput {
    pub text: String,
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub share: Option<f64>,
}

impl ExampleInput {
    /// The grade names are the pack format's (`crossway_content::ExampleGrade::ALL`).
    fn to_example(&self) -> std::result::Result<crossway_tutor::examples::Example, String> {
        use crossway_content::ExampleGrade as Named;
        use crossway_tutor::examples::{Example, ExampleGrade as G};
        let grade = match (self.grade.as_deref(), self.share) {
            (Some(name), None) => match Named::ALL.iter().find(|(n, _)| *n == name) {
                Some(&(_, g)) => crate::practice::tutor_grade(g),
                None => {
                    let names: Vec<&str> = Named::ALL.iter().map(|(n, _)| *n).collect();
                    return Err(format!("example grade `{name}` is not one of {}", names.join(", ")));
                }
            },
            (None, Some(s)) if (0.0..=1.0).contains(&s) => G::Share(s),
            (None, Some(s)) => return Err(format!("example share {s} is not in [0, 1]")),
            _ => return Err("an example needs either `grade` or `share`".into()),
        };
        Ok(Example::new(self.text.clone(), grade))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeOutput {
    pub id: serde_json::Value,
    pub score: f64,
    pub max_score: f64,
    pub confidence: f64,
    pub abstained: bool,
    /// The score is at least half of `max_score` exactly when this is true: at least half of the
    /// rubric points met and none contradicted.
    pub passed: bool,
    /// The calibrated lexical estimate alone (× max_score), for evaluation.
    pub lexical_score: f64,
    pub met: Vec<String>,
    pub missed: Vec<String>,
    /// Rubric points the answer contradicts.
    pub contradicted: Vec<String>,
    pub feedback: String,
    pub ms: u128,
    /// `model:<file>` or `keyword`.
    pub grader: String,
    /// With a model: its raw probability that the answer states each rubric point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_met: Option<Vec<f64>>,
    /// With a model: its raw probability that the answer contradicts each rubric point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_contra: Option<Vec<f64>>,
}

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
    let model_name = model.and_then(|p| p.file_name()).map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let grader_name = model
        .and_then(|p| p.file_name())
        .map(|f| format!("model:{}", f.to_string_lossy()))
        .unwrap_or_else(|| keyword::METHOD.to_string());
    let mut n = 0;
    for line in crate::lines::numbered(input, "input") {
        let (line_no, line) = line?;
        let i = line_no - 1;
        if line.trim().is_empty() {
            continue;
        }
        let item: GradeInput =
            serde_json::from_str(&line).map_err(|e| AppError::invalid(format!("input line {}: {e}", i + 1)))?;
        if !(item.max_score.is_finite() && item.max_score > 0.0) {
            return Err(AppError::invalid(format!("input line {}: max_score must be a positive number", i + 1)));
        }
        let examples = item
            .examples
            .iter()
            .map(ExampleInput::to_example)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| AppError::invalid(format!("input line {}: {e}", i + 1)))?;
        let started = Instant::now();
        // Without a rubric (e.g. SemEval lines) the answer is one point, "says what the reference
        // says", and its verdict is the lexical estimate's; with one, the app's rule.
        let whole_answer = item.rubric.as_ref().is_none_or(|r| r.is_empty());
        let points: Vec<String> = match &item.rubric {
            Some(r) if !r.is_empty() => r.clone(),
            _ => vec![format!("Says what the reference answer says: {}", item.reference_answer)],
        };
        let lang = item.lang.clone().unwrap_or_else(|| crate::practice::answer_locale(&item.question).to_string());
        let refs: Vec<&str> = points.iter().map(String::as_str).collect();
        // The calibrated lexical estimate against the reference answer and the examples.
        let g = keyword::grade_with_reference(
            &refs,
            Some(&item.question),
            &[item.reference_answer.as_str()],
            &examples,
            &item.answer,
            Lang::from_tag(&lang),
        );
        let readings: Option<LlmVerdicts> = match (&grader, ctx.as_mut()) {
            (Some(g), Some(ctx)) => {
                let prompt = RubricPrompt {
                    question: &item.question,
                    reference: &item.reference_answer,
                    answer: &item.answer,
                    rubric: &refs,
                    lang: &lang,
                };
                Some(
                    g.grade(ctx, &mut cache, &prompt, |_, _| {})
                        .map_err(|e| AppError::new(ErrorCode::Internal, format!("input line {}: {e}", i + 1)))?,
                )
            }
            _ => None,
        };
        let reading_list: Option<Vec<PointReading>> =
            readings.as_ref().map(|v| PointReading::zip(&v.p_met, &v.p_contra));
        let (score, abstained, states): (f64, bool, Vec<PointState>) = if whole_answer {
            let state = if g.score >= 0.5 { PointState::Met } else { PointState::Missing };
            (g.score, g.abstained, vec![state])
        } else {
            let c = crossway_tutor::calibrated::grade(
                &refs,
                &item.answer,
                (g.score, g.abstained),
                reading_list.as_deref().map(|r| (model_name.as_str(), r)),
                &lang,
            );
            (c.score, c.needs_review, c.points.iter().map(|p| p.state).collect())
        };
        let pick = |want: PointState| -> Vec<String> {
            points.iter().zip(&states).filter(|(_, s)| **s == want).map(|(t, _)| t.clone()).collect()
        };
        let (met, missed, contradicted) =
            (pick(PointState::Met), pick(PointState::Missing), pick(PointState::Contradicted));
        let feedback = feedback_text(&lang, &met, &missed, &contradicted);
        let out = GradeOutput {
            id: item.id,
            score: item.max_score * score,
            max_score: item.max_score,
            confidence: g.confidence,
            abstained,
            passed: score >= 0.5,
            lexical_score: item.max_score * g.score,
            p_met: readings.as_ref().map(|v| v.p_met.clone()),
            p_contra: readings.as_ref().map(|v| v.p_contra.clone()),
            met,
            missed,
            contradicted,
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
fn feedback_text(lang: &str, met: &[String], missed: &[String], contradicted: &[String]) -> String {
    let zh = lang == "zh-CN";
    let clean = |v: &[String]| -> Vec<String> {
        v.iter().map(|p| p.trim().trim_end_matches(['.', '。']).to_string()).collect()
    };
    let (met, missed, contradicted) = (clean(met), clean(missed), clean(contradicted));
    let mut s = String::new();
    if !met.is_empty() {
        s.push_str(if zh { "已答到：" } else { "Covered: " });
        s.push_str(&met.join(if zh { "；" } else { "; " }));
        s.push_str(if zh { "。" } else { ". " });
    }
    if !missed.is_empty() {
        s.push_str(if zh { "还缺少：" } else { "Missing: " });
        s.push_str(&missed.join(if zh { "；" } else { "; " }));
        s.push_str(if zh { "。" } else { ". " });
    }
    if !contradicted.is_empty() {
        s.push_str(if zh { "与要点相矛盾：" } else { "Contradicts: " });
        s.push_str(&contradicted.join(if zh { "；" } else { "; " }));
        s.push_str(if zh { "。" } else { "." });
    }
    s.trim().to_string()
}
