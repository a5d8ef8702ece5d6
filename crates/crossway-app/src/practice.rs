//! The study loop: the path, a lesson, and answering an item.

use std::collections::HashMap;

use crossway_content::{render_markdown, Answer, ItemBody};

use crossway_core::retention::{self, Retention};
use crossway_core::{diff_paths, plan, Action, FactRefresh, LocalizedText, Mastery, Path, PlanInput, Reason, Signals};
use crossway_store::{MasteryRow, NewAttempt, Recorded, RetentionRow};

use crate::{
    App, AppError, AttemptResultDto, GoalPreviewDto, ItemDto, LessonDto, PathDto, Result, RubricPointDto, StepDto,
    SubmitAnswerDto,
};

fn retention_of_row(r: &RetentionRow) -> Retention {
    Retention {
        stability: r.stability,
        difficulty: r.difficulty,
        due: r.due,
        last_review: r.last_review,
        reps: r.reps,
        lapses: r.lapses,
        state: r.state,
        scheduled_days: r.scheduled_days,
    }
}

fn row_of_retention(r: &Retention) -> RetentionRow {
    RetentionRow {
        stability: r.stability,
        difficulty: r.difficulty,
        due: r.due,
        last_review: r.last_review,
        reps: r.reps,
        lapses: r.lapses,
        state: r.state,
        scheduled_days: r.scheduled_days,
    }
}

impl App {
    /// Records one scored answer and updates mastery (BKT) and the review schedule (FSRS), in one
    /// transaction. A known idempotency key records nothing and returns the current mastery.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record_scored(
        &mut self,
        learner_id: i64,
        pack_id: &str,
        item: &crossway_content::Item,
        key: &str,
        score: f64,
        payload: &serde_json::Value,
        occurred_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Recorded, Mastery, Mastery)> {
        let params = self.params_for(&item.kp);
        let recorded_at = self.now();
        self.store.transact(|db| -> Result<_> {
            let before = db.mastery_of(learner_id, &item.kp)?.map_or(Mastery::prior(&params), |m| Mastery {
                p: m.p,
                attempts: m.attempts,
                correct: m.correct,
            });
            let after = before.after_attempt(score, &params);
            // The mastery change is kept with the answer: the method blend measures gains from it.
            let mut payload = payload.clone();
            if let Some(p) = payload.as_object_mut() {
                p.insert("mastery_before".into(), before.p.into());
                p.insert("mastery_after".into(), after.p.into());
            }
            let recorded = db.record_attempt(&NewAttempt {
                learner_id,
                idempotency_key: key,
                pack_id,
                kp_id: &item.kp,
                item_id: &item.id,
                score,
                payload: &payload,
                occurred_at,
                recorded_at,
            })?;
            let after = match recorded {
                Recorded::New(_) => {
                    let row = MasteryRow { p: after.p, attempts: after.attempts, correct: after.correct };
                    db.put_mastery(learner_id, &item.kp, row, occurred_at)?;
                    // Every answer is also a spaced-review event for the KP.
                    let prev = db.retention_of(learner_id, &item.kp)?.map(|r| retention_of_row(&r));
                    let next = retention::review(prev.as_ref(), score >= 0.5, occurred_at);
                    db.put_retention(learner_id, &item.kp, &row_of_retention(&next))?;
                    after
                }
                Recorded::Duplicate(_) => before,
            };
            Ok((recorded, before, after))
        })
    }
}

/// An item as a learner sees it: no key, no explanations.
pub(crate) fn item_dto(i: &crossway_content::Item) -> ItemDto {
    ItemDto {
        id: i.id.clone(),
        kind: i.body.kind().to_string(),
        stem: i.stem.clone(),
        options: match &i.body {
            ItemBody::Choice { options } => options.iter().map(|o| o.text.clone()).collect(),
            _ => Vec::new(),
        },
        unit: match &i.body {
            ItemBody::Numeric { unit, .. } => Some(unit.clone()),
            _ => None,
        },
        rubric_points: match &i.body {
            ItemBody::FreeText { rubric, .. } => rubric.len(),
            _ => 0,
        },
    }
}

