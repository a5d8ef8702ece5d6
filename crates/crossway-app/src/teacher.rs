//! The teacher of a classroom install (issue #18): one profile per install with its own PIN
//! (Argon2id, a random salt, the same growing wait after wrong tries as a learner's PIN, kept in
//! the database). An unlocked teacher may install and update packs, create group tasks, keep
//! classes and open the class view — and nothing else: no use-case here or in `class.rs` returns a
//! learner's answers, notes or questions, and a teacher is not a learner, so no learner command
//! accepts it. Once an install has a teacher, installing a pack and creating a group task need
//! the teacher unlocked.

use serde::Serialize;

use crate::pin::{phc, still_waiting, valid, verify};
use crate::{App, AppError, ErrorCode, Result};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherDto {
    pub name: String,
    /// Unlocked in this session.
    pub unlocked: bool,
}

impl App {
    /// The install's teacher profile, if one was made.
    pub fn teacher(&self) -> Result<Option<TeacherDto>> {
        Ok(self.store.db().teacher()?.map(|t| TeacherDto { name: t.name, unlocked: self.teacher_unlocked }))
    }

    /// Makes the install's teacher profile (one per install) and unlocks it.
    pub fn create_teacher(&mut self, name: &str, pin: &str) -> Result<TeacherDto> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(AppError::invalid("a teacher's name is 1 to 80 characters"));
        }
        valid(pin.trim())?;
        if self.store.db().teacher()?.is_some() {
            return Err(AppError::invalid("this install has a teacher profile already: unlock it with its PIN"));
        }
        let hash = phc(pin.trim())?;
        let now = self.now();
        self.store.transact(|db| db.insert_teacher(name, &hash, now))?;
        self.teacher_unlocked = true;
        Ok(TeacherDto { name: name.to_string(), unlocked: true })
    }

    /// True when `pin` is the teacher's; the right PIN unlocks the teacher in this `App`. After
    /// three wrong PINs each try must wait (`PinWait`), as for a learner's PIN.
    pub fn unlock_teacher(&mut self, pin: &str) -> Result<bool> {
        let t = self.store.db().teacher()?.ok_or_else(|| AppError::not_found("teacher profile", "this install"))?;
        let now = self.now();
        if let Some(e) = still_waiting(t.failures, t.last_failure, now) {
            return Err(e);
        }
        let right = verify(&t.pin, pin.trim());
        if right {
            self.store.transact(|db| db.set_teacher_failures(t.id, 0, None))?;
        } else {
            self.store.transact(|db| db.set_teacher_failures(t.id, t.failures + 1, Some(now)))?;
        }
        self.teacher_unlocked = right;
        Ok(right)
    }

    pub fn lock_teacher(&mut self) {
        self.teacher_unlocked = false;
    }

    /// Refuses a teacher's action unless the teacher is unlocked in this session.
    pub fn require_teacher(&self) -> Result<()> {
        if self.store.db().teacher()?.is_none() {
            return Err(AppError::new(
                ErrorCode::TeacherOnly,
                "only a teacher can do this: make a teacher profile in Settings → Classroom first",
            ));
        }
        if !self.teacher_unlocked {
            return Err(AppError::new(
                ErrorCode::TeacherOnly,
                "only a teacher can do this: unlock the teacher profile with its PIN",
            ));
        }
        Ok(())
    }

    /// On an install with a teacher, the teacher's actions (packs, group tasks) need the teacher;
    /// without one, anybody on the install may do them, as before.
    pub(crate) fn require_teacher_if_any(&self) -> Result<()> {
        if self.store.db().teacher()?.is_some() {
            self.require_teacher()
        } else {
            Ok(())
        }
    }
}
