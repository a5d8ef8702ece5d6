//! Study sessions, the method blend (F10, F11) and the four assessment indicators (F13), computed
//! from the learner's recorded events by the pure functions in crossway-core.

use chrono::Duration;
use crossway_core::indicators::{self, AnswerEvidence, Evidence, Indicator, RunEvidence, StudyEvidence, TeamEvidence};
use crossway_core::methods::{self, Blend, Method, MethodSession};
use crossway_core::LocalizedText;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Result};

/// Time spent with one method on a KP (reading its lesson, its worked example, its discussion
/// prompt, its workshop card), reported by the window when the learner leaves it.
#[derive(Debug, Clone, Deserialize)]
pub struct StudySessionDto {
    pub kp: String,
    pub method: String,
    pub seconds: f64,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlendDto {
    #[serde(flatten)]
    pub blend: Blend,
    pub preferred: Vec<Method>,
    /// Sessions measured so far (a session counts once practice followed it).
    pub measured_sessions: usize,
}

/// Answers shorter than this are not a study session (a tab opened by mistake).
const MIN_SESSION_SECONDS: f64 = 20.0;
/// Answers on a KP that close a study session: its gain is read after them.
const ANSWERS_PER_SESSION: usize = 3;

impl App {
    pub fn record_study(&mut self, learner_id: i64, s: StudySessionDto) -> Result<bool> {
        let method = Method::parse(&s.method).ok_or_else(|| {
            AppError::invalid(format!(
                "unknown method `{}` (use read, example, practice, simulation, discussion or workshop)",
                s.method
            ))
        })?;
        if !(0.0..=86_400.0).contains(&s.seconds) {
            return Err(AppError::invalid("seconds must be between 0 and 86400"));
        }
        let key = s.idempotency_key.trim();
        if key.is_empty() || key.len() > 128 {
            return Err(AppError::invalid("idempotency_key must be 1 to 128 characters"));
        }
        self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?.clone();
        pack.kp(&s.kp).ok_or_else(|| AppError::not_found("knowledge point", &s.kp))?;
        if s.seconds < MIN_SESSION_SECONDS {
            return Ok(false);
        }
        let before = self.mastery_map(learner_id)?.get(&s.kp).map_or(0.0, |m| m.p);
        let now = self.now();
        let start = now - Duration::milliseconds((s.seconds * 1000.0) as i64);
        let payload = serde_json::json!({ "method": method, "seconds": s.seconds, "mastery_before": before });
        self.store
            .transact(|db| db.record_study_session(learner_id, key, &pack.manifest.id, &s.kp, &payload, start, now))?;
        Ok(true)
    }

    pub fn set_method_preferences(&mut self, learner_id: i64, methods: Vec<String>) -> Result<Vec<Method>> {
        let mut parsed = Vec::new();
        for m in &methods {
            let m = Method::parse(m).ok_or_else(|| AppError::invalid(format!("unknown method `{m}`")))?;
            if !parsed.contains(&m) {
                parsed.push(m);
            }
        }
        self.store.db().learner(learner_id)?;
        let now = self.now();
        let value = serde_json::to_value(&parsed).unwrap_or_default();
        self.store.transact(|db| db.set_profile_fact(learner_id, "method_preferences", &value, now))?;
        Ok(parsed)
    }

