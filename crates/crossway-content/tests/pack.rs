//! The pack format against the real shipped pack and against broken copies of it.

use std::fs;
use std::path::{Path, PathBuf};

use crossway_content::{load_pack, render_markdown, Answer, DiagKind, ItemBody, PackStats};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

/// Copies the shipped pack into a temp dir and applies `edit` to one file.
fn broken(file: &str, edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crossway_content::copy_tree(&shipped(), dir.path()).unwrap();
    let p = dir.path().join(file);
    let text = fs::read_to_string(&p).unwrap();
    fs::write(&p, edit(text)).unwrap();
    dir
}

/// The diagnostics as `file:line: message`, with the temp dir stripped.
fn diags(dir: &Path) -> Vec<String> {
    load_pack(dir).diagnostics.iter().map(|d| d.to_string().replace(&format!("{}/", dir.display()), "")).collect()
}

#[test]
fn the_shipped_pack_is_valid_complete_and_bilingual() {
    let outcome = load_pack(&shipped());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let stats = PackStats::of(&outcome);
    let pack = outcome.into_result().unwrap();
    assert_eq!(pack.manifest.id, "cbec-core");
    // The curriculum's size (issue #16, pack 1.1.0): 10 modules, ≥ 70 KPs, ≥ 300 items,
    // ≥ 8 simulations, ≥ 11 roles.
    assert_eq!(stats.modules, 10);
    assert!(stats.knowledge_points >= 70, "{stats:?}");
    let items = stats.items.choice + stats.items.numeric + stats.items.free_text;
    assert!(items >= 300, "{stats:?}");
    assert!(stats.items.choice >= 100 && stats.items.numeric >= 80 && stats.items.free_text >= 70, "{stats:?}");
    assert!(stats.simulations >= 8, "{stats:?}");
    assert!(stats.roles >= 11, "{stats:?}");
    assert_eq!(stats.missing_translations, 0);
    let has_chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for kp in &pack.kps {
        for (part, text) in [
            ("lesson", &kp.lesson),
            ("example", &kp.example),
            ("discussion", &kp.discussion),
            ("workshop", &kp.workshop),
        ] {
            assert!(!text.en.is_empty() && has_chinese(&text.zh_cn), "{} {part}", kp.id);
            assert!(!render_markdown(&text.en).is_empty());
        }
        assert!(!kp.sources.is_empty(), "{} cites no source", kp.id);
        // Every module has items for every KP.
        assert!(pack.items_for(&kp.id).next().is_some(), "{} has no items", kp.id);
    }
    // Policy lessons carry dated, sourced facts.
    for kp in pack.kps.iter().filter(|k| k.module == "updates" || k.module == "compliance") {
        assert!(!kp.facts.is_empty(), "policy lesson {} has no dated facts", kp.id);
    }
}

