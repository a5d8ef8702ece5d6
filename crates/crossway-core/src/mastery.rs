//! Mastery: the probability that a learner knows a knowledge point, updated by Bayesian Knowledge
//! Tracing (Corbett & Anderson 1995) after each scored attempt.
//!
//! The walking skeleton uses one fixed parameter set for every KP; fitting parameters per skill by
//! EM (and a forgetting variant) is the learner-model issue's work.

use serde::{Deserialize, Serialize};

/// BKT parameters: prior knowledge, learning and forgetting per opportunity, slip and guess.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BktParams {
    pub p_init: f64,
    pub p_learn: f64,
    /// Probability of moving from known to unknown between opportunities (0 = standard BKT).
    #[serde(default)]
    pub p_forget: f64,
    pub p_slip: f64,
    pub p_guess: f64,
}

impl Default for BktParams {
    fn default() -> Self {
        Self { p_init: 0.2, p_learn: 0.15, p_forget: 0.0, p_slip: 0.1, p_guess: 0.2 }
    }
}

/// A learner's mastery estimate on one KP, with the evidence behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mastery {
    pub p: f64,
    pub attempts: u32,
    pub correct: u32,
}

impl Mastery {
    pub fn prior(params: &BktParams) -> Self {
        Self { p: params.p_init, attempts: 0, correct: 0 }
    }

    /// Probability that the next answer is correct.
    pub fn p_correct(&self, params: &BktParams) -> f64 {
        self.p * (1.0 - params.p_slip) + (1.0 - self.p) * params.p_guess
    }

    /// The state after one scored attempt. `score` is in [0, 1]; partial credit is treated as
    /// evidence weighted between the correct and the incorrect update.
    pub fn after_attempt(&self, score: f64, params: &BktParams) -> Self {
        let score = score.clamp(0.0, 1.0);
        let p = self.p;
        let if_right = p * (1.0 - params.p_slip) / self.p_correct(params);
        let if_wrong = p * params.p_slip / (1.0 - self.p_correct(params));
        let posterior = score * if_right + (1.0 - score) * if_wrong;
        let learned = posterior * (1.0 - params.p_forget) + (1.0 - posterior) * params.p_learn;
        Self {
            p: learned.clamp(0.0, 1.0),
            attempts: self.attempts + 1,
            correct: self.correct + u32::from(score >= 0.5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(start: f64, scores: &[f64], expect: f64) {
        let params = BktParams::default();
        let mut m = Mastery { p: start, attempts: 0, correct: 0 };
        for &s in scores {
            m = m.after_attempt(s, &params);
        }
        assert!((m.p - expect).abs() < 1e-3, "start {start} scores {scores:?}: got {}, want {expect}", m.p);
        assert_eq!(m.attempts as usize, scores.len());
    }

    #[test]
    fn bkt_updates_follow_the_textbook_formulas() {
        // P(L|right) = .2*.9 / (.2*.9 + .8*.2) = .5294; then learn: .5294 + .4706*.15 = .6000
        check(0.2, &[1.0], 0.6);
        // P(L|wrong) = .2*.1 / (1 - .34) = .0303; then learn: .0303 + .9697*.15 = .1758
        check(0.2, &[0.0], 0.1758);
        check(0.2, &[1.0, 1.0, 1.0], 0.9774);
        check(0.9, &[0.0, 0.0], 0.2842);
        // Half credit lands between the two single-answer results.
        check(0.2, &[0.5], 0.3879);
    }
}
