//! The CLI contract (docs/cli.md), exercised through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../../crossway-app/tests/support/mod.rs"]
mod support;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn crossway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossway")).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn validate_accepts_the_shipped_pack() {
    let o = crossway(&["pack", "validate", shipped().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).starts_with("ok: cbec-core 1.1.0"), "{}", stdout(&o));
}

#[test]
fn validate_lists_every_problem_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("kps")).unwrap();
    std::fs::create_dir_all(dir.path().join("items")).unwrap();
    std::fs::write(dir.path().join("pack.toml"), "id = \"Bad Id\"\nversion = \"1\"\nas_of = \"2026-13-01\"\nlicence = \"x\"\ntitle = { en = \"t\", zh-CN = \"标题\" }\n").unwrap();
    std::fs::write(
        dir.path().join("kps/a.md"),
        "+++\nid = \"a\"\nmodule = \"m\"\ntitle = { en = \"A\" }\ndifficulty = 1\nminutes = 5\n+++\n::: lesson en\nHi\n",
    )
    .unwrap();
    let o = crossway(&["pack", "validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let p = dir.path().display().to_string();
    for want in [
        format!("{p}/pack.toml:1: pack id `Bad Id` must start with a lowercase ASCII letter or digit and hold only those, `-`, `_` or `.`"),
        format!("{p}/pack.toml:2: version `1` is not MAJOR.MINOR.PATCH"),
        format!("{p}/pack.toml:3: as_of: `2026-13-01` is not a date (YYYY-MM-DD)"),
        format!("{p}/kps/a.md:4: title: missing `zh-CN` text"),
        format!("{p}/kps/a.md:2: missing `::: lesson zh-CN` section"),
        format!("{p}/kps/a.md:2: missing `::: workshop en` section"),
        format!("{p}/kps/a.md:2: knowledge point `a` names unknown module `m`"),
    ] {
        assert!(lines.contains(&want.as_str()), "missing {want:?} in\n{out}");
    }
    assert!(String::from_utf8_lossy(&o.stderr).contains("problem(s)"));
}

#[test]
fn stats_json_has_the_contract_keys() {
    let o = crossway(&["pack", "stats", shipped().to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in [
        "modules",
        "knowledge_points",
        "lessons",
        "roles",
        "items",
        "simulations",
        "facts",
        "locales",
        "missing_translations",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    for key in ["choice", "numeric", "free_text"] {
        assert!(v["items"][key].as_u64().is_some(), "items.{key}");
    }
    assert_eq!(v["locales"], serde_json::json!(["en", "zh-CN"]));
    assert_eq!(v["missing_translations"], 0);
    assert!(v["knowledge_points"].as_u64().unwrap() >= 70, "{v}");
    assert!(v["simulations"].as_u64().unwrap() >= 8, "{v}");
    assert!(v["roles"].as_u64().unwrap() >= 11, "{v}");
}

#[test]
fn plan_json_follows_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.json");
    std::fs::write(
        &profile,
        r#"{"background":{"education":"bachelor","major":"English"},"goal_role":"logistics-specialist","weekly_minutes":30,
            "attempts":[{"item":"logistics.volumetric-weight.divisor","score":1},{"item":"logistics.volumetric-weight.divisor","score":1},{"item":"logistics.volumetric-weight.divisor","score":1}]}"#,
    )
    .unwrap();
    let o =
        crossway(&["plan", "--pack", shipped().to_str().unwrap(), "--profile", profile.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["elapsed_us"].as_u64().is_some());
    let steps = v["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["kp"] != "logistics.volumetric-weight"), "mastered KP skipped: {v}");
    let next = steps.iter().find(|s| s["kp"] == "logistics.chargeable-weight").unwrap();
    assert_eq!(next["action"], "learn");
    assert!(next["minutes"].as_u64().unwrap() > 0);
    let kinds: Vec<&str> = next["reasons"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["goal_requires", "prerequisite_of", "prerequisite_mastered", "mastery"], "{next}");
    assert_eq!(next["reasons"][0]["level"], 3);
}

#[test]
fn pack_diff_lists_changes_and_flags_facts() {
    let dir = tempfile::tempdir().unwrap();
    let release = support::release_1_0_0(dir.path());
    let new = dir.path().join("cbec-core-1.0.1");
    let update = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crossway-app/tests/fixtures/cbec-core-1.0.1-update");
    crossway_content::materialize_update(&release, &update, &new).unwrap();
    let o = crossway(&["pack", "diff", release.to_str().unwrap(), new.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["old"]["version"].as_str(), v["new"]["version"].as_str()), (Some("1.0.0"), Some("1.0.1")));
    assert_eq!(v["kps"]["changed"], serde_json::json!([{"id": "logistics.volumetric-weight", "fields": ["facts"]}]));
    assert_eq!(v["kps"]["added"], serde_json::json!([]));
    assert_eq!(v["items"]["changed"], serde_json::json!([]));
    assert_eq!(v["touches_facts"], true);
    let f = &v["facts_changed"][0];
    assert_eq!((f["fact"].as_str(), f["change"].as_str()), (Some("express-divisor"), Some("changed")));
    assert_eq!((f["old_as_of"].as_str(), f["new_as_of"].as_str()), (Some("2026-07-24"), Some("2026-10-01")));
    // A pack is its own diff's identity.
    let o = crossway(&["pack", "diff", shipped().to_str().unwrap(), shipped().to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["touches_facts"], false);
}

#[test]
fn pack_diff_of_the_1_1_0_release_names_each_corrected_fact_once() {
    let dir = tempfile::tempdir().unwrap();
    let release = support::release_1_0_0(dir.path());
    let o = crossway(&["pack", "diff", release.to_str().unwrap(), shipped().to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["old"]["version"].as_str(), v["new"]["version"].as_str()), (Some("1.0.0"), Some("1.1.0")));
    assert_eq!(v["kps"]["removed"], serde_json::json!([]), "ids are stable forever");
    assert_eq!(v["items"]["removed"], serde_json::json!([]));
    let facts = v["facts_changed"].as_array().unwrap();
    let ids: Vec<&str> = facts.iter().map(|f| f["fact"].as_str().unwrap()).collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "each fact once, however many lessons show it");
    let change = |id: &str| facts.iter().find(|f| f["fact"] == id).unwrap_or_else(|| panic!("{id} not in the diff"));
    // The errata of issue #16, each named with its home and the lessons that show it.
    for id in [
        "sp-attribution-window",
        "aliexpress-choice-models",
        "ftc-fake-review-rule",
        "codes-9710-9810",
        "indonesia-social-commerce",
        "ioss-150",
    ] {
        assert_eq!(change(id)["change"], "changed", "{id}");
        assert_eq!(change(id)["new_as_of"], "2026-12-03", "{id}: corrected facts were checked on the release date");
    }
    let sp = change("sp-attribution-window");
    assert_eq!(sp["kp"], "marketing.acos");
    assert!(sp["new_text_en"].as_str().unwrap().contains("7 days"), "{sp}");
    assert!(sp["shown_in"].as_array().unwrap().iter().any(|k| k == "finance.kpi-funnel"), "{sp}");
    for id in ["ftc-civil-penalty-max", "brazil-icms-2025", "south-dakota-threshold-2023"] {
        assert_eq!(change(id)["change"], "added", "{id}");
    }
    // A fact only re-checked is listed as such and is no reason for a refresh.
    assert!(facts.iter().any(|f| f["change"] == "rechecked"));
    assert_eq!(v["touches_facts"], true);
    // The readable summary counts them the same way.
    let o = crossway(&["pack", "diff", release.to_str().unwrap(), shipped().to_str().unwrap()]);
    let n = |kind: &str| facts.iter().filter(|f| f["change"] == kind).count();
    let want = format!(
        "facts: {} changed, {} added, {} removed; {} re-checked and unchanged",
        n("changed"),
        n("added"),
        n("removed"),
        n("rechecked")
    );
    assert!(stdout(&o).contains(&want), "{want} in\n{}", stdout(&o));
}

#[test]
fn user_errors_exit_1_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    std::fs::write(&profile, "{\"goal_role\": \"astronaut\"}").unwrap();
    let o =
        crossway(&["plan", "--pack", shipped().to_str().unwrap(), "--profile", profile.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown goal_role `astronaut`"));
    std::fs::write(&profile, "{\"goal_role\": ").unwrap();
    let o = crossway(&["plan", "--pack", shipped().to_str().unwrap(), "--profile", profile.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("p.json:1:"));
    assert_eq!(crossway(&["pack", "frobnicate"]).status.code(), Some(2));
    assert_eq!(crossway(&[]).status.code(), Some(2));
}

fn test_model() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.is_file(), "{} is missing: run `cargo xtask fetch-model test`", p.display());
    p
}

#[test]
fn grade_batch_writes_one_line_per_input_with_the_contract_keys() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id":1,"question":"Is a 30% ACoS campaign with a 35.4% break-even profitable?","reference_answer":"Yes, 30% is below 35.4%.","rubric":["Says it is profitable because 30% is below 35.4%."],"answer":"Yes, because 30% is below the 35.4% break-even.","max_score":2}"#,
            "\n",
            r#"{"id":"zh-1","question":"什么是体积重？","reference_answer":"长×宽×高÷除数，例如 5000。","answer":"不知道","max_score":1,"lang":"zh-CN"}"#,
            "\n"
        ),
    )
    .unwrap();
    let mut lexical = Vec::new();
    for model_args in [
        vec!["--no-model".to_string()],
        vec!["--model".to_string(), test_model().display().to_string(), "--threads".into(), "2".into()],
    ] {
        let with_model = model_args[0] == "--model";
        let out = dir.path().join("out.jsonl");
        let mut args = vec!["grade", "--batch", input.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(model_args.iter().map(String::as_str));
        let o = crossway(&args);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let lines: Vec<serde_json::Value> =
            std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], 1);
        assert_eq!(lines[1]["id"], "zh-1");
        for l in &lines {
            for key in ["score", "max_score", "confidence", "abstained", "met", "missed", "feedback", "ms"] {
                assert!(l.get(key).is_some(), "missing {key} in {l}");
            }
            let score = l["score"].as_f64().unwrap();
            let max = l["max_score"].as_f64().unwrap();
            assert!(score >= 0.0 && score <= max);
            // One story: the score passes exactly when the points do (half met, none contradicted).
            let n = |k: &str| l[k].as_array().unwrap().len();
            let points = n("met") + n("missed") + n("contradicted");
            assert_eq!(l["passed"].as_bool().unwrap(), score >= max / 2.0, "{l}");
            assert_eq!(l["passed"].as_bool().unwrap(), n("contradicted") == 0 && 2 * n("met") >= points, "{l}");
            // The model's raw readings are reported beside the verdicts, for evaluation.
            assert_eq!(l.get("p_met").map(|p| p.as_array().unwrap().len()), with_model.then_some(points), "{l}");
            assert_eq!(l.get("p_contra").map(|p| p.as_array().unwrap().len()), with_model.then_some(points), "{l}");
        }
        lexical.push(lines.iter().map(|l| l["lexical_score"].as_f64().unwrap()).collect::<Vec<_>>());
    }
    // The lexical evidence is the same with or without the model; the model only adds its reading.
    assert_eq!(lexical[0], lexical[1]);
}

