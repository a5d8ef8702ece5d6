//! Sentence embeddings from the on-device model through llama.cpp, for the embedding experiment in
//! docs/quality.md ("llama.cpp embeddings as features"; driven by `scripts/eval_embeddings.py`).
//!
//! ```text
//! cargo run --release -p crossway-tutor --example embed_dump -- --in IN.jsonl --out OUT.jsonl \
//!     [--model FILE] [--threads 1] [--pooling mean|last|both] [--max-tokens 256] [--batch-tokens 1024] [--seqs 32]
//! ```
//!
//! IN has one JSON object per line, `{"id": "...", "text": "..."}` (other keys are ignored; `id`
//! may be a string or a number). OUT gets `{"id": "...", "emb": [...]}` per line, in input order:
//! the L2-normalised embedding, rounded to 5 decimals. The model defaults to the app's default
//! model, `models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf`.
//!
//! Pooling (over the final, normed hidden states of the text's tokens; the text is tokenized as-is,
//! with the vocabulary's BOS if it adds one, no chat template):
//! - `mean` (default): llama.cpp's `LLAMA_POOLING_TYPE_MEAN`, read with `embeddings_seq_ith`;
//! - `last`: `LLAMA_POOLING_TYPE_LAST` (the last token's state, what a causal model has seen whole);
//! - `both`: one decode without pooling, every token's state read with `embeddings_ith`, mean and
//!   last computed here; OUT then has `emb` (mean) and `emb_last`.
//!
//! Several texts go into one decode as separate sequences (up to `--seqs` texts and `--batch-tokens`
//! tokens; `--seqs 1` measures the latency of one text alone); a text longer than `--max-tokens`
//! tokens is cut. The time per text is printed to stderr.

use std::io::Write;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Instant;

use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pooling {
    Mean,
    Last,
    Both,
}

struct Args {
    model: PathBuf,
    threads: i32,
    input: PathBuf,
    output: PathBuf,
    pooling: Pooling,
    max_tokens: usize,
    batch_tokens: usize,
    seqs: usize,
}

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("embed_dump: {msg}");
    std::process::exit(1)
}

fn parse_args() -> Args {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        model: root.join("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        threads: 1,
        input: PathBuf::new(),
        output: PathBuf::new(),
        pooling: Pooling::Mean,
        max_tokens: 256,
        batch_tokens: 1024,
        seqs: 32,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_else(|| die(format!("{flag} needs a value")));
        let number = |v: String| v.parse::<usize>().unwrap_or_else(|_| die(format!("{flag}: not a number: {v}")));
        match flag.as_str() {
            "--model" => a.model = value().into(),
            "--threads" => a.threads = number(value()).clamp(1, 64) as i32,
            "--in" => a.input = value().into(),
            "--out" => a.output = value().into(),
            "--max-tokens" => a.max_tokens = number(value()).max(1),
            "--batch-tokens" => a.batch_tokens = number(value()).max(16),
            "--seqs" => a.seqs = number(value()).clamp(1, 256),
            "--pooling" => {
                a.pooling = match value().as_str() {
                    "mean" => Pooling::Mean,
                    "last" => Pooling::Last,
                    "both" => Pooling::Both,
                    other => die(format!("--pooling: mean, last or both, not {other}")),
                }
            }
            _ => die(format!(
                "unknown argument {flag}\nusage: embed_dump --in IN.jsonl --out OUT.jsonl [--model FILE] [--threads 1] \
                 [--pooling mean|last|both] [--max-tokens 256] [--batch-tokens 1024] [--seqs 32]"
            )),
        }
    }
    if a.input.as_os_str().is_empty() || a.output.as_os_str().is_empty() {
        die("--in and --out are required");
    }
    a.batch_tokens = a.batch_tokens.max(a.max_tokens);
    a
}

