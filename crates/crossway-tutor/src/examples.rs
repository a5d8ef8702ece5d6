//! Graded example answers: besides its reference answer(s), an item may carry a few learner
//! answers already graded (correct / contradictory / incorrect, or a share of the marks). An
//! answer that reads like a graded example probably deserves that example's grade.
//!
//! [`example_features`] summarises how close the answer is to the right and to the wrong
//! examples; [`score_with_examples`] feeds them, after the 16 [`lexical::features`], to models
//! fitted like the plain ones (`scripts/fit_lexical.py`, on SemEval-2013 and zh_ADS `train`), in
//! two sets: for an item with fewer than [`MANY_EXAMPLES`] examples (the pack holds four) models
//! fitted with 1–8 other train answers of the question as examples per train answer, and from
//! [`MANY_EXAMPLES`] on (an item with its graded answers, as SemEval's unseen-answers setting)
//! models fitted with 16, 24, 32 or all of them — a linear model cannot weigh the features by
//! their number, and one fitted on both regimes does worse on each. Without examples it is exactly
//! [`lexical::score`]. Measured effect: docs/quality.md, "With graded example answers".

use std::collections::HashSet;

use crate::lexical::{self, Lang, LexicalModel, MultinomialModel, Prepared, Verdict, N_FEATURES};
pub use crate::lexical_weights::MANY_EXAMPLES;
use crate::lexical_weights::{EN_2WAY_EX, EN_2WAY_EX_MANY, EN_3WAY_EX, EN_3WAY_EX_MANY, ZH_SCORE_EX, ZH_SCORE_EX_MANY};

/// How many features [`example_features`] returns.
pub const N_EXAMPLE_FEATURES: usize = 11;
/// The length of the vector the `…_EX` models take: [`lexical::features`] then [`example_features`].
pub const N_WITH_EXAMPLES: usize = N_FEATURES + N_EXAMPLE_FEATURES;

/// Feature names, as in [`lexical::FEATURE_NAMES`]. "Similarity" is the mean of the character
/// trigram F1 and the content-word F1 of the answer and the example; an example is "right" when
/// its share of the marks is above 0.5, "wrong" otherwise.
pub const EXAMPLE_FEATURE_NAMES: [&str; N_EXAMPLE_FEATURES] = [
    "examples.best_right",         // highest similarity to a right example (0 if none)
    "examples.best_wrong",         // highest similarity to a wrong example (0 if none)
    "examples.margin",             // best_right − best_wrong
    "examples.knn_share",          // examples' shares weighted by similarity³
    "examples.nearest_share",      // share of the most similar example
    "examples.nearest_signed",     // its similarity × (its share − 0.5)
    "examples.best_contradictory", // highest similarity to an example labelled contradictory
    "examples.best_incorrect",     // highest similarity to an example labelled incorrect
    "examples.has_right",          // 1 if any example is right
    "examples.has_wrong",          // 1 if any example is wrong
    "examples.log_count",          // ln(number of examples)
];

/// How a graded example answer was graded: a SemEval-style label or a share of the marks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExampleGrade {
    Correct,
    /// Right but incomplete: counts as a share of 0.5, i.e. on the wrong side (as SemEval's 2-way
    /// labels do).
    PartlyCorrect,
    /// Says the opposite of the reference.
    Contradictory,
    /// Wrong or irrelevant.
    Incorrect,
    /// A share of the marks in [0, 1] (score / max score), e.g. for Chinese items scored 0–10.
    Share(f64),
}

impl ExampleGrade {
    /// The share of the marks: 1 (correct), 0.5 (partly correct), 0 (contradictory, incorrect),
    /// or the given share clamped to [0, 1].
    pub fn share(self) -> f64 {
        match self {
            ExampleGrade::Correct => 1.0,
            ExampleGrade::PartlyCorrect => 0.5,
            ExampleGrade::Contradictory | ExampleGrade::Incorrect => 0.0,
            ExampleGrade::Share(s) => {
                if s.is_nan() {
                    0.0
                } else {
                    s.clamp(0.0, 1.0)
                }
            }
        }
    }
}

