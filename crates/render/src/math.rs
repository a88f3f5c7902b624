//! TeX maths -> MathML through one shared math-core converter, with the limits that keep a
//! hostile formula from exhausting the stack, and a check of what math-core emits.

use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

use crate::escape_html;

/// Deepest maths nesting accepted, as estimated before calling math-core, which recurses
/// per level: here a debug build stays far inside a 2 MiB thread stack (tested; overflow
/// needs hundreds of levels).
pub const MAX_MATH_DEPTH: usize = 48;
/// Longest single formula handed to math-core; longer ones are shown as source with a warning.
pub const MAX_FORMULA_BYTES: usize = 4 * 1024;

fn converter() -> &'static LatexToMathML {
    static CONVERTER: OnceLock<LatexToMathML> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        let config = MathCoreConfig {
            // Keeps the TeX source in the page: copyable, searchable, read by screen readers.
            annotation: true,
            ..MathCoreConfig::default()
        };
        // No custom macros, so construction cannot fail; fall back to defaults regardless.
        LatexToMathML::new(config).unwrap_or_default()
    })
}

/// A formula that could not become MathML, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathFailure {
    /// Byte offset into the TeX source the problem was found at.
    pub offset: usize,
    pub reason: String,
}

/// Converts one formula (without delimiters). Limits are the caller's job except the length.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, MathFailure> {
    if tex.len() > MAX_FORMULA_BYTES {
        return Err(MathFailure {
            offset: 0,
            reason: format!(
                "formula is {} bytes; the limit is {MAX_FORMULA_BYTES}",
                tex.len()
            ),
        });
    }
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    match converter().convert_with_local_state(tex, mode) {
        Ok(done) => match foreign_tag(&done.mathml) {
            None => Ok(done.mathml),
            Some(_) => Err(MathFailure {
                offset: 0,
                reason: "an argument would become markup here; remove < and > from it".to_owned(),
            }),
        },
        Err(err) => Err(MathFailure {
            offset: err.0.start.min(tex.len()),
            reason: err.error_message(),
        }),
    }
}

/// The source of a formula that failed, marked so authors can find and fix it.
pub fn error_html(delimited_source: &str, reason: &str) -> String {
    format!(
        "<span class=\"math-error\" title=\"{}\"><code>{}</code></span>",
        escape_html(reason),
        escape_html(delimited_source)
    )
}

/// Whether math-core writes elements of this name: the allow-list's MathML (a test checks
/// every allow-listed tag is here) plus the HTML it puts inside `<mtext>`. A `match` on
/// bytes: a UTF-8 check and a list scan per tag cost almost half as much as math-core's
/// conversion.
fn is_emitted_tag(name: &[u8]) -> bool {
    matches!(
        name,
        b"math"
            | b"semantics"
            | b"annotation"
            | b"mrow"
            | b"mi"
            | b"mn"
            | b"mo"
            | b"ms"
            | b"mtext"
            | b"mspace"
            | b"msub"
            | b"msup"
            | b"msubsup"
            | b"mfrac"
            | b"msqrt"
            | b"mroot"
            | b"mover"
            | b"munder"
            | b"munderover"
            | b"mtable"
            | b"mtr"
            | b"mtd"
            | b"mstyle"
            | b"mpadded"
            | b"mphantom"
            | b"menclose"
            | b"mmultiscripts"
            | b"mprescripts"
            | b"none"
            | b"merror"
            // Inside `<mtext>` (`\textbf`, `\textit`, `\emph`).
            | b"b"
            | b"i"
            | b"em"
    )
}

/// Finds a tag math-core did not mean to write. math-core 0.7 copies some arguments
/// (`\operatorname{<img …>}`) into the output unescaped; such a formula is refused rather
/// than trusted to the sanitiser, which would keep an allowed HTML tag inside `<mo>`.
/// Accepted: known elements written as math-core writes them, `<name( attr="value")*/?>`.
fn foreign_tag(mathml: &str) -> Option<usize> {
    let bytes = mathml.as_bytes();
    let mut from = 0;
    while let Some(rel) = bytes[from..].iter().position(|&b| b == b'<') {
        let at = from + rel;
        match well_formed_tag_end(bytes, at) {
            Some(end) => from = end,
            None => return Some(at),
        }
    }
    None
}

