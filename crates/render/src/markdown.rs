//! Markdown parsing (comrak) and the tree rewrites that make it a ShortScience summary:
//! maths to MathML, `\cite{}` and old permalinks to paper links, bare media URLs to embeds,
//! demoted headings and per-summary footnote ids.

use std::collections::HashSet;

use comrak::arena_tree::NodeEdge;
use comrak::nodes::{LineColumn, Node, NodeValue};
use comrak::{Arena, Options};

use crate::links::{LegacyLink, Media, fallback_paper_url, find_cites};
use crate::math::{self, MAX_MATH_DEPTH};
use crate::{PaperLinks, RenderError, Warning, escape_html};

/// Deepest nesting of Markdown elements (quotes, lists, emphasis, …) accepted. Legitimate
/// summaries stay far below; thousands of levels make HTML parsing quadratic.
pub const MAX_NESTING: usize = 64;
/// Warnings kept per summary; the rest are counted in one last warning.
pub const MAX_WARNINGS: usize = 50;
/// How many backslashes comrak may visit looking for the `\)` or `\]` that closes a `\(` or
/// `\[`. Each unclosed opener scans to the end of its paragraph, so the cost is quadratic.
const LATEX_DELIMITER_BUDGET: u64 = 4_000_000;

/// Parsing options for `source`, and a warning when `\(…\)`/`\[…\]` maths had to be
/// switched off because the text holds so many unclosed openers that parsing would crawl.
pub fn options(source: &str) -> (Options<'static>, Option<Warning>) {
    let mut options = base_options();
    let warning = unclosed_latex_delimiters(source).map(|line| {
        options.extension.math_latex = false;
        Warning {
            line,
            message: "too many unclosed \\( or \\[: maths between \\( \\) and \\[ \\] is shown as text; use $…$ and $$…$$".to_owned(),
        }
    });
    (options, warning)
}

/// The line of an opener at which the scanning cost of `\(`/`\[` openers exceeds the budget.
fn unclosed_latex_delimiters(source: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    // Walking backwards: backslashes between here and the nearest closer to the right.
    let (mut to_paren, mut to_bracket, mut cost) = (0u64, 0u64, 0u64);
    for i in (0..bytes.len()).rev() {
        if bytes[i] != b'\\' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b')') => to_paren = 0,
            Some(b']') => to_bracket = 0,
            Some(b'(') => cost += to_paren,
            Some(b'[') => cost += to_bracket,
            _ => {}
        }
        to_paren += 1;
        to_bracket += 1;
        if cost > LATEX_DELIMITER_BUDGET {
            return Some(1 + bytes[..i].iter().filter(|&&b| b == b'\n').count());
        }
    }
    None
}

/// Fails when the parsed tree nests deeper than [`MAX_NESTING`].
pub fn check_nesting(root: Node<'_>) -> Result<(), RenderError> {
    let mut depth = 0usize;
    for edge in root.traverse() {
        match edge {
            NodeEdge::Start(node) => {
                depth += 1;
                // The document node itself does not count.
                if depth > MAX_NESTING + 1 {
                    return Err(RenderError::TooNested {
                        line: node.data().sourcepos.start.line,
                        depth: depth - 1,
                        max: MAX_NESTING,
                    });
                }
            }
            NodeEdge::End(_) => depth -= 1,
        }
    }
    Ok(())
}

/// CommonMark plus the GitHub extensions summaries use, and maths in both notations.
fn base_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.footnotes = true;
    options.extension.math_dollars = true;
    options.extension.math_latex = true;
    // Raw HTML is shown as text, never dropped and never trusted. The renderer's own HTML
    // goes into `Raw` nodes, which comrak writes as they are.
    options.render.escape = true;
    options
}

/// What the rewrite collected besides the changed tree.
#[derive(Debug, Default)]
pub struct Collected {
    pub warnings: Vec<Warning>,
    pub paper_refs: Vec<String>,
    seen_refs: HashSet<String>,
}