/// A learner answer to the same item, already graded.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub grade: ExampleGrade,
}

impl Example {
    pub fn new(text: impl Into<String>, grade: ExampleGrade) -> Example {
        Example { text: text.into(), grade }
    }
}

/// The similarity of two prepared texts in [0, 1]: mean of character-trigram F1 and content-word F1.
fn similarity(a: &Prepared, e: &Prepared) -> f64 {
    (lexical::ngram_f1(&e.char3, &a.char3).0 + set_f1(&a.content, &e.content)) / 2.0
}

fn set_f1(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

/// The example features of `answer` (see [`EXAMPLE_FEATURE_NAMES`]); `None` when no example has
/// any text.
pub fn example_features(examples: &[Example], answer: &str) -> Option<[f64; N_EXAMPLE_FEATURES]> {
    let examples: Vec<&Example> = examples.iter().filter(|e| !e.text.trim().is_empty()).collect();
    if examples.is_empty() {
        return None;
    }
    let a = Prepared::new(answer);
    let (mut best_right, mut best_wrong, mut best_con, mut best_inc) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut has_right, mut has_wrong) = (false, false);
    let (mut wsum, mut wshare) = (0.0, 0.0);
    let mut nearest: Option<(f64, f64)> = None;
    for e in &examples {
        let s = similarity(&a, &Prepared::new(&e.text));
        let share = e.grade.share();
        if share > 0.5 {
            has_right = true;
            best_right = best_right.max(s);
        } else {
            has_wrong = true;
            best_wrong = best_wrong.max(s);
        }
        match e.grade {
            ExampleGrade::Contradictory => best_con = best_con.max(s),
            ExampleGrade::Incorrect => best_inc = best_inc.max(s),
            _ => {}
        }
        let w = s.powi(3) + 1e-6;
        wsum += w;
        wshare += w * share;
        if nearest.is_none_or(|(ns, _)| s > ns) {
            nearest = Some((s, share));
        }
    }
    let (near_sim, near_share) = nearest.unwrap_or((0.0, 0.0));
    Some([
        best_right,
        best_wrong,
        best_right - best_wrong,
        wshare / wsum,
        near_share,
        near_sim * (near_share - 0.5),
        best_con,
        best_inc,
        f64::from(u8::from(has_right)),
        f64::from(u8::from(has_wrong)),
        (examples.len() as f64).ln(),
    ])
}

/// [`lexical::features`] followed by [`example_features`]; `None` without usable examples.
pub fn features_with_examples(
    question: Option<&str>,
    references: &[&str],
    examples: &[Example],
    answer: &str,
) -> Option<[f64; N_WITH_EXAMPLES]> {
    let ex = example_features(examples, answer)?;
    let mut x = [0.0; N_WITH_EXAMPLES];
    x[..N_FEATURES].copy_from_slice(&lexical::features(question, references, answer));
    x[N_FEATURES..].copy_from_slice(&ex);
    Some(x)
}

/// How many of `examples` have any text (what the example features and the choice of model count).
pub fn usable(examples: &[Example]) -> usize {
    examples.iter().filter(|e| !e.text.trim().is_empty()).count()
}

/// The examples model for a language (English: SemEval 2-way; Chinese: zh_ADS score share) and a
/// number of usable examples.
pub fn model_for(lang: Lang, examples: usize) -> &'static LexicalModel<N_WITH_EXAMPLES> {
    match (lang, examples >= MANY_EXAMPLES) {
        (Lang::En, false) => &EN_2WAY_EX,
        (Lang::En, true) => &EN_2WAY_EX_MANY,
        (Lang::Zh, false) => &ZH_SCORE_EX,
        (Lang::Zh, true) => &ZH_SCORE_EX_MANY,
    }
}

