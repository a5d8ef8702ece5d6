//! Use-cases end to end on a real data folder, the real SQLite file and the shipped pack.

use std::path::{Path, PathBuf};

use crossway_app::{App, AppConfig, ErrorCode, NewLearnerDto, SubmitAnswerDto};
use crossway_content::Answer;
use crossway_core::{Action, Reason};

mod support;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn open(dir: &Path) -> App {
    App::open(AppConfig { data_dir: dir.to_path_buf(), default_pack: Some(shipped()), models_dir: dir.join("models") })
        .unwrap()
}

fn new_learner(app: &mut App, goal: &str) -> i64 {
    app.create_learner(NewLearnerDto {
        name: "王芳".into(),
        locale: "zh-CN".into(),
        goal_role: Some(goal.into()),
        weekly_minutes: Some(60),
    })
    .unwrap()
    .id
}

fn answer(app: &mut App, learner: i64, item: &str, answer: Answer, key: &str) -> crossway_app::AttemptResultDto {
    app.submit_answer(
        learner,
        SubmitAnswerDto { item_id: item.into(), answer, idempotency_key: key.into(), seconds: None },
    )
    .unwrap()
}

#[test]
fn a_new_learner_gets_a_goal_path_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let roles: Vec<String> = app.roles().unwrap().into_iter().map(|r| r.id).collect();
    assert!(roles.contains(&"amazon-ads".to_string()), "{roles:?}");
    let l = new_learner(&mut app, "amazon-ads");
    let path = app.path(l).unwrap();
    assert_eq!(path.goal_title.as_ref().unwrap().zh_cn, "亚马逊广告专员");
    // Goal steps first, then optional ones.
    let n_goal = path.steps.iter().take_while(|s| s.for_goal).count();
    assert!(n_goal >= 6, "the goal needs its required KPs and their prerequisites");
    assert!(path.steps[n_goal..].iter().all(|s| !s.for_goal));
    // Every step comes after the prerequisites it needs.
    let order: std::collections::HashMap<&str, usize> =
        path.steps.iter().enumerate().map(|(i, s)| (s.kp.as_str(), i)).collect();
    for (i, s) in path.steps.iter().enumerate() {
        for p in &app.lesson(&s.kp).unwrap().prerequisites {
            assert!(order.get(p.as_str()).is_some_and(|&j| j < i), "{} comes before its prerequisite {p}", s.kp);
        }
    }
    // Required KPs say so, with the role's level; prerequisites say what they unlock.
    let acos = path.steps.iter().find(|s| s.kp == "marketing.acos").unwrap();
    assert!(acos.reasons.contains(&Reason::GoalRequires { role: "amazon-ads".into(), level: 3, threshold: 0.95 }));
    assert!(acos.reasons.iter().any(
        |r| matches!(r, Reason::PrerequisiteOf { kps } if kps.contains(&"marketing.break-even-acos".to_string()))
    ));
    assert!(acos
        .kp_titles
        .iter()
        .any(|(id, t)| id == "marketing.break-even-acos" && t.en == "Break-even and target ACoS"));
    assert_eq!(acos.action, Action::Learn);
    let first = &path.steps[0];
    assert!(app.lesson(&first.kp).unwrap().prerequisites.is_empty(), "the path starts where nothing is missing");
    assert!(first.reasons.iter().any(|r| matches!(r, Reason::PrerequisiteOf { .. })), "{:?}", first.reasons);
}

#[test]
fn answering_records_the_attempt_explains_the_error_and_moves_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let l;
    {
        let mut app = open(dir.path());
        l = new_learner(&mut app, "logistics-specialist");
        let lesson = app.lesson("logistics.volumetric-weight").unwrap();
        assert!(lesson.html.zh_cn.contains("<strong>") && lesson.html.en.contains("<strong>"));
        assert!(!lesson.example_html.en.is_empty() && !lesson.workshop_html.zh_cn.is_empty());
        assert!(lesson.facts.iter().any(|f| f.id == "express-divisor" && f.source == "S67"));
        assert_eq!(
            lesson.items.iter().find(|i| i.id == "logistics.volumetric-weight.divisor").unwrap().options.len(),
            3
        );

        let wrong = answer(&mut app, l, "logistics.volumetric-weight.divisor", Answer::Choice { option: 1 }, "k1");
        assert!(!wrong.correct && !wrong.duplicate);
        assert_eq!(wrong.correct_answer.en, "12 kg");
        assert!(wrong.error_cause.as_ref().unwrap().en.contains("6000"));
        assert!(wrong.mastery_after < wrong.mastery_before);

        // A double-click resubmits the same key: nothing more is recorded.
        let again = answer(&mut app, l, "logistics.volumetric-weight.divisor", Answer::Choice { option: 1 }, "k1");
        assert!(again.duplicate);
        assert_eq!(again.attempt_id, wrong.attempt_id);
        assert_eq!(app.attempts(l).unwrap().len(), 1);

        for (n, key) in ["k2", "k3", "k4"].iter().enumerate() {
            let r = answer(&mut app, l, "logistics.volumetric-weight.divisor", Answer::Choice { option: 0 }, key);
            assert!(r.correct, "answer {n}");
        }
        let path = app.path(l).unwrap();
        assert!(
            path.steps.iter().all(|s| s.kp != "logistics.volumetric-weight"),
            "a mastered prerequisite leaves the path"
        );
        let next = path.steps.iter().find(|s| s.kp == "logistics.chargeable-weight").unwrap();
        assert!(next
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::PrerequisiteMastered { kp, .. } if kp == "logistics.volumetric-weight")));
    }
    // Restart: everything is still there.
    let app = open(dir.path());
    assert_eq!(app.attempts(l).unwrap().len(), 4);
    assert_eq!(app.learners().unwrap()[0].attempts, 4);
    assert_eq!(app.status().packs.len(), 1, "the default pack is installed once");
}

