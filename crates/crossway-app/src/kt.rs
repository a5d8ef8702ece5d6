//! `crossway kt fit`: fit the mastery model on a CSV of answers and predict another CSV's answers,
//! each before it is seen (docs/cli.md).

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Instant;

use crossway_core::kt::{fit_skill, pooled, sequences_by_skill, FitOptions, SkillFit, Tracer};
use crossway_core::BktParams;

use crate::{AppError, Result};

/// One answer row: learner, skill, correct.
#[derive(Debug, Clone)]
pub struct Row {
    pub user: String,
    pub skill: String,
    pub correct: bool,
}

/// Reads `user_id,skill_id,correct` rows (header required, in time order within each learner).
pub fn read_rows(input: impl BufRead, name: &str) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut lines = crate::lines::numbered(input, name);
    let header = lines.next().transpose()?.map(|(_, l)| l).unwrap_or_default();
    let cols: Vec<&str> = header.trim().split(',').map(str::trim).collect();
    let find = |c: &str| cols.iter().position(|x| *x == c);
    let (Some(u), Some(s), Some(k)) = (find("user_id"), find("skill_id"), find("correct")) else {
        return Err(AppError::invalid(format!("{name}:1: the header must name the columns user_id,skill_id,correct")));
    };
    for line in lines {
        let (n, line) = line?;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let get = |i: usize| f.get(i).copied().ok_or_else(|| AppError::invalid(format!("{name}:{n}: too few columns")));
        let correct = match get(k)? {
            "1" | "1.0" | "true" => true,
            "0" | "0.0" | "false" => false,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(AppError::invalid(format!("{name}:{n}: correct must be 0 or 1, not `{shown}`")));
            }
        };
        rows.push(Row { user: get(u)?.to_string(), skill: get(s)?.to_string(), correct });
    }
    Ok(rows)
}

pub struct KtReport {
    pub skills: usize,
    pub train_rows: usize,
    pub fit_ms: u128,
    pub predict_rows: usize,
}

/// Fits per-skill parameters on `train` (skills spread over `threads` threads) and writes `test`
/// with a `p_correct` column.
pub fn fit_and_predict(
    train: &[Row],
    test: &[Row],
    forgetting: bool,
    threads: usize,
    mut out: impl Write,
) -> Result<KtReport> {
    let started = Instant::now();
    let seqs = sequences_by_skill(train.iter().map(|r| (r.user.as_str(), r.skill.as_str(), r.correct)));
    let opts = FitOptions { forgetting, ..Default::default() };
    let mut skills: Vec<(&String, &Vec<Vec<bool>>)> = seqs.iter().collect();
    // Largest first, dealt round-robin, so the threads finish together.
    skills.sort_by_key(|(_, s)| std::cmp::Reverse(s.iter().map(Vec::len).sum::<usize>()));
    let threads = threads.max(1);
    let fits: HashMap<String, (SkillFit, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let mine: Vec<_> = skills.iter().skip(t).step_by(threads).copied().collect();
                scope.spawn(move || {
                    mine.into_iter()
                        .map(|(k, s)| (k.clone(), (fit_skill(s, &opts), s.iter().map(Vec::len).sum())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let fit_ms = started.elapsed().as_millis();
    let params: HashMap<String, BktParams> = fits.iter().map(|(k, (f, _))| (k.clone(), f.params)).collect();
    let mut tracer = Tracer::new(&params, pooled(&fits));
    writeln!(out, "user_id,skill_id,correct,p_correct")?;
    for r in test {
        let p = tracer.predict_then_update(&r.user, &r.skill, r.correct);
        writeln!(out, "{},{},{},{:.6}", r.user, r.skill, u8::from(r.correct), p)?;
    }
    out.flush()?;
    Ok(KtReport { skills: fits.len(), train_rows: train.len(), fit_ms, predict_rows: test.len() })
}
