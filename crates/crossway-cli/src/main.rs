//! `crossway`: the headless shell over crossway-app for authors, power users, benchmarks and
//! automated evaluation. The command shapes are a contract: see docs/cli.md.
//!
//! Exit codes: 0 success, 1 a user error (with a clear message), 2 usage.
//!
//! This file is the argument grammar and the dispatch of every command (past 600 lines because
//! the grammar is one `clap` tree); new commands with more than a few lines of output live in
//! their own module, like `data.rs`.

mod class;
mod data;
mod xapi;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use crossway_content::{load_pack, PackStats};

#[derive(Parser)]
#[command(
    name = "crossway",
    version,
    about = "Crossway (跨径): content packs, learning paths and grading from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Content pack tools.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Grade free-text answers in bulk (JSON lines in, JSON lines out; see docs/cli.md).
    Grade {
        /// Input: one JSON object per line.
        #[arg(long)]
        batch: PathBuf,
        /// Output: one JSON object per input line, same order.
        #[arg(long)]
        out: PathBuf,
        /// A GGUF model (default: the manifest's default model in models/).
        #[arg(long, conflicts_with = "no_model")]
        model: Option<PathBuf>,
        /// Use the keyword fallback instead of a model.
        #[arg(long)]
        no_model: bool,
        /// CPU threads for the model (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Knowledge tracing: fit the mastery model and predict answers.
    Kt {
        #[command(subcommand)]
        command: KtCommand,
    },
    /// The class view of a classroom install, from its database and class summaries.
    Class {
        #[command(subcommand)]
        command: ClassCommand,
    },
    /// xAPI: send statements to a school's own Learning Record Store (opt-in; the only command
    /// that uses the network).
    Xapi {
        #[command(subcommand)]
        command: XapiCommand,
    },
    /// The data folder's database: check it without modifying it, list and restore backups.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Run a synthetic cohort through the adaptive path and the pack's fixed order.
    Simulate {
        #[arg(long)]
        pack: PathBuf,
        #[arg(long, default_value_t = 200)]
        learners: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Ask a question of a content pack: the passages that answer it, or "not covered".
    Ask {
        /// The content pack folder.
        #[arg(long)]
        pack: PathBuf,
        #[arg(long)]
        question: String,
        /// The language to answer in (default: the question's own, Chinese if it has Han characters).
        #[arg(long, value_parser = ["zh-CN", "en"])]
        lang: Option<String>,
        /// A GGUF model to write the answer from the passages (default: the manifest's default
        /// model in models/).
        #[arg(long, conflicts_with = "no_model")]
        model: Option<PathBuf>,
        /// Passages only: no generated answer.
        #[arg(long)]
        no_model: bool,
        /// CPU threads for the model (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print JSON (the stable contract) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Read a learner's description of themselves into a proposed profile of the pack's ids.
    Describe {
        /// The content pack folder.
        #[arg(long)]
        pack: PathBuf,
        /// The learner's own words (background, the job they want, where they sell).
        #[arg(long)]
        text: String,
        /// A GGUF model (default: the manifest's default model in models/).
        #[arg(long, conflicts_with = "no_model")]
        model: Option<PathBuf>,
        /// The keyword reader only.
        #[arg(long)]
        no_model: bool,
        /// CPU threads for the model (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print JSON (the stable contract) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Plan a learning path for the learner described in a profile file.
    Plan {
        /// The content pack folder.
        #[arg(long)]
        pack: PathBuf,
        /// The learner: see docs/cli.md for the PROFILE.json format.
        #[arg(long)]
        profile: PathBuf,
        /// Print JSON (the stable contract) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ClassCommand {
    /// The class view's numbers (k >= 3 applied): mastery by KP, readiness, items, stuck KPs,
    /// indicators, weekly activity.
    Report {
        /// A Crossway database (crossway.sqlite3 in the data folder; its installed packs beside it).
        #[arg(long)]
        db: PathBuf,
        /// One of the install's classes (default: its only class, or all its learners).
        #[arg(long)]
        class: Option<String>,
        /// A folder of class summary files to count in (checked, not stored).
        #[arg(long)]
        summaries: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum XapiCommand {
    /// Send statements (every learner of a database, or one learner's export) to an LRS; already
    /// stored statements are recognised by their ids and not sent twice.
    Send {
        /// The LRS's xAPI endpoint, e.g. https://lrs.school.example/xAPI/
        #[arg(long)]
        lrs: String,
        #[arg(long)]
        user: String,
        /// A file whose first line is the password (kept out of the command line and history).
        #[arg(long)]
        password_file: PathBuf,
        /// A Crossway database: every learner on the install.
        #[arg(long, conflicts_with = "export")]
        db: Option<PathBuf>,
        /// A learner's export file (crossway-learner-export/1).
        export: Option<PathBuf>,
        /// Named accounts at the school's LMS (this home page) instead of pseudonyms.
        #[arg(long)]
        named: Option<String>,
        /// Statements per request (default 200).
        #[arg(long)]
        batch: Option<usize>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DataCommand {
    /// Read the database without writing to it; list the backups; exit 1 when it cannot be used.
    Check {
        /// The data folder (default: the desktop app's, `$XDG_DATA_HOME/crossway` or `CROSSWAY_DATA_DIR`).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Put a backup (as `data check` lists it) in place of the database; the current file is set
    /// aside in `set-aside/`, never deleted. Close Crossway first.
    Restore {
        file: String,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum KtCommand {
    /// Fit BKT per skill on TRAIN and predict every TEST answer before it is seen.
    Fit {
        #[arg(long)]
        train: PathBuf,
        #[arg(long)]
        predict: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Standard BKT without the forgetting transition.
        #[arg(long)]
        no_forgetting: bool,
        /// Threads for fitting (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
}

#[derive(Subcommand)]
enum PackCommand {
    /// Check a pack; prints every problem as `path:line: message`.
    Validate { dir: PathBuf },
    /// Count modules, knowledge points, lessons, roles, items and missing translations.
    Stats {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a valid synthetic pack of N knowledge points (and DIR/profile.json) for benchmarks.
    Synth {
        #[arg(long)]
        kps: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// What changed between two versions of a pack: knowledge points, items, simulations, facts.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Items and lessons to fix, with why: statistics and feedback from a Crossway database.
    Report {
        /// A Crossway database (crossway.sqlite3 in the data folder; its installed packs beside it).
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// Prints a line on stdout; a closed pipe (`| head`) ends the program quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// [`out!`] for the command modules.
pub(crate) fn print_line(line: &str) {
    out!("{line}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// A user error: the message to print before exiting with code 1.
type UserError = String;

/// An app error as a user error: the message, then each detail (a pack's `path:line: message`).
fn with_details(e: crossway_app::AppError) -> UserError {
    let mut msg = e.message;
    for d in e.details {
        msg.push_str("\n  ");
        msg.push_str(&d);
    }
    msg
}

fn run(command: Command) -> Result<(), UserError> {
    match command {
        Command::Class { command: ClassCommand::Report { db, class, summaries, json } } => {
            class::report(&db, class.as_deref(), summaries.as_deref(), json)
        }
        Command::Xapi { command: XapiCommand::Send { lrs, user, password_file, db, export, named, batch, json } } => {
            xapi::send(xapi::SendArgs { lrs, user, password_file, db, export, named, batch, json })
        }
        Command::Data { command: DataCommand::Check { data_dir, json } } => {
            data::check(&data::data_dir(data_dir)?, json)
        }
        Command::Data { command: DataCommand::Restore { file, data_dir } } => {
            data::restore(&data::data_dir(data_dir)?, &file)
        }
        Command::Pack { command: PackCommand::Validate { dir } } => {
            let outcome = load_pack(&dir);
            for d in &outcome.diagnostics {
                out!("{d}");
            }
            match &outcome.pack {
                Some(p) if outcome.diagnostics.is_empty() => {
                    out!(
                        "ok: {} {} ({} knowledge points, {} items, {} roles)",
                        p.manifest.id,
                        p.manifest.version,
                        p.kps.len(),
                        p.items.len(),
                        p.roles.len()
                    );
                    Ok(())
                }
                _ => Err(format!("{}: {} problem(s)", dir.display(), outcome.diagnostics.len().max(1))),
            }
        }
        Command::Pack { command: PackCommand::Stats { dir, json } } => {
            let outcome = load_pack(&dir);
            if outcome.pack.is_none() {
                for d in &outcome.diagnostics {
                    eprintln!("{d}");
                }
                return Err(format!("{}: the pack cannot be read", dir.display()));
            }
            let s = PackStats::of(&outcome);
            if json {
                out!("{}", serde_json::to_string(&s).map_err(|e| e.to_string())?);
            } else {
                out!("modules              {}", s.modules);
                out!("knowledge points     {}", s.knowledge_points);
                out!("lessons              {}", s.lessons);
                out!("roles                {}", s.roles);
                out!(
                    "items                {} choice, {} numeric, {} free text",
                    s.items.choice,
                    s.items.numeric,
                    s.items.free_text
                );
                out!("simulations          {}", s.simulations);
                out!("locales              {}", s.locales.join(", "));
                out!("missing translations {}", s.missing_translations);
            }
            Ok(())
        }
        Command::Pack { command: PackCommand::Synth { kps, seed, out: dir } } => {
            crossway_app::synth_pack(kps, seed, &dir).map_err(|e| e.message)?;
            out!("wrote a synthetic pack of {kps} knowledge points to {} (and profile.json)", dir.display());
            Ok(())
        }
        Command::Pack { command: PackCommand::Report { db, json } } => {
            let app = crossway_app::App::open_database(&db).map_err(|e| e.message)?;
            let r = app.pack_report().map_err(|e| e.message)?;
            if json {
                out!("{}", serde_json::to_string(&r).map_err(|e| e.to_string())?);
            } else {
                out!("{} {}: {} learners, {} answers", r.pack, r.version, r.learners, r.answers);
                out!("items to fix: {}", r.items_to_fix.len());
                for i in &r.items_to_fix {
                    out!("  {} ({} learners): {}", i.item, i.stat.learners, i.why.join("; "));
                }
                out!("lessons to fix: {}", r.lessons_to_fix.len());
                for l in &r.lessons_to_fix {
                    out!("  {}: {}", l.kp, l.why.join("; "));
                    for c in &l.comments {
                        out!("    “{c}”");
                    }
                }
            }
            Ok(())
        }
        Command::Pack { command: PackCommand::Diff { old, new, json } } => {
            let load = |dir: &PathBuf| {
                load_pack(dir).into_result().map_err(|diags| {
                    let mut msg = format!("{} is not a valid pack:", dir.display());
                    for d in diags {
                        msg.push_str(&format!("\n  {d}"));
                    }
                    msg
                })
            };
            let (old, new) = (load(&old)?, load(&new)?);
            if old.manifest.id != new.manifest.id {
                return Err(format!("these are different packs (`{}` and `{}`)", old.manifest.id, new.manifest.id));
            }
            let d = crossway_content::diff_packs(&old, &new);
            if json {
                out!("{}", serde_json::to_string(&d).map_err(|e| e.to_string())?);
            } else {
                out!("{} {} → {}", d.new.id, d.old.version, d.new.version);
                for (what, c) in [("knowledge points", &d.kps), ("items", &d.items), ("simulations", &d.simulations)] {
                    out!("{what}: {} added, {} removed, {} changed", c.added.len(), c.removed.len(), c.changed.len());
                    for id in &c.added {
                        out!("  + {id}");
                    }
                    for id in &c.removed {
                        out!("  - {id}");
                    }
                    for ch in &c.changed {
                        out!("  ~ {} ({})", ch.id, ch.fields.join(", "));
                    }
                }
                let of = |kind: &str| d.facts_changed.iter().filter(|f| f.change == kind).collect::<Vec<_>>();
                let (changed, added, removed) = (of("changed"), of("added"), of("removed"));
                out!(
                    "facts: {} changed, {} added, {} removed; {} re-checked and unchanged",
                    changed.len(),
                    added.len(),
                    removed.len(),
                    of("rechecked").len()
                );
                for f in changed.iter().chain(&added).chain(&removed) {
                    out!(
                        "  ! {} / {}: {} (checked {} → {}){}",
                        f.kp,
                        f.fact,
                        f.change,
                        f.old_as_of.as_deref().unwrap_or("-"),
                        f.new_as_of.as_deref().unwrap_or("-"),
                        if f.shown_in.is_empty() {
                            String::new()
                        } else {
                            format!("; also shown in {}", f.shown_in.join(", "))
                        }
                    );
                }
            }
            Ok(())
        }
        Command::Grade { batch, out: out_path, model, no_model, threads } => {
            let model = model_file(model, no_model)?;
            let threads = thread_count(threads)?;
            let input = std::fs::File::open(&batch).map_err(|e| format!("{}: {e}", batch.display()))?;
            // Write to a temporary file first, so a failure leaves no half-written output behind.
            let tmp = out_path.with_extension("partial");
            let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
            let started = std::time::Instant::now();
            let n = crossway_app::grade_batch(
                std::io::BufReader::new(input),
                std::io::BufWriter::new(file),
                model.as_deref(),
                threads,
            )
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("{}: {}", batch.display(), e.message)
            })?;
            std::fs::rename(&tmp, &out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
            eprintln!("graded {n} answer(s) in {} ms → {}", started.elapsed().as_millis(), out_path.display());
            Ok(())
        }
        Command::Kt { command: KtCommand::Fit { train, predict, out: out_path, no_forgetting, threads } } => {
            let threads = thread_count(threads)?;
            let read = |p: &PathBuf| -> Result<Vec<crossway_app::kt::Row>, String> {
                let f = std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
                crossway_app::kt::read_rows(std::io::BufReader::new(f), &p.display().to_string()).map_err(|e| e.message)
            };
            let (train_rows, test_rows) = (read(&train)?, read(&predict)?);
            let tmp = out_path.with_extension("partial");
            let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
            let report = crossway_app::kt::fit_and_predict(
                &train_rows,
                &test_rows,
                !no_forgetting,
                threads,
                std::io::BufWriter::new(file),
            )
            .map_err(|e| e.message)?;
            std::fs::rename(&tmp, &out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
            eprintln!(
                "fitted {} skills on {} answers in {} ms ({} threads); predicted {} answers → {}",
                report.skills,
                report.train_rows,
                report.fit_ms,
                threads,
                report.predict_rows,
                out_path.display()
            );
            Ok(())
        }
        Command::Simulate { pack, learners, seed, json } => {
            let started = std::time::Instant::now();
            let r = crossway_app::simulate_pack(&pack, learners, seed).map_err(|e| e.message)?;
            let m = crossway_app::simulate_methods(learners, seed);
            if json {
                let mut v = serde_json::to_value(&r).map_err(|e| e.to_string())?;
                v["methods"] = serde_json::json!({
                    "match_rate": m.bandit.match_rate,
                    "gain_per_minute_adaptive": m.bandit.gain_per_10_minutes / 10.0,
                    "gain_per_minute_fixed": m.fixed_mix.gain_per_10_minutes / 10.0,
                    "sessions": m.sessions,
                    "match_rate_fixed": m.fixed_mix.match_rate,
                    "match_rate_preference_only": m.preference_only.match_rate,
                    "gain_per_minute_preference_only": m.preference_only.gain_per_10_minutes / 10.0,
                    "gain_per_minute_oracle": m.oracle_gain_per_10_minutes / 10.0,
                });
                out!("{v}");
            } else {
                out!("{} learners, seed {}", r.learners, r.seed);
                for (name, p) in [("adaptive", &r.adaptive), ("fixed", &r.fixed)] {
                    out!(
                        "{name:9} attempts to goal (median) {:6.1}   reached goal {:5.1}%   final true mastery {:5.1}%",
                        p.attempts_to_goal_median,
                        p.reached_goal_share * 100.0,
                        p.final_true_mastery_mean * 100.0
                    );
                }
                out!("method blend after {} sessions per learner (hidden best method, stated preference right {:.0}% of the time):", m.sessions, m.preference_accuracy * 100.0);
                for (name, p) in
                    [("bandit", &m.bandit), ("fixed mix", &m.fixed_mix), ("preference", &m.preference_only)]
                {
                    out!(
                        "{name:11} recommends the hidden best {:5.1}%   mastery gain {:.2} points/min",
                        p.match_rate * 100.0,
                        p.gain_per_10_minutes * 10.0
                    );
                }
                out!("oracle      mastery gain {:.2} points/min", m.oracle_gain_per_10_minutes * 10.0);
            }
            eprintln!("simulated in {} ms", started.elapsed().as_millis());
            Ok(())
        }
        Command::Ask { pack, question, lang, model, no_model, threads, json } => {
            let mut a = crossway_app::ask_pack(&pack, &question, lang.as_deref()).map_err(with_details)?;
            // The pack's problems first; then what the model needs (only when it would write).
            let model = if a.covered { model_file(model, no_model)? } else { None };
            let threads = thread_count(threads)?;
            // The passages are printed first in text mode; the answer streams after them.
            let mut timing = serde_json::Value::Null;
            if !json {
                print_passages(&a);
            }
            if let (Some(path), Some(job)) = (model, crossway_app::answer_job(&a)) {
                let started = std::time::Instant::now();
                let tutor = crossway_app::Tutor::start(path.clone(), threads).map_err(|e| e.to_string())?;
                let loaded = started.elapsed().as_millis() as u64;
                let asked = std::time::Instant::now();
                let events = tutor.answer(job.clone()).map_err(|e| e.to_string())?;
                let mut first_token_ms = None;
                if !json {
                    out!(
                        "{}",
                        if a.lang == "zh-CN" {
                            "本地模型根据以上段落生成的回答："
                        } else {
                            "Written by the on-device model from the passages above:"
                        }
                    );
                }
                let outcome = loop {
                    match events.recv() {
                        Ok(crossway_app::ExplainEvent::Piece(p)) => {
                            first_token_ms.get_or_insert(asked.elapsed().as_millis() as u64);
                            if !json {
                                print!("{p}");
                                let _ = std::io::Write::flush(&mut std::io::stdout());
                            }
                        }
                        Ok(crossway_app::ExplainEvent::Done(text)) => break Ok(text),
                        Ok(crossway_app::ExplainEvent::Failed(e)) => break Err(e),
                        Err(_) => return Err("the tutor stopped".into()),
                    }
                };
                let verdict = crossway_app::checks::answer::judge(&job, outcome).map_err(|e| e.to_string())?;
                a.answer = verdict.text.clone();
                a.withheld = verdict.withheld.map(|w| w.as_str().to_string());
                timing = serde_json::json!({
                    "model": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    "load_ms": loaded, "first_token_ms": first_token_ms, "answer_ms": asked.elapsed().as_millis() as u64,
                });
                if !json {
                    out!("");
                    match (&verdict.text, verdict.withheld) {
                        (Some(_), _) => out!(
                            "{}",
                            if a.lang == "zh-CN" {
                                "（已通过检查：只用了段落中的内容）"
                            } else {
                                "(checked: it keeps to the passages)"
                            }
                        ),
                        (None, Some(w)) => out!(
                            "{} {}",
                            if a.lang == "zh-CN" {
                                "（回答未通过检查，已撤回："
                            } else {
                                "(withheld after the checks:"
                            },
                            w.as_str()
                        ),
                        (None, None) => {}
                    }
                }
            }
            if json {
                let passages: Vec<serde_json::Value> = a
                    .passages
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "kp": p.kp, "kind": p.kind, "heading": p.heading, "text": p.text,
                            "source": p.source.as_ref().map(|s| &s.id), "as_of": p.as_of, "score": p.score,
                        })
                    })
                    .collect();
                let out = serde_json::json!({
                    "covered": a.covered, "lang": a.lang, "kp": a.kp, "passages": passages,
                    "answer": a.answer, "withheld": a.withheld, "ms": a.ms, "model": timing,
                });
                out!("{out}");
            } else {
                out!("answered in {} ms", a.ms);
            }
            Ok(())
        }
        Command::Describe { pack, text, model, no_model, threads, json } => {
            let started = std::time::Instant::now();
            let (pack, keywords) = crossway_app::describe::describe_pack(&pack, &text).map_err(with_details)?;
            let model = model_file(model, no_model)?;
            let threads = thread_count(threads)?;
            let d = match model {
                None => keywords,
                Some(path) => {
                    let tutor = crossway_app::Tutor::start(path, threads).map_err(|e| e.to_string())?;
                    let reading = tutor
                        .describe(text.clone(), pack.vocabulary.clone())
                        .map_err(|e| e.to_string())?
                        .recv()
                        .map_err(|_| "the tutor stopped".to_string())?
                        .map_err(|e| e.to_string())?;
                    let ms = started.elapsed().as_millis() as u64;
                    crossway_app::describe::describe_in(&pack, &text, Some(&reading), ms).map_err(with_details)?
                }
            };
            let ids = |v: &[crossway_app::describe::TermDto]| v.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
            if json {
                let out = serde_json::json!({
                    "goal_role": d.goal_role.as_ref().map(|t| &t.id),
                    "platforms": ids(&d.platforms), "markets": ids(&d.markets),
                    "claimed_modules": ids(&d.claimed_modules), "weekly_minutes": d.weekly_minutes,
                    "by": d.by, "evidence": d.evidence, "ms": d.ms,
                });
                out!("{out}");
            } else {
                let list = |v: &[crossway_app::describe::TermDto]| {
                    if v.is_empty() {
                        "—".to_string()
                    } else {
                        v.iter().map(|t| t.title.en.clone()).collect::<Vec<_>>().join(", ")
                    }
                };
                out!("goal role        {}", d.goal_role.as_ref().map_or("—".to_string(), |t| t.title.en.clone()));
                out!("platforms        {}", list(&d.platforms));
                out!("markets          {}", list(&d.markets));
                out!("experience in    {}", list(&d.claimed_modules));
                out!("weekly minutes   {}", d.weekly_minutes.map_or("—".to_string(), |m| m.to_string()));
                for e in &d.evidence {
                    out!("  you wrote \"{}\" → {}", e.phrase, e.id);
                }
                out!("read by {} in {} ms (a proposal: nothing is applied)", d.by, d.ms);
            }
            Ok(())
        }
        Command::Plan { pack, profile, json } => {
            let out = crossway_app::plan_for_profile(&pack, &profile).map_err(with_details)?;
            if json {
                out!("{}", serde_json::to_string(&out).map_err(|e| e.to_string())?);
            } else {
                for s in &out.steps {
                    let goal = if s.for_goal { "goal" } else { "optional" };
                    out!(
                        "week {:>2}  {:<9} {:>4} min  {:<8} {}",
                        s.week,
                        format!("{:?}", s.action).to_lowercase(),
                        s.minutes,
                        goal,
                        s.kp
                    );
                }
                out!("planned in {} µs", out.elapsed_us);
            }
            Ok(())
        }
    }
}

/// The passages of an answer, as text (a "not covered" line first when the course does not cover it).
fn print_passages(a: &crossway_app::AskDto) {
    let zh = a.lang == "zh-CN";
    if !a.covered {
        out!(
            "{}",
            if zh {
                "课程没有讲到这个问题。最接近的内容："
            } else {
                "The course does not cover this. Nearest passages:"
            }
        );
    }
    for p in &a.passages {
        let source = p.source.as_ref().map_or(String::new(), |s| format!(", {} {}", s.id, s.title));
        out!("[{} · {:.2}] {} ({}{source}, as of {})", p.kp, p.score, p.text, p.kind, p.as_of);
    }
}

/// `--threads`, checked against this machine's cores (default: all of them). More threads than
/// cores only slow llama.cpp and the fit down (and 100000 made `kt fit` abort), so they are refused.
fn thread_count(asked: Option<usize>) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    match asked {
        None => Ok(cores),
        Some(n) if (1..=cores).contains(&n) => Ok(n),
        Some(n) => Err(format!("--threads {n}: give a number from 1 to {cores} (this machine has {cores} cores)")),
    }
}

/// The model file a command uses: none with `--no-model`, else `--model` or the manifest's
/// default, which must exist (the message says how to get it).
fn model_file(model: Option<PathBuf>, no_model: bool) -> Result<Option<PathBuf>, String> {
    if no_model {
        return Ok(None);
    }
    let path = model
        .or_else(crossway_app::default_model_path)
        .ok_or_else(|| "no model given and no default model known; pass --model PATH or --no-model".to_string())?;
    if !path.is_file() {
        return Err(format!(
            "{}: no model file there; run `cargo xtask fetch-model default`, pass --model PATH, or use --no-model",
            path.display()
        ));
    }
    Ok(Some(path))
}
