//! A learner's records as xAPI 1.0.3 statements (issue #18): what the learner's export carries
//! and what `crossway xapi send` sends to a school's Learning Record Store.
//!
//! - **Actor**: an account under the learner's random pseudonym (`p-` + 16 characters, drawn when
//!   the profile is made), unless the school configured named accounts ([`Actor::Named`]: its
//!   LMS's home page and the learner's name).
//! - **Verbs** (ADL's standard vocabulary): `answered` an item or simulation step (scaled score,
//!   success), `completed` a simulation run (scaled score, duration), `experienced` a lesson
//!   (a study session's duration), `asked` about a lesson (whether the course covered it and, when
//!   the learner said so, whether it helped), `commented` on a lesson (a note).
//! - **No free text**: no answer, question or note text is in any statement; the learner's export
//!   keeps those in its own sections, and a school's LRS never receives them.
//! - **Stable ids**: each statement's id is a name-based UUID (v5) of the pseudonym and the
//!   record, so the same record always yields the same statement and re-sending is harmless.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, Result};

/// The namespace of Crossway's statement ids (a fixed random UUID).
const NAMESPACE: Uuid = Uuid::from_u128(0x5c1e_29a4_8a4f_4f0e_9d3b_71c2_0e4d_b6a1);
/// The home page of pseudonymous accounts: not a real site (`.invalid` is reserved, RFC 2606).
pub const PSEUDONYM_HOME: &str = "https://crossway.invalid/pseudonym";
/// Extension keys (IRIs).
const EXT_KP: &str = "https://crossway.invalid/xapi/knowledge-point";
const EXT_COVERED: &str = "https://crossway.invalid/xapi/covered";
const EXT_HELPFUL: &str = "https://crossway.invalid/xapi/helpful";
const EXT_METHOD: &str = "https://crossway.invalid/xapi/method";
/// The profile fact holding a learner's pseudonym.
pub(crate) const PSEUDONYM_FACT: &str = "pseudonym";

/// Who the statements are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An account under the learner's pseudonym (the default).
    Pseudonymous,
    /// The learner's name as an account of the school's LMS at this home page.
    Named { home_page: String },
}

fn verb(name: &str, zh: &str) -> Value {
    json!({ "id": format!("http://adlnet.gov/expapi/verbs/{name}"), "display": { "en-US": name, "zh-CN": zh } })
}

