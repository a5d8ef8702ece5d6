//! Placement (F4): a short adaptive check that seeds mastery, so experienced learners skip what
//! they already know. Each probe splits the still-uncertain part of the goal's knowledge like a
//! binary search over the prerequisite graph: a right answer makes its prerequisites likely known,
//! a wrong answer or "I don't know" makes what builds on it likely unknown.

use crate::graph::KnowledgeGraph;

/// At most this many questions.
pub const MAX_ITEMS: usize = 20;

/// Mastery seeds (kept below the level-2 target on purpose: one right answer can be a guess, so
/// KPs needed at level 2 or 3 still get a confirming item).
pub const SEED_RIGHT: f64 = 0.75;
pub const SEED_INFERRED_KNOWN: f64 = 0.7;
pub const SEED_UNKNOWN: f64 = 0.1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementAnswer {
    Right,
    Wrong,
    DontKnow,
}

#[derive(Debug, Clone)]
pub struct Placement {
    /// The goal's KPs and all their prerequisites (indices into the graph).
    scope: Vec<usize>,
    in_scope: Vec<bool>,
    /// Direct evidence from a probe.
    direct: Vec<Option<bool>>,
    /// What the graph implies from the probes.
    inferred: Vec<Option<bool>>,
    asked: usize,
    /// KPs asked about first: those of the modules the learner claims experience in (a claim is
    /// checked, never taken as mastery).
    first: Vec<bool>,
}

/// A mastery seed for one KP.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    pub kp: String,
    pub p: f64,
    /// True when the KP was asked, false when inferred.
    pub asked: bool,
}

impl Placement {
    /// A placement over the goal's required KPs (ids) and their prerequisites.
    pub fn new(g: &KnowledgeGraph, goal_kps: &[String]) -> Self {
        let n = g.len();
        let mut in_scope = vec![false; n];
        let mut stack: Vec<usize> = goal_kps.iter().filter_map(|k| g.idx(k)).collect();
        while let Some(i) = stack.pop() {
            if !in_scope[i] {
                in_scope[i] = true;
                stack.extend_from_slice(g.prerequisites_of(i));
            }
        }
        let scope = g.topo_order().iter().copied().filter(|&i| in_scope[i]).collect();
        Self { scope, in_scope, direct: vec![None; n], inferred: vec![None; n], asked: 0, first: vec![false; n] }
    }

    /// The same placement, asking first about the KPs (of its scope) in `modules` — the modules
    /// the learner says they have experience in.
    pub fn starting_with(mut self, g: &KnowledgeGraph, modules: &[String]) -> Self {
        for &i in &self.scope {
            self.first[i] = modules.iter().any(|m| *m == g.node(i).module);
        }
        self
    }

    fn resolved(&self, i: usize) -> bool {
        self.direct[i].is_some() || self.inferred[i].is_some()
    }

    /// Unresolved scope KPs reachable from `i` through prerequisite (`up`) or dependent edges.
    fn reach(&self, g: &KnowledgeGraph, i: usize, up: bool) -> usize {
        let mut seen = vec![false; g.len()];
        let mut stack = vec![i];
        let mut count = 0;
        while let Some(k) = stack.pop() {
            let next = if up { g.prerequisites_of(k) } else { g.dependents_of(k) };
            for &j in next {
                if self.in_scope[j] && !seen[j] {
                    seen[j] = true;
                    if !self.resolved(j) {
                        count += 1;
                    }
                    stack.push(j);
                }
            }
        }
        count
    }

