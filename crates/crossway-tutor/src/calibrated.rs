//! The shipped calibrations in use: which one applies to a model and language, and grading an
//! answer with it — the one grading rule of the app and `crossway grade`.

pub use crate::point_calibration::{calibration_for, CALIBRATIONS};
use crate::verdict::{self, Calibration};

/// The calibration that applies: the model's (by [`verdict::model_key`]) or the no-model one, in `lang`.
/// `None` for a model Crossway has no calibration for (its raw readings are used against 0.5)
/// or when nothing was fitted for the language.
pub fn calibration(model: Option<&str>, lang: &str) -> Option<&'static Calibration> {
    let lang = if lang.starts_with("zh") { "zh-CN" } else { "en" };
    match model {
        None => calibration_for("none", lang),
        Some(name) => verdict::model_key(name).and_then(|k| calibration_for(k, lang)),
    }
}

/// Grades an answer's rubric points and combines them ([`verdict::combine`]): the one grading rule of the
/// app and `crossway grade`. `model` is the model's name (file or manifest name) with its
/// readings, one per point; `lexical` the answer's lexical score and whether it abstained.
pub fn grade(
    points: &[&str],
    answer: &str,
    lexical: (f64, bool),
    model: Option<(&str, &[crate::llm::PointReading])>,
    lang: &str,
) -> verdict::Combined {
    let readings = model.map(|(_, r)| r).filter(|r| r.len() == points.len());
    let cal = calibration(model.filter(|_| readings.is_some()).map(|(n, _)| n), lang);
    let verdicts =
        verdict::evidence(points, answer, lexical.0, readings).iter().map(|e| verdict::judge_point(cal, e)).collect();
    verdict::combine(verdicts, lexical.1)
}
