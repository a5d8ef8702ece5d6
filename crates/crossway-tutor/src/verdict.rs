//! From evidence to the grade a learner sees: per rubric point a calibrated probability and a
//! state (met / missing / contradicted), and for the answer one score that agrees with them.
//!
//! This is where the tutor's judgement lives (not in the app): what a model's raw reading of a
//! point means, per model and language, and how points and the lexical estimate make one grade.
//!
//! - [`PointEvidence`]: what is known about one point: its keyword coverage in the answer, a
//!   negation conflict between the point and the answer's closest sentence, the answer's lexical
//!   score against the reference, and — with a model — its raw three-way reading
//!   ([`crate::llm::PointReading`]).
//! - [`Calibration`]: two logistic models per (model, language) — P(met) and P(contradicted) —
//!   and the threshold for "met", fitted by `cargo run -p crossway-app --example fit_points` on the
//!   `train` part of the hand-labelled per-point set (`crates/crossway-tutor/data/points/`) and
//!   generated into `point_calibration.rs`. Reported on the held-out part in docs/quality.md.
//!   The shipped ones are looked up, and answers graded with them, in [`crate::calibrated`]
//!   (which depends on this module and on the generated table, so neither depends on the other).
//! - [`combine`]: the grade. The score is the mean of the points' calibrated P(met) (a
//!   contradicted point counts 0), kept inside the band the verdicts allow: with k of n points
//!   met it lies within half a point of k/n, it is at least 0.5 exactly when the answer passes —
//!   at least half of the points met and none contradicted — and below 0.5 otherwise. So a learner
//!   never sees "✗ 31%" beside two of three points met, nor "passed" with a contradiction.

use serde::Serialize;

/// The features of one point, in the order the calibration's weights use.
pub const N_POINT_FEATURES: usize = 8;

/// Feature names (docs/quality.md).
pub const POINT_FEATURE_NAMES: [&str; N_POINT_FEATURES] = [
    "model.logit_met",         // logit of the model's P("yes"); 0 without a model
    "model.logit_contra",      // logit of the model's P("wrong"); 0 without a model
    "point.coverage",          // share of the point's keyword tokens found in the answer
    "point.best_sentence",     // the same against the answer's best-matching sentence
    "point.negation_conflict", // the best sentence and the point disagree in negation (1 / 0)
    "point.number_conflict",   // the best sentence has another number than the point's (1 / 0)
    "point.opposite_conflict", // the best sentence says the opposite word (buyer/seller …) (1 / 0)
    "answer.logit_lexical",    // logit of the answer's lexical score against the reference
];

/// A point's state as the learner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointState {
    Met,
    Missing,
    Contradicted,
}

impl PointState {
    pub fn as_str(self) -> &'static str {
        match self {
            PointState::Met => "met",
            PointState::Missing => "missing",
            PointState::Contradicted => "contradicted",
        }
    }

    pub fn parse(s: &str) -> Option<PointState> {
        match s {
            "met" => Some(PointState::Met),
            "missing" => Some(PointState::Missing),
            "contradicted" => Some(PointState::Contradicted),
            _ => None,
        }
    }
}

/// What is known about one rubric point of one answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointEvidence {
    pub coverage: f64,
    pub best_sentence: f64,
    pub negation_conflict: bool,
    pub number_conflict: bool,
    pub opposite_conflict: bool,
    /// The answer's lexical score (probability-like, [0, 1]).
    pub lexical: f64,
    /// The model's raw reading, if a model read the point.
    pub model: Option<crate::llm::PointReading>,
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-4, 1.0 - 1e-4);
    (p / (1.0 - p)).ln()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl PointEvidence {
    pub fn features(&self) -> [f64; N_POINT_FEATURES] {
        let (m, c) = self.model.map_or((0.0, 0.0), |r| (logit(r.met), logit(r.contra)));
        let flag = |b: bool| f64::from(u8::from(b));
        [
            m,
            c,
            self.coverage,
            self.best_sentence,
            flag(self.negation_conflict),
            flag(self.number_conflict),
            flag(self.opposite_conflict),
            logit(self.lexical),
        ]
    }
}

