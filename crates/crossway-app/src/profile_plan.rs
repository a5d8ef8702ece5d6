//! `crossway plan`: a path for a learner described in a JSON file, without any database.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crossway_core::{plan, BktParams, Mastery, PlanInput, Signals, Step};
use serde::{Deserialize, Serialize};

use crate::packs::load_valid;
use crate::{AppError, Result};

/// The learner described by `PROFILE.json` (documented in docs/cli.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// Free-form background facts (education, major, work experience, languages): accepted as
    /// any JSON object and not used by the planner (placement and answers drive the path).
    #[serde(default)]
    pub background: serde_json::Map<String, serde_json::Value>,
    pub goal_role: Option<String>,
    /// Study time per week (default: what `description` states, else 300).
    #[serde(default)]
    pub weekly_minutes: Option<u32>,
    /// The learner's own words, read by the keyword reader as in "describe yourself" (no model
    /// here): the goal role and weekly time when not given, and the platforms and markets whose
    /// KPs come first ("you said you sell on TikTok Shop").
    #[serde(default)]
    pub description: Option<String>,
    /// Past attempts, oldest first.
    #[serde(default)]
    pub attempts: Vec<PastAttempt>,
}

/// Weekly time when neither the profile nor its description states it.
pub const DEFAULT_WEEKLY_MINUTES: u32 = 300;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastAttempt {
    pub item: String,
    /// Score in [0, 1] (1 = correct).
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanOutput {
    pub goal_role: Option<String>,
    pub goal_minutes: u32,
    pub steps: Vec<Step>,
    /// Microseconds spent planning (not loading the pack or reading the profile).
    pub elapsed_us: u128,
}

pub fn plan_for_profile(pack_dir: &Path, profile_path: &Path) -> Result<PlanOutput> {
    let pack = load_valid(pack_dir)?;
    let text = std::fs::read_to_string(profile_path)
        .map_err(|e| AppError::invalid(format!("{}: cannot read the profile: {e}", profile_path.display())))?;
    let profile: ProfileFile = serde_json::from_str(&text)
        .map_err(|e| AppError::invalid(format!("{}:{}: {}", profile_path.display(), e.line(), e)))?;
    let described = profile
        .description
        .as_deref()
        .map(|text| crate::describe::describe_in(&pack, text, None, 0))
        .transpose()
        .map_err(|e| AppError::invalid(format!("{}: description: {}", profile_path.display(), e.message)))?;
    let goal_role = profile
        .goal_role
        .clone()
        .or_else(|| described.as_ref().and_then(|d| d.goal_role.as_ref().map(|t| t.id.clone())));
    let weekly_minutes = profile
        .weekly_minutes
        .or_else(|| described.as_ref().and_then(|d| d.weekly_minutes))
        .unwrap_or(DEFAULT_WEEKLY_MINUTES);
    if let Some(role) = &goal_role {
        if pack.role(role).is_none() {
            let known: Vec<_> = pack.roles.iter().map(|r| r.id.as_str()).collect();
            return Err(AppError::invalid(format!(
                "{}: unknown goal_role `{role}` (this pack has: {})",
                profile_path.display(),
                known.join(", ")
            )));
        }
    }
    if !(10..=5040).contains(&weekly_minutes) {
        return Err(AppError::invalid(format!(
            "{}: weekly_minutes must be between 10 and 5040",
            profile_path.display()
        )));
    }
    let params = BktParams::default();
    let mut mastery: HashMap<String, Mastery> = HashMap::new();
    let mut signals = Signals::default();
    for (n, a) in profile.attempts.iter().enumerate() {
        let item = pack.item(&a.item).ok_or_else(|| {
            AppError::invalid(format!("{}: attempts[{n}]: unknown item `{}`", profile_path.display(), a.item))
        })?;
        if !(0.0..=1.0).contains(&a.score) {
            return Err(AppError::invalid(format!(
                "{}: attempts[{n}]: score {} is outside 0..=1",
                profile_path.display(),
                a.score
            )));
        }
        let kp_params = pack.kp(&item.kp).map_or(params, |k| k.bkt);
        let m = mastery.entry(item.kp.clone()).or_insert_with(|| Mastery::prior(&kp_params));
        *m = m.after_attempt(a.score, &kp_params);
        let streak = signals.wrong_streak.entry(item.kp.clone()).or_insert(0);
        *streak = if a.score < 0.5 { *streak + 1 } else { 0 };
    }
    for kp in &pack.kps {
        mastery.entry(kp.id.clone()).or_insert_with(|| Mastery::prior(&kp.bkt));
    }
    if let Some(d) = &described {
        let v = &pack.vocabulary;
        let named = d
            .platforms
            .iter()
            .filter_map(|t| v.platform(&t.id))
            .chain(d.markets.iter().filter_map(|t| v.market(&t.id)));
        for t in named {
            for kp in &t.kps {
                signals.interests.entry(kp.clone()).or_default().push(t.title.clone());
            }
        }
    }
    let started = Instant::now();
    let path = plan(&PlanInput {
        graph: &pack.graph,
        roles: &pack.roles,
        goal_role: goal_role.as_deref(),
        mastery: &mastery,
        params: &params,
        weekly_minutes,
        signals: &signals,
    });
    let elapsed_us = started.elapsed().as_micros();
    Ok(PlanOutput { goal_role: path.goal_role, goal_minutes: path.goal_minutes, steps: path.steps, elapsed_us })
}

/// `crossway simulate`: a synthetic cohort through the adaptive path and the pack's fixed order.
pub fn simulate_pack(pack_dir: &Path, learners: usize, seed: u64) -> Result<crossway_core::simulate::SimReport> {
    if learners == 0 || learners > 100_000 {
        return Err(AppError::invalid("--learners must be between 1 and 100000"));
    }
    let pack = load_valid(pack_dir)?;
    if pack.roles.is_empty() {
        return Err(AppError::invalid(format!("{}: the pack defines no roles to aim for", pack_dir.display())));
    }
    let cfg = crossway_core::simulate::SimConfig { learners, seed, ..Default::default() };
    Ok(crossway_core::simulate::simulate(&pack.graph, &pack.roles, &cfg))
}

/// The method-blend part of `crossway simulate`: the same number of learners, with hidden
/// per-method learning rates (see `crossway_core::methods::simulate_blend`).
pub fn simulate_methods(learners: usize, seed: u64) -> crossway_core::methods::BlendSimReport {
    let cfg = crossway_core::methods::BlendSimConfig { learners, seed, ..Default::default() };
    crossway_core::methods::simulate_blend(&cfg)
}
