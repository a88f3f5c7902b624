//! One Markdown input and its expected HTML per feature, in `tests/snapshots/`.
//! `UPDATE_SNAPSHOTS=1 cargo test -p shortscience-render --test snapshots` rewrites the
//! expected files; review every change before committing it.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use shortscience_render::render;

/// Expected file content: the HTML, then what else the renderer reported, as a comment.
fn snapshot(source: &str) -> String {
    match render(source, &common::KnownPapers) {
        Ok(rendered) => {
            common::assert_inert(&rendered.html, source);
            let mut out = rendered.html;
            out.push_str("<!--\n");
            for warning in &rendered.warnings {
                let _ = writeln!(out, "warning: line {}: {}", warning.line, warning.message);
            }
            let _ = writeln!(out, "paper_refs: {:?}", rendered.paper_refs);
            let _ = writeln!(out, "excerpt: {}", rendered.excerpt);
            out.push_str("-->\n");
            out
        }
        Err(err) => format!("<!-- error: {err} -->\n"),
    }
}

#[test]
fn snapshots_match() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("tests/snapshots exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no snapshot inputs in {}",
        dir.display()
    );

    let mut failures = Vec::new();
    for input in &inputs {
        let source = fs::read_to_string(input).expect("readable input");
        let actual = snapshot(&source);
        let expected_path = input.with_extension("html");
        if update {
            fs::write(&expected_path, &actual).expect("writable snapshot");
            continue;
        }
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{} differs\n--- expected\n{expected}\n--- actual\n{actual}",
                expected_path.display()
            )),
            Err(_) => failures.push(format!(
                "{} is missing; run with UPDATE_SNAPSHOTS=1",
                expected_path.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
