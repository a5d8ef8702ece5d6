//! "Describe yourself" (issue #15): a learner's free text read into a *proposed* profile — goal
//! role, platforms and markets, modules of claimed experience, weekly study time — using only the
//! pack's ids ([`crossway_content::Vocabulary`]). Nothing here is applied: the learner confirms.
//!
//! Two readers, measured on `crates/crossway-app/data/describe/descriptions.toml` by the app's
//! `examples/describe_eval.rs` (docs/quality.md, "Describe yourself"):
//! - [`by_keywords`], without a model: the pack's aliases found in the text, each clause read as
//!   a wish ("想转做…", "I want to…": goal role), as experience ("做过…", "I worked…": claimed
//!   modules) or negated ("没做过", "never"); platforms and markets anywhere not negated; the
//!   longest alias wins where two overlap ("Latin America" over "America").
//! - [`LlmGrader::describe`], the on-device model, decoding JSON under a GBNF grammar
//!   ([`grammar`]) that admits only the pack's role ids (or null), so no other id can ever be
//!   proposed. It is asked for the goal role only: asked for the lists as well, the 0.5B default
//!   copied every id of each list in order. How the two are combined is the app's measured
//!   choice (`crossway_app::describe::combine`).
//!
//! Weekly time is always read by [`weekly_minutes`] (arithmetic on "每天一小时" is a rule, not
//! a judgement).

use std::collections::BTreeSet;
use std::time::Instant;

use crossway_content::{Term, Vocabulary};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use llama_cpp_2::token::LlamaToken;
use serde::{Deserialize, Serialize};

use crate::checks::is_cjk;
use crate::llm::{LlmError, LlmGrader};

/// What a self-description was read as (ids of the pack only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub goal_role: Option<String>,
    pub platforms: Vec<String>,
    pub markets: Vec<String>,
    pub claimed_modules: Vec<String>,
    pub weekly_minutes: Option<u32>,
}

/// Which field a phrase of the text was read into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    GoalRole,
    Platform,
    Market,
    ClaimedModule,
}

/// A phrase of the learner's text behind a proposed id ("you wrote: …").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub field: Field,
    pub id: String,
    pub phrase: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mood {
    Wish,
    Experience,
    Negated,
    Plain,
}

const WISH_EN: &[&str] = &[
    "want",
    "wanna",
    "hope",
    "plan",
    "goal",
    "aim",
    "become",
    "switch",
    "move into",
    "transition",
    "looking for",
    "interested in",
    "learn",
    "dream",
    "would like",
    "i'd like",
    "thinking about",
    "considering",
    "target",
    "next",
    "get into",
    "break into",
    "pivot",
];
const WISH_ZH: &[&str] = &[
    "想",
    "希望",
    "打算",
    "目标",
    "计划",
    "转行",
    "转做",
    "转型",
    "转到",
    "转岗",
    "成为",
    "梦想",
    "准备",
    "考虑",
    "感兴趣",
    "以后",
    "将来",
    "往",
    "求职",
    "应聘",
    "找一份",
    "找个",
];
const EXPERIENCE_EN: &[&str] = &[
    "worked",
    "work as",
    "working",
    "work at",
    "work in",
    "i'm a",
    "i am a",
    "i was",
    "years",
    "year",
    "experience",
    "did ",
    "done",
    "have been",
    "i've been",
    "used to",
    "run ",
    "running",
    "ran ",
    "managed",
    "handled",
    "currently",
    "my job",
    "studied",
    "major",
    "graduated",
    "degree",
    "background",
    "i do ",
    "been doing",
    "as a",
];
const EXPERIENCE_ZH: &[&str] = &[
    "做过",
    "做了",
    "干过",
    "干了",
    "从事",
    "工作",
    "经验",
    "负责",
    "目前",
    "现在",
    "当过",
    "毕业",
    "专业",
    "学过",
    "出身",
    "背景",
    "在做",
    "一直做",
    "做的是",
    "年的",
];
const NEGATION_EN: &[&str] = &["never", "no experience", "not ", "don't", "haven't", "zero", "without", "hate"];
const NEGATION_ZH: &[&str] = &["没", "不会", "不懂", "不想", "不喜欢", "讨厌", "零基础", "从未", "没有"];