fn render(md: &LocalizedText) -> LocalizedText {
    LocalizedText::new(render_markdown(&md.en), render_markdown(&md.zh_cn))
}

impl App {
    /// Signals beyond mastery: wrong-answer streaks, and facts changed by a pack update after the
    /// learner last worked on a KP.
    fn signals(&self, learner_id: i64, pack_id: &str) -> Result<Signals> {
        let db = self.store.db();
        let attempts = db.attempts(learner_id)?;
        let mut signals = Signals::default();
        let mut last_attempt: HashMap<&str, chrono::DateTime<chrono::Utc>> = HashMap::new();
        for a in &attempts {
            let streak = signals.wrong_streak.entry(a.kp_id.clone()).or_insert(0);
            *streak = if a.score < 0.5 { *streak + 1 } else { 0 };
            last_attempt.insert(&a.kp_id, a.occurred_at);
        }
        // The recent record (last 20 answers outside placement) for test-outs.
        let recent: Vec<f64> = attempts
            .iter()
            .rev()
            .filter(|a| a.payload.get("placement").and_then(|v| v.as_bool()) != Some(true))
            .take(20)
            .map(|a| a.score)
            .collect();
        if !recent.is_empty() {
            let right = recent.iter().filter(|&&s| s >= 0.5).count() as f64;
            signals.recent = Some((recent.len() as u32, right / recent.len() as f64));
        }
        // Path effects of the assessment: persistence after errors, the method that works.
        signals.persistence = crossway_core::indicators::parts_now(
            crossway_core::indicators::Dimension::Attitude,
            &self.evidence(learner_id)?,
            self.now(),
        )
        .into_iter()
        .find(|p| p.key == "persistence")
        .and_then(|p| p.value);
        let blend = self.method_blend(learner_id)?.blend;
        if let crossway_core::methods::BlendBasis::Measured { rate, sessions, .. } = blend.basis {
            signals.best_method = Some((blend.recommended, rate, sessions));
        }
        signals.interests = self.interests(learner_id)?;
        let now = self.now();
        // Questions to the tutor in the last week, by the KP they were about (issue #15).
        for q in db.questions(learner_id)? {
            if let (Some(kp), true) = (q.kp_id, q.asked_at > now - chrono::Duration::days(7)) {
                let e = signals.asked.entry(kp).or_insert((0, 0));
                e.0 += 1;
                e.1 += u32::from(q.helpful == Some(false));
            }
        }
        for (kp, r) in db.retention(learner_id)? {
            let r = retention_of_row(&r);
            if retention::is_due(&r, now) {
                signals.due_reviews.insert(kp, retention::recall_probability(&r, now));
            }
        }
        for c in db.fact_changes(pack_id)? {
            if c.change == "removed" {
                continue;
            }
            let studied_before = last_attempt.get(c.kp_id.as_str()).is_some_and(|t| *t <= c.recorded_at);
            let never_studied = !last_attempt.contains_key(c.kp_id.as_str());
            if studied_before || never_studied {
                signals
                    .changed_facts
                    .entry(c.kp_id.clone())
                    .or_default()
                    .push(FactRefresh { fact: c.fact_id, as_of: c.new_as_of });
            }
        }
        Ok(signals)
    }

    fn plan_for(&self, learner: &crossway_store::LearnerRow, goal: Option<&str>) -> Result<Path> {
        let pack = self.active_pack()?;
        let mastery = self.mastery_map(learner.id)?;
        let signals = self.signals(learner.id, &pack.manifest.id)?;
        Ok(plan(&PlanInput {
            graph: &pack.graph,
            roles: &pack.roles,
            goal_role: goal,
            mastery: &mastery,
            params: &self.params,
            weekly_minutes: learner.weekly_minutes,
            signals: &signals,
        }))
    }

