//! Ask the tutor (issue #15): a learner's question answered from the active pack only.
//!
//! The passages come first: the best passages of the pack (lessons cut at their headings, worked
//! examples, dated facts, item explanations — `crossway_content::passages`) in the question's
//! language, found by the store's FTS5 index (bm25) and shown with their KP, source and "as of"
//! date. When even the best passage's lesson holds too little of the question (the idf-weighted
//! share of the question's terms found in that KP's passages, below a threshold fitted on the
//! `train` half of `data/ask/questions.toml` by `cargo run -p crossway-app --example ask_eval`),
//! the answer is "the course does not cover this" — never something from a model's memory.
//! (The KP-wide share separated covered from uncovered questions better on `train` than the
//! single passage's: balanced accuracy 0.875 against 0.839 in English, equal in Chinese.)
//!
//! The index is built when a pack is installed or updated (`index_pack`), and at start only when
//! the database does not hold the installed version yet (a database from before schema v6).

use std::time::Instant;

use crossway_content::{Pack, Passage};
use crossway_core::LocalizedText;
use crossway_store::{Db, NewPassage, NewQuestion, PassageHit, Store};
use serde::Serialize;

use crate::{App, AppError, Result};

/// Passages shown for a question.
pub const SHOWN: usize = 3;

/// A question is covered when a shown passage's KP holds at least this share of the question's
/// (idf-weighted) terms. Per language, fitted by `examples/ask_eval.rs` on the train half of the
/// ask set (the ask tests fail when these differ from the refit; docs/quality.md, "Ask").
pub const COVERED_MIN_EN: f64 = 0.54;
pub const COVERED_MIN_ZH: f64 = 0.27;

/// One passage as the learner sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageDto {
    pub kp: String,
    pub kp_title: LocalizedText,
    /// lesson | example | discussion | workshop | fact | item
    pub kind: String,
    pub heading: String,
    pub text: String,
    pub source: Option<SourceRefDto>,
    pub as_of: String,
    /// The share of the question's terms (idf-weighted) that the passage's KP holds, 0–1: what
    /// "covered" is decided on.
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRefDto {
    pub id: String,
    pub title: String,
}

/// The answer to a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskDto {
    /// The recorded question (absent for the CLI, which records nothing).
    pub question_id: Option<i64>,
    pub question: String,
    /// "en" or "zh-CN": the language the passages are in.
    pub lang: String,
    /// False: the course does not cover the question (passages, if any, are only near misses).
    pub covered: bool,
    pub passages: Vec<PassageDto>,
    /// The KP the question is about (the best passage's) when covered.
    pub kp: Option<String>,
    /// The lesson it was asked on, if any.
    pub scope: Option<String>,
    /// The on-device model's answer from the passages, once written and checked (`None` before,
    /// without a model, when not covered, or when withheld).
    pub answer: Option<String>,
    /// Why the model's answer was withheld (`crossway_tutor::checks::answer::AnswerWithheld`).
    pub withheld: Option<String>,
    pub ms: u64,
}

/// The language a question is written in: Chinese when it has any Han character.
pub fn question_lang(question: &str) -> &'static str {
    if question.chars().any(crossway_tutor::checks::is_cjk) {
        "zh-CN"
    } else {
        "en"
    }
}

/// The coverage a best passage needs for the question to count as covered.
pub fn covered_min(lang: &str) -> f64 {
    if lang == "zh-CN" {
        COVERED_MIN_ZH
    } else {
        COVERED_MIN_EN
    }
}

/// Indexes `pack`'s passages (inside the caller's transaction).
pub(crate) fn index_pack(db: &Db<'_>, pack: &Pack, now: chrono::DateTime<chrono::Utc>) -> Result<usize> {
    let passages: Vec<Passage> = crossway_content::passages(pack);
    let rows: Vec<NewPassage<'_>> = passages
        .iter()
        .map(|p| NewPassage {
            kp_id: &p.kp,
            kind: p.kind.as_str(),
            lang: p.lang,
            heading: &p.heading,
            text: &p.text,
            source: p.source.as_deref(),
            as_of: p.as_of.to_string(),
        })
        .collect();
    Ok(db.replace_passages(&pack.manifest.id, &pack.manifest.version, &rows, now)?)
}

fn check_question(question: &str) -> Result<&str> {
    let q = question.trim();
    if q.is_empty() {
        return Err(AppError::invalid("the question is empty: type what you want to know"));
    }
    if q.chars().count() > 2000 {
        return Err(AppError::invalid("the question is longer than 2,000 characters: ask one thing at a time"));
    }
    Ok(q)
}

/// Passages of one KP among those shown (a lesson asked on may show two of its own): several
/// topics that match beat three cuts of one (docs/quality.md, "Ask").
pub const PER_KP: usize = 1;

