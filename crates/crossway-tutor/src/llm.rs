//! Rubric grading with an on-device model through llama.cpp (the only module that knows it).
//!
//! Method: for each rubric point, the model reads (system, question, reference answer, learner's
//! answer, rubric point) through its own chat template and we read a three-way verdict from its
//! next-token logits — "yes" (the answer states the point), "no" (it does not mention it) or
//! "wrong" (it says something that contradicts it) — a prefill, no sampling. The prompt prefix
//! shared by all points (and by every learner answering the same item) is decoded once and kept
//! in the KV cache; each point only decodes its own suffix. [`LlmGrader::warm`] decodes an item's
//! part of that prefix (system, question, reference) ahead of time, while the learner is still
//! typing. These raw probabilities are not verdicts yet: [`crate::verdict`] calibrates them per
//! model and language and combines them with the lexical evidence (docs/quality.md).
//! What the model writes (explanations, answers from passages) is in [`crate::write`].

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::token::LlamaToken;

/// Why the model cannot be used; each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    #[error("{path}: no such model file")]
    Missing { path: PathBuf },
    #[error(
        "{path}: not a GGUF model file (it does not start with the GGUF signature); import a llama.cpp `.gguf` file"
    )]
    NotGguf { path: PathBuf },
    #[error("{path}: the model could not be loaded ({detail}); the file may be truncated or damaged — fetch or import it again")]
    Load { path: PathBuf, detail: String },
    #[error(
        "this CPU lacks AVX2, which this build of the on-device model needs; grading falls back to the keyword check"
    )]
    NoAvx2,
    #[error("not enough free memory to load the model: {needed_mib} MiB needed, {available_mib} MiB available; close other programs and retry")]
    LowMemory { needed_mib: u64, available_mib: u64 },
    #[error("the model failed while grading: {0}")]
    Inference(String),
    #[error("the prompt is too long for the model's context ({tokens} tokens, limit {limit}); shorten the answer")]
    TooLong { tokens: usize, limit: u32 },
}

fn backend() -> Result<&'static LlamaBackend, LlmError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            LlamaBackend::init()
                .map(|mut b| {
                    b.void_logs();
                    b
                })
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LlmError::Inference(e.clone()))
}

/// Checks that need no loading: the file exists, is GGUF with a sound header, the CPU and the
/// memory suffice.
pub fn preflight(path: &Path) -> Result<u64, LlmError> {
    let meta = std::fs::metadata(path).map_err(|_| LlmError::Missing { path: path.into() })?;
    let mut magic = [0u8; 4];
    let ok = std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok();
    if !ok || &magic != b"GGUF" {
        return Err(LlmError::NotGguf { path: path.into() });
    }
    // Before llama.cpp parses it: some damage makes llama.cpp abort the process (crate::gguf).
    crate::gguf::check(path).map_err(|detail| LlmError::Load { path: path.into(), detail })?;
    #[cfg(target_arch = "x86_64")]
    if !std::arch::is_x86_feature_detected!("avx2") {
        return Err(LlmError::NoAvx2);
    }
    let needed_mib = needed_memory_mib(meta.len());
    if let Some(available_mib) = available_memory_mib() {
        if available_mib < needed_mib {
            return Err(LlmError::LowMemory { needed_mib, available_mib });
        }
    }
    Ok(meta.len())
}

/// Memory a model file needs loaded: the weights are memory-mapped; the context and compute
/// buffers need roughly 256 MiB more.
pub fn needed_memory_mib(file_bytes: u64) -> u64 {
    file_bytes / (1 << 20) + 256
}

/// `MemAvailable` from /proc/meminfo, if there is one.
pub fn available_memory_mib() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// A loaded model. Not shared between threads: one worker owns it (see `worker`).
pub struct LlmGrader {
    pub(crate) model: LlamaModel,
    threads: i32,
    yes: Vec<LlamaToken>,
    no: Vec<LlamaToken>,
    wrong: Vec<LlamaToken>,
    pub load_ms: u128,
}

