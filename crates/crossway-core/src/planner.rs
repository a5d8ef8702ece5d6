//! The path planner: which knowledge points to study next, in what order, and why.
//!
//! Walking-skeleton version: the goal role's required KPs and everything they depend on come
//! first, in prerequisite order; KPs already at the required mastery are left out; the rest of the
//! pack follows as optional. Every step carries structured reasons built from the graph and the
//! mastery estimates (never invented text: the UI renders them in the learner's language).
//! Steps are spread over weeks by the learner's weekly time budget.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::graph::KnowledgeGraph;
use crate::mastery::{BktParams, Mastery};
use crate::methods::Method;
use crate::role::{Level, Role};
use crate::text::LocalizedText;

/// What the learner should do with a knowledge point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Not started: read the lesson, then answer its items.
    Learn,
    /// Started but below the required mastery: answer more items.
    Practice,
    /// Struggling: worked example first, then easier items.
    Remediate,
    /// A mastered prerequisite to revisit before a KP the learner struggles with.
    Review,
    /// Learned before, but facts in it changed in a pack update: a short refresh.
    Refresh,
    /// A strong learner may skip the lesson: answer its items, and the KP is done if they are right.
    TestOut,
}

/// Why a step is on the path. Serialised with a `kind` tag, e.g.
/// `{"kind":"goal_requires","role":"amazon-ops","level":2}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The goal role requires this KP at `level` (mastery `threshold`).
    GoalRequires { role: String, level: u8, threshold: f64 },
    /// Needed first for these KPs on the path.
    PrerequisiteOf { kps: Vec<String> },
    /// A prerequisite the learner already masters.
    PrerequisiteMastered { kp: String, p: f64 },
    /// The current mastery estimate and the evidence behind it.
    Mastery { p: f64, after_attempts: u32, target: f64 },
    /// Not needed for the goal; offered to broaden knowledge.
    OutsideGoal,
    /// The last answers on this KP were wrong.
    Struggling { wrong_in_a_row: u32 },
    /// Revisit this prerequisite before `for_kp`, which the learner struggles with.
    PrerequisiteReview { for_kp: String, p: f64 },
    /// Facts in this KP changed in a pack update since the learner learned it.
    FactChanged { facts: Vec<FactRefresh> },
    /// A spaced review is due (FSRS); `p_recall` is the predicted chance of remembering it now.
    RecallDue { p_recall: f64 },
    /// The learner's record is strong enough to try skipping the lesson.
    StrongRecord { accuracy: f64, answers: u32 },
    /// The learner often stops after a mistake: the topic comes in two shorter sittings.
    ShortSteps { persistence: f64 },
    /// This method raised the learner's mastery fastest, so the step starts with it.
    MethodWorks { method: Method, rate: f64, sessions: u32 },
    /// The learner asked the tutor about this KP `times` times in the last week (`not_helpful`
    /// of the answers did not help), so the step starts with the worked example.
    AskedOften { times: u32, not_helpful: u32 },
    /// The learner said they sell on (or target) these platforms or markets, which this KP is
    /// about, so it comes early on the path.
    YouNamed { named: Vec<LocalizedText> },
}

/// A changed fact, as the planner needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactRefresh {
    pub fact: String,
    pub as_of: Option<String>,
}

/// Recent signals about the learner beyond mastery (empty by default).
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// KP → number of wrong answers in a row at the end of its attempt history.
    pub wrong_streak: HashMap<String, u32>,
    /// KP → facts that changed in a pack update since the learner started it.
    pub changed_facts: HashMap<String, Vec<FactRefresh>>,
    /// KP → predicted recall, for learned KPs whose spaced review is due now.
    pub due_reviews: HashMap<String, f64>,
    /// Recent answers overall: (count, share right). A strong record offers test-outs.
    pub recent: Option<(u32, f64)>,
    /// Share of wrong answers the learner followed with another try (indicators); below
    /// [`LOW_PERSISTENCE`] new topics come in two shorter sittings.
    pub persistence: Option<f64>,
    /// The method measured to raise this learner's mastery fastest: (method, gain per 10 minutes,
    /// sessions). Learning steps start with it.
    pub best_method: Option<(Method, f64, u32)>,
    /// KP → (questions asked about it in the last 7 days, of which answers were not helpful).
    pub asked: HashMap<String, (u32, u32)>,
    /// KP → the platforms and markets the learner said they sell on or target that the KP is
    /// about (confirmed from "describe yourself"). These KPs, with their prerequisites, come first
    /// in their part of the path.
    pub interests: HashMap<String, Vec<LocalizedText>>,
}

