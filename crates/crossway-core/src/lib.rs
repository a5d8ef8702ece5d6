//! Crossway's functional core: the domain types and pure logic of the learner model and the path.
//!
//! Invariant: this crate does no IO, reads no clock and knows nothing of SQL, files, Tauri or the
//! LLM. Time, when needed, is passed in.

pub mod class;
pub mod graph;
pub mod indicators;
pub mod itemstats;
pub mod kt;
pub mod mastery;
pub mod methods;
pub mod placement;
pub mod planner;
pub mod retention;
pub mod role;
pub mod simscore;
pub mod simulate;
pub mod synth;
pub mod text;

pub use graph::{GraphError, KnowledgeGraph, KpNode};
pub use mastery::{BktParams, Mastery};
pub use planner::{diff_paths, plan, Action, FactRefresh, Moved, Path, PathDiff, PlanInput, Reason, Signals, Step};
pub use role::{Level, Role, SkillRequirement};
pub use text::LocalizedText;
