//! Classroom installs (issue #18) on real data folders, the real SQLite file and the shipped
//! pack: the teacher's PIN and what it opens, the k ≥ 3 rule, and class summaries carried from
//! learners' machines — duplicates, newer exports, tampered, foreign and malformed files.

use std::path::{Path, PathBuf};

use crossway_app::{App, AppConfig, ErrorCode, NewLearnerDto, SubmitAnswerDto};
use crossway_content::Answer;
use proptest::prelude::*;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn open(dir: &Path) -> App {
    App::open(AppConfig { data_dir: dir.to_path_buf(), default_pack: Some(shipped()), models_dir: dir.join("models") })
        .unwrap()
}

fn learner(app: &mut App, name: &str) -> i64 {
    app.create_learner(NewLearnerDto {
        name: name.into(),
        locale: "en".into(),
        goal_role: Some("amazon-ads".into()),
        weekly_minutes: Some(120),
    })
    .unwrap()
    .id
}

fn answer(app: &mut App, l: i64, item: &str, option: usize, key: &str) {
    let sub = SubmitAnswerDto {
        item_id: item.into(),
        answer: Answer::Choice { option },
        idempotency_key: key.into(),
        seconds: Some(30.0),
    };
    app.submit_answer(l, sub).unwrap();
}

/// A learner who studied a little: one right and one wrong answer on ACoS.
fn studied(app: &mut App, name: &str) -> i64 {
    let l = learner(app, name);
    answer(app, l, "marketing.acos.basic", 1, &format!("{name}-1"));
    answer(app, l, "marketing.acos.basic", 0, &format!("{name}-2"));
    l
}

fn teacher_with_class(dir: &Path, local: bool) -> (App, crossway_app::ClassDto) {
    let mut app = open(dir);
    app.create_teacher("Ms Li", "4711").unwrap();
    let class = app.create_class("Amazon ads, spring", &["amazon-ads".to_string()], local).unwrap();
    (app, class)
}

#[test]
fn the_teacher_needs_its_pin_and_sees_no_learner_by_name_or_by_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, class) = teacher_with_class(dir.path(), true);
    for name in ["Anna Secretname", "Bo", "Cai"] {
        studied(&mut app, name);
    }
    let l = learner(&mut app, "Dee");
    app.add_note(l, "marketing.acos", "my private note about ACoS").unwrap();

    let report = app.class_report(&class.id).unwrap();
    assert_eq!((report.local, report.imported, report.report.learners), (4, 0, 4));
    let json = serde_json::to_string(&report).unwrap();
    for private in ["Secretname", "Dee", "private note", "learner_id"] {
        assert!(!json.contains(private), "the class view holds {private:?}: {json}");
    }

    // Locked: every teacher action is refused in the app itself, not only in the window.
    app.lock_teacher();
    assert_eq!(app.class_report(&class.id).unwrap_err().code, ErrorCode::TeacherOnly);
    assert_eq!(app.classes().unwrap_err().code, ErrorCode::TeacherOnly);
    assert_eq!(app.install_pack(&shipped()).unwrap_err().code, ErrorCode::TeacherOnly, "packs are the teacher's");
    assert!(!app.unlock_teacher("0000").unwrap());
    assert!(app.unlock_teacher("4711").unwrap());
    assert!(app.class_report(&class.id).is_ok());
    assert!(app.create_teacher("Someone else", "1234").is_err(), "one teacher per install");

    // Three wrong PINs, then a wait that survives a restart.
    app.lock_teacher();
    for _ in 0..3 {
        assert!(!app.unlock_teacher("9999").unwrap());
    }
    drop(app);
    let mut app = open(dir.path());
    assert_eq!(app.unlock_teacher("4711").unwrap_err().code, ErrorCode::PinWait);
}