/// Questions about a KP in a week (an unhelpful answer counts twice) that bring its worked
/// example first.
pub const ASKED_OFTEN: u32 = 3;

/// Persistence below which new topics are split into two shorter sittings.
pub const LOW_PERSISTENCE: f64 = 0.5;

/// A record that offers a test-out on a new KP whose prerequisites are solid.
pub const TEST_OUT_MIN_ANSWERS: u32 = 8;
pub const TEST_OUT_MIN_ACCURACY: f64 = 0.85;

/// Wrong answers in a row that switch a KP to remediation.
pub const STRUGGLING_AFTER: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub kp: String,
    pub action: Action,
    pub minutes: u32,
    /// 1 = this week, 2 = next week, … by the weekly time budget.
    pub week: u32,
    /// The method to start with, when the learner's record shows one works best for them.
    #[serde(default)]
    pub method: Option<Method>,
    /// Part of the goal (false: optional, outside the goal role).
    pub for_goal: bool,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub goal_role: Option<String>,
    pub steps: Vec<Step>,
    /// Minutes left to study for the goal, summed over goal steps.
    pub goal_minutes: u32,
}

pub struct PlanInput<'a> {
    pub graph: &'a KnowledgeGraph,
    pub roles: &'a [Role],
    pub goal_role: Option<&'a str>,
    pub mastery: &'a HashMap<String, Mastery>,
    pub params: &'a BktParams,
    pub weekly_minutes: u32,
    pub signals: &'a Signals,
}

/// The prerequisite order with the KPs of `signals.interests` and everything they need first
/// moved ahead (both parts keep their prerequisite order, and the first part is closed under
/// prerequisites, so the whole still is one).
fn interests_first(g: &KnowledgeGraph, signals: &Signals) -> Vec<usize> {
    let topo = g.topo_order();
    if signals.interests.is_empty() {
        return topo.to_vec();
    }
    let mut marked = vec![false; g.len()];
    // Dependents come after their prerequisites in `topo`: walking it backwards, a KP is marked
    // when it is an interest or a prerequisite of a marked KP.
    for &i in topo.iter().rev() {
        marked[i] = signals.interests.contains_key(&g.node(i).id) || g.dependents_of(i).iter().any(|&d| marked[d]);
    }
    topo.iter().copied().filter(|&i| marked[i]).chain(topo.iter().copied().filter(|&i| !marked[i])).collect()
}

