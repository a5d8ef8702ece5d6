//! Scoring a simulation run (F12): accuracy per step, efficiency (time against a fluent learner's
//! time, hints used), the weighted total, and what to improve. Formulas in docs/indicators.md.

use serde::{Deserialize, Serialize};

/// One step of a run as answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    pub step: String,
    pub kp: String,
    /// None: not answered.
    pub score: Option<f64>,
    pub hint_used: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunScore {
    /// Mean step score; unanswered steps count 0.
    pub accuracy: f64,
    /// Time factor × hint factor, in [0, 1].
    pub efficiency: f64,
    /// min(1, fluent minutes / minutes taken).
    pub time_factor: f64,
    /// 1 − hints / (2 × steps): each hint costs half a step's share.
    pub hint_factor: f64,
    /// accuracy_weight × accuracy + efficiency_weight × efficiency.
    pub score: f64,
    pub steps: u32,
    pub answered: u32,
    pub hints: u32,
    pub minutes: f64,
    /// What to improve, most important first.
    pub improve: Vec<Improvement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Improvement {
    /// A step answered wrong or left out: study its KP.
    Step { step: String, kp: String, score: f64 },
    /// Slower than twice a fluent learner.
    Speed { minutes: f64, fluent_minutes: f64 },
    /// Hints on at least half the steps.
    Hints { used: u32, steps: u32 },
}

/// Scores a run. `weights` = (accuracy weight, efficiency weight), summing to 1.
pub fn score_run(outcomes: &[StepOutcome], minutes: f64, fluent_minutes: f64, weights: (f64, f64)) -> RunScore {
    let steps = outcomes.len() as u32;
    let n = f64::from(steps.max(1));
    let accuracy = outcomes.iter().map(|o| o.score.unwrap_or(0.0).clamp(0.0, 1.0)).sum::<f64>() / n;
    let minutes = minutes.max(0.1);
    let time_factor = (fluent_minutes / minutes).min(1.0);
    let hints = outcomes.iter().filter(|o| o.hint_used).count() as u32;
    let hint_factor = 1.0 - f64::from(hints) / (2.0 * n);
    let efficiency = time_factor * hint_factor;
    let score = weights.0 * accuracy + weights.1 * efficiency;
    let mut improve: Vec<Improvement> = outcomes
        .iter()
        .filter(|o| o.score.unwrap_or(0.0) < 0.999)
        .map(|o| Improvement::Step { step: o.step.clone(), kp: o.kp.clone(), score: o.score.unwrap_or(0.0) })
        .collect();
    if minutes > 2.0 * fluent_minutes {
        improve.push(Improvement::Speed { minutes, fluent_minutes });
    }
    if steps > 0 && hints * 2 >= steps {
        improve.push(Improvement::Hints { used: hints, steps });
    }
    RunScore {
        accuracy,
        efficiency,
        time_factor,
        hint_factor,
        score,
        steps,
        answered: outcomes.iter().filter(|o| o.score.is_some()).count() as u32,
        hints,
        minutes,
        improve,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(score: Option<f64>, hint: bool) -> StepOutcome {
        StepOutcome { step: format!("s{}", score.unwrap_or(-1.0)), kp: "k".into(), score, hint_used: hint }
    }

    #[test]
    fn a_fluent_perfect_run_scores_one() {
        let r = score_run(&[o(Some(1.0), false), o(Some(1.0), false)], 15.0, 20.0, (0.8, 0.2));
        assert_eq!((r.accuracy, r.efficiency, r.score), (1.0, 1.0, 1.0));
        assert!(r.improve.is_empty());
    }

    #[test]
    fn table() {
        // (outcomes, minutes, fluent) → (accuracy, efficiency, score)
        let cases: Vec<(Vec<StepOutcome>, f64, f64, f64, f64, f64)> = vec![
            // Half right, on time, no hints.
            (vec![o(Some(1.0), false), o(Some(0.0), false)], 20.0, 20.0, 0.5, 1.0, 0.6),
            // All right, twice as slow: time factor 0.5.
            (vec![o(Some(1.0), false), o(Some(1.0), false)], 40.0, 20.0, 1.0, 0.5, 0.9),
            // All right, a hint on each of 2 steps: hint factor 0.5.
            (vec![o(Some(1.0), true), o(Some(1.0), true)], 10.0, 20.0, 1.0, 0.5, 0.9),
            // One step left out counts 0; partial credit kept.
            (vec![o(Some(0.5), false), o(None, false)], 20.0, 20.0, 0.25, 1.0, 0.4),
        ];
        for (outs, min, fluent, acc, eff, score) in cases {
            let r = score_run(&outs, min, fluent, (0.8, 0.2));
            assert!((r.accuracy - acc).abs() < 1e-9, "{outs:?}: accuracy {}", r.accuracy);
            assert!((r.efficiency - eff).abs() < 1e-9, "{outs:?}: efficiency {}", r.efficiency);
            assert!((r.score - score).abs() < 1e-9, "{outs:?}: score {}", r.score);
        }
    }

    #[test]
    fn improvements_name_the_wrong_steps_the_speed_and_the_hints() {
        let r = score_run(&[o(Some(0.0), true), o(Some(1.0), true)], 50.0, 20.0, (0.8, 0.2));
        assert!(matches!(r.improve[0], Improvement::Step { score, .. } if score == 0.0));
        assert!(r.improve.iter().any(|i| matches!(i, Improvement::Speed { .. })));
        assert!(r.improve.iter().any(|i| matches!(i, Improvement::Hints { used: 2, steps: 2 })));
    }
}
