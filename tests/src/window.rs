//! The real window for the end-to-end tests: tauri-driver with a fresh home for the app, the
//! built binary, screenshots and the steps several tests share.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::webdriver::Session;
use crate::{target_dir, workspace_root};

/// tauri-driver with a fresh home for the app; stopped with SIGTERM so WebKitWebDriver exits too.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub fn start(xdg: &Path) -> Driver {
        Driver::start_with_models(xdg, &xdg.join("no-models"))
    }

    pub fn start_with_models(xdg: &Path, models: &Path) -> Driver {
        Driver::start_with_env(xdg, models, &[])
    }

    /// Like [`Driver::start_with_models`], with more environment for the app (e.g. a GTK theme).
    pub fn start_with_env(xdg: &Path, models: &Path, env: &[(&str, &str)]) -> Driver {
        // A port of our own, so a stale driver from another run (or test) cannot answer.
        static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
        let n = NEXT.fetch_add(2, std::sync::atomic::Ordering::SeqCst);
        let port = 20000 + (std::process::id() % 20000) as u16 + n;
        let mut cmd = Command::new("tauri-driver");
        cmd.args(["--port", &port.to_string(), "--native-port", &(port + 1).to_string()])
            .env("XDG_DATA_HOME", xdg.join("data"))
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .env("XDG_CACHE_HOME", xdg.join("cache"))
            // By default no model: the window must say so (the source tree may hold the test model).
            .env("CROSSWAY_MODELS_DIR", models)
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .envs(env.iter().copied())
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

impl Driver {
    /// tauri-driver's process id (the app runs under it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

/// One window at a time: two apps and two WebKit processes on 2 cores would slow both to a crawl.
pub static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The built desktop app (`CROSSWAY_DESKTOP_BIN`, else the debug build).
pub fn app_executable() -> PathBuf {
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

/// What the tests ask WebKitWebDriver to start: the app, or — when `CROSSWAY_TRACE_DIR` is set
/// (the network-silence run of the whole window suite) — a wrapper that runs it under strace.
pub fn app_binary() -> PathBuf {
    let bin = app_executable();
    match std::env::var_os(TRACE_DIR) {
        Some(dir) => traced(&bin, Path::new(&dir)),
        None => bin,
    }
}

/// Set to a folder: every app started by [`app_binary`] writes `run-<pid>.trace` (strace of
/// the network calls and programs of the app and all its processes) and `run-<pid>.inspector`
/// (the `WEBKIT_INSPECTOR_SERVER` address WebKitWebDriver gave it, the harness's channel).
pub const TRACE_DIR: &str = "CROSSWAY_TRACE_DIR";

/// Writes (once) the wrapper that records the inspector address and runs `app` under strace.
pub fn traced(app: &Path, dir: &Path) -> PathBuf {
    let wrapper = dir.join("crossway-traced");
    if !wrapper.is_file() {
        let d = dir.display();
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$WEBKIT_INSPECTOR_SERVER\" > '{d}/run-'$$'.inspector'\n\
             exec strace -f --seccomp-bpf -qq -e trace=%network,execve -o '{d}/run-'$$'.trace' -- '{}' \"$@\"\n",
            app.display()
        );
        let tmp = dir.join(format!(".crossway-traced.{}", std::process::id()));
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(&tmp, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::rename(&tmp, &wrapper).unwrap();
    }
    wrapper
}

pub fn save_screenshot(s: &Session, name: &str) {
    // WebKitGTK's WebDriver stops answering screenshot requests once the document has become
    // shorter than it was (a long dashboard, then a short screen); a tall body while the picture
    // is taken avoids it (what is below the content is blank either way).
    s.execute("document.body.style.minHeight = '20000px'").unwrap();
    let png = s.screenshot_png();
    s.execute("document.body.style.minHeight = ''").unwrap();
    let png = png.unwrap();
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

/// Creates a learner in English on the first screen (onboarding comes next).
pub fn new_english_learner(s: &Session, name: &str, goal: Option<&str>) {
    let field = s.wait("#new-learner-name").unwrap();
    s.type_into(&field, name).unwrap();
    if let Some(goal) = goal {
        s.click(&s.wait(&format!("#new-learner-goal option[value='{goal}']")).unwrap()).unwrap();
    }
    s.click(&s.wait("#new-learner-locale option[value='en']").unwrap()).unwrap();
    s.click(&s.wait("#create-learner").unwrap()).unwrap();
}

/// Waits until a chart has been drawn (ECharts puts a canvas in it).
pub fn wait_chart(s: &Session, id: &str) {
    s.wait(&format!("#{id}[data-ready='true'] svg")).unwrap_or_else(|e| panic!("chart #{id} not drawn: {e:?}"));
}

/// axe-core (npm, a dev dependency of ui/: injected by the tests, never shipped), run on the
/// screen as shown: its critical and serious violations, each with up to three of the elements.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations
  .filter((v) => v.impact === 'critical' || v.impact === 'serious')
  .map((v) => v.impact + ' ' + v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '))),
  (e) => done(['axe failed: ' + e]));
"#;

fn axe_source() -> String {
    let path = crate::workspace_root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/test.sh runs npm ci in ui/)", path.display()))
}

/// axe-core's critical and serious violations on the current screen (`screen` names it in a panic).
pub fn axe_violations(s: &Session, screen: &str) -> Vec<String> {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let source = SOURCE.get_or_init(axe_source);
    let found = s
        .execute_async(&format!("{source}\n{AXE_RUN}"), serde_json::json!([]))
        .unwrap_or_else(|e| panic!("{screen}: axe: {e:.300}"));
    found.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
}
