//! Assessment beyond quizzes (issue #7), end to end on a real data folder, the real SQLite file and
//! the shipped pack: simulations, indicators, the method blend and its path effects, two-way
//! feedback and the pack report, group tasks with peer reviews.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use crossway_app::{
    App, AppConfig, ErrorCode, FeedbackInDto, GroupMemberInDto, NewGroupTaskDto, NewLearnerDto, PeerReviewInDto,
    StudySessionDto, SubmitAnswerDto,
};
use crossway_content::{Answer, Item, ItemBody, Pack};
use crossway_core::indicators::Dimension;
use crossway_core::methods::Method;
use crossway_core::Reason;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn pack() -> &'static Pack {
    static PACK: std::sync::OnceLock<Pack> = std::sync::OnceLock::new();
    PACK.get_or_init(|| crossway_content::load_pack(&shipped()).into_result().unwrap())
}

// A clock per test thread (tests run in parallel, each on its own thread).
thread_local! {
    static NOW: Cell<i64> = const { Cell::new(1_790_000_000) };
}

fn clock() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(NOW.with(Cell::get), 0).unwrap()
}

fn tick(seconds: i64) {
    NOW.with(|n| n.set(n.get() + seconds));
}

fn open(dir: &Path) -> App {
    let mut app = App::open(AppConfig {
        data_dir: dir.to_path_buf(),
        default_pack: Some(shipped()),
        models_dir: dir.join("models"),
    })
    .unwrap();
    app.set_clock(clock);
    app
}

fn learner(app: &mut App, name: &str, goal: Option<&str>) -> i64 {
    app.create_learner(NewLearnerDto {
        name: name.into(),
        locale: "en".into(),
        goal_role: goal.map(str::to_string),
        weekly_minutes: Some(120),
    })
    .unwrap()
    .id
}

/// The right answer to any item (free text: the English reference answer).
fn right(item: &Item) -> Answer {
    match &item.body {
        ItemBody::Choice { options } => Answer::Choice { option: options.iter().position(|o| o.correct).unwrap() },
        ItemBody::Numeric { answer, .. } => Answer::Numeric { value: *answer },
        ItemBody::FreeText { reference, .. } => Answer::FreeText { text: reference.en.clone() },
    }
}

/// A wrong answer: a wrong option, a known wrong number (or far off), an off-topic text.
fn wrong(item: &Item) -> Answer {
    match &item.body {
        ItemBody::Choice { options } => Answer::Choice { option: options.iter().position(|o| !o.correct).unwrap() },
        ItemBody::Numeric { answer, wrong_answers, .. } => {
            Answer::Numeric { value: wrong_answers.first().map_or(answer * 3.0 + 7.0, |w| w.value) }
        }
        ItemBody::FreeText { .. } => Answer::FreeText { text: "I am not sure, maybe ask my manager.".into() },
    }
}

fn sub(item: &str, answer: Answer, key: &str) -> SubmitAnswerDto {
    SubmitAnswerDto { item_id: item.into(), answer, idempotency_key: key.into(), seconds: Some(60.0) }
}

