//! Lines of a text input (`kt fit` CSV, `grade --batch` JSONL) read as bytes and checked as
//! UTF-8 one by one, so a bad byte is reported as `name:line` instead of a bare "stream did not
//! contain valid UTF-8", and a read error names the input too.

use std::io::BufRead;

use crate::{AppError, Result};

/// Each line of `input` with its 1-based number, without its line ending.
pub fn numbered<R: BufRead>(mut input: R, name: &str) -> impl Iterator<Item = Result<(usize, String)>> + use<R> {
    let mut n = 0;
    let mut buf = Vec::new();
    let name = name.to_string();
    std::iter::from_fn(move || {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                n += 1;
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                Some(match std::str::from_utf8(&buf) {
                    Ok(s) => Ok((n, s.to_string())),
                    Err(e) => Err(AppError::invalid(format!(
                        "{name}:{n}: not UTF-8 text (a bad byte at column {}); save the file as UTF-8",
                        e.valid_up_to() + 1
                    ))),
                })
            }
            Err(e) => Some(Err(AppError::invalid(format!("{name}: cannot read: {e}")))),
        }
    })
}
