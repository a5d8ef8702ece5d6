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
    pub graph: KnowledgeGraph,
}

impl Pack {
    pub fn kp(&self, id: &str) -> Option<&KnowledgePoint> {
        self.kps.iter().find(|k| k.id == id)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn items_for<'a>(&'a self, kp: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.kp == kp)
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
    pub lesson: LocalizedText,
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
