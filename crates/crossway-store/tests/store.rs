//! The store on real temp files: schema upgrades, refusals that change nothing, idempotency,
//! transactions, and a real `kill -9` in the middle of writing.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crossway_store::{
    create_at_version, MasteryRow, NewAttempt, NewLearner, Recorded, Store, StoreError, DB_FILE, SCHEMA_VERSION,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
}

fn learner(store: &mut Store, name: &str) -> i64 {
    store
        .transact(|db| {
            db.create_learner(&NewLearner {
                name,
                locale: "zh-CN",
                goal_role: Some("amazon-ads"),
                weekly_minutes: 120,
                now: t0(),
            })
        })
        .unwrap()
        .id
}

fn attempt<'a>(learner_id: i64, key: &'a str, payload: &'a serde_json::Value) -> NewAttempt<'a> {
    NewAttempt {
        learner_id,
        idempotency_key: key,
        pack_id: "cbec-core",
        kp_id: "marketing.acos",
        item_id: "marketing.acos.basic",
        score: 1.0,
        payload,
        occurred_at: t0(),
        recorded_at: t0(),
    }
}

#[test]
fn a_new_database_uses_wal_and_keeps_learners_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let mut store = Store::open(&path).unwrap();
    assert!(dir.path().join(format!("{DB_FILE}-wal")).exists(), "WAL file missing");
    let a = learner(&mut store, "小李");
    let b = learner(&mut store, "Ana");
    let payload = serde_json::json!({"option": 0});
    store.transact(|db| db.record_attempt(&attempt(a, "k1", &payload))).unwrap();
    assert_eq!(store.db().attempt_count(a).unwrap(), 1);
    assert_eq!(store.db().attempt_count(b).unwrap(), 0);
    let names: Vec<_> = store.db().learners().unwrap().into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["小李", "Ana"]);
    store
        .transact(|db| db.set_profile_fact(b, "background", &serde_json::json!({"education":"bachelor"}), t0()))
        .unwrap();
    assert_eq!(store.db().profile_facts(b).unwrap()[0].1["education"], "bachelor");
    assert!(store.db().profile_facts(a).unwrap().is_empty());
}

#[test]
fn a_replayed_submission_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let l = learner(&mut store, "x");
    let payload = serde_json::json!({});
    let first = store.transact(|db| db.record_attempt(&attempt(l, "same", &payload))).unwrap();
    let again = store.transact(|db| db.record_attempt(&attempt(l, "same", &payload))).unwrap();
    let Recorded::New(id) = first else { panic!("first was {first:?}") };
    assert_eq!(again, Recorded::Duplicate(id));
    assert_eq!(store.db().attempt_count(l).unwrap(), 1);
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let l = learner(&mut store, "x");
    let payload = serde_json::json!({});
    let out: Result<(), StoreError> = store.transact(|db| {
        db.record_attempt(&attempt(l, "a", &payload))?;
        db.put_mastery(l, "marketing.acos", MasteryRow { p: 0.6, attempts: 1, correct: 1 }, t0())?;
        // Out of range: the CHECK constraint fails, so the whole change must roll back.
        db.put_mastery(l, "marketing.acos", MasteryRow { p: 1.5, attempts: 2, correct: 2 }, t0())
    });
    assert!(out.is_err());
    assert_eq!(store.db().attempt_count(l).unwrap(), 0);
    assert_eq!(store.db().mastery_of(l, "marketing.acos").unwrap(), None);
    // Foreign keys are enforced: no attempt for a learner who does not exist.
    assert!(store.transact(|db| db.record_attempt(&attempt(999, "b", &payload))).is_err());
}

