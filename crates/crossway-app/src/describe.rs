//! "Describe yourself" (issue #15): the learner's own words about their background, the job they
//! want and where they sell, read into a *proposed* profile that they confirm or edit — nothing is
//! applied silently. The reading itself is the tutor's (`crossway_tutor::describe`: the pack's
//! word lists; the model under a grammar of the pack's ids, which measured worse and is used only
//! by `crossway describe --model`, docs/quality.md "Describe yourself"); this module names the ids
//! in both languages,
//! and applies what the learner confirmed: the goal role, the weekly time, and — kept as the
//! profile fact `described` — the platforms, markets and claimed modules, which the planner
//! (`Signals::interests`) and the placement check (`Placement::starting_with`) use.

use std::time::Instant;

use crossway_content::{Pack, Term, Vocabulary};
use crossway_core::LocalizedText;
use crossway_tutor::describe::{by_keywords, evidence_for, Evidence, ModelReading, Proposal};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Result};

/// The longest self-description read (characters).
pub const DESCRIPTION_MAX_CHARS: usize = 2000;

/// One id of the proposal, named in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermDto {
    pub id: String,
    pub title: LocalizedText,
}

/// "Here is what I understood": the proposal, each id with its title, and the phrases of the text
/// behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescriptionDto {
    pub text: String,
    /// "model" (the on-device model, combined with the keywords as measured) or "keywords".
    pub by: String,
    pub goal_role: Option<TermDto>,
    pub platforms: Vec<TermDto>,
    pub markets: Vec<TermDto>,
    pub claimed_modules: Vec<TermDto>,
    pub weekly_minutes: Option<u32>,
    pub evidence: Vec<Evidence>,
    /// Everything the learner may choose from when editing (the pack's vocabulary).
    pub choices: ChoicesDto,
    pub ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoicesDto {
    pub roles: Vec<TermDto>,
    pub platforms: Vec<TermDto>,
    pub markets: Vec<TermDto>,
    pub modules: Vec<TermDto>,
}

/// A confirmed description as the profile shows it: the learner's words and each id named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescribedDto {
    pub text: String,
    pub goal_role: Option<TermDto>,
    pub platforms: Vec<TermDto>,
    pub markets: Vec<TermDto>,
    pub claimed_modules: Vec<TermDto>,
    pub weekly_minutes: Option<u32>,
}

pub(crate) fn described_dto(v: &Vocabulary, d: ConfirmedDescription) -> DescribedDto {
    DescribedDto {
        goal_role: terms(d.goal_role.as_slice(), &v.roles).into_iter().next(),
        platforms: terms(&d.platforms, &v.platforms),
        markets: terms(&d.markets, &v.markets),
        claimed_modules: terms(&d.claimed_modules, &v.modules),
        weekly_minutes: d.weekly_minutes,
        text: d.text,
    }
}

/// What the learner confirmed (possibly edited): ids of the active pack only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmedDescription {
    /// Their own words, kept with the profile (shown back, exported, deleted with them).
    pub text: String,
    pub goal_role: Option<String>,
    #[serde(default)]
    pub platforms: Vec<String>,
    #[serde(default)]
    pub markets: Vec<String>,
    #[serde(default)]
    pub claimed_modules: Vec<String>,
    pub weekly_minutes: Option<u32>,
}

/// How `crossway describe --model` combines the two readers: every field the keywords', the
/// model filling only a goal role the keywords found none for (the better of the two
/// combinations measured; [`combine_model_first`] is the other). Measured on the train half of
/// the self-description set (docs/quality.md "Describe yourself"), the keyword reader alone
/// named the goal role best (en 0.82, zh 0.88; the 0.5B model 0.76 / 0.65, and filling the
/// keywords' gaps lowered Chinese to 0.65), so the app reads descriptions with the keywords only.
pub fn combine(keywords: &Proposal, model: &Proposal) -> Proposal {
    Proposal { goal_role: keywords.goal_role.clone().or_else(|| model.goal_role.clone()), ..keywords.clone() }
}

/// The combination measured against [`combine`]: the model's goal role first.
pub fn combine_model_first(keywords: &Proposal, model: &Proposal) -> Proposal {
    Proposal { goal_role: model.goal_role.clone().or_else(|| keywords.goal_role.clone()), ..keywords.clone() }
}

fn terms(ids: &[String], terms: &[Term]) -> Vec<TermDto> {
    ids.iter()
        .filter_map(|id| terms.iter().find(|t| &t.id == id))
        .map(|t| TermDto { id: t.id.clone(), title: t.title.clone() })
        .collect()
}

fn all(terms: &[Term]) -> Vec<TermDto> {
    terms.iter().map(|t| TermDto { id: t.id.clone(), title: t.title.clone() }).collect()
}

fn check_text(text: &str) -> Result<&str> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::invalid(
            "the description is empty: write a few words about your background, the job you want and where you sell",
        ));
    }
    if t.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(AppError::invalid("the description is longer than 2,000 characters: a few sentences are enough"));
    }
    Ok(t)
}