#[test]
fn every_numeric_answer_matches_its_worked_formula() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    let steps = pack.simulations.iter().flat_map(|s| s.steps.iter());
    let mut checked = 0;
    for item in pack.items.iter().chain(steps) {
        if let ItemBody::Numeric { answer, tolerance, wrong_answers, .. } = &item.body {
            let formula = item_formula(&pack, &item.id).unwrap_or_else(|| panic!("{} has no formula", item.id));
            let value = crossway_content::formula::evaluate(&formula).unwrap();
            assert!((value - answer).abs() <= tolerance.max(1e-9), "{}: {formula} = {value}, answer {answer}", item.id);
            for w in wrong_answers {
                assert!(
                    (w.value - answer).abs() > *tolerance,
                    "{}: wrong answer {} is within tolerance",
                    item.id,
                    w.value
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} numeric items checked");
}

/// The `formula` of an item, read back from the pack's TOML (items and simulation steps).
fn item_formula(pack: &crossway_content::Pack, id: &str) -> Option<String> {
    for dir in ["items", "simulations"] {
        for e in fs::read_dir(pack.root.join(dir)).ok()?.flatten() {
            let v: toml::Value = toml::from_str(&fs::read_to_string(e.path()).ok()?).ok()?;
            let list =
                v.get("items").or_else(|| v.get("steps")).and_then(|x| x.as_array()).cloned().unwrap_or_default();
            for it in list {
                if it.get("id").and_then(|x| x.as_str()) == Some(id) {
                    return it.get("formula").and_then(|f| f.as_str()).map(String::from);
                }
            }
        }
    }
    None
}

#[test]
fn every_lesson_is_reached_by_some_role() {
    // A KP no goal leads to is only ever met as an optional extra (in 1.0.0, the China policy and
    // US tariff-authority lessons). Reached = required by a role, or a prerequisite of one.
    let pack = load_pack(&shipped()).into_result().unwrap();
    let mut reached = std::collections::BTreeSet::new();
    let mut todo: Vec<String> = pack.roles.iter().flat_map(|r| r.requires.iter().map(|q| q.kp.clone())).collect();
    while let Some(kp) = todo.pop() {
        if reached.insert(kp.clone()) {
            todo.extend(pack.kp(&kp).unwrap().prerequisites.iter().cloned());
        }
    }
    let unreached: Vec<&str> = pack.kps.iter().map(|k| k.id.as_str()).filter(|k| !reached.contains(*k)).collect();
    assert!(unreached.is_empty(), "reached by no role: {unreached:?}");
    for id in ["b2b-export-sales", "independent-site-ops"] {
        assert!(pack.role(id).is_some(), "role {id}");
    }
}

#[test]
fn roles_lead_to_different_paths() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    let mut firsts = std::collections::BTreeMap::new();
    for role in &pack.roles {
        let path = crossway_core::plan(&crossway_core::PlanInput {
            graph: &pack.graph,
            roles: &pack.roles,
            goal_role: Some(&role.id),
            mastery: &Default::default(),
            params: &Default::default(),
            weekly_minutes: 300,
            signals: &Default::default(),
        });
        let goal: Vec<String> = path.steps.iter().filter(|s| s.for_goal).map(|s| s.kp.clone()).collect();
        assert!(goal.len() >= 5, "{}: only {} goal steps", role.id, goal.len());
        firsts.insert(role.id.clone(), goal);
    }
    let paths: Vec<_> = firsts.values().collect();
    for (i, a) in paths.iter().enumerate() {
        for b in &paths[i + 1..] {
            assert_ne!(a, b, "two roles give the same path");
        }
    }
}

#[test]
fn choice_and_numeric_answers_are_graded_with_the_error_cause() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    let item = pack.item("logistics.volumetric-weight.divisor").unwrap();
    let right = item.grade(&Answer::Choice { option: 0 }).unwrap();
    assert!(right.correct && right.error_cause.is_none());
    let wrong = item.grade(&Answer::Choice { option: 1 }).unwrap();
    assert!(!wrong.correct);
    assert_eq!(wrong.correct_answer.en, "12 kg");
    assert!(wrong.error_cause.unwrap().en.contains("6000"));
    assert!(item.grade(&Answer::Choice { option: 9 }).is_err());

    let num = pack.item("logistics.chargeable-weight.carton").unwrap();
    assert!(num.grade(&Answer::Numeric { value: 19.22 }).unwrap().correct);
    let v = num.grade(&Answer::Numeric { value: 16.0 }).unwrap();
    assert!(!v.correct);
    assert!(v.error_cause.unwrap().zh_cn.contains("6000"));
    assert!(num.grade(&Answer::Numeric { value: f64::NAN }).is_err());
}

/// The 1-based line of the first line containing `needle` in the shipped pack's `file`.
fn line_with(file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(shipped().join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("`{needle}` not in {file}")) + 1
}

// Three broken copies of the real pack, and the exact errors each produces.

#[test]
fn broken_copy_1_a_prerequisite_cycle() {
    let file = "kps/logistics.volumetric-weight.md";
    let dir = broken(file, |t| {
        t.replace(
            "prerequisites = [\"logistics.shipping-modes\"]",
            "prerequisites = [\"logistics.shipping-modes\", \"logistics.chargeable-weight\"]",
        )
    });
    assert_eq!(
        diags(dir.path()),
        ["kps/logistics.volumetric-weight.md:2: prerequisites form a cycle: logistics.volumetric-weight → logistics.chargeable-weight → logistics.volumetric-weight"]
    );
}

