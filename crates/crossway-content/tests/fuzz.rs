//! Property tests: the pack reader never panics, whatever the files hold. Arbitrary text, and the
//! real pack's files with random cuts and insertions (the inputs an editor crash or a bad merge
//! produces).

use std::fs;
use std::path::Path;

use crossway_content::{load_pack, render_markdown};
use proptest::prelude::*;

fn shipped() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../content-packs/cbec-core"))
}

fn write_pack(dir: &Path, manifest: &str, kp: &str, items: &str, sim: &str) {
    fs::create_dir_all(dir.join("kps")).unwrap();
    fs::create_dir_all(dir.join("items")).unwrap();
    fs::create_dir_all(dir.join("simulations")).unwrap();
    fs::write(dir.join("pack.toml"), manifest).unwrap();
    fs::write(dir.join("kps/a.md"), kp).unwrap();
    fs::write(dir.join("items/a.toml"), items).unwrap();
    fs::write(dir.join("simulations/a.toml"), sim).unwrap();
}

/// A sample of the real files, chosen by name so the test follows the pack as it grows.
fn real_file(pattern: &str) -> String {
    let sub = if pattern == "pack.toml" { "" } else { pattern };
    let dir = shipped().join(sub);
    if pattern == "pack.toml" {
        return fs::read_to_string(shipped().join("pack.toml")).unwrap();
    }
    let mut files: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    fs::read_to_string(&files[0]).unwrap()
}

fn mutate(text: &str, cut_at: usize, cut_len: usize, insert: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = cut_at % (chars.len() + 1);
    let end = (at + cut_len).min(chars.len());
    let mut out: String = chars[..at].iter().collect();
    out.push_str(insert);
    out.extend(&chars[end..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(manifest in "\\PC{0,300}", kp in "(\\+\\+\\+\n)?\\PC{0,300}", items in "\\PC{0,300}", sim in "\\PC{0,200}") {
        let dir = tempfile::tempdir().unwrap();
        write_pack(dir.path(), &manifest, &kp, &items, &sim);
        let outcome = load_pack(dir.path());
        prop_assert!(!outcome.diagnostics.is_empty());
    }

    #[test]
    fn damaged_real_files_never_panic(which in 0usize..4, cut_at in 0usize..20_000, cut_len in 0usize..200, insert in "[\\[\\]{}=\"+:\n a-z0-9.,-]{0,12}") {
        let dir = tempfile::tempdir().unwrap();
        let mut files = [real_file("pack.toml"), real_file("kps"), real_file("items"), String::new()];
        if shipped().join("simulations").is_dir() && fs::read_dir(shipped().join("simulations")).unwrap().next().is_some() {
            files[3] = real_file("simulations");
        }
        files[which] = mutate(&files[which], cut_at, cut_len, &insert);
        write_pack(dir.path(), &files[0], &files[1], &files[2], &files[3]);
        let outcome = load_pack(dir.path());
        for d in &outcome.diagnostics {
            prop_assert!(d.line >= 1, "{d}");
        }
    }

    #[test]
    fn rendering_never_panics_and_never_emits_script(md in "\\PC{0,400}") {
        let html = render_markdown(&md).to_lowercase();
        prop_assert!(!html.contains("<script"));
    }
}