    /// The next KP to ask about, or `None` when done (limit reached or nothing uncertain).
    pub fn next_kp<'g>(&self, g: &'g KnowledgeGraph) -> Option<&'g str> {
        if self.asked >= MAX_ITEMS {
            return None;
        }
        // A claimed module's KP first; then the unresolved KP whose answer settles the most either way.
        self.scope
            .iter()
            .copied()
            .filter(|&i| !self.resolved(i))
            .max_by_key(|&i| (self.first[i], self.reach(g, i, true).min(self.reach(g, i, false)), std::cmp::Reverse(i)))
            .map(|i| g.node(i).id.as_str())
    }

    /// Records an answer on `kp` and what it implies.
    pub fn record(&mut self, g: &KnowledgeGraph, kp: &str, answer: PlacementAnswer) {
        let Some(i) = g.idx(kp) else { return };
        self.asked += 1;
        let known = answer == PlacementAnswer::Right;
        self.direct[i] = Some(known);
        let mut stack = vec![i];
        let mut seen = vec![false; g.len()];
        while let Some(k) = stack.pop() {
            let next = if known { g.prerequisites_of(k) } else { g.dependents_of(k) };
            for &j in next {
                if self.in_scope[j] && !seen[j] {
                    seen[j] = true;
                    if self.direct[j].is_none() {
                        self.inferred[j] = Some(known);
                    }
                    stack.push(j);
                }
            }
        }
    }

    pub fn asked(&self) -> usize {
        self.asked
    }

    pub fn is_done(&self, g: &KnowledgeGraph) -> bool {
        self.next_kp(g).is_none()
    }

    /// The mastery seeds: every resolved KP in scope.
    pub fn seeds(&self, g: &KnowledgeGraph) -> Vec<Seed> {
        self.scope
            .iter()
            .filter_map(|&i| {
                let (p, asked) = match (self.direct[i], self.inferred[i]) {
                    (Some(true), _) => (SEED_RIGHT, true),
                    (Some(false), _) => (SEED_UNKNOWN, true),
                    (None, Some(true)) => (SEED_INFERRED_KNOWN, false),
                    (None, Some(false)) => (SEED_UNKNOWN, false),
                    (None, None) => return None,
                };
                Some(Seed { kp: g.node(i).id.clone(), p, asked })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::KpNode;

    /// A chain a → b → c → d → e → f → g (each needs the previous one).
    fn chain(n: usize) -> KnowledgeGraph {
        KnowledgeGraph::new(
            (0..n)
                .map(|i| KpNode {
                    id: format!("k{i}"),
                    module: "m".into(),
                    prerequisites: if i == 0 { vec![] } else { vec![format!("k{}", i - 1)] },
                    minutes: 10,
                    difficulty: 1,
                })
                .collect(),
        )
        .unwrap()
    }

    fn run(g: &KnowledgeGraph, goal: &str, knows_up_to: usize) -> (usize, Vec<Seed>) {
        let mut p = Placement::new(g, &[goal.to_string()]);
        while let Some(kp) = p.next_kp(g).map(str::to_string) {
            let i: usize = kp[1..].parse().unwrap();
            let a = if i < knows_up_to { PlacementAnswer::Right } else { PlacementAnswer::DontKnow };
            p.record(g, &kp, a);
        }
        (p.asked(), p.seeds(g))
    }

    #[test]
    fn a_chain_is_placed_by_binary_search() {
        let g = chain(16);
        // Knows k0..k9: about log2(16) questions place them, and every KP gets a seed.
        let (asked, seeds) = run(&g, "k15", 10);
        assert!(asked <= 5, "asked {asked}");
        assert_eq!(seeds.len(), 16);
        for s in &seeds {
            let i: usize = s.kp[1..].parse().unwrap();
            assert_eq!(s.p >= SEED_INFERRED_KNOWN, i < 10, "{s:?}");
        }
    }

    #[test]
    fn a_newcomer_and_an_expert_both_finish_quickly() {
        let g = chain(16);
        let (asked, seeds) = run(&g, "k15", 0);
        assert!(asked <= 5);
        assert!(seeds.iter().all(|s| s.p == SEED_UNKNOWN));
        let (asked, seeds) = run(&g, "k15", 16);
        assert!(asked <= 5);
        assert!(seeds.iter().all(|s| s.p >= SEED_INFERRED_KNOWN));
    }

    #[test]
    fn never_more_than_twenty_questions() {
        // 40 independent KPs: nothing can be inferred, so the limit stops it.
        let g = KnowledgeGraph::new(
            (0..40)
                .map(|i| KpNode {
                    id: format!("k{i}"),
                    module: "m".into(),
                    prerequisites: vec![],
                    minutes: 5,
                    difficulty: 1,
                })
                .collect(),
        )
        .unwrap();
        let goal: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let mut p = Placement::new(&g, &goal);
        while let Some(kp) = p.next_kp(&g).map(str::to_string) {
            p.record(&g, &kp, PlacementAnswer::Right);
        }
        assert_eq!(p.asked(), MAX_ITEMS);
        assert_eq!(p.seeds(&g).len(), MAX_ITEMS);
    }

    #[test]
    fn a_claimed_module_is_asked_about_first_and_only_seeded_by_answers() {
        // Two independent chains: logistics l0 → l1 → l2, marketing m0 → m1 → m2.
        let kp = |id: &str, module: &str, pre: Option<&str>| KpNode {
            id: id.into(),
            module: module.into(),
            prerequisites: pre.map(|p| vec![p.to_string()]).unwrap_or_default(),
            minutes: 10,
            difficulty: 1,
        };
        let g = KnowledgeGraph::new(vec![
            kp("m0", "marketing", None),
            kp("m1", "marketing", Some("m0")),
            kp("m2", "marketing", Some("m1")),
            kp("l0", "logistics", None),
            kp("l1", "logistics", Some("l0")),
            kp("l2", "logistics", Some("l1")),
        ])
        .unwrap();
        let goal = vec!["m2".to_string(), "l2".to_string()];
        let plain = Placement::new(&g, &goal);
        assert!(plain.next_kp(&g).unwrap().starts_with('m'), "without a claim the order is the graph's");
        let mut claimed = Placement::new(&g, &goal).starting_with(&g, &["logistics".to_string()]);
        assert!(claimed.next_kp(&g).unwrap().starts_with('l'), "the claimed module first");
        // The claim is checked: a learner who claims logistics but misses its question is not
        // seeded as knowing it.
        let first = claimed.next_kp(&g).unwrap().to_string();
        claimed.record(&g, &first, PlacementAnswer::Wrong);
        let seed = claimed.seeds(&g).into_iter().find(|s| s.kp == first).unwrap();
        assert_eq!(seed.p, SEED_UNKNOWN);
    }
}
