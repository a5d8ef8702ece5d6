//! Markdown → sanitized HTML. Pack Markdown is untrusted: the output holds no script, no event
//! handler, no style attribute and no URL at all (remote or relative), so a lesson cannot load or
//! link anything, whatever its author wrote.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Options, Parser};

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::new())
            .url_relative(ammonia::UrlRelative::Deny)
            .rm_tags(["img", "a"].iter().copied())
            .link_rel(None);
        b
    })
}

pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders lesson Markdown to HTML that is safe to put into the webview.
pub fn render_markdown(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, markdown_options()));
    sanitizer().clean(&raw).to_string()
}

/// The plain text of Markdown, one string per block (paragraph, heading, list item, table row
/// with its cells joined by " — "), empty blocks left out. The text is the author's words only:
/// no markup, no URL.
pub fn plain_blocks(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let (mut blocks, mut current) = (Vec::new(), String::new());
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => current.push_str(&t),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::Start(Tag::TableCell) if !current.is_empty() => current.push_str(" — "),
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::TableHead | Tag::TableRow)
            | Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow,
            ) => blocks.push(std::mem::take(&mut current)),
            _ => {}
        }
    }
    blocks.push(current);
    blocks.into_iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::{plain_blocks, render_markdown};

    #[test]
    fn plain_blocks_are_the_words_without_markup() {
        let md = "# ACoS\n\n**ACoS** = ad spend / ad sales.\nSee [the help](https://x.example).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |";
        assert_eq!(
            plain_blocks(md),
            ["ACoS", "ACoS = ad spend / ad sales. See the help.", "one", "two", "a — b", "1 — 2"]
        );
    }

    #[test]
    fn keeps_the_markdown_a_lesson_needs() {
        let html = render_markdown("# Title\n\n**bold** and *it*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote");
        for tag in ["<h1>", "<strong>bold</strong>", "<em>it</em>", "<table>", "<td>1</td>", "<blockquote>"] {
            assert!(html.contains(tag), "{tag} missing from {html}");
        }
    }

    #[test]
    fn xss_payloads_come_out_inert() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[home](https://evil.example/track)",
            "![pixel](https://evil.example/p.gif)",
            "<a href=\"//evil.example\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<svg onload=alert(1)>",
            "<div style=\"background:url(https://evil.example)\">x</div>",
            "<form action=\"https://evil.example\"><input></form>",
            "<object data=\"x.swf\"></object>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<details open ontoggle=alert(1)>",
        ];
        for p in payloads {
            let html = render_markdown(p).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "ontoggle",
                "javascript:",
                "evil.example",
                "<iframe",
                "style=",
                "<form",
                "<object",
                "<img",
                "href",
                "src=",
            ] {
                assert!(!html.contains(bad), "payload {p:?} left {bad:?} in {html:?}");
            }
        }
    }
}
