//! The per-point calibration's data side: the hand-labelled set ([`crossway_tutor::pointset`])
//! joined with the pack (question, reference, rubric, graded examples) into evidence rows, the
//! model's readings of them (run once per model through the app's own grading path and kept as
//! a fixture beside the set), the fit of every (model, language), the held-out report and the
//! generated `point_calibration.rs`. Used by `examples/fit_points.rs` and by the calibration test.

use std::collections::HashMap;
use std::path::Path;

use crossway_content::{ItemBody, Pack};
use crossway_tutor::llm::{LlmGrader, PointReading, RubricPrompt};
use crossway_tutor::pointset::LabelledAnswer;
use crossway_tutor::verdict::{self, Calibration, LabelledPoint, PointState};
use serde::{Deserialize, Serialize};

use crate::{AppError, Result};

/// One model's readings of the set: per answer id, the text it read and its readings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Readings {
    /// The model's calibration key ([`verdict::model_key`]).
    pub model: String,
    pub answers: HashMap<String, ReadAnswer>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReadAnswer {
    pub text: String,
    pub p_met: Vec<f64>,
    pub p_contra: Vec<f64>,
    pub ms: u64,
}

impl Readings {
    pub fn read(path: &Path) -> Result<Readings> {
        let text = std::fs::read_to_string(path).map_err(|e| AppError::invalid(format!("{}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| AppError::invalid(format!("{}: {e}", path.display())))
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        // Sorted keys: a stable file for review.
        let sorted: std::collections::BTreeMap<_, _> = self.answers.iter().collect();
        let v = serde_json::json!({ "model": self.model, "answers": sorted });
        let text = serde_json::to_string_pretty(&v).map_err(|e| AppError::invalid(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| AppError::invalid(format!("{}: {e}", path.display())))
    }

    /// The readings of `a`, if this model read exactly its text.
    pub fn of(&self, a: &LabelledAnswer) -> Option<Vec<PointReading>> {
        let r = self.answers.get(&a.id()).filter(|r| r.text == a.text && r.p_met.len() == a.labels.len())?;
        Some(PointReading::zip(&r.p_met, &r.p_contra))
    }
}

/// The item's question, reference and rubric points in `lang`.
fn item_texts<'p>(
    pack: &'p Pack,
    a: &LabelledAnswer,
) -> Result<(&'p crossway_content::Item, String, String, Vec<String>)> {
    let item = pack.item_or_step(&a.item).ok_or_else(|| AppError::not_found("item", &a.item))?;
    let ItemBody::FreeText { reference, rubric, .. } = &item.body else {
        return Err(AppError::invalid(format!("{}: {} is not a free-text item", a.id(), a.item)));
    };
    if rubric.len() != a.labels.len() {
        return Err(AppError::invalid(format!(
            "{}: {} labels for {} rubric points of {}",
            a.id(),
            a.labels.len(),
            rubric.len(),
            a.item
        )));
    }
    Ok((
        item,
        item.stem.get(&a.lang).to_string(),
        reference.get(&a.lang).to_string(),
        rubric.iter().map(|p| p.get(&a.lang).to_string()).collect(),
    ))
}

/// Reads every answer of `set` with the model, as the app does (the same prompt and prefix cache).
/// `on_answer` sees each answer's id after it is read (progress).
pub fn read_with_model(
    grader: &LlmGrader,
    model_key: &str,
    pack: &Pack,
    set: &[LabelledAnswer],
    mut on_answer: impl FnMut(&str),
) -> Result<Readings> {
    let mut ctx = grader.new_context().map_err(|e| AppError::invalid(e.to_string()))?;
    let mut cache = Vec::new();
    let mut out = Readings { model: model_key.to_string(), answers: HashMap::new() };
    for a in set {
        let (_, question, reference, points) = item_texts(pack, a)?;
        let rubric: Vec<&str> = points.iter().map(String::as_str).collect();
        let prompt = RubricPrompt {
            question: &question,
            reference: &reference,
            answer: &a.text,
            rubric: &rubric,
            lang: &a.lang,
        };
        let v = grader
            .grade(&mut ctx, &mut cache, &prompt, |_, _| {})
            .map_err(|e| AppError::invalid(format!("{}: {e}", a.id())))?;
        out.answers
            .insert(a.id(), ReadAnswer { text: a.text.clone(), p_met: v.p_met, p_contra: v.p_contra, ms: v.ms as u64 });
        on_answer(&a.id());
    }
    Ok(out)
}

/// The evidence rows of the set: every labelled point, with the model's readings if given (an
/// answer the model did not read is left out of a model's rows). Also each answer's lexical
/// abstention, by answer number.
pub fn rows(
    pack: &Pack,
    set: &[LabelledAnswer],
    readings: Option<&Readings>,
) -> Result<(Vec<LabelledPoint>, Vec<bool>)> {
    let mut out = Vec::new();
    let mut abstained = Vec::new();
    for (n, a) in set.iter().enumerate() {
        let (item, _, _, points) = item_texts(pack, a)?;
        let lexical = crate::practice::lexical_grade(item, &a.text, &a.lang);
        abstained.push(lexical.abstained);
        let r = match readings {
            Some(r) => match r.of(a) {
                Some(x) => Some(x),
                None => continue,
            },
            None => None,
        };
        let refs: Vec<&str> = points.iter().map(String::as_str).collect();
        for (k, e) in verdict::evidence(&refs, &a.text, lexical.score, r.as_deref()).into_iter().enumerate() {
            out.push(LabelledPoint {
                lang: a.lang.clone(),
                train: a.train,
                label: a.labels[k],
                evidence: e,
                kind: a.kind.clone(),
                answer: n,
            });
        }
    }
    Ok((out, abstained))
}

/// Fits (model, language) on the `train` rows.
pub fn fit(model: &'static str, rows: &[LabelledPoint]) -> Vec<Calibration> {
    ["en", "zh-CN"]
        .into_iter()
        .map(|lang| {
            let train: Vec<&LabelledPoint> = rows.iter().filter(|r| r.train && r.lang == lang).collect();
            verdict::fit_calibration(model, lang, &train)
        })
        .collect()
}

/// Held-out figures of one calibration.
#[derive(Debug, Clone, Serialize)]
pub struct HeldOut {
    pub model: String,
    pub lang: String,
    pub points: usize,
    /// Met vs not met, at the calibration's threshold.
    pub balanced_accuracy: f64,
    /// Of the calibrated P(met).
    pub ece: f64,
    /// Contradicted vs not, at its threshold: recall and precision.
    pub contra_recall: f64,
    pub contra_precision: f64,
    /// The three states right.
    pub state_accuracy: f64,
    /// Held-out answers of kind `contradicts`, and how many of them the combination passed.
    pub contradicting_answers: usize,
    pub contradicting_passed: usize,
    /// Answers whose pass/fail (by the labels: at least half met, none contradicted) the
    /// combination got right, of all held-out answers.
    pub answers: usize,
    pub answers_right: usize,
    pub needs_review: usize,
}

/// Reports `cal` on the held-out rows of its language.
pub fn held_out(cal: &Calibration, rows: &[LabelledPoint], abstained: &[bool]) -> HeldOut {
    held_out_with(Some(cal), cal.model, cal.lang, rows, abstained)
}

/// Reports `cal` — or, with `None`, the uncalibrated rule (a model's raw P("yes") against 0.5;
/// without a model, keyword coverage against 0.5, the fallback before the calibration) — on the
/// held-out rows of `lang`, labelled `model`.
pub fn held_out_with(
    cal: Option<&Calibration>,
    model: &str,
    lang: &str,
    rows: &[LabelledPoint],
    abstained: &[bool],
) -> HeldOut {
    let test: Vec<&LabelledPoint> = rows.iter().filter(|r| !r.train && r.lang == lang).collect();
    let judged: Vec<_> = test.iter().map(|r| verdict::judge_point(cal, &r.evidence)).collect();
    let met_truth: Vec<bool> = test.iter().map(|r| r.label == PointState::Met).collect();
    let met_pred: Vec<bool> = judged.iter().map(|v| v.state == PointState::Met).collect();
    let p_met: Vec<f64> = judged.iter().map(|v| v.p_met).collect();
    let contra_truth: Vec<bool> = test.iter().map(|r| r.label == PointState::Contradicted).collect();
    let contra_pred: Vec<bool> = judged.iter().map(|v| v.state == PointState::Contradicted).collect();
    let tp = contra_pred.iter().zip(&contra_truth).filter(|(p, t)| **p && **t).count() as f64;
    let ratio = |a: f64, b: usize| if b == 0 { 0.0 } else { a / b as f64 };
    // Answer level.
    let mut by_answer: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, r) in test.iter().enumerate() {
        by_answer.entry(r.answer).or_default().push(i);
    }
    let (mut answers, mut right, mut contra_n, mut contra_passed, mut review) = (0, 0, 0, 0, 0);
    for (answer, idx) in &by_answer {
        let c = verdict::combine(
            idx.iter().map(|&i| judged[i]).collect(),
            abstained.get(*answer).copied().unwrap_or(false),
        );
        let labels: Vec<PointState> = idx.iter().map(|&i| test[i].label).collect();
        let met = labels.iter().filter(|l| **l == PointState::Met).count();
        let truth = !labels.contains(&PointState::Contradicted) && 2 * met >= labels.len();
        answers += 1;
        right += usize::from(c.passed == truth);
        review += usize::from(c.needs_review);
        if test[idx[0]].kind == "contradicts" {
            contra_n += 1;
            contra_passed += usize::from(c.passed);
        }
    }
    HeldOut {
        model: model.to_string(),
        lang: lang.to_string(),
        points: test.len(),
        balanced_accuracy: verdict::balanced_accuracy(&met_pred, &met_truth),
        ece: verdict::ece(&p_met, &met_truth),
        contra_recall: ratio(tp, contra_truth.iter().filter(|&&t| t).count()),
        contra_precision: ratio(tp, contra_pred.iter().filter(|&&t| t).count()),
        state_accuracy: ratio(test.iter().zip(&judged).filter(|(r, v)| r.label == v.state).count() as f64, test.len()),
        contradicting_answers: contra_n,
        contradicting_passed: contra_passed,
        answers,
        answers_right: right,
        needs_review: review,
    }
}

/// The text of `point_calibration.rs` for `cals`.
pub fn generated_source(cals: &[Calibration]) -> String {
    let f = |x: f64| format!("{x:.6}");
    let logistic = |l: &verdict::Logistic| {
        format!(
            "Logistic {{ weights: [{}], bias: {} }}",
            l.weights.iter().map(|w| f(*w)).collect::<Vec<_>>().join(", "),
            f(l.bias)
        )
    };
    let mut s = String::from(
        "//! Generated by `cargo run -p crossway-app --example fit_points -- --write`; do not edit.\n\
         //! Fitted on the `train` part of crates/crossway-tutor/data/points/ (docs/quality.md).\n\n\
         use crate::verdict::{Calibration, Logistic};\n\n\
         /// Every fitted calibration.\n\
         pub static CALIBRATIONS: &[Calibration] = &[\n",
    );
    for c in cals {
        s.push_str(&format!(
            "    Calibration {{\n        model: {:?},\n        lang: {:?},\n        met: {},\n        met_at: {},\n        contra: {},\n        contra_at: {},\n        fitted_on: {},\n    }},\n",
            c.model,
            c.lang,
            logistic(&c.met),
            f(c.met_at),
            logistic(&c.contra),
            f(c.contra_at),
            c.fitted_on
        ));
    }
    s.push_str(
        "];\n\n\
         /// The calibration of `model` (`none` or a [`crate::verdict::model_key`]) in `lang`.\n\
         pub fn calibration_for(model: &str, lang: &str) -> Option<&'static Calibration> {\n    \
         CALIBRATIONS.iter().find(|c| c.model == model && c.lang == lang)\n}\n",
    );
    s
}

/// The readings fixture of a model key beside the set (`readings-<key>.json`).
pub fn readings_path(dir: &Path, key: &str) -> std::path::PathBuf {
    dir.join(format!("readings-{key}.json"))
}

/// The models whose readings are kept beside the set, in the order they are generated.
pub const READ_MODELS: [&str; 3] = ["qwen-0.5b", "qwen-1.5b", "smollm2-135m"];

/// Every calibration from the set and the readings found beside it: `none` always, each model
/// of [`READ_MODELS`] that has a readings file.
pub fn fit_everything(pack: &Pack, dir: &Path) -> Result<(Vec<Calibration>, Vec<HeldOut>)> {
    let set = crossway_tutor::pointset::load(dir).map_err(AppError::invalid)?;
    let mut cals = Vec::new();
    let mut reports = Vec::new();
    let (rows0, abstained) = rows(pack, &set, None)?;
    for lang in ["en", "zh-CN"] {
        reports.push(held_out_with(None, "none (uncalibrated: coverage ≥ 0.5)", lang, &rows0, &abstained));
    }
    for c in fit("none", &rows0) {
        reports.push(held_out(&c, &rows0, &abstained));
        cals.push(c);
    }
    for key in READ_MODELS {
        let path = readings_path(dir, key);
        if !path.is_file() {
            continue;
        }
        let r = Readings::read(&path)?;
        let (rows, abstained) = rows(pack, &set, Some(&r))?;
        for lang in ["en", "zh-CN"] {
            let label = format!("{key} (uncalibrated: P(yes) ≥ 0.5)");
            reports.push(held_out_with(None, &label, lang, &rows, &abstained));
        }
        for c in fit(key, &rows) {
            reports.push(held_out(&c, &rows, &abstained));
            cals.push(c);
        }
    }
    Ok((cals, reports))
}