/// Rows each schema version added room for, inserted before upgrading: a database at version `v`
/// gets every fixture up to `v`. A new migration must add its own line here (the test below checks
/// there is one for every version).
const FIXTURES: &[(usize, &str)] = &[
    (
        1,
        "INSERT INTO learners (id, name, locale, goal_role, weekly_minutes, created_at) VALUES (7, 'Old learner', 'en', 'amazon-ads', 90, '2026-01-01T00:00:00.000Z');
     INSERT INTO events (learner_id, idempotency_key, kind, occurred_at, recorded_at, kp_id, item_id, score, payload)
       VALUES (7, 'old-1', 'attempt', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'marketing.acos', 'marketing.acos.basic', 1.0, '{}');
     INSERT INTO mastery (learner_id, kp_id, p, attempts, correct, updated_at) VALUES (7, 'marketing.acos', 0.6, 1, 1, '2026-01-02T00:00:00.000Z');",
    ),
    (
        2,
        "INSERT INTO pack_fact_changes (pack_id, from_version, to_version, kp_id, fact_id, change, recorded_at)
       VALUES ('cbec-core', '1.0.0', '1.1.0', 'marketing.acos', 'window', 'changed', '2026-01-03T00:00:00.000Z');",
    ),
    (
        3,
        "INSERT INTO retention (learner_id, kp_id, stability, difficulty, due_at, last_review, reps, lapses, state, scheduled_days)
       VALUES (7, 'marketing.acos', 3.2, 5.1, '2026-01-05T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 1, 0, 2, 3);",
    ),
    (
        4,
        "INSERT INTO kp_params (pack_id, kp_id, p_init, p_learn, p_forget, p_slip, p_guess, learners, answers, fitted_at)
       VALUES ('cbec-core', 'marketing.acos', 0.3, 0.2, 0.0, 0.1, 0.2, 25, 180, '2026-01-04T00:00:00.000Z');",
    ),
    (
        5,
        "INSERT INTO simulation_runs (learner_id, pack_id, sim_id, started_at, finished_at, hints, accuracy, efficiency, score, minutes)
       VALUES (7, 'cbec-core', 'sim.amazon-us-pricing', '2026-01-05T00:00:00.000Z', '2026-01-05T00:20:00.000Z', '[]', 0.75, 1.0, 0.8, 20.0);
     INSERT INTO feedback (learner_id, kind, pack_id, target, target_id, rating, created_at)
       VALUES (7, 'rating', 'cbec-core', 'lesson', 'marketing.acos', 4, '2026-01-05T00:00:00.000Z');",
    ),
    (
        6,
        "INSERT INTO notes (learner_id, pack_id, kp_id, body, created_at, updated_at)
       VALUES (7, 'cbec-core', 'marketing.acos', 'ACoS = ad spend / ad sales', '2026-01-06T00:00:00.000Z', '2026-01-06T00:00:00.000Z');
     INSERT INTO questions (learner_id, pack_id, kp_scope, text, lang, covered, passages, kp_id, asked_at)
       VALUES (7, 'cbec-core', NULL, 'ACoS 怎么算', 'zh-CN', 1, '[]', 'marketing.acos', '2026-01-06T00:00:00.000Z');",
    ),
    (
        7,
        "INSERT INTO class_memberships (learner_id, class_id, secret, pseudonym, joined_at)
       VALUES (7, 'K7QF9XW2', 'SECRETSECRETSECR', 'p-0123456789abcdef', '2026-01-07T00:00:00.000Z');",
    ),
];

#[test]
fn every_earlier_schema_version_upgrades_with_its_data() {
    let versions: Vec<usize> = FIXTURES.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, (1..=SCHEMA_VERSION).collect::<Vec<_>>(), "add a fixture for every schema version");
    for from in 0..=SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        // Version 0 is no file at all (an empty file is refused: see below).
        if from > 0 {
            create_at_version(&path, from).unwrap();
        }
        // Data written at that version: every fixture the version has tables for.
        for (_, sql) in FIXTURES.iter().filter(|(v, _)| *v <= from) {
            sqlite_exec(&path, sql);
        }
        let store = Store::open(&path).unwrap_or_else(|e| panic!("upgrade from v{from}: {e}"));
        store.check_integrity().unwrap();
        if from > 0 {
            let l = store.db().learner(7).unwrap();
            assert_eq!((l.name.as_str(), l.weekly_minutes), ("Old learner", 90), "from v{from}");
            assert_eq!(store.db().attempt_count(7).unwrap(), 1, "from v{from}");
            assert_eq!(store.db().mastery_of(7, "marketing.acos").unwrap().unwrap().attempts, 1);
            let expected_changes = usize::from(from >= 2);
            assert_eq!(store.db().fact_changes("cbec-core").unwrap().len(), expected_changes, "from v{from}");
            let retention = store.db().retention_of(7, "marketing.acos").unwrap();
            assert_eq!(retention.map(|r| (r.state, r.scheduled_days)), (from >= 3).then_some((2, 3)), "from v{from}");
            assert_eq!(store.db().kp_params("cbec-core").unwrap().len(), usize::from(from >= 4), "from v{from}");
            assert_eq!(store.db().simulation_runs(7).unwrap().len(), usize::from(from >= 5), "from v{from}");
            assert_eq!(store.db().feedback_of_learner(7).unwrap().len(), usize::from(from >= 5), "from v{from}");
            assert_eq!(store.db().notes(7, None, None).unwrap().len(), usize::from(from >= 6), "from v{from}");
            assert_eq!(store.db().questions(7).unwrap().len(), usize::from(from >= 6), "from v{from}");
            assert_eq!(store.db().memberships(7).unwrap().len(), usize::from(from >= 7), "from v{from}");
        }
        if from > 0 && from < SCHEMA_VERSION {
            assert!(
                path.with_extension(format!("sqlite3.before-v{SCHEMA_VERSION}")).exists(),
                "no backup before upgrading v{from}"
            );
        }
    }
}

