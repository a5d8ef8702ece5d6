//! End to end in the real window: the built `crossway-desktop` under Xvfb, driven through
//! tauri-driver → WebKitWebDriver. Needs the app built with `--features custom-protocol`,
//! `tauri-driver` on PATH, `WebKitWebDriver` and a display: `scripts/test.sh` provides all of
//! them and runs this with `--include-ignored`.

mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crossway_tests::{target_dir, workspace_root};
use webdriver::Session;

/// tauri-driver with a fresh home for the app; stopped with SIGTERM so WebKitWebDriver exits too.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(xdg: &Path) -> Driver {
        // A port of our own, so a stale driver from another run cannot answer.
        let port = 20000 + (std::process::id() % 20000) as u16;
        let mut cmd = Command::new("tauri-driver");
        cmd.args(["--port", &port.to_string(), "--native-port", &(port + 1).to_string()])
            .env("XDG_DATA_HOME", xdg.join("data"))
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .env("XDG_CACHE_HOME", xdg.join("cache"))
            // No model for this run: the window must say so (the source tree may hold the test model).
            .env("CROSSWAY_MODELS_DIR", xdg.join("no-models"))
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tauri-driver ({e}); run scripts/test.sh, which installs it"));
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, url }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

fn app_binary() -> PathBuf {
    let bin = std::env::var_os("CROSSWAY_DESKTOP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/crossway-desktop"));
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p crossway-desktop --features custom-protocol`",
        bin.display()
    );
    bin
}

fn save_screenshot(s: &Session, name: &str) {
    let png = s.screenshot_png().unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let dir = target_dir().join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), &png).unwrap();
    if std::env::var_os("CROSSWAY_UPDATE_SCREENSHOTS").is_some() {
        let docs = workspace_root().join("docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(name), &png).unwrap();
    }
}

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn a_learner_answers_an_item_and_finds_it_after_a_restart() {
    let xdg = tempfile::tempdir().unwrap();
    let driver = Driver::start(xdg.path());
    let app = app_binary();
    let app = app.to_str().unwrap();

    // First run: create a learner with a goal.
    let s = Session::start(&driver.url, app).unwrap();
    let name = s.wait("#new-learner-name").unwrap();
    assert!(s.text_of("#statusbar").unwrap().contains("未安装 AI 模型"), "the window must say no model is installed");
    s.type_into(&name, "李雷").unwrap();
    s.click(&s.wait("#new-learner-goal option[value='amazon-ads']").unwrap()).unwrap();
    s.click(&s.wait("#create-learner").unwrap()).unwrap();

    // The path: goal steps first, prerequisites first, each with its reasons.
    s.wait("#path-steps .step").unwrap();
    let steps = s.find_all("#path-steps .step").unwrap();
    assert!(steps.len() > 10, "a path through the curriculum");
    assert!(s.attr(&steps[0], "class").unwrap().unwrap_or_default().contains("for-goal"));
    let goal = s.text_of("#path-goal").unwrap();
    assert!(goal.contains("亚马逊广告专员"), "{goal}");
    s.execute("document.querySelectorAll('details.why').forEach((d) => { d.open = true; })").unwrap();
    let acos = s.text_of("#path-steps .step[data-kp='marketing.acos']").unwrap();
    assert!(acos.contains("目标岗位“亚马逊广告专员”要求达到 3 级"), "reasons not shown: {acos}");
    assert!(acos.contains("盈亏平衡 ACoS 与目标 ACoS"), "the prerequisite reason names what it unlocks: {acos}");
    save_screenshot(&s, "path.png");
    s.execute("document.querySelector(\"#path-steps .step[data-kp='marketing.acos']\").scrollIntoView()").unwrap();
    save_screenshot(&s, "path-reasons.png");
    s.execute("window.scrollTo(0, 0)").unwrap();

    // The CSP blocks inline script even when something manages to insert it.
    let ran = s
        .execute("const el = document.createElement('script'); el.textContent = 'window.__injected = 1'; document.body.append(el); return window.__injected === 1;")
        .unwrap();
    assert_eq!(ran, serde_json::json!(false), "inline script ran despite the CSP");

    // Switch to English and back: the same path, the other language.
    s.click(&s.wait("#toggle-locale").unwrap()).unwrap();
    s.wait_text("#path-goal", "Amazon advertising specialist").unwrap();
    save_screenshot(&s, "path-en.png");

    // Open the ACoS lesson: method tabs, dated facts, then answer its choice item wrongly.
    s.click(&s.wait("#path-steps .step[data-kp='marketing.acos'] .open-lesson").unwrap()).unwrap();
    s.wait("#lesson-body strong").unwrap();
    assert!(s.text_of("#lesson-title").unwrap().contains("ACoS"));
    s.click(&s.wait("#tab-example").unwrap()).unwrap();
    let example = s.wait("#panel-example").unwrap();
    assert!(!s.text(&example).unwrap().is_empty(), "the worked-example tab shows its panel");
    assert!(s.text_of("#lesson-facts").unwrap().contains("as of"), "facts carry their date");
    s.click(&s.wait("#tab-lesson").unwrap()).unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] input[value='1']").unwrap()).unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] .check-answer").unwrap()).unwrap();
    let feedback = s.wait_text("form[data-item='marketing.acos.basic'] .feedback", "attempt #").unwrap();
    assert!(feedback.contains("Not quite") && feedback.contains("Correct answer: 25%"), "{feedback}");
    assert!(feedback.contains("That is ROAS"), "error cause missing: {feedback}");
    s.wait_text("#attempt-count", "Attempts so far: 1").unwrap();
    s.execute("document.querySelector(\"form[data-item='marketing.acos.basic']\").scrollIntoView()").unwrap();
    save_screenshot(&s, "lesson-feedback.png");

    // Change the goal: see what the path would gain and lose, confirm, and the path re-plans.
    s.click(&s.wait("#back-to-path").unwrap()).unwrap();
    s.click(&s.wait("#goal-select option[value='tiktok-marketing']").unwrap()).unwrap();
    let preview = s.wait_text("#goal-preview", "Added:").unwrap();
    assert!(preview.contains("Dropped:") && preview.contains("Study time for the goal"), "{preview}");
    save_screenshot(&s, "goal-change.png");
    s.click(&s.wait("#save-goal").unwrap()).unwrap();
    s.wait_text("#goal-changed", "Goal changed").unwrap();
    s.wait_text("#path-goal", "TikTok Shop").unwrap();
    s.end().unwrap();

    // Restart the app: the learner and the attempt are still there.
    let s = Session::start(&driver.url, app).unwrap();
    s.wait("#path-steps .step, .learner").unwrap();
    if !s.find_all(".learner").unwrap().is_empty() {
        s.click(&s.find_all(".learner").unwrap()[0]).unwrap();
    }
    s.click(&s.wait("#path-steps .step[data-kp='marketing.acos'] .open-lesson").unwrap()).unwrap();
    s.wait_text("#attempt-count", "1").unwrap();

    // Export everything: a JSON file in the data folder, with the answer in it.
    s.click(&s.wait("#back-to-path").unwrap()).unwrap();
    s.click(&s.wait(".my-data summary").unwrap()).unwrap();
    s.click(&s.wait("#export-data").unwrap()).unwrap();
    let saved = s.wait_text("#data-result", ".json").unwrap();
    let path = saved.split_whitespace().find(|w| w.ends_with(".json")).unwrap().to_string();
    let export: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(export["attempts"].as_array().unwrap().len(), 1, "{saved}");
    assert_eq!(export["xapi"][0]["verb"]["id"], "http://adlnet.gov/expapi/verbs/answered");

    // The placement check: "I don't know" to every question ends it in at most 20 questions.
    s.click(&s.wait("#start-placement").unwrap()).unwrap();
    for _ in 0..20 {
        s.wait("#placement-dont-know, #placement-done").unwrap();
        if !s.find_all("#placement-done").unwrap().is_empty() {
            break;
        }
        let progress = s.text_of("#placement-progress").unwrap();
        s.click(&s.wait("#placement-dont-know").unwrap()).unwrap();
        // Wait for the next question (or the end) to replace this one.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while s.text_of("#placement-progress").unwrap_or_default() == progress
            && s.find_all("#placement-done").unwrap().is_empty()
        {
            assert!(std::time::Instant::now() < deadline, "placement did not move on");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    let done = s.wait_text("#placement-done", "0").unwrap();
    assert!(
        done.contains("Done: 0 topics") || done.contains("有 0 个主题"),
        "nothing known after all \"I don't know\": {done}"
    );
    s.end().unwrap();
    drop(driver);

    // And in the database itself.
    let db = xdg.path().join("data/crossway/crossway.sqlite3");
    assert!(db.is_file(), "no database at {}", db.display());
    let app = crossway_app::App::open(crossway_app::AppConfig {
        data_dir: xdg.path().join("data/crossway"),
        default_pack: None,
        models_dir: xdg.path().join("models"),
    })
    .unwrap();
    let learners = app.learners().unwrap();
    assert_eq!(learners.len(), 1);
    assert_eq!(learners[0].name, "李雷");
    let attempts = app.attempts(learners[0].id).unwrap();
    assert!(attempts.len() > 1, "the answer plus the placement questions");
    assert_eq!((attempts[0].item_id.as_str(), attempts[0].score), ("marketing.acos.basic", 0.0));
}