    pub fn method_preferences(&self, learner_id: i64) -> Result<Vec<Method>> {
        Ok(self
            .store
            .db()
            .profile_facts(learner_id)?
            .into_iter()
            .find(|(k, _)| k == "method_preferences")
            .and_then(|(_, v)| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// Every measured session: a study session and the answers on its KP that followed it; an
    /// answer on its own (practice); a finished simulation run.
    pub(crate) fn method_sessions(&self, learner_id: i64) -> Result<Vec<MethodSession>> {
        let pack = self.active_pack()?;
        let module_of = |kp: &str| pack.kp(kp).map(|k| k.module.clone()).unwrap_or_default();
        let db = self.store.db();
        let attempts = db.attempts(learner_id)?;
        let studies = db.study_sessions(learner_id)?;
        let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_f64());
        let mut covered = vec![false; attempts.len()];
        let mut out = Vec::new();
        // Attempts by KP (indices, in time order), so each session looks only at its KP's answers.
        let mut by_kp: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
        for (i, a) in attempts.iter().enumerate() {
            by_kp.entry(a.kp_id.as_str()).or_default().push(i);
        }
        for (si, s) in studies.iter().enumerate() {
            let (Some(method), Some(before), Some(secs)) = (
                s.payload.get("method").and_then(|m| m.as_str()).and_then(Method::parse),
                num(&s.payload, "mastery_before"),
                num(&s.payload, "seconds"),
            ) else {
                continue;
            };
            let next_study = studies[si + 1..].iter().find(|n| n.kp_id == s.kp_id).map(|n| n.occurred_at);
            let mut minutes = secs / 60.0;
            let mut last_after = None;
            let mut first_before = None;
            let mut taken = 0;
            let own = by_kp.get(s.kp_id.as_str()).map_or(&[][..], Vec::as_slice);
            let from = own.partition_point(|&ai| attempts[ai].occurred_at < s.occurred_at);
            for &ai in &own[from..] {
                let a = &attempts[ai];
                if next_study.is_some_and(|t| a.occurred_at >= t) || taken >= ANSWERS_PER_SESSION {
                    break;
                }
                if covered[ai] || a.payload.get("simulation_run").is_some() {
                    continue;
                }
                covered[ai] = true;
                taken += 1;
                minutes += num(&a.payload, "seconds").map_or(indicators::DEFAULT_ANSWER_MINUTES, |x| x / 60.0);
                // The lesson page shows the questions under the tabs: answers can fall inside the
                // session, so "before" is the mastery just before its first answer.
                if first_before.is_none() {
                    first_before = num(&a.payload, "mastery_before");
                }
                last_after = num(&a.payload, "mastery_after");
            }
            if let Some(after) = last_after {
                let before = first_before.unwrap_or(before).min(before);
                out.push(MethodSession { method, module: module_of(&s.kp_id), minutes, gain: after - before });
            }
        }
        // Practice on its own: each answer not following a study session.
        for (ai, a) in attempts.iter().enumerate() {
            if covered[ai] || a.payload.get("simulation_run").is_some() || a.payload.get("placement").is_some() {
                continue;
            }
            let (Some(before), Some(after)) = (num(&a.payload, "mastery_before"), num(&a.payload, "mastery_after"))
            else {
                continue;
            };
            let minutes = num(&a.payload, "seconds").map_or(indicators::DEFAULT_ANSWER_MINUTES, |x| x / 60.0);
            out.push(MethodSession {
                method: Method::Practice,
                module: module_of(&a.kp_id),
                minutes,
                gain: after - before,
            });
        }
        // Simulation runs: the summed mastery gain of their steps over the run's time.
        for run in db.simulation_runs(learner_id)?.into_iter().filter(|r| r.finished_at.is_some()) {
            let steps: Vec<_> = attempts
                .iter()
                .filter(|a| a.payload.get("simulation_run").and_then(|v| v.as_i64()) == Some(run.id))
                .collect();
            let gain: f64 = steps
                .iter()
                .filter_map(|a| Some(num(&a.payload, "mastery_after")? - num(&a.payload, "mastery_before")?))
                .sum();
            if let Some(first) = steps.first() {
                out.push(MethodSession {
                    method: Method::Simulation,
                    module: module_of(&first.kp_id),
                    minutes: run.minutes.unwrap_or(1.0),
                    gain,
                });
            }
        }
        Ok(out)
    }

    /// Which methods work for this learner, and the recommended mix with its reason.
    pub fn method_blend(&self, learner_id: i64) -> Result<BlendDto> {
        self.store.db().learner(learner_id)?;
        let sessions = self.method_sessions(learner_id)?;
        let preferred = self.method_preferences(learner_id)?;
        let pack = self.active_pack()?;
        let title = |m: &str| {
            pack.modules.iter().find(|x| x.id == m).map(|x| x.title.clone()).unwrap_or_else(|| LocalizedText::new(m, m))
        };
        let blend = methods::blend(&sessions, &preferred, &title);
        Ok(BlendDto { blend, preferred, measured_sessions: sessions.len() })
    }

    /// The four indicators, each with its evidence, trend and explanation.
    pub fn indicators(&self, learner_id: i64) -> Result<Vec<Indicator>> {
        Ok(indicators::indicators(&self.evidence(learner_id)?, self.now()))
    }

    /// The evidence behind the indicators, from the learner's records.
    pub(crate) fn evidence(&self, learner_id: i64) -> Result<Evidence> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?;
        let db = self.store.db();
        let mastery = self.mastery_map(learner_id)?;
        let attempts = db.attempts(learner_id)?;
        let counted: Vec<(String, f64, u32)> = match learner.goal_role.as_deref().and_then(|r| pack.role(r)) {
            Some(role) => role
                .requires
                .iter()
                .map(|r| {
                    let (p, n) = mastery.get(&r.kp).map_or((0.0, 0), |m| (m.p, m.attempts));
                    (r.kp.clone(), p, n)
                })
                .collect(),
            None => {
                let mut v: Vec<(String, f64, u32)> =
                    mastery.iter().filter(|(_, m)| m.attempts > 0).map(|(k, m)| (k.clone(), m.p, m.attempts)).collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            }
        };
        let answers = attempts
            .iter()
            .filter(|a| a.payload.get("placement").is_none())
            .map(|a| AnswerEvidence {
                kp: a.kp_id.clone(),
                at: a.occurred_at,
                score: a.score,
                kind: a
                    .payload
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .map(str::to_string)
                    .or_else(|| pack.item(&a.item_id).map(|i| i.body.kind().to_string()))
                    .unwrap_or_else(|| "choice".into()),
                minutes: a.payload.get("seconds").and_then(|s| s.as_f64()).map(|s| s / 60.0),
                voluntary: a.payload.get("voluntary").and_then(|v| v.as_bool()).unwrap_or(false),
            })
            .collect();
        let runs = db
            .simulation_runs(learner_id)?
            .into_iter()
            .filter_map(|r| {
                Some(RunEvidence {
                    simulation: r.sim_id,
                    at: r.finished_at?,
                    accuracy: r.accuracy?,
                    efficiency: r.efficiency?,
                    score: r.score?,
                    minutes: r.minutes.unwrap_or(0.0),
                })
            })
            .collect();
        let mut team = Vec::new();
        for t in db.group_tasks_of(learner_id)? {
            let reviews = db.peer_reviews(t.id)?;
            let me = t.members.iter().find(|m| m.learner_id == learner_id);
            team.push(TeamEvidence::Task {
                at: t.created_at,
                contributed: me.is_some_and(|m| m.submitted_at.is_some()),
                peers: t.members.len().saturating_sub(1) as u32,
                reviews_given: reviews.iter().filter(|r| r.reviewer_id == learner_id).count() as u32,
            });
            for r in reviews.iter().filter(|r| r.reviewee_id == learner_id) {
                team.push(TeamEvidence::RatingReceived { at: r.created_at, rating: r.rating() });
            }
        }
        let study = db
            .study_sessions(learner_id)?
            .into_iter()
            .map(|s| StudyEvidence {
                at: s.occurred_at,
                minutes: s.payload.get("seconds").and_then(|x| x.as_f64()).unwrap_or(0.0) / 60.0,
            })
            .collect();
        // Notes written and questions asked: self-directed study (issue #15).
        let own_study = db
            .notes(learner_id, None, None)?
            .into_iter()
            .map(|n| n.created_at)
            .chain(db.questions(learner_id)?.into_iter().map(|q| q.asked_at))
            .collect();
        Ok(Evidence { weekly_minutes: learner.weekly_minutes, mastery: counted, answers, runs, team, study, own_study })
    }
}
