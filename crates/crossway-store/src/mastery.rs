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
