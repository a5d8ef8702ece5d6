//! `crossway xapi send` against a real Learning Record Store (issue #18): Ralph (ralph-malph 5.1.0,
//! installed by `scripts/lrs.sh install`, which `scripts/test.sh` runs), started and stopped here
//! on 127.0.0.1 — never mocked. Every statement is also checked by `@learninglocker/xapi-validation`
//! (a dev dependency of ui/, through `scripts/xapi-validate.cjs`), because Ralph's own validation
//! is lax. Ignored by a plain `cargo test`; `scripts/test.sh` runs them (`--include-ignored`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossway_app::{App, AppConfig, IncomingAttempt, NewLearnerDto, StudySessionDto};

const USER: &str = "teacher";
const PASS: &str = "correct-horse-battery";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The LRS, killed with SIGKILL when dropped.
struct Lrs {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Lrs {
    fn start(dir: &Path, port: u16) -> Lrs {
        let child = Command::new("bash")
            .arg(root().join("scripts/lrs.sh"))
            .args(["start", &dir.display().to_string(), &port.to_string(), USER, PASS])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run scripts/lrs.sh");
        let lrs = Lrs { child, port, dir: dir.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(60);
        while lrs.client().count().is_err() {
            assert!(
                Instant::now() < deadline,
                "the LRS did not answer on {port}: is it installed (scripts/lrs.sh install)?"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        lrs
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/xAPI/", self.port)
    }

    fn client(&self) -> crossway_lrs::Lrs {
        crossway_lrs::Lrs::new(&self.url(), USER, PASS).unwrap()
    }

    /// Statements on disk (one JSON line each), read without asking the LRS.
    fn lines(&self) -> usize {
        std::fs::read_to_string(self.dir.join("data/fs_lrs.jsonl")).map_or(0, |t| t.lines().count())
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Lrs {
    fn drop(&mut self) {
        self.kill();
    }
}

fn port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn open(dir: &Path) -> App {
    let pack = root().join("content-packs/cbec-core");
    App::open(AppConfig { data_dir: dir.to_path_buf(), default_pack: Some(pack), models_dir: dir.join("models") })
        .unwrap()
}

/// A lab install: `learners` learners with `answers` answers each, plus a study session, a
/// question and a note for the first one.
fn install(dir: &Path, learners: usize, answers: usize) -> PathBuf {
    let mut app = open(dir);
    let item_ids = ["marketing.acos.basic", "marketing.acos.tacos"];
    for n in 0..learners {
        let l = app
            .create_learner(NewLearnerDto {
                name: format!("Learner {n}"),
                locale: "en".into(),
                goal_role: Some("amazon-ads".into()),
                weekly_minutes: Some(120),
            })
            .unwrap()
            .id;
        let now = Utc::now();
        let batch = (0..answers)
            .map(|i| IncomingAttempt {
                idempotency_key: format!("a{n}-{i}"),
                item_id: item_ids[i % 2].into(),
                score: (i % 3) as f64 / 2.0,
                occurred_at: now - chrono::Duration::milliseconds((answers - i) as i64),
            })
            .collect();
        assert!(app.ingest_attempts(l, batch).unwrap().rejected.is_empty());
        if n == 0 {
            app.record_study(
                l,
                StudySessionDto {
                    kp: "marketing.acos".into(),
                    method: "read".into(),
                    seconds: 300.0,
                    idempotency_key: "s1".into(),
                },
            )
            .unwrap();
            app.ask(l, "how do I calculate ACoS", None).unwrap();
            app.add_note(l, "marketing.acos", "a private note").unwrap();
        }
    }
    dir.join("crossway.sqlite3")
}

fn send(lrs: &str, db: &Path, extra: &[&str], dir: &Path) -> Output {
    let pw = dir.join("password");
    std::fs::write(&pw, format!("{PASS}\n")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["xapi", "send", "--lrs", lrs, "--user", USER, "--password-file", &pw.display().to_string()])
        .args(["--db", &db.display().to_string(), "--json"])
        .args(extra)
        .output()
        .unwrap()
}

fn report(o: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {text} / {}", String::from_utf8_lossy(&o.stderr)))
}

/// `@learninglocker/xapi-validation`'s verdict on each statement: the problems, one per line.
fn validator_problems(statements: &[serde_json::Value]) -> Vec<String> {
    let mut child = Command::new("node")
        .arg(root().join("scripts/xapi-validate.cjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is needed for the xAPI validator");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(serde_json::to_string(statements).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
#[ignore = "needs the test LRS (scripts/lrs.sh install): run by scripts/test.sh"]
fn statements_conform_are_stored_once_and_a_bad_one_is_reported_with_the_lrs_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = install(&dir.path().join("data"), 3, 10);
    let statements =
        open(&dir.path().join("data")).install_statements(&crossway_app::xapi::Actor::Pseudonymous).unwrap();
    let total = statements.len();
    assert!(total >= 33, "{total}");
    let problems = validator_problems(&statements);
    assert!(problems.is_empty(), "not valid xAPI 1.0.3: {problems:#?}");
    // The validator is not a rubber stamp: a score out of range is caught.
    let mut bad = statements[0].clone();
    bad["result"]["score"]["scaled"] = serde_json::json!(1.5);
    assert!(!validator_problems(&[bad]).is_empty());
    let text = serde_json::to_string(&statements).unwrap();
    for private in ["Learner 0", "a private note", "how do I calculate"] {
        assert!(!text.contains(private), "{private:?} would reach the LRS");
    }

    let lrs = Lrs::start(&dir.path().join("lrs"), port());
    let first = send(&lrs.url(), &db, &[], dir.path());
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let r = report(&first);
    assert_eq!((r["sent"].as_u64(), r["already_there"].as_u64()), (Some(total as u64), Some(0)), "{r}");
    let again = report(&send(&lrs.url(), &db, &["--batch", "7"], dir.path()));
    assert_eq!((again["sent"].as_u64(), again["already_there"].as_u64()), (Some(0), Some(total as u64)), "{again}");
    assert_eq!(lrs.client().count().unwrap(), total, "counted through the LRS's own API");

    // An export whose statements include one the LRS must refuse (no verb id) and one that
    // changes a stored statement: both reported with the LRS's status and reason, the rest stored.
    let learner = open(&dir.path().join("data")).learners().unwrap()[0].id;
    let mut export = serde_json::to_value(open(&dir.path().join("data")).export_learner(learner).unwrap()).unwrap();
    let xs = export["xapi"].as_array_mut().unwrap();
    xs[0]["result"]["score"]["scaled"] = serde_json::json!(0.123);
    xs[1]["verb"].as_object_mut().unwrap().remove("id");
    xs[1]["id"] = serde_json::json!("6f0c7b5e-1111-4c2d-9e4f-0123456789ab");
    let file = dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_string(&export).unwrap()).unwrap();
    let pw = dir.path().join("password");
    let o = Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args([
            "xapi",
            "send",
            "--lrs",
            &lrs.url(),
            "--user",
            USER,
            "--password-file",
            &pw.display().to_string(),
            "--json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "a rejection is not a success");
    let r = report(&o);
    let rejected = r["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{r}");
    assert!(rejected.iter().any(|x| x["status"] == 409 && x["reason"].as_str().unwrap().contains("same ID")), "{r}");
    assert!(rejected.iter().any(|x| x["status"] == 422 && x["reason"].as_str().unwrap().contains("verb")), "{r}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("rejected 2"), "{}", String::from_utf8_lossy(&o.stderr));

    // A wrong password is said as such.
    std::fs::write(&pw, "wrong\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["xapi", "send", "--lrs", &lrs.url(), "--user", USER, "--password-file", &pw.display().to_string()])
        .args(["--db", &db.display().to_string()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refused the user name or password"), "{o:?}");
}

#[test]
#[ignore = "needs the test LRS (scripts/lrs.sh install): run by scripts/test.sh"]
fn a_send_cut_off_by_the_lrs_dying_is_finished_by_a_re_send_with_one_copy_of_each_statement() {
    let dir = tempfile::tempdir().unwrap();
    let db = install(&dir.path().join("data"), 4, 500);
    let total = 4 * 500 + 3;
    let lrs_dir = dir.path().join("lrs");
    let port = port();
    let mut lrs = Lrs::start(&lrs_dir, port);
    let pw = dir.path().join("password");
    std::fs::write(&pw, format!("{PASS}\n")).unwrap();
    let sender = Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["xapi", "send", "--lrs", &lrs.url(), "--user", USER, "--password-file", &pw.display().to_string()])
        .args(["--db", &db.display().to_string(), "--batch", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the LRS once some batches are stored and before the last one.
    let deadline = Instant::now() + Duration::from_secs(60);
    while lrs.lines() < 200 {
        assert!(Instant::now() < deadline, "nothing reached the LRS");
        std::thread::sleep(Duration::from_millis(20));
    }
    lrs.kill();
    let stored_before = lrs.lines();
    assert!(stored_before < total, "the send finished before the LRS was killed");
    let out = sender.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stopped answering") && err.contains("run the same command again"), "{err}");

    let lrs = Lrs::start(&lrs_dir, port);
    let o = send(&lrs.url(), &db, &[], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&o);
    assert_eq!(r["sent"].as_u64().unwrap() + r["already_there"].as_u64().unwrap(), total as u64, "{r}");
    assert!(r["already_there"].as_u64().unwrap() >= stored_before as u64 - 20, "{r}");
    assert_eq!(lrs.client().count().unwrap(), total, "exactly one copy of each statement");
}
