//! Hostile input in every place a summary can put it must come out inert.

mod common;

use std::path::PathBuf;

use shortscience_render::{PaperLinks, render};

/// A resolver that hands back whatever it is given, so hostile keys reach `href`s.
struct EchoLinks;

impl PaperLinks for EchoLinks {
    fn paper_url(&self, key: &str) -> Option<String> {
        Some(key.to_owned())
    }
}

/// Every place a payload can sit in a summary.
fn contexts(payload: &str) -> Vec<String> {
    vec![
        payload.to_owned(),
        format!("text {payload} text"),
        format!("${payload}$"),
        format!("$${payload}$$"),
        format!("\\[{payload}\\]"),
        format!("$\\text{{{payload}}}$"),
        format!("$\\operatorname{{{payload}}}$"),
        format!("$\\mathrm{{{payload}}}$"),
        format!("[link]({payload})"),
        format!("![image]({payload})"),
        format!("<{payload}>"),
        format!("[{payload}](https://example.org/)"),
        format!("[ref][1]\n\n[1]: {payload}"),
        format!("\\cite{{{payload}}}"),
        format!("https://www.shortscience.org/paper?bibtexKey={payload}&a={payload}"),
        format!("`{payload}`"),
        format!("```\n{payload}\n```"),
        format!("| a |\n|---|\n| {payload} |"),
        format!("text[^n]\n\n[^{payload}]: note\n[^n]: {payload}"),
        format!("# {payload}"),
    ]
}

fn check(payload: &str) {
    for source in contexts(payload) {
        for links in [&EchoLinks as &dyn PaperLinks, &common::KnownPapers] {
            if let Ok(rendered) = render(&source, links) {
                common::assert_inert(&rendered.html, &source);
            }
        }
    }
}

#[test]
fn own_payloads_are_inert() {
    for payload in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "\" onmouseover=\"alert(1)",
        "' onmouseover='alert(1)",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<iframe srcdoc=\"<script>alert(1)</script>\">",
        "<a/href=javascript:alert(1)>x</a>",
        "<object data=javascript:alert(1)>",
        "<style>*{background:url(https://evil.example/)}</style>",
        "<base href=https://evil.example/>",
        "<form action=javascript:alert(1)><input type=submit>",
        "\u{0}<script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#106;avascript:alert(1)",
    ] {
        check(payload);
    }
}

/// The hostile-input lists the project ships in `tests/fixtures/security/xss` (MIT-licensed
/// third-party data; see the README there).
#[test]
fn xss_lists_are_inert() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/security/xss");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    let mut payloads = 0;
    for entry in entries {
        let bytes = std::fs::read(entry.expect("readable entry").path()).expect("readable list");
        for line in String::from_utf8_lossy(&bytes).lines() {
            check(line);
            payloads += 1;
        }
    }
    assert!(
        payloads > 100,
        "only {payloads} payloads found in {}",
        dir.display()
    );
}