/// The index after the tag starting at `at`, if it is one of math-core's own.
fn well_formed_tag_end(bytes: &[u8], at: usize) -> Option<usize> {
    let name_of = |mut i: usize| {
        let start = i;
        while bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_lowercase() || b == b'-')
        {
            i += 1;
        }
        (start, i)
    };
    let mut i = at + 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let (start, end) = name_of(i);
    if !is_emitted_tag(&bytes[start..end]) {
        return None;
    }
    i = end;
    loop {
        match bytes.get(i)? {
            b'>' => return Some(i + 1),
            b'/' if !closing && bytes.get(i + 1) == Some(&b'>') => return Some(i + 2),
            b' ' if !closing => {
                let (start, end) = name_of(i + 1);
                if start == end || bytes.get(end..end + 2)? != b"=\"" {
                    return None;
                }
                let value_len = bytes[end + 2..].iter().position(|&b| b == b'"')?;
                i = end + 2 + value_len + 1;
            }
            _ => return None,
        }
    }
}

/// The result of measuring how deeply a formula nests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Depth {
    pub max: usize,
    /// Byte offset where `max` was first reached.
    pub at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Brace,
    Bracket,
    LeftRight,
    Env,
    /// A command still waiting for this many arguments.
    Args(u8),
}

/// Number of arguments a command takes, as math-core parses it. Unknown and zero-argument
/// commands count as one, which over-estimates harmlessly: a following atom completes them.
fn arity(command: &str) -> u8 {
    match command {
        "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" | "tbinom" | "overset"
        | "underset" | "stackrel" => 2,
        "sideset" | "prescript" => 3,
        "genfrac" => 6,
        _ => 1,
    }
}

/// Estimates, without parsing, how deep math-core's recursive parser will go: groups (`{}`,
/// optional `[]`, `\left…\right`, `\begin…\end`) and commands still waiting for arguments all
/// count, as do consecutive comment lines (math-core's lexer recurses over them). Linear time.
pub fn nesting_depth(tex: &str) -> Depth {
    let bytes = tex.as_bytes();
    let mut nest = Nesting::default();
    let mut best = Depth { max: 0, at: 0 };
    let mut comments = 0usize;
    let mut after_command = false;
    let mut i = 0;
    while i < bytes.len() {
        let at = i;
        let b = bytes[i];
        i += 1;
        if b.is_ascii_whitespace() {
            continue;
        }
        if b == b'%' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            i += 1;
            comments += 1;
        } else {
            comments = 0;
            let was_after_command = std::mem::replace(&mut after_command, false);
            match b {
                b'{' => nest.open(Level::Brace),
                b'}' => nest.close(Level::Brace, true),
                b'[' if was_after_command => nest.open(Level::Bracket),
                // An optional argument is not one of the required ones: no atom completes.
                b']' if nest.is_open(Level::Bracket) => nest.close(Level::Bracket, false),
                b'^' | b'_' => {
                    nest.open(Level::Args(1));
                    after_command = true;
                }
                b'\\' => {
                    let start = i;
                    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    if i == start {
                        // A control symbol such as `\{` or `\,`; text accents take an argument.
                        let symbol = tex[i..].chars().next();
                        i += symbol.map_or(0, char::len_utf8);
                        if matches!(symbol, Some('\'' | '"' | '`' | '^' | '~' | '=' | '.')) {
                            nest.open(Level::Args(1));
                        } else {
                            nest.complete_atom();
                        }
                    } else {
                        let name = &tex[start..i];
                        if bytes.get(i) == Some(&b'*') {
                            i += 1;
                        }
                        match name {
                            "left" => {
                                nest.open(Level::LeftRight);
                                i = skip_delimiter(tex, i);
                            }
                            "right" => {
                                nest.close(Level::LeftRight, true);
                                i = skip_delimiter(tex, i);
                            }
                            "middle" => i = skip_delimiter(tex, i),
                            "begin" => {
                                nest.open(Level::Env);
                                i = skip_env_name(bytes, i);
                            }
                            "end" => {
                                nest.close(Level::Env, true);
                                i = skip_env_name(bytes, i);
                            }
                            _ => {
                                nest.open(Level::Args(arity(name)));
                                after_command = true;
                            }
                        }
                    }
                }
                _ => {
                    // Any other character is one atom (skip the rest of a multi-byte one).
                    while i < bytes.len() && !tex.is_char_boundary(i) {
                        i += 1;
                    }
                    nest.complete_atom();
                }
            }
        }
        let depth = nest.stack.len() + comments;
        if depth > best.max {
            best = Depth { max: depth, at };
        }
    }
    best
}

