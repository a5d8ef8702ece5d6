//! Writes the lexical grader's features for an eval CSV, one row per answer, so that
//! `scripts/fit_lexical.py` fits on exactly what the Rust code computes.
//!
//! ```text
//! cargo run -p crossway-tutor --example lexical_features -- IN.csv OUT.csv [--first-reference-only] [--examples PLAN.csv]
//! ```
//!
//! IN is `semeval2013_task7_2way_3way.csv` or `zh_ADS_algorithms.csv` (../shared/eval/grading,
//! recognised by their header). OUT has `dataset,corpus,split,id,question_id,label_2way,label_3way,
//! score`, the old keyword grader's verdict against the single reference (`kw_met`, `kw_abstained`,
//! exactly what `crossway grade --no-model` did before the lexical model), then the features
//! (`lexical::FEATURE_NAMES`). All reference answers are used unless `--first-reference-only`
//! (what `crossway grade` sees: its input has one `reference_answer`). The time spent computing
//! features is printed to stderr.
//!
//! With `--examples PLAN.csv` it writes graded-example features instead
//! (`examples::EXAMPLE_FEATURE_NAMES`): PLAN has lines `set,row,examples` where `row` and the
//! `;`-separated `examples` are 0-based indexes of answers in the order of the plain OUT (the
//! examples are those answers, graded by their 3-way label, or score/10 for zh_ADS); OUT gets
//! `set,row,` and the features of that row's answer against those examples.

use std::collections::HashMap;
use std::time::Instant;

use crossway_tutor::examples::{self, Example, ExampleGrade};
use crossway_tutor::{keyword, lexical};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first_only = args.iter().any(|a| a == "--first-reference-only");
    let plan = args.iter().position(|a| a == "--examples").map(|i| args.get(i + 1).cloned().unwrap_or_default());
    let paths: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && args[i.saturating_sub(1)] != "--examples")
        .map(|(_, a)| a)
        .collect();
    let [input, output] = paths[..] else {
        eprintln!("usage: lexical_features IN.csv OUT.csv [--first-reference-only] [--examples PLAN.csv]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(input).unwrap_or_else(|e| {
        eprintln!("cannot read {input}: {e}");
        std::process::exit(1);
    });
    let mut records = parse_csv(&text).into_iter();
    let header = records.next().unwrap_or_default();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    let zh = col.contains_key("reference2");
    let get = |r: &[String], name: &str| col.get(name).and_then(|&i| r.get(i)).cloned().unwrap_or_default();
    if let Some(plan) = plan {
        let answers: Vec<Example> = records
            .filter(|r| r.len() >= header.len())
            .map(|r| {
                let grade = if zh {
                    ExampleGrade::Share(get(&r, "score").parse::<f64>().unwrap_or(0.0) / 10.0)
                } else {
                    match get(&r, "label_3way").as_str() {
                        "correct" => ExampleGrade::Correct,
                        "contradictory" => ExampleGrade::Contradictory,
                        _ => ExampleGrade::Incorrect,
                    }
                };
                Example::new(get(&r, "student_answer"), grade)
            })
            .collect();
        write_example_features(&plan, &answers, output);
        return;
    }

    let mut out = format!(
        "dataset,corpus,split,id,question_id,label_2way,label_3way,score,kw_met,kw_abstained,{}\n",
        lexical::FEATURE_NAMES.join(",")
    );
    let mut spent = std::time::Duration::ZERO;
    let mut n = 0;
    for (i, r) in records.enumerate() {
        if r.len() < header.len() {
            continue;
        }
        let question = get(&r, "question");
        let answer = get(&r, "student_answer");
        let mut refs: Vec<String> = if zh {
            ["reference_answer", "reference2", "reference3"].iter().map(|c| get(&r, c)).collect()
        } else {
            get(&r, "all_reference_answers").split("||").map(str::to_string).collect()
        };
        refs.retain(|s| !s.trim().is_empty());
        let first = get(&r, "reference_answer");
        if first_only || refs.is_empty() {
            refs = vec![first.clone()];
        }
        let refs: Vec<&str> = refs.iter().map(|s| s.trim()).collect();
        let started = Instant::now();
        let f = lexical::features(Some(&question), &refs, &answer);
        spent += started.elapsed();
        n += 1;
        let point = format!("Says what the reference answer says: {first}");
        let kw = keyword::grade(&[point.as_str()], &answer);
        let row = if zh {
            [
                "zh_ADS".into(),
                "zh_ADS".into(),
                get(&r, "split"),
                i.to_string(),
                get(&r, "qid"),
                String::new(),
                String::new(),
                get(&r, "score"),
            ]
        } else {
            [
                "semeval".into(),
                get(&r, "corpus"),
                get(&r, "split"),
                get(&r, "answer_id"),
                get(&r, "question_id"),
                get(&r, "label_2way"),
                get(&r, "label_3way"),
                String::new(),
            ]
        };
        let mut cells: Vec<String> = row.iter().map(|c| quote(c)).collect();
        cells.push(u8::from(kw.met[0]).to_string());
        cells.push(u8::from(kw.abstained).to_string());
        cells.extend(f.iter().map(|x| format!("{x:.6}")));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(output, out).unwrap_or_else(|e| {
        eprintln!("cannot write {output}: {e}");
        std::process::exit(1);
    });
    eprintln!(
        "features for {n} answers in {:.1} ms ({:.1} µs per answer){}",
        spent.as_secs_f64() * 1e3,
        spent.as_secs_f64() * 1e6 / n.max(1) as f64,
        if cfg!(debug_assertions) { ", debug build" } else { ", release build" }
    );
}

/// The `--examples` mode: one row of example features per plan line.
fn write_example_features(plan: &str, answers: &[Example], output: &str) {
    let text = std::fs::read_to_string(plan).unwrap_or_else(|e| {
        eprintln!("cannot read {plan}: {e}");
        std::process::exit(1);
    });
    let mut out = format!("set,row,{}\n", examples::EXAMPLE_FEATURE_NAMES.join(","));
    let started = Instant::now();
    let mut n = 0;
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let index = |s: &str| -> usize {
            s.trim().parse().ok().filter(|&i: &usize| i < answers.len()).unwrap_or_else(|| {
                eprintln!("{plan}: bad answer index {s:?} in {line:?}");
                std::process::exit(1);
            })
        };
        let row = index(cells.get(1).copied().unwrap_or(""));
        let ex: Vec<Example> = cells
            .get(2)
            .unwrap_or(&"")
            .split(';')
            .filter(|s| !s.trim().is_empty())
            .map(|s| answers[index(s)].clone())
            .collect();
        let f = examples::example_features(&ex, &answers[row].text).unwrap_or([0.0; examples::N_EXAMPLE_FEATURES]);
        n += 1;
        out.push_str(&format!("{},{row},", cells[0]));
        out.push_str(&f.iter().map(|x| format!("{x:.6}")).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    std::fs::write(output, out).unwrap_or_else(|e| {
        eprintln!("cannot write {output}: {e}");
        std::process::exit(1);
    });
    eprintln!("example features for {n} plan rows in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// RFC 4180: quoted fields may hold commas, newlines and doubled quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
