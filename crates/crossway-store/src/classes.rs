//! Schema v7: classroom installs (issue #18) — the teacher profile, classes, memberships of
//! learners who joined a class kept on another machine, and imported class summaries.
//! No query here returns a learner's answers, notes or questions.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::error::OrNotFound;
use crate::{parse_ts, ts, Db, Result, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct TeacherRow {
    pub id: i64,
    pub name: String,
    pub pin: String,
    pub failures: u32,
    pub last_failure: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassRow {
    pub id: String,
    pub name: String,
    pub pack_id: String,
    pub goal_roles: Vec<String>,
    pub secret: String,
    pub local_learners: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MembershipRow {
    pub learner_id: i64,
    pub class_id: String,
    pub secret: String,
    pub pseudonym: String,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub class_id: String,
    pub pseudonym: String,
    pub exported_at: DateTime<Utc>,
    pub sha256: String,
    /// The summary's JSON text as it was verified.
    pub body: String,
}

/// What storing an imported summary did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryStored {
    New,
    /// A newer export of a learner already imported replaced the older one.
    Replaced,
    /// The same file (or an older export) again: nothing changed.
    Unchanged,
}

impl Db<'_> {
    pub fn insert_teacher(&self, name: &str, pin: &str, now: DateTime<Utc>) -> Result<i64> {
        self.0.prepare_cached("INSERT INTO teachers (name, pin, created_at) VALUES (?1, ?2, ?3)")?.execute(params![
            name,
            pin,
            ts(now)
        ])?;
        Ok(self.0.last_insert_rowid())
    }

    /// The install's teacher (the first one), if any.
    pub fn teacher(&self) -> Result<Option<TeacherRow>> {
        let row = self
            .0
            .prepare_cached("SELECT id, name, pin, failures, last_failure FROM teachers ORDER BY id LIMIT 1")?
            .query_row([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get::<_, u32>(3)?, r.get::<_, Option<String>>(4)?))
            })
            .optional()?;
        row.map(|(id, name, pin, failures, last)| {
            Ok(TeacherRow { id, name, pin, failures, last_failure: last.as_deref().map(parse_ts).transpose()? })
        })
        .transpose()
    }

    /// Records a PIN check: a wrong one counts (with its time), a right one clears the count and
    /// may store a re-hashed PIN.
    pub fn set_teacher_failures(&self, id: i64, failures: u32, at: Option<DateTime<Utc>>) -> Result<()> {
        let n = self
            .0
            .prepare_cached("UPDATE teachers SET failures = ?1, last_failure = ?2 WHERE id = ?3")?
            .execute(params![failures, at.map(ts), id])?;
        (n == 1).then_some(()).or_not_found("teacher", id)
    }

    pub fn set_teacher_pin(&self, id: i64, pin: &str) -> Result<()> {
        let n = self.0.prepare_cached("UPDATE teachers SET pin = ?1 WHERE id = ?2")?.execute(params![pin, id])?;
        (n == 1).then_some(()).or_not_found("teacher", id)
    }

    pub fn insert_class(&self, c: &ClassRow) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO classes (id, name, pack_id, goal_roles, secret, local_learners, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                c.id,
                c.name,
                c.pack_id,
                serde_json::to_string(&c.goal_roles).unwrap_or_else(|_| "[]".into()),
                c.secret,
                c.local_learners,
                ts(c.created_at)
            ])?;
        Ok(())
    }

    pub fn classes(&self) -> Result<Vec<ClassRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, name, pack_id, goal_roles, secret, local_learners, created_at FROM classes ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, name, pack_id, roles, secret, local_learners, created)| {
                Ok(ClassRow {
                    id,
                    name,
                    pack_id,
                    goal_roles: serde_json::from_str(&roles)
                        .map_err(|_| StoreError::BadValue { what: "class goal roles", value: roles.clone() })?,
                    secret,
                    local_learners,
                    created_at: parse_ts(&created)?,
                })
            })
            .collect()
    }

    pub fn class(&self, id: &str) -> Result<ClassRow> {
        self.classes()?.into_iter().find(|c| c.id == id).or_not_found("class", id)
    }

    pub fn insert_membership(&self, m: &MembershipRow) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO class_memberships (learner_id, class_id, secret, pseudonym, joined_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (learner_id, class_id) DO UPDATE SET secret = excluded.secret",
            )?
            .execute(params![m.learner_id, m.class_id, m.secret, m.pseudonym, ts(m.joined_at)])?;
        Ok(())
    }

    pub fn memberships(&self, learner_id: i64) -> Result<Vec<MembershipRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT learner_id, class_id, secret, pseudonym, joined_at FROM class_memberships
             WHERE learner_id = ?1 ORDER BY joined_at, class_id",
        )?;
        let rows = stmt
            .query_map([learner_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(learner_id, class_id, secret, pseudonym, joined)| {
                Ok(MembershipRow { learner_id, class_id, secret, pseudonym, joined_at: parse_ts(&joined)? })
            })
            .collect()
    }

    /// Stores a verified summary: new, a newer export replacing an older one, or nothing.
    pub fn store_summary(&self, s: &SummaryRow, now: DateTime<Utc>) -> Result<SummaryStored> {
        let existing: Option<(String, String)> = self
            .0
            .prepare_cached("SELECT exported_at, sha256 FROM class_summaries WHERE class_id = ?1 AND pseudonym = ?2")?
            .query_row(params![s.class_id, s.pseudonym], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let outcome = match existing {
            None => SummaryStored::New,
            Some((at, sha)) => {
                if sha == s.sha256 || parse_ts(&at)? >= s.exported_at {
                    return Ok(SummaryStored::Unchanged);
                }
                SummaryStored::Replaced
            }
        };
        self.0
            .prepare_cached(
                "INSERT INTO class_summaries (class_id, pseudonym, exported_at, sha256, body, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (class_id, pseudonym) DO UPDATE SET exported_at = excluded.exported_at,
                   sha256 = excluded.sha256, body = excluded.body, imported_at = excluded.imported_at",
            )?
            .execute(params![s.class_id, s.pseudonym, ts(s.exported_at), s.sha256, s.body, ts(now)])?;
        Ok(outcome)
    }

    pub fn summaries(&self, class_id: &str) -> Result<Vec<SummaryRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT class_id, pseudonym, exported_at, sha256, body FROM class_summaries
             WHERE class_id = ?1 ORDER BY pseudonym",
        )?;
        let rows = stmt
            .query_map([class_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(class_id, pseudonym, at, sha256, body)| {
                Ok(SummaryRow { class_id, pseudonym, exported_at: parse_ts(&at)?, sha256, body })
            })
            .collect()
    }
}
