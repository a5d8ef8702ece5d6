//! The real loading and inference path with the small test model (fetched by
//! `cargo xtask fetch-model test`, which the test command runs).

use std::path::PathBuf;

use crossway_tutor::llm::{LlmError, LlmGrader, RubricPrompt};

fn test_model() -> PathBuf {
    let path = std::env::var_os("CROSSWAY_TEST_MODEL").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf")
    });
    assert!(path.is_file(), "{} is missing: run `cargo xtask fetch-model test`", path.display());
    path
}

const RUBRIC: [&str; 3] = [
    "States that 30% is below the 35.4% break-even ACoS, so each ad sale is profitable.",
    "Computes the target ACoS as about 20.4% (35.4% minus 15%).",
    "Concludes the campaign misses the target and names a lever (lower CPC or higher conversion rate).",
];

fn prompt<'a>(answer: &'a str) -> RubricPrompt<'a> {
    RubricPrompt {
        question: "A campaign runs at 30% ACoS; break-even ACoS is 35.4% and the seller wants a 15% net margin. Is the campaign good enough?",
        reference: "Profitable per ad sale (30% < 35.4%) but above the 20.4% target ACoS; lower CPC or raise conversion.",
        answer,
        rubric: &RUBRIC,
        lang: "en",
    }
}

#[test]
fn the_model_loads_and_grades_with_a_reused_prefix() {
    let grader = LlmGrader::load(&test_model(), 2).unwrap();
    let mut ctx = grader.new_context().unwrap();
    let mut cache = Vec::new();
    let mut seen = Vec::new();
    let good = grader
        .grade(&mut ctx, &mut cache, &prompt("30% is below the 35.4% break-even, so it is profitable, but the target ACoS is 20.4%, so it misses the target: lower the CPC."), |k, p| seen.push((k, p)))
        .unwrap();
    assert_eq!(good.p_met.len(), 3);
    assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), [0, 1, 2], "points are reported as they are graded");
    assert!(good.p_met.iter().all(|p| (0.0..=1.0).contains(p)), "{:?}", good.p_met);
    assert_eq!(good.cached_tokens, 0);

    // The same item again: the shared prefix (system, question, reference) comes from the cache.
    let wrong = grader.grade(&mut ctx, &mut cache, &prompt("I like pizza."), |_, _| {}).unwrap();
    assert!(wrong.cached_tokens > 20, "prefix cache unused: {}", wrong.cached_tokens);
    // Grading is a prefill, no sampling: the same answer gives the same probabilities, up to the
    // float differences of splitting the prompt into other batches (cached vs fresh prefix).
    let again = grader
        .grade(&mut ctx, &mut cache, &prompt("30% is below the 35.4% break-even, so it is profitable, but the target ACoS is 20.4%, so it misses the target: lower the CPC."), |_, _| {})
        .unwrap();
    for (a, b) in good.p_met.iter().zip(&again.p_met) {
        assert!((a - b).abs() < 0.05, "{:?} vs {:?}", good.p_met, again.p_met);
    }
    // Even the 135M test model leans the right way on every point here.
    for (g, w) in good.p_met.iter().zip(&wrong.p_met) {
        assert!(g > w, "good {:?} vs wrong {:?}", good.p_met, wrong.p_met);
    }
    eprintln!("good {:?} ({} ms), wrong {:?} ({} ms)", good.p_met, good.ms, wrong.p_met, wrong.ms);
}

/// Points after the first are decoded side by side in one batch, each in its own sequence: every
/// point reads the same as when it is graded alone, and the three replies' probabilities add up.
#[test]
fn points_read_side_by_side_read_as_they_do_alone() {
    let grader = LlmGrader::load(&test_model(), 2).unwrap();
    let mut ctx = grader.new_context().unwrap();
    let mut cache = Vec::new();
    let answer = "30% is below the 35.4% break-even, so each sale is profitable; lower the CPC.";
    let together = grader.grade(&mut ctx, &mut cache, &prompt(answer), |_, _| {}).unwrap();
    for (k, point) in RUBRIC.iter().enumerate() {
        let one = [*point];
        let alone =
            grader.grade(&mut ctx, &mut cache, &RubricPrompt { rubric: &one, ..prompt(answer) }, |_, _| {}).unwrap();
        assert!((alone.p_met[0] - together.p_met[k]).abs() < 0.05, "point {k}: {alone:?} vs {together:?}");
        assert!((alone.p_contra[0] - together.p_contra[k]).abs() < 0.05, "point {k}: {alone:?} vs {together:?}");
    }
    for (m, c) in together.p_met.iter().zip(&together.p_contra) {
        assert!(m + c <= 1.0 + 1e-9 && *m >= 0.0 && *c >= 0.0, "{together:?}");
    }
}

#[test]
fn a_bad_model_file_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let not_gguf = dir.path().join("notes.gguf");
    std::fs::write(&not_gguf, b"hello, this is not a model").unwrap();
    assert!(matches!(LlmGrader::load(&not_gguf, 1).err(), Some(LlmError::NotGguf { .. })));

    let truncated = dir.path().join("truncated.gguf");
    let bytes = std::fs::read(test_model()).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let err = LlmGrader::load(&truncated, 1).err().expect("a truncated model must not load");
    assert!(matches!(err, LlmError::Load { .. }), "{err}");
    assert!(err.to_string().contains("truncated or damaged"), "{err}");

    let missing = dir.path().join("nope.gguf");
    assert!(matches!(LlmGrader::load(&missing, 1).err(), Some(LlmError::Missing { .. })));
}
