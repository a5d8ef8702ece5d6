//! Hostile lesson Markdown (issue #19): every payload is either refused by validation with its
//! `path:line`, or rendered inert by `render_markdown` — no script, event handler, style, URL or
//! embedded object survives. Each payload is written into a real lesson of a copy of the shipped
//! pack and the pack is validated, as an install would. Prints the tally docs/security.md
//! records (`cargo test -p crossway-content --test hostile -- --nocapture`).

use std::fs;
use std::path::{Path, PathBuf};

use crossway_content::{load_pack, render_markdown, DiagKind};

#[path = "hostile_payloads.rs"]
mod hostile_payloads;
use hostile_payloads::payloads;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

/// What must never come out of the renderer, lower-cased.
const FORBIDDEN: &[&str] = &[
    "<script",
    "<iframe",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<img",
    "<svg",
    "<math",
    "<style",
    "<link",
    "<meta",
    "<base",
    "<video",
    "<audio",
    "<source",
    "<frame",
    "<button",
    "<textarea",
    "<select",
    "<a ",
    "<a>",
    "href",
    "src=",
    "srcdoc",
    "style=",
    "javascript:",
    "vbscript:",
    "data:text",
    "data:image",
    "evil.example",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "onfocus",
    "ontoggle",
    "onanimation",
    "onbegin",
    "formaction",
    "xlink",
    "@import",
    "expression(",
];

#[test]
fn hostile_markdown_is_refused_at_its_line_or_rendered_inert() {
    let dir = tempfile::tempdir().unwrap();
    crossway_content::copy_tree(&shipped(), dir.path()).unwrap();
    let file = "kps/marketing.acos.md";
    let original = fs::read_to_string(dir.path().join(file)).unwrap();
    let marker = "::: lesson en\n";
    let at = original.find(marker).unwrap() + marker.len();
    let line = original[..at].lines().count() + 1;
    let payloads = payloads();
    let (mut refused, mut inert) = (0, 0);
    for p in &payloads {
        let text = format!("{}{p}\n\n{}", &original[..at], &original[at..]);
        fs::write(dir.path().join(file), &text).unwrap();
        let outcome = load_pack(dir.path());
        let ours: Vec<_> = outcome.diagnostics.iter().filter(|d| d.path.ends_with(file)).collect();
        let short: String = p.chars().take(60).collect();
        if !ours.is_empty() {
            // Refused: at the payload's line (the only problem in the file), as unsafe Markdown.
            assert!(
                ours.iter()
                    .all(|d| d.line >= line && d.kind == DiagKind::UnsafeMarkdown || d.kind == DiagKind::Formatting),
                "{short:?}: {ours:?}"
            );
            refused += 1;
        } else {
            assert!(outcome.diagnostics.is_empty(), "{short:?}: {:?}", outcome.diagnostics);
            inert += 1;
        }
        // Whether refused or not, what the renderer makes of it is inert: its tags (text is
        // escaped, so every `<` in the output opens a tag) hold nothing forbidden. A payload's
        // words may stay as text ("javascript:" from an autolink is shown, not followed).
        let html = render_markdown(p).to_lowercase();
        let tags: Vec<String> =
            html.split('<').skip(1).map(|s| format!("<{}>", s.split('>').next().unwrap_or_default())).collect();
        let tags = tags.join(" ");
        for bad in FORBIDDEN {
            assert!(!tags.contains(bad), "payload {short:?} left {bad:?} in the HTML tags: {tags:.300}");
        }
    }
    println!("{} hostile payloads: {refused} refused by validation at their line, {inert} accepted and rendered inert, 0 ran", payloads.len());
    assert!(payloads.len() >= 60);
}