/// Runs SQL on a file with the sqlite3 library through a fresh store-independent connection.
fn sqlite_exec(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn a_database_from_a_newer_crossway_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    drop(Store::open(&path).unwrap());
    sqlite_exec(&path, &format!("PRAGMA user_version = {}", SCHEMA_VERSION + 5));
    let before = fs::read(&path).unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{msg}");
    assert!(msg.contains("newer Crossway") && msg.contains(&format!("schema version {}", SCHEMA_VERSION + 5)), "{msg}");
    assert_eq!(fs::read(&path).unwrap(), before, "refused file was modified");
}

#[test]
fn a_newer_rollback_journal_database_is_refused_byte_for_byte() {
    // The app's own `VACUUM INTO` backups are rollback-journal files: the refusal must not switch
    // them to WAL (which rewrites the header) before it reads the version.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    sqlite_exec(&path, &format!("PRAGMA journal_mode = DELETE; CREATE TABLE t (x); PRAGMA user_version = {};", 999));
    let before = fs::read(&path).unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::NewerSchema { found: 999, .. }), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before, "refused file was modified");
    assert!(!dir.path().join(format!("{DB_FILE}-wal")).exists(), "a WAL file was created beside the refused database");
}

#[test]
fn an_empty_database_file_is_reported_not_initialised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    fs::write(&path, b"").unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::Empty { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("0 bytes") && msg.contains("Nothing was changed"),
        "{msg}"
    );
    assert_eq!(fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_corrupt_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let junk: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("Nothing was changed"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), junk);
}

const CHILD_ENV: &str = "CROSSWAY_KILL_TEST_DB";