    /// What changing the goal to `role` would do to the path, without changing anything.
    pub fn preview_goal(&self, learner_id: i64, role: Option<&str>) -> Result<GoalPreviewDto> {
        let learner = self.store.db().learner(learner_id)?;
        if let Some(r) = role {
            self.check_role(r)?;
        }
        let before = self.plan_for(&learner, learner.goal_role.as_deref())?;
        let after = self.plan_for(&learner, role)?;
        let diff = diff_paths(&before, &after);
        let pack = self.active_pack()?;
        let titles = diff
            .added
            .iter()
            .chain(&diff.dropped)
            .chain(diff.moved.iter().map(|m| &m.kp))
            .filter_map(|k| pack.kp(k).map(|kp| (k.clone(), kp.title.clone())))
            .collect();
        Ok(GoalPreviewDto { diff, titles })
    }

    /// The learner's current path, with the reasons for every step.
    pub fn path(&self, learner_id: i64) -> Result<PathDto> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?;
        let mastery = self.mastery_map(learner_id)?;
        let path = self.plan_for(&learner, learner.goal_role.as_deref())?;
        let title_of = |kp: &str| pack.kp(kp).map(|k| k.title.clone()).unwrap_or_else(|| LocalizedText::new(kp, kp));
        let steps = path
            .steps
            .into_iter()
            .map(|s| {
                let kp = pack.kp(&s.kp);
                let module = kp
                    .and_then(|k| pack.modules.iter().find(|m| m.id == k.module))
                    .map(|m| m.title.clone())
                    .unwrap_or_default();
                let mut named: Vec<String> = Vec::new();
                for r in &s.reasons {
                    match r {
                        Reason::PrerequisiteOf { kps } => named.extend(kps.iter().cloned()),
                        Reason::PrerequisiteMastered { kp, .. } => named.push(kp.clone()),
                        Reason::PrerequisiteReview { for_kp, .. } => named.push(for_kp.clone()),
                        _ => {}
                    }
                }
                let mastery = mastery.get(&s.kp).map_or(self.params_for(&s.kp).p_init, |m| m.p);
                StepDto {
                    title: title_of(&s.kp),
                    module,
                    kp_titles: named.iter().map(|k| (k.clone(), title_of(k))).collect(),
                    kp: s.kp,
                    action: s.action,
                    method: s.method,
                    minutes: s.minutes,
                    week: s.week,
                    for_goal: s.for_goal,
                    mastery,
                    reasons: s.reasons,
                }
            })
            .collect();
        Ok(PathDto {
            learner_id,
            goal_title: path.goal_role.as_deref().and_then(|r| pack.role(r)).map(|r| r.title.clone()),
            goal_role: path.goal_role,
            goal_minutes: path.goal_minutes,
            weekly_minutes: learner.weekly_minutes,
            steps,
        })
    }

    /// A knowledge point's lesson (sanitized HTML in both languages) and its items.
    /// The lesson as this learner should meet it now: when struggling, the easier item kinds come
    /// first (choice, then numeric, then free text); when testing out, the harder ones.
    pub fn lesson_for(&self, learner_id: i64, kp_id: &str) -> Result<LessonDto> {
        let mut lesson = self.lesson(kp_id)?;
        let action = self.path(learner_id)?.steps.into_iter().find(|s| s.kp == kp_id).map(|s| s.action);
        let rank = |kind: &str| match kind {
            "choice" => 0,
            "numeric" => 1,
            _ => 2,
        };
        match action {
            Some(Action::Remediate) => lesson.items.sort_by_key(|i| rank(&i.kind)),
            Some(Action::TestOut) => lesson.items.sort_by_key(|i| std::cmp::Reverse(rank(&i.kind))),
            _ => {}
        }
        Ok(lesson)
    }

    pub fn lesson(&self, kp_id: &str) -> Result<LessonDto> {
        let pack = self.active_pack()?;
        let kp = pack.kp(kp_id).ok_or_else(|| AppError::not_found("knowledge point", kp_id))?;
        let module = pack.modules.iter().find(|m| m.id == kp.module).map(|m| m.title.clone()).unwrap_or_default();
        let items = pack.items_for(kp_id).map(item_dto).collect();
        Ok(LessonDto {
            kp: kp.id.clone(),
            title: kp.title.clone(),
            prerequisites: kp.prerequisites.clone(),
            module,
            minutes: kp.minutes,
            html: render(&kp.lesson),
            example_html: render(&kp.example),
            discussion_html: render(&kp.discussion),
            workshop_html: render(&kp.workshop),
            facts: pack.facts_shown(kp).cloned().collect(),
            sources: kp.sources.iter().filter_map(|s| pack.source(s).cloned()).collect(),
            as_of: pack.manifest.as_of.to_string(),
            items,
        })
    }

    /// Grades an answer, records the attempt and updates mastery — in one transaction. A second
    /// submission with the same idempotency key records nothing and returns the same result.
    pub fn submit_answer(&mut self, learner_id: i64, sub: SubmitAnswerDto) -> Result<AttemptResultDto> {
        self.submit_answer_with_model(learner_id, sub, None)
    }

    /// [`App::submit_answer`] with the on-device model's rubric verdicts for a free-text item.
    pub fn submit_answer_with_model(
        &mut self,
        learner_id: i64,
        sub: SubmitAnswerDto,
        model: Option<crate::ModelVerdict>,
    ) -> Result<AttemptResultDto> {
        let pack = self.active_pack()?.clone();
        let item = pack.item(&sub.item_id).ok_or_else(|| AppError::not_found("item", &sub.item_id))?;
        // Practice beyond the plan: the goal does not need this KP, or not any more (its mastery
        // already meets the goal's target) — the planner's own targets, without planning.
        let learner = self.store.db().learner(learner_id)?;
        let role = learner.goal_role.as_deref().and_then(|r| pack.role(r));
        let (targets, _) = crossway_core::planner::goal_targets(&pack.graph, role);
        let target = pack.graph.idx(&item.kp).and_then(|i| targets[i]);
        let p = self.store.db().mastery_of(learner_id, &item.kp)?.map_or(self.params_for(&item.kp).p_init, |m| m.p);
        let voluntary = target.is_none_or(|t| p >= t);
        let mut extra = serde_json::json!({ "voluntary": voluntary });
        if let Some(m) = &model {
            extra["model"] = m.to_payload();
        }
        self.answer_item(learner_id, &pack, item, &sub, extra, model.as_ref())
    }

    /// Grades `sub` against `item` (a pack item or a simulation step) and records it; `extra` is
    /// merged into the stored payload.
    pub(crate) fn answer_item(
        &mut self,
        learner_id: i64,
        pack: &crossway_content::Pack,
        item: &crossway_content::Item,
        sub: &SubmitAnswerDto,
        extra: serde_json::Value,
        model: Option<&crate::ModelVerdict>,
    ) -> Result<AttemptResultDto> {
        let key = sub.idempotency_key.trim();
        if key.is_empty() || key.len() > 128 {
            return Err(AppError::invalid("idempotency_key must be 1 to 128 characters"));
        }
        if let Some(s) = sub.seconds {
            if !(0.0..=86_400.0).contains(&s) {
                return Err(AppError::invalid("seconds must be between 0 and 86400"));
            }
        }
        let learner = self.store.db().learner(learner_id)?;
        let g = grade_answer(item, &sub.answer, model)?;
        let now = self.now();
        let mut payload = serde_json::json!({
            "answer": sub.answer,
            "grader": g.grader,
            "needs_review": g.needs_review,
            "kind": item.body.kind(),
            "seconds": sub.seconds,
        });
        if let (Some(p), serde_json::Value::Object(extra)) = (payload.as_object_mut(), extra) {
            p.extend(extra);
        }
        let (recorded, before, after) =
            self.record_scored(learner.id, &pack.manifest.id, item, key, g.score, &payload, now)?;
        let (attempt_id, duplicate) = match recorded {
            Recorded::New(id) => (id, false),
            Recorded::Duplicate(id) => (id, true),
        };
        Ok(AttemptResultDto {
            attempt_id,
            duplicate,
            item_id: item.id.clone(),
            kp: item.kp.clone(),
            correct: g.passed,
            score: g.score,
            correct_answer: g.correct_answer,
            error_cause: g.error_cause,
            explanation: item.explanation.clone(),
            rubric: crate::lesson_notes::with_lesson_notes(g.rubric, pack.kp(&item.kp).map(|k| &k.lesson)),
            grader: g.grader,
            confidence: g.confidence,
            needs_review: g.needs_review,
            mastery_before: before.p,
            mastery_after: after.p,
        })
    }
}

