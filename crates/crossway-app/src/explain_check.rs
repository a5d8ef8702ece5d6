//! Checks on an explanation the on-device model wrote (F14) before the learner sees it as
//! settled, and the grounded notes shown beside it.
//!
//! Measured (docs/quality.md, "Explanations (F14)"): the 0.5B default model keeps to the right
//! language and invents no numbers, but it often copies the reference answer, restates the missed
//! points, or — in Chinese — makes claims the pack does not hold. So every explanation is checked
//! here with the same measures `examples/explain_eval.rs` reports, and one that fails is withheld
//! ([`Withheld`]); the learner then gets the pack's own words: for each missed rubric point, the
//! lesson sentence that shares the most content with it ([`lesson_notes`]).
//!
//! The checks:
//! - **language**: zh-CN needs a share of CJK ideographs among letters + ideographs ≥ 0.5; en
//!   needs no CJK ideograph at all;
//! - **invented numbers**: numbers (digits with `.` `,`; list markers such as `1.` at a line start
//!   are not numbers) that occur in none of the sources the model was given (question, reference,
//!   answer, missed points, lesson excerpt);
//! - **unsupported**: share of the explanation's content words absent from all the sources — en:
//!   lowercased words of ≥ 4 letters minus [`EN_STOP`]; zh: character bigrams of CJK runs minus
//!   [`ZH_STOP`] (words that talk *about* the answer, not facts);
//! - **misstated answer**: a sentence about the learner's answer ([`answer_claims`]: "It only
//!   mentions X", "Your answer does not mention X") that the answer contradicts: X mostly absent
//!   from the answer although it is said to be there, or mostly present although it is said to be
//!   missing ([`misstated_claims`]);
//! - **contradiction**: a praise pattern ([`EN_PRAISE`], [`ZH_PRAISE`]; not after a negation such
//!   as "not"/"不") although rubric points were missed;
//! - **echo**: the longest substring shared with the reference, over the explanation's length
//!   (copying the reference is grounded, but it is not an explanation); **echo of the lesson**:
//!   the same against the lesson excerpt; **copied**: the share of the explanation's characters
//!   that lie in a run shared with the question, the reference or the lesson (≥ 12 characters in
//!   English, ≥ 6 in Chinese) — a patchwork of copied pieces, which a single longest run misses;
//!   **echo of the answer**: the longest run shared with the learner's answer (the model tends to
//!   present the answer itself as what is missing); **prompt labels**: the prompt's section
//!   labels ([`PROMPT_LABELS`]) repeated in the text;
//! - **echo of missed points**: the same against the missed rubric points;
//! - **missed recall**: share of the missed points' content units that the explanation uses;
//! - **cut off**: the text does not end with sentence punctuation (it ran into the token limit).

use std::collections::HashSet;

use crossway_tutor::worker::ExplainJob;
use serde::Serialize;

/// English words that talk about the answer rather than state facts, and function words.
pub const EN_STOP: &[&str] = &[
    "about",
    "also",
    "answer",
    "answers",
    "because",
    "been",
    "being",
    "could",
    "does",
    "doesn",
    "each",
    "explain",
    "explains",
    "from",
    "have",
    "here",
    "into",
    "just",
    "learner",
    "lesson",
    "mention",
    "mentioned",
    "mentions",
    "miss",
    "missed",
    "misses",
    "missing",
    "more",
    "most",
    "must",
    "need",
    "needs",
    "only",
    "other",
    "point",
    "points",
    "question",
    "reference",
    "response",
    "rubric",
    "should",
    "some",
    "such",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "very",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "will",
    "with",
    "would",
    "your",
    "important",
    "matters",
    "understand",
    "understanding",
    "provide",
    "provided",
    "include",
    "includes",
    "including",
    "correct",
    "however",
];

/// Chinese bigrams that talk about the answer rather than state facts.
pub const ZH_STOP: &[&str] = &[
    "答案", "学生", "你的", "缺少", "缺了", "没有", "要点", "评分", "重要", "因为", "所以", "需要", "可以", "提到",
    "说明", "参考", "课程", "摘录", "问题", "这个", "一个", "以及", "应该", "回答", "未达", "达到", "的答", "了什",
    "什么", "为什", "么重", "这些", "我们", "如果", "就是", "但是", "同时", "此外", "是否", "正确", "解释",
];

