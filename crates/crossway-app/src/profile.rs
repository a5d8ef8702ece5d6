//! The learner profile (F1–F3): background facts, goal and its requirements, behaviour — computed in
//! one place from the store and the pack — and the validated ingest of answers recorded elsewhere
//! (another device, an export), with every rejected record reported.

use chrono::{DateTime, Duration, Utc};
use crossway_core::LocalizedText;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, LearnerDto, Result};

/// Background facts a learner gives about themselves. All optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundDto {
    pub age_band: Option<String>,
    pub education: Option<String>,
    pub major: Option<String>,
    pub work_years: Option<u32>,
    #[serde(default)]
    pub languages: Vec<String>,
}

pub const AGE_BANDS: [&str; 5] = ["under-18", "18-24", "25-34", "35-44", "45+"];
pub const EDUCATION: [&str; 6] = ["secondary", "vocational", "bachelor", "master", "doctorate", "other"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileDto {
    pub learner: LearnerDto,
    pub background: BackgroundDto,
    /// What the learner confirmed from "describe yourself" (their words and the ids read from them).
    pub described: Option<crate::describe::DescribedDto>,
    pub goal: Option<GoalProfileDto>,
    pub behaviour: BehaviourDto,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalProfileDto {
    pub role: String,
    pub title: LocalizedText,
    pub requirements: Vec<RequirementDto>,
    /// Share of the role's requirements met now.
    pub readiness: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementDto {
    pub kp: String,
    pub title: LocalizedText,
    pub level: u8,
    pub target: f64,
    pub mastery: f64,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BehaviourDto {
    pub attempts: usize,
    pub correct_share: Option<f64>,
    pub knowledge_points_practised: usize,
    pub active_days_last_14: usize,
    pub last_active: Option<String>,
    /// Questions asked to the tutor, and of them those the course did not cover.
    pub questions_asked: usize,
    pub questions_not_covered: usize,
    /// The KPs asked about most, with how often (most first, at most 3).
    pub asked_most: Vec<(String, LocalizedText, usize)>,
    /// Notes written on lessons.
    pub notes: usize,
}

/// An answer recorded elsewhere, already scored.
#[derive(Debug, Clone, Deserialize)]
pub struct IncomingAttempt {
    pub idempotency_key: String,
    pub item_id: String,
    pub score: f64,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngestReport {
    pub accepted: usize,
    /// Already recorded (a replay or a double submission): nothing changed.
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    /// Position in the batch (0-based).
    pub index: usize,
    pub idempotency_key: String,
    pub reason: String,
}

/// How far in the future a device clock may run before its records are refused.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

impl App {
    /// Sets the learner's background facts after checking each one.
    pub fn set_background(&mut self, learner_id: i64, b: BackgroundDto) -> Result<BackgroundDto> {
        self.store.db().learner(learner_id)?;
        if let Some(a) = &b.age_band {
            if !AGE_BANDS.contains(&a.as_str()) {
                return Err(AppError::invalid(format!("age_band `{a}` is not one of {}", AGE_BANDS.join(", "))));
            }
        }
        if let Some(e) = &b.education {
            if !EDUCATION.contains(&e.as_str()) {
                return Err(AppError::invalid(format!("education `{e}` is not one of {}", EDUCATION.join(", "))));
            }
        }
        if b.work_years.is_some_and(|y| y > 50) {
            return Err(AppError::invalid("work_years must be between 0 and 50"));
        }
        if b.major.as_ref().is_some_and(|m| m.chars().count() > 80) {
            return Err(AppError::invalid("major must be at most 80 characters"));
        }
        if let Some(l) = b
            .languages
            .iter()
            .find(|l| l.is_empty() || l.len() > 12 || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(AppError::invalid(format!("language `{l}` is not a language tag such as en or zh-CN")));
        }
        let value = serde_json::to_value(&b).map_err(|e| AppError::invalid(e.to_string()))?;
        let now = self.now();
        self.store.transact(|db| db.set_profile_fact(learner_id, "background", &value, now))?;
        Ok(b)
    }

    /// The learner's profile, computed from every source in one place.
    pub fn profile(&self, learner_id: i64) -> Result<ProfileDto> {
        let learner = self.learner(learner_id)?;
        let db = self.store.db();
        let background = db
            .profile_facts(learner_id)?
            .into_iter()
            .find(|(k, _)| k == "background")
            .and_then(|(_, v)| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let mastery = self.mastery_map(learner_id)?;
        let pack = self.active_pack()?;
        let goal = learner.goal_role.as_deref().and_then(|r| pack.role(r)).map(|role| {
            let requirements: Vec<RequirementDto> = role
                .requires
                .iter()
                .map(|req| {
                    let p = mastery.get(&req.kp).map_or(self.params_for(&req.kp).p_init, |m| m.p);
                    let target = req.level.mastery_threshold();
                    RequirementDto {
                        kp: req.kp.clone(),
                        title: pack.kp(&req.kp).map(|k| k.title.clone()).unwrap_or_default(),
                        level: req.level.0,
                        target,
                        mastery: p,
                        met: p >= target,
                    }
                })
                .collect();
            let met = requirements.iter().filter(|r| r.met).count();
            GoalProfileDto {
                role: role.id.clone(),
                title: role.title.clone(),
                readiness: met as f64 / requirements.len().max(1) as f64,
                requirements,
            }
        });
        let attempts = db.attempts(learner_id)?;
        let now = self.now();
        let mut days: Vec<_> = attempts
            .iter()
            .filter(|a| now - a.occurred_at <= Duration::days(14))
            .map(|a| a.occurred_at.date_naive())
            .collect();
        days.sort();
        days.dedup();
        let mut kps: Vec<&str> = attempts.iter().map(|a| a.kp_id.as_str()).collect();
        kps.sort_unstable();
        kps.dedup();
        let questions = db.questions(learner_id)?;
        let mut asked: std::collections::BTreeMap<&str, usize> = Default::default();
        for kp in questions.iter().filter_map(|q| q.kp_id.as_deref()) {
            *asked.entry(kp).or_default() += 1;
        }
        let mut asked_most: Vec<(String, LocalizedText, usize)> = asked
            .into_iter()
            .map(|(kp, n)| {
                let title = self.active_pack().ok().and_then(|p| p.kp(kp)).map(|k| k.title.clone()).unwrap_or_default();
                (kp.to_string(), title, n)
            })
            .collect();
        asked_most.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        asked_most.truncate(3);
        let behaviour = BehaviourDto {
            attempts: attempts.len(),
            correct_share: (!attempts.is_empty())
                .then(|| attempts.iter().filter(|a| a.score >= 0.5).count() as f64 / attempts.len() as f64),
            knowledge_points_practised: kps.len(),
            active_days_last_14: days.len(),
            last_active: attempts.last().map(|a| a.occurred_at.to_rfc3339()),
            questions_asked: questions.len(),
            questions_not_covered: questions.iter().filter(|q| !q.covered).count(),
            asked_most,
            notes: db.notes(learner_id, None, None)?.len(),
        };
        let described = self.described(learner_id)?.map(|d| crate::describe::described_dto(&pack.vocabulary, d));
        Ok(ProfileDto { learner, background, described, goal, behaviour })
    }

    /// Takes in answers recorded elsewhere: each is checked (key, item, score range, clock skew,
    /// not before the learner existed), replays are recognised, and every refusal is reported with
    /// its reason. Accepted answers update mastery and reviews in the order they happened.
    pub fn ingest_attempts(&mut self, learner_id: i64, batch: Vec<IncomingAttempt>) -> Result<IngestReport> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?.clone();
        let now = self.now();
        let mut report = IngestReport { accepted: 0, duplicates: 0, rejected: Vec::new() };
        let mut seen = std::collections::HashSet::new();
        let mut valid = Vec::new();
        for (index, a) in batch.into_iter().enumerate() {
            let key = a.idempotency_key.trim().to_string();
            let reason = if key.is_empty() || key.len() > 128 {
                Some("idempotency_key must be 1 to 128 characters".to_string())
            } else if !a.score.is_finite() || !(0.0..=1.0).contains(&a.score) {
                Some(format!("score {} is outside 0..=1", a.score))
            } else if pack.item(&a.item_id).is_none() {
                Some(format!("unknown item `{}`", a.item_id))
            } else if a.occurred_at > now + CLOCK_SKEW {
                Some(format!("occurred_at {} is in the future (device clock ahead?)", a.occurred_at.to_rfc3339()))
            } else if a.occurred_at < learner.created_at - CLOCK_SKEW {
                Some(format!("occurred_at {} is before the learner was created", a.occurred_at.to_rfc3339()))
            } else {
                None
            };
            if let Some(reason) = reason {
                report.rejected.push(Rejected { index, idempotency_key: key, reason });
                continue;
            }
            if !seen.insert(key.clone()) {
                report.duplicates += 1;
                continue;
            }
            valid.push((key, a));
        }
        valid.sort_by_key(|(_, a)| a.occurred_at);
        for (key, a) in valid {
            let Some(item) = pack.item(&a.item_id) else { continue };
            let payload = serde_json::json!({ "ingested": true });
            let (recorded, _, _) =
                self.record_scored(learner_id, &pack.manifest.id, item, &key, a.score, &payload, a.occurred_at)?;
            match recorded {
                crossway_store::Recorded::New(_) => report.accepted += 1,
                crossway_store::Recorded::Duplicate(_) => report.duplicates += 1,
            }
        }
        Ok(report)
    }
}