/// The 3-way (correct / contradictory / incorrect) model for a number of usable examples.
pub fn three_way_model(examples: usize) -> &'static MultinomialModel<N_WITH_EXAMPLES> {
    if examples >= MANY_EXAMPLES {
        &EN_3WAY_EX_MANY
    } else {
        &EN_3WAY_EX
    }
}

/// Scores `answer` like [`lexical::score`], also using graded example answers to the same item.
/// With no example (or only blank ones) this is exactly [`lexical::score`].
pub fn score_with_examples(
    lang: Lang,
    question: Option<&str>,
    references: &[&str],
    examples: &[Example],
    answer: &str,
) -> Verdict {
    let Some(x) = features_with_examples(question, references, examples, answer) else {
        return lexical::score(lang, question, references, answer);
    };
    model_for(lang, usable(examples)).verdict(&x)
}

/// The 3-way label (`"correct"`, `"contradictory"` or `"incorrect"`) with examples, or with the
/// plain 3-way model when there are none.
pub fn label_with_examples(
    question: Option<&str>,
    references: &[&str],
    examples: &[Example],
    answer: &str,
) -> &'static str {
    match features_with_examples(question, references, examples, answer) {
        Some(x) => three_way_model(usable(examples)).label(&x),
        None => lexical::EN_3WAY.label(&lexical::features(question, references, answer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: &str = "What will happen to the other 2 bulbs if the middle bulb burns out?";
    const REF: &str = "If the middle bulb burns out the other 2 bulbs will stay lit.";

    #[test]
    fn no_examples_is_the_plain_score() {
        for answer in ["The other two bulbs stay lit.", "They go out.", ""] {
            for lang in [Lang::En, Lang::Zh] {
                let plain = lexical::score(lang, Some(Q), &[REF], answer);
                assert_eq!(score_with_examples(lang, Some(Q), &[REF], &[], answer), plain);
                let blank = [Example::new("  ", ExampleGrade::Correct)];
                assert_eq!(score_with_examples(lang, Some(Q), &[REF], &blank, answer), plain);
            }
        }
        assert_eq!(label_with_examples(Some(Q), &[REF], &[], REF), "correct");
    }

    #[test]
    fn an_answer_like_a_correct_example_scores_higher_than_like_an_incorrect_one() {
        let answer = "Both the others keep shining because each has its own path.";
        let text = "The others keep shining because each one has its own path to the battery.";
        let other = Example::new("They will all go out.", ExampleGrade::Incorrect);
        let as_right = [Example::new(text, ExampleGrade::Correct), other.clone()];
        let as_wrong = [Example::new(text, ExampleGrade::Incorrect), other];
        for lang in [Lang::En, Lang::Zh] {
            let right = score_with_examples(lang, Some(Q), &[REF], &as_right, answer);
            let wrong = score_with_examples(lang, Some(Q), &[REF], &as_wrong, answer);
            assert!(right.p > wrong.p + 0.1, "{lang:?}: {right:?} vs {wrong:?}");
        }
        let right = score_with_examples(Lang::En, Some(Q), &[REF], &as_right, answer);
        assert!(right.p > lexical::score(Lang::En, Some(Q), &[REF], answer).p, "the example helps");
    }

    #[test]
    fn an_item_with_many_graded_answers_is_scored_with_the_many_example_models() {
        // (Constants have no fixed address: compare the fitted weights.)
        assert_eq!(model_for(Lang::En, MANY_EXAMPLES - 1).weights, EN_2WAY_EX.weights);
        assert_eq!(model_for(Lang::En, MANY_EXAMPLES).weights, EN_2WAY_EX_MANY.weights);
        assert_ne!(EN_2WAY_EX.weights, EN_2WAY_EX_MANY.weights);
        assert_eq!(model_for(Lang::Zh, MANY_EXAMPLES).weights, ZH_SCORE_EX_MANY.weights);
        assert_eq!(three_way_model(MANY_EXAMPLES).weights, EN_3WAY_EX_MANY.weights);
        // An item with its graded answers (as SemEval's unseen-answers split has them): half say
        // the other bulbs stay lit, half that they go out, in varied words.
        let right = [
            "stay lit",
            "keep shining",
            "remain on",
            "still glow",
            "stay on",
            "keep burning",
            "stay bright",
            "keep glowing",
            "remain lit",
            "still shine",
        ];
        let wrong = [
            "go out",
            "turn off",
            "stop shining",
            "go dark",
            "all fail",
            "switch off",
            "die too",
            "stop working",
            "go off",
            "burn out too",
        ];
        let mut ex: Vec<Example> = right
            .iter()
            .map(|v| {
                Example::new(format!("The other two bulbs {v} because each has its own path."), ExampleGrade::Correct)
            })
            .collect();
        ex.extend(wrong.iter().map(|v| {
            Example::new(format!("The other two bulbs {v} as the circuit is broken."), ExampleGrade::Incorrect)
        }));
        assert_eq!(usable(&ex), 20);
        let good = score_with_examples(
            Lang::En,
            Some(Q),
            &[REF],
            &ex,
            "The other two bulbs still glow, each has its own path.",
        );
        let bad = score_with_examples(
            Lang::En,
            Some(Q),
            &[REF],
            &ex,
            "The other two bulbs go dark because the circuit is broken.",
        );
        assert!(good.p > 0.5 && bad.p < 0.5, "{good:?} vs {bad:?}");
        // Blank examples do not count towards the many-example regime.
        let mut few = ex[..MANY_EXAMPLES - 1].to_vec();
        few.push(Example::new("  ", ExampleGrade::Correct));
        assert_eq!(usable(&few), MANY_EXAMPLES - 1);
    }

    #[test]
    fn a_chinese_answer_like_a_high_scored_example_scores_higher() {
        let q = "若频繁地对一个线性表进行插入和删除操作，该线性表宜采用何种存储结构，为什么？";
        let r = "采用链式存储结构。在顺序表中插入和删除需要移动大量元素，而链表只需修改指针。";
        let answer = "用链表，插入删除只改指针，不移动元素。";
        let text = "用链表，因为插入删除时只要改指针，不需要移动元素。";
        let high = [Example::new(text, ExampleGrade::Share(0.9)), Example::new("用顺序表。", ExampleGrade::Share(0.1))];
        let low = [Example::new(text, ExampleGrade::Share(0.2)), Example::new("用顺序表。", ExampleGrade::Share(0.1))];
        let h = score_with_examples(Lang::Zh, Some(q), &[r], &high, answer);
        let l = score_with_examples(Lang::Zh, Some(q), &[r], &low, answer);
        assert!(h.p > l.p, "{h:?} vs {l:?}");
    }

    #[test]
    fn example_features_are_what_they_say() {
        let ex = [
            Example::new("They stay lit.", ExampleGrade::Correct),
            Example::new("They will not stay lit.", ExampleGrade::Contradictory),
            Example::new("Pizza.", ExampleGrade::Share(0.2)),
        ];
        let f = example_features(&ex, "They stay lit.").unwrap();
        assert!((f[0] - 1.0).abs() < 1e-9, "identical to the right example: {f:?}");
        assert!(f[1] > 0.0 && f[1] < 1.0 && (f[2] - (f[0] - f[1])).abs() < 1e-12);
        assert_eq!(f[4], 1.0, "the nearest example is the correct one");
        assert!(f[6] > 0.0 && f[7] == 0.0, "one contradictory example, none labelled incorrect");
        assert_eq!((f[8], f[9]), (1.0, 1.0));
        assert!((f[10] - 3f64.ln()).abs() < 1e-12);
        assert_eq!(ExampleGrade::Share(1.7).share(), 1.0);
        assert_eq!(ExampleGrade::PartlyCorrect.share(), 0.5);
        assert!(example_features(&[], "x").is_none());
        let p =
            three_way_model(ex.len()).predict(&features_with_examples(None, &[REF], &ex, "They stay lit.").unwrap());
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