fn has_any(text: &str, cues: &[&str]) -> bool {
    cues.iter().any(|c| text.contains(c))
}

/// Clauses of `text` (split at sentence and clause punctuation and at "but" / "但是").
fn clauses(text: &str) -> Vec<String> {
    let text = text.replace(" but ", "\n").replace(" But ", "\n").replace("但是", "\n").replace("不过", "\n");
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let ends = matches!(c, '，' | '。' | '；' | '！' | '？' | '\n' | ',' | ';' | '!' | '?' | '、')
            || (c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()));
        if ends {
            if !cur.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

fn mood(clause: &str) -> Mood {
    let negated = has_any(clause, NEGATION_EN) || has_any(clause, NEGATION_ZH);
    let wish = (has_any(clause, WISH_EN) || has_any(clause, WISH_ZH)) && !clause.contains("学过");
    let experience = has_any(clause, EXPERIENCE_EN) || has_any(clause, EXPERIENCE_ZH);
    if negated && !wish {
        Mood::Negated
    } else if wish {
        Mood::Wish
    } else if experience {
        Mood::Experience
    } else {
        Mood::Plain
    }
}

/// Where `alias` occurs in `lower` (already lowercased): as a substring when it holds Chinese,
/// else as whole words (no ASCII letter or digit just before or after).
fn occurrences(lower: &str, alias: &str) -> Vec<(usize, usize)> {
    matches(lower, &alias.to_lowercase())
}

/// Like [`occurrences`], with the original text beside its lowercase form: an alias written as a
/// short capital abbreviation ("US", "UK", "EU") matches only in capitals, so that the pronoun
/// "us" is not the United States.
fn occurrences_in(original: &str, lower: &str, alias: &str) -> Vec<(usize, usize)> {
    if alias.len() <= 3 && alias.chars().all(|c| c.is_ascii_uppercase()) && original.len() == lower.len() {
        matches(original, alias)
    } else {
        occurrences(lower, alias)
    }
}

fn matches(text: &str, a: &str) -> Vec<(usize, usize)> {
    if a.is_empty() {
        return vec![];
    }
    let cjk = a.chars().any(is_cjk);
    text.match_indices(a)
        .map(|(i, m)| (i, i + m.len()))
        .filter(|&(s, e)| {
            cjk || {
                let before = text[..s].chars().next_back();
                let after = text[e..].chars().next();
                let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                let starts_word = a.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
                let ends_word = a.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
                !(starts_word && word(before) || ends_word && word(after))
            }
        })
        .collect()
}

/// Every alias of `terms` found in `clause` (`lower` is its lowercase form), the longest first
/// where two overlap: (id, phrase).
fn found<'a>(clause: &str, lower: &str, terms: &'a [Term]) -> Vec<(&'a str, String)> {
    let mut hits: Vec<(usize, usize, &str)> = Vec::new();
    for t in terms {
        for alias in t.aliases.en.iter().chain(&t.aliases.zh) {
            for (s, e) in occurrences_in(clause, lower, alias) {
                hits.push((s, e, t.id.as_str()));
            }
        }
    }
    hits.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
    let mut taken: Vec<(usize, usize, &str)> = Vec::new();
    for h in hits {
        if !taken.iter().any(|t| h.0 < t.1 && t.0 < h.1) {
            taken.push(h);
        }
    }
    taken.sort_by_key(|t| t.0);
    taken.into_iter().map(|(s, e, id)| (id, lower[s..e].to_string())).collect()
}

