//! One home per fact (format 2): a fact declared once, shown everywhere through `{{fact:ID}}`
//! and `uses_facts`, a second declaration refused — against copies of the real shipped pack.

use std::fs;
use std::path::{Path, PathBuf};

use crossway_content::{diff_packs, load_pack, Pack};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crossway_content::copy_tree(&shipped(), dir.path()).unwrap();
    dir
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(file);
    fs::write(&p, f(fs::read_to_string(&p).unwrap())).unwrap();
}

fn diags(dir: &Path) -> Vec<String> {
    load_pack(dir).diagnostics.iter().map(|d| d.to_string().replace(&format!("{}/", dir.display()), "")).collect()
}

fn line_of(dir: &Path, file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(dir.join(file)).unwrap();
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

/// A fact of the shipped pack that has a value and is written as `{{fact:ID}}` somewhere.
fn a_valued_fact(pack: &Pack) -> (String, String, String) {
    for kp in &pack.kps {
        for f in kp.facts.iter().filter(|f| f.value.is_some()) {
            let placeholder = format!("{{{{fact:{}}}}}", f.id);
            let files: Vec<PathBuf> = ["kps", "items", "simulations"]
                .iter()
                .flat_map(|d| fs::read_dir(shipped().join(d)).unwrap().flatten().map(|e| e.path()))
                .filter(|p| fs::read_to_string(p).unwrap().contains(&placeholder))
                .collect();
            if !files.is_empty() {
                return (kp.id.clone(), f.id.clone(), f.value.as_ref().unwrap().en.clone());
            }
        }
    }
    panic!("the shipped pack shows no fact value through {{{{fact:ID}}}}");
}

#[test]
fn the_shipped_pack_gives_every_fact_one_home_and_shows_values_where_they_are_used() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    let mut seen = std::collections::HashMap::new();
    for kp in &pack.kps {
        for f in &kp.facts {
            assert!(seen.insert(f.id.clone(), kp.id.clone()).is_none(), "fact {} is declared twice", f.id);
        }
    }
    // Nothing is left unreplaced anywhere a learner reads.
    for kp in &pack.kps {
        for t in [&kp.lesson, &kp.example, &kp.discussion, &kp.workshop] {
            assert!(!t.en.contains("{{fact:") && !t.zh_cn.contains("{{fact:"), "{}", kp.id);
        }
        for used in &kp.uses_facts {
            assert!(seen.get(used).is_some_and(|home| home != &kp.id), "{} uses {used}", kp.id);
        }
    }
    let (home, fact, value) = a_valued_fact(&pack);
    let shown: Vec<&str> = pack.kps.iter().filter(|k| k.uses_facts.contains(&fact)).map(|k| k.id.as_str()).collect();
    let text_of = |k: &crossway_content::KnowledgePoint| format!("{} {}", k.lesson.en, k.example.en);
    assert!(
        text_of(pack.kp(&home).unwrap()).contains(&value)
            || shown.iter().any(|k| text_of(pack.kp(k).unwrap()).contains(&value)),
        "{fact}'s value {value} is shown"
    );
}

#[test]
fn changing_a_value_in_its_home_changes_every_place_and_the_diff_names_it_once() {
    let before = load_pack(&shipped()).into_result().unwrap();
    let (home, fact, _) = a_valued_fact(&before);
    let dir = copy();
    let file = before.kp(&home).unwrap().file.to_string_lossy().into_owned();
    let new_value = "99,999 test-units";
    edit(dir.path(), &file, |t| {
        let at = t.find(&format!("id = \"{fact}\"")).unwrap();
        let (head, tail) = t.split_at(at);
        let v = tail.find("value = ").unwrap();
        let end = v + tail[v..].find('\n').unwrap();
        format!("{head}{}value = \"{new_value}\"{}", &tail[..v], &tail[end..])
    });
    let after = load_pack(dir.path()).into_result().unwrap();
    // Every `{{fact:ID}}` a learner reads (in either language) now shows the new value.
    let placeholder = format!("{{{{fact:{fact}}}}}");
    let written: usize = ["kps", "items", "simulations"]
        .iter()
        .flat_map(|d| fs::read_dir(dir.path().join(d)).unwrap().flatten())
        .map(|e| fs::read_to_string(e.path()).unwrap().matches(&placeholder).count())
        .sum();
    let shown = |p: &Pack, needle: &str| {
        let mut s = String::new();
        for k in &p.kps {
            s += &format!("{:?}{:?}{:?}{:?}{:?}", k.title, k.lesson, k.example, k.discussion, k.workshop);
        }
        s += &format!("{:?}{:?}", p.items, p.simulations);
        s.matches(needle).count()
    };
    assert!(written > 0);
    assert_eq!(shown(&after, new_value), written, "each of the {written} places shows the new value");
    assert_eq!(shown(&before, &placeholder), 0, "no placeholder reaches a learner");
    assert_eq!(shown(&before, new_value), 0);
    let d = diff_packs(&before, &after);
    let changes: Vec<_> = d.facts_changed.iter().filter(|f| f.change != "rechecked").collect();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(
        (changes[0].kp.as_str(), changes[0].fact.as_str(), changes[0].change.as_str()),
        (home.as_str(), fact.as_str(), "changed")
    );
    let users: Vec<String> = after.kps.iter().filter(|k| k.uses_facts.contains(&fact)).map(|k| k.id.clone()).collect();
    assert_eq!(changes[0].shown_in, users);
}

