//! Word overlap between an answer and its rubric points.
//!
//! [`point_evidence`] is what the words say about one point (coverage, best sentence, negation /
//! number / opposite-word conflicts); [`crate::verdict`] turns it into a calibrated verdict, with or
//! without a model. [`grade`] is the plain overlap rule (a point met at half of its tokens), now
//! only the frame [`grade_with_reference`] fills with the calibrated lexical estimate
//! ([`crate::lexical`], fitted on the eval sets' `train` splits): score, confidence, abstention.

use std::collections::HashSet;

use serde::Serialize;

/// The method name shown with every keyword grade.
pub const METHOD: &str = "keyword";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricGrade {
    /// One verdict per rubric point, in order.
    pub met: Vec<bool>,
    /// Share of rubric points met, in [0, 1].
    pub score: f64,
    /// How far the overlaps are from the decision threshold, in [0, 1].
    pub confidence: f64,
    /// True when the grade should not be trusted without a human look.
    pub abstained: bool,
    pub method: &'static str,
}

const MET_AT: f64 = 0.5;
const ABSTAIN_BELOW: f64 = 0.35;

/// Grades `answer` against the rubric points (all in the answer's language).
pub fn grade(rubric: &[&str], answer: &str) -> RubricGrade {
    let answer_tokens: HashSet<String> = tokens(answer).collect();
    let coverages: Vec<f64> = rubric
        .iter()
        .map(|point| {
            let want: HashSet<String> = tokens(point).collect();
            if want.is_empty() {
                return 0.0;
            }
            want.iter().filter(|t| answer_tokens.contains(*t)).count() as f64 / want.len() as f64
        })
        .collect();
    let met: Vec<bool> = coverages.iter().map(|&c| c >= MET_AT).collect();
    let score = if met.is_empty() { 0.0 } else { met.iter().filter(|&&m| m).count() as f64 / met.len() as f64 };
    let confidence = if coverages.is_empty() {
        0.0
    } else {
        coverages.iter().map(|c| ((c - MET_AT).abs() / MET_AT).min(1.0)).fold(1.0, f64::min)
    };
    let abstained = answer_tokens.len() < 3 || confidence < ABSTAIN_BELOW;
    RubricGrade { met, score, confidence, abstained, method: METHOD }
}

/// Grades like [`grade`] (the same per-point `met` verdicts), but takes the score, confidence and
/// abstention from the calibrated lexical model ([`crate::lexical`]) against the reference
/// answer(s) when there is one: `score` is then the model's probability that the answer is right
/// (English) or its expected share of the marks (Chinese), not the share of points met. Graded
/// example answers to the item, when it has some, are compared too
/// ([`crate::examples::score_with_examples`]).
pub fn grade_with_reference(
    rubric: &[&str],
    question: Option<&str>,
    references: &[&str],
    examples: &[crate::examples::Example],
    answer: &str,
    lang: crate::lexical::Lang,
) -> RubricGrade {
    let mut g = grade(rubric, answer);
    if references.iter().any(|r| !r.trim().is_empty()) {
        let v = crate::examples::score_with_examples(lang, question, references, examples, answer);
        g.score = v.p;
        g.confidence = v.confidence;
        g.abstained = v.abstained;
    }
    g
}

/// What the words alone say about one rubric point of an answer (the no-model part of
/// [`crate::verdict::PointEvidence`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PointWords {
    /// Share of the point's keyword tokens found in the answer.
    pub coverage: f64,
    /// The same against the answer's best-matching sentence.
    pub best_sentence: f64,
    /// That sentence and the point disagree in negation (one says "not"/不, the other does not).
    pub negation_conflict: bool,
    /// That sentence has a number the point lacks while the point has one the answer lacks (a
    /// different threshold, date or amount).
    pub number_conflict: bool,
    /// That sentence has one side of an opposite pair (buyer/seller, before/after, 高于/低于 …) and
    /// the point the other.
    pub opposite_conflict: bool,
}

