//! The checks on one explanation of what a free-text answer missed, and the verdict: shown, or
//! withheld with its reason.

use std::collections::HashSet;

use serde::Serialize;

use super::claims::{misstated_claims, praise};
use super::text::{content_units, copied_share, ends_sentence, finished_sentences, is_cjk, longest_common, numbers};
use crate::worker::ExplainJob;

/// What the checks found in one explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplanationCheck {
    pub lang_ok: bool,
    /// Numbers in none of the sources.
    pub invented: Vec<String>,
    /// Content units (en words, zh bigrams) in none of the sources.
    pub unsupported: Vec<String>,
    pub unsupported_share: f64,
    /// Praise patterns found (not negated).
    pub praise: Vec<String>,
    /// Praise although rubric points were missed.
    pub contradiction: bool,
    /// Sentences that say the learner's answer contains what it does not, or lacks what it has.
    pub misstated: Vec<String>,
    pub echo: f64,
    pub echo_lesson: f64,
    pub copied: f64,
    pub echo_answer: f64,
    /// Prompt labels found in the text.
    pub prompt_labels: Vec<String>,
    pub echo_missed: f64,
    /// `None` when no point was missed.
    pub recall: Option<f64>,
    pub cut_off: bool,
    pub empty: bool,
}

/// Why an explanation is not shown (the window says it in the learner's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withheld {
    /// Nothing was written (or nothing was left after cutting an unfinished sentence).
    Empty,
    /// Not in the answer's language.
    WrongLanguage,
    /// A number that is not in the question, answer, reference, missed points or lesson.
    InventedNumbers,
    /// Says the answer is right or complete although points were missed.
    Contradiction,
    /// Says the learner's answer states something it does not ("It only mentions the multiplier"
    /// about an answer on something else), or lacks something it states.
    MisstatesAnswer,
    /// Mostly a copy of the reference answer (which the window already shows) or of the lesson.
    CopiesSource,
    /// Mostly repeats the learner's own answer back (the 0.5B model presents it as what is missing).
    QuotesAnswer,
    /// Too many words that none of the sources hold (claims the pack does not make).
    Unsupported,
    /// Repeats the prompt's own labels ("学生的答案：", "Reference answer:"): the model is echoing
    /// its instructions, not explaining.
    EchoesPrompt,
    /// Uses almost none of the missed points' words: it does not say what is missing ("does not
    /// mention the rubric points").
    Vague,
    /// The question, lesson excerpt and answer do not fit the model's context.
    TooLong,
}

impl Withheld {
    /// Every reason, for the check that the window can say each one (`ui/src/ipc.ts`).
    pub const ALL: [Withheld; 11] = [
        Withheld::Empty,
        Withheld::WrongLanguage,
        Withheld::InventedNumbers,
        Withheld::Contradiction,
        Withheld::MisstatesAnswer,
        Withheld::CopiesSource,
        Withheld::QuotesAnswer,
        Withheld::Unsupported,
        Withheld::EchoesPrompt,
        Withheld::Vague,
        Withheld::TooLong,
    ];
}

/// Above this share of its length copied in one piece from the reference or the lesson, an
/// explanation only repeats it.
pub const MAX_ECHO: f64 = 0.6;
/// Above this share of its characters copied (in pieces) from the question, reference or lesson,
/// an explanation is a patchwork of the sources, not an explanation.
pub const MAX_COPIED: f64 = 0.7;
/// The section labels of the explanation prompt (`LlmGrader::explain_prompt`, both languages).
pub const PROMPT_LABELS: &[&str] = &[
    "课程摘录：",
    "问题：",
    "参考答案：",
    "学生的答案：",
    "学生答案：",
    "未达到的评分要点：",
    "lesson excerpt:",
    "question:",
    "reference answer:",
    "learner's answer:",
    "misses these rubric points:",
];

/// Below this share of the missed points' content units used, an explanation does not say what
/// is missing.
pub const MIN_RECALL: f64 = 0.25;
/// Above this share of its length taken in one piece from the learner's answer, an explanation
/// is about the answer's words, not what it misses (the 0.5B model presents the answer itself
/// as a missing point).
pub const MAX_ECHO_ANSWER: f64 = 0.4;
/// Above this share of content units found in no source, an explanation makes its own claims.
/// The shipped prompt's explanations measured 0–0.31 except the invented ones (0.86, 0.90).
pub const MAX_UNSUPPORTED: f64 = 0.4;