/// The child: writes attempts forever, each in one transaction with the matching mastery row, and
/// prints `ACK <key>` after each commit returns.
fn run_writer_child(db: &Path) {
    let mut store = Store::open(db).unwrap();
    let learner_id = store.db().learners().unwrap()[0].id;
    let start = store.db().attempt_count(learner_id).unwrap();
    let payload = serde_json::json!({"answer": "x".repeat(200)});
    let mut out = std::io::stdout().lock();
    for n in start + 1.. {
        let key = format!("w{n}");
        store
            .transact(|db| -> Result<(), StoreError> {
                db.record_attempt(&attempt(learner_id, &key, &payload))?;
                db.put_mastery(
                    learner_id,
                    "marketing.acos",
                    MasteryRow { p: 0.5, attempts: n as u32, correct: n as u32 },
                    t0(),
                )
            })
            .unwrap();
        writeln!(out, "ACK {key}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn killing_the_writer_loses_no_acknowledged_write() {
    if let Ok(db) = std::env::var(CHILD_ENV) {
        run_writer_child(Path::new(&db));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let mut store = Store::open(&path).unwrap();
    let l = learner(&mut store, "writer");
    drop(store);

    const KILLS: u32 = 25;
    let mut acked: Vec<String> = Vec::new();
    let mut seed = u64::from(std::process::id());
    for round in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "killing_the_writer_loses_no_acknowledged_write", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let it commit a varying number of writes, then kill it at a varying moment.
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let wait_for = 3 + (seed >> 33) % 40;
        let mut seen = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(key) = line.strip_prefix("ACK ") {
                acked.push(key.to_string());
                seen += 1;
                if seen >= wait_for {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_micros((seed >> 20) % 3000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Acks printed between our last read and the kill were acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some(key) = line.strip_prefix("ACK ") {
                acked.push(key.to_string());
            }
        }
        assert!(seen >= wait_for, "round {round}: child stopped early after {seen} writes");
    }

    let store = Store::open(&path).unwrap();
    store.check_integrity().unwrap();
    let stored: std::collections::HashSet<String> =
        store.db().attempts(l).unwrap().into_iter().map(|a| a.idempotency_key).collect();
    let missing: Vec<_> = acked.iter().filter(|k| !stored.contains(*k)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    // Each transaction wrote an attempt and the mastery row together: they must agree.
    let m = store.db().mastery_of(l, "marketing.acos").unwrap().unwrap();
    assert_eq!(u64::from(m.attempts), store.db().attempt_count(l).unwrap(), "attempt and mastery rows disagree");
    eprintln!("kill -9 test: {KILLS} kills, {} acknowledged writes checked, {} rows stored", acked.len(), stored.len());
}

/// Notes: added, found by lesson and by words (Chinese too), edited, deleted only by their owner;
/// notes and questions go with the learner.
#[test]
fn notes_and_questions_belong_to_their_learner() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let mut store = Store::open(&path).unwrap();
    let now = t0();
    let (a, b) = (learner(&mut store, "A"), learner(&mut store, "B"));
    let n1 = store
        .transact(|db| db.insert_note(a, "cbec-core", "marketing.acos", "ACoS = 广告花费 / 广告销售额", now))
        .unwrap();
    let n2 = store
        .transact(|db| db.insert_note(a, "cbec-core", "costing.fob-cif", "FOB: the buyer pays 50% of freight? no", now))
        .unwrap();
    let db = store.db();
    assert_eq!(db.notes(a, None, None).unwrap().len(), 2);
    assert_eq!(db.notes(a, Some("marketing.acos"), None).unwrap()[0].id, n1);
    assert_eq!(db.notes(a, None, Some("广告")).unwrap().iter().map(|n| n.id).collect::<Vec<_>>(), [n1]);
    assert_eq!(db.notes(a, None, Some("fob")).unwrap().iter().map(|n| n.id).collect::<Vec<_>>(), [n2]);
    assert_eq!(db.notes(a, None, Some("50%")).unwrap().len(), 1, "% is a character, not a wildcard");
    assert!(db.notes(b, None, None).unwrap().is_empty());
    assert!(store.transact(|db| db.update_note(b, n1, "mine now", now)).is_err(), "another learner's note");
    assert!(store.transact(|db| db.delete_note(b, n1)).is_err());
    store.transact(|db| db.update_note(a, n1, "ACoS = spend / sales", now)).unwrap();
    assert_eq!(store.db().note(a, n1).unwrap().body, "ACoS = spend / sales");
    store.transact(|db| db.delete_note(a, n2)).unwrap();
    let q = store
        .transact(|db| {
            db.insert_question(&crossway_store::NewQuestion {
                learner_id: a,
                pack_id: "cbec-core",
                kp_scope: Some("marketing.acos"),
                text: "what is a good ACoS",
                lang: "en",
                covered: true,
                passages: serde_json::json!([{"kp": "marketing.acos"}]),
                kp_id: Some("marketing.acos"),
                answer: None,
                withheld: None,
                now,
            })
        })
        .unwrap();
    store.transact(|db| db.set_question_helpful(a, q, false)).unwrap();
    assert!(store.transact(|db| db.set_question_helpful(b, q, true)).is_err());
    let asked = store.db().questions(a).unwrap();
    assert_eq!(
        (asked.len(), asked[0].helpful, asked[0].passages[0]["kp"].as_str()),
        (1, Some(false), Some("marketing.acos"))
    );
    drop(store);
    // Still there after reopening; gone with the learner.
    let mut store = Store::open(&path).unwrap();
    assert_eq!((store.db().notes(a, None, None).unwrap().len(), store.db().questions(a).unwrap().len()), (1, 1));
    store.transact(|db| db.delete_learner(a)).unwrap();
    assert_eq!((store.db().notes(a, None, None).unwrap().len(), store.db().questions(a).unwrap().len()), (0, 0));
}

#[test]
fn a_database_path_that_is_a_pipe_or_a_folder_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("crossway.sqlite3");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let folder = dir.path().join("folder.sqlite3");
    std::fs::create_dir(&folder).unwrap();
    for path in [fifo, folder] {
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(crossway_store::Store::open(&p).err().map(|e| e.to_string()));
        });
        let err = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{}: opening hung", path.display()))
            .unwrap_or_else(|| panic!("{}: opened", path.display()));
        assert!(err.contains(&path.display().to_string()) && err.contains("cannot open"), "{err}");
    }
}