/// The proposal for `text` in `pack`: the keyword reading, combined with the model's when there
/// is one. `ms` counts from the start of the reading (the model's time included).
pub fn describe_in(pack: &Pack, text: &str, model: Option<&ModelReading>, ms: u64) -> Result<DescriptionDto> {
    let text = check_text(text)?;
    let v: &Vocabulary = &pack.vocabulary;
    let (keywords, keyword_evidence) = by_keywords(text, v);
    let (proposal, evidence, by) = match model {
        Some(m) => {
            let p = combine(&keywords, &m.proposal);
            let e = evidence_for(text, &p, v);
            (p, e, "model")
        }
        None => (keywords, keyword_evidence, "keywords"),
    };
    Ok(DescriptionDto {
        text: text.to_string(),
        by: by.into(),
        goal_role: terms(proposal.goal_role.as_slice(), &v.roles).into_iter().next(),
        platforms: terms(&proposal.platforms, &v.platforms),
        markets: terms(&proposal.markets, &v.markets),
        claimed_modules: terms(&proposal.claimed_modules, &v.modules),
        weekly_minutes: proposal.weekly_minutes,
        evidence,
        choices: ChoicesDto {
            roles: all(&v.roles),
            platforms: all(&v.platforms),
            markets: all(&v.markets),
            modules: all(&v.modules),
        },
        ms,
    })
}

/// `crossway describe --pack DIR --no-model`: the keyword reading of `text` in the validated pack.
pub fn describe_pack(pack_dir: &std::path::Path, text: &str) -> Result<(Pack, DescriptionDto)> {
    let pack = crate::packs::load_valid(pack_dir)?;
    let started = Instant::now();
    let dto = describe_in(&pack, text, None, 0)?;
    Ok((pack, DescriptionDto { ms: started.elapsed().as_millis() as u64, ..dto }))
}

impl App {
    /// The active pack's vocabulary, for the tutor's model reading (the shell runs the model).
    pub fn describe_vocabulary(&self) -> Result<Vocabulary> {
        Ok(self.active_pack()?.vocabulary.clone())
    }

    /// What Crossway understood from `text` — a proposal only; [`App::confirm_description`]
    /// applies what the learner confirms.
    pub fn describe(&self, text: &str, model: Option<&ModelReading>, ms: u64) -> Result<DescriptionDto> {
        describe_in(self.active_pack()?, text, model, ms)
    }

    /// Applies a confirmed description: every id is checked against the active pack (an unknown
    /// one is refused and nothing changes), then the goal role and weekly time are set and the
    /// rest is kept as the profile fact `described`, in one transaction.
    pub fn confirm_description(&mut self, learner_id: i64, c: ConfirmedDescription) -> Result<ConfirmedDescription> {
        self.store.db().learner(learner_id)?;
        let text = check_text(&c.text)?.to_string();
        let v = &self.active_pack()?.vocabulary;
        let check = |what: &str, ids: &[String], terms: &[Term]| -> Result<()> {
            match ids.iter().find(|id| !terms.iter().any(|t| &t.id == *id)) {
                Some(id) => Err(AppError::invalid(format!(
                    "unknown {what} `{id}` (this pack has: {})",
                    terms.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", ")
                ))),
                None => Ok(()),
            }
        };
        check("goal role", c.goal_role.as_slice(), &v.roles)?;
        check("platform", &c.platforms, &v.platforms)?;
        check("market", &c.markets, &v.markets)?;
        check("module", &c.claimed_modules, &v.modules)?;
        if let Some(m) = c.weekly_minutes {
            if !(10..=5040).contains(&m) {
                return Err(AppError::invalid("weekly study time must be between 10 and 5040 minutes"));
            }
        }
        let dedup = |ids: Vec<String>| {
            let mut out: Vec<String> = Vec::new();
            for id in ids {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            out
        };
        let c = ConfirmedDescription {
            text,
            platforms: dedup(c.platforms),
            markets: dedup(c.markets),
            claimed_modules: dedup(c.claimed_modules),
            ..c
        };
        let value = serde_json::to_value(&c).map_err(|e| AppError::invalid(e.to_string()))?;
        let now = self.now();
        self.store.transact(|db| {
            if c.goal_role.is_some() {
                db.set_goal(learner_id, c.goal_role.as_deref())?;
            }
            if let Some(m) = c.weekly_minutes {
                db.set_weekly_minutes(learner_id, m)?;
            }
            db.set_profile_fact(learner_id, "described", &value, now)
        })?;
        // A new goal or claims: the placement check starts again from them.
        self.placements.remove(&learner_id);
        Ok(c)
    }

    /// The description the learner confirmed, if any.
    pub fn described(&self, learner_id: i64) -> Result<Option<ConfirmedDescription>> {
        Ok(self
            .store
            .db()
            .profile_facts(learner_id)?
            .into_iter()
            .find(|(k, _)| k == "described")
            .and_then(|(_, v)| serde_json::from_value(v).ok()))
    }

    /// KP → the titles of the confirmed platforms and markets that are about it (the planner's
    /// `Signals::interests`).
    pub(crate) fn interests(&self, learner_id: i64) -> Result<std::collections::HashMap<String, Vec<LocalizedText>>> {
        let mut out: std::collections::HashMap<String, Vec<LocalizedText>> = Default::default();
        let Some(d) = self.described(learner_id)? else { return Ok(out) };
        let Ok(pack) = self.active_pack() else { return Ok(out) };
        let v = &pack.vocabulary;
        let named =
            d.platforms.iter().filter_map(|id| v.platform(id)).chain(d.markets.iter().filter_map(|id| v.market(id)));
        for t in named {
            for kp in &t.kps {
                let list = out.entry(kp.clone()).or_default();
                if !list.contains(&t.title) {
                    list.push(t.title.clone());
                }
            }
        }
        Ok(out)
    }
}
