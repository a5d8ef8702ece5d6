//! Property tests of the command line's inputs (issue #19): `kt fit` CSV, `grade --batch`
//! JSONL and `plan` profiles. On any input: no panic; bad input is an error that names its line;
//! good lines are answered. The CLI maps these errors to exit 1 (docs/cli.md).
//!
//! `PROPTEST_CASES=5000 cargo test -p crossway-app --test inputs` runs a longer search (the
//! default here is 256 cases per property; docs/security.md records both).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

/// Text that looks like the format more often than random bytes would: pieces of real lines,
/// separators, odd Unicode and invalid UTF-8.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"user_id,skill_id,correct\n".to_vec()),
        Just(b"u1,a,1\n".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(vec![0xff, 0xfe]),
        Just("技能,正确,😀".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        Just("\"text\"".to_string()),
        Just("1e308".to_string()),
        Just("-0".to_string()),
        Just("0".to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("\"零\\u0000\\ud800\"".to_string()),
        ".{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        any::<f64>().prop_map(|f| if f.is_finite() { f.to_string() } else { "1".into() }),
    ];
    let key = prop_oneof![
        Just("id"),
        Just("question"),
        Just("reference_answer"),
        Just("answer"),
        Just("max_score"),
        Just("rubric"),
        Just("lang"),
        Just("examples"),
    ];
    let line = proptest::collection::vec((key, value), 0..9).prop_map(|kv| {
        let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        format!("{{{}}}\n", body.join(", ")).into_bytes()
    });
    let piece = prop_oneof![line, proptest::collection::vec(any::<u8>(), 0..16)];
    proptest::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

/// A well-formed line the grader must answer, with arbitrary texts.
fn good_line() -> impl Strategy<Value = String> {
    (".{0,80}", ".{0,80}", ".{0,200}", 0.1f64..100.0).prop_map(|(q, r, a, m)| {
        serde_json::json!({"id": 1, "question": q, "reference_answer": r, "answer": a, "max_score": m}).to_string()
    })
}

proptest! {
    #[test]
    fn kt_csv_never_panics_and_errors_name_the_line(input in csvish()) {
        match crossway_app::kt::read_rows(Cursor::new(input), "train.csv") {
            Ok(rows) => prop_assert!(rows.iter().all(|r| !r.user.contains('\n'))),
            Err(e) => prop_assert!(e.message.starts_with("train.csv:"), "{}", e.message),
        }
    }

    #[test]
    fn grade_batch_never_panics_and_errors_name_the_line(input in jsonish()) {
        let mut out = Vec::new();
        match crossway_app::grade_batch(Cursor::new(input), &mut out, None, 1) {
            Ok(n) => prop_assert_eq!(String::from_utf8(out).unwrap().lines().count(), n),
            Err(e) => prop_assert!(
                e.message.starts_with("input line ") || e.message.starts_with("input:"),
                "{}", e.message
            ),
        }
    }

    #[test]
    fn a_well_formed_grade_line_is_always_answered(line in good_line()) {
        let mut out = Vec::new();
        let n = crossway_app::grade_batch(Cursor::new(line.into_bytes()), &mut out, None, 1).unwrap();
        prop_assert_eq!(n, 1);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let score = v["score"].as_f64().unwrap();
        prop_assert!(score.is_finite() && score >= 0.0, "{v}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn plan_profiles_never_panic(input in jsonish()) {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("profile.json");
        std::fs::write(&profile, &input).unwrap();
        if let Err(e) = crossway_app::plan_for_profile(&shipped(), &profile) {
            prop_assert!(e.message.contains("profile.json"), "{}", e.message);
        }
    }
}

#[test]
fn a_20_mb_line_is_an_error_or_an_answer_not_a_crash() {
    let huge = "x".repeat(20 << 20);
    let e = crossway_app::kt::read_rows(Cursor::new(huge.clone().into_bytes()), "big.csv").unwrap_err();
    assert!(e.message.starts_with("big.csv:1: the header"), "{}", e.message);
    let line = serde_json::json!({"id": 1, "question": "q", "reference_answer": "r", "answer": huge, "max_score": 1})
        .to_string();
    let mut out = Vec::new();
    assert_eq!(crossway_app::grade_batch(Cursor::new(line.into_bytes()), &mut out, None, 1).unwrap(), 1);
}

#[test]
fn invalid_utf8_is_reported_at_its_line() {
    let input = b"user_id,skill_id,correct\nu1,a,1\nu2,\xff\xfe,1\n".to_vec();
    let e = crossway_app::kt::read_rows(Cursor::new(input), "train.csv").unwrap_err();
    assert_eq!(e.message, "train.csv:3: not UTF-8 text (a bad byte at column 4); save the file as UTF-8");
}
