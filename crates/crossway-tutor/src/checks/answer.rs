//! The checks on an answer the model wrote to a learner's question from the pack's passages
//! (issue #15, "Ask"). The passages are on screen before the model starts; its answer stays only
//! when it keeps to them: in the question's language, with no number and few words that none of
//! the passages (or the question) hold, and not a repetition of its instructions. Otherwise it is
//! withheld with the reason and the learner keeps the passages.
//!
//! The measures are the explanation checks' ([`super::text`]); the thresholds are stricter on
//! unsupported words than for explanations (an answer to a question is where a small model
//! reaches for its own memory) and were read off `examples/ask_answer_eval.rs` in the app
//! (docs/quality.md, "Ask — generated answers").

use std::collections::HashSet;

use serde::Serialize;

use super::text::{content_units, copied_share, finished_sentences, is_cjk, longest_common, numbers};
use crate::llm::LlmError;
use crate::worker::AnswerJob;

/// Why a generated answer is not shown (the window says it in the learner's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerWithheld {
    /// Nothing usable was written (or nothing was left after cutting an unfinished sentence).
    Empty,
    /// Not in the question's language.
    WrongLanguage,
    /// A number that is in none of the passages nor the question.
    InventedNumbers,
    /// Too many words that none of the passages hold: the model answered from its own memory.
    Unsupported,
    /// Repeats the prompt's labels ("Passages:", "问题："): it is echoing its instructions.
    EchoesPrompt,
    /// Mostly the learner's question said back (the 0.5B model often answers "有没有好记的办法？"
    /// with the question itself).
    RepeatsQuestion,
    /// The passages and the question do not fit the model's context.
    TooLong,
}

impl AnswerWithheld {
    /// Every reason, for the check that the window can say each one (`ui/src/ipc.ts`).
    pub const ALL: [AnswerWithheld; 7] = [
        AnswerWithheld::Empty,
        AnswerWithheld::WrongLanguage,
        AnswerWithheld::InventedNumbers,
        AnswerWithheld::Unsupported,
        AnswerWithheld::EchoesPrompt,
        AnswerWithheld::RepeatsQuestion,
        AnswerWithheld::TooLong,
    ];

    /// The reason as the CLI and the database write it (`invented_numbers`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerWithheld::Empty => "empty",
            AnswerWithheld::WrongLanguage => "wrong_language",
            AnswerWithheld::InventedNumbers => "invented_numbers",
            AnswerWithheld::Unsupported => "unsupported",
            AnswerWithheld::EchoesPrompt => "echoes_prompt",
            AnswerWithheld::RepeatsQuestion => "repeats_question",
            AnswerWithheld::TooLong => "too_long",
        }
    }
}

/// The section labels of the answer prompt (`LlmGrader::answer_prompt`, both languages).
pub const ANSWER_PROMPT_LABELS: &[&str] = &["课程段落：", "学生的问题：", "course passages:", "learner's question:"];

/// Above this share of content units found in no passage (nor the question), an answer makes
/// its own claims (the question's words are not support: they are what is asked, not what the
/// course says).
pub const MAX_UNSUPPORTED: f64 = 0.3;
/// Above this share of its length in one piece from the question, an answer says the question
/// back.
pub const MAX_ECHO_QUESTION: f64 = 0.5;

/// What the checks found in one generated answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerCheck {
    pub lang_ok: bool,
    /// Numbers in no passage nor the question.
    pub invented: Vec<String>,
    /// Content units (en words, zh bigrams) in no passage nor the question.
    pub unsupported: Vec<String>,
    pub unsupported_share: f64,
    pub prompt_labels: Vec<String>,
    /// The longest run shared with the question, over the answer's length.
    pub echo_question: f64,
    /// The longest run shared with one passage, over the answer's length (reported: quoting the
    /// passage that answers the question is allowed).
    pub echo: f64,
    /// The share of the answer's characters in runs shared with the passages.
    pub copied: f64,
    pub empty: bool,
}

