//! How good is the model's "explain what is missing" text (F14)? For the pack's free-text items,
//! in English and Chinese, two answers each — a PARTIAL one (the reference's first sentence or
//! clause: some rubric points met, some missed) and a WRONG one (a fixed, plausible but off-topic
//! sentence) — are recorded through the app with the no-model grader (`App::submit_answer`), the
//! explanation job is built exactly as the app builds it (`App::explain_job`: question, reference,
//! answer, the missed rubric points, the first 900 characters of the KP's lesson, in the answer's
//! language, 96 tokens at most) and run on the tutor's worker (`Tutor::explain`). Each
//! explanation is then checked automatically:
//!
//! - **language**: zh-CN needs a share of CJK ideographs among letters + ideographs ≥ 0.5; en
//!   needs no CJK ideograph at all;
//! - **invented numbers**: numbers (digits with `.` `,` and a `%` or `$` around them; list markers
//!   such as `1.` at a line start are not numbers) that occur in none of the sources the model was
//!   given (question, reference, answer, missed points, lesson excerpt);
//! - **unsupported**: share of the explanation's content words absent from all the sources — en:
//!   lowercased words of ≥ 4 letters minus [`EN_STOP`]; zh: character bigrams of CJK runs minus
//!   [`ZH_STOP`] (words that talk *about* the answer, not facts);
//! - **contradiction**: a praise pattern ([`EN_PRAISE`], [`ZH_PRAISE`]; not after a negation
//!   such as "not"/"不") although rubric points were missed or the answer is the wrong one;
//! - **echo**: the longest substring shared with the reference, over the explanation's length
//!   (copying the reference is grounded, but it is not an explanation);
//! - **echo of missed points**: the same against the missed rubric points (a bare list of them
//!   repeats what the window already shows);
//! - **missed recall**: share of the missed points' content words (bigrams) that the explanation
//!   uses — does it name what is missing?;
//! - **cut off**: the text does not end with sentence punctuation (it ran into the token limit);
//! - time to the first piece, total time, pieces (≈ tokens: a character split over two tokens
//!   arrives as one piece).
//!
//! Prints a markdown table per language and overall, and writes every explanation with its
//! metrics to a JSONL file.
//!
//! `cargo run --release -p crossway-app --example explain_eval -- [--model FILE] [--items N]
//!  [--threads 2] [--out FILE]` — `--items N` takes N items spread evenly over the pack (default:
//! all); `--out` defaults to `$HOME/.cache/explain_eval.jsonl`. Figures in docs/quality.md.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crossway_app::{Answer, App, AppConfig, ExplainEvent, NewLearnerDto, SubmitAnswerDto, Tutor};
use crossway_content::ItemBody;

/// English words that talk about the answer rather than state facts, and function words.
const EN_STOP: &[&str] = &[
    "about",
    "also",
    "answer",
    "answers",
    "because",
    "been",
    "being",
    "could",
    "does",
    "doesn",
    "each",
    "explain",
    "explains",
    "from",
    "have",
    "here",
    "into",
    "just",
    "learner",
    "lesson",
    "mention",
    "mentioned",
    "mentions",
    "miss",
    "missed",
    "misses",
    "missing",
    "more",
    "most",
    "must",
    "need",
    "needs",
    "only",
    "other",
    "point",
    "points",
    "question",
    "reference",
    "response",
    "rubric",
    "should",
    "some",
    "such",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "very",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "will",
    "with",
    "would",
    "your",
    "important",
    "matters",
    "understand",
    "understanding",
    "provide",
    "provided",
    "include",
    "includes",
    "including",
    "correct",
    "however",
];

