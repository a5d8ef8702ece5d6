//! The tutor's worker: one thread owns the model and its context (a llama.cpp context is not
//! `Send`), takes grading jobs from a channel and answers with events — each rubric point as soon
//! as it is scored, then the result. Jobs can be cancelled and carry a deadline; the prefix cache
//! lives as long as the worker, so a second learner answering the same item reuses it, and
//! [`Tutor::warm`] fills it for an item while the learner is still typing.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crate::llm::{LlmError, LlmGrader, LlmVerdicts, PointReading, RubricPrompt};
use crate::write::{AnswerPrompt, ExplainPrompt};

/// One grading job (owned strings: it crosses threads).
#[derive(Debug, Clone)]
pub struct GradeJob {
    pub question: String,
    pub reference: String,
    pub answer: String,
    pub rubric: Vec<String>,
    pub lang: String,
    /// Give up (between rubric points) after this instant.
    pub deadline: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GradeEvent {
    /// Rubric point `index` was read: the model's probabilities that the answer states it and
    /// that it contradicts it (raw: [`crate::verdict`] calibrates them).
    Point {
        index: usize,
        reading: PointReading,
    },
    Done(LlmVerdicts),
    Cancelled,
    TimedOut,
    Failed(LlmError),
}

/// What to explain about a free-text answer (owned strings: it crosses threads).
#[derive(Debug, Clone)]
pub struct ExplainJob {
    pub question: String,
    pub reference: String,
    pub answer: String,
    pub missed: Vec<String>,
    pub lesson: String,
    pub lang: String,
    pub max_tokens: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExplainEvent {
    /// The next piece of text, as soon as it is whole UTF-8.
    Piece(String),
    Done(String),
    Failed(LlmError),
}

/// What the model was given to answer a question (owned strings: it crosses threads).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerJob {
    pub question: String,
    /// The passages shown to the learner, best first (plain text, in the question's language).
    pub passages: Vec<String>,
    /// "en" or "zh-CN".
    pub lang: String,
    pub max_tokens: usize,
}

/// The item whose grading prefix to prefill (owned strings: it crosses threads).
#[derive(Debug, Clone)]
pub struct WarmJob {
    pub question: String,
    pub reference: String,
    /// The answer as typed so far (empty when the learner has not started).
    pub typed: String,
    pub lang: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WarmEvent {
    /// The prefix is in the cache; `tokens` were decoded for it (0: it was there already).
    Warmed {
        tokens: usize,
        ms: u128,
    },
    /// Skipped: a newer warm-up was queued before the worker got to this one (the learner moved
    /// on to another question).
    Superseded,
    Failed(LlmError),
}

enum Request {
    Grade {
        job: GradeJob,
        cancel: Arc<AtomicBool>,
        events: Sender<GradeEvent>,
    },
    Explain {
        job: ExplainJob,
        events: Sender<ExplainEvent>,
    },
    Describe {
        text: String,
        vocab: Box<crossway_content::Vocabulary>,
        events: Sender<Result<crate::describe::ModelReading, LlmError>>,
    },
    /// Written text streams as [`ExplainEvent`]s, like an explanation.
    Answer {
        job: AnswerJob,
        events: Sender<ExplainEvent>,
    },
    Warm {
        job: WarmJob,
        generation: u64,
        events: Sender<WarmEvent>,
    },
}

/// A handle on the worker thread. Dropping it stops the thread.
pub struct Tutor {
    requests: Option<Sender<Request>>,
    thread: Option<JoinHandle<()>>,
    /// The generation of the newest warm-up request; older ones still queued are skipped.
    warm_generation: Arc<AtomicU64>,
}

/// A running job: its events, and the switch that cancels it.
pub struct Job {
    pub events: Receiver<GradeEvent>,
    cancel: Arc<AtomicBool>,
}

impl Job {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

impl Tutor {
    /// Loads the model on a new thread; returns when it is loaded (or failed to load).
    pub fn start(model: PathBuf, threads: usize) -> Result<Tutor, LlmError> {
        let (req_tx, req_rx) = mpsc::channel::<Request>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), LlmError>>();
        let warm_generation = Arc::new(AtomicU64::new(0));
        let newest = warm_generation.clone();
        let thread = std::thread::Builder::new()
            .name("crossway-tutor".into())
            .spawn(move || run(model, threads, req_rx, ready_tx, newest))
            .map_err(|e| LlmError::Inference(format!("cannot start the tutor thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Tutor { requests: Some(req_tx), thread: Some(thread), warm_generation }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(LlmError::Inference("the tutor thread stopped while loading".into())),
        }
    }

    fn send(&self, request: Request) -> Result<(), LlmError> {
        let stopped = || LlmError::Inference("the tutor has stopped".into());
        self.requests.as_ref().ok_or_else(stopped)?.send(request).map_err(|_| stopped())
    }

    /// Queues an explanation; its pieces arrive on the returned receiver, then `Done`.
    pub fn explain(&self, job: ExplainJob) -> Result<Receiver<ExplainEvent>, LlmError> {
        let (events, rx) = mpsc::channel();
        self.send(Request::Explain { job, events })?;
        Ok(rx)
    }

    /// Reads a learner's self-description into a proposed profile of `vocab`'s ids (the model
    /// under the ids' grammar, [`crate::describe`]).
    pub fn describe(
        &self,
        text: String,
        vocab: crossway_content::Vocabulary,
    ) -> Result<Receiver<Result<crate::describe::ModelReading, LlmError>>, LlmError> {
        let (events, rx) = mpsc::channel();
        self.send(Request::Describe { text, vocab: Box::new(vocab), events })?;
        Ok(rx)
    }

    /// Writes the answer to a learner's question from the passages shown; the text streams in
    /// pieces, then `Done` (check it with [`crate::checks::answer::judge`] before it stays).
    pub fn answer(&self, job: AnswerJob) -> Result<Receiver<ExplainEvent>, LlmError> {
        let (events, rx) = mpsc::channel();
        self.send(Request::Answer { job, events })?;
        Ok(rx)
    }

    /// Queues a warm-up of an item's grading prefix (see [`crate::llm::LlmGrader::warm`]). Only
    /// the newest queued warm-up runs; the others answer `Superseded`. Grading jobs queued after
    /// it wait for it (they reuse what it decoded).
    pub fn warm(&self, job: WarmJob) -> Result<Receiver<WarmEvent>, LlmError> {
        let (events, rx) = mpsc::channel();
        let generation = self.warm_generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.send(Request::Warm { job, generation, events })?;
        Ok(rx)
    }

    /// Queues a job; its events arrive on the returned receiver.
    pub fn grade(&self, job: GradeJob) -> Result<Job, LlmError> {
        let (events, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        self.send(Request::Grade { job, cancel: cancel.clone(), events })?;
        Ok(Job { events: rx, cancel })
    }
}

impl Drop for Tutor {
    fn drop(&mut self) {
        self.requests.take(); // closes the channel: the thread ends after its current job
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    model: PathBuf,
    threads: usize,
    requests: Receiver<Request>,
    ready: Sender<Result<(), LlmError>>,
    warm_generation: Arc<AtomicU64>,
) {
    let grader = match LlmGrader::load(&model, threads) {
        Ok(g) => g,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let mut ctx = match grader.new_context() {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let mut cache = Vec::new();
    while let Ok(request) = requests.recv() {
        let (job, cancel, events) = match request {
            Request::Grade { job, cancel, events } => (job, cancel, events),
            Request::Warm { job, generation, events } => {
                if generation != warm_generation.load(Ordering::SeqCst) {
                    let _ = events.send(WarmEvent::Superseded);
                    continue;
                }
                let started = Instant::now();
                let result = grader.warm(&mut ctx, &mut cache, &job.question, &job.reference, &job.typed, &job.lang);
                let _ = events.send(match result {
                    Ok(tokens) => WarmEvent::Warmed { tokens, ms: started.elapsed().as_millis() },
                    Err(e) => WarmEvent::Failed(e),
                });
                continue;
            }
            Request::Describe { text, vocab, events } => {
                let _ = events.send(grader.describe(&mut ctx, &text, &vocab, true));
                continue;
            }
            Request::Answer { job, events } => {
                let passages: Vec<&str> = job.passages.iter().map(String::as_str).collect();
                let prompt = AnswerPrompt { question: &job.question, passages: &passages, lang: &job.lang };
                let result = grader.answer(&mut ctx, &prompt, job.max_tokens, |piece| {
                    events.send(ExplainEvent::Piece(piece.to_string())).is_ok()
                });
                let _ = events.send(match result {
                    Ok(text) => ExplainEvent::Done(text),
                    Err(e) => ExplainEvent::Failed(e),
                });
                continue;
            }
            Request::Explain { job, events } => {
                let missed: Vec<&str> = job.missed.iter().map(String::as_str).collect();
                let prompt = ExplainPrompt {
                    question: &job.question,
                    reference: &job.reference,
                    answer: &job.answer,
                    missed: &missed,
                    lesson: &job.lesson,
                    lang: &job.lang,
                };
                let result = grader.explain(&mut ctx, &prompt, job.max_tokens, |piece| {
                    events.send(ExplainEvent::Piece(piece.to_string())).is_ok()
                });
                let _ = events.send(match result {
                    Ok(text) => ExplainEvent::Done(text),
                    Err(e) => ExplainEvent::Failed(e),
                });
                continue;
            }
        };
        if cancel.load(Ordering::SeqCst) {
            let _ = events.send(GradeEvent::Cancelled);
            continue;
        }
        if job.deadline.is_some_and(|d| Instant::now() >= d) {
            let _ = events.send(GradeEvent::TimedOut);
            continue;
        }
        let rubric: Vec<&str> = job.rubric.iter().map(String::as_str).collect();
        let prompt = RubricPrompt {
            question: &job.question,
            reference: &job.reference,
            answer: &job.answer,
            rubric: &rubric,
            lang: &job.lang,
        };
        let mut stopped: Option<GradeEvent> = None;
        let result = grader.grade_until(&mut ctx, &mut cache, &prompt, |index, reading| {
            let _ = events.send(GradeEvent::Point { index, reading });
            if cancel.load(Ordering::SeqCst) {
                stopped = Some(GradeEvent::Cancelled);
            } else if job.deadline.is_some_and(|d| Instant::now() >= d) {
                stopped = Some(GradeEvent::TimedOut);
            }
            stopped.is_none()
        });
        let event = match (stopped, result) {
            (Some(stop), _) => stop,
            (None, Ok(v)) => GradeEvent::Done(v),
            (None, Err(e)) => GradeEvent::Failed(e),
        };
        let _ = events.send(event);
    }
}