impl AnswerCheck {
    /// The first reason to withhold the answer, if any.
    pub fn withheld(&self) -> Option<AnswerWithheld> {
        if self.empty {
            Some(AnswerWithheld::Empty)
        } else if !self.lang_ok {
            Some(AnswerWithheld::WrongLanguage)
        } else if !self.invented.is_empty() {
            Some(AnswerWithheld::InventedNumbers)
        } else if !self.prompt_labels.is_empty() {
            Some(AnswerWithheld::EchoesPrompt)
        } else if self.echo_question >= MAX_ECHO_QUESTION {
            Some(AnswerWithheld::RepeatsQuestion)
        } else if self.unsupported_share > MAX_UNSUPPORTED {
            Some(AnswerWithheld::Unsupported)
        } else {
            None
        }
    }
}

/// A generated answer as the learner sees it: the text that passed, or why it was withheld.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerVerdict {
    /// The model's text up to its last finished sentence; `None` when withheld.
    pub text: Option<String>,
    pub withheld: Option<AnswerWithheld>,
    /// What the checks measured (for the evaluation and the CLI's `--json`).
    #[serde(skip)]
    pub check: Option<AnswerCheck>,
}

/// Runs every check on `text`, written for `job`.
pub fn check(job: &AnswerJob, text: &str) -> AnswerCheck {
    let zh = job.lang == "zh-CN";
    let sources = std::iter::once(job.question.as_str())
        .chain(job.passages.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    let cjk = text.chars().filter(|c| is_cjk(*c)).count();
    let letters = text.chars().filter(|c| c.is_alphabetic() && !is_cjk(*c)).count();
    // English answers may name a Chinese term the passages hold (9610, 海外仓): a few ideographs
    // that occur in the passages are allowed; any other is a switch of language.
    let lang_ok = if zh {
        cjk > 0 && cjk as f64 / (cjk + letters) as f64 >= 0.5
    } else {
        text.chars().filter(|c| is_cjk(*c)).all(|c| sources.contains(c))
            && (cjk as f64) < 0.2 * (cjk + letters).max(1) as f64
    };
    let source_numbers: HashSet<String> = numbers(&sources).into_iter().collect();
    let invented: Vec<String> = numbers(text).into_iter().filter(|x| !source_numbers.contains(x)).collect();
    let source_units: HashSet<String> = content_units(&job.passages.join("\n"), zh).into_iter().collect();
    let units = content_units(text, zh);
    let unsupported: Vec<String> = units.iter().filter(|u| !source_units.contains(*u)).cloned().collect();
    let unsupported_share = if units.is_empty() { 0.0 } else { unsupported.len() as f64 / units.len() as f64 };
    let lower = text.to_lowercase();
    let prompt_labels = ANSWER_PROMPT_LABELS.iter().filter(|l| lower.contains(*l)).map(|l| l.to_string()).collect();
    let len = text.chars().count();
    let echo_question = if len == 0 { 0.0 } else { longest_common(text, &job.question) as f64 / len as f64 };
    let echo = job
        .passages
        .iter()
        .map(|p| if len == 0 { 0.0 } else { longest_common(text, p) as f64 / len as f64 })
        .fold(0.0, f64::max);
    let passages: Vec<&str> = job.passages.iter().map(String::as_str).collect();
    let copied = copied_share(text, &passages, if zh { 6 } else { 12 });
    AnswerCheck {
        lang_ok,
        invented,
        unsupported,
        unsupported_share,
        prompt_labels,
        echo_question,
        echo,
        copied,
        empty: text.trim().is_empty(),
    }
}

/// Judges what the model wrote for `job` (or the error it gave): Markdown is dropped, an
/// unfinished last sentence cut, and a text that fails a check is withheld, as is a job too long
/// for the model's context; any other model error is returned.
pub fn judge(job: &AnswerJob, outcome: Result<String, LlmError>) -> Result<AnswerVerdict, LlmError> {
    match outcome {
        Ok(raw) => {
            let plain = crossway_content::render::plain_blocks(&raw).join("\n");
            let text = finished_sentences(&plain);
            let c = check(job, &text);
            Ok(match c.withheld() {
                None => AnswerVerdict { text: Some(text), withheld: None, check: Some(c) },
                Some(w) => AnswerVerdict { text: None, withheld: Some(w), check: Some(c) },
            })
        }
        Err(LlmError::TooLong { .. }) => {
            Ok(AnswerVerdict { text: None, withheld: Some(AnswerWithheld::TooLong), check: None })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(lang: &str) -> AnswerJob {
        let zh = lang == "zh-CN";
        AnswerJob {
            question: if zh { "ACoS 和 TACoS 这两个广告指标到底有什么区别呢？" } else { "what's the difference between acos and tacos" }.into(),
            passages: vec![
                if zh {
                    "ACoS = 广告花费 ÷ 广告销售额；TACoS = 广告花费 ÷ 总销售额。TACoS 把自然销量也算进来。"
                } else {
                    "ACoS = ad spend ÷ ad-attributed sales; TACoS = ad spend ÷ total sales. TACoS counts organic sales too."
                }
                .into(),
                if zh { "目标 ACoS 常设在 25% 左右，低于盈亏平衡 ACoS。" } else { "A target ACoS is often set near 25%, below the break-even ACoS." }
                    .into(),
            ],
            lang: lang.into(),
            max_tokens: 96,
        }
    }

    #[test]
    fn an_answer_from_the_passages_in_the_questions_language_is_shown() {
        let en = "ACoS divides ad spend by ad-attributed sales, while TACoS divides it by total sales, so TACoS counts organic sales too.";
        let v = judge(&job("en"), Ok(en.into())).unwrap();
        assert_eq!((v.text.as_deref(), v.withheld), (Some(en), None), "{:?}", v.check);
        let zh = "ACoS 是广告花费除以广告销售额，TACoS 是广告花费除以总销售额，把自然销量也算进来。";
        let v = judge(&job("zh-CN"), Ok(zh.into())).unwrap();
        assert_eq!((v.text.as_deref(), v.withheld), (Some(zh), None), "{:?}", v.check);
    }

    #[test]
    fn each_kind_of_fault_withholds_the_answer_with_its_reason() {
        let en = job("en");
        let zh = job("zh-CN");
        let reason = |j: &AnswerJob, t: &str| judge(j, Ok(t.into())).unwrap().withheld;
        assert_eq!(reason(&en, "   "), Some(AnswerWithheld::Empty));
        assert_eq!(reason(&en, "TACoS 把自然销量也算进来。"), Some(AnswerWithheld::WrongLanguage));
        assert_eq!(reason(&zh, "TACoS counts organic sales too."), Some(AnswerWithheld::WrongLanguage));
        // 25% is in a passage; 40% is in none.
        assert_eq!(reason(&en, "A target ACoS is often near 25%, below the break-even ACoS."), None);
        assert_eq!(
            reason(&en, "A target ACoS is often near 40%, below the break-even ACoS."),
            Some(AnswerWithheld::InventedNumbers)
        );
        assert_eq!(reason(&zh, "目标 ACoS 常设在 30% 左右。"), Some(AnswerWithheld::InventedNumbers));
        assert_eq!(
            reason(&en, "Course passages: ACoS = ad spend ÷ ad-attributed sales."),
            Some(AnswerWithheld::EchoesPrompt)
        );
        assert_eq!(reason(&zh, "这两个广告指标到底有什么区别呢？"), Some(AnswerWithheld::RepeatsQuestion));
        let memory = "Amazon recommends bidding aggressively during Prime Day, when conversion rates typically double and sponsored brands video performs best.";
        assert_eq!(reason(&en, memory), Some(AnswerWithheld::Unsupported));
        let memory_zh = "亚马逊会员日期间建议提高竞价，转化率通常翻倍，品牌视频广告效果最好。";
        assert_eq!(reason(&zh, memory_zh), Some(AnswerWithheld::Unsupported));
        let too_long = judge(&en, Err(LlmError::TooLong { tokens: 9000, limit: 4096 })).unwrap();
        assert_eq!((too_long.text, too_long.withheld), (None, Some(AnswerWithheld::TooLong)));
    }

    #[test]
    fn an_unfinished_sentence_is_cut_and_markdown_dropped() {
        let v = judge(&job("en"), Ok("**TACoS** counts organic sales too. ACoS divides ad spend by".into())).unwrap();
        assert_eq!(v.text.as_deref(), Some("TACoS counts organic sales too."));
    }

    #[test]
    fn reasons_are_written_as_their_names() {
        for w in AnswerWithheld::ALL {
            assert_eq!(serde_json::to_value(w).unwrap().as_str(), Some(w.as_str()));
        }
    }
}
