//! Embeds the demo summaries (demo/summaries/*.md) so `serve` can load them into a
//! new database without the source tree at hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/summaries");
    println!("cargo::rerun-if-changed=demo/summaries");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
                // A README beside the demo files documents them; it is not a summary.
                .filter(|p| {
                    !p.file_stem()
                        .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// Demo summary files: (file name, contents), by name.\npub static DEMO_FILES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        // Relative to the manifest at compile time, not this run's absolute path: a
        // target dir shared by two checkouts must not compile one with the other's files.
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            format!("/demo/summaries/{name}")
        );
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("demo_files.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
