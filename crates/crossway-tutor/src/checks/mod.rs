//! Checks on what the on-device model wrote before the learner sees it as settled: explanations
//! of what a free-text answer missed (F14, [`explanation`]) and answers to a learner's question
//! written from the pack's passages (issue #15, [`answer`]). Judgement about what a model said
//! lives here, beside the model; the app only shows the verdict.
//!
//! Measured (docs/quality.md, "Explanations (F14)"): the 0.5B default model keeps to the right
//! language and invents no numbers, but it often copies the reference answer, restates the missed
//! points, or — in Chinese — makes claims the pack does not hold. So every explanation is checked
//! here with the same measures the app's `examples/explain_eval.rs` reports, and one that fails is withheld
//! ([`Withheld`]); the learner then gets the pack's own words: for each missed rubric point, the
//! lesson sentence that shares the most content with it (the app's `lesson_notes`).
//!
//! The checks:
//! - **language**: zh-CN needs a share of CJK ideographs among letters + ideographs ≥ 0.5; en
//!   needs no CJK ideograph at all;
//! - **invented numbers**: numbers (digits with `.` `,`; list markers such as `1.` at a line start
//!   are not numbers) that occur in none of the sources the model was given (question, reference,
//!   answer, missed points, lesson excerpt);
//! - **unsupported**: share of the explanation's content words absent from all the sources — en:
//!   lowercased words of ≥ 4 letters minus [`text::EN_STOP`]; zh: character bigrams of CJK runs minus
//!   [`text::ZH_STOP`] (words that talk *about* the answer, not facts);
//! - **misstated answer**: a sentence about the learner's answer ([`claims::answer_claims`]: "It only
//!   mentions X", "Your answer does not mention X") that the answer contradicts: X mostly absent
//!   from the answer although it is said to be there, or mostly present although it is said to be
//!   missing ([`claims::misstated_claims`]);
//! - **contradiction**: a praise pattern ([`claims::EN_PRAISE`], [`claims::ZH_PRAISE`]; not after a negation such
//!   as "not"/"不") although rubric points were missed;
//! - **echo**: the longest substring shared with the reference, over the explanation's length
//!   (copying the reference is grounded, but it is not an explanation); **echo of the lesson**:
//!   the same against the lesson excerpt; **copied**: the share of the explanation's characters
//!   that lie in a run shared with the question, the reference or the lesson (≥ 12 characters in
//!   English, ≥ 6 in Chinese) — a patchwork of copied pieces, which a single longest run misses;
//!   **echo of the answer**: the longest run shared with the learner's answer (the model tends to
//!   present the answer itself as what is missing); **prompt labels**: the prompt's section
//!   labels ([`explanation::PROMPT_LABELS`]) repeated in the text;
//! - **echo of missed points**: the same against the missed rubric points;
//! - **missed recall**: share of the missed points' content units that the explanation uses;
//! - **cut off**: the text does not end with sentence punctuation (it ran into the token limit).
//!
//! Files: [`text`] (the measures the checks share: content units, numbers, sentences, copying),
//! [`claims`] (praise and claims about the learner's answer), [`explanation`] (the explanation's
//! checks and verdict), [`answer`] (the checks on an answer from passages).

pub mod answer;
pub mod claims;
pub mod explanation;
pub mod text;

pub use explanation::{check, judge, ExplanationCheck, ExplanationDto, Withheld};
pub use text::{content_units, copied_share, finished_sentences, is_cjk, longest_common, numbers, sentences};
