//! The pack format against the real shipped pack and against broken copies of it.

use std::fs;
use std::path::{Path, PathBuf};

use crossway_content::{load_pack, render_markdown, Answer, DiagKind, PackStats};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

/// Copies the shipped pack into a temp dir and applies `edit` to one file.
fn broken(file: &str, edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    let p = dir.path().join(file);
    let text = fs::read_to_string(&p).unwrap();
    fs::write(&p, edit(text)).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The diagnostics as `file:line: message`, with the temp dir stripped.
fn diags(dir: &Path) -> Vec<String> {
    load_pack(dir).diagnostics.iter().map(|d| d.to_string().replace(&format!("{}/", dir.display()), "")).collect()
}

#[test]
fn the_shipped_pack_is_valid_and_bilingual() {
    let outcome = load_pack(&shipped());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let stats = PackStats::of(&outcome);
    let pack = outcome.into_result().unwrap();
    assert_eq!(pack.manifest.id, "cbec-core");
    assert_eq!(stats.knowledge_points, pack.kps.len());
    assert_eq!(stats.missing_translations, 0);
    assert!(stats.roles >= 2 && stats.items.choice >= 4);
    for kp in &pack.kps {
        assert!(!kp.lesson.en.is_empty() && !kp.lesson.zh_cn.is_empty(), "{}", kp.id);
        assert!(
            kp.lesson.zh_cn.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{} zh lesson has no Chinese",
            kp.id
        );
        assert!(render_markdown(&kp.lesson.en).contains("<strong>"));
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

#[test]
fn a_prerequisite_cycle_is_reported_with_its_path() {
    let dir = broken("kps/logistics.volumetric-weight.md", |t| {
        t.replace("difficulty = 1", "prerequisites = [\"logistics.chargeable-weight\"]\ndifficulty = 1")
    });
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].contains("prerequisites form a cycle"), "{}", d[0]);
    assert!(
        d[0].contains("logistics.chargeable-weight → logistics.volumetric-weight")
            || d[0].contains("logistics.volumetric-weight → logistics.chargeable-weight"),
        "{}",
        d[0]
    );
}

#[test]
fn missing_translations_are_counted_and_located() {
    let dir =
        broken("items/marketing.toml", |t| t.replace(", zh-CN = \"这是 ROAS（销售额 ÷ 花费），是 ACoS 的倒数。\"", ""));
    let outcome = load_pack(dir.path());
    assert_eq!(PackStats::of(&outcome).missing_translations, 1);
    let d = diags(dir.path());
    assert_eq!(d, ["items/marketing.toml:16: why: missing `zh-CN` text"]);

    let dir = broken("kps/marketing.acos.md", |t| t.split("::: zh-CN").next().unwrap().to_string());
    let d = diags(dir.path());
    assert_eq!(d, ["kps/marketing.acos.md:2: lesson: missing `::: zh-CN` text"]);
}

#[test]
fn every_problem_gets_file_line_and_message() {
    let dir = broken("pack.toml", |t| {
        t.replace("as_of = \"2026-07-01\"", "as_of = \"July 2026\"")
            .replace("{ kp = \"marketing.acos\", level = 2 }", "{ kp = \"marketing.nope\", level = 7 }")
    });
    let d = diags(dir.path());
    assert!(d.contains(&"pack.toml:4: as_of: `July 2026` is not a date (YYYY-MM-DD)".to_string()), "{d:#?}");
    assert!(
        d.iter().any(|l| l.starts_with("pack.toml:") && l.contains("unknown knowledge point `marketing.nope`")),
        "{d:#?}"
    );
    assert!(d.iter().any(|l| l.contains("level 7 is out of range 1..=3")), "{d:#?}");

    let dir =
        broken("items/logistics.toml", |t| t.replace("kind = \"numeric\"\n", "kind = \"numeric\"\nkp_typo = 1\n"));
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].starts_with("items/logistics.toml:") && d[0].contains("kp_typo"), "{}", d[0]);

    let dir = broken("kps/marketing.acos.md", |t| t.replace("sources = [\"S65\"]", "sources = [\"S99\"]"));
    assert_eq!(
        diags(dir.path()),
        ["kps/marketing.acos.md:2: lesson cites unknown source `S99` (add it to [[sources]] in pack.toml)"]
    );

    let dir =
        broken("kps/marketing.acos.md", |t| t.replace("minutes = 15", "minutes = 15\nprerequisites = [\"ghost\"]"));
    let d = diags(dir.path());
    assert_eq!(d, ["kps/marketing.acos.md:7: unknown prerequisite `ghost`"]);
}

#[test]
fn raw_html_in_a_lesson_is_reported_at_its_line() {
    let dir = broken("kps/marketing.acos.md", |t| {
        t.replace("**Worked example.** A month", "<script>alert(1)</script>\n\n**Worked example.** A month")
    });
    let d = diags(dir.path());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].starts_with("kps/marketing.acos.md:16: raw HTML `<script>"), "{}", d[0]);
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