/// An answer graded, before it is recorded.
pub(crate) struct Graded {
    pub score: f64,
    /// Choice/numeric: the key's verdict; free text: the combination's ([`crossway_tutor::verdict::combine`]).
    pub passed: bool,
    pub correct_answer: LocalizedText,
    pub error_cause: Option<LocalizedText>,
    pub rubric: Vec<RubricPointDto>,
    pub grader: String,
    pub confidence: Option<f64>,
    pub needs_review: bool,
}

/// Grades an answer: by the key for choice and numeric items; free text by the tutor's one rule
/// ([`crossway_tutor::calibrated::grade`]): each rubric point's calibrated verdict (met, missing or
/// contradicted) from the model's reading when it read the answer, its words and the calibrated
/// lexical score against the reference and the item's graded examples; the score is computed
/// from those verdicts and agrees with them.
pub(crate) fn grade_answer(
    item: &crossway_content::Item,
    answer: &Answer,
    model: Option<&crate::ModelVerdict>,
) -> Result<Graded> {
    match (&item.body, answer) {
        (ItemBody::FreeText { reference, rubric, .. }, Answer::FreeText { text }) => {
            check_free_text(text)?;
            let loc = answer_locale(text);
            let points: Vec<&str> = rubric.iter().map(|p| p.get(loc)).collect();
            let g = lexical_grade(item, text, loc);
            let model = model.filter(|m| m.p_met.len() == rubric.len());
            let readings = model.map(|m| m.readings());
            let c = crossway_tutor::calibrated::grade(
                &points,
                text,
                (g.score, g.abstained),
                model.zip(readings.as_deref()).map(|(m, r)| (m.model.as_str(), r)),
                loc,
            );
            let grader = match model {
                Some(m) if crossway_tutor::calibrated::calibration(Some(&m.model), loc).is_some() => {
                    crate::tutor::MODEL_GRADER
                }
                Some(_) => crate::tutor::UNCALIBRATED_MODEL_GRADER,
                None => g.method,
            }
            .to_string();
            let rubric = rubric
                .iter()
                .zip(&c.points)
                .map(|(t, v)| RubricPointDto {
                    text: t.clone(),
                    met: v.state == crossway_tutor::verdict::PointState::Met,
                    state: v.state.as_str().to_string(),
                    lesson: None,
                })
                .collect();
            Ok(Graded {
                score: c.score,
                passed: c.passed,
                correct_answer: reference.clone(),
                error_cause: None,
                rubric,
                grader,
                confidence: Some(g.confidence),
                needs_review: c.needs_review,
            })
        }
        _ => {
            let v = item.grade(answer).map_err(|e| AppError::invalid(e.to_string()))?;
            Ok(Graded {
                score: v.score,
                passed: v.score >= 0.999,
                correct_answer: v.correct_answer,
                error_cause: v.error_cause,
                rubric: Vec::new(),
                grader: "key".to_string(),
                confidence: None,
                needs_review: false,
            })
        }
    }
}

