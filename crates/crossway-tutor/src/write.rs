//! What the model writes, streamed: the short explanation of what a free-text answer missed
//! ([`LlmGrader::explain`]) and the answer to a learner's question from the pack's passages
//! ([`LlmGrader::answer`]), both greedy and grounded in what the prompt holds only; the
//! learner sees either only after [`crate::checks`] passed it.

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaChatMessage;
use llama_cpp_2::token::LlamaToken;

use crate::llm::{LlmError, LlmGrader};

/// What the explanation of a free-text answer may draw on: the item, the answer, the rubric
/// points it missed and an excerpt of the lesson — nothing else, so the model has no reason to
/// bring in facts the pack does not hold.
#[derive(Debug, Clone)]
pub struct ExplainPrompt<'a> {
    pub question: &'a str,
    pub reference: &'a str,
    pub answer: &'a str,
    pub missed: &'a [&'a str],
    pub lesson: &'a str,
    pub lang: &'a str,
}

impl LlmGrader {
    /// The chat prompt and the start of the reply it is completed from (`explain` hands that
    /// start over as the first piece). Measured in docs/quality.md (F14): in English the missed
    /// points come last, right before the request, and the reply is started for the model ("Your
    /// answer does not mention"), which keeps it on the missed points, short and away from praise.
    fn explain_prompt(&self, p: &ExplainPrompt<'_>) -> Result<(String, &'static str), LlmError> {
        let missed = p.missed.iter().map(|m| format!("- {m}")).collect::<Vec<_>>().join("\n");
        let (system, user, start) = if p.lang == "zh-CN" {
            // The Chinese variant of the English prompt below (reply started with "你的答案没有提到")
            // measured worse on unsupported content (F14), so Chinese keeps the first prompt.
            (
                "你是耐心的跨境电商辅导老师。只根据下面给出的课程摘录、参考答案和未达到的评分要点，用中文写两三句话，告诉学生答案缺了什么、为什么重要。不要引入材料以外的事实、数字或政策。",
                format!(
                    "课程摘录：{}\n问题：{}\n参考答案：{}\n学生的答案：{}\n未达到的评分要点：\n{}\n请用中文简要说明。",
                    p.lesson, p.question, p.reference, p.answer, missed
                ),
                "",
            )
        } else {
            (
                "You are a cross-border e-commerce tutor who tells a learner what their answer left out. Use only facts from the lesson excerpt and the reference answer; never add other facts, numbers or rules. Do not praise the answer. Write in English, at most two sentences.",
                format!(
                    "Lesson excerpt:\n{}\n\nQuestion: {}\nReference answer: {}\nLearner's answer: {}\n\nThe learner's answer misses these rubric points:\n{}\n\nIn at most two sentences, tell the learner which point their answer leaves out and, using the lesson excerpt, why it matters.",
                    p.lesson, p.question, p.reference, p.answer, missed
                ),
                "Your answer does not mention",
            )
        };
        let prompt = self.chat_prompt(system, user)?;
        Ok((prompt, start))
    }
}

/// What an answer to a learner's question may draw on: the question and the passages shown to
/// the learner (in the question's language).
#[derive(Debug, Clone)]
pub struct AnswerPrompt<'a> {
    pub question: &'a str,
    pub passages: &'a [&'a str],
    pub lang: &'a str,
}

impl LlmGrader {
    /// Writes a short explanation (greedy decoding, at most `max_tokens`), handing each piece of
    /// text to `on_piece` as soon as it is whole UTF-8; `on_piece` returns false to stop. Uses
    /// sequence 1 of `ctx` and leaves the prefix cache in sequence 0 untouched.
    pub fn explain(
        &self,
        ctx: &mut LlamaContext<'_>,
        p: &ExplainPrompt<'_>,
        max_tokens: usize,
        on_piece: impl FnMut(&str) -> bool,
    ) -> Result<String, LlmError> {
        let (prompt, start) = self.explain_prompt(p)?;
        self.generate(ctx, &prompt, start, max_tokens, on_piece)
    }

    /// Writes a short answer to a learner's question from the pack's passages only (greedy,
    /// streamed like [`LlmGrader::explain`], sequence 1).
    pub fn answer(
        &self,
        ctx: &mut LlamaContext<'_>,
        p: &AnswerPrompt<'_>,
        max_tokens: usize,
        on_piece: impl FnMut(&str) -> bool,
    ) -> Result<String, LlmError> {
        let prompt = self.answer_prompt(p)?;
        self.generate(ctx, &prompt, "", max_tokens, on_piece)
    }