/// Plans the path. Pure: the same input gives the same path.
pub fn plan(input: &PlanInput<'_>) -> Path {
    let g = input.graph;
    let n = g.len();
    let role = input.goal_role.and_then(|id| input.roles.iter().find(|r| r.id == id));

    let (target, required_level) = goal_targets(g, role);
    let default_target = Level(1).mastery_threshold();
    // One lookup per KP; everything below indexes these.
    let mastery: Vec<Mastery> = (0..n)
        .map(|i| input.mastery.get(&g.node(i).id).copied().unwrap_or_else(|| Mastery::prior(input.params)))
        .collect();
    let needs: Vec<bool> = (0..n).map(|i| mastery[i].p < target[i].unwrap_or(default_target)).collect();
    let mastery_of = |i: usize| mastery[i];
    let needs_work = |i: usize| needs[i];

    let on_goal_path: Vec<bool> = (0..n).map(|i| target[i].is_some() && needs_work(i)).collect();
    // A short step (about a third of the lesson time): reviews and refreshes.
    let short_step = |i: usize, action: Action, for_goal: bool, reasons: Vec<Reason>| {
        let node = g.node(i);
        Step {
            kp: node.id.clone(),
            action,
            minutes: node.minutes.div_ceil(3).max(3),
            week: 0,
            method: None,
            for_goal,
            reasons,
        }
    };
    let mut steps = Vec::new();
    // First, due spaced reviews of learned KPs: short retrieval practice keeps them from being
    // forgotten. Then refreshes of KPs whose facts changed. Then the goal, then the rest.
    for &i in g.topo_order() {
        let node = g.node(i);
        let Some(&p_recall) = input.signals.due_reviews.get(&node.id) else { continue };
        if needs_work(i) || input.signals.changed_facts.contains_key(&node.id) {
            continue; // practised anyway, or refreshed below
        }
        steps.push(short_step(i, Action::Review, target[i].is_some(), vec![Reason::RecallDue { p_recall }]));
    }
    // Refreshes: about facts that are now wrong in the learner's head.
    for &i in g.topo_order() {
        let node = g.node(i);
        let Some(facts) = input.signals.changed_facts.get(&node.id) else { continue };
        let m = mastery_of(i);
        if needs_work(i) || m.attempts == 0 {
            continue; // still being learned: the regular step carries the reason
        }
        let reasons = vec![
            Reason::FactChanged { facts: facts.clone() },
            Reason::Mastery { p: m.p, after_attempts: m.attempts, target: target[i].unwrap_or(default_target) },
        ];
        steps.push(short_step(i, Action::Refresh, target[i].is_some(), reasons));
    }
    // Goal steps first, then optional ones; each group in prerequisite order, the KPs about the
    // learner's platforms and markets (and what they need first) ahead of the rest.
    let order = interests_first(g, input.signals);
    for goal_pass in [true, false] {
        for &i in &order {
            let for_goal = target[i].is_some();
            if for_goal != goal_pass || !needs_work(i) {
                continue;
            }
            let node = g.node(i);
            let m = mastery_of(i);
            let t = target[i].unwrap_or(default_target);
            let mut reasons = Vec::new();
            if let (Some(role), Some(level)) = (role, required_level[i]) {
                reasons.push(Reason::GoalRequires {
                    role: role.id.clone(),
                    level: level.0,
                    threshold: level.mastery_threshold(),
                });
            }
            let unlocks: Vec<String> = g
                .dependents_of(i)
                .iter()
                .filter(|&&d| on_goal_path[d] || (!goal_pass && needs_work(d)))
                .map(|&d| g.node(d).id.clone())
                .collect();
            if !unlocks.is_empty() {
                reasons.push(Reason::PrerequisiteOf { kps: unlocks });
            }
            for &j in g.prerequisites_of(i) {
                {
                    if !needs_work(j) {
                        reasons.push(Reason::PrerequisiteMastered { kp: g.node(j).id.clone(), p: mastery_of(j).p });
                    }
                }
            }
            if let Some(named) = input.signals.interests.get(&node.id) {
                reasons.insert(0, Reason::YouNamed { named: named.clone() });
            }
            reasons.push(Reason::Mastery { p: m.p, after_attempts: m.attempts, target: t });
            if let Some(facts) = input.signals.changed_facts.get(&node.id) {
                reasons.push(Reason::FactChanged { facts: facts.clone() });
            }
            if !for_goal {
                reasons.push(Reason::OutsideGoal);
            }
            let streak = input.signals.wrong_streak.get(&node.id).copied().unwrap_or(0);
            let struggling = streak >= STRUGGLING_AFTER;
            if struggling {
                reasons.insert(0, Reason::Struggling { wrong_in_a_row: streak });
                // Revisit mastered prerequisites that are not rock-solid, weakest first.
                let mut weak: Vec<(usize, f64)> = g
                    .prerequisites_of(i)
                    .iter()
                    .copied()
                    .filter(|&j| !needs_work(j))
                    .map(|j| (j, mastery_of(j).p))
                    .filter(|&(_, p)| p < Level(3).mastery_threshold())
                    .collect();
                weak.sort_by(|a, b| a.1.total_cmp(&b.1));
                for (j, p) in weak {
                    let reasons = vec![Reason::PrerequisiteReview { for_kp: node.id.clone(), p }];
                    steps.push(short_step(j, Action::Review, for_goal, reasons));
                }
            }
            // Excelling: a new KP whose prerequisites are all solid can be tested out.
            let strong =
                input.signals.recent.filter(|&(n, acc)| n >= TEST_OUT_MIN_ANSWERS && acc >= TEST_OUT_MIN_ACCURACY);
            let solid_prereqs = g.prerequisites_of(i).iter().all(|&j| mastery_of(j).p >= Level(3).mastery_threshold());
            let test_out = !struggling && m.attempts == 0 && solid_prereqs && !g.prerequisites_of(i).is_empty();
            if let (true, Some((answers, accuracy))) = (test_out, strong) {
                reasons.insert(0, Reason::StrongRecord { accuracy, answers });
            }
            let action = if struggling {
                Action::Remediate
            } else if test_out && strong.is_some() {
                Action::TestOut
            } else if m.attempts == 0 {
                Action::Learn
            } else {
                Action::Practice
            };
            // Practice on a started KP takes about half the lesson's time.
            let minutes = match action {
                Action::Learn | Action::Remediate => node.minutes.max(1),
                Action::TestOut => node.minutes.div_ceil(4).max(1),
                _ => node.minutes.div_ceil(2).max(1),
            };
            let asked = input.signals.asked.get(&node.id).copied().filter(|&(n, bad)| n + bad >= ASKED_OFTEN);
            let method = match (action, input.signals.best_method, asked) {
                // The learner keeps asking about it: the worked example first.
                (Action::Learn | Action::Practice, _, Some((times, not_helpful))) => {
                    reasons.insert(0, Reason::AskedOften { times, not_helpful });
                    Some(Method::Example)
                }
                // Remediation starts with the worked example whatever works best otherwise.
                (Action::Learn | Action::Practice, Some((m, rate, sessions)), None) => {
                    reasons.push(Reason::MethodWorks { method: m, rate, sessions });
                    Some(m)
                }
                _ => None,
            };
            let short = input.signals.persistence.filter(|&p| p < LOW_PERSISTENCE);
            match (action, short) {
                (Action::Learn | Action::Remediate, Some(persistence)) if minutes >= 10 => {
                    // Two sittings: the lesson first, its practice next.
                    reasons.insert(0, Reason::ShortSteps { persistence });
                    let first = minutes.div_ceil(2);
                    steps.push(Step {
                        kp: node.id.clone(),
                        action,
                        minutes: first,
                        week: 0,
                        method,
                        for_goal,
                        reasons: reasons.clone(),
                    });
                    steps.push(Step {
                        kp: node.id.clone(),
                        action: Action::Practice,
                        minutes: minutes - first,
                        week: 0,
                        method: Some(Method::Practice),
                        for_goal,
                        reasons,
                    });
                }
                _ => steps.push(Step { kp: node.id.clone(), action, minutes, week: 0, method, for_goal, reasons }),
            }
        }
    }
    let budget = input.weekly_minutes.max(1);
    let mut used = 0u32;
    let mut week = 1u32;
    for s in &mut steps {
        if used > 0 && used + s.minutes > budget {
            week += 1;
            used = 0;
        }
        used += s.minutes;
        s.week = week;
    }
    let goal_minutes = steps.iter().filter(|s| s.for_goal).map(|s| s.minutes).sum();
    Path { goal_role: role.map(|r| r.id.clone()), steps, goal_minutes }
}

