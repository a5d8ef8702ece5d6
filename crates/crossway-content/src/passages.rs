//! A pack cut into passages a learner's question can be answered from (issue #15): each lesson
//! part split at its headings, each dated fact, and each item's explanation (with its question,
//! and a free-text item's reference answer). Plain text only — the author's words without markup
//! or URLs — in one language each, with the KP, the source and the "as of" date to show beside it.
//!
//! Pure: the search index over these passages lives in `crossway-store` (SQLite FTS5).

use chrono::NaiveDate;

use crate::item::ItemBody;
use crate::model::{KnowledgePoint, Pack};
use crate::render::plain_blocks;

/// What part of the pack a passage comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassageKind {
    Lesson,
    Example,
    Discussion,
    Workshop,
    Fact,
    Item,
}

impl PassageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Lesson => "lesson",
            PassageKind::Example => "example",
            PassageKind::Discussion => "discussion",
            PassageKind::Workshop => "workshop",
            PassageKind::Fact => "fact",
            PassageKind::Item => "item",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Lesson, Self::Example, Self::Discussion, Self::Workshop, Self::Fact, Self::Item]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One passage in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub kp: String,
    pub kind: PassageKind,
    /// "en" or "zh-CN".
    pub lang: &'static str,
    /// The section heading it sits under, the fact id or the item id ("" when none).
    pub heading: String,
    pub text: String,
    /// The source id (a fact's own source; for lessons and items the KP's first source).
    pub source: Option<String>,
    /// The fact's date; for lessons and items the pack's "as of" date.
    pub as_of: NaiveDate,
}

/// Every passage of `pack`, in pack order.
pub fn passages(pack: &Pack) -> Vec<Passage> {
    let mut out = Vec::new();
    for kp in &pack.kps {
        for lang in crate::LOCALES {
            kp_passages(pack, kp, lang, &mut out);
        }
    }
    out
}

fn kp_passages(pack: &Pack, kp: &KnowledgePoint, lang: &'static str, out: &mut Vec<Passage>) {
    let source = kp.sources.first().cloned();
    let as_of = pack.manifest.as_of;
    let parts = [
        (PassageKind::Lesson, &kp.lesson),
        (PassageKind::Example, &kp.example),
        (PassageKind::Discussion, &kp.discussion),
        (PassageKind::Workshop, &kp.workshop),
    ];
    for (kind, text) in parts {
        for (heading, body) in sections(text.get(lang)) {
            out.push(Passage { kp: kp.id.clone(), kind, lang, heading, text: body, source: source.clone(), as_of });
        }
    }
    for fact in &kp.facts {
        out.push(Passage {
            kp: kp.id.clone(),
            kind: PassageKind::Fact,
            lang,
            heading: fact.id.clone(),
            text: fact.text.get(lang).to_string(),
            source: Some(fact.source.clone()),
            as_of: fact.as_of,
        });
    }
    for item in pack.items_for(&kp.id) {
        let mut parts = vec![item.stem.get(lang)];
        parts.extend(item.explanation.as_ref().map(|e| e.get(lang)));
        if let ItemBody::FreeText { reference, .. } = &item.body {
            parts.push(reference.get(lang));
        }
        if parts.len() == 1 {
            continue; // a question alone answers nothing
        }
        let text = parts.into_iter().flat_map(plain_blocks).collect::<Vec<_>>().join(" ");
        out.push(Passage {
            kp: kp.id.clone(),
            kind: PassageKind::Item,
            lang,
            heading: item.id.clone(),
            text,
            source: source.clone(),
            as_of,
        });
    }
}

/// Markdown cut at its headings: (heading text, the section's plain text with the heading first).
/// Text before the first heading is a section of its own with an empty heading.
fn sections(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut heading, mut body) = (String::new(), String::new());
    let flush = |heading: &str, body: &str, out: &mut Vec<(String, String)>| {
        let blocks = plain_blocks(body);
        if !blocks.is_empty() {
            out.push((heading.to_string(), blocks.join(" ")));
        }
    };
    for line in markdown.lines() {
        if line.starts_with('#') {
            flush(&heading, &body, &mut out);
            heading = line.trim_start_matches('#').trim().to_string();
            body = format!("{line}\n\n");
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(&heading, &body, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::sections;

    #[test]
    fn a_lesson_is_cut_at_its_headings_and_keeps_no_markup() {
        let s = sections("Intro **bold**.\n\n### Duty\n\nA [link](http://x) and `MPF`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Next\n- one\n- two\n");
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!(s[0], (String::new(), "Intro bold.".to_string()));
        assert_eq!(s[1].0, "Duty");
        assert!(s[1].1.starts_with("Duty A link and MPF."), "{s:?}");
        assert!(!s[1].1.contains("http") && !s[1].1.contains('|'), "{s:?}");
        assert_eq!(s[2], ("Next".to_string(), "Next one two".to_string()));
    }
}