/// The keyword reader (no model): see the module's notes.
pub fn by_keywords(text: &str, vocab: &Vocabulary) -> (Proposal, Vec<Evidence>) {
    let mut evidence = Vec::new();
    let mut platforms = BTreeSet::new();
    let mut markets = BTreeSet::new();
    let mut modules = BTreeSet::new();
    // The goal: the last wish that names a role (a learner who corrects themselves ends with
    // what they mean); failing that, a role named in a plain clause.
    // (role id, the phrase that named it)
    let mut wished: Option<(String, String)> = None;
    let mut plain: Option<(String, String)> = None;
    for clause in clauses(text) {
        let lower = clause.to_lowercase();
        let m = mood(&lower);
        if m != Mood::Negated {
            for (id, phrase) in found(&clause, &lower, &vocab.platforms) {
                if platforms.insert(id.to_string()) {
                    evidence.push(Evidence { field: Field::Platform, id: id.into(), phrase });
                }
            }
            for (id, phrase) in found(&clause, &lower, &vocab.markets) {
                if markets.insert(id.to_string()) {
                    evidence.push(Evidence { field: Field::Market, id: id.into(), phrase });
                }
            }
        }
        match m {
            Mood::Wish => {
                if let Some((id, phrase)) =
                    found(&clause, &lower, &vocab.roles).into_iter().max_by_key(|(_, p)| p.chars().count())
                {
                    wished = Some((id.to_string(), phrase));
                }
            }
            Mood::Plain => {
                if plain.is_none() {
                    plain = found(&clause, &lower, &vocab.roles)
                        .into_iter()
                        .max_by_key(|(_, p)| p.chars().count())
                        .map(|(id, p)| (id.to_string(), p));
                }
            }
            Mood::Experience => {
                for (id, phrase) in found(&clause, &lower, &vocab.modules) {
                    if modules.insert(id.to_string()) {
                        evidence.push(Evidence { field: Field::ClaimedModule, id: id.into(), phrase });
                    }
                }
            }
            Mood::Negated => {}
        }
    }
    let goal = wished.or(plain);
    if let Some((id, phrase)) = &goal {
        evidence.push(Evidence { field: Field::GoalRole, id: id.clone(), phrase: phrase.clone() });
    }
    let order = |set: BTreeSet<String>, terms: &[Term]| -> Vec<String> {
        terms.iter().filter(|t| set.contains(&t.id)).map(|t| t.id.clone()).collect()
    };
    let proposal = Proposal {
        goal_role: goal.map(|g| g.0),
        platforms: order(platforms, &vocab.platforms),
        markets: order(markets, &vocab.markets),
        claimed_modules: order(modules, &vocab.modules),
        weekly_minutes: weekly_minutes(text),
    };
    evidence.sort_by_key(|e| e.field);
    (proposal, evidence)
}

/// The phrases of `text` behind a proposal's ids (for a model's reading: its ids with the alias
/// the text holds, when it holds one).
pub fn evidence_for(text: &str, proposal: &Proposal, vocab: &Vocabulary) -> Vec<Evidence> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut add = |field: Field, ids: &[String], terms: &[Term]| {
        for id in ids {
            let Some(t) = terms.iter().find(|t| &t.id == id) else { continue };
            let phrase = t
                .aliases
                .en
                .iter()
                .chain(&t.aliases.zh)
                .filter_map(|a| occurrences(&lower, a).first().map(|&(s, e)| lower[s..e].to_string()))
                .max_by_key(|p| p.chars().count());
            if let Some(phrase) = phrase {
                out.push(Evidence { field, id: id.clone(), phrase });
            }
        }
    };
    add(Field::GoalRole, proposal.goal_role.as_slice(), &vocab.roles);
    add(Field::Platform, &proposal.platforms, &vocab.platforms);
    add(Field::Market, &proposal.markets, &vocab.markets);
    add(Field::ClaimedModule, &proposal.claimed_modules, &vocab.modules);
    out
}

