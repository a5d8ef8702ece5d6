use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::{ts, Db, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MasteryRow {
    pub p: f64,
    pub attempts: u32,
    pub correct: u32,
}

impl Db<'_> {
    pub fn mastery(&self, learner_id: i64) -> Result<Vec<(String, MasteryRow)>> {
        let mut stmt =
            self.0.prepare_cached("SELECT kp_id, p, attempts, correct FROM mastery WHERE learner_id = ?1")?;
        let rows = stmt.query_map([learner_id], |r| {
            Ok((r.get::<_, String>(0)?, MasteryRow { p: r.get(1)?, attempts: r.get(2)?, correct: r.get(3)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mastery_of(&self, learner_id: i64, kp_id: &str) -> Result<Option<MasteryRow>> {
        Ok(self
            .0
            .prepare_cached("SELECT p, attempts, correct FROM mastery WHERE learner_id = ?1 AND kp_id = ?2")?
            .query_row(params![learner_id, kp_id], |r| {
                Ok(MasteryRow { p: r.get(0)?, attempts: r.get(1)?, correct: r.get(2)? })
            })
            .optional()?)
    }

    pub fn put_mastery(&self, learner_id: i64, kp_id: &str, m: MasteryRow, now: DateTime<Utc>) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO mastery (learner_id, kp_id, p, attempts, correct, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (learner_id, kp_id) DO UPDATE SET p = excluded.p, attempts = excluded.attempts,
                 correct = excluded.correct, updated_at = excluded.updated_at",
            )?
            .execute(params![learner_id, kp_id, m.p, m.attempts, m.correct, ts(now)])?;
        Ok(())
    }
}

/// Mastery-model parameters fitted for one KP from this install's answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpParamsRow {
    pub p_init: f64,
    pub p_learn: f64,
    pub p_forget: f64,
    pub p_slip: f64,
    pub p_guess: f64,
    pub learners: u32,
    pub answers: u32,
}

impl Db<'_> {
    pub fn put_kp_params(&self, pack_id: &str, kp_id: &str, p: &KpParamsRow, now: DateTime<Utc>) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO kp_params (pack_id, kp_id, p_init, p_learn, p_forget, p_slip, p_guess, learners, answers, fitted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (pack_id, kp_id) DO UPDATE SET p_init = excluded.p_init, p_learn = excluded.p_learn,
                 p_forget = excluded.p_forget, p_slip = excluded.p_slip, p_guess = excluded.p_guess,
                 learners = excluded.learners, answers = excluded.answers, fitted_at = excluded.fitted_at",
            )?
            .execute(params![pack_id, kp_id, p.p_init, p.p_learn, p.p_forget, p.p_slip, p.p_guess, p.learners, p.answers, ts(now)])?;
        Ok(())
    }

    pub fn kp_params(&self, pack_id: &str) -> Result<Vec<(String, KpParamsRow)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT kp_id, p_init, p_learn, p_forget, p_slip, p_guess, learners, answers FROM kp_params WHERE pack_id = ?1",
        )?;
        let rows = stmt.query_map([pack_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                KpParamsRow {
                    p_init: r.get(1)?,
                    p_learn: r.get(2)?,
                    p_forget: r.get(3)?,
                    p_slip: r.get(4)?,
                    p_guess: r.get(5)?,
                    learners: r.get(6)?,
                    answers: r.get(7)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every answer in the install, for fitting: (learner, kp, score), in time order per learner.
    pub fn all_attempt_scores(&self) -> Result<Vec<(i64, String, f64)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT learner_id, kp_id, score FROM events WHERE kind = 'attempt' AND kp_id IS NOT NULL AND score IS NOT NULL
             ORDER BY learner_id, occurred_at, id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
