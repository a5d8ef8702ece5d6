//! The class view (issue #18): a teacher's picture of a class from per-learner summaries, built
//! so that no shown number describes fewer than [`MIN_CELL`] learners.
//!
//! A [`LearnerSummary`] holds only numbers (mastery per KP, first-answer scores per item, wrong
//! answers and questions counted per KP, the four indicators, activity per week) — never a name,
//! an answer's text, a note or a question. [`report`] pools them:
//!
//! - every count of learners is a [`Cell`]: shown when it is 0 or at least [`MIN_CELL`], hidden
//!   (`None`) when it is 1 or 2;
//! - a row whose cells add up to the class size would give a single hidden cell away by
//!   subtraction, so the smallest other non-zero cell of that row is hidden with it (secondary
//!   suppression);
//! - sums and means (answers, minutes, a mean indicator, an item's p-value and discrimination) are
//!   shown only when at least [`MIN_CELL`] learners stand behind them.
//!
//! Thresholds and formulas are in docs/indicators.md ("Class view").

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::itemstats::{self, ItemStat, Response};
use crate::role::{Level, Role};

/// The fewest learners a shown number may describe.
pub const MIN_CELL: u32 = 3;
/// Wrong answers on a KP, with its mastery still below level 1, that make a learner "stuck" on it.
pub const STUCK_WRONG: u32 = 3;

/// A count of learners, `None` when it describes 1 or 2 learners.
pub type Cell = Option<u32>;

/// One learner's first answer to an item (later answers are practice, not measurement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirstAnswer {
    pub item: String,
    pub score: f64,
    pub seconds: Option<f64>,
    pub disputed: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpActivity {
    /// Answers on the KP scored below 0.5.
    pub wrong: u32,
    /// Questions asked about the KP (the count only).
    pub questions: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekActivity {
    pub answers: u32,
    pub minutes: f64,
}

/// The four indicators of docs/indicators.md, `None` without evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorValues {
    pub knowledge: Option<f64>,
    pub skill: Option<f64>,
    pub attitude: Option<f64>,
    pub teamwork: Option<f64>,
}

/// Everything the class view knows about one learner: numbers only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnerSummary {
    pub goal_role: Option<String>,
    /// Mastery probability per KP with evidence (answers or a placement check).
    pub mastery: BTreeMap<String, f64>,
    pub items: Vec<FirstAnswer>,
    pub kps: BTreeMap<String, KpActivity>,
    pub indicators: IndicatorValues,
    /// ISO week ("2026-W49") → activity.
    pub weeks: BTreeMap<String, WeekActivity>,
}

impl LearnerSummary {
    /// Why a summary cannot be used, naming the field: values out of range or not finite.
    pub fn problem(&self) -> Option<String> {
        let bad = |x: f64| !(0.0..=1.0).contains(&x) || !x.is_finite();
        if let Some((kp, _)) = self.mastery.iter().find(|(_, p)| bad(**p)) {
            return Some(format!("mastery of {kp} is not between 0 and 1"));
        }
        if let Some(a) = self.items.iter().find(|a| bad(a.score)) {
            return Some(format!("the score on {} is not between 0 and 1", a.item));
        }
        if let Some(a) = self.items.iter().find(|a| a.seconds.is_some_and(|s| !s.is_finite() || s < 0.0)) {
            return Some(format!("the time spent on {} is negative", a.item));
        }
        let i = &self.indicators;
        if [i.knowledge, i.skill, i.attitude, i.teamwork].into_iter().flatten().any(bad) {
            return Some("an indicator is not between 0 and 1".into());
        }
        if let Some((w, _)) = self.weeks.iter().find(|(_, a)| !a.minutes.is_finite() || a.minutes < 0.0) {
            return Some(format!("the minutes of week {w} are negative"));
        }
        let mut seen = BTreeSet::new();
        if let Some(a) = self.items.iter().find(|a| !seen.insert(a.item.as_str())) {
            return Some(format!("item {} has two first answers", a.item));
        }
        None
    }
}

/// The mastery levels of the heatmap, in order.
pub const LEVELS: [&str; 5] = ["not_started", "learning", "level_1", "level_2", "level_3"];