    pub(crate) fn chat_prompt(&self, system: &str, user: String) -> Result<String, LlmError> {
        let msgs = [
            LlamaChatMessage::new("system".into(), system.into()).map_err(|e| LlmError::Inference(e.to_string()))?,
            LlamaChatMessage::new("user".into(), user).map_err(|e| LlmError::Inference(e.to_string()))?,
        ];
        let tmpl = self.model.chat_template(None).map_err(|e| LlmError::Inference(format!("no chat template: {e}")))?;
        self.model.apply_chat_template(&tmpl, &msgs, true).map_err(|e| LlmError::Inference(e.to_string()))
    }

    /// The answer prompt: the passages numbered, then the question; the instructions say to use
    /// the passages only and to say so when they do not answer it. Its section labels are
    /// [`crate::checks::answer::ANSWER_PROMPT_LABELS`] (a change here must update them).
    fn answer_prompt(&self, p: &AnswerPrompt<'_>) -> Result<String, LlmError> {
        let numbered =
            p.passages.iter().enumerate().map(|(i, t)| format!("[{}] {t}", i + 1)).collect::<Vec<_>>().join("\n\n");
        let (system, user) = if p.lang == "zh-CN" {
            (
                "你是跨境电商课程的助教。只根据给出的课程段落回答学生的问题，不要加入段落以外的事实、数字、平台规则或政策。用中文回答，最多三句话。",
                format!("课程段落：\n{numbered}\n\n学生的问题：{}\n请只根据上面的段落，用中文简要回答。", p.question),
            )
        } else {
            (
                "You are a teaching assistant for a cross-border e-commerce course. Answer the learner's question using only the course passages given; never add facts, numbers, platform rules or policies that are not in them. Write in English, at most three sentences.",
                format!(
                    "Course passages:\n{numbered}\n\nLearner's question: {}\nAnswer briefly in English, using only the passages above.",
                    p.question
                ),
            )
        };
        self.chat_prompt(system, user)
    }

    /// Greedy decoding of `prompt` + `start` (the reply's start, handed over as the first piece)
    /// in sequence 1 of `ctx`, at most `max_tokens`; `on_piece` gets each whole UTF-8 piece and
    /// returns false to stop.
    fn generate(
        &self,
        ctx: &mut LlamaContext<'_>,
        prompt: &str,
        start: &str,
        max_tokens: usize,
        mut on_piece: impl FnMut(&str) -> bool,
    ) -> Result<String, LlmError> {
        let err = |e: &dyn std::fmt::Display| LlmError::Inference(e.to_string());
        let prompt = self.model.vocab().tokenize(format!("{prompt}{start}").as_bytes(), false, true);
        let limit = ctx.n_ctx() as usize;
        if prompt.len() + max_tokens + 1 >= limit {
            return Err(LlmError::TooLong { tokens: prompt.len() + max_tokens, limit: limit as u32 });
        }
        ctx.clear_kv_cache_seq(Some(1), None, None).map_err(|e| err(&e))?;
        let mut batch = LlamaBatch::new(512, 1);
        let mut pos = 0usize;
        for chunk in prompt.chunks(512) {
            batch.clear();
            for (i, &t) in chunk.iter().enumerate() {
                batch.add(t, (pos + i) as i32, &[1], pos + i + 1 == prompt.len()).map_err(|e| err(&e))?;
            }
            ctx.decode(&mut batch).map_err(|e| err(&e))?;
            pos += chunk.len();
        }
        // The reply's start (if any) was part of the prompt: it is the first piece.
        let (mut text, mut pending) = (start.to_string(), Vec::<u8>::new());
        let budget = if start.is_empty() || on_piece(start) { max_tokens } else { 0 };
        for _ in 0..budget {
            let logits = ctx.get_logits_ith(batch.n_tokens() - 1);
            let next = logits
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| LlamaToken(i as i32))
                .ok_or_else(|| LlmError::Inference("no logits".into()))?;
            if self.model.vocab().is_eog(next) {
                break;
            }
            pending.extend(self.model.vocab().token_to_piece(next, false, None));
            // Hand over the longest valid UTF-8 prefix; keep a split character for the next token.
            let valid = match std::str::from_utf8(&pending) {
                Ok(s) => s.len(),
                Err(e) => e.valid_up_to(),
            };
            if valid > 0 {
                let piece = String::from_utf8_lossy(&pending[..valid]).into_owned();
                pending.drain(..valid);
                text.push_str(&piece);
                if !on_piece(&piece) {
                    break;
                }
            }
            batch.clear();
            batch.add(next, pos as i32, &[1], true).map_err(|e| err(&e))?;
            ctx.decode(&mut batch).map_err(|e| err(&e))?;
            pos += 1;
        }
        ctx.clear_kv_cache_seq(Some(1), None, None).map_err(|e| err(&e))?;
        Ok(text.trim().to_string())
    }
}