#[test]
fn numeric_and_free_text_answers_are_graded_honestly() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "logistics-specialist");
    let r = answer(&mut app, l, "logistics.chargeable-weight.carton", Answer::Numeric { value: 16.0 }, "n1");
    assert!(!r.correct);
    assert!(r.error_cause.unwrap().en.contains("6000"));
    assert_eq!(r.correct_answer.en, "19.2 kg");

    let r = answer(
        &mut app,
        l,
        "marketing.break-even-acos.explain",
        Answer::FreeText { text: "30% 低于 35.4% 的盈亏平衡 ACoS，所以每笔广告销售是盈利的；目标 ACoS 约为 20.4%，没有达到目标，需要降低 CPC。".into() },
        "f1",
    );
    assert_eq!(r.grader, "keyword");
    assert_eq!(r.rubric.len(), 3);
    assert!(r.rubric[0].met, "{:?}", r.rubric);
    assert!(r.confidence.is_some());
}

#[test]
fn bad_input_gets_a_specific_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let err = app
        .create_learner(NewLearnerDto { name: " ".into(), locale: "en".into(), goal_role: None, weekly_minutes: None })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = app
        .create_learner(NewLearnerDto {
            name: "A".into(),
            locale: "en".into(),
            goal_role: Some("astronaut".into()),
            weekly_minutes: None,
        })
        .unwrap_err();
    assert!(err.message.contains("astronaut"));
    assert!(app.learners().unwrap().is_empty());

    let l = new_learner(&mut app, "amazon-ads");
    let err = app
        .submit_answer(
            l,
            SubmitAnswerDto {
                item_id: "marketing.acos.basic".into(),
                answer: Answer::Choice { option: 7 },
                idempotency_key: "x".into(),
                seconds: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = app
        .submit_answer(
            l,
            SubmitAnswerDto {
                item_id: "nope".into(),
                answer: Answer::Choice { option: 0 },
                idempotency_key: "y".into(),
                seconds: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = app
        .submit_answer(
            l,
            SubmitAnswerDto {
                item_id: "marketing.acos.basic".into(),
                answer: Answer::Numeric { value: 1.0 },
                idempotency_key: "z".into(),
                seconds: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(app.attempts(l).unwrap().is_empty());

    // A broken pack: every problem listed, nothing installed, the old pack untouched.
    let bad = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(bad.path().join("kps")).unwrap();
    std::fs::create_dir_all(bad.path().join("items")).unwrap();
    std::fs::write(
        bad.path().join("pack.toml"),
        "id = \"cbec-core\"\nversion = \"9.9.9\"\nas_of = \"soon\"\nlicence = \"x\"\ntitle = { en = \"Broken\" }\n",
    )
    .unwrap();
    let before = std::fs::read_dir(dir.path().join("packs/cbec-core")).unwrap().count();
    let err = app.install_pack(bad.path()).unwrap_err();
    assert_eq!(err.code, ErrorCode::PackInvalid);
    assert!(
        err.details.iter().any(|d| d.ends_with("pack.toml:3: as_of: `soon` is not a date (YYYY-MM-DD)")),
        "{:#?}",
        err.details
    );
    assert!(err.details.iter().any(|d| d.contains("missing `zh-CN` text")), "{:#?}", err.details);
    // The copy is what gets validated, but the problems are said at the folder the user chose.
    let source = bad.path().display().to_string();
    assert!(err.details.iter().all(|d| d.starts_with(&source) && !d.contains(".staging")), "{:#?}", err.details);
    assert!(err.message.contains(&source), "{}", err.message);
    assert_eq!(std::fs::read_dir(dir.path().join("packs/cbec-core")).unwrap().count(), before);
    let left: Vec<_> = std::fs::read_dir(dir.path().join("packs")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("cbec-core")], "nothing left behind in packs/");
    assert_eq!(
        app.status().packs[0].version,
        crossway_content::load_pack(&shipped()).into_result().unwrap().manifest.version
    );
}

#[test]
fn a_database_from_the_future_is_refused_with_a_clear_code() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let db = dir.path().join(crossway_store::DB_FILE);
    crossway_store::stamp_version(&db, 42).unwrap();
    let err = App::open(AppConfig { data_dir: dir.path().into(), default_pack: None, models_dir: dir.path().into() })
        .err()
        .unwrap();
    assert_eq!(err.code, ErrorCode::DatabaseTooNew);
    assert!(err.message.contains("newer Crossway"));
}

/// Builds the test-only cbec-core 1.0.1 from the frozen 1.0.0 and the delta-update fixture.
fn pack_1_0_1(release: &Path, into: &Path) -> PathBuf {
    let out = into.join("cbec-core-1.0.1");
    let update = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cbec-core-1.0.1-update");
    crossway_content::materialize_update(release, &update, &out).unwrap();
    out
}

#[test]
fn a_delta_update_keeps_progress_and_flags_changed_facts_the_learner_knew() {
    let dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let release = support::release_1_0_0(work.path());
    let mut app = App::open(AppConfig {
        data_dir: dir.path().to_path_buf(),
        default_pack: Some(release.clone()),
        models_dir: dir.path().join("models"),
    })
    .unwrap();
    let l = new_learner(&mut app, "logistics-specialist");
    let other = new_learner(&mut app, "amazon-ads");
    for key in ["a", "b", "c", "d"] {
        answer(&mut app, l, "logistics.volumetric-weight.divisor", Answer::Choice { option: 0 }, key);
    }
    let before = app.path(l).unwrap();

    let update = pack_1_0_1(&release, work.path());
    let installed = app.install_pack_with_changes(&update).unwrap();
    assert_eq!((installed.previous_version.as_deref(), installed.pack.version.as_str()), (Some("1.0.0"), "1.0.1"));
    assert_eq!(installed.changelog.len(), 1, "only the entries newer than 1.0.0");
    let diff = installed.diff.unwrap();
    assert!(diff.touches_facts);
    assert!(diff.facts_changed.iter().any(|f| f.kp == "logistics.volumetric-weight" && f.fact == "express-divisor"));
    assert!(diff.kps.added.is_empty() && diff.kps.removed.is_empty());

    // Progress is kept by stable ids: the same attempts, the same path plus one short refresh of
    // the changed fact, first.
    assert_eq!(app.attempts(l).unwrap().len(), 4);
    let after = app.path(l).unwrap();
    assert_eq!(after.steps.len(), before.steps.len() + 1);
    assert_eq!((after.steps[0].kp.as_str(), after.steps[0].action), ("logistics.volumetric-weight", Action::Refresh));
    assert!(matches!(&after.steps[0].reasons[0], Reason::FactChanged { facts } if facts[0].fact == "express-divisor"));
    let kps = |steps: &[crossway_app::StepDto]| steps.iter().map(|s| (s.kp.clone(), s.action)).collect::<Vec<_>>();
    assert!(kps(&after.steps[1..]) == kps(&before.steps), "the rest of the path is unchanged");
    // The other learner never studied it: no refresh step, the new lesson is simply taught.
    assert!(app.path(other).unwrap().steps.iter().all(|s| s.action != Action::Refresh));
    // The learner who had learned the changed KP gets an industry update; the other does not.
    let updates = app.industry_updates(l).unwrap();
    assert!(updates.iter().any(|u| u.kp == "logistics.volumetric-weight" && u.to_version == "1.0.1"), "{updates:?}");
    assert!(app.industry_updates(other).unwrap().is_empty());

    // Installing the older version again is refused and changes nothing.
    let err = app.install_pack(&release).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("older than the installed version 1.0.1"), "{}", err.message);
    drop(app);
    let app = App::open(AppConfig {
        data_dir: dir.path().to_path_buf(),
        default_pack: Some(release),
        models_dir: dir.path().join("models"),
    })
    .unwrap();
    assert_eq!(app.status().packs[0].version, "1.0.1");
    assert_eq!(app.industry_updates(l).unwrap().len(), updates.len(), "fact changes are stored");
}

#[test]
fn changing_goal_shows_the_path_diff_first_and_replans_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "amazon-ops");
    let before = app.path(l).unwrap();
    let preview = app.preview_goal(l, Some("tiktok-marketing")).unwrap();
    assert_eq!(app.learner(l).unwrap().goal_role.as_deref(), Some("amazon-ops"), "a preview changes nothing");
    assert!(preview.diff.added.contains(&"marketing.social-influencer".to_string()), "{:?}", preview.diff);
    assert!(preview.diff.dropped.contains(&"costing.platform-fees".to_string()), "{:?}", preview.diff);
    assert!(!preview.diff.moved.is_empty());
    assert!(preview.titles.iter().any(|(id, t)| id == "marketing.social-influencer" && !t.zh_cn.is_empty()));
    let change = app.set_goal(l, Some("tiktok-marketing".into())).unwrap();
    assert_eq!(change.learner.goal_role.as_deref(), Some("tiktok-marketing"));
    assert_eq!(change.preview.diff, preview.diff);
    let after = app.path(l).unwrap();
    assert_ne!(before.steps, after.steps);
    assert!(after.steps.iter().any(|s| s.kp == "marketing.social-influencer" && s.for_goal));
    assert_eq!(app.set_goal(l, Some("astronaut".into())).unwrap_err().code, ErrorCode::InvalidInput);
}

