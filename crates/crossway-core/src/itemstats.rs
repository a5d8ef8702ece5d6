//! Item and lesson statistics from every learner's answers and feedback on this install (F16):
//! what an author should fix, and why. Classical test theory: difficulty is the p-value (mean
//! score), discrimination the correlation of the item score with the learner's score on the other
//! items (corrected item–total correlation). Thresholds in docs/indicators.md.

use std::collections::HashMap;

use serde::Serialize;

/// One learner's first answer to an item (later answers are practice, not measurement).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub learner: i64,
    pub item: String,
    pub score: f64,
    pub seconds: Option<f64>,
    pub disputed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LessonFeedback {
    pub kp: String,
    /// 1–5.
    pub rating: Option<f64>,
    pub error_report: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStat {
    pub item: String,
    pub learners: u32,
    /// Mean first-answer score.
    pub p_value: Option<f64>,
    pub discrimination: Option<f64>,
    pub mean_seconds: Option<f64>,
    pub dispute_rate: Option<f64>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LessonStat {
    pub kp: String,
    pub ratings: u32,
    pub mean_rating: Option<f64>,
    pub error_reports: u32,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// Almost nobody gets it right: the key may be wrong, or the item unclear.
    TooHard { p_value: f64 },
    /// Almost everybody gets it right: it measures little.
    TooEasy { p_value: f64 },
    /// Strong learners do no better on it than weak ones (or worse).
    LowDiscrimination { discrimination: f64 },
    /// Learners dispute its grade often.
    Disputed { rate: f64 },
    /// Learners reported an error in the lesson.
    ErrorReported { reports: u32 },
    /// Learners rate the lesson low.
    LowRating { mean: f64 },
}

/// Learners needed before an item's statistics are judged.
pub const MIN_LEARNERS: u32 = 10;
pub const TOO_HARD_BELOW: f64 = 0.2;
pub const TOO_EASY_ABOVE: f64 = 0.95;
pub const LOW_DISCRIMINATION_BELOW: f64 = 0.15;
pub const DISPUTED_ABOVE: f64 = 0.10;
pub const LOW_RATING_BELOW: f64 = 2.5;

fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len() as f64;
    if xs.len() < 3 {
        return None;
    }
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 1e-12 && syy > 1e-12).then(|| sxy / (sxx * syy).sqrt())
}

/// Statistics for every item with answers, items to fix first.
pub fn item_stats(responses: &[Response]) -> Vec<ItemStat> {
    // Each learner's totals, to take the item out of them.
    let mut totals: HashMap<i64, (f64, u32)> = HashMap::new();
    for r in responses {
        let t = totals.entry(r.learner).or_default();
        t.0 += r.score;
        t.1 += 1;
    }
    let mut by_item: HashMap<&str, Vec<&Response>> = HashMap::new();
    for r in responses {
        by_item.entry(&r.item).or_default().push(r);
    }
    let mut stats: Vec<ItemStat> = by_item
        .into_iter()
        .map(|(item, rs)| {
            let n = rs.len() as u32;
            let p = rs.iter().map(|r| r.score).sum::<f64>() / f64::from(n);
            // Rest score: the learner's mean on the other items (learners with other answers only).
            let (xs, ys): (Vec<f64>, Vec<f64>) = rs
                .iter()
                .filter_map(|r| {
                    let (sum, cnt) = totals[&r.learner];
                    (cnt > 1).then(|| (r.score, (sum - r.score) / f64::from(cnt - 1)))
                })
                .unzip();
            let discrimination = pearson(&xs, &ys);
            let secs: Vec<f64> = rs.iter().filter_map(|r| r.seconds).collect();
            let mean_seconds = (!secs.is_empty()).then(|| secs.iter().sum::<f64>() / secs.len() as f64);
            let disputes = rs.iter().filter(|r| r.disputed).count() as f64;
            let dispute_rate = disputes / f64::from(n);
            let mut flags = Vec::new();
            if n >= MIN_LEARNERS {
                if p < TOO_HARD_BELOW {
                    flags.push(Flag::TooHard { p_value: p });
                } else if p > TOO_EASY_ABOVE {
                    flags.push(Flag::TooEasy { p_value: p });
                }
                if let Some(d) = discrimination.filter(|d| *d < LOW_DISCRIMINATION_BELOW) {
                    flags.push(Flag::LowDiscrimination { discrimination: d });
                }
            }
            // Disputes count from the first few answers: each one is a learner saying "wrong grade".
            if disputes >= 2.0 && dispute_rate > DISPUTED_ABOVE {
                flags.push(Flag::Disputed { rate: dispute_rate });
            }
            ItemStat {
                item: item.to_string(),
                learners: n,
                p_value: Some(p),
                discrimination,
                mean_seconds,
                dispute_rate: Some(dispute_rate),
                flags,
            }
        })
        .collect();
    stats.sort_by(|a, b| b.flags.len().cmp(&a.flags.len()).then(a.item.cmp(&b.item)));
    stats
}