#[test]
fn broken_copy_2_a_missing_translation() {
    let file = "items/logistics.toml";
    let zh = ", zh-CN = \"这里误用了空运除数 6000，而不是快递除数 5000。\"";
    let line = line_with(file, zh);
    let dir = broken(file, |t| t.replacen(zh, "", 1));
    let outcome = load_pack(dir.path());
    assert_eq!(PackStats::of(&outcome).missing_translations, 1);
    assert_eq!(diags(dir.path()), [format!("items/logistics.toml:{line}: why: missing `zh-CN` text")]);

    let dir = broken("kps/marketing.acos.md", |t| t.replace("::: example zh-CN", "::: example zh-TW"));
    let line = line_with("kps/marketing.acos.md", "::: example zh-CN");
    assert_eq!(
        diags(dir.path()),
        [
            format!("kps/marketing.acos.md:{line}: bad section line `::: example zh-TW`: use `::: <part> <locale>` with part one of lesson, example, discussion, workshop and locale en or zh-CN"),
            "kps/marketing.acos.md:2: missing `::: example zh-CN` section".to_string(),
        ]
    );
}

#[test]
fn broken_copy_3_a_dangling_reference() {
    let file = "items/logistics.toml";
    let needle = "kp = \"logistics.chargeable-weight\"";
    let line = line_with(file, "id = \"logistics.chargeable-weight.max\"");
    let dir = broken(file, |t| {
        t.replacen(
            "id = \"logistics.chargeable-weight.max\"\nkp = \"logistics.chargeable-weight\"",
            "id = \"logistics.chargeable-weight.max\"\nkp = \"logistics.chargable-weight\"",
            1,
        )
    });
    assert!(fs::read_to_string(shipped().join(file)).unwrap().contains(needle));
    assert_eq!(
        diags(dir.path()),
        [format!("items/logistics.toml:{line}: item `logistics.chargeable-weight.max` names unknown knowledge point `logistics.chargable-weight`")]
    );
}

#[test]
fn every_problem_gets_file_line_and_message() {
    let as_of = line_with("pack.toml", "as_of = \"2026-12-03\"");
    let dir = broken("pack.toml", |t| {
        t.replacen("as_of = \"2026-12-03\"", "as_of = \"July 2026\"", 1).replacen(
            "{ kp = \"marketing.ppc-structure\", level = 3 }",
            "{ kp = \"marketing.nope\", level = 7 }",
            1,
        )
    });
    let d = diags(dir.path());
    assert!(d.contains(&format!("pack.toml:{as_of}: as_of: `July 2026` is not a date (YYYY-MM-DD)")), "{d:#?}");
    assert!(
        d.iter().any(|l| l.starts_with("pack.toml:") && l.contains("unknown knowledge point `marketing.nope`")),
        "{d:#?}"
    );
    assert!(d.iter().any(|l| l.contains("level 7 is out of range 1..=3")), "{d:#?}");

    let dir =
        broken("items/logistics.toml", |t| t.replacen("kind = \"numeric\"\n", "kind = \"numeric\"\nkp_typo = 1\n", 1));
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].starts_with("items/logistics.toml:") && d[0].contains("kp_typo"), "{}", d[0]);

    let dir = broken("kps/marketing.acos.md", |t| t.replacen("sources = [", "sources = [\"S99\", ", 1));
    assert_eq!(
        diags(dir.path()),
        ["kps/marketing.acos.md:2: lesson cites unknown source `S99` (add it to [[sources]] in pack.toml)"]
    );

    // A numeric answer that disagrees with its own worked formula.
    let file = "items/logistics.toml";
    let text = fs::read_to_string(shipped().join(file)).unwrap();
    let answer_line = text.lines().find(|l| l.starts_with("answer = ")).unwrap().to_string();
    let dir = broken(file, |t| t.replacen(&answer_line, "answer = 123456.0", 1));
    let d = diags(dir.path());
    assert!(d.iter().any(|l| l.contains("the formula gives") && l.contains("but the answer is 123456")), "{d:#?}");
}

#[test]
fn a_syntax_error_in_a_lesson_is_reported_once_not_at_every_reference() {
    let dir = broken("kps/logistics.volumetric-weight.md", |t| t.replacen("difficulty = 1", "difficulty = = 1", 1));
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].starts_with("kps/logistics.volumetric-weight.md:"), "{}", d[0]);
}