impl ExplanationCheck {
    /// The first reason to withhold the explanation, if any. A cut-off sentence is not one:
    /// [`finished_sentences`] drops it.
    pub fn withheld(&self) -> Option<Withheld> {
        if self.empty {
            Some(Withheld::Empty)
        } else if !self.lang_ok {
            Some(Withheld::WrongLanguage)
        } else if !self.invented.is_empty() {
            Some(Withheld::InventedNumbers)
        } else if self.contradiction {
            Some(Withheld::Contradiction)
        } else if !self.misstated.is_empty() {
            Some(Withheld::MisstatesAnswer)
        } else if !self.prompt_labels.is_empty() {
            Some(Withheld::EchoesPrompt)
        } else if self.echo >= MAX_ECHO || self.echo_lesson >= MAX_ECHO || self.copied >= MAX_COPIED {
            Some(Withheld::CopiesSource)
        } else if self.echo_answer >= MAX_ECHO_ANSWER {
            Some(Withheld::QuotesAnswer)
        } else if self.unsupported_share > MAX_UNSUPPORTED {
            Some(Withheld::Unsupported)
        } else if self.recall.is_some_and(|r| r < MIN_RECALL) {
            Some(Withheld::Vague)
        } else {
            None
        }
    }
}

/// What "explain what is missing" shows: the model's text when it passed the checks, else why it
/// was withheld. (The lesson's sentence on each missed point is already in the attempt's result:
/// `RubricPointDto::lesson`.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplanationDto {
    /// The model's text up to its last finished sentence; `None` when withheld.
    pub text: Option<String>,
    pub withheld: Option<Withheld>,
}

/// Judges what the model wrote for `job` (or the error it gave): Markdown is dropped, an
/// unfinished last sentence cut, and a text that fails a check is withheld, as is a job too long
/// for the model's context; any other model error is returned.
pub fn judge(
    job: &ExplainJob,
    outcome: Result<String, crate::llm::LlmError>,
) -> Result<ExplanationDto, crate::llm::LlmError> {
    let (text, withheld) = match outcome {
        Ok(raw) => {
            // Shown as plain text: Markdown the model wrote (headings, emphasis) is dropped.
            let plain = crossway_content::render::plain_blocks(&raw).join("\n");
            let text = finished_sentences(&plain);
            match check(job, &text).withheld() {
                None => (Some(text), None),
                Some(w) => (None, Some(w)),
            }
        }
        Err(crate::llm::LlmError::TooLong { .. }) => (None, Some(Withheld::TooLong)),
        Err(e) => return Err(e),
    };
    Ok(ExplanationDto { text, withheld })
}