/// One grading job.
#[derive(Debug, Clone)]
pub struct RubricPrompt<'a> {
    pub question: &'a str,
    pub reference: &'a str,
    pub answer: &'a str,
    pub rubric: &'a [&'a str],
    /// "en" or "zh-CN": the language of the instructions.
    pub lang: &'a str,
}

/// The model's reading of one rubric point: the probabilities of its three replies (they sum
/// to 1 over "yes", "no" and "wrong").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointReading {
    /// "yes": the answer states the point.
    pub met: f64,
    /// "wrong": the answer says something that contradicts the point.
    pub contra: f64,
}

impl PointReading {
    /// Readings from the two lists a verdict is stored as (a missing P("wrong") reads as 0:
    /// answers recorded before the three-way reading).
    pub fn zip(p_met: &[f64], p_contra: &[f64]) -> Vec<PointReading> {
        p_met
            .iter()
            .enumerate()
            .map(|(i, &met)| PointReading { met, contra: p_contra.get(i).copied().unwrap_or(0.0) })
            .collect()
    }
}

/// The model's raw verdicts, one reading per rubric point.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmVerdicts {
    /// P("yes") per point.
    pub p_met: Vec<f64>,
    /// P("wrong") per point.
    pub p_contra: Vec<f64>,
    pub prompt_tokens: usize,
    /// Tokens served from the prefix cache instead of being decoded again.
    pub cached_tokens: usize,
    pub ms: u128,
}

impl LlmGrader {
    pub fn load(path: &Path, threads: usize) -> Result<Self, LlmError> {
        preflight(path)?;
        let started = Instant::now();
        let model = LlamaModel::load_from_file(backend()?, path, &LlamaModelParams::default())
            .map_err(|e| LlmError::Load { path: path.into(), detail: e.to_string() })?;
        let first = |s: &str| -> Vec<LlamaToken> {
            model.vocab().tokenize(s.as_bytes(), false, false).into_iter().take(1).collect()
        };
        let mut yes = Vec::new();
        let mut no = Vec::new();
        for w in ["yes", "Yes", " yes", " Yes", "YES"] {
            yes.extend(first(w));
        }
        for w in ["no", "No", " no", " No", "NO"] {
            no.extend(first(w));
        }
        let mut wrong = Vec::new();
        for w in ["wrong", "Wrong", " wrong", " Wrong", "WRONG"] {
            wrong.extend(first(w));
        }
        for v in [&mut yes, &mut no, &mut wrong] {
            v.sort_by_key(|t| t.0);
            v.dedup();
        }
        let overlap = |a: &[LlamaToken], b: &[LlamaToken]| a.iter().any(|x| b.contains(x));
        if yes.is_empty()
            || no.is_empty()
            || wrong.is_empty()
            || overlap(&yes, &no)
            || overlap(&yes, &wrong)
            || overlap(&no, &wrong)
        {
            return Err(LlmError::Load {
                path: path.into(),
                detail: "its vocabulary has no distinct yes/no/wrong tokens".into(),
            });
        }
        Ok(Self { model, threads: threads.clamp(1, 64) as i32, yes, no, wrong, load_ms: started.elapsed().as_millis() })
    }