/// The evidence the calibrated per-point verdicts read from the words alone. The conflicts are
/// only looked for in a sentence that shares words with the point (a quarter of its tokens).
pub fn point_evidence(point: &str, answer: &str) -> PointWords {
    let point = strip_instruction(point);
    let want: HashSet<String> = tokens(point).collect();
    if want.is_empty() {
        return PointWords::default();
    }
    let share = |text: &str| {
        let have: HashSet<String> = tokens(text).collect();
        want.iter().filter(|t| have.contains(*t)).count() as f64 / want.len() as f64
    };
    let coverage = share(answer);
    let (best, best_text) =
        answer_sentences(answer)
            .into_iter()
            .map(|s| (share(s), s))
            .fold((0.0, ""), |acc, x| if x.0 > acc.0 { x } else { acc });
    let related = best >= 0.25;
    let negation_conflict = related && crate::lexical::is_negated(best_text) != crate::lexical::is_negated(point);
    let (pn, an, sn) = (numbers(point), numbers(answer), numbers(best_text));
    let number_conflict = related && sn.iter().any(|n| !pn.contains(n)) && pn.iter().any(|n| !an.contains(n));
    let opposite_conflict = related && has_opposite(point, best_text);
    PointWords { coverage, best_sentence: best, negation_conflict, number_conflict, opposite_conflict }
}

/// Digit runs with their decimal point and thousands separators, e.g. "150", "35.4", "1,117" →
/// "1117".
fn numbers(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (matches!(c, '.' | ',') && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.insert(cur.trim_end_matches(['.', ',']).replace(',', ""));
            cur.clear();
        }
    }
    out
}

/// Pairs of words that say opposite things about the same fact.
const OPPOSITES: &[(&str, &str)] = &[
    ("buyer", "seller"),
    ("before", "after"),
    ("above", "below"),
    ("higher", "lower"),
    ("more", "less"),
    ("increase", "decrease"),
    ("rises", "falls"),
    ("import", "export"),
    ("profit", "loss"),
    ("inside", "outside"),
    ("included", "excluded"),
    ("maximum", "minimum"),
    ("either", "both"),
    ("earlier", "later"),
    ("separate", "part of"),
    ("买家", "卖家"),
    ("买方", "卖方"),
    ("之前", "之后"),
    ("以前", "以后"),
    ("高于", "低于"),
    ("增加", "减少"),
    ("上升", "下降"),
    ("提高", "降低"),
    ("进口", "出口"),
    ("盈利", "亏损"),
    ("境内", "境外"),
    ("最高", "最低"),
    ("其一", "同时"),
    ("分开", "一起"),
    ("提前", "推迟"),
];

/// The point holds one side of an opposite pair that the sentence does not, and the sentence the
/// other side that the point does not.
fn has_opposite(point: &str, sentence: &str) -> bool {
    let (p, s) = (point.to_lowercase(), sentence.to_lowercase());
    let has = |text: &str, w: &str| {
        if w.is_ascii() {
            text.split(|c: char| !c.is_alphanumeric() && c != ' ')
                .any(|chunk| format!(" {chunk} ").contains(&format!(" {w} ")))
        } else {
            text.contains(w)
        }
    };
    OPPOSITES.iter().any(|&(a, b)| {
        (has(&p, a) && !has(&p, b) && has(&s, b) && !has(&s, a))
            || (has(&p, b) && !has(&p, a) && has(&s, a) && !has(&s, b))
    })
}

/// A rubric point without its instruction verb ("States that …", "说明…"): those words are about
/// the grading, not the content an answer should have.
fn strip_instruction(point: &str) -> &str {
    const EN: &[&str] = &[
        "states that ",
        "explains that ",
        "says that ",
        "mentions that ",
        "notes that ",
        "concludes that ",
        "recognises that ",
        "recognizes that ",
        "points out that ",
        "states ",
        "explains ",
        "says ",
        "mentions ",
        "names ",
        "gives ",
        "lists ",
        "computes ",
        "concludes ",
        "identifies ",
        "describes ",
        "recommends ",
        "proposes ",
        "includes ",
        "notes ",
    ];
    const ZH: &[&str] = &[
        "说明",
        "指出",
        "提到",
        "解释",
        "写出",
        "给出",
        "列出",
        "算出",
        "计算出",
        "得出",
        "提出",
        "建议",
        "点明",
        "认识到",
        "明确",
        "区分",
    ];
    let t = point.trim_start();
    let lower = t.to_ascii_lowercase();
    for p in EN {
        if lower.starts_with(p) {
            return &t[p.len()..];
        }
    }
    for p in ZH {
        if let Some(rest) = t.strip_prefix(p) {
            return rest;
        }
    }
    t
}

