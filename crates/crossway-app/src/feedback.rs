//! Two-way feedback (F9, F16): learners rate lessons and methods, report errors, dispute grades;
//! authors get item and lesson statistics (`crossway pack report`). Group tasks with peer reviews
//! for classrooms (F11).

use std::collections::HashSet;

use crossway_core::itemstats::{self, Flag, ItemStat, LessonFeedback, LessonStat, Response};
use crossway_core::methods::Method;
use crossway_core::LocalizedText;
use crossway_store::{NewFeedback, PeerReviewRow, Recorded};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, ErrorCode, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct FeedbackInDto {
    /// rating | error_report | dispute
    pub kind: String,
    /// lesson | item | method (a dispute names the attempt instead)
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub target_id: Option<String>,
    #[serde(default)]
    pub attempt_id: Option<i64>,
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackDto {
    pub id: i64,
    pub kind: String,
    pub target: String,
    pub target_id: String,
    pub attempt_id: Option<i64>,
    pub rating: Option<u8>,
    pub comment: String,
    pub created_at: String,
    /// False when the same dispute had been sent before.
    pub new: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReportDto {
    pub item: String,
    pub kp: String,
    pub kind: String,
    pub stem: LocalizedText,
    #[serde(flatten)]
    pub stat: ItemStat,
    /// Why to fix it, one sentence per flag.
    pub why: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LessonReportDto {
    pub kp: String,
    pub title: LocalizedText,
    #[serde(flatten)]
    pub stat: LessonStat,
    pub why: Vec<String>,
    /// The learners' words (error reports and rating comments).
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackReportDto {
    pub pack: String,
    pub version: String,
    pub learners: usize,
    pub answers: usize,
    pub items_to_fix: Vec<ItemReportDto>,
    pub lessons_to_fix: Vec<LessonReportDto>,
    /// Every item with answers, with its statistics.
    pub items: Vec<ItemReportDto>,
    /// Mean rating per method (1–5) and how many ratings.
    pub methods: Vec<(Method, f64, usize)>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GroupMemberInDto {
    pub learner_id: i64,
    pub role: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewGroupTaskDto {
    pub kp: String,
    pub title: String,
    pub members: Vec<GroupMemberInDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMemberDto {
    pub learner_id: i64,
    pub name: String,
    pub role: String,
    pub submitted: bool,
    pub contribution: Option<String>,
    /// The mean peer rating received (1–5), once reviewed.
    pub peer_rating: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTaskDto {
    pub id: i64,
    pub kp: String,
    pub kp_title: LocalizedText,
    pub title: String,
    /// The KP's study-group prompt (sanitized HTML), the task's brief.
    pub prompt_html: LocalizedText,
    pub created_at: String,
    pub members: Vec<GroupMemberDto>,
    /// Members the asking learner has reviewed.
    pub reviewed: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PeerReviewInDto {
    pub reviewee_id: i64,
    pub contribution: u8,
    pub quality: u8,
    pub communication: u8,
    #[serde(default)]
    pub comment: String,
}

fn flag_why(f: &Flag) -> String {
    match f {
        Flag::TooHard { p_value } => format!(
            "only {:.0}% of first answers are right: check the key, then the wording",
            p_value * 100.0
        ),
        Flag::TooEasy { p_value } => format!("{:.0}% of first answers are right: it measures little", p_value * 100.0),
        Flag::LowDiscrimination { discrimination } => format!(
            "strong learners do no better on it than weak ones (item-rest correlation {discrimination:.2}): ambiguous wording or a wrong key"
        ),
        Flag::Disputed { rate } => format!("{:.0}% of its grades were disputed: check the key or the rubric", rate * 100.0),
        Flag::ErrorReported { reports } => format!("{reports} error report(s) from learners"),
        Flag::LowRating { mean } => format!("rated {mean:.1} of 5 by learners"),
    }
}

impl App {
    /// Stores a rating, an error report or a grade dispute.
    pub fn send_feedback(&mut self, learner_id: i64, f: FeedbackInDto) -> Result<FeedbackDto> {
        self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?.clone();
        let comment = f.comment.trim();
        if comment.chars().count() > 2000 {
            return Err(AppError::invalid("a comment can be at most 2000 characters"));
        }
        let (kind, target, target_id, attempt_id, rating) = match f.kind.as_str() {
            "rating" => {
                let rating = f
                    .rating
                    .filter(|r| (1..=5).contains(r))
                    .ok_or_else(|| AppError::invalid("a rating is 1 to 5 stars"))?;
                let target = f.target.as_deref().unwrap_or("lesson");
                let id = f.target_id.clone().unwrap_or_default();
                match target {
                    "lesson" => {
                        pack.kp(&id).ok_or_else(|| AppError::not_found("lesson", &id))?;
                    }
                    "method" => {
                        Method::parse(&id).ok_or_else(|| AppError::invalid(format!("unknown method `{id}`")))?;
                    }
                    other => return Err(AppError::invalid(format!("cannot rate a `{other}` (use lesson or method)"))),
                }
                ("rating", target.to_string(), id, None, Some(rating))
            }
            "error_report" => {
                if comment.is_empty() {
                    return Err(AppError::invalid("describe the error so the authors can fix it"));
                }
                let target = f.target.as_deref().unwrap_or("lesson");
                let id = f.target_id.clone().unwrap_or_default();
                let known = match target {
                    "lesson" => pack.kp(&id).is_some(),
                    "item" => pack.item_or_step(&id).is_some(),
                    other => {
                        return Err(AppError::invalid(format!(
                            "cannot report an error in a `{other}` (use lesson or item)"
                        )))
                    }
                };
                if !known {
                    return Err(AppError::not_found(target, &id));
                }
                ("error_report", target.to_string(), id, None, None)
            }
            "dispute" => {
                let attempt =
                    f.attempt_id.ok_or_else(|| AppError::invalid("a dispute names the attempt (attempt_id)"))?;
                let a = self
                    .store
                    .db()
                    .attempts(learner_id)?
                    .into_iter()
                    .find(|a| a.id == attempt)
                    .ok_or_else(|| AppError::not_found("attempt", attempt))?;
                if comment.is_empty() {
                    return Err(AppError::invalid("say why the grade is wrong"));
                }
                ("dispute", "item".to_string(), a.item_id, Some(attempt), None)
            }
            other => {
                return Err(AppError::invalid(format!(
                    "unknown feedback kind `{other}` (use rating, error_report or dispute)"
                )))
            }
        };
        let now = self.now();
        let recorded = self.store.transact(|db| {
            db.add_feedback(&NewFeedback {
                learner_id,
                kind,
                pack_id: &pack.manifest.id,
                target: &target,
                target_id: &target_id,
                attempt_id,
                rating,
                comment,
                now,
            })
        })?;
        let (id, new) = match recorded {
            Recorded::New(id) => (id, true),
            Recorded::Duplicate(id) => (id, false),
        };
        Ok(FeedbackDto {
            id,
            kind: kind.to_string(),
            target,
            target_id,
            attempt_id,
            rating,
            comment: comment.to_string(),
            created_at: now.to_rfc3339(),
            new,
        })
    }

    pub fn my_feedback(&self, learner_id: i64) -> Result<Vec<FeedbackDto>> {
        self.store.db().learner(learner_id)?;
        Ok(self
            .store
            .db()
            .feedback_of_learner(learner_id)?
            .into_iter()
            .map(|f| FeedbackDto {
                id: f.id,
                kind: f.kind,
                target: f.target,
                target_id: f.target_id,
                attempt_id: f.attempt_id,
                rating: f.rating,
                comment: f.comment,
                created_at: f.created_at.to_rfc3339(),
                new: false,
            })
            .collect())
    }

    /// Item and lesson statistics over every learner on this install: what to fix, and why.
    pub fn pack_report(&self) -> Result<PackReportDto> {
        let pack = self.active_pack()?;
        let db = self.store.db();
        let attempts = db.pack_attempts(&pack.manifest.id)?;
        let feedback = db.feedback_for_pack(&pack.manifest.id)?;
        // A learner disputed an item if they disputed any of their answers to it (a later answer
        // included): it counts against the item once, on their first answer.
        let disputed_ids: HashSet<i64> =
            feedback.iter().filter_map(|f| (f.kind == "dispute").then_some(f.attempt_id).flatten()).collect();
        let disputed: HashSet<(i64, &str)> = attempts
            .iter()
            .filter(|a| disputed_ids.contains(&a.id))
            .map(|a| (a.learner_id, a.item_id.as_str()))
            .collect();
        // First answers only, outside placement checks.
        let mut seen = HashSet::new();
        let responses: Vec<Response> = attempts
            .iter()
            .filter(|a| a.payload.get("placement").is_none())
            .filter(|a| seen.insert((a.learner_id, a.item_id.clone())))
            .map(|a| Response {
                learner: a.learner_id,
                item: a.item_id.clone(),
                score: a.score,
                seconds: a.payload.get("seconds").and_then(|s| s.as_f64()),
                disputed: disputed.contains(&(a.learner_id, a.item_id.as_str())),
            })
            .collect();
        let find_item = |id: &str| pack.item_or_step(id);
        let items: Vec<ItemReportDto> = itemstats::item_stats(&responses)
            .into_iter()
            .map(|stat| {
                let item = find_item(&stat.item);
                ItemReportDto {
                    kp: item.map(|i| i.kp.clone()).unwrap_or_default(),
                    kind: item.map(|i| i.body.kind().to_string()).unwrap_or_default(),
                    stem: item.map(|i| i.stem.clone()).unwrap_or_default(),
                    item: stat.item.clone(),
                    why: stat.flags.iter().map(flag_why).collect(),
                    stat,
                }
            })
            .collect();
        let lesson_fb: Vec<LessonFeedback> = feedback
            .iter()
            .filter(|f| f.target == "lesson" || (f.kind == "error_report" && f.target == "item"))
            .map(|f| LessonFeedback {
                kp: if f.target == "lesson" {
                    f.target_id.clone()
                } else {
                    find_item(&f.target_id).map(|i| i.kp.clone()).unwrap_or_default()
                },
                rating: f.rating.map(f64::from),
                error_report: f.kind == "error_report",
            })
            .collect();
        let lessons_to_fix: Vec<LessonReportDto> = itemstats::lesson_stats(&lesson_fb)
            .into_iter()
            .filter(|s| !s.flags.is_empty())
            .map(|stat| LessonReportDto {
                kp: stat.kp.clone(),
                title: pack.kp(&stat.kp).map(|k| k.title.clone()).unwrap_or_default(),
                why: stat.flags.iter().map(flag_why).collect(),
                comments: feedback
                    .iter()
                    .filter(|f| !f.comment.is_empty())
                    .filter(|f| {
                        (f.target == "lesson" && f.target_id == stat.kp)
                            || (f.target == "item" && find_item(&f.target_id).is_some_and(|i| i.kp == stat.kp))
                    })
                    .map(|f| format!("{}: {}", f.kind, f.comment))
                    .collect(),
                stat,
            })
            .collect();
        let mut methods = Vec::new();
        for m in Method::ALL {
            let r: Vec<f64> = feedback
                .iter()
                .filter(|f| f.kind == "rating" && f.target == "method" && f.target_id == m.as_str())
                .filter_map(|f| f.rating.map(f64::from))
                .collect();
            if !r.is_empty() {
                methods.push((m, r.iter().sum::<f64>() / r.len() as f64, r.len()));
            }
        }
        let learners: HashSet<i64> = attempts.iter().map(|a| a.learner_id).collect();
        Ok(PackReportDto {
            pack: pack.manifest.id.clone(),
            version: pack.manifest.version.clone(),
            learners: learners.len(),
            answers: attempts.len(),
            items_to_fix: items.iter().filter(|i| !i.stat.flags.is_empty()).cloned().collect(),
            lessons_to_fix,
            items,
            methods,
        })
    }

    /// A group task for a classroom install: a KP's discussion prompt worked on by 2–8 learners,
    /// each with a role.
    pub fn create_group_task(&mut self, t: NewGroupTaskDto) -> Result<GroupTaskDto> {
        self.require_teacher_if_any()?;
        let pack = self.active_pack()?.clone();
        pack.kp(&t.kp).ok_or_else(|| AppError::not_found("knowledge point", &t.kp))?;
        let title = t.title.trim();
        if title.is_empty() || title.chars().count() > 120 {
            return Err(AppError::invalid("a group task's title must be 1 to 120 characters"));
        }
        if !(2..=8).contains(&t.members.len()) {
            return Err(AppError::invalid("a group task needs 2 to 8 members"));
        }
        let mut ids = HashSet::new();
        for m in &t.members {
            if !ids.insert(m.learner_id) {
                return Err(AppError::invalid(format!("learner {} is listed twice", m.learner_id)));
            }
            let role = m.role.trim();
            if role.is_empty() || role.chars().count() > 60 {
                return Err(AppError::invalid("every member needs a role of 1 to 60 characters"));
            }
            self.store.db().learner(m.learner_id)?;
        }
        let now = self.now();
        let members: Vec<(i64, &str)> = t.members.iter().map(|m| (m.learner_id, m.role.trim())).collect();
        let id = self.store.transact(|db| db.create_group_task(&pack.manifest.id, &t.kp, title, &members, now))?;
        self.group_task(t.members[0].learner_id, id)
    }

    fn group_task(&self, learner_id: i64, task_id: i64) -> Result<GroupTaskDto> {
        let pack = self.active_pack()?;
        let db = self.store.db();
        let t = db.group_task(task_id)?;
        if !t.members.iter().any(|m| m.learner_id == learner_id) {
            return Err(AppError::new(ErrorCode::NotFound, format!("group task not found: {task_id}")));
        }
        let reviews = db.peer_reviews(task_id)?;
        let kp = pack.kp(&t.kp_id);
        Ok(GroupTaskDto {
            id: t.id,
            kp_title: kp.map(|k| k.title.clone()).unwrap_or_default(),
            prompt_html: kp
                .map(|k| {
                    LocalizedText::new(
                        crossway_content::render_markdown(&k.discussion.en),
                        crossway_content::render_markdown(&k.discussion.zh_cn),
                    )
                })
                .unwrap_or_default(),
            kp: t.kp_id,
            title: t.title,
            created_at: t.created_at.to_rfc3339(),
            reviewed: reviews.iter().filter(|r| r.reviewer_id == learner_id).map(|r| r.reviewee_id).collect(),
            members: t
                .members
                .into_iter()
                .map(|m| {
                    let got: Vec<f64> =
                        reviews.iter().filter(|r| r.reviewee_id == m.learner_id).map(PeerReviewRow::rating).collect();
                    GroupMemberDto {
                        learner_id: m.learner_id,
                        name: m.name,
                        role: m.role,
                        submitted: m.submitted_at.is_some(),
                        contribution: m.contribution,
                        peer_rating: (!got.is_empty()).then(|| got.iter().sum::<f64>() / got.len() as f64),
                    }
                })
                .collect(),
        })
    }

    pub fn group_tasks(&self, learner_id: i64) -> Result<Vec<GroupTaskDto>> {
        let ids: Vec<i64> = self.store.db().group_tasks_of(learner_id)?.into_iter().map(|t| t.id).collect();
        ids.into_iter().map(|id| self.group_task(learner_id, id)).collect()
    }

    pub fn submit_contribution(&mut self, learner_id: i64, task_id: i64, text: &str) -> Result<GroupTaskDto> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 8000 {
            return Err(AppError::invalid("a contribution must be 1 to 8000 characters"));
        }
        let now = self.now();
        let ok = self.store.transact(|db| db.submit_contribution(task_id, learner_id, text, now))?;
        if !ok {
            return Err(AppError::not_found("group task", task_id));
        }
        self.group_task(learner_id, task_id)
    }

    /// A peer-review form: three criteria scored 1–5 and a comment, for a member who handed in.
    pub fn peer_review(&mut self, learner_id: i64, task_id: i64, r: PeerReviewInDto) -> Result<GroupTaskDto> {
        let task = self.group_task(learner_id, task_id)?;
        if r.reviewee_id == learner_id {
            return Err(AppError::invalid("review your peers, not yourself"));
        }
        let reviewee = task
            .members
            .iter()
            .find(|m| m.learner_id == r.reviewee_id)
            .ok_or_else(|| AppError::invalid(format!("learner {} is not in this group", r.reviewee_id)))?;
        if !reviewee.submitted {
            return Err(AppError::invalid(format!("{} has not handed in their part yet", reviewee.name)));
        }
        for (name, v) in [("contribution", r.contribution), ("quality", r.quality), ("communication", r.communication)]
        {
            if !(1..=5).contains(&v) {
                return Err(AppError::invalid(format!("{name} must be 1 to 5")));
            }
        }
        if r.comment.chars().count() > 2000 {
            return Err(AppError::invalid("a comment can be at most 2000 characters"));
        }
        let row = PeerReviewRow {
            task_id,
            reviewer_id: learner_id,
            reviewee_id: r.reviewee_id,
            contribution: r.contribution,
            quality: r.quality,
            communication: r.communication,
            comment: r.comment.trim().to_string(),
            created_at: self.now(),
        };
        self.store.transact(|db| db.put_peer_review(&row))?;
        self.group_task(learner_id, task_id)
    }
}
