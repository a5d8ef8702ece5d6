//! The native file pickers (issue #17): Settings offers "Choose a folder…" and "Choose a file…"
//! beside the typed paths, and the dialog plugin's scope holds in the real app — only `open` is
//! granted, so `save` and `message` are refused by the capability before any dialog appears.
//! Not covered: the pick itself (a GTK dialog cannot be driven by WebDriver, and Tauri's
//! `__TAURI_INTERNALS__.invoke` cannot be replaced by a test). A model import shows its progress
//! and can be cancelled without leaving a file behind. Run by `scripts/test.sh`
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

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn a_model_import_shows_its_progress_and_a_cancel_leaves_nothing_behind() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let test_model = crossway_tests::workspace_root().join("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(test_model.is_file(), "run `cargo xtask fetch-model test`");
    // A large model: the test model's header and tensors, then 3 GiB of (sparse) padding, which
    // the header check accepts and the copy must still read, write and hash to the last byte.
    let source = tempfile::tempdir().unwrap();
    let big = source.path().join("big-model.gguf");
    std::fs::copy(&test_model, &big).unwrap();
    std::fs::OpenOptions::new().write(true).open(&big).unwrap().set_len(3 << 30).unwrap();
    let xdg = tempfile::tempdir().unwrap();
    let models = xdg.path().join("models");
    let driver = Driver::start_with_models(xdg.path(), &models);
    let s = Session::start(&driver.url, app_binary().to_str().unwrap()).unwrap();
    new_english_learner(&s, "Ola", None);
    s.click(&s.wait("#onboarding-done").unwrap()).unwrap();
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    s.type_into(&s.wait("#model-path").unwrap(), big.to_str().unwrap()).unwrap();
    s.click(&s.wait("#import-model").unwrap()).unwrap();
    // Under way: the bar moves and says how far, the Cancel button is offered.
    let shown = s.wait_text("#model-import-result", "Copying and checking").unwrap();
    assert!(shown.contains("of 3072 MiB"), "{shown}");
    s.click(&s.wait("#cancel-import").unwrap()).unwrap();
    s.wait_text("#model-import-result", "Import cancelled").unwrap();
    let left: Vec<_> = std::fs::read_dir(&models).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "a cancelled import leaves no model and no partial file: {left:?}");
    assert_eq!(s.execute("return document.getElementById('cancel-import').hidden").unwrap(), serde_json::json!(true));

    // The same screen imports a real model to its last byte.
    s.execute("document.getElementById('model-path').value = ''").unwrap();
    s.type_into(&s.wait("#model-path").unwrap(), test_model.to_str().unwrap()).unwrap();
    s.click(&s.wait("#import-model").unwrap()).unwrap();
    let done = s.wait_text("#model-import-result", "Imported").unwrap();
    assert!(done.contains("sha256 b179c9523d0e"), "{done}");
    let bar = s.execute("const b = document.getElementById('model-import-progress'); return [b.value, b.max]").unwrap();
    assert_eq!(bar[0], bar[1], "the bar ends full: {bar}");
    assert!(models.join("SmolLM2-135M-Instruct.Q4_1.gguf").is_file());
    s.end().unwrap();
}