#[test]
fn no_number_describing_fewer_than_three_learners_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, class) = teacher_with_class(dir.path(), true);
    studied(&mut app, "A");
    studied(&mut app, "B");
    let two = app.class_report(&class.id).unwrap().report;
    let acos = two.heatmap.iter().find(|r| r.kp == "marketing.acos").unwrap();
    assert!(acos.counts.iter().all(|c| c.is_none_or(|n| n == 0)), "{acos:?}");
    assert!(two.items.is_empty() && two.items_hidden > 0, "two learners' item scores are hidden");
    assert!(two.weeks.iter().all(|w| w.answers.is_none()));
    assert!(two.hidden > 0);

    studied(&mut app, "C");
    let three = app.class_report(&class.id).unwrap().report;
    let acos = three.heatmap.iter().find(|r| r.kp == "marketing.acos").unwrap();
    assert_eq!(acos.counts.iter().flatten().sum::<u32>(), 3, "{acos:?}");
    assert_eq!(acos.counts[0], Some(0), "all three answered on ACoS: {acos:?}");
    let untouched = three.heatmap.iter().find(|r| r.kp == "logistics.volumetric-weight").unwrap();
    assert_eq!(untouched.counts[0], Some(3), "nobody started it: {untouched:?}");
    let item = three.items.iter().find(|i| i.item == "marketing.acos.basic").unwrap();
    assert_eq!((item.learners, item.p_value), (3, Some(0.0)), "first answers were wrong");
    assert_eq!(three.weeks.last().unwrap().answers, Some(6));
}

/// A learner on their own machine joins the class and exports a summary file.
fn exported_summary(home: &Path, code: &str, name: &str) -> PathBuf {
    let mut app = open(home);
    let l = studied(&mut app, name);
    app.join_class(l, code).unwrap();
    let class_id = app.learner_classes(l).unwrap()[0].class.clone();
    PathBuf::from(app.export_class_summary(l, &class_id).unwrap().path)
}

#[test]
fn summaries_from_learners_machines_are_imported_once_and_bad_ones_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut teacher, class) = teacher_with_class(&dir.path().join("teacher"), false);
    let inbox = dir.path().join("usb");
    std::fs::create_dir_all(&inbox).unwrap();
    for (i, name) in ["A", "B", "C"].iter().enumerate() {
        let file = exported_summary(&dir.path().join(format!("learner{i}")), &class.code.to_lowercase(), name);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&format!("\"{name}\"")), "no name in a summary");
        std::fs::copy(&file, inbox.join(file.file_name().unwrap())).unwrap();
    }
    let first = teacher.import_summaries(&class.id, &inbox).unwrap();
    assert_eq!((first.new, first.replaced, first.unchanged, first.refused.len()), (3, 0, 0, 0), "{first:?}");
    let again = teacher.import_summaries(&class.id, &inbox).unwrap();
    assert_eq!((again.new, again.unchanged), (0, 3), "the same files twice change nothing");
    let report = teacher.class_report(&class.id).unwrap();
    assert_eq!((report.local, report.imported), (0, 3));
    assert!(report.report.items.iter().any(|i| i.item == "marketing.acos.basic" && i.learners == 3));

    // Bad files beside good ones: each refused with its reason, the good ones unaffected.
    let good = std::fs::read_dir(&inbox).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&good).unwrap();
    let tampered = text.replacen("\"score\": 0.0", "\"score\": 1.0", 1);
    assert_ne!(tampered, text);
    std::fs::write(inbox.join("tampered.json"), tampered).unwrap();
    std::fs::write(inbox.join("broken.json"), &text[..text.len() / 2]).unwrap();
    std::fs::write(inbox.join("other.json"), text.replace(&class.id, "ZZZZZZZZ")).unwrap();
    let other_class = teacher.create_class("Another class", &[], false).unwrap();
    let foreign = exported_summary(&dir.path().join("learner9"), &other_class.code, "D");
    std::fs::copy(&foreign, inbox.join("foreign-class.json")).unwrap();
    let r = teacher.import_summaries(&class.id, &inbox).unwrap();
    let reason = |f: &str| r.refused.iter().find(|x| x.file.ends_with(f)).map(|x| x.reason.clone()).unwrap_or_default();
    assert!(reason("tampered.json").contains("signature does not match"), "{r:?}");
    assert!(
        reason("broken.json").contains("not a Crossway class summary") && reason("broken.json").contains("line"),
        "{r:?}"
    );
    assert!(reason("other.json").contains("does not keep"), "{r:?}");
    assert!(reason("foreign-class.json").contains("does not keep"), "{r:?}");
    assert_eq!((r.new, r.unchanged, r.refused.len()), (0, 3, 4), "{r:?}");
    assert_eq!(teacher.class_report(&class.id).unwrap().imported, 3);
}

