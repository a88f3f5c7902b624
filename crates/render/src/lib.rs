//! Markdown + LaTeX -> sanitised HTML with MathML. Pure: no I/O.
//!
//! The one way a summary's text becomes HTML: comrak parses CommonMark with GitHub tables,
//! strikethrough, autolinks and footnotes, plus `$…$`, `$$…$$`, `\(…\)` and `\[…\]` maths;
//! the tree is rewritten (maths to MathML via math-core, `\cite{}` and old ShortScience links
//! to paper links, bare image/video URLs to embeds, headings demoted two levels); the HTML is
//! then sanitised by ammonia against an explicit allow-list.
//!
//! Choices worth knowing:
//! - Raw HTML in a summary is shown as text, never interpreted.
//! - TeX that math-core cannot convert (or longer than [`MAX_FORMULA_BYTES`]) is shown as its
//!   source in `<span class="math-error" title="reason"><code>…</code></span>` with a
//!   [`Warning`]; the summary still renders.
//! - Only limits fail a render: [`MAX_SOURCE_BYTES`], maths nesting ([`MAX_MATH_DEPTH`],
//!   estimated before math-core is called, so hostile TeX cannot overflow the stack) and
//!   Markdown nesting ([`MAX_NESTING`]).
//! - MathML keeps only presentational attributes: `style` (colours, `\hspace`, alignment
//!   inside `align`) and `id` (equation labels) are dropped.

mod excerpt;
mod links;
mod markdown;
mod math;
mod sanitize;

pub use excerpt::EXCERPT_CHARS;
pub use markdown::{MAX_NESTING, MAX_WARNINGS};
pub use math::{MAX_FORMULA_BYTES, MAX_MATH_DEPTH};

/// Bump whenever output for the same input may change; stored HTML with an older
/// version is re-rendered at start-up.
pub const RENDERER_VERSION: i64 = 1;
/// Largest accepted source, in bytes.
pub const MAX_SOURCE_BYTES: usize = 100 * 1024;

/// How paper references found in the text become links. Called with the raw key
/// (`\cite{KEY}` or the `bibtexKey` of an old www.shortscience.org/paper link); returns
/// the local URL when that paper is known here. Pure from the renderer's point of view.
pub trait PaperLinks {
    fn paper_url(&self, key: &str) -> Option<String>;
}

/// Resolves nothing: `\cite` keys link to `/paper?bibtexKey=KEY`, old links stay as written.
pub struct NoPapers;
impl PaperLinks for NoPapers {
    fn paper_url(&self, _key: &str) -> Option<String> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML fragment.
    pub html: String,
    /// Non-fatal problems (maths that did not parse, …), with 1-based source lines.
    pub warnings: Vec<Warning>,
    /// Paper keys referenced by `\cite{}` or old ShortScience links, in order, deduplicated.
    pub paper_refs: Vec<String>,
    /// Plain text (not HTML-escaped), whitespace collapsed, at most [`EXCERPT_CHARS`] chars
    /// plus "…", cut at a word boundary. Inline maths appears as `$TeX$`; display maths,
    /// code blocks, embedded media and footnotes are left out.
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("summary is {len} bytes; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("line {line}: maths nested {depth} levels deep; the limit is {max}")]
    TooDeep {
        line: usize,
        depth: usize,
        max: usize,
    },
    /// Quotes, lists or emphasis nested so deeply that browsers and the sanitiser slow down.
    #[error("line {line}: text nested {depth} levels deep; the limit is {max}")]
    TooNested {
        line: usize,
        depth: usize,
        max: usize,
    },
}

/// Renders one summary. Fails only on limits (size, maths nesting, Markdown nesting);
/// anything else that goes wrong in the text becomes a [`Warning`] and is shown as written.
pub fn render(source: &str, links: &dyn PaperLinks) -> Result<Rendered, RenderError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(RenderError::TooLong {
            len: source.len(),
            max: MAX_SOURCE_BYTES,
        });
    }
    let (options, delimiter_warning) = markdown::options(source);
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, source, &options);
    markdown::check_nesting(root)?;
    let excerpt = excerpt::excerpt(root);
    let mut collected = markdown::rewrite(&arena, root, source, links)?;
    if let Some(warning) = delimiter_warning {
        collected.warnings.insert(0, warning);
    }
    let mut html = String::with_capacity(source.len() * 2);
    // Writing into a String cannot fail.
    let _ = comrak::format_html(root, &options, &mut html);
    Ok(Rendered {
        html: sanitize::clean(&html),
        warnings: collected.warnings,
        paper_refs: collected.paper_refs,
        excerpt,
    })
}

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
