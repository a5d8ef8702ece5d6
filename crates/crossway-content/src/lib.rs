//! Content packs: the on-disk format (a TOML manifest, Markdown lessons with TOML front matter,
//! TOML item files), its validation with `path:line: message` diagnostics, the sanitized HTML
//! rendering of lessons, and pack statistics. Pure apart from reading the pack's own files.
//!
//! The format is documented in `docs/content-pack-format.md`.

pub mod diagnostic;
pub mod item;
mod load;
pub mod model;
pub mod render;
pub mod stats;

pub use diagnostic::{DiagKind, Diagnostic};
pub use item::{Answer, ChoiceOption, Item, ItemBody, Verdict, WrongAnswer};
pub use load::{load_pack, LoadOutcome};
pub use model::{ChangeEntry, KnowledgePoint, Manifest, Module, Pack, Source};
pub use render::render_markdown;
pub use stats::PackStats;

/// The locales every learner-facing string must exist in.
pub const LOCALES: [&str; 2] = ["en", "zh-CN"];