#[test]
fn a_fact_stated_in_a_second_kp_is_refused_there_and_names_its_home() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    let home = pack.kps.iter().find(|k| !k.facts.is_empty()).unwrap();
    let f = &home.facts[0];
    let other = pack.kps.iter().find(|k| k.id != home.id).unwrap();
    let other_file = other.file.to_string_lossy().into_owned();
    let dir = copy();
    let block = format!(
        "[[facts]]\nid = \"{}\"\ntext = {{ en = \"{} (restated)\", zh-CN = \"{}（重复）\" }}\nsource = \"{}\"\nas_of = \"2026-12-01\"\n",
        f.id,
        f.text.en.replace('"', "'"),
        f.text.zh_cn.replace('"', "'"),
        f.source
    );
    edit(dir.path(), &other_file, |t| {
        let close = 4 + t[4..].find("\n+++").unwrap();
        format!("{}\n{block}{}", &t[..close], &t[close..])
    });
    let line = line_of(dir.path(), &other_file, &format!("id = \"{}\"", f.id));
    let d = diags(dir.path());
    let want =
        format!("{other_file}:{line}: fact `{}` is stated again with a different text or value: its home is ", f.id);
    assert!(d.iter().any(|x| x.starts_with(&want) && x.contains(&home.file.to_string_lossy().into_owned())), "{d:#?}");
    assert_eq!(d.len(), 1, "{d:#?}");
}

#[test]
fn bad_references_and_values_are_reported_at_their_line() {
    let pack = load_pack(&shipped()).into_result().unwrap();
    let kp = pack.kps.iter().find(|k| k.facts.iter().any(|f| f.value.is_none())).unwrap();
    let plain = kp.facts.iter().find(|f| f.value.is_none()).unwrap().id.clone();
    let file = kp.file.to_string_lossy().into_owned();
    let dir = copy();
    edit(dir.path(), &file, |t| {
        t.replacen(
            "::: lesson en\n",
            "::: lesson en\nSee {{fact:no-such-fact}}.\n\nAnd {{fact:PLAIN}}.\n\nAnd {{fact:unclosed\n",
            1,
        )
        .replacen("PLAIN", &plain, 1)
        .replacen("+++\nid = ", "+++\nuses_facts = [\"nowhere\"]\nid = ", 1)
    });
    // A value that would break the sentence it is put into, on another fact of the pack.
    let (vkp, vfact) = pack
        .kps
        .iter()
        .find_map(|k| k.facts.iter().find(|f| f.id != plain && f.value.is_none()).map(|f| (k, f.id.clone())))
        .unwrap();
    let vfile = vkp.file.to_string_lossy().into_owned();
    edit(dir.path(), &vfile, |t| {
        let at = t.find(&format!("id = \"{vfact}\"")).unwrap();
        let as_of = at + t[at..].find("as_of = ").unwrap();
        format!("{}value = \"a \\\"quoted\\\" value\"\n{}", &t[..as_of], &t[as_of..])
    });
    let d = diags(dir.path());
    let at = |needle: &str| line_of(dir.path(), &file, needle);
    let expect = [
        format!(
            "{file}:{}: {{{{fact:no-such-fact}}}}: no fact `no-such-fact` is declared in any KP",
            at("{{fact:no-such")
        ),
        format!(
            "{file}:{}: {{{{fact:{plain}}}}}: fact `{plain}` has no `value` to show",
            at(&format!("{{{{fact:{plain}}}}}"))
        ),
        format!("{file}:{}: `{{{{fact:` is not closed by `}}}}`", at("{{fact:unclosed")),
        format!("{file}:{}: uses_facts: no fact `nowhere` is declared in any KP", at("uses_facts")),
    ];
    let vline = line_of(dir.path(), &vfile, "value = \"a");
    let bad_value = d.iter().filter(|x| x.starts_with(&format!("{vfile}:{vline}: fact `{vfact}` value: "))).count();
    assert_eq!(bad_value, 1, "said once, at its line: {d:#?}");
    for want in &expect {
        assert!(d.iter().any(|x| x.starts_with(want.as_str())), "missing {want:?} in {d:#?}");
    }
}
