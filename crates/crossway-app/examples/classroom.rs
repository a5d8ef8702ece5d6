//! Builds classroom data for the measurements in docs/performance.md ("Classroom", issue #18).
//!
//! ```text
//! cargo run --release -p crossway-app --example classroom -- lab DIR LEARNERS ANSWERS
//!     a lab install in DIR: LEARNERS learners with ANSWERS answers each (ingested), for
//!     `crossway xapi send --db DIR/crossway.sqlite3`
//! cargo run --release -p crossway-app --example classroom -- class DIR LEARNERS ANSWERS
//!     a teacher's install in DIR/teacher with one class, and LEARNERS learners on DIR/learners
//!     who joined it and exported their class summaries into DIR/summaries; the teacher has
//!     imported them, for `crossway class report --db DIR/teacher/crossway.sqlite3 --json`
//! ```

use std::path::{Path, PathBuf};

use chrono::Utc;
use crossway_app::{App, AppConfig, IncomingAttempt, NewLearnerDto};

fn pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn open(dir: &Path) -> App {
    let pack = pack_dir();
    App::open(AppConfig { data_dir: dir.to_path_buf(), default_pack: Some(pack), models_dir: dir.join("models") })
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// LEARNERS learners answering items of the pack in turn, scores by a fixed pattern.
fn learners(app: &mut App, n: usize, answers: usize) -> Vec<i64> {
    let pack = crossway_content::load_pack(&pack_dir()).pack.expect("the shipped pack");
    let items: Vec<String> = pack.items.iter().map(|i| i.id.clone()).collect();
    let mut ids = Vec::new();
    for k in 0..n {
        let l = app
            .create_learner(NewLearnerDto {
                name: format!("Learner {k}"),
                locale: if k % 2 == 0 { "en".into() } else { "zh-CN".into() },
                goal_role: Some("amazon-ads".into()),
                weekly_minutes: Some(180),
            })
            .expect("learner")
            .id;
        let now = Utc::now();
        let batch = (0..answers)
            .map(|i| IncomingAttempt {
                idempotency_key: format!("l{k}-a{i}"),
                item_id: items[(i * 7 + k) % items.len()].clone(),
                score: if (i + k) % 3 == 0 { 0.0 } else { 1.0 },
                occurred_at: now - chrono::Duration::milliseconds((answers - i) as i64 * 10),
            })
            .collect();
        app.ingest_attempts(l, batch).expect("ingest");
        ids.push(l);
    }
    ids
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, dir, n, answers] = args.as_slice() else {
        eprintln!("usage: classroom lab|class DIR LEARNERS ANSWERS");
        std::process::exit(2);
    };
    let (n, answers): (usize, usize) = (n.parse().expect("LEARNERS"), answers.parse().expect("ANSWERS"));
    let dir = PathBuf::from(dir);
    let started = std::time::Instant::now();
    match mode.as_str() {
        "lab" => {
            let mut app = open(&dir);
            learners(&mut app, n, answers);
            println!("{}: {n} learners x {answers} answers", dir.display());
        }
        "class" => {
            let mut teacher = open(&dir.join("teacher"));
            teacher.create_teacher("Teacher", "4711").expect("teacher");
            let class = teacher.create_class("Measured class", &["amazon-ads".to_string()], false).expect("class");
            let mut home = open(&dir.join("learners"));
            let inbox = dir.join("summaries");
            std::fs::create_dir_all(&inbox).expect("summaries folder");
            for l in learners(&mut home, n, answers) {
                home.join_class(l, &class.code).expect("join");
                let f = home.export_class_summary(l, &class.id).expect("export");
                let to = inbox.join(Path::new(&f.path).file_name().expect("file name"));
                std::fs::rename(&f.path, to).expect("move");
            }
            let r = teacher.import_summaries(&class.id, &inbox).expect("import");
            println!(
                "{}: class {} with {} summaries imported ({} refused)",
                dir.display(),
                class.id,
                r.new,
                r.refused.len()
            );
        }
        other => panic!("unknown mode {other}"),
    }
    eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
}