/// The calibrated lexical estimate of a free-text answer (score, confidence, abstention) against
/// the item's reference answer and graded example answers in `loc` (docs/quality.md).
pub(crate) fn lexical_grade(
    item: &crossway_content::Item,
    text: &str,
    loc: &str,
) -> crossway_tutor::keyword::RubricGrade {
    let ItemBody::FreeText { reference, rubric, examples } = &item.body else {
        return crossway_tutor::keyword::grade(&[], text);
    };
    let points: Vec<&str> = rubric.iter().map(|p| p.get(loc)).collect();
    crossway_tutor::keyword::grade_with_reference(
        &points,
        Some(item.stem.get(loc)),
        &[reference.get(loc)],
        &examples_in(examples, loc),
        text,
        crossway_tutor::lexical::Lang::from_tag(loc),
    )
}

/// A pack example's grade as the grader takes it.
pub(crate) fn tutor_grade(g: crossway_content::ExampleGrade) -> crossway_tutor::examples::ExampleGrade {
    use crossway_content::ExampleGrade as G;
    use crossway_tutor::examples::ExampleGrade as T;
    match g {
        G::Correct => T::Correct,
        G::PartlyCorrect => T::PartlyCorrect,
        G::Contradictory => T::Contradictory,
        G::Incorrect => T::Incorrect,
    }
}

