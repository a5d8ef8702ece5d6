//! Text measures the checks share: content units (English words, Chinese bigrams), numbers,
//! sentences, and what a text copies from its sources.

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
pub(crate) fn ends_sentence(text: &str) -> bool {
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
