//! Embeds every file under `static/` (including `static/demo/`) in the binary:
//! writes `$OUT_DIR/assets.rs`, a sorted table of `(url path, bytes)`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("static");
    // A directory makes cargo rescan everything below it for changes.
    println!("cargo:rerun-if-changed={}", root.display());

    let mut files = Vec::new();
    if root.is_dir() {
        collect(&root, &root, &mut files);
    }
    files.sort();

    let mut out = String::from("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for (url, path) in &files {
        // Relative to the manifest at compile time, not this run's absolute path: a
        // target dir shared by two checkouts must not compile one with the other's files.
        let relative = path
            .strip_prefix(&manifest)
            .expect("under the manifest dir");
        writeln!(
            out,
            "    ({url:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{}\"))),",
            relative.display()
        )
        .expect("write to String");
    }
    out.push_str("];\n");

    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("assets.rs");
    std::fs::write(dest, out).expect("write assets.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("cargo:warning=cannot read {}", dir.display());
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        // Hidden files (editor swap files, .gitkeep) are not assets.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
            continue;
        }
        let rel = path.strip_prefix(root).expect("below root");
        let url: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        match url {
            Some(parts) => files.push((parts.join("/"), path.clone())),
            None => println!(
                "cargo:warning=skipping non-UTF-8 asset name {}",
                path.display()
            ),
        }
    }
}
