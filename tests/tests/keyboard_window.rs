//! The main loop with the keyboard only (issue #17): switch language, create a learner, leave
//! onboarding, open a lesson from the path, answer a choice, a numeric and a free-text item, read
//! the feedback, go back to the path — every move a Tab, an arrow, Space, Enter or typed text,
//! never a click. Each element the focus lands on must show it (`:focus-visible` with an outline
//! or a box shadow). Run by `scripts/test.sh` (`--include-ignored`).

use crossway_tests::webdriver::{Session, ARROW_DOWN, ENTER, TAB};
use crossway_tests::window::{app_binary, Driver, ONE_WINDOW};

/// Whether the focused element matches `css`, and whether its focus is visible.
const FOCUS: &str = r#"
const el = document.activeElement;
if (!el || el === document.body) return [false, true, 'body'];
const st = getComputedStyle(el);
const visible = el.matches(':focus-visible') && ((st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none');
const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
return [el.matches(arguments[0]), visible, name];
"#;

struct Keyboard<'a> {
    s: &'a Session,
    tabs: usize,
    hidden_focus: Vec<String>,
}

impl Keyboard<'_> {
    /// Tabs until the focus is on `css` (at most 400 presses).
    fn tab_to(&mut self, css: &str) {
        for _ in 0..400 {
            let r = self.s.execute_with(FOCUS, serde_json::json!([css])).unwrap();
            let name = r[2].as_str().unwrap_or("").to_string();
            if r[1] == serde_json::json!(false) && !self.hidden_focus.contains(&name) {
                self.hidden_focus.push(name);
            }
            if r[0] == serde_json::json!(true) {
                return;
            }
            self.s.press(TAB).unwrap();
            self.tabs += 1;
        }
        panic!("Tab never reached `{css}`");
    }

    fn press(&self, keys: &str) {
        self.s.press(keys).unwrap();
    }
}

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn the_main_loop_works_with_the_keyboard_alone_with_visible_focus() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let xdg = tempfile::tempdir().unwrap();
    let driver = Driver::start(xdg.path());
    let s = Session::start(&driver.url, app_binary().to_str().unwrap()).unwrap();
    let mut k = Keyboard { s: &s, tabs: 0, hidden_focus: Vec::new() };
    s.wait("#new-learner-name").unwrap();
    // The check sees a focus that does not show (a canary button without an outline, removed).
    s.execute("const b = document.createElement('button'); b.id = 'kb-canary'; b.textContent = 'x'; b.style.outline = 'none'; document.getElementById('view').prepend(b);").unwrap();
    k.tab_to("#kb-canary");
    assert_eq!(k.hidden_focus, ["button#kb-canary"], "the focus check missed the canary");
    k.hidden_focus.clear();
    s.execute("document.getElementById('kb-canary').remove()").unwrap();

    // The language switch, then the new-learner form.
    k.tab_to("#toggle-locale");
    k.press(ENTER);
    s.wait_text("#create-learner", "Create").unwrap();
    k.tab_to("#new-learner-name");
    k.press("Kim");
    k.tab_to("#new-learner-goal");
    for _ in 0..20 {
        if s.execute("return document.getElementById('new-learner-goal').value").unwrap() == "amazon-ads" {
            break;
        }
        k.press(ARROW_DOWN);
    }
    assert_eq!(s.execute("return document.getElementById('new-learner-goal').value").unwrap(), "amazon-ads");
    k.tab_to("#create-learner");
    k.press(ENTER);
    s.wait("#onboarding-done").unwrap();
    k.tab_to("#onboarding-done");
    k.press(ENTER);

    // The path, then the ACoS lesson.
    s.wait("#path-steps .step").unwrap();
    k.tab_to("#path-steps .step[data-kp='marketing.acos'] .open-lesson");
    k.press(ENTER);
    s.wait("#lesson-body strong").unwrap();

    // A choice item: Tab into the options, Space picks the focused one, Enter checks.
    let choice = "form[data-item='marketing.acos.basic']";
    k.tab_to(&format!("{choice} input[type='radio']"));
    k.press(" ");
    k.tab_to(&format!("{choice} .check-answer"));
    k.press(ENTER);
    s.wait_text(&format!("{choice} .feedback"), "attempt #").unwrap();

    // A numeric item.
    let numeric = "form[data-item='marketing.acos.tacos']";
    k.tab_to(&format!("{numeric} .numeric-input"));
    k.press("12.5");
    k.tab_to(&format!("{numeric} .check-answer"));
    k.press(ENTER);
    let fb = s.wait_text(&format!("{numeric} .feedback"), "attempt #").unwrap();
    assert!(fb.contains("Correct answer") || fb.contains("Correct"), "{fb}");

    // A free-text item (graded without a model here).
    let free = "form[data-item='marketing.acos.acos-vs-tacos']";
    k.tab_to(&format!("{free} .free-text-input"));
    k.press("ACoS divides ad spend by ad sales; TACoS divides ad spend by total sales.");
    k.tab_to(&format!("{free} .check-answer"));
    k.press(ENTER);
    s.wait_text(&format!("{free} .feedback"), "attempt #").unwrap();
    s.wait_text("#attempt-count", "Attempts so far: 3").unwrap();

    // The next step: back to the path, which has re-planned.
    k.tab_to("#back-to-path");
    k.press(ENTER);
    s.wait_text("#path-steps", "after").unwrap();
    let (tabs, hidden) = (k.tabs, k.hidden_focus);
    s.end().unwrap();
    println!("keyboard pass: {tabs} Tab presses, {} elements focused without a visible focus", hidden.len());
    assert!(hidden.is_empty(), "focus not visible on: {hidden:?}");
}
