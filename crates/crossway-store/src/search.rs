//! Schema v6: the search index over a pack's passages (SQLite FTS5, ranked by bm25), for "ask the
//! tutor" (issue #15).
//!
//! FTS5's own tokenizers do not segment Chinese: `unicode61` makes a whole run of Han characters
//! one token, and `trigram` cannot match the two-character words most Chinese questions are made
//! of ("关税", "头程"). So the indexed text is the passage's *search terms*, made here: Latin words
//! as they are (FTS5 lower-cases and Porter-stems them), and every Chinese run as its overlapping
//! character bigrams — the segmentation-free scheme of CJK search engines (e.g. Lucene's
//! CJKAnalyzer). Measured against FTS5's trigram tokenizer on the ask set (`search_passages_trigram`, used
//! only by the measurement): docs/quality.md, "Ask".

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::{ts, Db, Result};

/// A passage to index.
#[derive(Debug, Clone)]
pub struct NewPassage<'a> {
    pub kp_id: &'a str,
    pub kind: &'a str,
    pub lang: &'a str,
    pub heading: &'a str,
    pub text: &'a str,
    pub source: Option<&'a str>,
    pub as_of: String,
}

/// A passage found for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageHit {
    pub id: i64,
    pub kp_id: String,
    pub kind: String,
    pub lang: String,
    pub heading: String,
    pub text: String,
    pub source: Option<String>,
    pub as_of: String,
    /// The share of the question's terms, weighted by their rarity in the pack (bm25's idf), that
    /// the passages of this hit's KP contain together: 1 when the lesson has every term, near 0
    /// when it has only common ones. (Hits are ranked by bm25.)
    pub kp_coverage: f64,
}

/// Words that say "this is a question" rather than what it is about: NLTK's English stop words
/// (without the ones that carry meaning in rules and prices: not, no, before, after, over, under,
/// only, more …), chat spellings (im, b4, pls, lol …) and Chinese question bigrams. Left out of
/// queries; a passage containing them is not more relevant.
const QUERY_STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "are",
    "was",
    "be",
    "do",
    "does",
    "did",
    "i",
    "me",
    "my",
    "we",
    "you",
    "it",
    "its",
    "to",
    "of",
    "in",
    "on",
    "for",
    "and",
    "or",
    "what",
    "whats",
    "how",
    "why",
    "when",
    "which",
    "who",
    "can",
    "should",
    "would",
    "could",
    "there",
    "this",
    "that",
    "with",
    "about",
    "s",
    "pls",
    "please",
    "lol",
    "hi",
    "hey",
    "any",
    "so",
    "if",
    "much",
    "many",
    "mean",
    "means",
    "difference",
    "between",
    "vs",
    "explain",
    "tell",
    "still",
    "myself",
    "our",
    "ours",
    "ourselves",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "whom",
    "these",
    "those",
    "am",
    "were",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "doing",
    "but",
    "because",
    "as",
    "until",
    "while",
    "at",
    "by",
    "into",
    "through",
    "during",
    "from",
    "again",
    "further",
    "then",
    "once",
    "here",
    "where",
    "all",
    "both",
    "each",
    "few",
    "other",
    "some",
    "such",
    "than",
    "too",
    "very",
    "t",
    "will",
    "just",
    "don",
    "now",
    "d",
    "ll",
    "m",
    "o",
    "re",
    "ve",
    "y",
    "ain",
    "aren",
    "couldn",
    "didn",
    "doesn",
    "hadn",
    "hasn",
    "haven",
    "isn",
    "ma",
    "mightn",
    "mustn",
    "needn",
    "shan",
    "shouldn",
    "wasn",
    "weren",
    "won",
    "wouldn",
    "im",
    "ive",
    "id",
    "u",
    "ur",
    "r",
    "ya",
    "b4",
    "plz",
    "thx",
    "thanks",
    "idk",
    "tbh",
    "btw",
    "ok",
    "okay",
    "hello",
    "wats",
    "hows",
    "whys",
    "gonna",
    "wanna",
    "actually",
    "really",
    "like",
    "stuff",
    "thing",
    "things",
    "get",
    "got",
    "getting",
    "say",
    "says",
    "said",
    "someone",
    "everyone",
    "people",
    "ppl",
    "right",
    "confused",
    "diff",
    "anyone",
    "know",
    "need",
    "want",
    "什么",
    "怎么",
    "为什",
    "如何",
    "是不",
    "不是",
    "是什",
    "么是",
    "吗",
    "呢",
    "吧",
    "啊",
    "请问",
    "一下",
    "我们",
    "我的",
    "你们",
    "有没",
    "没有",
    "哪些",
    "哪个",
    "多少",
    "么算",
    "么办",
    "怎样",
    "样的",
    "的是",
    "是啥",
    "啥是",
    "区别",
    "意思",
    "么意",
    "到底",
    "还是",
    "可以",
    "需要",
    "应该",
    "要不",
    "不要",
    "现在",
];