/// The answer's sentences (split at sentence and clause ends in both languages).
fn answer_sentences(answer: &str) -> Vec<&str> {
    answer
        .split(['。', '！', '？', '；', '!', '?', ';', '\n'])
        .flat_map(|s| s.split(". "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

const STOPWORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "is",
    "are",
    "it",
    "its",
    "as",
    "by",
    "for",
    "so",
    "that",
    "this",
    "be",
    "at",
    "with",
    "each",
    "about",
    "states",
    "names",
    "computes",
    "concludes",
];

/// Lower-cased words for Latin text, character bigrams for Chinese.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_cjk: Option<char> = None;
    for c in text.chars().chain(std::iter::once(' ')) {
        let cjk = ('\u{4e00}'..='\u{9fff}').contains(&c);
        if cjk {
            if let Some(p) = prev_cjk {
                out.push(format!("{p}{c}"));
            }
            prev_cjk = Some(c);
        } else {
            prev_cjk = None;
        }
        if c.is_alphanumeric() && !cjk || (matches!(c, '.' | '%') && !word.is_empty()) {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            let w = word.trim_end_matches('.').to_string();
            if !w.is_empty() && !STOPWORDS.contains(&w.as_str()) {
                out.push(w);
            }
            word.clear();
        }
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUBRIC: [&str; 3] = [
        "States that 30% is below the 35.4% break-even ACoS, so each ad sale is profitable.",
        "Computes the target ACoS as about 20.4% (35.4% − 15%).",
        "Concludes the campaign misses the target and names a lever (lower CPC or higher conversion rate).",
    ];

    #[test]
    fn a_complete_answer_meets_every_point() {
        let g = grade(&RUBRIC, "30% is below the 35.4% break-even ACoS so the ad sale is profitable, but the target ACoS is 20.4%, so the campaign misses the target: lower CPC or raise the conversion rate.");
        assert_eq!(g.met, [true, true, true]);
        assert_eq!(g.score, 1.0);
    }

    #[test]
    fn a_wrong_or_empty_answer_meets_nothing_and_short_answers_abstain() {
        let g = grade(&RUBRIC, "Yes it is fine.");
        assert_eq!(g.met, [false, false, false]);
        let g = grade(&RUBRIC, "ok");
        assert!(g.abstained);
    }

    #[test]
    fn with_a_reference_the_points_stay_and_the_lexical_model_scores() {
        let reference = "30% is below the 35.4% break-even ACoS, so each ad sale is profitable; the target ACoS is 20.4% (35.4% − 15%), so the campaign misses it: lower the CPC or raise the conversion rate.";
        let lang = crate::lexical::Lang::En;
        let good = grade_with_reference(&RUBRIC, None, &[reference], &[], reference, lang);
        assert_eq!(good.met, grade(&RUBRIC, reference).met);
        assert!(good.score > 0.5 && good.score < 1.0, "a probability, not a share of points: {good:?}");
        let off = grade_with_reference(&RUBRIC, None, &[reference], &[], "I am not sure, maybe ask my manager.", lang);
        assert!(off.score < 0.5 && off.score < good.score, "{off:?}");
        // No reference: the keyword grade as before.
        assert_eq!(grade_with_reference(&RUBRIC, None, &[" "], &[], reference, lang), grade(&RUBRIC, reference));
    }

    #[test]
    fn the_words_evidence_sees_coverage_and_conflicts() {
        let point =
            "States that the declarant or IOSS holder pays the €3 duty at import, separate from the IOSS return.";
        let w = point_evidence(point, "The declarant pays the €3 duty at import, separate from the IOSS return.");
        assert!(w.coverage > 0.7 && !w.negation_conflict && !w.number_conflict && !w.opposite_conflict, "{w:?}");
        let w = point_evidence(point, "The declarant does not pay the duty at import; it is part of the IOSS return.");
        assert!(w.negation_conflict, "{w:?}");
        let w = point_evidence(point, "The declarant pays a €5 duty at import, separate from the IOSS return.");
        assert!(w.number_conflict, "{w:?}");
        let w = point_evidence("说明关税由买家在进口时缴纳。", "关税由卖家在进口时缴纳。");
        assert!(w.opposite_conflict && w.coverage > 0.5, "{w:?}");
        assert_eq!(
            numbers("1,117 bytes, 35.4% and 150."),
            ["1117", "35.4", "150"].map(String::from).into_iter().collect()
        );
    }

    #[test]
    fn chinese_is_matched_by_character_bigrams() {
        let rubric = ["指出 30% 低于 35.4% 的盈亏平衡 ACoS，因此每笔广告销售是盈利的。"];
        let g = grade(&rubric, "30% 低于 35.4% 的盈亏平衡 ACoS，所以每笔广告销售都是盈利的");
        assert_eq!(g.met, [true]);
        let g = grade(&rubric, "这个广告不好，需要停掉");
        assert_eq!(g.met, [false]);
    }
}
