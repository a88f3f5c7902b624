//! Properties over arbitrary input: rendering never panics and never emits anything active.

mod common;

use proptest::prelude::*;
use shortscience_render::{NoPapers, render};

/// Text biased towards the characters that drive Markdown, maths and HTML.
fn markup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("$".to_owned()),
        Just("$$".to_owned()),
        Just("\\".to_owned()),
        Just("\\(".to_owned()),
        Just("\\)".to_owned()),
        Just("\\[".to_owned()),
        Just("\\]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("\\frac".to_owned()),
        Just("\\text{".to_owned()),
        Just("\\operatorname{".to_owned()),
        Just("\\cite{".to_owned()),
        Just("\\left(".to_owned()),
        Just("\\begin{matrix}".to_owned()),
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("<script>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("[a](".to_owned()),
        Just(")".to_owned()),
        Just("![".to_owned()),
        Just("https://x.org/a.png".to_owned()),
        Just("https://www.shortscience.org/paper?bibtexKey=".to_owned()),
        Just("[^1]".to_owned()),
        Just("[^1]: ".to_owned()),
        Just("`".to_owned()),
        Just("*".to_owned()),
        Just("_".to_owned()),
        Just("|".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("    ".to_owned()),
        Just("# ".to_owned()),
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("&".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        "[a-z0-9 ]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings_never_panic(source in any::<String>()) {
        let _ = render(&source, &NoPapers);
    }

    #[test]
    fn output_is_always_inert(source in markup()) {
        if let Ok(rendered) = render(&source, &NoPapers) {
            let lower = rendered.html.to_ascii_lowercase();
            prop_assert!(!lower.contains("<script"), "{}", rendered.html);
            prop_assert!(!lower.contains("<svg"), "{}", rendered.html);
            common::assert_inert(&rendered.html, &source);
            prop_assert!(rendered.excerpt.chars().count() <= 301);
        }
    }

    #[test]
    fn maths_content_never_escapes(tex in "[ -~]{0,40}") {
        for source in [format!("${tex}$"), format!("$${tex}$$"), format!("\\({tex}\\)"), format!("$\\text{{{tex}}}$"), format!("$\\operatorname{{{tex}}}$")] {
            if let Ok(rendered) = render(&source, &NoPapers) {
                common::assert_inert(&rendered.html, &source);
            }
        }
    }
}
