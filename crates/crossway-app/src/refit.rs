//! Refitting the mastery model from this install's own answers (a classroom's, say): per KP, by
//! EM with forgetting (`crossway_core::kt`), once enough learners answered it; then every learner's
//! mastery of a refitted KP is replayed from their history with the new parameters.

use std::collections::{BTreeMap, HashMap};

use crossway_core::kt::{fit_skill, FitOptions};
use crossway_core::{BktParams, Mastery};
use crossway_store::{KpParamsRow, MasteryRow};
use serde::Serialize;

use crate::{App, Result};

/// A KP is refitted once this many learners have answered it …
pub const MIN_LEARNERS: usize = 20;
/// … with at least this many answers in all.
pub const MIN_ANSWERS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefitReport {
    pub fitted: Vec<FittedKp>,
    /// KPs with answers but too few learners or answers to fit.
    pub too_little_data: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedKp {
    pub kp: String,
    pub learners: usize,
    pub answers: usize,
    pub params: BktParams,
}

impl App {
    /// Loads fitted parameters for the active pack (called on open and after a refit).
    pub(crate) fn load_fitted_params(&mut self) -> Result<()> {
        self.fitted.clear();
        if let Ok(pack) = self.active_pack() {
            let id = pack.manifest.id.clone();
            for (kp, p) in self.store.db().kp_params(&id)? {
                let params = BktParams {
                    p_init: p.p_init,
                    p_learn: p.p_learn,
                    p_forget: p.p_forget,
                    p_slip: p.p_slip,
                    p_guess: p.p_guess,
                };
                self.fitted.insert(kp, params);
            }
        }
        Ok(())
    }

    /// Fits every KP with enough data, stores the parameters and replays affected learners' mastery.
    pub fn refit_mastery_model(&mut self) -> Result<RefitReport> {
        let pack = self.active_pack()?.clone();
        let rows = self.store.db().all_attempt_scores()?;
        // KP → learner → answers in time order.
        let mut by_kp: BTreeMap<String, BTreeMap<i64, Vec<f64>>> = BTreeMap::new();
        for (learner, kp, score) in rows {
            if pack.kp(&kp).is_some() {
                by_kp.entry(kp).or_default().entry(learner).or_default().push(score);
            }
        }
        let mut report = RefitReport { fitted: Vec::new(), too_little_data: 0 };
        let opts = FitOptions::default();
        let mut fits: HashMap<String, (BktParams, usize, usize)> = HashMap::new();
        for (kp, learners) in &by_kp {
            let answers: usize = learners.values().map(Vec::len).sum();
            if learners.len() < MIN_LEARNERS || answers < MIN_ANSWERS {
                report.too_little_data += 1;
                continue;
            }
            let seqs: Vec<Vec<bool>> = learners.values().map(|s| s.iter().map(|&x| x >= 0.5).collect()).collect();
            let fit = fit_skill(&seqs, &opts).params;
            fits.insert(kp.clone(), (fit, learners.len(), answers));
            report.fitted.push(FittedKp { kp: kp.clone(), learners: learners.len(), answers, params: fit });
        }
        let now = self.now();
        self.store.transact(|db| -> Result<()> {
            for (kp, (p, learners, answers)) in &fits {
                let row = KpParamsRow {
                    p_init: p.p_init,
                    p_learn: p.p_learn,
                    p_forget: p.p_forget,
                    p_slip: p.p_slip,
                    p_guess: p.p_guess,
                    learners: *learners as u32,
                    answers: *answers as u32,
                };
                db.put_kp_params(&pack.manifest.id, kp, &row, now)?;
                // Replay every learner's history on this KP with the new parameters.
                for (learner, scores) in &by_kp[kp] {
                    let mut m = Mastery::prior(p);
                    for &s in scores {
                        m = m.after_attempt(s, p);
                    }
                    db.put_mastery(*learner, kp, MasteryRow { p: m.p, attempts: m.attempts, correct: m.correct }, now)?;
                }
            }
            Ok(())
        })?;
        self.load_fitted_params()?;
        Ok(report)
    }
}
