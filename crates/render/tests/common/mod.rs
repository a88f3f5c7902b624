//! Helpers shared by the integration tests.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use shortscience_render::PaperLinks;

/// Papers "known here" in the tests.
pub struct KnownPapers;

impl PaperLinks for KnownPapers {
    fn paper_url(&self, key: &str) -> Option<String> {
        match key {
            "vaswani2017attention" => Some("/paper/arxiv/1706.03762".to_owned()),
            "hochreiter1997long" => Some("/paper/doi/10.1162/neco.1997.9.8.1735".to_owned()),
            _ => None,
        }
    }
}

const TAGS: &[&str] = &[
    "p",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "video",
    "figure",
    "sup",
    "section",
    "hr",
    "br",
    "span",
    "b",
    "i",
    "s",
    "u",
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msub",
    "msup",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "mmultiscripts",
    "mprescripts",
    "none",
    "merror",
];

const ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "title",
    "alt",
    "loading",
    "controls",
    "preload",
    "class",
    "id",
    "start",
    "align",
    "aria-label",
    "rel",
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "form",
    "lspace",
    "rspace",
    "minsize",
    "maxsize",
    "movablelimits",
    "largeop",
    "symmetric",
    "accent",
    "accentunder",
    "linethickness",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "displaystyle",
    "scriptlevel",
    "width",
    "height",
    "depth",
    "voffset",
    "notation",
    "encoding",
];

/// Asserts that sanitised output can run nothing: every tag and attribute is on the
/// allow-list, no event handler or style survives, and URLs use only safe schemes.
/// Relies on the sanitiser's serialisation: text `<` is always escaped and attribute values
/// are always double-quoted.
pub fn assert_inert(html: &str, input: &str) {
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(rel) = html[i..].find('<') {
        let at = i + rel;
        let mut j = at + 1;
        if bytes.get(j) == Some(&b'/') {
            j += 1;
        }
        let name_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        let tag = &html[name_start..j];
        assert!(
            TAGS.contains(&tag),
            "tag <{tag}> in output\ninput: {input:?}\noutput: {html}"
        );
        // Attributes up to the end of the tag.
        loop {
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            match bytes.get(j) {
                Some(b'>') => {
                    j += 1;
                    break;
                }
                Some(b'/') if bytes.get(j + 1) == Some(&b'>') => {
                    j += 2;
                    break;
                }
                None => panic!("unterminated tag\ninput: {input:?}\noutput: {html}"),
                _ => {}
            }
            let attr_start = j;
            while j < bytes.len() && !matches!(bytes[j], b'=' | b' ' | b'>') {
                j += 1;
            }
            let attr = &html[attr_start..j];
            assert!(
                ATTRIBUTES.contains(&attr),
                "attribute {attr} on <{tag}>\ninput: {input:?}\noutput: {html}"
            );
            if bytes.get(j) == Some(&b'=') {
                assert_eq!(
                    bytes.get(j + 1),
                    Some(&b'"'),
                    "unquoted attribute in {html}"
                );
                let value_start = j + 2;
                let len = html[value_start..]
                    .find('"')
                    .unwrap_or_else(|| panic!("unterminated attribute in {html}"));
                let value = &html[value_start..value_start + len];
                if attr == "href" || attr == "src" {
                    assert_safe_url(value, input, html);
                }
                j = value_start + len + 1;
            }
        }
        i = j;
    }
}

fn assert_safe_url(value: &str, input: &str, html: &str) {
    let url: String = value
        .replace("&amp;", "&")
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    // A scheme is a letter then letters, digits, `+`, `-`, `.`, ended by `:`; anything else
    // before the first `:` makes the URL relative, as browsers read it.
    let scheme = url.split_once(':').map(|(head, _)| head).filter(|head| {
        head.starts_with(|c: char| c.is_ascii_alphabetic())
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let safe = scheme.is_none_or(|s| matches!(s, "http" | "https" | "mailto"));
    assert!(
        safe,
        "unsafe URL {value:?}\ninput: {input:?}\noutput: {html}"
    );
}
