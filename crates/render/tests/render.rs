//! Behaviour of `render` through its public API: limits, collected data, ids.

mod common;

use common::KnownPapers;
use shortscience_render::{
    MAX_MATH_DEPTH, MAX_NESTING, MAX_SOURCE_BYTES, NoPapers, RenderError, render,
};

#[test]
fn too_long_sources_are_refused_before_parsing() {
    let source = "a".repeat(MAX_SOURCE_BYTES + 1);
    assert_eq!(
        render(&source, &NoPapers),
        Err(RenderError::TooLong {
            len: MAX_SOURCE_BYTES + 1,
            max: MAX_SOURCE_BYTES
        })
    );
    assert!(render(&"a".repeat(MAX_SOURCE_BYTES), &NoPapers).is_ok());
}

#[test]
fn five_thousand_nested_fractions_are_too_deep_not_a_crash() {
    let tex = format!("{}x{}", r"\frac{".repeat(5000), "}{y}".repeat(5000));
    let source = format!("Intro.\n\n$${tex}$$\n");
    match render(&source, &NoPapers) {
        Err(RenderError::TooDeep { line, depth, max }) => {
            assert_eq!(line, 3);
            assert!(depth > max, "{depth}");
            assert_eq!(max, MAX_MATH_DEPTH);
        }
        other => panic!("expected TooDeep, got {other:?}"),
    }
}

#[test]
fn deep_markdown_nesting_is_refused() {
    let source = format!("{} quote", ">".repeat(MAX_NESTING * 2));
    assert!(matches!(
        render(&source, &NoPapers),
        Err(RenderError::TooNested {
            line: 1,
            max: MAX_NESTING,
            ..
        })
    ));
}

/// Constructs at the nesting limit, converted on a thread with a tokio worker's 2 MiB stack.
/// A stack overflow aborts the test binary, so passing means the limit leaves room.
#[test]
fn maths_at_the_depth_limit_fits_a_small_stack() {
    let n = MAX_MATH_DEPTH;
    let cases = [
        format!("{}x{}", "{".repeat(n), "}".repeat(n)),
        format!("{}x{}", r"\frac{".repeat(n / 2), "}{y}".repeat(n / 2)),
        format!("{}b", r"\frac a".repeat(n - 1)),
        format!("{}x", r"\sqrt".repeat(n - 1)),
        format!("{}x{}", r"\left(".repeat(n), r"\right)".repeat(n)),
        format!(
            "{}x{}",
            r"\begin{matrix}".repeat(n),
            r"\end{matrix}".repeat(n)
        ),
        format!("{}x{}", r"\text{".repeat(n / 2), "}".repeat(n / 2)),
        format!("x{}y", "%\n".repeat(n)),
    ];
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for tex in cases {
                let source = format!("$${tex}$$");
                assert!(render(&source, &NoPapers).is_ok(), "{tex}");
            }
        })
        .expect("thread starts")
        .join()
        .expect("no panic");
}

#[test]
fn overlong_formulas_become_marked_errors() {
    let tex = "x + ".repeat(2000) + "y";
    let source = format!("before\n\n${tex}$ after");
    let rendered = render(&source, &NoPapers).unwrap();
    assert!(rendered.html.contains("class=\"math-error\""));
    assert!(rendered.html.contains("after"));
    assert_eq!(rendered.warnings.len(), 1);
    assert_eq!(rendered.warnings[0].line, 3);
    assert!(
        rendered.warnings[0].message.contains("limit"),
        "{:?}",
        rendered.warnings
    );
}

#[test]
fn maths_errors_report_their_own_line() {
    let source = "one\n\ntwo $x^$ three\n\n$$\na\n\\frac{b\n$$\n";
    let rendered = render(source, &NoPapers).unwrap();
    let lines: Vec<usize> = rendered.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [3, 7]);
    // Nothing is lost: both sources are shown.
    assert!(
        rendered.html.contains("<code>$x^$</code>"),
        "{}",
        rendered.html
    );
    assert!(rendered.html.contains("\\frac{b"), "{}", rendered.html);
}

#[test]
fn paper_refs_keep_document_order_without_duplicates() {
    let source = "\\cite{b} then [old](https://www.shortscience.org/paper?bibtexKey=a) \
                  then \\cite{b,c} and https://shortscience.org/paper?bibtexKey=a&a=u";
    let rendered = render(source, &NoPapers).unwrap();
    assert_eq!(rendered.paper_refs, ["b", "a", "c"]);
}

#[test]
fn unknown_papers_keep_old_links_and_fall_back_for_cites() {
    let source = "\\cite{vaswani2017attention} [s](https://www.shortscience.org/paper?bibtexKey=vaswani2017attention&a=bob)";
    let unknown = render(source, &NoPapers).unwrap().html;
    assert!(
        unknown.contains("href=\"/paper?bibtexKey=vaswani2017attention\""),
        "{unknown}"
    );
    assert!(
        unknown.contains(
            "href=\"https://www.shortscience.org/paper?bibtexKey=vaswani2017attention&amp;a=bob\""
        ),
        "{unknown}"
    );
    let known = render(source, &KnownPapers).unwrap().html;
    assert!(
        known.contains("href=\"/paper/arxiv/1706.03762\""),
        "{known}"
    );
    assert!(
        known.contains("href=\"/paper?bibtexKey=vaswani2017attention&amp;a=bob\""),
        "{known}"
    );
}

#[test]
fn footnote_ids_differ_between_summaries_and_are_stable() {
    let first = render("A[^1].\n\n[^1]: one", &NoPapers).unwrap().html;
    let second = render("B[^1].\n\n[^1]: two", &NoPapers).unwrap().html;
    let ids = |html: &str| -> Vec<String> {
        html.split("id=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
            .collect()
    };
    let (a, b) = (ids(&first), ids(&second));
    assert_eq!(a.len(), 2, "{first}");
    assert!(a.iter().all(|id| !b.contains(id)), "{a:?} {b:?}");
    assert_eq!(
        first,
        render("A[^1].\n\n[^1]: one", &NoPapers).unwrap().html
    );
}

#[test]
fn excerpt_is_plain_short_text() {
    let source = format!(
        "# Title\n\nSome *emphasis* and <b>raw</b> and $x_1$.\n\n$$\\int f$$\n\n{}",
        "word ".repeat(200)
    );
    let excerpt = render(&source, &NoPapers).unwrap().excerpt;
    assert!(
        excerpt.starts_with("Title Some emphasis and <b>raw</b> and $x_1$. word word"),
        "{excerpt}"
    );
    assert!(excerpt.ends_with("word…"), "{excerpt}");
    assert!(excerpt.chars().count() <= 301);
    assert!(!excerpt.contains("\\int"));
}

#[test]
fn empty_and_blank_sources_render_to_nothing() {
    for source in ["", "   \n\n\t"] {
        let rendered = render(source, &NoPapers).unwrap();
        assert_eq!(rendered.html, "");
        assert_eq!(rendered.excerpt, "");
        assert!(rendered.warnings.is_empty() && rendered.paper_refs.is_empty());
    }
}

#[test]
fn many_unclosed_latex_openers_are_shown_as_text_with_a_warning() {
    let source = format!("fine $x$\n\n{}", "\\( a ".repeat(20_000));
    let rendered = render(&source, &NoPapers).unwrap();
    assert_eq!(rendered.warnings.len(), 1);
    assert_eq!(rendered.warnings[0].line, 3);
    assert!(
        rendered.html.contains("<math>"),
        "dollar maths still renders"
    );
}
