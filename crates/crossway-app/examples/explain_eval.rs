//! How good is the model's "explain what is missing" text (F14)? For the pack's free-text items,
//! in English and Chinese, two answers each — a PARTIAL one (the reference's first sentence or
//! clause: some rubric points met, some missed) and a WRONG one (a fixed, plausible but off-topic
//! sentence) — are recorded through the app with the no-model grader (`App::submit_answer`), the
//! explanation job is built exactly as the app builds it (`App::explain_job`: question, reference,
//! answer, the missed rubric points, the first 900 characters of the KP's lesson, in the answer's
//! language, 96 tokens at most in English, 160 in Chinese) and run on the tutor's worker (`Tutor::explain`). Each
//! explanation is then checked automatically, with the checks the app itself runs before it
//! shows one (`crossway_app::checks`, i.e. `crossway_tutor::checks`: language, invented numbers, unsupported words,
//! contradiction/praise, claims about the learner's answer that the answer contradicts, echo of
//! the reference and of the missed points, missed-point recall, cut-off), and "shown by the app"
//! counts those that `checks::judge` lets through;
//! - time to the first piece, total time, pieces (≈ tokens: a character split over two tokens
//!   arrives as one piece).
//!
//! Prints a markdown table per language and overall, and writes every explanation with its
//! metrics to a JSONL file.
//!
//! `cargo run --release -p crossway-app --example explain_eval -- [--model FILE] [--items N]
//!  [--skip K] [--threads 2] [--out FILE] [--recheck EARLIER.jsonl]` — `--items N` takes N items spread
//! evenly over the pack (default: all), `--skip K` leaves out the first K of them (to finish a run
//! that stopped early); `--out` defaults to `$HOME/.cache/explain_eval.jsonl`;
//! `--recheck` runs no model: it takes the explanations and times of an earlier run's `--out`
//! file (same `--items`) and judges them again with the current checks. Figures in
//! docs/quality.md.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crossway_app::checks::{check, judge, Withheld};
use crossway_app::{Answer, App, AppConfig, ExplainEvent, NewLearnerDto, SubmitAnswerDto, Tutor};
use crossway_content::ItemBody;

const WRONG_EN: &str =
    "I would lower the price a little and post more adverts on social media so that more buyers see the product.";
const WRONG_ZH: &str = "我会把价格降低一点，并在社交媒体上多投放广告，让更多买家看到这个产品。";

fn partial_of(reference: &str, zh: bool) -> String {
    let total = reference.chars().count();
    let cut = |ends: &[char]| -> Option<String> {
        let mut out = String::new();
        let mut chars = reference.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            // An English full stop ends a sentence only before a space (not in "1.5" or "e.g.").
            if ends.contains(&c) && (zh || c != '.' || chars.peek().is_none_or(|n| *n == ' ')) {
                let n = out.chars().count();
                if n >= 12 && n < total * 4 / 5 {
                    return Some(out.trim().to_string());
                }
            }
        }
        None
    };
    let sentence: &[char] = if zh { &['。', '；', '！', '？'] } else { &['.', ';', '!', '?'] };
    let clause: &[char] = if zh { &['，', '：', '、'] } else { &[',', ':'] };
    cut(sentence).or_else(|| cut(clause)).unwrap_or_else(|| {
        // No usable punctuation: the first half.
        reference.chars().take(total / 2).collect()
    })
}

