//! Simulations (F12): the pack's multi-step tasks, run by a learner. Each step is an item: its
//! answer is graded and recorded like any other (so it feeds the mastery of the step's KP), tagged
//! with the run. Hints are counted; finishing scores accuracy and efficiency (core `simscore`).

use std::collections::HashMap;

use crossway_content::{render_markdown, DataTable, Simulation};
use crossway_core::simscore::{score_run, Improvement, StepOutcome};
use crossway_core::LocalizedText;
use serde::Serialize;

use crate::practice::item_dto;
use crate::{App, AppError, AttemptResultDto, ItemDto, Result, SubmitAnswerDto};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationSummaryDto {
    pub id: String,
    pub title: LocalizedText,
    pub kps: Vec<String>,
    pub minutes: u32,
    pub steps: usize,
    /// The learner's best finished score, if any.
    pub best_score: Option<f64>,
    pub runs: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimStepDto {
    pub item: ItemDto,
    pub kp: String,
    pub has_hint: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationRunDto {
    pub run_id: i64,
    pub sim_id: String,
    pub title: LocalizedText,
    pub brief_html: LocalizedText,
    pub minutes: u32,
    pub tables: Vec<DataTable>,
    pub steps: Vec<SimStepDto>,
    /// Steps already answered in this run, with their results.
    pub answered: Vec<AttemptResultDto>,
    pub hints_used: Vec<String>,
    pub finished: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimStepScoreDto {
    pub step: String,
    pub kp: String,
    pub kp_title: LocalizedText,
    pub score: Option<f64>,
    pub hint_used: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationResultDto {
    pub run_id: i64,
    pub sim_id: String,
    pub title: LocalizedText,
    pub accuracy: f64,
    pub efficiency: f64,
    pub time_factor: f64,
    pub hint_factor: f64,
    pub score: f64,
    pub minutes: f64,
    pub fluent_minutes: u32,
    pub steps: Vec<SimStepScoreDto>,
    /// What to improve, most important first, as sentences.
    pub improve: Vec<LocalizedText>,
}

impl App {
    fn simulation_def(&self, sim_id: &str) -> Result<(std::sync::Arc<crossway_content::Pack>, usize)> {
        let pack = self.active_pack()?.clone();
        let i = pack
            .simulations
            .iter()
            .position(|s| s.id == sim_id)
            .ok_or_else(|| AppError::not_found("simulation", sim_id))?;
        Ok((pack, i))
    }

    pub fn simulations(&self, learner_id: i64) -> Result<Vec<SimulationSummaryDto>> {
        let pack = self.active_pack()?;
        let runs = self.store.db().simulation_runs(learner_id)?;
        Ok(pack
            .simulations
            .iter()
            .map(|s| {
                let mine: Vec<_> = runs.iter().filter(|r| r.sim_id == s.id).collect();
                SimulationSummaryDto {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    kps: s.kps.clone(),
                    minutes: s.minutes,
                    steps: s.steps.len(),
                    best_score: mine.iter().filter_map(|r| r.score).max_by(f64::total_cmp),
                    runs: mine.len(),
                }
            })
            .collect())
    }

    /// Starts a new run of a simulation.
    pub fn start_simulation(&mut self, learner_id: i64, sim_id: &str) -> Result<SimulationRunDto> {
        self.store.db().learner(learner_id)?;
        let (pack, _) = self.simulation_def(sim_id)?;
        let now = self.now();
        let run_id = self.store.transact(|db| db.start_simulation_run(learner_id, &pack.manifest.id, sim_id, now))?;
        self.simulation_run(learner_id, run_id)
    }

    fn run_of(&self, learner_id: i64, run_id: i64) -> Result<crossway_store::SimRunRow> {
        let run = self.store.db().simulation_run(run_id)?;
        if run.learner_id != learner_id {
            return Err(AppError::not_found("simulation run", run_id));
        }
        Ok(run)
    }

    /// A run as it stands: the task, its data, and the steps answered so far.
    pub fn simulation_run(&self, learner_id: i64, run_id: i64) -> Result<SimulationRunDto> {
        let run = self.run_of(learner_id, run_id)?;
        let (pack, i) = self.simulation_def(&run.sim_id)?;
        let sim = &pack.simulations[i];
        let answered = self.run_attempts(learner_id, run_id)?.into_values().collect::<Vec<_>>();
        let mut answered: Vec<AttemptResultDto> = answered
            .into_iter()
            .filter_map(|a| {
                let step = sim.steps.iter().find(|s| s.id == a.item_id)?;
                let g = crate::practice::grade_answer(
                    step,
                    &serde_json::from_value(a.payload.get("answer")?.clone()).ok()?,
                    crate::ModelVerdict::from_payload(&a.payload).as_ref(),
                )
                .ok()?;
                Some(AttemptResultDto {
                    attempt_id: a.id,
                    duplicate: true,
                    item_id: step.id.clone(),
                    kp: step.kp.clone(),
                    correct: if g.rubric.is_empty() { a.score >= 0.999 } else { a.score >= 0.5 },
                    score: a.score,
                    correct_answer: g.correct_answer,
                    error_cause: g.error_cause,
                    explanation: step.explanation.clone(),
                    rubric: crate::lesson_notes::with_lesson_notes(g.rubric, pack.kp(&step.kp).map(|k| &k.lesson)),
                    grader: g.grader,
                    confidence: g.confidence,
                    needs_review: g.needs_review,
                    mastery_before: a.payload.get("mastery_before").and_then(|v| v.as_f64()).unwrap_or_default(),
                    mastery_after: a.payload.get("mastery_after").and_then(|v| v.as_f64()).unwrap_or_default(),
                })
            })
            .collect();
        answered.sort_by_key(|a| sim.steps.iter().position(|s| s.id == a.item_id));
        Ok(SimulationRunDto {
            run_id,
            sim_id: sim.id.clone(),
            title: sim.title.clone(),
            brief_html: LocalizedText::new(render_markdown(&sim.brief.en), render_markdown(&sim.brief.zh_cn)),
            minutes: sim.minutes,
            tables: sim.tables.clone(),
            steps: sim
                .steps
                .iter()
                .map(|s| SimStepDto { item: item_dto(s), kp: s.kp.clone(), has_hint: s.hint.is_some() })
                .collect(),
            answered,
            hints_used: run.hints,
            finished: run.finished_at.is_some(),
        })
    }

    /// The run's answered steps: step id → its attempt.
    fn run_attempts(&self, learner_id: i64, run_id: i64) -> Result<HashMap<String, crossway_store::AttemptRow>> {
        Ok(self
            .store
            .db()
            .attempts(learner_id)?
            .into_iter()
            .filter(|a| a.payload.get("simulation_run").and_then(|v| v.as_i64()) == Some(run_id))
            .map(|a| (a.item_id.clone(), a))
            .collect())
    }

    /// Shows a step's hint; each hint used lowers the run's efficiency.
    pub fn simulation_hint(&mut self, learner_id: i64, run_id: i64, step_id: &str) -> Result<LocalizedText> {
        let run = self.run_of(learner_id, run_id)?;
        let (pack, i) = self.simulation_def(&run.sim_id)?;
        let step = pack.simulations[i]
            .steps
            .iter()
            .find(|s| s.id == step_id)
            .ok_or_else(|| AppError::not_found("simulation step", step_id))?;
        let hint = step.hint.clone().ok_or_else(|| AppError::invalid(format!("step {step_id} has no hint")))?;
        if run.finished_at.is_none() {
            self.store.transact(|db| db.add_simulation_hint(run_id, step_id))?;
        }
        Ok(hint)
    }

    /// Answers one step of a run: graded, recorded against the step's KP, tagged with the run.
    pub fn answer_simulation_step(
        &mut self,
        learner_id: i64,
        run_id: i64,
        sub: SubmitAnswerDto,
    ) -> Result<AttemptResultDto> {
        self.answer_simulation_step_with_model(learner_id, run_id, sub, None)
    }

    /// [`App::answer_simulation_step`] with the on-device model's rubric verdicts (free text).
    pub fn answer_simulation_step_with_model(
        &mut self,
        learner_id: i64,
        run_id: i64,
        sub: SubmitAnswerDto,
        model: Option<crate::ModelVerdict>,
    ) -> Result<AttemptResultDto> {
        let run = self.run_of(learner_id, run_id)?;
        let (pack, i) = self.simulation_def(&run.sim_id)?;
        let sim: &Simulation = &pack.simulations[i];
        let step = sim
            .steps
            .iter()
            .find(|s| s.id == sub.item_id)
            .ok_or_else(|| AppError::not_found("simulation step", &sub.item_id))?;
        let previous = self.run_attempts(learner_id, run_id)?;
        if let Some(prev) = previous.get(&step.id) {
            if prev.idempotency_key != sub.idempotency_key.trim() {
                return Err(AppError::invalid(format!(
                    "step {} was already answered in this run; start a new run to try again",
                    step.id
                )));
            }
        } else if run.finished_at.is_some() {
            return Err(AppError::invalid("this run is finished; start a new run to try again"));
        }
        let mut extra = serde_json::json!({ "simulation_run": run_id, "simulation": sim.id, "voluntary": false });
        if let Some(m) = &model {
            extra["model"] = m.to_payload();
        }
        self.answer_item(learner_id, &pack, step, &sub, extra, model.as_ref())
    }

    /// Finishes a run (steps left out count as wrong) and scores it; finishing again returns the
    /// same result.
    pub fn finish_simulation(&mut self, learner_id: i64, run_id: i64) -> Result<SimulationResultDto> {
        let run = self.run_of(learner_id, run_id)?;
        let (pack, i) = self.simulation_def(&run.sim_id)?;
        let sim = &pack.simulations[i];
        let attempts = self.run_attempts(learner_id, run_id)?;
        let outcomes: Vec<StepOutcome> = sim
            .steps
            .iter()
            .map(|s| StepOutcome {
                step: s.id.clone(),
                kp: s.kp.clone(),
                score: attempts.get(&s.id).map(|a| a.score),
                hint_used: run.hints.contains(&s.id),
            })
            .collect();
        let finished_at = run.finished_at.unwrap_or_else(|| self.now());
        let minutes = run.minutes.unwrap_or_else(|| (finished_at - run.started_at).num_seconds().max(0) as f64 / 60.0);
        let r = score_run(
            &outcomes,
            minutes,
            f64::from(sim.minutes),
            (sim.scoring.accuracy_weight, sim.scoring.efficiency_weight),
        );
        if run.finished_at.is_none() {
            self.store.transact(|db| {
                db.finish_simulation_run(
                    run_id,
                    finished_at,
                    r.accuracy,
                    r.efficiency,
                    r.score.clamp(0.0, 1.0),
                    minutes,
                )
            })?;
        }
        let title_of = |kp: &str| pack.kp(kp).map(|k| k.title.clone()).unwrap_or_else(|| LocalizedText::new(kp, kp));
        let improve = r
            .improve
            .iter()
            .map(|imp| match imp {
                Improvement::Step { step, kp, score } => {
                    let n = sim.steps.iter().position(|s| &s.id == step).map_or(0, |p| p + 1);
                    let t = title_of(kp);
                    if *score == 0.0 && !attempts.contains_key(step) {
                        LocalizedText::new(
                            format!("Step {n} was left out: study “{}” and try the whole task again.", t.en),
                            format!("第 {n} 步没有作答：请学习“{}”，再完整做一遍。", t.zh_cn),
                        )
                    } else {
                        LocalizedText::new(
                            format!("Step {n} scored {:.0}%: review “{}”.", score * 100.0, t.en),
                            format!("第 {n} 步得分 {:.0}%：请复习“{}”。", score * 100.0, t.zh_cn),
                        )
                    }
                }
                Improvement::Speed { minutes, fluent_minutes } => LocalizedText::new(
                    format!(
                        "You took {minutes:.0} minutes; a fluent specialist needs about {fluent_minutes:.0}. Practise the calculations until they are routine."
                    ),
                    format!("你用了 {minutes:.0} 分钟，熟练的专员约需 {fluent_minutes:.0} 分钟。多练习这些计算，直到驾轻就熟。"),
                ),
                Improvement::Hints { used, steps } => LocalizedText::new(
                    format!("You used hints on {used} of {steps} steps: next time try each step before opening its hint."),
                    format!("{steps} 步中有 {used} 步使用了提示：下次先独立尝试，再决定是否查看提示。"),
                ),
            })
            .collect();
        Ok(SimulationResultDto {
            run_id,
            sim_id: sim.id.clone(),
            title: sim.title.clone(),
            accuracy: r.accuracy,
            efficiency: r.efficiency,
            time_factor: r.time_factor,
            hint_factor: r.hint_factor,
            score: r.score,
            minutes,
            fluent_minutes: sim.minutes,
            steps: outcomes
                .iter()
                .map(|o| SimStepScoreDto {
                    step: o.step.clone(),
                    kp: o.kp.clone(),
                    kp_title: title_of(&o.kp),
                    score: o.score,
                    hint_used: o.hint_used,
                })
                .collect(),
            improve,
        })
    }
}