#[test]
fn raw_html_in_a_lesson_is_reported_at_its_line() {
    let file = "kps/marketing.acos.md";
    let line = line_with(file, "::: lesson en") + 1;
    let dir = broken(file, |t| t.replacen("::: lesson en\n", "::: lesson en\n<script>alert(1)</script>\n", 1));
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].starts_with(&format!("kps/marketing.acos.md:{line}: raw HTML `<script>")), "{}", d[0]);
    assert_eq!(load_pack(dir.path()).diagnostics[0].kind, DiagKind::UnsafeMarkdown);
}

#[test]
fn garbage_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!diags(dir.path()).is_empty());
    fs::write(dir.path().join("pack.toml"), "\u{0}\u{ffff}[[[").unwrap();
    fs::create_dir(dir.path().join("kps")).unwrap();
    fs::write(dir.path().join("kps/x.md"), "+++\n+++\n").unwrap();
    fs::write(dir.path().join("kps/y.md"), "no front matter").unwrap();
    fs::write(dir.path().join("kps/z.md"), "+++\nid = 3").unwrap();
    let d = diags(dir.path());
    assert!(d.iter().any(|l| l.starts_with("pack.toml:1:")), "{d:#?}");
    assert!(d.iter().any(|l| l.starts_with("kps/y.md:1: a lesson file must start")), "{d:#?}");
    assert!(d.iter().any(|l| l.starts_with("kps/z.md:1: front matter is not closed")), "{d:#?}");
}

#[test]
fn mastery_priors_come_from_the_pack_or_from_difficulty() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    for kp in &pack.kps {
        let want = 0.35 - 0.05 * f64::from(kp.difficulty);
        assert!((kp.bkt.p_init - want).abs() < 1e-9, "{}: {}", kp.id, kp.bkt.p_init);
    }
    // A pack may ship its own priors (e.g. fitted with `crossway kt fit` on class data).
    let file = "kps/marketing.acos.md";
    let dir = broken(file, |t| t.replacen("sources = [", "bkt = { p_init = 0.5, p_slip = 0.05 }\nsources = [", 1));
    let p = load_pack(dir.path()).into_result().unwrap();
    let kp = p.kp("marketing.acos").unwrap();
    assert_eq!((kp.bkt.p_init, kp.bkt.p_slip), (0.5, 0.05));
    let dir = broken(file, |t| t.replacen("sources = [", "bkt = { p_slip = 0.6, p_guess = 0.5 }\nsources = [", 1));
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].contains("p_slip + p_guess must be below 1"), "{}", d[0]);
}

