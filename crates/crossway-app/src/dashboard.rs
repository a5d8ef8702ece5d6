//! What the dashboard and the progress report show beyond the path: the knowledge map, mastery
//! by module, study time, streak and weekly goal, and the indicators over time.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use crossway_core::indicators;
use crossway_core::LocalizedText;
use serde::Serialize;

use crate::{App, Result};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapNodeDto {
    pub kp: String,
    pub title: LocalizedText,
    pub module: String,
    pub mastery: f64,
    pub attempts: u32,
    /// Required by the learner's goal role.
    pub required: bool,
    /// mastered | learning | not_started (also shown as text and symbol, not by colour alone)
    pub state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnowledgeMapDto {
    pub nodes: Vec<MapNodeDto>,
    /// (prerequisite, dependent)
    pub edges: Vec<(String, String)>,
    pub modules: Vec<(String, LocalizedText)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleProgressDto {
    pub module: String,
    pub title: LocalizedText,
    pub mastery: f64,
    pub mastered: usize,
    pub kps: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekDto {
    /// Monday of the week.
    pub week: String,
    pub minutes: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorPointDto {
    pub at: String,
    pub knowledge: Option<f64>,
    pub skill: Option<f64>,
    pub attitude: Option<f64>,
    pub teamwork: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressDto {
    pub modules: Vec<ModuleProgressDto>,
    /// Study minutes per week, the last 8 weeks, oldest first.
    pub weeks: Vec<WeekDto>,
    pub minutes_this_week: f64,
    pub weekly_minutes: u32,
    /// Days in a row with study, up to today (or yesterday, if not yet today).
    pub streak_days: u32,
    pub total_minutes: f64,
    pub answers: usize,
    /// The indicators at the end of each of the last 8 weeks.
    pub indicators: Vec<IndicatorPointDto>,
}

/// Mastery at or above this counts as mastered on the map (level 2 of a role).
const MASTERED: f64 = 0.8;

impl App {
    pub fn knowledge_map(&self, learner_id: i64) -> Result<KnowledgeMapDto> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?;
        let mastery = self.mastery_map(learner_id)?;
        let required: HashSet<&str> = learner
            .goal_role
            .as_deref()
            .and_then(|r| pack.role(r))
            .map(|r| r.requires.iter().map(|q| q.kp.as_str()).collect())
            .unwrap_or_default();
        let nodes = pack
            .kps
            .iter()
            .map(|k| {
                let m = mastery.get(&k.id);
                let (p, n) = m.map_or((0.0, 0), |m| (m.p, m.attempts));
                MapNodeDto {
                    kp: k.id.clone(),
                    title: k.title.clone(),
                    module: k.module.clone(),
                    mastery: p,
                    attempts: n,
                    required: required.contains(k.id.as_str()),
                    state: if p >= MASTERED {
                        "mastered"
                    } else if n > 0 {
                        "learning"
                    } else {
                        "not_started"
                    },
                }
            })
            .collect();
        let edges =
            pack.kps.iter().flat_map(|k| k.prerequisites.iter().map(move |p| (p.clone(), k.id.clone()))).collect();
        Ok(KnowledgeMapDto {
            nodes,
            edges,
            modules: pack.modules.iter().map(|m| (m.id.clone(), m.title.clone())).collect(),
        })
    }

    pub fn progress(&self, learner_id: i64) -> Result<ProgressDto> {
        let learner = self.store.db().learner(learner_id)?;
        let pack = self.active_pack()?;
        let mastery = self.mastery_map(learner_id)?;
        let modules = pack
            .modules
            .iter()
            .map(|m| {
                let ps: Vec<f64> = pack
                    .kps
                    .iter()
                    .filter(|k| k.module == m.id)
                    .map(|k| mastery.get(&k.id).map_or(0.0, |x| x.p))
                    .collect();
                ModuleProgressDto {
                    module: m.id.clone(),
                    title: m.title.clone(),
                    mastery: if ps.is_empty() { 0.0 } else { ps.iter().sum::<f64>() / ps.len() as f64 },
                    mastered: ps.iter().filter(|&&p| p >= MASTERED).count(),
                    kps: ps.len(),
                }
            })
            .collect();
        let ev = self.evidence(learner_id)?;
        let now = self.now();
        // Minutes per day from answers, study sessions and simulation runs.
        let mut per_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for a in &ev.answers {
            *per_day.entry(a.at.date_naive()).or_default() += a.minutes.unwrap_or(indicators::DEFAULT_ANSWER_MINUTES);
        }
        for s in &ev.study {
            *per_day.entry(s.at.date_naive()).or_default() += s.minutes;
        }
        for r in &ev.runs {
            *per_day.entry(r.at.date_naive()).or_default() += r.minutes;
        }
        let today = now.date_naive();
        let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        let this_monday = monday(today);
        let weeks: Vec<WeekDto> = (0..8)
            .rev()
            .map(|k| {
                let start = this_monday - Duration::days(7 * k);
                let minutes = per_day.range(start..start + Duration::days(7)).map(|(_, m)| m).sum();
                WeekDto { week: start.to_string(), minutes }
            })
            .collect();
        let mut streak = 0u32;
        let mut day = if per_day.contains_key(&today) { today } else { today - Duration::days(1) };
        while per_day.contains_key(&day) {
            streak += 1;
            day -= Duration::days(1);
        }
        let indicators = indicators::history(&ev, now, 8)
            .into_iter()
            .map(|(at, v)| IndicatorPointDto {
                at: at.date_naive().to_string(),
                knowledge: v[0],
                skill: v[1],
                attitude: v[2],
                teamwork: v[3],
            })
            .collect();
        Ok(ProgressDto {
            modules,
            minutes_this_week: weeks.last().map_or(0.0, |w| w.minutes),
            weeks,
            weekly_minutes: learner.weekly_minutes,
            streak_days: streak,
            total_minutes: per_day.values().sum(),
            answers: ev.answers.len(),
            indicators,
        })
    }
}