/// Phrases that name the prompt's parts (removed before words and bigrams are taken, so that
/// "根据课程摘录" does not yield the bigrams "据课", "程摘").
pub const META: &[&str] = &[
    "根据课程摘录",
    "课程摘录",
    "参考答案",
    "评分要点",
    "学生的答案",
    "你的答案",
    "学生答案",
    "未达到的",
    "lesson excerpt",
    "reference answer",
    "rubric point",
    "learner's answer",
];

/// Praise that contradicts a verdict of "incomplete" (kept small on purpose).
pub const EN_PRAISE: &[&str] = &[
    "is correct",
    "are correct",
    "correctly",
    "fully",
    "well done",
    "good job",
    "great job",
    "excellent",
    "perfect",
    "is complete",
    "nothing is missing",
    "covers all",
    // "… so it does not leave out any of the rubric points" after listing what it left out.
    "not leave out any",
    "n't leave out any",
    "leaves out nothing",
    "no points are missing",
];
pub const ZH_PRAISE: &[&str] =
    &["完全正确", "回答正确", "答案正确", "很好", "非常好", "答得好", "很全面", "完整", "没有遗漏", "正确地"];
pub fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Numbers in `text` as normalised strings ("1,000" → "1000", "50%" → "50"); list markers at a
/// line start ("1. ", "2) ") are skipped.
pub fn numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut s = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() {
                s.push(c);
            } else if (c == '.' || c == ',') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                if c == '.' {
                    s.push('.');
                }
            } else {
                break;
            }
            i += 1;
        }
        let line_start = chars[..start].iter().rev().take_while(|c| **c == ' ' || **c == '\t').count();
        let at_line_start = start == line_start || chars[start - line_start - 1] == '\n';
        let marker = at_line_start
            && matches!(chars.get(i), Some('.') | Some(')') | Some('、'))
            && chars.get(i + 1).is_none_or(|c| c.is_whitespace() || is_cjk(*c));
        if !marker {
            out.push(s);
        }
    }
    out
}

fn en_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .map(str::to_lowercase)
        .filter(|w| !EN_STOP.contains(&w.as_str()))
        .collect()
}

fn zh_bigrams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
        } else {
            for w in run.windows(2) {
                let b: String = w.iter().collect();
                if !ZH_STOP.contains(&b.as_str()) {
                    out.push(b);
                }
            }
            run.clear();
        }
    }
    out
}

pub fn content_units(text: &str, zh: bool) -> Vec<String> {
    let mut text = text.to_lowercase();
    for m in META {
        text = text.replace(m, " ");
    }
    if zh {
        zh_bigrams(&text)
    } else {
        en_words(&text)
    }
}

/// Praise patterns found in `text`, unless negated just before ("not fully", "不完整").
pub fn praise(text: &str, zh: bool) -> Vec<String> {
    let lower = text.to_lowercase();
    let pats = if zh { ZH_PRAISE } else { EN_PRAISE };
    let mut found = Vec::new();
    for p in pats {
        for (at, _) in lower.match_indices(p) {
            let before: String = lower[..at].chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
            let negated = if zh {
                ["不", "未", "没", "非"].iter().any(|n| before.ends_with(n))
            } else {
                before.contains("not ") || before.contains("n't ") || before.contains("never ")
            };
            if !negated {
                found.push(p.to_string());
            }
        }
    }
    found
}

/// How an explanation names the learner's answer as the subject of a claim ("It only mentions
/// …", "Your answer does not mention …", "你的答案提到了……").
const EN_SUBJECTS: &[&str] = &["your answer", "the learner's answer", "the learner", "the answer", "it", "you"];
const EN_LEADS: &[&str] = &["instead,", "however,", "additionally,", "also,", "moreover,", "furthermore,", "but"];
const EN_QUALIFIERS: &[&str] = &["only", "also", "correctly", "instead", "just", "clearly"];
const EN_CLAIMS: &[&str] = &[
    "states",
    "state",
    "mentions",
    "mention",
    "says",
    "say",
    "names",
    "name",
    "gives",
    "give",
    "addresses",
    "address",
    "identifies",
    "identify",
    "explains",
    "explain",
    "notes",
    "note",
    "includes",
    "include",
    "suggests",
    "suggest",
    "proposes",
    "propose",
    "lists",
    "list",
    "recommends",
    "recommend",
    "concludes",
    "conclude",
    "focuses on",
    "talks about",
    "uses",
    "use",
];
const EN_DENIALS: &[&str] = &["does not", "doesn't", "did not", "didn't", "fails to", "never"];
const EN_DENIED: &[&str] =
    &["mention", "name", "state", "include", "say", "explain", "give", "cover", "address", "identify"];