/// Chinese bigrams that talk about the answer rather than state facts.
const ZH_STOP: &[&str] = &[
    "答案", "学生", "你的", "缺少", "缺了", "没有", "要点", "评分", "重要", "因为", "所以", "需要", "可以", "提到",
    "说明", "参考", "课程", "摘录", "问题", "这个", "一个", "以及", "应该", "回答", "未达", "达到", "的答", "了什",
    "什么", "为什", "么重", "这些", "我们", "如果", "就是", "但是", "同时", "此外", "是否", "正确", "解释",
];

/// Phrases that name the prompt's parts (removed before words and bigrams are taken, so that
/// "根据课程摘录" does not yield the bigrams "据课", "程摘").
const META: &[&str] = &[
    "根据课程摘录",
    "课程摘录",
    "参考答案",
    "评分要点",
    "学生的答案",
    "你的答案",
    "学生答案",
    "未达到的",
    "lesson excerpt",
    "reference answer",
    "rubric point",
    "learner's answer",
];

/// Praise that contradicts a verdict of "incomplete" (kept small on purpose).
const EN_PRAISE: &[&str] = &[
    "is correct",
    "are correct",
    "correctly",
    "fully",
    "well done",
    "good job",
    "great job",
    "excellent",
    "perfect",
    "is complete",
    "nothing is missing",
    "covers all",
];
const ZH_PRAISE: &[&str] =
    &["完全正确", "回答正确", "答案正确", "很好", "非常好", "答得好", "很全面", "完整", "没有遗漏", "正确地"];

const WRONG_EN: &str =
    "I would lower the price a little and post more adverts on social media so that more buyers see the product.";
const WRONG_ZH: &str = "我会把价格降低一点，并在社交媒体上多投放广告，让更多买家看到这个产品。";

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// The reference's first sentence; if that is (almost) all of it, its first clause.
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

/// Numbers in `text` as normalised strings ("1,000" → "1000", "50%" → "50"); list markers at a
/// line start ("1. ", "2) ") are skipped.
fn numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut s = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() {
                s.push(c);
            } else if (c == '.' || c == ',') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                if c == '.' {
                    s.push('.');
                }
            } else {
                break;
            }
            i += 1;
        }
        let line_start = chars[..start].iter().rev().take_while(|c| **c == ' ' || **c == '\t').count();
        let at_line_start = start == line_start || chars[start - line_start - 1] == '\n';
        let marker = at_line_start
            && matches!(chars.get(i), Some('.') | Some(')') | Some('、'))
            && chars.get(i + 1).is_none_or(|c| c.is_whitespace() || is_cjk(*c));
        if !marker {
            out.push(s);
        }
    }
    out
}

fn en_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .map(str::to_lowercase)
        .filter(|w| !EN_STOP.contains(&w.as_str()))
        .collect()
}

fn zh_bigrams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
        } else {
            for w in run.windows(2) {
                let b: String = w.iter().collect();
                if !ZH_STOP.contains(&b.as_str()) {
                    out.push(b);
                }
            }
            run.clear();
        }
    }
    out
}

fn content_units(text: &str, zh: bool) -> Vec<String> {
    let mut text = text.to_lowercase();
    for m in META {
        text = text.replace(m, " ");
    }
    if zh {
        zh_bigrams(&text)
    } else {
        en_words(&text)
    }
}

/// Praise patterns found in `text`, unless negated just before ("not fully", "不完整").
fn praise(text: &str, zh: bool) -> Vec<String> {
    let lower = text.to_lowercase();
    let pats = if zh { ZH_PRAISE } else { EN_PRAISE };
    let mut found = Vec::new();
    for p in pats {
        for (at, _) in lower.match_indices(p) {
            let before: String = lower[..at].chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
            let negated = if zh {
                ["不", "未", "没", "非"].iter().any(|n| before.ends_with(n))
            } else {
                before.contains("not ") || before.contains("n't ") || before.contains("never ")
            };
            if !negated {
                found.push(p.to_string());
            }
        }
    }
    found
}