#[test]
fn every_simulation_is_scored_end_to_end_and_feeds_mastery() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = learner(&mut app, "Li Lei", Some("amazon-ads"));
    let sims = app.simulations(l).unwrap();
    assert_eq!(sims.len(), pack().simulations.len());
    assert!(sims.len() >= 6);
    for sim in &pack().simulations {
        // A good run: every step right, in the fluent time, one hint.
        let run = app.start_simulation(l, &sim.id).unwrap();
        assert_eq!(run.steps.len(), sim.steps.len());
        assert!(!run.tables.is_empty() && run.brief_html.zh_cn.contains("<p>"), "{}", sim.id);
        let hinted = sim.steps.iter().find(|s| s.hint.is_some()).map(|s| s.id.clone());
        if let Some(h) = &hinted {
            let hint = app.simulation_hint(l, run.run_id, h).unwrap();
            assert!(!hint.en.is_empty() && !hint.zh_cn.is_empty());
        }
        for (i, step) in sim.steps.iter().enumerate() {
            let r = app
                .answer_simulation_step(l, run.run_id, sub(&step.id, right(step), &format!("{}-good-{i}", sim.id)))
                .unwrap();
            assert_eq!(r.kp, step.kp);
            assert!(!r.correct || r.mastery_after >= r.mastery_before, "{}: a right answer raises mastery", step.id);
            match step.body {
                // The no-model grader (calibrated lexical score, issue #5) gives a probability,
                // not 1.0, even to the reference answer; it must still be clearly above an
                // off-topic answer.
                ItemBody::FreeText { .. } => {
                    assert!(r.score >= 0.25, "{}: the reference answer scored {}", step.id, r.score)
                }
                _ => assert!(r.correct, "{}", step.id),
            }
        }
        tick(i64::from(sim.minutes) * 60);
        let res = app.finish_simulation(l, run.run_id).unwrap();
        let key_graded = sim.steps.iter().filter(|s| !matches!(s.body, ItemBody::FreeText { .. })).count() as f64;
        assert!(res.accuracy >= key_graded / sim.steps.len() as f64 && res.accuracy > 0.3, "{}: {res:?}", sim.id);
        let expected_hint_factor = if hinted.is_some() { 1.0 - 1.0 / (2.0 * sim.steps.len() as f64) } else { 1.0 };
        assert!((res.hint_factor - expected_hint_factor).abs() < 1e-9, "{}", sim.id);
        assert!((res.time_factor - 1.0).abs() < 1e-9, "{}: on time", sim.id);
        assert!(
            (res.score - (sim.scoring.accuracy_weight * res.accuracy + sim.scoring.efficiency_weight * res.efficiency))
                .abs()
                < 1e-9
        );
        // Finishing again returns the same result; answering after the end is refused.
        assert_eq!(app.finish_simulation(l, run.run_id).unwrap().score, res.score);
        let err =
            app.answer_simulation_step(l, run.run_id, sub(&sim.steps[0].id, right(&sim.steps[0]), "late")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);

        // A poor run: every step wrong, three times too slow.
        let run = app.start_simulation(l, &sim.id).unwrap();
        for (i, step) in sim.steps.iter().enumerate() {
            let r = app
                .answer_simulation_step(l, run.run_id, sub(&step.id, wrong(step), &format!("{}-bad-{i}", sim.id)))
                .unwrap();
            assert!(r.score < 0.5, "{}: a wrong answer scored {}", step.id, r.score);
        }
        tick(i64::from(sim.minutes) * 180);
        let bad = app.finish_simulation(l, run.run_id).unwrap();
        assert!(bad.accuracy < 0.4 && bad.accuracy < res.accuracy && bad.score < res.score, "{}: {bad:?}", sim.id);
        assert!((bad.time_factor - 1.0 / 3.0).abs() < 0.01, "{}: {}", sim.id, bad.time_factor);
        assert!(bad.improve.iter().any(|s| s.en.contains("Step 1 scored 0%")), "{:?}", bad.improve);
        assert!(bad.improve.iter().any(|s| s.zh_cn.contains("熟练的专员")), "{:?}", bad.improve);
    }
    // Steps were recorded as attempts on their KPs, and the runs count for applied skill.
    let skill = app.indicators(l).unwrap().into_iter().find(|i| i.dimension == Dimension::Skill).unwrap();
    let sim_part = skill.parts.iter().find(|p| p.key == "simulation").unwrap();
    assert_eq!(sim_part.evidence as usize, pack().simulations.len(), "the latest run of each simulation");
    assert!(skill.value.is_some());
    let summaries = app.simulations(l).unwrap();
    assert!(summaries.iter().all(|s| s.runs == 2 && s.best_score.unwrap() > 0.4), "{summaries:?}");
}

#[test]
fn a_step_is_answered_once_per_run_and_runs_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let a = learner(&mut app, "A", None);
    let b = learner(&mut app, "B", None);
    let sim = &pack().simulations[0];
    let run = app.start_simulation(a, &sim.id).unwrap();
    let step = &sim.steps[0];
    let first = app.answer_simulation_step(a, run.run_id, sub(&step.id, right(step), "k1")).unwrap();
    // The same submission again (a double click) is the same attempt; another one is refused.
    let again = app.answer_simulation_step(a, run.run_id, sub(&step.id, right(step), "k1")).unwrap();
    assert!(again.duplicate && again.attempt_id == first.attempt_id);
    let err = app.answer_simulation_step(a, run.run_id, sub(&step.id, wrong(step), "k2")).unwrap_err();
    assert!(err.message.contains("already answered"), "{}", err.message);
    // Another learner cannot see or answer the run.
    assert_eq!(app.simulation_run(b, run.run_id).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(
        app.answer_simulation_step(b, run.run_id, sub(&step.id, right(step), "k3")).unwrap_err().code,
        ErrorCode::NotFound
    );
    // A step of another simulation is not part of this run.
    let other = &pack().simulations[1].steps[0];
    assert_eq!(
        app.answer_simulation_step(a, run.run_id, sub(&other.id, right(other), "k4")).unwrap_err().code,
        ErrorCode::NotFound
    );
    // Reopening the run shows the answered step with its feedback.
    let state = app.simulation_run(a, run.run_id).unwrap();
    assert_eq!(state.answered.len(), 1);
    assert!(state.answered[0].correct && state.answered[0].explanation.is_some());
}