    /// A context for grading: room for a prompt and its sequences (the shared prefix in 0, up
    /// to [`PARALLEL_POINTS`] rubric points side by side in 1…; explanations use 1).
    pub fn new_context(&self) -> Result<LlamaContext<'_>, LlmError> {
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(2048))
            .with_n_batch(512)
            .with_n_seq_max(1 + PARALLEL_POINTS as u32)
            .with_kv_unified(true)
            .with_n_threads(self.threads)
            .with_n_threads_batch(self.threads);
        self.model.new_context(backend()?, params).map_err(|e| LlmError::Inference(e.to_string()))
    }

    fn prompt_for(&self, p: &RubricPrompt<'_>, point: &str) -> Result<String, LlmError> {
        // The instructions live in the system prompt, so that each point's own suffix (decoded
        // once per point, after the answer) is only the point and the template's end.
        let (system, labels) = if p.lang == "zh-CN" {
            (
                "你是严格的阅卷老师。每次只判断学生答案与一条评分要点的关系：答案明确写到了这条要点，回答 yes；答案没有提到它，回答 no；答案写的内容与这条要点相矛盾（说反了、付款方或数字错了），回答 wrong。只回答 yes、no 或 wrong 中的一个词。",
                ["问题", "参考答案", "学生的答案", "评分要点"],
            )
        } else {
            (
                "You are a strict grader. You judge one rubric point at a time. Reply yes if the learner's answer states the point, no if it does not mention it, and wrong if it says something that contradicts the point (the opposite, the wrong party, the wrong figure). Reply with only one word: yes, no or wrong.",
                ["Question", "Reference answer", "Learner's answer", "Rubric point"],
            )
        };
        let user = format!(
            "{}: {}\n{}: {}\n{}: {}\n{}: {}",
            labels[0], p.question, labels[1], p.reference, labels[2], p.answer, labels[3], point
        );
        let msgs = [
            LlamaChatMessage::new("system".into(), system.into()).map_err(|e| LlmError::Inference(e.to_string()))?,
            LlamaChatMessage::new("user".into(), user).map_err(|e| LlmError::Inference(e.to_string()))?,
        ];
        let tmpl = self.model.chat_template(None).map_err(|e| LlmError::Inference(format!("no chat template: {e}")))?;
        self.model.apply_chat_template(&tmpl, &msgs, true).map_err(|e| LlmError::Inference(e.to_string()))
    }

    /// Grades every rubric point. `cache` holds the tokens already in sequence 0 of `ctx` from an
    /// earlier call (the prefix cache); it is updated.
    pub fn grade(
        &self,
        ctx: &mut LlamaContext<'_>,
        cache: &mut Vec<LlamaToken>,
        p: &RubricPrompt<'_>,
        mut on_point: impl FnMut(usize, PointReading),
    ) -> Result<LlmVerdicts, LlmError> {
        self.grade_until(ctx, cache, p, |k, v| {
            on_point(k, v);
            true
        })
    }

    /// Like [`LlmGrader::grade`], but `on_point` may return `false` to stop after that point
    /// (cancellation, deadline); the verdicts then hold the points scored so far.
    pub fn grade_until(
        &self,
        ctx: &mut LlamaContext<'_>,
        cache: &mut Vec<LlamaToken>,
        p: &RubricPrompt<'_>,
        mut on_point: impl FnMut(usize, PointReading) -> bool,
    ) -> Result<LlmVerdicts, LlmError> {
        let started = Instant::now();
        let err = |e: &dyn std::fmt::Display| LlmError::Inference(e.to_string());
        let prompts: Vec<Vec<LlamaToken>> = p
            .rubric
            .iter()
            .map(|pt| self.prompt_for(p, pt).map(|s| self.model.vocab().tokenize(s.as_bytes(), false, true)))
            .collect::<Result<_, _>>()?;
        let Some(first) = prompts.first() else {
            return Ok(LlmVerdicts {
                p_met: Vec::new(),
                p_contra: Vec::new(),
                prompt_tokens: 0,
                cached_tokens: 0,
                ms: 0,
            });
        };
        let limit = ctx.n_ctx();
        if let Some(longest) = prompts.iter().map(Vec::len).max() {
            if longest + 1 >= limit as usize {
                return Err(LlmError::TooLong { tokens: longest, limit });
            }
        }
        // The prefix all points share; keep one token back so every point has a suffix to decode.
        let mut shared = first.len();
        for t in &prompts[1..] {
            shared = shared.min(common_prefix(first, t));
        }
        let shared = shared.min(prompts.iter().map(Vec::len).min().unwrap_or(0).saturating_sub(1));
        // Reuse what sequence 0 already holds (an earlier answer to this item, or `warm`).
        let reuse = self.fill_prefix(ctx, cache, &first[..shared])?;
        let mut batch = LlamaBatch::new(512, 1);
        let mut p_met = Vec::with_capacity(prompts.len());
        let mut p_contra = Vec::with_capacity(prompts.len());
        // The first point alone (its verdict reaches the window first), then the others side by
        // side: each in its own sequence copied from the prefix, all their suffixes in one batch
        // (one pass over the weights for several points instead of one each).
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        let mut start = 0;
        while start < prompts.len() {
            let mut end = start + 1;
            let mut tokens = prompts[start].len() - shared;
            if start > 0 {
                while end < prompts.len()
                    && end - start < PARALLEL_POINTS
                    && tokens + prompts[end].len() - shared <= 512
                {
                    tokens += prompts[end].len() - shared;
                    end += 1;
                }
            }
            groups.push(start..end);
            start = end;
        }
        'groups: for group in groups {
            let mut read: Vec<Option<PointReading>> = vec![None; group.len()];
            let mut batched: Vec<(usize, i32)> = Vec::new(); // (place in group, batch index of its last token)
            batch.clear();
            for (j, k) in group.clone().enumerate() {
                let seq = 1 + j as i32;
                ctx.clear_kv_cache_seq(Some(seq as u32), None, None).map_err(|e| err(&e))?;
                ctx.copy_kv_cache_seq(0, seq, None, None).map_err(|e| err(&e))?;
                let tokens = &prompts[k];
                let suffix = &tokens[shared..];
                if batch.n_tokens() as usize + suffix.len() > 512 {
                    // Too long to share the batch: decoded on its own, in chunks.
                    let mut own = LlamaBatch::new(512, 1);
                    let mut at = shared;
                    for chunk in suffix.chunks(512) {
                        own.clear();
                        for (i, &t) in chunk.iter().enumerate() {
                            own.add(t, (at + i) as i32, &[seq], at + i + 1 == tokens.len()).map_err(|e| err(&e))?;
                        }
                        ctx.decode(&mut own).map_err(|e| err(&e))?;
                        at += chunk.len();
                    }
                    read[j] =
                        Some(three_way(ctx.get_logits_ith(own.n_tokens() - 1), [&self.yes, &self.no, &self.wrong]));
                    continue;
                }
                for (i, &t) in suffix.iter().enumerate() {
                    batch.add(t, (shared + i) as i32, &[seq], i + 1 == suffix.len()).map_err(|e| err(&e))?;
                }
                batched.push((j, batch.n_tokens() - 1));
            }
            if !batched.is_empty() {
                ctx.decode(&mut batch).map_err(|e| err(&e))?;
                for (j, idx) in batched {
                    read[j] = Some(three_way(ctx.get_logits_ith(idx), [&self.yes, &self.no, &self.wrong]));
                }
            }
            for (j, k) in group.clone().enumerate() {
                ctx.clear_kv_cache_seq(Some(1 + j as u32), None, None).map_err(|e| err(&e))?;
                let reading = read[j].unwrap_or(PointReading { met: 1.0 / 3.0, contra: 1.0 / 3.0 });
                p_met.push(reading.met);
                p_contra.push(reading.contra);
                if !on_point(k, reading) {
                    for j2 in j + 1..group.len() {
                        ctx.clear_kv_cache_seq(Some(1 + j2 as u32), None, None).map_err(|e| err(&e))?;
                    }
                    break 'groups;
                }
            }
        }
        ctx.clear_kv_cache_seq(Some(1), None, None).map_err(|e| err(&e))?;
        Ok(LlmVerdicts {
            p_met,
            p_contra,
            prompt_tokens: prompts.iter().map(Vec::len).sum(),
            cached_tokens: reuse,
            ms: started.elapsed().as_millis(),
        })
    }
}