#[test]
fn grade_without_a_model_scores_with_the_calibrated_lexical_model() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let q = "What will happen to the other 2 bulbs if the middle bulb burns out?";
    let r = "If the middle bulb burns out the other 2 bulbs will stay lit.";
    let line = |id: &str, answer: &str| {
        serde_json::json!({"id": id, "question": q, "reference_answer": r, "answer": answer, "max_score": 2})
            .to_string()
    };
    let zh = serde_json::json!({"id": "zh", "question": "线性表频繁插入删除宜用何种存储结构？", "reference_answer": "链式存储结构，插入删除只需修改指针，不用移动元素。", "answer": "用链式存储，插入删除只改指针。", "max_score": 10, "lang": "zh-CN"});
    std::fs::write(
        &input,
        [line("good", "The other two bulbs will stay lit."), line("off", "I like pizza."), zh.to_string()].join("\n"),
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    let o = crossway(&["grade", "--batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-model"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let score = |i: usize| lines[i]["score"].as_f64().unwrap();
    assert!(score(0) > 1.0 && score(0) < 2.0, "a probability times max_score: {}", lines[0]);
    assert!(score(1) < 0.5, "{}", lines[1]);
    assert!(score(2) > 5.0 && score(2) < 10.0, "{}", lines[2]);
    assert!(lines.iter().all(|l| l["grader"] == "keyword"));
}

#[test]
fn grade_rejects_bad_input_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":1,\"question\":\"q\",\"reference_answer\":\"r\",\"answer\":\"a\",\"max_score\":1}\nnot json\n",
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    let o = crossway(&["grade", "--batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-model"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("input line 2"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists() && !dir.path().join("out.partial").exists());

    let bad_model = dir.path().join("bad.gguf");
    std::fs::write(&bad_model, "not a model").unwrap();
    let o = crossway(&[
        "grade",
        "--batch",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        bad_model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a GGUF model file"));
}

#[test]
fn grade_compares_with_graded_examples_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let out = dir.path().join("out.jsonl");
    let line = |examples: &str| {
        format!(
            r#"{{"id":1,"question":"Who clears export customs under FCA?","reference_answer":"Under FCA the seller clears export customs.","answer":"The buyer clears export customs under FCA.","max_score":1,"lang":"en","examples":{examples}}}"#
        )
    };
    let score = |examples: &str| {
        std::fs::write(&input, line(examples) + "\n").unwrap();
        let o = crossway(&["grade", "--batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-model"]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let l: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
        l["score"].as_f64().unwrap()
    };
    // The same answer, next to an example that says the same thing, graded wrong vs graded right.
    let wrong = score(
        r#"[{"text":"The buyer clears export customs.","grade":"contradictory"},{"text":"The seller does the export clearance.","grade":"correct"}]"#,
    );
    let right = score(
        r#"[{"text":"The buyer clears export customs.","grade":"correct"},{"text":"The seller does the export clearance.","grade":"incorrect"}]"#,
    );
    assert!(wrong < right, "{wrong} vs {right}");

    std::fs::write(&input, line(r#"[{"text":"x","grade":"mostly_right"}]"#) + "\n").unwrap();
    std::fs::remove_file(&out).unwrap();
    let o = crossway(&["grade", "--batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-model"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("input line 1: example grade `mostly_right` is not one of correct, partly_correct"), "{err}");
    assert!(!out.exists());
}

#[test]
fn kt_fit_predicts_every_test_row_before_seeing_it() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.csv");
    let test = dir.path().join("test.csv");
    // Skill a: learners start wrong and become right; skill b: always right.
    let mut t = String::from("user_id,skill_id,correct\n");
    for u in 0..40 {
        for (i, c) in [0, 0, 1, 1, 1, 1].iter().enumerate() {
            let c = if (u + i) % 7 == 0 { 1 - c } else { *c };
            t.push_str(&format!("u{u},a,{c}\n"));
        }
        t.push_str(&format!("u{u},b,1\nu{u},b,1\n"));
    }
    std::fs::write(&train, t).unwrap();
    std::fs::write(&test, "user_id,skill_id,correct\nx,a,0\nx,a,1\nx,a,1\nx,b,1\nx,zz,1\n").unwrap();
    let out = dir.path().join("pred.csv");
    let o = crossway(&[
        "kt",
        "fit",
        "--train",
        train.to_str().unwrap(),
        "--predict",
        test.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0], ["user_id", "skill_id", "correct", "p_correct"]);
    assert_eq!(rows.len(), 6, "one prediction per test row");
    let p: Vec<f64> = rows[1..].iter().map(|r| r[3].parse().unwrap()).collect();
    assert!(p.iter().all(|x| *x > 0.0 && *x < 1.0), "{p:?}");
    assert!(p[2] > p[0], "after a right answer the next is more likely right: {p:?}");
    assert!(p[3] > p[0], "skill b is easier than a fresh skill a: {p:?}");
    // Bad input: a clear message with file and line.
    std::fs::write(&test, "user_id,skill_id,correct\nx,a,maybe\n").unwrap();
    let o = crossway(&[
        "kt",
        "fit",
        "--train",
        train.to_str().unwrap(),
        "--predict",
        test.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("test.csv:2: correct must be 0 or 1, not `maybe`"));
    // Thread counts outside 1..=cores are refused before any work (100000 used to abort).
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    for bad in ["0", "100000"] {
        let o = crossway(&[
            "kt",
            "fit",
            "--train",
            train.to_str().unwrap(),
            "--predict",
            test.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(1), "--threads {bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("--threads {bad}: give a number from 1 to {cores}")), "{err}");
    }
}

#[test]
fn simulate_compares_both_policies_on_the_same_cohort() {
    let run = |seed: &str| -> serde_json::Value {
        let o = crossway(&[
            "simulate",
            "--pack",
            shipped().to_str().unwrap(),
            "--learners",
            "40",
            "--seed",
            seed,
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let v = run("5");
    for policy in ["adaptive", "fixed"] {
        for key in ["attempts_to_goal_median", "reached_goal_share", "final_true_mastery_mean"] {
            assert!(v[policy][key].as_f64().is_some(), "{policy}.{key} in {v}");
        }
    }
    let m = &v["methods"];
    for key in ["match_rate", "gain_per_minute_adaptive", "gain_per_minute_fixed"] {
        assert!(m[key].as_f64().is_some_and(|x| (0.0..=1.0).contains(&x)), "methods.{key} in {v}");
    }
    assert!(m["gain_per_minute_adaptive"].as_f64() > m["gain_per_minute_fixed"].as_f64(), "{v}");
    assert_eq!(run("5"), v, "the same seed gives the same cohort and the same result");
    assert_ne!(run("6"), v);
    let (a, f) = (&v["adaptive"], &v["fixed"]);
    assert!(a["attempts_to_goal_median"].as_f64() < f["attempts_to_goal_median"].as_f64(), "{v}");
    assert!(a["final_true_mastery_mean"].as_f64() >= f["final_true_mastery_mean"].as_f64(), "{v}");
}

#[test]
fn pack_synth_writes_a_valid_pack_and_a_profile_to_plan_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("syn");
    let o = crossway(&["pack", "synth", "--kps", "120", "--seed", "4", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let o = crossway(&["pack", "validate", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = crossway(&["pack", "stats", out.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["knowledge_points"], 120);
    let profile = out.join("profile.json");
    let o = crossway(&["plan", "--pack", out.to_str().unwrap(), "--profile", profile.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(!v["steps"].as_array().unwrap().is_empty());
    // Never overwrites: a second run into the same folder is refused.
    let o = crossway(&["pack", "synth", "--kps", "10", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not empty"));
}

#[test]
fn pack_report_lists_lessons_and_items_to_fix_from_a_real_database() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut app = crossway_app::App::open(crossway_app::AppConfig {
            data_dir: dir.path().to_path_buf(),
            default_pack: Some(shipped()),
            models_dir: dir.path().join("models"),
        })
        .unwrap();
        let l = app
            .create_learner(crossway_app::NewLearnerDto {
                name: "Teacher".into(),
                locale: "en".into(),
                goal_role: None,
                weekly_minutes: None,
            })
            .unwrap()
            .id;
        app.send_feedback(
            l,
            crossway_app::FeedbackInDto {
                kind: "error_report".into(),
                target: Some("lesson".into()),
                target_id: Some("marketing.acos".into()),
                attempt_id: None,
                rating: None,
                comment: "The formula in the example divides the wrong way".into(),
            },
        )
        .unwrap();
    }
    let db = dir.path().join("crossway.sqlite3");
    let o = crossway(&["pack", "report", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["pack"], "cbec-core");
    assert!(v["items_to_fix"].as_array().is_some());
    let lesson = &v["lessons_to_fix"][0];
    assert_eq!(lesson["kp"], "marketing.acos");
    assert!(lesson["why"][0].as_str().unwrap().contains("1 error report"), "{v}");
    assert!(lesson["comments"][0].as_str().unwrap().contains("divides the wrong way"));
    // A missing file is an error that says what to do, and creates nothing.
    let missing = dir.path().join("nope.sqlite3");
    let o = crossway(&["pack", "report", "--db", missing.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such database file"));
    assert!(!missing.exists());
}

#[test]
fn ask_json_shows_the_passages_or_says_not_covered() {
    let pack = shipped();
    let o = crossway(&[
        "ask",
        "--pack",
        pack.to_str().unwrap(),
        "--question",
        "头程运费怎么分摊到每件",
        "--no-model",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["covered"], true, "{v}");
    let passages = v["passages"].as_array().unwrap();
    assert!(!passages.is_empty() && passages.len() <= 3, "{v}");
    for p in passages {
        for key in ["kp", "text", "source", "as_of", "score"] {
            assert!(p.get(key).is_some(), "{key} missing: {p}");
        }
    }
    assert!(v["answer"].is_null() && v["withheld"].is_null() && v["ms"].is_u64(), "{v}");
    let o = crossway(&[
        "ask",
        "--pack",
        pack.to_str().unwrap(),
        "--question",
        "best banana bread recipe",
        "--lang",
        "en",
        "--no-model",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!((v["covered"].as_bool(), v["lang"].as_str()), (Some(false), Some("en")), "{v}");
    let o = crossway(&["ask", "--pack", "/nonexistent", "--question", "x"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn ask_with_a_model_writes_a_checked_answer_only_when_the_course_covers_it() {
    let (pack, model) = (shipped(), test_model());
    let ask = |q: &str| {
        let o = crossway(&[
            "ask",
            "--pack",
            pack.to_str().unwrap(),
            "--question",
            q,
            "--model",
            model.to_str().unwrap(),
            "--threads",
            "2",
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_str::<serde_json::Value>(stdout(&o).trim()).unwrap()
    };
    for q in ["how do I work out break-even ACoS", "保本 ACoS 怎么算"] {
        let v = ask(q);
        assert_eq!(v["covered"], true, "{v}");
        // The test model writes something; it is either shown (it passed the checks) or withheld
        // with a reason — never both, never neither.
        assert_ne!(v["answer"].is_null(), v["withheld"].is_null(), "{v}");
        if let Some(text) = v["answer"].as_str() {
            let numbers: String =
                v["passages"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
            for n in crossway_app::checks::numbers(text) {
                assert!(crossway_app::checks::numbers(&numbers).contains(&n) || q.contains(&n), "{n} invented: {v}");
            }
        }
        assert!(v["model"]["first_token_ms"].is_u64() && v["model"]["load_ms"].is_u64(), "{v}");
    }
    let v = ask("best banana bread recipe");
    assert_eq!(v["covered"], false, "{v}");
    assert!(
        v["answer"].is_null() && v["withheld"].is_null() && v["model"].is_null(),
        "no model answers an uncovered question: {v}"
    );
    let o = crossway(&[
        "ask",
        "--pack",
        pack.to_str().unwrap(),
        "--question",
        "how do I work out break-even ACoS",
        "--model",
        "/nonexistent.gguf",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--no-model"), "says what to do");
}

#[test]
fn ask_names_every_problem_of_a_broken_pack() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("kps")).unwrap();
    std::fs::write(dir.path().join("pack.toml"), "id = \"Bad Id\"\nversion = \"1\"\n").unwrap();
    let o = crossway(&["ask", "--pack", dir.path().to_str().unwrap(), "--question", "what is ACoS", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing was installed") || err.contains("problem"), "{err}");
    assert!(err.contains("pack.toml:"), "each problem with its file and line: {err}");
}

#[test]
fn data_check_names_a_damaged_database_and_its_backup_and_restore_brings_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("crossway");
    {
        let mut app = crossway_app::App::open(crossway_app::AppConfig {
            data_dir: data.clone(),
            default_pack: Some(shipped()),
            models_dir: data.join("models"),
        })
        .unwrap();
        app.create_learner(crossway_app::NewLearnerDto {
            name: "Li".into(),
            locale: "zh-CN".into(),
            goal_role: None,
            weekly_minutes: None,
        })
        .unwrap();
        app.backup_job().run().unwrap().unwrap();
    }
    let d = data.to_str().unwrap();
    let ok = crossway(&["data", "check", "--data-dir", d]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout(&ok).starts_with("ok: ") && stdout(&ok).contains("1 learners"), "{}", stdout(&ok));

    let db = data.join("crossway.sqlite3");
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data.join(format!("crossway.sqlite3{ext}")));
    }
    std::fs::write(&db, vec![0x5a; 8192]).unwrap();
    let bad = crossway(&["data", "check", "--data-dir", d]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains(db.to_str().unwrap()) && err.contains("damaged"), "{err}");
    let out = stdout(&bad);
    let key = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("backups/"))
        .map(|r| format!("backups/{}", r.split_whitespace().next().unwrap()));
    let key = key.unwrap_or_else(|| panic!("the backup is listed: {out}"));
    assert!(out.contains(&format!("crossway data restore {key} --data-dir {d}")), "{out}");
    assert_eq!(std::fs::read(&db).unwrap(), vec![0x5a; 8192], "check never writes");

    let restored = crossway(&["data", "restore", &key, "--data-dir", d]);
    assert_eq!(restored.status.code(), Some(0), "{}", String::from_utf8_lossy(&restored.stderr));
    assert!(stdout(&restored).contains("the previous file is kept at"), "{}", stdout(&restored));
    let again = crossway(&["data", "check", "--data-dir", d]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("1 learners"), "{}", stdout(&again));
}
