//! Measures "describe yourself" on the self-description set (issue #15, docs/quality.md
//! "Describe yourself").
//!
//! ```text
//! cargo run --release -p crossway-app --example describe_eval -- \
//!     [--model models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf] [--threads 2] [--free] [--misses]
//! ```
//! Per language and split, the share of descriptions whose field the reader got exactly right
//! (goal role; the sets of platforms, markets and claimed modules; weekly minutes) for the
//! keyword reader and — with `--model` — the model under the pack's grammar and the combination
//! the app ships (`crossway_app::describe::combine`). Also: ids proposed outside the pack (must
//! be 0), and the model's time per description (median, p90). `--misses` lists the train half's misses (the test half is for reporting). `--free` also decodes without the
//! grammar, to measure what it costs and what it prevents.

use std::path::{Path, PathBuf};

use crossway_tutor::describe::{by_keywords, Proposal};
use serde::Deserialize;

#[derive(Deserialize)]
struct Set {
    descriptions: Vec<Labelled>,
}

#[derive(Deserialize)]
struct Labelled {
    text: String,
    lang: String,
    goal_role: Option<String>,
    platforms: Vec<String>,
    markets: Vec<String>,
    claimed_modules: Vec<String>,
    weekly_minutes: Option<u32>,
    split: String,
}

const FIELDS: [&str; 5] = ["goal_role", "platforms", "markets", "claimed_modules", "weekly_minutes"];

fn right(p: &Proposal, l: &Labelled) -> [bool; 5] {
    let set = |v: &[String]| v.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    [
        p.goal_role == l.goal_role,
        set(&p.platforms) == set(&l.platforms),
        set(&p.markets) == set(&l.markets),
        set(&p.claimed_modules) == set(&l.claimed_modules),
        p.weekly_minutes == l.weekly_minutes,
    ]
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pack = crossway_content::load_pack(&root.join("content-packs/cbec-core"))
        .into_result()
        .map_err(|e| format!("{e:?}"))?;
    let vocab = &pack.vocabulary;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/describe/descriptions.toml");
    let set: Set =
        toml::from_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let misses = std::env::args().any(|a| a == "--misses");
    let free = std::env::args().any(|a| a == "--free");
    let model = arg("--model").map(PathBuf::from);
    let threads: usize = arg("--threads").map_or(Ok(2), |t| t.parse()).map_err(|e| format!("--threads: {e}"))?;
    let grader = match &model {
        Some(m) => Some(crossway_tutor::llm::LlmGrader::load(m, threads).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut ctx = match &grader {
        Some(g) => Some(g.new_context().map_err(|e| e.to_string())?),
        None => None,
    };
    // reader name → per description: (lang, split, right per field)
    let mut results: Vec<(&str, &str, &str, [bool; 5])> = Vec::new();
    let mut outside = 0usize;
    let (mut ms, mut free_ms, mut free_invalid, mut tokens) = (Vec::new(), Vec::new(), 0usize, Vec::new());
    for (n, l) in set.descriptions.iter().enumerate() {
        if n % 10 == 0 {
            eprintln!("{n} / {}", set.descriptions.len());
        }
        let (kw, _) = by_keywords(&l.text, vocab);
        results.push(("keywords", &l.lang, &l.split, right(&kw, l)));
        if misses && l.split == "train" && right(&kw, l).iter().any(|r| !r) {
            println!("keywords miss [{}] {}\n   got {:?}\n", l.lang, l.text, kw);
        }
        if let (Some(g), Some(ctx)) = (&grader, ctx.as_mut()) {
            let r = g.describe(ctx, &l.text, vocab, true).map_err(|e| e.to_string())?;
            ms.push(r.ms as u64);
            tokens.push(r.tokens as u64);
            let raw_ids: usize = serde_json::from_str::<serde_json::Value>(r.raw.trim())
                .map(|v| {
                    let ok = |field: &str, terms: &[crossway_content::Term]| {
                        v[field].as_array().map_or(0, |a| {
                            a.iter().filter(|x| !terms.iter().any(|t| Some(t.id.as_str()) == x.as_str())).count()
                        })
                    };
                    ok("platforms", &vocab.platforms)
                        + ok("markets", &vocab.markets)
                        + ok("claimed_modules", &vocab.modules)
                })
                .unwrap_or(0);
            outside += raw_ids;
            results.push(("model", &l.lang, &l.split, right(&r.proposal, l)));
            let c = crossway_app::describe::combine(&kw, &r.proposal);
            results.push(("combined (shipped)", &l.lang, &l.split, right(&c, l)));
            let m = crossway_app::describe::combine_model_first(&kw, &r.proposal);
            results.push(("combined, model's role first", &l.lang, &l.split, right(&m, l)));
            if misses && l.split == "train" && right(&c, l).iter().any(|r| !r) {
                println!("combined miss [{}] {}\n   model {}\n   got {:?}\n", l.lang, l.text, r.raw, c);
            }
            if free {
                let f = g.describe(ctx, &l.text, vocab, false).map_err(|e| e.to_string())?;
                free_ms.push(f.ms as u64);
                if serde_json::from_str::<serde_json::Value>(f.raw.trim()).is_err() {
                    free_invalid += 1;
                }
                results.push(("model, no grammar", &l.lang, &l.split, right(&f.proposal, l)));
            }
        }
    }
    println!("self-descriptions: {}", set.descriptions.len());
    println!("| reader | lang | split | n | {} | mean |", FIELDS.join(" | "));
    println!("|---|---|---|---|{}---|", "---|".repeat(FIELDS.len()));
    for reader in ["keywords", "model", "model, no grammar", "combined (shipped)", "combined, model's role first"] {
        for lang in ["en", "zh-CN"] {
            for split in ["train", "test"] {
                let rows: Vec<&[bool; 5]> =
                    results.iter().filter(|r| r.0 == reader && r.1 == lang && r.2 == split).map(|r| &r.3).collect();
                if rows.is_empty() {
                    continue;
                }
                let acc: Vec<f64> =
                    (0..5).map(|f| rows.iter().filter(|r| r[f]).count() as f64 / rows.len() as f64).collect();
                println!(
                    "| {reader} | {lang} | {split} | {} | {} | {:.2} |",
                    rows.len(),
                    acc.iter().map(|a| format!("{a:.2}")).collect::<Vec<_>>().join(" | "),
                    acc.iter().sum::<f64>() / 5.0
                );
            }
        }
    }
    let q = |v: &mut Vec<u64>, p: f64| {
        v.sort_unstable();
        v.get(((v.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0)
    };
    if grader.is_some() {
        println!("ids outside the pack in the model's raw output (grammar on): {outside}");
        println!(
            "model time per description: median {} ms, p90 {} ms ({} tokens median)",
            q(&mut ms, 0.5),
            q(&mut ms, 0.9),
            q(&mut tokens, 0.5)
        );
        if free {
            println!(
                "without the grammar: median {} ms, p90 {} ms; {} of {} outputs not valid JSON",
                q(&mut free_ms, 0.5),
                q(&mut free_ms, 0.9),
                free_invalid,
                set.descriptions.len()
            );
        }
    }
    Ok(())
}
