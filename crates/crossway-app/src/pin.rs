//! An optional PIN per learner profile: on a shared computer (a classroom install, a family
//! laptop) it keeps others out of a learner's profile in the window. It is a lock on the door,
//! not encryption: the database file itself is readable by whoever can read the user's files.
//! Stored as a salted, iterated SHA-256 in the learner's profile facts.

use sha2::{Digest, Sha256};

use crate::{App, AppError, Result};

const ITERATIONS: u32 = 20_000;
const KEY: &str = "pin";

fn hash(salt: &str, pin: &str) -> String {
    let mut h = Sha256::digest(format!("{salt}:{pin}").as_bytes());
    for _ in 0..ITERATIONS {
        h = Sha256::digest(h);
    }
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn valid(pin: &str) -> Result<()> {
    if (4..=8).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AppError::invalid("a PIN is 4 to 8 digits"))
    }
}

impl App {
    fn stored_pin(&self, learner_id: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .store
            .db()
            .profile_facts(learner_id)?
            .into_iter()
            .find(|(k, _)| k == KEY)
            .and_then(|(_, v)| Some((v.get("salt")?.as_str()?.to_string(), v.get("hash")?.as_str()?.to_string()))))
    }

    pub fn has_pin(&self, learner_id: i64) -> Result<bool> {
        Ok(self.stored_pin(learner_id)?.is_some())
    }

    /// True when `pin` opens the profile (always true for a profile without a PIN).
    pub fn check_pin(&self, learner_id: i64, pin: &str) -> Result<bool> {
        self.store.db().learner(learner_id)?;
        Ok(match self.stored_pin(learner_id)? {
            None => true,
            Some((salt, h)) => hash(&salt, pin.trim()) == h,
        })
    }

    /// Sets, changes or removes (`new: None`) the PIN; a profile that has one needs it first.
    pub fn set_pin(&mut self, learner_id: i64, current: Option<&str>, new: Option<&str>) -> Result<bool> {
        if !self.check_pin(learner_id, current.unwrap_or_default())? {
            return Err(AppError::invalid("the current PIN is not right"));
        }
        let now = self.now();
        match new.map(str::trim) {
            Some(pin) => {
                valid(pin)?;
                let salt = format!("{learner_id}-{}", now.timestamp_nanos_opt().unwrap_or_default());
                let value = serde_json::json!({ "salt": salt, "hash": hash(&salt, pin) });
                self.store.transact(|db| db.set_profile_fact(learner_id, KEY, &value, now))?;
                Ok(true)
            }
            None => {
                self.store.transact(|db| db.delete_profile_fact(learner_id, KEY))?;
                Ok(false)
            }
        }
    }
}
