//! Network silence, observed (issue #19). Each test re-runs itself inside a network namespace
//! that has no interface but loopback (which the WebDriver harness itself needs), and runs the
//! app under `strace -f` following every WebKit process it starts (`crossway_tests::trace`):
//!
//! - the main loop of one learner, in one traced window;
//! - **the whole window suite** — the test binaries `e2e` (the on-device model loaded and
//!   grading), `data_window` and `hostile_window` — with every app they start traced;
//! - **the CLI's commands**, the model loaded where a command takes one.
//!
//! An app run may hold no IP socket other than the harness's own channel: WebKitWebDriver
//! starts the app with `WEBKIT_INSPECTOR_SERVER=127.0.0.1:PORT`, the app's UI process listens
//! there and WebKit's processes connect. A CLI run may hold none at all. Run by
//! `scripts/test.sh` (needs `strace`, `unshare` and `ip`; as a normal user `unshare` maps root in
//! a user namespace).

use std::path::{Path, PathBuf};
use std::process::Command;

use crossway_tests::trace::{judge, RunReport};
use crossway_tests::webdriver::Session;
use crossway_tests::window::{app_executable, new_english_learner, traced, Driver, ONE_WINDOW, TRACE_DIR};
use crossway_tests::{target_dir, workspace_root};

const INNER: &str = "CROSSWAY_TEST_IN_NETNS";

/// Outside the namespace: runs the test `name` of this binary again inside a new one and returns
/// `true`; inside it returns `false` (go on with the test) after checking only `lo` is there.
fn reran_in_namespace(name: &str) -> bool {
    if std::env::var_os(INNER).is_some() {
        let links = Command::new("ip").args(["-o", "link", "show"]).output().expect("ip (iproute2) is missing");
        let links = String::from_utf8_lossy(&links.stdout).to_string();
        let names: Vec<&str> = links.lines().filter_map(|l| l.split(':').nth(1)).map(str::trim).collect();
        assert_eq!(names, ["lo"], "{links}");
        return false;
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = Command::new("unshare");
    if !root {
        cmd.arg("--map-root-user");
    }
    let status = cmd
        .args(["--net", "--", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", name, "--include-ignored", "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .status()
        .unwrap_or_else(|e| panic!("cannot run unshare ({e}); scripts/test.sh installs util-linux and iproute2"));
    assert!(status.success(), "the run inside the network namespace failed ({status})");
    true
}

/// Every `run-<pid>.trace` in `dir`, judged with its own inspector address.
fn judge_dir(dir: &Path) -> Vec<(String, RunReport)> {
    let mut runs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "trace")).collect())
        .unwrap_or_default();
    runs.sort();
    runs.iter()
        .map(|t| {
            let inspector = std::fs::read_to_string(t.with_extension("inspector")).unwrap_or_default();
            let trace = std::fs::read_to_string(t).unwrap();
            (t.file_name().unwrap().to_string_lossy().into_owned(), judge(&trace, inspector.trim()))
        })
        .collect()
}

fn assert_silent(what: &str, runs: &[(String, RunReport)]) {
    for (name, r) in runs {
        assert!(
            r.others.is_empty() && r.stray.is_empty(),
            "{what}, {name}: IP sockets besides the harness's: {:#?}\n{:#?}",
            r.others,
            r.stray
        );
    }
}

#[test]
#[ignore = "needs the built app, tauri-driver, a display, strace and unshare: run scripts/test.sh"]
fn the_app_opens_no_ip_socket_and_works_in_a_namespace_without_a_network() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    if reran_in_namespace("the_app_opens_no_ip_socket_and_works_in_a_namespace_without_a_network") {
        return;
    }
    let xdg = tempfile::tempdir().unwrap();
    let traces = xdg.path().join("traces");
    let wrapper = traced(&app_executable(), &traces);

    let driver = Driver::start(xdg.path());
    let s = Session::start(&driver.url, wrapper.to_str().unwrap()).unwrap();
    new_english_learner(&s, "Noor", Some("amazon-ads"));
    s.click(&s.wait("#onboarding-done").unwrap()).unwrap();
    s.click(&s.wait("#path-steps .step[data-kp='marketing.acos'] .open-lesson").unwrap()).unwrap();
    s.wait("#lesson-body strong").unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] input[value='1']").unwrap()).unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] .check-answer").unwrap()).unwrap();
    s.wait_text("form[data-item='marketing.acos.basic'] .feedback", "attempt #").unwrap();
    s.click(&s.wait("#nav-progress").unwrap()).unwrap();
    s.wait("#module-table").unwrap();
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    s.wait("#pack-settings").unwrap();
    s.end().unwrap();
    drop(driver);

    let runs = judge_dir(&traces);
    assert_eq!(runs.len(), 1, "one traced start of the app");
    let r = &runs[0].1;
    assert!(
        r.programs.iter().any(|p| p.contains("WebKitWebProcess"))
            && r.programs.iter().any(|p| p.contains("WebKitNetworkProcess")),
        "the trace must follow WebKit's processes: {:?}",
        r.programs
    );
    println!(
        "network trace: {} lines, {} programs, {} IP sockets ({} the harness's channel), {} others, {} stray IP sends",
        r.lines,
        r.programs.len(),
        r.ip_sockets,
        r.harness,
        r.others.len(),
        r.stray.len()
    );
    assert_silent("main loop", &runs);
}

