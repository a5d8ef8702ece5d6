//! The pack's own words beside a missed rubric point: for each, the lesson sentence that says most
//! about it (shown whether or not the model's explanation passed its checks).

use std::collections::HashSet;

use crossway_tutor::checks::{content_units, sentences};
use serde::Serialize;

/// The sentences of a lesson's Markdown as plain text (a table row is one sentence, its cells
/// joined by " — "); fragments with fewer than 4 content units (headings, table heads) are
/// left out.
pub fn lesson_sentences(markdown: &str, lang: &str) -> Vec<String> {
    let zh = lang == "zh-CN";
    let mut out = Vec::new();
    for block in crossway_content::render::plain_blocks(markdown) {
        // A block has no line breaks (soft breaks become spaces), so these are its sentences.
        out.extend(sentences(&block).into_iter().filter(|s| content_units(s, zh).len() >= 4));
    }
    out
}

/// A missed rubric point and the lesson sentence that says most about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LessonNote {
    pub point: String,
    /// `None` when no lesson sentence shares a content word with the point.
    pub lesson: Option<String>,
}

/// For each missed point, the lesson sentence whose content units (en words of ≥ 4 letters, zh
/// bigrams) shared with the point weigh the most, each weighted by its rarity in the lesson
/// (inverse sentence frequency: "organic" counts more than "sales" in a lesson on ad metrics);
/// ties go to the longer sentence (more context: prose over a table row), then the earlier.
pub fn lesson_notes(missed: &[String], lesson_markdown: &str, lang: &str) -> Vec<LessonNote> {
    let zh = lang == "zh-CN";
    let sentences: Vec<(String, HashSet<String>)> = lesson_sentences(lesson_markdown, lang)
        .into_iter()
        .map(|s| {
            let units = content_units(&s, zh).into_iter().collect();
            (s, units)
        })
        .collect();
    let n = sentences.len() as f64;
    let weight = |u: &String| {
        let df = sentences.iter().filter(|(_, units)| units.contains(u)).count() as f64;
        ((n + 1.0) / (df + 0.5)).ln()
    };
    missed
        .iter()
        .map(|point| {
            let want: HashSet<String> = content_units(point, zh).into_iter().collect();
            let mut best: Option<(f64, &String)> = None;
            for (s, units) in &sentences {
                let mut shared: Vec<&String> = units.intersection(&want).collect();
                shared.sort(); // a fixed order: the same sum to the last bit on every run
                let score: f64 = shared.into_iter().map(weight).sum();
                let better = match best {
                    None => score > 0.0,
                    Some((b, bs)) => score > b + 1e-9 || (score > b - 1e-9 && s.chars().count() > bs.chars().count()),
                };
                if better {
                    best = Some((score, s));
                }
            }
            LessonNote { point: point.clone(), lesson: best.map(|(_, s)| s.clone()) }
        })
        .collect()
}

/// `rubric` with, for each missed point, the lesson sentence that says most about it in each
/// language ([`lesson_notes`]); a point keeps `None` when met, without a lesson, or when either
/// language's lesson has no sentence on it.
pub fn with_lesson_notes(
    mut rubric: Vec<crate::RubricPointDto>,
    lesson: Option<&crossway_core::LocalizedText>,
) -> Vec<crate::RubricPointDto> {
    // Choice and numeric answers (no rubric) and fully met ones parse no lesson.
    let Some(lesson) = lesson.filter(|_| rubric.iter().any(|p| !p.met)) else { return rubric };
    let notes = |lang: &str| {
        let missed: Vec<String> = rubric.iter().filter(|p| !p.met).map(|p| p.text.get(lang).to_string()).collect();
        lesson_notes(&missed, lesson.get(lang), lang)
    };
    let (en, zh) = (notes("en"), notes("zh-CN"));
    for (p, (en, zh)) in rubric.iter_mut().filter(|p| !p.met).zip(en.into_iter().zip(zh)) {
        p.lesson = match (en.lesson, zh.lesson) {
            (Some(en), Some(zh)) => Some(crossway_core::LocalizedText::new(en, zh)),
            _ => None,
        };
    }
    rubric
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missed_point_gets_the_lesson_sentence_that_says_most_about_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core");
        let pack = crossway_content::load_pack(&root).into_result().unwrap();
        let kp = pack.kp("marketing.acos").unwrap();
        for lang in ["en", "zh-CN"] {
            let sentences = lesson_sentences(kp.lesson.get(lang), lang);
            assert!(sentences.len() > 3, "{lang}: {sentences:?}");
            assert!(
                sentences.iter().all(|s| !s.contains("**") && !s.contains("](")),
                "{lang}: markup left: {sentences:?}"
            );
            // The shipped item's third rubric point: the lesson's ACoS-vs-TACoS paragraph is the
            // sentence on organic sales, not the table row that merely defines TACoS.
            let point = if lang == "en" {
                "Proposes a data check or action (organic rank, total-sales trend, spend)."
            } else {
                "提出数据核查或行动（自然排名、总销售额趋势、广告花费）。"
            };
            let notes = lesson_notes(&[point.to_string(), "zzzz qqqq".to_string()], kp.lesson.get(lang), lang);
            let found = notes[0].lesson.as_deref().unwrap_or_else(|| panic!("{lang}: no sentence for {point}"));
            let want = if lang == "en" { "organic sales may be slipping" } else { "自然销量在下滑" };
            assert!(found.contains(want), "{lang}: {found}");
            assert!(sentences.iter().any(|s| s == found));
            assert_eq!(notes[1].lesson, None, "nothing in the lesson is about nonsense");
        }
    }
}