#[test]
fn indicators_have_values_evidence_and_explanations_from_real_study() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    // No goal: knowledge counts every topic answered.
    let l = learner(&mut app, "Han Mei", None);
    let ind = app.indicators(l).unwrap();
    assert!(ind.iter().all(|i| i.value.is_none() && i.evidence == 0), "{ind:?}");
    // Ten days of study: a numeric item per day, wrong first then right.
    let items: Vec<&Item> =
        pack().items.iter().filter(|i| matches!(i.body, ItemBody::Numeric { .. })).take(10).collect();
    for (d, item) in items.iter().enumerate() {
        tick(86_400);
        let w = app.submit_answer(l, sub(&item.id, wrong(item), &format!("w{d}"))).unwrap();
        assert!(!w.correct);
        tick(120);
        app.submit_answer(l, sub(&item.id, right(item), &format!("r{d}"))).unwrap();
    }
    tick(86_400 * 2);
    let ind = app.indicators(l).unwrap();
    let get = |d| ind.iter().find(|i| i.dimension == d).unwrap();
    let k = get(Dimension::Knowledge);
    assert!(k.value.is_some() && k.evidence > 0, "{k:?}");
    let a = get(Dimension::Attitude);
    let part = |key: &str| a.parts.iter().find(|p| p.key == key).unwrap().value;
    assert_eq!(part("persistence"), Some(1.0), "every mistake was followed by another try");
    assert_eq!(part("feedback_use"), Some(1.0), "and the next try was right");
    assert!(part("regularity").unwrap() > 0.5);
    let s = get(Dimension::Skill);
    assert!((s.parts.iter().find(|p| p.key == "problem_solving").unwrap().value.unwrap() - 0.5).abs() < 1e-9);
    assert_eq!(get(Dimension::Teamwork).value, None);
    for i in &ind {
        assert!(!i.explanation.en.is_empty() && !i.explanation.zh_cn.is_empty());
        if let Some(v) = i.value {
            assert!((0.0..=1.0).contains(&v));
        }
    }
}

