//! One home per fact. A changeable fact (a rate, a threshold, a rule) is declared once, in the
//! front matter of the KP it belongs to; lessons, items and simulations anywhere in the pack show
//! its value by writing `{{fact:ID}}`, and a KP that relies on it without showing the value names
//! it in `uses_facts`. An update then changes the fact in one place and every place that shows
//! it follows; the KPs that use it show it in their fact box and get the refresh review.
//!
//! In a format-2 pack fact ids are unique across the pack: a second declaration is refused, and
//! the message says whether the two disagree. Format-1 packs (1.0.0 and older) declared the same
//! fact in several KPs; they still load, but a `{{fact:ID}}` may not name such a fact.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crossway_core::LocalizedText;

use crate::diagnostic::{DiagKind, Diagnostic};
use crate::item::{Item, ItemBody};
use crate::load::ReadKp;
use crate::model::{Cell, Simulation};

const OPEN: &str = "{{fact:";
const CLOSE: &str = "}}";

/// Where a fact is declared.
struct Decl {
    kp: String,
    file: PathBuf,
    line: usize,
    text: LocalizedText,
    value: Option<LocalizedText>,
}

/// Checks fact homes and references and replaces every `{{fact:ID}}` in the pack's text with the
/// fact's value. Fills in each KP's `uses_facts`.
pub(crate) fn resolve(
    root: &Path,
    format: i64,
    some_kp_unreadable: bool,
    kps: &mut [(ReadKp, usize)],
    items: &mut [(Item, PathBuf, usize)],
    sims: &mut [(Simulation, PathBuf, usize)],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut decls: BTreeMap<String, Vec<Decl>> = BTreeMap::new();
    for (k, _) in kps.iter() {
        for (f, line) in k.kp.facts.iter().zip(&k.fact_lines) {
            decls.entry(f.id.clone()).or_default().push(Decl {
                kp: k.kp.id.clone(),
                file: root.join(&k.kp.file),
                line: *line,
                text: f.text.clone(),
                value: f.value.clone(),
            });
        }
    }
    if format >= 2 {
        for (id, ds) in &decls {
            let home = &ds[0];
            for d in &ds[1..] {
                let how = if d.text == home.text && d.value == home.value {
                    "again"
                } else {
                    "again with a different text or value"
                };
                diags.push(Diagnostic {
                    path: d.file.clone(),
                    line: d.line,
                    kind: DiagKind::Reference,
                    message: format!(
                        "fact `{id}` is stated {how}: its home is {}:{} (KP `{}`); a fact has one home — delete this \
                         declaration and list it in `uses_facts`, or write {{{{fact:{id}}}}} where its value belongs",
                        home.file.display(),
                        home.line,
                        home.kp
                    ),
                });
            }
        }
    }

    // Every text in the pack, with the KP whose learners see it and the file it is written in.
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut replace = |users: &[String], file: &Path, text: &mut LocalizedText, diags: &mut Vec<Diagnostic>| {
        for (loc, s) in [("en", &mut text.en), ("zh-CN", &mut text.zh_cn)] {
            if !s.contains(OPEN) {
                continue;
            }
            let mut out = String::with_capacity(s.len());
            let mut rest = s.as_str();
            while let Some(at) = rest.find(OPEN) {
                out.push_str(&rest[..at]);
                let after = &rest[at + OPEN.len()..];
                let Some(end) = after.find(CLOSE) else {
                    diags.push(at_text(file, &rest[at..], "`{{fact:` is not closed by `}}`".into()));
                    out.push_str(&rest[at..]);
                    rest = "";
                    break;
                };
                let id = &after[..end];
                let written = &rest[at..at + OPEN.len() + end + CLOSE.len()];
                rest = &after[end + CLOSE.len()..];
                match decls.get(id).map(Vec::as_slice) {
                    None | Some([]) => {
                        // A lesson that could not be read may declare it; its problem is said already.
                        if !some_kp_unreadable {
                            diags.push(at_text(
                                file,
                                written,
                                format!("{written}: no fact `{id}` is declared in any KP"),
                            ));
                        }
                        out.push_str(written);
                    }
                    Some([d, ..]) if format < 2 && decls[id].len() > 1 => {
                        diags.push(at_text(
                            file,
                            written,
                            format!(
                                "{written}: fact `{id}` is declared in {} KPs (first in `{}`); set `format = 2` in pack.toml \
                                 and give it one home",
                                decls[id].len(),
                                d.kp
                            ),
                        ));
                        out.push_str(written);
                    }
                    Some([d, ..]) => match &d.value {
                        Some(v) => {
                            out.push_str(v.get(loc));
                            for kp in users.iter().filter(|k| **k != d.kp) {
                                used.entry(kp.clone()).or_default().insert(id.to_string());
                            }
                        }
                        None => {
                            diags.push(at_text(
                                file,
                                written,
                                format!(
                                    "{written}: fact `{id}` has no `value` to show; add `value = \"…\"` to it at {}:{}",
                                    d.file.display(),
                                    d.line
                                ),
                            ));
                            out.push_str(written);
                        }
                    },
                }
            }
            out.push_str(rest);
            *s = out;
        }
    };

    for (k, _) in kps.iter_mut() {
        let users = [k.kp.id.clone()];
        let file = root.join(&k.kp.file);
        for part in [&mut k.kp.title, &mut k.kp.lesson, &mut k.kp.example, &mut k.kp.discussion, &mut k.kp.workshop] {
            replace(&users, &file, part, &mut diags);
        }
    }
    for (item, file, _) in items.iter_mut() {
        let users = [item.kp.clone()];
        for_each_text(item, &mut |t| replace(&users, file, t, &mut diags));
    }
    for (sim, file, _) in sims.iter_mut() {
        // The brief and the tables are read by the learners of every KP the simulation exercises.
        let users = sim.kps.clone();
        replace(&users, file, &mut sim.title, &mut diags);
        replace(&users, file, &mut sim.brief, &mut diags);
        for table in &mut sim.tables {
            replace(&users, file, &mut table.caption, &mut diags);
            for c in &mut table.columns {
                replace(&users, file, c, &mut diags);
            }
            for cell in table.rows.iter_mut().flatten() {
                match cell {
                    Cell::Text(t) => replace(&users, file, t, &mut diags),
                    Cell::Plain(p) if p.contains(OPEN) => {
                        let mut t = LocalizedText::new(p.clone(), p.clone());
                        replace(&users, file, &mut t, &mut diags);
                        *cell = if t.en == t.zh_cn { Cell::Plain(t.en) } else { Cell::Text(t) };
                    }
                    Cell::Plain(_) => {}
                }
            }
        }
        for step in &mut sim.steps {
            let users = [step.kp.clone()];
            for_each_text(step, &mut |t| replace(&users, file, t, &mut diags));
        }
    }

    for (k, _) in kps.iter_mut() {
        let own: BTreeSet<&str> = k.kp.facts.iter().map(|f| f.id.as_str()).collect();
        let mut uses: BTreeSet<String> = used.remove(&k.kp.id).unwrap_or_default();
        for (id, line) in &k.uses_facts {
            let file = root.join(&k.kp.file);
            if own.contains(id.as_str()) {
                diags.push(Diagnostic {
                    path: file,
                    line: *line,
                    kind: DiagKind::Reference,
                    message: format!("uses_facts: `{id}` is declared in this KP already"),
                });
            } else if !decls.contains_key(id) {
                if some_kp_unreadable {
                    continue;
                }
                diags.push(Diagnostic {
                    path: file,
                    line: *line,
                    kind: DiagKind::Reference,
                    message: format!("uses_facts: no fact `{id}` is declared in any KP"),
                });
            } else {
                uses.insert(id.clone());
            }
        }
        k.kp.uses_facts = uses.into_iter().filter(|u| !own.contains(u.as_str())).collect();
    }
    diags
}

/// A diagnostic at the first line of `file` that holds `written`.
fn at_text(file: &Path, written: &str, message: String) -> Diagnostic {
    let line = fs::read_to_string(file)
        .ok()
        .and_then(|t| t.find(written).map(|at| t[..at].matches('\n').count() + 1))
        .unwrap_or(1);
    Diagnostic { path: file.to_path_buf(), line, kind: DiagKind::Reference, message }
}

/// Every learner-facing text of an item.
fn for_each_text(item: &mut Item, f: &mut impl FnMut(&mut LocalizedText)) {
    f(&mut item.stem);
    if let Some(t) = &mut item.explanation {
        f(t);
    }
    if let Some(t) = &mut item.hint {
        f(t);
    }
    match &mut item.body {
        ItemBody::Choice { options } => {
            for o in options {
                f(&mut o.text);
                if let Some(w) = &mut o.why {
                    f(w);
                }
            }
        }
        ItemBody::Numeric { wrong_answers, .. } => {
            for w in wrong_answers {
                f(&mut w.why);
            }
        }
        ItemBody::FreeText { reference, rubric, examples } => {
            f(reference);
            for p in rubric {
                f(p);
            }
            for e in examples {
                f(&mut e.text);
            }
        }
    }
}
