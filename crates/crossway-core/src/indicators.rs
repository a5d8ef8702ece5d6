//! The four assessment dimensions (F13): knowledge, skill application, attitude and ability,
//! teamwork. Each is a value in [0, 1] (or none without evidence), the evidence count behind it,
//! its parts, a trend against a week ago, and a sentence for the learner. The formulas are
//! documented in docs/indicators.md; keep the two in step.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::text::LocalizedText;

/// An answer, as the indicators need it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerEvidence {
    pub kp: String,
    pub at: DateTime<Utc>,
    pub score: f64,
    /// choice | numeric | free_text | simulation
    pub kind: String,
    /// Minutes spent, when the window measured it.
    pub minutes: Option<f64>,
    /// Practice beyond the plan: the KP was not a goal step when answered.
    pub voluntary: bool,
}

/// A finished simulation run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEvidence {
    pub simulation: String,
    pub at: DateTime<Utc>,
    pub accuracy: f64,
    pub efficiency: f64,
    /// The pack's weighted score.
    pub score: f64,
    pub minutes: f64,
}

/// Group work done by the learner.
#[derive(Debug, Clone, PartialEq)]
pub enum TeamEvidence {
    /// A group task the learner belongs to; `contributed` once their part is handed in.
    Task { at: DateTime<Utc>, contributed: bool, peers: u32, reviews_given: u32 },
    /// A peer's rating of the learner's part, 1–5.
    RatingReceived { at: DateTime<Utc>, rating: f64 },
}

/// Study time outside answering (reading, examples, discussion, workshop), in minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyEvidence {
    pub at: DateTime<Utc>,
    pub minutes: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub weekly_minutes: u32,
    /// Mastery of the KPs that count for knowledge: (kp, p, attempts). The goal's KPs when there
    /// is a goal, else every KP the learner answered.
    pub mastery: Vec<(String, f64, u32)>,
    pub answers: Vec<AnswerEvidence>,
    pub runs: Vec<RunEvidence>,
    pub team: Vec<TeamEvidence>,
    pub study: Vec<StudyEvidence>,
    /// When the learner did something on their own: wrote a note or asked the tutor a question.
    pub own_study: Vec<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Knowledge,
    Skill,
    Attitude,
    Teamwork,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// A stable key, e.g. "regularity".
    pub key: &'static str,
    pub value: Option<f64>,
    pub evidence: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub dimension: Dimension,
    /// In [0, 1]; None without evidence.
    pub value: Option<f64>,
    /// How many observations stand behind the value.
    pub evidence: u32,
    /// Value now minus the value from the evidence up to 7 days ago (None if either is None).
    pub trend: Option<f64>,
    pub parts: Vec<Part>,
    pub explanation: LocalizedText,
}

/// Minimum answers (or runs) before a part gets a value.
pub const MIN_EVIDENCE: u32 = 3;
/// Active days in 14 that count as fully regular (4 a week).
pub const REGULAR_DAYS: f64 = 8.0;
/// Voluntary answers in 14 days that count as full voluntary practice.
pub const VOLUNTARY_TARGET: f64 = 10.0;
/// Minutes assumed for an answer the window did not time.
pub const DEFAULT_ANSWER_MINUTES: f64 = 1.5;

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (s, n) = xs.fold((0.0, 0u32), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / f64::from(n))
}

