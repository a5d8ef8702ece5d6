//! The placement check (F4): up to 20 quick questions that seed mastery for the learner's goal.
//! The session lives in memory (a restart starts a new check); its answers are recorded as
//! attempts marked `placement`, and the seeds are written in one transaction at the end.

use crossway_content::{Answer, ItemBody};
use crossway_core::placement::{Placement, PlacementAnswer, MAX_ITEMS};
use crossway_store::{MasteryRow, NewAttempt};
use serde::{Deserialize, Serialize};

use crate::practice::item_dto;
use crate::{App, AppError, ItemDto, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct PlacementAnswerDto {
    pub item_id: String,
    /// `None`: "I don't know".
    pub answer: Option<Answer>,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementStepDto {
    pub asked: usize,
    pub max: usize,
    /// The next question, or `None` when the check is over.
    pub item: Option<ItemDto>,
    pub summary: Option<PlacementSummaryDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementSummaryDto {
    /// KPs of the goal now seeded as known (asked or inferred).
    pub known: usize,
    /// KPs of the goal seeded as not yet known.
    pub unknown: usize,
}

impl App {
    fn placement_item(&self, kp: &str) -> Result<Option<ItemDto>> {
        let pack = self.active_pack()?;
        // Quick items only: choice first, then numeric.
        let item = pack
            .items_for(kp)
            .find(|i| matches!(i.body, ItemBody::Choice { .. }))
            .or_else(|| pack.items_for(kp).find(|i| matches!(i.body, ItemBody::Numeric { .. })));
        Ok(item.map(item_dto))
    }

    /// Starts (or continues) the learner's placement check and returns the next question.
    pub fn placement_next(&mut self, learner_id: i64) -> Result<PlacementStepDto> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?.clone();
        let Some(role) = learner.goal_role.as_deref().and_then(|r| pack.role(r)) else {
            return Err(AppError::invalid("choose a goal role first: the placement check is about its knowledge"));
        };
        let claimed = self.described(learner_id)?.map(|d| d.claimed_modules).unwrap_or_default();
        let placement = self.placements.entry(learner_id).or_insert_with(|| {
            let goal: Vec<String> = role.requires.iter().map(|r| r.kp.clone()).collect();
            // Modules the learner says they have experience in are checked first.
            Placement::new(&pack.graph, &goal).starting_with(&pack.graph, &claimed)
        });
        let asked = placement.asked();
        let next = placement.next_kp(&pack.graph).map(str::to_string);
        match next {
            Some(kp) => Ok(PlacementStepDto { asked, max: MAX_ITEMS, item: self.placement_item(&kp)?, summary: None }),
            None => self.finish_placement(learner_id),
        }
    }

    /// Grades one placement answer ("I don't know" counts as not known) and moves on.
    pub fn placement_answer(&mut self, learner_id: i64, a: PlacementAnswerDto) -> Result<PlacementStepDto> {
        let pack = self.active_pack()?.clone();
        let item = pack.item(&a.item_id).ok_or_else(|| AppError::not_found("item", &a.item_id))?;
        let Some(placement) = self.placements.get(&learner_id) else {
            return Err(AppError::invalid("no placement check is running for this learner; start one first"));
        };
        if placement.next_kp(&pack.graph) != Some(item.kp.as_str()) {
            return Err(AppError::invalid(format!("item `{}` is not the current placement question", item.id)));
        }
        let (verdict, score) = match &a.answer {
            None => (PlacementAnswer::DontKnow, 0.0),
            Some(answer) => {
                let v = item.grade(answer).map_err(|e| AppError::invalid(e.to_string()))?;
                (if v.correct { PlacementAnswer::Right } else { PlacementAnswer::Wrong }, v.score)
            }
        };
        let now = self.now();
        let payload = serde_json::json!({ "placement": true, "answer": a.answer, "dont_know": a.answer.is_none() });
        self.store.transact(|db| {
            db.record_attempt(&NewAttempt {
                learner_id,
                idempotency_key: &a.idempotency_key,
                pack_id: &pack.manifest.id,
                kp_id: &item.kp,
                item_id: &item.id,
                score,
                payload: &payload,
                occurred_at: now,
                recorded_at: now,
            })
        })?;
        if let Some(p) = self.placements.get_mut(&learner_id) {
            p.record(&pack.graph, &item.kp, verdict);
        }
        self.placement_next(learner_id)
    }

    fn finish_placement(&mut self, learner_id: i64) -> Result<PlacementStepDto> {
        let pack = self.active_pack()?.clone();
        let Some(placement) = self.placements.remove(&learner_id) else {
            return Err(AppError::invalid("no placement check is running for this learner"));
        };
        let seeds = placement.seeds(&pack.graph);
        let now = self.now();
        self.store.transact(|db| -> Result<()> {
            for s in &seeds {
                // Never lower what the learner already proved by practising.
                let existing = db.mastery_of(learner_id, &s.kp)?;
                if existing.is_some_and(|m| m.attempts > 0 && m.p >= s.p) {
                    continue;
                }
                let attempts = u32::from(s.asked);
                let correct = u32::from(s.asked && s.p > 0.5);
                db.put_mastery(learner_id, &s.kp, MasteryRow { p: s.p, attempts, correct }, now)?;
            }
            Ok(())
        })?;
        let known = seeds.iter().filter(|s| s.p > 0.5).count();
        Ok(PlacementStepDto {
            asked: placement.asked(),
            max: MAX_ITEMS,
            item: None,
            summary: Some(PlacementSummaryDto { known, unknown: seeds.len() - known }),
        })
    }
}
