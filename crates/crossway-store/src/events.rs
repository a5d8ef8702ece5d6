use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::{parse_ts, ts, Db, Result};

/// A scored attempt at an item, as recorded.
#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub learner_id: i64,
    /// Chosen by the client per submission; a second submission with the same key is a no-op.
    pub idempotency_key: &'a str,
    pub pack_id: &'a str,
    pub kp_id: &'a str,
    pub item_id: &'a str,
    /// In [0, 1].
    pub score: f64,
    /// The answer and grading details, as JSON.
    pub payload: &'a serde_json::Value,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// Already recorded under this idempotency key; nothing changed.
    Duplicate(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRow {
    pub id: i64,
    pub idempotency_key: String,
    pub kp_id: String,
    pub item_id: String,
    pub score: f64,
    pub payload: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

impl Db<'_> {
    pub fn record_attempt(&self, a: &NewAttempt<'_>) -> Result<Recorded> {
        let inserted = self
            .0
            .prepare_cached(
                "INSERT INTO events (learner_id, idempotency_key, kind, occurred_at, recorded_at, pack_id, kp_id, item_id, score, payload)
                 VALUES (?1, ?2, 'attempt', ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (learner_id, idempotency_key) DO NOTHING",
            )?
            .execute(params![
                a.learner_id,
                a.idempotency_key,
                ts(a.occurred_at),
                ts(a.recorded_at),
                a.pack_id,
                a.kp_id,
                a.item_id,
                a.score,
                a.payload.to_string()
            ])?;
        if inserted == 1 {
            return Ok(Recorded::New(self.0.last_insert_rowid()));
        }
        let id: Option<i64> = self
            .0
            .prepare_cached("SELECT id FROM events WHERE learner_id = ?1 AND idempotency_key = ?2")?
            .query_row(params![a.learner_id, a.idempotency_key], |r| r.get(0))
            .optional()?;
        Ok(Recorded::Duplicate(id.unwrap_or_default()))
    }

    /// A learner's attempts, oldest first.
    pub fn attempts(&self, learner_id: i64) -> Result<Vec<AttemptRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, idempotency_key, kp_id, item_id, score, payload, occurred_at FROM events
             WHERE learner_id = ?1 AND kind = 'attempt' ORDER BY occurred_at, id",
        )?;
        let rows = stmt.query_map([learner_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|r| {
            let (id, key, kp_id, item_id, score, payload, at) = r?;
            Ok(AttemptRow {
                id,
                idempotency_key: key,
                kp_id,
                item_id,
                score,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                occurred_at: parse_ts(&at)?,
            })
        })
        .collect()
    }

    pub fn attempt_count(&self, learner_id: i64) -> Result<u64> {
        Ok(self
            .0
            .prepare_cached("SELECT count(*) FROM events WHERE learner_id = ?1 AND kind = 'attempt'")?
            .query_row([learner_id], |r| r.get(0))?)
    }
}