/// ISO 8601 duration of `minutes`, to the hundredth of a second.
fn duration(minutes: f64) -> String {
    format!("PT{:.2}S", (minutes * 60.0).max(0.0))
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn id(pseudonym: &str, record: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{pseudonym}/{record}").as_bytes()).to_string()
}

impl App {
    /// The learner's pseudonym (drawn when the profile was made; profiles from before it have one
    /// derived from their id and creation time).
    pub fn pseudonym(&self, learner_id: i64) -> Result<String> {
        let db = self.store.db();
        if let Some(p) = db
            .profile_facts(learner_id)?
            .into_iter()
            .find(|(k, _)| k == PSEUDONYM_FACT)
            .and_then(|(_, v)| v.as_str().map(str::to_string))
        {
            return Ok(p);
        }
        let l = db.learner(learner_id)?;
        let h = Sha256::digest(format!("crossway-learner:{}:{}", l.id, l.created_at.to_rfc3339()).as_bytes());
        Ok(format!("p-{}", crate::pin::hex(&h[..8])))
    }

    /// The learner's records as xAPI statements, oldest first.
    pub fn statements(&self, learner_id: i64, actor: &Actor) -> Result<Vec<Value>> {
        let learner = self.store.db().learner(learner_id)?;
        let pseudonym = self.pseudonym(learner_id)?;
        let pack = self.active_pack()?;
        let db = self.store.db();
        let actor = match actor {
            Actor::Pseudonymous => {
                json!({ "objectType": "Agent", "account": { "homePage": PSEUDONYM_HOME, "name": pseudonym } })
            }
            Actor::Named { home_page } => {
                json!({ "objectType": "Agent", "name": learner.name, "account": { "homePage": home_page, "name": learner.name } })
            }
        };
        let pack_iri = format!("https://crossway.invalid/packs/{}", pack.manifest.id);
        let lesson = |kp: &str| {
            let mut def = json!({ "type": "http://adlnet.gov/expapi/activities/lesson" });
            if let Some(k) = pack.kp(kp) {
                def["name"] = json!({ "en-US": k.title.en, "zh-CN": k.title.zh_cn });
            }
            json!({ "objectType": "Activity", "id": format!("{pack_iri}/lessons/{kp}"), "definition": def })
        };
        let context = |kp: &str| {
            json!({ "platform": "Crossway", "extensions": { EXT_KP: kp },
                    "contextActivities": { "parent": [{ "objectType": "Activity", "id": pack_iri }] } })
        };
        let mut out: Vec<(DateTime<Utc>, Value)> = Vec::new();
        for a in db.attempts(learner_id)? {
            let mut def = json!({ "type": "http://adlnet.gov/expapi/activities/cmi.interaction" });
            if let Some(i) = pack.item_or_step(&a.item_id) {
                def["name"] = json!({ "en-US": i.stem.en, "zh-CN": i.stem.zh_cn });
            }
            out.push((
                a.occurred_at,
                json!({
                    "id": id(&pseudonym, &format!("attempt/{}", a.id)),
                    "actor": actor,
                    "verb": verb("answered", "作答"),
                    "object": { "objectType": "Activity", "id": format!("{pack_iri}/items/{}", a.item_id), "definition": def },
                    "result": { "score": { "scaled": a.score }, "success": a.score >= 0.5 },
                    "context": context(&a.kp_id),
                    "timestamp": stamp(a.occurred_at),
                }),
            ));
        }
        for r in db.simulation_runs(learner_id)? {
            let (Some(finished), Some(score)) = (r.finished_at, r.score) else { continue };
            let mut def = json!({ "type": "http://adlnet.gov/expapi/activities/simulation" });
            if let Some(s) = pack.simulations.iter().find(|s| s.id == r.sim_id) {
                def["name"] = json!({ "en-US": s.title.en, "zh-CN": s.title.zh_cn });
            }
            let mut result =
                json!({ "score": { "scaled": score.clamp(0.0, 1.0) }, "success": score >= 0.5, "completion": true });
            if let Some(m) = r.minutes {
                result["duration"] = json!(duration(m));
            }
            out.push((
                finished,
                json!({
                    "id": id(&pseudonym, &format!("run/{}", r.id)),
                    "actor": actor,
                    "verb": verb("completed", "完成"),
                    "object": { "objectType": "Activity", "id": format!("{pack_iri}/simulations/{}", r.sim_id), "definition": def },
                    "result": result,
                    "context": { "platform": "Crossway", "contextActivities": { "parent": [{ "objectType": "Activity", "id": pack_iri }] } },
                    "timestamp": stamp(finished),
                }),
            ));
        }
        for s in db.study_sessions(learner_id)? {
            let seconds = s.payload.get("seconds").and_then(Value::as_f64).unwrap_or(0.0);
            let mut ctx = context(&s.kp_id);
            if let Some(m) = s.payload.get("method").and_then(Value::as_str) {
                ctx["extensions"][EXT_METHOD] = json!(m);
            }
            out.push((
                s.occurred_at,
                json!({
                    "id": id(&pseudonym, &format!("study/{}", s.id)),
                    "actor": actor,
                    "verb": verb("experienced", "学习"),
                    "object": lesson(&s.kp_id),
                    "result": { "duration": duration(seconds / 60.0) },
                    "context": ctx,
                    "timestamp": stamp(s.occurred_at),
                }),
            ));
        }
        for q in db.questions(learner_id)? {
            let (object, ctx) = match q.kp_id.as_deref().or(q.kp_scope.as_deref()) {
                Some(kp) => (lesson(kp), context(kp)),
                None => (json!({ "objectType": "Activity", "id": pack_iri }), json!({ "platform": "Crossway" })),
            };
            let mut ext = json!({ EXT_COVERED: q.covered });
            if let Some(h) = q.helpful {
                ext[EXT_HELPFUL] = json!(h);
            }
            out.push((
                q.asked_at,
                json!({
                    "id": id(&pseudonym, &format!("question/{}", q.id)),
                    "actor": actor,
                    "verb": verb("asked", "提问"),
                    "object": object,
                    "result": { "extensions": ext },
                    "context": ctx,
                    "timestamp": stamp(q.asked_at),
                }),
            ));
        }
        for n in db.notes(learner_id, None, None)? {
            out.push((
                n.created_at,
                json!({
                    "id": id(&pseudonym, &format!("note/{}", n.id)),
                    "actor": actor,
                    "verb": verb("commented", "记笔记"),
                    "object": lesson(&n.kp_id),
                    "context": context(&n.kp_id),
                    "timestamp": stamp(n.created_at),
                }),
            ));
        }
        out.sort_by_key(|a| a.0);
        Ok(out.into_iter().map(|(_, s)| s).collect())
    }

    /// Every learner's statements on this install (`crossway xapi send --db`).
    pub fn install_statements(&self, actor: &Actor) -> Result<Vec<Value>> {
        let mut all = Vec::new();
        for l in self.store.db().learners()? {
            all.extend(self.statements(l.id, actor)?);
        }
        Ok(all)
    }
}
