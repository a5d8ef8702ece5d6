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
    /// Every fact added, removed, changed or re-checked, once each, with its home KP.
    pub facts_changed: Vec<FactChange>,
    /// True when any fact was changed or added (not only re-checked or removed): learners who had
    /// mastered a KP showing it get a refresh review.
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
    /// The fact's home KP (in the new version; in the old one for a removed fact).
    pub kp: String,
    pub fact: String,
    /// `added`, `removed`, `changed` (its text, value or source) or `rechecked` (only its
    /// last-checked date moved: nothing for a learner to relearn).
    pub change: String,
    pub old_as_of: Option<String>,
    pub new_as_of: Option<String>,
    pub old_text_en: Option<String>,
    pub new_text_en: Option<String>,
    /// The other KPs that show the fact (they use it, or in a format-1 pack declare it too):
    /// their learners get the refresh review as well.
    pub shown_in: Vec<String>,
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
    check("facts", o.facts != n.facts || o.uses_facts != n.uses_facts);
    check("bkt", o.bkt != n.bkt);
    f
}

/// Each fact by id: where it is declared (a format-2 pack: once, its home; a format-1 pack may
/// declare an id in several KPs) and which KPs use it from elsewhere.
type Homes<'a> = BTreeMap<&'a str, (Vec<(&'a str, &'a Fact)>, Vec<&'a str>)>;

fn fact_homes(p: &Pack) -> Homes<'_> {
    let mut out: Homes<'_> = BTreeMap::new();
    for k in &p.kps {
        for f in &k.facts {
            out.entry(f.id.as_str()).or_default().0.push((k.id.as_str(), f));
        }
    }
    for k in &p.kps {
        for id in &k.uses_facts {
            if let Some(e) = out.get_mut(id.as_str()) {
                e.1.push(k.id.as_str());
            }
        }
    }
    out
}

/// Every fact added, removed, changed or re-checked — once per fact, not once per KP showing it.
fn fact_changes(old: &Pack, new: &Pack) -> Vec<FactChange> {
    let old_f = fact_homes(old);
    let new_f = fact_homes(new);
    let mut out = Vec::new();
    for (id, (decls, users)) in &new_f {
        let row = |change: &str, kp: &str, o: Option<&Fact>, n: &Fact, also: &[&str]| {
            let mut shown_in: Vec<String> =
                also.iter().chain(users).filter(|k| **k != kp).map(|k| k.to_string()).collect();
            shown_in.sort();
            shown_in.dedup();
            FactChange {
                kp: kp.to_string(),
                fact: id.to_string(),
                change: change.into(),
                old_as_of: o.map(|o| o.as_of.to_string()),
                new_as_of: Some(n.as_of.to_string()),
                old_text_en: o.map(|o| o.text.en.clone()),
                new_text_en: Some(n.text.en.clone()),
                shown_in,
            }
        };
        let Some((old_decls, _)) = old_f.get(id) else {
            let kps: Vec<&str> = decls.iter().map(|(k, _)| *k).collect();
            out.push(row("added", decls[0].0, None, decls[0].1, &kps));
            continue;
        };
        // Each declaration against what the same KP said before (a fact may have moved home
        // when its copies were merged: then against its first old declaration).
        let compared: Vec<(&str, &Fact, &Fact)> = decls
            .iter()
            .map(|(k, n)| (*k, *n, old_decls.iter().find(|(ok, _)| ok == k).unwrap_or(&old_decls[0]).1))
            .collect();
        let changed: Vec<&(&str, &Fact, &Fact)> = compared
            .iter()
            .filter(|(_, n, o)| o.text != n.text || o.value != n.value || o.source != n.source)
            .collect();
        if let Some((kp, n, o)) = changed.first() {
            let kps: Vec<&str> = changed.iter().map(|(k, _, _)| *k).collect();
            out.push(row("changed", kp, Some(o), n, &kps));
        } else if let Some((kp, n, o)) = compared.iter().find(|(_, n, o)| o.as_of != n.as_of) {
            out.push(row("rechecked", kp, Some(o), n, &[]));
        }
    }
    for (id, (decls, users)) in old_f.iter().filter(|(id, _)| !new_f.contains_key(*id)) {
        let (home, o) = decls[0];
        let mut shown_in: Vec<String> =
            decls[1..].iter().map(|(k, _)| *k).chain(users.iter().copied()).map(String::from).collect();
        shown_in.sort();
        shown_in.dedup();
        out.push(FactChange {
            kp: home.to_string(),
            fact: id.to_string(),
            change: "removed".into(),
            old_as_of: Some(o.as_of.to_string()),
            new_as_of: None,
            old_text_en: Some(o.text.en.clone()),
            new_text_en: None,
            shown_in,
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
    let facts_changed = fact_changes(old, new);
    let touches_facts = facts_changed.iter().any(|f| matches!(f.change.as_str(), "changed" | "added"));
    PackDiff { old: pref(old), new: pref(new), kps, items, simulations, facts_changed, touches_facts }
}