/// A logistic model over the point features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic {
    pub weights: [f64; N_POINT_FEATURES],
    pub bias: f64,
}

impl Logistic {
    pub fn predict(&self, x: &[f64; N_POINT_FEATURES]) -> f64 {
        sigmoid(self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + self.bias)
    }
}

/// The calibration of one (model, language): fitted, never hand-set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// `none` (the no-model fallback) or the model's key ([`model_key`]).
    pub model: &'static str,
    /// `en` or `zh-CN`.
    pub lang: &'static str,
    pub met: Logistic,
    /// "Met" when the calibrated P(met) reaches this (chosen on `train` for balanced accuracy).
    pub met_at: f64,
    pub contra: Logistic,
    /// "Contradicted" when P(contradicted) reaches this (chosen on `train`).
    pub contra_at: f64,
    /// How many `train` judgements it was fitted on.
    pub fitted_on: usize,
}

/// The calibration key of a model file: which of the known models it is (`qwen-0.5b`,
/// `qwen-1.5b`, `smollm2-135m`), from its file or model name; `None` for any other model,
/// whose readings are then used uncalibrated.
pub fn model_key(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.contains("qwen2.5") && n.contains("1.5b") {
        Some("qwen-1.5b")
    } else if n.contains("qwen2.5") && n.contains("0.5b") {
        Some("qwen-0.5b")
    } else if n.contains("smollm2") && n.contains("135m") {
        Some("smollm2-135m")
    } else {
        None
    }
}

/// One point, judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PointVerdict {
    pub state: PointState,
    /// Calibrated P(met).
    pub p_met: f64,
    /// Calibrated P(contradicted).
    pub p_contra: f64,
    /// How far the deciding probability is from its threshold, in [0, 1] (0: on the fence).
    pub margin: f64,
}

/// Judges one point with `cal` (or, for an unknown model, its raw reading against 0.5).
pub fn judge_point(cal: Option<&Calibration>, e: &PointEvidence) -> PointVerdict {
    let (p_met, met_at, p_contra, contra_at) = match cal {
        Some(c) => {
            let x = e.features();
            (c.met.predict(&x), c.met_at, c.contra.predict(&x), c.contra_at)
        }
        None => {
            let r = e.model.unwrap_or(crate::llm::PointReading { met: e.coverage, contra: 0.0 });
            (r.met, 0.5, r.contra, 0.5)
        }
    };
    let distance = |p: f64, at: f64| if p >= at { (p - at) / (1.0 - at).max(1e-6) } else { (at - p) / at.max(1e-6) };
    if p_contra >= contra_at {
        PointVerdict { state: PointState::Contradicted, p_met, p_contra, margin: distance(p_contra, contra_at) }
    } else if p_met >= met_at {
        PointVerdict { state: PointState::Met, p_met, p_contra, margin: distance(p_met, met_at) }
    } else {
        PointVerdict { state: PointState::Missing, p_met, p_contra, margin: distance(p_met, met_at) }
    }
}

/// The answer's grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Combined {
    pub points: Vec<PointVerdict>,
    /// In [0, 1]; ≥ 0.5 exactly when `passed`.
    pub score: f64,
    pub passed: bool,
    /// The grade should get a human look: the lexical estimate abstained, or the pass/fail
    /// decision rests on a point within [`UNSURE_MARGIN`] of its threshold.
    pub needs_review: bool,
}

/// A point this close to its threshold (relative margin) is "unsure".
pub const UNSURE_MARGIN: f64 = 0.15;

/// Whether k of n points met, none contradicted, passes.
fn passes(met: usize, n: usize, contradicted: bool) -> bool {
    !contradicted && n > 0 && 2 * met >= n
}