#[test]
fn two_wrong_answers_in_a_row_switch_the_step_to_remediation() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "amazon-ads");
    for key in ["w1", "w2"] {
        answer(&mut app, l, "marketing.acos.basic", Answer::Choice { option: 1 }, key);
    }
    let path = app.path(l).unwrap();
    let step = path.steps.iter().find(|s| s.kp == "marketing.acos").unwrap();
    assert_eq!(step.action, Action::Remediate);
    assert_eq!(step.reasons[0], Reason::Struggling { wrong_in_a_row: 2 });
    // Struggling: the easier item kinds come first.
    let kinds: Vec<String> = app.lesson_for(l, "marketing.acos").unwrap().items.into_iter().map(|i| i.kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| match k.as_str() {
        "choice" => 0,
        "numeric" => 1,
        _ => 2,
    });
    assert_eq!(kinds, sorted);
    assert_eq!(kinds.first().map(String::as_str), Some("choice"));
    // A right answer ends the streak.
    answer(&mut app, l, "marketing.acos.basic", Answer::Choice { option: 0 }, "r1");
    let step = app.path(l).unwrap().steps.into_iter().find(|s| s.kp == "marketing.acos").unwrap();
    assert_eq!(step.action, Action::Practice);
}

static NOW: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1_790_000_000);

