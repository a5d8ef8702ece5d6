//! Re-planning after one attempt on synthetic graphs of 500, 2,000 and 8,000 KPs.
//! `cargo bench -p crossway-core --bench replan` (figures in docs/performance.md).

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use crossway_core::synth::{synth_graph, SynthRng};
use crossway_core::{
    plan, BktParams, KnowledgeGraph, Level, LocalizedText, Mastery, PlanInput, Role, Signals, SkillRequirement,
};

fn setup(n: usize) -> (KnowledgeGraph, Vec<Role>, HashMap<String, Mastery>) {
    let g = KnowledgeGraph::new(synth_graph(n, 7)).expect("synthetic graphs are acyclic");
    let mut rng = SynthRng::new(11);
    let requires = (0..20)
        .map(|_| SkillRequirement { kp: g.nodes()[rng.below(n)].id.clone(), level: Level(1 + rng.below(3) as u8) })
        .collect();
    let roles = vec![Role { id: "goal".into(), title: LocalizedText::new("Goal", "目标"), requires }];
    // A learner a quarter of the way through: some KPs practised.
    let params = BktParams::default();
    let mastery = (0..n / 4)
        .map(|_| {
            let kp = g.nodes()[rng.below(n)].id.clone();
            (kp, Mastery::prior(&params).after_attempt(1.0, &params))
        })
        .collect();
    (g, roles, mastery)
}

fn replan(c: &mut Criterion) {
    let mut group = c.benchmark_group("replan_after_one_attempt");
    for n in [500usize, 2_000, 8_000] {
        let (g, roles, mut mastery) = setup(n);
        let params = BktParams::default();
        let signals = Signals::default();
        let kp = g.nodes()[n / 2].id.clone();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                // One attempt updates one KP's mastery; then the whole path is planned again.
                let m = mastery.entry(kp.clone()).or_insert_with(|| Mastery::prior(&params));
                *m = m.after_attempt(1.0, &params);
                black_box(plan(&PlanInput {
                    graph: &g,
                    roles: &roles,
                    goal_role: Some("goal"),
                    mastery: &mastery,
                    params: &params,
                    weekly_minutes: 300,
                    signals: &signals,
                }))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, replan);
criterion_main!(benches);
