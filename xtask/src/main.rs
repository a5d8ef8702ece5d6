//! Crossway's automation, in Rust (`cargo xtask <command>`).
//!
//! - `cargo xtask tidy`: the architecture and hygiene checks (also run by `cargo test`).

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
        _ => {
            eprintln!("usage: cargo xtask tidy");
            ExitCode::from(2)
        }
    }
}