fn test_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(NOW.load(std::sync::atomic::Ordering::SeqCst), 0).unwrap()
}

#[test]
fn learned_knowledge_comes_back_for_review_when_fsrs_says_it_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    app.set_clock(test_clock);
    let l = new_learner(&mut app, "logistics-specialist");
    for (n, key) in ["a", "b", "c", "d"].iter().enumerate() {
        NOW.fetch_add(86_400 * (n as i64 + 1), std::sync::atomic::Ordering::SeqCst);
        answer(&mut app, l, "logistics.volumetric-weight.divisor", Answer::Choice { option: 0 }, key);
    }
    let path = app.path(l).unwrap();
    assert!(path.steps.iter().all(|s| s.kp != "logistics.volumetric-weight"), "learned and not yet due");
    // Half a year later the review is due, with a recall probability below 1.
    NOW.fetch_add(86_400 * 180, std::sync::atomic::Ordering::SeqCst);
    let path = app.path(l).unwrap();
    let review = path.steps.iter().find(|s| s.kp == "logistics.volumetric-weight").expect("a due review");
    assert_eq!(review.action, Action::Review);
    match review.reasons[0] {
        Reason::RecallDue { p_recall } => assert!(p_recall > 0.0 && p_recall < 0.95, "{p_recall}"),
        ref other => panic!("{other:?}"),
    }
}

/// The right answer to a choice or numeric item, from the pack itself.
fn right_answer(item: &str) -> Answer {
    static PACK: std::sync::OnceLock<crossway_content::Pack> = std::sync::OnceLock::new();
    let pack = PACK.get_or_init(|| crossway_content::load_pack(&shipped()).into_result().unwrap());
    match &pack.item(item).unwrap().body {
        crossway_content::ItemBody::Choice { options } => {
            Answer::Choice { option: options.iter().position(|o| o.correct).unwrap() }
        }
        crossway_content::ItemBody::Numeric { answer, .. } => Answer::Numeric { value: *answer },
        other => panic!("placement asked a {other:?}"),
    }
}

fn place(app: &mut App, l: i64, knows: bool) -> crossway_app::PlacementStepDto {
    let mut step = app.placement_next(l).unwrap();
    let mut n = 0;
    while let Some(item) = step.item.clone() {
        n += 1;
        let answer = if knows { Some(right_answer(&item.id)) } else { None };
        step = app
            .placement_answer(
                l,
                crossway_app::PlacementAnswerDto { item_id: item.id, answer, idempotency_key: format!("p{n}") },
            )
            .unwrap();
    }
    assert!(n <= 20 && step.asked == n, "{n} questions, {} asked", step.asked);
    step
}

