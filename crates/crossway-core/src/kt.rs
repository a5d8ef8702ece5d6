//! Knowledge tracing: fitting BKT parameters per skill by expectation–maximisation (Baum–Welch on
//! the two-state hidden Markov model), with an optional forgetting transition, and predicting each
//! answer before it is seen. Pure: data in, parameters and probabilities out.

use std::collections::HashMap;

use crate::mastery::BktParams;

/// Fitting options.
#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    /// Fit the known → unknown transition too (BKT+forgetting); otherwise it stays 0.
    pub forgetting: bool,
    pub max_iterations: usize,
    /// Stop when the log-likelihood improves by less than this (relative).
    pub tolerance: f64,
    /// Upper bounds that keep the model identifiable (a "known" state that answers worse than an
    /// "unknown" one is meaningless).
    pub max_guess: f64,
    pub max_slip: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self { forgetting: true, max_iterations: 100, tolerance: 1e-6, max_guess: 0.45, max_slip: 0.45 }
    }
}

/// The fitted result for one skill.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkillFit {
    pub params: BktParams,
    pub log_likelihood: f64,
    pub iterations: usize,
}

const STARTS: [BktParams; 3] = [
    BktParams { p_init: 0.4, p_learn: 0.1, p_forget: 0.02, p_slip: 0.1, p_guess: 0.2 },
    BktParams { p_init: 0.2, p_learn: 0.3, p_forget: 0.05, p_slip: 0.2, p_guess: 0.3 },
    BktParams { p_init: 0.7, p_learn: 0.05, p_forget: 0.01, p_slip: 0.05, p_guess: 0.1 },
];

/// Fits one skill from its sequences (one per learner, answers in time order). Runs EM from a few
/// starting points and keeps the most likely fit.
pub fn fit_skill(sequences: &[Vec<bool>], opts: &FitOptions) -> SkillFit {
    let mut best: Option<SkillFit> = None;
    for start in STARTS {
        let mut p = start;
        if !opts.forgetting {
            p.p_forget = 0.0;
        }
        let fit = em(sequences, p, opts);
        if best.is_none_or(|b| fit.log_likelihood > b.log_likelihood) {
            best = Some(fit);
        }
    }
    best.unwrap_or(SkillFit { params: BktParams::default(), log_likelihood: 0.0, iterations: 0 })
}

