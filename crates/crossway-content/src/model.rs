use std::path::PathBuf;

use chrono::NaiveDate;
use crossway_core::{KnowledgeGraph, LocalizedText, Role};

use crate::item::Item;

/// A loaded, validated content pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub modules: Vec<Module>,
    pub kps: Vec<KnowledgePoint>,
    pub items: Vec<Item>,
    pub roles: Vec<Role>,
    pub sources: Vec<Source>,
    pub simulations: Vec<Simulation>,
    pub graph: KnowledgeGraph,
    /// What a learner's self-description may be read into (empty when the pack has none).
    pub vocabulary: crate::vocabulary::Vocabulary,
}

impl Pack {
    pub fn kp(&self, id: &str) -> Option<&KnowledgePoint> {
        self.kps.iter().find(|k| k.id == id)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// An item, or a simulation step (steps are items too, answered inside a run).
    pub fn item_or_step(&self, id: &str) -> Option<&Item> {
        self.item(id).or_else(|| self.simulations.iter().flat_map(|s| s.steps.iter()).find(|s| s.id == id))
    }

    pub fn items_for<'a>(&'a self, kp: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.kp == kp)
    }

    /// A fact by its id, with the KP it is declared in (its home). In a format-1 pack an id may
    /// be declared in several KPs; this is the first.
    pub fn fact(&self, id: &str) -> Option<(&KnowledgePoint, &Fact)> {
        self.kps.iter().find_map(|k| k.facts.iter().find(|f| f.id == id).map(|f| (k, f)))
    }

    /// The facts a KP shows: its own, then the ones it uses from other KPs.
    pub fn facts_shown<'a>(&'a self, kp: &'a KnowledgePoint) -> impl Iterator<Item = &'a Fact> + 'a {
        kp.facts.iter().chain(kp.uses_facts.iter().filter_map(|id| self.fact(id).map(|(_, f)| f)))
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    pub as_of: NaiveDate,
    pub licence: String,
    pub authors: Vec<String>,
    pub changelog: Vec<ChangeEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEntry {
    pub version: String,
    pub date: NaiveDate,
    pub notes: LocalizedText,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub id: String,
    pub title: LocalizedText,
}

/// A knowledge point with its lesson (Markdown source in both locales).
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgePoint {
    pub id: String,
    pub module: String,
    pub title: LocalizedText,
    pub prerequisites: Vec<String>,
    pub difficulty: u8,
    pub minutes: u32,
    pub sources: Vec<String>,
    /// Markdown in both locales: the lesson, a worked example, a study-group prompt and an
    /// offline workshop activity.
    pub lesson: LocalizedText,
    pub example: LocalizedText,
    pub discussion: LocalizedText,
    pub workshop: LocalizedText,
    /// Facts that can change, each with its source and date: the ones whose home is this KP.
    pub facts: Vec<Fact>,
    /// Facts whose home is another KP that this lesson relies on (its `uses_facts`, and every
    /// `{{fact:ID}}` in its lesson, its items and its simulation steps), sorted: shown in its
    /// fact box, and a change to one is a change for this KP's learners too.
    pub uses_facts: Vec<String>,
    /// Mastery-model parameters for this KP: the pack's priors, or defaults derived from difficulty.
    pub bkt: crossway_core::BktParams,
    /// The lesson file, relative to the pack root.
    pub file: PathBuf,
}

/// A publication a lesson's facts come from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub urls: Vec<String>,
}

/// A fact that can change (a rate, threshold, date or rule), dated and sourced.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fact {
    pub id: String,
    pub text: LocalizedText,
    pub source: String,
    /// The date the fact was last checked against its source (event dates are in the text).
    pub as_of: NaiveDate,
    /// What `{{fact:ID}}` shows in a lesson or item, when the fact has one (a rate, an amount).
    pub value: Option<LocalizedText>,
}

/// A multi-step practice task with data tables; each step is an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub id: String,
    pub title: LocalizedText,
    /// The knowledge points it exercises.
    pub kps: Vec<String>,
    /// A fluent learner's time, the yardstick for efficiency.
    pub minutes: u32,
    /// Markdown in both locales.
    pub brief: LocalizedText,
    pub tables: Vec<DataTable>,
    pub steps: Vec<Item>,
    pub scoring: Scoring,
    pub file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DataTable {
    pub id: String,
    pub caption: LocalizedText,
    pub columns: Vec<LocalizedText>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Cell {
    Plain(String),
    Text(LocalizedText),
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scoring {
    pub accuracy_weight: f64,
    pub efficiency_weight: f64,
}

impl Default for Scoring {
    fn default() -> Self {
        Self { accuracy_weight: 0.8, efficiency_weight: 0.2 }
    }
}