#[test]
fn the_placement_check_lets_an_expert_skip_what_they_know() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let expert = new_learner(&mut app, "amazon-ops");
    let newcomer = new_learner(&mut app, "amazon-ops");
    let before = app.path(expert).unwrap().steps.iter().filter(|s| s.for_goal).count();

    let e = place(&mut app, expert, true);
    let n = place(&mut app, newcomer, false);
    let (es, ns) = (e.summary.unwrap(), n.summary.unwrap());
    assert!(es.known > ns.known && ns.known == 0, "{es:?} {ns:?}");
    assert!(e.asked <= 20 && n.asked <= 20);

    let expert_goal = app.path(expert).unwrap().steps.iter().filter(|s| s.for_goal).count();
    let newcomer_goal = app.path(newcomer).unwrap().steps.iter().filter(|s| s.for_goal).count();
    assert_eq!(newcomer_goal, before, "a newcomer keeps the whole path");
    assert!(expert_goal * 2 < before, "an expert skips most of it: {expert_goal} of {before}");
    // The answers are in the history, marked as placement.
    let attempts = app.attempts(expert).unwrap();
    assert_eq!(attempts.len(), e.asked);

    // No goal, no placement.
    let nobody = app
        .create_learner(NewLearnerDto { name: "X".into(), locale: "en".into(), goal_role: None, weekly_minutes: None })
        .unwrap()
        .id;
    assert_eq!(app.placement_next(nobody).unwrap_err().code, ErrorCode::InvalidInput);
}

#[test]
fn a_strong_record_turns_the_next_topic_into_a_test_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "logistics-specialist");
    for n in 0..8 {
        answer(&mut app, l, "logistics.volumetric-weight.divisor", Answer::Choice { option: 0 }, &format!("s{n}"));
    }
    let path = app.path(l).unwrap();
    let next = path.steps.iter().find(|s| s.kp == "logistics.chargeable-weight").unwrap();
    assert_eq!(next.action, Action::TestOut);
    assert!(matches!(next.reasons[0], Reason::StrongRecord { answers: 8, .. }), "{:?}", next.reasons);
    // Testing out: the harder item kinds come first.
    let items = app.lesson_for(l, "logistics.chargeable-weight").unwrap().items;
    assert_ne!(items[0].kind, "choice", "{:?}", items.iter().map(|i| &i.kind).collect::<Vec<_>>());
}

#[test]
fn the_profile_joins_background_goal_and_behaviour() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "logistics-specialist");
    let bg = crossway_app::BackgroundDto {
        age_band: Some("25-34".into()),
        education: Some("bachelor".into()),
        major: Some("英语".into()),
        work_years: Some(2),
        languages: vec!["zh-CN".into(), "en".into()],
    };
    app.set_background(l, bg.clone()).unwrap();
    for key in ["a", "b", "c"] {
        answer(&mut app, l, "logistics.chargeable-weight.max", Answer::Choice { option: 0 }, key);
    }
    let p = app.profile(l).unwrap();
    assert_eq!(p.background, bg);
    let goal = p.goal.unwrap();
    assert_eq!(goal.role, "logistics-specialist");
    let cw = goal.requirements.iter().find(|r| r.kp == "logistics.chargeable-weight").unwrap();
    assert_eq!((cw.level, cw.target), (3, 0.95));
    assert!(cw.mastery > 0.9 && cw.met == (cw.mastery >= 0.95));
    assert!(goal.readiness > 0.0 && goal.readiness < 1.0);
    assert_eq!(
        (p.behaviour.attempts, p.behaviour.knowledge_points_practised, p.behaviour.active_days_last_14),
        (3, 1, 1)
    );
    assert_eq!(p.behaviour.correct_share, Some(1.0));

    let bad = crossway_app::BackgroundDto { education: Some("phd-ish".into()), ..Default::default() };
    assert!(app.set_background(l, bad).unwrap_err().message.contains("education `phd-ish`"));
    let bad = crossway_app::BackgroundDto { work_years: Some(99), ..Default::default() };
    assert_eq!(app.set_background(l, bad).unwrap_err().code, ErrorCode::InvalidInput);
    assert_eq!(
        app.profile(l).unwrap().background.education.as_deref(),
        Some("bachelor"),
        "a refused update changes nothing"
    );
}

