use std::fmt;
use std::path::PathBuf;

/// What kind of problem a diagnostic reports (lets `pack stats` count missing translations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagKind {
    /// A file that cannot be read or parsed at all.
    Syntax,
    /// A field with a bad value (empty id, bad date, level out of range, …).
    Field,
    /// A reference to an id that does not exist, or a duplicate id.
    Reference,
    /// Prerequisites that form a cycle.
    Cycle,
    /// A learner-facing string missing in one of the locales.
    MissingTranslation,
    /// Markdown holding raw HTML, which the sanitizer would strip.
    UnsafeMarkdown,
    /// Markdown that would render wrongly (e.g. emphasis markers left as literal asterisks).
    Formatting,
}

/// One problem in a pack, located at a file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub kind: DiagKind,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// 1-based line number of byte `offset` in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
