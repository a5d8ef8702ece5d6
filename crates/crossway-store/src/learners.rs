use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use crate::error::OrNotFound;
use crate::{parse_ts, ts, Db, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct LearnerRow {
    pub id: i64,
    pub name: String,
    pub locale: String,
    pub goal_role: Option<String>,
    pub weekly_minutes: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewLearner<'a> {
    pub name: &'a str,
    pub locale: &'a str,
    pub goal_role: Option<&'a str>,
    pub weekly_minutes: u32,
    pub now: DateTime<Utc>,
}

fn row_to_learner(r: &Row<'_>) -> rusqlite::Result<(LearnerRow, String)> {
    let created: String = r.get(5)?;
    Ok((
        LearnerRow {
            id: r.get(0)?,
            name: r.get(1)?,
            locale: r.get(2)?,
            goal_role: r.get(3)?,
            weekly_minutes: r.get(4)?,
            created_at: DateTime::<Utc>::MIN_UTC,
        },
        created,
    ))
}

fn finish((mut l, created): (LearnerRow, String)) -> Result<LearnerRow> {
    l.created_at = parse_ts(&created)?;
    Ok(l)
}

const COLUMNS: &str = "id, name, locale, goal_role, weekly_minutes, created_at";

impl Db<'_> {
    pub fn create_learner(&self, l: &NewLearner<'_>) -> Result<LearnerRow> {
        self.0
            .prepare_cached(
                "INSERT INTO learners (name, locale, goal_role, weekly_minutes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![l.name, l.locale, l.goal_role, l.weekly_minutes, ts(l.now)])?;
        self.learner(self.0.last_insert_rowid())
    }

    pub fn learner(&self, id: i64) -> Result<LearnerRow> {
        let row = self
            .0
            .prepare_cached(&format!("SELECT {COLUMNS} FROM learners WHERE id = ?1"))?
            .query_row([id], row_to_learner)
            .optional()?
            .or_not_found("learner", id)?;
        finish(row)
    }

    pub fn learners(&self) -> Result<Vec<LearnerRow>> {
        let mut stmt = self.0.prepare_cached(&format!("SELECT {COLUMNS} FROM learners ORDER BY id"))?;
        let rows = stmt.query_map([], row_to_learner)?;
        rows.map(|r| finish(r?)).collect()
    }

    pub fn set_goal(&self, id: i64, goal_role: Option<&str>) -> Result<()> {
        let n = self
            .0
            .prepare_cached("UPDATE learners SET goal_role = ?2 WHERE id = ?1")?
            .execute(params![id, goal_role])?;
        if n == 0 {
            return None.or_not_found("learner", id);
        }
        Ok(())
    }

    pub fn set_weekly_minutes(&self, id: i64, minutes: u32) -> Result<()> {
        let n = self
            .0
            .prepare_cached("UPDATE learners SET weekly_minutes = ?2 WHERE id = ?1")?
            .execute(params![id, minutes])?;
        if n == 0 {
            return None.or_not_found("learner", id);
        }
        Ok(())
    }

    /// Deletes a learner and, through the foreign keys, everything recorded about them.
    pub fn delete_learner(&self, id: i64) -> Result<()> {
        let n = self.0.prepare_cached("DELETE FROM learners WHERE id = ?1")?.execute([id])?;
        if n == 0 {
            return None.or_not_found("learner", id);
        }
        Ok(())
    }

    /// Sets one profile fact (JSON value), replacing an older value.
    pub fn set_profile_fact(
        &self,
        learner: i64,
        key: &str,
        value: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO profile_facts (learner_id, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (learner_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )?
            .execute(params![learner, key, value.to_string(), ts(now)])?;
        Ok(())
    }

    pub fn delete_profile_fact(&self, learner: i64, key: &str) -> Result<()> {
        self.0
            .prepare_cached("DELETE FROM profile_facts WHERE learner_id = ?1 AND key = ?2")?
            .execute(params![learner, key])?;
        Ok(())
    }

    pub fn profile_facts(&self, learner: i64) -> Result<Vec<(String, serde_json::Value)>> {
        let mut stmt =
            self.0.prepare_cached("SELECT key, value FROM profile_facts WHERE learner_id = ?1 ORDER BY key")?;
        let rows = stmt.query_map([learner], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (k, v) = r?;
            let v =
                serde_json::from_str(&v).map_err(|_| crate::StoreError::BadValue { what: "profile fact", value: v })?;
            Ok((k, v))
        })
        .collect()
    }
}