/// The newest test executable `name-<hash>` next to this one (cargo builds all of a crate's
/// test binaries before running any).
fn test_binary(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&deps)
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_prefix(&format!("{name}-"))
                .is_some_and(|h| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p).unwrap_or_else(|| panic!("no test binary {name}-* in {}", deps.display()))
}

#[test]
#[ignore = "needs the built app, tauri-driver, a display, strace, unshare and the test model: run scripts/test.sh"]
fn the_whole_window_suite_and_the_cli_open_no_ip_socket() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    if reran_in_namespace("the_whole_window_suite_and_the_cli_open_no_ip_socket") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let mut total = RunReport::default();
    let mut app_runs = 0;
    for suite in ["e2e", "data_window", "hostile_window"] {
        let dir = work.path().join(suite);
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new(test_binary(suite))
            .args(["--include-ignored", "--test-threads=1"])
            .env(TRACE_DIR, &dir)
            .current_dir(workspace_root().join("tests"))
            .status()
            .unwrap();
        assert!(status.success(), "the {suite} suite failed under the trace ({status})");
        let runs = judge_dir(&dir);
        assert!(!runs.is_empty(), "{suite}: no app run was traced");
        assert_silent(suite, &runs);
        for (_, r) in &runs {
            total.lines += r.lines;
            total.ip_sockets += r.ip_sockets;
            total.harness += r.harness;
            total.programs.extend(r.programs.iter().cloned());
        }
        app_runs += runs.len();
    }
    println!(
        "window suite traced: {app_runs} app starts, {} lines, {} programs, {} IP sockets (all {} the harness's channel), 0 others",
        total.lines,
        total.programs.len(),
        total.ip_sockets,
        total.harness
    );

    // The CLI's commands, each under strace; the model is loaded by grade, ask and describe.
    let cli = target_dir().join("debug/crossway");
    assert!(cli.is_file(), "{} is missing (cargo test builds it)", cli.display());
    let model = workspace_root().join("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(model.is_file(), "{} is missing: scripts/test.sh fetches it", model.display());
    let pack = workspace_root().join("content-packs/cbec-core");
    let w = work.path();
    std::fs::write(
        w.join("in.jsonl"),
        "{\"id\":1,\"question\":\"What is ACoS?\",\"reference_answer\":\"Ad spend divided by ad sales.\",\"rubric\":[\"divides ad spend by ad sales\"],\"answer\":\"Ad spend over ad sales.\",\"max_score\":1,\"lang\":\"en\"}\n",
    )
    .unwrap();
    std::fs::write(w.join("train.csv"), "user_id,skill_id,correct\na,s,1\na,s,0\nb,s,1\nb,s,1\n").unwrap();
    std::fs::write(w.join("test.csv"), "user_id,skill_id,correct\nc,s,1\n").unwrap();
    let (m, p) = (model.to_str().unwrap(), pack.to_str().unwrap());
    let wd = |f: &str| w.join(f).to_str().unwrap().to_string();
    let commands: Vec<Vec<String>> = vec![
        vec!["pack", "validate", p],
        vec!["pack", "stats", p, "--json"],
        vec!["pack", "diff", p, p, "--json"],
        vec!["simulate", "--pack", p, "--learners", "20", "--json"],
        vec!["grade", "--batch", &wd("in.jsonl"), "--out", &wd("out.jsonl"), "--model", m, "--threads", "2"],
        vec!["ask", "--pack", p, "--question", "how is ACoS calculated", "--model", m, "--threads", "2", "--json"],
        vec![
            "describe",
            "--pack",
            p,
            "--text",
            "I sell on Amazon and want to run ads",
            "--model",
            m,
            "--threads",
            "2",
            "--json",
        ],
        vec!["kt", "fit", "--train", &wd("train.csv"), "--predict", &wd("test.csv"), "--out", &wd("pred.csv")],
        vec!["data", "check", "--data-dir", &wd("data")],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(str::to_string).collect())
    .collect();
    let mut lines = 0;
    for (i, args) in commands.iter().enumerate() {
        let trace = w.join(format!("cli-{i}.trace"));
        let out = Command::new("strace")
            .args(["-f", "--seccomp-bpf", "-qq", "-e", "trace=%network,execve", "-o"])
            .arg(&trace)
            .arg("--")
            .arg(&cli)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "crossway {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        let r = judge(&std::fs::read_to_string(&trace).unwrap(), "");
        assert!(r.ip_sockets == 0 && r.stray.is_empty(), "crossway {}: {:#?} {:#?}", args.join(" "), r.others, r.stray);
        lines += r.lines;
    }
    println!("CLI traced: {} commands (3 with the model loaded), {lines} lines, 0 IP sockets", commands.len());
}
