//! Content packs: the on-disk format (a TOML manifest, Markdown lessons with TOML front matter,
//! TOML item files), its validation with `path:line: message` diagnostics, the sanitized HTML
//! rendering of lessons, and pack statistics. Pure apart from reading the pack's own files.
//!
//! The format is documented in `docs/content-pack-format.md`.

pub mod diagnostic;
pub mod diff;
mod facts;
pub mod formula;
pub mod item;
mod load;
pub mod model;
pub mod passages;
pub mod render;
pub mod stats;
pub mod update;
pub mod vocabulary;

pub use diagnostic::{DiagKind, Diagnostic};
pub use diff::{diff_packs, PackDiff};
pub use item::{Answer, ChoiceOption, ExampleGrade, GradedExample, Item, ItemBody, Verdict, WrongAnswer};
pub use load::{load_pack, plain_file, LoadOutcome, MAX_FILE_BYTES};
pub use model::{
    Cell, ChangeEntry, DataTable, Fact, KnowledgePoint, Manifest, Module, Pack, Scoring, Simulation, Source,
};
pub use passages::{passages, Passage, PassageKind};
pub use render::render_markdown;
pub use stats::PackStats;
pub use update::{copy_tree, materialize_update, UpdateError};
pub use vocabulary::{Aliases, Term, Vocabulary};

/// The locales every learner-facing string must exist in.
pub const LOCALES: [&str; 2] = ["en", "zh-CN"];