/// Weekly study time in minutes, when the text states it: amounts ("1.5 小时", "两三个小时",
/// "half an hour", "45 min") with their period — per day ×7 (每天, 每晚, a day, every evening),
/// weekdays ×5, weekends ×2 (×1 with "in total" / "一共"), per week ×1; several add up (weekdays
/// plus weekends). A range counts as its middle; an amount without a period, or "a few hours",
/// is not a statement of time.
pub fn weekly_minutes(text: &str) -> Option<u32> {
    let mut total = 0.0;
    let mut any = false;
    let lower = text.to_lowercase();
    for sentence in lower.split(['。', '！', '？', '\n', '!', '?']) {
        let parts = clauses(sentence);
        for clause in &parts {
            let Some(minutes) = amount_minutes(clause) else { continue };
            // The period is said in the clause ("每天一小时") or elsewhere in the sentence
            // ("weekends only, 4 hours in total").
            let Some(mut factor) = period_factor(clause).or_else(|| period_factor(sentence)) else { continue };
            // "weekends only, 3 hrs each day": a day of the weekend (or of the working week).
            if factor == 7.0 {
                if let Some(part) = period_factor(sentence).filter(|f| *f == 5.0 || *f == 2.0) {
                    factor = part;
                }
            }
            total += minutes * factor;
            any = true;
        }
    }
    (any && total > 0.0).then(|| total.round() as u32)
}

/// How many times a week the period named in `text` comes round (per day 7, weekdays 5,
/// weekends 2 — 1 with "in total" —, per week 1); `None` when it names none.
fn period_factor(text: &str) -> Option<f64> {
    if has_any(text, &["工作日", "周一到周五", "weekday", "mon-fri", "monday to friday"]) {
        Some(5.0)
    } else if has_any(text, &["周末", "weekend", "周六日", "双休", "saturday", "sunday"]) {
        Some(if has_any(text, &["一共", "总共", "in total", "total", "altogether"]) { 1.0 } else { 2.0 })
    } else if has_any(
        text,
        &[
            "每天",
            "天天",
            "每日",
            "一天",
            "每晚",
            "晚上",
            "每个晚上",
            "下班后",
            "daily",
            "a day",
            "per day",
            "each day",
            "every day",
            "every night",
            "a night",
            "every evening",
            "each evening",
            "evenings",
            "nightly",
            "/day",
        ],
    ) {
        Some(7.0)
    } else if has_any(
        text,
        &[
            "每周",
            "一周",
            "每星期",
            "一星期",
            "每个星期",
            "周",
            "a week",
            "per week",
            "weekly",
            "each week",
            "every week",
            "/week",
        ],
    ) {
        Some(1.0)
    } else {
        None
    }
}

fn zh_digit(c: char) -> Option<f64> {
    Some(match c {
        '一' => 1.0,
        '二' | '两' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        '十' => 10.0,
        '半' => 0.5,
        _ => return None,
    })
}

/// The amount of time one clause states, in minutes (the first amount with a unit).
fn amount_minutes(clause: &str) -> Option<f64> {
    const HOURS: &[&str] = &["个小时", "小时", "个钟头", "钟头", "hours", "hour", "hrs", "hr", "h"];
    const MINUTES: &[&str] = &["分钟", "minutes", "minute", "mins", "min"];
    let words: &[(&str, f64)] = &[
        ("half an", 0.5),
        ("an", 1.0),
        ("a couple of", 2.0),
        ("one", 1.0),
        ("two", 2.0),
        ("three", 3.0),
        ("four", 4.0),
        ("five", 5.0),
        ("six", 6.0),
        ("seven", 7.0),
        ("eight", 8.0),
        ("nine", 9.0),
        ("ten", 10.0),
        ("twenty", 20.0),
        ("thirty", 30.0),
        ("forty-five", 45.0),
        ("forty five", 45.0),
        ("fifteen", 15.0),
        ("twelve", 12.0),
    ];
    for (unit_list, per) in [(HOURS, 60.0), (MINUTES, 1.0)] {
        for unit in unit_list {
            for (at, _) in clause.match_indices(unit) {
                // An English unit must be a whole word ("h" not inside "hours" or "the").
                if unit.is_ascii() {
                    let after = clause[at + unit.len()..].chars().next();
                    let before = clause[..at].chars().next_back();
                    if after.is_some_and(|c| c.is_ascii_alphabetic())
                        || (unit.len() <= 2 && before.is_some_and(|c| c.is_ascii_alphabetic()))
                    {
                        continue;
                    }
                }
                let head = clause[..at].trim_end();
                if let Some(n) = number_before(head, words) {
                    // "一个半小时" / "1 个半小时": the half comes after the count.
                    return Some(n * per);
                }
            }
        }
    }
    None
}