/// The one grade: see the module documentation. `lexical_abstained` is the lexical estimate's own
/// abstention.
pub fn combine(points: Vec<PointVerdict>, lexical_abstained: bool) -> Combined {
    let n = points.len();
    let met = points.iter().filter(|p| p.state == PointState::Met).count();
    let contradicted = points.iter().any(|p| p.state == PointState::Contradicted);
    let passed = passes(met, n, contradicted);
    let mean = if n == 0 {
        0.0
    } else {
        points.iter().map(|p| if p.state == PointState::Contradicted { 0.0 } else { p.p_met }).sum::<f64>() / n as f64
    };
    let (k, nf) = (met as f64, n.max(1) as f64);
    let (mut lo, mut hi) = (((k - 0.5) / nf).max(0.0), ((k + 0.5) / nf).min(1.0));
    if passed {
        lo = lo.max(0.5);
    } else {
        hi = hi.min(0.49);
    }
    let score = if lo <= hi { mean.clamp(lo, hi) } else { hi };
    // Would flipping the least sure point change the decision?
    let pivotal = points.iter().any(|p| {
        if p.margin >= UNSURE_MARGIN {
            return false;
        }
        let (m, c) = match p.state {
            PointState::Met => (met - 1, contradicted),
            PointState::Missing => (met + 1, contradicted),
            PointState::Contradicted => {
                let others = points.iter().filter(|q| q.state == PointState::Contradicted).count() > 1;
                (met, others)
            }
        };
        passes(m, n, c) != passed
    });
    Combined { points, score, passed, needs_review: lexical_abstained || pivotal }
}

/// The evidence on each of `points` from the answer's words, with the lexical score `lexical`
/// and, when a model read them, its readings (one per point).
pub fn evidence(
    points: &[&str],
    answer: &str,
    lexical: f64,
    readings: Option<&[crate::llm::PointReading]>,
) -> Vec<PointEvidence> {
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let w = crate::keyword::point_evidence(p, answer);
            PointEvidence {
                coverage: w.coverage,
                best_sentence: w.best_sentence,
                negation_conflict: w.negation_conflict,
                number_conflict: w.number_conflict,
                opposite_conflict: w.opposite_conflict,
                lexical,
                model: readings.and_then(|r| r.get(i).copied()),
            }
        })
        .collect()
}

/// A labelled judgement with its evidence: one row of the per-point set.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPoint {
    pub lang: String,
    pub train: bool,
    pub label: PointState,
    pub evidence: PointEvidence,
    /// The answer's kind in the set (`good`, `partial_most`, `contradicts`, …).
    pub kind: String,
    /// Which answer it belongs to (rows of one answer share it).
    pub answer: usize,
}

