use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::{parse_ts, ts, Db, Result};

/// One learner's FSRS state for one KP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetentionRow {
    pub stability: f64,
    pub difficulty: f64,
    pub due: DateTime<Utc>,
    pub last_review: DateTime<Utc>,
    pub reps: u32,
    pub lapses: u32,
    pub state: u8,
    pub scheduled_days: i64,
}

type Raw = (f64, f64, String, Option<String>, u32, u32, u8, i64);

fn finish(kp: Option<String>, r: Raw) -> Result<(Option<String>, RetentionRow)> {
    let due = parse_ts(&r.2)?;
    Ok((
        kp,
        RetentionRow {
            stability: r.0,
            difficulty: r.1,
            due,
            last_review: r.3.as_deref().map(parse_ts).transpose()?.unwrap_or(due),
            reps: r.4,
            lapses: r.5,
            state: r.6,
            scheduled_days: r.7,
        },
    ))
}

const COLS: &str = "stability, difficulty, due_at, last_review, reps, lapses, state, scheduled_days";

fn raw(r: &rusqlite::Row<'_>, o: usize) -> rusqlite::Result<Raw> {
    Ok((
        r.get(o)?,
        r.get(o + 1)?,
        r.get(o + 2)?,
        r.get(o + 3)?,
        r.get(o + 4)?,
        r.get(o + 5)?,
        r.get(o + 6)?,
        r.get(o + 7)?,
    ))
}

impl Db<'_> {
    pub fn retention_of(&self, learner_id: i64, kp_id: &str) -> Result<Option<RetentionRow>> {
        let row = self
            .0
            .prepare_cached(&format!("SELECT {COLS} FROM retention WHERE learner_id = ?1 AND kp_id = ?2"))?
            .query_row(params![learner_id, kp_id], |r| raw(r, 0))
            .optional()?;
        row.map(|r| finish(None, r).map(|x| x.1)).transpose()
    }

    /// Every KP's retention state for a learner.
    pub fn retention(&self, learner_id: i64) -> Result<Vec<(String, RetentionRow)>> {
        let mut stmt = self.0.prepare_cached(&format!("SELECT kp_id, {COLS} FROM retention WHERE learner_id = ?1"))?;
        let rows = stmt.query_map([learner_id], |r| Ok((r.get::<_, String>(0)?, raw(r, 1)?)))?;
        rows.map(|r| {
            let (kp, raw) = r?;
            let (kp, row) = finish(Some(kp), raw)?;
            Ok((kp.unwrap_or_default(), row))
        })
        .collect()
    }

    pub fn put_retention(&self, learner_id: i64, kp_id: &str, r: &RetentionRow) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO retention (learner_id, kp_id, stability, difficulty, due_at, last_review, reps, lapses, state, scheduled_days)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (learner_id, kp_id) DO UPDATE SET stability = excluded.stability, difficulty = excluded.difficulty,
                 due_at = excluded.due_at, last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses,
                 state = excluded.state, scheduled_days = excluded.scheduled_days",
            )?
            .execute(params![
                learner_id,
                kp_id,
                r.stability,
                r.difficulty,
                ts(r.due),
                ts(r.last_review),
                r.reps,
                r.lapses,
                r.state,
                r.scheduled_days
            ])?;
        Ok(())
    }
}
