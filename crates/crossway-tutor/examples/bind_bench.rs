//! Prompt-processing (pp512) and token-generation (tg128) speed through the `llama-cpp-2`
//! binding, measured the way llama.cpp's own `llama-bench` measures them, and printed in the same
//! markdown table, so the two can be compared line by line (`scripts/llama_bench.sh` builds and
//! runs `llama-bench` from the same llama.cpp sources with the same build options).
//!
//! ```text
//! cargo run --release -p crossway-tutor --example bind_bench -- [--model FILE] [--threads 2] [--reps 3]
//! ```
//!
//! The model defaults to `models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf` of the workspace
//! (`cargo xtask fetch-model default`). Compare with `scripts/llama_bench.sh --threads 2 --reps 3`,
//! i.e. `llama-bench -m MODEL -t 2 -p 512 -n 128 -r 3 -o md`. Run both on an idle machine: on
//! 2 cores any other load dominates the result.
//!
//! What is measured, as in `llama-bench` (tools/llama-bench/llama-bench.cpp, llama.cpp b11434):
//! - Each test gets its own context, created from the same loaded model, with
//!   `n_ctx = n_prompt + n_gen` (512 for pp512, 128 for tg128).
//! - Warm-up, untimed: pp runs the whole 512-token prompt once, tg decodes one token.
//! - Each repetition starts from an empty KV cache (cleared before the timer starts).
//! - pp512: one `decode` of a batch of 512 random tokens at positions 0..511 (the first is BOS
//!   when the vocabulary adds one), logits for the last token only, then `synchronize`. With
//!   `n_batch` 2048 llama.cpp clamps the batch to `n_ctx` = 512, so this is one batch and one
//!   512-token micro-batch.
//! - tg128: 128 single-token decodes at positions 0..127 (generation starts from an empty
//!   context), each with logits and followed by `synchronize`; the tokens are random (no
//!   sampling, like `llama-bench`).
//! - tokens/s of each repetition = tokens / wall time; shown as mean ± sample standard deviation.
//!
//! Settings, equal to `llama-bench`'s defaults:
//! - model: `LlamaModelParams::default()` = `llama_model_default_params()`: load mode auto (mmap),
//!   no mlock, CPU weight repacking on (`use_extra_bufts`, llama-bench `-rpk 1`), all layers on
//!   the (only) CPU device;
//! - context: `n_batch` 2048, `n_ubatch` 512, KV cache f16/f16, flash attention auto, `offload_kqv`
//!   and `op_offload` on, `swa_full` off, no embeddings, one sequence;
//! - threads: `n_threads` = `n_threads_batch` = `--threads`; NUMA off; normal priority.
//!
//! One difference the binding cannot remove: `llama-bench` creates a ggml thread pool (poll 50)
//! and attaches it to the context; `llama-cpp-2` 0.1.160 has no call for that, so ggml makes a
//! short-lived pool (same parameters) for each graph it computes. That cost is part of what the
//! binding costs, and is what this comparison measures. The model column comes from GGUF
//! metadata (architecture, size label, file type), so its wording may differ from llama-bench's.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

const N_PROMPT: usize = 512;
const N_GEN: usize = 128;
/// `llama-bench` defaults.
const N_BATCH: u32 = 2048;
const N_UBATCH: u32 = 512;

struct Args {
    model: PathBuf,
    threads: i32,
    reps: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        model: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        threads: 2,
        reps: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--model" | "-m" => args.model = PathBuf::from(value()?),
            "--threads" | "-t" => {
                args.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?;
            }
            "--reps" | "-r" => args.reps = value()?.parse().map_err(|e| format!("--reps: {e}"))?,
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if args.threads < 1 || args.reps < 1 {
        return Err("--threads and --reps must be at least 1".into());
    }
    Ok(args)
}

/// Random token ids, like `llama-bench`'s `std::rand() % n_vocab` (xorshift64*, fixed seed).
struct Tokens {
    state: u64,
    n_vocab: u64,
}

impl Tokens {
    fn next(&mut self) -> LlamaToken {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let r = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33;
        LlamaToken(i32::try_from(r % self.n_vocab).unwrap_or(0))
    }
}

