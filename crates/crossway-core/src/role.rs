use serde::{Deserialize, Serialize};

use crate::text::LocalizedText;

/// A required proficiency on a knowledge point: 1 = can follow it, 2 = can apply it,
/// 3 = can apply it reliably without help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Level(pub u8);

impl Level {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 3;

    /// The mastery probability a learner must reach to meet this level.
    pub fn mastery_threshold(self) -> f64 {
        match self.0 {
            0 | 1 => 0.6,
            2 => 0.8,
            _ => 0.95,
        }
    }
}

/// A job a learner trains for, e.g. "Amazon operations", with the skills it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    pub title: LocalizedText,
    pub requires: Vec<SkillRequirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillRequirement {
    pub kp: String,
    pub level: Level,
}
