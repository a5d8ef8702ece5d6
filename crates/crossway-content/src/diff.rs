//! Differences between two versions of a pack: what a maintainer reviews before release and what
//! the app uses on update (progress is kept by stable id; changed facts trigger refresh reviews).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Fact, KnowledgePoint, Pack};

/// The shape of `crossway pack diff OLD NEW --json` (docs/cli.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackDiff {
    pub old: PackRef,
    pub new: PackRef,
    pub kps: Changes,
    pub items: Changes,
    pub simulations: Changes,
    /// Every fact added, removed or changed, with the KP it belongs to.
    pub facts_changed: Vec<FactChange>,
    /// True when any fact changed: learners who had mastered those KPs get a refresh review.
    pub touches_facts: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackRef {
    pub id: String,
    pub version: String,
    pub as_of: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<Changed>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    pub id: String,
    /// Which parts differ, e.g. `["lesson", "facts"]`.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactChange {
    pub kp: String,
    pub fact: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub old_as_of: Option<String>,
    pub new_as_of: Option<String>,
    pub old_text_en: Option<String>,
    pub new_text_en: Option<String>,
}

fn changes<T>(old: &[T], new: &[T], id: impl Fn(&T) -> &str, fields: impl Fn(&T, &T) -> Vec<String>) -> Changes {
    let old_by: BTreeMap<&str, &T> = old.iter().map(|x| (id(x), x)).collect();
    let new_by: BTreeMap<&str, &T> = new.iter().map(|x| (id(x), x)).collect();
    let mut c = Changes::default();
    for (k, n) in &new_by {
        match old_by.get(k) {
            None => c.added.push(k.to_string()),
            Some(o) => {
                let f = fields(o, n);
                if !f.is_empty() {
                    c.changed.push(Changed { id: k.to_string(), fields: f });
                }
            }
        }
    }
    c.removed = old_by.keys().filter(|k| !new_by.contains_key(*k)).map(|k| k.to_string()).collect();
    c
}

fn kp_fields(o: &KnowledgePoint, n: &KnowledgePoint) -> Vec<String> {
    let mut f = Vec::new();
    let mut check = |name: &str, differs: bool| {
        if differs {
            f.push(name.to_string());
        }
    };
    check("title", o.title != n.title);
    check("module", o.module != n.module);
    check("prerequisites", o.prerequisites != n.prerequisites);
    check("difficulty", o.difficulty != n.difficulty);
    check("minutes", o.minutes != n.minutes);
    check("sources", o.sources != n.sources);
    check("lesson", o.lesson != n.lesson);
    check("example", o.example != n.example);
    check("discussion", o.discussion != n.discussion);
    check("workshop", o.workshop != n.workshop);
    check("facts", o.facts != n.facts);
    check("bkt", o.bkt != n.bkt);
    f
}

fn fact_changes(kp: &str, old: &[Fact], new: &[Fact]) -> Vec<FactChange> {
    let mut out = Vec::new();
    for n in new {
        match old.iter().find(|o| o.id == n.id) {
            None => out.push(FactChange {
                kp: kp.into(),
                fact: n.id.clone(),
                change: "added".into(),
                old_as_of: None,
                new_as_of: Some(n.as_of.to_string()),
                old_text_en: None,
                new_text_en: Some(n.text.en.clone()),
            }),
            Some(o) if o != n => out.push(FactChange {
                kp: kp.into(),
                fact: n.id.clone(),
                change: "changed".into(),
                old_as_of: Some(o.as_of.to_string()),
                new_as_of: Some(n.as_of.to_string()),
                old_text_en: Some(o.text.en.clone()),
                new_text_en: Some(n.text.en.clone()),
            }),
            Some(_) => {}
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
        out.push(FactChange {
            kp: kp.into(),
            fact: o.id.clone(),
            change: "removed".into(),
            old_as_of: Some(o.as_of.to_string()),
            new_as_of: None,
            old_text_en: Some(o.text.en.clone()),
            new_text_en: None,
        });
    }
    out
}

/// Compares two loaded packs.
pub fn diff_packs(old: &Pack, new: &Pack) -> PackDiff {
    let pref = |p: &Pack| PackRef {
        id: p.manifest.id.clone(),
        version: p.manifest.version.clone(),
        as_of: p.manifest.as_of.to_string(),
    };
    let kps = changes(&old.kps, &new.kps, |k| &k.id, kp_fields);
    let items = changes(
        &old.items,
        &new.items,
        |i| &i.id,
        |o, n| {
            let mut f = Vec::new();
            if o.stem != n.stem {
                f.push("stem".to_string());
            }
            if o.explanation != n.explanation {
                f.push("explanation".to_string());
            }
            if o.body != n.body {
                f.push("answer".to_string());
            }
            if o.kp != n.kp {
                f.push("kp".to_string());
            }
            f
        },
    );
    let simulations = changes(
        &old.simulations,
        &new.simulations,
        |s| &s.id,
        |o, n| if o == n { Vec::new() } else { vec!["content".to_string()] },
    );
    let mut facts_changed = Vec::new();
    for n in &new.kps {
        let old_facts = old.kp(&n.id).map(|o| o.facts.as_slice()).unwrap_or(&[]);
        facts_changed.extend(fact_changes(&n.id, old_facts, &n.facts));
    }
    for o in old.kps.iter().filter(|o| new.kp(&o.id).is_none()) {
        facts_changed.extend(fact_changes(&o.id, &o.facts, &[]));
    }
    let touches_facts = !facts_changed.is_empty();
    PackDiff { old: pref(old), new: pref(new), kps, items, simulations, facts_changed, touches_facts }
}