/// The number that ends `head`: digits ("1.5", a range "2-3" / "2~3" / "2到3" / "2 to 3" /
/// "2 or 3" as its middle), Chinese numerals ("两三" as 2.5, "一个半" as 1.5, "二十"), or an
/// English number word.
fn number_before(head: &str, words: &[(&str, f64)]) -> Option<f64> {
    let head = head.trim_end();
    let chars: Vec<char> = head.chars().collect();
    // Chinese: "一个半", "两个", "两三", "十五", "二十", "半".
    let mut i = chars.len();
    let mut half = false;
    if i > 0 && chars[i - 1] == '半' && i >= 2 && (chars[i - 2] == '个' || zh_digit(chars[i - 2]).is_some()) {
        half = true;
        i -= 1;
    }
    if i > 0 && chars[i - 1] == '个' {
        i -= 1;
    }
    let mut j = i;
    while j > 0 && zh_digit(chars[j - 1]).is_some() {
        j -= 1;
    }
    if j < i {
        let run: Vec<f64> = chars[j..i].iter().filter_map(|&c| zh_digit(c)).collect();
        let value = match run.as_slice() {
            [x] => *x,
            [10.0, x] => 10.0 + x,
            [x, 10.0] => x * 10.0,
            [x, 10.0, y] => x * 10.0 + y,
            [x, y] if *y == x + 1.0 => (x + y) / 2.0,
            _ => run[0],
        };
        return Some(value + if half { 0.5 } else { 0.0 });
    }
    if half && i < chars.len() {
        return Some(0.5);
    }
    // Digits, possibly a range.
    let digits = |s: &str| -> Option<(f64, usize)> {
        let t: String = s.chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let t: String = t.chars().rev().collect();
        let t = t.trim_start_matches('.');
        (!t.is_empty()).then(|| t.parse::<f64>().ok().map(|v| (v, t.len()))).flatten()
    };
    if let Some((hi, len)) = digits(head) {
        let rest = head[..head.len() - len].trim_end();
        for sep in ["-", "~", "–", "到", "至", " to", " or", "或"] {
            if let Some(r) = rest.strip_suffix(sep) {
                if let Some((lo, _)) = digits(r.trim_end()) {
                    return Some((lo + hi) / 2.0);
                }
            }
        }
        return Some(hi);
    }
    let lower = head.to_lowercase();
    words.iter().find(|(w, _)| lower.ends_with(&format!(" {w}")) || lower == *w).map(|(_, v)| *v)
}

/// The GBNF grammar of the model's reading: a JSON object whose one value is a role id of the
/// pack, or null. (Asked for the lists too, the 0.5B default model copied every id of each list
/// in order — docs/quality.md "Describe yourself" — so platforms, markets and claimed modules are
/// the keyword reader's, and the model decides only what it reads well: the job the learner
/// wants.)
pub fn grammar(vocab: &Vocabulary) -> String {
    let roles: String = vocab.roles.iter().map(|t| format!(" | \"\\\"{}\\\"\"", t.id)).collect();
    format!("root ::= \"{{\\\"goal_role\\\": \" role \"}}\"\nrole ::= \"null\"{roles}\n")
}

/// What the model read, with its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelReading {
    pub proposal: Proposal,
    /// The JSON the model wrote.
    pub raw: String,
    pub tokens: usize,
    pub ms: u128,
}

