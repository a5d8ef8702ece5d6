//! The teacher's class view in the real window (issue #18), in both languages: three learners
//! study on a lab install, the teacher makes a profile with a PIN, creates a class and opens the
//! class view in its own window — counts only, "<3" where fewer than 3 learners would be
//! described — and a script in that window is refused every command on a learner's records by
//! the window's capability, while the app refuses the teacher's commands to the main window.
//! Run by `scripts/test.sh` (`--include-ignored`).

use crossway_tests::webdriver::Session;
use crossway_tests::window::{
    app_binary, axe_violations, new_english_learner, save_screenshot, wait_chart, Driver, ONE_WINDOW,
};
use serde_json::json;

/// Calls a command from a script in the current window; `Ok(value)` or `Err(message)`.
fn invoke(s: &Session, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, String> {
    let r = s
        .execute_async(
            "const [cmd, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(cmd, args).then((v) => done({ ok: v ?? null }), (e) => done({ err: String(e?.message ?? e) }));",
            json!([cmd, args]),
        )
        .unwrap();
    match r.get("err") {
        Some(e) => Err(e.as_str().unwrap_or_default().to_string()),
        None => Ok(r["ok"].clone()),
    }
}

/// From onboarding: the ACoS lesson's first choice item, answered right.
fn answer_one_choice(s: &Session) {
    s.click(&s.wait("#onboarding-done").unwrap()).unwrap();
    s.click(&s.wait("#path-steps .step[data-kp='marketing.acos'] .open-lesson").unwrap()).unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] input[value='1']").unwrap()).unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] .check-answer").unwrap()).unwrap();
    s.wait("form[data-item='marketing.acos.basic'] .feedback, .feedback").unwrap();
}

#[test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh"]
fn the_teacher_sees_the_class_in_counts_only_in_a_window_that_cannot_read_a_learner() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let s = Session::start(&driver.url, &app_binary().display().to_string()).unwrap();

    for name in ["Zyxa", "Zyxb", "Zyxc"] {
        new_english_learner(&s, name, Some("amazon-ads"));
        answer_one_choice(&s);
        s.click(&s.wait("#switch-learner").unwrap()).unwrap();
        s.wait("#new-learner-form").unwrap();
    }
    // The main window may not call the teacher's commands (not in its capability).
    let e = invoke(&s, "class_report", json!({ "class_id": "AAAAAAAA" })).unwrap_err();
    assert!(e.contains("not allowed") || e.contains("denied"), "{e}");

    let main = s.window_handle().unwrap();
    s.click(&s.wait("#open-class-view").unwrap()).unwrap();
    let class = s.wait_new_window(std::slice::from_ref(&main), 30).unwrap();
    s.switch_to_window(&class).unwrap();
    s.type_into(&s.wait("#teacher-name").unwrap(), "Ms Li").unwrap();
    s.type_into(&s.wait("#teacher-new-pin").unwrap(), "4711").unwrap();
    s.click(&s.wait("#teacher-create-button").unwrap()).unwrap();
    s.type_into(&s.wait("#class-name").unwrap(), "Spring ads").unwrap();
    s.click(&s.wait("#class-role-amazon-ads").unwrap()).unwrap();
    s.click(&s.wait("#class-create").unwrap()).unwrap();
    let summary = s.wait_text("#class-summary", "3 learners").unwrap();
    assert!(summary.contains("3 on this computer"), "{summary}");
    let heat = s.wait_text("#class-heatmap", "level").unwrap();
    for name in ["Zyxa", "Zyxb", "Zyxc"] {
        assert!(!s.text_of("main").unwrap().contains(name), "a learner's name on the class view");
    }
    assert!(heat.contains('3'), "three learners counted: {heat}");
    assert!(s.text_of("#class-weeks").unwrap().contains('3'), "three active learners this week");
    s.wait_text("#class-code", "-").unwrap();
    wait_chart(&s, "class-heat-chart");
    wait_chart(&s, "class-weeks-chart");
    let axe = axe_violations(&s, "class view (en)");
    assert!(axe.is_empty(), "{axe:#?}");
    save_screenshot(&s, "class-view-en.png");
    s.execute("document.getElementById('class-heat-chart').scrollIntoView()").unwrap();
    save_screenshot(&s, "class-heatmap.png");

    // The class window's capability grants no learner command: a script there is refused.
    for (cmd, args) in [
        ("list_learners", json!({})),
        ("list_attempts", json!({ "learner_id": 1 })),
        ("export_learner", json!({ "learner_id": 1 })),
        ("list_notes", json!({ "learner_id": 1, "kp": null, "search": null })),
        ("list_questions", json!({ "learner_id": 1 })),
    ] {
        let e = invoke(&s, cmd, args).unwrap_err();
        assert!(e.contains("not allowed") || e.contains("denied"), "{cmd}: {e}");
    }
    assert!(invoke(&s, "list_classes", json!({})).is_ok());

    // In Chinese, and locked again.
    s.click(&s.wait("#toggle-locale").unwrap()).unwrap();
    s.wait_text("#class-summary", "名学员").unwrap();
    s.wait_text("#class-heatmap", "水平").unwrap();
    wait_chart(&s, "class-heat-chart");
    let axe = axe_violations(&s, "class view (zh)");
    assert!(axe.is_empty(), "{axe:#?}");
    save_screenshot(&s, "class-view-zh.png");
    s.click(&s.wait("#teacher-lock").unwrap()).unwrap();
    s.wait("#teacher-unlock").unwrap();
    let e = invoke(&s, "class_report", json!({ "class_id": "AAAAAAAA" })).unwrap_err();
    assert!(e.contains("teacher"), "locked: the app refuses too: {e}");
    s.end().unwrap();
}