/// The passages shown for `question`, best first. With a `scope` (a lesson), up to two of that
/// KP's passages come first when they cover the question; then the best of the whole pack.
pub(crate) fn find(
    db: &Db<'_>,
    pack: &Pack,
    question: &str,
    lang: &str,
    scope: Option<&str>,
) -> Result<Vec<PassageHit>> {
    let pack_id = &pack.manifest.id;
    let mut first = Vec::new();
    if let Some(kp) = scope {
        first = db.search_passages(pack_id, lang, question, Some(kp), 2)?;
        first.retain(|h| h.kp_coverage >= covered_min(lang));
    }
    Ok(pick(first, db.search_passages(pack_id, lang, question, None, SHOWN * 4)?, scope))
}

/// Fills `shown` up to [`SHOWN`] from `candidates` (best first): no passage twice, at most
/// [`PER_KP`] per KP (two for the lesson asked on).
pub(crate) fn pick(mut shown: Vec<PassageHit>, candidates: Vec<PassageHit>, scope: Option<&str>) -> Vec<PassageHit> {
    for h in candidates {
        if shown.len() >= SHOWN {
            break;
        }
        let same_kp = shown.iter().filter(|x| x.kp_id == h.kp_id).count();
        let cap = if scope == Some(h.kp_id.as_str()) { 2 } else { PER_KP };
        if same_kp < cap && !shown.iter().any(|x| x.id == h.id) {
            shown.push(h);
        }
    }
    shown
}

/// The shown passage whose KP covers the question, if any: the question is covered exactly when
/// there is one, and it is about that passage's KP.
fn about<'a>(hits: &'a [PassageHit], lang: &str) -> Option<&'a PassageHit> {
    hits.iter().find(|h| h.kp_coverage >= covered_min(lang))
}

fn passage_dto(pack: &Pack, h: &PassageHit) -> PassageDto {
    PassageDto {
        kp: h.kp_id.clone(),
        kp_title: pack.kp(&h.kp_id).map(|k| k.title.clone()).unwrap_or_default(),
        kind: h.kind.clone(),
        heading: h.heading.clone(),
        text: h.text.clone(),
        source: h.source.as_ref().map(|s| SourceRefDto {
            id: s.clone(),
            title: pack.source(s).map(|x| x.title.clone()).unwrap_or_default(),
        }),
        as_of: h.as_of.clone(),
        score: dto_score(h),
    }
}

fn answer_dto(pack: &Pack, question: &str, lang: &str, scope: Option<&str>, hits: &[PassageHit], ms: u64) -> AskDto {
    let about = about(hits, lang);
    AskDto {
        question_id: None,
        question: question.to_string(),
        lang: lang.to_string(),
        covered: about.is_some(),
        passages: hits.iter().map(|h| passage_dto(pack, h)).collect(),
        kp: about.map(|h| h.kp_id.clone()),
        scope: scope.map(str::to_string),
        answer: None,
        withheld: None,
        ms,
    }
}

/// `crossway ask --pack DIR`: the pack in `pack_dir` validated and indexed in memory, the question
/// answered, nothing stored. `ms` counts from the validated pack (index build included).
pub fn ask_pack(pack_dir: &std::path::Path, question: &str, lang: Option<&str>) -> Result<AskDto> {
    let question = check_question(question)?;
    let pack = crate::packs::load_valid(pack_dir)?;
    let started = Instant::now();
    let lang = lang.unwrap_or_else(|| question_lang(question));
    let mut store = Store::open_in_memory()?;
    store.transact(|db| index_pack(db, &pack, chrono::Utc::now()))?;
    let hits = find(&store.db(), &pack, question, lang, None)?;
    Ok(answer_dto(&pack, question, lang, None, &hits, started.elapsed().as_millis() as u64))
}

impl App {
    /// Builds the search index of every installed pack whose version it does not hold yet.
    pub(crate) fn index_missing_packs(&mut self) -> Result<()> {
        let now = self.now();
        for pack in self.packs.clone() {
            if self.store.db().indexed_pack_version(&pack.manifest.id)?.as_deref() != Some(&pack.manifest.version) {
                self.store.transact(|db| index_pack(db, &pack, now))?;
            }
        }
        Ok(())
    }

