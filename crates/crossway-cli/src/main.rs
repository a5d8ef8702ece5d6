//! `crossway`: the headless shell over crossway-app for authors, power users, benchmarks and
//! automated evaluation. The command shapes are a contract: see docs/cli.md.
//!
//! Exit codes: 0 success, 1 a user error (with a clear message), 2 usage.

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
enum PackCommand {
    /// Check a pack; prints every problem as `path:line: message`.
    Validate { dir: PathBuf },
    /// Count modules, knowledge points, lessons, roles, items and missing translations.
    Stats {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
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

fn run(command: Command) -> Result<(), UserError> {
    match command {
        Command::Pack { command: PackCommand::Validate { dir } } => {
            let outcome = load_pack(&dir);
            for d in &outcome.diagnostics {
                println!("{d}");
            }
            match &outcome.pack {
                Some(p) if outcome.diagnostics.is_empty() => {
                    println!(
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
                println!("{}", serde_json::to_string(&s).map_err(|e| e.to_string())?);
            } else {
                println!("modules              {}", s.modules);
                println!("knowledge points     {}", s.knowledge_points);
                println!("lessons              {}", s.lessons);
                println!("roles                {}", s.roles);
                println!(
                    "items                {} choice, {} numeric, {} free text",
                    s.items.choice, s.items.numeric, s.items.free_text
                );
                println!("simulations          {}", s.simulations);
                println!("locales              {}", s.locales.join(", "));
                println!("missing translations {}", s.missing_translations);
            }
            Ok(())
        }
        Command::Plan { pack, profile, json } => {
            let out = crossway_app::plan_for_profile(&pack, &profile).map_err(|e| {
                let mut msg = e.message;
                for d in e.details {
                    msg.push_str("\n  ");
                    msg.push_str(&d);
                }
                msg
            })?;
            if json {
                println!("{}", serde_json::to_string(&out).map_err(|e| e.to_string())?);
            } else {
                for s in &out.steps {
                    let goal = if s.for_goal { "goal" } else { "optional" };
                    println!(
                        "week {:>2}  {:<9} {:>4} min  {:<8} {}",
                        s.week,
                        format!("{:?}", s.action).to_lowercase(),
                        s.minutes,
                        goal,
                        s.kp
                    );
                }
                println!("planned in {} µs", out.elapsed_us);
            }
            Ok(())
        }
    }
}
