//! The last step of rendering: an explicit allow-list of what the renderer generates.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use ammonia::Builder;

const HTML_TAGS: &[&str] = &[
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
    "span", // Inside `<mtext>` (`\textbf`, `\textit`, …).
    "b",
    "i",
    "s",
    "u",
];

pub(crate) const MATHML_TAGS: &[&str] = &[
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

/// Presentational MathML attributes; nothing that links, scripts or styles.
const MATHML_ATTRIBUTES: &[&str] = &[
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

const LINK_REL: &str = "nofollow noopener ugc";

fn builder() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::from([
            ("a", HashSet::from(["href", "title", "id", "aria-label"])),
            ("img", HashSet::from(["src", "alt", "title", "loading"])),
            ("video", HashSet::from(["src", "controls", "preload"])),
            ("ol", HashSet::from(["start"])),
            ("li", HashSet::from(["id"])),
            ("th", HashSet::from(["align"])),
            ("td", HashSet::from(["align"])),
            ("span", HashSet::from(["title"])),
        ]);
        for tag in MATHML_TAGS {
            tag_attributes.insert(tag, MATHML_ATTRIBUTES.iter().copied().collect());
        }
        let allowed_classes = HashMap::from([
            ("a", HashSet::from(["cite", "footnote-backref"])),
            ("sup", HashSet::from(["footnote-ref"])),
            ("section", HashSet::from(["footnotes"])),
            ("figure", HashSet::from(["embed"])),
            (
                "span",
                HashSet::from([
                    "math-error",
                    "math-core-serif-font",
                    "math-core-sans-serif-font",
                ]),
            ),
        ]);
        let mut b = Builder::empty();
        b.tags(HTML_TAGS.iter().chain(MATHML_TAGS).copied().collect())
            .clean_content_tags(HashSet::from(["script", "style"]))
            .tag_attributes(tag_attributes)
            .allowed_classes(allowed_classes)
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some(LINK_REL))
            .set_tag_attribute_value("img", "loading", "lazy")
            .strip_comments(true)
            .attribute_filter(|_element, attribute, value| match attribute {
                // Only the renderer's own footnote ids, which carry a per-summary prefix.
                "id" if !(value.starts_with("fn-") || value.starts_with("fnref-")) => None,
                // comrak blanks dangerous link targets; a link to nowhere is no link.
                "href" | "src" if value.trim().is_empty() => None,
                _ => Some(value.into()),
            });
        b
    })
}

/// Sanitises generated HTML; anything outside the allow-list is dropped or made inert.
pub fn clean(html: &str) -> String {
    // `write_to` skips the copy and formatter pass that `to_string` makes.
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    builder()
        .clean(html)
        .write_to(&mut out)
        .expect("writing to a Vec cannot fail");
    // html5ever writes UTF-8 only; lossy keeps this total all the same.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_generated_markup() {
        let html = "<p><em>a</em> <a href=\"https://x.org/\" class=\"cite\">k</a></p>";
        assert_eq!(
            clean(html),
            "<p><em>a</em> <a href=\"https://x.org/\" class=\"cite\" rel=\"nofollow noopener ugc\">k</a></p>"
        );
        let fig = "<figure class=\"embed\"><img src=\"https://x.org/a.png\" alt=\"\"></figure>";
        assert_eq!(
            clean(fig),
            "<figure class=\"embed\"><img src=\"https://x.org/a.png\" alt=\"\" loading=\"lazy\"></figure>"
        );
    }

    #[test]
    fn keeps_mathml_in_its_namespace() {
        let math = "<p><math display=\"block\"><semantics><mfrac linethickness=\"0\"><mi mathvariant=\"normal\">a</mi><mn>2</mn></mfrac><annotation encoding=\"application/x-tex\">\\frac a2</annotation></semantics></math></p>";
        assert_eq!(clean(math), math);
        let spaced = "<math><mspace width=\"0.2em\"/><mtext><b>t</b></mtext></math>";
        assert_eq!(
            clean(spaced),
            "<math><mspace width=\"0.2em\"></mspace><mtext><b>t</b></mtext></math>"
        );
    }

    #[test]
    fn drops_everything_executable() {
        let cases = [
            ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
            (
                "<p onclick=\"alert(1)\" style=\"color:red\">x</p>",
                "<p>x</p>",
            ),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a rel=\"nofollow noopener ugc\">x</a>",
            ),
            (
                "<a href=\"\">x</a>",
                "<a rel=\"nofollow noopener ugc\">x</a>",
            ),
            (
                "<img src=\"data:image/png;base64,AAAA\">",
                "<img loading=\"lazy\">",
            ),
            ("<iframe src=\"https://x.org/\"></iframe>", ""),
            (
                "<math href=\"javascript:alert(1)\"><mi>x</mi></math>",
                "<math><mi>x</mi></math>",
            ),
            (
                "<math><mi style=\"color:red\" class=\"x\">x</mi></math>",
                "<math><mi>x</mi></math>",
            ),
            ("<h1>big</h1><h2>t</h2>", "bigt"),
            (
                "<span class=\"evil math-error\">e</span>",
                "<span class=\"math-error\">e</span>",
            ),
            ("<li id=\"login\">x</li>", "<li>x</li>"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "{input}");
        }
    }

    #[test]
    fn html_inside_maths_tokens_cannot_escape() {
        // `<mtext>` is an HTML integration point: only allowed HTML may live there.
        let out = clean(
            "<math><mtext><img src=x onerror=alert(1)><svg onload=alert(1)></svg></mtext></math>",
        );
        assert!(
            !out.contains("onerror") && !out.contains("onload") && !out.contains("<svg"),
            "{out}"
        );
        let out = clean("<math><mi><style><img src=x onerror=alert(1)></style></mi></math>");
        assert!(!out.contains("onerror"), "{out}");
    }
}
