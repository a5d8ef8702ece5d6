//! Recording an answer (grade, write the attempt, update mastery and the review schedule in one
//! transaction) with 100,000 attempts already stored, on a real SQLite file; and computing the
//! four indicators and the path from that history.
//! `cargo bench -p crossway-app --bench record` (figures in docs/performance.md).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use crossway_app::{App, AppConfig, IncomingAttempt, NewLearnerDto, SubmitAnswerDto};
use crossway_content::Answer;

const STORED: usize = 100_000;

fn setup(dir: &Path) -> (App, i64, Vec<String>) {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core");
    let mut app = App::open(AppConfig {
        data_dir: dir.to_path_buf(),
        default_pack: Some(pack.clone()),
        models_dir: dir.join("m"),
    })
    .unwrap();
    // The learner joined 400 days ago (answers from before that would be rejected).
    app.set_clock(|| chrono::Utc::now() - chrono::Duration::days(400));
    let l = app
        .create_learner(NewLearnerDto {
            name: "Bench".into(),
            locale: "en".into(),
            goal_role: Some("amazon-ads".into()),
            weekly_minutes: None,
        })
        .unwrap()
        .id;
    app.set_clock(chrono::Utc::now);
    let pack = crossway_content::load_pack(&pack).into_result().unwrap();
    let items: Vec<String> = pack
        .items
        .iter()
        .filter(|i| matches!(i.body, crossway_content::ItemBody::Choice { .. }))
        .map(|i| i.id.clone())
        .collect();
    // 100k answers over the past year, ingested in batches.
    let start = chrono::Utc::now() - chrono::Duration::days(365);
    for chunk in 0..STORED / 10_000 {
        let batch = (0..10_000)
            .map(|k| {
                let n = chunk * 10_000 + k;
                IncomingAttempt {
                    idempotency_key: format!("seed-{n}"),
                    item_id: pack.items[n % pack.items.len()].id.clone(),
                    score: if n % 3 == 0 { 0.0 } else { 1.0 },
                    occurred_at: start + chrono::Duration::seconds(n as i64 * 300),
                }
            })
            .collect();
        let r = app.ingest_attempts(l, batch).unwrap();
        assert!(r.rejected.is_empty(), "{:?}", &r.rejected[..3.min(r.rejected.len())]);
    }
    (app, l, items)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, l, items) = setup(dir.path());
    let mut n = 0u64;
    let mut g = c.benchmark_group("with 100k attempts stored");
    g.sample_size(30);
    g.bench_function("submit_answer (choice)", |b| {
        b.iter(|| {
            n += 1;
            let sub = SubmitAnswerDto {
                item_id: items[n as usize % items.len()].clone(),
                answer: Answer::Choice { option: 0 },
                idempotency_key: format!("bench-{n}"),
                seconds: Some(20.0),
            };
            black_box(app.submit_answer(l, sub).unwrap())
        })
    });
    g.sample_size(10);
    g.bench_function("indicators", |b| b.iter(|| black_box(app.indicators(l).unwrap())));
    g.bench_function("path (with indicators and method blend)", |b| b.iter(|| black_box(app.path(l).unwrap())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