#[test]
fn the_method_that_works_comes_first_and_low_persistence_shortens_steps() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = learner(&mut app, "Zhou", Some("amazon-ads"));
    app.set_method_preferences(l, vec!["read".into()]).unwrap();
    let blend = app.method_blend(l).unwrap();
    assert_eq!(blend.blend.recommended, Method::Read, "no evidence: the stated preference");
    // Worked examples followed by right answers on several KPs: big gains per minute.
    let kps: Vec<&str> = pack().kps.iter().map(|k| k.id.as_str()).take(4).collect();
    let mut n = 0;
    for kp in &kps {
        tick(3600);
        assert!(app
            .record_study(
                l,
                StudySessionDto {
                    kp: kp.to_string(),
                    method: "example".into(),
                    seconds: 300.0,
                    idempotency_key: format!("s{kp}")
                }
            )
            .unwrap());
        for item in pack().items_for(kp).filter(|i| !matches!(i.body, ItemBody::FreeText { .. })).take(2) {
            n += 1;
            tick(60);
            app.submit_answer(l, sub(&item.id, right(item), &format!("a{n}"))).unwrap();
        }
    }
    let blend = app.method_blend(l).unwrap();
    assert_eq!(blend.blend.recommended, Method::Example, "{blend:?}");
    assert!(
        blend.blend.reason.en.starts_with("Worked examples raised your mastery fastest"),
        "{}",
        blend.blend.reason.en
    );
    // The path's learning steps now start with a worked example, and say why.
    let path = app.path(l).unwrap();
    let learn = path.steps.iter().find(|s| s.action == crossway_core::Action::Learn).unwrap();
    assert_eq!(learn.method, Some(Method::Example));
    assert!(
        learn.reasons.iter().any(|r| matches!(r, Reason::MethodWorks { method: Method::Example, .. })),
        "{:?}",
        learn.reasons
    );
    // A learner who gives up after mistakes gets new topics in two shorter sittings.
    let q = learner(&mut app, "Quits", Some("amazon-ads"));
    let before = app.path(q).unwrap();
    let items: Vec<&Item> =
        pack().items.iter().filter(|i| !matches!(i.body, ItemBody::FreeText { .. })).step_by(5).take(4).collect();
    for (i, item) in items.iter().enumerate() {
        tick(86_400);
        app.submit_answer(q, sub(&item.id, wrong(item), &format!("q{i}"))).unwrap();
    }
    tick(86_400 * 2);
    let after = app.path(q).unwrap();
    let short: Vec<_> =
        after.steps.iter().filter(|s| s.reasons.iter().any(|r| matches!(r, Reason::ShortSteps { .. }))).collect();
    assert!(!short.is_empty(), "{:?}", after.steps.iter().map(|s| &s.reasons).collect::<Vec<_>>());
    let s = short[0];
    let whole = before.steps.iter().find(|b| b.kp == s.kp).unwrap();
    assert!(s.minutes < whole.minutes, "a shorter sitting: {} vs {}", s.minutes, whole.minutes);
    // Its second sitting follows it directly.
    let i = after.steps.iter().position(|x| std::ptr::eq(x, s)).unwrap();
    assert_eq!(after.steps[i + 1].kp, s.kp);
}

#[test]
fn ratings_error_reports_and_disputes_reach_the_pack_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    // Twelve learners: the strong half gets the items right, the weak half wrong; on one item the
    // pattern is reversed, as if its key were wrong, and the weak learners dispute it.
    let good: Vec<&Item> = pack().items.iter().filter(|i| matches!(i.body, ItemBody::Choice { .. })).take(5).collect();
    let suspect = pack().items.iter().filter(|i| matches!(i.body, ItemBody::Choice { .. })).nth(7).unwrap();
    for n in 0..12 {
        let l = learner(&mut app, &format!("L{n}"), None);
        let strong = n < 6;
        for item in &good {
            let a = if strong { right(item) } else { wrong(item) };
            app.submit_answer(l, sub(&item.id, a, &item.id)).unwrap();
        }
        let r =
            app.submit_answer(l, sub(&suspect.id, if strong { wrong(suspect) } else { right(suspect) }, "s")).unwrap();
        if strong {
            let d = app
                .send_feedback(
                    l,
                    FeedbackInDto {
                        kind: "dispute".into(),
                        target: None,
                        target_id: None,
                        attempt_id: Some(r.attempt_id),
                        rating: None,
                        comment: "I think option B is right according to the lesson".into(),
                    },
                )
                .unwrap();
            assert!(d.new);
        }
        app.send_feedback(
            l,
            FeedbackInDto {
                kind: "rating".into(),
                target: Some("lesson".into()),
                target_id: Some(suspect.kp.clone()),
                attempt_id: None,
                rating: Some(2),
                comment: String::new(),
            },
        )
        .unwrap();
    }
    let l = learner(&mut app, "Reporter", None);
    app.send_feedback(
        l,
        FeedbackInDto {
            kind: "error_report".into(),
            target: Some("lesson".into()),
            target_id: Some(good[0].kp.clone()),
            attempt_id: None,
            rating: None,
            comment: "The example uses 2024 fees".into(),
        },
    )
    .unwrap();
    // Bad feedback gets a specific error and stores nothing.
    let bad = |kind: &str, rating, target_id: Option<&str>, comment: &str| FeedbackInDto {
        kind: kind.into(),
        target: Some("lesson".into()),
        target_id: target_id.map(str::to_string),
        attempt_id: None,
        rating,
        comment: comment.into(),
    };
    for (f, msg) in [
        (bad("rating", Some(6), Some(&good[0].kp), ""), "1 to 5"),
        (bad("rating", Some(3), Some("no.such.kp"), ""), "not found"),
        (bad("error_report", None, Some(&good[0].kp), "  "), "describe the error"),
        (bad("dispute", None, None, "x"), "attempt_id"),
        (bad("praise", None, None, "x"), "unknown feedback kind"),
    ] {
        let e = app.send_feedback(l, f).unwrap_err();
        assert!(e.message.contains(msg), "{} (expected {msg})", e.message);
    }
    assert_eq!(app.my_feedback(l).unwrap().len(), 1);

    let report = app.pack_report().unwrap();
    assert_eq!(report.learners, 12);
    let s = report.items_to_fix.iter().find(|i| i.item == suspect.id).expect("the suspect item is flagged");
    assert!(s.why.iter().any(|w| w.contains("strong learners do no better")), "{:?}", s.why);
    assert!(s.why.iter().any(|w| w.contains("disputed")), "{:?}", s.why);
    assert!((s.stat.dispute_rate.unwrap() - 0.5).abs() < 1e-9);
    assert!(!report.items_to_fix.iter().any(|i| good.iter().any(|g| g.id == i.item)), "{:?}", report.items_to_fix);
    let lesson = report.lessons_to_fix.iter().find(|x| x.kp == suspect.kp).unwrap();
    assert!(lesson.why.iter().any(|w| w.contains("rated 2.0 of 5")), "{:?}", lesson.why);
    let reported = report.lessons_to_fix.iter().find(|x| x.kp == good[0].kp).unwrap();
    assert!(reported.comments.iter().any(|c| c.contains("2024 fees")));
}