/// Longest common substring of `a` and `b`, in characters (case-insensitive).
fn longest_common(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev = vec![0usize; b.len() + 1];
    let mut best = 0;
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

#[derive(Default, Clone)]
struct Row {
    lang: String,
    kind: &'static str,
    missed: usize,
    lang_ok: bool,
    invented: usize,
    unsupported: f64,
    contradiction: bool,
    echo: f64,
    echo_missed: f64,
    recall: Option<f64>,
    cut_off: bool,
    empty: bool,
    /// The worker reported an error (e.g. the prompt does not fit the context).
    failed: bool,
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
    println!("| answers | n | failed | right language | with invented number | invented numbers | unsupported words (mean) | contradicts verdict | echo of reference (mean) | echo ≥ 0.5 | echo of missed points (mean) | missed-point recall (mean) | cut off | empty | first piece (median ms) | total (median ms) | pieces (mean) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, all) in groups {
        // The measures are over the explanations written; failures only count in `failed`.
        let rows: Vec<&Row> = all.iter().copied().filter(|r| !r.failed).collect();
        let n = rows.len().max(1) as f64;
        let pct = |f: &dyn Fn(&Row) -> bool| 100.0 * rows.iter().filter(|r| f(r)).count() as f64 / n;
        let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(|r| f(r)).sum::<f64>() / n;
        let recalls: Vec<f64> = rows.iter().filter_map(|r| r.recall).collect();
        println!(
            "| {name} | {} | {} | {:.0}% | {:.0}% | {} | {:.2} | {:.0}% | {:.2} | {:.0}% | {:.2} | {:.2} | {:.0}% | {:.0}% | {:.0} | {:.0} | {:.0} |",
            all.len(),
            all.len() - rows.len(),
            pct(&|r| r.lang_ok),
            pct(&|r| r.invented > 0),
            rows.iter().map(|r| r.invented).sum::<usize>(),
            mean(&|r| r.unsupported),
            pct(&|r| r.contradiction),
            mean(&|r| r.echo),
            pct(&|r| r.echo >= 0.5),
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

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut model = root.join("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    let mut threads = 2usize;
    let mut limit: Option<usize> = None;
    let mut out = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".cache/explain_eval.jsonl");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" => model = PathBuf::from(args.next().expect("--model FILE")),
            "--threads" => threads = args.next().and_then(|s| s.parse().ok()).expect("--threads N"),
            "--items" => limit = Some(args.next().and_then(|s| s.parse().ok()).expect("--items N")),
            "--out" => out = PathBuf::from(args.next().expect("--out FILE")),
            other => panic!("unknown argument {other}"),
        }
    }
    let pack_dir = root.join("content-packs/cbec-core");
    let pack = crossway_content::load_pack(&pack_dir).into_result().expect("the shipped pack");
    let all: Vec<_> = pack.items.iter().filter(|i| matches!(i.body, ItemBody::FreeText { .. })).collect();
    // `--items N`: N items spread evenly over the pack, so every module is represented.
    let n = limit.unwrap_or(all.len()).clamp(1, all.len());
    let items: Vec<_> = (0..n).map(|k| all[k * all.len() / n]).collect();

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

    let started = Instant::now();
    let tutor = Tutor::start(model.clone(), threads).unwrap_or_else(|e| panic!("{e}"));
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
                let attempt = app.submit_answer(learner, sub).unwrap_or_else(|e| panic!("{}: {e}", item.id)).attempt_id;
                let job = app.explain_job(learner, attempt).unwrap_or_else(|e| panic!("{}: {e}", item.id));
                assert_eq!(job.lang, lang, "{}: the answer's language", item.id);
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
                            error = Some(e.to_string());
                            break;
                        }
                    }
                }
                let total_ms = t0.elapsed().as_secs_f64() * 1000.0;
                let first_ms = first.unwrap_or_default().as_secs_f64() * 1000.0;

                // The sources: everything the model was given.
                let sources = [job.question.as_str(), job.reference.as_str(), job.answer.as_str(), job.lesson.as_str()]
                    .into_iter()
                    .chain(job.missed.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("\n");
                let cjk = text.chars().filter(|c| is_cjk(*c)).count();
                let letters = text.chars().filter(|c| c.is_alphabetic() && !is_cjk(*c)).count();
                let lang_ok = if zh { cjk > 0 && cjk as f64 / (cjk + letters) as f64 >= 0.5 } else { cjk == 0 };
                let source_numbers: HashSet<String> = numbers(&sources).into_iter().collect();
                let mut found = numbers(&text);
                if text.ends_with(|c: char| c.is_ascii_digit()) {
                    found.pop(); // cut by the token limit mid-number ("96" of "96,000")
                }
                let invented: Vec<String> = found.into_iter().filter(|x| !source_numbers.contains(x)).collect();
                let source_units: HashSet<String> = content_units(&sources, zh).into_iter().collect();
                let units = content_units(&text, zh);
                let unsupported: Vec<&String> = units.iter().filter(|u| !source_units.contains(*u)).collect();
                let unsupported_share =
                    if units.is_empty() { 0.0 } else { unsupported.len() as f64 / units.len() as f64 };
                let praised = praise(&text, zh);
                let contradiction = !praised.is_empty() && (!job.missed.is_empty() || kind == "wrong");
                let len = text.chars().count();
                let echo = if len == 0 { 0.0 } else { longest_common(&text, &job.reference) as f64 / len as f64 };
                let missed_text = job.missed.join("\n");
                let echo_missed = if len == 0 { 0.0 } else { longest_common(&text, &missed_text) as f64 / len as f64 };
                let recall = (!job.missed.is_empty()).then(|| {
                    let text_units: HashSet<String> = content_units(&text, zh).into_iter().collect();
                    let missed_units: HashSet<String> = content_units(&job.missed.join("\n"), zh).into_iter().collect();
                    let hit = missed_units.iter().filter(|u| text_units.contains(*u)).count();
                    hit as f64 / missed_units.len().max(1) as f64
                });
                let cut_off = !text.is_empty()
                    && !text.trim_end_matches(['"', '”', '）', ')', '*']).ends_with(['.', '。', '!', '！', '?', '？']);
                let row = Row {
                    lang: lang.into(),
                    kind,
                    missed: job.missed.len(),
                    lang_ok,
                    invented: invented.len(),
                    unsupported: unsupported_share,
                    contradiction,
                    echo,
                    echo_missed,
                    recall,
                    cut_off,
                    empty: text.trim().is_empty(),
                    failed: error.is_some(),
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
                    "metrics": {
                        "lang_ok": lang_ok,
                        "invented_numbers": invented,
                        "unsupported_share": (unsupported_share * 1000.0).round() / 1000.0,
                        "unsupported": unsupported,
                        "praise": praised,
                        "contradiction": contradiction,
                        "echo": (echo * 1000.0).round() / 1000.0,
                        "echo_missed": (echo_missed * 1000.0).round() / 1000.0,
                        "missed_recall": recall.map(|r| (r * 1000.0).round() / 1000.0),
                        "cut_off": cut_off,
                        "first_piece_ms": first_ms.round(),
                        "total_ms": total_ms.round(),
                        "pieces": pieces,
                    },
                });
                writeln!(file, "{record}").expect("write --out");
                file.flush().expect("write --out");
                eprintln!(
                    "[{}/{}] {} {lang} {kind}: missed {}, {:.1} s, {pieces} pieces{}{}{}{}",
                    k + 1,
                    items.len(),
                    item.id,
                    row.missed,
                    total_ms / 1000.0,
                    if lang_ok { "" } else { ", WRONG LANGUAGE" },
                    if invented.is_empty() { String::new() } else { format!(", invented {invented:?}") },
                    if contradiction { ", CONTRADICTS" } else { "" },
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
