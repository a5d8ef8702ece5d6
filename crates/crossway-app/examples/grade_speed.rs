//! How fast the on-device model grades free text in the app's setting: one persistent worker
//! (the prefix cache kept across answers), the pack's own free-text items, each answered twice in
//! a row (a good and an off-topic answer, as two learners would), timed from submit to the first
//! rubric verdict streamed to the window and to the whole grade.
//!
//! `cargo run --release -p crossway-app --example grade_speed -- [--model FILE] [--threads N]
//!  [--answers N] [--busy] [--warm]` — `--busy` keeps one extra thread spinning, like a window that
//! is rendering charts while the model grades; `--warm` lets the worker read each item and the
//! answer as typed up to the last pause first (`Tutor::warm`, what the window asks for on focus
//! and when typing pauses; modelled as all but the last five words) and times the warm-up on its
//! own. Figures in docs/performance.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossway_app::GradeEvent;
use crossway_content::ItemBody;
use crossway_tutor::worker::{GradeJob, Tutor, WarmEvent, WarmJob};

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut model = root.join("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    let mut threads = 2usize;
    let mut answers = 50usize;
    let mut busy = false;
    let mut warm = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" => model = PathBuf::from(args.next().expect("--model FILE")),
            "--threads" => threads = args.next().and_then(|s| s.parse().ok()).expect("--threads N"),
            "--answers" => answers = args.next().and_then(|s| s.parse().ok()).expect("--answers N"),
            "--busy" => busy = true,
            "--warm" => warm = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let pack =
        crossway_content::load_pack(&root.join("content-packs/cbec-core")).into_result().expect("the shipped pack");
    let started = Instant::now();
    let tutor = Tutor::start(model.clone(), threads).unwrap_or_else(|e| panic!("{e}"));
    let load_ms = started.elapsed().as_millis();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let spinner = busy.then(|| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut x = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
        })
    });
    let (mut first, mut whole, mut first_cold, mut whole_cold, mut whole_warm) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut warm_ms = Vec::new();
    let (mut prompt_tokens, mut cached_tokens, mut points) = (0usize, 0usize, 0usize);
    'items: for item in &pack.items {
        let ItemBody::FreeText { reference, rubric, .. } = &item.body else { continue };
        for (k, answer) in
            [reference.en.as_str(), "I am not sure; I would ask my manager what to do."].iter().enumerate()
        {
            if first.len() >= answers {
                break 'items;
            }
            if warm {
                let t0 = Instant::now();
                let words: Vec<&str> = answer.split_whitespace().collect();
                let typed = words[..words.len().saturating_sub(5)].join(" ");
                let job = WarmJob {
                    question: item.stem.en.clone(),
                    reference: reference.en.clone(),
                    typed,
                    lang: "en".into(),
                };
                match tutor.warm(job).unwrap_or_else(|e| panic!("{e}")).recv() {
                    Ok(WarmEvent::Warmed { .. }) => warm_ms.push(t0.elapsed().as_secs_f64() * 1000.0),
                    other => panic!("warm-up failed: {other:?}"),
                }
            }
            let job = GradeJob {
                question: item.stem.en.clone(),
                reference: reference.en.clone(),
                answer: answer.to_string(),
                rubric: rubric.iter().map(|p| p.en.clone()).collect(),
                lang: "en".into(),
                deadline: Some(Instant::now() + Duration::from_secs(120)),
            };
            let t0 = Instant::now();
            let running = tutor.grade(job).unwrap_or_else(|e| panic!("{e}"));
            let mut t_first = None;
            while let Ok(ev) = running.events.recv() {
                match ev {
                    GradeEvent::Point { .. } => {
                        t_first.get_or_insert_with(|| t0.elapsed());
                    }
                    GradeEvent::Done(v) => {
                        prompt_tokens += v.prompt_tokens;
                        cached_tokens += v.cached_tokens;
                        points += v.p_met.len();
                        break;
                    }
                    other => panic!("grading stopped: {other:?}"),
                }
            }
            let (f, w) = (t_first.unwrap_or_default().as_secs_f64() * 1000.0, t0.elapsed().as_secs_f64() * 1000.0);
            first.push(f);
            whole.push(w);
            if k == 0 {
                first_cold.push(f);
                whole_cold.push(w);
            } else {
                whole_warm.push(w);
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(s) = spinner {
        let _ = s.join();
    }
    let n = first.len();
    println!(
        "{}",
        serde_json::json!({
            "model": model.file_name().map(|f| f.to_string_lossy().into_owned()),
            "threads": threads,
            "busy_thread": busy,
            "warmed": warm,
            "warm_up_ms": { "median": percentile(&mut warm_ms, 0.5), "p90": percentile(&mut warm_ms, 0.9) },
            "answers": n,
            "rubric_points": points,
            "load_ms": load_ms,
            "first_verdict_ms": { "median": percentile(&mut first, 0.5), "p90": percentile(&mut first, 0.9) },
            "whole_grade_ms": { "median": percentile(&mut whole, 0.5), "p90": percentile(&mut whole, 0.9) },
            "first_answer_of_an_item": {
                "first_verdict_median": percentile(&mut first_cold.clone(), 0.5),
                "first_verdict_p90": percentile(&mut first_cold, 0.9),
                "whole_median": percentile(&mut whole_cold, 0.5),
            },
            "second_answer_same_item_cached_prefix": { "whole_median": percentile(&mut whole_warm, 0.5) },
            "prompt_tokens": prompt_tokens,
            "cached_tokens": cached_tokens,
        })
    );
}