#[test]
fn a_group_task_with_roles_contributions_and_peer_reviews_counts_for_teamwork() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let ids: Vec<i64> = ["Ann", "Bo", "Cai"].iter().map(|n| learner(&mut app, n, None)).collect();
    let kp = pack().kps[0].id.clone();
    let task = app
        .create_group_task(NewGroupTaskDto {
            kp: kp.clone(),
            title: "Plan a launch".into(),
            members: ids
                .iter()
                .zip(["analyst", "writer", "reviewer"])
                .map(|(&learner_id, role)| GroupMemberInDto { learner_id, role: role.into() })
                .collect(),
        })
        .unwrap();
    assert_eq!(task.members.len(), 3);
    assert!(task.prompt_html.en.contains("<p>"));
    let review = |reviewee_id, score| PeerReviewInDto {
        reviewee_id,
        contribution: score,
        quality: score,
        communication: score,
        comment: "clear".into(),
    };
    // Nobody can be reviewed before handing in.
    let e = app.peer_review(ids[0], task.id, review(ids[1], 5)).unwrap_err();
    assert!(e.message.contains("has not handed in"), "{}", e.message);
    app.submit_contribution(ids[0], task.id, "Market analysis: three competitors, prices, reviews.").unwrap();
    app.submit_contribution(ids[1], task.id, "Listing draft in English and Chinese.").unwrap();
    app.peer_review(ids[0], task.id, review(ids[1], 5)).unwrap();
    app.peer_review(ids[1], task.id, review(ids[0], 4)).unwrap();
    assert!(app.peer_review(ids[0], task.id, review(ids[0], 5)).unwrap_err().message.contains("not yourself"));
    let outsider = learner(&mut app, "Dan", None);
    assert_eq!(app.submit_contribution(outsider, task.id, "x").unwrap_err().code, ErrorCode::NotFound);

    let mine = app.group_tasks(ids[0]).unwrap();
    assert_eq!(mine[0].reviewed, vec![ids[1]]);
    assert_eq!(mine[0].members.iter().find(|m| m.learner_id == ids[1]).unwrap().peer_rating, Some(5.0));
    let team = |l| app.indicators(l).unwrap().into_iter().find(|i| i.dimension == Dimension::Teamwork).unwrap();
    let ann = team(ids[0]);
    // Handed in (1.0), reviewed 1 of 2 peers (0.5), rated 4 → (4 − 1) / 4 = 0.75.
    assert!((ann.value.unwrap() - (1.0 + 0.5 + 0.75) / 3.0).abs() < 1e-9, "{ann:?}");
    let cai = team(ids[2]);
    assert_eq!(cai.parts.iter().find(|p| p.key == "participation").unwrap().value, Some(0.0));
}