const ZH_SUBJECTS: &[&str] = &["你的答案", "学生的答案", "学生答案", "该答案", "这个答案", "答案", "你"];
const ZH_LEADS: &[&str] = &["但是，", "但是", "但", "此外，", "另外，", "而且", "并且", "同时，"];
const ZH_QUALIFIERS: &[&str] = &["只", "仅", "也", "还", "正确地"];
const ZH_CLAIMS: &[&str] = &[
    "提到了",
    "提到",
    "提及了",
    "提及",
    "指出了",
    "指出",
    "说明了",
    "说明",
    "写了",
    "给出了",
    "给出",
    "包括了",
    "包括",
    "包含了",
    "包含",
    "讲了",
    "认为",
];
const ZH_DENIALS: &[&str] = &[
    "没有提到",
    "未提到",
    "没有提及",
    "未提及",
    "没有说明",
    "未说明",
    "没有指出",
    "未指出",
    "没有写",
    "没有包括",
    "没有包含",
    "未包含",
    "遗漏了",
    "漏掉了",
];

/// A claim the explanation makes about the learner's answer: what it says the answer contains
/// (`denied` = false) or lacks (`denied` = true).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerClaim {
    pub sentence: String,
    pub content: String,
    pub denied: bool,
}

/// The sentences of `text` (split after 。！？； and after . ! ? followed by white space).
pub fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, c) in chars.iter().enumerate() {
        cur.push(*c);
        let end = match c {
            '。' | '！' | '？' | '；' | '\n' => true,
            '.' | '!' | '?' => chars.get(i + 1).is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if end {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn strip_any<'a>(s: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| s.strip_prefix(p))
}

/// Drops leading connectives and qualifiers ("Instead, it only …" → "it only …" → "…").
fn strip_all<'a>(mut s: &'a str, prefixes: &[&str], zh: bool) -> &'a str {
    loop {
        let t = if zh { s.trim_start() } else { s.trim_start_matches([' ', ',']) };
        match prefixes.iter().find_map(|p| t.strip_prefix(p).filter(|r| zh || r.starts_with([' ', ',']))) {
            Some(rest) => s = rest,
            None => return t,
        }
    }
}

/// Whether `before` (the text in front of a denial) ends with a name of the learner's answer.
fn names_answer(before: &str, zh: bool) -> bool {
    let subjects = if zh { ZH_SUBJECTS } else { EN_SUBJECTS };
    let mut b = before.trim_end_matches([' ', ',', '，']);
    loop {
        let q = if zh { ZH_QUALIFIERS } else { EN_QUALIFIERS };
        match q.iter().find_map(|x| b.strip_suffix(x)) {
            Some(rest) if zh || rest.is_empty() || rest.ends_with(' ') => b = rest.trim_end(),
            _ => break,
        }
    }
    subjects.iter().any(|s| b == *s || b.ends_with(&format!(" {s}")) || (zh && b.ends_with(s)))
}

