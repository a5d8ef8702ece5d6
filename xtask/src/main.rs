//! Crossway's automation, in Rust (`cargo xtask <command>`).
//!
//! - `cargo xtask tidy`: the architecture and hygiene checks (also run by `cargo test`).
//! - `cargo xtask fetch-model default|test`: fetch and verify a model (see models/manifest.toml).

mod fetch_model;
mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("tidy") => match tidy::run_all() {
            Ok(()) => {
                println!("tidy: all checks passed");
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for p in problems {
                    eprintln!("tidy: {p}");
                }
                ExitCode::from(1)
            }
        },
        Some("fetch-model") => {
            let role = args.get(1).map(String::as_str).unwrap_or("default");
            match fetch_model::run(role) {
                Ok(path) => {
                    println!("{}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("fetch-model: {e}");
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!("usage: cargo xtask tidy | cargo xtask fetch-model default|test");
            ExitCode::from(2)
        }
    }
}