#[test]
fn every_free_text_question_has_graded_examples_and_a_bad_one_is_reported_at_its_line() {
    use crossway_content::ExampleGrade as G;
    let pack = load_pack(&shipped()).into_result().unwrap();
    let has_chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let free: Vec<_> = pack
        .items
        .iter()
        .chain(pack.simulations.iter().flat_map(|s| &s.steps))
        .filter_map(|i| match &i.body {
            ItemBody::FreeText { examples, .. } => Some((i, examples)),
            _ => None,
        })
        .collect();
    assert!(free.len() >= 60, "{} free-text questions", free.len());
    for (item, examples) in &free {
        let grades: Vec<G> = examples.iter().map(|e| e.grade).collect();
        assert!(
            grades.contains(&G::Correct)
                && grades.contains(&G::PartlyCorrect)
                && grades.iter().any(|g| matches!(g, G::Incorrect | G::Contradictory)),
            "{}: {grades:?}",
            item.id
        );
        for e in examples.iter() {
            assert!(!e.text.en.trim().is_empty() && has_chinese(&e.text.zh_cn), "{}: {:?}", item.id, e.text);
        }
    }

    let file = "items/costing.toml";
    let needle = r#"{ grade = "partly_correct", en = "FCA, because"#;
    let line = line_with(file, needle);
    let dir = broken(file, |t| t.replacen(needle, r#"{ grade = "mostly_right", en = "FCA, because"#, 1));
    assert_eq!(
        diags(dir.path()),
        [format!("{file}:{line}: item `costing.incoterms.choose-rule`: example grade `mostly_right` is not one of correct, partly_correct, contradictory, incorrect")]
    );
    // An example that is the reference answer word for word teaches the grader nothing.
    let dir = broken(file, |t| {
        let reference = t.lines().find(|l| l.starts_with("reference = { en = \"Use FCA")).unwrap();
        let en = reference.split("en = \"").nth(1).unwrap().split("\", zh-CN").next().unwrap();
        let example = t.lines().find(|l| l.contains(needle)).unwrap();
        t.replacen(example, &format!(r#"  {{ grade = "partly_correct", en = "{en}", zh-CN = "选 FCA。" }},"#), 1)
    });
    assert_eq!(
        diags(dir.path()),
        [format!("{file}:{line}: item `costing.incoterms.choose-rule`: an example copies the reference answer; write it in a learner's own words")]
    );
}

#[test]
fn the_describe_vocabulary_names_every_role_and_module_and_checks_its_kps() {
    let pack = crossway_content::load_pack(&shipped()).into_result().unwrap();
    let v = &pack.vocabulary;
    assert_eq!(v.roles.len(), pack.roles.len());
    assert_eq!(v.modules.len(), pack.modules.len());
    for t in v.roles.iter().chain(&v.modules).chain(&v.platforms).chain(&v.markets) {
        assert!(!t.aliases.en.is_empty() && !t.aliases.zh.is_empty(), "{}: aliases in both languages", t.id);
    }
    assert!(v.platform("tiktok-shop").is_some_and(|p| p.kps.iter().all(|k| pack.kp(k).is_some())));
    assert!(v.market("eu").is_some_and(|m| m.kps.contains(&"compliance.eu-vat-ioss".to_string())));
    // A platform that lists a KP the pack lacks, and an empty alias, are named with their line.
    let dir = tempfile::tempdir().unwrap();
    crossway_content::copy_tree(&shipped(), dir.path()).unwrap();
    let manifest = dir.path().join("pack.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen("kps = [\"marketing.social-influencer\"", "kps = [\"marketing.no-such-kp\"", 1);
    let text = text.replacen("aliases = { en = [\"", "aliases = { en = [\"\", \"", 1);
    std::fs::write(&manifest, text).unwrap();
    let errors: Vec<String> =
        crossway_content::load_pack(dir.path()).into_result().unwrap_err().iter().map(|d| d.to_string()).collect();
    assert!(
        errors.iter().any(|e| e.contains("pack.toml:") && e.contains("unknown knowledge point `marketing.no-such-kp`")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("pack.toml:") && e.contains("an empty `en` alias")), "{errors:?}");
}

#[test]
fn links_special_files_huge_files_and_dot_ids_are_refused_with_their_path() {
    let outside = tempfile::tempdir().unwrap();
    let lesson = "kps/foundations.platforms.md";
    fs::copy(shipped().join(lesson), outside.path().join("stolen.md")).unwrap();
    let dir = broken("pack.toml", |t| t.replacen("id = \"cbec-core\"", "id = \"..\"", 1));
    let root = dir.path();
    // A lesson that is a link to /dev/zero (read until memory runs out before), one that links
    // outside the pack, a FIFO among the items (validation hung on it), a 3 MiB lesson.
    fs::remove_file(root.join(lesson)).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join(lesson)).unwrap();
    let linked = "kps/foundations.what-is-cbec.md";
    fs::remove_file(root.join(linked)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("stolen.md"), root.join(linked)).unwrap();
    let fifo = root.join("items/zz-pipe.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let huge = "kps/marketing.acos.md";
    let mut text = fs::read_to_string(root.join(huge)).unwrap();
    while text.len() <= 3 << 20 {
        text.push_str("\nA long line of lesson text that repeats. 一行重复的课文。");
    }
    fs::write(root.join(huge), text).unwrap();
    let d = diags(root);
    let has = |prefix: &str, words: &str| d.iter().any(|l| l.starts_with(prefix) && l.contains(words));
    assert!(has("pack.toml:", "pack id `..` must start with a lowercase ASCII letter or digit"), "{d:#?}");
    assert!(has(&format!("{lesson}:1: "), "is a symbolic link"), "{d:#?}");
    assert!(has(&format!("{linked}:1: "), "is a symbolic link"), "{d:#?}");
    assert!(has("items/zz-pipe.toml:1: ", "is not a plain file"), "{d:#?}");
    assert!(has(&format!("{huge}:1: "), "more than the 2 MiB"), "{d:#?}");
}