/// Statistics for every lesson with feedback, lessons to fix first.
pub fn lesson_stats(feedback: &[LessonFeedback]) -> Vec<LessonStat> {
    let mut by_kp: HashMap<&str, Vec<&LessonFeedback>> = HashMap::new();
    for f in feedback {
        by_kp.entry(&f.kp).or_default().push(f);
    }
    let mut stats: Vec<LessonStat> = by_kp
        .into_iter()
        .map(|(kp, fs)| {
            let ratings: Vec<f64> = fs.iter().filter_map(|f| f.rating).collect();
            let mean_rating = (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64);
            let error_reports = fs.iter().filter(|f| f.error_report).count() as u32;
            let mut flags = Vec::new();
            if error_reports > 0 {
                flags.push(Flag::ErrorReported { reports: error_reports });
            }
            if let Some(m) = mean_rating.filter(|m| ratings.len() >= 3 && *m < LOW_RATING_BELOW) {
                flags.push(Flag::LowRating { mean: m });
            }
            LessonStat { kp: kp.to_string(), ratings: ratings.len() as u32, mean_rating, error_reports, flags }
        })
        .collect();
    stats.sort_by(|a, b| b.flags.len().cmp(&a.flags.len()).then(a.kp.cmp(&b.kp)));
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(learner: i64, item: &str, score: f64) -> Response {
        Response { learner, item: item.into(), score, seconds: Some(30.0), disputed: false }
    }

    #[test]
    fn flags_a_too_hard_and_a_reversed_item() {
        let mut rs = Vec::new();
        for l in 0..20i64 {
            let strong = l < 10;
            rs.push(r(l, "good1", if strong { 1.0 } else { 0.0 }));
            rs.push(r(l, "good2", if strong || l % 3 == 0 { 1.0 } else { 0.0 }));
            rs.push(r(l, "good3", if (strong && l != 1) || l == 12 { 1.0 } else { 0.0 }));
            rs.push(r(l, "good4", if strong && l % 4 != 0 { 1.0 } else { 0.0 }));
            // Weak learners get it right, strong ones wrong: a miskeyed item.
            rs.push(r(l, "reversed", if strong { 0.0 } else { 1.0 }));
            rs.push(r(l, "hard", if l == 0 { 1.0 } else { 0.0 }));
        }
        let stats = item_stats(&rs);
        let get = |id: &str| stats.iter().find(|s| s.item == id).unwrap();
        assert!(get("good1").flags.is_empty(), "{:?}", get("good1"));
        assert!(get("good1").discrimination.unwrap() > 0.5);
        assert!(
            matches!(get("reversed").flags[..], [Flag::LowDiscrimination { discrimination }] if discrimination < 0.0)
        );
        assert!(matches!(get("hard").flags[0], Flag::TooHard { p_value } if (p_value - 0.05).abs() < 1e-9));
        assert_eq!(get("hard").mean_seconds, Some(30.0));
        // Items to fix come first.
        assert!(!stats[0].flags.is_empty());
    }

    #[test]
    fn few_learners_are_not_judged_but_disputes_are() {
        let mut rs = vec![r(1, "x", 0.0), r(2, "x", 0.0), r(3, "x", 1.0)];
        rs[0].disputed = true;
        rs[1].disputed = true;
        let s = &item_stats(&rs)[0];
        assert_eq!(s.learners, 3);
        assert!(matches!(s.flags[..], [Flag::Disputed { rate }] if (rate - 2.0 / 3.0).abs() < 1e-9), "{:?}", s.flags);
    }

    #[test]
    fn lessons_with_error_reports_and_low_ratings() {
        let f = |kp: &str, rating: Option<f64>, error_report| LessonFeedback { kp: kp.into(), rating, error_report };
        let stats = lesson_stats(&[
            f("a", Some(5.0), false),
            f("b", Some(2.0), false),
            f("b", Some(1.0), false),
            f("b", Some(3.0), true),
        ]);
        assert_eq!(stats[0].kp, "b");
        assert_eq!(stats[0].flags, vec![Flag::ErrorReported { reports: 1 }, Flag::LowRating { mean: 2.0 }]);
        assert!(stats[1].flags.is_empty());
    }
}
