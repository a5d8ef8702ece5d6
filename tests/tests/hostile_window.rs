//! The hostile lesson Markdown corpus (issue #19) through the real window: installed as a pack
//! update through Settings — the app's own install path — and rendered in the real webview.
//! Payloads the validator refuses must be reported at their `path:line` and install nothing;
//! the rest must render inert: no script ran (each payload that runs sets `window.__pwned`), no
//! element carries a URL, a style or a handler, no request left the page (resource timing) and
//! the content security policy had nothing to block (its violation events are counted).
//! Run by `scripts/test.sh` (`--include-ignored`).

use std::fs;
use std::path::Path;

use crossway_content::load_pack;
use crossway_tests::webdriver::Session;
use crossway_tests::window::{app_binary, new_english_learner, Driver, ONE_WINDOW};
use crossway_tests::workspace_root;

#[path = "../../crates/crossway-content/tests/hostile_payloads.rs"]
mod hostile_payloads;

const MARKER: &str = "::: lesson en\n";

/// Lessons on the Amazon advertising path that take the corpus: the first takes every payload
/// under 100 KB, each other one a single large payload (a pack file holds at most 2 MiB).
const LESSONS: &[&str] = &[
    "marketing.acos",
    "marketing.ppc-structure",
    "marketing.break-even-acos",
    "operations.marketplace-seo",
    "costing.pricing-margin",
    "finance.kpi-funnel",
];

/// A copy of the shipped pack as version 1.1.1 whose English lessons start with `payloads`.
/// Returns the lessons used and the line of the first payload in the first one.
fn pack_with(dir: &Path, payloads: &[String]) -> (Vec<&'static str>, usize) {
    crossway_content::copy_tree(&workspace_root().join("content-packs/cbec-core"), dir).unwrap();
    let manifest = fs::read_to_string(dir.join("pack.toml")).unwrap();
    let manifest = manifest.replacen("version = \"1.1.0\"", "version = \"1.1.1\"", 1).replacen(
        "changelog = [\n",
        "changelog = [\n  { version = \"1.1.1\", date = \"2026-12-03\", notes = { en = \"Hostile test lesson.\", zh-CN = \"恶意内容测试课。\" } },\n",
        1,
    );
    fs::write(dir.join("pack.toml"), manifest).unwrap();
    let (small, large): (Vec<&String>, Vec<&String>) = payloads.iter().partition(|p| p.len() < 100_000);
    let mut groups = vec![small];
    groups.extend(large.into_iter().map(|p| vec![p]));
    assert!(groups.len() <= LESSONS.len(), "more large payloads than lessons to hold them");
    let mut used = Vec::new();
    let mut first_line = 0;
    for (kp, group) in LESSONS.iter().zip(groups) {
        if group.is_empty() {
            continue;
        }
        let file = dir.join(format!("kps/{kp}.md"));
        let original = fs::read_to_string(&file).unwrap();
        let at = original.find(MARKER).unwrap() + MARKER.len();
        let body: Vec<&str> = group.iter().map(|p| p.as_str()).collect();
        fs::write(&file, format!("{}{}\n\n{}", &original[..at], body.join("\n\n"), &original[at..])).unwrap();
        if used.is_empty() {
            first_line = original[..at].lines().count() + 1;
        }
        used.push(*kp);
    }
    (used, first_line)
}