#[test]
fn ingesting_answers_from_elsewhere_reports_every_rejected_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "logistics-specialist");
    let now = chrono::Utc::now();
    let rec = |key: &str, item: &str, score: f64, days_ago: i64| crossway_app::IncomingAttempt {
        idempotency_key: key.into(),
        item_id: item.into(),
        score,
        occurred_at: now - chrono::Duration::days(days_ago) + chrono::Duration::seconds(30),
    };
    let batch = vec![
        rec("ok-1", "logistics.volumetric-weight.divisor", 1.0, 0),
        rec("ok-2", "logistics.volumetric-weight.divisor", 0.0, 0),
        rec("ok-1", "logistics.volumetric-weight.divisor", 1.0, 0), // replayed in the batch
        rec("bad-score", "logistics.volumetric-weight.divisor", 1.5, 0),
        rec("bad-item", "logistics.nope", 1.0, 0),
        rec("future", "logistics.volumetric-weight.divisor", 1.0, -2), // two days ahead
        rec("too-old", "logistics.volumetric-weight.divisor", 1.0, 30), // before the learner existed
        rec("", "logistics.volumetric-weight.divisor", 1.0, 0),
    ];
    let r = app.ingest_attempts(l, batch).unwrap();
    assert_eq!((r.accepted, r.duplicates), (2, 1));
    let reasons: Vec<(usize, &str)> = r.rejected.iter().map(|x| (x.index, x.reason.as_str())).collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(reasons[0].0 == 3 && reasons[0].1.contains("score 1.5 is outside 0..=1"));
    assert!(reasons[1].0 == 4 && reasons[1].1.contains("unknown item `logistics.nope`"));
    assert!(reasons[2].0 == 5 && reasons[2].1.contains("in the future"));
    assert!(reasons[3].0 == 6 && reasons[3].1.contains("before the learner was created"));
    assert!(reasons[4].0 == 7 && reasons[4].1.contains("idempotency_key"));
    assert_eq!(app.attempts(l).unwrap().len(), 2);
    // Sending the same batch again (a replay) adds nothing.
    let again = app.ingest_attempts(l, vec![rec("ok-1", "logistics.volumetric-weight.divisor", 1.0, 0)]).unwrap();
    assert_eq!((again.accepted, again.duplicates), (0, 1));
    assert_eq!(app.attempts(l).unwrap().len(), 2);
}

#[test]
fn a_classroom_install_refits_the_mastery_model_from_its_own_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let mut first = 0;
    for n in 0..25 {
        let l = new_learner(&mut app, "amazon-ads");
        if n == 0 {
            first = l;
        }
        // Most learners start wrong and learn; every fifth already knows it.
        let pattern: &[usize] = if n % 5 == 0 { &[0, 0, 0, 0, 0] } else { &[1, 1, 0, 0, 0] };
        for (i, &option) in pattern.iter().enumerate() {
            answer(&mut app, l, "marketing.acos.basic", Answer::Choice { option }, &format!("{n}-{i}"));
        }
    }
    let few = new_learner(&mut app, "logistics-specialist");
    answer(&mut app, few, "logistics.chargeable-weight.max", Answer::Choice { option: 0 }, "few");

    let report = app.refit_mastery_model().unwrap();
    assert_eq!(report.fitted.len(), 1, "{report:?}");
    let fit = &report.fitted[0];
    assert_eq!((fit.kp.as_str(), fit.learners, fit.answers), ("marketing.acos", 25, 125));
    assert!(report.too_little_data >= 1);
    assert!(fit.params.p_init < 0.5 && fit.params.p_learn > 0.1, "{:?}", fit.params);

    // Stored, loaded again on open, and used for a new learner's prior and every learner's mastery.
    drop(app);
    let mut app = open(dir.path());
    let newcomer = new_learner(&mut app, "amazon-ads");
    let step = app.path(newcomer).unwrap().steps.into_iter().find(|s| s.kp == "marketing.acos").unwrap();
    assert!((step.mastery - fit.params.p_init).abs() < 1e-9, "{} vs {}", step.mastery, fit.params.p_init);
    let replayed = app.profile(first).unwrap();
    assert!(replayed.goal.unwrap().requirements.iter().any(|r| r.kp == "marketing.acos" && r.mastery > 0.9));
}

