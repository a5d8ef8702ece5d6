//! Schema v6: the learner's own words — notes on lessons and questions asked (issue #15).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::error::OrNotFound;
use crate::{parse_ts, ts, Db, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub id: i64,
    pub learner_id: i64,
    pub pack_id: String,
    pub kp_id: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewQuestion<'a> {
    pub learner_id: i64,
    pub pack_id: &'a str,
    pub kp_scope: Option<&'a str>,
    pub text: &'a str,
    pub lang: &'a str,
    pub covered: bool,
    /// JSON array of the passages shown.
    pub passages: serde_json::Value,
    pub kp_id: Option<&'a str>,
    pub answer: Option<&'a str>,
    pub withheld: Option<&'a str>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRow {
    pub id: i64,
    pub learner_id: i64,
    pub pack_id: String,
    pub kp_scope: Option<String>,
    pub text: String,
    pub lang: String,
    pub covered: bool,
    pub passages: serde_json::Value,
    pub kp_id: Option<String>,
    pub answer: Option<String>,
    pub withheld: Option<String>,
    pub helpful: Option<bool>,
    pub asked_at: DateTime<Utc>,
}

const NOTE_COLUMNS: &str = "id, learner_id, pack_id, kp_id, body, created_at, updated_at";
const QUESTION_COLUMNS: &str =
    "id, learner_id, pack_id, kp_scope, text, lang, covered, passages, kp_id, answer, withheld, helpful, asked_at";

fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(NoteRow, String, String)> {
    Ok((
        NoteRow {
            id: r.get(0)?,
            learner_id: r.get(1)?,
            pack_id: r.get(2)?,
            kp_id: r.get(3)?,
            body: r.get(4)?,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        },
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish_note((mut n, c, u): (NoteRow, String, String)) -> Result<NoteRow> {
    n.created_at = parse_ts(&c)?;
    n.updated_at = parse_ts(&u)?;
    Ok(n)
}

impl Db<'_> {
    pub fn insert_note(
        &self,
        learner_id: i64,
        pack_id: &str,
        kp_id: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO notes (learner_id, pack_id, kp_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![learner_id, pack_id, kp_id, body, ts(now)])?;
        Ok(self.0.last_insert_rowid())
    }

    /// Changes a note's text; `NotFound` when the learner has no such note.
    pub fn update_note(&self, learner_id: i64, note_id: i64, body: &str, now: DateTime<Utc>) -> Result<()> {
        let n = self
            .0
            .prepare_cached("UPDATE notes SET body = ?1, updated_at = ?2 WHERE id = ?3 AND learner_id = ?4")?
            .execute(params![body, ts(now), note_id, learner_id])?;
        (n == 1).then_some(()).or_not_found("note", note_id)
    }

    /// Deletes a note; `NotFound` when the learner has no such note.
    pub fn delete_note(&self, learner_id: i64, note_id: i64) -> Result<()> {
        let n = self
            .0
            .prepare_cached("DELETE FROM notes WHERE id = ?1 AND learner_id = ?2")?
            .execute(params![note_id, learner_id])?;
        (n == 1).then_some(()).or_not_found("note", note_id)
    }

    pub fn note(&self, learner_id: i64, note_id: i64) -> Result<NoteRow> {
        let row = self
            .0
            .prepare_cached(&format!("SELECT {NOTE_COLUMNS} FROM notes WHERE id = ?1 AND learner_id = ?2"))?
            .query_row(params![note_id, learner_id], note_row)
            .optional()?
            .or_not_found("note", note_id)?;
        finish_note(row)
    }

    /// A learner's notes, newest change first: all of them, or one KP's, or those whose text
    /// contains `search` (case-insensitive for Latin letters).
    pub fn notes(&self, learner_id: i64, kp_id: Option<&str>, search: Option<&str>) -> Result<Vec<NoteRow>> {
        let pattern = search.map(|s| format!("%{}%", s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT {NOTE_COLUMNS} FROM notes WHERE learner_id = ?1 AND (?2 IS NULL OR kp_id = ?2)
             AND (?3 IS NULL OR body LIKE ?3 ESCAPE '\\') ORDER BY updated_at DESC, id DESC"
        ))?;
        let rows =
            stmt.query_map(params![learner_id, kp_id, pattern], note_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish_note).collect()
    }

    pub fn insert_question(&self, q: &NewQuestion<'_>) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO questions (learner_id, pack_id, kp_scope, text, lang, covered, passages, kp_id, answer, withheld, asked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                q.learner_id,
                q.pack_id,
                q.kp_scope,
                q.text,
                q.lang,
                q.covered,
                q.passages.to_string(),
                q.kp_id,
                q.answer,
                q.withheld,
                ts(q.now)
            ])?;
        Ok(self.0.last_insert_rowid())
    }

    /// Records the model's answer (or why it was withheld) once it is written.
    pub fn set_question_answer(
        &self,
        learner_id: i64,
        id: i64,
        answer: Option<&str>,
        withheld: Option<&str>,
    ) -> Result<()> {
        let n = self
            .0
            .prepare_cached("UPDATE questions SET answer = ?1, withheld = ?2 WHERE id = ?3 AND learner_id = ?4")?
            .execute(params![answer, withheld, id, learner_id])?;
        (n == 1).then_some(()).or_not_found("question", id)
    }

    /// Whether the learner found the answer helpful.
    pub fn set_question_helpful(&self, learner_id: i64, id: i64, helpful: bool) -> Result<()> {
        let n = self
            .0
            .prepare_cached("UPDATE questions SET helpful = ?1 WHERE id = ?2 AND learner_id = ?3")?
            .execute(params![helpful, id, learner_id])?;
        (n == 1).then_some(()).or_not_found("question", id)
    }

    /// A learner's questions, newest first.
    pub fn questions(&self, learner_id: i64) -> Result<Vec<QuestionRow>> {
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT {QUESTION_COLUMNS} FROM questions WHERE learner_id = ?1 ORDER BY asked_at DESC, id DESC"
        ))?;
        let rows = stmt
            .query_map([learner_id], |r| {
                Ok((
                    QuestionRow {
                        id: r.get(0)?,
                        learner_id: r.get(1)?,
                        pack_id: r.get(2)?,
                        kp_scope: r.get(3)?,
                        text: r.get(4)?,
                        lang: r.get(5)?,
                        covered: r.get(6)?,
                        passages: serde_json::Value::Null,
                        kp_id: r.get(8)?,
                        answer: r.get(9)?,
                        withheld: r.get(10)?,
                        helpful: r.get(11)?,
                        asked_at: DateTime::<Utc>::MIN_UTC,
                    },
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(12)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut q, passages, at)| {
                q.passages = serde_json::from_str(&passages)
                    .map_err(|_| crate::StoreError::BadValue { what: "question passages", value: passages })?;
                q.asked_at = parse_ts(&at)?;
                Ok(q)
            })
            .collect()
    }
}