impl LlmGrader {
    /// Makes sequence 0 of `ctx` (whose tokens `cache` lists) hold exactly `tokens`, decoding
    /// only what it does not already share with them. Returns how many tokens were reused.
    fn fill_prefix(
        &self,
        ctx: &mut LlamaContext<'_>,
        cache: &mut Vec<LlamaToken>,
        tokens: &[LlamaToken],
    ) -> Result<usize, LlmError> {
        let err = |e: &dyn std::fmt::Display| LlmError::Inference(e.to_string());
        let reuse = common_prefix(cache, tokens);
        ctx.clear_kv_cache_seq(Some(0), Some(reuse as u32), None).map_err(|e| err(&e))?;
        cache.truncate(reuse);
        let mut batch = LlamaBatch::new(512, 1);
        let mut pos = reuse;
        while pos < tokens.len() {
            batch.clear();
            let end = (pos + 512).min(tokens.len());
            for (i, &t) in tokens[pos..end].iter().enumerate() {
                batch.add(t, (pos + i) as i32, &[0], false).map_err(|e| err(&e))?;
            }
            if let Err(e) = ctx.decode(&mut batch) {
                // Sequence 0 may now hold part of this batch: forget it rather than trust it.
                cache.clear();
                let _ = ctx.clear_kv_cache_seq(Some(0), None, None);
                return Err(err(&e));
            }
            cache.extend_from_slice(&tokens[pos..end]);
            pos = end;
        }
        Ok(reuse)
    }