struct Row {
    lang: String,
    kind: &'static str,
    missed: usize,
    lang_ok: bool,
    invented: usize,
    unsupported: f64,
    contradiction: bool,
    misstated: bool,
    echo: f64,
    copied: f64,
    echo_missed: f64,
    recall: Option<f64>,
    cut_off: bool,
    empty: bool,
    /// The worker reported an error (e.g. the prompt does not fit the context).
    failed: bool,
    /// What the app does with it: shown, or withheld and why (`checks::judge`).
    withheld: Option<Withheld>,
    first_ms: f64,
    total_ms: f64,
    pieces: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn table(title: &str, groups: &[(&str, Vec<&Row>)]) {
    println!("\n### {title}\n");
    println!("| answers | n | failed | shown by the app | right language | with invented number | invented numbers | unsupported words (mean) | contradicts verdict | misstates the answer | echo of reference (mean) | echo ≥ 0.5 | copied (mean) | echo of missed points (mean) | missed-point recall (mean) | cut off | empty | first piece (median ms) | total (median ms) | pieces (mean) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, all) in groups {
        // The measures are over the explanations written; failures only count in `failed`.
        let rows: Vec<&Row> = all.iter().copied().filter(|r| !r.failed).collect();
        let n = rows.len().max(1) as f64;
        let pct = |f: &dyn Fn(&Row) -> bool| 100.0 * rows.iter().filter(|r| f(r)).count() as f64 / n;
        let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(|r| f(r)).sum::<f64>() / n;
        let recalls: Vec<f64> = rows.iter().filter_map(|r| r.recall).collect();
        println!(
            "| {name} | {} | {} | {:.0}% | {:.0}% | {:.0}% | {} | {:.2} | {:.0}% | {:.0}% | {:.2} | {:.0}% | {:.2} | {:.2} | {:.2} | {:.0}% | {:.0}% | {:.0} | {:.0} | {:.0} |",
            all.len(),
            all.len() - rows.len(),
            100.0 * all.iter().filter(|r| r.withheld.is_none() && !r.failed).count() as f64 / all.len().max(1) as f64,
            pct(&|r| r.lang_ok),
            pct(&|r| r.invented > 0),
            rows.iter().map(|r| r.invented).sum::<usize>(),
            mean(&|r| r.unsupported),
            pct(&|r| r.contradiction),
            pct(&|r| r.misstated),
            mean(&|r| r.echo),
            pct(&|r| r.echo >= 0.5),
            mean(&|r| r.copied),
            mean(&|r| r.echo_missed),
            recalls.iter().sum::<f64>() / recalls.len().max(1) as f64,
            pct(&|r| r.cut_off),
            pct(&|r| r.empty),
            median(rows.iter().map(|r| r.first_ms).collect()),
            median(rows.iter().map(|r| r.total_ms).collect()),
            mean(&|r| r.pieces as f64),
        );
    }
}

/// Runs one explanation on the worker: its text (or error), the first piece and total times in
/// ms, and the number of pieces.
fn run(
    tutor: &Tutor,
    job: &crossway_tutor::worker::ExplainJob,
) -> (String, Option<crossway_tutor::llm::LlmError>, f64, f64, usize) {
    let t0 = Instant::now();
    let events = tutor.explain(job.clone()).unwrap_or_else(|e| panic!("{e}"));
    let (mut first, mut pieces, mut text, mut error) = (None, 0usize, String::new(), None);
    while let Ok(ev) = events.recv() {
        match ev {
            ExplainEvent::Piece(_) => {
                first.get_or_insert_with(|| t0.elapsed());
                pieces += 1;
            }
            ExplainEvent::Done(t) => {
                text = t;
                break;
            }
            ExplainEvent::Failed(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let total_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let first_ms = first.unwrap_or_default().as_secs_f64() * 1000.0;
    (text, error, first_ms, total_ms, pieces)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut model = root.join("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    let mut threads = 2usize;
    let mut limit: Option<usize> = None;
    let mut out = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".cache/explain_eval.jsonl");
    let mut recheck: Option<PathBuf> = None;
    let mut skip = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" => model = PathBuf::from(args.next().expect("--model FILE")),
            "--threads" => threads = args.next().and_then(|s| s.parse().ok()).expect("--threads N"),
            "--items" => limit = Some(args.next().and_then(|s| s.parse().ok()).expect("--items N")),
            "--out" => out = PathBuf::from(args.next().expect("--out FILE")),
            "--recheck" => recheck = Some(PathBuf::from(args.next().expect("--recheck FILE"))),
            "--skip" => skip = args.next().and_then(|s| s.parse().ok()).expect("--skip N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let pack_dir = root.join("content-packs/cbec-core");
    let pack = crossway_content::load_pack(&pack_dir).into_result().expect("the shipped pack");
    let all: Vec<_> = pack.items.iter().filter(|i| matches!(i.body, ItemBody::FreeText { .. })).collect();
    // `--items N`: N items spread evenly over the pack, so every module is represented.
    let n = limit.unwrap_or(all.len()).clamp(1, all.len());
    // `--skip K`: leave out the first K of those (to finish a run that stopped early).
    let items: Vec<_> = (0..n).map(|k| all[k * all.len() / n]).skip(skip).collect();

    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = App::open(AppConfig {
        data_dir: dir.path().into(),
        default_pack: Some(pack_dir.clone()),
        models_dir: dir.path().join("models"),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let learner = app
        .create_learner(NewLearnerDto {
            name: "eval".into(),
            locale: "en".into(),
            goal_role: None,
            weekly_minutes: None,
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .id;

    // `--recheck FILE`: the explanations (and times) of an earlier run, judged again by the
    // current checks without running the model.
    let earlier: Option<std::collections::HashMap<(String, String, String), serde_json::Value>> =
        recheck.as_ref().map(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSONL line of explain_eval"))
                .map(|r| {
                    let key = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                    ((key("item"), key("lang"), key("kind")), r)
                })
                .collect()
        });
    let started = Instant::now();
    let tutor = match &earlier {
        None => Some(Tutor::start(model.clone(), threads).unwrap_or_else(|e| panic!("{e}"))),
        Some(_) => None,
    };
    let load_ms = started.elapsed().as_millis();
    let model_name = model.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    eprintln!("{model_name}: loaded in {load_ms} ms; {} of {} free-text items, en + zh-CN", items.len(), all.len());
    if let Some(parent) = out.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out).expect("the --out file"));
    let mut rows: Vec<Row> = Vec::new();

    for (k, item) in items.iter().enumerate() {
        let ItemBody::FreeText { reference, .. } = &item.body else { continue };
        for lang in ["en", "zh-CN"] {
            let zh = lang == "zh-CN";
            let partial = partial_of(reference.get(lang), zh);
            let wrong = if zh { WRONG_ZH } else { WRONG_EN }.to_string();
            for (kind, answer) in [("partial", partial), ("wrong", wrong)] {
                let sub = SubmitAnswerDto {
                    item_id: item.id.clone(),
                    answer: Answer::FreeText { text: answer.clone() },
                    idempotency_key: format!("{}:{lang}:{kind}", item.id),
                    seconds: None,
                };
                let result = app.submit_answer(learner, sub).unwrap_or_else(|e| panic!("{}: {e}", item.id));
                let attempt = result.attempt_id;
                // The lesson sentence the window shows under each missed point.
                let notes: Vec<_> = result
                    .rubric
                    .iter()
                    .filter(|p| !p.met)
                    .map(|p| serde_json::json!({"point": p.text.get(lang), "lesson": p.lesson.as_ref().map(|l| l.get(lang))}))
                    .collect();
                let job = app.explain_job(learner, attempt).unwrap_or_else(|e| panic!("{}: {e}", item.id));
                if job.lang != lang {
                    // A "partial" answer cut from a reference in Latin letters (a template) has no
                    // Chinese in it: the app explains it in English. Not a Chinese sample.
                    eprintln!("{} {lang} {kind}: skipped, the answer is in {}", item.id, job.lang);
                    continue;
                }
                let (text, error, first_ms, total_ms, pieces) = match (&tutor, &earlier) {
                    (Some(tutor), _) => run(tutor, &job),
                    (None, Some(earlier)) => {
                        // A run that stopped early holds fewer items: judge what it has.
                        let Some(r) = earlier.get(&(item.id.clone(), lang.to_string(), kind.to_string())) else {
                            continue;
                        };
                        let error = r["error"].as_str().map(|e| {
                            if e.contains("too long") {
                                crossway_tutor::llm::LlmError::TooLong { tokens: 0, limit: 0 }
                            } else {
                                crossway_tutor::llm::LlmError::Inference(e.to_string())
                            }
                        });
                        let m = &r["metrics"];
                        let ms = |k: &str| m[k].as_f64().unwrap_or_default();
                        let text = r["explanation"].as_str().unwrap_or_default().to_string();
                        (text, error, ms("first_piece_ms"), ms("total_ms"), ms("pieces") as usize)
                    }
                    (None, None) => unreachable!("a tutor or an earlier run"),
                };

                let c = check(&job, &text);
                let shown = judge(
                    &job,
                    match &error {
                        Some(e) => Err(e.clone()),
                        None => Ok(text.clone()),
                    },
                );
                let withheld = shown.as_ref().ok().and_then(|d| d.withheld);
                let error = error.map(|e| e.to_string());
                let row = Row {
                    lang: lang.into(),
                    kind,
                    missed: job.missed.len(),
                    lang_ok: c.lang_ok,
                    invented: c.invented.len(),
                    unsupported: c.unsupported_share,
                    contradiction: c.contradiction,
                    misstated: !c.misstated.is_empty(),
                    echo: c.echo,
                    copied: c.copied,
                    echo_missed: c.echo_missed,
                    recall: c.recall,
                    cut_off: c.cut_off,
                    empty: c.empty,
                    failed: error.is_some(),
                    withheld,
                    first_ms,
                    total_ms,
                    pieces,
                };
                let record = serde_json::json!({
                    "model": model_name,
                    "item": item.id,
                    "kp": item.kp,
                    "lang": lang,
                    "kind": kind,
                    "answer": job.answer,
                    "missed": job.missed,
                    "explanation": text,
                    "error": error,
                    "withheld": withheld,
                    "notes": notes,
                    "metrics": {
                        "lang_ok": c.lang_ok,
                        "invented_numbers": c.invented,
                        "unsupported_share": (c.unsupported_share * 1000.0).round() / 1000.0,
                        "unsupported": c.unsupported,
                        "praise": c.praise,
                        "contradiction": c.contradiction,
                        "misstated": c.misstated,
                        "echo": (c.echo * 1000.0).round() / 1000.0,
                        "echo_lesson": (c.echo_lesson * 1000.0).round() / 1000.0,
                        "copied": (c.copied * 1000.0).round() / 1000.0,
                        "echo_missed": (c.echo_missed * 1000.0).round() / 1000.0,
                        "missed_recall": c.recall.map(|r| (r * 1000.0).round() / 1000.0),
                        "cut_off": c.cut_off,
                        "first_piece_ms": first_ms.round(),
                        "total_ms": total_ms.round(),
                        "pieces": pieces,
                    },
                });
                writeln!(file, "{record}").expect("write --out");
                file.flush().expect("write --out");
                eprintln!(
                    "[{}/{}] {} {lang} {kind}: missed {}, {:.1} s, {pieces} pieces{}{}{}{}{}",
                    k + 1,
                    items.len(),
                    item.id,
                    row.missed,
                    total_ms / 1000.0,
                    if c.lang_ok { "" } else { ", WRONG LANGUAGE" },
                    if c.invented.is_empty() { String::new() } else { format!(", invented {:?}", c.invented) },
                    if c.contradiction { ", CONTRADICTS" } else { "" },
                    withheld.map(|w| format!(", withheld: {w:?}")).unwrap_or_default(),
                    error.as_deref().map(|e| format!(", FAILED: {e}")).unwrap_or_default(),
                );
                rows.push(row);
            }
        }
    }

    println!(
        "\n## {model_name}: {} items × 2 languages × 2 answers, {threads} threads, load {load_ms} ms",
        items.len()
    );
    for lang in ["en", "zh-CN"] {
        let of = |kind: Option<&str>| -> Vec<&Row> {
            rows.iter().filter(|r| r.lang == lang && kind.is_none_or(|k| r.kind == k)).collect()
        };
        table(lang, &[("partial", of(Some("partial"))), ("wrong", of(Some("wrong"))), ("all", of(None))]);
    }
    let by = |lang: &str| -> Vec<&Row> { rows.iter().filter(|r| r.lang == lang).collect() };
    table("overall", &[("en", by("en")), ("zh-CN", by("zh-CN")), ("all", rows.iter().collect())]);
    let no_missed = rows.iter().filter(|r| r.kind == "partial" && r.missed == 0).count();
    println!(
        "\nPartial answers with no missed point (the keyword grader judged every point met): {no_missed} of {}.",
        rows.iter().filter(|r| r.kind == "partial").count()
    );
    println!("Explanations: {}", out.display());
}