#[test]
fn importing_a_model_checks_it_and_copies_it_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let not_a_model = dir.path().join("notes.gguf");
    std::fs::write(&not_a_model, "hello").unwrap();
    let err = app.import_model(&not_a_model).unwrap_err();
    assert!(err.message.contains("not a GGUF model file"), "{}", err.message);
    assert!(!dir.path().join("models/notes.gguf").exists(), "a refused model is not copied");

    let test_model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(test_model.is_file(), "run `cargo xtask fetch-model test`");
    let imported = app.import_model(&test_model).unwrap();
    assert_eq!(imported.sha256, "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53");
    assert!(dir.path().join("models/SmolLM2-135M-Instruct.Q4_1.gguf").is_file());
    match app.status().model {
        crossway_tutor::ModelStatus::Found { bytes, .. } => assert_eq!(bytes, imported.bytes),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_learner_can_export_everything_and_delete_it_completely() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "amazon-ads");
    let other = new_learner(&mut app, "amazon-ads");
    answer(&mut app, l, "marketing.acos.basic", Answer::Choice { option: 1 }, "x1");
    answer(&mut app, l, "marketing.acos.basic", Answer::Choice { option: 0 }, "x2");
    answer(&mut app, other, "marketing.acos.basic", Answer::Choice { option: 0 }, "o1");

    let e = app.export_learner(l).unwrap();
    assert_eq!(e.learner.name, "王芳");
    assert_eq!(e.attempts.len(), 2);
    assert!(e.mastery.iter().any(|m| m.kp == "marketing.acos" && m.attempts == 2));
    assert_eq!(e.xapi.len(), 2);
    let s = &e.xapi[0];
    assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/answered");
    assert_eq!(s["object"]["id"], "https://crossway.invalid/packs/cbec-core/items/marketing.acos.basic");
    assert_eq!(s["result"]["success"], false);
    // A pseudonymous account and a stable id: the same record gives the same statement.
    assert_eq!(s["actor"]["account"]["name"], app.pseudonym(l).unwrap());
    assert!(s["actor"].get("name").is_none(), "no name in a statement: {s}");
    assert_eq!(e.xapi, app.export_learner(l).unwrap().xapi);
    assert_ne!(e.xapi[0]["id"], e.xapi[1]["id"]);
    let json = serde_json::to_string(&e).unwrap();
    assert!(!json.contains("o1"), "another learner's data must not leak into the export");

    app.delete_learner(l).unwrap();
    assert_eq!(app.learner(l).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(app.learners().unwrap().len(), 1);
    assert_eq!(app.attempts(other).unwrap().len(), 1, "other learners are untouched");
    drop(app);
    // Gone from the file itself, not just hidden.
    let store = crossway_store::Store::open(&dir.path().join(crossway_store::DB_FILE)).unwrap();
    assert!(store.db().attempts(l).unwrap().is_empty());
    assert!(store.db().mastery(l).unwrap().is_empty());
    assert!(store.db().retention(l).unwrap().is_empty());
}

/// Runs an explanation job on the tutor and returns what the app would show.
fn explain(tutor: &crossway_app::Tutor, job: &crossway_tutor::worker::ExplainJob) -> crossway_app::ExplanationDto {
    let events = tutor.explain(job.clone()).unwrap();
    let outcome = loop {
        match events.recv().unwrap() {
            crossway_app::ExplainEvent::Piece(_) => {}
            crossway_app::ExplainEvent::Done(text) => break Ok(text),
            crossway_app::ExplainEvent::Failed(e) => break Err(e),
        }
    };
    crossway_app::checks::judge(job, outcome).unwrap()
}

#[test]
fn missed_points_carry_the_lessons_sentence_and_an_explanation_is_shown_only_when_it_passes_the_checks() {
    let test_model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(test_model.is_file(), "run `cargo xtask fetch-model test`");
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = new_learner(&mut app, "amazon-ads");
    let item = "marketing.acos.acos-vs-tacos";
    let partial = |text: &str| Answer::FreeText { text: text.into() };
    let en = answer(&mut app, l, item, partial("ACoS is ad spend divided by ad-attributed sales."), "en");
    let zh = answer(&mut app, l, item, partial("ACoS = 广告花费 ÷ 广告销售额。"), "zh");
    let tutor = crossway_app::Tutor::start(test_model, 2).unwrap();
    let pack = crossway_content::load_pack(&shipped()).into_result().unwrap();
    let lesson = pack.kp("marketing.acos").unwrap();

    for (attempt, lang) in [(&en, "en"), (&zh, "zh-CN")] {
        let missed: Vec<_> = attempt.rubric.iter().filter(|p| !p.met).map(|p| p.text.get(lang).to_string()).collect();
        assert!(!missed.is_empty(), "{lang}: a partial answer misses points");
        let job = app.explain_job(l, attempt.attempt_id).unwrap();
        assert_eq!(job.lang, lang);
        let shown = explain(&tutor, &job);
        // Each missed point carries the lesson's sentence on it, in both languages, quoted as
        // written; met points carry none.
        for p in &attempt.rubric {
            let Some(note) = &p.lesson else { continue };
            assert!(!p.met, "a met point needs no note: {p:?}");
            for l in ["en", "zh-CN"] {
                let sentences = crossway_app::lesson_sentences(lesson.lesson.get(l), l);
                assert!(sentences.iter().any(|s| s == note.get(l)), "{l}: {:?} is not a lesson sentence", note.get(l));
            }
        }
        assert!(attempt.rubric.iter().any(|p| p.lesson.is_some()), "{lang}: {:?}", attempt.rubric);
        // The 135M test model writes nonsense: whatever it wrote, nothing unchecked reaches the
        // learner — either a text that passes every check, or no text and the reason.
        match (&shown.text, shown.withheld) {
            (Some(text), None) => {
                let c = crossway_app::checks::check(&job, text);
                assert_eq!(c.withheld(), None, "{lang}: shown although {c:?}: {text}");
                assert!(!c.cut_off, "{lang}: an unfinished sentence was shown: {text}");
            }
            (None, Some(_)) => {}
            other => panic!("{lang}: text and reason together or neither: {other:?}"),
        }
    }
    // A job the model's context cannot hold is withheld with its reason;
    // any other model failure is an error the window shows, not a silent fallback.
    let job = app.explain_job(l, en.attempt_id).unwrap();
    let judge = crossway_app::checks::judge;
    let too_long = judge(&job, Err(crossway_tutor::llm::LlmError::TooLong { tokens: 2300, limit: 2048 }));
    let too_long = too_long.unwrap();
    assert_eq!((too_long.text, too_long.withheld), (None, Some(crossway_app::checks::Withheld::TooLong)));
    let err = judge(&job, Err(crossway_tutor::llm::LlmError::Inference("decode failed".into()))).unwrap_err();
    assert!(err.to_string().contains("decode failed"));
}

