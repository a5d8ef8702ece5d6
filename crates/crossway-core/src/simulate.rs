//! A synthetic cohort run through two policies — the adaptive planner and the pack's fixed order —
//! to measure whether adaptivity saves practice without losing mastery (`crossway simulate`).
//!
//! Honesty rules: both policies see the same learners (same hidden state, same random draws per
//! learner); the adaptive policy sees only the learner's answers (its own BKT estimate with default
//! parameters), never the hidden state; the simulator's true learning parameters differ per learner
//! and from the planner's.

use std::collections::HashMap;

use serde::Serialize;

use crate::graph::KnowledgeGraph;
use crate::mastery::{BktParams, Mastery};
use crate::planner::{plan, PlanInput, Signals};
use crate::role::Role;

#[derive(Debug, Clone, Copy)]
pub struct SimConfig {
    pub learners: usize,
    pub seed: u64,
    /// The most items the fixed course gives one KP (it moves on earlier once the estimate
    /// reaches the target).
    pub fixed_items_per_kp: u32,
    /// A learner who has not reached the goal after this many answers stops.
    pub max_attempts: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self { learners: 200, seed: 1, fixed_items_per_kp: 30, max_attempts: 3000 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyResult {
    /// Median answers until the policy considers the goal reached (or it gave up).
    pub attempts_to_goal_median: f64,
    /// Share of learners who truly know every KP the goal requires when the policy stops.
    pub reached_goal_share: f64,
    /// Mean share of required KPs truly known when the policy stops.
    pub final_true_mastery_mean: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    pub learners: usize,
    pub seed: u64,
    pub adaptive: PolicyResult,
    pub fixed: PolicyResult,
}

/// A small deterministic generator (xorshift64*), so runs are reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A synthetic learner: what they truly know and how they learn.
#[derive(Clone)]
struct Learner {
    goal: usize,
    known: Vec<bool>,
    learn: f64,
    slip: f64,
    guess: f64,
}

fn make_learner(g: &KnowledgeGraph, roles: &[Role], rng: &mut Rng) -> Learner {
    let experience = rng.next(); // 0 = newcomer, 1 = experienced seller
    let known = g
        .nodes()
        .iter()
        .map(|k| rng.next() < experience * 0.8 * (1.0 - (f64::from(k.difficulty) - 1.0) / 5.0))
        .collect();
    Learner {
        goal: ((rng.next() * roles.len() as f64) as usize).min(roles.len().saturating_sub(1)),
        known,
        learn: 0.15 + rng.next() * 0.25,
        slip: 0.05 + rng.next() * 0.1,
        guess: 0.1 + rng.next() * 0.2,
    }
}

/// One practice answer on KP `i`: the answer is drawn from the hidden state, then the learner may
/// learn (much less likely while a prerequisite is still unknown).
fn practice(g: &KnowledgeGraph, l: &mut Learner, i: usize, rng: &mut Rng) -> bool {
    let correct = if l.known[i] { rng.next() >= l.slip } else { rng.next() < l.guess };
    if !l.known[i] {
        let ready = g.node(i).prerequisites.iter().filter_map(|p| g.idx(p)).all(|j| l.known[j]);
        let p = if ready { l.learn } else { l.learn * 0.25 };
        l.known[i] = rng.next() < p;
    }
    correct
}

/// KPs the goal needs: required ones and all their prerequisites.
fn goal_kps(g: &KnowledgeGraph, role: &Role) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for req in &role.requires {
        for id in std::iter::once(req.kp.as_str()).chain(g.ancestors(&req.kp)) {
            if let Some(i) = g.idx(id) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
    }
    out
}

fn outcome(l: &Learner, required: &[usize]) -> (bool, f64) {
    let known = required.iter().filter(|&&i| l.known[i]).count();
    (known == required.len(), known as f64 / required.len().max(1) as f64)
}

fn run_adaptive(
    g: &KnowledgeGraph,
    roles: &[Role],
    mut l: Learner,
    cfg: &SimConfig,
    rng: &mut Rng,
) -> (u32, bool, f64) {
    let params = BktParams::default();
    let mut mastery: HashMap<String, Mastery> = HashMap::new();
    let mut signals = Signals::default();
    let role = &roles[l.goal];
    let mut attempts = 0;
    while attempts < cfg.max_attempts {
        let path = plan(&PlanInput {
            graph: g,
            roles,
            goal_role: Some(&role.id),
            mastery: &mastery,
            params: &params,
            weekly_minutes: 300,
            signals: &signals,
        });
        let Some(step) = path.steps.iter().find(|s| s.for_goal) else { break };
        let Some(i) = g.idx(&step.kp) else { break };
        let correct = practice(g, &mut l, i, rng);
        attempts += 1;
        let m = mastery.entry(step.kp.clone()).or_insert_with(|| Mastery::prior(&params));
        *m = m.after_attempt(if correct { 1.0 } else { 0.0 }, &params);
        let streak = signals.wrong_streak.entry(step.kp.clone()).or_insert(0);
        *streak = if correct { 0 } else { *streak + 1 };
    }
    let (reached, share) = outcome(&l, &goal_kps(g, role));
    (attempts, reached, share)
}

fn run_fixed(g: &KnowledgeGraph, roles: &[Role], mut l: Learner, cfg: &SimConfig, rng: &mut Rng) -> (u32, bool, f64) {
    let role = &roles[l.goal];
    let required = goal_kps(g, role);
    // The one-size course: every KP in the pack's teaching order (the graph's node order), each
    // practised with the same mastery rule as the adaptive path (the same BKT estimate must reach
    // the same target: the role's level for required KPs, level 1 for the rest), until the last
    // KP the goal needs. It differs only in not choosing: no skipping, no goal-first ordering.
    let params = BktParams::default();
    let target = |i: usize| {
        role.requires
            .iter()
            .filter(|r| g.idx(&r.kp) == Some(i))
            .map(|r| r.level.mastery_threshold())
            .fold(crate::role::Level(1).mastery_threshold(), f64::max)
    };
    let last = required.iter().copied().max().unwrap_or(0);
    let mut attempts = 0;
    'course: for i in 0..=last.min(g.len().saturating_sub(1)) {
        let mut m = Mastery::prior(&params);
        let mut on_this = 0;
        while m.p < target(i) && on_this < cfg.fixed_items_per_kp {
            if attempts >= cfg.max_attempts {
                break 'course;
            }
            let correct = practice(g, &mut l, i, rng);
            m = m.after_attempt(if correct { 1.0 } else { 0.0 }, &params);
            attempts += 1;
            on_this += 1;
        }
    }
    let (reached, share) = outcome(&l, &required);
    (attempts, reached, share)
}

fn summarize(runs: &[(u32, bool, f64)]) -> PolicyResult {
    let mut a: Vec<u32> = runs.iter().map(|r| r.0).collect();
    a.sort_unstable();
    let median = match a.len() {
        0 => 0.0,
        n if n % 2 == 1 => f64::from(a[n / 2]),
        n => (f64::from(a[n / 2 - 1]) + f64::from(a[n / 2])) / 2.0,
    };
    let n = runs.len().max(1) as f64;
    PolicyResult {
        attempts_to_goal_median: median,
        reached_goal_share: runs.iter().filter(|r| r.1).count() as f64 / n,
        final_true_mastery_mean: runs.iter().map(|r| r.2).sum::<f64>() / n,
    }
}

/// Runs the cohort through both policies.
pub fn simulate(g: &KnowledgeGraph, roles: &[Role], cfg: &SimConfig) -> SimReport {
    let mut adaptive = Vec::with_capacity(cfg.learners);
    let mut fixed = Vec::with_capacity(cfg.learners);
    if !roles.is_empty() && !g.is_empty() {
        for n in 0..cfg.learners {
            let learner =
                make_learner(g, roles, &mut Rng::new(cfg.seed ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407)));
            // The same draws for both policies: each gets a generator with the same seed.
            let stream = cfg.seed.wrapping_add(n as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25);
            adaptive.push(run_adaptive(g, roles, learner.clone(), cfg, &mut Rng::new(stream)));
            fixed.push(run_fixed(g, roles, learner, cfg, &mut Rng::new(stream)));
        }
    }
    SimReport { learners: cfg.learners, seed: cfg.seed, adaptive: summarize(&adaptive), fixed: summarize(&fixed) }
}