impl Collected {
    fn warn(&mut self, warning: Warning) {
        match self.warnings.len() {
            n if n < MAX_WARNINGS => self.warnings.push(warning),
            MAX_WARNINGS => self.warnings.push(Warning {
                line: warning.line,
                message: "more warnings from here on are left out".to_owned(),
            }),
            _ => {}
        }
    }

    fn paper_ref(&mut self, key: &str) {
        if self.seen_refs.insert(key.to_owned()) {
            self.paper_refs.push(key.to_owned());
        }
    }
}

/// Rewrites the parsed tree in place, in document order.
pub fn rewrite<'a>(
    arena: &'a Arena<'a>,
    root: Node<'a>,
    source: &str,
    links: &dyn PaperLinks,
) -> Result<Collected, RenderError> {
    let mut collected = Collected::default();
    let lines = LineStarts::new(source);
    let footnote_prefix = footnote_prefix(source);
    let nodes: Vec<Node<'a>> = root.descendants().collect();
    for node in nodes {
        // A node of a paragraph already replaced by an embed.
        if node.parent().is_none() && !node.same_node(root) {
            continue;
        }
        // These two read other nodes, so they run before this node's data is borrowed.
        let (is_text, is_paragraph) = {
            let data = node.data();
            (
                matches!(data.value, NodeValue::Text(_)),
                matches!(data.value, NodeValue::Paragraph),
            )
        };
        if is_text {
            if !inside_link(node) {
                cites(arena, node, links, &mut collected);
            }
            continue;
        }
        if is_paragraph {
            embed_media(node);
            continue;
        }
        let mut data = node.data_mut();
        let ast = &mut *data;
        match &mut ast.value {
            NodeValue::Math(m) => {
                let start = ast.sourcepos.start;
                let html = maths(start, &m.literal, m.display_math, &lines, &mut collected)?;
                ast.value = NodeValue::Raw(html);
            }
            // Pages own h1 and h2.
            NodeValue::Heading(heading) => heading.level = (heading.level + 2).min(6),
            NodeValue::FootnoteDefinition(def) => {
                def.name = format!("{footnote_prefix}-{}", def.name);
            }
            NodeValue::FootnoteReference(reference) => {
                reference.name = format!("{footnote_prefix}-{}", reference.name);
            }
            NodeValue::Link(link) => {
                if let Some(legacy) = LegacyLink::parse(&link.url) {
                    collected.paper_ref(&legacy.key);
                    if links.paper_url(&legacy.key).is_some() {
                        link.url = legacy.local_path();
                    }
                }
            }
            NodeValue::HtmlBlock(block) => {
                // Shown as text (the renderer escapes raw HTML), so give it a paragraph.
                let text = NodeValue::Text(block.literal.trim_end().to_owned().into());
                ast.value = NodeValue::Paragraph;
                node.append(arena.alloc(text.into()));
            }
            _ => {}
        }
    }
    Ok(collected)
}