    /// Prefills the part of an item's grading prompt that comes before the learner's answer (the
    /// system prompt, the question and the reference answer) into the prefix cache, so that
    /// grading an answer to this item afterwards decodes only the answer and the rubric points.
    /// `typed` is the answer as far as the learner has written it (may be empty): its tokens are
    /// decoded too, so that after "Check" only the last words and the rubric points are left.
    /// The app calls it when a free-text box gets focus and again when typing pauses.
    /// Returns the number of tokens decoded (0 when they were cached already).
    pub fn warm(
        &self,
        ctx: &mut LlamaContext<'_>,
        cache: &mut Vec<LlamaToken>,
        question: &str,
        reference: &str,
        typed: &str,
        lang: &str,
    ) -> Result<usize, LlmError> {
        // The tokens before the rest of the answer: what two prompts continuing `typed`
        // differently share (the last word may still change its tokens, so it is left out).
        let probe = |next: &str| -> Result<Vec<LlamaToken>, LlmError> {
            let answer = format!("{typed}{next}");
            let p = RubricPrompt { question, reference, answer: &answer, rubric: &[], lang };
            Ok(self.model.vocab().tokenize(self.prompt_for(&p, "")?.as_bytes(), false, true))
        };
        let (a, b) = (probe("x")?, probe("我")?);
        let n = common_prefix(&a, &b);
        if n + 1 >= ctx.n_ctx() as usize {
            return Err(LlmError::TooLong { tokens: n, limit: ctx.n_ctx() });
        }
        let reused = self.fill_prefix(ctx, cache, &a[..n])?;
        Ok(n - reused)
    }
}

/// How many rubric points are decoded side by side in one batch (after the first, which is
/// decoded alone so that its verdict comes first).
pub const PARALLEL_POINTS: usize = 6;

fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The probabilities of "yes", "no" and "wrong" among their tokens, from raw logits (a softmax
/// restricted to those tokens).
fn three_way(logits: &[f32], tokens: [&[LlamaToken]; 3]) -> PointReading {
    let get = |t: &LlamaToken| logits.get(t.0 as usize).copied().unwrap_or(f32::NEG_INFINITY) as f64;
    let max = tokens.iter().flat_map(|ts| ts.iter()).map(get).fold(f64::NEG_INFINITY, f64::max);
    let mass: Vec<f64> = tokens.iter().map(|ts| ts.iter().map(|t| (get(t) - max).exp()).sum::<f64>()).collect();
    let total: f64 = mass.iter().sum();
    if total > 0.0 && total.is_finite() {
        PointReading { met: mass[0] / total, contra: mass[2] / total }
    } else {
        PointReading { met: 1.0 / 3.0, contra: 1.0 / 3.0 }
    }
}