impl LlmGrader {
    /// Reads `text` into a proposal with the model, under [`grammar`] (or, with `constrained`
    /// false, free greedy text parsed afterwards — to measure what the grammar costs and buys).
    /// Ids outside the vocabulary are dropped and duplicates removed either way. Sequence 1.
    pub fn describe(
        &self,
        ctx: &mut LlamaContext<'_>,
        text: &str,
        vocab: &Vocabulary,
        constrained: bool,
    ) -> Result<ModelReading, LlmError> {
        let started = Instant::now();
        let err = |e: &dyn std::fmt::Display| LlmError::Inference(e.to_string());
        let list = |terms: &[Term]| {
            terms
                .iter()
                .map(|t| format!("- {}: {} / {}", t.id, t.title.en, t.title.zh_cn))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let system = "You read a learner's description of themselves and name the one job they want to do next, as one of the role ids listed, or null when none of the roles fits or they do not say which job they want. The job they want, not the job they have had. Reply with JSON only: {\"goal_role\": ...}.";
        let user = format!(
            "Roles:\n{}\n\nThe learner wrote:\n{}",
            list(&vocab.roles),
            text.chars().take(1500).collect::<String>()
        );
        let prompt = self.chat_prompt(system, user)?;
        let tokens = self.model.vocab().tokenize(prompt.as_bytes(), false, true);
        // `{"goal_role": "compliance-specialist"}` is about a dozen tokens.
        let max_tokens = 24;
        let limit = ctx.n_ctx() as usize;
        if tokens.len() + max_tokens + 1 >= limit {
            return Err(LlmError::TooLong { tokens: tokens.len() + max_tokens, limit: limit as u32 });
        }
        ctx.clear_kv_cache_seq(Some(1), None, None).map_err(|e| err(&e))?;
        let mut batch = LlamaBatch::new(512, 1);
        let mut pos = 0usize;
        for chunk in tokens.chunks(512) {
            batch.clear();
            for (i, &t) in chunk.iter().enumerate() {
                batch.add(t, (pos + i) as i32, &[1], pos + i + 1 == tokens.len()).map_err(|e| err(&e))?;
            }
            ctx.decode(&mut batch).map_err(|e| err(&e))?;
            pos += chunk.len();
        }
        let mut grammar = if constrained {
            Some(LlamaSampler::grammar(&self.model, &grammar(vocab), "root").map_err(|e| err(&e))?)
        } else {
            None
        };
        let mut bytes = Vec::new();
        let mut written = 0;
        for _ in 0..max_tokens {
            let idx = batch.n_tokens() - 1;
            let logits = ctx.get_logits_ith(idx);
            let greedy = logits
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| LlamaToken(i as i32))
                .ok_or_else(|| LlmError::Inference("no logits".into()))?;
            let next = match grammar.as_mut() {
                None => greedy,
                Some(g) => {
                    // The grammar checks the greedy token alone first (one candidate instead of
                    // the whole vocabulary); only when it refuses does it filter every token —
                    // the same result as filtering first, at a fraction of the cost.
                    let mut one = LlamaTokenDataArray::new(
                        vec![LlamaTokenData::new(greedy, logits[greedy.0 as usize], 0.0)],
                        false,
                    );
                    one.apply_sampler(g);
                    let token = if one.data[0].logit().is_finite() {
                        greedy
                    } else {
                        let mut all = LlamaTokenDataArray::from_iter(ctx.candidates_ith(idx), false);
                        all.apply_sampler(g);
                        all.data
                            .iter()
                            .filter(|d| d.logit().is_finite())
                            .max_by(|a, b| a.logit().total_cmp(&b.logit()))
                            .map(|d| d.id())
                            .ok_or_else(|| LlmError::Inference("the grammar admits no token".into()))?
                    };
                    g.accept(token);
                    token
                }
            };
            if self.model.vocab().is_eog(next) {
                break;
            }
            bytes.extend(self.model.vocab().token_to_piece(next, false, None));
            written += 1;
            if grammar.is_some() && bytes.ends_with(b"}") {
                break; // the grammar's end: nothing but end-of-text can follow
            }
            batch.clear();
            batch.add(next, pos as i32, &[1], true).map_err(|e| err(&e))?;
            ctx.decode(&mut batch).map_err(|e| err(&e))?;
            pos += 1;
        }
        ctx.clear_kv_cache_seq(Some(1), None, None).map_err(|e| err(&e))?;
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let proposal = parse_proposal(&raw, vocab, text);
        Ok(ModelReading { proposal, raw, tokens: written, ms: started.elapsed().as_millis() })
    }
}