/// One formula: limits first, then math-core; failures keep their source, marked.
fn maths(
    start: LineColumn,
    tex: &str,
    display: bool,
    lines: &LineStarts,
    collected: &mut Collected,
) -> Result<String, RenderError> {
    // Display maths on its own lines starts and ends with a newline; keep offsets in `full`.
    let full = tex;
    let lead = tex.len() - tex.trim_start().len();
    let tex = tex.trim();
    let line_at = |offset: usize| {
        let upto = (lead + offset).min(full.len());
        start.line
            + full.as_bytes()[..upto]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
    };
    let depth = math::nesting_depth(tex);
    if depth.max > MAX_MATH_DEPTH {
        return Err(RenderError::TooDeep {
            line: line_at(depth.at),
            depth: depth.max,
            max: MAX_MATH_DEPTH,
        });
    }
    match math::to_mathml(tex, display) {
        Ok(mathml) => Ok(mathml),
        Err(failure) => {
            let latex_style = lines.byte_at(start.line, start.column) == Some(b'\\');
            let (open, close) = match (latex_style, display) {
                (true, true) => ("\\[", "\\]"),
                (true, false) => ("\\(", "\\)"),
                (false, true) => ("$$", "$$"),
                (false, false) => ("$", "$"),
            };
            let shown = format!("{open}{full}{close}");
            let one_line = format!(
                "{open}{}{close}",
                tex.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            collected.warn(Warning {
                line: line_at(failure.offset),
                message: format!(
                    "maths not rendered ({}): {}",
                    shorten(&one_line, 60),
                    failure.reason
                ),
            });
            Ok(math::error_html(&shown, &failure.reason))
        }
    }
}

fn shorten(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

fn inside_link(node: Node<'_>) -> bool {
    node.ancestors()
        .any(|a| matches!(a.data().value, NodeValue::Link(_) | NodeValue::Image(_)))
}

/// Replaces each `\cite{…}` in a text node by links to the cited papers.
fn cites<'a>(
    arena: &'a Arena<'a>,
    node: Node<'a>,
    links: &dyn PaperLinks,
    collected: &mut Collected,
) {
    let (found, text) = {
        let data = node.data();
        let NodeValue::Text(text) = &data.value else {
            return;
        };
        let found = find_cites(text);
        if found.is_empty() {
            return;
        }
        (found, text.to_string())
    };
    let mut last = 0;
    for cite in found {
        if cite.start > last {
            let before = NodeValue::Text(text[last..cite.start].to_owned().into());
            node.insert_before(arena.alloc(before.into()));
        }
        let html = cite
            .keys
            .iter()
            .map(|key| {
                collected.paper_ref(key);
                let href = links
                    .paper_url(key)
                    .unwrap_or_else(|| fallback_paper_url(key));
                format!(
                    "<a class=\"cite\" href=\"{}\">{}</a>",
                    escape_html(&href),
                    escape_html(key)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        node.insert_before(arena.alloc(NodeValue::Raw(html).into()));
        last = cite.end;
    }
    node.data_mut().value = NodeValue::Text(text[last..].to_owned().into());
}

/// Turns a paragraph of bare image/video URLs into embeds.
fn embed_media(node: Node<'_>) {
    let Some(media) = media_paragraph(node) else {
        return;
    };
    let html: String = media.iter().map(|(kind, url)| embed(*kind, url)).collect();
    for child in node.children().collect::<Vec<_>>() {
        child.detach();
    }
    node.data_mut().value = NodeValue::Raw(html);
}

/// The media of a paragraph made only of bare image or video URLs (one or more, on their
/// own lines), with their URLs; `None` for any other paragraph.
pub fn media_paragraph(node: Node<'_>) -> Option<Vec<(Media, String)>> {
    if !matches!(node.data().value, NodeValue::Paragraph) {
        return None;
    }
    let mut found = Vec::new();
    for child in node.children() {
        match &child.data().value {
            NodeValue::SoftBreak | NodeValue::LineBreak => {}
            NodeValue::Text(t) if t.trim().is_empty() => {}
            NodeValue::Link(link) if is_bare(child, &link.url) => {
                found.push((Media::of_url(&link.url)?, link.url.clone()));
            }
            _ => return None,
        }
    }
    (!found.is_empty()).then_some(found)
}

/// Whether a link shows its own URL, as a bare (auto)link does.
fn is_bare(link: Node<'_>, url: &str) -> bool {
    let mut children = link.children();
    match (children.next(), children.next()) {
        (Some(only), None) => matches!(&only.data().value, NodeValue::Text(t) if t.as_ref() == url),
        _ => false,
    }
}

fn embed(kind: Media, url: &str) -> String {
    let url = escape_html(url);
    match kind {
        Media::Image => {
            format!(
                "<figure class=\"embed\"><img src=\"{url}\" alt=\"\" loading=\"lazy\"></figure>\n"
            )
        }
        Media::Video => format!(
            "<figure class=\"embed\"><video controls preload=\"metadata\" src=\"{url}\"><a href=\"{url}\">{url}</a></video></figure>\n"
        ),
    }
}

/// A short, stable id per source, so footnotes of several summaries on one page differ.
fn footnote_prefix(source: &str) -> String {
    // 32-bit FNV-1a: fixed across Rust releases, unlike `DefaultHasher`.
    let hash = source.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

/// Byte offsets of line starts, to look at the source under a node's position.
struct LineStarts<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineStarts<'s> {
    fn new(source: &'s str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { source, starts }
    }

    /// The byte at a 1-based line and 1-based byte column, if there is one.
    fn byte_at(&self, line: usize, column: usize) -> Option<u8> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        self.source
            .as_bytes()
            .get(start + column.checked_sub(1)?)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use comrak::parse_document;

    fn first_paragraph_media(md: &str) -> Option<Vec<(Media, String)>> {
        let arena = Arena::new();
        let root = parse_document(&arena, md, &base_options());
        let para = root.first_child()?;
        media_paragraph(para)
    }

    #[test]
    fn bare_media_urls_alone_in_a_paragraph_embed() {
        let found = first_paragraph_media("https://x.org/a.png\nhttps://x.org/b.webm\n").unwrap();
        assert_eq!(
            found,
            [
                (Media::Image, "https://x.org/a.png".to_owned()),
                (Media::Video, "https://x.org/b.webm".to_owned())
            ]
        );
        assert!(first_paragraph_media("<https://x.org/a.gif>").is_some());
    }

    #[test]
    fn media_urls_among_words_or_named_links_stay_links() {
        assert!(first_paragraph_media("see https://x.org/a.png").is_none());
        assert!(first_paragraph_media("[a picture](https://x.org/a.png)").is_none());
        assert!(first_paragraph_media("https://x.org/page").is_none());
        assert!(first_paragraph_media("https://x.org/a.png https://x.org/page").is_none());
    }

    #[test]
    fn footnote_prefix_is_stable_and_differs_per_source() {
        assert_eq!(footnote_prefix(""), "811c9dc5");
        assert_eq!(footnote_prefix("a"), "e40c292c");
        assert_ne!(footnote_prefix("one summary"), footnote_prefix("another"));
    }

    #[test]
    fn line_starts_find_bytes_by_position() {
        let lines = LineStarts::new("ab\n\\(x\\)\n");
        assert_eq!(lines.byte_at(1, 2), Some(b'b'));
        assert_eq!(lines.byte_at(2, 1), Some(b'\\'));
        assert_eq!(lines.byte_at(9, 1), None);
        assert_eq!(lines.byte_at(0, 1), None);
    }

    #[test]
    fn unclosed_latex_openers_switch_latex_delimiters_off() {
        assert_eq!(
            unclosed_latex_delimiters(r"\(a\) and \[b\] and \( lone"),
            None
        );
        let many = "\\( x ".repeat(5000);
        assert_eq!(unclosed_latex_delimiters(&many), Some(1));
        let (options, warning) = options(&format!("ok\n{many}"));
        assert!(!options.extension.math_latex);
        assert_eq!(warning.map(|w| w.line), Some(2));
        // Many closed pairs cost nothing.
        assert_eq!(unclosed_latex_delimiters(&"\\(x\\) ".repeat(10_000)), None);
    }

    #[test]
    fn nesting_is_bounded() {
        let arena = Arena::new();
        let ok = ">".repeat(MAX_NESTING - 2) + " x";
        assert!(check_nesting(parse_document(&arena, &ok, &base_options())).is_ok());
        let deep = format!("text\n\n{}", ">".repeat(MAX_NESTING + 5));
        let err = check_nesting(parse_document(&arena, &deep, &base_options())).unwrap_err();
        assert_eq!(
            err,
            RenderError::TooNested {
                line: 3,
                depth: MAX_NESTING + 1,
                max: MAX_NESTING
            }
        );
    }

    #[test]
    fn warnings_are_capped() {
        let mut collected = Collected::default();
        for line in 1..=MAX_WARNINGS + 10 {
            collected.warn(Warning {
                line,
                message: "m".to_owned(),
            });
        }
        assert_eq!(collected.warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(collected.warnings[MAX_WARNINGS].line, MAX_WARNINGS + 1);
    }

    #[test]
    fn shorten_marks_cut_text() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
