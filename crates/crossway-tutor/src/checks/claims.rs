//! What an explanation says about the learner's answer: praise ("is correct") and claims such as
//! "It only mentions X" / "Your answer does not mention X", checked against the answer.

use std::collections::HashSet;

use super::text::{content_units, sentences};

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
