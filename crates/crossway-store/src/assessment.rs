//! Schema v5: simulation runs, study sessions, two-way feedback, group tasks and peer reviews.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::error::OrNotFound;
use crate::{parse_ts, ts, Db, Recorded, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct SimRunRow {
    pub id: i64,
    pub learner_id: i64,
    pub pack_id: String,
    pub sim_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Steps whose hint was shown.
    pub hints: Vec<String>,
    pub accuracy: Option<f64>,
    pub efficiency: Option<f64>,
    pub score: Option<f64>,
    pub minutes: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StudySessionRow {
    pub id: i64,
    pub kp_id: String,
    pub occurred_at: DateTime<Utc>,
    /// {"method", "seconds", "mastery_before"}
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct NewFeedback<'a> {
    pub learner_id: i64,
    /// rating | error_report | dispute
    pub kind: &'a str,
    pub pack_id: &'a str,
    /// lesson | item | method
    pub target: &'a str,
    pub target_id: &'a str,
    pub attempt_id: Option<i64>,
    pub rating: Option<u8>,
    pub comment: &'a str,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRow {
    pub id: i64,
    pub learner_id: i64,
    pub kind: String,
    pub target: String,
    pub target_id: String,
    pub attempt_id: Option<i64>,
    pub rating: Option<u8>,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupMemberRow {
    pub learner_id: i64,
    pub name: String,
    pub role: String,
    pub contribution: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupTaskRow {
    pub id: i64,
    pub pack_id: String,
    pub kp_id: String,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub members: Vec<GroupMemberRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PeerReviewRow {
    pub task_id: i64,
    pub reviewer_id: i64,
    pub reviewee_id: i64,
    pub contribution: u8,
    pub quality: u8,
    pub communication: u8,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

impl PeerReviewRow {
    /// The mean of the three criteria, 1–5.
    pub fn rating(&self) -> f64 {
        f64::from(self.contribution + self.quality + self.communication) / 3.0
    }
}

/// An attempt of any learner, for item statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct PackAttemptRow {
    pub id: i64,
    pub learner_id: i64,
    pub item_id: String,
    pub score: f64,
    pub payload: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

fn opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_ts(&s)).transpose()
}

impl Db<'_> {
    pub fn start_simulation_run(
        &self,
        learner_id: i64,
        pack_id: &str,
        sim_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO simulation_runs (learner_id, pack_id, sim_id, started_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![learner_id, pack_id, sim_id, ts(now)])?;
        Ok(self.0.last_insert_rowid())
    }

    fn sim_runs_where(&self, clause: &str, arg: i64) -> Result<Vec<SimRunRow>> {
        let sql = format!(
            "SELECT id, learner_id, pack_id, sim_id, started_at, finished_at, hints, accuracy, efficiency, score, minutes
             FROM simulation_runs WHERE {clause} ORDER BY started_at, id"
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let rows = stmt.query_map([arg], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<f64>>(7)?,
                r.get::<_, Option<f64>>(8)?,
                r.get::<_, Option<f64>>(9)?,
                r.get::<_, Option<f64>>(10)?,
            ))
        })?;
        rows.map(|r| {
            let (id, learner_id, pack_id, sim_id, started, finished, hints, accuracy, efficiency, score, minutes) = r?;
            Ok(SimRunRow {
                id,
                learner_id,
                pack_id,
                sim_id,
                started_at: parse_ts(&started)?,
                finished_at: opt_ts(finished)?,
                hints: serde_json::from_str(&hints).unwrap_or_default(),
                accuracy,
                efficiency,
                score,
                minutes,
            })
        })
        .collect()
    }

    pub fn simulation_run(&self, run_id: i64) -> Result<SimRunRow> {
        self.sim_runs_where("id = ?1", run_id)?.pop().or_not_found("simulation run", run_id)
    }

    pub fn simulation_runs(&self, learner_id: i64) -> Result<Vec<SimRunRow>> {
        self.sim_runs_where("learner_id = ?1", learner_id)
    }

    /// Records that the hint of `step` was shown (once per step).
    pub fn add_simulation_hint(&self, run_id: i64, step: &str) -> Result<Vec<String>> {
        let mut run = self.simulation_run(run_id)?;
        if !run.hints.iter().any(|h| h == step) {
            run.hints.push(step.to_string());
            self.0
                .prepare_cached("UPDATE simulation_runs SET hints = ?2 WHERE id = ?1")?
                .execute(params![run_id, serde_json::to_string(&run.hints).unwrap_or_default()])?;
        }
        Ok(run.hints)
    }

    pub fn finish_simulation_run(
        &self,
        run_id: i64,
        finished_at: DateTime<Utc>,
        accuracy: f64,
        efficiency: f64,
        score: f64,
        minutes: f64,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "UPDATE simulation_runs SET finished_at = ?2, accuracy = ?3, efficiency = ?4, score = ?5, minutes = ?6
                 WHERE id = ?1",
            )?
            .execute(params![run_id, ts(finished_at), accuracy, efficiency, score, minutes])?;
        Ok(())
    }

    /// A study session (a method used on a KP) as an event; idempotent by key.
    #[allow(clippy::too_many_arguments)]
    pub fn record_study_session(
        &self,
        learner_id: i64,
        key: &str,
        pack_id: &str,
        kp_id: &str,
        payload: &serde_json::Value,
        occurred_at: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
    ) -> Result<Recorded> {
        let n = self
            .0
            .prepare_cached(
                "INSERT INTO events (learner_id, idempotency_key, kind, occurred_at, recorded_at, pack_id, kp_id, payload)
                 VALUES (?1, ?2, 'study_session', ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (learner_id, idempotency_key) DO NOTHING",
            )?
            .execute(params![learner_id, key, ts(occurred_at), ts(recorded_at), pack_id, kp_id, payload.to_string()])?;
        if n == 1 {
            return Ok(Recorded::New(self.0.last_insert_rowid()));
        }
        let id: Option<i64> = self
            .0
            .prepare_cached("SELECT id FROM events WHERE learner_id = ?1 AND idempotency_key = ?2")?
            .query_row(params![learner_id, key], |r| r.get(0))
            .optional()?;
        Ok(Recorded::Duplicate(id.unwrap_or_default()))
    }

    pub fn study_sessions(&self, learner_id: i64) -> Result<Vec<StudySessionRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, kp_id, occurred_at, payload FROM events
             WHERE learner_id = ?1 AND kind = 'study_session' ORDER BY occurred_at, id",
        )?;
        let rows = stmt.query_map([learner_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        rows.map(|r| {
            let (id, kp_id, at, payload) = r?;
            Ok(StudySessionRow {
                id,
                kp_id,
                occurred_at: parse_ts(&at)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
    }

    /// Stores a piece of feedback. A second dispute of the same attempt is `Duplicate`.
    pub fn add_feedback(&self, f: &NewFeedback<'_>) -> Result<Recorded> {
        if f.kind == "dispute" {
            if let Some(attempt) = f.attempt_id {
                let existing: Option<i64> = self
                    .0
                    .prepare_cached("SELECT id FROM feedback WHERE attempt_id = ?1 AND kind = 'dispute'")?
                    .query_row([attempt], |r| r.get(0))
                    .optional()?;
                if let Some(id) = existing {
                    return Ok(Recorded::Duplicate(id));
                }
            }
        }
        self.0
            .prepare_cached(
                "INSERT INTO feedback (learner_id, kind, pack_id, target, target_id, attempt_id, rating, comment, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                f.learner_id,
                f.kind,
                f.pack_id,
                f.target,
                f.target_id,
                f.attempt_id,
                f.rating,
                f.comment,
                ts(f.now)
            ])?;
        Ok(Recorded::New(self.0.last_insert_rowid()))
    }

    fn feedback_where(&self, clause: &str, arg: &dyn rusqlite::ToSql) -> Result<Vec<FeedbackRow>> {
        let sql = format!(
            "SELECT id, learner_id, kind, target, target_id, attempt_id, rating, comment, created_at
             FROM feedback WHERE {clause} ORDER BY created_at, id"
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let rows = stmt.query_map([arg], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Option<u8>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|r| {
            let (id, learner_id, kind, target, target_id, attempt_id, rating, comment, at) = r?;
            Ok(FeedbackRow {
                id,
                learner_id,
                kind,
                target,
                target_id,
                attempt_id,
                rating,
                comment,
                created_at: parse_ts(&at)?,
            })
        })
        .collect()
    }

    pub fn feedback_for_pack(&self, pack_id: &str) -> Result<Vec<FeedbackRow>> {
        self.feedback_where("pack_id = ?1", &pack_id)
    }

    pub fn feedback_of_learner(&self, learner_id: i64) -> Result<Vec<FeedbackRow>> {
        self.feedback_where("learner_id = ?1", &learner_id)
    }

    /// Every attempt at the pack's items, by every learner, oldest first.
    pub fn pack_attempts(&self, pack_id: &str) -> Result<Vec<PackAttemptRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, learner_id, item_id, score, payload, occurred_at FROM events
             WHERE kind = 'attempt' AND pack_id = ?1 ORDER BY occurred_at, id",
        )?;
        let rows = stmt.query_map([pack_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|r| {
            let (id, learner_id, item_id, score, payload, at) = r?;
            Ok(PackAttemptRow {
                id,
                learner_id,
                item_id,
                score,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                occurred_at: parse_ts(&at)?,
            })
        })
        .collect()
    }

    /// Creates a group task with its members and their roles.
    pub fn create_group_task(
        &self,
        pack_id: &str,
        kp_id: &str,
        title: &str,
        members: &[(i64, &str)],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.0
            .prepare_cached("INSERT INTO group_tasks (pack_id, kp_id, title, created_at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![pack_id, kp_id, title, ts(now)])?;
        let id = self.0.last_insert_rowid();
        for (learner, role) in members {
            self.learner(*learner)?;
            self.0
                .prepare_cached("INSERT INTO group_members (task_id, learner_id, role) VALUES (?1, ?2, ?3)")?
                .execute(params![id, learner, role])?;
        }
        Ok(id)
    }

    pub fn group_task(&self, task_id: i64) -> Result<GroupTaskRow> {
        let (pack_id, kp_id, title, at): (String, String, String, String) = self
            .0
            .prepare_cached("SELECT pack_id, kp_id, title, created_at FROM group_tasks WHERE id = ?1")?
            .query_row([task_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?
            .or_not_found("group task", task_id)?;
        let mut stmt = self.0.prepare_cached(
            "SELECT m.learner_id, l.name, m.role, m.contribution, m.submitted_at
             FROM group_members m JOIN learners l ON l.id = m.learner_id WHERE m.task_id = ?1 ORDER BY l.name, l.id",
        )?;
        let members = stmt
            .query_map([task_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .map(|r| {
                let (learner_id, name, role, contribution, submitted) = r?;
                Ok(GroupMemberRow { learner_id, name, role, contribution, submitted_at: opt_ts(submitted)? })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(GroupTaskRow { id: task_id, pack_id, kp_id, title, created_at: parse_ts(&at)?, members })
    }

    /// The group tasks a learner belongs to, newest first.
    pub fn group_tasks_of(&self, learner_id: i64) -> Result<Vec<GroupTaskRow>> {
        let ids: Vec<i64> = self
            .0
            .prepare_cached(
                "SELECT t.id FROM group_tasks t JOIN group_members m ON m.task_id = t.id
                 WHERE m.learner_id = ?1 ORDER BY t.created_at DESC, t.id DESC",
            )?
            .query_map([learner_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter().map(|id| self.group_task(id)).collect()
    }

    /// Hands in (or replaces) a member's part. Returns false when the learner is not a member.
    pub fn submit_contribution(&self, task_id: i64, learner_id: i64, text: &str, now: DateTime<Utc>) -> Result<bool> {
        let n = self
            .0
            .prepare_cached(
                "UPDATE group_members SET contribution = ?3, submitted_at = ?4 WHERE task_id = ?1 AND learner_id = ?2",
            )?
            .execute(params![task_id, learner_id, text, ts(now)])?;
        Ok(n == 1)
    }

    /// Stores (or replaces) a peer review.
    pub fn put_peer_review(&self, r: &PeerReviewRow) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO peer_reviews (task_id, reviewer_id, reviewee_id, contribution, quality, communication, comment, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (task_id, reviewer_id, reviewee_id) DO UPDATE SET
                   contribution = excluded.contribution, quality = excluded.quality,
                   communication = excluded.communication, comment = excluded.comment, created_at = excluded.created_at",
            )?
            .execute(params![
                r.task_id,
                r.reviewer_id,
                r.reviewee_id,
                r.contribution,
                r.quality,
                r.communication,
                r.comment,
                ts(r.created_at)
            ])?;
        Ok(())
    }

    pub fn peer_reviews(&self, task_id: i64) -> Result<Vec<PeerReviewRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT task_id, reviewer_id, reviewee_id, contribution, quality, communication, comment, created_at
             FROM peer_reviews WHERE task_id = ?1 ORDER BY created_at",
        )?;
        let rows = stmt.query_map([task_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, u8>(3)?,
                r.get::<_, u8>(4)?,
                r.get::<_, u8>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        rows.map(|r| {
            let (task_id, reviewer_id, reviewee_id, contribution, quality, communication, comment, at) = r?;
            Ok(PeerReviewRow {
                task_id,
                reviewer_id,
                reviewee_id,
                contribution,
                quality,
                communication,
                comment,
                created_at: parse_ts(&at)?,
            })
        })
        .collect()
    }
}
