//! Markdown + maths renderer: never panics or hangs, and accepted output is inert.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shortscience_render::{NoPapers, render};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rendered) = render(source, &NoPapers) {
        let lower = rendered.html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "script element in output");
        assert!(!lower.contains("<iframe"), "iframe element in output");
        assert!(!lower.contains("<style"), "style element in output");
        // Rendering is a pure function of its input.
        assert_eq!(render(source, &NoPapers).ok(), Some(rendered));
    }
});
