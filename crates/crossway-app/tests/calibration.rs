//! The per-point calibration against the hand-labelled set: the shipped constants are the fit of
//! the set (and of each model's recorded readings), the held-out figures stay where
//! docs/quality.md reports them, and a Chinese answer that contradicts the reference in its own
//! words does not pass — through the app, on a real SQLite file, with the readings the default
//! model really gave.

use std::path::{Path, PathBuf};

use crossway_app::calibration;
use crossway_app::{App, AppConfig, ModelVerdict, NewLearnerDto, SubmitAnswerDto};
use crossway_content::Answer;
use crossway_tutor::calibrated::CALIBRATIONS;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

/// An app on a fresh data folder (real SQLite file, the shipped pack) with one Chinese learner.
fn app_with_learner(dir: &Path) -> (App, i64) {
    let mut app =
        App::open(AppConfig { data_dir: dir.into(), default_pack: Some(shipped()), models_dir: dir.join("models") })
            .unwrap();
    let l = app
        .create_learner(NewLearnerDto {
            name: "李雷".into(),
            locale: "zh-CN".into(),
            goal_role: None,
            weekly_minutes: None,
        })
        .unwrap()
        .id;
    (app, l)
}

fn pack() -> crossway_content::Pack {
    crossway_content::load_pack(&shipped()).into_result().unwrap()
}

#[test]
fn the_shipped_calibrations_are_the_fit_of_the_labelled_set() {
    let (fitted, _) = calibration::fit_everything(&pack(), &crossway_tutor::pointset::default_dir()).unwrap();
    assert_eq!(
        fitted.iter().map(|c| (c.model, c.lang)).collect::<Vec<_>>(),
        CALIBRATIONS.iter().map(|c| (c.model, c.lang)).collect::<Vec<_>>(),
        "refit: cargo run -p crossway-app --example fit_points -- --write"
    );
    let close = |a: f64, b: f64| (a - b).abs() < 2e-6;
    for (f, s) in fitted.iter().zip(CALIBRATIONS) {
        let same = close(f.met_at, s.met_at)
            && close(f.contra_at, s.contra_at)
            && close(f.met.bias, s.met.bias)
            && close(f.contra.bias, s.contra.bias)
            && f.met.weights.iter().zip(&s.met.weights).all(|(a, b)| close(*a, *b))
            && f.contra.weights.iter().zip(&s.contra.weights).all(|(a, b)| close(*a, *b))
            && f.fitted_on == s.fitted_on;
        assert!(
            same,
            "{} {} drifted from its fit: {f:?} vs shipped {s:?}; refit with fit_points -- --write",
            f.model, f.lang
        );
    }
}

/// The floors are the held-out figures of docs/quality.md, rounded down: a change that makes
/// the grader worse on questions it was not fitted on fails here.
#[test]
fn held_out_quality_does_not_fall_below_the_reported_figures() {
    let (_, reports) = calibration::fit_everything(&pack(), &crossway_tutor::pointset::default_dir()).unwrap();
    for r in reports.iter().filter(|r| !r.model.contains("uncalibrated")) {
        let (bacc, ece) = match (r.model.as_str(), r.lang.as_str()) {
            // Pack 1.1.0, whose errata rewrote held-out items: no model en 0.783 / 0.109, the
            // 0.5B en 0.771 / 0.092, the test model zh 0.753 / 0.111 (docs/quality.md).
            ("none", "en") => (0.78, 0.11),
            ("none", _) => (0.78, 0.095),
            ("qwen-0.5b", _) => (0.76, 0.095),
            ("qwen-1.5b", "en") => (0.81, 0.075),
            ("qwen-1.5b", _) => (0.76, 0.075),
            _ => (0.74, 0.115), // the test model
        };
        assert!(r.balanced_accuracy >= bacc, "{r:?}");
        // Of the 9 held-out contradicting answers per language, no more pass than reported (the
        // target, at most 5%, is not reached: docs/quality.md).
        assert!(r.contradicting_passed <= 6 && r.contradicting_answers == 9, "{r:?}");
        assert!(r.ece <= ece, "{r:?}");
        assert!(r.points >= 150, "{r:?}");
    }
}