fn level_index(p: Option<f64>) -> usize {
    match p {
        None => 0,
        Some(p) if p < Level(1).mastery_threshold() => 1,
        Some(p) if p < Level(2).mastery_threshold() => 2,
        Some(p) if p < Level(3).mastery_threshold() => 3,
        Some(_) => 4,
    }
}

/// Share bins for readiness and indicators: [0, .2), [.2, .4), [.4, .6), [.6, .8), [.8, 1].
pub const BINS: [&str; 5] = ["0-20", "20-40", "40-60", "60-80", "80-100"];

fn bin(x: f64) -> usize {
    ((x * 5.0).floor() as usize).min(4)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatRow {
    pub module: String,
    pub kp: String,
    /// Learners at each of [`LEVELS`].
    pub counts: [Cell; 5],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleReadiness {
    pub role: String,
    /// Learners who meet every requirement of the role.
    pub ready: Cell,
    /// Learners by the share of the role's requirements they meet, in [`BINS`].
    pub bins: [Cell; 5],
    /// Learners who chose this role as their own goal.
    pub chose_it: Cell,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StuckKp {
    pub kp: String,
    /// Learners with at least [`STUCK_WRONG`] wrong answers and mastery below level 1.
    pub stuck: Cell,
    /// Learners who asked about it.
    pub asking: Cell,
    /// Wrong answers and questions, summed over the learners (shown with ≥ 3 learners behind).
    pub wrong_answers: Option<u32>,
    pub questions: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSpread {
    pub dimension: &'static str,
    pub no_evidence: Cell,
    pub bins: [Cell; 5],
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekRow {
    pub week: String,
    pub active: Cell,
    pub answers: Option<u32>,
    pub minutes: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassReport {
    pub learners: u32,
    pub min_cell: u32,
    /// Numbers hidden because they would describe fewer than [`MIN_CELL`] learners.
    pub hidden: u32,
    pub heatmap: Vec<HeatRow>,
    pub readiness: Vec<RoleReadiness>,
    /// Items answered by at least [`MIN_CELL`] learners, items to fix first.
    pub items: Vec<ItemStat>,
    /// Items answered by fewer learners, left out.
    pub items_hidden: u32,
    pub stuck: Vec<StuckKp>,
    pub indicators: Vec<IndicatorSpread>,
    pub weeks: Vec<WeekRow>,
}

/// What the report is drawn over: the pack's modules with their KPs in order, the class's goal
/// roles and the weeks to show.
pub struct Scope<'a> {
    pub modules: &'a [(String, Vec<String>)],
    pub roles: &'a [Role],
    pub weeks: &'a [String],
}

struct Suppressor {
    hidden: u32,
}

impl Suppressor {
    fn cell(&mut self, n: u32) -> Cell {
        if n == 0 || n >= MIN_CELL {
            Some(n)
        } else {
            self.hidden += 1;
            None
        }
    }

    /// Cells of a row whose counts add up to a known total: a single hidden cell is hidden
    /// together with the smallest other non-zero cell, so subtraction cannot reveal it.
    fn row<const N: usize>(&mut self, counts: [u32; N]) -> [Cell; N] {
        let mut cells = counts.map(|n| self.cell(n));
        if cells.iter().filter(|c| c.is_none()).count() == 1 {
            let smallest = (0..N).filter(|&i| cells[i].is_some_and(|n| n > 0)).min_by_key(|&i| counts[i]);
            if let Some(i) = smallest {
                cells[i] = None;
                self.hidden += 1;
            }
        }
        cells
    }

    fn total<T>(&mut self, behind: u32, value: T) -> Option<T> {
        if behind >= MIN_CELL {
            Some(value)
        } else {
            if behind > 0 {
                self.hidden += 1;
            }
            None
        }
    }
}

/// One indicator's value in a summary.
type Reading = fn(&IndicatorValues) -> Option<f64>;

/// The class view's numbers, with the k ≥ [`MIN_CELL`] rule applied to every one of them.
pub fn report(class: &[LearnerSummary], scope: &Scope<'_>) -> ClassReport {
    let n = class.len() as u32;
    let mut s = Suppressor { hidden: 0 };

    let heatmap = scope
        .modules
        .iter()
        .flat_map(|(module, kps)| kps.iter().map(move |kp| (module, kp)))
        .map(|(module, kp)| {
            let mut counts = [0u32; 5];
            for l in class {
                counts[level_index(l.mastery.get(kp).copied())] += 1;
            }
            HeatRow { module: module.clone(), kp: kp.clone(), counts: s.row(counts) }
        })
        .collect();

    let readiness = scope
        .roles
        .iter()
        .map(|role| {
            let mut bins = [0u32; 5];
            let mut ready = 0;
            for l in class {
                let met = role
                    .requires
                    .iter()
                    .filter(|r| l.mastery.get(&r.kp).is_some_and(|p| *p >= r.level.mastery_threshold()))
                    .count();
                let share = if role.requires.is_empty() { 1.0 } else { met as f64 / role.requires.len() as f64 };
                bins[bin(share)] += 1;
                ready += u32::from(met == role.requires.len());
            }
            let chose = class.iter().filter(|l| l.goal_role.as_deref() == Some(role.id.as_str())).count() as u32;
            RoleReadiness {
                role: role.id.clone(),
                // One cell: its complement is shown nowhere, so nothing can be subtracted.
                ready: s.cell(ready),
                bins: s.row(bins),
                chose_it: s.cell(chose),
            }
        })
        .collect();

    // Item statistics over first answers, each learner an index (no identity is kept).
    let responses: Vec<Response> = class
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.items.iter().map(move |a| Response {
                learner: i as i64,
                item: a.item.clone(),
                score: a.score,
                seconds: a.seconds,
                disputed: a.disputed,
            })
        })
        .collect();
    let (items, left_out): (Vec<ItemStat>, Vec<ItemStat>) =
        itemstats::item_stats(&responses).into_iter().partition(|st| st.learners >= MIN_CELL);

    let mut kps: BTreeSet<&str> = BTreeSet::new();
    for l in class {
        kps.extend(l.kps.keys().map(String::as_str));
    }
    let mut stuck: Vec<StuckKp> = kps
        .into_iter()
        .filter_map(|kp| {
            let threshold = Level(1).mastery_threshold();
            let acts: Vec<(&KpActivity, bool)> = class
                .iter()
                .filter_map(|l| {
                    l.kps
                        .get(kp)
                        .map(|a| (a, a.wrong >= STUCK_WRONG && l.mastery.get(kp).is_none_or(|p| *p < threshold)))
                })
                .collect();
            let stuck_n = acts.iter().filter(|(_, st)| *st).count() as u32;
            let asking_n = acts.iter().filter(|(a, _)| a.questions > 0).count() as u32;
            if stuck_n < MIN_CELL && asking_n < MIN_CELL {
                return None;
            }
            let wrong_behind = acts.iter().filter(|(a, _)| a.wrong > 0).count() as u32;
            Some(StuckKp {
                kp: kp.to_string(),
                stuck: s.cell(stuck_n),
                asking: s.cell(asking_n),
                wrong_answers: s.total(wrong_behind, acts.iter().map(|(a, _)| a.wrong).sum()),
                questions: s.total(asking_n, acts.iter().map(|(a, _)| a.questions).sum()),
            })
        })
        .collect();
    stuck.sort_by(|a, b| b.stuck.unwrap_or(0).cmp(&a.stuck.unwrap_or(0)).then(a.kp.cmp(&b.kp)));

    let dims: [(&'static str, Reading); 4] = [
        ("knowledge", |i| i.knowledge),
        ("skill", |i| i.skill),
        ("attitude", |i| i.attitude),
        ("teamwork", |i| i.teamwork),
    ];
    let indicators = dims
        .iter()
        .map(|(name, get)| {
            let values: Vec<f64> = class.iter().filter_map(|l| get(&l.indicators)).collect();
            let mut counts = [0u32; 6];
            counts[0] = n - values.len() as u32;
            for v in &values {
                counts[1 + bin(*v)] += 1;
            }
            let cells = s.row(counts);
            let mean = s.total(values.len() as u32, values.iter().sum::<f64>() / values.len().max(1) as f64);
            IndicatorSpread {
                dimension: name,
                no_evidence: cells[0],
                bins: [cells[1], cells[2], cells[3], cells[4], cells[5]],
                mean,
            }
        })
        .collect();

    let weeks = scope
        .weeks
        .iter()
        .map(|w| {
            let acts: Vec<&WeekActivity> =
                class.iter().filter_map(|l| l.weeks.get(w)).filter(|a| a.answers > 0 || a.minutes > 0.0).collect();
            let active = acts.len() as u32;
            WeekRow {
                week: w.clone(),
                active: s.cell(active),
                answers: s.total(active, acts.iter().map(|a| a.answers).sum()),
                minutes: s.total(active, acts.iter().map(|a| a.minutes).sum()),
            }
        })
        .collect();

    ClassReport {
        learners: n,
        min_cell: MIN_CELL,
        hidden: s.hidden,
        heatmap,
        readiness,
        items,
        items_hidden: left_out.len() as u32,
        stuck,
        indicators,
        weeks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::SkillRequirement;
    use crate::text::LocalizedText;

    fn learner(p: Option<f64>) -> LearnerSummary {
        let mut l = LearnerSummary::default();
        if let Some(p) = p {
            l.mastery.insert("a".into(), p);
        }
        l
    }

    fn scope_report(class: &[LearnerSummary]) -> ClassReport {
        let modules = vec![("m".to_string(), vec!["a".to_string()])];
        let roles = vec![Role {
            id: "r".into(),
            title: LocalizedText::new("R", "R"),
            requires: vec![SkillRequirement { kp: "a".into(), level: Level(1) }],
        }];
        report(class, &Scope { modules: &modules, roles: &roles, weeks: &[] })
    }

    #[test]
    fn a_count_of_one_or_two_learners_is_never_shown_nor_left_to_subtraction() {
        // 5 learners: 4 not started, 1 at level 3 — the 1 is hidden, and so is the 4 it could be
        // worked out from.
        let mut class: Vec<_> = (0..4).map(|_| learner(None)).collect();
        class.push(learner(Some(0.99)));
        let r = scope_report(&class);
        assert_eq!(r.heatmap[0].counts, [None, Some(0), Some(0), Some(0), None]);
        // Ready for the role: 1 of 5, hidden with its complement.
        assert_eq!(r.readiness[0].ready, None);
        assert!(r.hidden >= 4);
    }

    #[test]
    fn counts_of_three_or_more_are_shown() {
        let mut class: Vec<_> = (0..3).map(|_| learner(None)).collect();
        class.extend((0..3).map(|_| learner(Some(0.7))));
        let r = scope_report(&class);
        assert_eq!(r.heatmap[0].counts, [Some(3), Some(0), Some(3), Some(0), Some(0)]);
        assert_eq!(r.readiness[0].ready, Some(3));
        assert_eq!(r.indicators[0].no_evidence, Some(6));
        assert_eq!(r.indicators[0].mean, None, "no learner has an indicator value");
    }

    #[test]
    fn items_answered_by_fewer_than_three_learners_are_left_out() {
        let answer = |item: &str, score| FirstAnswer { item: item.into(), score, seconds: None, disputed: false };
        let mut class: Vec<_> = (0..3).map(|_| learner(None)).collect();
        for (i, l) in class.iter_mut().enumerate() {
            l.items.push(answer("shared", if i == 0 { 0.0 } else { 1.0 }));
        }
        class[0].items.push(answer("rare", 1.0));
        let r = scope_report(&class);
        assert_eq!(r.items.iter().map(|i| i.item.as_str()).collect::<Vec<_>>(), ["shared"]);
        assert_eq!(r.items_hidden, 1);
        assert!((r.items[0].p_value.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_summary_with_a_value_out_of_range_names_the_field() {
        let mut l = learner(Some(1.5));
        assert!(l.problem().unwrap().contains("mastery of a"));
        l.mastery.insert("a".into(), 0.5);
        l.weeks.insert("2026-W01".into(), WeekActivity { answers: 1, minutes: f64::NAN });
        assert!(l.problem().unwrap().contains("2026-W01"));
    }
}