#[test]
fn a_newer_export_of_the_same_learner_replaces_the_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut teacher, class) = teacher_with_class(&dir.path().join("teacher"), false);
    let home = dir.path().join("learner");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let file = exported_summary(&home, &class.code, "A");
    std::fs::copy(&file, inbox.join("a.json")).unwrap();
    assert_eq!(teacher.import_summaries(&class.id, &inbox).unwrap().new, 1);

    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut app = open(&home);
    let l = app.learners().unwrap()[0].id;
    answer(&mut app, l, "marketing.acos.basic", 1, "later");
    let newer = app.export_class_summary(l, &class.id).unwrap();
    std::fs::copy(&newer.path, inbox.join("a-newer.json")).unwrap();
    let r = teacher.import_summaries(&class.id, &inbox).unwrap();
    assert_eq!((r.new, r.replaced, r.unchanged), (0, 1, 1), "{r:?}");
    // The older file again does not undo the newer one.
    std::fs::remove_file(inbox.join("a-newer.json")).unwrap();
    assert_eq!(teacher.import_summaries(&class.id, &inbox).unwrap().unchanged, 1);
}

#[test]
fn a_summary_made_on_another_pack_is_refused_although_its_signature_is_right() {
    let dir = tempfile::tempdir().unwrap();
    let (mut teacher, class) = teacher_with_class(&dir.path().join("teacher"), false);
    // A learner whose install studies another pack joins with the right code.
    let other_pack = dir.path().join("synthetic-pack");
    crossway_app::synth_pack(5, 1, &other_pack).unwrap();
    let home = dir.path().join("learner");
    let mut app = App::open(AppConfig {
        data_dir: home.clone(),
        default_pack: Some(other_pack),
        models_dir: home.join("models"),
    })
    .unwrap();
    let l = app
        .create_learner(NewLearnerDto {
            name: "A".into(),
            locale: "en".into(),
            goal_role: None,
            weekly_minutes: Some(60),
        })
        .unwrap()
        .id;
    app.join_class(l, &class.code).unwrap();
    let file = PathBuf::from(app.export_class_summary(l, &class.id).unwrap().path);
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::copy(&file, inbox.join("a.json")).unwrap();
    let r = teacher.import_summaries(&class.id, &inbox).unwrap();
    assert_eq!(r.refused.len(), 1, "{r:?}");
    assert!(
        r.refused[0].reason.contains("for the pack synthetic") && r.refused[0].reason.contains("cbec-core"),
        "{r:?}"
    );
}

#[test]
fn a_mistyped_class_code_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = learner(&mut app, "A");
    let e = app.join_class(l, "ABCD-1234").unwrap_err();
    assert!(e.message.contains("24 letters") && e.message.contains("teacher"), "{e}");
}

/// Any one changed byte in a summary file is refused, or (a change to the layout outside the
/// signed part) imports the very same numbers — never a changed summary, never a panic.
#[test]
fn a_summary_changed_in_any_one_byte_is_refused_or_carries_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (teacher, class) = teacher_with_class(&dir.path().join("teacher"), false);
    let file = exported_summary(&dir.path().join("learner"), &class.code, "A");
    let original = std::fs::read(&file).unwrap();
    let signed = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).ok().map(|v| v["signed"].clone());
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let teacher = std::cell::RefCell::new(teacher);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 200, ..ProptestConfig::default() });
    runner
        .run(&(0.0f64..1.0, any::<u8>()), |(pos, byte)| {
            let mut bytes = original.clone();
            let i = ((bytes.len() - 1) as f64 * pos) as usize;
            bytes[i] = byte;
            std::fs::write(inbox.join("x.json"), &bytes).unwrap();
            let r = teacher.borrow_mut().import_summaries(&class.id, &inbox).unwrap();
            if r.refused.is_empty() {
                prop_assert_eq!(r.new + r.unchanged + r.replaced, 1);
                prop_assert_eq!(signed(&bytes), signed(&original), "byte {} changed the numbers", i);
            } else {
                prop_assert_eq!(r.new + r.unchanged + r.replaced, 0, "{:?}", r);
                prop_assert!(!r.refused[0].reason.is_empty());
            }
            Ok(())
        })
        .unwrap();
}