/// An item's graded example answers in one language, as the grader takes them.
pub(crate) fn examples_in(
    examples: &[crossway_content::GradedExample],
    loc: &str,
) -> Vec<crossway_tutor::examples::Example> {
    examples.iter().map(|e| crossway_tutor::examples::Example::new(e.text.get(loc), tutor_grade(e.grade))).collect()
}

/// A free-text answer must be 1 to 4000 characters.
pub(crate) fn check_free_text(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(AppError::invalid("the answer is empty"));
    }
    if text.chars().count() > 4000 {
        return Err(AppError::invalid("the answer is longer than 4000 characters"));
    }
    Ok(())
}

/// The language a free-text answer is written in: Chinese if it holds a CJK ideograph.
pub(crate) fn answer_locale(text: &str) -> &'static str {
    if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        "zh-CN"
    } else {
        "en"
    }
}

#[cfg(test)]
mod tests {
    use crossway_content::{ExampleGrade, ItemBody};
    use crossway_tutor::{examples::score_with_examples, lexical::Lang};

    /// The shipped pack's graded examples, each scored with the other examples of its item
    /// (leave one out) and without any: how often right ones pass and wrong ones fail.
    #[test]
    fn the_packs_graded_examples_help_to_tell_its_right_and_wrong_answers_apart() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core");
        let pack = crossway_content::load_pack(&root).into_result().unwrap();
        let (mut with, mut without, mut n) = (0usize, 0usize, 0usize);
        for item in pack.items.iter().chain(pack.simulations.iter().flat_map(|s| &s.steps)) {
            let ItemBody::FreeText { reference, examples, .. } = &item.body else { continue };
            for loc in ["en", "zh-CN"] {
                let lang = Lang::from_tag(loc);
                for (k, e) in examples.iter().enumerate() {
                    let right = match e.grade {
                        ExampleGrade::Correct => true,
                        ExampleGrade::Incorrect | ExampleGrade::Contradictory => false,
                        ExampleGrade::PartlyCorrect => continue,
                    };
                    let others: Vec<_> =
                        examples.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, e)| e.clone()).collect();
                    let q = Some(item.stem.get(loc));
                    let p_with = score_with_examples(
                        lang,
                        q,
                        &[reference.get(loc)],
                        &super::examples_in(&others, loc),
                        e.text.get(loc),
                    )
                    .p;
                    let p_without = score_with_examples(lang, q, &[reference.get(loc)], &[], e.text.get(loc)).p;
                    with += usize::from((p_with >= 0.5) == right);
                    without += usize::from((p_without >= 0.5) == right);
                    n += 1;
                }
            }
        }
        let (with, without) = (with as f64 / n as f64, without as f64 / n as f64);
        println!("{n} right/wrong example answers: accuracy {with:.3} with the other examples, {without:.3} without");
        assert!(n >= 300, "{n}");
        assert!(with >= without, "{with} < {without}");
    }
}
