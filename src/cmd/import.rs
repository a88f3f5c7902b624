//! `shortscience import PATH…`: summary files into the database, one transaction each.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shortscience::naming::natural_cmp;
use shortscience::settings::Overrides;
use shortscience_store::Saved;

use super::{Failure, import_text, open_store, rerender};
use crate::ImportArgs;

#[derive(Debug, Default)]
struct Tally {
    created: usize,
    updated: usize,
    unchanged: usize,
    failed: usize,
}

impl Tally {
    fn line(&self) -> String {
        let total = self.created + self.updated + self.unchanged + self.failed;
        let noun = if total == 1 { "file" } else { "files" };
        format!(
            "imported {total} {noun}: {} created, {} updated, {} unchanged, {} failed",
            self.created, self.updated, self.unchanged, self.failed
        )
    }
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    shortscience_store::check_username(&args.as_user).map_err(|e| anyhow::anyhow!("--as: {e}"))?;
    let (files, walk_failures) = collect(&args.paths);
    let (_, store) = open_store(&args.store, Overrides::default()).await?;
    let mut tally = Tally::default();

    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    for (path, failure) in &walk_failures {
        tally.failed += 1;
        bar.suspend(|| eprintln!("{}", failure.report(&path.display().to_string())));
    }
    for path in &files {
        let name = path.display().to_string();
        bar.set_message(name.clone());
        let outcome = match read_text(path) {
            Ok(text) => import_text(&store, &text, &args.as_user, 0).await,
            Err(f) => Err(f),
        };
        match outcome {
            Ok(done) => {
                match done.saved {
                    Saved::Created => tally.created += 1,
                    Saved::Updated => tally.updated += 1,
                    Saved::Unchanged => tally.unchanged += 1,
                }
                for (line, message) in &done.warnings {
                    bar.suspend(|| eprintln!("{name}:{line}: warning: {message}"));
                }
            }
            Err(failure) => {
                tally.failed += 1;
                bar.suspend(|| eprintln!("{}", failure.report(&name)));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    // Links between papers imported in this run resolve only now.
    rerender(&store).await?;
    super::announce_write(&store).await;
    println!("{}", tally.line());
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn read_text(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::whole(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        Failure::at(line, "not UTF-8 text")
    })
}

/// Files named on the command line are taken as they are; folders are searched
/// recursively for `*.md`, skipping hidden entries and README files, in natural
/// order so exported `<id>-….md` files import in id order.
fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, Failure)>) {
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &mut failures);
            found.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            failures.push((path.clone(), Failure::whole("no such file or folder")));
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|p| seen.insert(p.clone()));
    (files, failures)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>, failures: &mut Vec<(PathBuf, Failure)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            failures.push((
                dir.to_owned(),
                Failure::whole(format!("cannot list folder: {e}")),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Symlinked folders are not followed: they could loop.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, found, failures);
        } else if name.ends_with(".md") && !name.eq_ignore_ascii_case("readme.md") && path.is_file()
        {
            found.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_line_counts_everything() {
        let t = Tally {
            created: 3,
            updated: 1,
            unchanged: 1,
            failed: 0,
        };
        assert_eq!(
            t.line(),
            "imported 5 files: 3 created, 1 updated, 1 unchanged, 0 failed"
        );
        let one = Tally {
            failed: 1,
            ..Tally::default()
        };
        assert_eq!(
            one.line(),
            "imported 1 file: 0 created, 0 updated, 0 unchanged, 1 failed"
        );
    }

    #[test]
    fn collects_markdown_recursively_in_natural_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/.hidden")).unwrap();
        for name in [
            "10-b.md",
            "2-a.md",
            "README.md",
            "notes.txt",
            "sub/1-c.md",
            "sub/.hidden/x.md",
            ".y.md",
        ] {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let (files, failures) = collect(&[
            root.to_owned(),
            root.join("2-a.md"),
            root.join("missing.md"),
        ]);
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["2-a.md", "10-b.md", "sub/1-c.md"]);
        assert_eq!(failures.len(), 1);
        assert!(failures[0].0.ends_with("missing.md"));
    }
}
