//! The no-model fallback grader: checks each rubric point by word overlap with the answer.
//!
//! It is a rough check, labelled as such wherever it is shown: plain token overlap with a
//! reference correlates only moderately with human scores (r ≈ 0.4–0.6 on the eval sets), so it
//! abstains ("needs review") whenever it is unsure. With a reference answer,
//! [`grade_with_reference`] keeps these per-point verdicts but scores with the calibrated lexical
//! model ([`crate::lexical`]), fitted on the eval sets' `train` splits.

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
    fn chinese_is_matched_by_character_bigrams() {
        let rubric = ["指出 30% 低于 35.4% 的盈亏平衡 ACoS，因此每笔广告销售是盈利的。"];
        let g = grade(&rubric, "30% 低于 35.4% 的盈亏平衡 ACoS，所以每笔广告销售都是盈利的");
        assert_eq!(g.met, [true]);
        let g = grade(&rubric, "这个广告不好，需要停掉");
        assert_eq!(g.met, [false]);
    }
}