fn main() {
    let a = parse_args();
    let text = std::fs::read_to_string(&a.input).unwrap_or_else(|e| die(format!("{}: {e}", a.input.display())));
    let items: Vec<(String, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let obj: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| die(format!("{}:{}: {e}", a.input.display(), n + 1)));
            // A string as it is, any other value (a number id) as its JSON text.
            let get = |k: &str| {
                obj.get(k).map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            };
            let id = get("id").unwrap_or_else(|| die(format!("{}:{}: no \"id\"", a.input.display(), n + 1)));
            let text = get("text").unwrap_or_else(|| die(format!("{}:{}: no \"text\"", a.input.display(), n + 1)));
            (id, text)
        })
        .collect();

    let mut backend = LlamaBackend::init().unwrap_or_else(|e| die(e));
    backend.void_logs();
    let started = Instant::now();
    let model = LlamaModel::load_from_file(&backend, &a.model, &LlamaModelParams::default())
        .unwrap_or_else(|e| die(format!("{}: {e}", a.model.display())));
    let load_ms = started.elapsed().as_millis();
    let n_ctx = u32::try_from(a.batch_tokens).unwrap_or(4096);
    let params = LlamaContextParams::default()
        .with_embeddings(true)
        .with_pooling_type(match a.pooling {
            Pooling::Mean => LlamaPoolingType::Mean,
            Pooling::Last => LlamaPoolingType::Last,
            Pooling::Both => LlamaPoolingType::None,
        })
        .with_n_ctx(NonZeroU32::new(n_ctx))
        .with_n_batch(n_ctx)
        .with_n_ubatch(n_ctx)
        .with_n_seq_max(a.seqs as u32)
        .with_kv_unified(true)
        .with_n_threads(a.threads)
        .with_n_threads_batch(a.threads);
    let mut ctx = model.new_context(&backend, params).unwrap_or_else(|e| die(format!("context: {e}")));

    let vocab = model.vocab();
    let tokens: Vec<Vec<LlamaToken>> = items
        .iter()
        .map(|(_, t)| {
            let mut tok = vocab.tokenize(t.as_bytes(), true, false);
            if tok.is_empty() {
                tok = vocab.tokenize(b" ", true, false);
            }
            tok.truncate(a.max_tokens);
            tok
        })
        .collect();
    let n_tokens: usize = tokens.iter().map(Vec::len).sum();

    let file = std::fs::File::create(&a.output).unwrap_or_else(|e| die(format!("{}: {e}", a.output.display())));
    let mut out = std::io::BufWriter::new(file);
    let started = Instant::now();
    let mut batch = LlamaBatch::new(a.batch_tokens, a.seqs as i32);
    let mut i = 0;
    while i < items.len() {
        // The next group of texts that fits one decode.
        let mut j = i;
        let mut used = 0;
        while j < items.len() && j - i < a.seqs && used + tokens[j].len() <= a.batch_tokens {
            used += tokens[j].len();
            j += 1;
        }
        batch.clear();
        for (seq, tok) in tokens[i..j].iter().enumerate() {
            // Every token is an output: pooling reads them all (and `both` reads each one).
            batch.add_sequence(tok, seq as i32, true).unwrap_or_else(|e| die(format!("batch: {e}")));
        }
        ctx.clear_kv_cache();
        ctx.decode(&mut batch).unwrap_or_else(|e| die(format!("decode: {e}")));
        let mut first = 0i32;
        for (seq, k) in (i..j).enumerate() {
            let n = tokens[k].len() as i32;
            let (emb, last) = embeddings(&ctx, a.pooling, seq as i32, first, n);
            first += n;
            let id = &items[k].0;
            let mut line = format!("{{\"id\":{},\"emb\":{}", serde_json::Value::from(id.as_str()), vector(&emb));
            if let Some(last) = last {
                line.push_str(&format!(",\"emb_last\":{}", vector(&last)));
            }
            line.push_str("}\n");
            out.write_all(line.as_bytes()).unwrap_or_else(|e| die(format!("{}: {e}", a.output.display())));
        }
        i = j;
    }
    out.flush().unwrap_or_else(|e| die(format!("{}: {e}", a.output.display())));
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "embedded {} texts ({n_tokens} tokens) in {secs:.1} s: {:.1} ms per text, {:.0} tokens/s; {} threads, \
         model loaded in {load_ms} ms{}",
        items.len(),
        secs * 1e3 / items.len().max(1) as f64,
        n_tokens as f64 / secs.max(1e-9),
        a.threads,
        if cfg!(debug_assertions) { ", debug build" } else { "" }
    );
}

/// The (pooled, L2-normalised) embedding of sequence `seq`, whose tokens sit at batch positions
/// `first..first + n`; with `Pooling::Both` also the last token's.
fn embeddings(ctx: &LlamaContext<'_>, pooling: Pooling, seq: i32, first: i32, n: i32) -> (Vec<f32>, Option<Vec<f32>>) {
    if pooling != Pooling::Both {
        let e = ctx.embeddings_seq_ith(seq).unwrap_or_else(|e| die(format!("embeddings of sequence {seq}: {e}")));
        return (normalised(e.to_vec()), None);
    }
    let token = |i: i32| ctx.embeddings_ith(i).unwrap_or_else(|e| die(format!("embeddings of token {i}: {e}")));
    let mut mean = vec![0.0f32; token(first).len()];
    for i in first..first + n {
        for (m, v) in mean.iter_mut().zip(token(i)) {
            *m += v;
        }
    }
    for m in &mut mean {
        *m /= n as f32;
    }
    (normalised(mean), Some(normalised(token(first + n - 1).to_vec())))
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>().sqrt() as f32;
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

fn vector(v: &[f32]) -> String {
    let cells: Vec<String> = v
        .iter()
        .map(|x| {
            let s = format!("{x:.5}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s.is_empty() || s == "-" || s == "-0" {
                "0".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    format!("[{}]", cells.join(","))
}