/// Everything the model was given, as one text.
fn sources(job: &ExplainJob) -> String {
    [job.question.as_str(), job.reference.as_str(), job.answer.as_str(), job.lesson.as_str()]
        .into_iter()
        .chain(job.missed.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs every check on `text`, written for `job`.
pub fn check(job: &ExplainJob, text: &str) -> ExplanationCheck {
    let zh = job.lang == "zh-CN";
    let sources = sources(job);
    let cjk = text.chars().filter(|c| is_cjk(*c)).count();
    let letters = text.chars().filter(|c| c.is_alphabetic() && !is_cjk(*c)).count();
    let lang_ok = if zh { cjk > 0 && cjk as f64 / (cjk + letters) as f64 >= 0.5 } else { cjk == 0 };
    let source_numbers: HashSet<String> = numbers(&sources).into_iter().collect();
    let mut found = numbers(text);
    if text.ends_with(|c: char| c.is_ascii_digit()) {
        found.pop(); // cut by the token limit mid-number ("96" of "96,000")
    }
    let invented: Vec<String> = found.into_iter().filter(|x| !source_numbers.contains(x)).collect();
    let source_units: HashSet<String> = content_units(&sources, zh).into_iter().collect();
    let units = content_units(text, zh);
    let unsupported: Vec<String> = units.iter().filter(|u| !source_units.contains(*u)).cloned().collect();
    let unsupported_share = if units.is_empty() { 0.0 } else { unsupported.len() as f64 / units.len() as f64 };
    let praised = praise(text, zh);
    let contradiction = !praised.is_empty() && !job.missed.is_empty();
    let misstated = misstated_claims(text, &job.answer, &job.missed, zh);
    let len = text.chars().count();
    let echo_of = |source: &str| if len == 0 { 0.0 } else { longest_common(text, source) as f64 / len as f64 };
    let echo = echo_of(&job.reference);
    let echo_lesson = echo_of(&job.lesson);
    let echo_answer = echo_of(&job.answer);
    let lower = text.to_lowercase();
    let prompt_labels = PROMPT_LABELS.iter().filter(|l| lower.contains(*l)).map(|l| l.to_string()).collect();
    let missed_text = job.missed.join("\n");
    let echo_missed = echo_of(&missed_text);
    let copied = copied_share(text, &[&job.question, &job.reference, &job.lesson], if zh { 6 } else { 12 });
    let recall = (!job.missed.is_empty()).then(|| {
        let text_units: HashSet<String> = units.iter().cloned().collect();
        let missed_units: HashSet<String> = content_units(&missed_text, zh).into_iter().collect();
        let hit = missed_units.iter().filter(|u| text_units.contains(*u)).count();
        hit as f64 / missed_units.len().max(1) as f64
    });
    ExplanationCheck {
        lang_ok,
        invented,
        unsupported,
        unsupported_share,
        praise: praised,
        contradiction,
        misstated,
        echo,
        echo_lesson,
        copied,
        echo_answer,
        prompt_labels,
        echo_missed,
        recall,
        cut_off: !ends_sentence(text),
        empty: text.trim().is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::claims::answer_claims;

    fn job(lang: &str) -> ExplainJob {
        let zh = lang == "zh-CN";
        ExplainJob {
            question: if zh { "ACoS 下降而 TACoS 上升说明什么？" } else { "ACoS fell while TACoS rose. What does it mean?" }.into(),
            reference: if zh {
                "ACoS = 广告花费 ÷ 广告销售额；TACoS = 广告总花费 ÷ 总销售额。广告花费的增速快于总销售额。"
            } else {
                "ACoS = ad spend ÷ ad-attributed sales; TACoS = total ad spend ÷ total sales. Ad spend grew faster than total sales."
            }
            .into(),
            answer: if zh { "广告效率提高了。" } else { "The ads got more efficient." }.into(),
            missed: vec![if zh { "自然销量可能下降了" } else { "organic sales may have fallen" }.into()],
            lesson: if zh {
                "TACoS 把自然销量也算进来。目标 ACoS 常设在 25% 左右。"
            } else {
                "TACoS counts organic sales too. A target ACoS is often set near 25%, below the break-even ACoS."
            }
            .into(),
            lang: lang.into(),
            max_tokens: 96,
        }
    }

    #[test]
    fn a_grounded_explanation_in_the_answers_language_is_shown() {
        let en = "TACoS counts organic sales too, so a rising TACoS while ACoS falls suggests organic sales may have fallen.";
        let c = check(&job("en"), en);
        assert_eq!(c.withheld(), None, "{c:?}");
        assert_eq!(c.recall, Some(1.0));
        let zh = "TACoS 把自然销量也算进来，所以 TACoS 上升可能说明自然销量下降了。";
        assert_eq!(check(&job("zh-CN"), zh).withheld(), None, "{:?}", check(&job("zh-CN"), zh));
    }

    #[test]
    fn each_kind_of_fault_withholds_the_explanation_with_its_reason() {
        let en = job("en");
        assert_eq!(check(&en, "  ").withheld(), Some(Withheld::Empty));
        assert_eq!(check(&en, "TACoS 把自然销量也算进来。").withheld(), Some(Withheld::WrongLanguage));
        assert_eq!(check(&job("zh-CN"), "TACoS counts organic sales too.").withheld(), Some(Withheld::WrongLanguage));
        // 25% is in the lesson; 40% is in no source.
        assert_eq!(check(&en, "A target ACoS is often near 25%, so organic sales fell.").withheld(), None);
        let c = check(&en, "A target ACoS is often near 40%, so organic sales fell.");
        assert_eq!((c.withheld(), c.invented.clone()), (Some(Withheld::InventedNumbers), vec!["40".to_string()]));
        // Praise although a point was missed; a negated praise is no contradiction.
        assert_eq!(check(&en, "Your answer is correct: organic sales fell.").withheld(), Some(Withheld::Contradiction));
        assert_eq!(check(&en, "Your answer is not correct yet: organic sales may have fallen.").withheld(), None);
        let denial = "Your answer does not mention organic sales. Therefore, it does not leave out any of the points.";
        assert_eq!(check(&en, denial).withheld(), Some(Withheld::Contradiction));
        let leak = "TACoS 把自然销量也算进来。\n学生答案：广告效率提高了。\n未达到的评分要点：\n- 自然销量可能下降了";
        assert_eq!(check(&job("zh-CN"), leak).withheld(), Some(Withheld::EchoesPrompt));
        let vague = "Your answer does not mention the rubric points. It only mentions ACoS.";
        assert_eq!(check(&en, vague).withheld(), Some(Withheld::Vague));
        let quoted = "Your answer does not mention that the ads got more efficient.";
        assert_eq!(check(&en, quoted).withheld(), Some(Withheld::QuotesAnswer));
        assert_eq!(check(&en, &en.reference).withheld(), Some(Withheld::CopiesSource));
        assert_eq!(check(&en, &en.lesson).withheld(), Some(Withheld::CopiesSource));
        // Pieces of the question and the reference stitched together: no single long run, but
        // nothing of its own either.
        let patchwork =
            "ACoS fell while TACoS rose: total ad spend ÷ total sales, and ad spend grew faster than total sales.";
        let c = check(&en, patchwork);
        assert!(c.echo < MAX_ECHO && c.copied >= MAX_COPIED, "{c:?}");
        assert_eq!(c.withheld(), Some(Withheld::CopiesSource));
        let made_up = "Seasonal shipping delays and warehouse congestion usually explain declining customer satisfaction metrics.";
        assert_eq!(check(&en, made_up).withheld(), Some(Withheld::Unsupported));
    }

    #[test]
    fn claims_about_the_learners_answer_are_checked_against_the_answer() {
        let claims =
            answer_claims("Instead, it only mentions the multiplier. It also does not address the root cause.", false);
        assert_eq!(
            claims.iter().map(|c| (c.content.as_str(), c.denied)).collect::<Vec<_>>(),
            vec![("the multiplier.", false), ("the root cause.", true)]
        );
        // What the 0.5B model wrote about an off-topic answer ("I would lower the price…").
        let en = job("en");
        let c = check(&en, "It only mentions that total ad spend grew faster than total sales.");
        assert_eq!((c.withheld(), c.misstated.len()), (Some(Withheld::MisstatesAnswer), 1), "{c:?}");
        // Said to be missing, but the answer says it (and no missed point does).
        let mut duty = job("en");
        duty.answer = "Duty is assessed on the FOB value, excluding international freight.".into();
        duty.missed = vec!["Divides shipment-level fees by the number of units.".into()];
        let denial = "Your answer does not mention that duty is assessed on the value, excluding freight.";
        assert_eq!(check(&duty, denial).withheld(), Some(Withheld::MisstatesAnswer));
        // True claims either way are not misstatements.
        let fair = "It mentions that duty is on the FOB value, but it does not mention that shipment-level fees are divided by the units.";
        assert_eq!(check(&duty, fair).misstated, Vec::<String>::new());
        let zh = job("zh-CN");
        let c = check(&zh, "你的答案只提到了总销售额的增长速度。");
        assert_eq!(c.withheld(), Some(Withheld::MisstatesAnswer), "{c:?}");
        assert_eq!(
            check(&zh, "你的答案提到了广告效率提高，但没有提到自然销量可能下降了。").misstated,
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_unfinished_last_sentence_is_dropped_and_numbers_are_not_sentence_ends() {
        assert_eq!(finished_sentences("Organic sales fell. TACoS rose because"), "Organic sales fell.");
        assert_eq!(finished_sentences("ACoS is 1.5 times higher. Done!"), "ACoS is 1.5 times higher. Done!");
        assert_eq!(finished_sentences("自然销量下降了。因为广告"), "自然销量下降了。");
        assert_eq!(finished_sentences("no full stop at all"), "");
    }
}