/// The first token of a sequence: BOS when the vocabulary adds one, else random.
fn first_token(model: &LlamaModel, tokens: &mut Tokens) -> LlamaToken {
    let vocab = model.vocab();
    if vocab.should_add_bos() {
        vocab.bos()
    } else {
        tokens.next()
    }
}

/// `test_prompt`: one batch of `n` tokens from position 0, logits for the last one only.
fn test_prompt(
    model: &LlamaModel,
    ctx: &mut LlamaContext<'_>,
    batch: &mut LlamaBatch,
    tokens: &mut Tokens,
    n: usize,
) -> Result<(), String> {
    batch.clear();
    for i in 0..n {
        let t = if i == 0 { first_token(model, tokens) } else { tokens.next() };
        batch.add(t, i as i32, &[0], i + 1 == n).map_err(|e| e.to_string())?;
    }
    ctx.decode(batch).map_err(|e| format!("prompt decode: {e}"))?;
    ctx.synchronize();
    Ok(())
}

/// `test_gen`: `n` single-token decodes from position 0, each waited for.
fn test_gen(
    model: &LlamaModel,
    ctx: &mut LlamaContext<'_>,
    batch: &mut LlamaBatch,
    tokens: &mut Tokens,
    n: usize,
) -> Result<(), String> {
    let mut t = first_token(model, tokens);
    for pos in 0..n {
        batch.clear();
        batch.add(t, pos as i32, &[0], true).map_err(|e| e.to_string())?;
        ctx.decode(batch).map_err(|e| format!("generation decode: {e}"))?;
        ctx.synchronize();
        t = tokens.next();
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Test {
    Prompt(usize),
    Gen(usize),
}

impl Test {
    fn tokens(self) -> usize {
        match self {
            Test::Prompt(n) | Test::Gen(n) => n,
        }
    }

    fn name(self) -> String {
        match self {
            Test::Prompt(n) => format!("pp{n}"),
            Test::Gen(n) => format!("tg{n}"),
        }
    }
}

/// Runs one test: a fresh context, one warm-up, then `reps` timed repetitions. Returns the
/// tokens/s of each repetition.
fn run_test(backend: &LlamaBackend, model: &LlamaModel, args: &Args, test: Test) -> Result<Vec<f64>, String> {
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(test.tokens() as u32))
        .with_n_batch(N_BATCH)
        .with_n_ubatch(N_UBATCH)
        .with_n_seq_max(1)
        .with_swa_full(false)
        .with_embeddings(false)
        .with_offload_kqv(true)
        .with_op_offload(true)
        .with_n_threads(args.threads)
        .with_n_threads_batch(args.threads);
    let mut ctx = model.new_context(backend, params).map_err(|e| format!("context: {e}"))?;
    let mut batch = LlamaBatch::new(test.tokens(), 1);
    let mut tokens = Tokens { state: 0x9E37_79B9_7F4A_7C15, n_vocab: model.n_vocab().max(1) as u64 };
    let mut once = |ctx: &mut LlamaContext<'_>, n: usize| match test {
        Test::Prompt(_) => test_prompt(model, ctx, &mut batch, &mut tokens, n),
        Test::Gen(_) => test_gen(model, ctx, &mut batch, &mut tokens, n),
    };
    // Warm-up, as llama-bench: the whole prompt, or a single generated token.
    ctx.clear_kv_cache();
    once(&mut ctx, if matches!(test, Test::Prompt(_)) { test.tokens() } else { 1 })?;
    let mut samples = Vec::with_capacity(args.reps);
    for _ in 0..args.reps {
        ctx.clear_kv_cache();
        let started = Instant::now();
        once(&mut ctx, test.tokens())?;
        samples.push(test.tokens() as f64 / started.elapsed().as_secs_f64());
    }
    Ok(samples)
}