/// What a lesson in the window holds that could run or fetch, and whether anything did.
const PROBE: &str = "const b = document.getElementById('lesson-body');
  const attrs = [];
  for (const el of b.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on|^(href|src|srcset|srcdoc|style|action|formaction|xlink:href|background|poster|data)$/i.test(a.name)) {
        attrs.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 40));
      }
    }
  }
  const tags = [...b.querySelectorAll('script,iframe,object,embed,img,svg,math,style,link,meta,base,form,input,video,audio,frame,frameset,button,textarea,select')]
    .map((e) => e.tagName);
  const requests = performance.getEntriesByType('resource').map((r) => r.name)
    .filter((n) => !n.startsWith('tauri://') && !n.startsWith('http://ipc.localhost') && !n.startsWith('ipc:'));
  return { pwned: window.__pwned === undefined ? null : String(window.__pwned), csp: window.__csp, attrs, tags, requests,
           chars: b.textContent.length };";

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn hostile_lesson_markdown_installed_through_settings_is_refused_at_its_line_or_inert_in_the_webview() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    // Sort the corpus by what the validator says of each payload on its own.
    let (mut refused, mut accepted) = (Vec::new(), Vec::new());
    for p in hostile_payloads::payloads() {
        let dir = tempfile::tempdir().unwrap();
        pack_with(dir.path(), std::slice::from_ref(&p));
        if load_pack(dir.path()).diagnostics.is_empty() {
            accepted.push(p);
        } else {
            refused.push(p);
        }
    }
    assert!(refused.len() + accepted.len() >= 60 && !refused.is_empty() && !accepted.is_empty());
    let bad = tempfile::tempdir().unwrap();
    let (bad_lessons, bad_line) = pack_with(bad.path(), &refused);
    let good = tempfile::tempdir().unwrap();
    let (good_lessons, _) = pack_with(good.path(), &accepted);
    let check = load_pack(good.path());
    assert!(check.diagnostics.is_empty(), "the accepted payloads together: {:?}", check.diagnostics);

    let xdg = tempfile::tempdir().unwrap();
    let driver = Driver::start(xdg.path());
    let app = app_binary();
    let s = Session::start(&driver.url, app.to_str().unwrap()).unwrap();
    // Count what the content security policy blocks, from the first screen on.
    s.execute(
        "window.__csp = [];
         document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));",
    )
    .unwrap();
    new_english_learner(&s, "Ada", Some("amazon-ads"));
    s.click(&s.wait("#onboarding-done").unwrap()).unwrap();
    s.wait("#path-steps .step").unwrap();

    // The refused payloads: the install names the lesson and the line, and installs nothing.
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    s.type_into(&s.wait("#pack-path").unwrap(), bad.path().to_str().unwrap()).unwrap();
    s.click(&s.wait("#install-pack").unwrap()).unwrap();
    let lesson = format!("kps/{}.md", bad_lessons[0]);
    let shown = s.wait_text("#pack-install-result", &lesson).unwrap();
    assert!(shown.contains(&format!("{}/{lesson}:{bad_line}:", bad.path().display())), "{shown}");
    assert!(s.text_of("#pack-settings").unwrap().contains("1.1.0"));

    // The accepted payloads install as the update 1.1.1 …
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    s.type_into(&s.wait("#pack-path").unwrap(), good.path().to_str().unwrap()).unwrap();
    s.click(&s.wait("#install-pack").unwrap()).unwrap();
    let shown = s.wait_text("#pack-install-result", "1.1.1").unwrap();
    assert!(shown.contains("Hostile test lesson"), "the changelog is shown: {shown}");

    // … and the lessons render them inert.
    for kp in &good_lessons {
        s.click(&s.wait("#nav-path").unwrap()).unwrap();
        let open = format!("#path-steps .step[data-kp='{kp}'] .open-lesson");
        s.wait(&open).unwrap();
        s.execute(&format!("document.querySelector(\"{open}\").scrollIntoView()")).unwrap();
        s.click(&s.wait(&open).unwrap()).unwrap();
        s.wait_text("#lesson-body", "").unwrap();
        // Give anything that could run (an animation, an image error, a focus) a moment to do so.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let v = s.execute(PROBE).unwrap();
        assert_eq!(v["pwned"], serde_json::Value::Null, "{kp}: a payload ran: {v}");
        assert_eq!(v["csp"].as_array().map(Vec::len), Some(0), "{kp}: the CSP had to block something: {v}");
        assert_eq!(v["attrs"].as_array().map(Vec::len), Some(0), "{kp}: {v}");
        assert_eq!(v["tags"].as_array().map(Vec::len), Some(0), "{kp}: {v}");
        assert_eq!(v["requests"].as_array().map(Vec::len), Some(0), "{kp}: a request left the page: {v}");
        assert!(v["chars"].as_u64().unwrap() > 1000, "{kp}: the lesson is shown: {v}");
    }
    println!(
        "hostile corpus in the window: {} payloads, {} refused at their line ({}:{bad_line}…), {} rendered inert in {} lessons; 0 ran, 0 CSP violations, 0 requests",
        refused.len() + accepted.len(),
        refused.len(),
        bad_lessons[0],
        accepted.len(),
        good_lessons.len()
    );
    s.end().unwrap();
    drop(driver);
}
