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

/// 1-based line number of byte `offset` in `src`. For many lookups in one text use
/// [`LineIndex`] (each call here scans from the start).
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The start of every line of a text, for line numbers in O(log n) per lookup: validation asks
/// for a line per Markdown event and per TOML field, which scanning from the start made
/// quadratic in the file's size (a 1 MB lesson took 10 s, issue #19).
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// 1-based line of byte `offset` (the same as [`line_of`]).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod line_tests {
    use super::{line_of, LineIndex};

    #[test]
    fn the_index_gives_the_same_line_as_a_scan() {
        for text in ["", "a", "a\n", "\n\n", "one\ntwo\n\nfour", "中文\n第二行\n"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(index.line(offset), line_of(text, offset), "{text:?} at {offset}");
            }
        }
    }
}
