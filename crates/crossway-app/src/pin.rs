//! An optional PIN per learner profile: on a shared computer (a classroom install, a family
//! laptop) it keeps others out of a learner's profile in the window. It is a lock on the door,
//! not encryption: the database file itself is readable by whoever can read the user's files.
//!
//! Stored as an Argon2id PHC string (the RustCrypto `argon2` crate, its default parameters, a
//! random salt from the OS) in the learner's profile facts; compared in constant time (the crate's
//! verifier). Profiles whose PIN was stored by an earlier build (iterated SHA-256 with a salt of
//! learner id and time) are still opened, compared in constant time, and re-stored as Argon2id on
//! the first right PIN. After [`FREE_ATTEMPTS`] wrong PINs each further try must wait twice as
//! long as the one before (2 s, 4 s, … up to 5 minutes), kept in the database so a restart does
//! not reset it. A profile with a PIN is *unlocked* in this `App` by the right PIN (or by setting
//! one) and locked again by [`App::lock_learner`]; the desktop checks
//! [`App::require_unlocked`] before every command on that learner's data (issue #19).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result};

const KEY: &str = "pin";
const FAILURES: &str = "pin_failures";
/// Wrong PINs allowed before the waiting starts.
pub const FREE_ATTEMPTS: u32 = 3;
const MAX_WAIT_SECS: i64 = 300;

/// The hash of an earlier build: SHA-256 of `salt:pin`, hashed again 20,000 times.
fn legacy_hash(salt: &str, pin: &str) -> Vec<u8> {
    let mut h = Sha256::digest(format!("{salt}:{pin}").as_bytes());
    for _ in 0..20_000 {
        h = Sha256::digest(h);
    }
    h.to_vec()
}

/// Equal bytes, in a time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn valid(pin: &str) -> Result<()> {
    if (4..=8).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AppError::invalid("a PIN is 4 to 8 digits"))
    }
}

pub(crate) fn phc(pin: &str) -> Result<String> {
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::new(crate::ErrorCode::Internal, format!("cannot hash the PIN: {e}")))
}

/// True when `pin` matches an Argon2id PHC string (constant-time, the crate's verifier).
pub(crate) fn verify(stored: &str, pin: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

/// How a PIN is stored.
enum Stored {
    Argon2(String),
    Legacy { salt: String, hash: String },
}

/// Seconds to wait after `failures` wrong PINs, counted from the last one.
pub fn wait_after(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        0
    } else {
        (1i64 << (failures - FREE_ATTEMPTS + 1).min(9)).min(MAX_WAIT_SECS)
    }
}

/// The refusal of a PIN try made before the wait after `failures` wrong PINs (the last at
/// `last`) is over; `None` when a try may be made now.
pub(crate) fn still_waiting(failures: u32, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<AppError> {
    let left = wait_after(failures) - (now - last?).num_seconds();
    (left > 0).then(|| {
        let mut e = AppError::new(
            crate::ErrorCode::PinWait,
            format!("{failures} wrong PINs in a row: wait {left} s before the next try"),
        );
        e.details = vec![left.to_string()];
        e
    })
}

impl App {
    fn stored_pin(&self, learner_id: i64) -> Result<Option<Stored>> {
        let fact = self.store.db().profile_facts(learner_id)?.into_iter().find(|(k, _)| k == KEY).map(|(_, v)| v);
        Ok(fact.and_then(|v| {
            if let Some(p) = v.get("phc").and_then(|p| p.as_str()) {
                return Some(Stored::Argon2(p.to_string()));
            }
            let salt = v.get("salt")?.as_str()?.to_string();
            let hash = v.get("hash")?.as_str()?.to_string();
            Some(Stored::Legacy { salt, hash })
        }))
    }

    fn pin_failures(&self, learner_id: i64) -> Result<(u32, Option<DateTime<Utc>>)> {
        let fact = self.store.db().profile_facts(learner_id)?.into_iter().find(|(k, _)| k == FAILURES).map(|(_, v)| v);
        Ok(fact.map_or((0, None), |v| {
            let n = v.get("count").and_then(|c| c.as_u64()).unwrap_or(0) as u32;
            let last = v.get("last").and_then(|t| t.as_str()).and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            (n, last.map(|t| t.with_timezone(&Utc)))
        }))
    }

    pub fn has_pin(&self, learner_id: i64) -> Result<bool> {
        Ok(self.stored_pin(learner_id)?.is_some())
    }

    /// True when `pin` opens the profile (always true for a profile without a PIN); the right PIN
    /// unlocks the profile in this `App`. After [`FREE_ATTEMPTS`] wrong PINs, a try before the
    /// waiting time is over is refused without being checked.
    pub fn check_pin(&mut self, learner_id: i64, pin: &str) -> Result<bool> {
        self.store.db().learner(learner_id)?;
        let Some(stored) = self.stored_pin(learner_id)? else {
            return Ok(true);
        };
        let now = self.now();
        let (failures, last) = self.pin_failures(learner_id)?;
        if let Some(e) = still_waiting(failures, last, now) {
            return Err(e);
        }
        let pin = pin.trim();
        let right = match &stored {
            Stored::Argon2(p) => verify(p, pin),
            Stored::Legacy { salt, hash } => constant_time_eq(hex(&legacy_hash(salt, pin)).as_bytes(), hash.as_bytes()),
        };
        if right {
            let upgrade = matches!(stored, Stored::Legacy { .. }).then(|| phc(pin)).transpose()?;
            self.store.transact(|db| -> Result<()> {
                db.delete_profile_fact(learner_id, FAILURES)?;
                if let Some(p) = &upgrade {
                    db.set_profile_fact(learner_id, KEY, &serde_json::json!({ "phc": p }), now)?;
                }
                Ok(())
            })?;
            self.unlocked.insert(learner_id);
        } else {
            let value = serde_json::json!({ "count": failures + 1, "last": now.to_rfc3339() });
            self.store.transact(|db| db.set_profile_fact(learner_id, FAILURES, &value, now))?;
            self.unlocked.remove(&learner_id);
        }
        Ok(right)
    }

    /// Refuses a command on the data of a learner whose profile has a PIN that was not given in
    /// this session (the desktop calls it before every such command).
    pub fn require_unlocked(&self, learner_id: i64) -> Result<()> {
        if self.unlocked.contains(&learner_id) || !self.has_pin(learner_id)? {
            Ok(())
        } else {
            Err(AppError::new(
                crate::ErrorCode::ProfileLocked,
                "this profile is locked with a PIN: open it from the profile list with its PIN",
            ))
        }
    }

    /// Locks a profile again (switching learner in the window).
    pub fn lock_learner(&mut self, learner_id: i64) {
        self.unlocked.remove(&learner_id);
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
                let value = serde_json::json!({ "phc": phc(pin)? });
                self.store.transact(|db| db.set_profile_fact(learner_id, KEY, &value, now))?;
                self.unlocked.insert(learner_id);
                Ok(true)
            }
            None => {
                self.store.transact(|db| db.delete_profile_fact(learner_id, KEY))?;
                Ok(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_attempts_and_is_capped() {
        let waits: Vec<i64> = (0..12).map(wait_after).collect();
        assert_eq!(&waits[..6], &[0, 0, 0, 2, 4, 8]);
        assert_eq!(*waits.last().unwrap(), MAX_WAIT_SECS);
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"abcd", b"abcd"));
        assert!(!constant_time_eq(b"abcd", b"abce"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