/// The open levels, plus how many of each group kind are open so closing never searches.
#[derive(Default)]
struct Nesting {
    stack: Vec<Level>,
    open_groups: [usize; 4],
}

impl Nesting {
    fn slot(kind: Level) -> Option<usize> {
        match kind {
            Level::Brace => Some(0),
            Level::Bracket => Some(1),
            Level::LeftRight => Some(2),
            Level::Env => Some(3),
            Level::Args(_) => None,
        }
    }

    fn open(&mut self, kind: Level) {
        if let Some(slot) = Self::slot(kind) {
            self.open_groups[slot] += 1;
        }
        self.stack.push(kind);
    }

    fn is_open(&self, kind: Level) -> bool {
        Self::slot(kind).is_some_and(|slot| self.open_groups[slot] > 0)
    }

    /// Closes the innermost `kind` group, dropping whatever is left open inside it (as
    /// math-core would report an error there); the closed group may be an argument.
    fn close(&mut self, kind: Level, is_argument: bool) {
        if !self.is_open(kind) {
            return;
        }
        while let Some(top) = self.stack.pop() {
            if let Some(slot) = Self::slot(top) {
                self.open_groups[slot] -= 1;
            }
            if top == kind {
                break;
            }
        }
        if is_argument {
            self.complete_atom();
        }
    }

    fn complete_atom(&mut self) {
        while let Some(Level::Args(left)) = self.stack.last_mut() {
            if *left > 1 {
                *left -= 1;
                return;
            }
            self.stack.pop();
        }
    }
}

/// Skips the delimiter after `\left`, `\right` or `\middle`: one character or one command.
fn skip_delimiter(tex: &str, mut i: usize) -> usize {
    let bytes = tex.as_bytes();
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if i < bytes.len() && bytes[i] == b'\\' {
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i == start {
            i += tex[i..].chars().next().map_or(0, char::len_utf8);
        }
        return i;
    }
    i + tex[i..].chars().next().map_or(0, char::len_utf8)
}