    /// Answers a learner's question from the active pack and records it (with the passages shown).
    /// `scope` is the lesson it was asked on, if any.
    pub fn ask(&mut self, learner_id: i64, question: &str, scope: Option<&str>) -> Result<AskDto> {
        let started = Instant::now();
        self.store.db().learner(learner_id)?;
        let question = check_question(question)?;
        let pack = self.active_pack()?.clone();
        if let Some(kp) = scope {
            pack.kp(kp).ok_or_else(|| AppError::not_found("knowledge point", kp))?;
        }
        let lang = question_lang(question);
        let hits = find(&self.store.db(), &pack, question, lang, scope)?;
        let mut dto = answer_dto(&pack, question, lang, scope, &hits, 0);
        let shown: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| serde_json::json!({"kp": h.kp_id, "kind": h.kind, "heading": h.heading, "score": dto_score(h)}))
            .collect();
        let now = self.now();
        let id = self.store.transact(|db| {
            db.insert_question(&NewQuestion {
                learner_id,
                pack_id: &pack.manifest.id,
                kp_scope: scope,
                text: question,
                lang,
                covered: dto.covered,
                passages: serde_json::Value::Array(shown),
                kp_id: dto.kp.as_deref(),
                answer: None,
                withheld: None,
                now,
            })
        })?;
        dto.question_id = Some(id);
        dto.ms = started.elapsed().as_millis() as u64;
        Ok(dto)
    }

    /// The learner says whether an answer helped (a "not helpful" is a signal for the path).
    pub fn rate_answer(&mut self, learner_id: i64, question_id: i64, helpful: bool) -> Result<()> {
        self.store.transact(|db| db.set_question_helpful(learner_id, question_id, helpful))?;
        Ok(())
    }

    /// The learner's questions, newest first.
    pub fn questions(&self, learner_id: i64) -> Result<Vec<QuestionDto>> {
        self.store.db().learner(learner_id)?;
        Ok(self
            .store
            .db()
            .questions(learner_id)?
            .into_iter()
            .map(|q| QuestionDto {
                id: q.id,
                text: q.text,
                lang: q.lang,
                covered: q.covered,
                kp: q.kp_id,
                scope: q.kp_scope,
                helpful: q.helpful,
                answer: q.answer,
                withheld: q.withheld,
                asked_at: q.asked_at.to_rfc3339(),
            })
            .collect())
    }
}

/// How much of each passage the model reads: the start of a long lesson section, so that three
/// passages, the question and the answer fit the model's context (2,048 tokens).
pub const ANSWER_PASSAGE_CHARS_EN: usize = 600;
pub const ANSWER_PASSAGE_CHARS_ZH: usize = 260;

/// The job for the on-device model to answer `dto`'s question from its passages; `None` when the
/// course does not cover it (then no model may answer: it would answer from its own memory).
pub fn answer_job(dto: &AskDto) -> Option<crossway_tutor::worker::AnswerJob> {
    if !dto.covered || dto.passages.is_empty() {
        return None;
    }
    let zh = dto.lang == "zh-CN";
    let limit = if zh { ANSWER_PASSAGE_CHARS_ZH } else { ANSWER_PASSAGE_CHARS_EN };
    let passages = dto
        .passages
        .iter()
        .map(|p| {
            // A lesson section's text starts with its heading already.
            let text = if p.heading.is_empty() || p.text.starts_with(&p.heading) {
                p.text.clone()
            } else {
                format!("{}: {}", p.heading, p.text)
            };
            cut_at_sentence(&text, limit)
        })
        .collect();
    Some(crossway_tutor::worker::AnswerJob {
        question: dto.question.clone(),
        passages,
        lang: dto.lang.clone(),
        // A Chinese character is often a token of its own: the same few sentences need more.
        max_tokens: if zh { 180 } else { 120 },
    })
}

/// `text` cut to at most `limit` characters, at the last sentence end inside the limit when
/// there is one.
fn cut_at_sentence(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let head: String = text.chars().take(limit).collect();
    let mut end = head.char_indices().filter(|(i, c)| {
        matches!(c, '。' | '！' | '？' | '；')
            || (matches!(c, '.' | '!' | '?') && head[i + c.len_utf8()..].starts_with(' '))
    });
    match end.next_back() {
        Some((i, c)) if i > limit / 3 => head[..i + c.len_utf8()].to_string(),
        _ => head,
    }
}

impl App {
    /// The model's job for a recorded question (its passages found again in the active pack);
    /// `None` when the course does not cover it.
    pub fn answer_job(&self, learner_id: i64, question_id: i64) -> Result<Option<crossway_tutor::worker::AnswerJob>> {
        let q = self
            .store
            .db()
            .questions(learner_id)?
            .into_iter()
            .find(|q| q.id == question_id)
            .ok_or_else(|| AppError::not_found("question", question_id))?;
        let pack = self.active_pack()?;
        let hits = find(&self.store.db(), pack, &q.text, &q.lang, q.kp_scope.as_deref())?;
        Ok(answer_job(&answer_dto(pack, &q.text, &q.lang, q.kp_scope.as_deref(), &hits, 0)))
    }

    /// Records the model's checked answer to a question (the text shown, or why it was withheld).
    pub fn record_answer(
        &mut self,
        learner_id: i64,
        question_id: i64,
        verdict: &crossway_tutor::checks::answer::AnswerVerdict,
    ) -> Result<()> {
        let withheld = verdict.withheld.map(|w| w.as_str());
        self.store.transact(|db| db.set_question_answer(learner_id, question_id, verdict.text.as_deref(), withheld))?;
        Ok(())
    }
}

fn dto_score(h: &PassageHit) -> f64 {
    (h.kp_coverage * 1000.0).round() / 1000.0
}

/// A question as listed on the profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionDto {
    pub id: i64,
    pub text: String,
    pub lang: String,
    pub covered: bool,
    pub kp: Option<String>,
    pub scope: Option<String>,
    pub helpful: Option<bool>,
    /// The model's answer as shown, or why it was withheld (both `None`: passages only).
    pub answer: Option<String>,
    pub withheld: Option<String>,
    pub asked_at: String,
}