/// The claims about the learner's answer in `text`: sentences whose subject is the answer ("It
/// only mentions X", "Instead, it states that X", "你的答案提到了X") and denials ("Your answer
/// does not mention X", "…, but it does not address X", "你的答案没有提到X"). The claimed content
/// ends at ", but" / "但" (a second claim of the other kind follows there) and at ", which" (the
/// model's judgement of it). "It" is taken to be the answer: in these explanations it nearly
/// always is (docs/quality.md, session 5).
pub fn answer_claims(text: &str, zh: bool) -> Vec<AnswerClaim> {
    let mut out = Vec::new();
    for sentence in sentences(text) {
        let lower = sentence.to_lowercase();
        let cut = |s: &str| -> String {
            // ", which …" is the model's judgement of what it claims, not part of the claim.
            let stops: &[&str] =
                if zh { &["，但", "但是", "，而"] } else { &[", but ", " but ", "; ", ", which "] };
            let end = stops.iter().filter_map(|p| s.find(p)).min().unwrap_or(s.len());
            s[..end].trim().to_string()
        };
        // What it says the answer contains.
        let (subjects, leads, qualifiers, claims) = if zh {
            (ZH_SUBJECTS, ZH_LEADS, ZH_QUALIFIERS, ZH_CLAIMS)
        } else {
            (EN_SUBJECTS, EN_LEADS, EN_QUALIFIERS, EN_CLAIMS)
        };
        let s = strip_all(&lower, leads, zh);
        if let Some(rest) = strip_any(s, subjects).filter(|r| zh || r.starts_with(' ')) {
            let rest = strip_all(rest, qualifiers, zh);
            let verb = claims.iter().find_map(|v| rest.strip_prefix(v).filter(|r| zh || r.starts_with(' ')));
            if let Some(content) = verb {
                let content = content.trim_start();
                let content = if zh { content } else { content.strip_prefix("that ").unwrap_or(content) };
                out.push(AnswerClaim { sentence: sentence.clone(), content: cut(content), denied: false });
            }
        }
        // What it says the answer lacks.
        let denials: Vec<(usize, usize)> = if zh {
            ZH_DENIALS.iter().flat_map(|d| lower.match_indices(d).map(|(at, m)| (at, at + m.len()))).collect()
        } else {
            EN_DENIALS
                .iter()
                .flat_map(|d| {
                    let pat = format!("{d} ");
                    lower.match_indices(&pat).map(|(at, m)| (at, at + m.len())).collect::<Vec<_>>()
                })
                .filter_map(|(at, end)| {
                    let verb = EN_DENIED
                        .iter()
                        .find(|v| lower[end..].starts_with(*v) && lower[end + v.len()..].starts_with([' ', 's']))?;
                    let after = lower[end + verb.len()..].trim_start_matches('s');
                    Some((at, lower.len() - after.len()))
                })
                .collect()
        };
        for (at, end) in denials {
            if !names_answer(&lower[..at], zh) {
                continue;
            }
            let mut content = lower[end..].trim_start();
            if !zh {
                for p in ["the point that states", "the point that", "the point", "that"] {
                    if let Some(r) = content.strip_prefix(p).filter(|r| r.starts_with(' ')) {
                        content = r.trim_start();
                        break;
                    }
                }
            }
            out.push(AnswerClaim { sentence: sentence.clone(), content: cut(content), denied: true });
        }
    }
    out
}

/// Claims with fewer content units are not checked.
pub const MIN_CLAIM_UNITS: usize = 3;
/// Below this share of its content units found in the learner's answer, a claim that the answer
/// says something is false.
pub const MIN_CLAIM_IN_ANSWER: f64 = 0.5;
/// At or above this share of its content units found in the learner's answer, a claim that the
/// answer lacks something is false (unless the missed points hold it at least as well).
pub const MAX_DENIED_IN_ANSWER: f64 = 0.8;

/// The claims in `text` (of at least [`MIN_CLAIM_UNITS`] content units) that the learner's answer
/// contradicts: it says the answer contains something of which less than [`MIN_CLAIM_IN_ANSWER`]
/// is in the answer, or lacks something of which at least [`MAX_DENIED_IN_ANSWER`] is in the
/// answer and which the missed points do not hold better.
pub fn misstated_claims(text: &str, answer: &str, missed: &[String], zh: bool) -> Vec<String> {
    // English words are compared without a plural or third-person "s" ("plans" = "plan").
    let units = |t: &str| -> Vec<String> {
        content_units(t, zh)
            .into_iter()
            .map(|u| if zh || u.len() <= 4 { u } else { u.trim_end_matches('s').to_string() })
            .collect()
    };
    let in_answer: HashSet<String> = units(answer).into_iter().collect();
    let in_missed: HashSet<String> = units(&missed.join("\n")).into_iter().collect();
    let share = |units: &[String], set: &HashSet<String>| {
        units.iter().filter(|u| set.contains(*u)).count() as f64 / units.len().max(1) as f64
    };
    answer_claims(text, zh)
        .into_iter()
        .filter(|c| {
            // A claim of fewer than 3 content units ("the rule and why it matters") is too
            // abstract to check against the answer's words.
            let units = units(&c.content);
            let a = share(&units, &in_answer);
            units.len() >= MIN_CLAIM_UNITS
                && if c.denied {
                    a >= MAX_DENIED_IN_ANSWER && share(&units, &in_missed) < a
                } else {
                    a < MIN_CLAIM_IN_ANSWER
                }
        })
        .map(|c| c.sentence)
        .collect()
}

