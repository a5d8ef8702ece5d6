//! A learner's notes on lessons (issue #15): Markdown written beside a lesson, shown rendered
//! through the same sanitizer as pack Markdown, listed and searched in "My notes", edited and
//! deleted. Notes count as self-directed study in the attitude indicator (`assessment.rs`).

use serde::Serialize;

use crate::{App, AppError, Result};

/// The longest note accepted (characters).
pub const NOTE_MAX_CHARS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteDto {
    pub id: i64,
    pub kp: String,
    pub kp_title: crossway_core::LocalizedText,
    /// What the learner wrote (Markdown).
    pub body: String,
    /// The same, rendered and sanitized.
    pub html: String,
    pub created_at: String,
    pub updated_at: String,
}

fn check_body(body: &str) -> Result<&str> {
    let b = body.trim();
    if b.is_empty() {
        return Err(AppError::invalid("the note is empty: write something, or delete the note"));
    }
    if b.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::invalid(format!(
            "the note is longer than {NOTE_MAX_CHARS} characters: split it into several notes"
        )));
    }
    Ok(b)
}

impl App {
    fn note_dto(&self, n: crossway_store::NoteRow) -> NoteDto {
        let kp_title =
            self.active_pack().ok().and_then(|p| p.kp(&n.kp_id)).map(|k| k.title.clone()).unwrap_or_default();
        NoteDto {
            id: n.id,
            html: crossway_content::render_markdown(&n.body),
            kp: n.kp_id,
            kp_title,
            body: n.body,
            created_at: n.created_at.to_rfc3339(),
            updated_at: n.updated_at.to_rfc3339(),
        }
    }

    /// Adds a note to a lesson.
    pub fn add_note(&mut self, learner_id: i64, kp_id: &str, body: &str) -> Result<NoteDto> {
        self.store.db().learner(learner_id)?;
        let body = check_body(body)?;
        let pack = self.active_pack()?.clone();
        pack.kp(kp_id).ok_or_else(|| AppError::not_found("knowledge point", kp_id))?;
        let now = self.now();
        let id = self.store.transact(|db| db.insert_note(learner_id, &pack.manifest.id, kp_id, body, now))?;
        Ok(self.note_dto(self.store.db().note(learner_id, id)?))
    }

    /// Changes a note's text.
    pub fn edit_note(&mut self, learner_id: i64, note_id: i64, body: &str) -> Result<NoteDto> {
        let body = check_body(body)?;
        let now = self.now();
        self.store.transact(|db| db.update_note(learner_id, note_id, body, now))?;
        Ok(self.note_dto(self.store.db().note(learner_id, note_id)?))
    }

    pub fn delete_note(&mut self, learner_id: i64, note_id: i64) -> Result<()> {
        self.store.transact(|db| db.delete_note(learner_id, note_id))?;
        Ok(())
    }

    /// The learner's notes, newest change first: on one lesson (`kp`), or matching `search`, or all.
    pub fn notes(&self, learner_id: i64, kp: Option<&str>, search: Option<&str>) -> Result<Vec<NoteDto>> {
        self.store.db().learner(learner_id)?;
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        Ok(self.store.db().notes(learner_id, kp, search)?.into_iter().map(|n| self.note_dto(n)).collect())
    }
}
