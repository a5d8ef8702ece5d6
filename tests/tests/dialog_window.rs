//! The native file pickers (issue #17): Settings offers "Choose a folder…" and "Choose a file…"
//! beside the typed paths, and the dialog plugin's scope holds in the real app — only `open` is
//! granted, so `save` and `message` are refused by the capability before any dialog appears.
//! Not covered: the pick itself (a GTK dialog cannot be driven by WebDriver, and Tauri's
//! `__TAURI_INTERNALS__.invoke` cannot be replaced by a test). Run by `scripts/test.sh`
//! (`--include-ignored`).

use crossway_tests::webdriver::Session;
use crossway_tests::window::{app_binary, new_english_learner, Driver, ONE_WINDOW};

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn the_pickers_are_offered_and_only_open_is_granted() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let xdg = tempfile::tempdir().unwrap();
    let driver = Driver::start(xdg.path());
    let s = Session::start(&driver.url, app_binary().to_str().unwrap()).unwrap();
    new_english_learner(&s, "Pia", None);
    s.click(&s.wait("#onboarding-done").unwrap()).unwrap();
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    s.wait("#pick-pack").unwrap();
    // Both pickers are offered beside the typed paths, in the learner's language.
    assert_eq!(s.text_of("#pick-pack").unwrap(), "Choose a folder…");
    assert_eq!(s.text_of("#pick-model").unwrap(), "Choose a file…");

    // The real plugin: `save` and `message` are not granted (refused, no dialog appears).
    s.execute(
        "const i = window.__TAURI_INTERNALS__.invoke; document.body.dataset.save = 'pending'; document.body.dataset.message = 'pending';
         i('plugin:dialog|save', { options: {} }).then(() => { document.body.dataset.save = 'allowed'; }, (e) => { document.body.dataset.save = 'refused: ' + e; });
         i('plugin:dialog|message', { message: 'x' }).then(() => { document.body.dataset.message = 'allowed'; }, (e) => { document.body.dataset.message = 'refused: ' + e; });",
    )
    .unwrap();
    for which in ["save", "message"] {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let v = loop {
            let v = s.execute(&format!("return document.body.dataset.{which}")).unwrap();
            if v != serde_json::json!("pending") || std::time::Instant::now() > deadline {
                break v;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        let v = v.as_str().unwrap_or_default().to_string();
        assert!(v.starts_with("refused") && v.contains("not allowed"), "dialog {which}: {v}");
    }
    s.end().unwrap();
}