/// Longest common substring of `a` and `b`, in characters (case-insensitive).
pub fn longest_common(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev = vec![0usize; b.len() + 1];
    let mut best = 0;
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

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
    outcome: Result<String, crossway_tutor::llm::LlmError>,
) -> Result<ExplanationDto, crossway_tutor::llm::LlmError> {
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
        Err(crossway_tutor::llm::LlmError::TooLong { .. }) => (None, Some(Withheld::TooLong)),
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

/// The share of `text`'s non-space characters that lie in a run of at least `min` characters
/// also found in one of `sources` (case-insensitive).
pub fn copied_share(text: &str, sources: &[&str], min: usize) -> f64 {
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let mut covered = vec![false; t.len()];
    for source in sources {
        let s: Vec<char> = source.to_lowercase().chars().collect();
        // run[j + 1]: length of the common run ending at the current text char and s[j].
        let mut prev = vec![0usize; s.len() + 1];
        for (i, c) in t.iter().enumerate() {
            let mut cur = vec![0usize; s.len() + 1];
            let mut longest = 0;
            for (j, d) in s.iter().enumerate() {
                if c == d {
                    cur[j + 1] = prev[j] + 1;
                    longest = longest.max(cur[j + 1]);
                }
            }
            if longest >= min {
                covered[i + 1 - longest..=i].iter_mut().for_each(|x| *x = true);
            }
            prev = cur;
        }
    }
    let counted = t.iter().filter(|c| !c.is_whitespace()).count();
    let hit = t.iter().zip(&covered).filter(|(c, &k)| k && !c.is_whitespace()).count();
    if counted == 0 {
        0.0
    } else {
        hit as f64 / counted as f64
    }
}

/// Whether `text` ends with sentence punctuation (closing quotes and brackets aside).
fn ends_sentence(text: &str) -> bool {
    text.is_empty()
        || text.trim_end().trim_end_matches(['"', '”', '）', ')', '*']).ends_with(['.', '。', '!', '！', '?', '？'])
}

/// `text` up to its last finished sentence (all of it when it ends one; empty when none ends).
pub fn finished_sentences(text: &str) -> String {
    let text = text.trim_end();
    if ends_sentence(text) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut end = None;
    for (i, c) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        let full_stop = match c {
            '。' | '！' | '？' => true,
            // An English stop ends a sentence only before white space (not in "1.5" or "e.g.x").
            '.' | '!' | '?' => next.is_some_and(|n| n.is_whitespace()),
            _ => false,
        };
        if full_stop {
            end = Some(i + 1);
        }
    }
    end.map(|e| chars[..e].iter().collect::<String>().trim().to_string()).unwrap_or_default()
}

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
    fn the_window_knows_every_reason_for_withholding() {
        // ui/src/ipc.ts mirrors the reasons; the TypeScript compiler then requires a
        // `withheld_<reason>` text in both languages (ui/src/i18n/dash.ts).
        let ipc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/ipc.ts")).unwrap();
        let line = ipc.lines().find(|l| l.starts_with("export type Withheld =")).expect("Withheld type in ipc.ts");
        let mut names: Vec<String> = line
            .trim_start_matches("export type Withheld =")
            .split('|')
            .map(|n| n.trim().trim_end_matches(';').trim_matches('"').to_string())
            .collect();
        let mut ours: Vec<String> =
            Withheld::ALL.iter().map(|w| serde_json::to_value(w).unwrap().as_str().unwrap().to_string()).collect();
        names.sort();
        ours.sort();
        assert_eq!(names, ours);
        // A new variant does not compile here until it is listed: the reminder to add it to
        // ALL (and so to ipc.ts and both languages' texts).
        for w in Withheld::ALL {
            match w {
                Withheld::Empty
                | Withheld::WrongLanguage
                | Withheld::InventedNumbers
                | Withheld::Contradiction
                | Withheld::MisstatesAnswer
                | Withheld::CopiesSource
                | Withheld::QuotesAnswer
                | Withheld::Unsupported
                | Withheld::EchoesPrompt
                | Withheld::Vague
                | Withheld::TooLong => {}
            }
        }
    }

    #[test]
    fn an_unfinished_last_sentence_is_dropped_and_numbers_are_not_sentence_ends() {
        assert_eq!(finished_sentences("Organic sales fell. TACoS rose because"), "Organic sales fell.");
        assert_eq!(finished_sentences("ACoS is 1.5 times higher. Done!"), "ACoS is 1.5 times higher. Done!");
        assert_eq!(finished_sentences("自然销量下降了。因为广告"), "自然销量下降了。");
        assert_eq!(finished_sentences("no full stop at all"), "");
    }

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