fn em(seqs: &[Vec<bool>], mut p: BktParams, opts: &FitOptions) -> SkillFit {
    let mut last_ll = f64::NEG_INFINITY;
    let mut iterations = 0;
    let longest = seqs.iter().map(Vec::len).max().unwrap_or(0);
    let mut alpha = vec![[0.0f64; 2]; longest];
    let mut beta = vec![[0.0f64; 2]; longest];
    let mut scale = vec![0.0f64; longest];
    for it in 0..opts.max_iterations {
        iterations = it + 1;
        // Expected counts: [unknown, known].
        let (mut init_k, mut n_seq) = (0.0, 0.0);
        let (mut trans_uk, mut from_u, mut trans_ku, mut from_k) = (0.0, 0.0, 0.0, 0.0);
        let (mut correct_u, mut total_u, mut wrong_k, mut total_k) = (0.0, 0.0, 0.0, 0.0);
        let mut ll = 0.0;
        let emit = |state: usize, c: bool| -> f64 {
            match (state, c) {
                (0, true) => p.p_guess,
                (0, false) => 1.0 - p.p_guess,
                (_, true) => 1.0 - p.p_slip,
                (_, false) => p.p_slip,
            }
        };
        let trans = [[1.0 - p.p_learn, p.p_learn], [p.p_forget, 1.0 - p.p_forget]];
        for seq in seqs {
            let n = seq.len();
            if n == 0 {
                continue;
            }
            // Forward, scaled.
            let prior = [1.0 - p.p_init, p.p_init];
            for s in 0..2 {
                alpha[0][s] = prior[s] * emit(s, seq[0]);
            }
            scale[0] = alpha[0][0] + alpha[0][1];
            alpha[0] = [alpha[0][0] / scale[0], alpha[0][1] / scale[0]];
            for t in 1..n {
                for s in 0..2 {
                    alpha[t][s] = (alpha[t - 1][0] * trans[0][s] + alpha[t - 1][1] * trans[1][s]) * emit(s, seq[t]);
                }
                scale[t] = alpha[t][0] + alpha[t][1];
                alpha[t] = [alpha[t][0] / scale[t], alpha[t][1] / scale[t]];
            }
            ll += scale[..n].iter().map(|c| c.ln()).sum::<f64>();
            // Backward, with the same scaling.
            beta[n - 1] = [1.0, 1.0];
            for t in (0..n - 1).rev() {
                for s in 0..2 {
                    beta[t][s] = (trans[s][0] * emit(0, seq[t + 1]) * beta[t + 1][0]
                        + trans[s][1] * emit(1, seq[t + 1]) * beta[t + 1][1])
                        / scale[t + 1];
                }
            }
            for t in 0..n {
                let g = [alpha[t][0] * beta[t][0], alpha[t][1] * beta[t][1]];
                let z = g[0] + g[1];
                let (gu, gk) = (g[0] / z, g[1] / z);
                if t == 0 {
                    init_k += gk;
                    n_seq += 1.0;
                }
                total_u += gu;
                total_k += gk;
                if seq[t] {
                    correct_u += gu;
                } else {
                    wrong_k += gk;
                }
                if t + 1 < n {
                    // Expected transitions out of each state between t and t+1.
                    let e0 = emit(0, seq[t + 1]) * beta[t + 1][0];
                    let e1 = emit(1, seq[t + 1]) * beta[t + 1][1];
                    let xi_uk = alpha[t][0] * trans[0][1] * e1 / scale[t + 1];
                    let xi_ku = alpha[t][1] * trans[1][0] * e0 / scale[t + 1];
                    trans_uk += xi_uk;
                    from_u += gu;
                    trans_ku += xi_ku;
                    from_k += gk;
                }
            }
        }
        let ratio = |a: f64, b: f64, fallback: f64| if b > 1e-12 { a / b } else { fallback };
        p.p_init = ratio(init_k, n_seq, p.p_init).clamp(1e-4, 1.0 - 1e-4);
        p.p_learn = ratio(trans_uk, from_u, p.p_learn).clamp(1e-4, 1.0 - 1e-4);
        if opts.forgetting {
            p.p_forget = ratio(trans_ku, from_k, p.p_forget).clamp(0.0, 0.5);
        }
        p.p_guess = ratio(correct_u, total_u, p.p_guess).clamp(1e-4, opts.max_guess);
        p.p_slip = ratio(wrong_k, total_k, p.p_slip).clamp(1e-4, opts.max_slip);
        let done = (ll - last_ll).abs() <= opts.tolerance * ll.abs().max(1.0);
        last_ll = ll;
        if done {
            break;
        }
    }
    SkillFit { params: p, log_likelihood: last_ll, iterations }
}

/// Groups answers `(learner, skill, correct)` in time order into per-skill sequences.
pub fn sequences_by_skill<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str, bool)>,
) -> HashMap<String, Vec<Vec<bool>>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_skill: HashMap<String, Vec<Vec<bool>>> = HashMap::new();
    for (learner, skill, correct) in rows {
        let seqs = by_skill.entry(skill.to_string()).or_default();
        let i = *index.entry((learner, skill)).or_insert_with(|| {
            seqs.push(Vec::new());
            seqs.len() - 1
        });
        seqs[i].push(correct);
    }
    by_skill
}

/// Tracks learners through answers, giving P(correct) before each answer is seen.
pub struct Tracer<'a> {
    params: &'a HashMap<String, BktParams>,
    fallback: BktParams,
    state: HashMap<(String, String), f64>,
}

impl<'a> Tracer<'a> {
    /// `fallback` is used for skills that were not in the training data.
    pub fn new(params: &'a HashMap<String, BktParams>, fallback: BktParams) -> Self {
        Self { params, fallback, state: HashMap::new() }
    }

