// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(help) = crossway_desktop_lib::missing_display() {
        eprintln!("{help}");
        return ExitCode::from(1);
    }
    crossway_desktop_lib::run();
    ExitCode::SUCCESS
}
