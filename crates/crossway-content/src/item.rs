//! Items (questions) and the grading of the objectively scored kinds.

use crossway_core::LocalizedText;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub kp: String,
    pub stem: LocalizedText,
    /// Why the correct answer is correct.
    pub explanation: Option<LocalizedText>,
    /// A nudge shown on request (used by simulation steps; costs efficiency).
    pub hint: Option<LocalizedText>,
    pub body: ItemBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemBody {
    Choice {
        options: Vec<ChoiceOption>,
    },
    Numeric {
        answer: f64,
        tolerance: f64,
        unit: String,
        wrong_answers: Vec<WrongAnswer>,
    },
    /// `examples`: graded example answers (none, or 2 to 8), which the no-model grader compares
    /// the learner's answer with (docs/quality.md, "With graded example answers").
    FreeText {
        reference: LocalizedText,
        rubric: Vec<LocalizedText>,
        examples: Vec<GradedExample>,
    },
}

/// How an example answer to a free-text item was graded by its author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleGrade {
    Correct,
    PartlyCorrect,
    Contradictory,
    Incorrect,
}

impl ExampleGrade {
    pub const ALL: [(&'static str, ExampleGrade); 4] = [
        ("correct", ExampleGrade::Correct),
        ("partly_correct", ExampleGrade::PartlyCorrect),
        ("contradictory", ExampleGrade::Contradictory),
        ("incorrect", ExampleGrade::Incorrect),
    ];
}

/// An example answer to a free-text item, in both languages, with its grade.
#[derive(Debug, Clone, PartialEq)]
pub struct GradedExample {
    pub grade: ExampleGrade,
    pub text: LocalizedText,
}

impl ItemBody {
    pub fn kind(&self) -> &'static str {
        match self {
            ItemBody::Choice { .. } => "choice",
            ItemBody::Numeric { .. } => "numeric",
            ItemBody::FreeText { .. } => "free_text",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    pub text: LocalizedText,
    pub correct: bool,
    /// For a distractor: the error that leads a learner to pick it.
    pub why: Option<LocalizedText>,
}

/// A known wrong numeric answer and the mistake that produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct WrongAnswer {
    pub value: f64,
    pub why: LocalizedText,
}

/// A learner's answer to an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// The index of the chosen option, as shown (0-based).
    Choice {
        option: usize,
    },
    Numeric {
        value: f64,
    },
    FreeText {
        text: String,
    },
}

/// The outcome of grading one objective answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// In [0, 1].
    pub score: f64,
    pub correct: bool,
    /// The correct answer, in both locales.
    pub correct_answer: LocalizedText,
    /// The likely cause of the error, when the answer matches a known mistake.
    pub error_cause: Option<LocalizedText>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    #[error("item `{item}` is a {expected} item, but the answer is of another kind")]
    WrongKind { item: String, expected: &'static str },
    #[error("item `{item}` has {count} options; option {option} does not exist")]
    NoSuchOption { item: String, option: usize, count: usize },
    #[error("the answer is not a finite number")]
    NotANumber,
    #[error("free-text answers are graded by the tutor, not here")]
    NeedsTutor,
}

impl Item {
    /// Grades a choice or numeric answer. Free text goes to the tutor.
    pub fn grade(&self, answer: &Answer) -> Result<Verdict, GradeError> {
        let wrong_kind = || GradeError::WrongKind { item: self.id.clone(), expected: self.body.kind() };
        match (&self.body, answer) {
            (ItemBody::Choice { options }, Answer::Choice { option }) => {
                let chosen = options.get(*option).ok_or_else(|| GradeError::NoSuchOption {
                    item: self.id.clone(),
                    option: *option,
                    count: options.len(),
                })?;
                let key = options.iter().find(|o| o.correct).map(|o| o.text.clone()).unwrap_or_default();
                Ok(Verdict {
                    score: if chosen.correct { 1.0 } else { 0.0 },
                    correct: chosen.correct,
                    correct_answer: key,
                    error_cause: if chosen.correct { None } else { chosen.why.clone() },
                })
            }
            (ItemBody::Numeric { answer: key, tolerance, unit, wrong_answers }, Answer::Numeric { value }) => {
                if !value.is_finite() {
                    return Err(GradeError::NotANumber);
                }
                let correct = (value - key).abs() <= *tolerance;
                let shown = format!("{key} {unit}");
                let cause = if correct {
                    None
                } else {
                    wrong_answers
                        .iter()
                        .find(|w| (value - w.value).abs() <= tolerance.max(f64::EPSILON))
                        .map(|w| w.why.clone())
                };
                Ok(Verdict {
                    score: if correct { 1.0 } else { 0.0 },
                    correct,
                    correct_answer: LocalizedText::new(shown.trim(), shown.trim()),
                    error_cause: cause,
                })
            }
            (ItemBody::FreeText { .. }, Answer::FreeText { .. }) => Err(GradeError::NeedsTutor),
            _ => Err(wrong_kind()),
        }
    }
}