/// The search terms of `text`: lower-cased Latin/number words and Chinese character bigrams (a
/// lone Han character stands for itself), in order, separated by spaces.
pub fn search_terms(text: &str) -> String {
    terms(text).join(" ")
}

fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut word, mut han) = (String::new(), Vec::<char>::new());
    let flush_han = |han: &mut Vec<char>, out: &mut Vec<String>| {
        match han.len() {
            0 => {}
            1 => out.push(han[0].to_string()),
            _ => out.extend(han.windows(2).map(|w| w.iter().collect())),
        }
        han.clear();
    };
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_han(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_han(&mut han, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    out
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Chinese function characters (question words, particles, pronouns): a query bigram holding one
/// is a word boundary ("重怎" in "体积重怎么算") or a question word, not what the question is about.
const QUERY_FUNCTION_CHARS: &str = "怎么什吗呢吧啥嘛呀哪谁我你他她的了是个要";

fn is_function_bigram(t: &str) -> bool {
    let cs: Vec<char> = t.chars().collect();
    cs.len() == 2 && cs.iter().all(|&c| is_han(c)) && cs.iter().any(|&c| QUERY_FUNCTION_CHARS.contains(c))
}

/// The distinct content terms of a question.
fn query_terms(question: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms(question) {
        if !QUERY_STOPWORDS.contains(&t.as_str()) && !is_function_bigram(&t) && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The trigram tokenizer's query terms: Latin words of three or more characters and every three
/// characters of a Chinese run.
fn trigram_terms(question: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t)
        }
    };
    let mut han = Vec::new();
    for c in question.chars().chain(std::iter::once(' ')) {
        if is_han(c) {
            han.push(c);
            continue;
        }
        han.windows(3).for_each(|w| push(w.iter().collect()));
        han.clear();
    }
    for w in question.split(|c: char| !c.is_alphanumeric() || is_han(c)) {
        let w = w.to_lowercase();
        if w.chars().count() >= 3 && !QUERY_STOPWORDS.contains(&w.as_str()) {
            push(w);
        }
    }
    out
}

fn match_expr(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ")
}

impl Db<'_> {
    /// The pack version the search index holds, if any.
    pub fn indexed_pack_version(&self, pack_id: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .0
            .prepare_cached("SELECT version FROM passage_packs WHERE pack_id = ?1")?
            .query_row([pack_id], |r| r.get(0))
            .optional()?)
    }

    /// Replaces the indexed passages of `pack_id` with `passages` (run inside
    /// [`crate::Store::transact`], so a reader sees the old index or the new one, never half).
    pub fn replace_passages(
        &self,
        pack_id: &str,
        version: &str,
        passages: &[NewPassage<'_>],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        self.0.execute(
            "DELETE FROM passage_index WHERE rowid IN (SELECT id FROM passages WHERE pack_id = ?1)",
            [pack_id],
        )?;
        self.0.execute("DELETE FROM passages WHERE pack_id = ?1", [pack_id])?;
        let mut put = self.0.prepare_cached(
            "INSERT INTO passages (pack_id, kp_id, kind, lang, heading, text, source, as_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut index = self.0.prepare_cached("INSERT INTO passage_index (rowid, terms) VALUES (?1, ?2)")?;
        for p in passages {
            put.execute(params![pack_id, p.kp_id, p.kind, p.lang, p.heading, p.text, p.source, p.as_of])?;
            let id = self.0.last_insert_rowid();
            index.execute(params![id, search_terms(&format!("{} {}", p.heading, p.text))])?;
        }
        self.0.execute(
            "INSERT INTO passage_packs (pack_id, version, built_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (pack_id) DO UPDATE SET version = excluded.version, built_at = excluded.built_at",
            params![pack_id, version, ts(now)],
        )?;
        Ok(passages.len())
    }

    /// The best `limit` passages of `pack_id` in `lang` for `question` (only `kp` 's when given),
    /// best first. Empty when the question has no content term or nothing matches.
    pub fn search_passages(
        &self,
        pack_id: &str,
        lang: &str,
        question: &str,
        kp: Option<&str>,
        limit: usize,
    ) -> Result<Vec<PassageHit>> {
        let terms = query_terms(question);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits = self.0.prepare_cached(
            "SELECT p.id, p.kp_id, p.kind, p.lang, p.heading, p.text, p.source, p.as_of
             FROM passage_index JOIN passages p ON p.id = passage_index.rowid
             WHERE passage_index MATCH ?1 AND p.pack_id = ?2 AND p.lang = ?3 AND (?4 IS NULL OR p.kp_id = ?4)
             ORDER BY bm25(passage_index) LIMIT ?5",
        )?;
        let found = hits
            .query_map(params![match_expr(&terms), pack_id, lang, kp, limit as i64], hit_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.with_coverage(found, &terms, pack_id, lang, "passage_index")
    }

    /// The same search with FTS5's trigram tokenizer over the raw passage text, for measuring the
    /// two against each other. Builds a temporary index of the pack (per connection) on first use.
    #[doc(hidden)]
    pub fn search_passages_trigram(
        &self,
        pack_id: &str,
        lang: &str,
        question: &str,
        limit: usize,
    ) -> Result<Vec<PassageHit>> {
        self.0.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.passage_trigram USING fts5(text, tokenize = 'trigram')",
        )?;
        let built: i64 = self.0.query_row("SELECT count(*) FROM temp.passage_trigram", [], |r| r.get(0))?;
        if built == 0 {
            self.0.execute(
                "INSERT INTO temp.passage_trigram (rowid, text) SELECT id, heading || ' ' || text FROM passages",
                [],
            )?;
        }
        let terms = trigram_terms(question);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits = self.0.prepare_cached(
            "SELECT p.id, p.kp_id, p.kind, p.lang, p.heading, p.text, p.source, p.as_of
             FROM temp.passage_trigram JOIN passages p ON p.id = passage_trigram.rowid
             WHERE passage_trigram MATCH ?1 AND p.pack_id = ?2 AND p.lang = ?3
             ORDER BY bm25(passage_trigram) LIMIT ?4",
        )?;
        let found = hits
            .query_map(params![match_expr(&terms), pack_id, lang, limit as i64], hit_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.with_coverage(found, &terms, pack_id, lang, "temp.passage_trigram")
    }

    /// Fills each hit's `kp_coverage`: the idf-weighted share of the query terms found anywhere
    /// in the hit's KP (one query per term gives both its document frequency and its KPs).
    fn with_coverage(
        &self,
        mut found: Vec<PassageHit>,
        terms: &[String],
        pack_id: &str,
        lang: &str,
        table: &str,
    ) -> Result<Vec<PassageHit>> {
        if found.is_empty() {
            return Ok(found);
        }
        let short = table.trim_start_matches("temp.");
        let n: f64 = self
            .0
            .prepare_cached("SELECT count(*) FROM passages WHERE pack_id = ?1 AND lang = ?2")?
            .query_row([pack_id, lang], |r| r.get::<_, i64>(0))? as f64;
        let mut with_term = self.0.prepare_cached(&format!(
            "SELECT p.kp_id FROM {table} JOIN passages p ON p.id = {short}.rowid
             WHERE {short} MATCH ?1 AND p.pack_id = ?2 AND p.lang = ?3"
        ))?;
        let (mut total, mut got) = (0.0, vec![0.0; found.len()]);
        for t in terms {
            let kps: Vec<String> = with_term
                .query_map(params![format!("\"{t}\""), pack_id, lang], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let df = kps.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            total += idf;
            for (i, h) in found.iter().enumerate() {
                if kps.contains(&h.kp_id) {
                    got[i] += idf;
                }
            }
        }
        for (h, g) in found.iter_mut().zip(got) {
            h.kp_coverage = if total > 0.0 { g / total } else { 0.0 };
        }
        Ok(found)
    }
}

fn hit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PassageHit> {
    Ok(PassageHit {
        id: r.get(0)?,
        kp_id: r.get(1)?,
        kind: r.get(2)?,
        lang: r.get(3)?,
        heading: r.get(4)?,
        text: r.get(5)?,
        source: r.get(6)?,
        as_of: r.get(7)?,
        kp_coverage: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_become_bigrams_and_latin_words_stay_whole() {
        assert_eq!(search_terms("FBA 头程运费怎么算？ACoS=30%"), "fba 头程 程运 运费 费怎 怎么 么算 acos 30");
        assert_eq!(search_terms("税"), "税");
        assert_eq!(query_terms("ACoS 是什么？what is ACoS"), ["acos"]);
        assert_eq!(trigram_terms("头程运费 and fees"), ["头程运", "程运费", "fees"]);
    }
}
