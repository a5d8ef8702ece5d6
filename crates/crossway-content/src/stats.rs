use serde::Serialize;

use crate::load::LoadOutcome;
use crate::LOCALES;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub modules: usize,
    pub knowledge_points: usize,
    pub lessons: usize,
    pub roles: usize,
    pub choice: usize,
    pub numeric: usize,
    pub free_text: usize,
    pub simulations: usize,
    pub facts: usize,
    pub missing_translations: usize,
}

/// The shape of `crossway pack stats --json` (see docs/cli.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackStats {
    pub modules: usize,
    pub knowledge_points: usize,
    pub lessons: usize,
    pub roles: usize,
    pub items: ItemCounts,
    pub simulations: usize,
    /// Changeable facts declared (each once, in its home KP, in a format-2 pack).
    pub facts: usize,
    pub locales: Vec<String>,
    pub missing_translations: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemCounts {
    pub choice: usize,
    pub numeric: usize,
    pub free_text: usize,
}

impl PackStats {
    /// Counts what was read, whether or not the pack is valid.
    pub fn of(outcome: &LoadOutcome) -> Self {
        let c = outcome.counts;
        PackStats {
            modules: c.modules,
            knowledge_points: c.knowledge_points,
            lessons: c.lessons,
            roles: c.roles,
            items: ItemCounts { choice: c.choice, numeric: c.numeric, free_text: c.free_text },
            simulations: c.simulations,
            facts: c.facts,
            locales: LOCALES.iter().map(|s| s.to_string()).collect(),
            missing_translations: c.missing_translations,
        }
    }
}