#[test]
fn a_pin_locks_a_profile_and_can_be_changed_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = learner(&mut app, "Pat", None);
    assert!(!app.learner(l).unwrap().has_pin);
    assert!(app.check_pin(l, "").unwrap(), "no PIN: always open");
    assert!(app.set_pin(l, None, Some("12a4")).unwrap_err().message.contains("4 to 8 digits"));
    assert!(app.set_pin(l, None, Some("2468")).unwrap());
    assert!(app.learners().unwrap()[0].has_pin);
    assert!(app.check_pin(l, "2468").unwrap());
    assert!(!app.check_pin(l, "1357").unwrap());
    // Changing or removing it needs the current PIN.
    assert!(app.set_pin(l, Some("0000"), Some("1111")).unwrap_err().message.contains("current PIN"));
    assert!(!app.set_pin(l, Some("2468"), None).unwrap());
    assert!(!app.learner(l).unwrap().has_pin);
    // The hash never leaves the machine in an export.
    assert!(app.set_pin(l, None, Some("97531")).unwrap());
    let export = serde_json::to_string(&app.export_learner(l).unwrap()).unwrap();
    assert!(!export.contains("salt") && !export.contains("97531") && !export.contains("argon2"));
}

#[test]
fn a_locked_profile_refuses_its_data_and_wrong_pins_make_the_next_try_wait() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = learner(&mut app, "Lin", None);
    app.require_unlocked(l).expect("no PIN: open");
    assert!(app.set_pin(l, None, Some("4321")).unwrap());
    app.require_unlocked(l).expect("whoever set the PIN has the profile open");
    app.lock_learner(l);
    let e = app.require_unlocked(l).unwrap_err();
    assert_eq!(e.code, crossway_app::ErrorCode::ProfileLocked, "{e:?}");
    // Three wrong PINs are free; the fourth try must wait 2 s, then 4 s after the next miss.
    for _ in 0..3 {
        assert!(!app.check_pin(l, "0000").unwrap());
    }
    let e = app.check_pin(l, "4321").unwrap_err();
    assert_eq!((e.code, e.details.clone()), (crossway_app::ErrorCode::PinWait, vec!["2".to_string()]), "{e:?}");
    tick(2);
    assert!(!app.check_pin(l, "1111").unwrap());
    assert_eq!(app.check_pin(l, "4321").unwrap_err().details, vec!["4".to_string()]);
    // The count is in the database: a restart does not reset it.
    drop(app);
    let mut app = open(dir.path());
    assert_eq!(app.check_pin(l, "4321").unwrap_err().code, crossway_app::ErrorCode::PinWait);
    tick(4);
    assert!(app.check_pin(l, "4321").unwrap(), "the right PIN after the wait");
    app.require_unlocked(l).unwrap();
    assert!(!app.check_pin(l, "9999").unwrap(), "the count starts again after a right PIN");
    assert!(app.require_unlocked(l).is_err(), "a wrong PIN locks the profile again");
}

#[test]
fn a_pin_stored_by_an_earlier_build_still_opens_and_is_restored_as_argon2() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let l = learner(&mut app, "Old", None);
    drop(app);
    // The earlier format: 20,000 more rounds of SHA-256 over "salt:pin", with id and time as salt.
    let salt = format!("{l}-1790000000000000000");
    let mut h = Sha256::digest(format!("{salt}:2580").as_bytes());
    for _ in 0..20_000 {
        h = Sha256::digest(h);
    }
    let hash: String = h.iter().map(|b| format!("{b:02x}")).collect();
    let mut store = crossway_store::Store::open(&dir.path().join(crossway_store::DB_FILE)).unwrap();
    store
        .transact(|db| db.set_profile_fact(l, "pin", &serde_json::json!({ "salt": salt, "hash": hash }), clock()))
        .unwrap();
    drop(store);
    let mut app = open(dir.path());
    assert!(!app.check_pin(l, "2581").unwrap());
    assert!(app.check_pin(l, "2580").unwrap());
    drop(app);
    let store = crossway_store::Store::open(&dir.path().join(crossway_store::DB_FILE)).unwrap();
    let facts = store.db().profile_facts(l).unwrap();
    let pin = &facts.iter().find(|(k, _)| k == "pin").unwrap().1;
    assert!(pin["phc"].as_str().unwrap().starts_with("$argon2id$"), "{pin}");
    assert!(pin.get("salt").is_none(), "{pin}");
    drop(store);
    let mut app = open(dir.path());
    assert!(app.check_pin(l, "2580").unwrap(), "the re-stored PIN opens");
}