/// The same flipped Chinese answer through the whole path with a real model: the test model
/// reads it through llama.cpp on the tutor's worker, the app judges its readings with the
/// model's calibration and records the grade in SQLite — and it does not pass.
#[test]
fn with_the_real_test_model_a_flipped_chinese_reference_does_not_pass() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(model.is_file(), "run `cargo xtask fetch-model test` first");
    let dir = tempfile::tempdir().unwrap();
    let (mut app, l) = app_with_learner(dir.path());
    let tutor = crossway_app::Tutor::start(model.clone(), 2).unwrap();
    for (k, (item, text)) in
        FLIPPED.iter().filter(|(_, t)| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))).enumerate()
    {
        let job = app.free_text_job(item, text).unwrap();
        assert_eq!(job.lang, "zh-CN");
        let running = tutor.grade(job.clone().into_grade_job(None)).unwrap();
        let mut streamed = Vec::new();
        let verdict = loop {
            match running.events.recv().unwrap() {
                crossway_app::GradeEvent::Point { index, reading } => {
                    streamed.push(job.judge(index, "SmolLM2-135M-Instruct.Q4_1.gguf", reading).unwrap().state)
                }
                crossway_app::GradeEvent::Done(v) => break v,
                other => panic!("{other:?}"),
            }
        };
        let sub = SubmitAnswerDto {
            item_id: item.to_string(),
            answer: Answer::FreeText { text: text.to_string() },
            idempotency_key: format!("m{k}"),
            seconds: None,
        };
        let mv = ModelVerdict {
            p_met: verdict.p_met,
            p_contra: verdict.p_contra,
            model: "SmolLM2-135M-Instruct.Q4_1.gguf".into(),
            ms: verdict.ms as u64,
            cached_tokens: verdict.cached_tokens as u64,
        };
        let r = app.submit_answer_with_model(l, sub, Some(mv)).unwrap();
        assert_eq!(r.grader, "model", "the test model is calibrated");
        assert!(!r.correct && r.score < 0.5, "{item}: a flipped reference passed ({}): {:?}", r.score, r.rubric);
        // What streamed into the window is what was recorded.
        let recorded: Vec<&str> = r.rubric.iter().map(|p| p.state.as_str()).collect();
        assert_eq!(streamed.iter().map(|s| s.as_str()).collect::<Vec<_>>(), recorded);
    }
}

/// Answers that take the reference's own words and flip them.
const FLIPPED: [(&str, &str); 3] = [
    ("marketing.break-even-acos.explain", "30% 高于 35.4% 的盈亏平衡 ACoS，所以每笔广告销售是亏损的；目标 ACoS = 35.4% − 15% ≈ 20.4%，这个活动已经达到目标，不需要降低 CPC 或提高转化率。"),
    ("marketing.break-even-acos.explain", "30% is above the 35.4% break-even ACoS, so each ad sale loses money; the target ACoS is 35.4% − 15% ≈ 20.4%, and the campaign already meets it, so there is no need to lower CPC or raise conversion."),
    ("compliance.eu-vat-ioss.france-ioss", "法国税率的增值税不在结账时向买家收取，也不通过 IOSS 申报表申报，而是在边境由海关收取。每个不同税则子目征收 5 欧元关税，包含在 IOSS 申报中，由卖家在结账时一起收取。关税本身不用缴增值税。"),
];

/// Without a model: answers that take the reference's own words and flip them — an opposite word
/// (低于 → 高于, 盈利 → 亏损), a negation (不需要), another figure — must not pass, in either
/// language.
#[test]
fn without_a_model_a_flipped_reference_does_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, l) = app_with_learner(dir.path());
    for (k, (item, text)) in FLIPPED.iter().enumerate() {
        let sub = SubmitAnswerDto {
            item_id: item.to_string(),
            answer: Answer::FreeText { text: text.to_string() },
            idempotency_key: format!("f{k}"),
            seconds: None,
        };
        let r = app.submit_answer(l, sub).unwrap();
        assert_eq!(r.grader, "keyword");
        assert!(!r.correct && r.score < 0.5, "{item}: a flipped reference passed ({}): {:?}", r.score, r.rubric);
    }
}