/// Skips `{name}` after `\begin` or `\end`.
fn skip_env_name(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if bytes.get(i) == Some(&b'{') {
        match bytes[i..].iter().position(|&b| b == b'}') {
            Some(end) => i + end + 1,
            None => i,
        }
    } else {
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(tex: &str) -> usize {
        nesting_depth(tex).max
    }

    #[test]
    fn flat_formulas_are_shallow() {
        assert!(depth(r"a + b = c") <= 1);
        assert!(depth(r"\alpha + \beta + \gamma + \delta + \epsilon") <= 1);
        assert!(depth(r"\sum_{i=0}^{n} x_i^2") <= 3);
        assert!(
            depth(
                r"\mathcal L_\text{RML} = - \mathbb E_{x, y^* \sim \mathcal D}\left[ \sum_y q(y \mid y^*; \tau) \log p_\theta(y \mid x) \right]"
            ) <= 6
        );
    }

    #[test]
    fn braces_left_right_and_environments_nest() {
        assert_eq!(depth(&"{".repeat(10)), 10);
        assert_eq!(depth(&format!("{}x{}", "{".repeat(10), "}".repeat(10))), 10);
        assert_eq!(depth(&r"\left( ".repeat(7)), 7);
        assert_eq!(depth(&r"\begin{matrix}".repeat(5)), 5);
        // Closing brings the count back down.
        assert_eq!(depth(&r"\left( x \right) ".repeat(20)), 1);
        assert_eq!(depth(&r"\begin{pmatrix} a \end{pmatrix}".repeat(20)), 1);
    }

    #[test]
    fn commands_waiting_for_arguments_nest_without_braces() {
        // `\frac a\frac b\frac c…`: every second argument holds the next fraction.
        let chain = r"\frac a".repeat(30) + "b";
        assert!(depth(&chain) >= 30, "{}", depth(&chain));
        let roots = r"\sqrt".repeat(30) + "x";
        assert_eq!(depth(&roots), 30);
        let optional = r"\sqrt[".repeat(20);
        assert!(depth(&optional) >= 20);
        // A completed fraction does not leave anything open.
        assert!(depth(&r"\frac{a}{b} + ".repeat(50)) <= 3);
        assert!(depth(&r"\frac12 ".repeat(50)) <= 2);
    }

    #[test]
    fn comments_count_and_hide_braces() {
        assert_eq!(depth(&"%\n".repeat(12)), 12);
        assert_eq!(depth("x % {{{{{{\ny"), 1);
    }

    #[test]
    fn depth_reports_where_it_peaked() {
        let d = nesting_depth("ab{{c}}");
        assert_eq!(d, Depth { max: 2, at: 3 });
    }

    #[test]
    fn converts_inline_and_display() {
        let inline = to_mathml(r"x^2", false).unwrap();
        assert!(inline.starts_with("<math><semantics>"), "{inline}");
        let block = to_mathml(r"\frac{a}{b}", true).unwrap();
        assert!(block.starts_with("<math display=\"block\">"), "{block}");
        assert!(block.contains("<mfrac>"));
    }

    #[test]
    fn parse_errors_carry_offset_and_reason() {
        let err = to_mathml(r"x + \frac{", false).unwrap_err();
        assert!(err.reason.contains("end of input"), "{err:?}");
        let err = to_mathml(r"a \nosuchcommand", false).unwrap_err();
        assert_eq!(err.offset, 2);
        let long = "x+".repeat(MAX_FORMULA_BYTES);
        assert!(
            to_mathml(&long, false)
                .unwrap_err()
                .reason
                .contains("limit")
        );
    }

    #[test]
    fn unescaped_markup_from_math_core_is_refused() {
        let err = to_mathml(r"\operatorname{<img/src=x>}", false).unwrap_err();
        assert!(err.reason.contains("markup"), "{err:?}");
        assert!(to_mathml(r"\operatorname{<a/href=javascript:alert(1)>x}", false).is_err());
        // Ordinary relations are escaped by math-core and pass.
        assert!(to_mathml(r"a < b > c", false).is_ok());
        assert!(to_mathml(r"\text{<script>alert(1)</script>}", false).is_ok());
    }

    #[test]
    fn foreign_tag_accepts_only_emitted_elements() {
        assert_eq!(foreign_tag("<math><mi>x</mi></math>"), None);
        assert_eq!(foreign_tag("<math><mspace/></math>"), None);
        assert_eq!(foreign_tag("<mi><svgonload=x></mi>"), Some(4));
        assert_eq!(foreign_tag("<mi><</mi>"), Some(4));
        assert_eq!(foreign_tag("<mo><img src=x></mo>"), Some(4));
        assert_eq!(foreign_tag("<mo lspace=\"0\" rspace=\"0\">x</mo>"), None);
        assert_eq!(foreign_tag("<mo><a/href=x>y</a></mo>"), Some(4));
        assert_eq!(foreign_tag("<mo><a href=x>y</a></mo>"), Some(4));
        assert_eq!(foreign_tag("<mi>x</mi"), Some(5));
    }

    #[test]
    fn emitted_tags_are_the_allowed_mathml_and_mtext_html() {
        use crate::sanitize::MATHML_TAGS;
        for tag in MATHML_TAGS.iter().chain(&["b", "i", "em"]) {
            assert!(is_emitted_tag(tag.as_bytes()), "{tag}");
        }
        for other in [
            "script", "img", "svg", "style", "a", "span", "mglyph", "maction",
        ] {
            assert!(!is_emitted_tag(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn error_html_escapes_source_and_reason() {
        let html = error_html("$<b>\"$", "bad \"x\" <y>");
        assert_eq!(
            html,
            "<span class=\"math-error\" title=\"bad &quot;x&quot; &lt;y&gt;\"><code>$&lt;b&gt;&quot;$</code></span>"
        );
    }
}
