//! Plain-text excerpt of a parsed summary.

use comrak::arena_tree::NodeEdge;
use comrak::nodes::{Node, NodeValue};

use crate::links::find_cites;
use crate::markdown::media_paragraph;

/// Longest excerpt in characters, before the trailing "…".
pub const EXCERPT_CHARS: usize = 300;

/// Plain text of the document: whitespace collapsed, inline maths as `$TeX$`, cites as their
/// keys; display maths, code blocks, embedded media and footnotes are left out. Cut at a word
/// boundary with "…" when longer than [`EXCERPT_CHARS`].
pub fn excerpt<'a>(root: Node<'a>) -> String {
    let mut text = Collapsed::default();
    let mut skipping: Option<Node<'a>> = None;
    for edge in root.traverse() {
        if text.chars > EXCERPT_CHARS {
            break;
        }
        match edge {
            NodeEdge::Start(node) => {
                if skipping.is_some() {
                    continue;
                }
                let data = node.data();
                match &data.value {
                    NodeValue::FootnoteDefinition(_)
                    | NodeValue::CodeBlock(_)
                    | NodeValue::FootnoteReference(_) => skipping = Some(node),
                    NodeValue::Paragraph if media_paragraph(node).is_some() => {
                        skipping = Some(node);
                    }
                    NodeValue::Text(t) => push_text_with_cites(&mut text, t),
                    NodeValue::Code(code) => text.push(&code.literal),
                    NodeValue::HtmlInline(raw) => text.push(raw),
                    NodeValue::HtmlBlock(block) => text.push(&block.literal),
                    NodeValue::Math(math) if !math.display_math => {
                        text.push("$");
                        text.push(&math.literal);
                        text.push("$");
                    }
                    NodeValue::SoftBreak | NodeValue::LineBreak => text.push(" "),
                    value if value.block() => text.push(" "),
                    _ => {}
                }
            }
            NodeEdge::End(node) => {
                if skipping.is_some_and(|s| s.same_node(node)) {
                    skipping = None;
                }
                if node.data().value.block() {
                    text.push(" ");
                }
            }
        }
    }
    truncate(text.out.trim_end())
}

fn push_text_with_cites(text: &mut Collapsed, t: &str) {
    let mut last = 0;
    for cite in find_cites(t) {
        text.push(&t[last..cite.start]);
        text.push(&cite.keys.join(", "));
        last = cite.end;
    }
    text.push(&t[last..]);
}

/// Text with runs of whitespace collapsed to one space and none at the start.
#[derive(Default)]
struct Collapsed {
    out: String,
    chars: usize,
    pending_space: bool,
}

impl Collapsed {
    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                self.pending_space = !self.out.is_empty();
            } else {
                if self.pending_space {
                    self.out.push(' ');
                    self.chars += 1;
                    self.pending_space = false;
                }
                self.out.push(c);
                self.chars += 1;
            }
        }
    }
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_owned();
    }
    let cut = text
        .char_indices()
        .nth(EXCERPT_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    // Prefer the last word boundary unless that would throw most of the text away.
    let head = match head.rfind(' ') {
        Some(space) if space >= cut / 2 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(truncate("a few words"), "a few words");
    }

    #[test]
    fn long_text_is_cut_at_a_word_boundary() {
        let text = "word ".repeat(100);
        let cut = truncate(text.trim_end());
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn a_single_long_word_is_cut_hard() {
        let text = "x".repeat(1000);
        let cut = truncate(&text);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn trailing_punctuation_goes_before_the_ellipsis() {
        let text = format!(
            "{}, and more words follow here",
            "a".repeat(EXCERPT_CHARS - 5)
        );
        let cut = truncate(&text);
        assert!(cut.ends_with("aaa…"), "{cut}");
    }

    #[test]
    fn collapses_whitespace() {
        let mut c = Collapsed::default();
        c.push("  a \n\t b  ");
        c.push(" c");
        assert_eq!(c.out, "a b c");
        assert_eq!(c.chars, 5);
    }
}