/// The proposal in the JSON a model wrote, restricted to the vocabulary's ids (first occurrence
/// kept); weekly time from the learner's own text. Unparsable JSON reads as an empty proposal.
pub fn parse_proposal(raw: &str, vocab: &Vocabulary, text: &str) -> Proposal {
    #[derive(Deserialize, Default)]
    struct Raw {
        goal_role: Option<String>,
        #[serde(default)]
        platforms: Vec<String>,
        #[serde(default)]
        markets: Vec<String>,
        #[serde(default)]
        claimed_modules: Vec<String>,
    }
    let start = raw.find('{');
    let end = raw.rfind('}');
    let parsed: Raw = match (start, end) {
        (Some(s), Some(e)) if e > s => serde_json::from_str(&raw[s..=e]).unwrap_or_default(),
        _ => Raw::default(),
    };
    let keep = |ids: Vec<String>, terms: &[Term]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            if terms.iter().any(|t| t.id == id) && !out.contains(&id) {
                out.push(id);
            }
        }
        out
    };
    Proposal {
        goal_role: parsed.goal_role.filter(|r| vocab.roles.iter().any(|t| &t.id == r)),
        platforms: keep(parsed.platforms, &vocab.platforms),
        markets: keep(parsed.markets, &vocab.markets),
        claimed_modules: keep(parsed.claimed_modules, &vocab.modules),
        weekly_minutes: weekly_minutes(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_time_is_read_with_its_period() {
        let cases: &[(&str, Option<u32>)] = &[
            ("每天晚上能学一个小时", Some(420)),
            ("每周10小时", Some(600)),
            ("工作日每天半小时，周末每天两个小时", Some(150 + 240)),
            ("I can study about 30 minutes a day", Some(210)),
            ("maybe 2-3 hours a week", Some(150)),
            ("weekends only, 4 hours in total", Some(240)),
            ("一个半小时每天", Some(630)),
            ("a few hours a week", None),
            ("做了三年货代", None),
            ("I have 2 kids and not much time", None),
        ];
        for (text, want) in cases {
            assert_eq!(weekly_minutes(text), *want, "{text}");
        }
    }

    #[test]
    fn english_aliases_match_whole_words_and_chinese_ones_anywhere() {
        assert_eq!(occurrences("i sell on amazon.", "amazon"), vec![(10, 16)]);
        assert!(occurrences("amazonian rainforest", "amazon").is_empty());
        assert_eq!(occurrences("在temu上卖货", "temu").len(), 1, "Chinese around an English name is a boundary");
        assert_eq!(occurrences("我在亚马逊做运营", "亚马逊").len(), 1);
        assert_eq!(occurrences("ship to the u.s. market", "u.s.").len(), 1);
    }

    #[test]
    fn the_grammar_admits_only_the_packs_ids() {
        let pack = crossway_content::load_pack(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core"),
        )
        .into_result()
        .unwrap();
        let g = grammar(&pack.vocabulary);
        assert!(g.starts_with("root ::= \"{\\\"goal_role\\\": \" role \"}\""), "{g}");
        for t in &pack.vocabulary.roles {
            assert!(g.contains(&format!("\\\"{}\\\"", t.id)), "{}", t.id);
        }
        assert!(!g.contains("ebay"));
        let p = parse_proposal(
            r#"{"goal_role": "astronaut", "platforms": ["amazon", "ebay", "amazon"], "markets": ["us"], "claimed_modules": []}"#,
            &pack.vocabulary,
            "每周10小时",
        );
        assert_eq!(p.goal_role, None, "an id outside the pack is never proposed");
        assert_eq!(p.platforms, ["amazon"]);
        assert_eq!(p.weekly_minutes, Some(600));
    }
}