#[test]
fn a_learner_chooses_the_model_and_a_broken_one_is_refused_without_changing_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let test_model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(test_model.is_file(), "run `cargo xtask fetch-model test` first");
    std::fs::hard_link(&test_model, models.join("SmolLM2-135M-Instruct.Q4_1.gguf"))
        .or_else(|_| std::fs::copy(&test_model, models.join("SmolLM2-135M-Instruct.Q4_1.gguf")).map(|_| ()))
        .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/manifest.toml"),
        models.join("manifest.toml"),
    )
    .unwrap();
    std::fs::write(models.join("broken.gguf"), b"not a model at all").unwrap();
    let config =
        || AppConfig { data_dir: dir.path().to_path_buf(), default_pack: Some(shipped()), models_dir: models.clone() };
    let mut app = App::open(config()).unwrap();
    let listed = app.models();
    let files: Vec<&str> = listed.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(files, ["broken.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"], "imported before the test model");
    let smol = listed.iter().find(|m| m.file.starts_with("SmolLM2")).unwrap();
    assert_eq!(smol.role.as_deref(), Some("test"));
    assert!(smol.ram_mib > smol.bytes / 1048576, "memory need includes the context");
    let first = app.model_path().unwrap();

    let err = app.choose_model("broken.gguf").unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("not a GGUF model file"), "{}", err.message);
    assert_eq!(app.model_path().unwrap(), first, "a refused choice changes nothing");
    assert_eq!(app.choose_model("../etc/passwd.gguf").unwrap_err().code, ErrorCode::NotFound);

    let chosen = app.choose_model("SmolLM2-135M-Instruct.Q4_1.gguf").unwrap();
    assert!(chosen.in_use);
    drop(app);
    let app = App::open(config()).unwrap();
    assert_eq!(app.model_path().unwrap(), models.join("SmolLM2-135M-Instruct.Q4_1.gguf"), "kept across restarts");
    assert!(app.models().iter().find(|m| m.file.starts_with("SmolLM2")).unwrap().in_use);
}

#[test]
fn the_window_knows_every_reason_for_withholding() {
    use crossway_app::checks::Withheld;
    // ui/src/ipc.ts mirrors the reasons; the TypeScript compiler then requires a
    // `withheld_<reason>` text in both languages (ui/src/i18n/dash.ts).
    let ipc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/ipc.ts")).unwrap();
    let line = ipc.lines().find(|l| l.starts_with("export type Withheld =")).expect("Withheld type in ipc.ts");
    let mut names: Vec<String> = line
        .trim_start_matches("export type Withheld =")
        .split('|')
        .map(|n| n.trim().trim_end_matches(';').trim_matches('"').to_string())
        .collect();
    let mut ours: Vec<String> =
        Withheld::ALL.iter().map(|w| serde_json::to_value(w).unwrap().as_str().unwrap().to_string()).collect();
    names.sort();
    ours.sort();
    assert_eq!(names, ours);
    // A new variant does not compile here until it is listed: the reminder to add it to
    // ALL (and so to ipc.ts and both languages' texts).
    for w in Withheld::ALL {
        match w {
            Withheld::Empty
            | Withheld::WrongLanguage
            | Withheld::InventedNumbers
            | Withheld::Contradiction
            | Withheld::MisstatesAnswer
            | Withheld::CopiesSource
            | Withheld::QuotesAnswer
            | Withheld::Unsupported
            | Withheld::EchoesPrompt
            | Withheld::Vague
            | Withheld::TooLong => {}
        }
    }
}