/// Mean and sample standard deviation, as llama-bench computes them.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// `llama_model_ftype_name` for the common file types.
fn ftype_name(ftype: &str) -> String {
    let name = match ftype.trim() {
        "0" => "all F32",
        "1" => "F16",
        "2" => "Q4_0",
        "3" => "Q4_1",
        "7" => "Q8_0",
        "8" => "Q5_0",
        "9" => "Q5_1",
        "10" => "Q2_K - Medium",
        "11" => "Q3_K - Small",
        "12" => "Q3_K - Medium",
        "13" => "Q3_K - Large",
        "14" => "Q4_K - Small",
        "15" => "Q4_K - Medium",
        "16" => "Q5_K - Small",
        "17" => "Q5_K - Medium",
        "18" => "Q6_K",
        "32" => "BF16",
        other => return format!("ftype {other}"),
    };
    name.to_string()
}

fn model_desc(model: &LlamaModel) -> String {
    let meta = |k: &str| model.meta_val_str(k).ok();
    [meta("general.architecture"), meta("general.size_label"), meta("general.file_type").map(|f| ftype_name(&f))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bind_bench: {e}\nusage: bind_bench [--model FILE] [--threads 2] [--reps 3]");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bind_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if !args.model.is_file() {
        return Err(format!(
            "{}: no such model file (fetch it: cargo xtask fetch-model default)",
            args.model.display()
        ));
    }
    let mut backend = LlamaBackend::init().map_err(|e| e.to_string())?;
    backend.void_logs();
    let mparams = LlamaModelParams::default();
    let model = LlamaModel::load_from_file(&backend, &args.model, &mparams).map_err(|e| format!("load: {e}"))?;

    // The settings in force, read back from the parameter structs (stderr, so stdout is the table).
    let c = LlamaContextParams::default().with_n_batch(N_BATCH).with_n_ubatch(N_UBATCH).with_swa_full(false);
    eprintln!(
        "bind_bench: {} | mmap {} | n_batch {} | n_ubatch {} | type_k {:?} | type_v {:?} | flash_attn {} | \
         offload_kqv {} | swa_full {} | threads {} | reps {} (+1 warm-up)",
        args.model.canonicalize().unwrap_or_else(|_| args.model.clone()).display(),
        mparams.use_mmap(),
        c.n_batch(),
        c.n_ubatch(),
        c.type_k(),
        c.type_v(),
        match c.flash_attention_policy() {
            -1 => "auto".to_string(),
            0 => "off".to_string(),
            1 => "on".to_string(),
            x => x.to_string(),
        },
        c.offload_kqv(),
        c.swa_full(),
        args.threads,
        args.reps,
    );

    let size = model.size() as f64;
    let size = if size < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} MiB", size / 1024.0 / 1024.0)
    } else {
        format!("{:.2} GiB", size / 1024.0 / 1024.0 / 1024.0)
    };
    let n_params = model.n_params() as f64;
    let params = if n_params < 1e9 { format!("{:.2} M", n_params / 1e6) } else { format!("{:.2} B", n_params / 1e9) };

    // The same columns and widths as llama-bench's markdown printer.
    println!(
        "| {:<30} | {:>10} | {:>10} | {:<10} | {:>7} | {:>15} | {:>20} |",
        "model", "size", "params", "backend", "threads", "test", "t/s"
    );
    println!(
        "| {}- | {}: | {}: | {}- | {}: | {}: | {}: |",
        "-".repeat(29),
        "-".repeat(9),
        "-".repeat(9),
        "-".repeat(9),
        "-".repeat(6),
        "-".repeat(14),
        "-".repeat(19)
    );
    let desc = model_desc(&model);
    let mut notes = Vec::new();
    for test in [Test::Prompt(N_PROMPT), Test::Gen(N_GEN)] {
        let samples = run_test(&backend, &model, args, test)?;
        let (mean, sd) = mean_sd(&samples);
        println!(
            "| {:<30} | {:>10} | {:>10} | {:<10} | {:>7} | {:>15} | {:>20} |",
            desc,
            size,
            params,
            "CPU",
            args.threads,
            test.name(),
            format!("{mean:.2} ± {sd:.2}")
        );
        notes.push(format!(
            "bind_bench: {} samples t/s: {}",
            test.name(),
            samples.iter().map(|s| format!("{s:.2}")).collect::<Vec<_>>().join(", ")
        ));
    }
    println!("\nbuild: llama-cpp-2 0.1.160 / llama-cpp-sys-2 (llama.cpp vendored by the crate)");
    for note in notes {
        eprintln!("{note}");
    }
    Ok(())
}