/// Target mastery per KP (graph index) for a goal role: the role's requirement, and at least
/// level 1 for every prerequisite of a required KP; with the required level per KP.
pub fn goal_targets(g: &KnowledgeGraph, role: Option<&Role>) -> (Vec<Option<f64>>, Vec<Option<Level>>) {
    let n = g.len();
    let mut target: Vec<Option<f64>> = vec![None; n];
    let mut required_level: Vec<Option<Level>> = vec![None; n];
    if let Some(role) = role {
        let mut required = Vec::new();
        for req in &role.requires {
            let Some(i) = g.idx(&req.kp) else { continue };
            required_level[i] = Some(required_level[i].map_or(req.level, |l| l.max(req.level)));
            let t = req.level.mastery_threshold();
            target[i] = Some(target[i].map_or(t, |x: f64| x.max(t)));
            required.push(i);
        }
        // Every prerequisite of a required KP, transitively, needs level 1: one walk for all.
        let level1 = Level(1).mastery_threshold();
        let mut seen = vec![false; n];
        let mut stack = required;
        while let Some(i) = stack.pop() {
            for &j in g.prerequisites_of(i) {
                if !seen[j] {
                    seen[j] = true;
                    target[j] = Some(target[j].map_or(level1, |x: f64| x.max(level1)));
                    stack.push(j);
                }
            }
        }
    }
    (target, required_level)
}

/// How a path changed, e.g. after a goal change: "added: …, dropped: …, moved: …".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PathDiff {
    /// Goal steps new in the path.
    pub added: Vec<String>,
    /// Goal steps no longer needed for the goal.
    pub dropped: Vec<String>,
    /// Goal steps kept, at another position (1-based positions among goal steps).
    pub moved: Vec<Moved>,
    pub goal_minutes_before: u32,
    pub goal_minutes_after: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub kp: String,
    pub from: usize,
    pub to: usize,
}