/// The mean of the parts that have a value.
fn combine(parts: &[Part]) -> (Option<f64>, u32) {
    let v = mean(parts.iter().filter_map(|p| p.value));
    (v, parts.iter().map(|p| p.evidence).sum())
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Computes all four indicators at `now`, with trends against `now − 7 days`.
pub fn indicators(ev: &Evidence, now: DateTime<Utc>) -> Vec<Indicator> {
    let then = now - Duration::days(7);
    let dims = [Dimension::Knowledge, Dimension::Skill, Dimension::Attitude, Dimension::Teamwork];
    dims.iter()
        .map(|&d| {
            let (value, evidence, parts) = compute(d, ev, now, true);
            let (before, _, _) = compute(d, ev, then, false);
            let trend = value.zip(before).map(|(a, b)| a - b);
            let explanation = explain(d, value, evidence, &parts, ev);
            Indicator { dimension: d, value, evidence, trend, parts, explanation }
        })
        .collect()
}

/// One dimension's parts now, without the trend and the sentence (the planner's signals need
/// only a part or two).
pub fn parts_now(d: Dimension, ev: &Evidence, now: DateTime<Utc>) -> Vec<Part> {
    compute(d, ev, now, true).2
}

/// Each dimension's value at the end of each of the last `weeks` weeks (oldest first, the last
/// one now), for charts of the indicators over time.
pub fn history(ev: &Evidence, now: DateTime<Utc>, weeks: u32) -> Vec<(DateTime<Utc>, [Option<f64>; 4])> {
    let dims = [Dimension::Knowledge, Dimension::Skill, Dimension::Attitude, Dimension::Teamwork];
    (0..weeks)
        .rev()
        .map(|k| {
            let at = now - Duration::days(7 * i64::from(k));
            let current = k == 0;
            (at, dims.map(|d| compute(d, ev, at, current).0))
        })
        .collect()
}

/// One dimension from the evidence up to `at`; `current` when `at` is now (mastery is only known
/// as of now).
fn compute(d: Dimension, ev: &Evidence, at: DateTime<Utc>, current: bool) -> (Option<f64>, u32, Vec<Part>) {
    let answers: Vec<&AnswerEvidence> = ev.answers.iter().filter(|a| a.at <= at).collect();
    match d {
        Dimension::Knowledge => {
            // Mean mastery of the counted KPs (see `knowledge_then` for the past value).
            let n: u32 = answers.iter().filter(|a| ev.mastery.iter().any(|(k, _, _)| *k == a.kp)).count() as u32;
            let value = if n == 0 {
                None
            } else if current {
                mean(ev.mastery.iter().map(|(_, p, _)| *p))
            } else {
                knowledge_then(ev, &answers)
            };
            (value, n, vec![Part { key: "mastery", value, evidence: n }])
        }
        Dimension::Skill => {
            let runs: Vec<&RunEvidence> = ev.runs.iter().filter(|r| r.at <= at).collect();
            // The latest run of each simulation.
            let mut latest_runs: Vec<&RunEvidence> = Vec::new();
            for r in &runs {
                match latest_runs.iter_mut().find(|x| x.simulation == r.simulation) {
                    Some(x) if x.at < r.at => *x = r,
                    Some(_) => {}
                    None => latest_runs.push(r),
                }
            }
            let n_runs = latest_runs.len() as u32;
            let sim = if n_runs == 0 { None } else { mean(latest_runs.iter().map(|r| r.score)) };
            let accuracy = mean(latest_runs.iter().map(|r| r.accuracy));
            let efficiency = mean(latest_runs.iter().map(|r| r.efficiency));
            // Problem solving: the last 30 numeric and free-text answers.
            let applied: Vec<f64> = answers
                .iter()
                .rev()
                .filter(|a| a.kind == "numeric" || a.kind == "free_text")
                .take(30)
                .map(|a| a.score)
                .collect();
            let n_applied = applied.len() as u32;
            let solving = if n_applied >= MIN_EVIDENCE { mean(applied.into_iter()) } else { None };
            let parts = vec![
                Part { key: "simulation", value: sim, evidence: n_runs },
                Part { key: "problem_solving", value: solving, evidence: n_applied },
            ];
            let (v, n) = combine(&parts);
            let mut parts = parts;
            parts.push(Part { key: "simulation_accuracy", value: accuracy, evidence: n_runs });
            parts.push(Part { key: "simulation_efficiency", value: efficiency, evidence: n_runs });
            (v, n, parts)
        }
        Dimension::Attitude => {
            let since14 = at - Duration::days(14);
            let since7 = at - Duration::days(7);
            let mut days: Vec<chrono::NaiveDate> = answers
                .iter()
                .map(|a| a.at)
                .chain(ev.study.iter().filter(|s| s.at <= at).map(|s| s.at))
                .chain(ev.runs.iter().filter(|r| r.at <= at).map(|r| r.at))
                .filter(|t| *t > since14)
                .map(|t| t.date_naive())
                .collect();
            days.sort();
            days.dedup();
            let active_days = days.len() as u32;
            let any_activity = !answers.is_empty() || ev.study.iter().any(|s| s.at <= at);
            let regularity = any_activity.then(|| (f64::from(active_days) / REGULAR_DAYS).min(1.0));
            let minutes7: f64 = answers
                .iter()
                .filter(|a| a.at > since7)
                .map(|a| a.minutes.unwrap_or(DEFAULT_ANSWER_MINUTES))
                .chain(ev.study.iter().filter(|s| s.at > since7 && s.at <= at).map(|s| s.minutes))
                .chain(ev.runs.iter().filter(|r| r.at > since7 && r.at <= at).map(|r| r.minutes))
                .sum();
            let adherence = any_activity.then(|| (minutes7 / f64::from(ev.weekly_minutes.max(1))).min(1.0));
            let own = ev.own_study.iter().filter(|&&t| t > since14 && t <= at).count();
            let voluntary_n = (answers.iter().filter(|a| a.at > since14 && a.voluntary).count() + own) as u32;
            let any_activity = any_activity || own > 0;
            let voluntary = any_activity.then(|| (f64::from(voluntary_n) / VOLUNTARY_TARGET).min(1.0));
            // Persistence and use of feedback: what followed each wrong answer on the same KP.
            let (mut wrong, mut retried, mut fixed) = (0u32, 0u32, 0u32);
            // The next answer on the same KP, for every answer: one backward pass.
            let mut next_on_kp: Vec<Option<usize>> = vec![None; answers.len()];
            let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for i in (0..answers.len()).rev() {
                next_on_kp[i] = seen.insert(answers[i].kp.as_str(), i);
            }
            for (i, a) in answers.iter().enumerate() {
                if a.score >= 0.5 {
                    continue;
                }
                let next = next_on_kp[i].map(|j| answers[j]);
                // A wrong answer from the last day without a follow-up has not had its chance yet.
                if next.is_none() && a.at > at - Duration::days(1) {
                    continue;
                }
                wrong += 1;
                if let Some(b) = next {
                    retried += 1;
                    if b.score >= 0.5 {
                        fixed += 1;
                    }
                }
            }
            let persistence = (wrong >= MIN_EVIDENCE).then(|| f64::from(retried) / f64::from(wrong));
            let feedback = (retried >= MIN_EVIDENCE).then(|| f64::from(fixed) / f64::from(retried));
            let parts = vec![
                Part { key: "regularity", value: regularity, evidence: active_days },
                Part { key: "plan_adherence", value: adherence, evidence: active_days },
                Part { key: "voluntary_practice", value: voluntary, evidence: voluntary_n },
                Part { key: "persistence", value: persistence, evidence: wrong },
                Part { key: "feedback_use", value: feedback, evidence: retried },
            ];
            let (v, _) = combine(&parts);
            let n = answers.len() as u32 + ev.study.iter().filter(|s| s.at <= at).count() as u32;
            (v, n, parts)
        }
        Dimension::Teamwork => {
            let (mut tasks, mut contributed, mut expected_reviews, mut given) = (0u32, 0u32, 0u32, 0u32);
            let mut ratings = Vec::new();
            for t in ev.team.iter() {
                match t {
                    TeamEvidence::Task { at: t_at, contributed: c, peers, reviews_given } if *t_at <= at => {
                        tasks += 1;
                        contributed += u32::from(*c);
                        expected_reviews += peers;
                        given += (*reviews_given).min(*peers);
                    }
                    TeamEvidence::RatingReceived { at: t_at, rating } if *t_at <= at => {
                        ratings.push(((rating - 1.0) / 4.0).clamp(0.0, 1.0));
                    }
                    _ => {}
                }
            }
            let n_ratings = ratings.len() as u32;
            let parts = vec![
                Part {
                    key: "participation",
                    value: (tasks > 0).then(|| f64::from(contributed) / f64::from(tasks)),
                    evidence: tasks,
                },
                Part {
                    key: "reviews_given",
                    value: (expected_reviews > 0).then(|| f64::from(given) / f64::from(expected_reviews)),
                    evidence: given,
                },
                Part { key: "peer_rating", value: mean(ratings.into_iter()), evidence: n_ratings },
            ];
            let (v, n) = combine(&parts);
            (v, n, parts)
        }
    }
}

/// Knowledge a week ago: current mastery cannot be rewound, so it is estimated from the share of
/// right answers up to then on the counted KPs, shrunk towards 0.5 by the answer count — the same
/// direction as mastery, good enough for a trend arrow.
fn knowledge_then(ev: &Evidence, answers: &[&AnswerEvidence]) -> Option<f64> {
    let counted: Vec<f64> =
        answers.iter().filter(|a| ev.mastery.iter().any(|(k, _, _)| *k == a.kp)).map(|a| a.score).collect();
    if counted.is_empty() {
        return None;
    }
    let n = counted.len() as f64;
    let right = counted.iter().sum::<f64>();
    Some((right + 1.0) / (n + 2.0))
}

fn part_name(key: &str) -> LocalizedText {
    match key {
        "regularity" => LocalizedText::new("regular study", "学习规律性"),
        "plan_adherence" => LocalizedText::new("keeping to your weekly plan", "完成每周计划"),
        "voluntary_practice" => LocalizedText::new("extra practice, notes and questions", "自主加练、笔记与提问"),
        "persistence" => LocalizedText::new("trying again after a mistake", "出错后再尝试"),
        "feedback_use" => LocalizedText::new("fixing mistakes with the feedback", "根据反馈改正错误"),
        "simulation" => LocalizedText::new("simulations", "模拟实训"),
        "problem_solving" => LocalizedText::new("calculation and written answers", "计算题与问答题"),
        "participation" => LocalizedText::new("handing in your part of group tasks", "提交小组任务中的个人部分"),
        "reviews_given" => LocalizedText::new("reviewing your peers", "为同伴评价"),
        "peer_rating" => LocalizedText::new("your peers' ratings", "同伴对你的评分"),
        other => LocalizedText::new(other, other),
    }
}

fn explain(d: Dimension, value: Option<f64>, evidence: u32, parts: &[Part], ev: &Evidence) -> LocalizedText {
    let Some(v) = value else {
        return match d {
            Dimension::Knowledge => LocalizedText::new(
                "No answers yet: answer a few questions to see your knowledge.",
                "还没有答题记录：做几道题就能看到你的知识掌握情况。",
            ),
            Dimension::Skill => LocalizedText::new(
                "No simulations or calculation questions yet: try a simulation to measure applied skill.",
                "还没有模拟实训或计算题记录：完成一次模拟实训即可评估应用能力。",
            ),
            Dimension::Attitude => LocalizedText::new(
                "No study recorded yet: your study habits show here after a few sessions.",
                "还没有学习记录：学习几次之后，这里会显示你的学习习惯。",
            ),
            Dimension::Teamwork => LocalizedText::new(
                "No group tasks yet: teamwork is measured from group tasks and peer reviews.",
                "还没有小组任务：团队协作根据小组任务和同伴互评来衡量。",
            ),
        };
    };
    // The weakest part with a value, to say what would raise it.
    let weakest = parts
        .iter()
        .filter(|p| p.value.is_some() && !p.key.starts_with("simulation_"))
        .min_by(|a, b| a.value.unwrap_or(1.0).total_cmp(&b.value.unwrap_or(1.0)));
    let (en_w, zh_w) = match weakest {
        Some(p) if p.value.unwrap_or(1.0) < 0.6 && parts.iter().filter(|p| p.value.is_some()).count() > 1 => {
            let n = part_name(p.key);
            (
                format!(" Weakest part: {} ({}).", n.en, pct(p.value.unwrap_or(0.0))),
                format!("最弱的一项：{}（{}）。", n.zh_cn, pct(p.value.unwrap_or(0.0))),
            )
        }
        _ => (String::new(), String::new()),
    };
    let p = pct(v);
    match d {
        Dimension::Knowledge => {
            let kps = ev.mastery.len();
            let weak = ev.mastery.iter().filter(|(_, p, _)| *p < 0.6).count();
            LocalizedText::new(
                format!("Knowledge {p}: average mastery of {kps} topics, from {evidence} answers; {weak} still below 60%."),
                format!("知识掌握 {p}：{kps} 个知识点的平均掌握度，依据 {evidence} 次答题；其中 {weak} 个仍低于 60%。"),
            )
        }
        Dimension::Skill => LocalizedText::new(
            format!("Applied skill {p}: from simulations and calculation or written answers ({evidence} pieces of evidence).{en_w}"),
            format!("应用能力 {p}：依据模拟实训以及计算题、问答题（共 {evidence} 条证据）。{zh_w}"),
        ),
        Dimension::Attitude => LocalizedText::new(
            format!("Attitude and ability {p}: regular study, keeping to your plan, extra practice, persistence and use of feedback.{en_w}"),
            format!("学习态度与能力 {p}：综合学习规律性、计划完成度、自主加练、坚持程度和对反馈的利用。{zh_w}"),
        ),
        Dimension::Teamwork => LocalizedText::new(
            format!("Teamwork {p}: from {evidence} group tasks, peer reviews and ratings.{en_w}"),
            format!("团队协作 {p}：依据 {evidence} 条小组任务、同伴互评和评分记录。{zh_w}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 10, 0, 0).unwrap()
    }

    fn ans(kp: &str, d: u32, score: f64, kind: &str, voluntary: bool) -> AnswerEvidence {
        AnswerEvidence { kp: kp.into(), at: day(d), score, kind: kind.into(), minutes: Some(2.0), voluntary }
    }

    fn get(ind: &[Indicator], d: Dimension) -> &Indicator {
        ind.iter().find(|i| i.dimension == d).unwrap()
    }

    fn part<'a>(i: &'a Indicator, key: &str) -> &'a Part {
        i.parts.iter().find(|p| p.key == key).unwrap()
    }

    #[test]
    fn empty_evidence_has_no_values_and_says_what_to_do() {
        let ind = indicators(&Evidence { weekly_minutes: 300, ..Default::default() }, day(20));
        assert_eq!(ind.len(), 4);
        for i in &ind {
            assert_eq!((i.value, i.evidence, i.trend), (None, 0, None), "{:?}", i.dimension);
            assert!(!i.explanation.en.is_empty() && !i.explanation.zh_cn.is_empty());
        }
        assert!(get(&ind, Dimension::Skill).explanation.en.contains("try a simulation"));
    }

    #[test]
    fn knowledge_is_mean_mastery_with_answer_count_and_trend() {
        let ev = Evidence {
            weekly_minutes: 300,
            mastery: vec![("a".into(), 0.9, 3), ("b".into(), 0.3, 2)],
            answers: vec![
                ans("a", 5, 0.0, "choice", false),
                ans("a", 18, 1.0, "choice", false),
                ans("a", 19, 1.0, "choice", false),
                ans("b", 19, 0.0, "choice", false),
                ans("b", 19, 1.0, "choice", false),
            ],
            ..Default::default()
        };
        let k = get(&indicators(&ev, day(20)), Dimension::Knowledge).clone();
        assert!((k.value.unwrap() - 0.6).abs() < 1e-9);
        assert_eq!(k.evidence, 5);
        // A week ago: one wrong answer → (0 + 1) / (1 + 2) = 1/3; trend = 0.6 − 1/3.
        assert!((k.trend.unwrap() - (0.6 - 1.0 / 3.0)).abs() < 1e-9, "{:?}", k.trend);
        assert!(
            k.explanation.en.contains("60%") && k.explanation.en.contains("1 still below 60%"),
            "{}",
            k.explanation.en
        );
    }

    #[test]
    fn skill_combines_latest_runs_and_problem_solving() {
        let run = |sim: &str, d, score| RunEvidence {
            simulation: sim.into(),
            at: day(d),
            accuracy: score,
            efficiency: 0.5,
            score,
            minutes: 20.0,
        };
        let ev = Evidence {
            weekly_minutes: 300,
            // The second run of sim x replaces the first.
            runs: vec![run("x", 10, 0.2), run("x", 15, 0.8), run("y", 16, 0.6)],
            answers: vec![
                ans("a", 15, 1.0, "numeric", false),
                ans("a", 15, 0.0, "numeric", false),
                ans("a", 16, 0.5, "free_text", false),
                ans("a", 16, 0.0, "choice", false), // not applied skill
            ],
            ..Default::default()
        };
        let s = get(&indicators(&ev, day(20)), Dimension::Skill).clone();
        assert!((part(&s, "simulation").value.unwrap() - 0.7).abs() < 1e-9);
        assert!((part(&s, "problem_solving").value.unwrap() - 0.5).abs() < 1e-9);
        assert!((s.value.unwrap() - 0.6).abs() < 1e-9);
        assert_eq!(s.evidence, 2 + 3);
        assert!((part(&s, "simulation_efficiency").value.unwrap() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn attitude_parts() {
        // Active on 4 days in the last 14; 14 answered minutes + 40 study minutes in the last 7
        // days against a 100-minute budget; 3 wrong answers: 2 retried, 1 of them fixed.
        let ev = Evidence {
            weekly_minutes: 100,
            answers: vec![
                ans("a", 8, 0.0, "choice", false),  // retried (day 9), fixed
                ans("a", 9, 1.0, "choice", true),   // voluntary
                ans("b", 9, 0.0, "choice", false),  // retried, still wrong
                ans("b", 15, 0.0, "choice", false), // never retried, old enough
                ans("c", 15, 1.0, "choice", false),
                ans("c", 16, 1.0, "choice", true),  // voluntary
                ans("d", 20, 0.0, "choice", false), // today: not yet counted
            ],
            study: vec![StudyEvidence { at: day(17), minutes: 40.0 }],
            ..Default::default()
        };
        let a = get(&indicators(&ev, day(20)), Dimension::Attitude).clone();
        let v = |k| part(&a, k).value.unwrap();
        assert!((v("regularity") - 6.0 / 8.0).abs() < 1e-9, "{}", v("regularity")); // days 8,9,15,16,17,20
        assert!((v("plan_adherence") - (4.0 * 2.0 + 40.0) / 100.0).abs() < 1e-9, "{}", v("plan_adherence"));
        assert!((v("voluntary_practice") - 0.2).abs() < 1e-9);
        assert!((v("persistence") - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(part(&a, "feedback_use").value, None, "2 retries are below the minimum evidence");
        let expected = (0.75 + 0.48 + 0.2 + 2.0 / 3.0) / 4.0;
        assert!((a.value.unwrap() - expected).abs() < 1e-9, "{:?}", a.value);
        assert!(
            a.explanation.en.contains("Weakest part: extra practice, notes and questions (20%)"),
            "{}",
            a.explanation.en
        );
    }

    #[test]
    fn notes_and_questions_count_as_self_directed_study() {
        let ev = Evidence {
            weekly_minutes: 100,
            // Two notes or questions in the last 14 days, one older; no answers at all.
            own_study: vec![day(19), day(12), day(1)],
            ..Default::default()
        };
        let a = get(&indicators(&ev, day(20)), Dimension::Attitude).clone();
        let p = part(&a, "voluntary_practice");
        assert_eq!((p.value, p.evidence), (Some(0.2), 2), "{a:?}");
    }

    #[test]
    fn teamwork_from_tasks_reviews_and_ratings() {
        let ev = Evidence {
            weekly_minutes: 300,
            team: vec![
                TeamEvidence::Task { at: day(10), contributed: true, peers: 2, reviews_given: 2 },
                TeamEvidence::Task { at: day(18), contributed: false, peers: 2, reviews_given: 0 },
                TeamEvidence::RatingReceived { at: day(11), rating: 5.0 },
                TeamEvidence::RatingReceived { at: day(11), rating: 3.0 },
            ],
            ..Default::default()
        };
        let t = get(&indicators(&ev, day(20)), Dimension::Teamwork).clone();
        assert_eq!(part(&t, "participation").value, Some(0.5));
        assert_eq!(part(&t, "reviews_given").value, Some(0.5));
        assert_eq!(part(&t, "peer_rating").value, Some(0.75));
        assert!((t.value.unwrap() - 0.5833333333).abs() < 1e-6);
        // A week ago only the first task existed: participation and reviews were complete.
        assert!((t.trend.unwrap() - (0.5833333333 - (1.0 + 1.0 + 0.75) / 3.0)).abs() < 1e-6);
        assert_eq!(t.evidence, 2 + 2 + 2);
    }
}