    /// P(correct) for this answer, computed before seeing it; then the answer updates the state.
    pub fn predict_then_update(&mut self, learner: &str, skill: &str, correct: bool) -> f64 {
        let p = self.params.get(skill).copied().unwrap_or(self.fallback);
        let known = self.state.entry((learner.to_string(), skill.to_string())).or_insert(p.p_init);
        let p_correct = *known * (1.0 - p.p_slip) + (1.0 - *known) * p.p_guess;
        let posterior =
            if correct { *known * (1.0 - p.p_slip) / p_correct } else { *known * p.p_slip / (1.0 - p_correct) };
        *known = posterior * (1.0 - p.p_forget) + (1.0 - posterior) * p.p_learn;
        p_correct
    }
}

/// The mean of the fitted parameters, weighted by answers: the prior for unseen skills.
pub fn pooled(fits: &HashMap<String, (SkillFit, usize)>) -> BktParams {
    let total: usize = fits.values().map(|(_, n)| n).sum();
    if total == 0 {
        return BktParams::default();
    }
    let w = |f: fn(&BktParams) -> f64| fits.values().map(|(s, n)| f(&s.params) * *n as f64).sum::<f64>() / total as f64;
    BktParams {
        p_init: w(|p| p.p_init),
        p_learn: w(|p| p.p_learn),
        p_forget: w(|p| p.p_forget),
        p_slip: w(|p| p.p_slip),
        p_guess: w(|p| p.p_guess),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulates learners with known parameters; EM must recover them closely.
    fn simulate(truth: BktParams, learners: usize, len: usize, seed: u64) -> Vec<Vec<bool>> {
        let mut s = seed;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..learners)
            .map(|_| {
                let mut known = rnd() < truth.p_init;
                (0..len)
                    .map(|_| {
                        let c = if known { rnd() >= truth.p_slip } else { rnd() < truth.p_guess };
                        known = if known { rnd() >= truth.p_forget } else { rnd() < truth.p_learn };
                        c
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn em_recovers_the_parameters_that_generated_the_data() {
        let truth = BktParams { p_init: 0.3, p_learn: 0.2, p_forget: 0.0, p_slip: 0.1, p_guess: 0.25 };
        let seqs = simulate(truth, 3000, 12, 42);
        let fit = fit_skill(&seqs, &FitOptions { forgetting: false, ..Default::default() });
        let p = fit.params;
        for (name, got, want) in [
            ("init", p.p_init, truth.p_init),
            ("learn", p.p_learn, truth.p_learn),
            ("slip", p.p_slip, truth.p_slip),
            ("guess", p.p_guess, truth.p_guess),
        ] {
            assert!((got - want).abs() < 0.04, "{name}: fitted {got:.3}, true {want}");
        }
        assert_eq!(p.p_forget, 0.0);
    }

    #[test]
    fn forgetting_is_found_when_it_is_there() {
        let truth = BktParams { p_init: 0.5, p_learn: 0.2, p_forget: 0.1, p_slip: 0.1, p_guess: 0.2 };
        let seqs = simulate(truth, 3000, 15, 7);
        let fit = fit_skill(&seqs, &FitOptions::default());
        assert!((fit.params.p_forget - 0.1).abs() < 0.04, "{:?}", fit.params);
        let without = fit_skill(&seqs, &FitOptions { forgetting: false, ..Default::default() });
        assert!(fit.log_likelihood > without.log_likelihood);
    }

    #[test]
    fn the_tracer_predicts_before_it_updates() {
        let mut params = HashMap::new();
        params.insert(
            "s".to_string(),
            BktParams { p_init: 0.2, p_learn: 0.15, p_forget: 0.0, p_slip: 0.1, p_guess: 0.2 },
        );
        let mut t = Tracer::new(&params, BktParams::default());
        // First answer: P(correct) = .2 * .9 + .8 * .2 = .34, whatever the answer is.
        assert!((t.predict_then_update("u", "s", true) - 0.34).abs() < 1e-9);
        // After a right answer mastery is .6 (see mastery.rs): .6 * .9 + .4 * .2 = .62.
        assert!((t.predict_then_update("u", "s", false) - 0.62).abs() < 1e-9);
        // Another learner starts from the prior.
        assert!((t.predict_then_update("v", "s", false) - 0.34).abs() < 1e-9);
    }
}