/// Fits a logistic regression by Newton's method with a small L2 penalty (not on the bias).
/// Deterministic: the same rows give the same weights.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
pub fn fit_logistic(
    xs: &[[f64; N_POINT_FEATURES]],
    ys: &[bool],
    l2: f64,
    use_features: &[bool; N_POINT_FEATURES],
) -> Logistic {
    const D: usize = N_POINT_FEATURES + 1;
    let mut w = [0.0f64; D];
    for _ in 0..50 {
        let mut grad = [0.0f64; D];
        let mut hess = [[0.0f64; D]; D];
        for (x, &y) in xs.iter().zip(ys) {
            let mut z = w[D - 1];
            for j in 0..N_POINT_FEATURES {
                if use_features[j] {
                    z += w[j] * x[j];
                }
            }
            let p = sigmoid(z);
            let r = p - f64::from(u8::from(y));
            let s = (p * (1.0 - p)).max(1e-9);
            let xe: Vec<f64> = (0..D)
                .map(|j| {
                    if j == D - 1 {
                        1.0
                    } else if use_features[j] {
                        x[j]
                    } else {
                        0.0
                    }
                })
                .collect();
            for a in 0..D {
                grad[a] += r * xe[a];
                for b in 0..D {
                    hess[a][b] += s * xe[a] * xe[b];
                }
            }
        }
        for j in 0..N_POINT_FEATURES {
            grad[j] += l2 * w[j];
            hess[j][j] += l2;
            if !use_features[j] {
                hess[j][j] += 1.0;
            }
        }
        let Some(step) = solve(hess, grad) else { break };
        let mut change = 0.0f64;
        for j in 0..D {
            w[j] -= step[j];
            change = change.max(step[j].abs());
        }
        if change < 1e-9 {
            break;
        }
    }
    let mut weights = [0.0; N_POINT_FEATURES];
    weights.copy_from_slice(&w[..N_POINT_FEATURES]);
    Logistic { weights, bias: w[D - 1] }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> Option<[f64; D]> {
    for col in 0..D {
        let pivot = (col..D).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..D {
            let f = a[row][col] / a[col][col];
            for k in col..D {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; D];
    for row in (0..D).rev() {
        let s: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// Balanced accuracy of `pred` against `truth`: the mean of the true-positive and true-negative
/// rates (0.5 when a class is absent).
pub fn balanced_accuracy(pred: &[bool], truth: &[bool]) -> f64 {
    let rate = |want: bool| {
        let n = truth.iter().filter(|&&t| t == want).count();
        if n == 0 {
            return 0.5;
        }
        pred.iter().zip(truth).filter(|(p, t)| **t == want && **p == want).count() as f64 / n as f64
    };
    (rate(true) + rate(false)) / 2.0
}

/// Expected calibration error over ten equal-width bins.
pub fn ece(p: &[f64], truth: &[bool]) -> f64 {
    let mut bins = [(0usize, 0.0f64, 0.0f64); 10];
    for (&p, &t) in p.iter().zip(truth) {
        let b = ((p * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += p;
        bins[b].2 += f64::from(u8::from(t));
    }
    let n = p.len().max(1) as f64;
    bins.iter().filter(|b| b.0 > 0).map(|b| (b.0 as f64 / n) * ((b.1 - b.2) / b.0 as f64).abs()).sum()
}

/// The threshold on `p` with the best balanced accuracy (ties: nearest 0.5), from a grid.
pub fn best_threshold(p: &[f64], truth: &[bool]) -> f64 {
    let mut best = (f64::NEG_INFINITY, 0.5);
    for k in 5..=95 {
        let at = k as f64 / 100.0;
        let pred: Vec<bool> = p.iter().map(|&x| x >= at).collect();
        let b = balanced_accuracy(&pred, truth);
        let better = b > best.0 + 1e-12 || ((b - best.0).abs() <= 1e-12 && (at - 0.5).abs() < (best.1 - 0.5f64).abs());
        if better {
            best = (b, at);
        }
    }
    best.1
}

/// Which features a calibration uses: the model's only when it has one.
pub fn features_used(with_model: bool) -> [bool; N_POINT_FEATURES] {
    [with_model, with_model, true, true, true, true, true, true]
}

/// Fits the calibration of one (model, language) on the `train` rows given.
pub fn fit_calibration(model: &'static str, lang: &'static str, rows: &[&LabelledPoint]) -> Calibration {
    let with_model = model != "none";
    let use_f = features_used(with_model);
    let xs: Vec<_> = rows.iter().map(|r| r.evidence.features()).collect();
    let met: Vec<bool> = rows.iter().map(|r| r.label == PointState::Met).collect();
    let contra: Vec<bool> = rows.iter().map(|r| r.label == PointState::Contradicted).collect();
    let met_model = fit_logistic(&xs, &met, 1.0, &use_f);
    let contra_model = fit_logistic(&xs, &contra, 1.0, &use_f);
    let p_met: Vec<f64> = xs.iter().map(|x| met_model.predict(x)).collect();
    let p_contra: Vec<f64> = xs.iter().map(|x| contra_model.predict(x)).collect();
    // A contradiction is the costly mistake both ways (a right answer failed, a wrong one
    // passed): its threshold is chosen for balanced accuracy like "met", but never below 0.3.
    let contra_at = best_threshold(&p_contra, &contra).max(0.3);
    Calibration {
        model,
        lang,
        met: met_model,
        met_at: best_threshold(&p_met, &met),
        contra: contra_model,
        contra_at,
        fitted_on: rows.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(state: PointState, p_met: f64, margin: f64) -> PointVerdict {
        PointVerdict { state, p_met, p_contra: 0.0, margin }
    }

    /// The consistency rule as a table: (states, p_met) → (passed, score band).
    #[test]
    fn the_score_always_agrees_with_the_points_beside_it() {
        use PointState::*;
        // (states, P(met), passes, lowest score, highest score)
        type Case<'a> = (&'a [PointState], &'a [f64], bool, f64, f64);
        let cases: &[Case] = &[
            // Two of three met but a low mean: still passes, at least 50%.
            (&[Met, Met, Missing], &[0.55, 0.6, 0.1], true, 0.5, 0.834),
            // One of three met with high probabilities elsewhere: fails, below 50%.
            (&[Met, Missing, Missing], &[0.99, 0.45, 0.45], false, 0.16, 0.49),
            // Everything met but one contradicted: fails.
            (&[Met, Met, Met, Contradicted], &[0.9, 0.9, 0.9, 0.9], false, 0.0, 0.49),
            // Half of four: passes.
            (&[Met, Met, Missing, Missing], &[0.7, 0.7, 0.2, 0.2], true, 0.5, 0.625),
            // Nothing met.
            (&[Missing, Missing], &[0.3, 0.2], false, 0.0, 0.25),
            // All met.
            (&[Met, Met], &[0.9, 0.95], true, 0.75, 1.0),
        ];
        for (states, p, passed, lo, hi) in cases {
            let pts = states.iter().zip(*p).map(|(&s, &p)| point(s, p, 1.0)).collect();
            let c = combine(pts, false);
            assert_eq!(c.passed, *passed, "{states:?}");
            assert!(
                c.score >= *lo - 1e-9 && c.score <= *hi + 1e-9,
                "{states:?}: score {} not in [{lo}, {hi}]",
                c.score
            );
            assert_eq!(c.score >= 0.5, c.passed, "{states:?}: score {}", c.score);
        }
    }

    #[test]
    fn a_pivotal_point_on_the_fence_asks_for_review_and_a_safe_one_does_not() {
        use PointState::*;
        // 2 of 4 met: the unsure met point decides the pass.
        let c = combine(
            vec![point(Met, 0.6, 0.05), point(Met, 0.9, 0.8), point(Missing, 0.1, 0.8), point(Missing, 0.1, 0.8)],
            false,
        );
        assert!(c.needs_review);
        // 3 of 4 met: one unsure point does not change the decision.
        let c = combine(
            vec![point(Met, 0.6, 0.05), point(Met, 0.9, 0.8), point(Met, 0.9, 0.8), point(Missing, 0.1, 0.8)],
            false,
        );
        assert!(!c.needs_review);
        assert!(combine(vec![point(Met, 0.9, 0.9)], true).needs_review, "the lexical abstention carries over");
    }

    #[test]
    fn logistic_fit_recovers_a_separating_direction() {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..200 {
            let v = (i as f64 - 100.0) / 25.0;
            let mut x = [0.0; N_POINT_FEATURES];
            x[2] = v;
            x[3] = ((i * 7919) % 13) as f64 / 13.0; // noise
            xs.push(x);
            ys.push((i * 31) % 100 < i / 2 + if v > 0.0 { 50 } else { 0 });
        }
        let m = fit_logistic(&xs, &ys, 1.0, &features_used(false));
        assert!(m.weights[2] > 0.5, "{m:?}");
        assert_eq!(m.weights[0], 0.0, "an unused feature keeps weight 0");
        let again = fit_logistic(&xs, &ys, 1.0, &features_used(false));
        assert_eq!(m, again, "deterministic");
    }

    #[test]
    fn metrics_are_right_on_small_cases() {
        assert_eq!(
            balanced_accuracy(&[true, false, true, false], &[true, false, false, false]),
            (1.0 + 2.0 / 3.0) / 2.0
        );
        assert!(ece(&[0.9, 0.9, 0.1, 0.1], &[true, true, false, false]) - 0.1 < 1e-9);
        assert_eq!(best_threshold(&[0.9, 0.8, 0.3, 0.2], &[true, true, false, false]), 0.5);
    }

    #[test]
    fn known_models_have_keys() {
        assert_eq!(model_key("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), Some("qwen-1.5b"));
        assert_eq!(model_key("Qwen2.5-Coder-0.5B-Instruct"), Some("qwen-0.5b"));
        assert_eq!(model_key("SmolLM2-135M-Instruct.Q4_1.gguf"), Some("smollm2-135m"));
        assert_eq!(model_key("mistral-7b.gguf"), None);
    }
}
