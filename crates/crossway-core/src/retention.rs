//! Retention: spaced review of what a learner has learned, scheduled by FSRS (the `rs-fsrs`
//! crate). Each answer on a KP is a review — wrong is "Again", right is "Good" — and the planner
//! brings back learned KPs whose review is due, with their predicted recall.

use chrono::{DateTime, Utc};
use rs_fsrs::{Card, Parameters, Rating, State, FSRS};
use serde::{Deserialize, Serialize};

/// The FSRS memory state of one KP for one learner, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    pub stability: f64,
    pub difficulty: f64,
    pub due: DateTime<Utc>,
    pub last_review: DateTime<Utc>,
    pub reps: u32,
    pub lapses: u32,
    /// 0 new, 1 learning, 2 review, 3 relearning.
    pub state: u8,
    pub scheduled_days: i64,
}

/// FSRS divides by stability: after many lapses it can reach 0 and the next review would be NaN
/// (which SQLite stores as NULL, so the answer failed to save). Stability is kept at least this
/// (about a quarter of an hour, in days) and difficulty within FSRS's 1–10.
const MIN_STABILITY: f64 = 0.01;

fn sane_stability(s: f64) -> f64 {
    if s.is_finite() {
        s.max(MIN_STABILITY)
    } else {
        MIN_STABILITY
    }
}

fn sane_difficulty(d: f64) -> f64 {
    if d.is_finite() {
        d.clamp(1.0, 10.0)
    } else {
        5.0
    }
}

fn to_card(r: &Retention) -> Card {
    Card {
        due: r.due,
        stability: sane_stability(r.stability),
        difficulty: sane_difficulty(r.difficulty),
        elapsed_days: 0,
        scheduled_days: r.scheduled_days,
        reps: r.reps as i32,
        lapses: r.lapses as i32,
        state: match r.state {
            1 => State::Learning,
            2 => State::Review,
            3 => State::Relearning,
            _ => State::New,
        },
        last_review: r.last_review,
    }
}

/// The state after an answer at `now` (`None`: the KP's first answer).
pub fn review(prev: Option<&Retention>, correct: bool, now: DateTime<Utc>) -> Retention {
    let card = prev.map(to_card).unwrap_or(Card { due: now, last_review: now, ..Card::default() });
    let rating = if correct { Rating::Good } else { Rating::Again };
    let next = FSRS::new(Parameters::default()).next(card, now, rating).card;
    Retention {
        stability: sane_stability(next.stability),
        difficulty: sane_difficulty(next.difficulty),
        due: next.due,
        last_review: next.last_review,
        reps: next.reps.max(0) as u32,
        lapses: next.lapses.max(0) as u32,
        state: next.state as u8,
        scheduled_days: next.scheduled_days,
    }
}

/// Predicted probability of recalling the KP at `now`.
pub fn recall_probability(r: &Retention, now: DateTime<Utc>) -> f64 {
    to_card(r).get_retrievability(now).clamp(0.0, 1.0)
}

/// Whether a review is due at `now`.
pub fn is_due(r: &Retention, now: DateTime<Utc>) -> bool {
    r.due <= now
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(days: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::days(days)
    }

    #[test]
    fn right_answers_space_reviews_out_and_a_lapse_brings_them_back() {
        let r1 = review(None, true, t(0));
        let r2 = review(Some(&r1), true, r1.due.max(t(1)));
        let r3 = review(Some(&r2), true, r2.due);
        assert!(r3.due - r3.last_review > r2.due - r2.last_review, "intervals grow: {r2:?} {r3:?}");
        assert!(r3.stability > r1.stability);
        let lapse = review(Some(&r3), false, r3.due);
        assert_eq!(lapse.lapses, 1);
        assert!(lapse.due - lapse.last_review < r3.due - r3.last_review, "a lapse shortens the interval");
    }

    #[test]
    fn recall_falls_with_time_and_reviews_come_due() {
        let mut r = review(None, true, t(0));
        for _ in 0..3 {
            r = review(Some(&r), true, r.due);
        }
        let soon = recall_probability(&r, r.last_review + Duration::days(1));
        let late = recall_probability(&r, r.last_review + Duration::days(120));
        assert!(soon > 0.9 && late < soon, "{soon} {late}");
        assert!(!is_due(&r, r.last_review));
        assert!(is_due(&r, r.due));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use chrono::{Duration, TimeZone};

    /// Any sequence of answers, minutes or months apart, keeps the memory state finite (a NaN
    /// stability once made a learner's next answer fail to save).
    #[test]
    fn a_state_worn_down_to_zero_stability_still_reviews() {
        // The state a real answer history reached (230 reviews, 61 lapses), as stored.
        let worn = Retention {
            stability: 0.0,
            difficulty: 9.84,
            due: Utc.with_ymd_and_hms(2026, 1, 4, 5, 14, 25).unwrap(),
            last_review: Utc.with_ymd_and_hms(2026, 1, 3, 5, 14, 25).unwrap(),
            reps: 230,
            lapses: 61,
            state: 2,
            scheduled_days: 1,
        };
        let now = Utc.with_ymd_and_hms(2026, 1, 3, 23, 44, 25).unwrap();
        for correct in [true, false] {
            let n = review(Some(&worn), correct, now);
            assert!(n.stability.is_finite() && n.stability > 0.0, "{n:?}");
            assert!(recall_probability(&n, now + Duration::hours(1)).is_finite());
        }
        assert!(recall_probability(&worn, now).is_finite());
    }

    #[test]
    fn the_state_stays_finite_for_any_answer_sequence() {
        let mut seed = 0x1234_5678_9abc_def1_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            let mut r: Option<Retention> = None;
            for _ in 0..200 {
                now += Duration::minutes((next() % (60 * 24 * 40)) as i64);
                let correct = next() % 3 != 0;
                let n = review(r.as_ref(), correct, now);
                assert!(n.stability.is_finite() && n.difficulty.is_finite(), "{r:?} → {n:?} at {now}");
                assert!(recall_probability(&n, now + Duration::days(3)).is_finite());
                r = Some(n);
            }
        }
    }
}