/// Compares the goal parts of two paths.
pub fn diff_paths(before: &Path, after: &Path) -> PathDiff {
    let goal = |p: &Path| -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        p.steps.iter().filter(|s| s.for_goal && seen.insert(s.kp.clone())).map(|s| s.kp.clone()).collect()
    };
    let (a, b) = (goal(before), goal(after));
    let pos = |v: &[String], kp: &str| v.iter().position(|x| x == kp);
    PathDiff {
        added: b.iter().filter(|k| pos(&a, k).is_none()).cloned().collect(),
        dropped: a.iter().filter(|k| pos(&b, k).is_none()).cloned().collect(),
        moved: b
            .iter()
            .enumerate()
            .filter_map(|(to, k)| {
                pos(&a, k).filter(|&from| from != to).map(|from| Moved { kp: k.clone(), from: from + 1, to: to + 1 })
            })
            .collect(),
        goal_minutes_before: before.goal_minutes,
        goal_minutes_after: after.goal_minutes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::KpNode;
    use crate::role::SkillRequirement;
    use crate::text::LocalizedText;

    fn graph() -> KnowledgeGraph {
        let kp = |id: &str, pre: &[&str], minutes| KpNode {
            id: id.into(),
            module: "m".into(),
            prerequisites: pre.iter().map(|s| s.to_string()).collect(),
            minutes,
            difficulty: 1,
        };
        KnowledgeGraph::new(vec![
            kp("marketing", &[], 20),
            kp("weight", &[], 10),
            kp("freight", &["weight"], 10),
            kp("pricing", &["freight"], 30),
        ])
        .unwrap()
    }

    fn roles() -> Vec<Role> {
        vec![
            Role {
                id: "ops".into(),
                title: LocalizedText::new("Operations", "运营"),
                requires: vec![SkillRequirement { kp: "pricing".into(), level: Level(2) }],
            },
            Role {
                id: "marketer".into(),
                title: LocalizedText::new("Marketer", "营销"),
                requires: vec![
                    SkillRequirement { kp: "marketing".into(), level: Level(2) },
                    SkillRequirement { kp: "weight".into(), level: Level(1) },
                ],
            },
        ]
    }

    fn run(goal: Option<&str>, mastery: &[(&str, f64, u32)], weekly: u32) -> Path {
        run_with(goal, mastery, weekly, &Signals::default())
    }

    fn run_with(goal: Option<&str>, mastery: &[(&str, f64, u32)], weekly: u32, signals: &Signals) -> Path {
        let g = graph();
        let roles = roles();
        let mastery: HashMap<String, Mastery> =
            mastery.iter().map(|&(k, p, n)| (k.to_string(), Mastery { p, attempts: n, correct: n })).collect();
        plan(&PlanInput {
            graph: &g,
            roles: &roles,
            goal_role: goal,
            mastery: &mastery,
            params: &BktParams::default(),
            weekly_minutes: weekly,
            signals,
        })
    }

    fn order(p: &Path) -> Vec<(&str, Action, bool, u32)> {
        p.steps.iter().map(|s| (s.kp.as_str(), s.action, s.for_goal, s.week)).collect()
    }

    #[test]
    fn a_kp_the_learner_keeps_asking_about_starts_with_its_worked_example() {
        let plan_with = |asked: &[(&str, (u32, u32))]| {
            let signals =
                Signals { asked: asked.iter().map(|(k, v)| (k.to_string(), *v)).collect(), ..Default::default() };
            run_with(Some("ops"), &[], 600, &signals)
        };
        let step = |p: &Path| p.steps.iter().find(|s| s.kp == "freight").cloned().unwrap();
        let asked = step(&plan_with(&[("freight", (2, 1))]));
        assert_eq!(asked.method, Some(Method::Example));
        assert_eq!(asked.reasons[0], Reason::AskedOften { times: 2, not_helpful: 1 });
        let once = step(&plan_with(&[("freight", (2, 0))]));
        assert!(once.method.is_none() && !once.reasons.iter().any(|r| matches!(r, Reason::AskedOften { .. })));
    }

    #[test]
    fn kps_about_the_learners_platforms_come_first_with_what_they_need() {
        let kps = |p: &Path| p.steps.iter().map(|s| s.kp.clone()).collect::<Vec<_>>();
        assert_eq!(kps(&run(None, &[], 600)), ["marketing", "weight", "freight", "pricing"]);
        let named = vec![LocalizedText::new("TikTok Shop", "TikTok Shop")];
        let signals = Signals { interests: [("freight".to_string(), named.clone())].into(), ..Default::default() };
        let p = run_with(None, &[], 600, &signals);
        // freight and its prerequisite move ahead of marketing; prerequisite order holds.
        assert_eq!(kps(&p), ["weight", "freight", "marketing", "pricing"]);
        let freight = p.steps.iter().find(|s| s.kp == "freight").unwrap();
        assert_eq!(freight.reasons[0], Reason::YouNamed { named });
        assert!(
            !p.steps[0].reasons.iter().any(|r| matches!(r, Reason::YouNamed { .. })),
            "the prerequisite has its own reason"
        );
        // The goal still comes before interests outside it (weight, a goal KP that freight
        // needs, leads the goal's part).
        let p = run_with(Some("marketer"), &[], 600, &signals);
        assert_eq!(kps(&p), ["weight", "marketing", "freight", "pricing"]);
    }

    #[test]
    fn goal_knowledge_comes_first_in_prerequisite_order() {
        let p = run(Some("ops"), &[], 60);
        assert_eq!(
            order(&p),
            [
                ("weight", Action::Learn, true, 1),
                ("freight", Action::Learn, true, 1),
                ("pricing", Action::Learn, true, 1),
                ("marketing", Action::Learn, false, 2),
            ]
        );
        assert_eq!(p.goal_minutes, 50);
        let pricing = &p.steps[2];
        assert_eq!(
            pricing.reasons,
            [
                Reason::GoalRequires { role: "ops".into(), level: 2, threshold: 0.8 },
                Reason::Mastery { p: 0.2, after_attempts: 0, target: 0.8 },
            ]
        );
        assert_eq!(p.steps[0].reasons[0], Reason::PrerequisiteOf { kps: vec!["freight".into()] });
        assert_eq!(p.steps[3].reasons.last(), Some(&Reason::OutsideGoal));
    }

    #[test]
    fn mastered_knowledge_is_skipped_and_cited() {
        let p = run(Some("ops"), &[("weight", 0.91, 4), ("freight", 0.5, 2)], 600);
        assert_eq!(
            order(&p),
            [
                ("freight", Action::Practice, true, 1),
                ("pricing", Action::Learn, true, 1),
                ("marketing", Action::Learn, false, 1),
            ]
        );
        assert!(p.steps[0].reasons.contains(&Reason::PrerequisiteMastered { kp: "weight".into(), p: 0.91 }));
        assert_eq!(p.steps[0].minutes, 5, "practice takes half the lesson time");
    }

    #[test]
    fn without_a_goal_everything_is_optional_in_pack_order() {
        let p = run(None, &[], 30);
        assert_eq!(
            order(&p),
            [
                ("marketing", Action::Learn, false, 1),
                ("weight", Action::Learn, false, 1),
                ("freight", Action::Learn, false, 2),
                ("pricing", Action::Learn, false, 3),
            ]
        );
        assert_eq!(p.goal_role, None);
    }

    #[test]
    fn a_fully_mastered_goal_leaves_only_optional_steps() {
        let p = run(Some("ops"), &[("weight", 0.9, 3), ("freight", 0.9, 3), ("pricing", 0.85, 5)], 60);
        assert_eq!(order(&p), [("marketing", Action::Learn, false, 1)]);
        assert_eq!(p.goal_minutes, 0);
    }

    #[test]
    fn a_struggling_learner_gets_remediation_and_a_prerequisite_review_first() {
        let signals = Signals { wrong_streak: [("freight".to_string(), 3)].into(), ..Default::default() };
        let p = run_with(Some("ops"), &[("weight", 0.85, 4), ("freight", 0.3, 5)], 600, &signals);
        assert_eq!(
            order(&p)[..3],
            [
                ("weight", Action::Review, true, 1),
                ("freight", Action::Remediate, true, 1),
                ("pricing", Action::Learn, true, 1),
            ]
        );
        assert_eq!(p.steps[0].reasons, [Reason::PrerequisiteReview { for_kp: "freight".into(), p: 0.85 }]);
        assert_eq!(p.steps[1].reasons[0], Reason::Struggling { wrong_in_a_row: 3 });
        assert_eq!(p.steps[1].minutes, 10, "remediation takes the full lesson time (worked example first)");
        // One wrong answer is not yet struggling.
        let one = Signals { wrong_streak: [("freight".to_string(), 1)].into(), ..Default::default() };
        let p = run_with(Some("ops"), &[("weight", 0.85, 4), ("freight", 0.3, 5)], 600, &one);
        assert_eq!(order(&p)[0], ("freight", Action::Practice, true, 1));
    }

    #[test]
    fn a_pack_update_schedules_a_refresh_for_changed_facts_the_learner_knew() {
        let changed = vec![FactRefresh { fact: "express-divisor".into(), as_of: Some("2026-10-01".into()) }];
        let signals = Signals { changed_facts: [("weight".to_string(), changed.clone())].into(), ..Default::default() };
        let p = run_with(Some("ops"), &[("weight", 0.9, 4)], 600, &signals);
        assert_eq!(order(&p)[0], ("weight", Action::Refresh, true, 1));
        assert_eq!(p.steps[0].reasons[0], Reason::FactChanged { facts: changed.clone() });
        assert_eq!(p.steps[0].minutes, 4);
        // A learner who never studied it gets no refresh; the lesson carries the new facts anyway.
        let p = run_with(Some("ops"), &[], 600, &signals);
        assert!(p.steps.iter().all(|s| s.action != Action::Refresh));
        assert!(p.steps[0].reasons.contains(&Reason::FactChanged { facts: changed }));
    }

    #[test]
    fn a_strong_learner_may_test_out_of_a_new_topic_with_solid_prerequisites() {
        let strong = Signals { recent: Some((12, 0.92)), ..Default::default() };
        let p = run_with(Some("ops"), &[("weight", 0.97, 5)], 600, &strong);
        assert_eq!(order(&p)[0], ("freight", Action::TestOut, true, 1));
        assert_eq!(p.steps[0].reasons[0], Reason::StrongRecord { accuracy: 0.92, answers: 12 });
        assert_eq!(p.steps[0].minutes, 3, "a test-out takes a quarter of the lesson time");
        // Its dependent still has an unlearned prerequisite: it is learned normally.
        assert_eq!(order(&p)[1].1, Action::Learn);
        // An average record, or shaky prerequisites: no test-out.
        let average = Signals { recent: Some((12, 0.6)), ..Default::default() };
        assert_eq!(run_with(Some("ops"), &[("weight", 0.97, 5)], 600, &average).steps[0].action, Action::Learn);
        assert_eq!(run_with(Some("ops"), &[("weight", 0.85, 5)], 600, &strong).steps[0].action, Action::Learn);
    }

    #[test]
    fn due_spaced_reviews_of_learned_knowledge_come_back_with_their_recall() {
        let signals = Signals { due_reviews: [("weight".to_string(), 0.64)].into(), ..Default::default() };
        let p = run_with(Some("ops"), &[("weight", 0.9, 4)], 600, &signals);
        assert_eq!(order(&p)[0], ("weight", Action::Review, true, 1));
        assert_eq!(p.steps[0].reasons, [Reason::RecallDue { p_recall: 0.64 }]);
        // Not yet learned: no separate review, it is on the path anyway.
        let p = run_with(Some("ops"), &[("weight", 0.3, 1)], 600, &signals);
        assert_eq!(p.steps.iter().filter(|s| s.kp == "weight").count(), 1);
    }

    #[test]
    fn a_goal_change_reports_what_was_added_dropped_and_moved() {
        let mastery = [("weight", 0.5, 2)];
        let ops = run(Some("ops"), &mastery, 600);
        let marketer = run(Some("marketer"), &mastery, 600);
        let d = diff_paths(&ops, &marketer);
        assert_eq!(d.added, ["marketing"]);
        assert_eq!(d.dropped, ["freight", "pricing"]);
        assert_eq!(d.moved, [Moved { kp: "weight".into(), from: 1, to: 2 }]);
        assert_eq!((d.goal_minutes_before, d.goal_minutes_after), (45, 25));
        assert_eq!(
            diff_paths(&ops, &ops),
            PathDiff { goal_minutes_before: 45, goal_minutes_after: 45, ..Default::default() }
        );
    }
}
